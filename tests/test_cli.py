"""The command line as a user runs it: output, JSON identity with the API, exit codes."""

from __future__ import annotations

import json

import nianbao
from tests.helpers import SEEDS, run_cli


def test_parse_shows_the_official_tables():
    proc = run_cli("parse", str(SEEDS[1]))
    assert proc.returncode == 0, proc.stderr
    for label in ("二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
                  "四、政府信息公开行政复议、行政诉讼情况", "行政规范性文件", "24.1982",
                  "本年制发件数", "自然人", "复议后起诉"):
        assert label in proc.stdout


def test_json_output_is_exactly_the_api_result():
    proc = run_cli("parse", "--json", str(SEEDS[3]))
    assert proc.returncode == 0, proc.stderr
    api = nianbao.parse(SEEDS[3]).model_dump(mode="json")
    assert json.loads(proc.stdout) == api


def test_jsonl_for_a_directory_one_line_per_report():
    proc = run_cli("parse", "--jsonl", str(SEEDS[0].parent))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == len(SEEDS)
    names = [json.loads(x)["source"]["name"] for x in lines]
    assert names == [p.name for p in SEEDS]


def test_directory_summary_and_exit_1_for_partial(tmp_path):
    text = SEEDS[1].read_text(encoding="utf-8").replace("\t\u00a031\n", "\t无\n")
    (tmp_path / "partial.txt").write_text(text, encoding="utf-8")
    (tmp_path / "ok.txt").write_bytes(SEEDS[0].read_bytes())
    proc = run_cli("parse", str(tmp_path))
    assert proc.returncode == 1, proc.stderr
    assert "解析结果（共 2 份）" in proc.stdout
    assert "cell_not_numeric" in proc.stdout
    assert "完整 1 份，部分 1 份，无法读取 0 份" in proc.stdout


def test_partial_report_shows_its_problem_with_location(tmp_path):
    text = SEEDS[1].read_text(encoding="utf-8").replace("\t\u00a031\n", "\t无\n")
    p = tmp_path / "r.txt"
    p.write_text(text, encoding="utf-8")
    proc = run_cli("parse", str(p))
    assert proc.returncode == 1
    assert "cell_not_numeric" in proc.stdout and "第" in proc.stdout


def test_help_and_version_in_chinese():
    proc = run_cli("--help")
    assert proc.returncode == 0 and "年报" in proc.stdout
    proc = run_cli("parse", "--help")
    assert proc.returncode == 0 and "退出码" in proc.stdout
    assert run_cli("--version").stdout.startswith("nianbao ")


def test_no_files_in_directory(tmp_path):
    proc = run_cli("parse", str(tmp_path))
    assert proc.returncode == 2 and "没有找到任何文件" in proc.stderr
