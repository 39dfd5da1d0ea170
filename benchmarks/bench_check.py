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

ROOT = Path(__file__).resolve().parents[1]
PASSES = 3


def main() -> None:
    import nianbao
    from nianbao.synth import corpus

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=1000)
    ap.add_argument("--format", default="text")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--write", action="store_true")
    args = ap.parse_args()
    docs = [data for _name, data in corpus(args.n, seed=args.seed, formats=(args.format,))]
    parse_s = check_s = float("inf")
    reports: list = []
    for _ in range(PASSES):
        start = time.perf_counter()
        reports = [nianbao.parse(d) for d in docs]
        parse_s = min(parse_s, time.perf_counter() - start)
        start = time.perf_counter()
        results = [nianbao.check(r) for r in reports]
        check_s = min(check_s, time.perf_counter() - start)
    findings = sum(len(r.findings) for r in results)
    share = check_s / parse_s
    line = (f"{args.format}: 解析 {args.n / parse_s:.0f} 份/秒，检查 {args.n / check_s:.0f} 份/秒；"
            f"检查耗时为解析的 {share:.0%}（目标 ≤ 20%），共 {findings} 条发现，"
            f"规则 {len(nianbao.rules.all_rules())} 条")
    print(line)
    if args.write:
        path = ROOT / "docs" / "benchmarks.md"
        text = path.read_text(encoding="utf-8")
        start_m, end_m = "<!-- check:start -->", "<!-- check:end -->"
        block = "\n".join([
            start_m, "",
            f"测量日期 {time.strftime('%Y-%m-%d')}，{platform.machine()}，Python "
            f"{platform.python_version()}，单进程；命令 `python benchmarks/bench_check.py "
            f"--n {args.n} --write`，各取三遍中最快一遍。", "",
            "| 格式 | 份数 | 解析（份/秒） | 检查（份/秒） | 检查/解析 | 目标 | 结果 |",
            "|---|---|---|---|---|---|---|",
            f"| {args.format} | {args.n} | {args.n / parse_s:.0f} | {args.n / check_s:.0f} | "
            f"{share:.0%} | ≤ 20% | {'达标' if share <= 0.2 else '未达标'} |", "", end_m])
        if start_m in text:
            text = text.split(start_m)[0] + block + text.split(end_m, 1)[1]
        else:
            text = text.rstrip() + "\n\n## 检查的额外耗时\n\n" + block + "\n"
        path.write_text(text, encoding="utf-8")
        print(f"已更新 {path}")


if __name__ == "__main__":
    main()
