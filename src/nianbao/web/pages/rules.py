"""规则: the rule catalogue, each rule with its documentation."""

from __future__ import annotations

from fastapi import APIRouter, Request

from nianbao.rules import all_rules
from nianbao.rules.engine import SEVERITY_CN
from nianbao.web.errors import WebError
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)


@router.get("/rules")
def rules_page(request: Request):
    return templates.TemplateResponse(request, "rules.html", {
        "rules": all_rules(), "severity_cn": SEVERITY_CN, "active": "/rules"})


@router.get("/rules/{code}")
def rule_page(request: Request, code: str):
    rule = all_rules().get(code.upper())
    if rule is None:
        raise WebError(404, "unknown_rule", f"没有代码为“{code}”的规则；请在规则列表中查看全部规则。")
    return templates.TemplateResponse(request, "rule.html", {
        "rule": rule, "severity_cn": SEVERITY_CN, "active": "/rules"})
