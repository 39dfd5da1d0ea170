"""Statistics over the store: exact figures on a small hand-made corpus, on both backends.

The corpus (``build_corpus``, shared with test_analysis and test_analyse_cli): four current
reports in two provinces whose figure cells are set by hand, plus a superseded older edition
and an unreadable document that must never count. Findings are chosen by hand too (the
check result passed to ``save_document``), so rule counts are exact.
"""

from __future__ import annotations

import os
import shutil
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from sqlalchemy import update

import nianbao
from nianbao import synth
from nianbao.errors import NianbaoError
from nianbao.layouts import get
from nianbao.render import render
from nianbao.rules import CheckResult
from nianbao.rules.engine import Finding
from nianbao.store import Store
from nianbao.store.agencies import refresh_reports
from nianbao.store.analysis import AnalysisError
from nianbao.store.divisions import dataset
from nianbao.store.models import Agency, Division, StoredReport
from nianbao.store.records import save_document
from nianbao.store.selection import Selection, SelectionError
from nianbao.store.stats import (
    FIGURE_DEFS,
    StatsError,
    figures_markdown,
    finding_counts,
    parse_group_by,
    stats,
)
from nianbao.version import __version__
from tests.store.conftest import BACKENDS, _pg_create, _pg_drop, _pg_url

ROOT = Path(__file__).resolve().parents[2]
JIANGXI, YICHUN, ZHANGSHU = "360000000000", "360900000000", "360982000000"
TOWNSHIP = "360982000000T001"  # 淦阳街道, under 樟树市 (packaged dataset)
GUANGDONG, TAISHAN = "440000000000", "440781000000"


# ------------------------------------------------------------------ building the corpus

@dataclass
class Spec:
    """One report: who, where, and the figure cells (anything not named is 0)."""

    seed: int
    agency: str
    region: str
    level: str
    year: int
    layout: str = "2021"
    published: str = "2023-01-20"
    apps: dict = field(default_factory=dict)  # applicant column -> new_received
    outcomes: dict = field(default_factory=dict)  # figure outcome -> 总计 column
    table4: dict = field(default_factory=dict)  # group -> {column: value}
    fee: float | None = None
    findings: list = field(default_factory=list)  # (code, severity)


SPECS = {
    "A": Spec(1, "樟树市人民政府", ZHANGSHU, "政府", 2022,
              apps={"natural_person": 10, "commercial_enterprise": 2, "total": 12},
              outcomes={"granted": 5, "partially_granted": 1, "denied": 2, "unavailable": 1,
                        "other": 1, "total_processed": 10, "carried_forward": 2},
              table4={"review": {"upheld": 1, "corrected": 1, "pending": 1, "total": 3},
                      "litigation_direct": {"upheld": 1, "total": 1}},
              fee=1.5, findings=[("T3-BAL", "error"), ("T3-BLANK", "warning"),
                                 ("T3-BLANK", "warning")]),
    # an older edition of A's report (earlier date): superseded, never counted
    "A_old": Spec(1, "樟树市人民政府", ZHANGSHU, "政府", 2022, published="2023-01-05",
                  apps={"natural_person": 999, "total": 999},
                  outcomes={"granted": 999, "total_processed": 999}, fee=999.0,
                  findings=[("T3-BAL", "error")] * 5),
    "B": Spec(2, "宜春市人民政府", YICHUN, "政府", 2022, published="2023-01-15",
              apps={"natural_person": 20, "total": 20},
              outcomes={"granted": 8, "partially_granted": 2, "denied": 3, "unavailable": 4,
                        "not_processed": 1, "total_processed": 18, "carried_forward": 2},
              table4={"review": {"upheld": 2, "total": 2},
                      "litigation_direct": {"upheld": 1, "corrected": 1, "total": 2},
                      "litigation_after_review": {"corrected": 1, "pending": 1, "total": 2}},
              fee=0),
    # 复议 total left blank: its 纠正 2 is summed but kept out of the rate
    "C": Spec(3, "台山市人民政府", TAISHAN, "政府", 2022,
              apps={"natural_person": 30, "legal_service_org": 5, "total": 35},
              outcomes={"granted": 20, "denied": 5, "unavailable": 5, "total_processed": 30,
                        "carried_over": 1, "carried_forward": 6},
              table4={"review": {"upheld": None, "corrected": 2, "other": None,
                                 "pending": None, "total": None}},
              fee=2.25, findings=[("T3-BLANK", "warning")]),
    # 2019 layout (no fee column); （七）总计 blank: out of the shares and 公开率
    "D": Spec(4, "台山市公安局", TAISHAN, "部门", 2020, layout="2019",
              apps={"natural_person": 4, "total": 4},
              outcomes={"partially_granted": None, "unavailable": 4, "total_processed": None},
              table4={"review": {"corrected": 1, "total": 1}},
              findings=[("T4-SUM", "error")]),
}
CURRENT = ("A", "B", "C", "D")


def _group_rows(layout: str, group: str) -> list[str]:
    return [r.key for r in get(layout).tables["table3"].rows if r.group == group]


def _fill(report: nianbao.Report, spec: Spec) -> None:
    """Set the figure cells of ``report`` to the spec's values, everything else in them 0."""
    t3 = get(spec.layout).tables["table3"]
    new = report.table3["new_received"]
    for col in t3.columns:
        new[col.key] = spec.apps.get(col.key, 0)
    for row in t3.rows:
        if row.key != "new_received":
            report.table3[row.key]["total"] = 0
    groups = {"denied": "denied", "unavailable": "unavailable", "not_processed": "not_processed",
              "other": "other_handling"}
    for name, value in spec.outcomes.items():
        rows = _group_rows(spec.layout, groups[name]) if name in groups else [name]
        report.table3[rows[0] if rows else "other"]["total"] = value
    for group in get(spec.layout).tables["table4"].groups:
        for col in get(spec.layout).tables["table4"].columns:
            report.table4[group.key][col.key] = spec.table4.get(group.key, {}).get(col.key, 0)
    if "amount" in report.table2.get("fees", {}):
        report.table2["fees"]["amount"] = spec.fee


def _result(spec: Spec) -> CheckResult:
    findings = [Finding(code=code, severity=sev, message=f"测试用的问题 {code}")
                for code, sev in spec.findings]
    counts = Counter(sev for _, sev in spec.findings)
    return CheckResult(findings=findings, counts={k: counts[k] for k in ("error", "warning", "info")},
                       score=100, rules=sorted({c for c, _ in spec.findings}), version=__version__)


def place_agency(session, agency_id: int, region: str, level: str) -> None:
    """Put an agency in a region (division rows from the packaged dataset, added if missing)
    and copy the placement onto its reports."""
    ensure_division_chain(session, region)
    session.execute(update(Agency).where(Agency.id == agency_id)
                    .values(region_code=region, level=level))
    session.flush()
    refresh_reports(session, session.get(Agency, agency_id, populate_existing=True))


def ensure_division_chain(session, code: str) -> None:
    for d in dataset().chain(code):
        if session.get(Division, d.code) is None:
            session.add(Division(code=d.code, name=d.name, short=d.short, level=d.level,
                                 parent_code=d.parent_code))
            session.flush()


def document(spec: Spec) -> tuple[bytes, nianbao.Report]:
    content = render(synth.generate(spec.seed, layout=spec.layout, year=spec.year), "text")
    report = nianbao.parse(content)
    report.meta.agency, report.meta.published = spec.agency, spec.published
    _fill(report, spec)
    return content, report


def add_unreported_agencies(session) -> None:
    """Two registered agencies that never sent a report, one of them a street office."""
    for name, region, level in (("樟树市教育体育局", ZHANGSHU, "部门"),
                                ("樟树市淦阳街道办事处", TOWNSHIP, "乡镇街道")):
        ensure_division_chain(session, region)
        session.add(Agency(name=name, level=level, region_code=region, origin="imported"))


def build_corpus(store: Store) -> dict[str, int]:
    """Save the corpus; name -> report id (``failed``: the unreadable document)."""
    ids = {}
    for name, spec in SPECS.items():
        content, report = document(spec)
        if name.endswith("_old"):
            content += b"\n"  # other bytes: another document of the same report
        with store.session() as s:
            ids[name] = save_document(s, content, f"{name}.txt", report, _result(spec)).report_id
        with store.session() as s:
            row = s.get(StoredReport, ids[name])
            place_agency(s, row.agency_id, spec.region, spec.level)
    with store.session() as s:
        ids["failed"] = save_document(s, b"\x00\x01 not a report", "bad.bin",
                                      NianbaoError("binary_input", "不是年报")).report_id
    return ids


@contextmanager
def module_store(request, tmp_dir: Path):
    """A migrated store with the divisions loaded, for a whole test module (conftest's
    ``store`` is per test; read-only tests share one corpus instead): a copy of conftest's
    per-run template database of the backend ``request.param``."""
    name = admin = None
    if request.param == "sqlite":
        path = tmp_dir / "nianbao.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        url = f"sqlite:///{path}"
    else:
        admin = request.getfixturevalue("postgres_admin")
        name = _pg_create(admin, template=request.getfixturevalue("postgres_template"))
        url = _pg_url(name)
    s = Store(url)
    try:
        yield s
    finally:
        s.close()
        if name is not None:
            _pg_drop(admin, name)


@pytest.fixture(scope="module", params=BACKENDS)
def corpus(request, tmp_path_factory):
    with module_store(request, tmp_path_factory.mktemp("stats")) as s:
        yield s, build_corpus(s)


def run_stats(store, group_by=(), **filters):
    with store.session() as s:
        return stats(s, group_by=group_by, filters=Selection(**filters))


# ------------------------------------------------------------------ exact figures

NATIONAL = {
    "reports": 4, "with_errors": 2,
    "apps_natural_person": 64, "apps_commercial_enterprise": 2, "apps_research_institution": 0,
    "apps_social_welfare_org": 0, "apps_legal_service_org": 5, "apps_other_org": 0,
    "apps_total": 71,
    "out_granted": 33, "out_partially_granted": 3, "out_denied": 10, "out_unavailable": 14,
    "out_not_processed": 1, "out_other": 1, "out_total_processed": 58, "out_carried_over": 1,
    "out_carried_forward": 10,
    # D's （七）总计 is blank: its 无法提供 4 is in the sum (14) but not in the share (10/58)
    "share_granted": 33 / 58, "share_partially_granted": 3 / 58, "share_denied": 10 / 58,
    "share_unavailable": 10 / 58, "share_not_processed": 1 / 58, "share_other": 1 / 58,
    "disclosure_rate": 36 / 58,
    "review_upheld": 3, "review_corrected": 4, "review_other": 0, "review_pending": 1,
    "review_total": 6,
    # C's 复议 total is blank: its 纠正 2 is in the sum (4) but not in the rate
    "review_correction_rate": (1 + 0 + 1) / ((3 - 1) + 2 + 1),
    "litigation_upheld": 2, "litigation_corrected": 2, "litigation_other": 0,
    "litigation_pending": 1, "litigation_total": 5,
    "litigation_correction_rate": 2 / (5 - 1),
    "fee_amount": 3.75,
}


def test_national_totals_exact(corpus):
    store, _ = corpus
    table = run_stats(store)
    assert table.group_by == [] and len(table.rows) == 1
    assert set(NATIONAL) == set(FIGURE_DEFS)
    assert table.rows[0] == pytest.approx(NATIONAL)
    assert table.total == pytest.approx(NATIONAL)
    assert isinstance(table.rows[0]["apps_total"], int)  # counts come back whole


def test_by_province_sums_rates_and_names(corpus):
    store, _ = corpus
    table = run_stats(store, ["province"])
    keys = [(r["province_code"], r["province"]) for r in table.rows]
    assert keys == [(JIANGXI, "江西省"), (GUANGDONG, "广东省")]
    jiangxi, guangdong = table.rows
    assert (jiangxi["reports"], jiangxi["with_errors"], jiangxi["apps_total"]) == (2, 1, 32)
    assert jiangxi["disclosure_rate"] == pytest.approx(16 / 28)
    assert jiangxi["review_correction_rate"] == pytest.approx(1 / 4)
    assert jiangxi["litigation_correction_rate"] == pytest.approx(2 / 4)
    assert jiangxi["fee_amount"] == pytest.approx(1.5)
    assert (guangdong["reports"], guangdong["apps_total"], guangdong["review_corrected"]) == (2, 39, 3)
    assert guangdong["disclosure_rate"] == pytest.approx(20 / 30)
    assert guangdong["review_correction_rate"] == pytest.approx(1.0)
    assert guangdong["litigation_correction_rate"] is None  # nothing concluded: no rate
    assert table.total == pytest.approx(NATIONAL)  # the groups add up to the whole


def test_group_by_county_year_level_layout(corpus):
    store, _ = corpus
    county = run_stats(store, ["county"])
    # B is a city government: no county, listed last
    assert [(r["county"], r["reports"]) for r in county.rows] == [
        ("樟树市", 1), ("台山市", 2), (None, 1)]
    both = run_stats(store, ["year", "level"])
    assert [(r["year"], r["level"], r["reports"], r["apps_total"]) for r in both.rows] == [
        (2020, "部门", 1, 4), (2022, "政府", 3, 67)]
    layout = run_stats(store, ["layout"])
    assert [(r["layout"], r["reports"], r["fee_amount"]) for r in layout.rows] == [
        ("2019", 1, None), ("2021", 3, pytest.approx(3.75))]


@pytest.mark.parametrize(("filters", "expected"), [
    ({"years": (2022,)}, {"A", "B", "C"}),
    ({"region": "宜春市"}, {"A", "B"}),
    ({"region": "江西省/宜春市/樟树市"}, {"A"}),
    ({"region": "440781"}, {"C", "D"}),
    ({"level": "部门"}, {"D"}),
    ({"layout": "2019"}, {"D"}),
    ({"has_errors": True}, {"A", "D"}),
    ({"has_errors": False}, {"B", "C"}),
    ({"rule": "T3-BAL"}, {"A"}),
    ({"rule": "T3"}, {"A", "C"}),
    ({"rule": "T4-SUM,T3-BAL"}, {"A", "D"}),
])
def test_filters_select_the_right_reports(corpus, filters, expected):
    store, _ = corpus
    apps = {n: SPECS[n].apps["total"] for n in CURRENT}
    table = run_stats(store, **filters)
    assert table.total["reports"] == len(expected)
    assert table.total["apps_total"] == sum(apps[n] for n in expected)


def test_superseded_and_failed_reports_never_count(corpus):
    store, ids = corpus
    with store.session() as s:
        old, failed = s.get(StoredReport, ids["A_old"]), s.get(StoredReport, ids["failed"])
        assert (old.is_current, old.superseded_by, old.apps_total) == (False, ids["A"], 999)
        assert failed.status == "failed"
        # even marked current by mistake, a failed document is not counted
        s.execute(update(StoredReport).where(StoredReport.id == failed.id).values(is_current=True))
        table = stats(s)
        s.rollback()
    assert table.total["reports"] == 4 and table.total["apps_total"] == 71


def test_no_report_selected(corpus):
    store, _ = corpus
    table = run_stats(store, ["province"], years=(1999,))
    assert table.rows == []
    assert table.total["reports"] == 0 and table.total["disclosure_rate"] is None


# ------------------------------------------------------------------ findings by rule

def _counts(store, group_by=(), **filters):
    with store.session() as s:
        rows = finding_counts(s, group_by=group_by, filters=Selection(**filters)).rows
    return [(r["code"], *(r[d] for d in group_by), r["findings"], r["reports"]) for r in rows]


def test_finding_counts_by_rule_and_province(corpus):
    store, _ = corpus
    assert _counts(store) == [("T3-BAL", 1, 1), ("T3-BLANK", 3, 2), ("T4-SUM", 1, 1)]
    assert _counts(store, ["province"]) == [
        ("T3-BAL", "江西省", 1, 1), ("T3-BLANK", "江西省", 2, 1), ("T3-BLANK", "广东省", 1, 1),
        ("T4-SUM", "广东省", 1, 1)]
    with store.session() as s:
        row = finding_counts(s).rows[0]
    assert (row["title"], row["severity"]) == (nianbao.rules.all_rules()["T3-BAL"].title, "error")


def test_finding_counts_filtered(corpus):
    store, _ = corpus
    assert _counts(store, rule="T3") == [("T3-BAL", 1, 1), ("T3-BLANK", 3, 2)]
    assert _counts(store, ["year"], years=(2020,)) == [("T4-SUM", 2020, 1, 1)]
    assert _counts(store, region="樟树市") == [("T3-BAL", 1, 1), ("T3-BLANK", 2, 1)]


# ------------------------------------------------------------------ bad requests

def test_bad_grouping_and_filters_say_what_is_wrong(corpus):
    store, _ = corpus
    assert parse_group_by("年度,省, layout") == ["year", "province", "layout"]
    with pytest.raises(StatsError, match="无法按“国家”分组"):
        parse_group_by("国家")
    with pytest.raises(AnalysisError, match=r"找不到区划“樟树县”.*樟树市") as err:
        run_stats(store, region="樟树县")
    assert err.value.code == "unknown_region"
    with pytest.raises(SelectionError, match="不唯一"):
        run_stats(store, region="樟树")
    with pytest.raises(SelectionError, match="T9"):
        run_stats(store, rule="T9")


# ------------------------------------------------------------------ documentation

START, END = "<!-- stats-figures:start -->", "<!-- stats-figures:end -->"


def test_docs_list_every_figure_with_its_formula():
    """docs/store.md's figure table is FIGURE_DEFS; NIANBAO_REGEN_GOLDEN=1 rewrites it."""
    path = ROOT / "docs" / "store.md"
    doc = path.read_text(encoding="utf-8")
    if os.environ.get("NIANBAO_REGEN_GOLDEN") == "1" and not os.environ.get("CI"):
        head, rest = doc.split(START)
        path.write_text(f"{head}{START}\n{figures_markdown()}\n{END}{rest.split(END, 1)[1]}",
                        encoding="utf-8")
        doc = path.read_text(encoding="utf-8")
    block = doc.split(START)[1].split(END)[0]
    assert block.strip() == figures_markdown(), \
        "docs/store.md 的指标表已过期：用 NIANBAO_REGEN_GOLDEN=1 运行本测试重新生成"
    for key in FIGURE_DEFS:
        assert f"`{key}`" in block


# ------------------------------------------------------------------ the column-order migration

def test_upgrade_from_0001_keeps_reports_and_puts_json_last(db_url):
    from sqlalchemy.orm import Session

    from nianbao.store.db import make_engine, migrate
    from nianbao.store.records import load_report

    engine = make_engine(db_url)
    migrate(engine, "0001")
    spec = SPECS["B"]
    content, report = document(spec)
    with Session(engine) as s, s.begin():  # the models' columns are those of 0001
        rid = save_document(s, content, "b.txt", report, _result(spec)).report_id
    migrate(engine)
    with Session(engine) as s:
        row = s.get(StoredReport, rid)
        assert load_report(s, row) == report
        assert row.apps_total == 20
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            columns = [r[1] for r in conn.exec_driver_sql("PRAGMA table_info(reports)")]
        assert columns[-1] == "report_json"
    engine.dispose()
