"""One error shape for the whole application.

Every error of ``/api/`` is JSON: ``{"error": {"code": ..., "message": ..., "detail": ...}}``
with a stable English ``code`` and a Chinese ``message`` saying what is wrong and what to do;
pages get the same information as an HTML page. Handlers here turn FastAPI's own errors
(404, 405, validation) and nianbao's errors into that shape, so no route needs its own.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from nianbao.errors import NianbaoError

log = logging.getLogger("nianbao.web")

# codes of HTTP-level errors, and what they say to people
_HTTP = {
    400: ("bad_request", "请求无效。"),
    401: ("login_required", "需要登录后才能进行此操作。"),
    403: ("forbidden", "当前账户没有进行此操作的权限。"),
    404: ("not_found", "找不到请求的页面或数据；请检查地址。"),
    405: ("method_not_allowed", "不支持这种请求方式。"),
    413: ("too_large", "上传的内容过大。"),
    429: ("too_many_requests", "请求过于频繁，请稍后再试。"),
    500: ("internal_error", "服务器内部错误；请稍后重试，若持续出现请联系管理员。"),
}


class WebError(Exception):
    """An error a route raises on purpose: HTTP status, stable code, Chinese message."""

    def __init__(self, status: int, code: str, message: str, detail: Any = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.detail = status, code, message, detail
        self.headers = headers


def error_body(code: str, message: str, detail: Any = None) -> dict:
    return {"error": {"code": code, "message": message, "detail": detail}}


def wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/api"


def render_error(request: Request, status: int, code: str, message: str, detail: Any = None,
                 headers: dict[str, str] | None = None) -> Response:
    if wants_json(request):
        return JSONResponse(error_body(code, message, detail), status_code=status, headers=headers)
    if status == 401 and request.method == "GET":
        # a page that needs a login sends the visitor to the login form and back
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import quote

        return RedirectResponse(f"/login?next={quote(target)}", status_code=303)
    from nianbao.web.templating import templates

    return templates.TemplateResponse(
        request, "error.html", {"status": status, "code": code, "message": message,
                                "detail": detail},
        status_code=status, headers=headers)


def install(app: FastAPI) -> None:
    @app.exception_handler(WebError)
    async def _web_error(request: Request, exc: WebError):
        return render_error(request, exc.status, exc.code, exc.message, exc.detail, exc.headers)

    @app.exception_handler(NianbaoError)
    async def _nianbao_error(request: Request, exc: NianbaoError):
        # nianbao's own errors are about the input (unreadable file, unknown region …)
        return render_error(request, 400, exc.code, exc.message, exc.where)

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(request: Request, exc: StarletteHTTPException):
        code, message = _HTTP.get(exc.status_code, ("http_error", "请求失败。"))
        if isinstance(exc.detail, str) and exc.detail and exc.status_code not in (404, 405):
            message = exc.detail
        return render_error(request, exc.status_code, code, message, None,
                            getattr(exc, "headers", None))

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError):
        problems = [{"where": ".".join(str(p) for p in e.get("loc", ())), "problem": e.get("msg")}
                    for e in exc.errors()]
        where = "；".join(p["where"] for p in problems)
        return render_error(request, 422, "invalid_request",
                            f"请求参数不正确（{where}）；请检查后重试。", problems)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception):
        log.exception("unexpected error on %s %s", request.method, request.url.path)
        code, message = _HTTP[500]
        return render_error(request, 500, code, message)

