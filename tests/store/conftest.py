"""Every store test runs twice: on an embedded SQLite file and on a real PostgreSQL server.

PostgreSQL is the local server at 127.0.0.1:5432 (trust auth; `.ci/run` starts it). Each
test gets its own freshly created database, migrated with Alembic (never ``create_all``),
so tests are isolated and can run ingests in parallel processes. Set
``NIANBAO_TEST_PG_URL`` to use another server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text

from nianbao.store import Store
from nianbao.store.divisions import ensure_divisions
from tests.helpers import ROOT

PG_ADMIN_URL = os.environ.get("NIANBAO_TEST_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ["sqlite", "postgresql"]


@pytest.fixture(scope="session")
def postgres_admin():
    """The PostgreSQL server, started with scripts/start-postgres.sh if it is down (as
    .ci/run does), so the README's test command works on its own."""
    engine = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        engine.connect().close()
    except Exception:
        subprocess.run(["bash", str(ROOT / "scripts" / "start-postgres.sh")], check=True)
    yield engine
    engine.dispose()


def _pg_create(admin, template: str | None = None) -> str:
    name = f"nianbao_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'
                          + (f' TEMPLATE "{template}"' if template else "")))
    return name


def _pg_drop(admin, name: str) -> None:
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def _pg_url(name: str) -> str:
    return f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL of an empty database on each backend (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nianbao.db'}"
        return
    admin = request.getfixturevalue("postgres_admin")
    name = _pg_create(admin)
    try:
        yield _pg_url(name)
    finally:
        _pg_drop(admin, name)


def _prepare(url: str) -> None:
    """Migrate and load the division table (≈ 42 000 rows, a few seconds) — once per run."""
    s = Store(url)
    with s.session() as session:
        ensure_divisions(session)
    s.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory):
    path = tmp_path_factory.mktemp("template") / "nianbao.db"
    _prepare(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def postgres_template(postgres_admin):
    name = _pg_create(postgres_admin)
    _prepare(_pg_url(name))
    yield name
    _pg_drop(postgres_admin, name)


@pytest.fixture(params=BACKENDS)
def store_url(request, tmp_path):
    """A URL of a migrated database with the divisions loaded, on each backend: a copy of a
    template made once per run, so each test starts from the same state in milliseconds."""
    if request.param == "sqlite":
        path = tmp_path / "nianbao.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    admin = request.getfixturevalue("postgres_admin")
    name = _pg_create(admin, template=request.getfixturevalue("postgres_template"))
    try:
        yield _pg_url(name)
    finally:
        _pg_drop(admin, name)


@pytest.fixture
def store(store_url):
    """An open, migrated store (divisions loaded) on each backend."""
    s = Store(store_url)
    yield s
    s.close()
