"""Accounts and safety: login rate limiting, cookies, session fixation, the account page
(password, API tokens), GET /api/me, require-login."""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from nianbao.store.models import ApiToken, User
from nianbao.web.ratelimit import LoginLimiter, SlidingWindow
from tests.web.conftest import PASSWORD, csrf_of, log_in

NEW_PASSWORD = "a much newer passphrase"


def error_code(page: str) -> str:
    """The stable code an HTML error page shows."""
    return re.search(r"错误代码：<code>([a-z_]+)</code>", page).group(1)


def other_client(client: TestClient, address: str) -> TestClient:
    """Another visitor of the same application, from another client address."""
    return TestClient(client.app, client=(address, 50000), raise_server_exceptions=False)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ----------------------------------------------------------------------------- the counter
def test_sliding_window_counts_expires_and_clears():
    clock = Clock()
    w = SlidingWindow(limit=2, window=60, clock=clock)
    w.add("a")
    assert w.retry_after("a") == 0
    clock.now += 10
    w.add("a")
    assert w.retry_after("a") == 50  # until the first failure leaves the window
    assert w.retry_after("b") == 0
    clock.now += 50
    assert w.retry_after("a") == 0
    w.add("a")
    assert w.retry_after("a") == 10
    w.clear("a")
    assert w.retry_after("a") == 0


def test_sliding_window_off_at_zero_and_thread_safe():
    off = SlidingWindow(limit=0, window=60)
    off.add("x")
    assert off.retry_after("x") == 0
    w = SlidingWindow(limit=100_000, window=60)
    threads = [threading.Thread(target=lambda: [w.add("k") for _ in range(2000)]) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(w._events["k"]) == 16_000


def test_sliding_window_forgets_expired_keys_when_large(monkeypatch):
    import nianbao.web.ratelimit as rl

    monkeypatch.setattr(rl, "_SWEEP_AT", 3)
    clock = Clock()
    w = SlidingWindow(limit=1, window=5, clock=clock)
    for key in "abc":
        w.add(key)
    clock.now += 6
    w.add("d")
    assert set(w._events) == {"d"}


def test_login_limiter_name_is_case_and_space_insensitive():
    limiter = LoginLimiter(1, 60, clock=Clock())
    limiter.failed(" Editor1 ", "1.1.1.1")
    assert limiter.retry_after("editor1", "2.2.2.2") == 60
    limiter.succeeded("EDITOR1")
    assert limiter.retry_after("editor1", "2.2.2.2") == 0
    assert limiter.retry_after("someone", "1.1.1.1") == 60  # the address still counts


# ----------------------------------------------------------------------------- rate limit
def test_failed_logins_for_a_name_block_it_from_any_address(make_client, users, monkeypatch):
    app_client = make_client(login_attempts=3, login_window=300)
    for i in range(3):  # three addresses, one failure each: only the name reaches the limit
        assert log_in(other_client(app_client, f"10.0.0.{i}"), "editor1", "wrong").status_code == 400
    import nianbao.web.pages.account as account

    def must_not_be_called(*args):
        raise AssertionError("password checked while blocked")

    monkeypatch.setattr(account, "authenticate", must_not_be_called)
    r = log_in(other_client(app_client, "10.0.0.9"), "editor1")  # right password, new address
    assert r.status_code == 429
    assert error_code(r.text) == "too_many_logins"
    assert "登录失败次数过多" in r.text and "再试" in r.text
    assert 290 <= int(r.headers["retry-after"]) <= 300
    monkeypatch.undo()
    assert log_in(other_client(app_client, "10.0.0.9"), "viewer1").status_code == 303


def test_failed_logins_from_an_address_block_it_for_every_name(make_client, users):
    c = make_client(login_attempts=3, login_window=300)
    for name in ("nobody", "editor1", "viewer1"):
        assert log_in(c, name, "wrong").status_code == 400
    r = log_in(c, "admin1")
    assert r.status_code == 429 and error_code(r.text) == "too_many_logins"
    assert int(r.headers["retry-after"]) > 0
    assert log_in(other_client(c, "10.0.0.2"), "admin1").status_code == 303


def test_success_clears_the_names_count(make_client, users):
    c = make_client(login_attempts=3, login_window=300)
    for attempt in range(2):
        for i in range(2):
            bad = log_in(other_client(c, f"10.1.{attempt}.{i}"), "editor1", "wrong")
            assert bad.status_code == 400
        assert log_in(other_client(c, f"10.2.{attempt}.0"), "editor1").status_code == 303


def test_block_ends_when_the_window_passes(make_client, users):
    c = make_client()
    clock = Clock()
    c.app.state.login_limiter = LoginLimiter(2, 60, clock=clock)
    for _ in range(2):
        assert log_in(c, "editor1", "wrong").status_code == 400
    r = log_in(c, "editor1")
    assert r.status_code == 429 and r.headers["retry-after"] == "60"
    clock.now += 61
    assert log_in(c, "editor1").status_code == 303


def test_limits_come_from_settings(make_client, users):
    c = make_client(login_attempts=1, login_window=30)
    assert log_in(c, "editor1", "wrong").status_code == 400
    r = log_in(c, "editor1")
    assert r.status_code == 429 and int(r.headers["retry-after"]) <= 30


# ----------------------------------------------------------------------------- cookies
def test_session_cookie_flags(make_client, users):
    r = log_in(make_client(), "editor1")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    app = make_client(secure_cookies=True).app
    https = TestClient(app, base_url="https://testserver")
    r = log_in(https, "editor1")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie


def test_login_gives_a_new_session(make_client, users):
    c = make_client()
    csrf_of(c)  # an anonymous session exists before the login
    before = c.cookies["nianbao_session"]
    assert log_in(c, "editor1").status_code == 303
    after = c.cookies["nianbao_session"]
    assert after != before
    fixed = make_client()
    fixed.cookies.set("nianbao_session", before)  # what an attacker could have planted
    assert fixed.get("/api/me").status_code == 401
    assert c.get("/api/me").json()["username"] == "editor1"


def test_login_redirects_only_within_the_site(make_client, users):
    for target, expected in (("/rules", "/rules"), ("//evil.example/x", "/"),
                             ("https://evil.example/", "/")):
        c = make_client()
        r = c.post("/login", data={"username": "viewer1", "password": PASSWORD, "next": target,
                                   "csrf_token": csrf_of(c)}, follow_redirects=False)
        assert r.headers["location"] == expected


# ----------------------------------------------------------------------------- /api/me
def test_api_me_for_a_session_and_anonymous(as_role, client):
    assert as_role("admin").get("/api/me").json() == {
        "username": "admin1", "display_name": None, "role": "admin", "auth": "session"}
    r = client.get("/api/me")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "login_required",
                                  "message": "需要登录后才能进行此操作。", "detail": None}}


def test_api_me_is_described_in_openapi(client):
    spec = client.get("/api/openapi.json").json()
    op = spec["paths"]["/api/me"]["get"]
    assert "401" in op["responses"]
    assert set(spec["components"]["schemas"]["Me"]["properties"]) == {
        "username", "display_name", "role", "auth"}


# ----------------------------------------------------------------------------- account page
def test_account_page_needs_a_login(client):
    r = client.get("/account", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/account"


def test_account_page_shows_the_user(as_role):
    page = as_role("editor").get("/account").text
    assert "editor1" in page and "编辑者" in page and "还没有令牌" in page


def change_password(c: TestClient, old: str, new: str, repeat: str | None = None, **extra):
    data = {"old_password": old, "new_password": new, "new_password2": repeat or new,
            "csrf_token": csrf_of(c), **extra}
    return c.post("/account/password", data=data, follow_redirects=False)


@pytest.mark.parametrize(("old", "new", "repeat", "status", "code"), [
    ("wrong password", NEW_PASSWORD, None, 400, "wrong_password"),
    (PASSWORD, NEW_PASSWORD, "something else", 400, "password_mismatch"),
    (PASSWORD, "short", None, 400, "weak_password"),
    (PASSWORD, PASSWORD, None, 400, "password_unchanged"),
])
def test_password_change_refused(as_role, old, new, repeat, status, code):
    c = as_role("editor")
    r = change_password(c, old, new, repeat)
    assert r.status_code == status and error_code(r.text) == code
    assert log_in(c, "editor1").status_code == 303  # the password is unchanged


def test_password_change(as_role, make_client):
    c = as_role("editor")
    elsewhere = as_role("editor")  # the same account logged in on another computer
    r = change_password(c, PASSWORD, NEW_PASSWORD)
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert "密码已修改" in c.get("/account").text
    assert c.get("/api/me").json()["username"] == "editor1"  # this session goes on
    assert elsewhere.get("/api/me").status_code == 401  # the other one ended
    assert log_in(make_client(), "editor1").status_code == 400
    assert log_in(make_client(), "editor1", NEW_PASSWORD).status_code == 303


def new_token(c: TestClient, name: str = "夜间入库脚本") -> str:
    r = c.post("/account/tokens", data={"name": name, "csrf_token": csrf_of(c)})
    assert r.status_code == 200, r.text
    assert "只显示这一次" in r.text and name in r.text
    return re.search(r'<code class="token-once"[^>]*>(nb_[^<]+)</code>', r.text).group(1)


def test_token_create_use_revoke(as_role, make_client, web_store):
    c = as_role("editor")
    token = new_token(c)
    script = make_client()
    bearer = {"Authorization": f"Bearer {token}"}
    assert script.get("/api/me", headers=bearer).json() == {
        "username": "editor1", "display_name": None, "role": "editor", "auth": "token"}
    page = c.get("/account").text
    assert token not in page  # shown once only
    assert "夜间入库脚本" in page and token[:10] in page and "有效" in page
    with web_store.reading() as session:
        row = session.scalar(select(ApiToken))
    assert row.last_used_at is not None and row.token_hash != token
    r = c.post(f"/account/tokens/{row.id}/revoke", data={"csrf_token": csrf_of(c)},
               follow_redirects=False)
    assert r.status_code == 303
    assert "已撤销令牌“夜间入库脚本”" in c.get("/account").text
    r = script.get("/api/me", headers=bearer)
    assert r.status_code == 401 and r.headers["www-authenticate"] == "Bearer"
    assert r.json()["error"]["code"] == "bad_token"
    assert "账户" in r.json()["error"]["message"]


def test_token_use_is_recorded_at_most_once_a_minute(as_role, make_client, web_store):
    token = new_token(as_role("viewer"))
    script = make_client()
    bearer = {"Authorization": f"Bearer {token}"}

    def last_used():
        with web_store.reading() as session:
            return session.scalar(select(ApiToken.last_used_at))

    script.get("/api/me", headers=bearer)
    first = last_used()
    script.get("/api/me", headers=bearer)
    assert last_used() == first
    long_ago = datetime.now() - timedelta(minutes=5)
    with web_store.session() as session:
        session.execute(update(ApiToken).values(last_used_at=long_ago))
    script.get("/api/me", headers=bearer)
    assert last_used() > long_ago + timedelta(minutes=4)


def test_unknown_token_and_anothers_token(as_role, client):
    r = client.get("/api/me", headers={"Authorization": "Bearer nb_not-a-token"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"
    editor, viewer = as_role("editor"), as_role("viewer")
    new_token(editor)
    r = viewer.post("/account/tokens/1/revoke", data={"csrf_token": csrf_of(viewer)})
    assert r.status_code == 404 and error_code(r.text) == "token_not_found"


def test_a_token_cannot_change_credentials(as_role, make_client):
    token = new_token(as_role("admin"))
    script = make_client()
    bearer = {"Authorization": f"Bearer {token}"}
    for path, data in (("/account/tokens", {"name": "x"}),
                       ("/account/password", {"old_password": PASSWORD, "new_password": "x" * 9,
                                              "new_password2": "x" * 9})):
        r = script.post(path, data=data, headers=bearer)
        assert r.status_code == 403 and error_code(r.text) == "session_required"


def test_deactivated_account_loses_session_and_tokens(as_role, make_client, web_store):
    c = as_role("editor")
    token = new_token(c)
    with web_store.session() as session:
        session.execute(update(User).where(User.username == "editor1").values(active=False))
    assert c.get("/api/me").status_code == 401
    r = make_client().get("/api/me", headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "bad_token"


@pytest.mark.parametrize(("path", "data"), [
    ("/account/password", {"old_password": PASSWORD, "new_password": NEW_PASSWORD,
                           "new_password2": NEW_PASSWORD}),
    ("/account/tokens", {"name": "x"}),
    ("/account/tokens/1/revoke", {}),
])
def test_account_forms_need_the_csrf_token(as_role, path, data):
    c = as_role("editor")
    r = c.post(path, data=data)
    assert r.status_code == 403 and error_code(r.text) == "csrf_failed"
    r = c.post(path, data={**data, "csrf_token": "forged"})
    assert r.status_code == 403 and error_code(r.text) == "csrf_failed"


# ----------------------------------------------------------------------------- require login
def test_require_login(make_client, users):
    c = make_client(require_login=True)
    r = c.get("/rules", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=/rules"
    r = c.get("/api/me")
    assert r.status_code == 401 and r.json()["error"]["code"] == "login_required"
    assert c.get("/api/openapi.json").status_code == 401  # even the API's description
    assert c.get("/login").status_code == 200
    assert c.get("/static/app.css").status_code == 200
    r = c.post("/login", data={"username": "viewer1", "password": PASSWORD, "next": "/rules",
                               "csrf_token": csrf_of_login(c)}, follow_redirects=False)
    assert r.headers["location"] == "/rules"
    assert c.get("/rules").status_code == 200
    token = new_token(c)
    assert make_client(require_login=True).get(
        "/api/me", headers={"Authorization": f"Bearer {token}"}).json()["auth"] == "token"


def csrf_of_login(c: TestClient) -> str:
    """The CSRF token from the login page (the only page open before a login)."""
    return re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)


def test_require_login_from_the_environment(monkeypatch):
    from nianbao.web.settings import WebSettings

    monkeypatch.setenv("NIANBAO_REQUIRE_LOGIN", "1")
    monkeypatch.setenv("NIANBAO_LOGIN_ATTEMPTS", "7")
    settings = WebSettings(database_url="sqlite://")
    assert settings.require_login and settings.login_attempts == 7


def test_every_setting_is_documented():
    from pathlib import Path

    import nianbao.web.settings as settings_module
    from tests.helpers import ROOT

    names = set(re.findall(r'"(NIANBAO_[A-Z_]+)"', Path(settings_module.__file__).read_text()))
    assert names >= {"NIANBAO_REQUIRE_LOGIN", "NIANBAO_LOGIN_ATTEMPTS", "NIANBAO_SECURE_COOKIES"}
    text = (ROOT / "docs" / "web.md").read_text(encoding="utf-8")
    section = text.split("\n## 账户与安全")[1].split("\n## ")[0]
    assert {n for n in names if f"`{n}`" not in section} == set()


def test_overlong_input_is_refused_cheaply(make_client, users, web_store):
    from nianbao.web.auth import create_user
    from nianbao.web.errors import WebError

    assert log_in(make_client(), "editor1", "x" * 5000).status_code == 400
    with web_store.session() as session, pytest.raises(WebError) as err:
        create_user(session, "long", "x" * 5000)
    assert err.value.code == "bad_password"
    with web_store.session() as session, pytest.raises(WebError) as err:
        create_user(session, "long", PASSWORD, display_name="名" * 101)
    assert err.value.code == "bad_display_name"
