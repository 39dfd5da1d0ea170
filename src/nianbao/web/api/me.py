"""``GET /api/me``: who a request is, so a script can test its API token."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field

from nianbao.store.models import User
from nianbao.web.auth import require
from nianbao.web.errors import error_body

router = APIRouter(prefix="/api", tags=["账户"])


class Me(BaseModel):
    username: str = Field(description="用户名")
    display_name: str | None = Field(description="显示名称")
    role: Literal["viewer", "editor", "admin"] = Field(
        description="角色：viewer 查看者、editor 编辑者（可上传、入库）、admin 管理员")
    auth: Literal["token", "session"] = Field(
        description="本次请求的认证方式：token（Authorization: Bearer）或 session（网页登录）")


_ERROR = {"description": "错误（统一形式）", "content": {"application/json": {"example": error_body(
    "bad_token", "API 令牌无效或已撤销；请在“账户”页面重新生成令牌。")}}}


@router.get("/me", response_model=Me, summary="当前用户", responses={401: _ERROR})
def me(request: Request, user: Annotated[User, Depends(require("viewer"))]) -> Me:
    """返回本次请求所代表的用户；未登录（也没有令牌）时为 401 `login_required`，
    令牌无效或已撤销时为 401 `bad_token`。脚本可用它检验令牌是否可用。"""
    return Me(username=user.username, display_name=user.display_name, role=user.role,
              auth=request.state.auth_via)
