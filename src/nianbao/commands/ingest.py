"""``nianbao ingest``, ``nianbao reparse`` and ``nianbao db upgrade|status``.

Exit codes: 0 everything stored (or nothing changed); 1 some documents failed or were
only partly parsed (ingest) or some reports could not be updated (reparse); 2 bad usage
(no such path, bad database URL, unreadable URL list); 130 interrupted with Ctrl-C
(everything stored so far is kept; running the same command again resumes).
"""

from __future__ import annotations

import json
import os
import sys
from itertools import chain
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from nianbao.errors import NianbaoError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE, EXIT_INTERRUPTED = 0, 1, 2, 130
SHOWN = 50  # rows of per-document detail printed; --json has them all
DEFAULT_WORKERS = os.cpu_count() or 1
OUTCOME_CN = {"ingested": "新入库", "unchanged": "未变化", "partial": "部分解析", "failed": "失败",
              "superseded": "被取代"}
STATUS_CN = {"ok": "完整", "partial": "部分", "failed": "无法读取"}

DbOption = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则为当前目录的 nianbao.db）；"
    "如 sqlite:///年报.db 或 postgresql+psycopg://用户@主机/库名。", show_default=False)]
WorkersOption = Annotated[int, typer.Option(
    "--workers", min=1, help="并行解析的进程数（默认为 CPU 核数）。", show_default=False)]
JsonOption = Annotated[bool, typer.Option("--json", help="以 JSON 输出结果。")]


def _fail(err: Console, message: str) -> typer.Exit:
    err.print(Text("错误：", style="red") + Text(message), soft_wrap=True, highlight=False)
    return typer.Exit(EXIT_USAGE)


def _open_store(db: str | None, err: Console):
    """The store, migrated to the newest schema; a usage error (exit 2) when it cannot be."""
    from nianbao.store import Store, StoreError

    try:
        return Store(db)
    except StoreError as exc:
        raise _fail(err, exc.one_line()) from None


def _rate(progress) -> str:
    task = progress.tasks[0]
    elapsed = task.elapsed or 0
    return f"{task.completed / elapsed:.0f} 份/秒" if elapsed > 0.5 else ""


# ------------------------------------------------------------------ ingest

def ingest_command(
    paths: Annotated[list[Path] | None, typer.Argument(
        help="年报文件、目录（递归读取）或 ZIP 压缩包。", show_default=False)] = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    urls: Annotated[str | None, typer.Option(
        "--urls", help="网址列表文件（每行一个网址，# 开头为注释；- 表示标准输入）：下载后导入。",
        show_default=False)] = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """把年报存入数据库：每份文件一个事务，中断后重新运行即可继续；相同内容不会重复导入。
    退出码 0 全部入库、1 有文件失败或只部分解析、2 用法错误、130 被中断。"""
    from nianbao.cli import _progress
    from nianbao.store.ingest import ingest
    from nianbao.store.sources import iter_sources, url_sources

    err = Console(stderr=True)
    paths = paths or []
    if not paths and urls is None:
        raise _fail(err, "请给出要导入的文件、目录或 ZIP 压缩包，或用 --urls 给出网址列表。 [no_input]")
    missing = [p for p in paths if not p.exists()]
    if missing:
        raise _fail(err, f"找不到 {'、'.join(map(str, missing))}；请检查路径是否正确。 [file_not_found]")
    url_list: list[str] = []
    if urls is not None:
        from nianbao.store.fetch import UrlListError, read_url_list

        try:
            listed = read_url_list(urls)
        except UrlListError as exc:
            raise _fail(err, exc.one_line()) from None
        for problem in listed.problems:
            err.print(Text("提示：", style="yellow") + Text(problem), soft_wrap=True, highlight=False)
        url_list = listed.urls
    store = _open_store(db, err)
    files = list(iter_sources(paths))
    total = len(files) + len(url_list)
    if not total:
        raise _fail(err, "没有找到任何文件；请检查给出的目录。 [no_input]")
    sources = chain(files, url_sources(url_list) if url_list else ())
    with _progress(err) as progress:
        task = progress.add_task("导入年报", total=total, rate="")
        summary = ingest(store, sources, workers=workers, total=total,
                         on_progress=lambda e, s: progress.update(task, advance=1,
                                                                   rate=_rate(progress)))
    counts = summary.counts()
    if as_json:
        sys.stdout.write(json.dumps({"database": store.display_url, **summary.as_dict()},
                                    ensure_ascii=False, indent=2) + "\n")
    else:
        _print_ingest(summary, store.display_url, Console(soft_wrap=False))
    if summary.interrupted:
        err.print(Text(f"导入已中断：已入库的 {summary.stored} 份不会丢失。重新运行同一命令即可继续，"
                       "已入库的文件会显示为“未变化”并跳过。", style="yellow"), highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_SOME_FAILED if counts["failed"] or counts["partial"] else EXIT_OK)


def _print_ingest(summary, url: str, out: Console) -> None:
    counts = summary.counts()
    t = Table(title="导入结果")
    t.add_column("结果")
    t.add_column("份数", justify="right")
    for key in ("ingested", "unchanged", "partial", "failed", "superseded"):
        t.add_row(OUTCOME_CN[key], str(counts[key]))
    out.print(t)
    problems = [e for e in summary.entries if e.outcome in ("failed", "partial")]
    if problems:
        d = Table(title="需要处理的文件")
        for col in ("文件", "结果", "原因"):
            d.add_column(col, overflow="fold")
        for e in problems[:SHOWN]:
            d.add_row(Text(e.name), OUTCOME_CN[e.outcome],
                      Text(f"{e.reason or ''}" + (f" [{e.code}]" if e.code else "")))
        out.print(d)
        if len(problems) > SHOWN:
            out.print(f"（另有 {len(problems) - SHOWN} 份未列出；用 --json 查看全部。）")
    replaced = [e for e in summary.entries if e.superseded is not None]
    if replaced:
        r = Table(title="取代了旧报告的文件（旧报告仍保留）")
        r.add_column("文件", overflow="fold")
        r.add_column("报告编号", justify="right")
        r.add_column("取代的报告编号", justify="right")
        for e in replaced[:SHOWN]:
            r.add_row(Text(e.name), str(e.report_id), str(e.superseded))
        out.print(r)
    n = len(summary.entries)
    rate = f"，{n / summary.seconds:.0f} 份/秒" if summary.seconds > 0 and n else ""
    out.print(Text(f"共处理 {n} 份，用时 {summary.seconds:.1f} 秒{rate}；数据库：{url}"),
              highlight=False)


# ------------------------------------------------------------------ reparse

def reparse_command(
    db: DbOption = None,
    everything: Annotated[bool, typer.Option("--all", help="重新解析全部报告。")] = False,
    since_version: Annotated[str | None, typer.Option(
        "--since-version", help="只重新解析由早于此版本的解析器生成的报告，如 0.2.0。",
        show_default=False)] = None,
    workers: WorkersOption = DEFAULT_WORKERS,
    as_json: JsonOption = False,
) -> None:
    """用当前版本的解析器和规则重新解析库中的原始文件，更新报告并列出变化。
    默认只处理由其他版本解析的报告；列出状态、单元格和检查发现的变化。
    退出码 0 完成、1 有报告未能更新、2 用法错误、130 被中断。"""
    from nianbao.cli import _progress
    from nianbao.store.reparse import reparse
    from nianbao.version import __version__

    err = Console(stderr=True)
    if everything and since_version is not None:
        raise _fail(err, "--all 与 --since-version 只能选一个。 [bad_usage]")
    store = _open_store(db, err)
    with _progress(err) as progress:
        task = progress.add_task("重新解析", total=None, rate="")

        def advance(change, summary):
            progress.update(task, total=summary.selected, advance=1, rate=_rate(progress))
        try:
            summary = reparse(store, everything=everything, since_version=since_version,
                              workers=workers, on_progress=advance)
        except NianbaoError as exc:
            raise _fail(err, exc.one_line()) from None
    if as_json:
        sys.stdout.write(json.dumps({"database": store.display_url, "parser_version": __version__,
                                     **summary.as_dict()}, ensure_ascii=False, indent=2) + "\n")
    else:
        _print_reparse(summary, __version__, Console(soft_wrap=False))
    if summary.interrupted:
        err.print(Text(f"重新解析已中断：已更新的 {len(summary.changes)} 份已保存；重新运行同一命令即可"
                       "继续（默认只处理尚未由当前版本解析的报告）。", style="yellow"), highlight=False)
        raise typer.Exit(EXIT_INTERRUPTED)
    raise typer.Exit(EXIT_SOME_FAILED if any(c.error for c in summary.changes) else EXIT_OK)


def _codes(counter: dict) -> str:
    return "、".join(f"{code}×{n}" if n > 1 else code for code, n in sorted(counter.items()))


def _change_lines(c) -> list[str]:
    lines = []
    if c.status:
        lines.append("状态：" + " → ".join(STATUS_CN.get(s, s) for s in c.status))
    if c.cells_changed:
        lines.append(f"单元格 {c.cells_changed} 个：" + "；".join(c.cell_examples)
                     + ("……" if c.cells_changed > len(c.cell_examples) else ""))
    if c.findings_added:
        lines.append(f"新增检查发现：{_codes(c.findings_added)}")
    if c.findings_removed:
        lines.append(f"消失的检查发现：{_codes(c.findings_removed)}")
    return lines + c.notes + ([c.error] if c.error else [])


def _print_reparse(summary, version: str, out: Console) -> None:
    if not summary.selected:
        out.print(f"没有需要重新解析的报告：全部由当前版本 {version} 解析（用 --all 可全部重新解析）。")
        return
    changed = summary.changed
    if changed:
        t = Table(title="有变化的报告")
        t.add_column("编号", justify="right")
        t.add_column("报告", overflow="fold")
        t.add_column("变化", overflow="fold")
        for c in changed[:SHOWN]:
            t.add_row(str(c.report_id), Text(f"{c.name or ''}\n{c.agency or ''} {c.year or ''}"),
                      Text("\n".join(_change_lines(c))))
        out.print(t)
        if len(changed) > SHOWN:
            out.print(f"（另有 {len(changed) - SHOWN} 份未列出；用 --json 查看全部。）")
    added, removed = summary.findings_delta()
    s = Table(title=f"重新解析结果（解析器版本 {version}）")
    s.add_column("项目")
    s.add_column("数量", overflow="fold")
    s.add_row("重新解析", str(len(summary.changes)))
    s.add_row("有变化", str(len(changed)))
    s.add_row("无变化", str(len(summary.changes) - len(changed)))
    for (before, after), n in sorted(summary.status_changes().items()):
        s.add_row(f"状态 {STATUS_CN.get(before, before)}→{STATUS_CN.get(after, after)}", str(n))
    s.add_row("单元格变化", str(sum(c.cells_changed for c in summary.changes)))
    s.add_row("新增检查发现", _codes(added) or "0")
    s.add_row("消失的检查发现", _codes(removed) or "0")
    failed = sum(bool(c.error) for c in summary.changes)
    if failed:
        s.add_row("未能更新", str(failed))
    out.print(s)
    if not changed:
        out.print(f"重新解析 {len(summary.changes)} 份，没有任何变化。")


# ------------------------------------------------------------------ db

db_app = typer.Typer(help="数据库：升级结构、查看状态。", no_args_is_help=True)


def _engine(db: str | None, err: Console):
    from sqlalchemy import text
    from sqlalchemy.exc import ArgumentError, SQLAlchemyError

    from nianbao.store import StoreError
    from nianbao.store.db import make_engine

    try:
        engine = make_engine(db)
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return engine
    except StoreError as exc:
        raise _fail(err, exc.one_line()) from None
    except ArgumentError as exc:
        raise _fail(err, f"数据库地址无法使用（{exc}）；应形如 sqlite:///nianbao.db 或 "
                    "postgresql+psycopg://用户@主机/库名。 [store_url]") from None
    except SQLAlchemyError as exc:
        detail = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        raise _fail(err, f"无法连接数据库（{detail}）；请检查地址、服务是否启动、文件是否可写。"
                    " [store_unreachable]") from None


def _display(engine) -> str:
    return engine.url.render_as_string(hide_password=True)


@db_app.command("upgrade")
def db_upgrade(db: DbOption = None) -> None:
    """把数据库结构升级到最新版本（新数据库则建立全部表）。"""
    from nianbao.store.db import current_revision, head_revision, migrate

    err = Console(stderr=True)
    engine = _engine(db, err)
    before, head = current_revision(engine), head_revision()
    out = Console()
    if before == head:
        out.print(Text(f"数据库 {_display(engine)} 已是最新结构版本 {head}。"), highlight=False)
        return
    migrate(engine)
    out.print(Text(f"数据库 {_display(engine)} 已从 {before or '空数据库'} 升级到结构版本 {head}。"),
              highlight=False)


@db_app.command("status")
def db_status(db: DbOption = None, as_json: JsonOption = False) -> None:
    """显示数据库地址（隐藏密码）、结构版本和各类记录的数量。"""
    from sqlalchemy import func, select

    from nianbao.store.db import current_revision, head_revision
    from nianbao.store.models import (
        Agency,
        Cell,
        Division,
        Document,
        StoredFinding,
        StoredReport,
    )

    err = Console(stderr=True)
    engine = _engine(db, err)
    revision, head = current_revision(engine), head_revision()
    counts: dict[str, int] = {}
    if revision is not None:
        from sqlalchemy.orm import Session

        def n(stmt):
            return session.scalar(stmt) or 0
        with Session(engine) as session:
            counts = {
                "documents": n(select(func.count()).select_from(Document)),
                "reports": n(select(func.count()).select_from(StoredReport)),
                "current": n(select(func.count()).where(StoredReport.is_current.is_(True))),
                "superseded": n(select(func.count()).where(StoredReport.superseded_by.is_not(None))),
                "failed": n(select(func.count()).where(StoredReport.status == "failed")),
                "cells": n(select(func.count()).select_from(Cell)),
                "findings": n(select(func.count()).select_from(StoredFinding)),
                "agencies": n(select(func.count()).select_from(Agency)),
                "divisions": n(select(func.count()).select_from(Division)),
            }
    if as_json:
        sys.stdout.write(json.dumps({"url": _display(engine), "revision": revision, "head": head,
                                     "up_to_date": revision == head, "counts": counts},
                                    ensure_ascii=False, indent=2) + "\n")
        return
    out = Console()
    out.print(Text(f"数据库：{_display(engine)}"), highlight=False)
    if revision is None:
        out.print(f"结构版本：空数据库（尚未建立表；运行 nianbao db upgrade 或任何导入命令时自动建立，最新为 {head}）")
        return
    state = "最新" if revision == head else f"最新为 {head}，请运行 nianbao db upgrade"
    out.print(f"结构版本：{revision}（{state}）")
    t = Table()
    t.add_column("内容")
    t.add_column("数量", justify="right")
    for key, label in (("documents", "原始文件"), ("reports", "报告"), ("current", "  其中当前报告"),
                       ("superseded", "  其中被取代"), ("failed", "  其中无法读取"),
                       ("cells", "统计单元格"), ("findings", "检查发现"), ("agencies", "机关"),
                       ("divisions", "行政区划")):
        t.add_row(label, f"{counts[key]:,}")
    out.print(t)


def register(app: typer.Typer) -> None:
    """Add ``ingest``, ``reparse`` and the ``db`` group to the ``nianbao`` app."""
    app.command("ingest")(ingest_command)
    app.command("reparse")(reparse_command)
    app.add_typer(db_app, name="db")
