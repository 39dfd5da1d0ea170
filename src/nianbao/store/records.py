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
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult, check
from nianbao.store.agencies import placement, resolve_agency
from nianbao.store.figures import figures
from nianbao.store.models import Cell, Document, StoredFinding, StoredReport
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


def save_document(session: Session, content: bytes, name: str | None,
                  parsed: Report | NianbaoError, result: CheckResult | None = None, *,
                  url: str | None = None) -> Saved:
    """Store ``content`` and its parse (or the error that made it unreadable).

    ``result`` is the check without a previous year (as made by a worker); it is redone here
    when last year's report of the same agency is in the store."""
    sha = sha256_of(content)
    if session.get(Document, sha) is not None:
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
    row = _report_row(session, sha, parsed)
    superseded = _make_current(session, row, parsed)
    previous = _neighbour(session, row, -1)
    if previous is not None or result is None:
        result = check(parsed, previous[1] if previous else None)
        row.checked_with_previous = previous[0].id if previous else None
    write_tables(session, row.id, parsed)
    write_findings(session, row, result)
    following = _neighbour(session, row, +1)
    if following is not None:  # next year's report arrived first: its cross-year rules now
        recheck(session, following[0], following[1], (row, parsed))
    return Saved("partial" if parsed.status == "partial" else "ingested", sha, row.id,
                 superseded)


def _report_row(session: Session, sha: str, report: Report) -> StoredReport:
    agency = resolve_agency(session, report.meta)
    row = StoredReport(
        document_sha=sha, agency_id=agency.id if agency else None, year=report.meta.year,
        layout=report.layout, status=report.status, parser_version=report.parser_version,
        report_json=report.model_dump_json(), title=report.meta.title,
        agency_name=report.meta.agency, published=report.meta.published,
        **placement(session, agency), **figures(report))
    session.add(row)
    session.flush()
    return row


def _order(row: StoredReport) -> tuple[str, int]:
    """Which of two documents of one agency and year is newer: the later printed date,
    then the later arrival."""
    return row.published or "", row.id


def _make_current(session: Session, row: StoredReport, report: Report) -> int | None:
    """Make ``row`` current unless a newer document of its agency and year is stored."""
    if row.agency_id is None or row.year is None:
        row.is_current = True  # nothing to compare with: every such report stands alone
        session.flush()
        return None
    current = session.scalar(select(StoredReport).where(
        StoredReport.agency_id == row.agency_id, StoredReport.year == row.year,
        StoredReport.is_current.is_(True)).with_for_update())
    if current is not None and _order(current) > _order(row):
        row.superseded_by = current.id
        session.flush()
        return None
    if current is not None:
        current.is_current = False
        current.superseded_by = row.id
        session.flush()  # before the new row takes the unique "current" slot
    row.is_current = True
    session.flush()
    return current.id if current is not None else None


def _neighbour(session: Session, row: StoredReport, step: int):
    """(row, Report) of the same agency's current report ``step`` years away, if stored."""
    if row.agency_id is None or row.year is None or not row.is_current:
        return None
    other = session.scalar(select(StoredReport).where(
        StoredReport.agency_id == row.agency_id, StoredReport.year == row.year + step,
        StoredReport.is_current.is_(True)))
    if other is None:
        return None
    return other, load_report(session, other)


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


def write_tables(session: Session, report_id: int, report: Report) -> None:
    """Every statistical cell in long form, with its raw text and location."""
    session.execute(delete(Cell).where(Cell.report_id == report_id))
    rows = [{"report_id": report_id, "table_key": c["table"], "row_key": c["row"],
             "column_key": c["column"], "value": c["value"], "raw": c["raw"],
             "unit": c["unit"], "location": dict(c["location"])} for c in report.provenance]
    if rows:
        session.execute(insert(Cell), rows)


def write_findings(session: Session, row: StoredReport, result: CheckResult) -> None:
    findings = [{
        "report_id": row.id, "code": f.code, "severity": f.severity, "message": f.message,
        "table_key": f.location.table, "row_key": f.location.row,
        "column_key": f.location.column, "section": f.location.section,
        "field": f.location.field, "expected": _text(f.expected), "found": _text(f.found),
        "source": f.location.source.model_dump(exclude_none=True) if f.location.source else None,
    } for f in result.findings]
    if findings:
        session.execute(insert(StoredFinding), findings)
    row.score = result.score
    row.errors, row.warnings, row.infos = (result.counts[k] for k in ("error", "warning", "info"))
    row.updated_at = datetime.now()
    session.flush()


def _text(v) -> str | None:
    return None if v is None else v if isinstance(v, str) else json.dumps(v)


def refresh_placement(session: Session, agency_id: int) -> None:
    """Copy an agency's (corrected) level and region onto its reports."""
    from nianbao.store.models import Agency

    agency = session.get(Agency, agency_id)
    session.execute(update(StoredReport).where(StoredReport.agency_id == agency_id)
                    .values(**placement(session, agency)))
