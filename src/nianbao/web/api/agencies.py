"""``GET /api/agencies`` (search and list) and ``GET /api/agencies/{id}`` (an agency with its
reports by year, their key figures and findings: ``store.analysis.series``)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from nianbao.web.api.schema import error_response
from nianbao.web.corpus import ListError, agency_detail, list_agencies, parse_page, parse_size
from nianbao.web.errors import WebError
from nianbao.web.pages.agency import unknown_agency

router = APIRouter(prefix="/api", tags=["单位"])


class AgencyItem(BaseModel):
    id: int
    name: str
    level: str | None = Field(description="机关层级：政府 / 部门 / 乡镇街道")
    region_code: str | None
    region: str | None = Field(description="区划路径，如 江西省/宜春市/樟树市/中洲乡")
    reports: int = Field(description="可读取的当前版本年报份数")
    first_year: int | None
    last_year: int | None


class AgencyList(BaseModel):
    items: list[AgencyItem]
    total: int
    page: int
    size: int
    pages: int
    q: str | None


@router.get("/agencies", response_model=AgencyList, summary="查找单位", responses={
    400: error_response("页码或每页条数无效", "bad_page", "页码“0”无效；页码是从 1 开始的整数。")})
def agencies(request: Request,
             q: Annotated[str | None, Query(description="名称片段：单位名称、别名、报告中印的名称"
                                            "或所在乡镇、街道的名称；不给出则列出全部单位")] = None,
             page: Annotated[str | None, Query(description="页码，从 1 开始")] = None,
             size: Annotated[str | None, Query(description="每页条数：20 / 50 / 100 / 200")] = None,
             ) -> AgencyList:
    """按名称片段查找单位（按名称排序、分页），每个单位附带当前版本年报的份数和年度范围。"""
    try:
        number, per_page = parse_page(page), parse_size(size)
        with request.app.state.store.reading() as session:
            result = list_agencies(session, q, number, per_page)
    except ListError as exc:
        raise WebError(400, exc.code, exc.message, exc.detail) from None
    return AgencyList(items=[AgencyItem(**asdict(a)) for a in result.items], total=result.total,
                      page=result.page, size=result.size, pages=result.pages,
                      q=(q or "").strip() or None)


class AgencyInfo(BaseModel):
    id: int
    name: str
    level: str | None
    region_code: str | None
    region: str | None
    aliases: list[str]
    origin: str = Field(description="auto 入库时自动建立 / imported 名录导入 / edited 人工修改")


class SeriesEntryModel(BaseModel):
    report_id: int
    year: int | None
    current: bool = Field(description="false：被同一单位同一年度较新的文件取代的旧版本")
    superseded_by: int | None
    status: str
    layout: str | None
    published: str | None
    agency_name: str | None = Field(description="报告中印的单位名称")
    score: int | None
    errors: int
    warnings: int
    infos: int
    figures: dict[str, Any] = Field(description="该报告的各项指标（键与口径见 docs/store.md）")
    findings: dict[str, int] = Field(description="规则代码 → 问题数")
    cross_year: list[dict[str, str]] = Field(description="跨年度问题（X 开头）：code、message")


class AgencyDetailModel(BaseModel):
    agency: AgencyInfo
    entries: list[SeriesEntryModel] = Field(
        description="各年度的报告：按年度，同一年度当前版本在前、旧版本在后")


@router.get("/agencies/{agency_id}", response_model=AgencyDetailModel, summary="单位详情与历年数据",
            responses={404: error_response("没有这个单位", "unknown_agency",
                                           "没有编号为 99 的单位；请在“单位”页面按名称查找单位。")})
def agency(request: Request, agency_id: int) -> AgencyDetailModel:
    """单位的名称、层级、地区、别名，以及它历年的报告（含被取代的旧版本）、每份报告的指标、
    检查发现和跨年度问题。与命令 `nianbao series` 的数据相同。"""
    with request.app.state.store.reading() as session:
        detail = agency_detail(session, agency_id)
    if detail is None:
        raise unknown_agency(agency_id)
    ref = detail.series.agency
    return AgencyDetailModel(
        agency=AgencyInfo(**asdict(ref), aliases=detail.aliases, origin=detail.origin),
        entries=[SeriesEntryModel(**asdict(e)) for e in detail.series.entries])
