"""Table recognition on crafted variants of a real report (flattened text)."""

from __future__ import annotations

import pytest

import nianbao
from tests.helpers import SEEDS, replace_row

SEED_2021 = SEEDS[1].read_text(encoding="utf-8")  # 001: non-zero table 二
SEED_2019 = SEEDS[3].read_text(encoding="utf-8")  # 003: 2019 tables


def _parse(text: str) -> nianbao.Report:
    return nianbao.parse(text.encode("utf-8"))


def _codes(report) -> list[str]:
    return [p.code for p in report.problems]




def test_mixed_layout_2021_table2_with_one_row_other_handling():
    # take the 2021 report and swap in the 2019 table 三 (one-row （六）其他处理)
    t3_2021 = SEED_2021[SEED_2021.index("三、行政机关收到") : SEED_2021.index("四、因政府")]
    t3_2019 = SEED_2019[SEED_2019.index("三、收到和处理") : SEED_2019.index("四、政府信息公开行政")]
    report = _parse(SEED_2021.replace(t3_2021, t3_2019))
    assert report.layout == "mixed"
    assert report.table_layouts == {"table2": "2021", "table3": "2019"}
    assert "other" in report.table3 and "other_misc" not in report.table3
    assert report.problems == []


def test_units_fullwidth_separators_and_blanks():
    text = replace_row(SEED_2021, "一、本年新收政府信息公开申请数量",
                        ["１２", "3件", " 1,204 ", "\u3000", "-", "—", "1219"])
    report = _parse(text)
    assert report.table3["new_received"] == {
        "natural_person": 12, "commercial_enterprise": 3, "research_institution": 1204,
        "social_welfare_org": None, "legal_service_org": None, "other_org": None, "total": 1219}
    units = {c["column"]: c["unit"] for c in report.provenance if c["row"] == "new_received"}
    assert units["commercial_enterprise"] == "件" and units["natural_person"] is None
    raw = {c["column"]: c["raw"] for c in report.provenance if c["row"] == "new_received"}
    assert raw["natural_person"] == "１２"


def test_fee_in_yuan_keeps_its_unit_and_decimal():
    text = replace_row(SEED_2021, "行政事业性收费", ["241982元"])
    report = _parse(text)
    assert report.table2["fees"]["amount"] == 241982
    cell = next(c for c in report.provenance if c["row"] == "fees")
    assert cell["unit"] == "元"


def test_non_numeric_cell_is_null_and_reported():
    text = replace_row(SEED_2021, "行政许可", ["无"])
    report = _parse(text)
    assert report.table2["licensing"] == {"decisions": None}
    assert _codes(report) == ["cell_not_numeric"]
    assert report.status == "partial"
    p = report.problems[0]
    assert (p.table, p.row, p.column) == ("table2", "licensing", "decisions")
    assert p.location.line is not None


def test_missing_row_is_absent_and_reported():
    lines = SEED_2021.split("\n")
    i = lines.index("\t2.重复申请")
    del lines[i - 2 : i + 9]  # the row: two merged-label tabs, label, seven values, blank
    report = _parse("\n".join(lines))
    assert "not_processed_duplicate" not in report.table3
    assert ("row_missing", "not_processed_duplicate") in [(p.code, p.row) for p in report.problems]
    assert report.status == "partial"


def test_row_with_too_few_values_is_not_guessed():
    text = replace_row(SEED_2021, "（一）予以公开", ["1", "2", "3"])
    report = _parse(text)
    assert report.table3["granted"] == dict.fromkeys(report.table3["granted"])
    codes = _codes(report)
    assert "row_incomplete" in codes and codes.count("value_unplaced") == 3


def test_table_split_in_two_physical_tables():
    # an extra blank line inside table 三 ends the physical table; rows still combine
    text = SEED_2021.replace("\t（三）不予公开\n", "\n\n\t（三）不予公开\n", 1)
    report = _parse(text)
    assert len(report.table3) == 25
    assert report.problems == []


def test_table4_values_with_noise_and_wrong_width():
    t4_values = "\n".join(["\t0"] * 15)
    assert t4_values in SEED_2021
    noisy = "\n".join(["\t1", "\t２", "\t0", "\t0", "\t3"] + ["\t"] * 5 + ["\t0"] * 5)
    report = _parse(SEED_2021.replace(t4_values, noisy))
    assert report.table4["review"] == {"upheld": 1, "corrected": 2, "other": 0, "pending": 0,
                                       "total": 3}
    assert report.table4["litigation_direct"] == dict.fromkeys(report.table4["review"])
    short = _parse(SEED_2021.replace(t4_values, "\n".join(["\t0"] * 14)))
    assert short.table4 is None
    assert {"row_incomplete", "table_missing"} <= set(_codes(short))


def test_2019_signed_change_and_procurement_amount():
    text = replace_row(SEED_2019, "行政许可", ["12", "-3", "40"])
    text = replace_row(text, "政府集中采购", ["2", "35.5"])
    report = _parse(text)
    assert report.table2["licensing"] == {"previous": 12, "change": -3, "decisions": 40}
    assert report.table2["procurement"] == {"items": 2, "amount": 35.5}


def test_negative_count_is_not_a_number_for_unsigned_columns():
    text = replace_row(SEED_2021, "行政处罚", ["-2"])
    report = _parse(text)
    # a minus sign on a count is read as printed (the rule engine judges it), not dropped
    assert report.table2["punishment"] == {"decisions": -2}


@pytest.mark.parametrize("drop", ["二、行政机关主动公开政府信息情况",
                                  "四、因政府信息公开工作被申请行政复议"])
def test_missing_table_is_null(drop):
    start = SEED_2021.index(drop)
    end = SEED_2021.index("\n三、" if drop.startswith("二") else "\n五、", start)
    report = _parse(SEED_2021[:start] + SEED_2021[end:])
    name = "table2" if drop.startswith("二") else "table4"
    assert getattr(report, name) is None
    assert ("table_missing", name) in [(p.code, p.table) for p in report.problems]


def test_a_number_in_a_header_row_is_reported_not_dropped():
    text = SEED_2021.replace("\t信息内容\n\t本年处理决定数量\n", "\t信息内容\n\t本年处理决定数量\n\t7\n", 1)
    report = _parse(text)
    assert [(p.code, p.table) for p in report.problems] == [("value_unplaced", "table2")]
    assert report.problems[0].location.line is not None


def test_table2_row_under_a_foreign_header_is_not_misplaced():
    # drop the 第二十条第（五）项 header: 行政许可 now sits under 本年制发件数/废止/现行有效
    text = SEED_2021.replace("\t第二十条第（五）项\n\n\t信息内容\n\t本年处理决定数量\n\n", "", 1)
    report = _parse(text)
    assert "licensing" not in report.table2
    codes = [(p.code, p.row) for p in report.problems]
    assert ("header_mismatch", "licensing") in codes and ("row_missing", "licensing") in codes
    assert report.table2["punishment"] == {"decisions": 2}


def test_traditional_characters_copied_page():
    import opencc

    traditional = opencc.OpenCC("s2t").convert(SEED_2021)
    assert "政府信息公開" in traditional and "上年結轉" in traditional
    report = _parse(traditional)
    simplified = _parse(SEED_2021)
    assert (report.table2, report.table3, report.table4) == (
        simplified.table2, simplified.table3, simplified.table4)
    assert report.problems == []
    assert [s.key for s in report.sections] == [s.key for s in simplified.sections]
