"""Every store test runs twice: on an embedded SQLite file and on a real PostgreSQL server.

PostgreSQL is the local server at 127.0.0.1:5432 (trust auth; `.ci/run` starts it). Each
test gets its own freshly created database, migrated with Alembic (never ``create_all``),
so tests are isolated and can run ingests in parallel processes. Set
``NIANBAO_TEST_PG_URL`` to use another server.
"""

from __future__ import annotations

import os
import subprocess
import uuid

import pytest
from sqlalchemy import create_engine, text

from nianbao.store import Store
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


@pytest.fixture(params=BACKENDS)
def db_url(request, tmp_path):
    """A URL of an empty database on each backend (not yet migrated)."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'nianbao.db'}"
        return
    name = f"nianbao_test_{uuid.uuid4().hex[:12]}"
    admin = request.getfixturevalue("postgres_admin")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    try:
        yield f"{base}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def store(db_url):
    """An open, migrated store on each backend."""
    s = Store(db_url)
    yield s
    s.close()
