"""Files served from installed packages rather than copied into ours: plotly.js comes with
the ``plotly`` package from PyPI and is served from there, so it is never fetched from a CDN."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, Response

router = APIRouter(include_in_schema=False)

YEAR = 365 * 24 * 3600


@cache
def plotly_js() -> Path:
    import plotly

    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


@router.get("/assets/plotly.min.js")
def plotly_script() -> Response:
    return FileResponse(plotly_js(), media_type="text/javascript",
                        headers={"Cache-Control": f"public, max-age={YEAR}"})


@router.get("/favicon.ico")
def favicon() -> Response:
    return Response(status_code=204)
