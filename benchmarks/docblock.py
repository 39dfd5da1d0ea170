"""Rewrite one generated block of docs/benchmarks.md, leaving the prose around it alone."""

from __future__ import annotations

from pathlib import Path

BENCHMARKS_MD = Path(__file__).resolve().parents[1] / "docs" / "benchmarks.md"


def replace_block(name: str, heading: str, lines: list[str]) -> None:
    """Put ``lines`` between ``<!-- name:start -->`` and ``<!-- name:end -->``; when the
    markers are not there yet, append them under a new ``## heading``."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    text = BENCHMARKS_MD.read_text(encoding="utf-8") if BENCHMARKS_MD.exists() else "# 基准测试\n"
    block = "\n".join([start, "", *lines, "", end])
    if start in text:
        text = text.split(start)[0] + block + text.split(end, 1)[1]
    else:
        text = text.rstrip() + f"\n\n## {heading}\n\n" + block + "\n"
    BENCHMARKS_MD.write_text(text, encoding="utf-8")
    print(f"已更新 {BENCHMARKS_MD}")
