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
            context.run_migrations()
        connection.commit()


run_migrations_online()
