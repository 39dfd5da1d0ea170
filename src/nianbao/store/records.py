"""Writing one document and what nianbao made of it into the store.

``save_document`` is the unit of ingest: call it inside one transaction per document
(``store.session()``). It is idempotent (the same bytes change nothing), keeps every older
document of an agency and year (superseded, never deleted), and runs the cross-year rules
whenever last year's or next year's report of the same agency is already stored, whichever
arrives first.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections import Counter
from collections.abc import MutableMapping
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from sqlalchemy import and_, delete, false, select
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult, all_rules, check, score, with_previous
from nianbao.rules.engine import SEVERITY_ORDER, Context, Finding, run_rules
from nianbao.store.agencies import normalise_name, placement, resolve_or_create
from nianbao.store.figures import figures
from nianbao.store.models import (
    Agency,
    Cell,
    Document,
    StoredFinding,
    StoredReport,
    pack_json,
)
from nianbao.version import __version__


@dataclass
class Saved:
    """What ``save_document`` did: ``outcome`` is ingested / partial / unchanged / failed."""

    outcome: str
    sha256: str
    report_id: int | None = None
    superseded: int | None = None  # the report this one replaced as current
    error: str | None = None  # Chinese message for a failed document


def sha256_of(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@dataclass
class Prepared:
    """The rows of a parsed report that need no database: made where the report was parsed
    (an ingest worker), so the single writing process only writes."""

    json: str  # packed (models.pack_json): compressing is CPU work the writer need not do
    figures: dict[str, float | None]
    cells: list[dict]  # Cell rows without report_id


def prepare(report: Report) -> Prepared:
    """The report's JSON, figures and cell rows. A cell's location is JSON text already, so
    that writing ~200 cells per report is one bulk statement with nothing left to encode."""
    cells = [{"table_key": c["table"], "row_key": c["row"], "column_key": c["column"],
              "value": c["value"], "raw": c["raw"], "unit": c["unit"],
              "location": _json(c["location"])} for c in report.provenance]
    return Prepared(pack_json(report.model_dump_json()), figures(report), cells)


def insert_cells(session: Session, report_id: int, cells: list[dict]) -> None:
    """Write prepared cell rows (location already JSON text)."""
    _bulk_insert(session, Cell.__table__, [{"report_id": report_id, **c} for c in cells])


def _bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Insert many rows in one go, through the driver: PostgreSQL's COPY (psycopg's
    executemany sends one message per row, and the round trips cost more than the writing),
    SQLite's executemany. JSON columns must hold JSON already encoded as text. Only for
    the store's own tables and column names (never user input in the SQL text)."""
    if not rows:
        return
    columns = list(rows[0])
    if session.get_bind().dialect.name == "postgresql":
        cursor = session.connection().connection.driver_connection.cursor()
        with cursor, cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
            for r in rows:
                copy.write_row([r[c] for c in columns])
        return
    # SQLite: the driver's executemany with plain tuples; going through SQLAlchemy's
    # executemany costs more per row (parameter processing) than SQLite's own insert
    cursor = session.connection().connection.driver_connection.cursor()
    marks = ", ".join("?" * len(columns))
    cursor.executemany(f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({marks})",
                       [tuple(r[c] for c in columns) for r in rows])
    cursor.close()


def save_document(session: Session, content: bytes, name: str | None,
                  parsed: Report | NianbaoError, result: CheckResult | None = None, *,
                  url: str | None = None, prepared: Prepared | None = None,
                  cache: MutableMapping[int, Report] | None = None,
                  agencies: MutableMapping[str, int] | None = None,
                  written: MutableMapping[int, list[dict]] | None = None,
                  known_new: bool = False) -> Saved:
    """Store ``content`` and its parse (or the error that made it unreadable).

    ``result`` is the check without a previous year (as made by a worker); the cross-year
    rules are added here when last year's report of the same agency is in the store.
    ``cache`` (report id -> Report) spares re-reading reports this process stored lately;
    ``agencies`` (normalised name -> agency id) spares looking up agencies it met already;
    ``written`` (report id -> finding rows as written) spares reading findings back.
    ``known_new``: the caller has just seen that the bytes are not stored (a concurrent
    insert of the same bytes still fails, on the primary key)."""
    sha = sha256_of(content)
    if not known_new and session.get(Document, sha) is not None:
        return Saved("unchanged", sha, session.scalar(
            select(StoredReport.id).where(StoredReport.document_sha == sha)))
    session.add(Document(sha256=sha, content=content, size=len(content), filename=name,
                         source_url=url))
    session.flush()  # a concurrent ingest of the same bytes fails here (primary key)
    if isinstance(parsed, NianbaoError):
        row = StoredReport(document_sha=sha, status="failed", error_code=parsed.code,
                           error_message=parsed.message, parser_version=__version__)
        session.add(row)
        session.flush()
        return Saved("failed", sha, row.id, error=parsed.message)
    prepared = prepared or prepare(parsed)
    year = parsed.meta.year
    agency, near = _locked_agency(session, parsed, agencies, year)
    current = near.get(year)
    # _order, with the new row's id larger than any stored one
    is_current = current is None or _order(current) < (parsed.meta.published or "", math.inf)
    previous = following = None
    if is_current:
        previous, following = (_with_report(session, near.get(y), cache)
                               for y in (year - 1, year + 1)) if near else (None, None)
    if result is None:
        result = check(parsed, previous[1] if previous else None)
    elif previous is not None:
        result = with_previous(result, parsed, previous[1])
    if is_current and current is not None:
        current.is_current = False
        session.flush()  # before the new row takes the unique "current" slot
    row = StoredReport(
        document_sha=sha, agency_id=agency.id if agency else None, year=year,
        layout=parsed.layout, status=parsed.status, parser_version=parsed.parser_version,
        report_json=prepared.json, title=parsed.meta.title, agency_name=parsed.meta.agency,
        published=parsed.meta.published, is_current=is_current,
        superseded_by=None if is_current else current.id,
        checked_with_previous=previous[0].id if previous else None, score=result.score,
        errors=result.counts["error"], warnings=result.counts["warning"],
        infos=result.counts["info"], **placement(session, agency), **prepared.figures)
    session.add(row)
    session.flush()  # one INSERT with everything: the row is not updated afterwards
    superseded = None
    if is_current and current is not None:
        current.superseded_by = row.id
        superseded = current.id
    insert_cells(session, row.id, prepared.cells)
    finding_rows = [_finding_row(row.id, f) for f in result.findings]
    _bulk_insert(session, StoredFinding.__table__, finding_rows)
    if following is not None:  # next year's report arrived first: its cross-year rules now
        recheck_cross_year(session, following[0], following[1], parsed, row.id,
                           written=written)
    if cache is not None:
        cache[row.id] = parsed
    if written is not None:
        written[row.id] = finding_rows
    return Saved("partial" if parsed.status == "partial" else "ingested", sha, row.id,
                 superseded)


def _locked_agency(session: Session, parsed: Report, agencies: MutableMapping[str, int] | None,
                   year: int | None) -> tuple[Agency | None, dict[int, StoredReport]]:
    """The report's agency, its row locked, and the agency's current reports of last year,
    this year and next year (by year).

    The lock: on PostgreSQL, documents of one agency are written one after another, so each
    sees the other's report when looking for last/next year (cross-year rules) and for the
    current edition (SQLite writers are serialised anyway, BEGIN IMMEDIATE). An agency met
    before in this run is read, locked and given with its reports in one statement; if it is
    gone (merged meanwhile), it is looked up by name again."""
    name = normalise_name(parsed.meta.agency or "")
    known = agencies.get(name) if agencies is not None and name else None
    if known is not None:
        stmt = (select(Agency, StoredReport).outerjoin(StoredReport, and_(
                    StoredReport.agency_id == Agency.id, _near_years(year),
                    StoredReport.is_current.is_(True)))
                .where(Agency.id == known).with_for_update(of=Agency)
                .execution_options(populate_existing=True))
        rows = session.execute(stmt).all()
        if rows:
            return rows[0][0], {r.year: r for _, r in rows if r is not None}
    agency, created = resolve_or_create(session, parsed.meta)
    if agency is None:
        return None, {}
    if agencies is not None:
        agencies[name] = agency.id
    if created:  # locked by its insert, and without reports
        return agency, {}
    session.execute(select(Agency.id).where(Agency.id == agency.id).with_for_update())
    return agency, _current_reports(session, agency.id, year) if year else {}


def _near_years(year: int | None):
    """Last year, this year and next year (nothing when the report has no year)."""
    return StoredReport.year.in_((year - 1, year, year + 1)) if year else false()


def _current_reports(session: Session, agency_id: int, year: int) -> dict[int, StoredReport]:
    """The agency's current reports of last year, this year and next year, by year."""
    return {r.year: r for r in session.scalars(select(StoredReport).where(
        StoredReport.agency_id == agency_id, _near_years(year),
        StoredReport.is_current.is_(True)))}


def _with_report(session: Session, row: StoredReport | None,
                 cache: MutableMapping[int, Report] | None):
    """(row, its Report) — from this run's cache when there — or None."""
    if row is None:
        return None
    report = cache.get(row.id) if cache is not None else None
    return row, report if report is not None else load_report(session, row)


def _order(row: StoredReport) -> tuple[str, int]:
    """Which of two documents of one agency and year is newer: the later printed date,
    then the later arrival."""
    return row.published or "", row.id


def load_report(session: Session, row: StoredReport) -> Report | None:
    """The parsed report as stored (the JSON of ``nianbao parse --json``)."""
    text = session.scalar(select(StoredReport.report_json).where(StoredReport.id == row.id))
    return Report.model_validate_json(text) if text else None


def recheck(session: Session, row: StoredReport, report: Report,
            previous: tuple[StoredReport, Report] | None) -> CheckResult:
    """Run the rules again on a stored report and replace its findings."""
    result = check(report, previous[1] if previous else None)
    row.checked_with_previous = previous[0].id if previous else None
    session.execute(delete(StoredFinding).where(StoredFinding.report_id == row.id))
    write_findings(session, row, result)
    return result


def recheck_cross_year(session: Session, row: StoredReport, report: Report,
                       previous: Report, previous_id: int, *,
                       written: MutableMapping[int, list[dict]] | None = None) -> None:
    """Replace a stored report's cross-year findings, now that its previous year (stored as
    ``previous_id``) arrived: the other rules' findings stand (they do not depend on the
    previous year), so only the cross-year rules run. Findings are rewritten in ``check``'s
    order. Usually there is nothing to rewrite: no cross-year finding before or after.
    ``written``: the finding rows this process wrote lately, by report id (its other rules'
    rows are what the store holds, so they need not be read back)."""
    rules = all_rules()
    cross = [code for code, r in rules.items() if r.cross_year]
    extra = run_rules(Context(report, previous), cross)
    # the row's new values are set last, so that it is written in one UPDATE (a query in
    # between would flush them first)
    known = written.get(row.id) if written is not None else None
    if known is not None:
        kept = [f for f in known if f["code"] not in cross]
        if not extra and len(kept) == len(known):
            row.checked_with_previous, row.updated_at = previous_id, datetime.now()
            return  # the findings, score and counts stand (the row is written at commit)
    else:
        gone = session.execute(delete(StoredFinding).where(
            StoredFinding.report_id == row.id, StoredFinding.code.in_(cross))).rowcount
        if not extra and not gone:
            row.checked_with_previous, row.updated_at = previous_id, datetime.now()
            session.flush()
            return
        kept = [dict(r._mapping) for r in session.execute(
            select(*(c for c in StoredFinding.__table__.columns if c.name != "id"))
            .where(StoredFinding.report_id == row.id)
            .order_by(StoredFinding.id))]
    order = {code: i for i, code in enumerate(rules)}
    merged = sorted([*kept, *(_finding_row(row.id, f) for f in extra)],
                    key=lambda f: (-SEVERITY_ORDER[f["severity"]], order.get(f["code"], 0)))
    session.execute(delete(StoredFinding).where(StoredFinding.report_id == row.id))
    for f in merged:  # the kept rows came back decoded
        if f["source"] is not None and not isinstance(f["source"], str):
            f["source"] = _json(f["source"])
    _bulk_insert(session, StoredFinding.__table__, merged)
    if written is not None:
        written[row.id] = merged
    counts = Counter(f["severity"] for f in merged)
    row.errors, row.warnings, row.infos = (counts[k] for k in ("error", "warning", "info"))
    row.score = score([SimpleNamespace(code=f["code"], severity=f["severity"]) for f in merged])
    row.checked_with_previous, row.updated_at = previous_id, datetime.now()
    session.flush()


def write_tables(session: Session, report_id: int, report: Report) -> None:
    """Every statistical cell in long form, with its raw text and location."""
    session.execute(delete(Cell).where(Cell.report_id == report_id))
    insert_cells(session, report_id, prepare(report).cells)


def write_findings(session: Session, row: StoredReport, result: CheckResult) -> None:
    _bulk_insert(session, StoredFinding.__table__,
                 [_finding_row(row.id, f) for f in result.findings])
    row.score = result.score
    row.errors, row.warnings, row.infos = (result.counts[k] for k in ("error", "warning", "info"))
    row.updated_at = datetime.now()
    session.flush()


def _finding_row(report_id: int, f: Finding) -> dict:
    return {
        "report_id": report_id, "code": f.code, "severity": f.severity, "message": f.message,
        "table_key": f.location.table, "row_key": f.location.row,
        "column_key": f.location.column, "section": f.location.section,
        "field": f.location.field, "expected": _text(f.expected), "found": _text(f.found),
        "source": _json(f.location.source.model_dump(exclude_none=True))
        if f.location.source else None,
    }


_json = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False).encode


def _text(v) -> str | None:
    return None if v is None else v if isinstance(v, str) else json.dumps(v)
