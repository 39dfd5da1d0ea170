"""How much checking adds to parsing (run by hand, not in CI).

    .venv/bin/python benchmarks/bench_check.py            # 1,000 generated reports, text format
    .venv/bin/python benchmarks/bench_check.py --write    # also update docs/benchmarks.md

Reports are generated and rendered first; then, in this process, every report is parsed
(timed) and the parsed reports are checked (timed separately). Best of three passes for
each, as the machine is shared. Target (issue #3): check time ≤ 20% of parse time.
"""

from __future__ import annotations

import argparse
import platform
import time
from pathlib import Path

from docblock import replace_block  # beside this script

ROOT = Path(__file__).resolve().parents[1]
PASSES = 3


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--format", default="text")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    rows = [measure_seeds(args), *(measure(args, noisy) for noisy in (False, True))]
    if args.write:
        write(rows, args)


def measure_seeds(args) -> tuple:
    """The five real seed reports, repeated to n documents."""
    seeds = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
    docs = [p.read_bytes() for p in seeds] * (args.n // len(seeds))
    return _time(args, docs, "真实样例（5 份种子报告，重复）")


def measure(args, noisy: bool) -> tuple:
    """(label, parse seconds, check seconds, findings) on clean or noisy generated reports."""
    from nianbao import synth

    def docs_of():
        from nianbao.render import render

        for i in range(args.n):
            r = synth.generate(args.seed + i, layout=None,
                               noise=synth.Noise.realistic() if noisy else synth.Noise())
            yield render(r, args.format)

    return _time(args, list(docs_of()),
                 "合成报告，带噪声（Noise.realistic）" if noisy else "合成报告，无噪声")


def _time(args, docs: list[bytes], label: str) -> tuple:
    """(label, parse s, check s, findings, interleaved parse s, interleaved check s).

    Two ways, best of three passes each: in batches (every report parsed, then the parsed
    reports checked) and interleaved (each report parsed and at once checked, as
    ``nianbao check DIR`` does). They differ in where the garbage collector's work on
    the parser's objects lands and in what the processor caches hold."""
    import nianbao

    clock = time.perf_counter
    parse_s = check_s = one_parse = one_check = float("inf")
    reports: list = []
    for _ in range(PASSES):
        start = clock()
        reports = [nianbao.parse(d) for d in docs]
        parse_s = min(parse_s, clock() - start)
        start = clock()
        results = [nianbao.check(r) for r in reports]
        check_s = min(check_s, clock() - start)
    reports = []
    for _ in range(PASSES):
        p = c = 0.0
        for d in docs:
            t0 = clock()
            report = nianbao.parse(d)
            t1 = clock()
            nianbao.check(report)
            c += clock() - t1
            p += t1 - t0
        one_parse, one_check = min(one_parse, p), min(one_check, c)
    findings = sum(len(r.findings) for r in results)
    n = len(docs)
    print(f"{label}：解析 {n / parse_s:.0f} 份/秒，检查 {n / check_s:.0f} 份/秒；检查耗时为解析的 "
          f"{check_s / parse_s:.1%}（逐份交替 {one_check / one_parse:.1%}；目标 ≤ 20%），"
          f"平均每份 {findings / n:.1f} 条发现，规则 {len(nianbao.rules.all_rules())} 条")
    scale = args.n / n
    return (label, parse_s * scale, check_s * scale, findings * args.n // n,
            one_parse * scale, one_check * scale)


def write(rows, args) -> None:
    replace_block("check", "检查的额外耗时", [
        f"测量日期 {time.strftime('%Y-%m-%d')}，{platform.machine()}，Python "
        f"{platform.python_version()}，单进程；命令 `python benchmarks/bench_check.py "
        f"--n {args.n} --write`，各取三遍中最快一遍。“成批”：先解析全部报告，再检查全部；"
        "“逐份交替”：每份解析后立即检查（`nianbao check 目录` 的做法）。", "",
        "| 报告（文本格式） | 份数 | 每份发现 | 解析（份/秒） | 检查（份/秒） | 检查/解析（成批） "
        "| 检查/解析（逐份交替） | 目标 | 结果 |",
        "|---|---|---|---|---|---|---|---|---|",
        *(f"| {label} | {args.n} | {found / args.n:.1f} | "
          f"{args.n / p:.0f} | {args.n / c:.0f} | {c / p:.1%} | {oc / op:.1%} | ≤ 20% | "
          f"{'达标' if max(c / p, oc / op) <= 0.2 else '未达标'} |"
          for label, p, c, found, op, oc in rows)])


if __name__ == "__main__":
    main()
