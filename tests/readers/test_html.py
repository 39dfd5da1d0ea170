"""The HTML reader, on annual reports as government websites publish them.

The fixtures under ``tests/fixtures/html/`` are the seed reports 000 and 001 written by
hand as whole pages (navigation, breadcrumb, sidebar, scripts, footer; the official
tables with the template's rowspan/colspan). Every value must come back as the seed's.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import nianbao
from nianbao.document import Paragraph, Table
from nianbao.normalize import fold, squash
from nianbao.readers import read_document
from nianbao.readers.html import read_html
from nianbao.readers.text import read_text
from tests.helpers import FIXTURES

HTML = FIXTURES / "html"
SEED_000 = FIXTURES / "seeds" / "000_e82d2d3766b8bac6.txt"
SEED_001 = FIXTURES / "seeds" / "001_80089ffcafa3ad57.txt"
# fixture -> (seed it carries, encoding the reader must report)
PAGES = {
    "utf8_div_page.html": (SEED_000, "utf-8"),
    "gbk_word_export.html": (SEED_001, "gb18030"),
    "split_tables.html": (SEED_001, "utf-8"),
    "nested_layout.html": (SEED_000, "utf-8"),
}
LOSS = {"value_unplaced", "cell_unplaced", "row_missing"}
# page furniture of the fixtures that must never be read as the report
JUNK = ("首页", "网站地图", "版权所有", "ICP备", "相关链接", "相关阅读", "当前位置",
        "所在的位置", "现在的位置", "打印", "关闭", "分享到", "上一篇", "下一篇",
        "2022年政府信息公开工作年度报告", "2021年政府信息公开工作年度报告", "浏览次数",
        "点击数", "字号", "字体", "发布时间", "发布日期", "索引号", "友情链接", "无障碍", "搜索",
        "统计代码", "主办单位", "document.write", "信息公开指南", "依申请公开目录", "您的浏览器")


def _seed_paragraphs(seed: Path) -> list[str]:
    return [squash(p.text) for p in read_text(seed.read_text(encoding="utf-8")).paragraphs]


def _doc(name: str):
    return read_document((HTML / name).read_bytes())


@pytest.fixture(scope="module")
def seed_reports():
    return {s: nianbao.parse(s) for s in (SEED_000, SEED_001)}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_values_equal_the_seed(name, seed_reports) -> None:
    seed, encoding = PAGES[name]
    truth, got = seed_reports[seed], nianbao.parse(HTML / name)
    assert got.source.format == "html"
    assert got.source.encoding == encoding
    assert [p.code for p in got.problems if p.code in LOSS] == []
    assert got.layout == truth.layout == "2021"
    assert got.table2 == truth.table2
    assert got.table3 == truth.table3
    assert got.table4 == truth.table4


@pytest.mark.parametrize("name", list(PAGES))
def test_page_table_labels_intact(name, seed_reports) -> None:
    """Every value sits under the same printed row label as in the seed."""
    truth, got = seed_reports[PAGES[name][0]], nianbao.parse(HTML / name)

    def cells(report):
        return sorted((c["table"], c["row"], c["column"], c["value"], fold(c["label"] or ""),
                       fold(c["raw"])) for c in report.provenance)

    assert cells(got) == cells(truth)
    assert len(got.provenance) == 200


@pytest.mark.parametrize("name", list(PAGES))
def test_page_reads_the_article_only(name) -> None:
    seed = PAGES[name][0]
    doc, _ = _doc(name)
    texts = [p.text for p in doc.paragraphs]
    want = _seed_paragraphs(seed)
    # the report's title first (from the page's heading, or the article's own two lines),
    # never navigation; then every paragraph of the seed, in order, word for word
    assert texts in ([want[0] + want[1], *want[2:]], want)
    assert [t for t in texts if any(j in t for j in JUNK)] == []
    assert all(t.grid for t in doc.tables)
    assert [t.index for t in doc.tables] == list(range(len(doc.tables)))
    for t in doc.tables:
        assert t.loc.table == t.index
        assert all(c.loc.table == t.index and c.loc.row == r for r, row in enumerate(t.rows)
                   for c in row)


def test_title_heading_level_and_lines() -> None:
    doc, _ = _doc("utf8_div_page.html")
    first = doc.blocks[0]
    assert isinstance(first, Paragraph) and first.heading == 1
    source = (HTML / "utf8_div_page.html").read_text(encoding="utf-8").splitlines()
    for p in doc.paragraphs:  # the line a paragraph points at holds its first words
        assert p.text[:6] in source[p.loc.line - 1], p
    for t in doc.tables:
        for row in t.rows:
            for c in row:
                if c.text and "\n" not in c.text:
                    assert c.text in squash(source[c.loc.line - 1]), c


def test_split_tables_are_emitted_one_by_one() -> None:
    doc, _ = _doc("split_tables.html")
    sizes = [len(t.rows) for t in doc.tables]
    # table 二 per item (4 tables), 三 in two parts, 四 header and data apart
    assert sizes == [4, 3, 4, 3, 15, 13, 3, 1]
    assert [c.text for c in doc.tables[-1].rows[0]] == ["0"] * 15


def test_gbk_page_with_word_markup() -> None:
    data = (HTML / "gbk_word_export.html").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")
    doc, encoding = read_document(data)
    assert encoding == "gb18030"
    header = [c.text for c in doc.tables[1].rows[2] if not c.continued]
    assert header == ["商业\n企业", "科研\n机构", "社会公益组织", "法律服务机构", "其他"]
    # Word hard-wraps lines mid-sentence; a wrap between Chinese characters is no space
    assert not any(re.search(r"[\u4e00-\u9fff] [\u4e00-\u9fff]", p.text) for p in doc.paragraphs)


def test_template_merges_become_grid_cells() -> None:
    doc, _ = _doc("utf8_div_page.html")
    t3 = doc.tables[1]
    head = t3.rows[0][0]
    assert (head.colspan, head.rowspan, head.loc.col) == (3, 3, 0)
    assert [(c.loc.col, c.colspan, c.continued) for c in t3.rows[1]] == [
        (0, 3, True), (3, 1, False), (4, 5, False), (9, 1, False)]
    row = t3.rows[7]  # （三）不予公开 1.属于国家秘密
    assert [c.text for c in row[:3]] == ["", "（三）不予公开", "1.属于国家秘密"]
    assert row[0].continued and [c.loc.col for c in row] == list(range(10))
    t4 = doc.tables[2]
    assert [c.loc.col for c in t4.rows[2]] == list(range(15))
    assert [c.continued for c in t4.rows[2]] == [True] * 5 + [False] * 10


# ---------------------------------------------------------------------- unit behaviour
def _table(html: str) -> Table:
    tables = read_html(html).tables
    assert len(tables) == 1
    return tables[0]


def _grid(t: Table) -> list[list[tuple]]:
    return [[(c.text, c.loc.col, c.colspan, c.rowspan, c.continued) for c in row]
            for row in t.rows]


def test_rowspan_and_colspan_expand_to_placeholders() -> None:
    t = _table("""<table>
        <tr><td rowspan="3" colspan="2">A</td><td>b</td><td>c</td></tr>
        <tr><td>d</td><td>e</td></tr>
        <tr><td>f</td><td>g</td></tr>
        <tr><td>h</td><td>i</td><td>j</td><td>k</td></tr></table>""")
    assert _grid(t) == [
        [("A", 0, 2, 3, False), ("b", 2, 1, 1, False), ("c", 3, 1, 1, False)],
        [("", 0, 2, 1, True), ("d", 2, 1, 1, False), ("e", 3, 1, 1, False)],
        [("", 0, 2, 1, True), ("f", 2, 1, 1, False), ("g", 3, 1, 1, False)],
        [("h", 0, 1, 1, False), ("i", 1, 1, 1, False), ("j", 2, 1, 1, False),
         ("k", 3, 1, 1, False)]]
    assert [c.loc.row for c in t.rows[2]] == [2, 2, 2]


def test_placeholder_in_the_middle_of_a_row() -> None:
    t = _table("""<table><tr><td>a</td><td rowspan=2>B</td><td>c</td></tr>
                  <tr><td>d</td><td>e</td></tr></table>""")
    assert _grid(t)[1] == [("d", 0, 1, 1, False), ("", 1, 1, 1, True), ("e", 2, 1, 1, False)]


@pytest.mark.parametrize(("attrs", "colspan", "rowspan"), [
    ('colspan="2px" rowspan="2;"', 2, 2),
    ('colspan="0" rowspan="abc"', 1, 1),
    ('colspan="-3" rowspan="-1"', 1, 1),
    ('colspan="99999999999999999999999" rowspan="4000000000"', 1000, 2),
    ('colspan=" 3 " rowspan="0"', 3, 2),  # 0: to the end of the row group (HTML)
    ('colspan="" rowspan="1.9"', 1, 1),
])
def test_malformed_spans_are_clamped(attrs, colspan, rowspan) -> None:
    t = _table(f"<table><tr><td {attrs}>x</td><td>y</td></tr><tr><td>z</td></tr></table>")
    x = t.rows[0][0]
    assert (x.colspan, x.rowspan) == (colspan, rowspan)
    assert t.rows[0][1].loc.col == colspan
    assert [c.continued for c in t.rows[1]] == ([True, False] if rowspan == 2 else [False])


def test_cell_text_line_breaks_and_blanks() -> None:
    t = _table("""<table><tr>
        <td>&nbsp;</td><td> &nbsp;&#12288; </td><td>商业<br>企业</td><td><p>科研</p><p>机构</p></td>
        <td><div>a</div>b<br/><span>c</span></td><td><p><span>1</span><span>2</span></p></td>
        <td>  多个   空格\n  换行</td><td><p>&nbsp;</p></td></tr></table>""")
    assert [c.text for c in t.rows[0]] == ["", "", "商业\n企业", "科研\n机构", "a\nb\nc", "12",
                                           "多个 空格换行", ""]


def test_thead_tbody_tfoot() -> None:
    t = _table("""<table>
        <tfoot><tr><td>foot</td><td>f</td></tr></tfoot>
        <thead><tr><th rowspan="5">H</th><th>h</th></tr></thead>
        <tbody><tr><td>1</td><td>2</td></tr><tr><td>3</td><td>4</td></tr></tbody></table>""")
    # tfoot renders last; a rowspan stops at the end of its row group
    assert [[c.text for c in r] for r in t.rows] == [["H", "h"], ["1", "2"], ["3", "4"],
                                                     ["foot", "f"]]
    assert t.rows[0][0].rowspan == 1


def test_caption_and_empty_rows() -> None:
    doc = read_html("""<body><table><caption>表一　主动公开情况</caption><tr></tr>
        <tr><td>a</td><td>b</td></tr><tr>\n</tr><tr><td>c</td><td>d</td></tr></table>
        <table><tr><td></td></tr></table><table></table></body>""")
    assert [type(b).__name__ for b in doc.blocks] == ["Paragraph", "Table", "Table"]
    assert doc.blocks[0].text == "表一 主动公开情况"
    t = doc.tables[0]
    assert [[(c.text, c.loc.row) for c in r] for r in t.rows] == [[("a", 0), ("b", 0)],
                                                                  [("c", 1), ("d", 1)]]
    assert doc.tables[1].rows == [[doc.tables[1].rows[0][0]]] and doc.tables[1].index == 1


def test_nested_layout_table_is_a_container() -> None:
    doc = read_html("""<html><body><table width="100%"><tr>
        <td><p>第一段</p><table><tr><td>a</td><td>b</td></tr></table>
        <p>中间段</p><table><tr><td>c</td><td>d</td></tr></table></td>
        <td>右侧文字</td></tr></table></body></html>""")
    kinds = [(type(b).__name__, getattr(b, "text", None)) for b in doc.blocks]
    assert kinds == [("Paragraph", "第一段"), ("Table", None), ("Paragraph", "中间段"),
                     ("Table", None), ("Paragraph", "右侧文字")]
    assert [t.index for t in doc.tables] == [0, 1]
    assert [c.text for c in doc.tables[1].rows[0]] == ["c", "d"]
    assert doc.tables[1].rows[0][0].loc.table == 1


def test_layout_table_of_prose_is_read_as_paragraphs() -> None:
    """An old page laid out in one table without inner tables: links left, article right."""
    prose = "".join(f"<p>第{i}段：本机关全年主动公开政府信息，这是一段较长的正文文字。</p>"
                    for i in range(20))
    doc = read_html(f"""<body><table><tr><td><a href="/1">首页</a><br><a href="/2">公开</a></td>
        <td>{prose}</td></tr></table></body>""")
    assert doc.tables == []
    assert [p.text[:4] for p in doc.paragraphs] == [f"第{i}段：" for i in range(10)] + [
        f"第{i}段" for i in range(10, 20)]


def test_paragraph_kinds() -> None:
    doc = read_html("""<body><div id="zoom"><h2>一、总体情况</h2>
        <div>第一行<br>第二行<br><br>第三行</div>
        <div>直接文字<p>段落</p>尾巴</div><ul><li>条目一</li><li>条目<b>二</b></li></ul>
        <p>&nbsp;</p><p>　　缩进　文字\n  续行</p><h4>小标题<br>两行</h4>
        <p>看得见<span style="display: none">看不见</span>的字</p></div></body>""")
    got = [(p.text, p.heading) for p in doc.paragraphs]
    assert got == [("一、总体情况", 2), ("第一行", None), ("第二行", None), ("第三行", None),
                   ("直接文字", None), ("段落", None), ("尾巴", None), ("条目一", None),
                   ("条目二", None), ("缩进 文字续行", None), ("小标题", 4), ("两行", 4),
                   ("看得见的字", None)]
    assert doc.format == "html"


def test_navigation_and_furniture_are_not_read() -> None:
    report = "".join(f"<p>第{i}段正文，内容较长的年度报告文字。</p>" for i in range(40))
    doc = read_html(f"""<html><head>
        <title>某某局2023年政府信息公开工作年度报告_某某市人民政府</title>
        <script>var x = "脚本文字";</script><style>p {{ color: red }}</style></head><body>
        <div class="top"><a href="/">首页</a><a href="/a">网站地图</a></div>
        <nav><a href="/b">政务公开</a></nav>
        <div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/c">年报</a></div>
        <div class="left"><h3 class="title">政府信息公开年报专栏</h3><ul>
          <li><a href="/d">2022年政府信息公开工作年度报告</a></li>
          <li><a href="/e">2021年政府信息公开工作年度报告</a></li></ul></div>
        <div class="right"><h1>某某局2023年政府信息公开工作年度报告</h1>
          <div class="info">发布时间：2024-01-01</div>
          <div id="zoom">{report}<div class="links"><a href="/f">相关链接一</a>
            <a href="/g">相关链接二</a></div><p style="display:none">隐藏的文字</p></div></div>
        <div class="footer">版权所有：某某市人民政府 <span hidden>隐藏</span></div>
        <!-- 注释文字 --></body></html>""")
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "某某局2023年政府信息公开工作年度报告"
    assert doc.paragraphs[0].heading == 1
    assert texts[1:] == [f"第{i}段正文，内容较长的年度报告文字。" for i in range(40)]


def test_title_inside_the_article_is_not_repeated() -> None:
    doc = read_html("""<html><head>
        <title>某县2023年政府信息公开工作年度报告 | 某县政府</title></head>
        <body><div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="/x">公开</a></div>
        <div class="article"><h2 class="tit">某县2023年政府信息公开工作年度报告</h2>
        <div class="content"><p>某县2023年政府信息公开工作</p><p>年度报告</p>"""
                   + "<p>正文段落内容相当长。</p>" * 30 + "</div></div></body></html>")
    texts = [p.text for p in doc.paragraphs]
    # the article prints its own title (in two lines): the page's copy is not added
    assert texts[:3] == ["某县2023年政府信息公开工作", "年度报告", "正文段落内容相当长。"]
    assert "当前位置：" not in "".join(texts)


def test_heading_late_in_the_article_does_not_cut_it() -> None:
    doc = read_html("""<html><head><title>某县2023年政府信息公开工作年度报告_某县</title></head>
        <body><div id="zoom">""" + "<p>前言文字较长，超过了一个面包屑导航的长度。</p>" * 12
                    + "<h2>某县2023年政府信息公开工作年度报告</h2>" + "<p>正文</p>" * 5
                    + "</div></body></html>")
    assert len(doc.paragraphs) == 18
    assert doc.paragraphs[0].text.startswith("前言")


def test_sidebar_heading_never_becomes_the_title() -> None:
    doc = read_html("""<html><head><title>某某网站</title></head><body>
        <div class="side"><div class="title">政府信息公开年度报告专栏</div>
        <ul><li><a href="/1">2022年年度报告</a></li>
        <li><a href="/2">2021年年度报告</a></li></ul></div>
        <div class="main"><div id="zoom"><p>某乡2023年政府信息公开工作年度报告</p>"""
                   + "<p>正文段落内容相当长。</p>" * 30 + "</div></div></body></html>")
    assert doc.paragraphs[0].text == "某乡2023年政府信息公开工作年度报告"


def test_word_bookmarks_are_not_links() -> None:
    body = "".join(f"<h3><a name='_Toc{i}'>第{i}部分标题文字</a></h3><p>正文{i}</p>"
                   for i in range(9))
    doc = read_html(f"<body><div>{body}</div>"
                    "<div><a href='/'>首页</a><a href='/x'>导航</a></div></body>")
    texts = [p.text for p in doc.paragraphs]
    assert "第0部分标题文字" in texts and "首页" not in texts


def test_aspnet_form_wrapper_is_kept() -> None:
    doc = read_html("<body><form id='form1'><input type='hidden' value='x'><div id='zoom'>"
                    + "<p>年度报告正文内容很长很长很长。</p>" * 20 + "</div></form>"
                    + "<form action='/search'><input name='q'><button>搜索</button></form></body>")
    assert len(doc.paragraphs) == 20


@pytest.mark.parametrize("text", [
    "", "   ", "<html></html>", "<html><head><title>x</title></head></html>", "纯文本",
    '<?xml version="1.0" encoding="gbk"?><html><body><p>声明</p></body></html>',
    "<table><tr><td rowspan=2 colspan=2>", "<p>a\x00b\x01c</p>", "<" * 1000 + "p>",
    "<div>" * 3000 + "深" + "</div>" * 3000, "<frameset><frame src='a'></frameset>",
    "<table><tr><td><table><tr><td>x</td></tr></table></td></tr></table>",
])
def test_bad_markup_never_raises(text) -> None:
    doc = read_html(text)
    assert doc.format == "html"


def test_no_report_in_page_is_a_parse_error() -> None:
    page = "<html><body><nav><a href='/'>首页</a></nav><p>欢迎访问本网站。</p></body></html>"
    with pytest.raises(nianbao.ParseError) as err:
        nianbao.parse(page.encode("utf-8"))
    assert err.value.code == "not_a_report"


_SPANS = st.sampled_from(["1", "2", "3", "0", "2px", "", "x", "-1", "9999", " 2 "])


@settings(max_examples=60)
@given(st.lists(st.lists(st.tuples(_SPANS, _SPANS), min_size=1, max_size=5), min_size=1,
                max_size=6))
def test_random_spans_keep_the_grid(rows) -> None:
    """Every <td> comes out once, in grid order; each rowspan leaves its placeholders."""
    n = 0
    html_rows = []
    for row in rows:
        tds = []
        for cs, rs in row:
            tds.append(f'<td colspan="{cs}" rowspan="{rs}">c{n}</td>')
            n += 1
        html_rows.append("<tr>" + "".join(tds) + "</tr>")
    t = _table("<table>" + "".join(html_rows) + "</table>")
    real = [c for row in t.rows for c in row if not c.continued]
    assert sorted(c.text for c in real) == sorted(f"c{i}" for i in range(n))
    for r, row in enumerate(t.rows):
        cols = [c.loc.col for c in row]
        assert cols == sorted(cols) and len(set(cols)) == len(cols)
        for c in row:
            assert c.loc.row == r and 1 <= c.colspan <= 1000
            if c.continued:
                continue
            assert 1 <= c.rowspan <= len(t.rows) - r
            for below in t.rows[r + 1 : r + c.rowspan]:
                assert any(p.continued and p.loc.col == c.loc.col for p in below)
