"""``nianbao check``, ``nianbao rules`` and ``nianbao rule`` as a user runs them.

The fixture is a real seed report with one number changed so that table 三 no longer balances
(a T3-BAL finding exists for sure); the catalogue grows while these tests stay valid, so they
select rules explicitly wherever an exact outcome is asserted.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rich.console import Console

import nianbao
from nianbao import docs
from nianbao.rules import all_rules
from nianbao.terminal import print_check
from tests.helpers import ROOT, SEEDS, replace_row, run_cli

CLEAN = SEEDS[1]  # 2021 layout, table 三 all zeros




def unbalanced_text() -> str:
    """Five new applications from natural persons, none processed or carried forward."""
    return replace_row(CLEAN.read_text(encoding="utf-8"), "一、本年新收政府信息公开申请数量",
                        ["5", "0", "0", "0", "0", "0", "5"])


@pytest.fixture(scope="module")
def bad(tmp_path_factory) -> Path:
    p = tmp_path_factory.mktemp("check") / "bad.txt"
    p.write_text(unbalanced_text(), encoding="utf-8")
    return p


def api(path: Path, previous: Path | None = None, **kw) -> dict:
    prev = nianbao.parse(previous) if previous else None
    return nianbao.check(nianbao.parse(path), prev, **kw).model_dump(mode="json")


def test_readable_report_shows_marked_cells_location_and_fix(bad):
    proc = run_cli("check", str(bad), "--select", "T3-BAL")
    assert proc.returncode == 1, proc.stderr
    out = proc.stdout
    assert "三、收到和处理政府信息公开申请情况" in out
    total_row = next(x for x in out.splitlines() if "（七）总计" in x)
    assert total_row.split()[1:] == ["[0]", "0", "0", "0", "0", "0", "[0]"]  # marked cells
    assert "错误 T3-BAL" in out and "表三勾稽关系不平" in out
    assert "一（本年新收 5）加二（上年结转 0）为 5" in out
    assert "位置：表三 › （七）总计 › 自然人；原文第" in out
    assert "改正：" + all_rules()["T3-BAL"].doc.fix[:20] in out
    assert "错误 2  警告 0  提示 0  得分 80" in out


def test_clean_report_passes(bad):
    proc = run_cli("check", str(CLEAN), "--select", "T3-BAL,T4-SUM")
    assert proc.returncode == 0, proc.stderr
    assert "未发现问题。" in proc.stdout and "得分 100" in proc.stdout


def test_json_is_exactly_the_api_result(bad):
    proc = run_cli("check", "--json", str(bad))
    result = json.loads(proc.stdout)
    assert result == api(bad)
    assert proc.returncode == (1 if result["counts"]["error"] else 0)
    assert ("T3-BAL", "table3", "total_processed", "natural_person", 5, 0) in [
        (f["code"], f["location"]["table"], f["location"]["row"], f["location"]["column"],
         f["expected"], f["found"]) for f in result["findings"]]


def test_json_for_many_files_is_a_list_in_order(bad):
    proc = run_cli("check", "--json", "--select", "T3", str(bad), str(CLEAN))
    assert proc.returncode == 1, proc.stderr
    assert json.loads(proc.stdout) == [api(bad, select=["T3"]), api(CLEAN, select=["T3"])]


def test_select_and_ignore_take_codes_and_prefixes(bad):
    proc = run_cli("check", "--json", "--select", "t3,T4", "--ignore", "T3-BAL", str(bad))
    result = json.loads(proc.stdout)
    assert result["rules"] and all(c.startswith(("T3-", "T4-")) for c in result["rules"])
    assert "T3-BAL" not in result["rules"] and "T4-SUM" in result["rules"]
    assert all(f["code"] != "T3-BAL" for f in result["findings"])
    assert result == api(bad, select=["T3", "T4"], ignore=["T3-BAL"])


def test_unknown_code_is_a_chinese_error_with_close_matches(bad):
    proc = run_cli("check", "--select", "T3-BLA", str(bad))
    assert proc.returncode == 2
    assert "选项 --select：未知的规则代码或前缀“T3-BLA”" in proc.stderr
    assert "T3-BAL" in proc.stderr and proc.stdout == ""
    proc = run_cli("check", "--fail-on", "fatal", str(bad))
    assert proc.returncode == 2 and "选项 --fail-on 的值“fatal”无效" in proc.stderr


def _a_warning_code(path: Path) -> str | None:
    result = nianbao.check(nianbao.parse(path))
    return next((f.code for f in result.findings if f.severity == "warning"), None)


def test_fail_on_sets_the_exit_threshold(bad):
    assert run_cli("check", str(bad), "--select", "T3-BAL", "--fail-on", "warning").returncode == 1
    code = _a_warning_code(bad) or next(
        (c for s in SEEDS if (c := _a_warning_code(s))), None)
    if code is None:
        pytest.skip("no warning-level rule fires on the fixtures yet")
    target = bad if code == _a_warning_code(bad) else next(s for s in SEEDS
                                                          if _a_warning_code(s) == code)
    assert run_cli("check", str(target), "--select", code).returncode == 0
    assert run_cli("check", str(target), "--select", code, "--fail-on", "warning").returncode == 1


def test_batch_goes_on_after_unreadable_input(tmp_path, bad):
    (tmp_path / "a_bad.txt").write_bytes(bad.read_bytes())
    (tmp_path / "b_clean.txt").write_bytes(CLEAN.read_bytes())
    (tmp_path / "c_junk.txt").write_text("这不是年报。\n", encoding="utf-8")
    proc = run_cli("check", str(tmp_path), "--select", "T3-BAL")
    assert proc.returncode == 2
    parse_err = run_cli("parse", str(tmp_path / "c_junk.txt")).stderr.strip()
    assert parse_err.startswith("错误：") and "[not_a_report]" in parse_err
    assert parse_err in proc.stderr.replace("\n", "")  # the same one-line error as parse
    out = proc.stdout
    assert "检查结果（共 3 份）" in out and "无法读取（not_a_report）" in out
    assert "共 3 份：错误 2 个，警告 0 个，提示 0 个，无法读取 1 份。" in out
    assert out.count("T3-BAL") == 2 and "b_clean.txt" in out  # clean file: summary row only


def test_no_files_and_unreadable_single_file(tmp_path):
    proc = run_cli("check", str(tmp_path))
    assert proc.returncode == 2 and "没有找到任何文件" in proc.stderr
    proc = run_cli("check", "--json", str(tmp_path / "missing.txt"))
    assert proc.returncode == 2 and "找不到文件" in proc.stderr and proc.stdout == ""


def test_previous_year_runs_cross_year_rules(bad):
    cross = [c for c, r in all_rules().items() if r.cross_year]
    proc = run_cli("check", "--json", str(bad), "--previous", str(CLEAN))
    result = json.loads(proc.stdout)
    assert result == api(bad, previous=CLEAN)
    assert set(cross) <= set(result["rules"])
    alone = json.loads(run_cli("check", "--json", str(bad)).stdout)
    assert not set(cross) & set(alone["rules"])


def test_previous_needs_one_current_report_and_a_readable_file(tmp_path, bad):
    proc = run_cli("check", str(bad), str(CLEAN), "--previous", str(CLEAN))
    assert proc.returncode == 2 and "--previous 只能与一份年报一起使用" in proc.stderr
    proc = run_cli("check", str(bad), "--previous", str(tmp_path / "nope.txt"))
    assert proc.returncode == 2 and "上一年度年报" in proc.stderr and "找不到文件" in proc.stderr


def test_rules_lists_the_whole_catalogue():
    proc = run_cli("rules")
    assert proc.returncode == 0, proc.stderr
    assert f"规则目录（共 {len(all_rules())} 条）" in proc.stdout
    for code in all_rules():
        assert code in proc.stdout


def test_rule_prints_its_documentation():
    r = all_rules()["T3-BAL"]
    proc = run_cli("rule", "t3-bal")
    assert proc.returncode == 0, proc.stderr
    flat = "".join(proc.stdout.split())
    for text in (r.title, r.basis, "检查什么", r.doc.what, "为什么重要", r.doc.why, "示例",
                 "怎样改正", r.doc.fix, "{column_label}"):
        assert "".join(text.split()) in flat, text


def test_unknown_rule_suggests_close_codes():
    proc = run_cli("rule", "T3-BLA")
    assert proc.returncode == 2
    assert "没有代码为“T3-BLA”的规则" in proc.stderr and "T3-BAL" in proc.stderr


def test_terminal_output_is_not_markup_injectable(bad):
    report = nianbao.parse(bad)
    report.meta.agency = "[bold red]伪造[/] [link=http://x]机关"
    console = Console(record=True, width=160, color_system=None)
    print_check(report, nianbao.check(report, select=["T3-BAL"]), console)
    assert "[bold red]伪造[/] [link=http://x]机关" in console.export_text()


def test_rule_docs_are_generated_for_exactly_the_registered_rules():
    pages = {p.name for p in (ROOT / "docs" / "rules").glob("*.md")}
    generated = {Path(n).name for n in docs.GENERATED if n.startswith("rules/")}
    assert pages == generated == {"README.md", *(f"{c}.md" for c in all_rules())}, (
        "docs/rules/ 已过期：请运行 python -m nianbao.docs")


def test_json_list_records_unreadable_files_like_parse(tmp_path):
    junk = tmp_path / "junk.txt"
    junk.write_text("这不是年报。\n", encoding="utf-8")
    proc = run_cli("check", "--json", "--select", "T3-BAL", str(CLEAN), str(junk))
    assert proc.returncode == 2
    first, second = json.loads(proc.stdout)
    assert first == api(CLEAN, select=["T3-BAL"])
    assert second["source"] == {"name": "junk.txt", "path": str(junk)}
    assert second["status"] == "failed" and second["error"]["code"] == "not_a_report"
