"""``stats`` over a 100,000-report store (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_stats.py                      # 100,000 reports, both backends
    .venv/bin/python benchmarks/bench_stats.py --n 20000 --db sqlite
    .venv/bin/python benchmarks/bench_stats.py --write              # also update docs/benchmarks.md
    .venv/bin/python benchmarks/bench_stats.py --db sqlite --schema 0001   # before migration 0002

Building the store quickly: a few hundred generated reports (benchmarks/corpus.py: agencies
with runs of consecutive years, realistic noise) go in through ``records.save_document`` as
an ingest would store them (report JSON, cells, findings, figures). Then SQL multiplies them
(``INSERT … SELECT``) to ``--n`` current reports: each new agency (placed in a county of the
packaged division dataset, so the 31 provinces get agencies in proportion to their counties)
has six years, 2019–2024, each a copy of an ingested report of the matching layout — its
figures, its full report JSON, its check results — and a copy of that report's findings.
Cell rows and document bytes are not multiplied (statistics never read them).

Timed (best of ``--runs`` in fresh sessions, the first run reported too): ``stats`` grouped by
province for one year and over all years, ``stats`` by year × province, and
``finding_counts`` by province for one year. Target (issue #4): national by-province summary
< 1 s. The database is analysed (ANALYZE / VACUUM ANALYZE) after the build, as a maintained
store would be.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from docblock import replace_block  # beside this script
from sqlalchemy import (
    LargeBinary,
    column,
    create_engine,
    func,
    insert,
    literal,
    select,
    table,
    text,
)
from sqlalchemy.orm import Session

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "stats.json"
PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
YEARS = tuple(range(2019, 2025))
YEAR = 2023  # the single year of the one-year summary


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000, help="current reports in the store")
    ap.add_argument("--ingest", type=int, default=300, help="reports ingested for real")
    ap.add_argument("--db", default="both", choices=("sqlite", "postgresql", "both"))
    ap.add_argument("--schema", default="head", help="Alembic revision to build at")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--pg-url", default=PG_ADMIN_URL, help="a PostgreSQL database to create "
                    "the benchmark database from")
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    backends = ("sqlite", "postgresql") if args.db == "both" else (args.db,)
    results = [run(backend, args) for backend in backends]
    print(json.dumps(results, ensure_ascii=False, indent=2))
    if args.write:
        write(results, args)


# ------------------------------------------------------------------ the store

def run(backend: str, args) -> dict:
    from nianbao.store.db import make_engine, migrate

    with tempfile.TemporaryDirectory(prefix="bench_stats_") as tmp:
        url, drop = _database(backend, Path(tmp), args.pg_url)
        engine = make_engine(url)
        try:
            migrate(engine, args.schema)
            t0 = time.perf_counter()
            ingested = ingest(engine, args.ingest)
            t1 = time.perf_counter()
            multiply(engine, args.n)
            t2 = time.perf_counter()
            analyse(engine)
            result = {"backend": backend, "schema": args.schema, **counts(engine),
                      "ingested": ingested, "ingest_s": round(t1 - t0, 1),
                      "multiply_s": round(t2 - t1, 1), "size_mb": size_mb(engine),
                      "timings": timings(engine, args.runs)}
        finally:
            engine.dispose()
            drop()
    print(json.dumps(result, ensure_ascii=False), file=sys.stderr)
    return result


def _database(backend: str, tmp: Path, admin_url: str):
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    name = f"nianbao_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return f"{admin_url.rsplit('/', 1)[0]}/{name}", drop


def ingest(engine, n: int) -> int:
    """n generated reports through save_document, one transaction each, as ingest does."""
    from corpus import corpus  # beside this script

    import nianbao
    from nianbao.store.records import save_document

    for name, content in corpus(n, seed=7):
        report = nianbao.parse(content)
        with Session(engine) as session, session.begin():
            save_document(session, content, name, report, nianbao.check(report))
    return n


def _places(session) -> list[tuple[str, str | None, str]]:
    """(province, city, county) of every county of the division dataset's 31 mainland
    provinces (Hong Kong, Macao and Taiwan publish no such reports), in code order."""
    from nianbao.store.divisions import COUNTY, dataset, ensure_divisions

    ensure_divisions(session)
    out = []
    for d in dataset().rows:
        if d.level == COUNTY and d.code[:2] not in ("71", "81", "82"):
            chain = {x.level: x.code for x in dataset().chain(d.code)}
            out.append((chain["province"], chain.get("city"), d.code))
    return sorted(out, key=lambda p: p[2])


def multiply(engine, n: int) -> None:
    """Copy ingested reports (and their findings) until n reports are current."""
    from nianbao.store.models import FIGURES, Agency, Document, StoredReport

    with Session(engine) as session, session.begin():
        places = _places(session)
        templates: dict[str, list[int]] = {"2019": [], "2021": []}
        for rid, layout in session.execute(select(StoredReport.id, StoredReport.layout).where(
                StoredReport.is_current.is_(True), StoredReport.layout.in_(templates))
                .order_by(StoredReport.id)):
            templates[layout].append(rid)
        have = session.scalar(select(func.count()).select_from(StoredReport)
                              .where(StoredReport.is_current.is_(True)))
        first_agency = (session.scalar(select(func.max(Agency.id))) or 0) + 1
        new = n - have
        agencies = (new + len(YEARS) - 1) // len(YEARS)
        session.execute(insert(Agency), [
            {"id": first_agency + a, "name": f"基准测试机关{a:06d}", "origin": "imported",
             "level": "政府" if a % 3 == 0 else "部门",
             "region_code": places[(a * 1009) % len(places)][2]} for a in range(agencies)])
        session.execute(text("CREATE TEMPORARY TABLE bench_plan (k INTEGER PRIMARY KEY, "
                             "template INTEGER, agency INTEGER, year INTEGER, sha VARCHAR(64), "
                             "province VARCHAR(16), city VARCHAR(16), county VARCHAR(16))"))
        plan = []
        for k in range(new):
            a, year = k // len(YEARS), YEARS[k % len(YEARS)]
            pool = templates["2019" if year <= 2020 else "2021"]
            province, city, county = places[(a * 1009) % len(places)]  # spread, stable
            plan.append({"k": k, "template": pool[(k * 7919) % len(pool)],
                         "agency": first_agency + a, "year": year, "sha": f"bench{k:059d}",
                         "province": province, "city": city, "county": county})
        for i in range(0, len(plan), 20_000):
            session.execute(text("INSERT INTO bench_plan VALUES (:k, :template, :agency, :year, "
                                 ":sha, :province, :city, :county)"), plan[i:i + 20_000])
        bench_plan = table("bench_plan", column("sha"))
        session.execute(insert(Document).from_select(
            ["sha256", "content", "size"],
            select(bench_plan.c.sha, literal(b"", LargeBinary), literal(0))))
        copied = ["layout", "status", "report_json", "parser_version", "title", "published",
                  "score", "errors", "warnings", "infos", *FIGURES]
        session.execute(text(f"""
            INSERT INTO reports (document_sha, agency_id, year, is_current, agency_name,
                agency_level, province_code, city_code, county_code, {", ".join(copied)})
            SELECT p.sha, p.agency, p.year, TRUE, a.name, a.level, p.province, p.city,
                p.county, {", ".join("t." + c for c in copied)}
            FROM bench_plan p JOIN reports t ON t.id = p.template
                JOIN agencies a ON a.id = p.agency"""))
        session.execute(text("""
            INSERT INTO findings (report_id, code, severity, message, table_key, row_key,
                column_key, section, field, expected, found, source)
            SELECT r.id, f.code, f.severity, f.message, f.table_key, f.row_key, f.column_key,
                f.section, f.field, f.expected, f.found, f.source
            FROM bench_plan p JOIN reports r ON r.document_sha = p.sha
                JOIN findings f ON f.report_id = p.template"""))


def analyse(engine) -> None:
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    else:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))


def counts(engine) -> dict:
    with engine.connect() as conn:
        one = conn.execute(text(
            "SELECT (SELECT count(*) FROM reports WHERE is_current), "
            "(SELECT count(DISTINCT province_code) FROM reports WHERE is_current), "
            "(SELECT count(*) FROM findings), (SELECT count(*) FROM cells)")).one()
    return {"reports": one[0], "provinces": one[1], "findings": one[2], "cells": one[3]}


def size_mb(engine) -> float | None:
    with engine.connect() as conn:
        if engine.dialect.name == "postgresql":
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        else:
            size = Path(engine.url.database).stat().st_size
    return round(size / 2**20)


# ------------------------------------------------------------------ the queries

def queries():
    from nianbao.store.selection import Selection
    from nianbao.store.stats import finding_counts, stats

    one_year = Selection(years=(YEAR,))
    return {
        f"全国按省汇总，{YEAR} 年": lambda s: stats(s, group_by=["province"], filters=one_year),
        "全国按省汇总，全部年度": lambda s: stats(s, group_by=["province"]),
        "按年度 × 省汇总": lambda s: stats(s, group_by=["year", "province"]),
        f"检查发现按规则 × 省，{YEAR} 年": lambda s: finding_counts(s, group_by=["province"],
                                                         filters=one_year),
    }


def timings(engine, runs: int) -> dict:
    out = {}
    for label, query in queries().items():
        seconds, rows = [], 0
        for _ in range(runs):
            with Session(engine) as session:
                t = time.perf_counter()
                result = query(session)
                seconds.append(time.perf_counter() - t)
            rows = len(result.rows)
        out[label] = {"best_s": round(min(seconds), 3), "first_s": round(seconds[0], 3),
                      "groups": rows}
    return out


# ------------------------------------------------------------------ docs

def _label(r: dict) -> str:
    return r["backend"] if r["schema"] == "head" else f"{r['backend']}（结构 {r['schema']}）"


def write(results: list[dict], args) -> None:
    """Merge ``results`` into benchmarks/results/stats.json (one entry per backend and
    schema, so a ``--schema 0001`` run sits beside the current one) and render the block."""
    saved = json.loads(RESULTS.read_text(encoding="utf-8")) if RESULTS.exists() else []
    fresh = {(r["backend"], r["schema"]) for r in results}
    results = [r for r in saved if (r["backend"], r["schema"]) not in fresh] + results
    results.sort(key=lambda r: (r["schema"] != "head", r["backend"] != "sqlite"))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, ensure_ascii=False, indent=2) + "\n",
                       encoding="utf-8")
    machine = f"{platform.machine()}，{os.cpu_count()} 核，Python {platform.python_version()}"
    lines = [f"测量日期 {date.today()}，{machine}；命令 `python benchmarks/bench_stats.py "
             f"--n {args.n} --runs {args.runs} --write`（结构 0001 一列另加 `--db sqlite "
             "--schema 0001`；原始数据在 benchmarks/results/stats.json）。", "",
             "| 数据库 | 当前报告 | 检查发现 | 库大小 MB | 建库：入库 + SQL 复制 |", "|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {_label(r)} | {r['reports']:,} | {r['findings']:,} | {r['size_mb']:,} "
                     f"| {r['ingested']} 份 {r['ingest_s']} 秒 + {r['multiply_s']} 秒 |")
    lines += ["", "| 查询 | " + " | ".join(f"{_label(r)}：最快 / 首次（秒）" for r in results)
              + " | 组数 | 目标 |",
              "|---|" + "---|" * len(results) + "---|---|"]
    for label in results[0]["timings"]:
        cells = [f"{r['timings'][label]['best_s']:.3f} / {r['timings'][label]['first_s']:.3f}"
                 for r in results]
        target = "< 1 秒" if label.startswith("全国按省汇总") else ""
        lines.append(f"| {label} | {' | '.join(cells)} | {results[0]['timings'][label]['groups']}"
                     f" | {target} |")
    replace_block("stats", "统计速度（10 万份报告）", lines)


if __name__ == "__main__":
    main()
