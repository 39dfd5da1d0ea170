"""The numbers of the 总览 (dashboard) page, for one year, region and agency level.

Everything comes from the store's own functions, so the page shows what ``nianbao stats``,
``nianbao stats --findings`` and ``nianbao coverage`` print for the same filters:

- ``stats.stats`` grouped by the next division level under the chosen region (province →
  city → county → township; nationwide: by province) or by agency level: the totals for the
  cards and the rows for the outcome and rate charts, one SQL query;
- ``stats.finding_counts``: findings per rule (top rules), one query;
- ``analysis.coverage`` for a region (agencies in the registry versus current reports);
  nationwide the same two counts over the whole registry (``coverage`` needs a region).

The result is cached per (store, filters) for ``CACHE_SECONDS`` (env
``NIANBAO_DASHBOARD_CACHE``, 0 switches it off) because measurement says so
(benchmarks/bench_web.py on 10,000 reports, docs/benchmarks.md 网页): uncached, a dashboard
costs the server 20–40 ms of CPU (finding_counts over the year's findings is the largest
part), and with 8 concurrent clients on one server process the p95 was 200–460 ms; cached,
about 1.5 ms and a p95 well under 100 ms. Numbers are then at most that many seconds old;
the page says when they were computed.
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.store.agencies import LEVELS
from nianbao.store.analysis import (
    AnalysisError,
    coverage,
    division_paths,
    resolve_region,
)
from nianbao.store.divisions import CITY, COUNTY, PROVINCE, TOWNSHIP, dataset
from nianbao.store.models import StoredReport
from nianbao.store.selection import Selection
from nianbao.store.stats import finding_counts, stats

_R = StoredReport
# the division level a dashboard groups by under a region of each level (None: nationwide)
NEXT_LEVEL = {None: PROVINCE, PROVINCE: CITY, CITY: COUNTY, COUNTY: TOWNSHIP, TOWNSHIP: None}
BY_CHOICES = {"region": "下级地区", "level": "机关层级"}
TOP_RULES = 15
MISSING_SHOWN = 20  # agencies without a report named on the page (the count is exact)


class DashboardError(AnalysisError):
    """A filter of the dashboard that cannot be understood (shown on the page)."""


@dataclass(frozen=True)
class Filters:
    """What the visitor chose; ``year`` None means the latest year in the store."""

    year: int | None = None
    region: str | None = None
    level: str | None = None
    by: str = "region"

    @classmethod
    def parse(cls, year: str | None, region: str | None, level: str | None,
              by: str | None) -> Filters:
        """From the form's strings; DashboardError (Chinese) for a value that is not valid.
        The region is resolved later, against the division dataset."""
        year = (year or "").strip()
        if year and not (year.isascii() and year.isdigit() and len(year) == 4):
            raise DashboardError("invalid_year", f"年度“{year}”无效；请选择一个四位年份，如 2023。")
        level = (level or "").strip() or None
        if level and level not in LEVELS:
            raise DashboardError("unknown_level", f"机关层级“{level}”无效；可选：{'、'.join(LEVELS)}。")
        by = (by or "").strip() or "region"
        if by not in BY_CHOICES:
            raise DashboardError("unknown_group", f"分组方式“{by}”无效；可选：region（下级地区）、"
                                 "level（机关层级）。")
        return cls(int(year) if year else None, (region or "").strip() or None, level, by)


@dataclass
class CoverageSummary:
    expected: int  # agencies in the registry (region, level)
    received: int  # of those, with a current readable report for the year
    missing: list[Any] = field(default_factory=list)  # analysis.AgencyRef, the first few
    missing_count: int = 0

    @property
    def rate(self) -> float | None:
        return self.received / self.expected if self.expected else None


@dataclass
class Dashboard:
    filters: Filters
    years: list[int]  # years with current reports, newest first
    year: int | None  # the year shown (None: the store has no report at all)
    region_code: str | None
    region_name: str | None  # 江西省/宜春市/樟树市
    group_dim: str | None  # the stats dimension of ``groups`` (province … township, level)
    total: dict[str, Any]  # stats figures over the whole selection
    groups: list[dict[str, Any]]  # stats rows, plus ``label`` and ``region`` (for links)
    rules: list[dict[str, Any]]  # finding_counts rows, most reports first
    coverage: CoverageSummary
    computed_at: datetime = field(default_factory=datetime.now)

    @property
    def empty_store(self) -> bool:
        return not self.years


# ------------------------------------------------------------------ building

def latest_years(session: Session) -> list[int]:
    """Years with at least one current report, newest first (the year/is_current index)."""
    return list(session.scalars(select(_R.year).distinct()
                                .where(_R.is_current.is_(True), _R.year.is_not(None))
                                .order_by(_R.year.desc())))


def group_dimension(division_level: str | None, by: str, region_code: str | None) -> str | None:
    """The stats dimension the groups are by: the next division level down, or agency level
    (also under a township, which has no level below it)."""
    if by == "level":
        return "level"
    dim = NEXT_LEVEL[division_level]
    if dim == CITY and region_code and _municipal(region_code):
        dim = COUNTY  # 北京市 has one "city" (北京市 again): its districts are what matters
    return dim or "level"


def _municipal(province_code: str) -> bool:
    ds = dataset()
    first_city = ds.by_code.get(province_code[:2] + "0100000000")
    return first_city is not None and ds.is_municipal_city(first_city)


def build(session: Session, filters: Filters) -> Dashboard:
    """The dashboard's numbers (uncached); DashboardError/AnalysisError for a bad filter."""
    division = resolve_region(filters.region) if filters.region else None
    years = latest_years(session)
    year = filters.year or (years[0] if years else None)
    region_code = division.code if division else None
    dim = group_dimension(division.level if division else None, filters.by, region_code)
    if year is None:  # nothing stored at all: no query can find anything
        return Dashboard(filters, years, None, region_code, _path(session, region_code), dim,
                         stats(session, filters=Selection()).total, [], [],
                         _coverage(session, None, None, filters.level))
    selection = Selection(years=(year,), region=region_code, level=filters.level)
    table = stats(session, group_by=[dim], filters=selection)
    groups = [_labelled(row, dim, division) for row in table.rows]
    counts = finding_counts(session, filters=selection)
    rules = sorted(counts.rows, key=lambda r: (-r["reports"], -r["findings"], r["code"]))
    return Dashboard(filters, years, year, region_code, _path(session, region_code), dim,
                     table.total, groups, rules[:TOP_RULES],
                     _coverage(session, region_code, year, filters.level))


def _path(session: Session, code: str | None) -> str | None:
    return division_paths(session, [code]).get(code) if code else None


def _labelled(row: dict[str, Any], dim: str, division) -> dict[str, Any]:
    """A stats row with a ``label`` for people and the ``region`` code its links filter by.
    Reports not placed at the group's level are the chosen region's own agencies (宜春市's
    government grouped by county), or, nationwide, reports whose region is unknown."""
    row = dict(row)
    if dim == "level":
        row["label"] = row["level"] or "（层级未知）"
        row["region"] = division.code if division else None
        return row
    code = row[f"{dim}_code"]
    if code is not None:
        row["label"], row["region"] = row[dim] or code, code
    elif division is not None:
        row["label"], row["region"] = f"{division.name}本级", None
    else:
        row["label"], row["region"] = "（地区未定位）", None
    return row


def _coverage(session: Session, region_code: str | None, year: int | None,
              level: str | None) -> CoverageSummary:
    # nationwide only the counts: the list of every agency without a report is not shown
    found = coverage(session, region_code or None, year, level=level,
                     with_missing=bool(region_code))
    return CoverageSummary(found.expected, found.received, found.missing[:MISSING_SHOWN],
                           found.expected - found.received)


# ------------------------------------------------------------------ the short cache

def _cache_seconds() -> float:
    try:
        return float(os.environ.get("NIANBAO_DASHBOARD_CACHE", "30"))
    except ValueError:
        return 30.0


CACHE_SECONDS = _cache_seconds()
_CACHE_SIZE = 256  # filter combinations kept; the oldest goes first
_cache: OrderedDict[tuple, tuple[float, Dashboard]] = OrderedDict()
_lock = threading.Lock()


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def dashboard(store, filters: Filters) -> Dashboard:
    """The dashboard for ``filters``, from the cache when computed less than CACHE_SECONDS
    ago. Bad filters raise every time (errors are not cached)."""
    key = (store.url, filters)
    now = time.monotonic()
    if CACHE_SECONDS > 0:
        with _lock:
            hit = _cache.get(key)
            if hit is not None and hit[0] > now:
                _cache.move_to_end(key)
                return hit[1]
    with store.reading() as session:
        result = build(session, filters)
    if CACHE_SECONDS > 0:
        with _lock:
            _cache[key] = (now + CACHE_SECONDS, result)
            while len(_cache) > _CACHE_SIZE:
                _cache.popitem(last=False)
    return result
