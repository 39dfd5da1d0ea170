"""The corpus store's tables (SQLAlchemy 2 typed models).

ORM models are kept apart from the API/JSON schemas (``nianbao.model``): a stored report's
full parsed form is kept as the JSON of ``nianbao.model.Report`` (so it round-trips exactly
and equals ``nianbao parse --json``); what queries need is in columns:

- ``cells``: every statistical cell in long form (report, table, row key, column key, value,
  raw text, location), keyed by the stable keys of spec/report-keys.md;
- ``findings``: every finding of the rules;
- on ``reports`` itself, a fixed set of *figures* (application volumes, outcomes, 复议/诉讼
  results, fees) and the agency's region and level, denormalised, so that ``stats`` over
  hundreds of thousands of reports reads one narrow row per report instead of joining the
  long cell table (see docs/store.md, "How the design grows").

Any change here needs an Alembic revision in ``store/migrations/versions``; a test compares
the migrated schema with these models.
"""

from __future__ import annotations

import base64
import zlib
from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    func,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, deferred, mapped_column


class Base(DeclarativeBase):
    pass


PACKED = "z1:"  # marks JSON text kept compressed (PackedJson); plain JSON starts with "{"


def pack_json(text: str) -> str:
    """JSON text compressed (zlib) and base64-encoded, behind the ``PACKED`` marker."""
    return PACKED + base64.b64encode(zlib.compress(text.encode(), 3)).decode("ascii")


def unpack_json(value: str | None) -> str | None:
    if value is None or not value.startswith(PACKED):
        return value  # stored before packing existed, or None
    return zlib.decompress(base64.b64decode(value[len(PACKED):])).decode()


class PackedJson(TypeDecorator):
    """A report's JSON (≈ 50–60 KB) kept compressed in a text column: about a fifth of the
    size, so ingest writes and commits far fewer pages and the store is half as large.
    Reads return the JSON text; rows written before packing (plain JSON) read unchanged,
    so no migration rewrites existing stores. Text rather than a binary column keeps the
    schema (and raw-SQL tools) as it was; base64 costs a third over the compressed bytes."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect) -> str | None:
        if value is None or value.startswith(PACKED):
            return value  # packed already (ingest packs in its worker processes)
        return pack_json(value)

    def process_result_value(self, value: str | None, dialect) -> str | None:
        return unpack_json(value)


class Division(Base):
    """One administrative division: province, city, county or township (乡镇/街道)."""

    __tablename__ = "divisions"
    code: Mapped[str] = mapped_column(String(16), primary_key=True)  # 12-digit statistical code
    name: Mapped[str] = mapped_column(String(64), index=True)  # 樟树市, 东华门街道办事处
    short: Mapped[str] = mapped_column(String(64), index=True)  # 樟树, 东华门 (suffix dropped)
    level: Mapped[str] = mapped_column(String(16))  # province / city / county / township
    parent_code: Mapped[str | None] = mapped_column(
        ForeignKey("divisions.code"), index=True, default=None
    )


class Agency(Base):
    """An agency that publishes reports, with its place in the administrative hierarchy."""

    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)  # normalised full name
    level: Mapped[str | None] = mapped_column(String(16), default=None)  # 政府 / 部门 / 乡镇街道
    region_code: Mapped[str | None] = mapped_column(
        ForeignKey("divisions.code"), index=True, default=None
    )
    origin: Mapped[str] = mapped_column(String(16), default="auto")  # auto / imported / edited
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


class AgencyAlias(Base):
    """Another name of an agency (as printed in some report, or imported)."""

    __tablename__ = "agency_aliases"
    alias: Mapped[str] = mapped_column(String(200), primary_key=True)  # normalised
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id", ondelete="CASCADE"),
                                           index=True)


class Document(Base):
    """The original bytes of a report, content-addressed and never altered."""

    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str | None] = mapped_column(String(500), default=None)
    source_url: Mapped[str | None] = mapped_column(Text, default=None)
    first_seen: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())


# The figures kept on each report row for fast statistics (formulas in docs/store.md).
APPLICANTS = ("natural_person", "commercial_enterprise", "research_institution",
              "social_welfare_org", "legal_service_org", "other_org", "total")
OUTCOMES = ("granted", "partially_granted", "denied", "unavailable", "not_processed", "other",
            "total_processed", "carried_over", "carried_forward")
APPEAL_GROUPS = ("review", "litigation_direct", "litigation_after_review")
APPEAL_RESULTS = ("upheld", "corrected", "other", "pending", "total")
FIGURES = (
    *(f"apps_{a}" for a in APPLICANTS),  # table3 new_received per applicant column
    *(f"out_{o}" for o in OUTCOMES),  # table3 totals per outcome (groups summed)
    *(f"{g}_{r}" for g in APPEAL_GROUPS for r in APPEAL_RESULTS),  # table4
    "fee_amount",  # table2 fees.amount (万元)
)


class StoredReport(Base):
    """One parse of one document. The current report of an agency and year is the one with
    ``is_current``; older documents for the same agency and year are kept, superseded."""

    __tablename__ = "reports"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    document_sha: Mapped[str] = mapped_column(ForeignKey("documents.sha256"), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agencies.id"), default=None)
    year: Mapped[int | None] = mapped_column(Integer, default=None)
    layout: Mapped[str | None] = mapped_column(String(8), default=None)
    status: Mapped[str] = mapped_column(String(8))  # ok / partial / failed
    error_code: Mapped[str | None] = mapped_column(String(64), default=None)
    error_message: Mapped[str | None] = mapped_column(Text, default=None)
    is_current: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_by: Mapped[int | None] = mapped_column(ForeignKey("reports.id"), default=None)
    parser_version: Mapped[str] = mapped_column(String(32))
    title: Mapped[str | None] = mapped_column(String(500), default=None)
    agency_name: Mapped[str | None] = mapped_column(String(200), default=None)  # as printed
    published: Mapped[str | None] = mapped_column(String(10), default=None)
    # denormalised from the agency (kept in step by store.agencies when an agency changes)
    agency_level: Mapped[str | None] = mapped_column(String(16), default=None)
    province_code: Mapped[str | None] = mapped_column(String(16), default=None)
    city_code: Mapped[str | None] = mapped_column(String(16), default=None)
    county_code: Mapped[str | None] = mapped_column(String(16), default=None)
    township_code: Mapped[str | None] = mapped_column(String(16), default=None)
    # check results
    score: Mapped[int | None] = mapped_column(Integer, default=None)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    infos: Mapped[int] = mapped_column(Integer, default=0)
    checked_with_previous: Mapped[int | None] = mapped_column(
        ForeignKey("reports.id"), default=None  # the previous year's report the check used
    )
    ingested_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    # one nullable number per figure (FIGURES), declared in a loop rather than 31 spelled lines;
    # read and written through ``getattr``/``setattr`` by store.figures
    for _figure in FIGURES:
        locals()[_figure] = mapped_column(Float, nullable=True, default=None)
    del _figure
    # last: SQLite stores columns in order, and reading a column after this large value
    # would walk its overflow pages (migration 0002 moved it there in existing files)
    report_json: Mapped[str | None] = deferred(mapped_column(PackedJson, default=None))

    __table_args__ = (
        # at most one current report per agency and year, even with concurrent ingests
        Index("uq_reports_current", "agency_id", "year", unique=True,
              sqlite_where=text("is_current"), postgresql_where=text("is_current")),
        Index("ix_reports_year_current", "year", "is_current"),
        Index("ix_reports_agency_year", "agency_id", "year"),
        Index("ix_reports_province", "province_code"),
        Index("ix_reports_city", "city_code"),
        Index("ix_reports_county", "county_code"),
    )


class Cell(Base):
    """One statistical cell, long form, keyed by the stable keys."""

    __tablename__ = "cells"
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           primary_key=True)
    table_key: Mapped[str] = mapped_column(String(8), primary_key=True)  # table2/3/4
    row_key: Mapped[str] = mapped_column(String(48), primary_key=True)
    column_key: Mapped[str] = mapped_column(String(32), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float, default=None)  # None: blank
    raw: Mapped[str | None] = mapped_column(Text, default=None)
    unit: Mapped[str | None] = mapped_column(String(8), default=None)
    location: Mapped[dict | None] = mapped_column(JSON, default=None)


class StoredFinding(Base):
    __tablename__ = "findings"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"),
                                           index=True)
    code: Mapped[str] = mapped_column(String(32), index=True)
    severity: Mapped[str] = mapped_column(String(8))
    message: Mapped[str] = mapped_column(Text)
    table_key: Mapped[str | None] = mapped_column(String(8), default=None)
    row_key: Mapped[str | None] = mapped_column(String(48), default=None)
    column_key: Mapped[str | None] = mapped_column(String(32), default=None)
    section: Mapped[str | None] = mapped_column(String(16), default=None)
    field: Mapped[str | None] = mapped_column(String(32), default=None)
    expected: Mapped[str | None] = mapped_column(Text, default=None)
    found: Mapped[str | None] = mapped_column(Text, default=None)
    source: Mapped[dict | None] = mapped_column(JSON, default=None)


# ----------------------------------------------------------------------------- web accounts
ROLES = ("viewer", "editor", "admin")  # each may do everything the one before it may


class User(Base):
    """An account of the web application (``nianbao serve``)."""

    __tablename__ = "users"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(100), default=None)
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, see web/auth.py
    role: Mapped[str] = mapped_column(String(16), default="viewer")  # ROLES
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)


class ApiToken(Base):
    """A token for scripts calling ``/api/``; only its SHA-256 is kept."""

    __tablename__ = "api_tokens"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))  # shown in lists to tell tokens apart
    created_at: Mapped[datetime] = mapped_column(DateTime, server_default=func.now())
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime, default=None)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)


class AppSetting(Base):
    """Settings the web application keeps in the store, e.g. the session signing key, so that
    every worker process and every restart agree on it."""

    __tablename__ = "app_settings"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
