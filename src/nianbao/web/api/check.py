"""``POST /api/check`` (check uploaded reports, store nothing) and ``POST /api/ingest``
(store them, editors only). Both take ``multipart/form-data`` with one or more ``files``
parts, within the upload limits of web/uploads.py."""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Request, UploadFile
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from nianbao.api import read_input
from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult
from nianbao.store.ingest import ingest
from nianbao.store.sources import Source
from nianbao.web.api.schema import error_response
from nianbao.web.auth import require
from nianbao.web.pages.check import check_bytes
from nianbao.web.uploads import Upload, UploadRoute, read_uploads

router = APIRouter(prefix="/api", route_class=UploadRoute)

UPLOAD_ERRORS = {
    400: error_response("没有文件（no_files）或文件过多（too_many_files）", "too_many_files",
                        "一次最多上传 50 个文件，本次有 60 个；请分批上传。"),
    413: error_response("某个文件或整个请求过大（file_too_large / upload_too_large）",
                        "file_too_large", "文件“a.docx”过大（超过 20.0 MB 的上限）；"
                        "年报通常不超过几 MB，请确认文件是否选对。"),
}


class FileError(BaseModel):
    code: str = Field(description="稳定的英文错误代码，如 empty_input、not_a_report")
    message: str = Field(description="中文说明：文件哪里不对、怎么办")


class CheckedFile(BaseModel):
    name: str = Field(description="上传的文件名")
    status: Literal["checked", "failed"] = Field(
        description="checked：已解析并检查；failed：无法读取（见 error）")
    report: Report | None = Field(None, description="解析结果，与 `nianbao parse --json` 相同")
    check: CheckResult | None = Field(None, description="检查结果，与 `nianbao check --json` 相同")
    error: FileError | None = Field(None, description="无法读取的原因")


class CheckResponse(BaseModel):
    files: list[CheckedFile] = Field(description="每个上传文件一项，顺序与上传顺序相同")


class IngestedDocument(BaseModel):
    name: str = Field(description="上传的文件名")
    outcome: Literal["ingested", "unchanged", "partial", "failed"] = Field(
        description="ingested 新入库；unchanged 库中已有相同内容；partial 已入库但部分内容未能解析；"
                    "failed 无法读取（文件本身仍入库保存）或写入失败")
    sha256: str | None
    report_id: int | None = Field(description="报告编号（/api/reports/{id}）")
    superseded: int | None = Field(description="这份报告取代的同单位同年度旧报告的编号")
    code: str | None = Field(description="失败的错误代码，或部分解析的问题代码")
    reason: str | None = Field(description="中文说明")


class IngestResponse(BaseModel):
    counts: dict[str, int] = Field(
        description="各结果的份数：ingested、unchanged、partial、failed、superseded")
    interrupted: bool
    seconds: float
    documents: list[IngestedDocument]


def _checked(name: str, content: bytes) -> dict:
    checked = check_bytes(name, content)
    if isinstance(checked, NianbaoError):
        return {"name": name, "status": "failed", "report": None, "check": None,
                "error": {"code": checked.code, "message": checked.message}}
    report, result = checked
    return {"name": name, "status": "checked", "report": report.model_dump(mode="json"),
            "check": result.model_dump(mode="json"), "error": None}


def _content(upload: Upload) -> bytes:
    return read_input(upload.read())[0]


Files = Annotated[list[UploadFile] | None, File(description="一个或多个年报文件（字段名 files）")]


@router.post("/check", tags=["检查"], response_model=CheckResponse, summary="检查上传的年报（不保存）",
             responses=UPLOAD_ERRORS)
def api_check(request: Request, files: Files = None):
    """解析并检查每个上传的文件，什么也不保存。每个文件的结果是 `nianbao parse --json` 与
    `nianbao check --json` 的输出；无法读取的文件给出错误代码和中文原因，不影响其他文件。"""
    uploads = read_uploads(request, files or [])
    # the JSON of Report and CheckResult exactly as the CLI writes it (not re-validated)
    return JSONResponse({"files": [_checked(u.name, u.read()) for u in uploads]})


@router.post("/ingest", tags=["报告"], response_model=IngestResponse, summary="把上传的年报存入年报库",
             responses={**UPLOAD_ERRORS,
                        401: error_response("未登录", "login_required", "需要登录后才能进行此操作。"),
                        403: error_response("角色不够（需要编辑者）", "forbidden",
                                            "当前账户（查看者）没有权限进行此操作，需要“编辑者”或更高角色。")})
def api_ingest(request: Request, user: Annotated[object, Depends(require("editor"))],
               files: Files = None) -> IngestResponse:
    """与 `nianbao ingest` 相同：每份文件一个事务；相同内容不会重复入库；同一单位同一年度的
    新文件取代旧文件（旧文件保留）。返回每份文件的结果，与 `nianbao ingest --json` 的
    counts / documents 相同。需要编辑者或管理员。"""
    uploads = read_uploads(request, files or [])
    # read_input refuses what ``nianbao ingest`` refuses before storing (an empty file)
    sources = [Source(u.name, partial(_content, u), u.name) for u in uploads]
    summary = ingest(request.app.state.store, sources, workers=1)
    return IngestResponse.model_validate(summary.as_dict())
