"""单位: ``/agencies`` (search), ``/agencies/{id}`` (reports by year, chart, cross-year
findings) and their API."""

from __future__ import annotations

import html
import json
import re

import pytest
from sqlalchemy import func, select

from nianbao.store.figures import figures
from nianbao.store.models import Agency, StoredFinding
from tests.web.conftest import error_of
from tests.web.test_corpus_fixtures import (  # noqa: F401  (fixtures)
    EDITIONS,
    SERIES,
    SERIES_ALIAS,
    XSS_NAME,
    corpus_client,
    corpus_data,
)

# the shared fixtures above are imported and passed to tests by name (not redefinitions)
# ruff: noqa: F811


@pytest.fixture(scope="module")
def agency_ids(corpus_data) -> dict[str, int]:
    with corpus_data.store.reading() as s:
        return dict(s.execute(select(Agency.name, Agency.id)).all())



# ------------------------------------------------------------------ search

def test_search_by_name_alias_printed_name_and_township(corpus_client, agency_ids):
    def names(q):
        r = corpus_client.get("/api/agencies", params={"q": q})
        assert r.status_code == 200
        return [i["name"] for i in r.json()["items"]]

    assert names("淦阳") == [SERIES]  # the street it is registered in
    assert names(SERIES_ALIAS) == [SERIES]
    assert "樟树市中洲乡" in names("中洲") and all("中洲" in n for n in names("中洲"))
    assert names("没有这个单位") == []
    item = corpus_client.get("/api/agencies", params={"q": "淦阳"}).json()["items"][0]
    assert item == {"id": agency_ids[SERIES], "name": SERIES, "level": "乡镇街道",
                    "region_code": "360982000000T001", "region": "江西省/宜春市/樟树市/淦阳街道",
                    "reports": 2, "first_year": 2022, "last_year": 2023}


def test_list_of_all_agencies_is_paginated_by_name(corpus_client, agency_ids):
    body = corpus_client.get("/api/agencies", params={"size": 20}).json()
    assert body["total"] == len(agency_ids) and body["pages"] == -(-len(agency_ids) // 20)
    assert [i["name"] for i in body["items"]] == sorted(agency_ids)[:20]
    err = error_of(corpus_client, "/api/agencies?page=0", 400)
    assert err["code"] == "bad_page"
    err = error_of(corpus_client, f"/api/agencies?page={body['pages'] + 1}&size=20", 400)
    assert err["code"] == "page_out_of_range"
    assert error_of(corpus_client, "/api/agencies?size=7", 400)["code"] == "bad_page_size"


def test_search_page_lists_links(corpus_client, agency_ids):
    r = corpus_client.get("/agencies?q=淦阳")
    assert r.status_code == 200 and f'href="/agencies/{agency_ids[SERIES]}"' in r.text
    assert "江西省/宜春市/樟树市/淦阳街道" in r.text and "2022–2023" in r.text
    assert "没有找到名称含“没有这个单位”的单位" in corpus_client.get("/agencies?q=没有这个单位").text
    r = corpus_client.get("/agencies?page=-1")
    assert r.status_code == 400 and "页码“-1”无效" in r.text
    everyone = corpus_client.get("/agencies").text
    assert "全部单位" in everyone and 'class="next" href="?page=2"' in everyone


# ------------------------------------------------------------------ one agency

def test_agency_page_shows_reports_editions_and_compare_links(corpus_client, corpus_data,
                                                               agency_ids):
    ids = corpus_data.ids
    r = corpus_client.get(f"/agencies/{agency_ids[SERIES]}")
    assert r.status_code == 200
    text = r.text
    assert f"<h1>{SERIES}</h1>" in text and "江西省/宜春市/樟树市/淦阳街道" in text
    assert SERIES_ALIAS in text and "乡镇街道" in text
    assert "2 个年度，另有 1 份被取代的旧版本" in text
    rows = re.findall(r'<tr data-report="(\d+)"', text)
    assert rows == [str(ids["series_2022"]), str(ids["series_2023"]), str(ids["series_2023_old"])]
    assert f'已被 <a href="/reports/{ids["series_2023"]}">#{ids["series_2023"]}</a> 取代' in text
    assert (f'href="/compare?a={ids["series_2022"]}&amp;b={ids["series_2023"]}">与上一年度对比'
            in text)
    assert (f'href="/compare?a={ids["series_2023_old"]}&amp;b={ids["series_2023"]}">与新版本对比'
            in text)
    assert '<script src="/assets/plotly.min.js" defer></script>' in text


def _figure(text: str) -> dict:
    raw = re.search(r"data-figure='([^']*)'", text)[1]
    return json.loads(html.unescape(raw))


def test_agency_chart_has_the_figures_of_each_year(corpus_client, corpus_data, agency_ids):
    text = corpus_client.get(f"/agencies/{agency_ids[SERIES]}").text
    fig = _figure(text)
    traces = {t["name"]: t for t in fig["data"]}
    assert set(traces) == {"申请总量", "行政复议", "行政诉讼", "检查发现的问题", "公开率"}
    assert all(t["x"] == ["2022", "2023"] for t in traces.values())
    reports = corpus_data.values["series_reports"]
    own = {y: figures(r) for y, r in reports.items()}
    assert traces["申请总量"]["y"] == [own[2022]["apps_total"], own[2023]["apps_total"]]
    assert traces["行政复议"]["y"] == [own[2022]["review_total"], own[2023]["review_total"]]
    litigation = [(own[y]["litigation_direct_total"] or 0) + (
        own[y]["litigation_after_review_total"] or 0) for y in (2022, 2023)]
    assert traces["行政诉讼"]["y"] == litigation

    def rate(f):
        done = f["out_total_processed"]
        return (f["out_granted"] + f["out_partially_granted"]) / done if done else None

    expected = [rate(own[y]) for y in (2022, 2023)]
    assert traces["公开率"]["y"] == [None if x is None else pytest.approx(x) for x in expected]
    assert traces["公开率"]["yaxis"] == "y2" and fig["layout"]["yaxis2"]["tickformat"] == ".0%"
    with corpus_data.store.reading() as s:
        found = [s.scalar(select(func.count()).where(StoredFinding.report_id == corpus_data.ids[k]))
                 for k in ("series_2022", "series_2023")]
    assert traces["检查发现的问题"]["y"] == found


def test_agency_cross_year_findings_link_to_the_report(corpus_client, corpus_data, agency_ids):
    text = corpus_client.get(f"/agencies/{agency_ids[SERIES]}").text
    section = text[text.index("<h2>跨年度检查发现</h2>"):]
    this = corpus_data.ids["series_2023"]
    assert f'<section class="cross-year" data-report="{this}">' in section
    assert f'<a href="/reports/{this}">报告 #{this}</a>' in section
    codes = re.findall(r'<a href="/rules/(X-[A-Z-]+)">', section)
    assert codes and set(codes) == set(corpus_data.values["series_x"])


def test_agency_with_one_year_has_no_cross_year_findings(corpus_client, agency_ids):
    text = corpus_client.get(f"/agencies/{agency_ids['樟树市中洲乡']}").text
    assert "库中不足两个年度的报告，无法比较" in text and "与上一年度对比" not in text


def test_unknown_agency(corpus_client):
    r = corpus_client.get("/agencies/999999")
    assert r.status_code == 404 and "没有编号为 999999 的单位" in r.text
    assert corpus_client.get("/agencies/abc").status_code == 422
    err = error_of(corpus_client, "/api/agencies/999999", 404)
    assert err == {"code": "unknown_agency",
                   "message": "没有编号为 999999 的单位；请在“单位”页面按名称查找单位。",
                   "detail": None}
    assert error_of(corpus_client, "/api/agencies/abc", 422)["code"] == "invalid_request"


def test_agency_api_detail_and_series(corpus_client, corpus_data, agency_ids):
    body = corpus_client.get(f"/api/agencies/{agency_ids[SERIES]}").json()
    assert body["agency"] == {"id": agency_ids[SERIES], "name": SERIES, "level": "乡镇街道",
                              "region_code": "360982000000T001",
                              "region": "江西省/宜春市/樟树市/淦阳街道",
                              "aliases": [SERIES_ALIAS], "origin": "edited"}
    ids = corpus_data.ids
    assert [(e["report_id"], e["year"], e["current"], e["superseded_by"])
            for e in body["entries"]] == [
        (ids["series_2022"], 2022, True, None), (ids["series_2023"], 2023, True, None),
        (ids["series_2023_old"], 2023, False, ids["series_2023"])]
    this = body["entries"][1]
    assert [f["code"] for f in this["cross_year"]] == corpus_data.values["series_x"]
    own = figures(corpus_data.values["series_reports"][2023])
    assert this["figures"]["apps_total"] == own["apps_total"]
    assert set(this) == {"report_id", "year", "current", "superseded_by", "status", "layout",
                         "published", "agency_name", "score", "errors", "warnings", "infos",
                         "figures", "findings", "cross_year"}


def test_agency_names_are_escaped(corpus_client, agency_ids):
    text = corpus_client.get(f"/agencies/{agency_ids[XSS_NAME]}").text
    assert "<h1>&lt;script&gt;alert(1)&lt;/script&gt;测试局</h1>" in text
    assert "<script>alert(1)" not in text
    listing = corpus_client.get("/agencies?q=测试").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;测试局" in listing and EDITIONS in listing
    assert "<script>alert(1)" not in listing
