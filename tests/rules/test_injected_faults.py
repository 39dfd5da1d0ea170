"""Property: a valid generated report has no table errors; one injected fault gives exactly
the findings that fault must cause, at the cell it must point to.

A generated report is printed as flattened Word text and parsed back (so its findings carry
source locations), then one cell of table 三 or 四 is changed by a non-zero amount. What
the change must break follows from the layout's identities: the row total (``sum_of`` on a
column), the column total (``sum_of`` on a row), table 三's 勾稽关系 (``balance``, which
involves only 一、二、（七）总计 and 四 — a result row's cell does not unbalance it) and,
when the new value is negative, the NEG rule.
"""

from __future__ import annotations

import dataclasses
from collections import Counter

from hypothesis import given, settings
from hypothesis import strategies as st

import nianbao
from nianbao import synth
from nianbao.layouts import get
from nianbao.model import SourceLocation
from nianbao.render import render

FAMILIES = ["T2", "T3", "T4"]
NEG = {"table3": "T3-NEG", "table4": "T4-NEG"}


def _check(report: nianbao.Report):
    return nianbao.check(report, select=FAMILIES).findings


def _keys(findings) -> Counter:
    return Counter((f.code, f.location.table, f.location.row, f.location.column) for f in findings)


def consequences(layout: str, table: str, row: str, column: str, value) -> Counter:
    """The findings one changed cell must cause, derived from the layout's identities."""
    spec = get(layout).tables[table]
    sum_code = "T3-ROW-SUM" if table == "table3" else "T4-SUM"
    out: Counter = Counter()
    for total in (c for c in spec.columns if c.sum_of):  # the row's total column
        if column == total.key or column in total.sum_of:
            out[(sum_code, table, row, total.key)] += 1
    for total in (r for r in spec.rows if r.sum_of):  # the column's total row (table 三)
        if row == total.key or row in total.sum_of:
            out[("T3-COL-SUM", table, total.key, column)] += 1
    if spec.balance and row in (*spec.balance[0], *spec.balance[1]):
        out[("T3-BAL", table, spec.balance[1][0], column)] += 1
    if value < 0:
        out[(NEG[table], table, row, column)] += 1
    return out


def _cells(layout: str, table: str) -> list[tuple[str, str]]:
    spec = get(layout).tables[table]
    rows = [g.key for g in spec.groups] if table == "table4" else [r.key for r in spec.rows]
    return [(r, c.key) for r in rows for c in spec.columns]


@st.composite
def faults(draw):
    layout = draw(st.sampled_from(["2021", "2019"]))
    # any printing noise except blanks: a blank cell makes the identities it takes part in
    # unverifiable (the rules skip them), which is a different property
    noise = dataclasses.replace(draw(synth.noises()), blank=0.0)
    report = synth.generate(draw(st.integers(0, 2**32 - 1)), layout=layout, noise=noise)
    table = draw(st.sampled_from(["table3", "table4"]))
    row, column = draw(st.sampled_from(_cells(layout, table)))
    delta = draw(st.integers(-30, 30).filter(bool))
    return report, table, row, column, delta


@settings(max_examples=30)
@given(synth.reports())
def test_valid_generated_reports_have_no_table_errors(s):
    findings = _check(nianbao.parse(render(s, "text")))
    assert [f for f in findings if f.severity == "error"] == []


@settings(max_examples=50)
@given(faults())
def test_one_injected_fault_gives_exactly_its_findings(case):
    s, table, row, column, delta = case
    report = nianbao.parse(render(s, "text"))
    assert report.table_layouts.get("table3", s.layout) == s.layout
    before = _check(report)
    assert [f for f in before if f.severity == "error"] == []

    cell = getattr(report, table)[row]
    cell[column] += delta
    after = _check(report)

    expected = consequences(s.layout, table, row, column, cell[column])
    assert _keys(after) == _keys(before) + expected
    new = [f for f in after if f not in before]
    assert new and all(f.severity == "error" for f in new)
    locations = {(c["table"], c["row"], c["column"]): c["location"] for c in report.provenance}
    for f in new:  # each points at the printed cell it names
        where = (f.location.table, f.location.row, f.location.column)
        assert f.location.source == SourceLocation(**locations[where])


def test_changed_result_cell_breaks_its_row_and_column_but_not_the_balance():
    s = synth.generate(11, layout="2021", noise=synth.Noise())
    report = nianbao.parse(render(s, "text"))
    report.table3["granted"]["natural_person"] += 1
    assert _keys(_check(report)) == Counter({
        ("T3-ROW-SUM", "table3", "granted", "total"): 1,
        ("T3-COL-SUM", "table3", "total_processed", "natural_person"): 1})


def test_wrong_grand_total_breaks_row_column_and_balance():
    s = synth.generate(11, layout="2019", noise=synth.Noise())
    report = nianbao.parse(render(s, "text"))
    report.table3["total_processed"]["total"] += 2
    assert _keys(_check(report)) == Counter({
        ("T3-ROW-SUM", "table3", "total_processed", "total"): 1,
        ("T3-COL-SUM", "table3", "total_processed", "total"): 1,
        ("T3-BAL", "table3", "total_processed", "total"): 1})


def test_negative_table4_cell():
    s = synth.generate(11, layout="2021", noise=synth.Noise())
    report = nianbao.parse(render(s, "text"))
    report.table4["litigation_direct"]["upheld"] = -1
    assert _keys(_check(report)) == Counter({
        ("T4-SUM", "table4", "litigation_direct", "total"): 1,
        ("T4-NEG", "table4", "litigation_direct", "upheld"): 1})
