"""总览: a year and region at a glance — coverage, errors, findings by rule, application
outcomes and the 公开率 / 纠错率 by sub-region or agency level, with charts.

The numbers come from ``web/dashboard.py`` (store functions, short cache); this module only
turns them into plotly.js figure dicts (drawn by static/app.js from ``data-figure``) and the
page. Every chart has a table under it with the same numbers.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request

from nianbao.errors import NianbaoError
from nianbao.rules.engine import SEVERITY_CN
from nianbao.store.agencies import LEVELS
from nianbao.store.stats import DIMENSIONS, FIGURE_DEFS
from nianbao.web import dashboard as data
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)

OUTCOMES = ("granted", "partially_granted", "denied", "unavailable", "not_processed", "other")
RATES = ("disclosure_rate", "review_correction_rate", "litigation_correction_rate")
# a colour per outcome, from granted (green) to refused (red): the order people read them in
OUTCOME_COLOURS = ("#1a7f37", "#7cc68d", "#cf222e", "#e3a008", "#8c959f", "#0b5cad")
RATE_COLOURS = ("#0b5cad", "#bf8700", "#8250df")
FOOTNOTES = ("disclosure_rate", "review_correction_rate", "litigation_correction_rate",
             "share_granted")


def link(path: str, **params: Any) -> str:
    """A URL with the non-empty parameters (the corpus list and the dashboard itself)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{path}?{query}" if query else path


# ------------------------------------------------------------------ figures (plotly.js dicts)

def _layout(height: int, **extra: Any) -> dict[str, Any]:
    return {"height": height, "margin": {"l": 150, "r": 20, "t": 10, "b": 40},
            "font": {"family": "system-ui, sans-serif", "size": 12},
            "legend": {"orientation": "h", "y": -0.15, "traceorder": "normal"}, **extra}


def rules_figure(rules: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Reports with a finding of each rule (top rules, most first from the top)."""
    if not rules:
        return None
    shown = list(reversed(rules))  # plotly draws the first category at the bottom
    return {"data": [{"type": "bar", "orientation": "h", "name": "涉及报告",
                      "y": [r["code"] for r in shown], "x": [r["reports"] for r in shown],
                      "text": [r["title"] or "" for r in shown], "textposition": "none",
                      "hovertemplate": "%{y} %{text}<br>涉及报告 %{x}<extra></extra>",
                      "marker": {"color": "#0b5cad"}}],
            "layout": _layout(60 + 24 * len(shown), xaxis={"title": {"text": "涉及报告（份）"}})}


def _bars(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(reversed(rows))  # first group on top in a horizontal chart


def outcomes_figure(total: dict[str, Any], groups: list[dict[str, Any]]) -> dict[str, Any] | None:
    """Shares of 办理结果 (of 办理总计) per group and for all together, stacked."""
    rows = [{"label": "合计", **total}, *groups] if groups else [{"label": "合计", **total}]
    rows = [r for r in rows if r.get("out_total_processed")]
    if not rows:
        return None
    shown = _bars(rows)
    data_ = [{"type": "bar", "orientation": "h", "name": FIGURE_DEFS[f"out_{o}"].label,
              "y": [r["label"] for r in shown], "x": [r[f"share_{o}"] or 0 for r in shown],
              "customdata": [r[f"out_{o}"] or 0 for r in shown],
              "hovertemplate": "%{y}：%{x:.1%}（%{customdata} 件）<extra>"
                               + FIGURE_DEFS[f"out_{o}"].label + "</extra>",
              "marker": {"color": colour}}
             for o, colour in zip(OUTCOMES, OUTCOME_COLOURS, strict=True)]
    return {"data": data_, "layout": _layout(100 + 26 * len(shown), barmode="stack",
                                             xaxis={"tickformat": ".0%", "range": [0, 1]})}


def rates_figure(groups: list[dict[str, Any]]) -> dict[str, Any] | None:
    """公开率, 复议纠错率 and 诉讼纠错率 side by side for each group."""
    if not groups or all(g[k] is None for g in groups for k in RATES):
        return None
    shown = _bars(groups)
    data_ = [{"type": "bar", "orientation": "h", "name": FIGURE_DEFS[k].label,
              "y": [g["label"] for g in shown], "x": [g[k] for g in shown],
              "hovertemplate": "%{y}：%{x:.1%}<extra>" + FIGURE_DEFS[k].label + "</extra>",
              "marker": {"color": colour}}
             for k, colour in zip(RATES, RATE_COLOURS, strict=True)]
    return {"data": data_, "layout": _layout(100 + 22 * 3 * len(shown), barmode="group",
                                             xaxis={"tickformat": ".0%", "rangemode": "tozero"})}


# ------------------------------------------------------------------ the page

def _context(request: Request, raw: dict[str, str | None]) -> dict[str, Any]:
    return {"active": "/", "raw": raw, "levels": LEVELS, "by_choices": data.BY_CHOICES,
            "figure_defs": FIGURE_DEFS, "outcomes": OUTCOMES, "rates": RATES,
            "footnotes": FOOTNOTES, "severity_cn": SEVERITY_CN, "link": link,
            "cache_seconds": data.CACHE_SECONDS}


@router.get("/")
def dashboard_page(request: Request, year: str | None = None, region: str | None = None,
                   level: str | None = None, by: str | None = None):
    raw = {"year": year, "region": region, "level": level, "by": by}
    context = _context(request, raw)
    store = request.app.state.store
    try:
        filters = data.Filters.parse(year, region, level, by)
        board = data.dashboard(store, filters)
    except NianbaoError as exc:  # unknown region, bad year or level: said on the page
        with store.reading() as session:
            years = data.latest_years(session)
        return templates.TemplateResponse(request, "dashboard.html", {
            **context, "error": exc.message, "error_code": exc.code, "years": years,
            "board": None}, status_code=400)
    level_words = board.filters.level or "全部层级"
    scope = f"{board.region_name or '全国'} · {level_words}"
    return templates.TemplateResponse(request, "dashboard.html", {
        **context, "board": board, "years": board.years, "scope": scope,
        "group_header": DIMENSIONS[board.group_dim][0] if board.group_dim else "",
        "rules_figure": rules_figure(board.rules),
        "outcomes_figure": outcomes_figure(board.total, board.groups),
        "rates_figure": rates_figure(board.groups)})
