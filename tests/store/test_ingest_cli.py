"""``nianbao ingest`` and ``nianbao db`` for real: subprocesses, kills, concurrent runs, URLs."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import threading
import time
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from nianbao import synth
from nianbao.render import render
from nianbao.store.db import READ_ONLY, make_engine
from nianbao.store.models import Cell, Document, StoredFinding, StoredReport
from tests.helpers import run_cli

ENV = {"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LANG": "C.UTF-8"}  # as run_cli's


def _write(directory, n: int, start: int = 0, fmt: str = "text") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for seed in range(start, start + n):
        ext = {"text": "txt", "html": "html", "docx": "docx"}[fmt]
        (directory / f"r{seed:04d}.{ext}").write_bytes(render(synth.generate(seed, layout=None), fmt))


@pytest.fixture(scope="module")
def corpus150(tmp_path_factory):
    path = tmp_path_factory.mktemp("corpus150")
    _write(path, 150, start=1000)
    return path


def _ingest(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "nianbao", "ingest", *args],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)


def _count(engine, model) -> int:
    # read-only, as Store.reading(): a writing transaction (BEGIN IMMEDIATE on SQLite) would
    # wait for the ingest's writes and only see the store once the ingest has finished
    with Session(engine.execution_options(**{READ_ONLY: True})) as s:
        return s.scalar(select(func.count()).select_from(model))


def _wait_for_documents(engine, proc: subprocess.Popen, at_least: int) -> int:
    """Poll the store (never migrating it: the ingest does) until it holds some documents."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()
        try:
            n = _count(engine, Document)
        except SQLAlchemyError:  # tables not created yet
            n = 0
        if n >= at_least:
            return n
        time.sleep(0.02)
    raise AssertionError("ingest stored nothing in 90 s")


def _assert_consistent(engine) -> int:
    """Every stored document has one whole report: cells and findings as its JSON and counts say."""
    with Session(engine) as s:
        docs = s.scalar(select(func.count()).select_from(Document))
        rows = s.execute(select(StoredReport.id, StoredReport.status, StoredReport.report_json,
                                StoredReport.errors + StoredReport.warnings + StoredReport.infos)
                         .join(Document)).all()
        cells = dict(s.execute(select(Cell.report_id, func.count()).group_by(Cell.report_id)).all())
        found = dict(s.execute(select(StoredFinding.report_id, func.count())
                               .group_by(StoredFinding.report_id)).all())
        doubled = s.execute(select(StoredReport.agency_id, StoredReport.year)
                            .where(StoredReport.is_current.is_(True),
                                   StoredReport.agency_id.is_not(None))
                            .group_by(StoredReport.agency_id, StoredReport.year)
                            .having(func.count() > 1)).all()
    assert len(rows) == docs
    assert doubled == []
    for rid, status, report_json, n_findings in rows:
        assert status in ("ok", "partial")
        assert cells.get(rid, 0) == len(json.loads(report_json)["provenance"])
        assert found.get(rid, 0) == n_findings
    return docs


# ------------------------------------------------------------------ summary and exit codes

def test_summary_exit_codes_and_json(db_url, tmp_path):
    docs = tmp_path / "in"
    _write(docs, 2)
    (docs / "notes.txt").write_text("这不是年报。" * 10, encoding="utf-8")
    first = run_cli("ingest", str(docs), "--workers", "1", "--db", db_url)
    assert first.returncode == 1, first.stderr
    out = first.stdout
    assert "导入结果" in out and "需要处理的文件" in out
    rows = [[c.strip() for c in line.split("│")[1:-1]] for line in out.splitlines() if "│" in line]
    for label, n in (("新入库", 2), ("未变化", 0), ("部分解析", 0), ("失败", 1), ("被取代", 0)):
        assert [label, str(n)] in rows, out
    assert "notes.txt" in out and "not_a_report" in out
    assert "共处理 3 份" in out
    again = run_cli("ingest", str(docs), "--workers", "1", "--db", db_url, "--json")
    assert again.returncode == 0, again.stderr  # nothing failed in this run: all were stored
    data = json.loads(again.stdout)
    assert data["counts"] == {"ingested": 0, "unchanged": 3, "partial": 0, "failed": 0,
                              "superseded": 0}
    assert data["database"] == db_url and data["interrupted"] is False
    notes = next(d for d in data["documents"] if d["name"].endswith("notes.txt"))
    assert notes == {"name": str(docs / "notes.txt"), "outcome": "unchanged",
                     "sha256": notes["sha256"], "report_id": notes["report_id"],
                     "superseded": None, "code": None, "reason": "此前已入库，当时无法读取"}


def test_usage_errors_exit_2(tmp_path):
    missing = run_cli("ingest", str(tmp_path / "nope"), "--db", f"sqlite:///{tmp_path}/x.db")
    assert missing.returncode == 2
    assert f"找不到 {tmp_path / 'nope'}" in missing.stderr and "Traceback" not in missing.stderr
    nothing = run_cli("ingest", "--db", f"sqlite:///{tmp_path}/x.db")
    assert nothing.returncode == 2 and "[no_input]" in nothing.stderr
    (tmp_path / "a.txt").write_bytes(render(synth.generate(1), "text"))
    for url, code in (("nosuch://x", "[store_url]"),
                      ("postgresql+psycopg://postgres@127.0.0.1:1/x", "[store_unreachable]")):
        bad = run_cli("ingest", str(tmp_path / "a.txt"), "--db", url)
        assert bad.returncode == 2 and code in bad.stderr, bad.stderr
        assert "Traceback" not in bad.stderr
    both = run_cli("reparse", "--all", "--since-version", "0.1", "--db", f"sqlite:///{tmp_path}/x.db")
    assert both.returncode == 2 and "只能选一个" in both.stderr


def test_db_upgrade_and_status(db_url):
    url = db_url
    if url.startswith("postgresql"):  # trust authentication ignores the password; it is shown hidden
        url = url.replace("postgres@", "postgres:s3cret@")
    empty = run_cli("db", "status", "--db", url)
    assert empty.returncode == 0, empty.stderr
    assert "空数据库" in empty.stdout and "s3cret" not in empty.stdout
    up = run_cli("db", "upgrade", "--db", url)
    assert up.returncode == 0 and "升级到结构版本" in up.stdout
    assert "已是最新" in run_cli("db", "upgrade", "--db", url).stdout
    status = json.loads(run_cli("db", "status", "--db", url, "--json").stdout)
    shown = url.replace("s3cret", "***")
    assert (status["url"], status["up_to_date"]) == (shown, True)
    assert status["counts"]["documents"] == 0 and status["counts"]["divisions"] >= 0
    human = run_cli("db", "status", "--db", url).stdout
    assert f"数据库：{shown}" in human and "（最新）" in human


# ------------------------------------------------------------------ interruption and concurrency

def test_killed_ingest_resumes_without_loss(db_url, corpus150):
    engine = make_engine(db_url)
    proc = _ingest(str(corpus150), "--workers", "1", "--db", db_url)
    try:
        _wait_for_documents(engine, proc, 15)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    stored = _assert_consistent(engine)
    assert 15 <= stored < 150
    again = run_cli("ingest", str(corpus150), "--workers", "1", "--db", db_url, "--json")
    assert again.returncode == 0, again.stderr
    counts = json.loads(again.stdout)["counts"]
    assert (counts["unchanged"], counts["ingested"] + counts["partial"]) == (stored, 150 - stored)
    assert _assert_consistent(engine) == 150
    engine.dispose()


def test_ctrl_c_stops_cleanly_with_exit_130(db_url, corpus150):
    engine = make_engine(db_url)
    proc = _ingest(str(corpus150), "--workers", "2", "--db", db_url)
    try:
        seen = _wait_for_documents(engine, proc, 5)
        assert seen < 150, "the ingest finished before it could be interrupted"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert proc.returncode == 130, err
    assert "导入已中断" in err and "重新运行同一命令即可继续" in err and "Traceback" not in err
    assert "导入结果" in out
    stored = _assert_consistent(engine)
    assert f"已入库的 {stored} 份不会丢失" in err
    engine.dispose()


def test_two_ingests_at_once_store_each_document_once(db_url, tmp_path):
    docs = tmp_path / "in"
    _write(docs, 30, start=2000)
    engine = make_engine(db_url)  # a new, empty store: both ingests also race to create it
    procs = [_ingest(str(docs), "--workers", "1", "--db", db_url, "--json") for _ in range(2)]
    results = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [err for _, err in results]
    counts = [json.loads(out)["counts"] for out, _ in results]
    assert sum(c["ingested"] + c["partial"] for c in counts) == 30  # each stored by one of them
    assert sum(c["unchanged"] for c in counts) == 30
    assert _assert_consistent(engine) == 30
    with Session(engine) as s:
        assert s.scalar(select(func.count()).select_from(StoredReport)) == 30
        assert s.scalar(text("SELECT count(DISTINCT name) FROM agencies")) == s.scalar(
            text("SELECT count(*) FROM agencies"))
    engine.dispose()


# ------------------------------------------------------------------ URLs

@pytest.fixture
def website(tmp_path):
    """A real local web server (no internet): two reports and a page linking to a third."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "r1.txt").write_bytes(render(synth.generate(61), "text"))
    (site / "r2.html").write_bytes(render(synth.generate(62), "html"))
    (site / "nianbao2023.docx").write_bytes(render(synth.generate(63), "docx"))
    (site / "notice.html").write_text(
        '<html><head><meta charset="utf-8"></head><body><p>2023年政府信息公开工作年度报告</p>'
        '<a href="nianbao2023.docx">2023年年报（附件）</a></body></html>', encoding="utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(site))
    handler.log_message = lambda *a: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_urls_are_fetched_and_stored_with_their_source(db_url, tmp_path, website):
    listing = tmp_path / "urls.txt"
    listing.write_text("\n".join(["# 年报网址", f"{website}/r1.txt", f"{website}/r2.html",
                                  f"{website}/notice.html", f"{website}/gone.html", "ftp://x"]),
                       encoding="utf-8")
    run = run_cli("ingest", "--urls", str(listing), "--db", db_url, "--json", "--workers", "1")
    assert run.returncode == 1, run.stderr  # one URL failed
    assert "不是 http/https 网址" in run.stderr
    data = json.loads(run.stdout)
    outcomes = {d["name"]: (d["outcome"], d["code"]) for d in data["documents"]}
    assert outcomes == {f"{website}/r1.txt": ("ingested", None),
                        f"{website}/r2.html": ("ingested", None),
                        f"{website}/notice.html": ("ingested", None),
                        f"{website}/gone.html": ("failed", "not_found")}
    gone = next(d for d in data["documents"] if d["code"] == "not_found")
    assert "不存在（HTTP 404）" in gone["reason"]
    engine = make_engine(db_url)
    with Session(engine) as s:
        stored = set(s.execute(select(Document.filename, Document.source_url)).all())
    engine.dispose()
    assert stored == {("r1.txt", f"{website}/r1.txt"), ("r2.html", f"{website}/r2.html"),
                      ("nianbao2023.docx", f"{website}/nianbao2023.docx")}
