"""登录 / 退出."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse

from nianbao.web.auth import authenticate, log_in, log_out
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or ``https://…``): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str | None, Form()] = None):
    store = request.app.state.store
    with store.session() as session:
        user = authenticate(session, username, password)
        if user is not None:
            log_in(request, user)
    if user is None:
        return templates.TemplateResponse(
            request, "login.html",
            {"next": _safe_next(next), "username": username,
             "error": "用户名或密码不正确，或账户已停用。"}, status_code=400)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request):
    log_out(request)
    return RedirectResponse("/", status_code=303)
