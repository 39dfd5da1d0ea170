"""Web pages and API under concurrent load, on a store of 10,000 reports (run by hand).

    .venv/bin/python benchmarks/bench_web.py                  # 10,000 reports, 8 clients
    .venv/bin/python benchmarks/bench_web.py --requests 300 --concurrency 8 --write
    .venv/bin/python benchmarks/bench_web.py --build-only     # just build (or find) the store

The store: ``benchmarks/corpus.py`` generates ``--n`` reports (flattened Word text, realistic
noise, agencies with runs of consecutive years) and ``nianbao.store.ingest`` stores them for
real with two parsing processes, as ``nianbao ingest`` would; then ``ANALYZE``. Building
takes a few minutes, so the file is kept in ``--cache`` (default a directory under /tmp),
named by the number of reports, the corpus seed, the parser version and the schema revision:
a rerun with the same code reuses it. Never under benchmarks/results/ (hundreds of MB).

The server: ``nianbao serve`` in a subprocess on 127.0.0.1 (one process, as users start it),
anonymous (every page measured is readable without an account). The load: ``--concurrency``
httpx async clients share ``--requests`` requests of each URL in turn (after a few warm-up
requests); per URL p50 / p95 / p99 latency and requests per second. Only loopback traffic,
bounded in count and time. Target (issue #5): p95 < 200 ms for the list and dashboard pages.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "web.json"
CACHE = Path(tempfile.gettempdir()) / "nianbao-bench-web"
TARGET_MS = 200
SEED = 0


# ------------------------------------------------------------------ the store

def store_path(cache: Path, n: int) -> Path:
    from nianbao.store.db import head_revision
    from nianbao.version import PARSER_VERSION

    return cache / f"store-n{n}-seed{SEED}-v{PARSER_VERSION}-{head_revision()}.db"


def build_store(cache: Path, n: int) -> Path:
    """The cached store of ``n`` ingested reports, built when missing."""
    path = store_path(cache, n)
    if path.exists():
        print(f"使用已建好的库：{path}", file=sys.stderr)
        return path
    from corpus import write_corpus  # beside this script

    from nianbao.store import Store
    from nianbao.store.ingest import ingest
    from nianbao.store.sources import iter_sources

    cache.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".partial")
    for leftover in cache.glob(partial.name + "*"):
        leftover.unlink()
    with tempfile.TemporaryDirectory(prefix="nianbao-bench-web-") as tmp:
        t0 = time.perf_counter()
        paths = write_corpus(Path(tmp), n, SEED)
        print(f"已生成 {len(paths)} 份年报（{time.perf_counter() - t0:.0f} 秒），开始入库……",
              file=sys.stderr)
        store = Store(f"sqlite:///{partial}")
        t1 = time.perf_counter()
        summary = ingest(store, list(iter_sources([Path(tmp)])), workers=2)
        print(f"入库 {summary.counts()}（{time.perf_counter() - t1:.0f} 秒）", file=sys.stderr)
        with store.engine.begin() as conn:
            conn.exec_driver_sql("ANALYZE")
        store.close()  # the last connection checkpoints the WAL into the file
    partial.rename(path)
    return path


# ------------------------------------------------------------------ the server

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """``nianbao serve`` on loopback in a subprocess, stopped on exit."""

    def __init__(self, db: Path, env: dict[str, str] | None = None) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        nianbao = Path(sys.executable).with_name("nianbao")
        self.proc = subprocess.Popen(
            [str(nianbao), "serve", "--host", "127.0.0.1", "--port", str(self.port),
             "--db", f"sqlite:///{db}"],
            env={**os.environ, **(env or {})}, stdout=subprocess.DEVNULL)

    def __enter__(self) -> Server:
        import httpx

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit("服务未能启动")
            try:
                httpx.get(self.base + "/favicon.ico", timeout=1)
                return self
            except httpx.HTTPError:
                time.sleep(0.2)
        self.__exit__()
        raise SystemExit("服务 60 秒内没有响应")

    def __exit__(self, *exc) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()



# ------------------------------------------------------------------ the load

# (group, what, URL): list and dashboard pages (the target), and the API beside them
URLS = (
    ("年报库", "第一页", "/reports"),
    ("年报库", "筛选：2023 年、江西省、有错误", "/reports?year=2023&region=江西省&has_errors=1"),
    ("年报库", "深页：第 150 页", "/reports?page=150"),
    ("年报库", "按评分排序", "/reports?sort=score&order=asc"),
    ("API", "/api/reports 第一页", "/api/reports"),
    ("总览", "默认（最新年度、全国）", "/"),
    ("总览", "江西省", "/?region=江西省"),
    ("总览", "2022 年", "/?year=2022"),
    ("API", "/api/stats 按省、2023 年", "/api/stats?group_by=province&year=2023"),
)
TIMEOUT = 30.0  # seconds for one request
URL_DEADLINE = 300.0  # seconds for all requests of one URL


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (Linux /proc), to show the server's cost."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def load(base: str, url: str, requests: int, concurrency: int, pid: int) -> dict:
    """One cold request alone, a warm-up round, then ``requests`` requests shared by
    ``concurrency`` clients; latencies in ms."""
    import httpx

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, timeout=TIMEOUT, limits=limits) as client:
        t = time.perf_counter()
        first = await client.get(url)
        cold_ms = (time.perf_counter() - t) * 1000
        await asyncio.gather(*(client.get(url) for _ in range(concurrency)))
        latencies: list[float] = []
        statuses: dict[int, int] = {}
        remaining = requests
        deadline = time.monotonic() + URL_DEADLINE

        async def worker() -> None:
            nonlocal remaining
            while remaining > 0 and time.monotonic() < deadline:
                remaining -= 1
                t0 = time.perf_counter()
                r = await client.get(url)
                latencies.append((time.perf_counter() - t0) * 1000)
                statuses[r.status_code] = statuses.get(r.status_code, 0) + 1

        cpu0, started = cpu_seconds(pid), time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        wall, cpu = time.perf_counter() - started, cpu_seconds(pid) - cpu0
    n = len(latencies)
    return {"url": url, "status": first.status_code, "statuses": statuses, "requests": n,
            "cold_ms": round(cold_ms, 1), "p50_ms": round(percentile(latencies, 50), 1),
            "p95_ms": round(percentile(latencies, 95), 1),
            "p99_ms": round(percentile(latencies, 99), 1), "rps": round(n / wall, 1),
            "server_cpu_ms": round(cpu / n * 1000, 1), "bytes": len(first.content)}


def run(db: Path, args, urls, env: dict[str, str] | None = None) -> list[dict]:
    rows = []
    with Server(db, env) as server:
        for group, what, url in urls:
            row = asyncio.run(load(server.base, url, args.requests, args.concurrency,
                                   server.proc.pid))
            row.update(group=group, what=what)
            rows.append(row)
            ok = "达标" if row["p95_ms"] < TARGET_MS else "未达标"
            print(f"{group} {what}: p50 {row['p50_ms']} / p95 {row['p95_ms']} / p99 "
                  f"{row['p99_ms']} ms，{row['rps']} 次/秒，首次 {row['cold_ms']} ms，"
                  f"服务进程 CPU {row['server_cpu_ms']} ms/次，状态 {row['statuses']}"
                  f"（目标 p95 < {TARGET_MS} ms：{ok}）", file=sys.stderr)
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=10_000, help="reports in the store")
    ap.add_argument("--requests", type=int, default=300, help="timed requests per URL")
    ap.add_argument("--concurrency", type=int, default=8, help="concurrent clients")
    ap.add_argument("--cache", type=Path, default=CACHE, help="where the built store is kept")
    ap.add_argument("--no-cache-run", action="store_true",
                    help="also measure the dashboard with its short cache switched off")
    ap.add_argument("--build-only", action="store_true")
    ap.add_argument("--write", action="store_true", help="update docs/benchmarks.md")
    args = ap.parse_args()
    db = build_store(args.cache, args.n)
    if args.build_only:
        print(db)
        return
    load_before = os.getloadavg()
    print(f"目标：p95 < {TARGET_MS} ms（{args.concurrency} 个并发客户端，每个地址 "
          f"{args.requests} 次请求，服务为 1 个进程）；机器负载 {load_before[0]:.2f}",
          file=sys.stderr)
    rows = run(db, args, URLS)
    uncached = []
    if args.no_cache_run:
        dash = [u for u in URLS if u[0] == "总览"]
        uncached = run(db, args, dash, {"NIANBAO_DASHBOARD_CACHE": "0"})
        for row in uncached:
            row["what"] += "（不缓存）"
    result = {"date": str(date.today()), "n": args.n, "requests": args.requests,
              "concurrency": args.concurrency, "target_ms": TARGET_MS,
              "load_before": round(load_before[0], 2), "load_after": round(os.getloadavg()[0], 2),
              "machine": f"{platform.machine()}，{os.cpu_count()} 核，Python "
                         f"{platform.python_version()}",
              "rows": rows + uncached}
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if args.write:
        write(result, args)


# ------------------------------------------------------------------ docs

def write(result: dict, args) -> None:
    from docblock import replace_block  # beside this script

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    command = (f"python benchmarks/bench_web.py --n {args.n} --requests {args.requests} "
               f"--concurrency {args.concurrency}"
               + (" --no-cache-run" if args.no_cache_run else "") + " --write")
    lines = [f"测量日期 {result['date']}，{result['machine']}；命令 `{command}`（原始数据在 "
             "benchmarks/results/web.json）。库：SQLite，"
             f"{result['n']:,} 份真实入库的合成年报；服务：`nianbao serve`，1 个进程；负载："
             f"{result['concurrency']} 个并发客户端（httpx，本机回环），每个地址先单独请求一次"
             f"（“首次”），预热后计时 {result['requests']} 次。测量前后机器 1 分钟平均负载 "
             f"{result['load_before']} / {result['load_after']}（两个核由同时运行的其他会话共用）。",
             "", f"目标（issue #5）：列表和总览页面 p95 < {result['target_ms']} 毫秒。", "",
             "| 页面 | 请求 | p50 毫秒 | p95 毫秒 | p99 毫秒 | 次/秒 | 首次 毫秒 | 服务 CPU 毫秒/次 "
             "| 结果 |", "|---|---|---|---|---|---|---|---|---|"]
    for r in result["rows"]:
        targeted = r["group"] in ("年报库", "总览")
        verdict = ("达标" if r["p95_ms"] < result["target_ms"] else "未达标") if targeted \
            else "（API，不计入目标）"
        if set(r["statuses"]) != {200}:
            verdict += f"；状态 {r['statuses']}"
        lines.append(f"| {r['group']}：{r['what']} | `{r['url']}` | {r['p50_ms']} | "
                     f"{r['p95_ms']} | {r['p99_ms']} | {r['rps']} | {r['cold_ms']} | "
                     f"{r['server_cpu_ms']} | {verdict} |")
    replace_block("web", "网页", lines)


if __name__ == "__main__":
    main()
