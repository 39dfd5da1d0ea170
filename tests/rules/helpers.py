"""Building reports for rule tests: a clean base report and mutations of it.

The base is a synthetic report (arithmetic, narrative and metadata consistent) printed as
flattened Word text and parsed back, so it carries real provenance like any parsed report.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import nianbao
from nianbao import synth
from nianbao.render import render

BASE_SEED = 7


@cache
def _base(layout: str, seed: int) -> nianbao.Report:
    return nianbao.parse(render(synth.generate(seed, layout=layout, noise=synth.Noise()), "text"))


def base(layout: str = "2021", seed: int = BASE_SEED) -> nianbao.Report:
    """A fresh copy of a clean report (mutate it freely)."""
    return _base(layout, seed).model_copy(deep=True)


def mutated(fn: Callable[[nianbao.Report], None], layout: str = "2021",
            seed: int = BASE_SEED) -> nianbao.Report:
    r = base(layout, seed)
    fn(r)
    return r


def findings(report: nianbao.Report, code: str, previous: nianbao.Report | None = None):
    """The findings of one rule, as (code, table, row, column, expected, found) tuples."""
    result = nianbao.check(report, previous, select=[code])
    return [(f.code, f.location.table, f.location.row, f.location.column, f.expected, f.found)
            for f in result.findings]
