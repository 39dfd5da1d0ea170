"""The agency registry: normalised names, aliases, level and place in the hierarchy.

Agencies are created on first sight by ingest (``resolve_agency``, origin ``auto``), placed
from their name by ``placement.place``; a 政务公开办 corrects them one by one (``set_agency``,
origin ``edited``) or imports its own list (``agency_import.import_agencies``, origin ``imported``). The
level and region codes are copied onto every report row of the agency (``placement``) so that
statistics read one row per report; whoever changes an agency updates those rows in the same
transaction (``refresh_reports``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.model import Meta
from nianbao.normalize import fold
from nianbao.store.divisions import (
    CITY,
    COUNTY,
    PROVINCE,
    TOWNSHIP,
    dataset,
    descendant_prefix,
    ensure_divisions,
)
from nianbao.store.models import Agency, AgencyAlias, Division, StoredReport
from nianbao.store.placement import place, resolve_division

LEVELS = ("政府", "部门", "乡镇街道")
MAX_NAME = Agency.__table__.c.name.type.length  # 200
_COLUMN_OF_LEVEL = {PROVINCE: "province_code", CITY: "city_code", COUNTY: "county_code",
                    TOWNSHIP: "township_code"}
_ALIAS_SEPARATORS = re.compile(r"[；;、]")


class AgencyError(NianbaoError):
    """An agency operation that cannot be done as asked (unknown name, bad value, conflict)."""


def normalise_name(name: str) -> str:
    """An agency name as stored and compared: spaces and width differences folded."""
    return "".join(fold(name).split())


def find_agency(session: Session, name: str) -> Agency | None:
    """The agency called ``name`` (its name or one of its aliases), or None."""
    name = normalise_name(name)
    if not name:
        return None
    agency = session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        agency = session.scalar(select(Agency).join(AgencyAlias, AgencyAlias.agency_id == Agency.id)
                                .where(AgencyAlias.alias == name))
    return agency


def resolve_agency(session: Session, meta: Meta) -> Agency | None:
    """The registry's agency for a report's printed agency name, created (and placed) when
    new. None when the report never names its agency. Safe when two processes create the
    same agency at once: the loser's insert fails on the unique name inside a savepoint and
    it reads the winner's row."""
    return resolve_or_create(session, meta)[0]


def resolve_or_create(session: Session, meta: Meta) -> tuple[Agency | None, bool]:
    """``resolve_agency``, and whether this transaction created the agency (then no other
    transaction can see it yet, and it has no reports)."""
    name = normalise_name(meta.agency or "")
    if not name or len(name) > MAX_NAME:
        return None, False  # no name, or a paragraph taken for one: the report stands alone
    agency = find_agency(session, name)
    if agency is not None:
        return agency, False
    ensure_divisions(session)
    chain = place(name, meta.region)
    agency = Agency(name=name, level=meta.level, region_code=chain[-1].code if chain else None,
                    origin="auto")
    try:
        with session.begin_nested():
            session.add(agency)
            session.flush()
    except IntegrityError:
        agency = find_agency(session, name)
        if agency is None:
            raise
        return agency, False
    return agency, True


def region_chain(session: Session, code: str | None) -> list[tuple[str, str, str]]:
    """(level, code, name) from the province down to ``code``."""
    if not code:
        return []
    ds = dataset()
    if code in ds.by_code:
        return [(d.level, d.code, d.name) for d in ds.chain(code)]
    out = []  # a code of an older dataset still in the table: walk the table itself
    while code and (row := session.get(Division, code)) is not None:
        out.insert(0, (row.level, row.code, row.name))
        code = row.parent_code
    return out


def placement(session: Session, agency: Agency | None) -> dict[str, str | None]:
    """The report columns denormalised from an agency: level and region codes by level."""
    out: dict[str, str | None] = {"agency_level": None, **dict.fromkeys(_COLUMN_OF_LEVEL.values())}
    if agency is None:
        return out
    out["agency_level"] = agency.level
    for level, code, _name in region_chain(session, agency.region_code):
        out[_COLUMN_OF_LEVEL[level]] = code
    return out


def refresh_reports(session: Session, agency: Agency) -> None:
    """Copy the agency's level and region onto its reports (same transaction)."""
    session.flush()
    session.execute(update(StoredReport).where(StoredReport.agency_id == agency.id)
                    .values(**placement(session, agency)))


# ------------------------------------------------------------------ corrections
def split_aliases(text: str | Iterable[str] | None) -> list[str]:
    """Aliases as written by people: 樟树市政府；樟树政府 (；/;/、 separate)."""
    if text is None:
        return []
    parts = [text] if isinstance(text, str) else list(text)
    out: list[str] = []
    for part in parts:
        for alias in _ALIAS_SEPARATORS.split(part):
            if (alias := normalise_name(alias)) and alias not in out:
                out.append(alias)
    return out


def check_level(level: str) -> str | None:
    """A level as given by a person ('' clears it); raises AgencyError when unknown."""
    level = normalise_name(level)
    if level and level not in LEVELS:
        raise AgencyError("level_unknown", f"级别“{level}”无法识别；可选：{'、'.join(LEVELS)}。")
    return level or None


def check_aliases(session: Session, agency: Agency | None, aliases: list[str]) -> None:
    """Raise AgencyError when an alias already names another agency that a person made
    (imported or edited). One created automatically from a report is merged instead."""
    for alias in aliases:
        if len(alias) > MAX_NAME:
            raise AgencyError("alias_too_long", f"别名“{alias[:20]}…”超过 {MAX_NAME} 个字，不像单位名称。")
        owner = find_agency(session, alias)
        if owner is not None and owner.origin != "auto" and (agency is None or owner.id != agency.id):
            raise AgencyError("alias_taken", f"别名“{alias}”已是单位“{owner.name}”的名称或别名；"
                              "同一名称只能属于一个单位（确是同一单位请用 nianbao agencies merge 合并）。")


def add_aliases(session: Session, agency: Agency, aliases: list[str]) -> bool:
    """Give ``agency`` these aliases (checked by ``check_aliases`` first); an automatically
    created agency of that name is merged into it. True when anything changed."""
    changed = False
    for alias in aliases:
        owner = find_agency(session, alias)
        if owner is None:
            session.add(AgencyAlias(alias=alias, agency_id=agency.id))
            session.flush()
            changed = True
        elif owner.id != agency.id:
            merge(session, owner, agency)
            changed = True
    return changed


def merge(session: Session, source: Agency, target: Agency) -> None:
    """Make ``source`` part of ``target``: its reports and aliases move over, its name becomes
    an alias, and it is deleted. Where both have a current report for a year, the newer
    (later printed date, then later arrival, as records.py decides) stays current."""
    if source.id == target.id:
        return
    session.flush()
    for row in session.scalars(select(StoredReport).where(
            StoredReport.agency_id == source.id, StoredReport.is_current.is_(True),
            StoredReport.year.is_not(None))).all():
        rival = session.scalar(select(StoredReport).where(
            StoredReport.agency_id == target.id, StoredReport.year == row.year,
            StoredReport.is_current.is_(True)))
        if rival is not None:
            older, newer = sorted((row, rival), key=lambda r: (r.published or "", r.id))
            older.is_current, older.superseded_by = False, newer.id
    session.flush()  # before the rows meet under one agency's unique "current" slot
    session.execute(update(AgencyAlias).where(AgencyAlias.agency_id == source.id)
                    .values(agency_id=target.id))
    session.execute(update(StoredReport).where(StoredReport.agency_id == source.id)
                    .values(agency_id=target.id))
    name = source.name
    session.delete(source)
    session.flush()
    session.add(AgencyAlias(alias=name, agency_id=target.id))
    refresh_reports(session, target)


def merge_agencies(session: Session, source: str, target: str) -> Agency:
    """Merge the agency named ``source`` into the one named ``target`` (see ``merge``)."""
    found = [find_agency(session, n) for n in (source, target)]
    for name, agency in zip((source, target), found, strict=True):
        if agency is None:
            raise AgencyError("agency_not_found", f"单位名录中没有“{normalise_name(name)}”；请用 "
                              "nianbao agencies search 查找准确名称。")
    if found[0].id == found[1].id:
        raise AgencyError("same_agency", f"“{source}”和“{target}”已是同一个单位。")
    merge(session, found[0], found[1])
    return found[1]


def set_agency(session: Session, name: str, *, level: str | None = None,
               region: str | None = None, alias: str | Iterable[str] | None = None) -> Agency:
    """Correct an agency: level ('' clears), region (a code, name or path; '' clears),
    more aliases. Its reports' level and region columns follow in the same transaction."""
    agency = find_agency(session, name)
    if agency is None:
        raise AgencyError("agency_not_found", f"单位名录中没有“{normalise_name(name)}”；请用 "
                          "nianbao agencies search 查找准确名称，或用 nianbao agencies import 导入。")
    ensure_divisions(session)
    if level is not None:
        agency.level = check_level(level)
    if region is not None:
        agency.region_code = resolve_division(region).code if region.strip() else None
    aliases = split_aliases(alias)
    check_aliases(session, agency, aliases)
    agency.origin = "edited"
    add_aliases(session, agency, aliases)
    refresh_reports(session, agency)
    return agency


# ------------------------------------------------------------------ listing and searching
def search_agencies(session: Session, fragment: str, limit: int = 200) -> list[Agency]:
    """Agencies whose name or an alias contains ``fragment``, or whose place (a township,
    street, county … in the registry) is named with it, by name."""
    frag = normalise_name(fragment)
    if not frag:
        return []
    places = select(Division.code).where(Division.name.contains(frag, autoescape=True))
    aliased = select(AgencyAlias.agency_id).where(AgencyAlias.alias.contains(frag, autoescape=True))
    return list(session.scalars(
        select(Agency).where(or_(Agency.name.contains(frag, autoescape=True),
                                 Agency.id.in_(aliased), Agency.region_code.in_(places)))
        .order_by(Agency.name).limit(limit)))


def list_agencies(session: Session, region: str | None = None, level: str | None = None,
                  limit: int | None = None) -> list[Agency]:
    """Agencies placed in ``region`` (a code, name or path; everything under it too) and of
    ``level``, by region then name."""
    query = select(Agency)
    if region:
        prefix = descendant_prefix(resolve_division(region).code)
        query = query.where(Agency.region_code.startswith(prefix, autoescape=True))
    if level:
        query = query.where(Agency.level == check_level(level))
    query = query.order_by(Agency.region_code, Agency.name)
    return list(session.scalars(query.limit(limit) if limit else query))


def report_counts(session: Session, ids: list[int]) -> dict[int, int]:
    rows = session.execute(select(StoredReport.agency_id, func.count())
                           .where(StoredReport.agency_id.in_(ids))
                           .group_by(StoredReport.agency_id))
    return {agency_id: n for agency_id, n in rows}


@dataclass
class AgencyDetail:
    agency: Agency
    aliases: list[str]
    region: list[tuple[str, str, str]]
    reports: list[StoredReport] = field(default_factory=list)


def describe(session: Session, name: str) -> AgencyDetail:
    agency = find_agency(session, name)
    if agency is None:
        raise AgencyError("agency_not_found", f"单位名录中没有“{normalise_name(name)}”；请用 "
                          "nianbao agencies search 查找准确名称。")
    aliases = list(session.scalars(select(AgencyAlias.alias).where(AgencyAlias.agency_id == agency.id)
                                   .order_by(AgencyAlias.alias)))
    reports = list(session.scalars(select(StoredReport).where(StoredReport.agency_id == agency.id)
                                   .order_by(StoredReport.year, StoredReport.id)))
    return AgencyDetail(agency, aliases, region_chain(session, agency.region_code), reports)
