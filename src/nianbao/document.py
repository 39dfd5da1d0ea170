"""The format-neutral Document that every reader produces.

A reader knows one input format and nothing about annual reports; the recogniser
knows annual reports and nothing about input formats. This module is the contract
between the two: paragraphs and tables, cells with spans, and source locations.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(slots=True)
class Location:
    """Where something stands in the source.

    ``line`` is 1-based for line-oriented formats (flattened text, Markdown);
    ``table``/``row``/``col`` are 0-based indices of the physical table in the
    document, the row in it and the cell's grid column (when the format has a grid).
    """

    line: int | None = None
    table: int | None = None
    row: int | None = None
    col: int | None = None

    def as_dict(self) -> dict[str, int]:
        return {k: v for k in ("line", "table", "row", "col") if (v := getattr(self, k)) is not None}

    def describe(self) -> str:
        """For people: "第40行（第1个表格第13行第2列）" — source line, then place in the table."""
        cell = "".join(part for part, v in ((f"第{(self.table or 0) + 1}个表格", self.table),
                                             (f"第{(self.row or 0) + 1}行", self.row),
                                             (f"第{(self.col or 0) + 1}列", self.col))
                       if v is not None)
        if self.line is not None:
            return f"第{self.line}行" + (f"（{cell}）" if cell else "")
        return cell or "未知位置"


@dataclass(slots=True)
class Cell:
    """One printed cell. A vertically merged continuation is ``continued=True`` with empty text.

    Horizontally merged cells are printed once with ``colspan`` > 1 (never repeated).
    Text keeps the cell's internal line breaks as ``\\n``.
    """

    text: str
    loc: Location
    colspan: int = 1
    rowspan: int = 1
    continued: bool = False


@dataclass(slots=True)
class Paragraph:
    text: str
    loc: Location
    heading: int | None = None  # heading level when the format says so (HTML h1-h6, DOCX styles)


@dataclass(slots=True)
class Table:
    rows: list[list[Cell]]
    index: int
    loc: Location
    grid: bool = False  # True when cells carry reliable grid columns (HTML, DOCX)


Block = Paragraph | Table


@dataclass(slots=True)
class Document:
    blocks: list[Block] = field(default_factory=list)
    format: str = "text"  # "text" | "html" | "docx" | "markdown"

    @property
    def paragraphs(self) -> list[Paragraph]:
        return [b for b in self.blocks if isinstance(b, Paragraph)]

    @property
    def tables(self) -> list[Table]:
        return [b for b in self.blocks if isinstance(b, Table)]
