"""HTML tables as grids, and the cell/paragraph text clean-up shared with ``html.py``.

Hand-written because no well-kept library computes an HTML table grid with placeholders
for vertically merged cells (the HTML table model, rowspan/colspan, thead/tbody/tfoot),
which the format-neutral Document needs.
"""

from __future__ import annotations

import re

from lxml import etree

from nianbao.document import Cell, Location, Table
from nianbao.normalize import squash

LINE_TAGS = ("p", "div", "br", "li")  # elements that start a new line inside a cell
_SPAN = re.compile(r"\s*\+?(\d{1,6})")
_WIDE = "\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef\u3000-\u303f"
_CJK_BREAK = re.compile(rf"(?<=[{_WIDE}])[ \t]*[\r\n]+[ \t]*(?=[{_WIDE}])")
_BREAK = "\ufdd0"  # line-break marker in cell text: a Unicode noncharacter, never in real text
_MAX_COLSPAN = 1000  # the HTML table model's own limit


def all_text(el: etree._Element) -> str:
    # serialising as text runs in C; several times faster than joining itertext()
    return etree.tostring(el, method="text", encoding=str, with_tail=False)


# ---------------------------------------------------------------------- page statistics
def tidy(text: str) -> str:
    """Whitespace as a browser shows it: runs collapse, CJK line wraps vanish."""
    if " " not in text and text.isprintable():  # no blank of any kind (Zs, Cc, Cf…)
        return text
    if "\n" in text or "\r" in text:
        text = _CJK_BREAK.sub("", text)
    return squash(text)


# ---------------------------------------------------------------------- paragraphs
# ---------------------------------------------------------------------- tables
def read_table(table: etree._Element, index: int) -> Table:
    """One HTML table as grid rows; vertical merges leave ``continued`` placeholders."""
    trs = list(table.iter("tr"))
    # the HTML table model renders <tfoot> last wherever it stands in the source
    trs.sort(key=lambda tr: tr.getparent().tag == "tfoot")
    group_end = list(range(len(trs)))  # last row of each row's group (thead/tbody/tfoot)
    for i in range(len(trs) - 2, -1, -1):
        if trs[i + 1].getparent() is trs[i].getparent():
            group_end[i] = group_end[i + 1]
    rows: list[list[Cell]] = []
    spans: list[tuple[int, int, int]] = []  # (start col, colspan, last row) of rowspans
    for r, tr in enumerate(trs):
        at = len(rows)  # loc.row indexes Table.rows; a <tr> with no cells shows no row
        covering = [s for s in spans if s[2] >= r]
        row = [Cell("", Location(tr.sourceline, index, at, s[0]), s[1], 1, True)
               for s in covering]
        col, left = 0, group_end[r] - r + 1
        for td in tr.iterchildren("td", "th"):
            if covering:
                col = _free(col, covering)
            colspan = rowspan = 1
            if (value := td.get("colspan")) is not None:
                colspan = min(max(_span(value), 1), _MAX_COLSPAN)
            if (value := td.get("rowspan")) is not None:
                rowspan = _span(value)
                rowspan = left if rowspan == 0 else min(max(rowspan, 1), left)
                if rowspan > 1:
                    spans.append((col, colspan, r + rowspan - 1))
            loc = Location(td.sourceline, index, at, col)
            row.append(Cell(_cell_text(td), loc, colspan, rowspan))
            col += colspan
        if covering:
            spans = [s for s in spans if s[2] > r]
            row.sort(key=lambda c: c.loc.col)
        if row:
            rows.append(row)
    return Table(rows, index, Location(line=table.sourceline, table=index), grid=True)


def _span(value: str) -> int:
    """HTML's rules for parsing non-negative integers: leading digits count ("2px" is 2)."""
    m = _SPAN.match(value)
    return int(m.group(1)) if m else 1


def _free(col: int, covering: list[tuple[int, int, int]]) -> int:
    """The first grid column at or after ``col`` not covered by a rowspan from above."""
    moved = True
    while moved:
        moved = False
        for start, width, _last in covering:
            if start <= col < start + width:
                col, moved = start + width, True
    return col


def _cell_text(td: etree._Element) -> str:
    if not len(td):  # most value cells: no markup inside
        return tidy(td.text) if td.text else ""
    marks = list(td.iterdescendants(*LINE_TAGS))
    if not marks or (len(marks) == 1 and marks[0] is td[0] and len(td) == 1
                     and marks[0].tag != "br" and not (td.text or "").strip()
                     and not (marks[0].tail or "").strip()):
        # one line: most cells, including Word's <td><p><span>…</span></p></td>
        return tidy(all_text(td))
    # mark line breaks in the tree, then let lxml's C iteration collect the text
    for el in marks:
        if el.tag != "br":
            el.text = _BREAK + (el.text or "")
        el.tail = _BREAK + (el.tail or "")
    lines = (tidy(s) for s in all_text(td).split(_BREAK))
    return "\n".join(s for s in lines if s)
