"""The ``nianbao`` command. Thin: every command calls the same functions as the Python API."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from nianbao.api import parse
from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.version import __version__

app = typer.Typer(
    name="nianbao",
    help="nianbao 年报：读取、检查政府信息公开工作年度报告。",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

EXIT_OK, EXIT_PARTIAL, EXIT_UNREADABLE = 0, 1, 2


def _version(value: bool) -> None:
    if value:
        typer.echo(f"nianbao {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True,
                                          help="显示版本号后退出。")] = False,
) -> None:
    """nianbao 年报：读取、检查政府信息公开工作年度报告。"""


def iter_inputs(paths: list[Path]) -> Iterator[Path]:
    """Named files as given; directories walked recursively (hidden files and folders skipped)."""
    for p in paths:
        if p.is_dir():
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield Path(root) / f
        else:
            yield p


def _error_record(path: Path, err: NianbaoError) -> dict:
    return {"source": {"name": path.name, "path": str(path)}, "status": "failed",
            "error": {"code": err.code, "message": err.message}}


def _progress(console: Console) -> Progress:
    return Progress(TextColumn("[progress.description]{task.description}"), BarColumn(),
                    MofNCompleteColumn(), TextColumn("{task.fields[rate]}"),
                    TimeElapsedColumn(), TextColumn("剩余"), TimeRemainingColumn(),
                    console=console, transient=True)


@app.command("parse")
def parse_command(
    paths: Annotated[list[Path], typer.Argument(help="年报文件或目录（目录会递归读取）。",
                                                show_default=False)],
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与 Python API 结果一致）。")
                       ] = False,
    as_jsonl: Annotated[bool, typer.Option("--jsonl", help="每份年报输出一行 JSON。")] = False,
    fmt: Annotated[str | None, typer.Option("--format", help="指定输入格式：text、html、docx、"
                                            "markdown（默认按内容自动识别）。")] = None,
) -> None:
    """解析年报，显示官方格式的三张统计表；退出码 0 完整、1 部分、2 无法读取。"""
    out = Console(soft_wrap=False)
    err = Console(stderr=True)
    files = list(iter_inputs(paths))
    many = len(files) > 1 or any(p.is_dir() for p in paths)
    results: list[tuple[Path, Report | NianbaoError]] = []
    worst = EXIT_OK
    if not files:
        err.print("[red]错误：没有找到任何文件；请检查给出的目录。[/] \\[no_input]")
        raise typer.Exit(EXIT_UNREADABLE)

    def handle(path: Path) -> None:
        nonlocal worst
        try:
            result: Report | NianbaoError = parse(path, format=fmt)
        except NianbaoError as exc:
            result = exc
        results.append((path, result))
        if isinstance(result, NianbaoError):
            worst = EXIT_UNREADABLE
            err.print(f"[red]错误：[/]{escape(result.one_line())}", soft_wrap=True, highlight=False)
            if as_jsonl:
                sys.stdout.write(json.dumps(_error_record(path, result), ensure_ascii=False) + "\n")
        else:
            if result.status != "ok":
                worst = max(worst, EXIT_PARTIAL)
            if as_jsonl:
                sys.stdout.write(result.model_dump_json() + "\n")

    if many:
        with _progress(err) as progress:
            task = progress.add_task("解析年报", total=len(files), rate="")
            for path in files:
                handle(path)
                elapsed = progress.tasks[0].elapsed or 0
                rate = f"{len(results) / elapsed:.0f} 份/秒" if elapsed > 0.5 else ""
                progress.update(task, advance=1, rate=rate)
    else:
        handle(files[0])

    if as_json:
        docs = [r.model_dump(mode="json") if isinstance(r, Report) else _error_record(p, r)
                for p, r in results]
        if not many and isinstance(results[0][1], Report):
            sys.stdout.write(results[0][1].model_dump_json(indent=2) + "\n")
        elif not many:
            pass  # the error line on stderr says it all; nothing valid to print
        else:
            sys.stdout.write(json.dumps(docs, ensure_ascii=False, indent=2) + "\n")
    elif not as_jsonl:
        if many:
            _print_summary(results, out)
        elif isinstance(results[0][1], Report):
            from nianbao.terminal import print_report

            print_report(results[0][1], out)
    raise typer.Exit(worst)


def _print_summary(results: list[tuple[Path, Report | NianbaoError]], console: Console) -> None:
    t = Table(title=f"解析结果（共 {len(results)} 份）")
    for col in ("文件", "状态", "输入", "版式", "发布机关", "年度", "问题"):
        t.add_column(col, overflow="fold")
    counts = {"ok": 0, "partial": 0, "failed": 0}
    for path, r in results:
        if isinstance(r, NianbaoError):
            counts["failed"] += 1
            t.add_row(str(path), "[red]无法读取[/]", "", "", "", "", r.code)
            continue
        counts[r.status] += 1
        status = {"ok": "[green]完整[/]", "partial": "[yellow]部分[/]"}.get(r.status, r.status)
        problems = "、".join(sorted({p.code for p in r.problems})) or ""
        t.add_row(str(path), status, r.source.format if r.source else "", r.layout or "",
                  r.meta.agency or "", str(r.meta.year or ""), problems)
    console.print(t)
    console.print(f"完整 {counts['ok']} 份，部分 {counts['partial']} 份，"
                  f"无法读取 {counts['failed']} 份。")


if __name__ == "__main__":  # pragma: no cover
    app()
