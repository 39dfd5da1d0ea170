"""统计: ``GET /api/stats``, ``GET /api/findings/counts``, ``GET /api/coverage``.

The bodies are the store functions' own ``to_dict()``, exactly what ``nianbao stats --json``
(``--findings`` adds ``finding_counts``) and ``nianbao coverage --json`` print for the same
filters (tests/web/test_api_stats.py compares them). The filters are the CLI's: ``year``
(``2023``, ``2021-2023``, ``2019,2021``, repeatable), ``region`` (code, name or path, any
level), ``level``, ``layout``, ``has_errors``, ``rule``.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.encoders import jsonable_encoder
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from nianbao.store.analysis import coverage, resolve_region
from nianbao.store.selection import Selection, SelectionError, parse_years
from nianbao.store.stats import finding_counts, stats
from nianbao.web.dashboard import latest_years
from nianbao.web.errors import error_body

router = APIRouter(prefix="/api", tags=["统计"])

# the filters every statistics and export route takes (as the CLI's --year, --region …)
YearQuery = Annotated[list[str] | None, Query(
    description="年度，可重复或写范围：2023、2021-2023、2019,2021。")]
RegionQuery = Annotated[str | None, Query(
    description="地区：区划代码（360982 或 12 位代码）、名称（樟树市）或路径（江西省/宜春市/樟树市），"
                "含其下各级。")]
LevelQuery = Annotated[str | None, Query(description="机关层级：政府、部门、乡镇街道。")]
LayoutQuery = Annotated[str | None, Query(description="表格格式：2021、2019、mixed。")]
HasErrorsQuery = Annotated[bool | None, Query(
    description="true：只含有错误级问题的报告；false：只含没有的。")]
RuleQuery = Annotated[str | None, Query(
    description="只含有这些规则问题的报告：逗号分隔的代码或前缀，如 T3-BAL 或 T3,X。")]
GroupQuery = Annotated[str | None, Query(
    description="分组：year、province、city、county、township、level、layout，逗号分隔"
                "（也可写 年度、省、市、县、乡镇、层级、格式）。")]

ERRORS = {400: {"description": "参数有误（统一错误形式，`code` 如 unknown_group、invalid_year、"
                               "unknown_region、unknown_rule、unknown_level）",
                "content": {"application/json": {"example": error_body(
                    "invalid_year", "年度“20x3”无效；请写四位年份，如 2023、2021-2023 或 2019,2021。")}}},
          422: {"description": "参数类型不对（统一错误形式，`code` 为 invalid_request）"}}


def selection(year: list[str] | None = None, region: str | None = None,
              level: str | None = None, layout: str | None = None,
              has_errors: bool | None = None, rule: str | None = None,
              **flags: bool) -> Selection:
    """The CLI's Selection from query parameters, checked (SelectionError / AnalysisError
    with a Chinese message: 400 in the common shape). An unknown region suggests names."""
    chosen = Selection(years=parse_years(year), region=region, level=level, layout=layout,
                       has_errors=has_errors, rule=rule, **flags)
    if region is not None and region.strip():
        resolve_region(region)
    return chosen.validate()


def _json(data: dict[str, Any]) -> JSONResponse:
    return JSONResponse(jsonable_encoder(data))


# ------------------------------------------------------------------ response shapes (OpenAPI)

class FigureInfo(BaseModel):
    label: str = Field(description="中文名称（表头）")
    formula: str = Field(description="计算方法")
    kind: Literal["count", "amount", "rate"] = Field(description="件数 / 金额（万元）/ 比率（0–1）")


class FindingCount(BaseModel):
    model_config = ConfigDict(extra="allow")
    code: str = Field(description="规则代码")
    title: str | None = Field(description="规则名称")
    severity: str | None = Field(description="error / warning / info")
    findings: int = Field(description="问题数")
    reports: int = Field(description="有该问题的报告数")


class StatsBody(BaseModel):
    group_by: list[str] = Field(description="分组维度（英文键）")
    filters: dict[str, str] = Field(description="筛选条件的中文说明")
    figures: dict[str, FigureInfo] = Field(description="每个指标的名称、公式和类型")
    rows: list[dict[str, Any]] = Field(
        description="每组一行：分组键（地区为名称 province 和代码 province_code，其余为值），"
                    "然后是 figures 中的每个指标（没有报告填写时为 null）")
    total: dict[str, Any] = Field(description="所有组合计的指标")
    finding_counts: list[FindingCount] | None = Field(
        None, description="只在 findings=true 时出现：按规则（和分组）统计的检查发现")


class FindingCountsBody(BaseModel):
    group_by: list[str]
    filters: dict[str, str]
    rows: list[FindingCount] = Field(description="每条规则（和每组）一行，另有分组键")


class AgencyItem(BaseModel):
    id: int
    name: str
    level: str | None
    region_code: str | None
    region: str | None = Field(description="地区路径，如 江西省/宜春市/樟树市")


class CoverageBody(BaseModel):
    region_code: str | None = Field(description="地区代码；全国时为 null")
    region: str = Field(description="地区路径；全国时为“全国”")
    year: int
    level: str | None
    expected: int = Field(description="单位名录中该地区（和层级）的机关数")
    received: int = Field(description="其中有该年度当前报告的机关数")
    missing: list[AgencyItem] = Field(description="没有该年度报告的机关")
    rate: float | None = Field(description="received ÷ expected；名录为空时为 null")


# ------------------------------------------------------------------ routes

@router.get("/stats", response_model=StatsBody, responses=ERRORS, summary="统计（同 nianbao stats --json）")
def stats_route(request: Request, group_by: GroupQuery = None, year: YearQuery = None,
                region: RegionQuery = None, level: LevelQuery = None,
                layout: LayoutQuery = None, has_errors: HasErrorsQuery = None,
                rule: RuleQuery = None,
                findings: Annotated[bool, Query(description="另外按规则统计检查发现")] = False):
    """所选当前报告的申请量、办理结果、公开率、复议和诉讼纠错率、收费金额，可分组。
    返回内容与 `nianbao stats --json`（`findings=true` 时与 `--findings --json`）相同；
    每个指标的公式在 `figures` 中。"""
    chosen = selection(year, region, level, layout, has_errors, rule)
    with request.app.state.store.reading() as session:
        table = stats(session, group_by=[group_by] if group_by else [], filters=chosen)
        data = table.to_dict()
        if findings:
            data["finding_counts"] = finding_counts(session, group_by=table.group_by,
                                                    filters=chosen).rows
    return _json(data)


@router.get("/findings/counts", response_model=FindingCountsBody, responses=ERRORS,
            summary="检查发现按规则统计")
def finding_counts_route(request: Request, group_by: GroupQuery = None, year: YearQuery = None,
                         region: RegionQuery = None, level: LevelQuery = None,
                         layout: LayoutQuery = None, has_errors: HasErrorsQuery = None,
                         rule: RuleQuery = None):
    """每条规则的问题数和涉及的报告数（可分组）；给出 `rule` 时只计这些规则的问题。
    与 `nianbao stats --findings --json` 的 `finding_counts` 相同。"""
    chosen = selection(year, region, level, layout, has_errors, rule)
    with request.app.state.store.reading() as session:
        counts = finding_counts(session, group_by=[group_by] if group_by else [], filters=chosen)
    return _json(counts.to_dict())


@router.get("/coverage", response_model=CoverageBody, responses=ERRORS,
            summary="报告收取情况（同 nianbao coverage --json）")
def coverage_route(request: Request, region: RegionQuery = None,
                   year: Annotated[str | None, Query(
                       description="年度，如 2023；省略时为库中最新的年度。")] = None,
                   level: LevelQuery = None):
    """单位名录中地区（含下级）的机关有多少已有该年度的当前报告，以及没有报告的机关。
    给出地区时与 `nianbao coverage --region … --year … --json` 相同；省略地区时为全国
    （`region_code` 为 null）。"""
    chosen = Selection(level=level).validate()  # an unknown level is an error, not 0 agencies
    with request.app.state.store.reading() as session:
        if year is None or not year.strip():
            years = latest_years(session)
            if not years:
                raise SelectionError("invalid_year", "年报库中还没有报告，无法确定年度；请给出 year，如 2023。")
            target = years[0]
        else:
            found = parse_years([year])
            if len(found) != 1:
                raise SelectionError("invalid_year", f"年度“{year}”无效；这里只能给一个年度，如 2023。")
            target = found[0]
        result = coverage(session, region if region and region.strip() else None, target,
                          level=chosen.level)
    return _json(result.to_dict())
