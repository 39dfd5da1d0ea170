"""A corpus of generated reports for store benchmarks: realistic agencies, several years each.

    .venv/bin/python benchmarks/corpus.py DIR [--n 2000] [--seed 0] [--format text]

Every agency publishes a run of consecutive years (1–5, within 2019–2024; the 2019 layout
for 2019–2020, the 2021 layout after), so an ingest finds last year's report for most
documents and the cross-year rules run. Documents arrive in a shuffled order, as a
collection gathered from many sites would. Deterministic by seed.
"""

from __future__ import annotations

import argparse
import random
import re
from collections.abc import Iterator
from pathlib import Path
from unittest import mock

from nianbao import synth
from nianbao.render import render

FIRST_YEAR, LAST_YEAR = 2019, 2024
RUN_LENGTHS, RUN_WEIGHTS = (1, 2, 3, 4, 5), (1, 2, 3, 2, 1)
EXTENSIONS = {"text": "txt", "html": "html", "docx": "docx", "markdown": "md"}


def layout_of(year: int) -> str:
    return "2019" if year <= 2020 else "2021"


def agency_report(agency: dict, year: int, seed: str,
                  noise: synth.Noise | None = None) -> synth.SyntheticReport:
    """A report of ``agency`` (a ``synth._agency`` draw) for ``year``. synth draws the agency
    itself from the seed; pinning it is how one agency gets different numbers every year."""
    with mock.patch.object(synth, "_agency", lambda _rng: agency):
        return synth.generate(random.Random(seed), layout=layout_of(year), year=year,
                              noise=noise)


def plan(n: int, seed: int = 0) -> list[tuple[dict, int, str]]:
    """(agency, year, seed) of n reports: runs of consecutive years per agency, distinct
    agencies while synth's pool lasts (later ones repeat, as corrected editions would)."""
    rng = random.Random(seed)
    out: list[tuple[dict, int, str]] = []
    seen: set[str] = set()
    index = 0
    while len(out) < n:
        index += 1
        agency = None
        for attempt in range(50):  # a fresh name if the pool has one left
            agency = synth._agency(random.Random(f"{seed}:agency:{index}:{attempt}"))
            if agency["name"] not in seen:
                break
        seen.add(agency["name"])
        length = rng.choices(RUN_LENGTHS, RUN_WEIGHTS)[0]
        start = rng.randint(FIRST_YEAR, LAST_YEAR - length + 1)
        out += [(agency, year, f"{seed}:{index}:{year}") for year in range(start, start + length)]
    out = out[:n]
    rng.shuffle(out)
    return out


def corpus(n: int, seed: int = 0, fmt: str = "text",
           noise: synth.Noise | None = None) -> Iterator[tuple[str, bytes]]:
    """(file name, bytes) of n reports in arrival order."""
    noise = synth.Noise.realistic() if noise is None else noise
    for i, (agency, year, report_seed) in enumerate(plan(n, seed)):
        report = agency_report(agency, year, report_seed, noise)
        short = re.sub(r"\W", "", agency["name"])[:16]
        yield f"{i:06d}_{year}_{short}.{EXTENSIONS[fmt]}", render(report, fmt)


def write_corpus(directory: Path, n: int, seed: int = 0, fmt: str = "text",
                 noise: synth.Noise | None = None) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, data in corpus(n, seed, fmt, noise):
        path = directory / name
        path.write_bytes(data)
        paths.append(path)
    return paths


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("directory", type=Path)
    ap.add_argument("--n", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--format", default="text", choices=sorted(EXTENSIONS))
    args = ap.parse_args()
    paths = write_corpus(args.directory, args.n, args.seed, args.format)
    print(f"已生成 {len(paths)} 份年报：{args.directory}")


if __name__ == "__main__":
    main()
