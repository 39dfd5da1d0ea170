"""``nianbao agencies``: the agency registry (import a list, list, search, show, correct)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nianbao.errors import NianbaoError

EXIT_OK, EXIT_BAD_ROWS, EXIT_ERROR = 0, 1, 2
ORIGIN_CN = {"auto": "自动识别", "imported": "导入", "edited": "手工更正"}
STATUS_CN = {"ok": "完整", "partial": "不完整", "failed": "无法读取"}

agencies_app = typer.Typer(
    name="agencies", no_args_is_help=True, add_completion=False,
    help="单位名录：导入本辖区单位清单，查看、查找和更正单位的名称、别名、层级和所在行政区划。")

Db = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则 ./nianbao.db）。",
    show_default=False)]
_out = Console(soft_wrap=True, highlight=False)
_err = Console(stderr=True, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``nianbao`` app."""
    app.add_typer(agencies_app, name="agencies")


@contextmanager
def _session(db: str | None) -> Iterator:
    """One transaction on the store; any nianbao error becomes one Chinese line, exit 2."""
    from nianbao.store import open_store

    try:
        with open_store(db).session() as session:
            yield session
    except NianbaoError as exc:
        _err.print(f"[red]错误：[/]{escape(exc.one_line())}")
        raise typer.Exit(EXIT_ERROR) from None


def _region_text(region: list[tuple[str, str, str]]) -> str:
    names = [name for i, (_level, _code, name) in enumerate(region)
             if i == 0 or name != region[i - 1][2]]  # 北京市/北京市/东城区 reads 北京市/东城区
    return "/".join(names)


def _agency_table(session, agencies, title: str) -> Table:
    from nianbao.store.agencies import region_chain, report_counts

    counts = report_counts(session, [a.id for a in agencies])
    table = Table(title=title, title_justify="left")
    for header in ("名称", "级别", "所在行政区划", "区划代码", "来源", "报告数"):
        table.add_column(header, overflow="fold")
    for a in agencies:
        table.add_row(escape(a.name), a.level or "—",
                      _region_text(region_chain(session, a.region_code)) or "—",
                      a.region_code or "—", ORIGIN_CN.get(a.origin, a.origin),
                      str(counts.get(a.id, 0)))
    return table


@agencies_app.command("import")
def import_command(
    file: Annotated[Path, typer.Argument(help="单位清单：.csv（UTF-8 或 GBK）或 .xlsx。",
                                         show_default=False)],
    db: Db = None,
) -> None:
    """导入单位清单（CSV 或 XLSX）。

    表头：名称（必填）、别名（多个用 ；或 、 分隔）、级别（政府/部门/乡镇街道）、
    区划（区划代码或路径，如 江西省/宜春市/樟树市；留空则按名称自动识别）。已有单位（名称或别名相同）
    会被更新，其年报的层级和地区随之更新；别名正是某个自动建立的单位的名称时，两者合并。
    退出码 0 全部导入，1 有行未导入（逐行列出），2 文件无法读取。"""
    from nianbao.store.agency_import import import_agencies

    with _session(db) as session:
        result = import_agencies(session, file)
    _out.print(f"{escape(result.file)}：新建 {result.created} 个单位，更新 {result.updated} 个，"
               f"未变 {result.unchanged} 个，未导入 {len(result.problems)} 行。")
    if result.problems:
        table = Table(title="未导入的行（改正后重新导入即可，已导入的行不受影响）", title_justify="left")
        for header in ("行", "列", "问题"):
            table.add_column(header, overflow="fold")
        for p in result.problems:
            table.add_row(str(p.row), p.column or "—", escape(p.message))
        _out.print(table)
        raise typer.Exit(EXIT_BAD_ROWS)


@agencies_app.command("list")
def list_command(
    region: Annotated[str | None, typer.Option(
        "--region", help="只列出这个行政区划（含其下各级）的单位：代码、名称或路径，如 樟树市、"
        "江西省/宜春市。", show_default=False)] = None,
    level: Annotated[str | None, typer.Option(
        "--level", help="只列出这一级别：政府、部门、乡镇街道。", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多列出多少个单位。")] = 1000,
    db: Db = None,
) -> None:
    """列出单位名录（按所在区划和名称排序）。"""
    from nianbao.store.agencies import list_agencies

    with _session(db) as session:
        agencies = list_agencies(session, region=region, level=level, limit=limit + 1)
        if not agencies:
            _out.print("没有符合条件的单位。")
            return
        shown = agencies[:limit]
        _out.print(_agency_table(session, shown, f"共 {len(shown)} 个单位"
                                 + ("（只显示前这些，可用 --limit 调整）" if len(agencies) > limit else "")))


@agencies_app.command("search")
def search_command(
    fragment: Annotated[str, typer.Argument(help="名称片段：单位名称、别名或所在乡镇街道、县市的名称。",
                                            show_default=False)],
    db: Db = None,
) -> None:
    """按名称片段查找单位。

    也查别名和所在乡镇、街道、县市的名称。"""
    from nianbao.store.agencies import search_agencies

    with _session(db) as session:
        agencies = search_agencies(session, fragment)
        if not agencies:
            _out.print(f"没有名称、别名或所在地包含“{escape(fragment)}”的单位。")
            return
        _out.print(_agency_table(session, agencies, f"找到 {len(agencies)} 个单位"))


@agencies_app.command("show")
def show_command(
    name: Annotated[str, typer.Argument(help="单位名称或别名。", show_default=False)],
    db: Db = None,
) -> None:
    """显示一个单位的全部信息。

    包括别名、级别、所在行政区划（含代码）和库中的年报。"""
    from nianbao.store.agencies import describe
    from nianbao.store.divisions import LEVEL_CN

    with _session(db) as session:
        d = describe(session, name)
        a = d.agency
        _out.print(f"[bold]{escape(a.name)}[/]")
        _out.print(f"别名：{escape('、'.join(d.aliases)) or '无'}")
        _out.print(f"级别：{a.level or '未设置'}")
        region = "；".join(f"{LEVEL_CN[lvl]} {escape(n)}（{code}）" for lvl, code, n in d.region)
        _out.print(f"所在行政区划：{region or '未确定（可用 nianbao agencies set --region 设置）'}")
        _out.print(f"来源：{ORIGIN_CN.get(a.origin, a.origin)}")
        if not d.reports:
            _out.print("库中没有这个单位的年报。")
            return
        table = Table(title=f"年报 {len(d.reports)} 份", title_justify="left")
        for header in ("年度", "标题", "状态", "当前版本", "得分"):
            table.add_column(header, overflow="fold")
        for r in d.reports:
            table.add_row(str(r.year or "—"), escape(r.title or "—"), STATUS_CN.get(r.status, r.status),
                          "是" if r.is_current else "否（已被取代）",
                          "—" if r.score is None else str(r.score))
        _out.print(table)


@agencies_app.command("set")
def set_command(
    name: Annotated[str, typer.Argument(help="单位名称或别名。", show_default=False)],
    level: Annotated[str | None, typer.Option(
        "--level", help="级别：政府、部门、乡镇街道（空字符串清除）。", show_default=False)] = None,
    region: Annotated[str | None, typer.Option(
        "--region", help="所在行政区划：代码、名称或路径，如 江西省/宜春市/樟树市（空字符串清除）。",
        show_default=False)] = None,
    alias: Annotated[list[str] | None, typer.Option(
        "--alias", help="增加别名，可重复或用 ；、分隔。", show_default=False)] = None,
    db: Db = None,
) -> None:
    """更正一个单位的级别、所在行政区划或别名。

    其年报的层级和地区随之更新。"""
    from nianbao.store.agencies import region_chain, set_agency

    if level is None and region is None and not alias:
        _err.print("[red]错误：[/]没有要更正的内容；请给出 --level、--region 或 --alias。"
                   + escape(" [nothing_to_set]"))
        raise typer.Exit(EXIT_ERROR)
    with _session(db) as session:
        agency = set_agency(session, name, level=level, region=region, alias=alias)
        place = _region_text(region_chain(session, agency.region_code)) or "未确定"
        _out.print(f"已更正 {escape(agency.name)}：级别 {agency.level or '未设置'}，所在行政区划 {place}。")


@agencies_app.command("merge")
def merge_command(
    source: Annotated[str, typer.Argument(help="要并入的单位（名称或别名），合并后不再单独存在。",
                                          show_default=False)],
    target: Annotated[str, typer.Argument(help="保留的单位（名称或别名）。", show_default=False)],
    db: Db = None,
) -> None:
    """把两个其实是同一单位的条目合并。

    年报和别名归入保留的单位，被并入单位的名称成为别名；
    同一年度两边都有当前年报时，落款日期较晚（或较后入库）的一份保持为当前版本。"""
    from nianbao.store.agencies import merge_agencies

    with _session(db) as session:
        agency = merge_agencies(session, source, target)
        _out.print(f"已把“{escape(source)}”并入 {escape(agency.name)}。")
