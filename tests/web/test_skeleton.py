"""The application's frame: error shape, login, CSRF, static files without a CDN."""

from __future__ import annotations

from tests.web.conftest import PASSWORD, csrf_of, log_in


def test_rules_page_lists_the_catalogue(client):
    r = client.get("/rules")
    assert r.status_code == 200
    assert "T3-BAL" in r.text or "T3-" in r.text
    assert client.get("/rules/T3-BLANK").status_code == 200


def test_unknown_api_route_has_the_error_shape(client):
    r = client.get("/api/nothing-here")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "not_found", "message": r.json()["error"]["message"],
                                  "detail": None}}


def test_unknown_page_is_an_html_error(client):
    r = client.get("/rules/NO-SUCH-RULE")
    assert r.status_code == 404 and "没有代码为" in r.text and "text/html" in r.headers["content-type"]


def test_login_and_logout(client, users):
    assert log_in(client, "editor1", "wrong password").status_code == 400
    r = log_in(client, "editor1")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie
    assert "editor1" in client.get("/rules").text
    r = client.post("/logout", data={"csrf_token": csrf_of(client)}, follow_redirects=False)
    assert r.status_code == 303
    assert "editor1" not in client.get("/rules").text


def test_post_without_csrf_token_is_refused(client, users):
    r = client.post("/login", data={"username": "editor1", "password": PASSWORD},
                    follow_redirects=False)
    assert r.status_code == 403 and "CSRF" in r.text


def test_plotly_and_htmx_are_served_locally(client):
    assert client.get("/assets/plotly.min.js").status_code == 200
    assert client.get("/static/vendor/htmx.min.js").status_code == 200
    page = client.get("/rules").text
    assert "http://" not in page and "https://" not in page
