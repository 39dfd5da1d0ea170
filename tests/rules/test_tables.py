"""Rules on the statistical tables (families T2, T3, T4): a trigger and a non-trigger per rule.

Each case starts from a clean synthetic report (parsed, so it has provenance) and changes
one thing; the assertion is the exact list of findings of the rule under test, as
(code, table, row, column, expected, found) tuples from ``helpers.findings``.
"""

from __future__ import annotations

import pytest

import nianbao
from nianbao import synth
from nianbao.layouts import get
from nianbao.render import render
from nianbao.rules.table_common import blank_cells, finding_cells
from tests.rules.helpers import BASE_SEED, base, findings, mutated


def _set(table: str, row: str, column: str, value):
    def fn(r):
        getattr(r, table)[row][column] = value
    return fn


def _messages(report, code: str) -> list[str]:
    return [f.message for f in nianbao.check(report, select=[code]).findings]


def _parsed(layout: str, *edits: tuple[str, str]) -> nianbao.Report:
    """The base report's text with literal edits applied, parsed: the real path end to end."""
    text = render(synth.generate(BASE_SEED, layout=layout, noise=synth.Noise()), "text")
    text = text.decode("utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    return nianbao.parse(text.encode("utf-8"))


def _prov(report, table: str, row: str, column: str) -> dict:
    return next(c for c in report.provenance
                if (c["table"], c["row"], c["column"]) == (table, row, column))


def test_base_reports_are_clean_for_every_table_rule():
    for layout in ("2021", "2019"):
        result = nianbao.check(base(layout), select=["T2", "T3", "T4"])
        assert result.findings == [], layout


# ----------------------------------------------------------------------------- T2-NEG
def test_t2_negative_count():
    r = mutated(_set("table2", "regulations", "repealed", -2))
    assert findings(r, "T2-NEG") == [("T2-NEG", "table2", "regulations", "repealed", None, -2)]
    assert _messages(r, "T2-NEG") == [
        "表二“规章”一行“本年废止件数”为 -2，该项数量或金额不能为负数。"]


def test_t2_negative_amount():
    r = mutated(_set("table2", "fees", "amount", -3.5))
    assert findings(r, "T2-NEG") == [("T2-NEG", "table2", "fees", "amount", None, -3.5)]


def test_t2_negative_change_is_allowed_in_the_2019_layout():
    r = base("2019")
    assert r.table2["punishment"]["change"] < 0  # the base report already has one
    r.table2["licensing"]["change"] = -5
    assert findings(r, "T2-NEG") == []


def test_t2_negative_equal_to_an_allowed_change_is_still_found():
    # a negative change does not make the table "clean" for the same number elsewhere
    r = base("2019")
    r.table2["licensing"]["change"] = -5
    r.table2["punishment"]["decisions"] = -5
    assert findings(r, "T2-NEG") == [("T2-NEG", "table2", "punishment", "decisions", None, -5)]


def test_t2_negative_other_2019_column():
    r = mutated(_set("table2", "licensing", "previous", -1), "2019")
    assert findings(r, "T2-NEG") == [("T2-NEG", "table2", "licensing", "previous", None, -1)]


# ----------------------------------------------------------------------------- T2-NOT-INT
def test_t2_fractional_count_read_from_text():
    r = _parsed("2021", ("\t行政许可\n\t11\n", "\t行政许可\n\t2.5\n"))
    assert findings(r, "T2-NOT-INT") == [
        ("T2-NOT-INT", "table2", "licensing", "decisions", None, 2.5)]
    assert _messages(r, "T2-NOT-INT") == ["表二“行政许可”一行“本年处理决定数量”为 2.5，件数应为整数。"]


def test_t2_decimal_money_and_whole_counts_are_fine():
    r = base("2021")
    assert isinstance(r.table2["fees"]["amount"], float)
    assert findings(r, "T2-NOT-INT") == []
    r19 = base("2019")
    r19.table2["procurement"]["amount"] = 15.6105
    r19.table2["licensing"]["decisions"] = 2.0  # as a converter may hand it over
    assert findings(r19, "T2-NOT-INT") == []


# ----------------------------------------------------------------------------- T2-FEE-UNIT
def test_t2_fractional_count_equal_to_the_fee_is_still_found():
    # a decimal fee makes the table "unclean" only where it stands: the same fraction in a
    # count column is counted, not taken for the fee
    r = base()
    r.table2["fees"]["amount"] = 2.5
    r.table2["licensing"]["decisions"] = 2.5
    assert findings(r, "T2-NOT-INT") == [
        ("T2-NOT-INT", "table2", "licensing", "decisions", None, 2.5)]
    r.table2["licensing"]["decisions"] = 3
    assert findings(r, "T2-NOT-INT") == []


def test_t2_fee_printed_in_yuan():
    r = _parsed("2021", ("\t180.1932\n", "\t35000元\n"))
    assert findings(r, "T2-FEE-UNIT") == [
        ("T2-FEE-UNIT", "table2", "fees", "amount", 3.5, 35000)]
    assert _messages(r, "T2-FEE-UNIT") == [
        "表二“行政事业性收费”一行“本年收费金额（单位：万元）”为 35000：单元格写作“35000元”，"
        "单位为元，似以元而非万元填写（若原数以元计，应填 3.5 万元）。"]


@pytest.mark.parametrize(("cell", "unit"), [("\t180.1932万元\n", "万元"), ("\t0元\n", "元")])
def test_t2_fee_printed_in_wan_yuan_or_zero_is_fine(cell, unit):
    r = _parsed("2021", ("\t180.1932\n", cell))
    assert _prov(r, "table2", "fees", "amount")["unit"] == unit
    assert findings(r, "T2-FEE-UNIT") == []


def test_t2_fee_header_in_yuan_is_fee_unit_not_label():
    r = _parsed("2021", ("本年收费金额（单位：万元）", "本年收费金额（单位：元）"))
    assert findings(r, "T2-FEE-UNIT") == [
        ("T2-FEE-UNIT", "table2", "fees", "amount", 0.018019, 180.1932)]
    assert findings(r, "T2-LABEL") == []


@pytest.mark.parametrize("cell", ["\t0\n", "\t180.1932万元\n"])
def test_t2_fee_header_in_yuan_over_an_unaffected_value_is_a_label_finding(cell):
    # a zero is the same in any unit; a cell printing 万元 itself says what it means
    r = _parsed("2021", ("本年收费金额（单位：万元）", "本年收费金额（单位：元）"),
                ("\t180.1932\n", cell))
    assert findings(r, "T2-FEE-UNIT") == []
    assert findings(r, "T2-LABEL") == [
        ("T2-LABEL", "table2", None, "amount", "本年收费金额（单位：万元）", "本年收费金额（单位：元）")]


@pytest.mark.parametrize(("level", "below", "at"), [
    ("乡镇街道", 9999.99, 10_000), ("部门", 99_999, 100_000), ("政府", 999_999, 1_000_000),
    (None, 999_999, 1_000_000)])
def test_t2_fee_implausibly_large_for_the_agency_level(level, below, at):
    r = base("2021")
    r.meta.level = level
    r.table2["fees"]["amount"] = below
    assert findings(r, "T2-FEE-UNIT") == []
    r.table2["fees"]["amount"] = at
    assert findings(r, "T2-FEE-UNIT") == [
        ("T2-FEE-UNIT", "table2", "fees", "amount", round(at / 10000, 6), at)]


def test_t2_fee_magnitude_message():
    r = mutated(_set("table2", "fees", "amount", 250000))  # base level: 部门
    assert _messages(r, "T2-FEE-UNIT") == [
        "表二“行政事业性收费”一行“本年收费金额（单位：万元）”为 250000：金额达 250000 万元"
        "（25 亿元），不合常理，似以元而非万元填写（若原数以元计，应填 25 万元）。"]


def test_t2_fee_rule_ignores_columns_without_an_official_unit():
    r = mutated(_set("table2", "procurement", "amount", 5_000_000), "2019")
    assert findings(r, "T2-FEE-UNIT") == []


# ----------------------------------------------------------------------------- T2-IN-FORCE
@pytest.mark.parametrize(("issued", "repealed", "in_force", "expected"), [
    (6, 0, 4, [("T2-IN-FORCE", "table2", "normative_documents", "in_force", 6, 4)]),
    (6, 1, 4, [("T2-IN-FORCE", "table2", "normative_documents", "in_force", 5, 4)]),
    (6, None, 0, [("T2-IN-FORCE", "table2", "normative_documents", "in_force", 6, 0)]),
    (6, 2, 4, []),  # two of this year's documents may have been repealed this year
    (6, 0, 6, []),
    (6, 9, 40, []),
    (6, 0, None, []),  # a blank is T2-BLANK's
])
def test_t2_in_force(issued, repealed, in_force, expected):
    r = base("2021")
    r.table2["normative_documents"].update(issued=issued, repealed=repealed, in_force=in_force)
    assert findings(r, "T2-IN-FORCE") == expected


def test_t2_in_force_message():
    r = base("2021")
    r.table2["regulations"].update(issued=3, repealed=0, in_force=1)
    assert _messages(r, "T2-IN-FORCE") == [
        "表二“规章”一行“现行有效件数”为 1，少于“本年制发件数”3 减去“本年废止件数”0 后的 3。"]


def test_t2_in_force_does_not_apply_to_the_2019_layout():
    r = base("2019")
    r.table2["normative_documents"].update(made=9, published=9, total_published=0)
    assert findings(r, "T2-IN-FORCE") == []


# ----------------------------------------------------------------------------- T2-LABEL
def test_t2_label_old_row_wording_in_a_2021_table():
    r = _parsed("2021", ("\t行政规范性文件\n", "\t规范性文件\n"))
    assert r.table_layouts["table2"] == "2021"
    assert findings(r, "T2-LABEL") == [
        ("T2-LABEL", "table2", "normative_documents", None, "行政规范性文件", "规范性文件")]
    assert _messages(r, "T2-LABEL") == [
        "表二行标签写作“规范性文件”，与2021年版官方格式的“行政规范性文件”不一致。"]
    f = nianbao.check(r, select=["T2-LABEL"]).findings[0]
    assert f.location.source.line == _prov(r, "table2", "normative_documents", "issued")[
        "location"]["line"]


def test_t2_label_official_2019_row_wording():
    r = base("2019")
    assert _prov(r, "table2", "normative_documents", "made")["label"] == "规范性文件"
    assert findings(r, "T2-LABEL") == []


def test_t2_label_altered_column_header_reported_once():
    r = _parsed("2021", ("本年制发件数", "本年制发文件数"))
    assert r.table2["normative_documents"]["issued"] == 0  # still read under its key
    assert findings(r, "T2-LABEL") == [
        ("T2-LABEL", "table2", None, "issued", "本年制发件数", "本年制发文件数")]


def test_t2_label_tolerates_spacing_width_and_brackets():
    r = base("2021")
    variants = {"issued": "本年制发\n件数", "in_force": "现行有效　件数",
                "amount": "本年收费金额(单位:万元)", "decisions": " 本年处理决定数量 "}
    for cell in r.provenance:
        if cell["table"] == "table2":
            cell["column_label"] = variants.get(cell["column"], cell["column_label"])
            if cell["row"] == "regulations":
                cell["label"] = "规　章"
    assert findings(r, "T2-LABEL") == []


# ----------------------------------------------------------------------------- T2-BLANK
def test_t2_blank_cells_named_in_one_finding():
    r = _parsed("2021", ("\t规章\n\t0\n\t0\n\t0\n", "\t规章\n\t0\n\t—\n\t\n"))
    assert findings(r, "T2-BLANK") == [("T2-BLANK", "table2", "regulations", "repealed", None, None)]
    assert _messages(r, "T2-BLANK") == [
        "表二“规章”一行“本年废止件数”“现行有效件数”未填写；没有发生的情形应填 0。"]


def test_t2_blank_whole_row_and_single_cell():
    r = base("2021")
    r.table2["regulations"] = dict.fromkeys(r.table2["regulations"])
    r.table2["coercion"]["decisions"] = None
    assert findings(r, "T2-BLANK") == [
        ("T2-BLANK", "table2", "regulations", "issued", None, None)]
    assert _messages(r, "T2-BLANK") == [
        "表二“规章”一行整行均未填写；“行政强制”一行“本年处理决定数量”未填写；没有发生的情形应填 0。"]


def test_t2_zeros_are_not_blank():
    r = base("2021")
    r.table2["regulations"] = dict.fromkeys(r.table2["regulations"], 0)
    assert findings(r, "T2-BLANK") == []


# ----------------------------------------------------------------------------- T2-ROW-MISSING
def test_t2_row_missing():
    r = base("2019")
    del r.table2["procurement"]
    assert findings(r, "T2-ROW-MISSING") == [
        ("T2-ROW-MISSING", "table2", "procurement", None, None, None)]
    assert _messages(r, "T2-ROW-MISSING") == ["表二缺少“政府集中采购”一行。"]
    assert findings(r, "T2-BLANK") == []  # a missing row is not a row of blanks


def test_t2_row_missing_silent_when_the_whole_table_is_missing():
    r = base("2021")
    r.table2 = None
    assert nianbao.check(r, select=["T2"]).findings == []


# ----------------------------------------------------------------------------- T3-BAL
def test_t3_balance():
    r = mutated(_set("table3", "carried_forward", "natural_person", 5))
    before = base().table3
    left = before["new_received"]["natural_person"] + before["carried_over"]["natural_person"]
    right = before["total_processed"]["natural_person"] + 5
    assert findings(r, "T3-BAL") == [
        ("T3-BAL", "table3", "total_processed", "natural_person", left, right)]


def test_t3_balance_skips_blanks():
    r = mutated(_set("table3", "carried_forward", "natural_person", None))
    assert findings(r, "T3-BAL") == []


# ----------------------------------------------------------------------------- T3-ROW-SUM
def test_t3_row_sum():
    r = mutated(_set("table3", "granted", "total", 15))  # the parts sum to 14
    assert findings(r, "T3-ROW-SUM") == [("T3-ROW-SUM", "table3", "granted", "total", 14, 15)]
    assert _messages(r, "T3-ROW-SUM") == [
        "表三“（一）予以公开”一行：各类申请人（12+0+1+0+1+0）之和为 14，“总计”却为 15。"]


def test_t3_row_sum_grouped_row_label_names_its_group():
    r = mutated(_set("table3", "denied_state_secret", "research_institution", 2))
    assert findings(r, "T3-ROW-SUM") == [
        ("T3-ROW-SUM", "table3", "denied_state_secret", "total", 2, 0)]
    assert _messages(r, "T3-ROW-SUM")[0].startswith("表三“（三）不予公开 — 1.属于国家秘密”一行")


def test_t3_row_sum_skips_blanks():
    r = mutated(_set("table3", "granted", "other_org", None))
    assert findings(r, "T3-ROW-SUM") == []


def test_t3_arithmetic_still_found_beside_blanks_elsewhere():
    # the rules settle the usual all-adding-up table in one step; a blank anywhere must not
    # hide a wrong sum in another row or column
    r, t3 = base(), base().table3
    r.table3["carried_over"]["other_org"] = None
    r.table3["granted"]["total"] += 1
    r.table3["not_processed_duplicate"]["natural_person"] += 1
    duplicate = t3["not_processed_duplicate"]["total"]
    assert findings(r, "T3-ROW-SUM") == [
        ("T3-ROW-SUM", "table3", "granted", "total", 14, 15),
        ("T3-ROW-SUM", "table3", "not_processed_duplicate", "total", duplicate + 1, duplicate)]
    person, total = t3["total_processed"]["natural_person"], t3["total_processed"]["total"]
    assert findings(r, "T3-COL-SUM") == [
        ("T3-COL-SUM", "table3", "total_processed", "natural_person", person + 1, person),
        ("T3-COL-SUM", "table3", "total_processed", "total", total + 1, total)]
    r.table3["carried_forward"]["natural_person"] += 2
    assert [f[3] for f in findings(r, "T3-BAL")] == ["natural_person"]


# ----------------------------------------------------------------------------- T3-COL-SUM
@pytest.mark.parametrize(("layout", "row"), [("2021", "other_misc"), ("2019", "other")])
def test_t3_col_sum_includes_the_layouts_other_handling_rows(layout, row):
    r = base(layout)
    found = r.table3["total_processed"]["natural_person"]
    r.table3[row]["natural_person"] += 1
    assert findings(r, "T3-COL-SUM") == [
        ("T3-COL-SUM", "table3", "total_processed", "natural_person", found + 1, found)]


def test_t3_col_sum_message():
    r = mutated(_set("table3", "total_processed", "total", 27))
    assert _messages(r, "T3-COL-SUM") == [
        "表三“总计”列：办理结果（一）至（六）各行之和为 28，“（七）总计”却为 27。"]


def test_t3_col_sum_skips_missing_rows_and_blanks():
    r = base()
    r.table3["granted"]["natural_person"] += 1
    del r.table3["other_misc"]
    assert findings(r, "T3-COL-SUM") == []
    r = mutated(_set("table3", "granted", "natural_person", None))
    assert findings(r, "T3-COL-SUM") == []


# ----------------------------------------------------------------------------- T3-NEG
def test_t3_negative_and_fractional_counts():
    r = base()
    r.table3["carried_over"]["natural_person"] = -1
    r.table3["granted"]["legal_service_org"] = 0.5
    assert findings(r, "T3-NEG") == [
        ("T3-NEG", "table3", "carried_over", "natural_person", None, -1),
        ("T3-NEG", "table3", "granted", "legal_service_org", None, 0.5)]
    assert _messages(r, "T3-NEG")[0] == (
        "表三“二、上年结转政府信息公开申请数量”一行“自然人”为 -1，申请件数应为非负整数。")


def test_t3_negative_read_from_text():
    block = "\t二、上年结转政府信息公开申请数量\n\t0\n"
    r = _parsed("2021", (block, "\t二、上年结转政府信息公开申请数量\n\t-3\n"))
    assert findings(r, "T3-NEG") == [
        ("T3-NEG", "table3", "carried_over", "natural_person", None, -3)]


# ----------------------------------------------------------------------------- T3-BLANK
def test_t3_blank_one_finding_located_at_the_first_blank_cell():
    block = "\t（一）予以公开\n\t12\n\t0\n\t1\n\t0\n\t1\n\t0\n\t14\n"
    r = _parsed("2021", (block, "\t（一）予以公开\n\t12\n\t\n\t1\n\t-\n\t1\n\t0\n\t14\n"))
    assert findings(r, "T3-BLANK") == [
        ("T3-BLANK", "table3", "granted", "commercial_enterprise", None, None)]
    assert _messages(r, "T3-BLANK") == [
        "表三“（一）予以公开”一行“商业企业”“社会公益组织”未填写；没有发生的情形应填 0。"]
    f = nianbao.check(r, select=["T3-BLANK"]).findings[0]
    loc = _prov(r, "table3", "granted", "commercial_enterprise")["location"]
    assert f.location.source.line == loc["line"]


def test_t3_all_blank_table_gives_one_finding_naming_five_rows_and_counting_the_rest():
    r = base()
    spec = get("2021").table3
    r.table3 = {row.key: dict.fromkeys((c.key for c in spec.columns), None) for row in spec.rows}
    assert findings(r, "T3-BLANK") == [
        ("T3-BLANK", "table3", spec.rows[0].key, "natural_person", None, None)]
    cells = len(spec.rows) * len(spec.columns)
    assert _messages(r, "T3-BLANK") == [
        "表三“一、本年新收政府信息公开申请数量”一行整行均未填写；“二、上年结转政府信息公开申请数量”"
        "一行整行均未填写；“（一）予以公开”一行整行均未填写；“（二）部分公开（区分处理的，只计这一"
        "情形，不计其他情形）”一行整行均未填写；“（三）不予公开 — 1.属于国家秘密”一行整行均未填写；"
        f"另有 {len(spec.rows) - 5} 行也有空白单元格（表中共 {cells} 个空白单元格）；"
        "没有发生的情形应填 0。"]
    # the views flag every blank cell, not only the one the finding is located at
    f = nianbao.check(r, select=["T3-BLANK"]).findings[0]
    assert len(finding_cells(r, f)) == len(blank_cells(r, "table3")) == cells
    errors = nianbao.check(r, select=["T3"]).at_least("error")
    assert errors == []  # no arithmetic cascades from blanks


def test_t3_no_blanks():
    assert findings(base("2019"), "T3-BLANK") == []
    assert blank_cells(base("2019"), "table3") == []


def test_t3_six_blank_rows_are_all_named():
    r = base()
    keys = [row.key for row in get("2021").table3.rows[:6]]
    for key in keys:
        r.table3[key]["other_org"] = None
    (message,) = _messages(r, "T3-BLANK")
    assert message.count("“其他”未填写") == 6 and "另有" not in message
    assert blank_cells(r, "table3") == [("table3", key, "other_org") for key in keys]


# ----------------------------------------------------------------------------- T3-ROW-MISSING
def test_t3_row_missing():
    r = base()
    del r.table3["not_processed_excessive"]
    assert findings(r, "T3-ROW-MISSING") == [
        ("T3-ROW-MISSING", "table3", "not_processed_excessive", None, None, None)]
    assert _messages(r, "T3-ROW-MISSING") == [
        "表三缺少“（五）不予处理 — 4.无正当理由大量反复申请”一行。"]
    assert nianbao.check(r, select=["T3"]).at_least("error") == nianbao.check(
        r, select=["T3-ROW-MISSING"]).findings  # the arithmetic rules skip the missing row


def test_t3_row_missing_2019_single_other_row():
    r = base("2019")
    del r.table3["other"]
    assert findings(r, "T3-ROW-MISSING") == [
        ("T3-ROW-MISSING", "table3", "other", None, None, None)]


def test_t3_row_missing_silent_when_the_whole_table_is_missing():
    r = base()
    r.table3 = None
    assert nianbao.check(r, select=["T3"]).findings == []


# ----------------------------------------------------------------------------- T4
def test_t4_sum():
    r = mutated(_set("table4", "review", "total", 3), "2019")  # parts: 0 + 1 + 0 + 1
    assert findings(r, "T4-SUM") == [("T4-SUM", "table4", "review", "total", 2, 3)]
    assert findings(base("2019"), "T4-SUM") == []


def test_t4_negative_and_fractional():
    r = base()
    r.table4["review"]["corrected"] = -1
    r.table4["litigation_after_review"]["pending"] = 1.5
    assert findings(r, "T4-NEG") == [
        ("T4-NEG", "table4", "review", "corrected", None, -1),
        ("T4-NEG", "table4", "litigation_after_review", "pending", None, 1.5)]
    assert _messages(r, "T4-NEG")[0] == "表四“行政复议”一组“结果纠正”为 -1，案件数应为非负整数。"
    assert findings(base(), "T4-NEG") == []


def test_t4_blank():
    r = base()
    r.table4["litigation_direct"] = dict.fromkeys(r.table4["litigation_direct"])
    r.table4["review"]["other"] = None
    assert findings(r, "T4-BLANK") == [("T4-BLANK", "table4", "review", "other", None, None)]
    assert _messages(r, "T4-BLANK") == [
        "表四“行政复议”一组“其他结果”未填写；“行政诉讼 — 未经复议直接起诉”一组整行均未填写；"
        "没有发生的情形应填 0。"]
    assert findings(base(), "T4-BLANK") == []


def test_t4_row_missing():
    r = base()
    del r.table4["litigation_after_review"]
    assert findings(r, "T4-ROW-MISSING") == [
        ("T4-ROW-MISSING", "table4", "litigation_after_review", None, None, None)]
    assert findings(base(), "T4-ROW-MISSING") == []
    r.table4 = None
    assert nianbao.check(r, select=["T4"]).findings == []


# ----------------------------------------------------------------------------- corpus
def test_error_rules_never_fire_on_generated_valid_reports():
    for seed in range(200):
        s = synth.generate(seed, layout=None, noise=synth.Noise.realistic())
        result = nianbao.check(nianbao.parse(render(s, "text")), select=["T2", "T3", "T4"])
        errors = [(f.code, f.location.row, f.location.column) for f in result.at_least("error")]
        assert errors == [], (seed, s.layout, errors)



# ----------------------------------------------------------------------------- unread cells
def test_blank_rules_tell_unread_cells_from_empty_ones():
    # an unrecognised header: the parser cannot place the values below it
    r = _parsed("2021", ("本年制发件数", "本年发文件数"))
    assert findings(r, "T2-BLANK") == [("T2-BLANK", "table2", "regulations", "issued", None, None)]
    assert _messages(r, "T2-BLANK")[0] == (
        "表二“规章”一行“本年制发件数”没有读到数值（缺少单元格或列标题无法识别）；"
        "“行政规范性文件”一行“本年制发件数”没有读到数值（缺少单元格或列标题无法识别）；"
        "没有发生的情形应填 0。")
    # a table 三 row with too few cells: none of its values can be placed
    r = _parsed("2021", ("\t（一）予以公开\n\t12\n\t0\n", "\t（一）予以公开\n"))
    assert findings(r, "T3-BLANK") == [
        ("T3-BLANK", "table3", "granted", "natural_person", None, None)]
    assert _messages(r, "T3-BLANK") == [
        "表三“（一）予以公开”一行整行均没有读到数值（缺少单元格或列标题无法识别）；没有发生的情形应填 0。"]
