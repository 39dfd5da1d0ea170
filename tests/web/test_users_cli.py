"""``nianbao users``: accounts from the command line (the first admin is made here)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from nianbao.cli import app
from nianbao.store.models import ApiToken, User
from nianbao.web.auth import authenticate, token_hash
from tests.helpers import run_cli
from tests.web.conftest import PASSWORD

runner = CliRunner()
NEW = "the first admin's passphrase"


def cli(store, *args: str, input: str | None = None):
    return runner.invoke(app, ["users", *args, "--db", store.url], input=input)


def user(store, name: str) -> User | None:
    with store.reading() as session:
        return session.scalar(select(User).where(User.username == name))


def can_log_in(store, name: str, password: str) -> bool:
    with store.session() as session:
        return authenticate(session, name, password) is not None


def test_add_with_hidden_prompt_twice(web_store):
    r = cli(web_store, "add", "boss", "--role", "admin", "--display-name", "王主任",
              input=f"{NEW}\n{NEW}\n")
    assert r.exit_code == 0, r.output
    assert "已创建用户 boss（管理员）" in r.output and NEW not in r.output
    u = user(web_store, "boss")
    assert (u.role, u.display_name, u.active) == ("admin", "王主任", True)
    assert can_log_in(web_store, "boss", NEW)


def test_add_with_password_on_stdin(web_store):
    r = cli(web_store, "add", "robot", "--password-stdin", input=f"{NEW}\n")
    assert r.exit_code == 0, r.output
    assert user(web_store, "robot").role == "viewer"
    assert can_log_in(web_store, "robot", NEW)


@pytest.mark.parametrize(("args", "input", "code", "message"), [
    (["add", "x", "--role", "king"], None, "bad_role", "未知角色“king”"),
    (["add", "x"], f"{NEW}\nsomething else\n", "password_mismatch", "两次输入的密码不一致"),
    (["add", "x", "--password-stdin"], "short\n", "weak_password", "密码至少需要 8 个字符"),
    (["add", "editor1", "--password-stdin"], f"{NEW}\n", "user_exists", "用户名“editor1”已存在"),
    (["set-role", "nobody", "editor"], None, "user_not_found", "没有用户“nobody”"),
    (["set-role", "viewer1", "root"], None, "bad_role", "未知角色“root”"),
    (["passwd", "nobody", "--password-stdin"], f"{NEW}\n", "user_not_found", "没有用户“nobody”"),
    (["disable", "nobody"], None, "user_not_found", "没有用户“nobody”"),
    (["enable", "nobody"], None, "user_not_found", "没有用户“nobody”"),
    (["token", "nobody"], None, "user_not_found", "没有用户“nobody”"),
])
def test_bad_input_exits_2_with_a_chinese_message(web_store, users, args, input, code,
                                                  message):
    r = cli(web_store, *args, input=input)
    assert r.exit_code == 2
    assert message in r.output and f"[{code}]" in r.output
    assert "Traceback" not in r.output
    assert user(web_store, "x") is None


def test_list(web_store, users):
    r = cli(web_store, "list")
    assert r.exit_code == 0, r.output
    for name, role_cn in (("viewer1", "查看者"), ("editor1", "编辑者"), ("admin1", "管理员")):
        line = next(x for x in r.output.splitlines() if name in x)
        assert role_cn in line and "启用" in line


def test_list_of_no_users(web_store):
    r = cli(web_store, "list")
    assert r.exit_code == 0 and "nianbao users add" in r.output


def test_set_role_passwd_disable_enable(web_store, users):
    assert cli(web_store, "set-role", "viewer1", "editor").exit_code == 0
    assert user(web_store, "viewer1").role == "editor"
    r = cli(web_store, "passwd", "viewer1", "--password-stdin", input=f"{NEW}\n")
    assert r.exit_code == 0 and "已重设用户 viewer1 的密码" in r.output
    assert can_log_in(web_store, "viewer1", NEW) and not can_log_in(web_store, "viewer1", PASSWORD)
    r = cli(web_store, "disable", "viewer1")
    assert r.exit_code == 0 and "已停用" in r.output
    assert not can_log_in(web_store, "viewer1", NEW)
    assert "已停用" in next(x for x in cli(web_store, "list").output.splitlines() if "viewer1" in x)
    assert cli(web_store, "enable", "viewer1").exit_code == 0
    assert can_log_in(web_store, "viewer1", NEW)


def test_token_is_printed_once_and_works(web_store, users, make_client):
    r = cli(web_store, "token", "editor1", "--name", "脚本")
    assert r.exit_code == 0, r.output
    token = r.stdout.strip().splitlines()[-1]
    assert token.startswith("nb_")
    with web_store.reading() as session:
        row = session.scalar(select(ApiToken))
    assert (row.name, row.token_hash, row.prefix) == ("脚本", token_hash(token), token[:10])
    me = make_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["username"] == "editor1" and me["auth"] == "token"
    assert "1" in next(x for x in cli(web_store, "list").output.splitlines() if "editor1" in x)
    cli(web_store, "disable", "editor1")
    r = cli(web_store, "token", "editor1")
    assert r.exit_code == 2 and "[user_inactive]" in r.output


def test_the_real_command_line(web_store):
    """As a person runs it: the installed entry point, the password on standard input."""
    env = {"NIANBAO_DATABASE_URL": web_store.url}
    r = run_cli("users", "add", "boss", "--role", "admin", "--password-stdin", env=env)
    assert r.returncode == 2 and "密码至少需要 8 个字符" in r.stderr  # empty stdin
    assert "Traceback" not in r.stderr
    r = run_cli("users", "--help", env=env)
    assert r.returncode == 0 and "set-role" in r.stdout
