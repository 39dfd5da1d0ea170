"""The migrated schema is the models' schema, on both backends; migrations go both ways."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from nianbao.store.db import StoreError, current_revision, head_revision, make_engine, migrate
from nianbao.store.models import Base
from tests.helpers import run_cli


def test_upgrade_from_empty_matches_models(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    engine.dispose()


def test_downgrade_to_empty_and_back(db_url):
    engine = make_engine(db_url)
    migrate(engine)
    from alembic import command

    from nianbao.store.db import alembic_config

    command.downgrade(alembic_config(engine), "base")
    assert set(inspect(engine).get_table_names()) <= {"alembic_version"}
    migrate(engine)
    assert {"reports", "cells", "findings", "documents", "agencies"} <= set(
        inspect(engine).get_table_names())
    engine.dispose()


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql+asyncpg://x@h/d", "oracle://x"])
def test_unsupported_database_is_a_clear_error(url):
    with pytest.raises(StoreError) as exc:
        make_engine(url)
    assert exc.value.code == "store_backend"
    assert "支持 SQLite" in exc.value.message


def test_cli_names_an_unsupported_database_without_a_traceback(tmp_path):
    result = run_cli("stats", "--db", "mysql://x/y", cwd=tmp_path)
    assert result.returncode == 2
    assert "不支持的数据库" in result.stderr and "Traceback" not in result.stderr


def _connect_at_once(url: str, start, failures) -> None:
    from nianbao.store.db import make_engine

    engine = make_engine(url)
    start.wait()
    try:
        engine.connect().close()
    except Exception:
        failures.value += 1
    finally:
        engine.dispose()


def test_two_processes_opening_a_new_sqlite_file_at_once(tmp_path):
    """Both ask for WAL on a brand-new file; SQLite answers one "database is locked" at once
    (no busy wait). Before the retry in db._set_wal this failed about one time in ten."""
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    failures = ctx.Value("i", 0)
    for i in range(40):
        url = f"sqlite:///{tmp_path / f'new{i}.db'}"
        start = ctx.Barrier(2)
        procs = [ctx.Process(target=_connect_at_once, args=(url, start, failures))
                 for _ in range(2)]
        for p in procs:
            p.start()
        for p in procs:
            p.join(30)
    assert failures.value == 0
