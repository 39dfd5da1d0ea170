"""管理 › 用户: accounts and roles (admins only).

Changes are made from the logged-in page only (``require_session``): an API token, even an
admin's, cannot create accounts or change roles, so a leaked token cannot mint new access.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse

from nianbao.store.models import ROLES, User
from nianbao.web.accounts import list_users, set_active, set_password, set_role, user_by_id, when
from nianbao.web.auth import ROLE_NAMES, create_user, log_in, require, require_session
from nianbao.web.errors import WebError
from nianbao.web.pages.account import flash, take_flash
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)
Admin = Annotated[User, Depends(require("admin"))]
AdminSession = Annotated[User, Depends(require_session("admin"))]


def _back() -> RedirectResponse:
    return RedirectResponse("/admin/users", status_code=303)


def _same(password: str, repeat: str) -> None:
    if password != repeat:
        raise WebError(400, "password_mismatch", "两次输入的密码不一致；请返回重新输入。")


@router.get("/admin")
def admin_home(_: Admin):
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users")
def users_page(request: Request, me: Admin):
    with request.app.state.store.reading() as session:
        rows = list_users(session)
    return templates.TemplateResponse(request, "admin_users.html", {
        "rows": rows, "me": me, "roles": ROLES, "when": when, "flash": take_flash(request),
        "active": "/admin", "section": "users"})


@router.post("/admin/users")
def add_user(request: Request, _: AdminSession, username: Annotated[str, Form()],
             password: Annotated[str, Form()], password2: Annotated[str, Form()],
             role: Annotated[str, Form()] = "viewer", display_name: Annotated[str, Form()] = ""):
    _same(password, password2)
    with request.app.state.store.session() as session:
        user = create_user(session, username, password, role, display_name)
        name = user.username
    flash(request, f"已创建用户“{name}”（{ROLE_NAMES[role]}）。请把用户名和初始密码告诉本人，"
                   "并请其登录后在“账户”页面修改密码。")
    return _back()


@router.post("/admin/users/{user_id}/role")
def change_role(request: Request, user_id: int, me: AdminSession, role: Annotated[str, Form()]):
    with request.app.state.store.session() as session:
        user = user_by_id(session, user_id)
        set_role(session, user, role, actor=me)
        name = user.username
    flash(request, f"用户“{name}”的角色已改为{ROLE_NAMES[role]}。")
    return _back()


@router.post("/admin/users/{user_id}/active")
def change_active(request: Request, user_id: int, me: AdminSession,
                  active: Annotated[bool, Form()]):
    with request.app.state.store.session() as session:
        user = user_by_id(session, user_id)
        set_active(session, user, active, actor=me)
        name = user.username
    flash(request, f"用户“{name}”已重新启用。" if active else
          f"用户“{name}”已停用：其登录和 API 令牌立即失效。")
    return _back()


@router.post("/admin/users/{user_id}/password")
def reset_password(request: Request, user_id: int, me: AdminSession,
                   password: Annotated[str, Form()], password2: Annotated[str, Form()]):
    _same(password, password2)
    with request.app.state.store.session() as session:
        user = user_by_id(session, user_id)
        set_password(session, user, password)
        name = user.username
        if user.id == me.id:
            log_in(request, user)  # keep the admin's own session going
    flash(request, f"已重设用户“{name}”的密码；其已有的网页登录随之失效（API 令牌不受影响）。")
    return _back()
