"""The FastAPI application of ``nianbao serve``: pages under ``/``, the REST API under
``/api/``, static files (htmx and plotly.js, served by the app itself) under ``/static/``."""

from __future__ import annotations

from pathlib import Path

from fastapi import Depends, FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from nianbao.store import Store
from nianbao.version import __version__
from nianbao.web import errors
from nianbao.web.auth import SESSION_COOKIE, guard, session_secret
from nianbao.web.settings import WebSettings

STATIC = Path(__file__).parent / "static"


def create_app(settings: WebSettings | None = None, store: Store | None = None) -> FastAPI:
    settings = settings or WebSettings()
    store = store or Store(settings.database_url)
    with store.session() as session:
        secret = session_secret(session)
    app = FastAPI(
        title="nianbao 年报 API",
        version=__version__,
        description="政府信息公开工作年度报告的检查、存储与分析。所有错误的形式相同："
                    '`{"error": {"code": ..., "message": ..., "detail": ...}}`。',
        dependencies=[Depends(guard)],
        # the OpenAPI description only: FastAPI's documentation pages load their scripts
        # from a CDN, which an intranet does not reach and which we never load
        # (served below as an ordinary route, so that it too is behind ``guard``)
        docs_url=None, redoc_url=None, openapi_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.add_middleware(SessionMiddleware, secret_key=secret, session_cookie=SESSION_COOKIE,
                       max_age=settings.session_max_age, same_site="lax",
                       https_only=settings.secure_cookies)
    errors.install(app)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    from nianbao.web.routes import include_all

    include_all(app)

    @app.get("/api/openapi.json", include_in_schema=False)
    def openapi_description() -> dict:
        return app.openapi()

    return app
