"""Rich rendering of a Report for people: the three tables in the official layout.

Row and column labels come from the layout data, so a new layout renders without edits here.
"""

from __future__ import annotations

from rich import box
from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from nianbao.document import Location
from nianbao.layouts import Layout, get
from nianbao.model import Report

_SEVERITY_STYLE = {"error": "bold red", "warning": "yellow", "info": "cyan"}
_SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}
_STATUS_CN = {"ok": "[green]完整[/]", "partial": "[yellow]部分[/]", "failed": "[red]失败[/]"}


def _fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _flagged(report: Report) -> set[tuple[str | None, str | None, str | None]]:
    return {(p.table, p.row, p.column) for p in report.problems if p.table}


def _cell(value, table: str, row: str, col: str, flagged) -> Text:
    style = "reverse red" if {(table, row, col), (table, row, None)} & flagged else ""
    if value is None:
        return Text("·", style=style or "dim")
    return Text(_fmt(value), style=style)


def _layout_of(report: Report, table: str) -> Layout:
    return get(report.table_layouts.get(table) or
               (report.layout if report.layout in ("2019", "2021") else "2021"))


def table2_view(report: Report) -> Table | None:
    if report.table2 is None:
        return None
    spec = _layout_of(report, "table2").table2
    flagged = _flagged(report)
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


def table3_view(report: Report) -> Table | None:
    if report.table3 is None:
        return None
    spec = _layout_of(report, "table3").table3
    flagged = _flagged(report)
    t = Table(title="三、收到和处理政府信息公开申请情况", box=box.SIMPLE_HEAVY,
              caption="本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和",
              padding=(0, 1), pad_edge=False)
    t.add_column("项目", min_width=14, max_width=30, overflow="fold")
    for c in spec.columns:
        t.add_column(c.label, justify="right", min_width=4, max_width=6, overflow="fold")
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


def table4_view(report: Report) -> Table | None:
    if report.table4 is None:
        return None
    spec = _layout_of(report, "table4").table4
    flagged = _flagged(report)
    t = Table(title="四、政府信息公开行政复议、行政诉讼情况", box=box.SIMPLE_HEAVY)
    t.add_column("")
    for c in spec.columns:
        t.add_column(c.label, justify="right")
    for g in spec.groups:
        values = report.table4.get(g.key) or {}
        t.add_row(g.label, *[_cell(values.get(c.key), "table4", g.key, c.key, flagged)
                             for c in spec.columns])
    return t


def meta_view(report: Report) -> Panel:
    m = report.meta
    lines = [
        f"[bold]{m.title or '（无标题）'}[/]",
        f"发布机关：{m.agency or '—'}    年度：{m.year or '—'}    "
        f"统计期限：{' 至 '.join(m.period) if m.period else '—'}",
        f"格式：{report.layout or '—'}"
        + (f"（各表：{report.table_layouts}）" if report.layout == "mixed" else "")
        + f"    引用模板：{'、'.join(m.cited_templates) or '—'}    状态：{_STATUS_CN[report.status]}",
    ]
    if m.website:
        lines.append(f"下载网址：{m.website}")
    c = m.contact
    contact = "  ".join(f"{k}：{v}" for k, v in (("地址", c.address), ("电话", c.phone),
                                                 ("邮编", c.postcode), ("邮箱", c.email)) if v)
    if contact:
        lines.append(f"联系方式：{contact}")
    return Panel("\n".join(lines), title=report.source.name if report.source else "年报")


def problems_view(report: Report) -> Group | None:
    if not report.problems:
        return None
    lines = [Text("解析问题：", style="bold")]
    for p in report.problems:
        where = f"（{_where(p)}）" if p.location else ""
        lines.append(Text(f"  {_SEVERITY_CN[p.severity]} {p.code}：{p.message}{where}",
                          style=_SEVERITY_STYLE[p.severity]))
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
                      "  ".join(s.heading for s in report.sections))
    if report.narrative:
        figs = "；".join(f"{f.label or f.key}={f.value}" for f in report.narrative[:12])
        console.print(Text("正文数字：", style="bold"), figs)
    problems = problems_view(report)
    if problems is not None:
        console.print(problems)
