"""Family F: layout versus year, cited templates, tables present, the six sections.

Each rule gets a report that triggers it and one that does not (edited copies of the clean
synthetic base report, or its text edited and parsed again), with the exact findings.
"""

from __future__ import annotations

import itertools
from functools import cache
from pathlib import Path

import pytest

import nianbao
from nianbao import synth
from nianbao.model import Problem, SourceLocation
from nianbao.render import render
from tests.rules.helpers import BASE_SEED, base, findings, mutated

SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"
TEMPLATE_RULES = ("F-LAYOUT-YEAR", "F-TEMPLATE-OUTDATED", "F-TEMPLATE-LAYOUT")


def where(report: nianbao.Report, code: str) -> list[tuple]:
    """(code, section or field, expected, found) of one rule's findings."""
    result = nianbao.check(report, select=[code])
    return [(f.code, f.location.section or f.location.field, f.expected, f.found)
            for f in result.findings]


def messages(report: nianbao.Report, code: str) -> list[str]:
    return [f.message for f in nianbao.check(report, select=[code]).findings]


@cache
def _text(layout: str = "2021") -> str:
    return render(synth.generate(BASE_SEED, layout=layout, noise=synth.Noise()), "text").decode()


def parsed(text: str) -> nianbao.Report:
    return nianbao.parse(text.encode())


def edited(*replacements: tuple[str, str], layout: str = "2021") -> nianbao.Report:
    text = _text(layout)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return parsed(text)


@cache
def seed(prefix: str) -> nianbao.Report:
    return nianbao.parse(next(SEEDS.glob(f"{prefix}_*.txt")))


def setter(**meta):
    def fn(r: nianbao.Report) -> None:
        for k, v in meta.items():
            setattr(r.meta, k, v)
    return fn


# The 2019 base report (seed 7) is a 2021 report printed in the 2019 layout; as a *valid*
# 2019-layout report it needs a 2019–2020 year.
def valid2019(**meta) -> nianbao.Report:
    return mutated(setter(year=2020, period=("2020-01-01", "2020-12-31"), **meta), "2019")


# ----------------------------------------------------------------------------- F-LAYOUT-YEAR
def test_layout_matching_the_year_is_silent():
    assert findings(base("2021"), "F-LAYOUT-YEAR") == []
    assert findings(valid2019(), "F-LAYOUT-YEAR") == []


def test_2019_tables_in_a_2021_report():
    r = mutated(setter(cited_templates=[]), "2019")  # year 2021
    assert where(r, "F-LAYOUT-YEAR") == [("F-LAYOUT-YEAR", "layout", "2021", "2019")]
    assert messages(r, "F-LAYOUT-YEAR") == [
        "2021年度报告应使用2021年版格式（国办公开办函〔2021〕30号）的统计表，"
        "但本报告的表格是2019年版格式（国办公开办函〔2019〕60号）。"]


def test_2021_tables_in_a_2020_report_mentions_the_citation():
    r = mutated(setter(year=2020, cited_templates=["2021-30"]))
    assert where(r, "F-LAYOUT-YEAR") == [("F-LAYOUT-YEAR", "layout", "2019", "2021")]
    assert "引言引用的国办公开办函〔2021〕30号也不适用于该年度" in messages(r, "F-LAYOUT-YEAR")[0]


def test_seed_003_prints_2019_tables_in_a_2023_report():
    r = seed("003")
    assert where(r, "F-LAYOUT-YEAR") == [("F-LAYOUT-YEAR", "layout", "2021", "2019")]
    assert "引言称依据国办公开办函〔2021〕30号编制，表格却未照此格式" in messages(r, "F-LAYOUT-YEAR")[0]


def test_years_before_2019_have_no_official_layout_to_compare():
    assert findings(mutated(setter(year=2018), "2019"), "F-LAYOUT-YEAR") == []
    assert findings(mutated(setter(year=None)), "F-LAYOUT-YEAR") == []


# ----------------------------------------------------------------------------- F-MIXED
def test_mixed_tables_name_each_table_and_the_wrong_one():
    def mix(r):
        r.layout, r.table_layouts = "mixed", {"table2": "2021", "table3": "2019"}
    r = mutated(mix)
    assert findings(r, "F-MIXED") == [("F-MIXED", "table3", None, None, "2021", "mixed")]
    assert messages(r, "F-MIXED") == [
        "统计表混用了两种格式：表二为2021年版格式（国办公开办函〔2021〕30号），"
        "表三为2019年版格式（国办公开办函〔2019〕60号）；2021年度报告应统一使用"
        "2021年版格式（国办公开办函〔2021〕30号）。"]
    assert findings(r, "F-LAYOUT-YEAR") == []  # F-MIXED has said it


def test_one_layout_is_not_mixed():
    assert findings(base(), "F-MIXED") == []
    assert findings(valid2019(), "F-MIXED") == []


# ----------------------------------------------------------------------------- templates
def test_seed_000_and_002_cite_only_the_superseded_template():
    for name, year in (("000", 2023), ("002", 2022)):
        r = seed(name)
        assert where(r, "F-TEMPLATE-OUTDATED") == [
            ("F-TEMPLATE-OUTDATED", "cited_templates", "2021-30", "2019-60")]
        assert messages(r, "F-TEMPLATE-OUTDATED") == [
            f"{year}年度报告应依据国办公开办函〔2021〕30号的格式编制，引言却只引用了"
            "国办公开办函〔2019〕60号（其所附格式已被取代）。"]
        assert findings(r, "F-TEMPLATE-LAYOUT") == []  # the same mistake, reported once


def test_citing_the_right_template_or_both_or_none_is_silent():
    for cited in (["2021-30"], ["2019-60", "2021-30"], []):
        r = mutated(setter(cited_templates=cited))
        assert [findings(r, c) for c in TEMPLATE_RULES] == [[], [], []], cited


def test_template_newer_than_the_year_contradicts_the_tables():
    r = valid2019(cited_templates=["2021-30"])
    assert where(r, "F-TEMPLATE-LAYOUT") == [
        ("F-TEMPLATE-LAYOUT", "cited_templates", "2019-60", "2021-30")]
    assert messages(r, "F-TEMPLATE-LAYOUT") == [
        "引言引用的国办公开办函〔2021〕30号与统计表实际使用的2019年版格式"
        "（国办公开办函〔2019〕60号）不一致。"]
    assert findings(r, "F-TEMPLATE-OUTDATED") == []


def test_template_against_tables_when_the_year_is_unknown():
    r = mutated(setter(year=None, cited_templates=["2019-60"]))
    assert where(r, "F-TEMPLATE-LAYOUT") == [
        ("F-TEMPLATE-LAYOUT", "cited_templates", "2021-30", "2019-60")]
    assert findings(r, "F-TEMPLATE-OUTDATED") == []


@pytest.mark.parametrize(("year", "layout", "cited", "expected"), [
    (2023, "2021", ["2021-30"], []),
    (2023, "2021", ["2019-60"], ["F-TEMPLATE-OUTDATED"]),
    (2023, "2019", ["2021-30"], ["F-LAYOUT-YEAR"]),  # seed 003
    (2023, "2019", ["2019-60"], ["F-LAYOUT-YEAR"]),  # one mistake: the old template throughout
    (2023, "2019", [], ["F-LAYOUT-YEAR"]),
    (2020, "2019", ["2019-60"], []),
    (2020, "2019", ["2021-30"], ["F-TEMPLATE-LAYOUT"]),
    (2020, "2021", ["2021-30"], ["F-LAYOUT-YEAR"]),
    (None, "2021", ["2019-60"], ["F-TEMPLATE-LAYOUT"]),
    (None, "2021", ["2021-30"], []),
])
def test_each_layout_or_citation_mistake_is_reported_once(year, layout, cited, expected):
    r = mutated(setter(year=year, cited_templates=cited), layout)
    fired = [f.code for f in nianbao.check(r, select=list(TEMPLATE_RULES)).findings]
    assert sorted(fired) == expected


def test_no_combination_reports_one_mistake_twice():
    for year, layout, cited in itertools.product(
            (None, 2019, 2020, 2021, 2024), ("2019", "2021"),
            ([], ["2019-60"], ["2021-30"], ["2019-60", "2021-30"])):
        r = mutated(setter(year=year, cited_templates=cited), layout)
        fired = [f.code for f in nianbao.check(r, select=list(TEMPLATE_RULES)).findings]
        wrong_tables = year is not None and (layout == "2021") != (year >= 2021)
        cite_disagrees = bool(cited) and not any(c.startswith(layout) for c in cited)
        assert len(fired) <= 1, (year, layout, cited, fired)
        assert bool(fired) == (wrong_tables or cite_disagrees), (year, layout, cited, fired)


# ----------------------------------------------------------------------------- F-TABLE-MISSING
def test_missing_table():
    def drop(r):
        r.table3 = None
    assert findings(mutated(drop), "F-TABLE-MISSING") == [
        ("F-TABLE-MISSING", "table3", None, None, "收到和处理政府信息公开申请情况", None)]
    assert messages(mutated(drop), "F-TABLE-MISSING") == [
        "报告缺少表三“收到和处理政府信息公开申请情况”（或表中没有任何可读的数值）。"]


def test_all_tables_present():
    assert findings(base(), "F-TABLE-MISSING") == []
    assert findings(base("2019"), "F-TABLE-MISSING") == []


# ----------------------------------------------------------------------------- sections
def _drop_section(key: str):
    def fn(r):
        r.sections = [s for s in r.sections if s.key != key]
    return fn


def test_missing_section():
    r = mutated(_drop_section("problems"))
    assert where(r, "F-SECTION-MISSING") == [
        ("F-SECTION-MISSING", "problems", "存在的主要问题及改进情况", None)]
    assert messages(r, "F-SECTION-MISSING") == ["报告缺少第五部分“存在的主要问题及改进情况”。"]


def test_missing_section_from_the_text():
    problems = "五、存在的主要问题及改进情况\n"
    r = edited((problems, ""))  # its two sentences now end section 四
    assert where(r, "F-SECTION-MISSING") == [
        ("F-SECTION-MISSING", "problems", "存在的主要问题及改进情况", None)]
    assert where(r, "F-SECTION-ORDER") == []


def test_all_sections_present():
    for r in (base(), base("2019"), *(seed(s) for s in ("000", "001", "002", "003", "004"))):
        assert where(r, "F-SECTION-MISSING") == []
        assert where(r, "F-SECTION-ORDER") == []


def _swap_four_and_five(text: str) -> str:
    four = text.index("四、因政府信息公开工作被申请行政复议")
    five = text.index("五、存在的主要问题及改进情况")
    six = text.index("六、其他需要报告的事项")
    block4, block5 = text[four:five], text[five:six]
    block4 = "五、" + block4[2:]
    block5 = "四、" + block5[2:]
    return text[:four] + block5 + block4 + text[six:]


def test_section_printed_after_its_successor():
    r = parsed(_swap_four_and_five(_text()))
    assert where(r, "F-SECTION-ORDER") == [
        ("F-SECTION-ORDER", "appeals", "四", "五、因政府信息公开工作被申请行政复议、提起行政诉讼情况")]
    assert messages(r, "F-SECTION-ORDER") == [
        "第四部分“政府信息公开行政复议、行政诉讼情况”的标题（“五、因政府信息公开工作被申请行政复议、"
        "提起行政诉讼情况”）出现在第五部分“存在的主要问题及改进情况”之后，顺序与格式文件不符。"]
    assert where(r, "F-SECTION-MISSING") == []  # present, only misplaced
    assert where(r, "F-NUMBERING") == []  # renumbered consistently


def test_numbered_item_in_a_later_section_is_not_a_misplaced_section():
    # section 三's heading missing; section 六 has an Arabic item that reads like it
    r = edited(("三、收到和处理政府信息公开申请情况\n", ""),
               ("六、其他需要报告的事项\n", "六、其他需要报告的事项\n3.依申请公开情况说明\n"))
    assert where(r, "F-SECTION-ORDER") == []
    assert [x[1] for x in where(r, "F-SECTION-MISSING")] == ["requests"]


def test_unofficial_title():
    r = edited(("三、收到和处理政府信息公开申请情况", "三、依申请公开情况"))
    assert where(r, "F-SECTION-TITLE") == [
        ("F-SECTION-TITLE", "requests", "收到和处理政府信息公开申请情况", "三、依申请公开情况")]
    assert messages(r, "F-SECTION-TITLE") == [
        "第三部分的标题“三、依申请公开情况”与格式文件的“收到和处理政府信息公开申请情况”不同。"]


@pytest.mark.parametrize("heading", [
    "四、政府信息公开行政复议和行政诉讼情况",  # 和 for 、
    "四、政府信息公开行政复议、行政诉讼情况：",
    "四、因政府信息公开工作被申请行政复议、提起行政诉讼的情况",  # 条例 第五十条
    "第四部分 政府信息公开行政复议、行政诉讼情况",
])
def test_official_or_statutory_titles_are_silent(heading):
    r = edited(("四、因政府信息公开工作被申请行政复议、提起行政诉讼情况", heading))
    assert where(r, "F-SECTION-TITLE") == []


def test_seed_titles_follow_the_template_or_the_statute():
    for name in ("000", "001", "002", "003", "004"):
        assert where(seed(name), "F-SECTION-TITLE") == [], name


def test_seed_004_numbers_section_one_differently():
    assert where(seed("004"), "F-NUMBERING") == [("F-NUMBERING", "overview", "一、", "1、")]
    assert messages(seed("004"), "F-NUMBERING") == [
        "第一部分标题“1、 总体情况”的编号“1、”与其他部分的“二、”式不一致。"]
    for name in ("000", "001", "002", "003"):
        assert where(seed(name), "F-NUMBERING") == [], name


def test_duplicate_number():
    r = edited(("三、收到和处理政府信息公开申请情况", "二、收到和处理政府信息公开申请情况"))
    assert where(r, "F-NUMBERING") == [("F-NUMBERING", "requests", "三、", "二、")]
    assert messages(r, "F-NUMBERING") == [
        "第三部分标题“二、收到和处理政府信息公开申请情况”的编号为二，按顺序应为三。"]


def test_numbering_after_a_missing_section_may_follow_either_order():
    # 五 dropped: 六 kept as 六 (official) — and in another report renumbered 五 (position)
    r = edited(("五、存在的主要问题及改进情况\n", ""))
    assert where(r, "F-NUMBERING") == []
    r = edited(("五、存在的主要问题及改进情况\n", ""), ("六、其他需要报告的事项", "五、其他需要报告的事项"))
    assert where(r, "F-NUMBERING") == []


def test_unnumbered_heading_among_numbered_ones():
    r = edited(("六、其他需要报告的事项", "第六部分、其他需要报告的事项"))
    assert where(r, "F-NUMBERING") == [("F-NUMBERING", "other", "六、", "第六部分、")]


# ----------------------------------------------------------------------------- F-PARTS-CLAIM
def _preamble(text: str):
    def fn(r):
        r.preamble = [text]
    return fn


ALL_SIX = ("全文包括总体情况、主动公开政府信息情况、收到和处理政府信息公开申请情况、"
           "政府信息公开行政复议、行政诉讼情况、存在的主要问题及改进情况、其他需要报告的事项")


def test_claimed_number_of_parts_differs():
    r = mutated(_preamble("本报告由总体情况等共五部分组成。"))
    assert where(r, "F-PARTS-CLAIM") == [("F-PARTS-CLAIM", "preamble", 6, 5)]
    assert messages(r, "F-PARTS-CLAIM") == [
        "引言对报告组成的说明与正文不符：引言称共五部分，正文实际有六个部分。"]


def test_listed_parts_omit_one():
    listing = ALL_SIX.replace("、其他需要报告的事项", "") + "。"
    r = mutated(_preamble(listing))
    assert where(r, "F-PARTS-CLAIM") == [("F-PARTS-CLAIM", "preamble", 6, 5)]
    assert messages(r, "F-PARTS-CLAIM") == [
        "引言对报告组成的说明与正文不符：引言列举的部分中没有“其他需要报告的事项”，但正文有这一部分。"]


@pytest.mark.parametrize("text", [
    ALL_SIX + "共六部分组成。",
    ALL_SIX + "。",
    "本报告内容包括总体情况等六部分内容。",
    "报告分为六个部分。",
    "本报告第一部分为总体情况。",  # an ordinal, not a count
    "表三第三部分公开的申请共2件。",
    "全年共公开信息100条，其中一部分为政策解读。",  # not a count of parts
])
def test_claims_that_match_are_silent(text):
    assert where(mutated(_preamble(text)), "F-PARTS-CLAIM") == []


def test_claim_of_six_with_a_missing_section_is_the_missing_rules_finding():
    def fn(r):
        _preamble(ALL_SIX + "共六部分组成。")(r)
        _drop_section("other")(r)
    r = mutated(fn)
    assert where(r, "F-PARTS-CLAIM") == []
    assert [x[1] for x in where(r, "F-SECTION-MISSING")] == ["other"]


def test_seed_claims_are_consistent():
    for name in ("000", "001", "002", "003", "004"):
        assert where(seed(name), "F-PARTS-CLAIM") == [], name


# ----------------------------------------------------------------------------- F-UNPLACED
EXTRA_ROW = "\t\n\t\n\t9.属于其他情形\n" + "\t1\n" * 7 + "\n"


def test_unknown_row_is_one_finding_at_its_label():
    text = _text()
    i = text.index("\t\n\t（四）无法提供")
    r = parsed(text[:i] + EXTRA_ROW + text[i:])
    result = nianbao.check(r, select=["F-UNPLACED"])
    assert [(f.code, f.location.table, f.location.source.line, f.found)
            for f in result.findings] == [("F-UNPLACED", "table3", 208, "cell_unplaced")]
    assert result.findings[0].message == (
        "读取报告时发现问题（解析级别：错误）：表格单元格“9.属于其他情形”（第208行（第2个表格第16行"
        "第3列））无法对应到官方表格的任何行列，未采用；请核对该行的标签或表格结构。"
        "（同一行另有7个单元格未采用）")


def test_short_row_is_one_finding_at_the_row():
    text = _text()
    row = "\t1.本机关不掌握相关政府信息\n\t2\n\t0\n"
    assert row in text
    r = parsed(text.replace(row, "\t1.本机关不掌握相关政府信息\n", 1))
    assert findings(r, "F-UNPLACED") == [
        ("F-UNPLACED", "table3", "unavailable_not_held", None, None, "row_incomplete")]
    assert messages(r, "F-UNPLACED")[0].endswith("（同一行另有5个单元格未采用）")


def test_problems_with_a_dedicated_rule_are_not_repeated():
    def add(r):
        r.problems = [
            Problem(code="table_missing", severity="error", message="未找到表四", table="table4"),
            Problem(code="row_missing", severity="error", message="表二缺少“行政强制”一行。",
                    table="table2", row="coercion"),
            Problem(code="cell_not_numeric", severity="error", message="“无”不是数字",
                    table="table2", row="licensing", column="decisions",
                    location=SourceLocation(line=30)),
            Problem(code="row_duplicate", severity="warning", message="表二“规章”一行重复出现，仅采用第一次。",
                    table="table2", row="regulations", location=SourceLocation(line=40)),
        ]
    r = mutated(add)
    assert findings(r, "F-UNPLACED") == [
        ("F-UNPLACED", "table2", "regulations", None, None, "row_duplicate")]
    assert nianbao.check(r, select=["F-UNPLACED"]).findings[0].location.source.line == 40


def test_clean_reports_have_no_parser_problems():
    assert findings(base(), "F-UNPLACED") == []
    for name in ("000", "001", "002", "003", "004"):
        assert findings(seed(name), "F-UNPLACED") == [], name


# ----------------------------------------------------------------------------- generated reports
F_ERRORS = ("F-LAYOUT-YEAR", "F-MIXED", "F-TABLE-MISSING", "F-SECTION-MISSING")


def test_error_rules_never_fire_on_generated_valid_reports():
    """~200 generated reports: the error-level F rules stay silent on valid ones; the
    generator's old-layout-in-a-later-year reports (seed 003's mistake) get F-LAYOUT-YEAR."""
    for n in range(200):
        g = synth.generate(n, layout=None, noise=synth.Noise.realistic() if n % 2 else synth.Noise())
        r = nianbao.parse(render(g, "text"))
        lay = nianbao.layouts.get(g.layout)
        fired = [f.code for f in nianbao.check(r, select=list(F_ERRORS)).findings]
        if lay.years[0] <= g.meta["year"] <= lay.years[1]:
            assert fired == [], (n, g.layout, g.meta["year"], fired)
        else:
            assert fired == ["F-LAYOUT-YEAR"], (n, g.layout, g.meta["year"], fired)
