"""Shared test helpers: paths and running the real command line."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = ROOT / "tests" / "fixtures"
SEEDS = sorted((FIXTURES / "seeds").glob("*.txt"))
SHARED = ROOT.parent / "shared"


def run_cli(*args: str, cwd: Path | None = None,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run ``python -m nianbao`` for real, as a user would; ``env`` adds variables (such as
    ``NIANBAO_DATABASE_URL``) to the small fixed environment."""
    return subprocess.run([sys.executable, "-m", "nianbao", *args], capture_output=True,
                          text=True, cwd=cwd, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "COLUMNS": "120", "LANG": "C.UTF-8",
                               **(env or {})})


def replace_row(text: str, label: str, values: list[str]) -> str:
    """In flattened Word text, replace the value cells after the first cell line ``label``."""
    lines = text.split("\n")
    i = next(n for n, x in enumerate(lines) if x.rstrip() == "\t" + label)
    j = i + 1
    while lines[j].startswith("\t"):
        j += 1
    lines[i + 1 : j] = ["\t" + v for v in values]
    return "\n".join(lines)
