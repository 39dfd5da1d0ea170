"""Every router of the application, in one place."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

# modules with a ``router`` (an APIRouter); pages first, then the API
ROUTERS = (
    "nianbao.web.pages.account",
    "nianbao.web.pages.dashboard",
    "nianbao.web.pages.admin_users",
    "nianbao.web.pages.admin_agencies",
    "nianbao.web.pages.rules",
    "nianbao.web.pages.corpus",
    "nianbao.web.pages.agency",
    "nianbao.web.pages.compare",
    "nianbao.web.pages.check",
    "nianbao.web.pages.report",
    "nianbao.web.pages.static",
    "nianbao.web.api.check",
    "nianbao.web.api.reports_detail",
    "nianbao.web.api.me",
    "nianbao.web.api.corpus",
    "nianbao.web.api.agencies",
    "nianbao.web.api.compare",
    "nianbao.web.api.stats",
    "nianbao.web.api.export",
    "nianbao.web.api.rules",
)


def include_all(app: FastAPI) -> None:
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
