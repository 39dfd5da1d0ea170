"""``/api/stats``, ``/api/findings/counts``, ``/api/coverage``: the same JSON as
``nianbao stats --json`` / ``nianbao coverage --json`` for the same filters (the CLI run
in-process, as tests/store/test_analyse_cli.py does), every error in the common shape, and
who may ask."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nianbao.cli import app as cli
from nianbao.web.auth import create_token, create_user
from tests.store.test_stats import JIANGXI, ZHANGSHU
from tests.web.conftest import PASSWORD
from tests.web.test_dashboard import corpus, web  # noqa: F401 - the shared module fixtures

runner = CliRunner()


def cli_json(*args: str) -> dict:
    result = runner.invoke(cli, [*args, "--json"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def error(response, status: int, code: str, *words: str) -> dict:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}
    assert body["error"]["code"] == code, body
    for word in words:
        assert word in body["error"]["message"], body
    return body["error"]


# ------------------------------------------------------------------ equal to the CLI

@pytest.mark.parametrize(("query", "options"), [
    ({}, []),
    ({"group_by": "year,province"}, ["--by", "year,province"]),
    ({"group_by": "年度,县", "year": "2020-2022", "findings": "true"},
     ["--by", "年度,县", "--year", "2020-2022", "--findings"]),
    ({"group_by": "level", "region": "江西省", "year": ["2022", "2020"]},
     ["--by", "level", "--region", "江西省", "--year", "2022", "--year", "2020"]),
    ({"group_by": "city", "has_errors": "true", "layout": "2021"},
     ["--by", "city", "--has-errors", "--layout", "2021"]),
    ({"has_errors": "false", "level": "政府"}, ["--no-errors", "--level", "政府"]),
    ({"rule": "T3", "findings": "1", "group_by": "province"},
     ["--rule", "T3", "--findings", "--by", "province"]),
])
def test_stats_is_the_cli_json(web, corpus, query, options):  # noqa: F811
    store, _ = corpus
    r = web.get("/api/stats", params=query)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.json() == cli_json("stats", *options, "--db", store.url)


def test_stats_values_worked_out_by_hand(web):  # noqa: F811
    body = web.get("/api/stats", params={"group_by": "province", "year": "2022"}).json()
    assert body["group_by"] == ["province"] and body["filters"]["年度"] == "2022"
    jiangxi, guangdong = body["rows"]
    assert (jiangxi["province"], jiangxi["province_code"]) == ("江西省", JIANGXI)
    assert (jiangxi["reports"], jiangxi["apps_total"], jiangxi["out_total_processed"]) == (2, 32, 28)
    assert jiangxi["disclosure_rate"] == pytest.approx(16 / 28)
    assert guangdong["review_correction_rate"] is None  # C's 复议 total is blank
    assert body["total"]["disclosure_rate"] == pytest.approx(36 / 58)
    assert body["figures"]["disclosure_rate"]["kind"] == "rate"
    assert "finding_counts" not in body


def test_finding_counts(web, corpus):  # noqa: F811
    store, _ = corpus
    body = web.get("/api/findings/counts", params={"year": "2022"}).json()
    assert [(r["code"], r["findings"], r["reports"]) for r in body["rows"]] == [
        ("T3-BAL", 1, 1), ("T3-BLANK", 3, 2)]
    assert body["rows"][0]["title"] and body["rows"][0]["severity"] == "error"
    grouped = web.get("/api/findings/counts", params={"group_by": "year,province"}).json()
    assert grouped["rows"] == cli_json("stats", "--by", "year,province", "--findings",
                                       "--db", store.url)["finding_counts"]
    only = web.get("/api/findings/counts", params={"rule": "T4"}).json()
    assert [r["code"] for r in only["rows"]] == ["T4-SUM"]  # D's, in 2020


def test_coverage_is_the_cli_json(web, corpus):  # noqa: F811
    store, _ = corpus
    for params, options in (({"region": "樟树市", "year": "2022"}, ["--region", "樟树市"]),
                            ({"region": ZHANGSHU, "year": "2022", "level": "部门"},
                             ["--region", ZHANGSHU, "--level", "部门"])):
        r = web.get("/api/coverage", params=params)
        assert r.status_code == 200
        assert r.json() == cli_json("coverage", *options, "--year", "2022", "--db", store.url)
    body = web.get("/api/coverage", params={"region": "樟树市", "year": "2022"}).json()
    assert (body["expected"], body["received"]) == (3, 1)
    assert [a["name"] for a in body["missing"]] == ["樟树市教育体育局", "樟树市淦阳街道办事处"]


def test_coverage_nationwide_and_latest_year_by_default(web):  # noqa: F811
    body = web.get("/api/coverage").json()
    assert (body["region_code"], body["region"], body["year"]) == (None, "全国", 2022)
    assert (body["expected"], body["received"], body["rate"]) == (6, 3, 0.5)
    assert sorted(a["name"] for a in body["missing"]) == [
        "台山市公安局", "樟树市教育体育局", "樟树市淦阳街道办事处"]
    older = web.get("/api/coverage", params={"year": "2020", "level": "部门"}).json()
    assert (older["expected"], older["received"]) == (2, 1)  # 台山市公安局 sent 2020's


# ------------------------------------------------------------------ errors

@pytest.mark.parametrize(("url", "params", "status", "code", "words"), [
    ("/api/stats", {"group_by": "colour"}, 400, "unknown_group", ("无法按“colour”分组",)),
    ("/api/stats", {"year": "20x2"}, 400, "invalid_year", ("年度“20x2”无效",)),
    ("/api/stats", {"region": "火星省"}, 400, "unknown_region", ("火星省",)),
    ("/api/stats", {"region": "江西"}, 400, "region_ambiguous", ("不唯一",)),
    ("/api/stats", {"rule": "T9-NOPE"}, 400, "unknown_rule", ("T9-NOPE",)),
    ("/api/stats", {"level": "省级"}, 400, "unknown_level", ("省级",)),
    ("/api/stats", {"layout": "2030"}, 400, "unknown_layout", ("2030",)),
    ("/api/stats", {"has_errors": "maybe"}, 422, "invalid_request", ("has_errors",)),
    ("/api/findings/counts", {"group_by": "colour"}, 400, "unknown_group", ()),
    ("/api/findings/counts", {"region": "火星省"}, 400, "unknown_region", ()),
    ("/api/findings/counts", {"rule": "Q"}, 400, "unknown_rule", ()),
    ("/api/coverage", {"year": "20x2"}, 400, "invalid_year", ()),
    ("/api/coverage", {"year": "2020-2022"}, 400, "invalid_year", ("只能给一个年度",)),
    ("/api/coverage", {"region": "火星省", "year": "2022"}, 400, "unknown_region", ()),
    ("/api/coverage", {"level": "省级"}, 400, "unknown_level", ()),
])
def test_errors_have_the_common_shape(web, url, params, status, code, words):  # noqa: F811
    error(web.get(url, params=params), status, code, *words)


def test_coverage_of_an_empty_store_needs_a_year(client):
    error(client.get("/api/coverage"), 400, "invalid_year", "还没有报告")
    body = client.get("/api/coverage", params={"year": "2023"}).json()
    assert (body["expected"], body["received"], body["rate"]) == (0, 0, None)
    assert client.get("/api/stats").json()["total"]["reports"] == 0


# ------------------------------------------------------------------ who may ask

def test_login_required_refuses_anonymous_and_accepts_a_token(make_client, web_store):
    with web_store.session() as s:
        user = create_user(s, "script1", PASSWORD, "viewer")
        _, token = create_token(s, user, "统计脚本")
    c = make_client(require_login=True)
    for url in ("/api/stats", "/api/findings/counts", "/api/coverage", "/api/rules"):
        error(c.get(url), 401, "login_required")
    r = c.get("/api/stats", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["total"]["reports"] == 0
    error(c.get("/api/stats", headers={"Authorization": "Bearer nb_wrong"}), 401, "bad_token")
