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
from functools import cached_property
from operator import itemgetter
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

from nianbao.layouts import Layout, get, layout_for_year
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
    def cells_by_row(self) -> dict[str, dict[str, list[dict]]]:
        """Provenance by table and row key, each row's cells in reading order.

        Grouped in one pass, relying on a row's cells being read one after another (a row
        that comes back later joins its list). An index by (table, row, column) cost a tenth
        of checking a report, most of it hashing keys nobody looks up; a row has a few cells
        to scan instead (``cell``)."""
        out: dict[str, dict[str, list[dict]]] = {}
        table = row = cells = None
        for c in self.report.provenance:
            if c["row"] != row or c["table"] != table:
                table, row = c["table"], c["row"]
                cells = out.setdefault(table, {}).setdefault(row, [])
            cells.append(c)
        return out

    def table_cells(self, table: str) -> list[dict]:
        """Provenance of one table's cells in reading order.

        T2-LABEL reads every cell of table 二 on every report, most of which have no finding
        that needs ``cells_by_row``. A table's cells are read one after another, so they are
        found with list methods in C (count, index, a slice; the ~200 records grouped in
        Python cost three times as much) and checked to be one run; a table that comes back
        later is filtered record by record."""
        if "cells_by_row" in self.__dict__:  # already grouped
            return [c for row in self.cells_by_row.get(table, {}).values() for c in row]
        provenance = self.report.provenance
        tables = list(map(_TABLE, provenance))
        n = tables.count(table)
        start = tables.index(table) if n else 0
        if tables[start:start + n].count(table) == n:
            return provenance[start:start + n]
        return [c for c, t in zip(provenance, tables, strict=True) if t == table]

    def row_cells(self, table: str, row: str) -> list[dict]:
        return self.cells_by_row.get(table, {}).get(row, [])

    def cell(self, table: str, row: str, column: str) -> dict | None:
        """A cell's provenance: the last read, as the parser's value is the last placed."""
        for c in reversed(self.row_cells(table, row)):
            if c["column"] == column:
                return c
        return None


_TABLE = itemgetter("table")


def run_rules(ctx: Context, codes: Iterable[str]) -> list[Finding]:
    """Every finding of the given rules, validated in one pass (see ``_finding``).

    A rule may yield a finished record (a dict shaped like ``Finding``) instead of a Hit:
    the blank-cell rules do, as a sloppy report has a blank in most rows and the engine's
    work per Hit was a large part of checking it (see table_common._blanks)."""
    raw = [hit if type(hit) is dict else _finding(r, hit, ctx) for code in codes
           if not ((r := RULES[code]).cross_year and ctx.previous is None)
           for hit in r.check(ctx)]
    return _FINDINGS.validate_python(raw)


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
