"""Generate the reference documentation from the code (``python -m nianbao.docs``).

docs/output.md is never edited by hand: keys and labels come from the layout data,
field descriptions from the pydantic model, codes from the error/problem catalogues.
docs/rules/ (one page per rule plus the catalogue) comes from the registered rules,
docs/configuration.md from nianbao.config, docs/cli.md from the command definitions.
tests/test_docs.py fails when a committed file differs from what this produces.
"""

from __future__ import annotations

import sys
from pathlib import Path

from nianbao.errors import MESSAGES
from nianbao.layouts import layouts
from nianbao.model import CELL_SOURCE_FIELDS, CellSource, Contact, Meta, Report
from nianbao.normalize import BLANK_MARKERS, UNITS
from nianbao.problems import PROBLEM_CODES
from nianbao.rules.engine import SEVERITY_CN

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _fields(model) -> list[str]:
    rows = ["| key | 说明 |", "|---|---|"]
    for name, f in model.model_fields.items():
        rows.append(f"| `{name}` | {f.description or ''} |")
    return rows


def output_doc() -> str:
    out = ["# `nianbao parse --json` 输出说明（由代码生成，请勿手工修改）", "",
           "本文件由 `python -m nianbao.docs` 根据布局数据（`src/nianbao/layouts/*.toml`）、"
           "数据模型和错误目录生成。键名与 `shared/spec/report-keys.md` 一致，跨版本稳定。", "",
           "## 顶层字段", "", *_fields(Report), "",
           "## 官方格式", "", "| layout | 模板 | 适用年度 |", "|---|---|---|"]
    for lay in layouts().values():
        end = "起" if lay.years[1] >= 9999 else f"–{lay.years[1]}"
        out.append(f"| `{lay.key}` | {lay.template_label} | {lay.years[0]}{end} |")
    out += ["", "格式按表头识别，从不依据报告引用的模板文号；两种格式混用时 `layout` 为 `mixed`，"
            "`table_layouts` 给出每张表各自的格式。", "",
            "## 单元格取值规则", "",
            "- 数值为 JSON 数字（整数；金额为小数），原文空白为 `null`。空白包括：空、`&nbsp;`、"
            + "、".join(f"`{m}`" for m in sorted(BLANK_MARKERS) if m) + "。",
            "- 全角数字、千位分隔符、首尾空白（含全角空格 U+3000）会被归一化；末尾单位（"
            + "、".join(UNITS) + "）会被去掉并记录在 `provenance[].unit` 中，不做换算。",
            "- 每个单元格的原文（`raw`）和出处（`location`：文本/Markdown 为行号，网页/Word 为"
            "表格序号、行、列，均从 0 起算；行号从 1 起算）记录在 `provenance` 中。",
            "- 非数字文字（如“无”）的单元格取 `null`，并报告 `cell_not_numeric`。", ""]
    for lay in layouts().values():
        out += [f"## 布局 `{lay.key}`", "", f"### 表二 `table2`（{lay.table2.label}）", "",
                "| 行 key | 行标签 | 第二十条 | 列 key（列标签） |", "|---|---|---|---|"]
        for r in lay.table2.rows:
            cols = "、".join(f"`{c.key}`（{c.label}）" for c in lay.table2.row_columns(r))
            out.append(f"| `{r.key}` | {r.label} | {r.item or ''} | {cols} |")
        t3 = lay.table3
        out += ["", f"### 表三 `table3`（{t3.label}）", "",
                "列：" + "，".join(f"`{c.key}` {c.label}" for c in t3.columns), "",
                "| 行 key | 行标签 | 所属分组 |", "|---|---|---|"]
        groups = {g.key: g.label for g in t3.groups}
        for r in t3.rows:
            out.append(f"| `{r.key}` | {r.label} | {groups.get(r.group, '')} |")
        t4 = lay.table4
        out += ["", f"### 表四 `table4`（{t4.label}）", "",
                "列：" + "，".join(f"`{c.key}` {c.label}" for c in t4.columns), "",
                "| 分组 key | 标签 |", "|---|---|"]
        out += [f"| `{g.key}` | {g.label} |" for g in t4.groups]
        out += ["", "### 各部分 `sections[].key`", "", "| key | 序号 | 官方标题 |", "|---|---|---|"]
        out += [f"| `{s.key}` | {s.number} | {s.label} |" for s in lay.sections]
        out.append("")
    assert set(CELL_SOURCE_FIELDS) == set(CellSource.__annotations__)
    out += ["## 单元格出处 `provenance[]`", "", "| key | 说明 |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in CELL_SOURCE_FIELDS.items()]
    out += ["", "## 元数据 `meta`", "", *_fields(Meta), "", "### `meta.contact`", "", *_fields(Contact),
            "", "## 解析问题 `problems[].code`", "",
            "解析器无法归位或不得不舍弃的内容都会列在 `problems` 中，从不静默丢弃。"
            "有 error 或 warning 级问题时 `status` 为 `partial`，命令行退出码为 1。", "",
            "| code | 级别 | 含义 |", "|---|---|---|"]
    out += [f"| `{c}` | {sev} | {text} |" for c, (sev, text) in PROBLEM_CODES.items()]
    out += ["", "## 无法读取的输入（退出码 2）", "",
            "以下错误不产生报告；批量处理时其他文件照常处理。", "", "| code | 提示信息 |", "|---|---|"]
    out += [f"| `{c}` | {m.replace('{', '‹').replace('}', '›')} |" for c, m in MESSAGES.items()]
    return "\n".join(out) + "\n"


def cli_doc() -> str:
    """Every command's help text, exactly as ``nianbao COMMAND --help`` prints it."""
    import typer.main
    from typer.testing import CliRunner

    from nianbao.cli import app

    root = typer.main.get_command(app)
    names = sorted(root.list_commands(root.context_class(root, info_name="nianbao")))
    runner = CliRunner()
    out = ["# 命令行参考（由代码生成，请勿手工修改）", "",
           "本文件由 `python -m nianbao.docs` 从命令行定义生成。", ""]
    for args in ([], *([n] for n in names)):
        result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "100", "NO_COLOR": "1"},
                               prog_name="nianbao", color=False)
        title = " ".join(["nianbao", *args])
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        out += [f"## `{title}`", "", "```text", text, "```", ""]
    return "\n".join(out)


# ------------------------------------------------------------------ rule catalogue



def _family(code: str) -> str:
    from nianbao.rules.registry import FAMILIES

    return FAMILIES.get(code.split("-")[0], "")


def rule_markdown(r, links: bool = True) -> str:
    """One rule's documentation; docs/rules/CODE.md and ``nianbao rule CODE`` print this."""
    back = "[← 规则目录](README.md)" if links else ""
    out = [f"# {r.code} {r.title}", "",
           f"- 级别：{SEVERITY_CN[r.severity]}（`{r.severity}`）",
           f"- 类别：{_family(r.code)}",
           f"- 依据：{r.basis}"]
    if r.cross_year:
        out.append("- 跨年度规则：只在给出上一年度年报（`--previous`）时运行")
    out += ["", "## 提示信息模板", "", "```text", r.message, "```", "",
            "## 检查什么", "", r.doc.what, "", "## 为什么重要", "", r.doc.why, "",
            "## 示例", "", r.doc.example, "", "## 怎样改正", "", r.doc.fix, ""]
    if back:
        out += [back, ""]
    return "\n".join(out)


def rules_readme() -> str:
    from nianbao.rules import SCORE_CAP, SCORE_WEIGHTS, all_rules
    from nianbao.rules.registry import FAMILIES, RETIRED

    rules = all_rules()
    weights = "、".join(f"{SEVERITY_CN[k]}（`{k}`）{v} 分" for k, v in SCORE_WEIGHTS.items())
    out = ["# 规则目录（由代码生成，请勿手工修改）", "",
           "本目录由 `python -m nianbao.docs` 根据规则代码（`src/nianbao/rules/`）生成；"
           "`nianbao rules` 在终端列出同一目录，`nianbao rule 代码` 显示单条规则的说明。", "",
           f"共 {len(rules)} 条规则。", "",
           "| 代码 | 级别 | 标题 | 类别 |", "|---|---|---|---|"]
    for code, r in rules.items():
        cross = "（需上一年度年报）" if r.cross_year else ""
        title = f"{r.title}{cross}".replace("|", "\\|")  # a pipe would end the table cell
        out.append(f"| [{code}]({code}.md) | {SEVERITY_CN[r.severity]} | {title} | "
                   f"{_family(code)} |")
    out += ["", "## 代码前缀", "", "| 前缀 | 类别 |", "|---|---|"]
    out += [f"| `{k}` | {v} |" for k, v in FAMILIES.items()]
    out += ["", "`--select`、`--ignore` 与配置文件接受完整代码或前缀（按“-”分段匹配）："
            "`T3` 表示表三的全部规则，`F-SECTION` 表示 `F-SECTION-` 开头的规则。"
            "代码一经发布永不重复使用；停用的代码记录在 `registry.RETIRED` 中。", ""]
    if RETIRED:
        out += ["停用的代码：" + "、".join(f"`{c}`（{v}）" for c, v in RETIRED.items()), ""]
    out += ["## 得分", "",
            f"每份年报从 100 分起扣分：每个问题按级别扣分——{weights}；"
            f"同一条规则最多计 {SCORE_CAP} 次（一个系统性错误在每一列重复出现，不至于让整份年报"
            "得 0 分）；最低 0 分。即：", "", "```text",
            "得分 = max(0, 100 − Σ 每条规则 min(问题数, "
            f"{SCORE_CAP}) × 该规则级别的扣分)", "```", "",
            "## 退出码", "",
            "`nianbao check`：`0` 没有达到 `--fail-on` 级别（默认 `error`）的问题；`1` 有；"
            "`2` 有文件无法读取，或配置、选项有误。", "",
            "## JSON 输出", "",
            "`nianbao check --json`：一份年报时输出 `nianbao.check()` 的结果"
            "（`CheckResult.model_dump(mode=\"json\")`）；多份时输出列表，顺序与输入相同，"
            "无法读取的文件记为 `{\"source\": {\"name\", \"path\"}, \"status\": \"failed\", "
            "\"error\": {\"code\", \"message\"}}`（与 `nianbao parse --json` 相同）。", "",
            "## 配置", "",
            "`select`、`ignore`、`fail-on` 可写在 `nianbao.toml` 的 `[check]` 或 `pyproject.toml` 的 "
            "`[tool.nianbao.check]` 中，详见 [配置](../configuration.md)。", ""]
    return "\n".join(out)


def _rule_pages() -> dict:
    from nianbao.rules import all_rules

    return {f"rules/{code}.md": (lambda r=r: rule_markdown(r)) for code, r in all_rules().items()}


def _configuration_doc() -> str:
    from nianbao.config import configuration_doc

    return configuration_doc()


GENERATED = {"output.md": output_doc, "cli.md": cli_doc, "configuration.md": _configuration_doc,
             "rules/README.md": rules_readme, **_rule_pages()}
GENERATED_DIRS = ("rules",)  # wholly generated: stale pages there are removed


def write_all(target: Path = DOCS) -> list[Path]:
    target.mkdir(parents=True, exist_ok=True)
    written = []
    for name, fn in GENERATED.items():
        path = target / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(fn(), encoding="utf-8")
        written.append(path)
    for d in GENERATED_DIRS:  # a retired rule's page must not linger
        for stale in (target / d).glob("*.md"):
            if stale not in written:
                stale.unlink()
    return written


if __name__ == "__main__":
    for p in write_all(Path(sys.argv[1]) if len(sys.argv) > 1 else DOCS):
        print(f"已生成 {p}")
