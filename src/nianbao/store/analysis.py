"""Looking into the store: coverage of a region, an agency's series, search by name.

Regions and agencies are named by people, so each is resolved here with a Chinese error
that says what was not found and suggests close names (``AnalysisError``). The comparison
of two reports is in ``store/compare.py``; grouped statistics in ``store/stats.py``.
"""

from __future__ import annotations

import difflib
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session, aliased

from nianbao.errors import NianbaoError
from nianbao.normalize import fold
from nianbao.store.agencies import find_agency, normalise_name
from nianbao.store.models import Agency, AgencyAlias, Division, StoredFinding, StoredReport
from nianbao.store.selection import Selection, SelectionError
from nianbao.store.stats import derive, group_sums

_R = StoredReport
CROSS_YEAR = "X-"  # codes of the cross-year rules


class AnalysisError(NianbaoError):
    """A region, agency or report named by a person that is not in the store."""


def _hint(candidates: list[str]) -> str:
    return f"您是不是要找：{'、'.join(candidates)}？" if candidates else ""


def _close(text: str, names: list[str], n: int = 5) -> list[str]:
    """Close names first (difflib), then names containing the text, without repeats."""
    close = difflib.get_close_matches(text, names, n=n, cutoff=0.4)
    close += [x for x in names if text in x and x not in close]
    return close[:n]


def _like_any(column, text: str):
    """Rows whose ``column`` shares a two-character piece with ``text`` (suggestion pool)."""
    pieces = {text[i:i + 2] for i in range(max(len(text) - 1, 1))} or {text}
    return or_(*(column.contains(p, autoescape=True) for p in pieces))


# ------------------------------------------------------------------ regions

def division_paths(session: Session, codes) -> dict[str, str]:
    """江西省/宜春市/樟树市 for each division code (walking parent links, one query a level)."""
    known: dict[str, tuple[str, str | None]] = {}
    pending = {c for c in codes if c}
    while pending:
        rows = session.execute(select(Division.code, Division.name, Division.parent_code)
                               .where(Division.code.in_(pending))).all()
        known.update({code: (name, parent) for code, name, parent in rows})
        pending = {p for _, _, p in rows if p and p not in known}
    paths = {}
    for code in {c for c in codes if c in known}:
        names, at = [], code
        while at in known:
            name, parent = known[at]
            if not names or names[-1] != name:  # 北京市/北京市（市辖区） said once
                names.append(name)
            at = parent
        paths[code] = "/".join(reversed(names))
    return paths


def region_suggestions(text: str, n: int = 5) -> list[str]:
    """Division names close to ``text`` (with their path), from the packaged dataset."""
    from nianbao.store.divisions import dataset, path_text

    text = fold(text or "").replace("／", "/").split("/")[-1]
    if not text:
        return []
    rows = dataset().rows
    pool = sorted({d.name for d in rows if _shares_piece(d.name, text)})
    names = _close(text, pool, n)
    by_name = {d.name: d.code for d in reversed(rows)}  # the first division of each name
    return [f"{x}（{path_text(by_name[x])}）" for x in names]


def _shares_piece(name: str, text: str) -> bool:
    return any(text[i:i + 2] in name for i in range(max(len(text) - 1, 1)))


def resolve_region(text: str):
    """The division (``divisions.Div``: code, name, level) a person names by a code (360982,
    360982000000), a name (樟树市, 樟树) or a path (江西省/宜春市/樟树市) — resolved as every
    other command resolves ``--region`` (``Selection``). Unknown: close names suggested."""
    try:
        return Selection(region=text).validate().division
    except SelectionError as exc:
        if exc.code not in ("region_unknown", "unknown_region") or not (text or "").strip():
            raise
        hint = _hint(region_suggestions(text))
        raise AnalysisError("unknown_region", f"{exc.message.rstrip('。')}。{hint}".rstrip()) from None


def region_tree(code: str):
    """A recursive CTE of a division's code and every code under it. Parent links rather
    than code prefixes: the hierarchy is what the divisions table says, whatever the shape of
    the codes (synthetic township codes, 省直辖县级行政区划, an older dataset's codes)."""
    tree = select(Division.code.label("code")).where(Division.code == code).cte(
        "region_tree", recursive=True)
    child = aliased(Division)
    return tree.union_all(select(child.code).where(child.parent_code == tree.c.code))


# ------------------------------------------------------------------ agencies

@dataclass
class AgencyRef:
    id: int
    name: str
    level: str | None
    region_code: str | None
    region: str | None  # path of names


def _agency_refs(session: Session, agencies: list[Agency]) -> list[AgencyRef]:
    paths = division_paths(session, [a.region_code for a in agencies])
    return [AgencyRef(a.id, a.name, a.level, a.region_code, paths.get(a.region_code))
            for a in agencies]


def resolve_agency(session: Session, text: str | int) -> Agency:
    """An agency by id, by its registered name, or by one of its aliases (names as printed).
    Raises AnalysisError with close names when there is none."""
    if isinstance(text, int) or str(text).strip().isdigit():
        found = session.get(Agency, int(text))
        if found is not None:
            return found
        raise AnalysisError("unknown_agency", f"没有编号为 {text} 的机关；可用 nianbao search 查找机关。")
    name = normalise_name(text)
    if not name:
        raise AnalysisError("unknown_agency", "机关名称不能为空。")
    found = find_agency(session, name)
    if found is not None:
        return found
    pool = set(session.scalars(select(Agency.name).where(_like_any(Agency.name, name))
                               .limit(500)))
    hint = _hint(_close(name, sorted(pool)))
    raise AnalysisError("unknown_agency", f"年报库中没有名为“{text}”的机关；{hint}"
                        "可用 nianbao search 片段 查找机关的准确名称。")


# ------------------------------------------------------------------ coverage

@dataclass
class Coverage:
    """Agencies registered in a region and whether their report for a year is stored."""

    region_code: str | None  # None: the whole registry (全国)
    region: str
    year: int | None
    level: str | None
    expected: int  # agencies registered in the region (and level)
    received: int  # of those, with a current readable report for the year
    missing: list[AgencyRef] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        return self.received / self.expected if self.expected else None

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "rate": self.rate}


def coverage(session: Session, region: str | None, year: int | None, *,
             level: str | None = None, with_missing: bool = True) -> Coverage:
    """Which agencies of ``region`` (at any depth below it; None: the whole registry) have no
    report for ``year`` (None: nothing is counted as received). ``with_missing`` False
    leaves the list of agencies without a report empty (counts only)."""
    where = []
    division = resolve_region(region) if region is not None else None
    if division is not None:
        where.append(Agency.region_code.in_(select(region_tree(division.code).c.code)))
    if level:
        where.append(Agency.level == level)
    expected = session.scalar(select(func.count(Agency.id)).where(*where)) or 0
    received, missing = 0, []
    if year is not None:
        has_report = exists().where(_R.agency_id == Agency.id, _R.year == year,
                                    _R.is_current.is_(True), _R.status != "failed")
        received = session.scalar(select(func.count(Agency.id)).where(*where, has_report)) or 0
        if with_missing:
            missing = list(session.scalars(select(Agency).where(*where, ~has_report)
                                           .order_by(Agency.region_code, Agency.name)))
    if division is None:
        return Coverage(None, "全国", year, level, expected, received,
                        _agency_refs(session, missing))
    path = division_paths(session, [division.code]).get(division.code, division.name)
    return Coverage(division.code, path, year, level, expected, received,
                    _agency_refs(session, missing))


# ------------------------------------------------------------------ series

SERIES_FIGURES = ("apps_total", "out_total_processed", "disclosure_rate", "review_total",
                  "review_correction_rate", "litigation_total", "litigation_correction_rate",
                  "fee_amount")


@dataclass
class SeriesEntry:
    report_id: int
    year: int | None
    current: bool  # False: superseded by a newer document of the same agency and year
    superseded_by: int | None
    status: str
    layout: str | None
    published: str | None
    agency_name: str | None  # as printed in the report
    score: int | None
    errors: int
    warnings: int
    infos: int
    figures: dict[str, Any]  # every FIGURE_DEFS value for this one report
    findings: dict[str, int]  # rule code -> number of findings
    cross_year: list[dict[str, str]]  # X- findings: code and message


@dataclass
class Series:
    agency: AgencyRef
    entries: list[SeriesEntry]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def series(session: Session, agency: str | int) -> Series:
    """An agency's stored reports by year (current first within a year, then older
    editions), with the figures and findings of each."""
    found = resolve_agency(session, agency)
    atoms = group_sums()
    meta = (_R.id, _R.year, _R.is_current, _R.superseded_by, _R.status, _R.layout,
            _R.published, _R.agency_name, _R.score, _R.errors, _R.warnings, _R.infos)
    stmt = (select(*meta, *(expr.label(k) for k, expr in atoms.items()))
            .where(_R.agency_id == found.id, _R.status != "failed").group_by(*meta))
    rows = session.execute(stmt).mappings().all()
    ids = [r["id"] for r in rows]
    counts: dict[int, dict[str, int]] = defaultdict(dict)
    cross: dict[int, list[dict[str, str]]] = defaultdict(list)
    if ids:
        for rid, code, n in session.execute(
                select(StoredFinding.report_id, StoredFinding.code, func.count())
                .where(StoredFinding.report_id.in_(ids))
                .group_by(StoredFinding.report_id, StoredFinding.code)
                .order_by(StoredFinding.code)):
            counts[rid][code] = n
        for rid, code, message in session.execute(
                select(StoredFinding.report_id, StoredFinding.code, StoredFinding.message)
                .where(StoredFinding.report_id.in_(ids),
                       StoredFinding.code.startswith(CROSS_YEAR))
                .order_by(StoredFinding.id)):
            cross[rid].append({"code": code, "message": message})
    entries = [SeriesEntry(
        r["id"], r["year"], bool(r["is_current"]), r["superseded_by"], r["status"], r["layout"],
        r["published"], r["agency_name"], r["score"], r["errors"], r["warnings"], r["infos"],
        derive({k: r[k] for k in atoms}), counts.get(r["id"], {}), cross.get(r["id"], []))
        for r in rows]
    # within a year: the current edition, then older ones newest first (two stable sorts)
    entries.sort(key=lambda e: (e.published or "", e.report_id), reverse=True)
    entries.sort(key=lambda e: (e.year is None, e.year or 0, not e.current))
    return Series(_agency_refs(session, [found])[0], entries)


# ------------------------------------------------------------------ search

@dataclass
class SearchHit:
    agency: AgencyRef
    matched: list[str]  # why it matched: 名称 / 别名：… / 报告中的名称：…
    reports: list[dict[str, Any]]  # id, year, status, current, agency_name as printed


def search(session: Session, fragment: str, *, limit: int = 50) -> tuple[list[SearchHit], bool]:
    """Agencies whose registered name, an alias, or a name printed in one of their reports
    contains ``fragment`` (a township or street name works as well). Returns the hits (at
    most ``limit``, by name) and whether there were more."""
    text = normalise_name(fragment or "")
    if not text:
        raise AnalysisError("empty_search", "请给出要查找的机关名称片段，如 东华门 或 樟树市。")
    why: dict[int, list[str]] = defaultdict(list)
    for aid in session.scalars(select(Agency.id).where(Agency.name.contains(text,
                                                                             autoescape=True))):
        why[aid].append("名称")
    for aid, alias in session.execute(select(AgencyAlias.agency_id, AgencyAlias.alias)
                                      .where(AgencyAlias.alias.contains(text, autoescape=True))):
        why[aid].append(f"别名：{alias}")
    printed_names: dict[int, set[str]] = defaultdict(set)
    printed = or_(_R.agency_name.contains(text, autoescape=True),
                  _R.agency_name.contains(fragment.strip(), autoescape=True))
    for aid, name in session.execute(select(_R.agency_id, _R.agency_name).where(
            printed, _R.agency_id.is_not(None)).distinct()):
        printed_names[aid].add(name)
        why.setdefault(aid, [])
    agencies = list(session.scalars(select(Agency).where(Agency.id.in_(list(why)))
                                    .order_by(Agency.name)))
    more = len(agencies) > limit
    agencies = agencies[:limit]
    reports: dict[int, list[dict[str, Any]]] = defaultdict(list)
    if agencies:
        for r in session.execute(select(_R.id, _R.agency_id, _R.year, _R.status, _R.is_current,
                                        _R.agency_name)
                                 .where(_R.agency_id.in_([a.id for a in agencies]))
                                 .order_by(_R.year, _R.is_current.desc(), _R.id)).mappings():
            reports[r["agency_id"]].append({"id": r["id"], "year": r["year"],
                                            "status": r["status"],
                                            "current": bool(r["is_current"]),
                                            "agency_name": r["agency_name"]})
    hits = []
    for ref in _agency_refs(session, agencies):
        # a printed name is worth showing only when it differs from the registered one
        also = [f"报告中的名称：{n}" for n in sorted(printed_names[ref.id])
                if normalise_name(n) != ref.name]
        hits.append(SearchHit(ref, why[ref.id] + also or ["报告中的名称"],
                              reports.get(ref.id, [])))
    return hits, more
