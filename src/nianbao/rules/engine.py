"""The rule engine: documented rules, findings as data, one registry of codes.

A rule is a small function decorated with ``@rule(...)`` that reads only the typed
``Report`` (and, for cross-year rules, the previous year's ``Report``) through a
``Context`` and yields ``Hit``s. The engine renders each hit's message from the rule's
Chinese template, attaches the rule's code and severity, and finds the source location
of any table cell it names from the report's provenance.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field  # Hit has an attribute called "field"
from functools import cached_property, lru_cache
from operator import itemgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from nianbao.layouts import Layout, cell_order, get, layout_for_year
from nianbao.model import Number, Report, SourceLocation

Severity = Literal["error", "warning", "info"]
SEVERITY_ORDER = {"info": 0, "warning": 1, "error": 2}
SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}  # for people


class FindingLocation(BaseModel):
    """Where a finding points: a table cell (keys), a section, and/or a source position."""

    model_config = ConfigDict(extra="forbid")
    table: str | None = Field(None, description="table2 / table3 / table4")
    row: str | None = Field(None, description="行 key（表四为分组 key）")
    column: str | None = Field(None, description="列 key")
    section: str | None = Field(None, description="部分 key（overview … other）")
    field: str | None = Field(None, description="元数据字段，如 period、contact")
    source: SourceLocation | None = Field(None, description="原文位置（行号或表格/行/列）")


class Finding(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str
    severity: Severity
    message: str
    location: FindingLocation = Field(default_factory=FindingLocation)
    expected: Number | str | None = Field(None, description="按规则应有的值")
    found: Number | str | None = Field(None, description="报告中的值")


@dataclass(frozen=True)
class RuleDoc:
    what: str  # what it checks
    why: str  # why it matters
    example: str  # an example of a report that triggers it
    fix: str  # how to fix it


@dataclass(slots=True)
class Hit:
    """What a rule function yields; ``fields`` fill the rule's message template."""

    table: str | None = None
    row: str | None = None
    column: str | None = None
    section: str | None = None
    field: str | None = None
    source: SourceLocation | dict | None = None
    expected: Number | str | None = None
    found: Number | str | None = None
    fields: dict | None = None


@dataclass(frozen=True)
class Rule:
    code: str  # stable, never reused (see registry.py)
    severity: Severity
    title: str  # short Chinese name
    message: str  # Chinese template, str.format fields from the Hit (+ expected, found)
    basis: str  # the official basis: 条例 article, 国办公开办函〔2021〕30号 …
    doc: RuleDoc
    check: Callable[[Context], Iterable[Hit]]
    cross_year: bool = False  # needs the previous year's report

    def render(self, hit: Hit) -> str:
        values = {"expected": hit.expected, "found": hit.found, **(hit.fields or {})}
        return self.message.format(**values)


RULES: dict[str, Rule] = {}


def rule(code: str, severity: Severity, title: str, message: str, basis: str, *, what: str,
         why: str, example: str, fix: str, cross_year: bool = False):
    """Register a rule function under ``code`` (which must be listed in registry.CODES)."""

    def register(fn: Callable[[Context], Iterable[Hit]]) -> Callable[[Context], Iterable[Hit]]:
        if code in RULES:
            raise ValueError(f"rule code {code} registered twice")
        RULES[code] = Rule(code, severity, title, message, basis,
                           RuleDoc(what, why, example, fix), fn, cross_year)
        return fn

    return register


@dataclass
class Context:
    """What a rule may look at: the typed report, and the previous year's for cross-year rules."""

    report: Report
    previous: Report | None = None
    cache: dict = dc_field(default_factory=dict)  # rules may share derived data

    @cached_property
    def layout(self) -> Layout:
        """The layout the report's tables use (2021 when unknown or mixed)."""
        return get(self.report.layout if self.report.layout in ("2019", "2021") else "2021")

    def table_layout(self, table: str) -> Layout:
        got = self.cache.get(table)  # asked for by most table rules: decided once per table
        if got is None:
            key = self.report.table_layouts.get(table) or self.report.layout
            got = self.cache[table] = get(key if key in ("2019", "2021") else "2021")
        return got

    @cached_property
    def expected_layout(self) -> Layout | None:
        year = self.report.meta.year
        return layout_for_year(year) if year else None

    def section(self, key: str):
        return next((s for s in self.report.sections if s.key == key), None)

    def figures(self, key: str) -> list:
        return [f for f in self.report.narrative if f.key == key]

    @cached_property
    def _tables(self) -> list[str]:
        """The table of each provenance record, in reading order (one map in C)."""
        return list(map(_TABLE, self.report.provenance))

    def table_cells(self, table: str) -> list[dict]:
        """Provenance of one table's cells in reading order.

        Grouping all ~200 records of a report by table and row in Python cost more than
        most rules, and most reports need the provenance of a few cells at most: a table's
        records (and a row's within them) are found with list methods in C instead."""
        key = ("cells", table)
        got = self.cache.get(key)
        if got is None:
            got = self.cache[key] = _run(self.report.provenance, self._tables, table)
        return got

    def row_cells(self, table: str, row: str) -> list[dict]:
        cells = self.table_cells(table)
        key = ("rows", table)
        rows = self.cache.get(key)
        if rows is None:
            rows = self.cache[key] = list(map(_ROW, cells))
        return _run(cells, rows, row)

    def cell(self, table: str, row: str, column: str) -> dict | None:
        """A cell's provenance: the last read, as the parser's value is the last placed.

        A complete table is read in the official order, so the cell is first looked for
        where that order puts it: the parser reads each cell once (rows and cells are
        deduplicated), so a record found there is the only one."""
        cells = self.table_cells(table)
        at = cell_order(self.table_layout(table).key, table).get((row, column))
        if at is not None and at < len(cells):
            c = cells[at]
            if c["row"] == row and c["column"] == column:
                return c
        for c in reversed(self.row_cells(table, row)):
            if c["column"] == column:
                return c
        return None


def _run(records: list[dict], keys: list[str], key: str) -> list[dict]:
    """The records whose ``keys`` entry is ``key``, in order. The parser reads a table's
    cells (and a row's) one after another, so they are usually one run: found by count,
    index and a slice, all in C; a table or row that comes back later is filtered."""
    n = keys.count(key)
    if not n:
        return []
    start = keys.index(key)
    if keys[start:start + n].count(key) == n:
        return records[start:start + n]
    return [r for r, k in zip(records, keys, strict=True) if k == key]


_TABLE = itemgetter("table")
_ROW = itemgetter("row")


def run_rules(ctx: Context, codes: Iterable[str]) -> list[Finding]:
    """Every finding of the given rules, validated in one pass (see ``_finding``).

    A rule may yield a finished record (a dict shaped like ``Finding``) instead of a Hit:
    the blank-cell rules do, as a sloppy report has a blank in most rows and the engine's
    work per Hit was a large part of checking it (see table_common._blanks)."""
    raw = [hit if type(hit) is dict else _finding(r, hit, ctx)
           for r in _plan(tuple(codes), ctx.previous is not None) for hit in r.check(ctx)]
    return _FINDINGS.validate_python(raw) if raw else []


@lru_cache(maxsize=64)  # the same selection for every report of a batch
def _plan(codes: tuple[str, ...], previous: bool) -> tuple[Rule, ...]:
    """The rules to run, in order: cross-year ones only with the previous year's report."""
    return tuple(r for r in map(RULES.__getitem__, codes) if previous or not r.cross_year)


def _finding(r: Rule, hit: Hit, ctx: Context) -> dict:
    """A finding as a plain record: pydantic-core validates the whole list at once, several
    times cheaper than building three model instances per finding in Python."""
    source = hit.source
    if source is None and hit.table and hit.row and hit.column:
        cell = ctx.cell(hit.table, hit.row, hit.column)
        if cell is not None:
            source = cell["location"]
    if isinstance(source, SourceLocation):
        source = source.model_dump()
    return {"code": r.code, "severity": r.severity, "message": r.render(hit),
            "location": {"table": hit.table, "row": hit.row, "column": hit.column,
                         "section": hit.section, "field": hit.field, "source": source},
            "expected": hit.expected, "found": hit.found}


_FINDINGS = TypeAdapter(list[Finding])
