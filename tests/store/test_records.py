"""Saving documents: idempotent, supersede keeps history, cross-year rules in either order."""

from __future__ import annotations

import threading
import time

import pytest
from sqlalchemy import func, select

import nianbao
from nianbao import synth
from nianbao.errors import NianbaoError
from nianbao.render import render
from nianbao.store.models import Cell, Document, StoredFinding, StoredReport
from nianbao.store.records import load_report, save_document
from tests.helpers import SEEDS


def _doc(seed: int, **kw) -> tuple[bytes, nianbao.Report]:
    content = render(synth.generate(seed, **kw), "text")
    return content, nianbao.parse(content)


def _save(store, content, report, name="r.txt"):
    with store.session() as s:
        return save_document(s, content, name, report, nianbao.check(report))


def test_save_then_same_bytes_again_changes_nothing(store):
    content, report = _doc(1)
    first = _save(store, content, report)
    assert first.outcome == "ingested"
    again = _save(store, content, report)
    assert (again.outcome, again.report_id) == ("unchanged", first.report_id)
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Document)) == 1
        assert s.scalar(select(func.count()).select_from(StoredReport)) == 1
        row = s.get(StoredReport, first.report_id)
        assert row.is_current and row.year == report.meta.year
        assert row.apps_total == report.table3["new_received"]["total"]
        assert load_report(s, row) == report
        cells = s.scalar(select(func.count()).select_from(Cell)
                         .where(Cell.report_id == row.id))
        assert cells == len(report.provenance)


def test_seed_findings_stored(store):
    path = SEEDS[0]
    content = path.read_bytes()
    report = nianbao.parse(content)
    saved = _save(store, content, report, path.name)
    expected = [(f.code, f.severity, f.message) for f in nianbao.check(report).findings]
    with store.session() as s:
        got = s.execute(select(StoredFinding.code, StoredFinding.severity, StoredFinding.message)
                        .where(StoredFinding.report_id == saved.report_id)
                        .order_by(StoredFinding.id)).all()
    assert [tuple(g) for g in got] == expected


def test_newer_document_supersedes_and_keeps_the_older(store):
    content, report = _doc(2)
    old = _save(store, content, report)
    newer = report.model_copy(deep=True)
    newer.meta.published = "2099-01-01"  # a later, corrected edition of the same report
    new = _save(store, content + b"\n", newer)
    assert new.superseded == old.report_id
    with store.session() as s:
        old_row, new_row = s.get(StoredReport, old.report_id), s.get(StoredReport, new.report_id)
        assert (old_row.is_current, old_row.superseded_by) == (False, new_row.id)
        assert new_row.is_current
    # an older edition arriving later does not take over
    older = report.model_copy(deep=True)
    older.meta.published = "2000-01-01"
    late = _save(store, content + b"\n\n", older)
    with store.session() as s:
        row = s.get(StoredReport, late.report_id)
        assert (row.is_current, row.superseded_by) == (False, new.report_id)


def test_unreadable_document_is_kept_as_failed(store):
    err = NianbaoError("unknown_format", "无法识别")
    with store.session() as s:
        saved = save_document(s, b"\x00\x01", "x.bin", err)
    assert saved.outcome == "failed"
    with store.session() as s:
        row = s.get(StoredReport, saved.report_id)
        assert (row.status, row.error_code, row.is_current) == ("failed", "unknown_format", False)


def _pair():
    """Two consecutive years of one agency whose carried-over row disagrees (X-CARRY)."""
    gen = synth.generate(5, layout="2021", year=2022)
    last = nianbao.parse(render(gen, "text"))
    gen2 = synth.generate(6, layout="2021", year=2023)
    gen2.meta["agency"] = gen.meta["agency"]
    this = nianbao.parse(render(gen2, "text"))
    this.meta.agency = last.meta.agency
    return render(gen, "text"), last, render(gen2, "text"), this


def _codes(store, report_id):
    """(code, message) of a stored report's findings, in stored order."""
    with store.session() as s:
        return [tuple(r) for r in s.execute(
            select(StoredFinding.code, StoredFinding.message)
            .where(StoredFinding.report_id == report_id).order_by(StoredFinding.id))]


@pytest.mark.parametrize("order", ["last_year_first", "this_year_first"])
def test_cross_year_rules_run_in_either_order(store, order):
    c1, last, c2, this = _pair()
    expected = [(f.code, f.message) for f in nianbao.check(this, last).findings]
    assert any(c.startswith("X-") for c, _ in expected)
    if order == "last_year_first":
        a, b = _save(store, c1, last), _save(store, c2, this)
    else:
        b, a = _save(store, c2, this), _save(store, c1, last)
    assert _codes(store, b.report_id) == expected  # exactly check(this, last), in order
    assert _codes(store, a.report_id) == [(f.code, f.message) for f in nianbao.check(last).findings]
    with store.session() as s:
        assert s.get(StoredReport, b.report_id).checked_with_previous == a.report_id


def test_two_years_of_one_agency_written_at_once_see_each_other(store):
    """While one transaction writes last year's report, another writes this year's: the
    second waits (agency row lock on PostgreSQL, BEGIN IMMEDIATE on SQLite) and then runs the
    cross-year rules against the first instead of missing it."""
    c1, last, c2, this = _pair()
    older = last.model_copy(deep=True)
    older.meta.year = 2018  # the agency exists before the race (not created by either side)
    _save(store, c1 + b"\n2018", older)
    saved_a, release = threading.Event(), threading.Event()
    ids = {}

    def write_last_year():
        with store.session() as s:
            ids["a"] = save_document(s, c1, "a.txt", last, nianbao.check(last)).report_id
            saved_a.set()
            release.wait(timeout=30)  # still uncommitted while the other starts

    def write_this_year():
        ids["b"] = _save(store, c2, this).report_id

    a = threading.Thread(target=write_last_year)
    a.start()
    assert saved_a.wait(timeout=30)
    b = threading.Thread(target=write_this_year)
    b.start()
    time.sleep(0.5)
    release.set()
    a.join(timeout=60)
    b.join(timeout=60)
    assert _codes(store, ids["b"]) == [(f.code, f.message) for f in nianbao.check(this, last).findings]


def test_a_long_read_does_not_block_writers(store):
    """Queries and exports read in ``Store.reading()``: an ingest writes meanwhile."""
    content, report = _doc(7)
    with store.reading() as s:
        assert s.scalar(select(func.count()).select_from(StoredReport)) == 0
        started = time.perf_counter()
        saved = _save(store, content, report)  # another connection, while the read is open
        assert time.perf_counter() - started < 10
    assert saved.outcome == "ingested"


def test_report_json_is_kept_packed_and_reads_back_exactly(store):
    """The JSON column holds compressed text; reading gives the exact JSON back; a row
    written before packing existed (plain JSON text) still reads unchanged."""
    from sqlalchemy import text

    content, report = _doc(5)
    saved = _save(store, content, report)
    with store.session() as s:
        raw = s.execute(text("SELECT report_json FROM reports WHERE id = :i"),
                        {"i": saved.report_id}).scalar_one()
        assert raw.startswith("z1:") and len(raw) < len(report.model_dump_json()) / 3
        assert load_report(s, s.get(StoredReport, saved.report_id)) == report
        # as an older nianbao wrote it: plain JSON text
        s.execute(text("UPDATE reports SET report_json = :j WHERE id = :i"),
                  {"j": report.model_dump_json(), "i": saved.report_id})
    with store.session() as s:
        assert load_report(s, s.get(StoredReport, saved.report_id)) == report
