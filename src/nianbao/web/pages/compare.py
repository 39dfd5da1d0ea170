"""对比: two stored reports side by side (``/compare?a=ID&b=ID``): metadata that differs,
the official tables of both with the differing cells highlighted, the list of those cells
with both values and the difference, and section texts sentence by sentence (<del>/<ins>)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from lxml import html as lxml_html
from markupsafe import Markup

from nianbao.model import Report
from nianbao.report_html import _Marks, table2_html, table3_html, table4_html
from nianbao.store.compare import Comparison
from nianbao.store.records import load_report
from nianbao.web.api.compare import compare_pair, difference
from nianbao.web.errors import WebError
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)

TABLE_CN = {"table2": "表二", "table3": "表三", "table4": "表四"}
CHANGED = "changed"  # the CSS class of a differing cell in the official tables


@router.get("/compare")
def compare_page(request: Request, a: str | None = None, b: str | None = None):
    context: dict[str, Any] = {"active": "/compare", "a": a or "", "b": b or "",
                               "table_cn": TABLE_CN}
    if not (a or "").strip() and not (b or "").strip():
        return templates.TemplateResponse(request, "compare.html", context)  # the form only
    try:
        with request.app.state.store.reading() as session:
            result, row_a, row_b = compare_pair(session, a, b)
            reports = load_report(session, row_a), load_report(session, row_b)
    except WebError as exc:
        context["error"] = exc.message
        return templates.TemplateResponse(request, "compare.html", context,
                                          status_code=exc.status)
    context.update(result=result, cells=cell_rows(result), meta=meta_rows(result),
                   tables=side_by_side(result, *reports))
    return templates.TemplateResponse(request, "compare.html", context)


def cell_rows(result: Comparison) -> list[dict[str, Any]]:
    return [{**vars(d), "difference": difference(d.a, d.b),
             "anchor": f"{d.table}-{d.row}-{d.column}"} for d in result.cells]


_CONTACT = {"address": "地址", "phone": "电话", "postcode": "邮编", "email": "邮箱"}


def _shown(field: str, value) -> str:
    """A metadata value for people: the period as a range, lists joined, contacts named."""
    if value is None or value == [] or value == {}:
        return "—"
    if isinstance(value, dict):
        return "；".join(f"{_CONTACT.get(k, k)}：{v}" for k, v in value.items() if v) or "—"
    if isinstance(value, list):
        return " 至 ".join(map(str, value)) if field == "period" else "、".join(map(str, value))
    return str(value)


def meta_rows(result: Comparison) -> list[dict[str, str]]:
    return [{"label": m["label"], "a": _shown(m["field"], m["a"]),
             "b": _shown(m["field"], m["b"])} for m in result.meta]


def side_by_side(result: Comparison, report_a: Report | None, report_b: Report | None
                 ) -> list[tuple[str, Markup | None, Markup | None]]:
    """(table, HTML of a, HTML of b) for tables 二/三/四 in the official layout, differing
    cells flagged. The HTML is built by lxml (report_html), which escapes every text."""
    flagged = {(d.table, d.row, d.column): CHANGED for d in result.cells}
    out = []
    for key, draw in (("table2", table2_html), ("table3", table3_html), ("table4", table4_html)):
        sides = []
        for prefix, report in (("a", report_a), ("b", report_b)):
            if report is None:
                sides.append(None)
                continue
            element = draw(report, flagged, _Marks(prefix, []))
            sides.append(Markup(lxml_html.tostring(element, encoding="unicode")))
        out.append((key, *sides))
    return out
