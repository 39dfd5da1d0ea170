"""``GET /api/rules`` and ``GET /api/rules/{code}``: the catalogue with its documentation,
the same rules the 规则 pages and ``nianbao rules`` show."""

from __future__ import annotations

import pytest

from nianbao.rules import all_rules
from nianbao.rules.engine import SEVERITY_CN
from nianbao.rules.registry import CODES, FAMILIES
from nianbao.web.api import rules as rules_api
from tests.web.test_api_stats import error


def test_the_whole_catalogue_in_order(client):
    r = client.get("/api/rules")
    assert r.status_code == 200
    body = r.json()
    catalogue = all_rules()
    assert body["count"] == len(catalogue) == len(CODES)
    assert [x["code"] for x in body["rules"]] == list(catalogue)
    assert body["families"] == FAMILIES
    for item in body["rules"]:
        rule = catalogue[item["code"]]
        assert (item["severity"], item["severity_cn"], item["title"]) == (
            rule.severity, SEVERITY_CN[rule.severity], rule.title)
        assert item["doc"] == {"what": rule.doc.what, "why": rule.doc.why,
                               "example": rule.doc.example, "fix": rule.doc.fix}
        assert item["family_name"] == FAMILIES[item["code"].split("-")[0]]
        assert item["url"] == f"/rules/{item['code']}"
    assert {x["code"] for x in body["rules"] if x["cross_year"]} == {
        c for c in CODES if c.startswith("X-")}


@pytest.mark.parametrize("code", ["T3-BAL", "t3-bal", " T3-BAL "])
def test_one_rule_any_case(client, code):
    body = client.get(f"/api/rules/{code}").json()
    rule = all_rules()["T3-BAL"]
    assert body["code"] == "T3-BAL" and body["basis"] == rule.basis
    assert body["message"] == rule.message and body["family"] == "T3"
    # the rule's page says the same
    page = client.get(body["url"]).text
    assert rule.title in page and "T3-BAL" in page


def test_unknown_rule_is_404_with_close_codes(client):
    e = error(client.get("/api/rules/T3-BAX"), 404, "unknown_rule", "T3-BAX", "T3-BAL")
    assert e["detail"] is None
    error(client.get("/api/rules/NOTHING-LIKE-IT"), 404, "unknown_rule", "GET /api/rules")


def test_a_retired_code_is_410(client, monkeypatch):
    monkeypatch.setitem(rules_api.RETIRED, "T3-OLD", "0.2.0")
    error(client.get("/api/rules/T3-OLD"), 410, "rule_retired", "0.2.0")
