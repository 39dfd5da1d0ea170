"""年报库: ``/reports`` and ``GET /api/reports`` — every filter and sort, pages, htmx partials,
errors, escaping. Expected values are computed here from the store's rows, independently of
the list query."""

from __future__ import annotations

import math

import pytest
from sqlalchemy import select

from nianbao.store.models import Agency, StoredFinding, StoredReport
from tests.web.conftest import error_of, log_in
from tests.web.test_corpus_fixtures import (  # noqa: F401  (fixtures)
    FAILED_NAME,
    SERIES,
    XSS_NAME,
    corpus_client,
    corpus_data,
)

# the shared fixtures above are imported and passed to tests by name (not redefinitions)
# ruff: noqa: F811

ITEM_KEYS = {"id", "agency_id", "agency", "printed_name", "year", "layout", "status", "current",
             "superseded_by", "score", "errors", "warnings", "infos", "level", "region_code",
             "region", "filename", "error_message", "ingested_at"}


@pytest.fixture(scope="module")
def rows(corpus_data):
    """Every report row with what the list shows and sorts by (read straight from the store)."""
    R = StoredReport
    with corpus_data.store.reading() as s:
        found = s.execute(select(R.id, R.year, R.score, R.errors, R.ingested_at, R.is_current,
                                 R.status, R.layout, R.agency_level, R.city_code, R.county_code,
                                 R.township_code, R.agency_id, Agency.name, R.agency_name)
                          .outerjoin(Agency, Agency.id == R.agency_id)).all()
        codes = {}
        for rid, code in s.execute(select(StoredFinding.report_id, StoredFinding.code)):
            codes.setdefault(rid, set()).add(code)
    return [{"id": r.id, "year": r.year, "score": r.score, "errors": r.errors,
             "ingested": r.ingested_at, "current": r.is_current, "status": r.status,
             "layout": r.layout, "level": r.agency_level, "city": r.city_code,
             "county": r.county_code, "township": r.township_code,
             "agency": r.name or r.agency_name, "codes": codes.get(r.id, set())} for r in found]


def current(rows):
    return [r for r in rows if r["current"]]


def api(client, **params):
    r = client.get("/api/reports", params=params)
    assert r.status_code == 200, r.text
    return r.json()


def all_ids(client, **params) -> list[int]:
    """Ids of every page, in order (checks that pages neither repeat nor skip)."""
    first = api(client, **params, page=1)
    ids = [i["id"] for i in first["items"]]
    for page in range(2, first["pages"] + 1):
        ids += [i["id"] for i in api(client, **params, page=page)["items"]]
    assert len(ids) == len(set(ids)) == first["total"]
    return ids


def ids_of(rows) -> set[int]:
    return {r["id"] for r in rows}



# ------------------------------------------------------------------ the default list

def test_default_list_is_current_reports_by_year_then_agency(corpus_client, rows):
    body = api(corpus_client)
    expected = sorted(current(rows), key=lambda r: (-r["year"], r["agency"], r["id"]))
    assert body["total"] == len(expected) == 65  # 5 seeds + 56 synthetic + 4 special
    assert (body["page"], body["size"], body["pages"], body["sort"], body["order"]) == (
        1, 50, 2, "year", "desc")
    assert [i["id"] for i in body["items"]] == [r["id"] for r in expected[:50]]
    assert all(set(i) == ITEM_KEYS for i in body["items"])
    seed = next(i for i in body["items"] if i["id"] == 3)
    assert {k: seed[k] for k in ("agency", "year", "layout", "status", "current", "score",
                                 "errors", "warnings", "level", "region_code", "region")} == {
        "agency": "樟树市中洲乡", "year": 2022, "layout": "2021", "status": "ok", "current": True,
        "score": 97, "errors": 0, "warnings": 1, "level": "乡镇街道",
        "region_code": "360982000000T016", "region": "江西省/宜春市/樟树市/中洲乡"}


@pytest.mark.parametrize("sort", ["year", "agency", "score", "errors", "ingested"])
@pytest.mark.parametrize("order", ["asc", "desc"])
def test_every_sort_in_both_directions_over_all_pages(corpus_client, rows, sort, order):
    def ties(r):  # agency name, newest year, id — the primary key left out
        return (() if sort == "agency" else (r["agency"],)) + (
            () if sort == "year" else (-r["year"],)) + (r["id"],)

    # Python's sort is stable, also with reverse=True: ties keep the order sorted first
    expected = sorted(sorted(current(rows), key=ties), key=lambda r: r[sort],
                      reverse=order == "desc")
    assert all_ids(corpus_client, sort=sort, order=order, size=20) == [r["id"] for r in expected]


# ------------------------------------------------------------------ filters

def test_year_filters(corpus_client, rows):
    assert set(all_ids(corpus_client, year="2023")) == ids_of(
        r for r in current(rows) if r["year"] == 2023)
    assert set(all_ids(corpus_client, year="2021-2022")) == ids_of(
        r for r in current(rows) if r["year"] in (2021, 2022))
    err = error_of(corpus_client, "/api/reports?year=23")
    assert err["code"] == "invalid_year" and "四位年份" in err["message"]


@pytest.mark.parametrize("region, column, code", [
    ("江西省宜春市", "city", "360900000000"),  # a path written without separators
    ("江西省/宜春市", "city", "360900000000"),
    ("360982", "county", "360982000000"),
    ("樟树市", "county", "360982000000"),
    ("江西省宜春市樟树市淦阳街道", "township", "360982000000T001"),
])
def test_region_at_any_level_by_name_path_or_code(corpus_client, rows, region, column, code):
    body = api(corpus_client, region=region, size=200)
    expected = ids_of(r for r in current(rows) if r[column] == code)
    assert expected and {i["id"] for i in body["items"]} == expected
    assert body["region"].endswith({"360900000000": "江西省/宜春市",
                                    "360982000000": "江西省/宜春市/樟树市",
                                    "360982000000T001": "樟树市/淦阳街道"}[code])


def test_unknown_or_ambiguous_region_is_a_clear_message(corpus_client):
    err = error_of(corpus_client, "/api/reports?region=火星市")
    assert err["code"] == "unknown_region" and "找不到区划“火星市”" in err["message"]
    assert "您是不是要找" in err["message"]
    err = error_of(corpus_client, "/api/reports?region=中洲乡")
    assert err["code"] == "region_ambiguous" and "江西省/宜春市/樟树市/中洲乡" in err["message"]
    page = corpus_client.get("/reports?region=火星市")
    assert page.status_code == 400 and "找不到区划“火星市”" in page.text
    assert 'value="火星市"' in page.text  # the form keeps what was typed


@pytest.mark.parametrize("params, keep", [
    ({"level": "乡镇街道"}, lambda r: r["level"] == "乡镇街道"),
    ({"layout": "2019"}, lambda r: r["layout"] == "2019"),
    ({"has_errors": "yes"}, lambda r: r["errors"] > 0),
    ({"has_errors": "no"}, lambda r: r["errors"] == 0),
    ({"rule": "F-LAYOUT-YEAR"}, lambda r: "F-LAYOUT-YEAR" in r["codes"]),
    ({"rule": "x"}, lambda r: any(c.startswith("X-") for c in r["codes"])),  # a family
    ({"rule": "T3,M"}, lambda r: any(c.startswith(("T3-", "M-")) for c in r["codes"])),
])
def test_level_layout_errors_and_rule_filters(corpus_client, rows, params, keep):
    expected = ids_of(r for r in current(rows) if keep(r))
    assert expected, "the test data must exercise the filter"
    assert set(all_ids(corpus_client, **params, size=200)) == expected


def test_filters_combine(corpus_client, rows):
    body = api(corpus_client, year="2023", region="江西省", has_errors="no", level="部门")
    assert {i["id"] for i in body["items"]} == ids_of(
        r for r in current(rows) if r["year"] == 2023 and r["errors"] == 0
        and r["level"] == "部门" and r["city"] and r["city"].startswith("36"))


@pytest.mark.parametrize("param, value, code", [
    ("level", "省级", "unknown_level"), ("layout", "2025", "unknown_layout"),
    ("rule", "T9-NOPE", "unknown_rule"), ("has_errors", "maybe", "bad_flag"),
    ("sort", "size", "bad_sort"), ("order", "up", "bad_order"),
    ("include_failed", "perhaps", "bad_flag"),
])
def test_bad_filter_values_are_refused_in_chinese(corpus_client, param, value, code):
    err = error_of(corpus_client, f"/api/reports?{param}={value}")
    assert err["code"] == code and value in err["message"]


def test_name_search_by_name_printed_name_alias_and_township(corpus_client, rows):
    def names(q):
        return {i["agency"] for i in api(corpus_client, q=q, size=200)["items"]}

    assert "樟树市中洲乡" in names("中洲") and all("中洲" in n for n in names("中洲"))
    assert names("淦阳") == {SERIES}  # registered in 淦阳街道; the name does not say so
    assert names("测试别名") == {SERIES}  # by its alias
    assert names("人社局") == {"樟树市人社局"}
    assert names("没有这个名字") == set()


def test_failed_documents_only_when_asked(corpus_client, corpus_data):
    failed = corpus_data.ids["failed"]
    assert failed not in all_ids(corpus_client)
    body = api(corpus_client, include_failed="1", q="坏文件")
    assert [i["id"] for i in body["items"]] == [failed]
    item = body["items"][0]
    assert (item["status"], item["filename"], item["year"], item["agency_id"]) == (
        "failed", FAILED_NAME, None, None)
    assert item["error_message"]
    with_failed = all_ids(corpus_client, include_failed="yes", sort="year", order="asc")
    assert with_failed[-1] == failed  # no year: last whatever the direction
    page = corpus_client.get("/reports?include_failed=1&q=坏文件").text
    assert FAILED_NAME in page and "无法读取" in page


def test_superseded_editions_only_when_asked(corpus_client, corpus_data, rows):
    old = {corpus_data.ids["series_2023_old"], corpus_data.ids["edition_old"]}
    assert not old & set(all_ids(corpus_client))
    both = all_ids(corpus_client, include_superseded="1")
    assert old <= set(both) and corpus_data.ids["failed"] not in both
    item = next(i for i in api(corpus_client, include_superseded="1", q=SERIES)["items"]
                if i["id"] == corpus_data.ids["series_2023_old"])
    assert (item["current"], item["superseded_by"]) == (False, corpus_data.ids["series_2023"])


# ------------------------------------------------------------------ pages

def test_page_sizes_and_edges(corpus_client):
    total = api(corpus_client)["total"]
    for size in (20, 50, 100, 200):
        body = api(corpus_client, size=size)
        assert body["pages"] == math.ceil(total / size) and len(body["items"]) == min(size, total)
    last = api(corpus_client, size=20, page=4)
    assert len(last["items"]) == total - 60
    err = error_of(corpus_client, "/api/reports?size=20&page=5")
    assert err == {"code": "page_out_of_range", "message": f"第 5 页超出范围：共 {total} 条，每页 "
                   "20 条，只有 4 页；请选择第 1 到第 4 页。", "detail": {"total": total, "pages": 4}}
    for page in ("0", "-1", "abc", "1.5"):
        err = error_of(corpus_client, f"/api/reports?page={page}")
        assert err["code"] == "bad_page" and "从 1 开始的整数" in err["message"]
    err = error_of(corpus_client, "/api/reports?size=30")
    assert err["code"] == "bad_page_size" and "20、50、100、200" in err["message"]
    empty = api(corpus_client, q="没有这个名字")
    assert (empty["total"], empty["pages"], empty["items"]) == (0, 1, [])


def test_html_page_shows_rows_pages_and_keeps_filters_in_links(corpus_client):
    r = corpus_client.get("/reports?level=部门&size=20&sort=score&order=asc")
    assert r.status_code == 200 and "<form id=\"corpus-filters\"" in r.text
    assert '<option selected>部门</option>' in r.text
    assert 'href="/agencies/' in r.text and 'href="/reports/' in r.text
    # the next page, a page number and the sort headers keep every filter
    assert 'href="?level=%E9%83%A8%E9%97%A8&amp;sort=score&amp;order=asc&amp;page=2&amp;size=20"' in r.text
    assert 'hx-get="/reports?level=%E9%83%A8%E9%97%A8&amp;sort=agency&amp;order=asc&amp;size=20"' in r.text
    assert 'aria-sort="ascending"' in r.text and "按评分升序" in r.text


def test_html_page_errors_are_shown_on_the_page(corpus_client):
    r = corpus_client.get("/reports?page=0")
    assert r.status_code == 400 and "页码“0”无效" in r.text and "<form" in r.text
    r = corpus_client.get("/reports?page=99")
    assert r.status_code == 400 and "第 99 页超出范围" in r.text and "回到第 1 页" in r.text


def test_htmx_request_gets_only_the_results_partial(corpus_client):
    r = corpus_client.get("/reports?q=中洲", headers={"HX-Request": "true"})
    assert r.status_code == 200 and r.text.startswith('<div id="corpus-results"')
    assert "<html" not in r.text and "corpus-filters\"" in r.text  # hidden sort/order inputs
    assert "<form" not in r.text and "樟树市中洲乡" in r.text
    assert "HX-Request" in r.headers["vary"]
    # htmx swaps only 2xx answers, so a bad filter answers 200 with the message in the partial
    bad = corpus_client.get("/reports?region=火星市", headers={"HX-Request": "true"})
    assert bad.status_code == 200 and "找不到区划" in bad.text and "<html" not in bad.text
    # the back button after htmx's history cache is gone asks for the whole page
    restore = corpus_client.get("/reports", headers={"HX-Request": "true",
                                                     "HX-History-Restore-Request": "true"})
    assert "<html" in restore.text


def test_agency_names_from_reports_are_escaped(corpus_client):
    r = corpus_client.get("/reports?year=2021&size=200")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;测试局" in r.text
    assert "<script>alert(1)" not in r.text
    assert api(corpus_client, q="测试局")["items"][0]["agency"] == XSS_NAME


def test_what_a_visitor_types_is_escaped_too(corpus_client):
    evil = '"><script>alert(2)</script>'
    for query in (f"q={evil}", f"region={evil}", f"rule={evil}", f"q={evil}&page=0"):
        r = corpus_client.get(f"/reports?{query}")
        assert "<script>alert(2)" not in r.text and "&lt;script&gt;alert(2)" in r.text, query


def test_login_required_setting_applies(seeded_store, make_client, users):
    client = make_client(require_login=True)
    assert client.get("/api/reports").json()["error"]["code"] == "login_required"
    r = client.get("/reports?year=2023", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login?next=")
    log_in(client, "viewer1")
    assert client.get("/api/reports").json()["total"] == 5  # the five seeds
