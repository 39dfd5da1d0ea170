"""检查: upload reports, see each checked in the official table layout, download the
findings (JSON, XLSX, HTML) or save the report to the store.

Uploaded bytes are kept in the process's ``UploadCache`` under a random key bound to the
session (see web/uploads.py); downloads and saving read them from there, so nothing is
uploaded twice. Uploaded files are never served back as they are.
"""

from __future__ import annotations

import io
import json
from pathlib import PurePath
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response
from openpyxl import Workbook
from starlette.datastructures import UploadFile as StarletteUploadFile

from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.readers.zipsafe import human_size
from nianbao.report_html import HtmlReport
from nianbao.rules import CheckResult, all_rules
from nianbao.rules.engine import SEVERITY_CN
from nianbao.store.export import FINDING_COLUMNS, LABELS
from nianbao.store.export_xlsx import _Sheet
from nianbao.store.ingest import ingest, parse_and_check
from nianbao.store.models import User
from nianbao.store.sources import Source
from nianbao.terminal import finding_where
from nianbao.version import __version__
from nianbao.web.auth import require
from nianbao.web.errors import WebError
from nianbao.web.report_view import STATUS_CN, TEMPLATE_CONTEXT, check_view
from nianbao.web.templating import templates
from nianbao.web.uploads import (
    UploadRoute,
    cached_upload,
    owner_of,
    read_uploads,
    upload_cache,
)

router = APIRouter(include_in_schema=False, route_class=UploadRoute)

NOSNIFF = {"X-Content-Type-Options": "nosniff"}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachment(name: str) -> str:
    """A Content-Disposition for downloading ``name``: an ASCII fallback for old clients and
    the real (possibly Chinese) name in RFC 5987 form."""
    from urllib.parse import quote

    fallback = "".join(ch if ch.isascii() and ch.isprintable() and ch not in '"\\;' else "_"
                       for ch in name) or "download"
    return f"attachment; filename=\"{fallback}\"; filename*=UTF-8''{quote(name, safe='')}"


def check_bytes(name: str, content: bytes) -> tuple[Report, CheckResult] | NianbaoError:
    """Parse and check one uploaded file as ``nianbao check FILE`` would (the report's
    source name is the file's name), or the error that makes it unreadable."""
    parsed, result = parse_and_check(name, content)
    return parsed if isinstance(parsed, NianbaoError) else (parsed, result)


def findings_json(result: CheckResult) -> str:
    """Byte for byte what ``nianbao check --json FILE`` prints."""
    return json.dumps(result.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"


def findings_xlsx(name: str, report: Report, result: CheckResult) -> bytes:
    """A workbook with the findings (sheet 问题) and the report's summary (sheet 报告)."""
    book = Workbook(write_only=True)
    keys = ["n", *FINDING_COLUMNS, "where", "title"]
    labels = ["序号", *(LABELS[k] for k in FINDING_COLUMNS), "位置", "规则名称"]
    sheet = _Sheet(book, "问题", keys, labels, freeze="A3")
    rules = all_rules()
    for n, f in enumerate(result.findings, 1):
        loc = f.location
        values = {"code": f.code, "severity": SEVERITY_CN[f.severity], "message": f.message,
                  "table": loc.table, "row": loc.row, "column": loc.column,
                  "section": loc.section, "field": loc.field, "expected": f.expected,
                  "found": f.found}
        sheet.append([n, *(values[k] for k in FINDING_COLUMNS), finding_where(report, f),
                      rules[f.code].title if f.code in rules else None])
    summary = _Sheet(book, "报告", ["key", "value"], ["项目", "内容"], freeze=None)
    m = report.meta
    for label, value in (("文件", name), ("发布机关", m.agency), ("年度", m.year),
                         ("表格格式", report.layout), ("解析状态", STATUS_CN[report.status]),
                         ("错误", result.counts["error"]), ("警告", result.counts["warning"]),
                         ("提示", result.counts["info"]), ("得分", result.score),
                         ("检查工具", f"nianbao {__version__}")):
        summary.append([label, value])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _stem(name: str) -> str:
    return PurePath(name).stem or "年报"


# ----------------------------------------------------------------------------- pages
@router.get("/check")
def check_form(request: Request):
    return templates.TemplateResponse(request, "check.html", _context(request))


def _context(request: Request, **extra) -> dict:
    s = request.app.state.settings
    return {**TEMPLATE_CONTEXT, "active": "/check", "max_files": s.max_upload_files,
            "max_size": human_size(s.max_upload_bytes), **extra}


@router.post("/check")
async def check_upload(request: Request):
    # the form is read here rather than declared as a File parameter: a browser submitting
    # no file sends a part with an empty file name, which FastAPI's validation would turn
    # into a 422 instead of our "没有收到任何文件"
    form = await request.form()
    try:
        files = [f for f in form.getlist("files") if isinstance(f, StarletteUploadFile)]
        return await run_in_threadpool(_check_files, request, files)
    finally:
        await form.close()


def _check_files(request: Request, files: list[StarletteUploadFile]):
    uploads = read_uploads(request, files)
    cache, owner = upload_cache(request), owner_of(request, create=True)
    results = []
    for n, up in enumerate(uploads, 1):
        content = up.read()
        checked = check_bytes(up.name, content)
        if isinstance(checked, NianbaoError):
            results.append({"name": up.name, "error": checked})
            continue
        report, result = checked
        results.append({"name": up.name, "key": cache.put(owner, up.name, content),
                        "view": check_view(report, result, prefix=f"r{n}")})
    return templates.TemplateResponse(request, "check_results.html",
                                      _context(request, results=results))


def _checked(request: Request, key: str) -> tuple[str, Report, CheckResult]:
    item = cached_upload(request, key)
    checked = check_bytes(item.name, item.content)
    if isinstance(checked, NianbaoError):  # cannot happen for a cached (readable) upload
        raise checked
    return item.name, *checked


def _download(body: str | bytes, media_type: str, name: str, suffix: str) -> Response:
    return Response(body, media_type=media_type, headers={
        **NOSNIFF, "Content-Disposition": attachment(f"{_stem(name)}.检查结果.{suffix}")})


@router.get("/check/files/{key}/findings.json")
def download_json(request: Request, key: str):
    name, _report, result = _checked(request, key)
    return _download(findings_json(result), "application/json", name, "json")


@router.get("/check/files/{key}/findings.xlsx")
def download_xlsx(request: Request, key: str):
    name, report, result = _checked(request, key)
    return _download(findings_xlsx(name, report, result), XLSX, name, "xlsx")


@router.get("/check/files/{key}/report.html")
def download_html(request: Request, key: str):
    """The self-contained HTML report of ``nianbao check --html`` (no scripts, inline CSS;
    report text escaped by lxml), as an attachment."""
    name, report, result = _checked(request, key)
    doc = HtmlReport()
    doc.add(name, report, result)
    return _download(doc.tostring(), "text/html; charset=utf-8", name, "html")


@router.post("/check/files/{key}/save")
def save(request: Request, key: str, user: Annotated[User, Depends(require("editor"))]):
    """Store the uploaded file as ``nianbao ingest`` would, then show the stored report."""
    item = cached_upload(request, key)
    content = item.content
    summary = ingest(request.app.state.store,
                     [Source(item.name, lambda: content, item.name)], workers=1)
    entry = summary.entries[0]
    if entry.report_id is None:
        raise WebError(500 if entry.code in ("internal_error", "store_conflict") else 400,
                       entry.code or "save_failed",
                       f"保存“{item.name}”失败：{entry.reason or '未知原因'}")
    return RedirectResponse(f"/reports/{entry.report_id}?saved={entry.outcome}", status_code=303)
