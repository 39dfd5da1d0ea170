"""Reader for Markdown as produced by PDF converters (marker, MinerU, markitdown, docling…).

Hand-written and line based, on purpose. Converter output is not valid GFM: delimiter
rows go missing or turn up in the middle of a table (one table per page or per group
of rows), rows are ragged, page footers (``— 3 —``, ``第 3 页 共 8 页``) and blank
lines sit between the rows of one table, and header rows are generic (``Col1``).
A GFM parser turns such tables into paragraphs or cuts them into pieces. A line
scanner also keeps the source line of every cell for free and is fast (we need
several hundred reports per second for parse + recognise).

The reader knows Markdown and PDF-converter habits, nothing about annual reports:
cells are emitted as printed (empty cells kept, repeated merged-cell text kept) so
that their positions survive; the recogniser decides what they mean. Pipe tables
carry no reliable grid (``grid=False``); embedded ``<table>`` blocks go to the HTML
reader and keep its grid. Page footers, page separators and images are dropped
everywhere, and hard-wrapped lines are joined back into paragraphs (see
``flush_para``), so that a paragraph or table running across a page stays whole.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

from nianbao.document import Block, Cell, Document, Location, Paragraph, Table

_HEADING = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1 = re.compile(r"^ {0,3}=+[ \t]*$")
# Three dashes at least: a row of lone "-" cells is a row of blank values, not a delimiter.
_DELIM_CELL = re.compile(r"^(?::?-{3,}:?|:-+:?|-+:)$")
_CELL_SPLIT = re.compile(r"(?<!\\)\|")
_BR = re.compile(r"<br\s*/?>", re.I)
# Only ASCII tag names: Chinese reports write titles in angle brackets (<政府信息公开…办法>).
_ANY_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(?:\s[^<>]*)?/?>")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_EM = re.compile(r"(?<![\\*])\*(?=[^\s*])([^*]*?)(?<=[^\s\\])\*(?!\*)")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")  # CommonMark backslash escapes (ASCII punctuation)
_BULLET = re.compile(r"^[-*+][ \t]+")
_IMAGE_LINE = re.compile(r"^(?:!\[[^\]]*\]\([^)]*\)\s*)+$")
_COMMENT_LINE = re.compile(r"^<!--.*-->$")
# Thematic breaks and converters' page separators (pymupdf4llm "-----", marker "{3}----");
# for that reason a "---" under a text line is no setext heading here.
_BREAK_LINE = re.compile(r"^(?:\{\d+\})?(?:-{3,}|\*{3,}|_{3,}|(?:- ){2,}-|(?:\* ){2,}\*)$")
# Page footers/headers that PDF converters leave as lines of their own; they split
# tables and paragraphs that run across a page break.
_PAGE_LINE = re.compile(
    r"^(?:[-—–－~～]+\s*\d{1,4}\s*[-—–－~～]+"  # — 3 —, - 3 -
    r"|第\s*\d{1,4}\s*页(?:\s*[,，/、]?\s*共\s*\d{1,4}\s*页)?"  # 第 3 页 共 8 页
    r"|共\s*\d{1,4}\s*页\s*[,，]?\s*第\s*\d{1,4}\s*页"
    r"|\d{1,4}\s*/\s*\d{1,4}"  # 3/8
    r"|(?:page|p\.)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?"
    r"|\d{1,4})$",
    re.I,
)
# Header names that converters invent when a table has no header row (pandas, docling,
# camelot…). They are no text of the report, and the recogniser would report them.
_GENERIC_NAME = re.compile(
    r"^(?:col(?:umn)?[\s_]*\d+|列\s*\d+|unnamed:\s*\d+(?:_level_\d+)?|)$", re.I)
# Chinese outline numbering starts a new paragraph even after a full line (一、 （一） 1.).
_OUTLINE = re.compile(
    r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．](?!\d))")
# Display columns of the widest line a PDF page holds (about 80 CJK characters).
_PAGE_WIDTH = 160
_CJK_END = re.compile(r"[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]$")
_CJK_START = re.compile(r"^[\u2e80-\u9fff\uf900-\ufaff\u3000-\u303f\uff00-\uffef]")


def read_markdown(text: str) -> Document:
    return _Reader(text.splitlines()).run()


def _is_row(line: str) -> bool:
    s = line.strip()
    return len(s) > 1 and s[0] == "|" and "|" in s[1:]


def _is_text(line: str) -> bool:
    """A line that continues a paragraph (no table row, heading or HTML table)."""
    return not (_is_row(line) or _HEADING.match(line) or "<table" in line.lower())


def _is_skippable(line: str) -> bool:
    """Lines that may stand between two rows of one table without ending it."""
    s = line.strip()
    return (not s or _PAGE_LINE.match(s) is not None or _BREAK_LINE.match(s) is not None
            or _COMMENT_LINE.match(s) is not None or _IMAGE_LINE.match(s) is not None)


def _split_row(line: str) -> list[str]:
    s = line.strip()[1:]
    if s.endswith("|") and not s.endswith("\\|"):
        s = s[:-1]
    return _CELL_SPLIT.split(s)


def _inline(text: str) -> str:
    """Markdown/HTML inline markup away, text kept."""
    if "<" in text:
        text = _ANY_TAG.sub("", text)
    if "*" in text or "_" in text:
        text = _EM.sub(r"\1", _BOLD.sub(r"\2", text))
    if "\\" in text:
        text = _ESCAPE.sub(r"\1", text)
    if "&" in text:
        text = html.unescape(text)
    return text.strip()


@lru_cache(maxsize=16384)  # cells repeat ("0", official labels) across rows and reports
def _cell_text(raw: str) -> str:
    if "<" in raw:
        return "\n".join(_inline(part) for part in _BR.split(raw)).strip("\n")
    return _inline(raw)


def _para_text(raw: str) -> str:
    if "<" in raw:
        text = ""
        for part in _BR.split(raw):
            text = _join(text, _inline(part))
        return text
    return _inline(raw)


def _join(a: str, b: str, cjk: bool = False) -> str:
    """Join two wrapped lines: no space in CJK text (lines break anywhere, even inside a
    number or URL), one space between two Latin words."""
    if not a or not b:
        return a + b
    if cjk or _CJK_END.search(a) or _CJK_START.match(b):
        return a + b
    return a + " " + b


def _width(s: str) -> int:
    """Display columns, near enough: CJK takes 3 UTF-8 bytes and 2 columns, ASCII 1 and 1."""
    return (len(s) + len(s.encode("utf-8", "surrogatepass"))) // 2


class _Reader:
    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.blocks: list[Block] = []
        self.n_tables = 0
        self.para: list[tuple[int, str]] = []  # (line number, cleaned text) of the open run

    def run(self) -> Document:
        lines = self.lines
        i, n = 0, len(lines)
        while i < n:
            line = lines[i]
            s = line.strip()
            if _is_row(line):
                self.flush_para()
                i = self.table(i)
                continue
            if "<table" in s.lower():
                self.flush_para()
                i = self.html_table(i)
                continue
            if not s or _is_skippable(line):
                i = self.gap(i)
                continue
            i += 1
            m = _HEADING.match(line)
            if m:
                self.flush_para()
                title = _inline(m.group(2) or "")
                if title:
                    self.blocks.append(Paragraph(title, Location(line=i), heading=len(m.group(1))))
                continue
            if _SETEXT_H1.match(line):
                self.flush_para(heading=1)
                continue
            text = _para_text(_BULLET.sub("", s) if s[0] in "-*+" else s)
            if text:
                self.para.append((i, text))
        self.flush_para()
        return Document(blocks=self.blocks, format="markdown")

    # ------------------------------------------------------------------ paragraphs
    def gap(self, i: int) -> int:
        """Skip blank lines and page footers; return the index of the next line.

        A blank line ends the open paragraph, unless a page footer stands in the gap and
        text follows: then the paragraph runs on across the page break.
        """
        lines, n = self.lines, len(self.lines)
        j, marker, blank = i, False, False
        while j < n and _is_skippable(lines[j]):
            if lines[j].strip():
                marker = True
            else:
                blank = True
            j += 1
        if blank and not (marker and j < n and _is_text(lines[j])):
            self.flush_para()
        return j

    def flush_para(self, heading: int | None = None) -> None:
        """Turn the open run of text lines into paragraphs, undoing the converter's hard wrap.

        A line is joined to the next when it is (nearly) as wide as the widest line of
        the run — a hard-wrapped line — and the next does not start a numbered outline
        item; a short line (a title, a paragraph's last line) ends its paragraph.
        """
        run, self.para = self.para, []
        if not run:
            return
        if heading is not None:
            text = "".join(t for _, t in run)
            self.blocks.append(Paragraph(text, Location(line=run[0][0]), heading=heading))
            return
        widths = [_width(t) for _, t in run]
        widest = max(widths)
        # Lines wider than a page cannot be hard-wrapped: one Markdown line per paragraph.
        full = widest * 0.9 if widest <= _PAGE_WIDTH else widest + 1
        chars = sum(len(t) for _, t in run)
        cjk = sum(widths) - chars > chars // 2  # wide characters make up most of the text
        start, text = run[0][0], run[0][1]
        for k in range(1, len(run)):
            number, nxt = run[k]
            if widths[k - 1] >= full and widths[k - 1] >= 20 and not _OUTLINE.match(nxt):
                text = _join(text, nxt, cjk)
            else:
                self.blocks.append(Paragraph(text, Location(line=start)))
                start, text = number, nxt
        self.blocks.append(Paragraph(text, Location(line=start)))

    # ------------------------------------------------------------------ tables
    def table(self, i: int) -> int:
        """Read one table starting at line index ``i``; return the index after it."""
        lines, n = self.lines, len(self.lines)
        index = self.n_tables
        rows: list[list[Cell]] = []
        start = i + 1
        while i < n:
            line = lines[i]
            if not _is_row(line):
                j = i
                while j < n and _is_skippable(lines[j]):
                    j += 1
                if j > i and j < n and _is_row(lines[j]):
                    i = j  # a page footer or blank lines inside the table
                    continue
                break
            i += 1
            if _is_delimiter(line):
                continue  # delimiter rows, also in the middle (one table per group of rows)
            texts = [_cell_text(c) for c in _split_row(line)]
            first = texts[0] if texts else ""
            # cheap guard first: a generic header starts with a generic name (Col1…), "0" or ""
            if (not first or first == "0" or _GENERIC_NAME.match(first)) and _is_generic_header(
                    texts, i < n and _is_delimiter(lines[i])):
                continue
            r = len(rows)
            rows.append([Cell(t, Location(i, index, r, col)) for col, t in enumerate(texts)])
        if rows:
            self.n_tables += 1
            self.blocks.append(Table(rows, index, Location(line=start, table=index), grid=False))
        return i

    def html_table(self, i: int) -> int:
        """Hand a ``<table>…</table>`` block to the HTML reader; paragraphs if there is none."""
        lines, n = self.lines, len(self.lines)
        start, depth, j = i, 0, i
        while j < n:
            low = lines[j].lower()
            depth += low.count("<table") - low.count("</table")
            j += 1
            if depth <= 0:
                break
        block = "\n".join(lines[start:j])
        try:
            from nianbao.readers.html import read_html
        except ImportError:
            read_html = None
        if read_html is None:  # no HTML reader: keep the text, one paragraph per line
            for k in range(start, j):
                text = " ".join(_ANY_TAG.sub(" ", html.unescape(lines[k])).split())
                if text:
                    self.blocks.append(Paragraph(text, Location(line=k + 1)))
            return j
        for b in read_html(block).blocks:
            if isinstance(b, Table):
                index = self.n_tables
                self.n_tables += 1
                b.index = index
                _shift(b.loc, start, index)
                for row in b.rows:
                    for cell in row:
                        _shift(cell.loc, start, index)
            else:
                _shift(b.loc, start, None)
            self.blocks.append(b)
        return j


def _shift(loc: Location, start: int, table: int | None) -> None:
    """Locations of an embedded HTML block, made relative to the Markdown source."""
    loc.line = start + loc.line if loc.line is not None else start + 1
    if table is not None:
        loc.table = table


def _is_delimiter(line: str) -> bool:
    if line.strip(" \t|:-"):  # quick test: other characters than a delimiter row's
        return False
    return _is_row(line) and all(_DELIM_CELL.match(c.strip()) for c in _split_row(line))


def _is_generic_header(texts: list[str], before_delimiter: bool) -> bool:
    """A header row the converter invented (``Col1``…, ``Unnamed: 0``, pandas' 0 1 2…).

    Dropped because it is no text of the report and the recogniser reports every text
    cell it cannot place. An all-empty or 0..n-1 row only counts in header position
    (right above a delimiter row): elsewhere it may be a real (blank or numeric) row.
    """
    if all(_GENERIC_NAME.match(t) for t in texts):
        return before_delimiter or any(texts)
    return (before_delimiter and len(texts) >= 3
            and texts == [str(k) for k in range(len(texts))])
