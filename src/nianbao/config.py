"""Per-project configuration of ``nianbao check``.

Looked up from the current directory upwards, nearest first: ``nianbao.toml`` (table
``[check]``), then ``pyproject.toml`` (table ``[tool.nianbao.check]``; a ``pyproject.toml``
without a ``[tool.nianbao]`` table is skipped, as ruff does, so a project's unrelated
pyproject does not hide a configuration further up). Command-line options override it.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from nianbao.errors import NianbaoError
from nianbao.rules.registry import CODES, FAMILIES, RETIRED

FAIL_ON = ("error", "warning")

# key -> (TOML type shown to people, Chinese description); docs/configuration.md is generated
# from this table, so a new setting is documented by adding it here.
KEYS: dict[str, tuple[str, str]] = {
    "select": ("字符串数组", "只运行这些规则：规则代码（如 `T3-BAL`）或前缀（如 `T3`、`F-SECTION`）；"
                          "不写或为空数组则运行全部规则。"),
    "ignore": ("字符串数组", "不运行这些规则（代码或前缀），在 `select` 之后排除。"),
    "fail-on": ("字符串", "退出码 1 的门槛：`error`（默认，有错误级问题时）或 `warning`"
                        "（有警告或错误级问题时）。"),
}


class ConfigError(NianbaoError):
    """A configuration file or command-line option that cannot be used (exit code 2)."""


@dataclass
class CheckConfig:
    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    fail_on: str = "error"
    path: Path | None = None  # the file the settings came from, None for defaults


def known_pattern(pattern: str) -> bool:
    """A code or prefix that names at least one issued code (active or retired)."""
    p = pattern.strip().upper()
    if p == "ALL" or p in FAMILIES:
        return True
    issued = [*CODES, *RETIRED]
    return any(c == p or c.startswith(p.rstrip("-") + "-") for c in issued)


def close_codes(pattern: str, n: int = 3) -> list[str]:
    candidates = [*CODES, *FAMILIES]
    return difflib.get_close_matches(pattern.strip().upper(), candidates, n=n, cutoff=0.5)


def unknown_code_message(pattern: str) -> str:
    close = close_codes(pattern)
    hint = f"您是不是要找：{'、'.join(close)}？" if close else ""
    return (f"未知的规则代码或前缀“{pattern}”；{hint}"
            "可用 `nianbao rules` 查看全部规则代码。")


def split_codes(value: str | list | None, where: str | None, key: str) -> list[str] | None:
    """Comma-separated codes (command line, a str) or a TOML array of strings (a file).

    Validated against the registry. ``where`` is the file (None for the command line); ``key``
    names the setting for people, e.g. "设置项 check.select" or "选项 --select".
    """
    if value is None:
        return None
    if isinstance(value, str) and where is None:
        items = [x for x in (s.strip() for s in value.split(",")) if x]
    elif isinstance(value, list) and all(isinstance(x, str) for x in value):
        items = [x.strip() for x in value if x.strip()]
    else:
        raise ConfigError("config_invalid", f"{key} 应为规则代码组成的字符串数组，"
                          '如 ["T3", "F-SECTION"]。', where)
    for item in items:
        if not known_pattern(item):
            raise ConfigError("unknown_rule", f"{key}：{unknown_code_message(item)}", where)
    return [x.upper() for x in items]


def check_fail_on(value: object, where: str | None, key: str) -> str:
    if value not in FAIL_ON:
        raise ConfigError("config_invalid", f"设置项 {key} 的值“{value}”无效；"
                          f"可选：{'、'.join(FAIL_ON)}。", where)
    return str(value)


def _table(path: Path) -> dict | None:
    """The check settings in one file, None when the file has no nianbao table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError("config_invalid", f"配置文件不是有效的 TOML（{exc}）；请修正后重试。",
                          str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError("config_invalid", f"无法读取配置文件（{exc}）。", str(path)) from None
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        tool = tool.get("nianbao") if isinstance(tool, dict) else None
        if tool is None:
            return None
        if not isinstance(tool, dict):
            raise ConfigError("config_invalid", "[tool.nianbao] 应为一个表。", str(path))
        table, prefix = tool.get("check", {}), "tool.nianbao.check"
    else:
        table, prefix = data.get("check", {}), "check"
    if not isinstance(table, dict):
        raise ConfigError("config_invalid", f"[{prefix}] 应为一个表。", str(path))
    for key in table:
        if key not in KEYS:
            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"您是不是要写“{close[0]}”？" if close else f"可用的设置项：{'、'.join(KEYS)}。"
            raise ConfigError("config_invalid", f"[{prefix}] 中有未知的设置项“{key}”；{hint}",
                              str(path))
    return {"prefix": prefix, **table}


def find_config(start: Path | None = None) -> Path | None:
    """The nearest nianbao.toml, or pyproject.toml with a [tool.nianbao] table, upwards."""
    here = (start or Path.cwd()).resolve()
    for d in (here, *here.parents):
        for name in ("nianbao.toml", "pyproject.toml"):
            p = d / name
            if p.is_file() and (name == "nianbao.toml" or _table(p) is not None):
                return p
    return None


def load_config(start: Path | None = None) -> CheckConfig:
    """Settings from the nearest configuration file; defaults when there is none."""
    path = find_config(start)
    if path is None:
        return CheckConfig()
    table = _table(path) or {}
    where, prefix = str(path), table.pop("prefix", "check")
    return CheckConfig(
        select=split_codes(table.get("select"), where, f"设置项 {prefix}.select"),
        ignore=split_codes(table.get("ignore"), where, f"设置项 {prefix}.ignore") or [],
        fail_on=check_fail_on(table.get("fail-on", "error"), where, f"设置项 {prefix}.fail-on"),
        path=path,
    )


def configuration_doc() -> str:
    """docs/configuration.md (generated by ``python -m nianbao.docs``)."""
    out = ["# 配置（由代码生成，请勿手工修改）", "",
           "`nianbao check` 从当前目录开始逐级向上查找配置文件，使用找到的第一个：", "",
           "1. `nianbao.toml` 中的 `[check]` 表；",
           "2. `pyproject.toml` 中的 `[tool.nianbao.check]` 表（没有 `[tool.nianbao]` 的 "
           "`pyproject.toml` 会被跳过）。", "",
           "同一目录中两者都有时以 `nianbao.toml` 为准。命令行选项（`--select`、`--ignore`、"
           "`--fail-on`）覆盖配置文件中的同名设置。", "",
           "| 设置项 | 类型 | 说明 |", "|---|---|---|"]
    out += [f"| `{k}` | {t} | {d} |" for k, (t, d) in KEYS.items()]
    out += ["", "规则代码与前缀见 [规则目录](rules/README.md)；前缀按“-”分段匹配，"
            "如 `F-SECTION` 匹配 `F-SECTION-MISSING`、`F-SECTION-ORDER`，`T3` 匹配表三的全部规则。", "",
            "示例（`nianbao.toml`）：", "", "```toml", "[check]",
            'select = ["T3", "T4", "F"]', 'ignore = ["F-NUMBERING"]', 'fail-on = "warning"',
            "```", "", "示例（`pyproject.toml`）：", "", "```toml", "[tool.nianbao.check]",
            'ignore = ["X-COPY"]', "```", "",
            "配置有误（不是有效的 TOML、未知的设置项、未知的规则代码、`fail-on` 取值无效）时，"
            "`nianbao check` 给出指明文件和设置项的中文错误信息，退出码为 2。", ""]
    return "\n".join(out)
