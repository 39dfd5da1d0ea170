"""Docs that tests check: generated reference docs are current and match the shared key spec."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nianbao import docs
from nianbao.layouts import layouts
from tests.helpers import ROOT, SHARED


def test_generated_docs_are_current(tmp_path):
    for name, fn in docs.GENERATED.items():
        committed = (ROOT / "docs" / name).read_text(encoding="utf-8")
        assert committed == fn(), f"docs/{name} 已过期：请运行 python -m nianbao.docs"


def _spec_keys(text: str) -> set[str]:
    return set(re.findall(r"`([a-z][a-z0-9_]*)`", text))


@pytest.mark.skipif(not (SHARED / "spec" / "report-keys.md").exists(), reason="shared/ not beside")
def test_every_key_of_the_shared_spec_is_in_the_layouts():
    spec = (SHARED / "spec" / "report-keys.md").read_text(encoding="utf-8")
    table_part = spec.split("## Metadata", 1)[0]
    ours: set[str] = set()
    for lay in layouts().values():
        for t in lay.tables.values():
            ours |= {r.key for r in t.rows} | {c.key for c in t.columns} | {g.key for g in t.groups}
    ours |= {lay.key for lay in layouts().values()} | {"table2", "table3", "table4"}
    prose = {"null", "provenance"}  # words of the spec text, not keys
    missing = {k for k in _spec_keys(table_part) if k not in ours | prose}
    assert missing == set()


def test_problem_codes_emitted_are_catalogued():
    from nianbao.problems import PROBLEM_CODES

    src = Path(docs.__file__).parent
    emitted = set()
    for py in src.rglob("*.py"):
        emitted |= set(re.findall(r'problem\(\s*"([a-z_]+)"', py.read_text(encoding="utf-8")))
    assert emitted, "no problem codes found: has the recogniser changed its call shape?"
    assert emitted <= set(PROBLEM_CODES)


def test_error_codes_emitted_are_catalogued():
    from nianbao.errors import MESSAGES

    src = Path(docs.__file__).parent
    emitted = set()
    for py in src.rglob("*.py"):
        emitted |= set(re.findall(r'parse_error\(\s*"([a-z_]+)"', py.read_text(encoding="utf-8")))
    assert emitted <= set(MESSAGES)
