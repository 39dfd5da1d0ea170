"""The API as a whole: ``/api/openapi.json`` describes every ``/api/`` route of the app
(found by walking ``app.routes``, so routes added later are covered too), and every route
answers a wrong parameter, an unknown id, an unknown path and a wrong method with the one
error shape ``{"error": {"code", "message", "detail"}}``."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass

import pytest
from fastapi.routing import APIRoute

from nianbao.store import Store
from nianbao.web import create_app
from nianbao.web.settings import WebSettings

API = "/api/"
OPENAPI = "/api/openapi.json"
WRONG = "wrong-value-§"
NO_ID = {"int": "987654321", "str": "no-such-thing-987654321", "path": "no/such/thing"}


@dataclass(frozen=True)
class ApiRoute:
    path: str  # as routed: /api/reports/{report_id:int}
    path_format: str  # as described: /api/reports/{report_id}
    methods: frozenset[str]
    include_in_schema: bool


def api_routes(app) -> list[ApiRoute]:
    """Every /api/ route of ``app``. Newer FastAPI keeps included routers lazily (only
    ``iter_route_contexts`` reaches their routes); older versions list them directly."""
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # FastAPI before included routers became lazy
        contexts = app.routes
    else:
        contexts = iter_route_contexts(app.routes)
    found = []
    for route in contexts:
        original = getattr(route, "original_route", route)
        if (isinstance(original, APIRoute) and route.path.startswith(API)
                and route.path != OPENAPI):  # the description does not describe itself
            found.append(ApiRoute(route.path, route.path_format, frozenset(route.methods),
                                  bool(getattr(route, "include_in_schema", True))))
    return found


@pytest.fixture(scope="module")
def app_routes(tmp_path_factory, sqlite_template) -> list[ApiRoute]:
    """The app's /api/ routes (an app over a throwaway store, only to list them)."""
    path = tmp_path_factory.mktemp("openapi") / "nianbao.db"
    shutil.copyfile(sqlite_template, path)
    store = Store(f"sqlite:///{path}")
    yield api_routes(create_app(WebSettings(database_url=store.url), store))
    store.close()


def assert_error_shape(response, *statuses: int) -> dict:
    assert response.status_code in statuses, (response.request.url, response.status_code,
                                              response.text[:500])
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "detail"}, body
    assert re.fullmatch(r"[a-z_]+", body["error"]["code"]), body
    assert re.search(r"[\u4e00-\u9fff]", body["error"]["message"]), body  # said in Chinese
    return body["error"]


def concrete(route: ApiRoute) -> str:
    """The route's path with every parameter an id that does not exist."""
    def fill(m: re.Match) -> str:
        return NO_ID.get(m.group(2) or "str", NO_ID["str"])
    return re.sub(r"\{(\w+)(?::(\w+))?\}", fill, route.path)


def test_openapi_lists_every_api_route(client, app_routes):
    r = client.get(OPENAPI)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    spec = r.json()
    assert spec["openapi"].startswith("3.") and spec["info"]["title"]
    assert app_routes, "the app has no /api/ routes"
    for route in app_routes:
        assert route.include_in_schema, f"{route.path} is hidden from the API description"
        assert route.path_format in spec["paths"], route.path
        described = {m.lower() for m in spec["paths"][route.path_format]}
        assert {m.lower() for m in route.methods} <= described, route.path
        for method in route.methods:
            op = spec["paths"][route.path_format][method.lower()]
            assert op.get("tags"), f"{method} {route.path} has no tag"
            assert op.get("summary") or op.get("description"), route.path


def test_every_api_path_is_under_api(client):
    spec = client.get("/api/openapi.json").json()
    assert all(p.startswith(API) for p in spec["paths"]), list(spec["paths"])


def _typed_query(spec: dict, route: ApiRoute) -> list[str]:
    """Query parameters of a GET route whose values are typed (a number, a yes/no …)."""
    op = spec["paths"][route.path_format]["get"]
    names = []
    for p in op.get("parameters", []):
        schema = p.get("schema", {})
        kinds = {schema.get("type")} | {s.get("type") for s in schema.get("anyOf", [])}
        if p["in"] == "query" and kinds & {"integer", "number", "boolean"}:
            names.append(p["name"])
    return names


def test_every_get_route_refuses_unknown_ids_and_bad_values(seeded_store, as_role, app_routes):
    admin = as_role("admin")  # past any permission check, so the parameters are looked at
    spec = admin.get("/api/openapi.json").json()
    checked = 0
    for route in (r for r in app_routes if "GET" in r.methods):
        if "{" in route.path:
            assert_error_shape(admin.get(concrete(route)), 400, 404, 422)
            checked += 1
            continue
        required = [p["name"] for p in spec["paths"][route.path_format]["get"].get(
            "parameters", []) if p.get("required")]
        if required:
            e = assert_error_shape(admin.get(route.path), 400, 422)
            assert e["code"] in ("invalid_request", "bad_request") or e["code"].startswith(
                ("missing", "unknown", "invalid")), e
            checked += 1
        for name in _typed_query(spec, route):
            e = assert_error_shape(admin.get(route.path, params={name: WRONG}), 400, 422)
            assert name in e["message"] or name in str(e["detail"]), e
            checked += 1
    assert checked >= 5


def test_unknown_paths_under_api_are_404_in_the_shape(client):
    for path in ("/api/no-such-route", "/api/rules/T3-BAL/extra", "/api/stats/more",
                 "/api", "/api/"):
        assert assert_error_shape(client.get(path), 404)["code"] == "not_found"


def test_a_wrong_method_is_405_in_the_shape(client, app_routes):
    methods = {}
    for route in app_routes:
        methods.setdefault(route.path, set()).update(route.methods)
    for route in app_routes:
        path = concrete(route)
        for wrong in ({"GET", "POST", "PUT", "DELETE"} - methods[route.path]):
            r = client.request(wrong, path)
            e = assert_error_shape(r, 405)
            assert e["code"] == "method_not_allowed"
            assert r.headers.get("allow"), path
