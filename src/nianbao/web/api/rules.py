"""规则: ``GET /api/rules`` and ``GET /api/rules/{code}`` — the rule catalogue with each
rule's documentation (the CLI has no ``rules --json``; the fields are documented here and in
docs/web.md): what ``nianbao rules`` lists and ``nianbao rule CODE`` explains."""

from __future__ import annotations

import difflib

from fastapi import APIRouter
from pydantic import BaseModel, Field

from nianbao.rules import all_rules
from nianbao.rules.engine import SEVERITY_CN, Rule
from nianbao.rules.registry import FAMILIES, RETIRED
from nianbao.web.errors import WebError, error_body

router = APIRouter(prefix="/api", tags=["规则"])


class RuleDocBody(BaseModel):
    what: str = Field(description="检查什么")
    why: str = Field(description="为什么重要")
    example: str = Field(description="示例")
    fix: str = Field(description="如何修改")


class RuleBody(BaseModel):
    code: str = Field(description="稳定的规则代码，永不复用，如 T3-BAL")
    severity: str = Field(description="error / warning / info")
    severity_cn: str = Field(description="错误 / 警告 / 提示")
    title: str = Field(description="规则名称")
    family: str = Field(description="规则族：代码的前缀，如 T3")
    family_name: str = Field(description="规则族的中文名称")
    cross_year: bool = Field(description="是否需要上一年度的报告（跨年度规则）")
    basis: str = Field(description="依据")
    message: str = Field(description="提示信息模板（{} 中为发现时填入的值）")
    doc: RuleDocBody
    url: str = Field(description="规则说明网页")


class RulesBody(BaseModel):
    count: int
    families: dict[str, str] = Field(description="规则族前缀 → 中文名称")
    rules: list[RuleBody] = Field(description="全部规则，按规则目录的顺序")


def rule_body(rule: Rule) -> RuleBody:
    family = rule.code.split("-")[0]
    return RuleBody(code=rule.code, severity=rule.severity,
                    severity_cn=SEVERITY_CN[rule.severity], title=rule.title, family=family,
                    family_name=FAMILIES.get(family, ""), cross_year=rule.cross_year,
                    basis=rule.basis, message=rule.message,
                    doc=RuleDocBody(what=rule.doc.what, why=rule.doc.why,
                                    example=rule.doc.example, fix=rule.doc.fix),
                    url=f"/rules/{rule.code}")


@router.get("/rules", response_model=RulesBody, summary="规则目录")
def rules_route() -> RulesBody:
    """全部检查规则及其说明（同 `nianbao rules` 和 `nianbao rule 代码`）。"""
    rules = all_rules()
    return RulesBody(count=len(rules), families=FAMILIES,
                     rules=[rule_body(r) for r in rules.values()])


_NOT_FOUND = {"description": "没有这条规则（`unknown_rule`）", "content": {"application/json": {
    "example": error_body("unknown_rule", "没有代码为“T3-XYZ”的规则；您是不是要找：T3-BAL？"
                          "可用 GET /api/rules 查看全部规则。")}}}


@router.get("/rules/{code}", response_model=RuleBody, summary="一条规则的说明",
            responses={404: _NOT_FOUND, 410: {"description": "规则已停用（`rule_retired`）"}})
def rule_route(code: str) -> RuleBody:
    """一条规则：级别、依据、提示信息、检查什么、为什么重要、示例和改正方法。
    代码不区分大小写。"""
    rules = all_rules()
    key = code.strip().upper()
    if key in RETIRED:
        raise WebError(410, "rule_retired", f"规则 {key} 已在 {RETIRED[key]} 版停用，代码不再使用。")
    if key not in rules:
        close = difflib.get_close_matches(key, list(rules), n=3, cutoff=0.5)
        hint = f"您是不是要找：{'、'.join(close)}？" if close else ""
        raise WebError(404, "unknown_rule", f"没有代码为“{code}”的规则；{hint}"
                       "可用 GET /api/rules 查看全部规则。")
    return rule_body(rules[key])
