"""report json stored last (SQLite): statistics read reports without the JSON

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:20:56.897732

Why: SQLite stores a row's columns in table order and a value that does not fit the page
(the ~48 KB ``report_json``) in a chain of overflow pages; reading any column declared
*after* it (the region codes and every figure) walks that whole chain. With ``report_json``
in the middle of ``reports``, a national ``stats`` over 100,000 reports read ~5 GB and took
1.7–2.3 s; with it last, 0.27 s (benchmarks/bench_stats.py, docs/benchmarks.md).

How: add a new column (SQLite appends it at the end of each row), copy, drop the old one,
give the new one its name. No table is dropped or renamed, so the foreign keys of
``cells``/``findings`` (ON DELETE CASCADE) are never triggered. The schema is unchanged
(autogenerate sees no difference; column order is not part of it), so downgrade does
nothing. PostgreSQL keeps large values out of line (TOAST) and needs nothing.
"""

from collections.abc import Sequence

from alembic import op

revision: str = '0002'
down_revision: str | None = '0001'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    op.execute("ALTER TABLE reports ADD COLUMN report_json_last TEXT")
    op.execute("UPDATE reports SET report_json_last = report_json")
    op.execute("ALTER TABLE reports DROP COLUMN report_json")
    op.execute("ALTER TABLE reports RENAME COLUMN report_json_last TO report_json")


def downgrade() -> None:
    pass  # the column order is not part of the schema: nothing to undo
