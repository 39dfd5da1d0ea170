"""年报库 and 单位 lists: the SQL behind ``/reports``, ``/agencies`` and their API.

Lists must answer quickly over 10,000 reports (docs/benchmarks.md), so each page of a list is
one query for its rows (agency name by a join, region paths from the in-memory divisions
dataset, never ``report_json``) plus one count; filters are ``store.selection.Selection``
(the same as ``stats`` and ``export``) plus a name search built like
``store.agencies.search_agencies``: registered name, alias, the place (township, street …)
an agency is registered in, or the agency name as printed in a report.

Parameters come as text (from a GET form or an API query) and are checked here with
Chinese messages (``ListError``/``SelectionError``, both turned into 400 by the app).
"""

from __future__ import annotations

import math
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Annotated, Any

from fastapi import Query
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.store.agencies import normalise_name
from nianbao.store.analysis import (
    Series,
    SeriesEntry,
    division_paths,
    resolve_region,
    series,
)
from nianbao.store.divisions import path_text
from nianbao.store.models import Agency, AgencyAlias, Division, Document, StoredReport
from nianbao.store.selection import Selection, parse_years

_R = StoredReport
PAGE_SIZES = (20, 50, 100, 200)
DEFAULT_SIZE = 50
_AGENCY_NAME = func.coalesce(Agency.name, _R.agency_name)
# sort key -> (Chinese label, column); ties are broken by agency name, year, then id
SORTS: dict[str, tuple[str, Any]] = {
    "year": ("年度", _R.year),
    "agency": ("单位", _AGENCY_NAME),
    "score": ("评分", _R.score),
    "errors": ("错误数", _R.errors),
    "ingested": ("入库时间", _R.ingested_at),
}
ORDERS = {"asc": "升序", "desc": "降序"}
_TRUE = ("1", "true", "yes", "on", "是", "有")
_FALSE = ("0", "false", "no", "off", "否", "无")


class ListError(NianbaoError):
    """A list parameter that cannot be used (page, page size, sort, yes/no value);
    ``detail`` is data for scripts (the API's ``error.detail``)."""

    def __init__(self, code: str, message: str, detail: Any = None) -> None:
        super().__init__(code, message)
        self.detail = detail


# ------------------------------------------------------------------ parameters

@dataclass
class ListParams:
    """The raw parameters of ``/reports`` and ``GET /api/reports`` (text, as sent)."""

    year: str | None = None
    region: str | None = None
    level: str | None = None
    layout: str | None = None
    has_errors: str | None = None
    rule: str | None = None
    q: str | None = None
    include_failed: str | None = None
    include_superseded: str | None = None
    sort: str | None = None
    order: str | None = None
    page: str | None = None
    size: str | None = None

    def link(self, **changes: Any) -> str:
        """``?a=…&b=…`` with these changes: the filter state in every link of the list."""
        from urllib.parse import urlencode

        values = {**asdict(self), **changes}
        return "?" + urlencode({k: v for k, v in values.items() if v not in (None, "")})


def list_params(
    year: Annotated[str | None, Query(description="年度：2023、2021-2023 或 2019,2021")] = None,
    region: Annotated[str | None, Query(description="地区（任一级）：代码 360982、名称 樟树市、"
                                        "路径 江西省/宜春市 或 江西省宜春市")] = None,
    level: Annotated[str | None, Query(description="机关层级：政府 / 部门 / 乡镇街道")] = None,
    layout: Annotated[str | None, Query(description="格式：2021 / 2019 / mixed")] = None,
    has_errors: Annotated[str | None, Query(description="有错误：yes 只含有错误的，no 只含无错误的")] = None,
    rule: Annotated[str | None, Query(description="有这些规则问题的报告：代码或前缀，逗号分隔，"
                                      "如 T3-BAL 或 T3,X")] = None,
    q: Annotated[str | None, Query(description="单位名称片段（含乡镇、街道名）")] = None,
    include_failed: Annotated[str | None, Query(description="包含无法读取的文件：1")] = None,
    include_superseded: Annotated[str | None, Query(description="包含被取代的旧版本：1")] = None,
    sort: Annotated[str | None, Query(description="排序：year / agency / score / errors / ingested")] = None,
    order: Annotated[str | None, Query(description="asc 升序 / desc 降序")] = None,
    page: Annotated[str | None, Query(description="页码，从 1 开始")] = None,
    size: Annotated[str | None, Query(description="每页条数：20 / 50 / 100 / 200")] = None,
) -> ListParams:
    """A FastAPI dependency: the list parameters, documented in the OpenAPI description."""
    return ListParams(year, region, level, layout, has_errors, rule, q, include_failed,
                      include_superseded, sort, order, page, size)


def _text(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def parse_flag(value: str | None, name: str, *, tristate: bool = False) -> bool | None:
    text = (_text(value) or "").lower()
    if not text:
        return None if tristate else False
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ListError("bad_flag", f"参数 {name} 的值“{value}”无效；请写 yes（是）或 no（否）。")


def parse_page(value: str | None) -> int:
    text = _text(value)
    if text is None:
        return 1
    if not re.fullmatch(r"-?\d+", text) or int(text) < 1:
        raise ListError("bad_page", f"页码“{value}”无效；页码是从 1 开始的整数。")
    return int(text)


def parse_size(value: str | None) -> int:
    text = _text(value)
    if text is None:
        return DEFAULT_SIZE
    if not text.isdigit() or int(text) not in PAGE_SIZES:
        raise ListError("bad_page_size", f"每页条数“{value}”无效；可选："
                        f"{'、'.join(map(str, PAGE_SIZES))}。")
    return int(text)


@dataclass(frozen=True)
class ListQuery:
    selection: Selection
    q: str | None = None
    sort: str = "year"
    order: str = "desc"
    page: int = 1
    size: int = DEFAULT_SIZE
    region_path: str | None = None  # the region filter as resolved, for people


def parse_query(p: ListParams) -> ListQuery:
    """The checked query; ListError / SelectionError / AnalysisError (Chinese) when a
    parameter names nothing known."""
    region = _text(p.region)
    division = resolve_region(region) if region else None
    selection = Selection(
        years=parse_years([p.year] if _text(p.year) else []),
        region=division.code if division else None, level=_text(p.level),
        layout=_text(p.layout), has_errors=parse_flag(p.has_errors, "has_errors", tristate=True),
        rule=_text(p.rule), include_superseded=bool(parse_flag(p.include_superseded,
                                                                 "include_superseded")),
        include_failed=bool(parse_flag(p.include_failed, "include_failed"))).validate()
    sort = _text(p.sort) or "year"
    if sort not in SORTS:
        raise ListError("bad_sort", f"无法按“{sort}”排序；可选："
                        f"{'、'.join(f'{k}（{v[0]}）' for k, v in SORTS.items())}。")
    order = (_text(p.order) or ("asc" if sort == "agency" else "desc")).lower()
    if order not in ORDERS:
        raise ListError("bad_order", f"排序方向“{p.order}”无效；可选：asc（升序）、desc（降序）。")
    return ListQuery(selection, _text(p.q), sort, order, parse_page(p.page), parse_size(p.size),
                     path_text(division.code) or division.name if division else None)


# ------------------------------------------------------------------ results

@dataclass
class ReportRow:
    id: int
    agency_id: int | None
    agency: str | None  # registered name (else as printed)
    printed_name: str | None  # as printed in the report
    year: int | None
    layout: str | None
    status: str  # ok / partial / failed
    current: bool
    superseded_by: int | None
    score: int | None
    errors: int
    warnings: int
    infos: int
    level: str | None
    region_code: str | None  # the most specific division of the agency
    region: str | None  # its path 江西省/宜春市/樟树市
    filename: str | None
    error_message: str | None  # why a failed document could not be read
    ingested_at: datetime | None


@dataclass
class Page:
    items: list
    total: int
    page: int
    size: int
    pages: int = field(init=False)

    def __post_init__(self) -> None:
        self.pages = max(1, math.ceil(self.total / self.size))

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to show: first, last and a window around the current one (None: …)."""
        keep = {1, self.pages, *range(self.page - around, self.page + around + 1)}
        out: list[int | None] = []
        for n in sorted(x for x in keep if 1 <= x <= self.pages):
            if out and n - (out[-1] or 0) > 1:
                out.append(None)
            out.append(n)
        return out


def _check_page(page: int, size: int, total: int) -> None:
    pages = max(1, math.ceil(total / size))
    if page > pages:
        raise ListError("page_out_of_range", f"第 {page} 页超出范围：共 {total} 条，每页 {size} 条，"
                        f"只有 {pages} 页；请选择第 1 到第 {pages} 页。", {"total": total, "pages": pages})


def name_clause(fragment: str):
    """Agencies matching a name fragment: name, alias, the place they are registered in
    (township, street …), or the name printed in one of their reports."""
    frag = normalise_name(fragment)
    places = select(Division.code).where(Division.name.contains(frag, autoescape=True))
    aliases = select(AgencyAlias.agency_id).where(AgencyAlias.alias.contains(frag, autoescape=True))
    printed = select(_R.agency_id).where(_printed(fragment, frag))
    return or_(Agency.name.contains(frag, autoescape=True), Agency.id.in_(aliases),
               Agency.region_code.in_(places), Agency.id.in_(printed))


def _printed(fragment: str, frag: str):
    return or_(_R.agency_name.contains(frag, autoescape=True),
               _R.agency_name.contains(fragment.strip(), autoescape=True))


def _report_where(query: ListQuery, stmt):
    stmt = query.selection.apply(stmt)
    if query.q:
        frag = normalise_name(query.q)
        agencies = select(Agency.id).where(name_clause(query.q))
        files = select(Document.sha256).where(Document.filename.contains(query.q.strip(),
                                                                          autoescape=True))
        matches = [_R.agency_id.in_(agencies), _printed(query.q, frag)]
        if query.selection.include_failed:  # an unreadable file is known by its file name only
            matches.append(_R.document_sha.in_(files))
        stmt = stmt.where(or_(*matches))
    return stmt


def list_reports(session: Session, query: ListQuery) -> Page:
    """One page of reports (ListError when the page is beyond the last one)."""
    total = session.scalar(_report_where(query, select(func.count(_R.id)))) or 0
    _check_page(query.page, query.size, total)
    column = SORTS[query.sort][1]
    primary = column.asc() if query.order == "asc" else column.desc()
    ties = {"agency": _AGENCY_NAME.asc(), "year": _R.year.desc(), "id": _R.id.asc()}
    order_by = [primary.nulls_last(), *(t.nulls_last() for k, t in ties.items()
                                        if k != query.sort)]
    # The page's ids first, from the narrow reports row and the agency's name only: joining
    # documents here would make SQLite read every report's original bytes (the file name is
    # stored after them) and a deep OFFSET would sort thousands of wide rows. Then the page's
    # 50 rows in full.
    ids_stmt = _report_where(query, select(_R.id).select_from(_R)
                             .outerjoin(Agency, Agency.id == _R.agency_id)).order_by(*order_by)
    ids = list(session.scalars(ids_stmt.limit(query.size).offset((query.page - 1) * query.size)))
    stmt = (select(_R.id, _R.agency_id, Agency.name.label("registered"), _R.agency_name,
                   _R.year, _R.layout, _R.status, _R.is_current, _R.superseded_by, _R.score,
                   _R.errors, _R.warnings, _R.infos, _R.agency_level, _R.province_code,
                   _R.city_code, _R.county_code, _R.township_code, Document.filename,
                   _R.error_message, _R.ingested_at)
            .select_from(_R).outerjoin(Agency, Agency.id == _R.agency_id)
            .join(Document, Document.sha256 == _R.document_sha).where(_R.id.in_(ids)))
    by_id = {r.id: r for r in session.execute(stmt)} if ids else {}
    rows = [by_id[i] for i in ids]
    codes = [r.township_code or r.county_code or r.city_code or r.province_code for r in rows]
    paths = _paths(session, codes)
    items = [ReportRow(
        r.id, r.agency_id, r.registered or r.agency_name, r.agency_name, r.year, r.layout,
        r.status, bool(r.is_current), r.superseded_by, r.score, r.errors, r.warnings, r.infos,
        r.agency_level, code, paths.get(code), r.filename, r.error_message, r.ingested_at)
        for r, code in zip(rows, codes, strict=True)]
    return Page(items, total, query.page, query.size)


def _paths(session: Session, codes: list[str | None]) -> dict[str, str]:
    """Region paths from the packaged dataset in memory; codes of an older dataset still in
    the table (rare) from the divisions table, in one query per level."""
    paths = {c: path_text(c) for c in set(codes) if c}
    missing = [c for c, p in paths.items() if not p]
    return {**paths, **division_paths(session, missing)} if missing else paths


def stored_years(session: Session) -> list[int]:
    """The years of the stored reports, newest first (for the year filter's suggestions)."""
    return list(session.scalars(select(_R.year).where(_R.year.is_not(None)).distinct()
                                .order_by(_R.year.desc())))


# ------------------------------------------------------------------ agencies

@dataclass
class AgencyRow:
    id: int
    name: str
    level: str | None
    region_code: str | None
    region: str | None
    reports: int  # current readable reports
    first_year: int | None
    last_year: int | None


def list_agencies(session: Session, q: str | None, page: int = 1,
                  size: int = DEFAULT_SIZE) -> Page:
    """Agencies by name (all, or those matching ``q`` as the report list's name search
    does), with how many current reports they have and for which years."""
    where = [name_clause(q)] if q and normalise_name(q) else []
    total = session.scalar(select(func.count(Agency.id)).where(*where)) or 0
    _check_page(page, size, total)
    joined = ((_R.agency_id == Agency.id) & _R.is_current.is_(True) & (_R.status != "failed"))
    stmt = (select(Agency.id, Agency.name, Agency.level, Agency.region_code,
                   func.count(_R.id), func.min(_R.year), func.max(_R.year))
            .select_from(Agency).outerjoin(_R, joined).where(*where)
            .group_by(Agency.id, Agency.name, Agency.level, Agency.region_code)
            .order_by(Agency.name, Agency.id).limit(size).offset((page - 1) * size))
    rows = session.execute(stmt).all()
    paths = _paths(session, [r[3] for r in rows])
    items = [AgencyRow(i, n, lv, code, paths.get(code), count, first, last)
             for i, n, lv, code, count, first, last in rows]
    return Page(items, total, page, size)


@dataclass
class AgencyDetail:
    series: Series  # the agency (id, name, level, region path) and its reports by year
    aliases: list[str]
    origin: str  # auto / imported / edited

    def current_entries(self) -> list[SeriesEntry]:
        return [e for e in self.series.entries if e.current and e.year is not None]

    def previous_of(self) -> dict[int, int]:
        """report id -> the id of the agency's current report of the nearest earlier year."""
        out, last = {}, None
        for e in self.current_entries():
            if last is not None:
                out[e.report_id] = last
            last = e.report_id
        return out


def agency_detail(session: Session, agency_id: int) -> AgencyDetail | None:
    """The agency with this id and its series (``analysis.series``), or None."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        return None
    aliases = list(session.scalars(select(AgencyAlias.alias)
                                   .where(AgencyAlias.agency_id == agency_id)
                                   .order_by(AgencyAlias.alias)))
    return AgencyDetail(series(session, agency_id), aliases, agency.origin)
