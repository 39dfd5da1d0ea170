"""年报库: the filterable, sortable, paginated list of stored reports (``/reports``).

The filter form is a plain GET form (works without JavaScript; the URL keeps the state);
with htmx it asks for the same URL with ``HX-Request`` and gets only the results partial.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from nianbao.errors import NianbaoError
from nianbao.layouts import layouts
from nianbao.rules import all_rules
from nianbao.store.agencies import LEVELS
from nianbao.web.corpus import (
    ORDERS,
    PAGE_SIZES,
    SORTS,
    ListParams,
    list_params,
    list_reports,
    parse_query,
    stored_years,
)
from nianbao.web.templating import templates

router = APIRouter(include_in_schema=False)

STATUS_CN = {"ok": "完整", "partial": "不完整", "failed": "无法读取"}


def is_partial_request(request: Request) -> bool:
    """An htmx request for the results only; a history restore (back button after the page
    left htmx's cache) needs the whole page."""
    return (request.headers.get("hx-request") == "true"
            and request.headers.get("hx-history-restore-request") != "true")


@router.get("/reports")
def corpus_page(request: Request, params: Annotated[ListParams, Depends(list_params)]):
    store = request.app.state.store
    error, page, query = None, None, None
    with store.reading() as session:
        years = stored_years(session)
        try:
            query = parse_query(params)
            page = list_reports(session, query)
        except NianbaoError as exc:
            error = exc.message
    partial = is_partial_request(request)
    context = {
        "active": "/reports", "params": params, "query": query, "page": page, "error": error,
        "years": years, "levels": LEVELS, "layouts": (*layouts(), "mixed"),
        "rules": sorted(all_rules()), "sorts": SORTS, "orders": ORDERS, "sizes": PAGE_SIZES,
        "status_cn": STATUS_CN,
    }
    # htmx does not swap 4xx answers, so a filter naming nothing known (unknown region …)
    # answers 200 with the message in the partial; a whole page says 400
    status = 400 if error and not partial else 200
    response = templates.TemplateResponse(
        request, "corpus_results.html" if partial else "corpus.html", context,
        status_code=status)
    response.headers["Vary"] = "HX-Request"
    return response
