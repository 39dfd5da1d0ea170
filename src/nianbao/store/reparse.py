"""Re-parsing stored documents with the current parser, and saying what changed.

The stored bytes never change; after an upgrade ``reparse`` runs them through today's
parser and rules and updates each report row in place (one transaction per report): status,
layout, year, agency, meta columns, figures, the parsed JSON, cells and findings. When the
agency, year or printed date changes, the "current report" of every agency and year touched
is settled again, and the cross-year rules of the neighbouring years are re-run, so the
store stays as an ingest in any order would have left it.
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Callable
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field
from itertools import islice

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult, check
from nianbao.store.agencies import placement, resolve_agency
from nianbao.store.db import Store
from nianbao.store.figures import figures
from nianbao.store.ingest import BATCH, Parsers, interrupt_deferred
from nianbao.store.models import FIGURES, Cell, Document, StoredFinding, StoredReport
from nianbao.store.records import _order, load_report, recheck, write_findings, write_tables
from nianbao.store.writing import Writer
from nianbao.version import __version__

EXAMPLES = 5  # changed cells shown per report


@dataclass
class Change:
    """What re-parsing did to one stored report."""

    report_id: int
    name: str | None  # the document's file name
    agency: str | None = None
    year: int | None = None
    status: tuple[str, str] | None = None  # (before, after) when it changed
    cells_changed: int = 0
    cell_examples: list[str] = field(default_factory=list)
    findings_added: dict[str, int] = field(default_factory=dict)
    findings_removed: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # layout / year / agency / current changes
    error: str | None = None  # Chinese: the update itself failed (the row is as it was)

    @property
    def changed(self) -> bool:
        return bool(self.status or self.cells_changed or self.findings_added
                    or self.findings_removed or self.notes or self.error)


@dataclass
class ReparseSummary:
    selected: int = 0
    changes: list[Change] = field(default_factory=list)  # one per report re-parsed
    interrupted: bool = False
    seconds: float = 0.0

    @property
    def changed(self) -> list[Change]:
        return [c for c in self.changes if c.changed]

    def status_changes(self) -> Counter:
        return Counter(c.status for c in self.changes if c.status)

    def findings_delta(self) -> tuple[Counter, Counter]:
        added, removed = Counter(), Counter()
        for c in self.changes:
            added.update(c.findings_added)
            removed.update(c.findings_removed)
        return added, removed

    def as_dict(self) -> dict:
        added, removed = self.findings_delta()
        return {"selected": self.selected, "reparsed": len(self.changes),
                "changed": len(self.changed), "interrupted": self.interrupted,
                "seconds": round(self.seconds, 3),
                "status_changes": [{"before": b, "after": a, "count": n}
                                   for (b, a), n in self.status_changes().items()],
                "cells_changed": sum(c.cells_changed for c in self.changes),
                "findings_added": dict(added), "findings_removed": dict(removed),
                "reports": [asdict(c) for c in self.changed]}


def version_key(version: str) -> tuple[int, ...]:
    """"0.10.2" > "0.9": compare the numbers in a version. (Hand-written because versions
    here are nianbao's own simple X.Y.Z and ``packaging`` is not a dependency.)"""
    return tuple(int(n) for n in re.findall(r"\d+", version))


def select_reports(session: Session, *, everything: bool = False,
                   since_version: str | None = None) -> list[int]:
    """Ids of the reports to re-parse: all; those made by a parser older than
    ``since_version``; or (default) those made by any version other than this one."""
    if since_version is not None and not version_key(since_version):
        raise NianbaoError("bad_version", f"版本号“{since_version}”无法识别；请写成 0.1.0 这样的形式。")
    versions = session.scalars(select(StoredReport.parser_version).distinct()).all()
    if everything:
        chosen = list(versions)
    elif since_version is not None:
        chosen = [v for v in versions if version_key(v) < version_key(since_version)]
    else:
        chosen = [v for v in versions if v != __version__]
    if not chosen:
        return []
    return list(session.scalars(select(StoredReport.id)
                                .where(StoredReport.parser_version.in_(chosen))
                                .order_by(StoredReport.year, StoredReport.id)))


def reparse(store: Store, *, everything: bool = False, since_version: str | None = None,
            workers: int = 1, on_progress: Callable[[Change, ReparseSummary], None] | None = None
            ) -> ReparseSummary:
    """Re-parse and re-check the selected reports (see ``select_reports``)."""
    started = time.perf_counter()
    with store.session() as s:
        ids = select_reports(s, everything=everything, since_version=since_version)
    summary = ReparseSummary(selected=len(ids))
    if not ids:
        return summary
    later = set(ids)  # not yet re-parsed: their own turn will re-check them
    parsers = Parsers(workers)
    writer = Writer(store)
    pending: deque = deque()
    todo = iter(ids)
    try:
        while chunk := list(islice(todo, BATCH)):
            with store.session() as s:
                docs = s.execute(select(StoredReport.id, Document.filename, Document.content)
                                 .join(Document, Document.sha256 == StoredReport.document_sha)
                                 .where(StoredReport.id.in_(chunk))).all()
            for rid, filename, content in sorted(docs, key=lambda d: chunk.index(d[0])):
                pending.append((rid, filename, parsers.submit(filename, content)))
            while len(pending) > 4 * parsers.workers:
                _finish(writer, summary, later, *pending.popleft(), on_progress)
        while pending:
            _finish(writer, summary, later, *pending.popleft(), on_progress)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        parsers.close(cancel=True)
        writer.close()
        summary.seconds = time.perf_counter() - started
    return summary


def _finish(writer: Writer, summary: ReparseSummary, later: set[int], report_id: int,
            filename: str | None, result: Callable, on_progress) -> None:
    later.discard(report_id)
    change = Change(report_id, filename)
    try:
        parsed, checked, _ = result()  # the prepared rows: reparse writes via update_report
    except BrokenProcessPool:
        change.error = "解析该文件时解析进程意外退出（可能内存不足）；请重新运行 nianbao reparse。"
        attempts = ()
    else:
        attempts = (1, 2)
    with interrupt_deferred():  # what is committed is also counted
        for attempt in attempts:
            try:
                with writer.session() as s:
                    change = update_report(s, report_id, parsed, checked, later=later)
                change.name = filename
                break
            except (IntegrityError, OperationalError) as exc:  # a concurrent ingest: once more
                if attempt == 2:
                    change.error = (f"写入数据库失败（{type(exc.orig).__name__}）；"
                                    "请稍后重新运行 nianbao reparse。")
            except Exception as exc:  # one report's bug must not stop the rest
                change.error = (f"更新时发生内部错误（{type(exc).__name__}）；这是 nianbao 的缺陷，"
                                "请把该报告的文件和本信息报告给开发者。")
                break
        summary.changes.append(change)
        if on_progress is not None:
            on_progress(change, summary)


def update_report(session: Session, report_id: int, parsed: Report | NianbaoError,
                  result: CheckResult | None, *, later: set[int] | frozenset = frozenset()
                  ) -> Change:
    """Replace what is stored for one report by a new parse; say what changed.

    ``later``: reports about to be re-parsed too, whose own turn will re-check them."""
    row = session.get(StoredReport, report_id)
    before = _state(session, row)
    groups = [(row.agency_id, row.year)]
    if isinstance(parsed, Report):
        agency = resolve_agency(session, parsed.meta)
        groups.append((agency.id if agency else None, parsed.meta.year))
    groups = [g for g in dict.fromkeys(groups) if None not in g]
    current_before = {g: _current_id(session, *g) for g in groups}
    row.is_current = False  # free the "current" slot before the row moves or competes
    session.flush()
    if isinstance(parsed, NianbaoError):
        _set_failed(session, row, parsed)
    else:
        _set_parsed(session, row, parsed, agency)
    current_after = {g: _settle(session, *g) for g in groups}
    if isinstance(parsed, Report):
        _check_row(session, row, parsed, result)
    for group in groups:  # neighbours whose cross-year rules depend on what changed
        _refresh_neighbours(session, row, group, current_before[group], current_after[group],
                            later)
    return _compare(row, before, _state(session, row))


def _set_failed(session: Session, row: StoredReport, err: NianbaoError) -> None:
    """The document no longer parses: store it as a failed ingest would."""
    for name in ("agency_id", "year", "layout", "report_json", "title", "agency_name",
                 "published", "superseded_by", "checked_with_previous", "score", *FIGURES,
                 *placement(session, None)):
        setattr(row, name, None)
    row.status, row.error_code, row.error_message = "failed", err.code, err.message
    row.parser_version, row.errors, row.warnings, row.infos = __version__, 0, 0, 0
    session.execute(delete(Cell).where(Cell.report_id == row.id))
    session.execute(delete(StoredFinding).where(StoredFinding.report_id == row.id))
    session.flush()


def _set_parsed(session: Session, row: StoredReport, report: Report, agency) -> None:
    values = dict(agency_id=agency.id if agency else None, year=report.meta.year,
                  layout=report.layout, status=report.status, error_code=None,
                  error_message=None, parser_version=report.parser_version,
                  report_json=report.model_dump_json(), title=report.meta.title,
                  agency_name=report.meta.agency, published=report.meta.published,
                  **placement(session, agency), **figures(report))
    for name, value in values.items():
        setattr(row, name, value)
    if row.agency_id is None or row.year is None:  # nothing to compare with: it stands alone
        row.is_current, row.superseded_by = True, None
    session.flush()
    write_tables(session, row.id, report)


def _current_id(session: Session, agency_id: int, year: int) -> int | None:
    return session.scalar(select(StoredReport.id).where(
        StoredReport.agency_id == agency_id, StoredReport.year == year,
        StoredReport.is_current.is_(True)))


def _settle(session: Session, agency_id: int, year: int) -> int | None:
    """Make the newest readable report of an agency and year current (records._order:
    later printed date, then later arrival); the others point to it as superseded."""
    rows = session.scalars(select(StoredReport).where(
        StoredReport.agency_id == agency_id, StoredReport.year == year,
        StoredReport.status != "failed")).all()
    if not rows:
        return None
    winner = max(rows, key=_order)
    ids = {r.id for r in rows}
    for r in rows:
        if r is not winner:
            if r.is_current or r.superseded_by not in ids:
                r.superseded_by = winner.id
            r.is_current = False
    session.flush()  # before the winner takes the unique "current" slot
    winner.is_current, winner.superseded_by = True, None
    session.flush()
    return winner.id


def _check_row(session: Session, row: StoredReport, report: Report,
               result: CheckResult | None) -> CheckResult:
    """The row's findings: with last year's current report when this one is current, or
    was checked with last year before (a superseded edition keeps its cross-year findings,
    as ingest leaves them, so that re-parsing twice changes nothing)."""
    previous = None
    cross_year = row.is_current or row.checked_with_previous is not None
    if cross_year and row.agency_id is not None and row.year is not None:
        previous = _current_id(session, row.agency_id, row.year - 1)
    if previous is not None:
        prev_row = session.get(StoredReport, previous)
        return recheck(session, row, report, (prev_row, load_report(session, prev_row)))
    if result is None:
        result = check(report)
    row.checked_with_previous = None
    session.execute(delete(StoredFinding).where(StoredFinding.report_id == row.id))
    write_findings(session, row, result)
    return result


def _refresh_neighbours(session: Session, row: StoredReport, group: tuple[int, int],
                        before: int | None, after: int | None, later) -> None:
    agency_id, year = group
    if before != after and after is not None and after != row.id and after not in later:
        other = session.get(StoredReport, after)  # newly current: now checked with last year
        _check_row(session, other, load_report(session, other), None)
    if before == after and after != row.id:
        return  # neither the current report nor its content changed
    following = _current_id(session, agency_id, year + 1)
    if following is None or following in later:
        return
    nxt = session.get(StoredReport, following)
    current = session.get(StoredReport, after) if after is not None else None
    recheck(session, nxt, load_report(session, nxt),
            (current, load_report(session, current)) if current is not None else None)


# ------------------------------------------------------------------ what changed

def _state(session: Session, row: StoredReport) -> dict:
    cells = {(t, r, c): v for t, r, c, v in session.execute(
        select(Cell.table_key, Cell.row_key, Cell.column_key, Cell.value)
        .where(Cell.report_id == row.id))}
    codes = Counter(session.scalars(select(StoredFinding.code)
                                    .where(StoredFinding.report_id == row.id)))
    return {"status": row.status, "layout": row.layout, "year": row.year,
            "agency": row.agency_name, "current": row.is_current, "cells": cells, "codes": codes}


def _compare(row: StoredReport, before: dict, after: dict) -> Change:
    change = Change(row.id, None, row.agency_name or before["agency"], row.year or before["year"])
    if before["status"] != after["status"]:
        change.status = (before["status"], after["status"])
    old, new = before["cells"], after["cells"]
    differing = [k for k in sorted(old.keys() | new.keys()) if old.get(k, _MISSING) != new.get(k, _MISSING)]
    change.cells_changed = len(differing)
    change.cell_examples = [f"{'.'.join(k)}：{_show(old.get(k, _MISSING))} → {_show(new.get(k, _MISSING))}"
                            for k in differing[:EXAMPLES]]
    change.findings_added = dict(after["codes"] - before["codes"])
    change.findings_removed = dict(before["codes"] - after["codes"])
    for key, label in (("layout", "版式"), ("year", "年度"), ("agency", "机关")):
        if before[key] != after[key]:
            change.notes.append(f"{label}：{before[key] or '（无）'} → {after[key] or '（无）'}")
    if before["current"] != after["current"]:
        change.notes.append("成为该机关该年度的当前报告" if after["current"] else "不再是当前报告（已被取代）")
    return change


_MISSING = object()


def _show(value) -> str:
    if value is _MISSING:
        return "（无）"
    if value is None:
        return "空白"
    return f"{value:g}" if isinstance(value, float) else str(value)
