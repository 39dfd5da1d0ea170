"""Managing accounts and API tokens: what the account page, the admin pages and
``nianbao users`` do, in one place. Every function works inside the caller's transaction
(``store.session()``) and raises ``WebError`` with a Chinese message when it cannot."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from nianbao.store.models import ApiToken, User
from nianbao.web.auth import (
    ROLE_NAMES,
    check_password,
    check_role,
    hash_password,
    verify_password,
)
from nianbao.web.errors import WebError


def get_user(session: Session, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise WebError(404, "user_not_found",
                       f"没有用户“{username.strip()}”；请用 nianbao users list 或“管理 › 用户”查看全部用户。")
    return user


def user_by_id(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise WebError(404, "user_not_found", f"没有编号为 {user_id} 的用户；请回到用户列表刷新后重试。")
    return user


@dataclass
class UserRow:
    user: User
    tokens: int  # tokens not revoked


def list_users(session: Session) -> list[UserRow]:
    """Every account, by name, with its number of live tokens (one query)."""
    live = (select(ApiToken.user_id, func.count().label("n")).where(ApiToken.revoked.is_(False))
            .group_by(ApiToken.user_id).subquery())
    rows = session.execute(select(User, func.coalesce(live.c.n, 0))
                           .outerjoin(live, live.c.user_id == User.id).order_by(User.username))
    return [UserRow(user, n) for user, n in rows]


def set_password(session: Session, user: User, password: str) -> None:
    user.password_hash = hash_password(check_password(password))


def change_own_password(session: Session, user: User, old: str, new: str, repeat: str) -> None:
    """A person changing their own password: the old one must be right, the new one given twice."""
    if not verify_password(user.password_hash, old):
        raise WebError(400, "wrong_password", "原密码不正确；密码未修改。")
    if new != repeat:
        raise WebError(400, "password_mismatch", "两次输入的新密码不一致；请重新输入。")
    if new == old:
        raise WebError(400, "password_unchanged", "新密码与原密码相同；请换一个新密码。")
    set_password(session, user, new)


def set_role(session: Session, user: User, role: str, *, actor: User | None = None) -> None:
    """Change ``user``'s role; an admin (``actor``) cannot lower their own, so there is always
    an admin left who can undo any change."""
    check_role(role)
    if actor is not None and actor.id == user.id and role != user.role:
        raise WebError(400, "self_demotion",
                       f"不能修改自己的角色（当前为{ROLE_NAMES[user.role]}）；如确需修改，请由另一位管理员操作。")
    user.role = role


def set_active(session: Session, user: User, active: bool, *, actor: User | None = None) -> None:
    """Deactivate (sessions and tokens stop working at once) or reactivate an account."""
    if actor is not None and actor.id == user.id and not active:
        raise WebError(400, "self_deactivation",
                       "不能停用自己的账户；如确需停用，请由另一位管理员操作。")
    user.active = active


def user_tokens(session: Session, user: User) -> list[ApiToken]:
    return list(session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)
                                .order_by(ApiToken.revoked, ApiToken.created_at.desc(),
                                          ApiToken.id.desc())))


def revoke_token(session: Session, user: User, token_id: int) -> ApiToken:
    """Revoke one of ``user``'s own tokens (another user's token is 'not found')."""
    row = session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        raise WebError(404, "token_not_found", "没有这个令牌，或它不属于当前账户；请刷新页面后重试。")
    row.revoked = True
    return row


def when(value: datetime | None) -> str:
    """A time as the pages and the CLI show it."""
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M")
