"""The agency registry: normalised names, aliases, level and place in the hierarchy.

(Minimal version: exact normalised-name lookup, created on first sight. Region placement,
imports and corrections are being added.)
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.model import Meta
from nianbao.normalize import fold
from nianbao.store.models import Agency, AgencyAlias


def normalise_name(name: str) -> str:
    """An agency name as stored and compared: spaces and width differences folded."""
    return "".join(fold(name).split())


def resolve_agency(session: Session, meta: Meta) -> Agency | None:
    """The registry's agency for a report's printed agency name, created when new.
    None when the report never names its agency."""
    if not meta.agency:
        return None
    name = normalise_name(meta.agency)
    agency = session.scalar(select(Agency).join(AgencyAlias, AgencyAlias.agency_id == Agency.id)
                            .where(AgencyAlias.alias == name))
    if agency is None:
        agency = session.scalar(select(Agency).where(Agency.name == name))
    if agency is None:
        agency = Agency(name=name, level=meta.level)
        session.add(agency)
        session.flush()
    return agency


def placement(session: Session, agency: Agency | None) -> dict[str, str | None]:
    """The report columns denormalised from an agency: level and region codes by level."""
    empty = {"agency_level": None, "province_code": None, "city_code": None,
             "county_code": None, "township_code": None}
    if agency is None:
        return empty
    return {**empty, "agency_level": agency.level}
