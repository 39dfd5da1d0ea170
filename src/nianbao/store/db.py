"""Connecting to the store and keeping its schema current.

The database is named by a SQLAlchemy URL: ``NIANBAO_DATABASE_URL`` when set, otherwise the
embedded SQLite file ``./nianbao.db``. PostgreSQL works through the same setting
(``postgresql+psycopg://user@host/db``). The schema is always the one Alembic's migrations
build (``upgrade head``), never ``create_all``, so tests run on what users get.
"""

from __future__ import annotations

import os
import random
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from nianbao.errors import NianbaoError

DEFAULT_URL = "sqlite:///nianbao.db"
_SUPPORTED = {("sqlite", "pysqlite"), ("postgresql", "psycopg")}  # what is installed and tested
MIGRATIONS = Path(__file__).with_name("migrations")


class StoreError(NianbaoError):
    """The store cannot be opened or used (bad URL, unreachable server, old schema)."""


def database_url(url: str | None = None) -> str:
    """The URL to use: the argument, else ``NIANBAO_DATABASE_URL``, else ./nianbao.db."""
    url = url or os.environ.get("NIANBAO_DATABASE_URL") or DEFAULT_URL
    if url.startswith("postgresql://"):  # the driver we ship is psycopg 3
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def make_engine(url: str | None = None) -> Engine:
    url = database_url(url)
    try:
        parsed = make_url(url)
        kind = (parsed.get_backend_name(), parsed.get_driver_name())  # loads the dialect
    except ArgumentError as exc:  # malformed, or a database kind SQLAlchemy does not know
        raise StoreError("store_url", f"数据库地址无法识别：{url}（应形如 sqlite:///nianbao.db 或 "
                         "postgresql+psycopg://用户@主机/库名）") from exc
    if kind not in _SUPPORTED:
        raise StoreError("store_backend", f"不支持的数据库或驱动：{parsed.drivername}（{url}）；"
                         "nianbao 支持 SQLite（sqlite:///nianbao.db）和 PostgreSQL"
                         "（postgresql+psycopg://用户@主机/库名）。")
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 60})
        event.listen(engine, "connect", _sqlite_pragmas)
        event.listen(engine, "begin", _sqlite_begin)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    """WAL lets readers work during an ingest; a long busy timeout lets two ingests running
    at once wait for each other's short per-document transactions instead of failing."""
    cur = dbapi_conn.cursor()
    _set_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=60000")
    cur.close()
    # Let SQLAlchemy, not pysqlite, open transactions (see _sqlite_begin): pysqlite's own
    # handling commits a SAVEPOINT that starts a transaction and leaves DDL outside it.
    dbapi_conn.isolation_level = None


def _set_wal(cur, attempts: int = 100) -> None:
    """Switch a file to WAL (once per file; later connections find it set). Two processes
    opening a new file at once both try to switch it, and SQLite answers the loser "database
    is locked" at once, without its busy timeout: try again briefly (up to ~10 s)."""
    for attempt in range(attempts):
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or attempt == attempts - 1:
                raise
            time.sleep(0.02 + 0.08 * random.random())


def _sqlite_begin(conn) -> None:
    """A transaction that may write takes the write lock at its start (BEGIN IMMEDIATE):
    two ingests then wait for each other (busy_timeout) instead of failing when one upgrades
    from reading to writing after the other committed, and two processes migrating a new
    file run one after the other. Read-only sessions (``Store.reading``) take no lock."""
    read_only = conn.get_execution_options().get(READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


READ_ONLY = "nianbao_read_only"


def alembic_config(engine: Engine) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config(None)).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def migrate(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: the newest)."""
    command.upgrade(alembic_config(engine), revision)


def _refuse_missing_file(url: str) -> None:
    parsed = make_url(url)
    database = parsed.database if parsed.get_backend_name() == "sqlite" else None
    if database not in (None, "", ":memory:") and not Path(database).is_file():
        raise StoreError("store_missing", f"数据库文件 {database} 不存在；请检查 --db "
                         "或 NIANBAO_DATABASE_URL，或先用 nianbao ingest 导入年报。")


class Store:
    """An open store: an engine whose schema is current, and sessions on it."""

    def __init__(self, url: str | None = None, *, upgrade: bool = True,
                 must_exist: bool = False) -> None:
        """``must_exist``: refuse a SQLite file that is not there (commands that only read:
        a mistyped path would otherwise create an empty database and report nothing)."""
        self.url = database_url(url)
        self.engine = make_engine(self.url)  # a malformed URL is refused here
        if must_exist:
            _refuse_missing_file(self.url)  # before connecting, which would create the file
        try:
            if upgrade:
                if current_revision(self.engine) != head_revision():
                    migrate(self.engine)
            elif current_revision(self.engine) != head_revision():
                raise StoreError("store_schema", "数据库结构不是最新版本：请先运行 nianbao db upgrade")
        except SQLAlchemyError as exc:
            detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            raise StoreError("store_unreachable", f"无法连接数据库 {self.display_url}：{detail}"
                             "（检查地址、服务是否启动、文件是否可写）") from exc
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.read_sessions = sessionmaker(self.engine.execution_options(**{READ_ONLY: True}),
                                          expire_on_commit=False)

    @property
    def display_url(self) -> str:
        """The URL with any password hidden, for messages."""
        return make_url(self.url).render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One transaction: committed when the block ends, rolled back on any error."""
        with self.sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A transaction for queries only: on SQLite it does not wait for, or block, writers."""
        with self.read_sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        self.engine.dispose()


@cache
def _cached(url: str) -> Store:
    return Store(url)


def open_store(url: str | None = None) -> Store:
    """The store at ``url`` (see ``database_url``), migrated to the newest schema."""
    return _cached(database_url(url))
