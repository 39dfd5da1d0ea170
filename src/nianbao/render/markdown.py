"""Render as a PDF-to-Markdown converter would emit the report.

Pipe tables keep the grid but lose the spans, in one of the converters' habits:
``grid`` (marker, MinerU: a merged cell's text in its first grid position, the positions
it covers empty), ``repeat`` (docling: the text repeated in every position it covers) or
``collapsed`` (text-flow extractors: each cell once, short rows padded at the end).
A delimiter row follows the first row of each pipe table, sometimes under an invented
``Col1 | Col2`` header; a table broken across pages is one pipe table per page with the
page footer (``— 3 —``) between them; ``<br>`` inside cells.
"""

from __future__ import annotations

from nianbao.render import Grid, body, noise_of, rng_for, view_of

STYLES = ("grid", "repeat", "collapsed")


def _escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def _grid_rows(grid: Grid, style: str) -> list[list[str]]:
    if style == "collapsed":
        rows = [[("" if c.continued else _escape(c.text)) for c in row] for row in grid.rows]
        width = max(len(r) for r in rows)
        return [r + [""] * (width - len(r)) for r in rows]
    out: list[list[str]] = []
    above: dict[int, str] = {}  # grid column -> text of the vertically merged origin
    for row in grid.rows:
        line: list[str] = []
        for cell in row:
            col = len(line)
            text = above.get(col, "") if cell.continued else _escape(cell.text)
            if not cell.continued:
                for k in range(cell.colspan):
                    above[col + k] = text
            line.append(text if style == "repeat" or not cell.continued else "")
            line.extend([text if style == "repeat" else ""] * (cell.colspan - 1))
        out.append(line)
    return out


def pipe_table(grid: Grid, style: str = "grid", generic_header: bool = False) -> list[str]:
    rows = _grid_rows(grid, style)
    width = len(rows[0])
    if generic_header:
        rows.insert(0, [f"Col{k + 1}" for k in range(width)])
    lines = []
    for i, row in enumerate(rows):
        lines.append("| " + " | ".join(row) + " |")
        if i == 0:
            lines.append("|" + "---|" * width)
    return lines


def to_markdown(r, noise=None, style: str | None = None) -> str:
    """Markdown in one converter ``style`` (see STYLES; None: drawn per report)."""
    view, noise = view_of(r), noise_of(r, noise)
    rng = rng_for(view, "markdown")
    style = style or rng.choice(STYLES[:2])
    generic = rng.random() < 0.2
    out: list[str] = []
    page = 1
    since_break = 0

    def block(lines: list[str]) -> None:
        out.extend(lines)
        out.append("")

    def page_break() -> None:
        nonlocal page, since_break
        block([f"— {page} —"])
        page, since_break = page + 1, 0

    def para(text: str, heading: bool = False) -> None:
        nonlocal since_break
        if heading:
            text = rng.choice((f"## {text}", f"**{text}**", text))
        block([text])
        since_break += 1
        if since_break >= rng.randint(8, 14):
            page_break()

    block([f"# {''.join(view.title_lines)}"])
    for kind, item in body(view, rng, noise):
        if kind in ("heading", "paragraph"):
            para(item, heading=kind == "heading")
        else:
            if kind == "table_continued":
                page_break()
            block(pipe_table(item, style, generic))
    for line in view.closing:
        para(line)
    page_break()
    return "\n".join(out)
