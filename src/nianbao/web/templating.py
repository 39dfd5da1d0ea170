"""Jinja2 templates with autoescaping on, and the helpers every page uses.

Report content is untrusted (a report may contain ``<script>``): templates print it with
``{{ }}``, which escapes it; nothing from a report is ever marked safe.
"""

from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates
from markupsafe import Markup, escape

from nianbao.version import __version__
from nianbao.web.auth import ROLE_NAMES, csrf_token, role_at_least

TEMPLATES = Path(__file__).parent / "templates"

templates = Jinja2Templates(directory=str(TEMPLATES))
env = templates.env
env.autoescape = True  # for every file name, not only *.html
env.trim_blocks = env.lstrip_blocks = True

# top navigation: (path, label)
NAV = (
    ("/", "总览"),
    ("/check", "检查"),
    ("/reports", "年报库"),
    ("/agencies", "单位"),
    ("/compare", "对比"),
    ("/rules", "规则"),
)


def _csrf_input(request) -> Markup:
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(csrf_token(request))


def _user_of(request):
    """The visitor, also on error pages rendered before the app-wide ``guard`` ran."""
    from nianbao.web.auth import load_user
    from nianbao.web.errors import WebError

    try:
        return load_user(request)
    except WebError:
        return None


def _number(value, digits: int = 0) -> str:
    """Numbers as people read them: thousands separators, no trailing .0."""
    if value is None:
        return "—"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits or 2}f}"
    return f"{int(value):,}"


def _percent(value) -> str:
    return "—" if value is None else f"{value:.1%}"


env.globals.update(nav=NAV, user_of=_user_of, version=__version__, role_names=ROLE_NAMES,
                   csrf_input=_csrf_input, csrf_token=csrf_token, role_at_least=role_at_least)
env.filters.update(number=_number, percent=_percent)
__all__ = ["Markup", "env", "escape", "templates"]
