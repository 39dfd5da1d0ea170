"""One stored report: ``GET /api/reports/{id}`` (its JSON, as ``nianbao parse --json``),
``/findings`` (its stored findings) and ``/document`` (the original file's bytes)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy import select

from nianbao.model import Report
from nianbao.rules.engine import Finding
from nianbao.store.models import Document, StoredReport
from nianbao.web.api.schema import error_response
from nianbao.web.pages.check import attachment
from nianbao.web.report_view import stored_findings, stored_row

router = APIRouter(prefix="/api/reports", tags=["报告"])

NOT_FOUND = {404: error_response("没有这个编号的报告", "unknown_report",
                                 "年报库中没有编号为 12345 的报告；请在“年报库”中查找。")}


class FailedDocument(BaseModel):
    """What ``nianbao parse --jsonl`` writes for a file it cannot read."""

    source: dict = Field(description="name：文件名")
    status: Literal["failed"]
    error: dict = Field(description="code 与 message：无法读取的原因")


class StoredFindings(BaseModel):
    report_id: int
    counts: dict[str, int] = Field(description="各级别问题数：error / warning / info")
    score: int | None = Field(description="0–100 分；无法读取的文件为 null")
    checked_with_previous: int | None = Field(
        description="跨年度规则对照的上一年度报告编号（没有则为 null）")
    findings: list[Finding] = Field(
        description="检查发现（含跨年度规则），形式与 `nianbao check --json` 的 findings 相同；"
                    "expected / found 在库中以文本保存，形如数字的值以数字返回")


@router.get("/{report_id:int}", response_model=Report | FailedDocument, summary="报告的解析结果",
            responses=NOT_FOUND)
def report_json(request: Request, report_id: int):
    """入库时的解析结果，与对原文件运行 `nianbao parse --json` 的输出相同。无法读取的文件
    返回与 `nianbao parse --jsonl` 相同的失败记录（status 为 failed）。"""
    with request.app.state.store.reading() as session:
        row = stored_row(session, report_id)
        text = session.scalar(select(StoredReport.report_json)
                              .where(StoredReport.id == report_id))
        name = session.scalar(select(Document.filename)
                              .where(Document.sha256 == row.document_sha))
    if text is None:
        return JSONResponse({"source": {"name": name, "path": name}, "status": "failed",
                             "error": {"code": row.error_code, "message": row.error_message}})
    # the stored text as it is: it is the JSON ``nianbao parse --json`` prints
    return Response(text, media_type="application/json")


@router.get("/{report_id:int}/findings", response_model=StoredFindings, summary="报告的检查发现",
            responses=NOT_FOUND)
def report_findings(request: Request, report_id: int) -> StoredFindings:
    """入库时（以及之后上一年度报告入库时）的检查结果，包括跨年度规则的发现。"""
    with request.app.state.store.reading() as session:
        row = stored_row(session, report_id)
        return StoredFindings(
            report_id=row.id, counts={"error": row.errors, "warning": row.warnings,
                                      "info": row.infos},
            score=row.score, checked_with_previous=row.checked_with_previous,
            findings=stored_findings(session, report_id))


@router.get("/{report_id:int}/document", summary="下载原文件", responses={
    200: {"description": "原文件的字节（按原样保存，从不修改）",
          "content": {"application/octet-stream": {}}}, **NOT_FOUND})
def report_document(request: Request, report_id: int) -> Response:
    """原文件，文件名为入库时的文件名。始终作为下载（`application/octet-stream`、
    `X-Content-Type-Options: nosniff`），上传的网页不会在浏览器中打开。"""
    with request.app.state.store.reading() as session:
        row = stored_row(session, report_id)
        content, filename = session.execute(
            select(Document.content, Document.filename)
            .where(Document.sha256 == row.document_sha)).one()
    return Response(content, media_type="application/octet-stream", headers={
        "Content-Disposition": attachment(filename or f"report-{report_id}"),
        "X-Content-Type-Options": "nosniff",
        # belt and braces: even if opened, nothing in it may run or load
        "Content-Security-Policy": "default-src 'none'; sandbox"})
