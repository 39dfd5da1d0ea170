"""总览: the numbers on the page are the store's (``stats``, ``finding_counts``, ``coverage``),
checked against values worked out by hand from the corpus of tests/store/test_stats.py
(four current reports with hand-set figures, a superseded edition and a failed document),
plus two registered agencies that never sent a report; then the seed reports, an empty store,
and every way a filter can be wrong.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from urllib.parse import unquote

import lxml.html
import pytest
from fastapi.testclient import TestClient

import nianbao
from nianbao.store import Store
from nianbao.store.analysis import coverage
from nianbao.store.selection import Selection
from nianbao.store.stats import finding_counts, stats
from nianbao.web import create_app
from nianbao.web import dashboard as data
from nianbao.web.settings import WebSettings
from tests.store.test_stats import (
    GUANGDONG,
    JIANGXI,
    TAISHAN,
    TOWNSHIP,
    YICHUN,
    ZHANGSHU,
    add_unreported_agencies,
    build_corpus,
)
from tests.web.conftest import SEEDS


@pytest.fixture(scope="module")
def corpus(tmp_path_factory, sqlite_template):
    """The stats corpus (A, B, C in 2022; D in 2020) and two agencies without reports."""
    path = tmp_path_factory.mktemp("dashboard") / "nianbao.db"
    shutil.copyfile(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    ids = build_corpus(store)
    with store.session() as s:
        add_unreported_agencies(s)
    yield store, ids
    store.close()


@pytest.fixture(scope="module")
def web(corpus):
    store, _ = corpus
    with TestClient(create_app(WebSettings(database_url=store.url), store),
                    raise_server_exceptions=False) as client:
        yield client


@pytest.fixture(autouse=True)
def fresh_cache():
    data.clear_cache()
    yield
    data.clear_cache()


# ------------------------------------------------------------------ reading the page

def page(client: TestClient, url: str, status: int = 200):
    r = client.get(url)
    assert r.status_code == status, r.text[:2000]
    assert r.headers["content-type"].startswith("text/html")
    return lxml.html.fromstring(r.text), r.text


def rows(doc, table_class: str) -> list[list[str]]:
    """Body rows of a table as the visitor reads them (header cell first)."""
    return [[" ".join(c.text_content().split()) for c in tr]
            for tr in doc.xpath(f"//table[contains(@class, '{table_class}')]/tbody/tr")]


def figure(doc, section: str) -> dict:
    (raw,) = doc.xpath(f"//section[@id='{section}']//div[@class='chart']/@data-figure")
    return json.loads(raw)


def card(doc, name: str) -> str:
    (div,) = doc.xpath(f"//div[@id='card-{name}']/div[@class='value']")
    return div.text_content().strip()


def num(x: int | None) -> str:
    return "—" if x is None else f"{x:,}"


def pct(x: float | None) -> str:
    return "—" if x is None else f"{x:.1%}"


# ------------------------------------------------------------------ the default view

def test_default_is_the_latest_year_nationwide_by_province(web):
    doc, text = page(web, "/")
    assert doc.xpath("//h1")[0].text_content().strip() == "总览 · 2022 年度"
    # worked out by hand: A (樟树, 2 apps groups) + B (宜春) in 江西, C (台山) in 广东
    assert card(doc, "reports") == "3" and card(doc, "errors") == "1"  # A has T3-BAL
    assert card(doc, "apps") == "67"  # 12 + 20 + 35
    assert card(doc, "disclosure_rate") == pct(36 / 58)  # (5+1 + 8+2 + 20) / (10+18+30)
    assert card(doc, "review_correction_rate") == "25.0%"  # C's blank 复议 total left out
    assert card(doc, "litigation_correction_rate") == "50.0%"
    # coverage: 6 registered agencies (4 with reports ever, 2 imported), 3 sent 2022's
    assert card(doc, "coverage") == "50.0%"
    assert "共有 6 个机关，其中 3 个已有 2022 年度报告" in text
    assert rows(doc, "rates") == [
        ["江西省", "2", "1", "32", pct(16 / 28), "25.0%", "50.0%", "年报"],
        ["广东省", "1", "0", "35", pct(20 / 30), "—", "—", "年报"],
        ["合计", "3", "1", "67", pct(36 / 58), "25.0%", "50.0%", "年报"]]


def test_outcome_table_and_chart_hold_the_stats_figures(web, corpus):
    store, _ = corpus
    doc, _ = page(web, "/")
    table = rows(doc, "outcomes")
    assert table[-1] == ["合计", "33（56.9%）", "3（5.2%）", "10（17.2%）", "10（17.2%）",
                         "1（1.7%）", "1（1.7%）", "58"]
    fig = figure(doc, "outcomes")
    assert [t["name"] for t in fig["data"]] == ["予以公开", "部分公开", "不予公开", "无法提供",
                                               "不予处理", "其他处理"]
    assert fig["layout"]["barmode"] == "stack"
    with store.reading() as s:
        expected = stats(s, group_by=["province"], filters=Selection(years=(2022,)))
    # bars bottom-up: 广东省, 江西省, 合计; x = shares, customdata = counts
    granted = fig["data"][0]
    assert granted["y"] == ["广东省", "江西省", "合计"]
    by_name = {r["province"]: r for r in expected.rows}
    assert granted["x"] == pytest.approx([by_name["广东省"]["share_granted"],
                                          by_name["江西省"]["share_granted"],
                                          expected.total["share_granted"]])
    assert granted["customdata"] == [20, 13, 33]


def test_rates_chart_has_the_three_rates_per_group(web):
    doc, _ = page(web, "/")
    fig = figure(doc, "rates")
    assert [t["name"] for t in fig["data"]] == ["公开率", "复议纠错率", "诉讼纠错率"]
    disclosure, review, litigation = fig["data"]
    assert disclosure["y"] == ["广东省", "江西省"]
    assert disclosure["x"] == pytest.approx([20 / 30, 16 / 28])
    assert review["x"] == [None, 0.25] and litigation["x"] == [None, 0.5]


def test_findings_by_rule_link_to_the_filtered_corpus_list(web, corpus):
    store, _ = corpus
    doc, _ = page(web, "/")
    # 2022's current reports: A has T3-BAL once and T3-BLANK twice, C T3-BLANK once
    assert [r[:1] + r[3:] for r in rows(doc, "rules-found")] == [
        ["T3-BLANK", "2", "3"], ["T3-BAL", "1", "1"]]
    links = doc.xpath("//table[contains(@class,'rules-found')]//th/a/@href")
    assert links == ["/reports?year=2022&rule=T3-BLANK", "/reports?year=2022&rule=T3-BAL"]
    fig = figure(doc, "findings")
    assert fig["data"][0]["y"] == ["T3-BAL", "T3-BLANK"] and fig["data"][0]["x"] == [1, 2]
    with store.reading() as s:
        counts = finding_counts(s, filters=Selection(years=(2022,)))
    assert {r["code"]: r["reports"] for r in counts.rows} == {"T3-BAL": 1, "T3-BLANK": 2}


# ------------------------------------------------------------------ filters

@pytest.mark.parametrize("region", ["江西省", "360000", "36", JIANGXI])
def test_region_by_name_or_code_shows_its_cities(web, region):
    doc, text = page(web, f"/?region={region}")
    assert "江西省 · 全部层级" in text
    assert card(doc, "reports") == "2" and card(doc, "apps") == "32"
    assert [r[0] for r in rows(doc, "rates")] == ["宜春市", "合计"]
    # coverage of the province: A, B and the two imported 樟树 agencies; A and B reported
    assert card(doc, "coverage") == "50.0%"
    links = doc.xpath("//table[contains(@class,'rules-found')]//th/a/@href")
    assert f"/reports?year=2022&rule=T3-BAL&region={JIANGXI}" in links


def test_city_groups_by_county_with_the_city_itself_apart(web, corpus):
    store, _ = corpus
    doc, _ = page(web, f"/?region={YICHUN}")
    table = rows(doc, "rates")
    # A is 樟树市's; B is the city government itself, placed at no county
    assert [r[:4] for r in table] == [["樟树市", "1", "1", "12"], ["宜春市本级", "1", "0", "20"],
                                      ["合计", "2", "1", "32"]]
    drill = doc.xpath("//table[contains(@class,'rates')]/tbody/tr[1]/th/a/@href")
    assert drill == [f"/?year=2022&region={ZHANGSHU}"]
    assert doc.xpath("//table[contains(@class,'rates')]/tbody/tr[1]/td/a/@href") == [
        f"/reports?year=2022&region={ZHANGSHU}"]
    with store.reading() as s:
        found = coverage(s, YICHUN, 2022)
    assert (found.expected, found.received) == (4, 2)
    assert card(doc, "coverage") == "50.0%"


def test_county_lists_the_agencies_without_a_report(web):
    doc, text = page(web, "/?region=樟树市")
    assert "缺 2 个" in text
    assert [r[0] for r in rows(doc, "missing")] == ["樟树市教育体育局", "樟树市淦阳街道办事处"]
    hrefs = doc.xpath("//table[contains(@class,'missing')]//a/@href")
    assert all(h.startswith("/agencies/") for h in hrefs) and len(hrefs) == 2


def test_by_level_and_level_filter(web):
    doc, _ = page(web, "/?by=level")
    assert [r[:4] for r in rows(doc, "rates")] == [["政府", "3", "1", "67"], ["合计", "3", "1", "67"]]
    drill = doc.xpath("//table[contains(@class,'rates')]/tbody/tr[1]/th/a/@href")
    assert [unquote(h) for h in drill] == ["/?year=2022&level=政府"]
    doc, text = page(web, "/?year=2020&level=部门")
    assert card(doc, "reports") == "1" and card(doc, "apps") == "4"  # D, 台山市公安局
    assert card(doc, "disclosure_rate") == "—"  # its （七）总计 is blank
    assert "所选报告的“办理总计”都没有数字" in text
    doc, text = page(web, "/?year=2020&level=政府")
    assert card(doc, "reports") == "0" and "2020 年度在所选范围内没有报告" in text


def test_a_year_without_reports_points_to_the_years_there_are(web):
    doc, text = page(web, "/?year=2021")
    assert "2021 年度在所选范围内没有报告" in text
    assert doc.xpath("//p[@class='notice']//a/@href") == ["/?year=2022", "/?year=2020"]


def test_page_numbers_equal_the_store_functions(web, corpus):
    store, _ = corpus
    for url, selection, dim in (
            ("/?year=2022&region=广东省", Selection(years=(2022,), region=GUANGDONG), "city"),
            ("/?year=2020&by=level", Selection(years=(2020,)), "level")):
        doc, _ = page(web, url)
        with store.reading() as s:
            table = stats(s, group_by=[dim], filters=selection)
        body = rows(doc, "rates")
        assert len(body) == len(table.rows) + 1
        for got, want in zip(body, [*table.rows, table.total], strict=True):
            assert got[1:7] == [num(want["reports"]), num(want["with_errors"]),
                                num(want["apps_total"]), pct(want["disclosure_rate"]),
                                pct(want["review_correction_rate"]),
                                pct(want["litigation_correction_rate"])]


def test_region_is_the_division_code_in_every_link(web):
    doc, _ = page(web, f"/?region={TAISHAN}&year=2022")
    assert card(doc, "reports") == "1"
    hrefs = doc.xpath("//a/@href")
    assert f"/reports?year=2022&region={TAISHAN}&has_errors=1" in hrefs


# ------------------------------------------------------------------ wrong filters

@pytest.mark.parametrize(("query", "message"), [
    ("region=火星省", "找不到区划“火星省”"),
    ("region=不存在的地方", "找不到区划"),
    ("region=江西", "区划“江西”不唯一"),  # 江西省, and a town 江西镇 in 广西
    ("year=20x2", "年度“20x2”无效"),
    ("level=省级", "机关层级“省级”无效"),
    ("by=colour", "分组方式“colour”无效"),
])
def test_a_wrong_filter_is_said_on_the_page_with_the_form(web, query, message):
    doc, _ = page(web, f"/?{query}", status=400)
    (notice,) = doc.xpath("//p[@role='alert']")
    assert message in notice.text_content()
    assert doc.xpath("//form[@action='/']//select[@name='year']/option/@value") == [
        "", "2022", "2020"]
    assert not doc.xpath("//div[@id='card-reports']")


def test_region_text_is_escaped(web):
    _, text = page(web, "/?region=<script>alert(1)</script>", status=400)
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text


def test_registry_without_agencies_in_the_region_is_explained(web):
    doc, text = page(web, "/?region=北京市")
    assert card(doc, "reports") == "0" and card(doc, "coverage") == "—"
    assert doc.xpath("//p[@id='registry-empty']")
    assert "nianbao agencies import" in text


# ------------------------------------------------------------------ other stores

def test_empty_store_has_a_friendly_message(client):
    doc, text = page(client, "/")
    assert "年报库中还没有报告" in text and "/check" in text
    assert not doc.xpath("//div[@class='chart']")


def test_seed_reports_counted_as_their_own_tables_say(seeded_store, client):
    """Expected values from parsing and checking the seed files here, not from the store."""
    reports = [nianbao.parse(Path(p)) for p in SEEDS]
    results = [nianbao.check(r) for r in reports]
    latest = max(r.meta.year for r in reports)
    this_year = [(r, c) for r, c in zip(reports, results, strict=True) if r.meta.year == latest]
    doc, text = page(client, "/")
    assert f"总览 · {latest} 年度" in text
    assert card(doc, "reports") == str(len(this_year))
    assert card(doc, "errors") == str(sum(1 for _, c in this_year if c.counts["error"]))
    apps = sum(r.table3["new_received"]["total"] or 0 for r, _ in this_year)
    assert card(doc, "apps") == f"{apps:,}"
    codes = {f.code for _, c in this_year for f in c.findings}
    assert {r[0] for r in rows(doc, "rules-found")} == codes


# ------------------------------------------------------------------ the cache

def test_numbers_are_cached_briefly_and_errors_never(corpus, monkeypatch):
    store, _ = corpus
    monkeypatch.setattr(data, "CACHE_SECONDS", 60)
    first = data.dashboard(store, data.Filters())
    assert data.dashboard(store, data.Filters()) is first
    assert data.dashboard(store, data.Filters(year=2020)) is not first
    monkeypatch.setattr(data, "CACHE_SECONDS", 0)
    assert data.dashboard(store, data.Filters()) is not first
    for _ in range(2):
        with pytest.raises(nianbao.errors.NianbaoError):
            data.dashboard(store, data.Filters(region="火星省"))


def test_a_township_has_no_level_below_so_groups_by_agency_level(web):
    doc, _ = page(web, f"/?region={TOWNSHIP}&year=2022")
    assert "淦阳街道" in doc.xpath("//p[@class='lead']")[0].text_content()
    assert card(doc, "reports") == "0" and card(doc, "coverage") == "0.0%"
    assert [r[0] for r in rows(doc, "missing")] == ["樟树市淦阳街道办事处"]
    assert data.group_dimension("township", "region", TOWNSHIP) == "level"
    assert data.group_dimension("province", "region", "110000000000") == "county"  # 北京市
