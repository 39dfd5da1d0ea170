"""Log in and out in the browser."""

from __future__ import annotations

from tests.web.e2e.conftest import login


def test_log_in_and_out(page):
    page.goto("/rules")
    assert page.locator("header .account").inner_text().strip() == "登录"
    login(page, "editor1", "wrong password")
    assert "用户名或密码不正确" in page.locator("[role=alert]").inner_text()
    login(page, "editor1")
    assert "editor1" in page.locator("header .account").inner_text()
    page.click("header .account button:has-text('退出')")
    page.wait_for_load_state()
    assert "editor1" not in page.locator("header .account").inner_text()


def test_rule_documentation_page(page):
    page.goto("/rules")
    page.click("a:has-text('T3-BLANK')")
    page.wait_for_load_state()
    assert "如何修改" in page.content()
