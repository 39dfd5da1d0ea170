"""Ingest rate and store size per report, on SQLite and PostgreSQL (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_ingest.py                  # 2,000 reports, 2 workers, both
    .venv/bin/python benchmarks/bench_ingest.py --n 500 --db sqlite
    .venv/bin/python benchmarks/bench_ingest.py --write           # also update docs/benchmarks.md

The corpus (benchmarks/corpus.py: flattened Word text with realistic noise, 1–5 consecutive
years per agency, shuffled) is written to a temporary directory; then each backend gets a
fresh database, migrated and with the administrative divisions loaded (a one-time setup of
every new store, not counted), and ``nianbao.store.ingest.ingest`` stores the whole
directory with ``--workers`` parsing processes. Timed: the ingest call, wall clock; also the
time spent in ``save_document`` and the writing process's CPU time per report. Store
size: the growth of the SQLite file (checkpointed) or of PostgreSQL's
``pg_database_size`` over the prepared empty store, divided by the number of reports.
Target (issue #4): ≥ 100 reports/s with 2 workers.
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from corpus import write_corpus  # beside this script
from docblock import replace_block
from sqlalchemy import create_engine, func, select, text

PG_ADMIN_URL = os.environ.get("NIANBAO_BENCH_PG_URL",
                              "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TARGET = 100


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        started = time.perf_counter()
        paths = write_corpus(corpus, args.n, args.seed)
        source_bytes = sum(p.stat().st_size for p in paths)
        print(f"已生成 {len(paths)} 份年报（{time.perf_counter() - started:.0f} 秒）")
        rows = [measure(backend, corpus, args, Path(tmp), source_bytes) for backend in backends]
    if args.write:
        write(rows, args)


@contextmanager
def fresh_database(backend: str, tmp: Path):
    if backend == "sqlite":
        yield f"sqlite:///{tmp / 'bench.db'}"
        return
    name = f"nianbao_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def store_bytes(store) -> int:
    if store.dialect == "sqlite":
        store.engine.dispose()  # the last connection to close checkpoints the WAL into the file
        path = Path(store.engine.url.database)
        wal = path.with_name(path.name + "-wal")
        return path.stat().st_size + (wal.stat().st_size if wal.exists() else 0)
    with store.engine.connect() as conn:
        return conn.scalar(text("SELECT pg_database_size(current_database())"))


def measure(backend: str, corpus: Path, args, tmp: Path, source_bytes: int) -> dict:
    from nianbao.store import Store
    from nianbao.store import ingest as ingest_module
    from nianbao.store.divisions import ensure_divisions
    from nianbao.store.models import StoredReport
    from nianbao.store.sources import iter_sources

    with fresh_database(backend, tmp) as url:
        store = Store(url)
        with store.session() as s:
            ensure_divisions(s)
        empty = store_bytes(store)
        sources = list(iter_sources([corpus]))
        # measurement only: how long the writing process spends in save_document
        spent = [0.0]
        real_save = ingest_module.save_document

        def timed_save(*a, **kw):
            t = time.perf_counter()
            try:
                return real_save(*a, **kw)
            finally:
                spent[0] += time.perf_counter() - t
        ingest_module.save_document = timed_save
        try:
            started, cpu = time.perf_counter(), time.process_time()
            summary = ingest_module.ingest(store, sources, workers=args.workers)
            seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        finally:
            ingest_module.save_document = real_save
        size = store_bytes(store) - empty
        with store.session() as s:
            cross = s.scalar(select(func.count()).where(
                StoredReport.checked_with_previous.is_not(None)))
        store.close()
    n = len(sources)
    row = {"backend": backend, "n": n, "workers": args.workers, "rate": n / seconds,
           "save_ms": spent[0] / n * 1000, "cpu_ms": cpu / n * 1000, "per_report": size / n,
           "source": source_bytes / n, "cross": cross, "counts": summary.counts(),
           "empty": empty}
    print(f"{backend}：{row['rate']:.0f} 份/秒（{args.workers} 个解析进程，目标 ≥ {TARGET}），"
          f"写库 {row['save_ms']:.1f} 毫秒/份，写入进程 CPU {row['cpu_ms']:.1f} 毫秒/份，"
          f"每份占用 {row['per_report'] / 1024:.1f} KB"
          f"（原文 {row['source'] / 1024:.1f} KB；空库含行政区划 {empty / 2**20:.1f} MB），"
          f"跨年度检查 {cross} 份，{row['counts']}")
    return row


def write(rows: list[dict], args) -> None:
    when = (f"{time.strftime('%Y-%m-%d')}，{platform.machine()}，{os.cpu_count()} 核，Python "
            f"{platform.python_version()}")
    replace_block("ingest", "导入速度与存储空间", [
        f"测量 {when}；命令 `python benchmarks/bench_ingest.py --n {args.n} --workers "
        f"{args.workers} --write`，语料由 `benchmarks/corpus.py` 生成（文本格式、真实噪声、"
        "每个机关 1–5 个连续年度、乱序到达）。", "",
        "| 数据库 | 份数 | 解析进程 | 速度（份/秒） | 目标 | 写库耗时（毫秒/份） | 写入进程 CPU（毫秒/份） "
        "| 每份占用 | 原文每份 | 跨年度检查 | 结果 |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        *(f"| {r['backend']} | {r['n']} | {r['workers']} | {r['rate']:.0f} | ≥ {TARGET} | "
          f"{r['save_ms']:.1f} | {r['cpu_ms']:.1f} | {r['per_report'] / 1024:.1f} KB | {r['source'] / 1024:.1f} KB | "
          f"{r['cross']} | {'达标' if r['rate'] >= TARGET else '未达标'} |" for r in rows)])


if __name__ == "__main__":
    main()
