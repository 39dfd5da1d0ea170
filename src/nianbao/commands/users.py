"""``nianbao users``: accounts of the web application (the first admin is made here)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from nianbao.errors import NianbaoError

EXIT_ERROR = 2

users_app = typer.Typer(
    name="users", no_args_is_help=True, add_completion=False,
    help="网页应用的用户：创建、列出、改角色和密码、停用，为脚本生成 API 令牌。\n\n"
         "角色：viewer（查看者）、editor（编辑者，可上传和入库）、admin（管理员，可管理用户和单位名录）。")

Db = Annotated[str | None, typer.Option(
    "--db", help="数据库地址（默认取环境变量 NIANBAO_DATABASE_URL，否则 ./nianbao.db）。",
    show_default=False)]
Name = Annotated[str, typer.Argument(help="用户名。", show_default=False)]
PasswordStdin = Annotated[bool, typer.Option(
    "--password-stdin", help="从标准输入读取密码（一行），供脚本使用；默认在终端里隐藏输入两次。")]
_out = Console(soft_wrap=True, highlight=False)
_err = Console(stderr=True, soft_wrap=True, highlight=False)


def register(app: typer.Typer) -> None:
    """Add this module's commands to the ``nianbao`` app."""
    app.add_typer(users_app, name="users")


def _fail(message: str, code: str) -> typer.Exit:
    _err.print(f"[red]错误：[/]{escape(f'{message} [{code}]')}")
    return typer.Exit(EXIT_ERROR)


@contextmanager
def _session(db: str | None) -> Iterator:
    """One transaction on the store; a refused change becomes one Chinese line, exit 2."""
    from nianbao.store import open_store
    from nianbao.web.errors import WebError

    try:
        with open_store(db).session() as session:
            yield session
    except WebError as exc:
        raise _fail(exc.message, exc.code) from None
    except NianbaoError as exc:
        _err.print(f"[red]错误：[/]{escape(exc.one_line())}")
        raise typer.Exit(EXIT_ERROR) from None


def _read_password(from_stdin: bool) -> str:
    """The new password: one line of standard input, or typed twice without echo."""
    from nianbao.web.auth import check_password
    from nianbao.web.errors import WebError

    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = typer.prompt("密码", hide_input=True, default="", show_default=False)
        repeat = typer.prompt("再次输入密码", hide_input=True, default="", show_default=False)
        if password != repeat:
            raise _fail("两次输入的密码不一致；密码未设置，请重新运行命令。", "password_mismatch")
    try:
        return check_password(password)  # before opening the store: nothing is half done
    except WebError as exc:
        raise _fail(exc.message, exc.code) from None


def _user(session, name: str):
    from nianbao.web.accounts import get_user

    return get_user(session, name)


@users_app.command("add")
def add_command(
    name: Name,
    role: Annotated[str, typer.Option(
        "--role", help="角色：viewer（查看者）、editor（编辑者）、admin（管理员）。")] = "viewer",
    display_name: Annotated[str | None, typer.Option(
        "--display-name", help="显示名称，如 张三（公开办）。", show_default=False)] = None,
    password_stdin: PasswordStdin = False,
    db: Db = None,
) -> None:
    """创建用户。

    密码在终端中隐藏输入两次（或用 --password-stdin 从标准输入读取）。
    第一个管理员：nianbao users add 管理员名 --role admin。"""
    from nianbao.web.auth import ROLE_NAMES, check_role, create_user
    from nianbao.web.errors import WebError

    try:
        check_role(role)  # before asking for a password that would then be thrown away
    except WebError as exc:
        raise _fail(exc.message, exc.code) from None
    password = _read_password(password_stdin)
    with _session(db) as session:
        user = create_user(session, name, password, role, display_name)
        _out.print(f"已创建用户 {escape(user.username)}（{ROLE_NAMES[role]}）。")


@users_app.command("list")
def list_command(db: Db = None) -> None:
    """列出全部用户：角色、状态、创建和最近登录时间、有效令牌数。"""
    from nianbao.web.accounts import list_users, when
    from nianbao.web.auth import ROLE_NAMES

    with _session(db) as session:
        rows = list_users(session)
    if not rows:
        _out.print("还没有用户；用 nianbao users add 名称 --role admin 创建第一个管理员。")
        return
    table = Table(title=f"共 {len(rows)} 个用户", title_justify="left")
    for header in ("用户名", "显示名称", "角色", "状态", "创建时间", "最近登录", "有效令牌"):
        table.add_column(header, overflow="fold")
    for row in rows:
        u = row.user
        table.add_row(escape(u.username), escape(u.display_name or "—"), ROLE_NAMES[u.role],
                      "启用" if u.active else "已停用", when(u.created_at), when(u.last_login_at),
                      str(row.tokens))
    _out.print(table)


@users_app.command("set-role")
def set_role_command(
    name: Name,
    role: Annotated[str, typer.Argument(help="新角色：viewer、editor 或 admin。", show_default=False)],
    db: Db = None,
) -> None:
    """修改用户的角色。"""
    from nianbao.web.accounts import set_role
    from nianbao.web.auth import ROLE_NAMES

    with _session(db) as session:
        user = _user(session, name)
        set_role(session, user, role)
        _out.print(f"用户 {escape(user.username)} 的角色已改为{ROLE_NAMES[role]}。")


@users_app.command("passwd")
def passwd_command(name: Name, password_stdin: PasswordStdin = False, db: Db = None) -> None:
    """重设用户的密码（其已有的网页登录随之失效）。"""
    from nianbao.web.accounts import set_password

    with _session(db) as session:
        _user(session, name)  # an unknown name is refused before the password is asked for
    password = _read_password(password_stdin)
    with _session(db) as session:
        user = _user(session, name)
        set_password(session, user, password)
        _out.print(f"已重设用户 {escape(user.username)} 的密码。")


def _set_active(name: str, active: bool, db: str | None) -> None:
    from nianbao.web.accounts import set_active

    with _session(db) as session:
        user = _user(session, name)
        set_active(session, user, active)
        _out.print(f"用户 {escape(user.username)} 已重新启用。" if active else
                   f"用户 {escape(user.username)} 已停用：其网页登录和 API 令牌立即失效。")


@users_app.command("disable")
def disable_command(name: Name, db: Db = None) -> None:
    """停用用户：不能再登录，其网页登录和 API 令牌立即失效（数据保留，可重新启用）。"""
    _set_active(name, False, db)


@users_app.command("enable")
def enable_command(name: Name, db: Db = None) -> None:
    """重新启用已停用的用户。"""
    _set_active(name, True, db)


@users_app.command("token")
def token_command(
    name: Name,
    token_name: Annotated[str, typer.Option(
        "--name", help="令牌名称，说明用途，如 每晚入库脚本。")] = "脚本",
    db: Db = None,
) -> None:
    """为用户生成一个 API 令牌并显示（只显示这一次）。

    脚本在请求头中加入 Authorization: Bearer 令牌；可用 GET /api/me 检验。
    令牌可在网页的“账户”页面查看和撤销。"""
    from nianbao.web.auth import create_token

    with _session(db) as session:
        user = _user(session, name)
        if not user.active:
            raise _fail(f"用户“{user.username}”已停用，其令牌无法使用；请先用 nianbao users enable 启用。",
                        "user_inactive")
        row, token = create_token(session, user, token_name)
        label = f"{escape(row.name)}（用户 {escape(user.username)}）"
    _err.print(f"已生成令牌 {label}。请立即保存：它只显示这一次。")
    print(token)  # alone on standard output, so a script can capture it
