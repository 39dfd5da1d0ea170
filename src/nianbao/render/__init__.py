"""Render a report in the official layout: flattened Word text, HTML, DOCX, Markdown.

Every renderer works from a ``ReportView`` (layout, meta, title, sections, tables), built
by ``view_of`` from either a ``nianbao.synth.SyntheticReport`` or a parsed
``nianbao.Report``, and from the format-neutral ``Grid`` of each statistical table built
here from the layout data. A renderer only decides how a grid and paragraphs are printed.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field
from decimal import Decimal

from nianbao.layouts import Column, Layout, TableSpec, get

# Header texts of the official template that are not labels of any key. The layout files
# list them (as cores) under ``boilerplate``; the printed wording is the template's.
T3_CORNER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
T3_APPLICANTS = "申请人情况"
T3_ORGS = "法人或其他组织"
T2_CONTENT = "信息内容"
T4_SUBGROUP = " — "  # "行政诉讼 — 复议后起诉": a group printed under a shared parent header
_TOP_LEVEL = re.compile(r"^[一二三四五六七八九十]+、")  # 一、本年新收… rows span all label columns
_FULLWIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


@dataclass(slots=True)
class SectionView:
    key: str | None
    heading: str
    paragraphs: list[str]


@dataclass(slots=True)
class ReportView:
    """What every renderer needs; independent of where the report came from."""

    layout: Layout
    title_lines: list[str]
    preamble: list[str]
    sections: list[SectionView]
    closing: list[str]
    tables: dict[str, dict | None]
    meta: dict
    seed: int = 0

    def table_after(self, section_key: str | None) -> str | None:
        """The statistical table printed under a section (the one whose label it shares)."""
        sec = next((s for s in self.layout.sections if s.key == section_key), None)
        if sec is None:
            return None
        return next((n for n, t in self.layout.tables.items() if t.label == sec.label), None)


def view_of(r) -> ReportView:
    """Build the view from a SyntheticReport or a ``nianbao.Report`` (duck-typed)."""
    meta = r.meta.model_dump() if hasattr(r.meta, "model_dump") else dict(r.meta)
    lay_key = r.layout if r.layout in ("2021", "2019") else None
    if lay_key is None:
        lay_key = next(iter(getattr(r, "table_layouts", {}).values()), "2021")
    lay = get(lay_key)
    title = meta.get("title") or "政府信息公开工作年度报告"
    by_key = {s.key: s for s in r.sections}
    sections = []
    for s in lay.sections:  # official order; a section the source lacks gets its heading only
        src = by_key.get(s.key)
        if src is None:
            sections.append(SectionView(s.key, f"{s.number}、{s.label}", []))
        else:
            paras = list(getattr(src, "paragraphs", None) or [p for p in src.text.split("\n") if p])
            sections.append(SectionView(s.key, src.heading, paras))
    return ReportView(
        layout=lay,
        title_lines=list(getattr(r, "title_lines", None) or [title]),
        preamble=list(getattr(r, "preamble", None) or []),
        sections=sections,
        closing=list(getattr(r, "closing", None) or []),
        tables={"table2": r.table2, "table3": r.table3, "table4": r.table4},
        meta=meta,
        seed=getattr(r, "seed", 0),
    )


def noise_of(r, noise):
    from nianbao.synth import Noise

    return noise if noise is not None else getattr(r, "noise", None) or Noise()


def rng_for(view: ReportView, fmt: str) -> random.Random:
    return random.Random(f"{view.seed}:{fmt}")


# ----------------------------------------------------------------------------- grid
@dataclass(slots=True)
class GridCell:
    text: str
    colspan: int = 1
    rowspan: int = 1
    continued: bool = False  # covered by the cell above (vertical merge)
    kind: str = "label"  # "header" | "label" | "value"


@dataclass(slots=True)
class Grid:
    """One physical table: every row covers all grid columns (continuations included)."""

    name: str
    ncols: int
    rows: list[list[GridCell]] = field(default_factory=list)


def fix_spans(rows: list[list[GridCell]]) -> list[list[GridCell]]:
    """Recompute rowspans from continuation cells; a continuation without origin restarts."""
    origin: dict[int, GridCell] = {}
    for row in rows:
        col = 0
        for cell in row:
            if cell.continued and col in origin:
                origin[col].rowspan += 1
            else:
                if cell.continued:  # its origin is in another physical table: an empty cell
                    cell.continued, cell.text = False, ""
                cell.rowspan = 1
                origin[col] = cell
            col += cell.colspan
    return rows


def split(grid: Grid, at: int) -> list[Grid]:
    """Two physical tables, rows [0, at) and [at, …); vertical merges are cut at the split."""
    import copy

    rows = copy.deepcopy(grid.rows)
    return [Grid(grid.name, grid.ncols, fix_spans(rows[:at])),
            Grid(grid.name, grid.ncols, fix_spans(rows[at:]))]


def fmt_value(v, col: Column | None, rng: random.Random, noise, unit: str = "件") -> str:
    """Print one statistical value as real reports do; ``None`` is a blank cell."""
    if v is None:
        return ""
    if isinstance(v, float):
        s = f"{Decimal(repr(v)):f}"
        if "." in s:
            s = s.rstrip("0").rstrip(".")
    else:
        s = str(v)
    if abs(v) >= 1000 and rng.random() < noise.thousands:
        whole, _, frac = s.partition(".")
        s = f"{int(whole):,}" + (f".{frac}" if frac else "")
    if rng.random() < noise.fullwidth:
        s = s.translate(_FULLWIDTH)
    if rng.random() < noise.units:
        s += "万元" if col is not None and col.kind == "money" else unit
    if rng.random() < noise.spaces:
        pad = rng.choice((" ", "\u3000", "  "))
        s = pad + s if rng.random() < 0.5 else s + pad
    return s


def _header(text: str, rng: random.Random, noise, **kw) -> GridCell:
    """A header cell, sometimes on two lines as narrow Word cells print 商业/企业."""
    if len(text) == 4 and rng.random() < noise.multiline:
        text = text[:2] + "\n" + text[2:]
    return GridCell(text, kind="header", **kw)


def _widths(n: int, total: int) -> list[int]:
    """Spread n printed columns over ``total`` grid columns, the last taking the rest."""
    return [1] * (n - 1) + [total - n + 1] if n else []


def table2_grid(spec: TableSpec, values: dict, rng, noise) -> Grid:
    width = max(len(spec.row_columns(r)) for r in spec.rows)
    g = Grid(spec.name, width + 1)
    groups: list[tuple[tuple, list]] = []
    for row in spec.rows:
        key = (row.item, row.columns)
        if groups and groups[-1][0] == key:
            groups[-1][1].append(row)
        else:
            groups.append((key, [row]))
    for (item, _), rows in groups:
        cols = spec.row_columns(rows[0])
        spans = _widths(len(cols), width)
        g.rows.append([GridCell(item or "", colspan=width + 1, kind="header")])
        heads = [_header(c.label, rng, noise, colspan=s) for c, s in zip(cols, spans, strict=True)]
        g.rows.append([GridCell(T2_CONTENT, kind="header"), *heads])
        for row in rows:
            vals = values.get(row.key, {})
            unit = "项" if any(c.signed for c in cols) else "件"
            g.rows.append([GridCell(row.label)] + [
                GridCell(fmt_value(vals.get(c.key), c, rng, noise, unit), colspan=s, kind="value")
                for c, s in zip(cols, spans, strict=True)])
    return g


def table3_grid(spec: TableSpec, values: dict, rng, noise) -> Grid:
    cols = spec.columns
    g = Grid(spec.name, 3 + len(cols))
    if rng.random() < noise.merged_headers:
        g.rows.append([GridCell(T3_CORNER, colspan=3, kind="header"),
                       GridCell(T3_APPLICANTS, colspan=len(cols), kind="header")])
        g.rows.append([GridCell("", colspan=3, continued=True), _header(cols[0].label, rng, noise),
                       GridCell(T3_ORGS, colspan=len(cols) - 2, kind="header"),
                       _header(cols[-1].label, rng, noise)])
        g.rows.append([GridCell("", colspan=3, continued=True), GridCell("", continued=True)]
                      + [_header(c.label, rng, noise) for c in cols[1:-1]]
                      + [GridCell("", continued=True)])
    else:
        g.rows.append([GridCell(T3_CORNER, colspan=3, kind="header"),
                       GridCell(T3_APPLICANTS, colspan=len(cols), kind="header")])
        g.rows.append([GridCell("", colspan=3, continued=True)]
                      + [_header(c.label, rng, noise) for c in cols])
    referenced = {r.group for r in spec.rows}
    results = next((x for x in spec.groups if x.key not in referenced), None)
    groups = {x.key: x for x in spec.groups}
    seen: set[str | None] = set()
    for row in spec.rows:
        vals = values.get(row.key, {})
        cells = [GridCell(fmt_value(vals.get(c.key), c, rng, noise), kind="value") for c in cols]
        if _TOP_LEVEL.match(row.label) or results is None:
            g.rows.append([GridCell(row.label, colspan=3), *cells])
            continue
        first = results.key not in seen
        seen.add(results.key)
        lead = [GridCell(results.label) if first else GridCell("", continued=True)]
        if row.group is None:
            lead.append(GridCell(row.label, colspan=2))
        else:
            lead.append(GridCell(groups[row.group].label) if row.group not in seen
                        else GridCell("", continued=True))
            seen.add(row.group)
            lead.append(GridCell(row.label))
        g.rows.append(lead + cells)
    fix_spans(g.rows)
    return g


def table4_grid(spec: TableSpec, values: dict, rng, noise) -> Grid:
    cols, groups = spec.columns, spec.groups
    g = Grid(spec.name, len(cols) * len(groups))
    value_row = [GridCell(fmt_value(values.get(gr.key, {}).get(c.key), c, rng, noise), kind="value")
                 for gr in groups for c in cols]
    if rng.random() >= noise.merged_headers:
        # no shared parent header: 行政诉讼（复议后起诉） in one cell
        flat = [gr.label.replace(T4_SUBGROUP, "（") + ("）" if T4_SUBGROUP in gr.label else "")
                for gr in groups]
        g.rows.append([GridCell(x, colspan=len(cols), kind="header") for x in flat])
        g.rows.append([_header(c.label, rng, noise) for _ in groups for c in cols])
        g.rows.append(value_row)
        return g
    top: list[GridCell] = []
    mid: list[GridCell] = []
    low: list[GridCell] = []
    for gr in groups:
        parent, _, sub = gr.label.partition(T4_SUBGROUP)
        if top and top[-1].text == parent and sub:
            top[-1].colspan += len(cols)
        else:
            top.append(GridCell(parent, colspan=len(cols), kind="header"))
        if sub:
            mid.append(GridCell(sub, colspan=len(cols), kind="header"))
            low.extend(_header(c.label, rng, noise) for c in cols)
        else:
            mid.extend(_header(c.label, rng, noise) for c in cols)
            low.extend(GridCell("", continued=True) for _ in cols)
    g.rows += [top, mid, low, value_row]
    fix_spans(g.rows)
    return g


_BUILDERS = {"table2": table2_grid, "table3": table3_grid, "table4": table4_grid}


def grids(view: ReportView, name: str, rng: random.Random, noise) -> list[Grid]:
    """The physical tables printing one statistical table (split when the noise says so)."""
    values = view.tables.get(name)
    if values is None:
        return []
    grid = _BUILDERS[name](view.layout.tables[name], values, rng, noise)
    if rng.random() >= noise.split or name == "table2":
        return [grid]
    header_rows = next(i for i, row in enumerate(grid.rows) if any(c.kind == "value" for c in row))
    if name == "table4":
        return split(grid, header_rows)
    return split(grid, rng.randint(header_rows + 1, len(grid.rows) - 1))


def body(view: ReportView, rng: random.Random, noise):
    """The report in reading order, the same for every renderer: ``(kind, item)`` pairs.

    kind is "paragraph" or "heading" (item: text), or "table" / "table_continued" (item: a
    Grid; "continued" when a statistical table is printed split into several pieces).
    Lazy on purpose: grids draw from ``rng`` only when reached, after the text before them.
    """
    for p in view.preamble:
        yield "paragraph", p
    for sec in view.sections:
        yield "heading", sec.heading
        for p in sec.paragraphs:
            yield "paragraph", p
        name = view.table_after(sec.key)
        for i, grid in enumerate(grids(view, name, rng, noise) if name else ()):
            yield ("table_continued" if i else "table"), grid


def render(r, fmt: str, noise=None) -> bytes:
    """Render as bytes in ``fmt`` ("text", "html", "docx", "markdown")."""
    if fmt == "docx":
        from nianbao.render.docx import to_docx

        return to_docx(r, noise)
    if fmt == "html":
        from nianbao.render.html import to_html

        return to_html(r, noise).encode("utf-8")
    if fmt == "markdown":
        from nianbao.render.markdown import to_markdown

        return to_markdown(r, noise).encode("utf-8")
    if fmt == "text":
        from nianbao.render.text import to_text

        return to_text(r, noise).encode("utf-8")
    raise ValueError(f"未知的输出格式：{fmt}")


__all__ = ["Grid", "GridCell", "ReportView", "grids", "render", "view_of"]
