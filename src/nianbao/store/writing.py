"""Write sessions for bulk work (ingest, reparse): one transaction per document.

On PostgreSQL these transactions do not wait for their WAL flush (``synchronous_commit``
off): an fsync per document costs more than the whole write on slow disks. Nothing is lost
when the ingest itself crashes or is interrupted (the server has every commit); only a crash
of the database server can forget the last fraction of a second of commits, atomically, and
running the same command again stores them again. This is the trade SQLite's
``synchronous=NORMAL`` in WAL mode (db.py) already makes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine
from sqlalchemy.orm import Session, sessionmaker

from nianbao.store.db import Store


class Writer:
    """Sessions for the writing process of an ingest. On PostgreSQL its own connection,
    opened with ``synchronous_commit`` off (see above) and without the pool's
    liveness ping: one round trip less for each, on a transaction per document."""

    def __init__(self, store: Store) -> None:
        self.store, self.engine = store, None
        if store.dialect == "postgresql":
            self.engine = create_engine(store.url, pool_size=1, max_overflow=1,
                                        connect_args={"options": "-c synchronous_commit=off"})
            self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        if self.engine is None:
            with self.store.session() as session:
                yield session
            return
        with self.sessions() as session, session.begin():
            yield session

    def close(self) -> None:
        if self.engine is not None:
            self.engine.dispose()
