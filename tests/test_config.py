"""Per-project configuration: where it is found, what it accepts, how bad settings are reported."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from nianbao.config import CheckConfig, ConfigError, configuration_doc, load_config, split_codes
from nianbao.rules.registry import CODES, FAMILIES
from tests.helpers import SEEDS, run_cli


def write(path, text: str):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_no_configuration_gives_defaults(tmp_path):
    assert load_config(tmp_path) == CheckConfig()


def test_nianbao_toml_check_table(tmp_path):
    p = write(tmp_path / "nianbao.toml",
              '[check]\nselect = ["t3", "F-SECTION"]\nignore = ["T3-BAL"]\nfail-on = "warning"\n')
    assert load_config(tmp_path) == CheckConfig(["T3", "F-SECTION"], ["T3-BAL"], "warning", p)


def test_pyproject_tool_table_found_from_a_subdirectory(tmp_path):
    p = write(tmp_path / "pyproject.toml", '[project]\nname = "x"\n\n[tool.nianbao.check]\n'
                                           'ignore = ["X"]\n')
    sub = tmp_path / "reports" / "2023"
    sub.mkdir(parents=True)
    assert load_config(sub) == CheckConfig(None, ["X"], "error", p)


def test_pyproject_without_nianbao_table_is_skipped(tmp_path):
    p = write(tmp_path / "nianbao.toml", '[check]\nfail-on = "warning"\n')
    write(tmp_path / "proj" / "pyproject.toml", '[project]\nname = "x"\n')
    assert load_config(tmp_path / "proj").path == p


def test_nianbao_toml_wins_in_the_same_directory(tmp_path):
    p = write(tmp_path / "nianbao.toml", '[check]\nselect = ["T4"]\n')
    write(tmp_path / "pyproject.toml", '[tool.nianbao.check]\nselect = ["T3"]\n')
    assert load_config(tmp_path) == CheckConfig(["T4"], [], "error", p)


@pytest.mark.parametrize(("name", "text", "expected"), [
    ("nianbao.toml", "[check\nselect = 1\n", "配置文件不是有效的 TOML"),
    ("nianbao.toml", '[check]\nselct = ["T3"]\n', "[check] 中有未知的设置项“selct”；您是不是要写“select”？"),
    ("nianbao.toml", '[check]\nselect = "T3"\n', "设置项 check.select 应为规则代码组成的字符串数组"),
    ("nianbao.toml", '[check]\nignore = ["T9-XYZ"]\n', "设置项 check.ignore：未知的规则代码或前缀“T9-XYZ”"),
    ("nianbao.toml", '[check]\nfail-on = "fatal"\n', "设置项 check.fail-on 的值“fatal”无效；可选：error、warning"),
    ("nianbao.toml", "check = 3\n", "[check] 应为一个表"),
    ("pyproject.toml", '[tool.nianbao.check]\nfail_on = "warning"\n', "您是不是要写“fail-on”？"),
    ("pyproject.toml", '[tool]\nnianbao = 1\n', "[tool.nianbao] 应为一个表"),
])
def test_bad_configuration_names_the_file_and_the_key(tmp_path, name, text, expected):
    p = write(tmp_path / name, text)
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert info.value.where == str(p)
    assert expected in info.value.message
    assert info.value.one_line().startswith(f"{p}：")


def test_documented_examples_are_valid(tmp_path):
    blocks = re.findall(r"```toml\n(.*?)```", configuration_doc(), flags=re.S)
    assert len(blocks) == 2
    for i, block in enumerate(blocks):
        name = "nianbao.toml" if block.startswith("[check]") else "pyproject.toml"
        write(tmp_path / str(i) / name, block)
        assert load_config(tmp_path / str(i)).path == tmp_path / str(i) / name


@given(st.lists(st.sampled_from([*CODES, *FAMILIES, "ALL"]), min_size=1, max_size=6))
def test_any_issued_code_or_prefix_is_accepted(codes):
    text = ", ".join(c.lower() for c in codes)
    assert split_codes(text, None, "选项 --select") == [c.upper() for c in codes]


def test_command_line_uses_and_overrides_the_configuration(tmp_path):
    write(tmp_path / "nianbao.toml", '[check]\nselect = ["T3-BAL"]\nfail-on = "warning"\n')
    seed = str(SEEDS[1])
    result = json.loads(run_cli("check", "--json", seed, cwd=tmp_path).stdout)
    assert result["rules"] == ["T3-BAL"]
    result = json.loads(run_cli("check", "--json", "--select", "T4-SUM", seed, cwd=tmp_path).stdout)
    assert result["rules"] == ["T4-SUM"]


def test_bad_configuration_stops_the_command_with_exit_2(tmp_path):
    p = write(tmp_path / "pyproject.toml", '[tool.nianbao.check]\nselect = ["T3-BAL", 7]\n')
    proc = run_cli("check", str(SEEDS[1]), cwd=tmp_path)
    assert proc.returncode == 2 and proc.stdout == ""
    assert str(p) in proc.stderr and "设置项 tool.nianbao.check.select" in proc.stderr
