"""Coverage of a region, an agency's series, comparing two reports, search: both backends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

import nianbao
from nianbao import synth
from nianbao.render import render
from nianbao.store.analysis import AnalysisError, coverage, search, series
from nianbao.store.compare import compare, resolve_report, sentences
from nianbao.store.figures import figures
from nianbao.store.models import Agency, AgencyAlias, StoredReport
from nianbao.store.records import save_document
from tests.helpers import replace_row
from tests.store.test_stats import (
    BACKENDS,
    SPECS,
    ZHANGSHU,
    add_unreported_agencies,
    build_corpus,
    module_store,
    place_agency,
)


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request, tmp_path_factory):
    """The stats corpus plus two registered agencies that never sent a report (one of them a
    street office) and an alias of 樟树市人民政府."""
    with module_store(request, tmp_path_factory.mktemp("analysis")) as store:
        ids = build_corpus(store)
        with store.session() as s:
            add_unreported_agencies(s)
            zhangshu = s.scalar(select(Agency.id).where(Agency.name == "樟树市人民政府"))
            s.add(AgencyAlias(alias="樟树市政府", agency_id=zhangshu))
        yield store, ids


# ------------------------------------------------------------------ coverage

def test_coverage_lists_registered_agencies_without_a_report(corpus):
    store, _ = corpus
    with store.session() as s:
        city = coverage(s, "宜春市", 2022)
        county = coverage(s, "360982", 2022)
        other_year = coverage(s, "江西省", 2021)
        streets = coverage(s, "宜春市", 2022, level="乡镇街道")
    assert (city.region, city.region_code, city.year) == ("江西省/宜春市", "360900000000", 2022)
    assert (city.expected, city.received) == (4, 2)  # 樟树市/宜春市 governments reported
    assert [(a.name, a.region) for a in city.missing] == [
        ("樟树市教育体育局", "江西省/宜春市/樟树市"),
        ("樟树市淦阳街道办事处", "江西省/宜春市/樟树市/淦阳街道")]
    assert city.rate == pytest.approx(0.5)
    assert (county.expected, county.received, len(county.missing)) == (3, 1, 2)
    assert (other_year.expected, other_year.received, len(other_year.missing)) == (4, 0, 4)
    assert (streets.expected, streets.received, [a.name for a in streets.missing]) == (
        1, 0, ["樟树市淦阳街道办事处"])


def test_coverage_of_an_unknown_region_suggests_names(corpus):
    store, _ = corpus
    with store.session() as s, pytest.raises(AnalysisError, match="宜春市") as err:
        coverage(s, "宜春县", 2022)
    assert err.value.code == "unknown_region"


# ------------------------------------------------------------------ series

def _save(store, content, report, result=None):
    with store.session() as s:
        return save_document(s, content, "r.txt", report, result or nianbao.check(report))


def _parse(content: bytes, agency: str) -> nianbao.Report:
    """Parsed, under an agency name of this test's own (no region: placed nowhere), so the
    tests sharing the module's store do not meet."""
    report = nianbao.parse(content)
    report.meta.agency, report.meta.region = agency, []
    return report


def test_series_orders_years_marks_superseded_and_shows_cross_year_findings(corpus):
    store, _ = corpus
    gen_last = synth.generate(5, layout="2021", year=2022)
    gen_this = synth.generate(6, layout="2021", year=2023)
    last = _parse(render(gen_last, "text"), "测试序列机关")
    this = _parse(render(gen_this, "text"), "测试序列机关")
    older = this.model_copy(deep=True)
    older.meta.published = "2000-01-01"  # an earlier edition of the 2023 report
    b = _save(store, render(gen_this, "text"), this)
    a = _save(store, render(gen_last, "text"), last)
    old = _save(store, render(gen_this, "text") + b"\n", older)
    expected_x = [f.code for f in nianbao.check(this, last).findings if f.code.startswith("X-")]
    assert expected_x  # the pair disagrees across years (see test_records)
    with store.session() as s:
        result = series(s, last.meta.agency)
    assert result.agency.name == last.meta.agency
    assert [(e.report_id, e.year, e.current, e.superseded_by) for e in result.entries] == [
        (a.report_id, 2022, True, None), (b.report_id, 2023, True, None),
        (old.report_id, 2023, False, b.report_id)]
    current_2023 = result.entries[1]
    assert [f["code"] for f in current_2023.cross_year] == expected_x
    assert sum(current_2023.findings.values()) == len(nianbao.check(this, last).findings)
    own = figures(this)
    assert current_2023.figures["apps_total"] == own["apps_total"]
    processed = own["out_total_processed"]
    assert current_2023.figures["disclosure_rate"] == (pytest.approx(
        (own["out_granted"] + own["out_partially_granted"]) / processed) if processed else None)
    assert result.entries[0].cross_year == []


def test_series_of_an_unknown_agency_suggests_names(corpus):
    store, _ = corpus
    with store.session() as s:
        assert [e.year for e in series(s, "樟树市政府").entries] == [2022, 2022]  # by alias
        with pytest.raises(AnalysisError, match="您是不是要找：樟树市人民政府") as err:
            series(s, "樟树市人民政")
    assert err.value.code == "unknown_agency"


# ------------------------------------------------------------------ compare

def _edition_pair():
    """A report and a corrected edition: one table 二 cell and one sentence changed."""
    content = render(synth.generate(7, layout="2021", year=2022), "text")
    report = nianbao.parse(content)
    old_value = report.table2["coercion"]["decisions"]
    old_sentence = sentences(next(s.text for s in report.sections if s.key == "overview"))[-1]
    new_sentence = "将政务公开工作纳入绩效考核，每季度通报一次。"
    text = content.decode("utf-8")
    assert text.count(old_sentence) == 1
    text = replace_row(text.replace(old_sentence, new_sentence), "行政强制",
                       [str(int(old_value) + 5)])
    return content, text.encode("utf-8"), old_value, old_sentence, new_sentence


def test_compare_shows_exactly_the_changed_cell_and_sentence(corpus):
    store, _ = corpus
    first, second, old_value, old_sentence, new_sentence = _edition_pair()
    r1, r2 = _parse(first, "测试比较机关"), _parse(second, "测试比较机关")
    r2.meta.published = "2099-01-01"
    a, b = _save(store, first, r1), _save(store, second, r2)
    with store.session() as s:
        result = compare(s, a.report_id, f"{r1.meta.agency}:2022")  # the newer is current
    assert (result.a.id, result.b.id, result.b.current, result.a.current) == (
        a.report_id, b.report_id, True, False)
    assert [(d.table, d.row, d.column, d.row_label, d.column_label, d.a, d.b)
            for d in result.cells] == [
        ("table2", "coercion", "decisions", "行政强制", "本年处理决定数量", old_value,
         old_value + 5)]
    assert result.cells_compared == len(r1.provenance)
    assert [s.key for s in result.sections] == ["overview"]
    section = result.sections[0]
    assert section.label == "一、总体情况"
    assert section.changes == [{"op": "replace", "a": [old_sentence], "b": [new_sentence]}]
    assert f"-{old_sentence}" in section.unified and f"+{new_sentence}" in section.unified
    assert 0.8 < section.ratio < 1
    assert [m["field"] for m in result.meta] == ["published"]


def test_compare_two_layouts_marks_cells_one_report_lacks(corpus):
    store, _ = corpus
    r19 = _parse(render(synth.generate(8, layout="2019", year=2020), "text"), "测试格式机关")
    r21 = _parse(render(synth.generate(8, layout="2021", year=2022), "text"), "测试格式机关")
    a = _save(store, render(synth.generate(8, layout="2019", year=2020), "text"), r19)
    b = _save(store, render(synth.generate(8, layout="2021", year=2022), "text"), r21)
    with store.session() as s:
        result = compare(s, a.report_id, b.report_id)
    only_2019 = [d for d in result.cells if d.in_a and not d.in_b]
    assert {d.row for d in only_2019 if d.table == "table2"} >= {"other_services", "procurement"}
    assert all(d.b is None for d in only_2019)


def test_naming_reports_that_do_not_exist(corpus):
    store, ids = corpus
    with store.session() as s:
        assert resolve_report(s, ("樟树市人民政府", 2022)).id == ids["A"]
        assert resolve_report(s, "樟树市政府：2022").id == ids["A"]
        with pytest.raises(AnalysisError, match="没有编号为 99999 的报告"):
            resolve_report(s, "99999")
        with pytest.raises(AnalysisError, match="没有 2019 年度的报告；库中该机关有 2022 年度的报告"):
            resolve_report(s, "樟树市人民政府:2019")
        with pytest.raises(AnalysisError, match="机关名:年度"):
            resolve_report(s, "樟树市人民政府")
        with pytest.raises(AnalysisError, match="无法读取"):
            compare(s, ids["failed"], ids["A"])


# ------------------------------------------------------------------ search

def test_search_by_township_fragment_and_alias(corpus):
    store, ids = corpus
    with store.session() as s:
        street, more = search(s, "淦阳")
        by_alias, _ = search(s, "市政府")
        zhangshu, _ = search(s, "樟树")
    assert not more
    assert [(h.agency.name, h.agency.level, h.agency.region, h.matched, h.reports)
            for h in street] == [("樟树市淦阳街道办事处", "乡镇街道", "江西省/宜春市/樟树市/淦阳街道",
                                  ["名称"], [])]
    assert [(h.agency.name, h.matched) for h in by_alias] == [
        ("樟树市人民政府", ["别名：樟树市政府"])]
    assert [h.agency.name for h in zhangshu] == sorted(
        ["樟树市人民政府", "樟树市教育体育局", "樟树市淦阳街道办事处"])
    government = next(h for h in zhangshu if h.agency.name == "樟树市人民政府")
    assert [(r["id"], r["year"], r["current"]) for r in government.reports] == [
        (ids["A"], 2022, True), (ids["A_old"], 2022, False)]


def test_search_by_printed_name_and_limits(corpus):
    store, ids = corpus
    with store.session() as s:
        row = s.get(StoredReport, ids["C"])
        row.agency_name = "台山市人民政府办公室（印错的名称）"
        s.flush()
        hits, _ = search(s, "印错")
        few, more = search(s, "市", limit=2)
        s.rollback()
        with pytest.raises(AnalysisError, match="片段"):
            search(s, "  ")
    assert [(h.agency.name, h.matched) for h in hits] == [
        ("台山市人民政府", ["报告中的名称：台山市人民政府办公室（印错的名称）"])]
    assert len(few) == 2 and more
    assert SPECS["C"].agency == "台山市人民政府"


def test_place_agency_helper_places_reports(corpus):
    store, ids = corpus
    with store.session() as s:
        row = s.get(StoredReport, ids["A"])
        assert (row.province_code, row.city_code, row.county_code) == (
            "360000000000", "360900000000", ZHANGSHU)
        place_agency(s, row.agency_id, ZHANGSHU, "政府")  # idempotent
        assert s.get(StoredReport, ids["A"]).county_code == ZHANGSHU
