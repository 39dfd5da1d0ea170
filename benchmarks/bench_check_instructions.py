"""How much checking adds to parsing, in instructions counted by valgrind (run by hand).

    .venv/bin/python benchmarks/bench_check_instructions.py            # 60 reports per corpus
    .venv/bin/python benchmarks/bench_check_instructions.py --write    # also docs/benchmarks.md

The timed benchmark (bench_check.py) moves by ±20–30% on a shared machine; instruction
counts under callgrind do not (the same count for the same code and input, whatever else
the machine does), so this is the measure to compare two versions of the rules with.
Same passes as the timed benchmark's best one: every report parsed and checked once
(caches warm), then one more parse pass and one more check pass are counted, each
bracketed by callgrind client requests (a tiny C shim compiled here with gcc against
valgrind's header). Needs valgrind, gcc and /usr/include/valgrind/callgrind.h.
"""

from __future__ import annotations

import argparse
import ctypes
import os
import pickle
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from docblock import replace_block  # beside this script

ROOT = Path(__file__).resolve().parents[1]
SHIM = r"""
#include <valgrind/callgrind.h>
void toggle(void) { CALLGRIND_TOGGLE_COLLECT; }
void dump(const char *name) { CALLGRIND_DUMP_STATS_AT(name); }
"""
CORPORA = {"seeds": "真实样例（5 份种子报告，重复）", "clean": "合成报告，无噪声",
           "noisy": "合成报告，带噪声（Noise.realistic）"}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=60, help="reports per corpus")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--write", action="store_true")
    ap.add_argument("--inner", nargs=2, help=argparse.SUPPRESS)  # (shim, corpus pickle)
    args = ap.parse_args()
    if args.inner:
        return inner(*args.inner)
    missing = [t for t in ("valgrind", "gcc") if shutil.which(t) is None]
    if missing or not Path("/usr/include/valgrind/callgrind.h").exists():
        sys.exit(f"需要 valgrind、gcc 和 valgrind 的头文件（缺少：{'、'.join(missing) or 'callgrind.h'}）；"
                 "Debian 上可安装 valgrind 与 gcc 软件包。")
    with tempfile.TemporaryDirectory() as tmp:
        shim = Path(tmp) / "cgshim.so"
        (Path(tmp) / "cgshim.c").write_text(SHIM)
        subprocess.run(["gcc", "-O2", "-shared", "-fPIC", "-o", shim, Path(tmp) / "cgshim.c"],
                       check=True)
        rows = []
        for name, label in CORPORA.items():
            docs = Path(tmp) / f"{name}.pkl"
            docs.write_bytes(pickle.dumps(_docs(name, args)))
            parse, check = _count(tmp, shim, docs)
            rows.append((label, parse / args.n, check / args.n))
            print(f"{label}：每份解析 {parse / args.n / 1e6:.2f} 百万条指令，检查 "
                  f"{check / args.n / 1e6:.2f} 百万条；检查为解析的 {check / parse:.1%}（目标 ≤ 20%）")
    if args.write:
        write(rows, args)


def _docs(name: str, args) -> list[bytes]:
    if name == "seeds":
        seeds = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
        return [p.read_bytes() for p in seeds] * (args.n // len(seeds)) + \
            [p.read_bytes() for p in seeds][: args.n % len(seeds)]
    from nianbao import synth
    from nianbao.render import render

    noise = synth.Noise.realistic() if name == "noisy" else synth.Noise()
    return [render(synth.generate(args.seed + i, layout=None, noise=noise), "text")
            for i in range(args.n)]


def _count(tmp: str, shim: Path, docs: Path) -> tuple[int, int]:
    """(instructions of one warm parse pass, of one warm check pass) of the corpus."""
    out = Path(tmp) / "callgrind.out"
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run(["valgrind", "--tool=callgrind", "--collect-atstart=no",
                    f"--callgrind-out-file={out}", sys.executable, __file__,
                    "--inner", str(shim), str(docs)], check=True, env=env,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    totals = {}
    for dump in Path(tmp).glob("callgrind.out.*"):
        text = dump.read_text(encoding="utf-8", errors="replace")
        name = re.search(r"^desc: Trigger: Client Request: (\w+)$", text, re.M)
        total = re.search(r"^(?:totals|summary): (\d+)", text, re.M)
        if name and total:
            totals[name.group(1)] = int(total.group(1))
        dump.unlink()
    return totals["parse"], totals["check"]


def inner(shim: str, corpus: str) -> None:
    """Under callgrind: warm everything, then count one parse pass and one check pass."""
    import nianbao

    cg = ctypes.CDLL(shim)
    docs = pickle.loads(Path(corpus).read_bytes())
    reports = [nianbao.parse(d) for d in docs]
    [nianbao.check(r) for r in reports]
    for name, run in (("parse", lambda: [nianbao.parse(d) for d in docs]),
                      ("check", lambda: [nianbao.check(r) for r in reports])):
        cg.toggle()
        kept = run()
        cg.toggle()
        cg.dump(name.encode())
        del kept


def write(rows, args) -> None:
    replace_block("check-instructions", "检查的额外指令数（确定性测量）", [
        f"测量日期 {time.strftime('%Y-%m-%d')}，{platform.machine()}，Python "
        f"{platform.python_version()}；命令 `python benchmarks/bench_check_instructions.py "
        f"--n {args.n} --write`（valgrind callgrind，`PYTHONHASHSEED=0`，缓存已预热的一遍）。", "",
        "| 报告（文本格式） | 份数 | 每份解析（百万条指令） | 每份检查（百万条指令） | 检查/解析 | 目标 | 结果 |",
        "|---|---|---|---|---|---|---|",
        *(f"| {label} | {args.n} | {p / 1e6:.2f} | {c / 1e6:.2f} | {c / p:.1%} | ≤ 20% | "
          f"{'达标' if c / p <= 0.2 else '未达标'} |" for label, p, c in rows)])


if __name__ == "__main__":
    main()
