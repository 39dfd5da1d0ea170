"""Re-parsing stored documents: tampered rows are restored and every change is reported."""

from __future__ import annotations

import json
from collections import Counter

import pytest
from sqlalchemy import delete, select, update

import nianbao
from nianbao import synth
from nianbao.errors import NianbaoError
from nianbao.render import render
from nianbao.store import Store
from nianbao.store.ingest import ingest
from nianbao.store.models import Cell, StoredFinding, StoredReport
from nianbao.store.reparse import reparse, select_reports
from nianbao.store.sources import iter_sources
from nianbao.version import __version__
from tests.helpers import run_cli

NEW = ("table3", "new_received", "total")


@pytest.fixture
def docs(tmp_path):
    path = tmp_path / "docs"
    path.mkdir()
    return path


def _put(docs, name: str, data: bytes) -> None:
    (docs / name).write_bytes(data)


def _ingest(store, docs, *names) -> dict[str, int]:
    summary = ingest(store, list(iter_sources([docs / n for n in names])))
    return {e.name.rsplit("/", 1)[-1]: e.report_id for e in summary.entries}


def _tamper(store, report_id: int, **values) -> None:
    with store.session() as s:
        s.execute(update(StoredReport).where(StoredReport.id == report_id)
                  .values(parser_version="0.0.0", **values))


def _cell(store, report_id: int, key=NEW):
    with store.session() as s:
        return s.scalar(select(Cell.value).where(Cell.report_id == report_id, Cell.table_key == key[0],
                                                 Cell.row_key == key[1], Cell.column_key == key[2]))


def _codes(store, report_id: int) -> Counter:
    with store.session() as s:
        return Counter(s.scalars(select(StoredFinding.code)
                                 .where(StoredFinding.report_id == report_id)))


def test_tampered_rows_are_restored_and_the_changes_reported(store, docs):
    noisy = synth.Noise.realistic()
    _put(docs, "a.txt", render(synth.generate(3, noise=noisy), "text"))
    _put(docs, "b.txt", render(synth.generate(4, noise=noisy), "text"))
    _put(docs, "c.txt", render(synth.generate(5), "text"))
    ids = _ingest(store, docs, "a.txt", "b.txt", "c.txt")
    a, b = ids["a.txt"], ids["b.txt"]
    true_value, a_codes = _cell(store, a), _codes(store, a)
    assert a_codes  # noisy reports have findings to lose
    with store.session() as s:
        s.execute(update(Cell).where(Cell.report_id == a, Cell.table_key == NEW[0],
                                     Cell.row_key == NEW[1], Cell.column_key == NEW[2])
                  .values(value=999))
        s.execute(delete(StoredFinding).where(StoredFinding.report_id == a))
    _tamper(store, a)
    _tamper(store, b, status="partial")

    summary = reparse(store)
    assert summary.selected == 2 and not summary.interrupted
    by_id = {c.report_id: c for c in summary.changes}
    assert set(by_id) == {a, b}
    ca, cb = by_id[a], by_id[b]
    assert (ca.name, ca.status, ca.cells_changed) == ("a.txt", None, 1)
    assert ca.cell_examples == [f"table3.new_received.total：999 → {true_value:g}"]
    assert (ca.findings_added, ca.findings_removed) == (dict(a_codes), {})
    assert (cb.status, cb.cells_changed, cb.findings_added, cb.notes) == (("partial", "ok"), 0, {}, [])
    assert summary.status_changes() == Counter({("partial", "ok"): 1})
    data = json.loads(json.dumps(summary.as_dict()))
    assert {k: data[k] for k in ("selected", "reparsed", "changed", "cells_changed")} == {
        "selected": 2, "reparsed": 2, "changed": 2, "cells_changed": 1}
    assert data["status_changes"] == [{"before": "partial", "after": "ok", "count": 1}]
    assert data["findings_added"] == dict(a_codes) and data["findings_removed"] == {}
    assert (_cell(store, a), _codes(store, a)) == (true_value, a_codes)
    with store.session() as s:
        rows = {r.id: (r.status, r.parser_version) for r in s.scalars(select(StoredReport))}
    assert set(rows.values()) == {("ok", __version__)}

    assert reparse(store).selected == 0  # all made by this version now
    everything = reparse(store, everything=True)
    assert (everything.selected, everything.changed) == (3, [])


def test_since_version_selects_older_parsers_only(store, docs):
    for n in range(3):
        _put(docs, f"{n}.txt", render(synth.generate(70 + n), "text"))
    ids = _ingest(store, docs, "0.txt", "1.txt", "2.txt")
    _tamper(store, ids["0.txt"])
    with store.session() as s:
        s.execute(update(StoredReport).where(StoredReport.id == ids["1.txt"])
                  .values(parser_version="99.0.0"))
        assert select_reports(s, since_version="0.1") == [ids["0.txt"]]
        assert sorted(select_reports(s)) == sorted([ids["0.txt"], ids["1.txt"]])
        assert sorted(select_reports(s, everything=True)) == sorted(ids.values())
        with pytest.raises(NianbaoError) as exc:
            select_reports(s, since_version="latest")
    assert exc.value.code == "bad_version"


def test_status_changes_both_ways(store, docs):
    _put(docs, "good.txt", render(synth.generate(80), "text"))
    _put(docs, "prose.txt", "一段与年报无关的文字。".encode() * 20)
    ids = _ingest(store, docs, "good.txt", "prose.txt")
    good, prose = ids["good.txt"], ids["prose.txt"]
    cells = len(nianbao.parse(docs / "good.txt").provenance)
    with store.session() as s:  # as if an older parser had failed on the good document …
        s.execute(delete(Cell).where(Cell.report_id == good))
        s.execute(delete(StoredFinding).where(StoredFinding.report_id == good))
    _tamper(store, good, status="failed", is_current=False, agency_id=None, year=None,
            report_json=None, error_code="not_a_report")
    _tamper(store, prose, status="ok")  # … and read the prose as a report
    changes = {c.report_id: c for c in reparse(store).changes}
    assert changes[good].status == ("failed", "ok")
    assert changes[good].cells_changed == cells
    assert len(changes[good].cell_examples) == 5
    assert all("：（无） → " in example for example in changes[good].cell_examples)
    assert "成为该机关该年度的当前报告" in changes[good].notes
    assert changes[prose].status == ("ok", "failed")
    with store.session() as s:
        g, p = s.get(StoredReport, good), s.get(StoredReport, prose)
        assert (g.status, g.is_current, g.error_code, g.year) == ("ok", True, None,
                                                                   nianbao.parse(docs / "good.txt").meta.year)
        assert (p.status, p.error_code, p.is_current) == ("failed", "not_a_report", False)


def test_moving_a_report_settles_current_and_rechecks_next_year(store, docs):
    _put(docs, "2022.txt", render(synth.generate(41, year=2022), "text"))
    _put(docs, "2023.txt", render(synth.generate(41, year=2023), "text"))
    _put(docs, "2023b.html", render(synth.generate(41, year=2023), "html"))  # a later edition
    ids = _ingest(store, docs, "2022.txt", "2023.txt", "2023b.html")
    last, old, new = ids["2022.txt"], ids["2023.txt"], ids["2023b.html"]
    expected = Counter(f.code for f in nianbao.check(nianbao.parse(docs / "2023b.html"),
                                                     nianbao.parse(docs / "2022.txt")).findings)
    assert _codes(store, new) == expected
    # an older parser filed last year's report under 2021 and missed the edition's year, so
    # the first edition stayed current and no cross-year rule ran
    with store.session() as s:
        s.execute(delete(StoredFinding).where(StoredFinding.report_id.in_([new, old])))
    _tamper(store, last, year=2021)
    _tamper(store, new, year=None, checked_with_previous=None)
    with store.session() as s:
        s.execute(update(StoredReport).where(StoredReport.id == old)
                  .values(is_current=True, superseded_by=None))
    changes = {c.report_id: c for c in reparse(store).changes}
    assert changes[last].notes == ["年度：2021 → 2022"]
    assert changes[new].notes == ["年度：（无） → 2023"]  # it stood alone, current; still current
    with store.session() as s:
        rows = {r.id: (r.year, r.is_current, r.superseded_by, r.checked_with_previous)
                for r in s.scalars(select(StoredReport))}
    assert rows == {last: (2022, True, None, None), old: (2023, False, new, last),
                    new: (2023, True, None, last)}
    assert _codes(store, new) == expected


def test_cli_lists_changes_then_says_nothing_changed(db_url, docs):
    _put(docs, "a.txt", render(synth.generate(90), "text"))
    run = run_cli("ingest", str(docs), "--db", db_url, "--workers", "1")
    assert run.returncode == 0, run.stderr
    store = Store(db_url)
    with store.session() as s:
        (rid,) = s.scalars(select(StoredReport.id)).all()
        s.execute(update(Cell).where(Cell.report_id == rid, Cell.table_key == NEW[0],
                                     Cell.row_key == NEW[1], Cell.column_key == NEW[2])
                  .values(value=12345))
    _tamper(store, rid)
    store.close()
    first = run_cli("reparse", "--db", db_url, "--workers", "1")
    assert first.returncode == 0, first.stderr
    assert "有变化的报告" in first.stdout and "12345 →" in first.stdout
    assert "重新解析结果" in first.stdout
    second = run_cli("reparse", "--db", db_url)
    assert second.returncode == 0
    assert f"没有需要重新解析的报告：全部由当前版本 {__version__} 解析" in second.stdout
    again = run_cli("reparse", "--all", "--db", db_url)
    assert again.returncode == 0 and "重新解析 1 份，没有任何变化。" in again.stdout


def test_reparsing_what_ingest_stored_changes_nothing(store, docs):
    """Whatever order documents arrived in, re-parsing reproduces what ingest stored:
    supersede chains, cross-year checks in both directions, a superseded edition's findings."""
    _put(docs, "2023.txt", render(synth.generate(41, year=2023), "text"))
    _put(docs, "2022b.html", render(synth.generate(41, year=2022), "html"))
    _put(docs, "2021.txt", render(synth.generate(41, year=2021), "text"))
    _put(docs, "2022.txt", render(synth.generate(41, year=2022), "text"))  # supersedes 2022b
    _put(docs, "other.txt", render(synth.generate(42, noise=synth.Noise.realistic()), "text"))
    for name in ("2023.txt", "2022b.html", "2021.txt", "2022.txt", "other.txt"):
        _ingest(store, docs, name)
    with store.session() as s:
        before = {r.id: (r.is_current, r.superseded_by, r.checked_with_previous)
                  for r in s.scalars(select(StoredReport))}
    assert sum(prev is not None for _, _, prev in before.values()) == 3
    summary = reparse(store, everything=True)
    assert (summary.selected, summary.changed) == (5, [])
    with store.session() as s:
        after = {r.id: (r.is_current, r.superseded_by, r.checked_with_previous)
                 for r in s.scalars(select(StoredReport))}
    assert after == before
