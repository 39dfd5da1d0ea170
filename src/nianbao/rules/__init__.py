"""Checking a Report against the documented catalogue of rules: ``nianbao.check``."""

from __future__ import annotations

import importlib
from functools import cache

from pydantic import BaseModel, ConfigDict, Field

from nianbao.model import Report
from nianbao.rules.engine import RULES, SEVERITY_ORDER, Context, Finding, Rule, run_rules
from nianbao.rules.registry import CODES
from nianbao.version import __version__

# Score: 100 minus penalties, floored at 0. A rule counts at most SCORE_CAP times, so one
# systematic mistake repeated in every column does not sink the whole report.
SCORE_WEIGHTS = {"error": 10, "warning": 3, "info": 0}
SCORE_CAP = 3


class CheckResult(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: str | None = Field(None, description="被检查报告的文件名")
    findings: list[Finding] = Field(default_factory=list, description="发现的问题，按严重程度排序")
    counts: dict[str, int] = Field(description="各级别问题数：error / warning / info")
    score: int = Field(description="0–100 分，公式见 docs/rules/README.md")
    rules: list[str] = Field(description="本次运行的规则代码")
    version: str = Field(description="产生此结果的 nianbao 版本")

    def at_least(self, severity: str) -> list[Finding]:
        return [f for f in self.findings
                if SEVERITY_ORDER[f.severity] >= SEVERITY_ORDER[severity]]


@cache
def all_rules() -> dict[str, Rule]:
    """Import every family module once; return the rules in registry order."""
    for module in dict.fromkeys(CODES.values()):
        importlib.import_module(f"nianbao.rules.{module}")
    return {code: RULES[code] for code in CODES if code in RULES}


def selected(select: list[str] | None = None, ignore: list[str] | None = None) -> list[str]:
    """Codes to run: those matching a ``select`` prefix (all when None), minus ``ignore``."""
    return list(_selected(tuple(select or ()), tuple(ignore or ())))


@cache  # the same selection for every report of a batch
def _selected(select: tuple[str, ...], ignore: tuple[str, ...]) -> tuple[str, ...]:
    codes = list(all_rules())
    if select:
        codes = [c for c in codes if any(_matches(c, s) for s in select)]
    if ignore:
        codes = [c for c in codes if not any(_matches(c, s) for s in ignore)]
    return tuple(codes)


def _matches(code: str, pattern: str) -> bool:
    pattern = pattern.strip().upper()
    return code == pattern or code.startswith(pattern.rstrip("-") + "-") or pattern == "ALL"


@cache  # the same selection for every report of a batch
def _without_cross_year(codes: tuple[str, ...]) -> list[str]:
    rules = all_rules()
    return [c for c in codes if not rules[c].cross_year]


def score(findings: list[Finding]) -> int:
    per_code: dict[str, int] = {}
    severity = {}
    for f in findings:  # a few findings: a loop is cheaper than building a Counter
        per_code[f.code] = per_code.get(f.code, 0) + 1
        severity[f.code] = f.severity
    penalty = sum(min(n, SCORE_CAP) * SCORE_WEIGHTS[severity[c]] for c, n in per_code.items())
    return max(0, 100 - penalty)


def _counts(findings: list[Finding]) -> dict[str, int]:
    counts = dict.fromkeys(("error", "warning", "info"), 0)
    for f in findings:
        counts[f.severity] += 1
    return counts


def with_previous(result: CheckResult, report: Report, previous: Report) -> CheckResult:
    """``result`` (a check run without a previous year) completed with every cross-year rule:
    equal to ``check(report, previous)`` for the whole catalogue, at the cost of the
    cross-year rules alone. The corpus store uses it when last year's report is stored."""
    rules = all_rules()
    cross = [c for c in rules if rules[c].cross_year and c not in result.rules]
    extra = run_rules(Context(report, previous), cross)
    order = {code: i for i, code in enumerate(rules)}
    findings = sorted([*result.findings, *extra],  # as check() orders them
                      key=lambda f: (-SEVERITY_ORDER[f.severity], order[f.code]))
    return result.model_copy(update={
        "findings": findings, "counts": _counts(findings),
        "score": score(findings), "rules": [c for c in rules if c in result.rules or c in cross]})


def check(report: Report, previous: Report | None = None, *, select: list[str] | None = None,
          ignore: list[str] | None = None) -> CheckResult:
    """Run the catalogue on a parsed report (and last year's, for the cross-year rules)."""
    codes = selected(select, ignore)
    ctx = Context(report, previous)
    findings = run_rules(ctx, codes)
    findings.sort(key=lambda f: -SEVERITY_ORDER[f.severity])  # stable: rule order within a level
    return CheckResult(
        source=report.source.name if report.source else None,
        findings=findings,
        counts=_counts(findings),
        score=score(findings),
        rules=codes if previous is not None else _without_cross_year(tuple(codes)),
        version=__version__,
    )
