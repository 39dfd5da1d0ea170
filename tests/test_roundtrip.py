"""Round trips: generate a report, render it in each format, parse it back, compare.

The truth comes from ``nianbao.synth``; rendering from ``nianbao.render``; reading from
``nianbao.parse`` (readers + recogniser). Tables must come back exactly (None where a cell
is blank) and nothing may be left unplaced.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings

import nianbao
from nianbao import synth
from nianbao.normalize import fold
from nianbao.render import render
from nianbao.render.markdown import to_markdown
from nianbao.render.text import to_text
from tests.helpers import SEEDS

# Codes that mean a value or row was lost; none may appear for a well-formed report.
LOSS = {"value_unplaced", "cell_unplaced", "row_missing", "row_incomplete"}
EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow])


def assert_tables_round_trip(truth, data: bytes) -> nianbao.Report:
    got = nianbao.parse(data)
    lost = [(p.code, p.message) for p in got.problems if p.code in LOSS]
    assert lost == []
    assert got.layout == truth.layout
    assert got.table2 == truth.table2
    assert got.table3 == truth.table3
    assert got.table4 == truth.table4
    return got


def assert_meta_round_trip(truth, data: bytes) -> None:
    meta = nianbao.parse(data).meta
    assert meta.year == truth.meta["year"]
    assert (tuple(meta.period) if meta.period else None) == truth.meta["period"]
    assert sorted(meta.cited_templates) == sorted(truth.meta["cited_templates"])


@EXAMPLES
@given(synth.reports())
def test_text_round_trip(r) -> None:
    assert_tables_round_trip(r, render(r, "text"))


@EXAMPLES
@given(synth.reports())
def test_html_round_trip(r) -> None:
    assert_tables_round_trip(r, render(r, "html"))


@EXAMPLES
@given(synth.reports())
def test_docx_round_trip(r) -> None:
    assert_tables_round_trip(r, render(r, "docx"))


@pytest.mark.parametrize("style", ["grid", "repeat"])
@EXAMPLES
@given(synth.reports())
def test_markdown_round_trip(style, r) -> None:
    assert_tables_round_trip(r, to_markdown(r, style=style).encode("utf-8"))


@EXAMPLES
@given(synth.reports())
def test_markdown_collapsed_round_trip(r) -> None:
    assert_tables_round_trip(r, to_markdown(r, style="collapsed").encode("utf-8"))


@EXAMPLES
@given(synth.reports())
def test_meta_round_trip(r) -> None:
    for fmt in ("text", "html", "docx", "markdown"):
        assert_meta_round_trip(r, render(r, fmt))


@pytest.mark.parametrize("fmt", ["text", "html", "docx", "markdown"])
@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_a_parsed_report_renders_back_to_the_same_tables(seed, fmt) -> None:
    """A real report, parsed and rendered in each format, reads back the same."""
    first = nianbao.parse(seed)
    again = nianbao.parse(render(first, fmt))
    assert (again.layout, again.table2, again.table3, again.table4) == (
        first.layout, first.table2, first.table3, first.table4)
    assert again.meta.year == first.meta.year


def _table_lines(text: str) -> str:
    """The tables of flattened Word text, with cell text folded and a cell's lines joined.

    Keeps what the format is about (one line per cell, lone tabs for continuations, a
    blank line per row, runs of blank lines between tables), drops what Word varies.
    """
    out: list[str] = []
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("\t"):
            out.append("\t" + fold(line))
        elif not line.strip():
            if out and out[-1] != "P":
                out.append("")
        elif out and out[-1].startswith("\t") and lines[i - 1].strip():
            out[-1] += fold(line)  # a cell's further line
        else:
            out.append("P")
    joined = re.sub(r"\n{3,}", "\n\n", re.sub(r"(P\n)+", "P\n", "\n".join(out)))
    return joined[joined.index("\t") : joined.rindex("\t")]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.name[:3])
def test_text_renderer_prints_tables_like_the_seeds(seed) -> None:
    printed = to_text(nianbao.parse(seed), synth.Noise())
    assert _table_lines(printed) == _table_lines(seed.read_text(encoding="utf-8"))
