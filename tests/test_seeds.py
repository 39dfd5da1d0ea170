"""The five real seed reports: golden files checked by eye once, plus explicit facts.

Golden files are regenerated only with NIANBAO_REGEN_GOLDEN=1, and never in CI
(a test below fails if the flag is on while CI is set).
"""

from __future__ import annotations

import json
import os

import pytest

import nianbao
from tests.helpers import ROOT, SEEDS

GOLDEN = ROOT / "tests" / "golden"
REGEN = os.environ.get("NIANBAO_REGEN_GOLDEN") == "1"


def _snapshot(report: nianbao.Report) -> dict:
    data = report.model_dump(mode="json")
    data.pop("parser_version")  # changes with every release; not part of the reading
    return data


def test_regeneration_flag_is_off_in_ci():
    if os.environ.get("CI"):
        assert not REGEN, "NIANBAO_REGEN_GOLDEN must not be set in CI"


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_matches_golden(seed):
    report = nianbao.parse(seed)
    golden = GOLDEN / f"{seed.stem}.json"
    snap = _snapshot(report)
    if REGEN:
        golden.write_text(json.dumps(snap, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
        pytest.skip("golden regenerated; review the diff by eye before committing")
    assert golden.exists(), f"missing {golden}; run with NIANBAO_REGEN_GOLDEN=1 and review it"
    assert snap == json.loads(golden.read_text(encoding="utf-8"))


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem)
def test_seed_parses_completely(seed):
    report = nianbao.parse(seed)
    assert report.status == "ok"
    assert report.problems == []
    assert all(t is not None for t in (report.table2, report.table3, report.table4))
    assert all(v is not None for row in report.table3.values() for v in row.values())


def test_seed_facts_read_by_eye():
    by_stem = {p.stem[:3]: nianbao.parse(p) for p in SEEDS}
    r001 = by_stem["001"]
    assert r001.layout == "2021"
    assert r001.table2["normative_documents"] == {"issued": 1, "repealed": 5, "in_force": 5}
    assert r001.table2["licensing"] == {"decisions": 31}
    assert r001.table2["punishment"] == {"decisions": 2}
    assert r001.table2["coercion"] == {"decisions": 4}
    assert r001.table2["fees"] == {"amount": 24.1982}
    # 003 cites the 2021 template but prints the 2019 tables: the layout comes from the tables
    r003 = by_stem["003"]
    assert r003.layout == "2019" and r003.table_layouts == {"table2": "2019", "table3": "2019"}
    assert set(r003.table2) == {"regulations", "normative_documents", "licensing",
                                "other_services", "punishment", "coercion", "fees", "procurement"}
    assert "other" in r003.table3 and "other_misc" not in r003.table3
    assert len(r003.table3) == 23
    for stem in ("000", "001", "002", "004"):
        assert by_stem[stem].layout == "2021" and len(by_stem[stem].table3) == 25
    # every value cell is traceable to its line in the source
    cell = next(c for c in r001.provenance if c["row"] == "fees")
    assert cell["raw"] == "24.1982" and cell["location"]["line"] is not None
    line = SEEDS[1].read_text(encoding="utf-8").splitlines()[cell["location"]["line"] - 1]
    assert line == "\t24.1982"
