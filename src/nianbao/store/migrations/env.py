"""Alembic environment: the engine comes from ``nianbao.store.db.alembic_config``."""

from alembic import context
from sqlalchemy import create_engine

from nianbao.store.models import Base

config = context.config
target_metadata = Base.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine")
    if engine is None:  # plain `alembic` command line: the URL from alembic's own config
        engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=True)  # SQLite needs batch mode to alter tables
        with context.begin_transaction():
            if connection.dialect.name == "postgresql":
                # two processes opening a new database at once: the second waits here, then
                # finds the schema current (SQLite gets the same from BEGIN IMMEDIATE)
                connection.exec_driver_sql("SELECT pg_advisory_xact_lock(4242424242)")
            context.run_migrations()
        connection.commit()


run_migrations_online()
