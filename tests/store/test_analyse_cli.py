"""``nianbao stats / coverage / series / compare / search`` as a user runs them.

The corpus is test_analysis's (module-scoped, per backend). Runs are in-process (Typer's
runner) to keep the suite fast, except one real ``python -m nianbao`` per backend; errors
are checked for one Chinese line, exit 2 and no traceback.
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.store.selection import Selection
from nianbao.store.stats import FIGURE_DEFS, finding_counts, stats
from tests.helpers import run_cli
from tests.store.test_analysis import corpus  # noqa: F401 - the shared module fixture
from tests.store.test_stats import NATIONAL

runner = CliRunner()


def nianbao(*args: str):
    return runner.invoke(app, list(args), env={"COLUMNS": "200"})


def ok(*args: str) -> str:
    result = nianbao(*args)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_stats_tables_with_chinese_headers_and_percentages(corpus):  # noqa: F811
    store, _ = corpus
    out = ok("stats", "--by", "province", "--db", store.url)
    assert out.startswith("统计范围（年度：全部；地区：全部；") and "共 4 份报告" in out
    for title in ("概况", "本年新收申请（按申请人）", "办理结果（件）", "办理结果（占办理总计）",
                  "行政复议", "行政诉讼"):
        assert title in out
    lines = out.splitlines()
    jiangxi = next(x for x in lines if "江西省" in x)  # the 概况 row: 2 reports, 32 applications
    assert [c.strip() for c in jiangxi.strip("│┃ ").split("│")] == [
        "江西省", "2", "1", "32", "28", "57.1%", "25.0%", "50.0%", "1.50"]
    total = next(x for x in lines if "合计" in x)
    assert "62.1%" in total and "3.75" in total  # 36/58, Σ fees
    assert "公开率" in out and "复议纠错率" in out and "社会公益组织" in out


def test_stats_json_is_the_api_result(corpus):  # noqa: F811
    store, _ = corpus
    data = json.loads(ok("stats", "--by", "year,province", "--findings", "--json",
                         "--db", store.url))
    with store.session() as s:
        table = stats(s, group_by=["year", "province"])
        counts = finding_counts(s, group_by=["year", "province"])
    assert data["rows"] == json.loads(json.dumps(table.rows))
    assert data["total"] == pytest.approx(NATIONAL)
    assert data["group_by"] == ["year", "province"]
    assert data["figures"]["disclosure_rate"]["formula"] == FIGURE_DEFS["disclosure_rate"].formula
    assert data["finding_counts"] == counts.rows
    filtered = json.loads(ok("stats", "--json", "--year", "2022", "--region", "宜春市",
                             "--rule", "T3", "--db", store.url))
    assert filtered["total"]["reports"] == 1  # A: 2022, 宜春市, has T3 findings
    assert filtered["filters"]["年度"] == "2022"
    with store.session() as s:
        expected = stats(s, filters=Selection(years=(2022,), region="宜春市", rule="T3")).total
    assert filtered["total"] == json.loads(json.dumps(expected))


def test_stats_findings_and_empty_selection(corpus):  # noqa: F811
    store, _ = corpus
    out = ok("stats", "--findings", "--db", store.url)
    assert "检查发现（按规则）" in out
    row = next(x for x in out.splitlines() if "T3-BLANK" in x)
    assert [c.strip() for c in row.strip("│ ").split("│")][-2:] == ["3", "2"]  # findings, reports
    result = nianbao("stats", "--year", "1999", "--db", store.url)
    assert result.exit_code == 0 and "没有符合条件的报告" in result.stderr


def test_coverage_series_compare_search(corpus):  # noqa: F811
    store, ids = corpus
    out = ok("coverage", "--region", "宜春市", "--year", "2022", "--db", store.url)
    assert "江西省/宜春市（360900000000）2022 年度：名录中有 4 个机关，已收到 2 份报告（50.0%），缺 2 份。" in out
    assert "樟树市教育体育局" in out and "江西省/宜春市/樟树市/淦阳街道" in out
    data = json.loads(ok("coverage", "--region", "宜春市", "--year", "2022", "--json",
                         "--db", store.url))
    assert (data["expected"], data["received"], data["rate"]) == (4, 2, 0.5)

    out = ok("series", "樟树市人民政府", "--db", store.url)
    assert f"旧版→{ids['A']}" in out and "T3-BLANK×2" in out
    data = json.loads(ok("series", "樟树市政府", "--json", "--db", store.url))
    assert [(e["report_id"], e["current"]) for e in data["entries"]] == [
        (ids["A"], True), (ids["A_old"], False)]
    assert data["entries"][0]["figures"]["apps_total"] == 12

    out = ok("compare", str(ids["A_old"]), "樟树市人民政府:2022", "--db", store.url)
    assert f"A：报告 {ids['A_old']}，樟树市人民政府 2022 年度" in out and "（旧版）" in out
    assert "落款日期：A 2023-01-05 → B 2023-01-20" in out
    assert "格全部相同" in out and "正文：各部分文字相同。" in out
    data = json.loads(ok("compare", str(ids["B"]), str(ids["C"]), "--json", "--db", store.url))
    assert data["cells"] and data["sections"] and data["a"]["id"] == ids["B"]

    out = ok("search", "淦阳", "--db", store.url)
    assert "樟树市淦阳街道办事处" in out and "江西省/宜春市/樟树市/淦阳街道" in out
    data = json.loads(ok("search", "樟树", "--json", "--db", store.url))
    assert len(data["hits"]) == 3 and data["more"] is False


def test_errors_are_one_chinese_line_with_exit_2(corpus, tmp_path):  # noqa: F811
    store, _ = corpus
    cases = [
        (("stats", "--region", "樟树县"), "找不到区划“樟树县”", "樟树市（江西省/宜春市/樟树市）"),
        (("stats", "--by", "国家"), "无法按“国家”分组", "可选"),
        (("stats", "--rule", "T9"), "未知的规则代码或前缀“T9”", "T3"),
        (("series", "樟树市人民政"), "年报库中没有名为“樟树市人民政”的机关", "樟树市人民政府"),
        (("compare", "99999", "1"), "没有编号为 99999 的报告", "nianbao search"),
        (("coverage", "--region", "宜春县", "--year", "2022"), "找不到区划", "宜春市"),
        (("search", " "), "请给出要查找的机关名称片段", ""),
    ]
    for args, message, hint in cases:
        result = nianbao(*args, "--db", store.url)
        assert result.exit_code == 2, (args, result.output)
        assert result.stderr.startswith("错误：") and message in result.stderr and hint in result.stderr
        assert "Traceback" not in result.output
    missing = nianbao("stats", "--db", f"sqlite:///{tmp_path / 'nope.db'}")
    assert missing.exit_code == 2 and "不存在" in missing.stderr
    assert not (tmp_path / "nope.db").exists()


def test_real_command_line(corpus):  # noqa: F811
    store, _ = corpus
    bad = run_cli("series", "不存在的机关", "--db", store.url)
    assert bad.returncode == 2 and bad.stderr.startswith("错误：年报库中没有名为“不存在的机关”的机关")
    assert "Traceback" not in bad.stderr
