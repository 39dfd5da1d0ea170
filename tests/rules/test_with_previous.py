"""with_previous(check(r), r, prev) is exactly check(r, prev): the store relies on it."""

from __future__ import annotations

import pytest

import nianbao
from nianbao import synth
from nianbao.render import render
from nianbao.rules import with_previous


@pytest.mark.parametrize("seed", range(12))
def test_equals_a_full_check_with_the_previous_year(seed):
    noise = synth.Noise.realistic() if seed % 2 else synth.Noise()
    last = nianbao.parse(render(synth.generate(seed, year=2022, noise=noise), "text"))
    this = nianbao.parse(render(synth.generate(seed + 100, year=2023, noise=noise), "text"))
    full = nianbao.check(this, last)
    assert with_previous(nianbao.check(this), this, last) == full
