"""Render as a Word document with python-docx, tables merged like the official template.

Merged cells are real merges (``cell.merge``: ``w:gridSpan`` and ``w:vMerge``), as in
tests/fixtures/template-2021.docx; a cell's lines are separate paragraphs (商业/企业).
Both layouts are built from the grids, so the 2019 layout needs no template file.
"""

from __future__ import annotations

import io
import zipfile

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import _Cell

from nianbao.render import Grid, body, noise_of, rng_for, view_of


def _font(run_or_style, name: str, size: float) -> None:
    run_or_style.font.name, run_or_style.font.size = name, Pt(size)
    run_or_style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)


def _set_lines(cell, text: str) -> None:
    lines = text.split("\n")
    first = cell.paragraphs[0]
    for extra in cell.paragraphs[1:]:  # merging concatenates the covered cells' paragraphs
        extra._element.getparent().remove(extra._element)
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        if line:
            p.add_run(line)  # the Normal style's font: per-run fonts cost a third of the time


def add_grid(doc, grid: Grid) -> None:
    table = doc.add_table(rows=len(grid.rows), cols=grid.ncols)
    table.style = "Table Grid"
    # Cells by grid position, taken before any merge: table.cell() rescans the whole table.
    at = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in table._tbl.tr_lst]
    origins = []
    for r, row in enumerate(grid.rows):
        c = 0
        for cell in row:
            if not cell.continued:
                origins.append((r, c, cell))
            c += cell.colspan
    for r, c, cell in origins:
        target = at[r][c]
        if cell.rowspan > 1 or cell.colspan > 1:
            target = target.merge(at[r + cell.rowspan - 1][c + cell.colspan - 1])
        _set_lines(target, cell.text)


def to_docx(r, noise=None) -> bytes:
    view, noise = view_of(r), noise_of(r, noise)
    rng = rng_for(view, "docx")
    doc = Document()
    _font(doc.styles["Normal"], "仿宋_GB2312", 10.5)
    use_styles = rng.random() < 0.5  # many reports format headings by hand, not with styles
    for line in view.title_lines:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(p.add_run(line), "方正小标宋简体", 22)

    def para(text: str, heading: bool = False) -> None:
        if heading and use_styles:
            doc.add_heading(text, level=2)
            return
        p = doc.add_paragraph()
        if not heading:
            p.paragraph_format.first_line_indent = Pt(32)
        _font(p.add_run(text), "黑体" if heading else "仿宋_GB2312", 16)

    for kind, item in body(view, rng, noise):
        if kind in ("heading", "paragraph"):
            para(item, heading=kind == "heading")
        else:
            if kind == "table_continued":
                doc.add_paragraph()
            add_grid(doc, item)
    for line in view.closing:
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        _font(p.add_run(line), "仿宋_GB2312", 16)
    buf = io.BytesIO()
    doc.save(buf)
    return _reproducible(buf.getvalue())


def _reproducible(package: bytes) -> bytes:
    """Re-pack with fixed entry timestamps: python-docx stamps the wall clock into the zip,
    so the same report would give different bytes from one second to the next."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()
