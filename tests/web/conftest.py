"""Web tests: the real application (FastAPI's TestClient, i.e. httpx over ASGI) on a real,
migrated store. Pages and API run on SQLite here; the store layer beneath them is tested on
both SQLite and PostgreSQL in tests/store, and tests/web/test_postgres.py runs the main
routes once on PostgreSQL.
"""

from __future__ import annotations

import shutil
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from nianbao.store import Store
from nianbao.web import create_app
from nianbao.web.auth import create_user
from nianbao.web.settings import WebSettings
from tests.helpers import ROOT
from tests.store.conftest import (  # noqa: F401  (fixtures shared with the store tests)
    _pg_create,
    _pg_drop,
    _pg_url,
    postgres_admin,
    postgres_template,
    sqlite_template,
)

SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
PASSWORD = "correct horse battery"


@pytest.fixture
def web_store(tmp_path, sqlite_template):  # noqa: F811
    """An empty, migrated SQLite store (divisions loaded)."""
    path = tmp_path / "nianbao.db"
    shutil.copyfile(sqlite_template, path)
    s = Store(f"sqlite:///{path}")
    yield s
    s.close()


@pytest.fixture
def make_client(web_store) -> Callable[..., TestClient]:
    """``make_client(**settings)``: a client of a new app over ``web_store``."""
    clients = []

    def make(**settings) -> TestClient:
        app = create_app(WebSettings(database_url=web_store.url, **settings), web_store)
        client = TestClient(app, raise_server_exceptions=False)
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


@pytest.fixture
def client(make_client) -> TestClient:
    """An anonymous visitor of the default app (anonymous read-only)."""
    return make_client()


@pytest.fixture
def users(web_store) -> dict[str, str]:
    """One account per role: username -> role (password ``PASSWORD``)."""
    made = {"viewer1": "viewer", "editor1": "editor", "admin1": "admin"}
    with web_store.session() as session:
        for name, role in made.items():
            create_user(session, name, PASSWORD, role)
    return made


def csrf_of(client: TestClient) -> str:
    """The CSRF token of the client's session (as a page would embed it)."""
    page = client.get("/rules")
    marker = '"X-CSRF-Token": "'
    start = page.text.index(marker) + len(marker)
    return page.text[start:page.text.index('"', start)]


def log_in(client: TestClient, username: str, password: str = PASSWORD):
    token = csrf_of(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def as_role(make_client, users) -> Callable[[str], TestClient]:
    """``as_role("editor")``: a client logged in with that role (follows the real login)."""

    def make(role: str) -> TestClient:
        c = make_client()
        name = next(n for n, r in users.items() if r == role)
        r = log_in(c, name)
        assert r.status_code == 303, r.text
        return c

    return make


@pytest.fixture
def seeded_store(web_store):
    """``web_store`` with the five seed reports ingested."""
    from nianbao.store.ingest import ingest
    from nianbao.store.sources import iter_sources

    ingest(web_store, iter_sources(SEEDS), workers=1)
    return web_store


def error_of(client, url, status=400):
    """GET ``url`` expecting ``status`` and the API's one error shape; the error object."""
    r = client.get(url)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    return body["error"]
