"""End-to-end tests: the real application served by uvicorn on loopback, driven in Debian's
headless chromium through Playwright's Python API (``executable_path``; Playwright never
downloads a browser here — scripts/setup.sh installs the ``chromium`` package).

On failure a screenshot of the page is kept in ``test-artifacts/screenshots/`` (ignored by
git), named after the test.
"""

from __future__ import annotations

import os
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest
import uvicorn

from nianbao.store import Store
from nianbao.web import create_app
from nianbao.web.auth import create_user
from nianbao.web.settings import WebSettings
from tests.helpers import ROOT
from tests.web.conftest import PASSWORD, SEEDS

CHROMIUM = os.environ.get("NIANBAO_CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = ROOT / "test-artifacts" / "screenshots"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _Server:
    """uvicorn in a thread of the test process (real sockets, real HTTP)."""

    def __init__(self, app) -> None:
        self.port = _free_port()
        self.server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=self.port,
                                                    log_level="warning"))
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> str:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("网页应用没有在 20 秒内启动")
            time.sleep(0.05)
        return f"http://127.0.0.1:{self.port}"

    def __exit__(self, *exc) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture(scope="module")
def e2e_store(tmp_path_factory, sqlite_template):
    """A store with the five seeds ingested and one account per role."""
    from nianbao.store.ingest import ingest
    from nianbao.store.sources import iter_sources

    path = tmp_path_factory.mktemp("e2e") / "nianbao.db"
    shutil.copyfile(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    ingest(store, iter_sources(SEEDS), workers=1)
    _two_years(store)
    with store.session() as session:
        for name, role in (("viewer1", "viewer"), ("editor1", "editor"), ("admin1", "admin")):
            create_user(session, name, PASSWORD, role)
    yield store
    store.close()


SERIES = "端到端测试局"  # an agency with reports of 2022 and 2023


def _two_years(store: Store) -> None:
    """Two consecutive years of one (synthetic) agency: an agency page with a series, and
    two reports to compare."""
    import nianbao
    from nianbao import synth
    from nianbao.render import render
    from nianbao.store.records import save_document

    for seed, year in ((11, 2022), (12, 2023)):
        content = render(synth.generate(seed, layout="2021", year=year), "text")
        report = nianbao.parse(content)
        report.meta.agency, report.meta.region = SERIES, []
        with store.session() as session:
            save_document(session, content, f"{year}.txt", report)


@pytest.fixture(scope="module")
def base_url(e2e_store):
    app = create_app(WebSettings(database_url=e2e_store.url), e2e_store)
    with _Server(app) as url:
        yield url


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"找不到 {CHROMIUM}：请运行 scripts/setup.sh 安装 Debian 的 chromium 软件包")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                              args=["--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


@pytest.fixture
def page(browser, base_url, request):
    context = browser.new_context(base_url=base_url, locale="zh-CN")
    # nothing may come from outside: any request not to our server fails the test
    outside: list[str] = []
    context.route("**/*", lambda route: (route.continue_() if route.request.url.startswith(base_url)
                                         else (outside.append(route.request.url), route.abort())))
    pg = context.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda exc: errors.append(str(exc)))
    yield pg
    failed = getattr(request.node, "rep_call", None)
    if failed is not None and failed.failed:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        pg.screenshot(path=str(ARTIFACTS / f"{request.node.name}.png"), full_page=True)
    context.close()
    assert not outside, f"页面请求了外部地址：{outside}"
    assert not errors, f"页面脚本出错：{errors}"


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    rep = yield
    setattr(item, f"rep_{rep.when}", rep)
    return rep


def login(page, username: str, password: str = PASSWORD) -> None:
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_load_state()
