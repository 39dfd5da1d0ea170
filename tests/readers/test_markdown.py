"""The Markdown reader: seed reports as PDF converters print them, and converter quirks.

The fixtures under ``tests/fixtures/markdown`` are seeds 001 (non-zero values in table
二) and 003 (2019-layout tables) hand-written the way converters emit them:

- ``001_marker.md``: headings, proper pipe tables, merged cells left empty, ``<br>``;
- ``001_repeated_spans.md``: merged-cell text repeated in every spanned cell (docling);
- ``003_pages.md``: hard-wrapped lines (pdfplumber-like), one pipe table per page or group
  of rows, page footers and blank lines between rows, a missing delimiter row, a second
  delimiter in mid-table and generic ``Col1…`` header rows.
"""

from __future__ import annotations

import importlib.util
import sys
from functools import cache

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nianbao
from nianbao.document import Paragraph, Table
from nianbao.layouts import layouts
from nianbao.readers import sniff_format
from nianbao.readers.markdown import read_markdown
from tests.helpers import FIXTURES

MD = FIXTURES / "markdown"
SEED_001 = FIXTURES / "seeds" / "001_80089ffcafa3ad57.txt"
SEED_003 = FIXTURES / "seeds" / "003_aa66a5248efd7739.txt"
ROW_CODES = {"value_unplaced", "cell_unplaced", "row_missing", "row_incomplete"}

# fixture -> the seed report it renders
CASES = {
    "001_marker.md": SEED_001,
    "001_repeated_spans.md": SEED_001,
    "003_pages.md": SEED_003,
}


def _cases(check: str, tables: tuple[str, ...] = ()) -> list:
    return [pytest.param(name, *([t] if t else []), id=f"{name}-{t}" if t else name)
            for name in CASES for t in tables or (None,)]


@cache
def _parse(path) -> nianbao.Report:
    return nianbao.parse(path)


# ---------------------------------------------------------------- seeds through parse()
@pytest.mark.parametrize("name", _cases("format"))
def test_fixture_is_read_as_markdown(name):
    assert _parse(MD / name).source.format == "markdown"


@pytest.mark.parametrize(("name", "table"), _cases("", ("table2", "table3", "table4")))
def test_tables_equal_those_of_the_seed(name, table):
    seed = CASES[name]
    expected = getattr(_parse(seed), table)
    assert expected is not None
    assert getattr(_parse(MD / name), table) == expected


@pytest.mark.parametrize("name", _cases("problems"))
def test_no_cell_is_left_unplaced(name):
    problems = [(p.code, p.message) for p in _parse(MD / name).problems if p.code in ROW_CODES]
    assert problems == []


@pytest.mark.parametrize("name", _cases("columns"))
def test_values_come_from_their_printed_columns(name):
    """Tables 三/四 of both seeds are all zeros: equality alone would not see a shift."""
    report = _parse(MD / name)
    t3_cols = [c.key for c in layouts()["2021"].tables["table3"].columns]
    t4_cols = [c.key for c in layouts()["2021"].tables["table4"].columns]
    t4_groups = [g.key for g in layouts()["2021"].tables["table4"].groups]
    seen = {"table3": 0, "table4": 0}
    for src in report.provenance:
        loc = src["location"]
        if src["table"] == "table3":  # 3 label columns, then the values in official order
            assert loc["col"] == 3 + t3_cols.index(src["column"]), src
        elif src["table"] == "table4":
            assert loc["col"] == t4_groups.index(src["row"]) * 5 + t4_cols.index(src["column"])
        else:
            assert loc["col"] >= 1
        if src["table"] in seen:
            seen[src["table"]] += 1
        assert loc["line"] is not None and loc["row"] is not None
    in_seed = [s["table"] for s in _parse(CASES[name]).provenance]
    assert seen == {"table3": in_seed.count("table3"), "table4": 15}


def test_paragraphs_survive_hard_wraps_and_page_footers():
    """pdfplumber-like lines joined back into the seed's paragraphs, footers dropped."""
    seed = [p.text.strip() for p in nianbao.readers.read_document(SEED_003.read_bytes())[0]
            .paragraphs]
    doc = read_markdown((MD / "003_pages.md").read_text(encoding="utf-8"))
    assert [p.text for p in doc.paragraphs] == seed


def test_headings_and_inline_markup_of_the_marker_fixture():
    doc = read_markdown((MD / "001_marker.md").read_text(encoding="utf-8"))
    heads = [(p.heading, p.text) for p in doc.paragraphs if p.heading]
    assert heads[0] == (1, "樟树市人社局2023年政府信息公开工作年度报告")
    assert (2, "一、总体情况") in heads and len(heads) == 7
    texts = [p.text for p in doc.paragraphs]
    assert "（1） 主动公开情况" in texts  # **bold** markers gone
    assert any("<中华人民共和国政府信息公开工作年度报告格式>" in t for t in texts)
    assert all(isinstance(t, Table) and not t.grid for t in doc.tables)
    assert doc.tables[1].rows[2][4].text == "商业\n企业"


# ---------------------------------------------------------------- reader details
def _texts(table: Table) -> list[list[str]]:
    return [[c.text for c in row] for row in table.rows]


def test_page_footers_and_blank_lines_do_not_end_a_table():
    md = "\n".join([
        "| 信息内容 | 本年制发件数 |",
        "|---|---:|",
        "| 规章 | 1 |",
        "",
        "— 3 —",
        "",
        "| 行政规范性文件 | 2 |",
        "- 4 -",
        "| 行政许可 | 3 |",
        "",
        "第 5 页 共 8 页",
        "5/8",
        "6",
        "<!-- PageBreak -->",
        "",
        "|:---:|:---:|",
        "| 行政处罚 | 4 |",
        "",
        "表后的说明文字。",
    ])
    doc = read_markdown(md)
    assert len(doc.tables) == 1
    assert _texts(doc.tables[0]) == [["信息内容", "本年制发件数"], ["规章", "1"],
                                      ["行政规范性文件", "2"], ["行政许可", "3"], ["行政处罚", "4"]]
    assert [p.text for p in doc.paragraphs] == ["表后的说明文字。"]
    cells = [c for row in doc.tables[0].rows for c in row]
    assert [c.loc.line for c in cells[::2]] == [1, 3, 7, 9, 17]
    assert [(c.loc.table, c.loc.row, c.loc.col) for c in doc.tables[0].rows[4]] == [
        (0, 4, 0), (0, 4, 1)]


def test_a_paragraph_between_pipe_tables_splits_them():
    doc = read_markdown("| a | 1 |\n| b | 2 |\n\n樟树市人社局\n\n| c | 3 |\n")
    assert [type(b).__name__ for b in doc.blocks] == ["Table", "Paragraph", "Table"]
    assert [t.index for t in doc.tables] == [0, 1]
    assert doc.tables[1].rows[0][0].loc.as_dict() == {"line": 6, "table": 1, "row": 0, "col": 0}


def test_escaped_pipe_br_and_empty_cells():
    doc = read_markdown("| 甲 \\| 乙 | 商业<br>企业 |  | **3** |\n| x | y |")
    row = doc.tables[0].rows[0]
    assert [c.text for c in row] == ["甲 | 乙", "商业\n企业", "", "3"]
    assert [c.loc.col for c in row] == [0, 1, 2, 3]
    assert _texts(doc.tables[0])[1] == ["x", "y"]  # ragged rows stay ragged


@pytest.mark.parametrize("header", [
    "| Col1 | Col2 | Col3 |", "| Column 1 | Column 2 | Column 3 |", "| 列1 | 列2 | 列3 |",
    "| Unnamed: 0 | Unnamed: 1 | Unnamed: 2 |", "|  |  |  |", "| 0 | 1 | 2 |",
])
def test_generic_header_rows_are_dropped(header):
    doc = read_markdown(f"{header}\n|---|---|---|\n| 规章 | 0 | 0 |\n")
    assert _texts(doc.tables[0]) == [["规章", "0", "0"]]


def test_real_rows_that_look_generic_are_kept():
    # blank and 0 1 2 rows are only headers right above a delimiter row
    md = "| 规章 | 0 | 0 |\n|  |  |  |\n| 0 | 1 | 2 |\n| - | - | - |\n| Col1 | Col2 | Col3 |\n"
    assert _texts(read_markdown(md).tables[0]) == [
        ["规章", "0", "0"], ["", "", ""], ["0", "1", "2"], ["-", "-", "-"]]


def test_headings_emphasis_lists_and_images():
    md = "\n".join([
        "![](_page_0_Picture_1.jpeg)",
        "# 某某局 2023 年 *政府信息* 公开工作年度报告 #",
        "### 一、总体情况",
        "- （一）主动公开情况",
        "",
        "本机关 &amp; 下属单位 \\*注\\*",
        "",
        "",
        "Annual",
        "=====",
    ])
    doc = read_markdown(md)
    assert [(p.heading, p.text, p.loc.line) for p in doc.paragraphs] == [
        (1, "某某局 2023 年 政府信息 公开工作年度报告", 2),
        (3, "一、总体情况", 3),
        (None, "（一）主动公开情况", 4),
        (None, "本机关 & 下属单位 *注*", 6),
        (1, "Annual", 9),
    ]
    assert doc.format == "markdown"


def test_hard_wrapped_lines_are_joined_but_titles_kept_apart():
    line = "根据人员分工，及时调整中心政府信息公开工作领导小组，强化政府信息公开工作的推进、"
    md = "\n".join(["一、总体情况", line, line, "指导、协调。", "（一）主动公开情况", "",
                    "Lines of a wrapped English paragraph in a report that a PDF tool",
                    "printed one by one."])
    doc = read_markdown(md)
    assert [p.text for p in doc.paragraphs] == [
        "一、总体情况", line + line + "指导、协调。", "（一）主动公开情况",
        "Lines of a wrapped English paragraph in a report that a PDF tool printed one by one."]
    assert [p.loc.line for p in doc.paragraphs] == [1, 2, 5, 7]


def test_paragraph_runs_on_across_a_page_footer():
    line = "二〇二三年，县机关事务服务中心充分发挥政府门户网站主阵地作用，把政府网站作为"
    doc = read_markdown(f"{line}\n\n— 2 —\n\n政务公开第一平台。\n\n下一段。\n")
    assert [p.text for p in doc.paragraphs] == [line + "政务公开第一平台。", "下一段。"]


def test_one_long_line_per_paragraph_is_never_joined():
    a, b = "甲" * 120, "乙" * 120  # marker/MinerU: a whole paragraph on one line
    doc = read_markdown(f"{a}\n\n— 2 —\n\n{b}\n")
    assert [p.text for p in doc.paragraphs] == [a, b]


_HTML_IN_MD = "\n".join([
    "前言。", "", "<table>", '<tr><td>信息内容</td><td colspan="3">本年处理决定数量</td></tr>',
    '<tr><td>行政许可</td><td colspan="3">31</td></tr>', "</table>", "", "| 行政处罚 | 2 |"])


@pytest.mark.skipif(importlib.util.find_spec("nianbao.readers.html") is None,
                    reason="the HTML reader is not there")
def test_embedded_html_table():
    """MinerU and others put HTML tables into Markdown; the HTML reader reads them."""
    doc = read_markdown(_HTML_IN_MD)
    assert [t.index for t in doc.tables] == [0, 1]
    assert _texts(doc.tables[0]) == [["信息内容", "本年处理决定数量"], ["行政许可", "31"]]
    assert doc.tables[0].rows[1][1].colspan == 3
    assert [c.loc.line for c in doc.tables[0].rows[1]] == [5, 5]
    assert {c.loc.table for row in doc.tables[0].rows for c in row} == {0}
    assert _texts(doc.tables[1]) == [["行政处罚", "2"]]
    assert doc.tables[1].rows[0][0].loc.as_dict() == {"line": 8, "table": 1, "row": 0, "col": 0}


def test_embedded_html_table_without_html_reader(monkeypatch):
    monkeypatch.setitem(sys.modules, "nianbao.readers.html", None)  # import fails
    doc = read_markdown(_HTML_IN_MD)
    assert [(p.text, p.loc.line) for p in doc.paragraphs] == [
        ("前言。", 1), ("信息内容 本年处理决定数量", 4), ("行政许可 31", 5)]
    assert _texts(doc.tables[0]) == [["行政处罚", "2"]]


def test_sniffing_markdown_with_br_cells_and_html_pages():
    md = "| 商业<br>企业 | 1 |\n| a | 2 |\n| b | 3 |\n"
    assert sniff_format(md.encode(), md) == "markdown"
    page = "<!DOCTYPE html><html><body><p>| a |</p>\n# x</body></html>"
    assert sniff_format(page.encode(), page) == "html"
    frag = "<table><tr><td>规章</td></tr></table>"
    assert sniff_format(frag.encode(), frag) == "html"


def test_garbage_does_not_crash():
    for md in ["", "|", "||", "| |", "|\\|", "<table>", "#", "# ", "\x00|a|", "|---|\n|---|",
               "|" * 1000, "\n" * 1000 + "— 1 —\n" * 1000 + "x"]:
        doc = read_markdown(md)
        assert doc.format == "markdown"


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("|\\-:#*_<>&;!()[]{} \n\t—第页共/0123456789表格a"),
               max_size=200))
def test_any_text_reads_without_error(md):
    doc = read_markdown(md)
    for b in doc.blocks:
        locs = [b.loc] if isinstance(b, Paragraph) else [c.loc for r in b.rows for c in r]
        assert all(loc.line is not None and 1 <= loc.line <= md.count("\n") + 1 for loc in locs)


_CELL = st.text(alphabet=st.sampled_from("规章行政许可处罚０１２3456789（）、。，年 |.%"),
                max_size=12)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(_CELL, min_size=1, max_size=8), min_size=1, max_size=12))
def test_pipe_tables_round_trip(rows):
    """Any grid printed as a pipe table (with escaped pipes) reads back cell for cell."""
    lines = ["| " + " | ".join(c.replace("|", "\\|") for c in row) + " |" for row in rows]
    doc = read_markdown("\n".join(lines))
    expected = [[c.strip() for c in row] for row in rows]
    assert len(doc.blocks) == 1 and isinstance(doc.blocks[0], Table)
    assert _texts(doc.tables[0]) == expected
    for t in doc.tables:
        for r_i, row in enumerate(t.rows):
            assert [c.loc.col for c in row] == list(range(len(row)))
            assert all(c.loc.row == r_i and c.loc.line is not None for c in row)


def test_paragraph_type_is_the_document_one():
    assert isinstance(read_markdown("文字").blocks[0], Paragraph)
