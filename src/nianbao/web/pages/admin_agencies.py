"""管理 › 单位名录: find agencies, correct their level, region and aliases, merge duplicates
(admins only). The work is done by ``nianbao.store.agencies`` — the same functions as
``nianbao agencies set/merge`` — each change in one transaction, reports following."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import func, select

from nianbao.store.agencies import (
    LEVELS,
    AgencyError,
    describe,
    merge_agencies,
    report_counts,
    search_agencies,
    set_agency,
)
from nianbao.store.divisions import LEVEL_CN, path_text
from nianbao.store.models import Agency, AgencyAlias, User
from nianbao.web.accounts import when
from nianbao.web.auth import require
from nianbao.web.errors import WebError
from nianbao.web.pages.account import flash, take_flash
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(require("admin"))]
ORIGIN_CN = {"auto": "自动识别", "imported": "导入", "edited": "手工更正"}
STATUS_CN = {"ok": "完整", "partial": "不完整", "failed": "无法读取"}


def _agency(session, agency_id: int) -> Agency:
    agency = session.get(Agency, agency_id)
    if agency is None:
        raise WebError(404, "agency_not_found",
                       f"单位名录中没有编号为 {agency_id} 的单位（可能已被合并）；请重新查找。")
    return agency


def _not_found_is_404(exc: AgencyError) -> WebError | AgencyError:
    if exc.code == "agency_not_found":
        return WebError(404, exc.code, exc.message)
    return exc


@router.get("/admin/agencies")
def agencies_page(request: Request, _: Admin, q: str = ""):
    rows = []
    with request.app.state.store.reading() as session:
        agencies = search_agencies(session, q) if q.strip() else []
        ids = [a.id for a in agencies]
        reports = report_counts(session, ids)
        aliases = dict(session.execute(
            select(AgencyAlias.agency_id, func.count()).where(AgencyAlias.agency_id.in_(ids))
            .group_by(AgencyAlias.agency_id)).all()) if ids else {}
        for a in agencies:
            rows.append({"agency": a, "region": path_text(a.region_code),
                         "aliases": aliases.get(a.id, 0), "reports": reports.get(a.id, 0)})
    return templates.TemplateResponse(request, "admin_agencies.html", {
        "q": q, "rows": rows, "origin_cn": ORIGIN_CN, "flash": take_flash(request),
        "active": "/admin", "section": "agencies"})


@router.get("/admin/agencies/{agency_id}")
def agency_page(request: Request, agency_id: int, _: Admin):
    with request.app.state.store.reading() as session:
        detail = describe(session, _agency(session, agency_id).name)
    return templates.TemplateResponse(request, "admin_agency.html", {
        "d": detail, "a": detail.agency, "region_text": path_text(detail.agency.region_code),
        "levels": LEVELS, "level_cn": LEVEL_CN, "origin_cn": ORIGIN_CN, "status_cn": STATUS_CN,
        "when": when, "flash": take_flash(request), "active": "/admin", "section": "agencies"})


@router.post("/admin/agencies/{agency_id}")
def edit_agency(request: Request, agency_id: int, _: Admin,
                level: Annotated[str, Form()] = "", region: Annotated[str, Form()] = "",
                region_was: Annotated[str, Form()] = "", aliases: Annotated[str, Form()] = ""):
    with request.app.state.store.session() as session:
        agency = _agency(session, agency_id)
        # the region field comes filled in with the current place: only a changed text is
        # resolved again (an unchanged one might not name the same code unambiguously)
        new_region = None if region.strip() == region_was.strip() else region
        agency = set_agency(session, agency.name, level=level, region=new_region,
                            alias=aliases or None)
        name, place = agency.name, path_text(agency.region_code) or "未确定"
    flash(request, f"已更正“{name}”：级别 {level or '未设置'}，所在行政区划 {place}；"
                   "其年报的层级和地区已随之更新。")
    return RedirectResponse(f"/admin/agencies/{agency_id}", status_code=303)


@router.post("/admin/agencies/{agency_id}/merge")
def merge_agency(request: Request, agency_id: int, _: Admin, target: Annotated[str, Form()]):
    with request.app.state.store.session() as session:
        source = _agency(session, agency_id).name
        try:
            kept = merge_agencies(session, source, target)
        except AgencyError as exc:
            raise _not_found_is_404(exc) from None
        kept_id, kept_name = kept.id, kept.name
    flash(request, f"已把“{source}”并入“{kept_name}”：其年报和别名归入后者，原名称成为别名。")
    return RedirectResponse(f"/admin/agencies/{kept_id}", status_code=303)
