"""``POST /api/check`` and ``POST /api/ingest``: results equal to the CLI's JSON, every error
path in the common shape, permissions and CSRF."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import pytest
from sqlalchemy import select

from nianbao.errors import MESSAGES
from nianbao.store.models import StoredReport, User
from nianbao.web.auth import create_token
from tests.helpers import run_cli
from tests.web.conftest import SEEDS, csrf_of
from tests.web.test_check_page import SEED, cli_check_json, files_of


@cache
def cli_parse_all() -> list[dict]:
    """``nianbao parse --json`` of every seed (one run: a list, one report per file)."""
    proc = run_cli("parse", "--json", *map(str, SEEDS), cwd=Path("/tmp"))
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def post(client, url: str, *items, csrf: bool = True, **kw):
    headers = {"X-CSRF-Token": csrf_of(client)} if csrf else {}
    return client.post(url, headers=headers, files=files_of(*items), **kw)


def assert_error(r, status: int, code: str, message: str | None = None) -> dict:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code
    if message is not None:
        assert message in body["error"]["message"]
    return body["error"]


# ----------------------------------------------------------------------------- /api/check
def test_check_returns_the_cli_json_of_every_file(client, web_store):
    r = post(client, "/api/check", *SEEDS)
    assert r.status_code == 200
    files = r.json()["files"]
    assert [f["name"] for f in files] == [p.name for p in SEEDS]
    for f, path, parsed in zip(files, SEEDS, cli_parse_all(), strict=True):
        assert f["status"] == "checked" and f["error"] is None
        assert f["report"] == parsed  # = nianbao parse --json
        assert f["check"] == json.loads(cli_check_json(path))  # = nianbao check --json
    with web_store.reading() as session:  # nothing stored
        assert session.scalar(select(StoredReport.id)) is None


def test_check_reports_unreadable_files_beside_the_others(client):
    r = post(client, "/api/check", ("empty.txt", b""), SEED["004"], ("x.docx", b"PK\x03\x04junk"))
    assert r.status_code == 200
    empty, ok, docx = r.json()["files"]
    assert empty == {"name": "empty.txt", "status": "failed", "report": None, "check": None,
                     "error": {"code": "empty_input", "message": MESSAGES["empty_input"]}}
    assert ok["status"] == "checked"
    assert [x["code"] for x in ok["check"]["findings"]] == ["F-NUMBERING"]
    assert docx["status"] == "failed" and docx["error"]["code"] == "docx_corrupt"


def test_check_errors_have_the_common_shape(client, make_client):
    assert_error(post(client, "/api/check"), 400, "no_files", "没有收到任何文件")
    assert_error(post(client, "/api/check", SEED["000"], csrf=False), 403, "csrf_failed")
    small = make_client(max_upload_bytes=5000, max_upload_files=2)
    err = assert_error(post(small, "/api/check", SEED["000"]), 413, "file_too_large",
                       f"文件“{SEED['000'].name}”过大")
    assert err["detail"] == {"file": SEED["000"].name, "limit": 5000}
    assert_error(post(small, "/api/check", *SEEDS[:3]), 400, "too_many_files",
                 "一次最多上传 2 个文件，本次有 3 个")
    assert_error(post(small, "/api/check", ("big.txt", b"x" * 400_000)), 413,
                 "upload_too_large", "上传的内容过大")


def test_check_and_ingest_are_described_in_openapi(client):
    spec = client.get("/api/openapi.json").json()
    check = spec["paths"]["/api/check"]["post"]
    assert check["tags"] == ["检查"] and "multipart/form-data" in check["requestBody"]["content"]
    assert {"200", "400", "413"} <= set(check["responses"])
    ingest = spec["paths"]["/api/ingest"]["post"]
    assert ingest["tags"] == ["报告"] and {"401", "403"} <= set(ingest["responses"])
    assert "CheckedFile" in spec["components"]["schemas"]
    assert "IngestResponse" in spec["components"]["schemas"]


# ----------------------------------------------------------------------------- /api/ingest
@pytest.fixture
def editor_token(web_store, users) -> str:
    with web_store.session() as session:
        user = session.scalar(select(User).where(User.username == "editor1"))
        return create_token(session, user, "脚本")[1]


def test_editor_ingests_files_like_the_cli(as_role, web_store):
    editor = as_role("editor")
    r = post(editor, "/api/ingest", SEED["000"], SEED["003"], ("empty.txt", b""))
    assert r.status_code == 200
    body = r.json()
    assert body["counts"] == {"ingested": 2, "unchanged": 0, "partial": 0, "failed": 1,
                              "superseded": 0}
    # as in ``nianbao ingest``, a file refused before parsing is reported first
    empty, first, second = body["documents"]
    assert first["name"] == SEED["000"].name and first["outcome"] == "ingested"
    assert empty["outcome"] == "failed" and empty["code"] == "empty_input"
    assert empty["report_id"] is None
    with web_store.reading() as session:
        row = session.get(StoredReport, second["report_id"])
        assert (row.agency_name, row.year, row.errors) == ("泗水县机关事务服务中心", 2023, 1)
    again = post(editor, "/api/ingest", SEED["000"]).json()
    assert again["counts"]["unchanged"] == 1
    assert again["documents"][0]["report_id"] == first["report_id"]


def test_ingest_with_an_api_token_needs_no_csrf(make_client, editor_token):
    script = make_client()
    r = script.post("/api/ingest", headers={"Authorization": f"Bearer {editor_token}"},
                    files=files_of(SEED["001"]))
    assert r.status_code == 200 and r.json()["counts"]["ingested"] == 1


def test_ingest_is_refused_without_editor_role_or_csrf(client, as_role, web_store):
    assert_error(post(client, "/api/ingest", SEED["000"]), 401, "login_required")
    assert_error(post(as_role("viewer"), "/api/ingest", SEED["000"]), 403, "forbidden",
                 "需要“编辑者”或更高角色")
    assert_error(post(as_role("editor"), "/api/ingest", SEED["000"], csrf=False), 403,
                 "csrf_failed")
    assert_error(post(as_role("editor"), "/api/ingest"), 400, "no_files")
    with web_store.reading() as session:
        assert session.scalar(select(StoredReport.id)) is None


def test_a_script_without_cookies_may_check_but_not_ingest(make_client, web_store):
    """No session cookie: no ambient credential to forge, so no CSRF token is asked for; the
    caller is anonymous (read-only): checking works, storing needs a login or a token."""
    script = make_client()
    r = script.post("/api/check", files=files_of(SEED["000"]))
    assert r.status_code == 200 and r.json()["files"][0]["status"] == "checked"
    assert "nianbao_session" not in script.cookies
    assert_error(script.post("/api/ingest", files=files_of(SEED["000"])), 401, "login_required")
    with web_store.reading() as session:
        assert session.scalar(select(StoredReport.id)) is None
