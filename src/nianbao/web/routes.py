"""Every router of the application, in one place."""

from __future__ import annotations

import importlib

from fastapi import FastAPI

# modules with a ``router`` (an APIRouter); pages first, then the API
ROUTERS = (
    "nianbao.web.pages.account",
    "nianbao.web.pages.rules",
    "nianbao.web.pages.static",
)


def include_all(app: FastAPI) -> None:
    for name in ROUTERS:
        app.include_router(importlib.import_module(name).router)
