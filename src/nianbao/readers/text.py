"""Reader for flattened Word text (the form of the seed reports).

The format is what Word's "save as plain text" and common extractors produce:
paragraphs one per line; each table cell on a line that starts with a tab, the
cell's further lines following *without* the tab; a blank line after each table
row; a vertically merged continuation printed as a lone tab; a horizontally merged
cell printed once. There is no library for this ad-hoc format, hence by hand.
"""

from __future__ import annotations

import re

from nianbao.document import Cell, Document, Location, Paragraph, Table

_BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")


def read_text(text: str) -> Document:
    doc = Document(format="text")
    rows: list[list[Cell]] = []
    row: list[Cell] = []
    table_start = 0
    blank_run = 0

    def close_row() -> None:
        nonlocal row
        if row:
            rows.append(row)
            row = []

    def close_table() -> None:
        nonlocal rows
        close_row()
        if rows:
            index = len(doc.tables)
            for r_i, r in enumerate(rows):
                for cell in r:
                    cell.loc.table, cell.loc.row = index, r_i
            doc.blocks.append(Table(rows, index, Location(line=table_start, table=index)))
            rows = []

    has_bookmarks = "[bookmark:" in text
    for number, line in enumerate(text.splitlines(), start=1):
        if has_bookmarks:
            line = _BOOKMARK.sub("", line)
        if line.startswith("\t"):
            if not rows and not row:
                table_start = number
            blank_run = 0
            row.append(Cell(line[1:], Location(line=number, col=len(row))))
        elif not line or line.isspace():
            blank_run += 1
            close_row()
            if blank_run >= 2:  # a row ends with one blank line; two end the table
                close_table()
        elif row and blank_run == 0:
            # a cell's further lines follow without the tab
            row[-1].text += "\n" + line
        else:
            close_table()
            blank_run = 0
            doc.blocks.append(Paragraph(line.strip(), Location(line=number)))
    close_table()
    return doc
