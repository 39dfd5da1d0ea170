"""对比: ``/compare?a=&b=`` and ``GET /api/compare`` — the changed cell highlighted with both
values and the difference, the changed sentence as <del>/<ins> (escaped), every error."""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import error_of
from tests.web.test_corpus_fixtures import (  # noqa: F401  (fixtures)
    EDITIONS,
    XSS_SENTENCE,
    corpus_client,
    corpus_data,
)

# the shared fixtures above are imported and passed to tests by name (not redefinitions)
# ruff: noqa: F811


@pytest.fixture(scope="module")
def pair(corpus_data):
    return corpus_data.ids["edition_old"], corpus_data.ids["edition_new"]



def test_api_compare_finds_exactly_the_changed_cell_sentence_and_date(corpus_client,
                                                                      corpus_data, pair):
    a, b = pair
    body = corpus_client.get("/api/compare", params={"a": a, "b": b}).json()
    old = corpus_data.values["old_value"]
    assert (body["a"]["id"], body["b"]["id"], body["a"]["current"], body["b"]["current"]) == (
        a, b, False, True)
    assert body["b"]["agency_name"] == EDITIONS and body["cells_compared"] > 100
    assert body["cells"] == [{
        "table": "table2", "row": "coercion", "column": "decisions", "row_label": "行政强制",
        "column_label": "本年处理决定数量", "a": old, "b": old + 5, "in_a": True, "in_b": True,
        "difference": 5}]
    assert [s["key"] for s in body["sections"]] == ["overview"]
    assert body["sections"][0]["changes"] == [
        {"op": "replace", "a": [corpus_data.values["old_sentence"]], "b": [XSS_SENTENCE]}]
    assert body["meta"] == [{"field": "published", "label": "落款日期",
                             "a": body["a"]["published"], "b": "2099-01-01"}]


def test_api_compare_accepts_agency_and_year(corpus_client, pair):
    body = corpus_client.get("/api/compare", params={"a": pair[0], "b": f"{EDITIONS}:2022"}).json()
    assert body["b"]["id"] == pair[1]  # the current edition of that year


@pytest.mark.parametrize("query, status, code, words", [
    ("a=1", 422, "missing_report", "缺少参数 b"),
    ("b=1", 422, "missing_report", "缺少参数 a"),
    ("", 422, "missing_report", "缺少参数 a、b"),
    ("a=2&b=2", 400, "same_report", "a 和 b 是同一份报告（编号 2）"),
    ("a=1&b=999999", 404, "unknown_report", "没有编号为 999999 的报告（参数 b）"),
    ("a=不存在的机关:2022&b=1", 404, "unknown_agency", "参数 a："),
    ("a=樟树市人社局:2019&b=1", 404, "unknown_report", "没有 2019 年度的报告"),
    ("a=xyz&b=1", 400, "bad_report_ref", "无法识别报告“xyz”"),
])
def test_api_compare_errors(corpus_client, query, status, code, words):
    err = error_of(corpus_client, f"/api/compare?{query}", status)
    assert err["code"] == code and words in err["message"]


def test_api_compare_refuses_a_document_that_could_not_be_read(corpus_client, corpus_data):
    err = error_of(corpus_client, f"/api/compare?a={corpus_data.ids['failed']}&b=1", 400)
    assert err["code"] == "failed_report" and "无法读取" in err["message"]


def test_compare_page_highlights_the_cell_and_shows_both_values_and_the_difference(
        corpus_client, corpus_data, pair):
    a, b = pair
    old = corpus_data.values["old_value"]
    text = corpus_client.get(f"/compare?a={a}&b={b}").text
    cell = text[text.index('<tr data-cell="table2-coercion-decisions">'):]
    cell = cell[:cell.index("</tr>")]
    assert "行政强制" in cell and "本年处理决定数量" in cell
    assert f'<a href="#a-table2-coercion-decisions">{old}</a>' in cell
    assert f'<a href="#b-table2-coercion-decisions">{old + 5}</a>' in cell
    assert '<td class="num diff">+5</td>' in cell
    # both official tables, the changed cell flagged (and only that one)
    flagged = re.findall(r'<td ([^>]*\bchanged\b[^>]*)>([^<]*)</td>', text)
    assert sorted((re.search(r'id="([^"]+)"', attrs)[1], value) for attrs, value in flagged) == [
        ("a-table2-coercion-decisions", str(old)), ("b-table2-coercion-decisions", str(old + 5))]
    assert "共比较" in text and "1 个不同" in text
    assert "落款日期" in text and "2099-01-01" in text


def test_compare_page_text_diff_is_escaped(corpus_client, corpus_data, pair):
    text = corpus_client.get(f"/compare?a={pair[0]}&b={pair[1]}").text
    diff = text[text.index('<section class="text-diff" data-section="overview">'):]
    assert f"<del>{corpus_data.values['old_sentence']}</del>" in diff
    assert ("<ins>&lt;script&gt;alert(&#39;xss&#39;)&lt;/script&gt;将政务公开工作纳入绩效考核。</ins>"
            in diff)
    assert "<script>alert(" not in text


def test_compare_page_form_and_errors(corpus_client, corpus_data):
    form = corpus_client.get("/compare")
    assert form.status_code == 200 and 'name="a"' in form.text and "notice error" not in form.text
    cases = [("a=5", 422, "缺少参数 b"), ("a=3&b=3", 400, "是同一份报告（编号 3）"),
             ("a=3&b=999999", 404, "没有编号为 999999 的报告"),
             (f"a={corpus_data.ids['failed']}&b=3", 400, "无法读取")]
    for query, status, words in cases:
        r = corpus_client.get(f"/compare?{query}")
        assert r.status_code == status and words in r.text, query
        assert 'class="notice error"' in r.text and "<form" in r.text  # ask again, on the page


def test_compare_two_agencies_lists_every_differing_cell(corpus_client):
    body = corpus_client.get("/api/compare?a=1&b=2").json()
    assert len(body["cells"]) == 7 and all(c["difference"] == c["b"] - c["a"]
                                           for c in body["cells"])
    assert {m["field"] for m in body["meta"]} >= {"title", "agency"}
    text = corpus_client.get("/compare?a=1&b=2").text
    assert "樟树市人社局" in text and "共比较 200 个单元格，7 个不同" in text
    assert 'href="/compare?a=2&amp;b=1">交换 A、B' in text


def test_openapi_describes_the_three_areas(corpus_client):
    spec = corpus_client.get("/api/openapi.json").json()
    tags = {path: spec["paths"][path]["get"]["tags"] for path in
            ("/api/reports", "/api/agencies", "/api/agencies/{agency_id}", "/api/compare")}
    assert tags == {"/api/reports": ["年报库"], "/api/agencies": ["单位"],
                    "/api/agencies/{agency_id}": ["单位"], "/api/compare": ["对比"]}
    params = {p["name"] for p in spec["paths"]["/api/reports"]["get"]["parameters"]}
    assert params == {"year", "region", "level", "layout", "has_errors", "rule", "q",
                      "include_failed", "include_superseded", "sort", "order", "page", "size"}
    assert set(spec["paths"]["/api/compare"]["get"]["responses"]) >= {"200", "400", "404", "422"}
