"""The README's main job: parsing the bundled sample reports works and is complete."""

from __future__ import annotations

import json

from tests.helpers import ROOT, run_cli


def test_bundled_examples_parse_completely_in_every_format():
    proc = run_cli("parse", "--jsonl", str(ROOT / "examples"))
    assert proc.returncode == 0, proc.stderr
    reports = [json.loads(x) for x in proc.stdout.splitlines()]
    assert len(reports) == 8
    assert {r["source"]["format"] for r in reports} == {"text", "html", "docx", "markdown"}
    assert all(r["status"] == "ok" and r["problems"] == [] for r in reports)
    rendered = [r for r in reports if "人社局" in r["source"]["name"]]
    assert len(rendered) == 3
    assert all(r["table2"]["fees"]["amount"] == 24.1982 for r in rendered)
