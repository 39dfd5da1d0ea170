"""Render as flattened Word text, the form of the seed reports (see ``readers/text.py``).

Paragraphs one per line; each table cell on a line starting with a tab, a cell's further
lines without it; a blank line after each table row; a vertically merged continuation as
a lone tab; a horizontally merged cell printed once; two or more blank lines after a table.
"""

from __future__ import annotations

from nianbao.render import Grid, body, noise_of, rng_for, view_of


def grid_lines(grid: Grid) -> list[str]:
    lines: list[str] = []
    for row in grid.rows:
        for cell in row:
            if cell.continued:
                lines.append("\t")
                continue
            first, *rest = cell.text.split("\n")
            lines.append("\t" + first)
            lines.extend(rest)
        lines.append("")  # a blank line closes the row
    return lines


def to_text(r, noise=None) -> str:
    view, noise = view_of(r), noise_of(r, noise)
    rng = rng_for(view, "text")
    paragraphs = [*view.preamble, *(p for s in view.sections for p in s.paragraphs)]
    # Word leaves one [bookmark: _GoBack] where the cursor last was
    marked = rng.choice(paragraphs) if paragraphs and rng.random() < noise.bookmark else None
    out: list[str] = [*view.title_lines, ""] if rng.random() < 0.7 else [*view.title_lines]

    def para(text: str) -> None:
        nonlocal marked
        if marked is not None and text == marked:
            text, marked = "[bookmark: _GoBack]" + text, None
        out.append(text)

    for kind, item in body(view, rng, noise):
        if kind == "heading":
            out.append(item)
        elif kind == "paragraph":
            para(item)
        else:
            out.extend(grid_lines(item))
            out.extend([""] * rng.choice((1, 1, 2)))  # the row's blank line plus one or two
    if view.closing:
        out.append("")
        out.extend(view.closing)
    return "\n".join(out) + "\n"
