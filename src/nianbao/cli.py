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
from rich.text import Text

from nianbao.api import parse
from nianbao.config import ConfigError, check_fail_on, load_config, split_codes
from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult
from nianbao.version import __version__

app = typer.Typer(
    name="nianbao",
    help="nianbao 年报：读取、检查、存储和分析政府信息公开工作年度报告。",
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


def _each(files: list[Path], handle, label: str, console: Console, many: bool) -> None:
    """Call ``handle`` on every file; with a progress bar (rate, ETA) when there are many."""
    if not many:
        handle(files[0])
        return
    with _progress(console) as progress:
        task = progress.add_task(label, total=len(files), rate="")
        for done, path in enumerate(files, start=1):
            handle(path)
            elapsed = progress.tasks[0].elapsed or 0
            rate = f"{done / elapsed:.0f} 份/秒" if elapsed > 0.5 else ""
            progress.update(task, advance=1, rate=rate)


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

    _each(files, handle, "解析年报", err, many)

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


# ------------------------------------------------------------------ check

def _fail(err: Console, message: str) -> typer.Exit:
    err.print(Text("错误：", style="red") + Text(message), soft_wrap=True, highlight=False)
    return typer.Exit(EXIT_UNREADABLE)


def _check_settings(select: str | None, ignore: str | None, fail_on: str | None):
    """Configuration file defaults, overridden by the command line; raises ConfigError."""
    cfg = load_config()
    sel = split_codes(select, None, "选项 --select") if select is not None else cfg.select
    ign = split_codes(ignore, None, "选项 --ignore") if ignore is not None else cfg.ignore
    fail = check_fail_on(fail_on, None, "选项 --fail-on") if fail_on is not None else cfg.fail_on
    return sel, ign, fail


@app.command("check")
def check_command(
    paths: Annotated[list[Path], typer.Argument(help="年报文件或目录（目录会递归读取）。",
                                                show_default=False)],
    previous: Annotated[Path | None, typer.Option(
        "--previous", help="上一年度的年报，用于跨年度规则（只能检查一份年报时使用）。")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="输出 JSON（与 Python API "
                                          "nianbao.check 的结果一致；多份时为列表）。")] = False,
    select: Annotated[str | None, typer.Option("--select", help="只运行这些规则：逗号分隔的代码或"
                                               "前缀，如 T3,F-SECTION。")] = None,
    ignore: Annotated[str | None, typer.Option("--ignore", help="不运行这些规则：逗号分隔的代码或"
                                               "前缀。")] = None,
    fail_on: Annotated[str | None, typer.Option("--fail-on", help="达到此级别的问题使退出码为 1："
                                                "error（默认）或 warning。")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="另外写出一个独立的 HTML 检查报告"
                                              "（可直接用邮件发送）。")] = None,
    fmt: Annotated[str | None, typer.Option("--format", help="指定输入格式：text、html、docx、"
                                            "markdown（默认按内容自动识别）。")] = None,
) -> None:
    """检查年报：标出表格中有问题的单元格，逐条说明问题、位置和改正方法；退出码 0 通过、1 有达到
    --fail-on 级别的问题、2 无法读取或配置有误。默认设置可写在 nianbao.toml 或 pyproject.toml 中。"""
    from nianbao.report_html import HtmlReport
    from nianbao.rules import check
    from nianbao.terminal import check_summary_view, print_check

    out = Console(soft_wrap=False)
    err = Console(stderr=True)
    try:
        sel, ign, fail = _check_settings(select, ignore, fail_on)
    except ConfigError as exc:
        raise _fail(err, exc.one_line()) from None
    files = list(iter_inputs(paths))
    if not files:
        raise _fail(err, "没有找到任何文件；请检查给出的目录。 [no_input]")
    many = len(files) > 1 or any(p.is_dir() for p in paths)
    prev: Report | None = None
    if previous is not None:
        if many:
            raise _fail(err, "--previous 只能与一份年报一起使用；请逐份检查。 [previous_with_many]")
        try:
            prev = parse(previous, format=fmt)
        except NianbaoError as exc:
            raise _fail(err, "上一年度年报 " + exc.one_line()) from None

    doc = HtmlReport() if html is not None else None
    dumps: list[dict] = []
    blocks: list[str] = []  # batch: each file's text, rendered while the progress bar runs
    rows: list[tuple] = []
    worst = EXIT_OK

    def unreadable(path: Path, exc: NianbaoError) -> None:
        nonlocal worst
        worst = EXIT_UNREADABLE
        err.print(Text("错误：", style="red") + Text(exc.one_line()), soft_wrap=True,
                  highlight=False)
        rows.append((str(path), None, None, exc))
        dumps.append(_error_record(path, exc))
        if doc is not None:
            doc.add_error(str(path), exc)

    def handle(path: Path) -> None:
        nonlocal worst
        try:
            report = parse(path, format=fmt)
            result = check(report, prev, select=sel, ignore=ign)
        except NianbaoError as exc:
            unreadable(path, exc)
            return
        except Exception as exc:  # a rule's bug must not stop a batch (parse() guards itself)
            unreadable(path, NianbaoError(
                "internal_error", f"检查时发生内部错误（{type(exc).__name__}）；这是 nianbao 的缺陷，"
                "请把该文件和本信息报告给开发者。", str(path)))
            return
        if result.at_least(fail):
            worst = max(worst, EXIT_PARTIAL)
        rows.append((str(path), report.meta.agency, report.meta.year, result))
        if as_json:
            dumps.append(result.model_dump(mode="json"))
        if doc is not None:
            doc.add(str(path), report, result)
        if as_json:
            return
        if not many:
            print_check(report, result, out, full=True)
        elif result.findings or report.problems:
            with out.capture() as cap:
                print_check(report, result, out, full=False)
            blocks.append(cap.get())

    _each(files, handle, "检查年报", err, many)

    if as_json and dumps and (many or "findings" in dumps[0]):
        sys.stdout.write(json.dumps(dumps if many else dumps[0], ensure_ascii=False, indent=2)
                         + "\n")
    elif many and not as_json:
        for block in blocks:
            sys.stdout.write(block)
        out.print(check_summary_view(rows))
        checked = [r for *_, r in rows if isinstance(r, CheckResult)]
        out.print(f"共 {len(rows)} 份：错误 {sum(r.counts['error'] for r in checked)} 个，"
                  f"警告 {sum(r.counts['warning'] for r in checked)} 个，"
                  f"提示 {sum(r.counts['info'] for r in checked)} 个，"
                  f"无法读取 {len(rows) - len(checked)} 份。")
    if doc is not None:
        try:
            html.write_text(doc.tostring(), encoding="utf-8")
        except OSError as exc:
            raise _fail(err, f"{html}：无法写入 HTML 报告（{exc.strerror or exc}）。") from None
        err.print(Text(f"已写入 HTML 检查报告：{html}"), highlight=False)
    raise typer.Exit(worst)


# ------------------------------------------------------------------ rules

@app.command("rules")
def rules_command() -> None:
    """列出全部检查规则：代码、级别、标题、类别。"""
    from nianbao.rules import all_rules
    from nianbao.rules.registry import FAMILIES
    from nianbao.terminal import SEVERITY_CN, SEVERITY_STYLE

    rules = all_rules()
    t = Table(title=f"规则目录（共 {len(rules)} 条）")
    for col in ("代码", "级别", "标题", "类别"):
        t.add_column(col, no_wrap=col in ("代码", "级别"), overflow="fold")
    for code, r in rules.items():
        family = FAMILIES.get(code.split("-")[0], "")  # 跨年度 (X) says --previous is needed
        t.add_row(code, Text(SEVERITY_CN[r.severity], style=SEVERITY_STYLE[r.severity]),
                  r.title, family)
    Console().print(t)
    Console().print("查看某条规则的说明：nianbao rule 代码（如 nianbao rule T3-BAL）。")


@app.command("rule")
def rule_command(
    code: Annotated[str, typer.Argument(help="规则代码，如 T3-BAL。", show_default=False)],
) -> None:
    """显示一条规则的说明：级别、依据、提示信息、检查什么、为什么重要、示例和改正方法。"""
    import difflib

    from rich.markdown import Markdown

    from nianbao.docs import rule_markdown
    from nianbao.rules import all_rules
    from nianbao.rules.registry import RETIRED

    rules = all_rules()
    key = code.strip().upper()
    err = Console(stderr=True)
    if key in RETIRED:
        raise _fail(err, f"规则 {key} 已在 {RETIRED[key]} 版停用，代码不再使用。 [rule_retired]")
    if key not in rules:
        close = difflib.get_close_matches(key, list(rules), n=3, cutoff=0.5)
        hint = f"您是不是要找：{'、'.join(close)}？" if close else ""
        raise _fail(err, f"没有代码为“{code}”的规则；{hint}可用 nianbao rules 查看全部规则。"
                         " [unknown_rule]")
    Console().print(Markdown(rule_markdown(rules[key], links=False)))


def _register_store_commands() -> None:
    import importlib

    from nianbao.commands import STORE_COMMANDS

    for name in STORE_COMMANDS:
        importlib.import_module(f"nianbao.commands.{name}").register(app)


_register_store_commands()

if __name__ == "__main__":  # pragma: no cover
    app()
