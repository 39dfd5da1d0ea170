"""The synthetic report generator: its truths obey the official table arithmetic."""

from __future__ import annotations

import random
import re
from decimal import Decimal
from types import GeneratorType

import pytest

from nianbao import layouts, synth
from nianbao.model import Meta
from nianbao.render import render

SEEDS = range(150)
LAYOUTS = sorted(layouts.layouts())


def _v(x):
    """A blank cell stands for zero in the arithmetic."""
    return x or 0


def _check_table3(spec, t3) -> None:
    cols = [c.key for c in spec.columns]
    assert list(t3) == [r.key for r in spec.rows]
    assert all(list(row) == cols for row in t3.values())
    parts = [c for c in cols if c != synth.TOTAL]
    for key, row in t3.items():
        assert _v(row[synth.TOTAL]) == sum(_v(row[c]) for c in parts), key
        assert all(v is None or (isinstance(v, int) and v >= 0) for v in row.values()), key
    results = [k for k in t3 if k not in synth.T3_SPECIAL]
    for c in cols:
        processed = _v(t3[synth.T3_TOTAL_PROCESSED][c])
        assert processed == sum(_v(t3[k][c]) for k in results), c
        assert (_v(t3[synth.T3_NEW][c]) + _v(t3[synth.T3_CARRIED_OVER][c])
                == processed + _v(t3[synth.T3_CARRIED_FORWARD][c])), c


def _check_table4(spec, t4) -> None:
    cols = [c.key for c in spec.columns]
    assert list(t4) == [g.key for g in spec.groups]
    for key, row in t4.items():
        assert list(row) == cols
        assert _v(row[synth.TOTAL]) == sum(_v(row[c]) for c in cols if c != synth.TOTAL), key
    assert any(v is not None for row in t4.values() for v in row.values())


def _check_table2(spec, t2) -> None:
    assert list(t2) == [r.key for r in spec.rows]
    for row in spec.rows:
        values = t2[row.key]
        assert list(values) == [c.key for c in spec.row_columns(row)]
        for col in spec.row_columns(row):
            v = values[col.key]
            assert v is not None, (row.key, col.key)
            if col.kind == "money":
                assert -Decimal(repr(v)).as_tuple().exponent <= 4 or isinstance(v, int)
            else:
                assert isinstance(v, int)
            if not col.signed:
                assert v >= 0, (row.key, col.key)
        if "in_force" in values:
            assert values["in_force"] >= values["issued"]
        if "total_published" in values:
            assert values["total_published"] >= values["published"]
        if "change" in values and "previous" in values:
            assert values["previous"] + values["change"] >= 0


@pytest.mark.parametrize("layout", LAYOUTS)
def test_tables_obey_the_official_arithmetic(layout: str) -> None:
    lay = layouts.get(layout)
    for seed in SEEDS:
        r = synth.generate(seed, layout=layout, noise=synth.Noise(blank=0.5))
        assert r.layout == layout
        _check_table2(lay.table2, r.table2)
        _check_table3(lay.table3, r.table3)
        _check_table4(lay.table4, r.table4)


def test_blank_cells_only_replace_zeros() -> None:
    for seed in range(40):
        clean = synth.generate(seed, layout="2021")
        noisy = synth.generate(seed, layout="2021", noise=synth.Noise(blank=1.0))
        for name in ("table3", "table4"):
            a, b = getattr(clean, name), getattr(noisy, name)
            for key in a:
                for col, v in a[key].items():
                    assert b[key][col] == v or (v == 0 and b[key][col] is None)
        assert noisy.table2 == clean.table2  # table 二 never goes blank


def test_generation_is_deterministic() -> None:
    a = synth.generate(42, layout="2019", noise=synth.Noise.heavy())
    b = synth.generate(42, layout="2019", noise=synth.Noise.heavy())
    assert a == b
    assert synth.generate(random.Random(7)) == synth.generate(random.Random(7))
    assert synth.generate(1) != synth.generate(2)
    for fmt in ("text", "html", "markdown", "docx"):
        assert render(a, fmt) == render(b, fmt), fmt


def test_meta_is_a_valid_model_and_the_narrative_agrees_with_table3() -> None:
    years = set()
    for seed in range(60):
        r = synth.generate(seed, layout=None)
        Meta(**r.meta)  # same keys and types as the parsed model
        years.add(r.meta["year"])
        assert r.meta["agency"] in r.title_lines[0]
        assert str(r.meta["year"]) in "".join(r.title_lines)
        overview = next(s for s in r.sections if s.key == "overview").text
        f = r.figures
        assert f["proactive_total"] == sum(f["proactive_items"].values())
        assert f"主动公开政府信息{f['proactive_total']}条" in overview
        for label, n in f["proactive_items"].items():
            assert f"{label}{n}条" in overview
        received = r.table3[synth.T3_NEW][synth.TOTAL]
        assert f["applications_received"] == received
        if received:
            assert f"收到政府信息公开申请{received}件" in overview
        else:
            assert "未收到政府信息公开申请" in overview
    assert len(years) > 2


def test_agencies_and_scales_vary() -> None:
    levels, biggest = set(), 0
    for seed in range(200):
        r = synth.generate(seed)
        levels.add(r.meta["level"])
        biggest = max(biggest, r.table3[synth.T3_NEW][synth.TOTAL] or 0)
        assert re.search(r"(人民政府|局|委员会|中心|办事处)$", r.meta["agency"])
    assert levels == {"政府", "部门", "乡镇街道"}
    assert biggest >= 100  # a city government receives hundreds of applications


def test_corpus_is_a_lazy_stream() -> None:
    stream = synth.corpus(3, seed=5, formats=("text", "markdown"))
    assert isinstance(stream, GeneratorType)
    items = list(stream)
    assert len(items) == 6
    assert len({name for name, _ in items}) == 6
    assert all(isinstance(data, bytes) and data for _, data in items)
    assert items == list(synth.corpus(3, seed=5, formats=("text", "markdown")))
