"""``GET /api/reports``: the 年报库 list as JSON (same filters, sort and pages as ``/reports``)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from nianbao.web.api.schema import error_response
from nianbao.web.corpus import ListError, ListParams, list_params, list_reports, parse_query
from nianbao.web.errors import WebError

router = APIRouter(prefix="/api", tags=["年报库"])


class ReportItem(BaseModel):
    id: int = Field(description="报告编号（/api/reports/{id}）")
    agency_id: int | None = Field(description="单位编号（/api/agencies/{id}）；无法读取的文件为 null")
    agency: str | None = Field(description="单位名称（单位名录中的名称，否则为报告中印的名称）")
    printed_name: str | None = Field(description="报告中印的单位名称")
    year: int | None
    layout: str | None = Field(description="2021 / 2019 / mixed")
    status: str = Field(description="ok 完整 / partial 不完整 / failed 无法读取")
    current: bool = Field(description="是否为该单位该年度的当前版本")
    superseded_by: int | None = Field(description="取代它的报告编号")
    score: int | None
    errors: int
    warnings: int
    infos: int
    level: str | None = Field(description="机关层级")
    region_code: str | None = Field(description="单位所在最小一级区划的代码")
    region: str | None = Field(description="区划路径，如 江西省/宜春市/樟树市")
    filename: str | None
    error_message: str | None = Field(description="无法读取的原因")
    ingested_at: datetime | None


class ReportList(BaseModel):
    items: list[ReportItem]
    total: int = Field(description="符合条件的报告总数")
    page: int
    size: int
    pages: int = Field(description="总页数（至少 1）")
    sort: str
    order: str
    region: str | None = Field(description="地区筛选解析后的区划路径")


@router.get("/reports", response_model=ReportList, summary="年报库列表",
            responses={400: error_response(
                "参数无效（未知地区、规则、层级、格式，页码超出范围等）", "page_out_of_range",
                "第 9 页超出范围：共 5 条，每页 50 条，只有 1 页；请选择第 1 到第 1 页。")})
def reports(request: Request, params: Annotated[ListParams, Depends(list_params)]) -> ReportList:
    """库中报告的列表，筛选、排序和分页与网页“年报库”相同。默认只含当前版本；
    `include_failed=1` 加上无法读取的文件，`include_superseded=1` 加上被取代的旧版本。
    任何参数无效时返回 400，`error.code` 说明原因（如 `unknown_region`、`bad_page`、
    `page_out_of_range`、`bad_sort`、`unknown_rule`）。"""
    try:
        query = parse_query(params)
        with request.app.state.store.reading() as session:
            page = list_reports(session, query)
    except ListError as exc:
        raise WebError(400, exc.code, exc.message, exc.detail) from None
    return ReportList(items=[ReportItem(**asdict(r)) for r in page.items], total=page.total,
                      page=page.page, size=page.size, pages=page.pages, sort=query.sort,
                      order=query.order, region=query.region_path)
