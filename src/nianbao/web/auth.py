"""Who is asking, and may they: accounts, sessions, roles, CSRF tokens and API tokens.

- Passwords are hashed with Argon2id (argon2-cffi's defaults, RFC 9106 low-memory profile).
- A login puts the user's id in a signed session cookie (Starlette's SessionMiddleware:
  ``HttpOnly``, ``SameSite=Lax``, ``Secure`` when configured); the signing key is kept in
  the store (``app_settings``) so restarts and workers agree on it.
- Every unsafe request (POST, PUT, PATCH, DELETE) made with the session cookie must carry the
  session's CSRF token, as the form field ``csrf_token`` or the ``X-CSRF-Token`` header
  (forms get it from ``csrf_input()`` in templates; htmx sends the header from ``<body>``).
  Scripts use ``Authorization: Bearer <token>`` instead, which a browser never sends on its
  own, so those requests need no CSRF token.
- Anonymous visitors are viewers unless ``require_login`` is set; nothing anonymous can
  change data, because every changing route requires ``editor`` or ``admin``.
- A session remembers a stamp of the password hash it was opened with: changing or resetting
  a password ends the account's other sessions; deactivating an account ends all of them.
- API tokens are kept as SHA-256 only; their use is recorded at most once a minute.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from fastapi import Request
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from nianbao.store.models import ROLES, ApiToken, AppSetting, User
from nianbao.web.errors import WebError

_hasher = PasswordHasher()
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
ROLE_NAMES = {"viewer": "查看者", "editor": "编辑者", "admin": "管理员"}
TOKEN_PREFIX = "nb_"
SESSION_COOKIE = "nianbao_session"  # its name, set in app.py
MIN_PASSWORD, MAX_PASSWORD = 8, 1024  # the maximum keeps one login from costing much CPU
# last_used_at is written at most this often per token: a write on every API call would put
# every script's reads behind the store's single write lock (SQLite)
TOKEN_TOUCH = timedelta(minutes=1)


# ----------------------------------------------------------------------------- passwords
def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise WebError(400, "weak_password", f"密码至少需要 {MIN_PASSWORD} 个字符。")
    if len(password) > MAX_PASSWORD:
        raise WebError(400, "bad_password", f"密码不能超过 {MAX_PASSWORD} 个字符。")
    return password


def check_role(role: str) -> str:
    if role not in ROLES:
        names = "、".join(f"{r}（{ROLE_NAMES[r]}）" for r in ROLES)
        raise WebError(400, "bad_role", f"未知角色“{role}”；可用角色：{names}。")
    return role


def role_at_least(user: User | None, role: str) -> bool:
    return user is not None and ROLES.index(user.role) >= ROLES.index(role)


def create_user(session: Session, username: str, password: str, role: str = "viewer",
                display_name: str | None = None) -> User:
    username = username.strip()
    if not username or len(username) > 64:
        raise WebError(400, "bad_username", "用户名不能为空，且不超过 64 个字符。")
    check_password(password)
    if display_name and len(display_name.strip()) > 100:
        raise WebError(400, "bad_display_name", "显示名称不超过 100 个字符。")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise WebError(409, "user_exists", f"用户名“{username}”已存在；请换一个用户名。")
    user = User(username=username, password_hash=hash_password(password),
                role=check_role(role), display_name=(display_name or "").strip() or None,
                active=True, created_at=datetime.now())
    session.add(user)
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this name and password, or None (same cost either way, so the
    answer's timing does not tell whether the name exists)."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or len(password) > MAX_PASSWORD:
        verify_password(_DUMMY_HASH, password[:MAX_PASSWORD])
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = datetime.now()
    return user


_DUMMY_HASH = _hasher.hash("not a password of anyone")


# ----------------------------------------------------------------------------- sessions
def session_secret(session: Session) -> str:
    """The key that signs session cookies, created on first start and kept in the store."""
    row = session.get(AppSetting, "session_secret")
    if row is None:
        row = AppSetting(key="session_secret", value=secrets.token_urlsafe(48))
        session.add(row)
        session.flush()
    return row.value


def password_stamp(user: User) -> str:
    """Changes whenever the password does (the hash is salted anew each time)."""
    return token_hash(user.password_hash)[:16]


def log_in(request: Request, user: User) -> None:
    request.session.clear()  # a new session on login: no fixation of an earlier one
    request.session["uid"] = user.id
    request.session["pw"] = password_stamp(user)
    request.session["csrf"] = secrets.token_urlsafe(32)


def log_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    token = request.session.get("csrf")
    if not token:
        token = request.session["csrf"] = secrets.token_urlsafe(32)
    return token


# ----------------------------------------------------------------------------- API tokens
def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(session: Session, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for ``user``: the row, and the token itself (shown once, never stored)."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    name = name.strip() or "未命名"
    if len(name) > 100:
        raise WebError(400, "bad_token_name", "令牌名称不能超过 100 个字符。")
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(token),
                   prefix=token[:10], revoked=False, created_at=datetime.now())
    session.add(row)
    session.flush()
    return row, token


def token_owner(session: Session, token: str) -> tuple[ApiToken, User] | None:
    """The token's row and its active owner (one query), or None when the token is
    unknown, revoked or belongs to a deactivated account."""
    found = session.execute(
        select(ApiToken, User).join(User, User.id == ApiToken.user_id)
        .where(ApiToken.token_hash == token_hash(token), ApiToken.revoked.is_(False),
               User.active.is_(True))).first()
    return None if found is None else (found[0], found[1])


def touch_token(store, row: ApiToken) -> None:
    """Record that the token was used (at most once per ``TOKEN_TOUCH``)."""
    now = datetime.now()
    if row.last_used_at is not None and now - row.last_used_at < TOKEN_TOUCH:
        return
    with store.session() as session:
        session.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))


# ----------------------------------------------------------------------------- per request
def load_user(request: Request) -> User | None:
    """The user of this request (bearer token, else session cookie), or None; remembered on
    ``request.state`` together with how they authenticated."""
    if hasattr(request.state, "user"):
        return request.state.user
    store = request.app.state.store
    user, via = None, None
    header = request.headers.get("authorization", "")
    if header.lower().startswith("bearer "):
        with store.reading() as session:
            found = token_owner(session, header[7:].strip())
        if found is None:
            raise WebError(401, "bad_token", "API 令牌无效或已撤销；请在“账户”页面重新生成令牌。",
                           headers={"WWW-Authenticate": "Bearer"})
        touch_token(store, found[0])
        user, via = found[1], "token"
    elif (uid := request.session.get("uid")) is not None:
        with store.reading() as session:
            user = session.get(User, uid)
        if (user is None or not user.active
                or request.session.get("pw") != password_stamp(user)):
            request.session.clear()  # deactivated, or the password changed since
            user = None
        else:
            via = "session"
    request.state.user, request.state.auth_via = user, via
    return user


async def guard(request: Request) -> None:
    """Runs before every route (an app-wide dependency): identifies the user, refuses
    anonymous visitors when login is required, and checks the CSRF token of unsafe
    requests made with the session cookie."""
    user = load_user(request)
    settings = request.app.state.settings
    path = request.url.path
    if settings.require_login and user is None and not _public(path):
        raise WebError(401, "login_required", "本系统需要登录后才能使用；请先登录。")
    if request.method in UNSAFE_METHODS and request.state.auth_via != "token" and not (
            path.startswith("/api/") and SESSION_COOKIE not in request.cookies):
        # (an API call that carries no session cookie has no ambient credential a forged
        # request could borrow: it acts anonymously, i.e. read-only, or with a token)
        sent = request.headers.get("x-csrf-token")
        if sent is None and request.headers.get("content-type", "").startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            sent = (await request.form()).get("csrf_token")
        expected = request.session.get("csrf")
        if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
            raise WebError(403, "csrf_failed",
                           "表单已过期或来源不明（CSRF 校验失败）；请刷新页面后重新提交。")


def _public(path: str) -> bool:
    return path in ("/login", "/favicon.ico") or path.startswith("/static/")


def require(role: str):
    """A dependency: the request's user must have ``role`` or a higher one."""

    def dependency(request: Request) -> User:
        user = load_user(request)
        if user is None:
            raise WebError(401, "login_required", "需要登录后才能进行此操作。")
        if not role_at_least(user, role):
            raise WebError(403, "forbidden",
                           f"当前账户（{ROLE_NAMES[user.role]}）没有权限进行此操作，"
                           f"需要“{ROLE_NAMES[role]}”或更高角色。")
        return user

    return dependency


def require_session(role: str = "viewer"):
    """Like ``require``, but only for a person logged in on the web page: an API token
    cannot change passwords, make tokens or manage accounts, so a leaked token cannot be
    used to keep access after it is revoked."""
    check = require(role)

    def dependency(request: Request) -> User:
        user = check(request)
        if request.state.auth_via != "session":
            raise WebError(403, "session_required",
                           "此操作只能在网页上登录后进行，不能使用 API 令牌。")
        return user

    return dependency
