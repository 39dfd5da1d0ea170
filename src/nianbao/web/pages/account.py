"""登录 / 退出 and 账户: log in (rate limited), log out, change one's password, API tokens."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from nianbao.store.models import User
from nianbao.web.accounts import change_own_password, revoke_token, user_tokens, when
from nianbao.web.auth import (
    authenticate,
    create_token,
    log_in,
    log_out,
    require,
    require_session,
)
from nianbao.web.errors import WebError
from nianbao.web.ratelimit import login_limiter
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)


def _safe_next(target: str | None) -> str:
    """Only a path on this site (never ``//host`` or ``https://…``): no open redirect."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


def flash(request: Request, message: str) -> None:
    """A one-line notice shown on the next page (kept in the signed session cookie)."""
    request.session["flash"] = message


def take_flash(request: Request) -> str | None:
    return request.session.pop("flash", None)


def _wait_text(seconds: int) -> str:
    until = (datetime.now() + timedelta(seconds=seconds)).strftime("%H:%M:%S")
    span = f"{seconds} 秒" if seconds < 60 else f"{-(-seconds // 60)} 分钟"
    return f"请在 {span}后（{until} 以后）再试"


@router.get("/login")
def login_form(request: Request, next: str | None = None):
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


@router.post("/login")
def login(request: Request, username: Annotated[str, Form()], password: Annotated[str, Form()],
          next: Annotated[str | None, Form()] = None):
    limiter = login_limiter(request.app)
    address = request.client.host if request.client else "unknown"
    # refused before the password is even checked: a guesser learns nothing while blocked
    if wait := limiter.retry_after(username, address):
        raise WebError(429, "too_many_logins",
                       f"登录失败次数过多，已暂时停止接受这个用户名或这台电脑的登录；{_wait_text(wait)}。"
                       "如忘记密码，请联系管理员重设。",
                       headers={"Retry-After": str(wait)})
    store = request.app.state.store
    with store.session() as session:
        user = authenticate(session, username, password)
        if user is not None:
            log_in(request, user)
    if user is None:
        limiter.failed(username, address)
        return templates.TemplateResponse(
            request, "login.html",
            {"next": _safe_next(next), "username": username,
             "error": "用户名或密码不正确，或账户已停用。"}, status_code=400)
    limiter.succeeded(username)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request):
    log_out(request)
    return RedirectResponse("/", status_code=303)


# ----------------------------------------------------------------------------- 账户
def _account_page(request: Request, user: User, new_token: str | None = None,
                  new_token_name: str | None = None, status_code: int = 200):
    with request.app.state.store.reading() as session:
        tokens = user_tokens(session, user)
    return templates.TemplateResponse(request, "account.html", {
        "me": user, "tokens": tokens, "new_token": new_token, "new_token_name": new_token_name,
        "flash": take_flash(request), "when": when, "active": "/account"},
        status_code=status_code)


@router.get("/account")
def account(request: Request, user: Annotated[User, Depends(require("viewer"))]):
    return _account_page(request, user)


@router.post("/account/password")
def change_password(request: Request, user: Annotated[User, Depends(require_session())],
                    old_password: Annotated[str, Form()], new_password: Annotated[str, Form()],
                    new_password2: Annotated[str, Form()]):
    with request.app.state.store.session() as session:
        me = session.get(User, user.id)
        change_own_password(session, me, old_password, new_password, new_password2)
        log_in(request, me)  # this session goes on; the account's other sessions end
    flash(request, "密码已修改。其他设备上的登录已失效，需要用新密码重新登录。")
    return RedirectResponse("/account", status_code=303)


@router.post("/account/tokens")
def new_token(request: Request, user: Annotated[User, Depends(require_session())],
              name: Annotated[str, Form()] = ""):
    with request.app.state.store.session() as session:
        row, token = create_token(session, session.get(User, user.id), name)
        name = row.name
    # shown in this response only: never stored, never put into the (readable) session cookie
    return _account_page(request, user, new_token=token, new_token_name=name)


@router.post("/account/tokens/{token_id}/revoke")
def revoke(request: Request, token_id: int, user: Annotated[User, Depends(require_session())]):
    with request.app.state.store.session() as session:
        row = revoke_token(session, user, token_id)
        name, prefix = row.name, row.prefix
    flash(request, f"已撤销令牌“{name}”（{prefix}…）；使用它的脚本将无法再访问。")
    return RedirectResponse("/account", status_code=303)
