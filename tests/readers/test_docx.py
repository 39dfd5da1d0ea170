"""The DOCX reader: structure of real Word tables, round trip with a seed, and hostile input."""

from __future__ import annotations

import contextlib
import copy
import io
import struct
import zipfile

import docx
import pytest
from docx.oxml import OxmlElement
from docx.table import _Cell
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import nianbao
from nianbao.document import Paragraph, Table
from nianbao.normalize import fold, parse_number
from nianbao.readers import docx as docx_reader
from nianbao.readers.docx import read_docx
from nianbao.readers.text import read_text
from nianbao.readers.zipsafe import human_size
from tests.helpers import FIXTURES

TEMPLATE = FIXTURES / "template-2021.docx"
SEED = FIXTURES / "seeds" / "001_80089ffcafa3ad57.txt"
W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
ROW_CODES = {"value_unplaced", "cell_unplaced", "row_missing", "row_incomplete"}


# ---------------------------------------------------------------- building documents
def raw_docx(body: str, styles: str | None = None, extra: dict[str, bytes] | None = None,
             document: bytes | None = None) -> bytes:
    """A minimal package around hand-written body XML, for structures python-docx can't make."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="word/document.xml" Type="http://schemas.'
            'openxmlformats.org/officeDocument/2006/relationships/officeDocument"/>'
            "</Relationships>"))
        z.writestr("word/document.xml", document if document is not None else
                   f'<w:document xmlns:w="{W_NS}"><w:body>{body}</w:body></w:document>')
        if styles is not None:
            z.writestr("word/styles.xml", f'<w:styles xmlns:w="{W_NS}">{styles}</w:styles>')
        for name, content in (extra or {}).items():
            z.writestr(name, content)
    return buf.getvalue()


def p(text: str, ppr: str = "") -> str:
    return f"<w:p>{ppr}<w:r><w:t xml:space=\"preserve\">{text}</w:t></w:r></w:p>"


def tc(text: str = "", tcpr: str = "") -> str:
    return f"<w:tc><w:tcPr>{tcpr}</w:tcPr>{p(text) if text else '<w:p/>'}</w:tc>"


def save(document: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    document.save(buf)
    return buf.getvalue()


def _value_tcs(table) -> list:
    """The template's empty, non-continued cells: exactly the cells that take numbers."""
    out = []
    for tr in table._tbl.tr_lst:
        for cell in tr.tc_lst:
            vmerge = cell.xpath("./w:tcPr/w:vMerge")
            if vmerge and vmerge[0].get(f"{{{W_NS}}}val") != "restart":
                continue
            if not "".join(cell.xpath(".//w:t/text()")).strip():
                out.append(cell)
    return out


def filled_template() -> docx.document.Document:
    """The official template with the seed's raw value texts written into its value cells."""
    text = SEED.read_text(encoding="utf-8")
    seed_tables = read_text(text).tables
    document = docx.Document(str(TEMPLATE))
    for seed_table, table in zip(seed_tables, document.tables, strict=True):
        values = [c.text for row in seed_table.rows for c in row
                  if fold(c.text) and parse_number(c.text, money=True).ok]
        targets = _value_tcs(table)
        assert len(values) == len(targets)
        for target, value in zip(targets, values, strict=True):
            _Cell(target, table).text = value
    # the title, and the first paragraph of sections 一, 五, 六 in place of "（文字描述）"
    lines = [x.replace("[bookmark: _GoBack]", "") for x in text.splitlines()]
    document.paragraphs[1].text = lines[0] + lines[1]
    heads = ("一、总体", "五、", "六、")
    bodies = [lines[i + 1] for i, x in enumerate(lines) if x.startswith(heads)]
    placeholders = [x for x in document.paragraphs if x.text.startswith("（文字描述")]
    for para, body in zip(placeholders, bodies, strict=True):
        para.text = body
    return document


@pytest.fixture(scope="module")
def filled() -> bytes:
    return save(filled_template())


@pytest.fixture(scope="module")
def seed_report() -> nianbao.Report:
    return nianbao.parse(SEED)


@pytest.fixture(params=["whole", "streaming"])
def both_paths(request, monkeypatch):
    """Run a test over both ways of reading document.xml (one tree / streamed blocks)."""
    if request.param == "streaming":
        monkeypatch.setattr(docx_reader, "WHOLE_TREE_MAX", -1)
    return request.param


def _code(data: bytes, **kw) -> nianbao.ParseError:
    with pytest.raises(nianbao.ParseError) as info:
        nianbao.parse(data, **kw)
    assert "\n" not in info.value.message
    return info.value


# ---------------------------------------------------------------- the official template
def test_template_tables_and_merges(both_paths):
    doc = read_docx(TEMPLATE.read_bytes(), None)
    assert doc.format == "docx"
    assert [len(t.rows) for t in doc.tables] == [14, 28, 4]
    assert all(t.grid for t in doc.tables)
    t2, t3, t4 = doc.tables
    # table 二: "第二十条第（一）项" spans the 4 grid columns; 许可 value cell spans 3
    assert (t2.rows[0][0].text, t2.rows[0][0].colspan) == ("第二十条第（一）项", 4)
    assert [(c.loc.col, c.colspan) for c in t2.rows[6]] == [(0, 1), (1, 3)]
    # table 三: the note spans 3 columns and 3 rows, then continues below
    note = t3.rows[0][0]
    assert (note.colspan, note.rowspan, note.continued) == (3, 3, False)
    assert [c.continued for c in t3.rows[1][:1] + t3.rows[2][:1]] == [True, True]
    assert t3.rows[2][1].continued and t3.rows[2][1].loc.col == 3  # 自然人 continued
    assert t3.rows[2][2].text == "商业\n企业" and t3.rows[2][2].loc.col == 4
    result = t3.rows[5][0]
    assert result.text == "三、本年度办理结果" and result.rowspan == 22
    assert [c.loc.col for c in t3.rows[7]] == [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
    assert (t3.rows[7][1].text, t3.rows[7][1].rowspan) == ("（三）不予公开", 8)
    assert t3.rows[8][1].continued and t3.rows[8][1].text == ""
    assert (t3.rows[27][0].colspan, t3.rows[27][1].loc.col) == (3, 3)
    loc = t3.rows[27][1].loc
    assert (loc.table, loc.row, loc.col) == (1, 27, 3)
    # table 四: 15 value cells in the last row, headers continued on row 2
    assert len(t4.rows[3]) == 15 and [c.loc.col for c in t4.rows[3]] == list(range(15))
    assert (t4.rows[0][1].loc.col, t4.rows[0][1].colspan) == (5, 10)
    assert all(c.continued for c in t4.rows[2][:5])
    # body order: heading paragraphs before their tables
    kinds = ["T" if isinstance(b, Table) else b.text[:2] for b in doc.blocks]
    assert kinds.index("二、") < kinds.index("T") < kinds.index("三、")


def test_blank_template_is_refused():
    assert _code(TEMPLATE.read_bytes()).code == "blank_template"


def test_filled_template_gives_the_seed_tables(filled, seed_report, both_paths):
    report = nianbao.parse(filled)
    assert report.source.format == "docx"
    assert report.table2 == seed_report.table2
    assert report.table3 == seed_report.table3
    assert report.table4 == seed_report.table4
    assert report.table2["licensing"]["decisions"] == 31
    assert not [p for p in report.problems if p.code in ROW_CODES]
    cell = next(s for s in report.provenance if s["table"] == "table2" and s["row"] == "licensing")
    assert (cell["location"]["table"], cell["location"]["col"]) == (0, 1)


def test_table_three_split_into_two_physical_tables(seed_report, both_paths):
    document = filled_template()
    tbl = document.tables[1]._tbl
    second = copy.deepcopy(tbl)
    for tr in tbl.tr_lst[12:]:
        tbl.remove(tr)
    for tr in second.tr_lst[:12]:
        second.remove(tr)
    tbl.addnext(second)
    tbl.addnext(OxmlElement("w:p"))
    data = save(document)
    doc = read_docx(data, None)
    assert [len(t.rows) for t in doc.tables] == [14, 12, 16, 4]
    first, rest = doc.tables[1], doc.tables[2]
    assert first.rows[5][0].rowspan == 7 and first.rows[7][1].rowspan == 5
    assert rest.rows[0][0].continued and rest.rows[0][1].continued
    assert rest.rows[0][2].text == "6.属于四类过程性信息" and rest.rows[0][2].loc.table == 2
    report = nianbao.parse(data)
    assert report.table3 == seed_report.table3
    assert not [p for p in report.problems if p.code in ROW_CODES]


def test_cell_with_several_paragraphs_and_nested_table():
    document = docx.Document()
    table = document.add_table(rows=1, cols=2)
    cell = table.cell(0, 0)
    cell.text = "商业"
    cell.add_paragraph("")
    cell.add_paragraph("企业")
    inner = table.cell(0, 1).add_table(rows=1, cols=2)
    inner.cell(0, 0).text, inner.cell(0, 1).text = "甲", "乙"
    doc = read_docx(save(document), None)
    assert len(doc.tables) == 1  # the nested table is flattened, not counted
    assert [c.text for c in doc.tables[0].rows[0]] == ["商业\n企业", "甲\n乙"]


def test_grid_before_and_after_shift_columns():
    span2 = '<w:gridSpan w:val="2"/>'
    body = ("<w:tbl>"
            f"<w:tr>{tc('A')}{tc('B')}{tc('C')}</w:tr>"
            f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{tc("X")}{tc("Y")}</w:tr>'
            f'<w:tr><w:trPr><w:gridAfter w:val="1"/></w:trPr>{tc("P")}{tc("Q")}</w:tr>'
            f'<w:tr><w:trPr><w:gridBefore w:val="1"/></w:trPr>{tc("S", span2)}</w:tr>'
            "</w:tbl>")
    rows = read_docx(raw_docx(body), None).tables[0].rows
    assert [[(c.text, c.loc.col, c.colspan) for c in r] for r in rows] == [
        [("A", 0, 1), ("B", 1, 1), ("C", 2, 1)],
        [("X", 1, 1), ("Y", 2, 1)],
        [("P", 0, 1), ("Q", 1, 1)],
        [("S", 1, 2)],
    ]


def test_vertical_merge_rowspan_counts_the_same_grid_column():
    restart, cont = '<w:vMerge w:val="restart"/>', "<w:vMerge/>"
    body = ("<w:tbl>"
            f"<w:tr>{tc('M', restart)}{tc('a')}{tc('N', restart)}</w:tr>"
            f"<w:tr>{tc('', cont)}{tc('b')}{tc('', cont)}</w:tr>"
            f"<w:tr>{tc('', cont)}{tc('c')}{tc('z')}</w:tr>"
            f"<w:tr>{tc('d')}{tc('e')}{tc('f')}</w:tr>"
            "</w:tbl>")
    rows = read_docx(raw_docx(body), None).tables[0].rows
    assert (rows[0][0].rowspan, rows[0][2].rowspan, rows[0][1].rowspan) == (3, 2, 1)
    assert [c.continued for c in rows[2]] == [True, False, False]


def test_body_order_content_controls_and_tracked_changes(both_paths):
    tabs = '<w:pPr><w:tabs><w:tab w:val="left" w:pos="420"/></w:tabs></w:pPr>'
    textbox = ('<w:r><mc:AlternateContent xmlns:mc="http://schemas.openxmlformats.org/'
               'markup-compatibility/2006"><mc:Choice Requires="wps"><w:drawing><w:txbxContent>'
               f"{p('框内')}</w:txbxContent></w:drawing></mc:Choice><mc:Fallback><w:pict>"
               f"<w:txbxContent>{p('框内')}</w:txbxContent></w:pict></mc:Fallback>"
               "</mc:AlternateContent></w:r>")
    body = (p("一、总体情况")
            + f"<w:sdt><w:sdtPr/><w:sdtContent>{p('控件内段落')}"
            f"<w:tbl><w:tr>{tc('控件内表格')}</w:tr></w:tbl></w:sdtContent></w:sdt>"
            + '<w:p><w:r><w:t>保留</w:t></w:r><w:del><w:r><w:delText>删掉</w:delText>'
            "<w:t>删掉</w:t></w:r></w:del><w:ins><w:r><w:t>插入</w:t></w:r></w:ins>"
            "<w:sdt><w:sdtContent><w:r><w:t>行内</w:t></w:r></w:sdtContent></w:sdt></w:p>"
            + f"<w:p>{tabs}<w:r><w:t>甲</w:t><w:tab/><w:t>乙</w:t><w:br/><w:t>丙</w:t></w:r>"
            f"{textbox}</w:p>"
            + "<w:p/>" + p("   ")
            + "<w:tbl><w:tr>" + tc("旧") + '</w:tr><w:tr><w:trPr><w:del w:id="1"/></w:trPr>'
            + tc("已删除行") + "</w:tr></w:tbl>")
    doc = read_docx(raw_docx(body), None)
    blocks = [b.text if isinstance(b, Paragraph) else [[c.text for c in r] for r in b.rows]
              for b in doc.blocks]
    assert blocks == ["一、总体情况", "控件内段落", [["控件内表格"]], "保留插入行内",
                      "甲\t乙\n丙", [["旧"]]]
    assert [t.index for t in doc.tables] == [0, 1]


def test_legacy_horizontal_merge():
    restart = '<w:hMerge w:val="restart"/>'
    body = f'<w:tbl><w:tr>{tc("宽", restart)}{tc("", "<w:hMerge/>")}{tc("右")}</w:tr></w:tbl>'

    row = read_docx(raw_docx(body), None).tables[0].rows[0]
    assert [(c.text, c.loc.col, c.colspan) for c in row] == [("宽", 0, 2), ("右", 2, 1)]


def test_headings_from_styles():
    styles = ('<w:style w:type="paragraph" w:styleId="Heading1"><w:name w:val="heading 1"/>'
              "</w:style>"
              '<w:style w:type="paragraph" w:styleId="3"><w:name w:val="标题 2"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="mine"><w:name w:val="我的标题"/>'
              '<w:basedOn w:val="3"/></w:style>'
              '<w:style w:type="paragraph" w:styleId="lvl"><w:name w:val="x"/>'
              '<w:pPr><w:outlineLvl w:val="2"/></w:pPr></w:style>'
              '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="Normal (Web)"/></w:style>')

    def styled(text: str, sid: str, direct: str = "") -> str:
        return p(text, f'<w:pPr><w:pStyle w:val="{sid}"/>{direct}</w:pPr>')

    body = (styled("一", "Heading1") + styled("二", "3") + styled("三", "mine")
            + styled("四", "lvl") + styled("五", "2")
            + styled("六", "2", '<w:outlineLvl w:val="0"/>')
            + styled("七", "Heading1", '<w:outlineLvl w:val="9"/>'))
    got = [b.heading for b in read_docx(raw_docx(body, styles), None).paragraphs]
    assert got == [1, 2, 2, 3, None, 1, None]
    # without styles.xml, Word's own style ids still say so
    got = [b.heading for b in read_docx(raw_docx(styled("一", "Heading2")), None).paragraphs]
    assert got == [2]
    # python-docx's default template (Word's built-in styles)
    document = docx.Document()
    document.add_heading("一、总体情况", 1)
    document.add_paragraph("正文")
    assert [b.heading for b in read_docx(save(document), None).paragraphs] == [1, None]


# ---------------------------------------------------------------- hostile and broken input
def test_truncated_and_garbage():
    data = TEMPLATE.read_bytes()
    assert _code(data[: len(data) // 2]).code == "docx_corrupt"
    import random

    rnd = random.Random(3)
    garbage = b"PK\x03\x04" + bytes(rnd.randrange(256) for _ in range(4000))
    assert _code(garbage).code == "docx_corrupt"
    err = _code(b"hello, not a zip", format="docx")
    assert err.code == "docx_corrupt" and "ZIP" in err.message


def test_zip_without_document_is_not_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("年报/a.txt", "hello")
        z.writestr("b.docx", "x")
    assert _code(buf.getvalue()).code == "zip_not_docx"


def test_invalid_xml_and_empty_document(both_paths):
    for document in (b"<w:document><w:body><w:p>", b"", b"\xff\xfe garbage"):
        err = _code(raw_docx("", document=document))
        assert err.code == "docx_corrupt" and "XML" in err.message


def test_entities_are_never_resolved(both_paths):
    document = (f'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY xxe SYSTEM "file:///etc/passwd">'
                f'<!ENTITY a "AAAA"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]>'
                f'<w:document xmlns:w="{W_NS}"><w:body><w:p><w:r><w:t>x&xxe;&b;y</w:t></w:r>'
                "</w:p></w:body></w:document>").encode()
    doc = read_docx(raw_docx("", document=document), None)
    text = doc.paragraphs[0].text
    assert "root" not in text and "AAAA" not in text


def _patch_sizes(data: bytes, name: bytes, size: int | None = None, flags: int | None = None
                 ) -> bytes:
    """Rewrite the sizes/flags a zip declares for ``name`` in both of its headers."""
    buf = bytearray(data)
    for sig, size_at, flag_at, name_at in ((b"PK\x01\x02", 24, 8, 46), (b"PK\x03\x04", 22, 6, 30)):
        start = 0
        while (i := buf.find(sig, start)) >= 0:
            start = i + 4
            if buf[i + name_at : i + name_at + len(name)] == name:
                if size is not None:
                    buf[i + size_at : i + size_at + 4] = struct.pack("<I", size)
                if flags is not None:
                    buf[i + flag_at : i + flag_at + 2] = struct.pack("<H", flags)
    return bytes(buf)


@pytest.fixture(scope="module")
def bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        z.writestr("_rels/.rels", "<x/>")
        with z.open("word/document.xml", "w") as f:
            chunk = bytes(1 << 20)
            for _ in range(300):  # 300 MB of zeros, streamed: ~1 MB in memory
                f.write(chunk)
    assert len(buf.getvalue()) < 3_000_000
    return buf.getvalue()


def test_zip_bomb_is_refused_from_its_headers(bomb):
    err = _code(bomb)
    assert err.code == "archive_too_large"
    assert "300 MB" in err.message and "100 MB" in err.message


def test_zip_bomb_with_lying_header_is_stopped(bomb):
    # The header claims 1 KB: zipfile stops at the declared size, the CRC then fails.
    err = _code(_patch_sizes(bomb, b"word/document.xml", size=1024))
    assert err.code == "docx_corrupt"


def test_high_compression_ratio_and_huge_total_are_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z, \
            z.open("word/document.xml", "w") as f:
        for _ in range(50):  # 50 MB: under the size limit, but ~1000:1
            f.write(bytes(1 << 20))
    err = _code(buf.getvalue())
    assert err.code == "archive_too_large" and "压缩比" in err.message
    data = raw_docx(p("一"), extra={"word/media/image1.png": b"\x89PNG" * 10})
    err = _code(_patch_sizes(data, b"word/media/image1.png", size=1_288_490_188))
    assert err.code == "archive_too_large" and "1.2 GB" in err.message


def test_encrypted_member_is_reported():
    data = _patch_sizes(raw_docx(p("一")), b"word/document.xml", flags=1)
    assert _code(data).code == "docx_corrupt"


def test_human_size():
    assert [human_size(n) for n in (5, 2048, 300 * 1024 * 1024, 1_288_490_188)] == [
        "5 B", "2 KB", "300 MB", "1.2 GB"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_damaged_bytes_never_escape_as_tracebacks(data):
    # Flip bytes anywhere in a small real document: a Report or a ParseError, nothing else.
    original = bytearray(save_small())
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(original) - 1))
        original[i] = data.draw(st.integers(0, 255))
    with contextlib.suppress(nianbao.ParseError):
        nianbao.parse(bytes(original), format="docx")


_SMALL: list[bytes] = []


def save_small() -> bytes:
    if not _SMALL:
        document = docx.Document()
        document.add_paragraph("一、总体情况")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text, table.cell(1, 1).text = "行政许可", "31"
        _SMALL.append(save(document))
    return _SMALL[0]


_cell_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cc", "Cs", "Cn", "Zs", "Zl",
                                                                       "Zp")), max_size=6)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.tuples(_cell_text, st.integers(1, 3), st.integers(0, 2)),
                         min_size=1, max_size=5), min_size=1, max_size=5))
def test_any_grid_round_trips(rows):
    from xml.sax.saxutils import escape

    body = "<w:tbl>"
    for row in rows:
        before = row[0][2]
        body += f'<w:tr><w:trPr><w:gridBefore w:val="{before}"/></w:trPr>'
        for text, span, _ in row:
            body += tc(escape(text), f'<w:gridSpan w:val="{span}"/>')
        body += "</w:tr>"
    table = read_docx(raw_docx(body + "</w:tbl>"), None).tables[0]
    for r, (row, cells) in enumerate(zip(rows, table.rows, strict=True)):
        col = row[0][2]
        for (text, span, _), cell in zip(row, cells, strict=True):
            assert (cell.text, cell.colspan, cell.loc.col, cell.loc.row) == (text, span, col, r)
            col += span
