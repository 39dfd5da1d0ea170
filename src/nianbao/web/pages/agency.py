"""单位: find an agency (``/agencies``) and see it across years (``/agencies/{id}``): its
reports and editions, key figures as a chart, cross-year findings."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from nianbao.errors import NianbaoError
from nianbao.store.analysis import SeriesEntry
from nianbao.store.stats import FIGURE_DEFS
from nianbao.web.corpus import agency_detail, list_agencies, parse_page
from nianbao.web.errors import WebError
from nianbao.web.pages.corpus import STATUS_CN
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)

# the figures of the agency page's table and chart: key -> label
TABLE_FIGURES = ("apps_total", "out_total_processed", "disclosure_rate", "review_total",
                 "litigation_total", "review_correction_rate", "fee_amount")
COUNT_LINES = (("review_total", "行政复议"), ("litigation_total", "行政诉讼"))


@router.get("/agencies")
def agencies_page(request: Request, q: str | None = None, page: str | None = None):
    error, result = None, None
    with request.app.state.store.reading() as session:
        try:
            result = list_agencies(session, q, parse_page(page))
        except NianbaoError as exc:
            error = exc.message
    return templates.TemplateResponse(
        request, "agencies.html", {"active": "/agencies", "q": q or "", "page": result,
                                   "error": error},
        status_code=400 if error else 200)


def unknown_agency(agency_id: int) -> WebError:
    return WebError(404, "unknown_agency", f"没有编号为 {agency_id} 的单位；请在“单位”页面按名称"
                    "查找单位。")


@router.get("/agencies/{agency_id}")
def agency_page(request: Request, agency_id: int):
    with request.app.state.store.reading() as session:
        detail = agency_detail(session, agency_id)
    if detail is None:
        raise unknown_agency(agency_id)
    current = detail.current_entries()
    return templates.TemplateResponse(request, "agency.html", {
        "active": "/agencies", "d": detail, "a": detail.series.agency,
        "entries": detail.series.entries, "current": current,
        "previous": detail.previous_of(), "figure": series_figure(current) if current else None,
        "table_figures": [(k, FIGURE_DEFS[k]) for k in TABLE_FIGURES],
        "status_cn": STATUS_CN,
        "cross_year": [e for e in detail.series.entries if e.cross_year],
    })


def findings_total(entry: SeriesEntry) -> int:
    return sum(entry.findings.values())


def series_figure(entries: list[SeriesEntry]) -> dict[str, Any]:
    """A plotly.js figure (plain dicts): applications as bars, 复议/诉讼 and findings as
    lines on the count axis, 公开率 on a second axis in percent."""
    years = [str(e.year) for e in entries]

    def values(key: str) -> list:
        return [e.figures.get(key) for e in entries]

    def line(name: str, y: list, **extra) -> dict:
        return {"type": "scatter", "mode": "lines+markers", "name": name, "x": years, "y": y,
                **extra}

    data = [{"type": "bar", "name": FIGURE_DEFS["apps_total"].label, "x": years,
             "y": values("apps_total"), "marker": {"color": "#9ab8dc"}}]
    data += [line(label, values(key)) for key, label in COUNT_LINES]
    data.append(line("检查发现的问题", [findings_total(e) for e in entries]))
    data.append(line(FIGURE_DEFS["disclosure_rate"].label, values("disclosure_rate"),
                     yaxis="y2", line={"dash": "dot"}, hovertemplate="%{y:.1%}"))
    return {"data": data, "layout": {
        "xaxis": {"title": {"text": "年度"}, "type": "category"},
        "yaxis": {"title": {"text": "件数"}, "rangemode": "tozero"},
        "yaxis2": {"title": {"text": "公开率"}, "overlaying": "y", "side": "right",
                   "tickformat": ".0%", "range": [0, 1.05]},
        "legend": {"orientation": "h", "y": -0.2},
        "margin": {"t": 20, "r": 60, "l": 60, "b": 40}, "height": 360}}

