"""Family X: a report against last year's, on pairs built from copies of the clean base report."""

from __future__ import annotations

import pytest

import nianbao
from nianbao import synth
from nianbao.render import render
from nianbao.rules.cross_year import COPY_THRESHOLD
from tests.rules.helpers import base, findings

X_CODES = ("X-CARRY", "X-IN-FORCE", "X-2019-PREV", "X-COPY")


def last_year(r: nianbao.Report, layout: str | None = None) -> nianbao.Report:
    """A previous-year report consistent with ``r``: another file, one year earlier, its
    carried-forward applications and table 二 counts matching what ``r`` continues from."""
    prev = base(layout or r.layout)
    prev.source.sha256 = "0" * 64
    prev.meta.year = r.meta.year - 1
    for col, v in r.table3["carried_over"].items():
        prev.table3["carried_forward"][col] = v
    for key, row in r.table2.items():
        if prev.table2.get(key) is None:
            continue
        if {"issued", "repealed", "in_force"} <= row.keys() and "in_force" in prev.table2[key]:
            prev.table2[key]["in_force"] = row["in_force"] - row["issued"] + row["repealed"]
        if "previous" in row and {"previous", "change"} <= prev.table2[key].keys():
            prev.table2[key]["change"] = row["previous"] - prev.table2[key]["previous"]
    for s in prev.sections:  # last year's words were different
        s.text = "".join(f"上年第{i}项工作说明{s.key}。" for i in range(12))
    return prev


@pytest.mark.parametrize("layout", ["2021", "2019"])
def test_consistent_pair_is_clean(layout):
    r = base(layout)
    assert nianbao.check(r, last_year(r), select=list(X_CODES)).findings == []


def test_cross_year_rules_need_a_previous_report():
    r = base()
    r.table3["carried_over"]["total"] = 99
    result = nianbao.check(r, select=list(X_CODES))
    assert result.findings == [] and result.rules == []


# ----------------------------------------------------------------------------- X-CARRY
def test_carry_differs_per_column():
    r = base()
    prev = last_year(r)
    prev.table3["carried_forward"]["natural_person"] = 2
    prev.table3["carried_forward"]["total"] = 2
    assert findings(r, "X-CARRY", prev) == [
        ("X-CARRY", "table3", "carried_over", "natural_person", 2, 0),
        ("X-CARRY", "table3", "carried_over", "total", 2, 0),
    ]
    f = nianbao.check(r, prev, select=["X-CARRY"]).findings[0]
    assert f.severity == "error" and f.location.source is not None  # the cell, from provenance
    assert f.message == "表三“自然人”列：本年“二、上年结转”为 0，上年报告“四、结转下年度继续办理”为 2。"


def test_carry_skips_blanks_and_unrelated_previous_reports():
    r = base()
    prev = last_year(r)
    prev.table3["carried_forward"]["total"] = 5
    r.table3["carried_over"]["total"] = None  # a blank is T3-BLANK's
    assert findings(r, "X-CARRY", prev) == []
    r = base()
    prev.meta.year = r.meta.year - 2  # not last year's report
    assert findings(r, "X-CARRY", prev) == []
    prev.meta.year = r.meta.year - 1
    prev.source.sha256 = r.source.sha256  # the same file given twice
    assert findings(r, "X-CARRY", prev) == []


def test_carry_across_layouts():
    r = base("2021")
    prev = last_year(r, layout="2019")  # a 2020 report in the 2019 layout: same table 三 keys
    assert findings(r, "X-CARRY", prev) == []
    prev.table3["carried_forward"]["other_org"] = 1
    assert findings(r, "X-CARRY", prev) == [
        ("X-CARRY", "table3", "carried_over", "other_org", 1, 0)]


# ----------------------------------------------------------------------------- X-IN-FORCE
def test_in_force_regulations_differ_either_way():
    r = base()  # regulations: issued 0, repealed 0, in force 0
    r.table2["regulations"].update(issued=1, repealed=0, in_force=5)
    prev = last_year(r)
    prev.table2["regulations"]["in_force"] = 3
    assert findings(r, "X-IN-FORCE", prev) == [
        ("X-IN-FORCE", "table2", "regulations", "in_force", 4, 5)]
    assert nianbao.check(r, prev, select=["X-IN-FORCE"]).findings[0].message == (
        "表二“规章”：上年现行有效 3 件，加本年制发 1 件、减本年废止 0 件，应为 4 件，本年现行有效却为 5 件。")
    prev.table2["regulations"]["in_force"] = 6
    assert findings(r, "X-IN-FORCE", prev) == [
        ("X-IN-FORCE", "table2", "regulations", "in_force", 7, 5)]


def test_in_force_normative_documents_may_lapse():
    r = base()  # normative documents: issued 0, repealed 0, in force 2
    prev = last_year(r)
    prev.table2["normative_documents"]["in_force"] = 4  # two lapsed (有效期届满): fine
    assert findings(r, "X-IN-FORCE", prev) == []
    prev.table2["normative_documents"]["in_force"] = 1  # more in force than possible
    assert findings(r, "X-IN-FORCE", prev) == [
        ("X-IN-FORCE", "table2", "normative_documents", "in_force", 1, 2)]


def test_in_force_skipped_for_other_layouts_and_blanks():
    r = base("2021")
    prev = last_year(r, layout="2019")
    assert findings(r, "X-IN-FORCE", prev) == []  # 2019 has no 现行有效件数
    prev = last_year(r)
    prev.table2["regulations"]["in_force"] = 50
    r.table2["regulations"]["issued"] = None
    assert findings(r, "X-IN-FORCE", prev) == []


# ----------------------------------------------------------------------------- X-2019-PREV
def test_2019_previous_count_differs():
    r = base("2019")  # licensing previous 11; punishment previous 25
    prev = last_year(r)
    prev.table2["licensing"].update(previous=15, change=-3)
    assert findings(r, "X-2019-PREV", prev) == [
        ("X-2019-PREV", "table2", "licensing", "previous", 12, 11)]
    assert nianbao.check(r, prev, select=["X-2019-PREV"]).findings[0].message == (
        "表二“行政许可”：上年报告的上一年项目数量 15 加本年增/减 -3 为 12，本年报告的上一年项目数量却为 11。")


def test_2019_previous_skipped_across_layouts():
    r = base("2019")
    assert findings(r, "X-2019-PREV", last_year(r, layout="2021")) == []
    r21 = base("2021")
    prev = last_year(r21, layout="2019")
    prev.table2["licensing"]["change"] = 40
    assert findings(r21, "X-2019-PREV", prev) == []


# ----------------------------------------------------------------------------- X-COPY
def test_copy_with_updated_years_and_numbers():
    r = base()
    prev = last_year(r)
    overview = next(s for s in r.sections if s.key == "overview")
    next(s for s in prev.sections if s.key == "overview").text = (
        overview.text.replace("2021", "2020").replace("35条", "41条").replace("31件", "17件"))
    assert findings(r, "X-COPY", prev) == [("X-COPY", None, None, None, COPY_THRESHOLD, 1.0)]
    f = nianbao.check(r, prev, select=["X-COPY"]).findings[0]
    assert f.location.section == "overview" and f.location.source == overview.location
    assert f.message == "第一部分“一、总体情况”与上年报告同一部分的文字 100% 相同，疑似照搬上年内容。"


def test_copy_with_a_few_sentences_rewritten_still_counts():
    r = base()
    prev = last_year(r)
    text = next(s for s in r.sections if s.key == "overview").text
    sentences = text.split("。")  # six sentences; rewrite the one on 依申请公开
    sentences[2] = "\n（二）依申请公开\n上年，我局全面梳理依申请公开办理流程，答复文书进一步规范"
    next(s for s in prev.sections if s.key == "overview").text = "。".join(sentences)
    got = findings(r, "X-COPY", prev)
    assert len(got) == 1 and COPY_THRESHOLD <= got[0][5] < 1.0


def test_copy_silent_for_rewritten_or_short_sections():
    r = base()
    prev = last_year(r)
    # section 六 is a stock one-line fee statement: repeating it is fine
    other = next(s for s in r.sections if s.key == "other").text
    next(s for s in prev.sections if s.key == "other").text = other
    assert findings(r, "X-COPY", prev) == []
    # another agency's report from the same generator: the same stock sentences, but the
    # clauses naming the agency, its website and its figures differ
    other = nianbao.parse(render(synth.generate(11, layout="2021"), "text"))
    other.meta.year = r.meta.year - 1
    assert findings(r, "X-COPY", other) == []


def test_copy_needs_an_earlier_distinct_report():
    r = base()
    prev = base()  # the very same file
    assert findings(r, "X-COPY", prev) == []
    prev.source.sha256 = "0" * 64
    prev.meta.year = r.meta.year + 1  # a later year is not "last year"
    assert findings(r, "X-COPY", prev) == []
    prev.meta.year = r.meta.year - 3  # an older report still shows copying
    assert [f[0] for f in findings(r, "X-COPY", prev)] == ["X-COPY"]


# ----------------------------------------------------------------------------- generated pairs
def test_generated_consistent_pairs_get_no_cross_year_findings():
    """200 generated reports, each with a consistent previous year: no arithmetic finding."""
    for seed in range(200):
        r = nianbao.parse(render(synth.generate(seed, layout=None), "text"))
        if not r.meta.year:
            continue
        prev = last_year(r)
        got = [(f.code, f.message) for f in
               nianbao.check(r, prev, select=["X-CARRY", "X-IN-FORCE", "X-2019-PREV"]).findings]
        assert got == [], (seed, got)
