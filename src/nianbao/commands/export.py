"""``nianbao export``: the stored reports to CSV (long / wide), XLSX, Parquet or JSON Lines."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.text import Text

from nianbao.commands.filters import HasErrors, Layout, Level, Region, Years
from nianbao.errors import NianbaoError

EXIT_OK, EXIT_ERROR = 0, 2
SUFFIX_FORMATS = {".xlsx": "xlsx", ".parquet": "parquet", ".jsonl": "jsonl"}


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``nianbao`` app."""
    app.command("export")(export_command)


def export_command(
    output: Annotated[Path | None, typer.Option(
        "--output", "-o", help="输出文件。parquet 格式另在旁边写出 <名>.reports.parquet 和 "
        "<名>.findings.parquet。", show_default=False)] = None,
    fmt: Annotated[str | None, typer.Option(
        "--format", "-f", help="csv-long（每个单元格一行）、csv-wide（每份报告一行）、xlsx、"
        "parquet、jsonl；省略时按输出文件扩展名判断（.xlsx、.parquet、.jsonl）。",
        show_default=False)] = None,
    year: Years = None,
    region: Region = None,
    level: Level = None,
    layout: Layout = None,
    has_errors: HasErrors = None,
    rule: Annotated[str | None, typer.Option(
        "--rule", help="只导出有这些规则问题的报告：逗号分隔的代码或前缀，如 T3-BAL 或 T3,X。",
        show_default=False)] = None,
    include_superseded: Annotated[bool, typer.Option(
        "--include-superseded", help="同时导出已被较新文件取代的旧版本。")] = False,
    include_failed: Annotated[bool, typer.Option(
        "--include-failed", help="同时导出无法读取的文件（只有文件信息和原因）。")] = False,
    force: Annotated[bool, typer.Option("--force", help="输出文件已存在时覆盖。")] = False,
    bom: Annotated[bool, typer.Option(
        "--bom/--no-bom", help="CSV 以带 BOM 的 UTF-8 写出（默认），Excel 才能正确显示中文。")
    ] = True,
    db: Annotated[str | None, typer.Option(
        "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则 ./nianbao.db）。",
        show_default=False)] = None,
) -> None:
    """导出年报库中的报告：单元格、报告信息和检查发现；筛选条件与 nianbao stats 相同。
    默认只导出每个机关每年的当前版本；退出码 0 成功，2 参数有误或无法写出。"""
    from nianbao.cli import _progress
    from nianbao.store import Store
    from nianbao.store.export import FORMATS, export
    from nianbao.store.selection import Selection, parse_years

    err = Console(stderr=True)
    out = Console(soft_wrap=True, highlight=False)
    try:
        if output is None:
            raise NianbaoError("no_output", "请用 --output 指定输出文件，如 --output 年报.xlsx。")
        if fmt is None:
            fmt = SUFFIX_FORMATS.get(output.suffix.lower())
            if fmt is None:
                raise NianbaoError("no_export_format", "请用 --format 指定导出格式；可选："
                                   f"{'、'.join(FORMATS)}。")
        selection = Selection(years=parse_years(year), region=region, level=level,
                              layout=layout, has_errors=has_errors, rule=rule,
                              include_superseded=include_superseded,
                              include_failed=include_failed).validate()
        store = Store(db, must_exist=True)
        progress = _progress(err)
        task = progress.add_task("导出报告", total=None, rate="")

        def advance(done: int, total: int) -> None:
            if done == 1:  # started only now: errors before the first report print cleanly
                progress.start()
            if done % 50 == 0 or done == total:
                elapsed = progress.tasks[0].elapsed or 0
                rate = f"{done / elapsed:.0f} 份/秒" if elapsed > 0.5 else ""
                progress.update(task, completed=done, total=total, rate=rate)

        try:
            summary = export(store, fmt, output, selection, force=force, bom=bom,
                             progress=advance)
        finally:
            if progress.live.is_started:  # stop() prints a newline on a non-terminal
                progress.stop()
        store.close()
    except NianbaoError as exc:
        err.print(Text("错误：", style="red") + Text(exc.one_line()), soft_wrap=True,
                  highlight=False)
        raise typer.Exit(EXIT_ERROR) from None
    files = "、".join(map(str, summary.paths))
    rows = {"csv-long": f"{summary.rows} 个单元格", "parquet": f"{summary.rows} 个单元格",
            "xlsx": f"{summary.rows} 行统计表"}.get(summary.format, f"{summary.rows} 行")
    found = f"、{summary.findings} 条问题" if summary.format in ("xlsx", "parquet", "jsonl") else ""
    out.print(Text(f"已导出 {summary.reports} 份报告（{rows}{found}）到 {files}"))
    if summary.reports == 0:
        err.print(Text("提示：没有符合筛选条件的报告；文件中只有表头（JSONL 为空文件）。", style="yellow"))
    raise typer.Exit(EXIT_OK)
