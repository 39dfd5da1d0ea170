"""``nianbao stats / coverage / series / compare / search``: looking into the store.

Thin: each command calls one function of ``store.stats``, ``store.analysis`` or
``store.compare`` and prints its result as Rich tables (Chinese headers from
``stats.FIGURE_DEFS``) or, with ``--json``, as the function's own ``to_dict()``.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Annotated, Any

import typer
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from nianbao.commands.filters import HasErrors, Layout, Level, Region, Years
from nianbao.errors import NianbaoError

EXIT_OK, EXIT_ERROR = 0, 2
STATUS_CN = {"ok": "完整", "partial": "不完整", "failed": "无法读取"}
MISSING = "—"

Db = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则 ./nianbao.db）。",
    show_default=False)]
AsJson = Annotated[bool, typer.Option("--json", help="输出 JSON（供程序使用）。")]

# the CLI's tables of figures (title, figure keys); every key is in stats.FIGURE_DEFS
STATS_VIEWS = (
    ("概况", ("reports", "with_errors", "apps_total", "out_total_processed", "disclosure_rate",
              "review_correction_rate", "litigation_correction_rate", "fee_amount")),
    ("本年新收申请（按申请人）", tuple(f"apps_{a}" for a in (
        "natural_person", "commercial_enterprise", "research_institution", "social_welfare_org",
        "legal_service_org", "other_org", "total"))),
    ("办理结果（件）", ("out_granted", "out_partially_granted", "out_denied", "out_unavailable",
                      "out_not_processed", "out_other", "out_total_processed", "out_carried_over",
                      "out_carried_forward")),
    ("办理结果（占办理总计）", ("share_granted", "share_partially_granted", "share_denied",
                           "share_unavailable", "share_not_processed", "share_other",
                           "disclosure_rate")),
    ("行政复议", ("review_upheld", "review_corrected", "review_other", "review_pending",
                 "review_total", "review_correction_rate")),
    ("行政诉讼（未经复议直接起诉与复议后起诉合计）", (
        "litigation_upheld", "litigation_corrected", "litigation_other", "litigation_pending",
        "litigation_total", "litigation_correction_rate")),
)
SERIES_FIGURES = ("apps_total", "disclosure_rate", "review_correction_rate",
                  "litigation_correction_rate", "fee_amount")


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``nianbao`` app."""
    app.command("stats")(stats_command)
    app.command("coverage")(coverage_command)
    app.command("series")(series_command)
    app.command("compare")(compare_command)
    app.command("search")(search_command)


# ------------------------------------------------------------------ plumbing

def _consoles() -> tuple[Console, Console]:
    return (Console(soft_wrap=True, highlight=False),
            Console(stderr=True, soft_wrap=True, highlight=False))


@contextmanager
def _session(db: str | None) -> Iterator:
    """A read transaction; any nianbao error becomes one Chinese line on stderr, exit 2."""
    from nianbao.store import Store

    err = _consoles()[1]
    try:
        store = Store(db, must_exist=True)
        try:
            with store.reading() as session:
                yield session
        finally:
            store.close()
    except NianbaoError as exc:
        err.print(Text("错误：", style="red") + Text(exc.one_line()))
        raise typer.Exit(EXIT_ERROR) from None


def _dump(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")


def fmt(value: Any, kind: str = "count") -> str:
    """A figure for people: counts with thousands separators, 万元 with 2 decimals,
    rates as percentages; a missing value (no report had a number) as —."""
    if value is None:
        return MISSING
    if kind == "rate":
        return f"{value * 100:.1f}%"
    if kind == "amount":
        return f"{value:,.2f}"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}"


def _figure(row: dict, key: str) -> str:
    from nianbao.store.stats import FIGURE_DEFS

    return fmt(row.get(key), FIGURE_DEFS[key].kind)


# ------------------------------------------------------------------ stats

def _group_cells(row: dict, group_by: list[str]) -> list[str]:
    from nianbao.store.stats import REGION_DIMENSIONS

    cells = []
    for dim in group_by:
        if dim in REGION_DIMENSIONS:
            cells.append(row.get(dim) or row.get(f"{dim}_code") or "（未定位）")
        else:
            value = row.get(dim)
            cells.append("（未知）" if value is None else str(value))
    return cells


def _header(key: str) -> str:
    """A figure's column header inside its table: 申请·自然人 reads 自然人 under 申请."""
    from nianbao.store.stats import FIGURE_DEFS

    return FIGURE_DEFS[key].label.split("·")[-1]


def _table(title: str, headers: list[str], rows: list[list[str]], numeric: int = 0) -> Table:
    """A Rich table whose cells never break: each column is at least as wide as its widest
    value (headers may wrap); the last ``numeric`` columns are right-aligned."""
    view = Table(title=title, title_justify="left")
    first_numeric = len(headers) - numeric
    for i, header in enumerate(headers):
        widest = max((cell_len(r[i]) for r in rows), default=1)
        view.add_column(header, min_width=widest, overflow="fold",
                        justify="right" if i >= first_numeric else "left")
    for row in rows:
        view.add_row(*row)
    return view


def _figures_table(title: str, keys: tuple[str, ...], table) -> Table:
    from nianbao.store.stats import DIMENSIONS

    rows = [[*_group_cells(row, table.group_by), *(_figure(row, k) for k in keys)]
            for row in table.rows]
    if table.group_by:
        rows.append(["合计"] + [""] * (len(table.group_by) - 1)
                    + [_figure(table.total, k) for k in keys])
    headers = [DIMENSIONS[d][0] for d in table.group_by] + [_header(k) for k in keys]
    return _table(title, headers, rows, numeric=len(keys))


def _findings_table(counts) -> Table:
    from nianbao.store.stats import DIMENSIONS
    from nianbao.terminal import SEVERITY_CN

    headers = ["规则", "级别", "标题", *(DIMENSIONS[d][0] for d in counts.group_by),
               "问题数", "涉及报告"]
    rows = [[row["code"], SEVERITY_CN.get(row["severity"], MISSING), row["title"] or "",
             *_group_cells(row, counts.group_by), fmt(row["findings"]), fmt(row["reports"])]
            for row in counts.rows]
    return _table("检查发现（按规则）", headers, rows, numeric=2)


def stats_command(
    by: Annotated[str | None, typer.Option(
        "--by", help="分组：year、province、city、county、township、level、layout，逗号分隔"
        "（也可写 年度、省、市、县、乡镇、层级、格式）。", show_default=False)] = None,
    year: Years = None,
    region: Region = None,
    level: Level = None,
    layout: Layout = None,
    has_errors: HasErrors = None,
    rule: Annotated[str | None, typer.Option(
        "--rule", help="只统计有这些规则问题的报告：逗号分隔的代码或前缀，如 T3-BAL 或 T3,X"
        "（与 --findings 同用时只计这些规则的问题）。", show_default=False)] = None,
    findings: Annotated[bool, typer.Option(
        "--findings", help="另外按规则统计检查发现的问题数。")] = False,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """统计年报库中的当前报告：申请量、办理结果、公开率、复议和诉讼纠错率、收费金额，
    可按年度、地区（省/市/县/乡镇）、机关层级、格式分组；各指标的计算方法见 docs/store.md。"""
    from nianbao.store.selection import Selection, parse_years
    from nianbao.store.stats import finding_counts, parse_group_by, stats

    out, err = _consoles()
    with _session(db) as session:
        group_by = parse_group_by(by)
        selection = Selection(years=parse_years(year), region=region, level=level,
                              layout=layout, has_errors=has_errors, rule=rule)
        table = stats(session, group_by=group_by, filters=selection)
        counts = finding_counts(session, group_by=group_by, filters=selection) if findings \
            else None
    if as_json:
        data = table.to_dict()
        if counts is not None:
            data["finding_counts"] = counts.rows
        _dump(data)
        raise typer.Exit(EXIT_OK)
    words = "；".join(f"{k}：{v}" for k, v in selection.describe()[:6])
    out.print(Text(f"统计范围（{words}）：共 {table.total['reports']:,} 份报告"))
    if not table.total["reports"]:
        err.print(Text("提示：没有符合条件的报告；请放宽筛选条件，或先用 nianbao ingest 导入年报。",
                       style="yellow"))
        raise typer.Exit(EXIT_OK)
    for title, keys in STATS_VIEWS:
        out.print(_figures_table(title, keys, table))
    if counts is not None:
        out.print(_findings_table(counts) if counts.rows else Text("没有检查发现。"))
    out.print(Text("比率均为所选报告的分子之和除以分母之和（不是各报告比率的平均）；空白单元格不计入合计，"
                   "“—”表示没有报告填写。各指标的公式见 docs/store.md“统计与分析”，或用 --json 查看。",
                   style="dim"))
    raise typer.Exit(EXIT_OK)


# ------------------------------------------------------------------ coverage

def coverage_command(
    region: Annotated[str, typer.Option(
        "--region", help="地区：行政区划代码（如 360982）、名称（如 樟树市）或路径（如 "
        "江西省/宜春市/樟树市）。", show_default=False)],
    year: Annotated[int, typer.Option("--year", help="年度，如 2023。", show_default=False)],
    level: Level = None,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """列出地区内（含下级地区）在单位名录中登记、但库中没有该年度报告的机关。"""
    from nianbao.store.analysis import coverage

    out, _ = _consoles()
    with _session(db) as session:
        result = coverage(session, region, year, level=level)
    if as_json:
        _dump(result.to_dict())
        raise typer.Exit(EXIT_OK)
    scope = f"{result.region}（{result.region_code}）{year} 年度" + (f"，{level}" if level else "")
    out.print(Text(f"{scope}：名录中有 {result.expected} 个机关，已收到 {result.received} 份报告"
                   f"（{fmt(result.rate, 'rate')}），缺 {len(result.missing)} 份。"))
    if result.expected == 0:
        out.print(Text("提示：该地区在单位名录中还没有机关；可用 nianbao agencies import 导入本辖区的单位清单。",
                       style="yellow"))
    if result.missing:
        view = Table(title="没有报告的机关", title_justify="left")
        for header in ("机关", "层级", "所在地区", "编号"):
            view.add_column(header, overflow="fold")
        for a in result.missing:
            view.add_row(a.name, a.level or MISSING, a.region or MISSING, str(a.id))
        out.print(view)
    raise typer.Exit(EXIT_OK)


# ------------------------------------------------------------------ series

def series_command(
    agency: Annotated[str, typer.Argument(help="机关名称（或别名、机关编号）。",
                                          show_default=False)],
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """一个机关历年的报告：每年的当前版本和被取代的旧版本、主要指标、检查发现和跨年度问题。"""
    from nianbao.store.analysis import series

    out, _ = _consoles()
    with _session(db) as session:
        result = series(session, agency)
    if as_json:
        _dump(result.to_dict())
        raise typer.Exit(EXIT_OK)
    a = result.agency
    out.print(Text(f"{a.name}（编号 {a.id}，{a.level or '层级未知'}，{a.region or '地区未定位'}）："
                   f"{len(result.entries)} 份报告"))
    if not result.entries:
        raise typer.Exit(EXIT_OK)
    rows = [[str(e.year or MISSING), str(e.report_id),
             "当前" if e.current else f"旧版→{e.superseded_by}", e.published or MISSING,
             fmt(e.score), f"{e.errors}/{e.warnings}",
             *(_figure(e.figures, k) for k in SERIES_FIGURES)] for e in result.entries]
    headers = ["年度", "报告", "版本", "落款日期", "得分", "错误/警告",
               *(_header(k) for k in SERIES_FIGURES)]
    view = _table("历年报告", headers, rows, numeric=len(SERIES_FIGURES))
    for i, e in enumerate(result.entries):
        if not e.current:
            view.rows[i].style = "dim"
    out.print(view)
    for e in result.entries:
        if e.findings:
            found = "、".join(f"{code}×{n}" for code, n in e.findings.items())
            out.print(Text(f"{e.year or MISSING} 年度报告 {e.report_id} 的检查发现：{found}"))
    cross = [(e, f) for e in result.entries for f in e.cross_year]
    if cross:
        view = Table(title="跨年度问题", title_justify="left")
        for header in ("年度", "报告", "规则", "说明"):
            view.add_column(header, overflow="fold")
        for e, f in cross:
            view.add_row(str(e.year), str(e.report_id), f["code"], f["message"])
        out.print(view)
    raise typer.Exit(EXIT_OK)


# ------------------------------------------------------------------ compare

def _value(value: Any, present: bool) -> str:
    if not present:
        return "（无此格）"
    return "（空白）" if value is None else fmt(value)


def _plain(value: Any) -> str:
    if value is None:
        return "（无）"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def compare_command(
    a: Annotated[str, typer.Argument(help="报告 A：报告编号，或 机关名:年度。", show_default=False)],
    b: Annotated[str, typer.Argument(help="报告 B：报告编号，或 机关名:年度。", show_default=False)],
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """比较两份报告：统计表逐格列出不同的数值，正文按句列出改动和相似度。"""
    from nianbao.store.compare import compare

    out, _ = _consoles()
    with _session(db) as session:
        result = compare(session, a, b)
    if as_json:
        _dump(result.to_dict())
        raise typer.Exit(EXIT_OK)
    for tag, ref in (("A", result.a), ("B", result.b)):
        out.print(Text(f"{tag}：报告 {ref.id}，{ref.agency_name or '机关未知'} {ref.year or ''} 年度，"
                       f"{ref.layout or '格式未知'} 格式，落款 {ref.published or MISSING}"
                       + ("" if ref.current else "（旧版）")))
    for m in result.meta:
        out.print(Text(f"{m['label']}：A {_plain(m['a'])} → B {_plain(m['b'])}"))
    if result.cells:
        view = Table(title=f"统计表：{len(result.cells)} 格不同（共比较 {result.cells_compared} 格）",
                     title_justify="left")
        for header in ("表", "行", "列", "A", "B"):
            view.add_column(header, overflow="fold",
                            justify="right" if header in ("A", "B") else "left")
        names = {"table2": "表二", "table3": "表三", "table4": "表四"}
        for d in result.cells:
            view.add_row(names.get(d.table, d.table), d.row_label or d.row,
                         d.column_label or d.column, _value(d.a, d.in_a), _value(d.b, d.in_b))
        out.print(view)
    else:
        out.print(Text(f"统计表：{result.cells_compared} 格全部相同。"))
    if not result.sections:
        out.print(Text("正文：各部分文字相同。"))
    for s in result.sections:
        out.print(Text(f"\n{s.label}（相似度 {s.ratio * 100:.1f}%）", style="bold"))
        for change in s.changes:
            for sentence in change["a"]:
                out.print(Text("- " + sentence, style="red"))
            for sentence in change["b"]:
                out.print(Text("+ " + sentence, style="green"))
    raise typer.Exit(EXIT_OK)


# ------------------------------------------------------------------ search

def search_command(
    fragment: Annotated[str, typer.Argument(help="机关名称片段，如 东华门、樟树、公安局。",
                                            show_default=False)],
    limit: Annotated[int, typer.Option("--limit", help="最多显示的机关数。")] = 50,
    as_json: AsJson = False,
    db: Db = None,
) -> None:
    """按名称片段查找机关（含乡镇、街道）：登记名称、别名和报告上印的名称都会查找。"""
    from nianbao.store.analysis import search

    out, _ = _consoles()
    with _session(db) as session:
        hits, more = search(session, fragment, limit=limit)
    if as_json:
        _dump({"hits": [asdict(h) for h in hits], "more": more})
        raise typer.Exit(EXIT_OK)
    if not hits:
        out.print(Text(f"没有名称含“{fragment}”的机关。"))
        raise typer.Exit(EXIT_OK)
    view = Table(title=f"名称含“{fragment}”的机关", title_justify="left")
    for header in ("机关", "编号", "层级", "所在地区", "匹配", "报告（年度：编号 状态）"):
        view.add_column(header, overflow="fold")
    for h in hits:
        reports = "；".join(
            f"{r['year'] or '年度未知'}：{r['id']} {STATUS_CN.get(r['status'], r['status'])}"
            + ("" if r["current"] else "（旧版）") for r in h.reports) or "无"
        view.add_row(h.agency.name, str(h.agency.id), h.agency.level or MISSING,
                     h.agency.region or MISSING, "；".join(h.matched), reports)
    out.print(view)
    if more:
        out.print(Text(f"只显示前 {limit} 个机关；请写更长的片段，或用 --limit 调高。", style="yellow"))
    raise typer.Exit(EXIT_OK)

