"""The main pages and API routes once on PostgreSQL (the rest of tests/web runs on SQLite;
the store layer beneath is tested on both in tests/store)."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from nianbao.store import Store
from nianbao.store.ingest import ingest
from nianbao.store.sources import iter_sources
from nianbao.web import create_app
from nianbao.web.settings import WebSettings
from tests.helpers import run_cli
from tests.store.conftest import _pg_create, _pg_drop, _pg_url
from tests.web.conftest import SEEDS, log_in


@pytest.fixture
def pg_client(users_pg):
    store, _ = users_pg
    client = TestClient(create_app(WebSettings(database_url=store.url), store),
                        raise_server_exceptions=False)
    yield client
    client.close()


@pytest.fixture
def users_pg(postgres_admin, postgres_template):
    from nianbao.web.auth import create_user
    from tests.web.conftest import PASSWORD

    name = _pg_create(postgres_admin, template=postgres_template)
    store = Store(_pg_url(name))
    summary = ingest(store, iter_sources(SEEDS), workers=1)
    with store.session() as session:
        create_user(session, "editor1", PASSWORD, "editor")
    yield store, summary
    store.close()
    _pg_drop(postgres_admin, name)


def test_pages_and_api_on_postgresql(pg_client, users_pg):
    _, summary = users_pg
    ids = [e.report_id for e in summary.entries]
    for path in ("/", "/reports", "/reports?q=人社&sort=score", f"/reports/{ids[0]}",
                 "/agencies?q=局", "/rules", f"/compare?a={ids[0]}&b={ids[1]}"):
        r = pg_client.get(path)
        assert r.status_code == 200, (path, r.text[:500])
    listed = pg_client.get("/api/reports?size=20").json()
    assert listed["total"] == len(SEEDS)
    report = pg_client.get(f"/api/reports/{ids[1]}").json()
    cli = json.loads(run_cli("parse", str(SEEDS[1]), "--json").stdout)
    assert report == cli
    stats = pg_client.get("/api/stats?group_by=year").json()
    assert sum(row["reports"] for row in stats["rows"]) == len(SEEDS)


def test_login_and_ingest_on_postgresql(pg_client, users_pg):
    from tests.web.conftest import csrf_of

    assert log_in(pg_client, "editor1").status_code == 303
    assert pg_client.get("/api/me").json()["role"] == "editor"
    extra = SEEDS[0].read_bytes() + "\n补充说明。\n".encode()  # another edition of seed 000
    r = pg_client.post("/api/ingest", headers={"X-CSRF-Token": csrf_of(pg_client)},
                       files=[("files", ("000_new.txt", extra, "text/plain"))])
    assert r.status_code == 200, r.text
    assert r.json()["counts"]["ingested"] + r.json()["counts"]["partial"] == 1
