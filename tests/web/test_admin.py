"""管理 pages: users (roles, activation, passwords, the self-demotion guard) and the agency
registry (search, corrections, merges), with their permission checks."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from nianbao.store.models import Agency, AgencyAlias, StoredReport, User
from tests.web.conftest import PASSWORD, csrf_of, log_in
from tests.web.test_accounts import error_code, new_token

NEW = "brand new passphrase"


def post(c: TestClient, path: str, **data):
    return c.post(path, data={**data, "csrf_token": csrf_of(c)}, follow_redirects=False)


def user_id(store, name: str) -> int:
    with store.reading() as session:
        return session.scalar(select(User.id).where(User.username == name))


def agency_id(store, name: str) -> int:
    with store.reading() as session:
        return session.scalar(select(Agency.id).where(Agency.name == name))


# ----------------------------------------------------------------------------- permissions
ADMIN_PAGES = ["/admin", "/admin/users", "/admin/agencies", "/admin/agencies/1"]
ADMIN_FORMS = [("/admin/users", {"username": "x", "password": NEW, "password2": NEW}),
               ("/admin/users/1/role", {"role": "admin"}),
               ("/admin/users/1/active", {"active": "false"}),
               ("/admin/users/1/password", {"password": NEW, "password2": NEW}),
               ("/admin/agencies/1", {"level": "部门"}),
               ("/admin/agencies/1/merge", {"target": "x"})]


@pytest.mark.parametrize("role", ["viewer", "editor"])
def test_admin_pages_refuse_other_roles(as_role, role):
    c = as_role(role)
    for path in ADMIN_PAGES:
        r = c.get(path)
        assert r.status_code == 403 and error_code(r.text) == "forbidden", path
        assert "需要“管理员”或更高角色" in r.text
    for path, data in ADMIN_FORMS:
        r = post(c, path, **data)
        assert r.status_code == 403 and error_code(r.text) == "forbidden", path
    assert 'href="/admin/users"' not in c.get("/rules").text  # no 管理 link either


def test_admin_pages_send_anonymous_visitors_to_login(client, users):
    for path in ADMIN_PAGES:
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"] == f"/login?next={path}"
    for path, data in ADMIN_FORMS:
        r = post(client, path, **data)
        assert r.status_code == 401 and error_code(r.text) == "login_required", path


@pytest.mark.parametrize(("path", "data"), ADMIN_FORMS)
def test_admin_forms_need_the_csrf_token(as_role, path, data):
    r = as_role("admin").post(path, data=data)
    assert r.status_code == 403 and error_code(r.text) == "csrf_failed"


def test_an_admin_token_cannot_manage_users(as_role, make_client):
    token = new_token(as_role("admin"))
    r = make_client().post("/admin/users/1/role", data={"role": "admin"},
                           headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 403 and error_code(r.text) == "session_required"


# ----------------------------------------------------------------------------- users
def test_users_page_lists_accounts(as_role):
    page = as_role("admin").get("/admin/users").text
    for name in ("viewer1", "editor1", "admin1"):
        assert f"<code>{name}</code>" in page
    assert "当前账户" in page and 'href="/admin/users" class="active"' in page


def test_create_user(as_role, make_client):
    admin = as_role("admin")
    r = post(admin, "/admin/users", username="zhangsan", display_name="张三（公开办）",
             role="editor", password=NEW, password2=NEW)
    assert r.status_code == 303 and r.headers["location"] == "/admin/users"
    page = admin.get("/admin/users").text
    assert "已创建用户“zhangsan”（编辑者）" in page and "张三（公开办）" in page
    c = make_client()
    assert log_in(c, "zhangsan", NEW).status_code == 303
    assert c.get("/api/me").json() == {"username": "zhangsan", "display_name": "张三（公开办）",
                                       "role": "editor", "auth": "session"}


@pytest.mark.parametrize(("data", "status", "code"), [
    ({"username": "editor1", "password": NEW, "password2": NEW}, 409, "user_exists"),
    ({"username": "new", "role": "boss", "password": NEW, "password2": NEW}, 400, "bad_role"),
    ({"username": "new", "password": NEW, "password2": "other"}, 400, "password_mismatch"),
    ({"username": "new", "password": "short", "password2": "short"}, 400, "weak_password"),
    ({"username": "  ", "password": NEW, "password2": NEW}, 400, "bad_username"),
])
def test_create_user_refused(as_role, web_store, data, status, code):
    r = post(as_role("admin"), "/admin/users", **data)
    assert r.status_code == status and error_code(r.text) == code
    assert user_id(web_store, "new") is None


def test_change_role_and_self_demotion(as_role, web_store):
    admin, viewer = as_role("admin"), as_role("viewer")
    r = post(admin, f"/admin/users/{user_id(web_store, 'viewer1')}/role", role="editor")
    assert r.status_code == 303
    assert "“viewer1”的角色已改为编辑者" in admin.get("/admin/users").text
    assert viewer.get("/api/me").json()["role"] == "editor"  # at once, in the open session
    me = user_id(web_store, "admin1")
    r = post(admin, f"/admin/users/{me}/role", role="viewer")
    assert r.status_code == 400 and error_code(r.text) == "self_demotion"
    assert "不能修改自己的角色" in r.text and "另一位管理员" in r.text
    assert admin.get("/api/me").json()["role"] == "admin"
    r = post(admin, f"/admin/users/{me}/role", role="admin")  # no change is no demotion
    assert r.status_code == 303
    r = post(admin, "/admin/users/999/role", role="editor")
    assert r.status_code == 404 and error_code(r.text) == "user_not_found"
    r = post(admin, f"/admin/users/{user_id(web_store, 'editor1')}/role", role="root")
    assert r.status_code == 400 and error_code(r.text) == "bad_role"


def test_deactivate_and_reactivate(as_role, make_client, web_store):
    admin, editor = as_role("admin"), as_role("editor")
    token = new_token(editor)
    editor_id = user_id(web_store, "editor1")
    r = post(admin, f"/admin/users/{editor_id}/active", active="false")
    assert r.status_code == 303
    assert "“editor1”已停用" in admin.get("/admin/users").text
    assert editor.get("/api/me").status_code == 401
    assert make_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}
                             ).status_code == 401
    assert log_in(make_client(), "editor1").status_code == 400
    r = post(admin, f"/admin/users/{user_id(web_store, 'admin1')}/active", active="false")
    assert r.status_code == 400 and error_code(r.text) == "self_deactivation"
    assert "不能停用自己的账户" in r.text
    assert post(admin, f"/admin/users/{editor_id}/active", active="true").status_code == 303
    assert log_in(make_client(), "editor1").status_code == 303
    assert make_client().get("/api/me", headers={"Authorization": f"Bearer {token}"}
                             ).json()["username"] == "editor1"


def test_reset_password(as_role, make_client, web_store):
    admin, viewer = as_role("admin"), as_role("viewer")
    r = post(admin, f"/admin/users/{user_id(web_store, 'viewer1')}/password",
             password=NEW, password2=NEW)
    assert r.status_code == 303
    assert "已重设用户“viewer1”的密码" in admin.get("/admin/users").text
    assert viewer.get("/api/me").status_code == 401  # the old session ended
    assert log_in(make_client(), "viewer1", PASSWORD).status_code == 400
    assert log_in(make_client(), "viewer1", NEW).status_code == 303
    r = post(admin, f"/admin/users/{user_id(web_store, 'admin1')}/password",
             password=NEW, password2=NEW)
    assert r.status_code == 303
    assert admin.get("/api/me").json()["username"] == "admin1"  # one's own session goes on
    r = post(admin, f"/admin/users/{user_id(web_store, 'viewer1')}/password",
             password=NEW, password2="different")
    assert r.status_code == 400 and error_code(r.text) == "password_mismatch"


# ----------------------------------------------------------------------------- agencies
def test_agency_search(seeded_store, as_role):
    admin = as_role("admin")
    assert "查找" in admin.get("/admin/agencies").text
    page = admin.get("/admin/agencies", params={"q": "樟树"}).text
    rows = re.findall(r'<a href="/admin/agencies/(\d+)">([^<]+)</a>', page)
    assert {name for _id, name in rows} == {"樟树市机关事务管理中心", "樟树市人社局", "樟树市中洲乡"}
    assert "江西省/宜春市/樟树市" in page and "乡镇街道" in page
    page = admin.get("/admin/agencies", params={"q": "没有这个单位"}).text
    assert "没有名称、别名或所在地包含“没有这个单位”的单位" in page


def test_agency_edit_is_visible_and_reaches_reports(seeded_store, as_role):
    admin = as_role("admin")
    aid = agency_id(seeded_store, "樟树市人社局")
    page = admin.get(f"/admin/agencies/{aid}").text
    assert "樟树市人社局" in page and 'value="江西省/宜春市/樟树市"' in page and "2023" in page
    r = post(admin, f"/admin/agencies/{aid}", level="政府", region="江西省/宜春市",
             region_was="江西省/宜春市/樟树市", aliases="樟树市人力资源和社会保障局；樟树人社")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/agencies/{aid}"
    page = admin.get(f"/admin/agencies/{aid}").text
    assert "已更正“樟树市人社局”" in page
    assert "樟树人社、樟树市人力资源和社会保障局" in page
    assert 'value="江西省/宜春市"' in page and "手工更正" in page
    with seeded_store.reading() as session:
        report = session.scalar(select(StoredReport).where(StoredReport.agency_id == aid))
        assert (report.agency_level, report.city_code, report.county_code) == (
            "政府", "360900000000", None)
    found = admin.get("/admin/agencies", params={"q": "人力资源和社会保障"}).text
    assert f'href="/admin/agencies/{aid}"' in found


def test_agency_edit_keeps_an_unchanged_region(seeded_store, as_role):
    admin = as_role("admin")
    aid = agency_id(seeded_store, "樟树市中洲乡")
    with seeded_store.reading() as session:
        before = session.get(Agency, aid).region_code
    r = post(admin, f"/admin/agencies/{aid}", level="乡镇街道", region="x", region_was="x")
    assert r.status_code == 303
    with seeded_store.reading() as session:
        assert session.get(Agency, aid).region_code == before


@pytest.mark.parametrize(("data", "status", "code"), [
    ({"level": "国务院"}, 400, "level_unknown"),
    ({"region": "火星省"}, 400, "region_unknown"),
])
def test_agency_edit_refused(seeded_store, as_role, data, status, code):
    aid = agency_id(seeded_store, "樟树市人社局")
    r = post(as_role("admin"), f"/admin/agencies/{aid}", **data)
    assert r.status_code == status and error_code(r.text) == code
    with seeded_store.reading() as session:
        assert session.get(Agency, aid).level == "部门"  # nothing half done


def test_agency_merge(seeded_store, as_role):
    admin = as_role("admin")
    source, target = (agency_id(seeded_store, n) for n in ("樟树市人社局", "樟树市机关事务管理中心"))
    r = post(admin, f"/admin/agencies/{source}/merge", target="樟树市机关事务管理中心", confirm="on")
    assert r.status_code == 303 and r.headers["location"] == f"/admin/agencies/{target}"
    page = admin.get(f"/admin/agencies/{target}").text
    assert "已把“樟树市人社局”并入“樟树市机关事务管理中心”" in page
    assert "年报（2 份）" in page
    r = admin.get(f"/admin/agencies/{source}")
    assert r.status_code == 404 and error_code(r.text) == "agency_not_found"
    with seeded_store.reading() as session:
        assert session.get(AgencyAlias, "樟树市人社局").agency_id == target


@pytest.mark.parametrize(("target", "status", "code"), [
    ("没有这个单位", 404, "agency_not_found"),
    ("樟树市人社局", 400, "same_agency"),
])
def test_agency_merge_refused(seeded_store, as_role, target, status, code):
    aid = agency_id(seeded_store, "樟树市人社局")
    r = post(as_role("admin"), f"/admin/agencies/{aid}/merge", target=target)
    assert r.status_code == status and error_code(r.text) == code
    assert agency_id(seeded_store, "樟树市人社局") == aid


def test_unknown_agency(seeded_store, as_role):
    admin = as_role("admin")
    assert error_code(admin.get("/admin/agencies/9999").text) == "agency_not_found"
    r = post(admin, "/admin/agencies/9999", level="部门")
    assert r.status_code == 404 and error_code(r.text) == "agency_not_found"
