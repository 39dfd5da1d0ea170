"""The official templates as data.

Each ``*.toml`` file beside this module describes one official layout (sections,
tables, rows, columns, official labels and the synonyms real reports use). Every
other stage reads these objects; nothing else in the code base spells out a label.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from nianbao.normalize import core


@dataclass(frozen=True, slots=True)
class Matcher:
    """How a printed label is recognised: exact core or contained substring."""

    exact: tuple[str, ...] = ()
    contains: tuple[str, ...] = ()

    def matches(self, label_core: str) -> bool:
        if label_core in self.exact:
            return True
        return any(c in label_core for c in self.contains)


@dataclass(frozen=True, slots=True)
class Column:
    key: str
    label: str
    matcher: Matcher
    kind: str = "count"  # "count" (non-negative integer) or "money" (decimal)
    unit: str | None = None
    signed: bool = False
    sum_of: tuple[str, ...] = ()  # a total column: the sum of these columns


@dataclass(frozen=True, slots=True)
class Row:
    key: str
    label: str
    matcher: Matcher
    group: str | None = None
    item: str | None = None  # table 二: the 第二十条 item the row belongs to
    columns: tuple[str, ...] = ()
    sum_of: tuple[str, ...] = ()  # a total row: the sum of these rows


@dataclass(frozen=True, slots=True)
class Group:
    key: str
    label: str
    matcher: Matcher


@dataclass(frozen=True, slots=True)
class Section:
    key: str
    number: str
    label: str
    matcher: Matcher


@dataclass(frozen=True, slots=True)
class TableSpec:
    name: str  # "table2" | "table3" | "table4"
    label: str
    rows: tuple[Row, ...]
    columns: tuple[Column, ...]
    groups: tuple[Group, ...] = ()
    boilerplate: tuple[str, ...] = ()  # template header text that carries no value
    # per column: sum of the ``left`` rows equals sum of the ``right`` rows (table 三's 勾稽关系)
    balance: tuple[tuple[str, ...], tuple[str, ...]] | None = None

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)

    def row(self, key: str) -> Row:
        return next(r for r in self.rows if r.key == key)

    def row_columns(self, row: Row) -> tuple[Column, ...]:
        """The columns a row carries (table 二 rows differ; tables 三 and 四 use all)."""
        if row.columns:
            return tuple(self.column(k) for k in row.columns)
        return self.columns


@dataclass(frozen=True, slots=True)
class Layout:
    key: str  # "2021" | "2019"
    template: str  # "2021-30" | "2019-60"
    template_label: str
    years: tuple[int, int]
    sections: tuple[Section, ...]
    table2: TableSpec
    table3: TableSpec
    table4: TableSpec
    tables: dict[str, TableSpec] = field(default_factory=dict)


def _matcher(d: dict) -> Matcher:
    exact = tuple(core(x) for x in d.get("exact", ()))
    contains = tuple(core(x) for x in d.get("contains", ()))
    return Matcher(exact, contains)


def _table(name: str, d: dict) -> TableSpec:
    columns = tuple(
        Column(c["key"], c["label"], _matcher(c), c.get("kind", "count"), c.get("unit"),
               c.get("signed", False), tuple(c.get("sum_of", ())))
        for c in d.get("columns", ())
    )
    rows = tuple(
        Row(r["key"], r["label"], _matcher(r), r.get("group"), r.get("item"),
            tuple(r.get("columns", ())), tuple(r.get("sum_of", ())))
        for r in d.get("rows", ())
    )
    groups = tuple(Group(g["key"], g["label"], _matcher(g)) for g in d.get("groups", ()))
    boilerplate = tuple(core(x) for x in d.get("boilerplate", ()))
    bal = d.get("balance")
    balance = (tuple(bal["left"]), tuple(bal["right"])) if bal else None
    return TableSpec(name, d["label"], rows, columns, groups, boilerplate, balance)


def _load(text: str) -> Layout:
    d = tomllib.loads(text)
    sections = tuple(Section(s["key"], s["number"], s["label"], _matcher(s)) for s in d["sections"])
    t2, t3, t4 = (_table(n, d[n]) for n in ("table2", "table3", "table4"))
    return Layout(d["key"], d["template"], d["template_label"], tuple(d["years"]), sections,
                  t2, t3, t4, {"table2": t2, "table3": t3, "table4": t4})


@cache
def layouts() -> dict[str, Layout]:
    """All official layouts by key, newest first."""
    found = {}
    for entry in resources.files(__package__).iterdir():
        if entry.name.endswith(".toml"):
            lay = _load(entry.read_text(encoding="utf-8"))
            found[lay.key] = lay
    return dict(sorted(found.items(), reverse=True))


def get(key: str) -> Layout:
    return layouts()[key]


@cache
def cell_order(key: str, table: str) -> dict[tuple[str, str], int]:
    """(row or group key, column key) -> the cell's position among a table's cells read in
    the official order (row by row; table 四 group by group), as a complete table is read."""
    spec = get(key).tables[table]
    if table == "table4":
        cells = [(g.key, c.key) for g in spec.groups for c in spec.columns]
    else:
        cells = [(r.key, c.key) for r in spec.rows for c in spec.row_columns(r)]
    return {cell: i for i, cell in enumerate(cells)}


def layout_for_year(year: int) -> Layout:
    """The layout the rules prescribe for a report year (2021 for 2021+, 2019 for 2019–2020)."""
    for lay in layouts().values():
        if lay.years[0] <= year <= lay.years[1]:
            return lay
    return next(iter(layouts().values()))


TABLE_NAMES = ("table2", "table3", "table4")
