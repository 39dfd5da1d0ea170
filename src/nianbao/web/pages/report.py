"""报告页面: one stored report in the official table layout with its stored findings
(cross-year ones included), its agency, year, status and edition, and downloads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from fastapi import APIRouter, Request
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.store.models import Agency, Document, StoredReport
from nianbao.store.records import load_report
from nianbao.web.report_view import (
    STATUS_CN,
    TEMPLATE_CONTEXT,
    report_view,
    stored_findings,
    stored_row,
)
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)

# /reports/{id}?saved=… after "保存到年报库" on the check page: what happened
SAVED = {
    "ingested": ("ok", "已保存到年报库。"),
    "partial": ("ok", "已保存到年报库（部分内容未能解析，见下方“解析问题”）。"),
    "unchanged": ("info", "年报库中已有内容完全相同的文件，没有重复保存；下面是库中的这份报告。"),
    "failed": ("error", "文件已保存到年报库，但无法解析。"),
}


@dataclass
class Edition:
    """Another stored document of the same agency and year."""

    id: int
    published: str | None
    filename: str | None
    ingested_at: datetime | None
    is_current: bool


def editions(session: Session, ids: list[int]) -> list[Edition]:
    if not ids:
        return []
    rows = session.execute(
        select(StoredReport.id, StoredReport.published, Document.filename,
               StoredReport.ingested_at, StoredReport.is_current)
        .join(Document, Document.sha256 == StoredReport.document_sha)
        .where(StoredReport.id.in_(ids)).order_by(StoredReport.id)).all()
    return [Edition(*r) for r in rows]


@router.get("/reports/{report_id:int}")
def report_page(request: Request, report_id: int, saved: str | None = None):
    with request.app.state.store.reading() as session:
        row = stored_row(session, report_id)
        document = session.execute(
            select(Document.filename, Document.size, Document.source_url, Document.first_seen)
            .where(Document.sha256 == row.document_sha)).one()
        agency = session.get(Agency, row.agency_id) if row.agency_id is not None else None
        report = load_report(session, row) if row.status != "failed" else None
        findings = stored_findings(session, report_id) if report is not None else []
        superseded_by = editions(session, [row.superseded_by] if row.superseded_by else [])
        supersedes = editions(session, list(session.scalars(
            select(StoredReport.id).where(StoredReport.superseded_by == report_id))))
        previous = editions(session, [row.checked_with_previous]
                            if row.checked_with_previous else [])
    view = None
    if report is not None:
        view = report_view(report, findings, prefix="r1",
                           counts={"error": row.errors, "warning": row.warnings,
                                   "info": row.infos}, score=row.score)
    title = row.title or row.agency_name or document.filename or f"报告 {report_id}"
    return templates.TemplateResponse(request, "report.html", {
        **TEMPLATE_CONTEXT, "active": "/reports", "row": row, "document": document,
        "agency": agency, "view": view, "title": title, "status": STATUS_CN[row.status],
        "superseded_by": superseded_by[0] if superseded_by else None,
        "supersedes": supersedes, "previous": previous[0] if previous else None,
        "saved": SAVED.get(saved or "")})
