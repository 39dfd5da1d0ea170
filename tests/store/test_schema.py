"""The migrated schema is the models' schema, on both backends; migrations go both ways."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from nianbao.store.db import current_revision, head_revision, make_engine, migrate
from nianbao.store.models import Base


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
