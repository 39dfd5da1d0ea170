"""Rich rendering of a Report for people: the three tables in the official layout, and findings.

Row and column labels come from the layout data, so a new layout renders without edits here.
Everything taken from a report is untrusted text: it goes into ``Text`` objects (never into
console markup), so a bracket in an agency name cannot restyle or hide output.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from nianbao.document import Location
from nianbao.layouts import Layout, get
from nianbao.model import Meta, Report
from nianbao.rules.engine import SEVERITY_CN, SEVERITY_ORDER, Finding
from nianbao.rules.table_common import finding_cells

SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_CELL_STYLE = {"error": "reverse red", "warning": "reverse yellow", "info": "underline cyan"}
_STATUS_CN = {"ok": "完整", "partial": "部分", "failed": "失败"}
_STATUS_STYLE = {"ok": "green", "partial": "yellow", "failed": "red"}
TABLE_SHORT = {"table2": "表二", "table3": "表三", "table4": "表四"}

# printed in the corner of the official table 三
BALANCE_NOTE = "本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和"

Flagged = dict[tuple[str, str, str | None], str]  # (table, row, column or None) -> severity


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def flagged_cells(report: Report, findings: Iterable[Finding] = ()) -> Flagged:
    """Cells (or whole rows, column None) that a parse problem or a finding points at."""
    out: Flagged = {}
    marks = [(p.table, p.row, p.column, p.severity) for p in report.problems if p.table and p.row]
    marks += [(*cell, f.severity) for f in findings for cell in finding_cells(report, f)]
    for table, row, col, sev in marks:
        key = (table, row, col)
        if key not in out or SEVERITY_ORDER[sev] > SEVERITY_ORDER[out[key]]:
            out[key] = sev
    return out


def _cell(value, table: str, row: str, col: str, flagged: Flagged) -> Text:
    sev = flagged.get((table, row, col)) or flagged.get((table, row, None))
    if sev is None:
        return Text("·", style="dim") if value is None else Text(_fmt(value))
    # brackets keep the mark visible where colour is lost (pipes, NO_COLOR, e-mail)
    return Text(f"[{_fmt(value) or '·'}]", style=_CELL_STYLE[sev])


def _layout_of(report: Report, table: str) -> Layout:
    return get(report.table_layouts.get(table) or
               (report.layout if report.layout in ("2019", "2021") else "2021"))


def table2_view(report: Report, flagged: Flagged | None = None) -> Table | None:
    if report.table2 is None:
        return None
    spec = _layout_of(report, "table2").table2
    flagged = flagged_cells(report) if flagged is None else flagged
    t = Table(title="二、主动公开政府信息情况", box=box.SIMPLE_HEAVY, show_header=False)
    t.add_column("信息内容", min_width=14)
    width = max(len(r.columns) for r in spec.rows)
    for _ in range(width):
        t.add_column(justify="right")
    last_header = None
    for row in spec.rows:
        cols = spec.row_columns(row)
        header = (row.item, tuple(c.key for c in cols))
        if header != last_header:
            t.add_row(Text(row.item or "", style="bold"), *[""] * width)
            t.add_row(Text("信息内容", style="dim"),
                      *[Text(c.label, style="dim") for c in cols], *[""] * (width - len(cols)))
            last_header = header
        values = report.table2.get(row.key)
        if values is None:
            t.add_row(Text(row.label, style="red"), Text("缺失", style="red"),
                      *[""] * (width - 1))
            continue
        t.add_row(row.label, *[_cell(values.get(c.key), "table2", row.key, c.key, flagged)
                               for c in cols], *[""] * (width - len(cols)))
    return t


def table3_view(report: Report, flagged: Flagged | None = None) -> Table | None:
    if report.table3 is None:
        return None
    spec = _layout_of(report, "table3").table3
    flagged = flagged_cells(report) if flagged is None else flagged
    t = Table(title="三、收到和处理政府信息公开申请情况", box=box.SIMPLE_HEAVY,
              caption=BALANCE_NOTE,
              padding=(0, 1), pad_edge=False)
    t.add_column("项目", min_width=14, max_width=30, overflow="fold")
    for c in spec.columns:
        t.add_column(c.label, justify="right", min_width=4, max_width=8, overflow="fold")
    groups = {g.key: g.label for g in spec.groups}
    shown_groups: set[str] = set()
    for row in spec.rows:
        if row.group and row.group not in shown_groups:
            t.add_row(Text(groups[row.group], style="bold"), *[""] * len(spec.columns))
            shown_groups.add(row.group)
        label = ("    " if row.group else "") + row.label
        values = report.table3.get(row.key)
        if values is None:
            t.add_row(Text(label, style="red"), Text("缺失", style="red"),
                      *[""] * (len(spec.columns) - 1))
            continue
        t.add_row(label, *[_cell(values.get(c.key), "table3", row.key, c.key, flagged)
                           for c in spec.columns])
    return t


def table4_view(report: Report, flagged: Flagged | None = None) -> Table | None:
    if report.table4 is None:
        return None
    spec = _layout_of(report, "table4").table4
    flagged = flagged_cells(report) if flagged is None else flagged
    t = Table(title="四、政府信息公开行政复议、行政诉讼情况", box=box.SIMPLE_HEAVY)
    t.add_column("")
    for c in spec.columns:
        t.add_column(c.label, justify="right")
    for g in spec.groups:
        values = report.table4.get(g.key) or {}
        t.add_row(g.label, *[_cell(values.get(c.key), "table4", g.key, c.key, flagged)
                             for c in spec.columns])
    return t


TABLE_VIEWS = {"table2": table2_view, "table3": table3_view, "table4": table4_view}


def meta_view(report: Report) -> Panel:
    m = report.meta
    lines = [
        Text(m.title or "（无标题）", style="bold"),
        Text(f"发布机关：{m.agency or '—'}    年度：{m.year or '—'}    "
             f"统计期限：{' 至 '.join(m.period) if m.period else '—'}"),
        Text.assemble(
            f"格式：{report.layout or '—'}",
            f"（各表：{report.table_layouts}）" if report.layout == "mixed" else "",
            f"    引用模板：{'、'.join(m.cited_templates) or '—'}    状态：",
            (_STATUS_CN[report.status], _STATUS_STYLE[report.status])),
    ]
    if m.website:
        lines.append(Text(f"下载网址：{m.website}"))
    c = m.contact
    contact = "  ".join(f"{k}：{v}" for k, v in (("地址", c.address), ("电话", c.phone),
                                                 ("邮编", c.postcode), ("邮箱", c.email)) if v)
    if contact:
        lines.append(Text(f"联系方式：{contact}"))
    title = Text(report.source.name) if report.source and report.source.name else "年报"
    return Panel(Group(*lines), title=title)


def problems_view(report: Report) -> Group | None:
    if not report.problems:
        return None
    lines = [Text("解析问题：", style="bold")]
    for p in report.problems:
        where = f"（{_where(p)}）" if p.location else ""
        lines.append(Text(f"  {SEVERITY_CN[p.severity]} {p.code}：{p.message}{where}",
                          style=SEVERITY_STYLE[p.severity]))
    return Group(*lines)


def _where(p) -> str:
    return Location(**p.location.model_dump()).describe()


def print_report(report: Report, console: Console) -> None:
    console.print(meta_view(report))
    for view in (table2_view(report), table3_view(report), table4_view(report)):
        if view is not None:
            console.print(view)
    if report.sections:
        console.print(Text("各部分：", style="bold"),
                      Text("  ".join(s.heading for s in report.sections)))
    if report.narrative:
        figs = "；".join(f"{f.label or f.key}={f.value}" for f in report.narrative[:12])
        console.print(Text("正文数字：", style="bold"), Text(figs))
    problems = problems_view(report)
    if problems is not None:
        console.print(problems)


# ------------------------------------------------------------------ findings

_DESCRIPTION_HEAD = re.compile(r"[（(\[\s：:，,；]")


_FIELD_NAMES = {"layout": "表格格式", "table_layouts": "表格格式"}  # descriptions read badly here


def field_label(name: str) -> str:
    """A metadata field's Chinese name, from the model's own field description."""
    if name in _FIELD_NAMES:
        return _FIELD_NAMES[name]
    for model in (Meta, Report):
        f = model.model_fields.get(name)
        if f is not None and f.description:
            return _DESCRIPTION_HEAD.split(f.description, maxsplit=1)[0] or name
    return name


def cell_label(report: Report, table: str, row: str | None, column: str | None) -> str:
    """"表三 › （三）不予公开 1.属于国家秘密 › 自然人", labels from the report's layout."""
    parts = [TABLE_SHORT.get(table, table)]
    spec = _layout_of(report, table).tables.get(table) if table in TABLE_SHORT else None
    if spec is not None and row:
        groups = {g.key: g.label for g in spec.groups}
        rows = {r.key: r for r in spec.rows}
        if row in rows:
            r = rows[row]
            parts.append(f"{groups[r.group]} {r.label}" if r.group in groups else r.label)
        else:
            parts.append(groups.get(row, row))
    elif row:
        parts.append(row)
    if column:
        cols = {c.key: c.label for c in spec.columns} if spec is not None else {}
        parts.append(cols.get(column, column))
    return " › ".join(parts)


def section_label(report: Report, key: str) -> str:
    sec = next((s for s in report.sections if s.key == key), None)
    if sec is not None:
        return sec.heading
    lay_sec = next((s for s in _layout_of(report, "table3").sections if s.key == key), None)
    return f"{lay_sec.number}、{lay_sec.label}" if lay_sec else key


def finding_where(report: Report, finding: Finding) -> str:
    """For people: the table cell, section, metadata field and source position of a finding."""
    loc = finding.location
    parts = []
    if loc.table:
        parts.append(cell_label(report, loc.table, loc.row, loc.column))
    if loc.section:
        parts.append(f"部分“{section_label(report, loc.section)}”")
    if loc.field:
        parts.append(f"字段“{field_label(loc.field)}”")
    if loc.source:
        parts.append("原文" + Location(**loc.source.model_dump()).describe())
    return "；".join(parts) or "全文"


def findings_view(report: Report, findings: list[Finding]) -> Group:
    from nianbao.rules import all_rules

    rules = all_rules()
    if not findings:
        return Group(Text("未发现问题。", style="green"))
    lines: list = [Text(f"发现的问题（{len(findings)} 个）：", style="bold")]
    for n, f in enumerate(findings, 1):
        r = rules.get(f.code)
        lines.append(Text.assemble(f"{n:>3}. ", (f"{SEVERITY_CN[f.severity]} {f.code}",
                                                 SEVERITY_STYLE[f.severity]),
                                   f"  {r.title}" if r else ""))
        lines.append(_indented(Text(f.message)))
        lines.append(_indented(Text(f"位置：{finding_where(report, f)}", style="dim")))
        if r is not None:
            lines.append(_indented(Text(f"改正：{r.doc.fix}", style="green")))
    return Group(*lines)


def _indented(text: Text) -> Padding:
    return Padding(text, (0, 0, 0, 5))  # wrapped lines keep the indent


def counts_text(counts: dict[str, int], score: int) -> Text:
    return Text.assemble(("错误 ", ""), (str(counts.get("error", 0)), SEVERITY_STYLE["error"]),
                         "  警告 ", (str(counts.get("warning", 0)), SEVERITY_STYLE["warning"]),
                         "  提示 ", (str(counts.get("info", 0)), SEVERITY_STYLE["info"]),
                         f"  得分 {score}")


def print_check(report: Report, result, console: Console, *, full: bool = True) -> None:
    """One checked report: the tables with offending cells marked, then every finding.

    ``full`` shows the metadata and all three tables (one file); otherwise (batches) a
    heading line and only the tables that a finding or parse problem points into.
    """
    flagged = flagged_cells(report, result.findings)
    if full:
        console.print(meta_view(report))
    else:
        name = report.source.name if report.source and report.source.name else "年报"
        console.rule(Text(f"{name}  {report.meta.agency or ''} {report.meta.year or ''}"),
                     align="left")
    shown = set(TABLE_VIEWS) if full else {t for t, _, _ in flagged}
    for name, view in TABLE_VIEWS.items():
        if name in shown and (t := view(report, flagged)) is not None:
            console.print(t)
    problems = problems_view(report)
    if problems is not None:
        console.print(problems)
    console.print(findings_view(report, result.findings))
    console.print(counts_text(result.counts, result.score))


def check_summary_view(rows: list[tuple[str, str | None, int | None, object]]) -> Table:
    """Across files: (path, agency, year, CheckResult or the NianbaoError that stopped it)."""
    t = Table(title=f"检查结果（共 {len(rows)} 份）")
    for col, just in (("文件", "left"), ("发布机关", "left"), ("年度", "right"),
                      ("错误", "right"), ("警告", "right"), ("提示", "right"), ("得分", "right")):
        t.add_column(col, justify=just, overflow="fold")
    for path, agency, year, result in rows:
        counts = getattr(result, "counts", None)
        if counts is None:
            t.add_row(Text(path), Text(f"无法读取（{getattr(result, 'code', '')}）", style="red"),
                      "", "", "", "", "")
            continue
        err, warn = counts.get("error", 0), counts.get("warning", 0)
        t.add_row(Text(path), Text(agency or ""), str(year or ""),
                  Text(str(err), style=SEVERITY_STYLE["error"] if err else ""),
                  Text(str(warn), style=SEVERITY_STYLE["warning"] if warn else ""),
                  str(counts.get("info", 0)), str(result.score))
    return t
