"""Generated valid reports (every family at once) produce no error-level findings.

The generator makes reports whose arithmetic, narrative, metadata and layout agree; a rule
that fires an error on one of them is a false alarm.
"""

from __future__ import annotations

import pytest

import nianbao
from nianbao import synth
from nianbao.render import render


@pytest.mark.parametrize("fmt", ["text", "html", "markdown"])
def test_generated_valid_reports_have_no_errors(fmt):
    for seed in range(40):
        r = synth.generate(seed, layout=None, noise=synth.Noise.realistic())
        result = nianbao.check(nianbao.parse(render(r, fmt)))
        errors = [(f.code, f.message) for f in result.findings if f.severity == "error"]
        assert errors == [], (seed, r.layout, errors)
