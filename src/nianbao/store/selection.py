"""Which stored reports a command works on: the filters shared by ``stats`` and ``export``.

A ``Selection`` is plain data (built from command-line options or by a caller) and turns
into WHERE clauses on ``StoredReport`` with ``apply``, so every command that filters reports
filters them the same way:

- ``years``: report years (``parse_years`` reads ``2023``, ``2021-2023``, ``2019,2021``);
- ``region``: a division at any level, named as ``nianbao agencies`` names it (a code such
  as ``360982`` or ``360982000000``, a name ``樟树市``, a path ``江西省/宜春市/樟树市``;
  resolved by ``divisions.resolve_division``, an ambiguous name is an error listing the
  candidates); a report matches when its agency lies in that division (the report's
  province / city / county / township code column of the division's level);
- ``level``: the agency level (政府 / 部门 / 乡镇街道);
- ``layout``: ``2021`` / ``2019`` / ``mixed``;
- ``has_errors``: True: reports with at least one error-level finding; False: none;
- ``rule``: reports with a finding of these codes or families (comma-separated, as in
  ``check --select``: ``T3-BAL``, ``T3``, ``X``);
- by default only *current* reports: a superseded edition (an older document of the same
  agency and year) needs ``include_superseded``, a document that could not be read needs
  ``include_failed``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, true

from nianbao.config import known_pattern, unknown_code_message
from nianbao.errors import NianbaoError
from nianbao.layouts import layouts
from nianbao.store.models import StoredFinding, StoredReport

LAYOUT_CHOICES = (*layouts(), "mixed")
CODE_DIGITS = 12  # divisions are keyed by the 12-digit statistical code (townships: + T…)
# the report column holding the code of each division level (see store.agencies.placement)
_REGION_COLUMNS = {"province": StoredReport.province_code, "city": StoredReport.city_code,
                   "county": StoredReport.county_code, "township": StoredReport.township_code}


class SelectionError(NianbaoError):
    """A filter that cannot be understood (bad year, unknown region, rule or layout)."""


@dataclass(frozen=True)
class Selection:
    years: tuple[int, ...] = ()
    region: str | None = None
    level: str | None = None
    layout: str | None = None
    has_errors: bool | None = None
    rule: str | None = None
    include_superseded: bool = False
    include_failed: bool = False

    # ----------------------------------------------------------------- SQL

    def apply(self, stmt: Select) -> Select:
        """``stmt`` (a select over ``StoredReport``) with this selection's WHERE clauses."""
        stmt = stmt.where(*self._status_clauses())
        if self.years:
            stmt = stmt.where(StoredReport.year.in_(self.years))
        if self.region:
            stmt = stmt.where(self._region_clause())
        if self.level:
            stmt = stmt.where(StoredReport.agency_level == self.level)
        if self.layout:
            stmt = stmt.where(StoredReport.layout == self.layout)
        if self.has_errors is True:
            stmt = stmt.where(StoredReport.errors > 0)
        elif self.has_errors is False:
            stmt = stmt.where(StoredReport.errors == 0)
        if self.rule:
            stmt = stmt.where(exists().where(StoredFinding.report_id == StoredReport.id,
                                             or_(*map(_code_clause, self.rule_patterns))))
        return stmt

    def _status_clauses(self) -> list:
        # ``is_current`` (indexed with the year) is what a superseded or failed report lacks:
        # save_document makes every readable report current unless a newer edition exists.
        if self.include_superseded and self.include_failed:
            return []
        if self.include_superseded:
            return [StoredReport.status != "failed"]
        if self.include_failed:
            return [or_(StoredReport.is_current.is_(True), StoredReport.status == "failed")]
        return [StoredReport.is_current.is_(True)]

    def _region_clause(self):
        division = self.division
        return _REGION_COLUMNS[division.level] == division.code

    @property
    def division(self):
        """The division ``region`` names (``divisions.Div``); SelectionError when unknown or
        ambiguous (樟树 is a city in 江西 and towns in 湖南: the message lists them)."""
        from nianbao.store.divisions import RegionError
        from nianbao.store.placement import resolve_division

        text = self.region.strip()
        try:
            return resolve_division(region_code(text) or text)
        except RegionError as exc:
            raise SelectionError(exc.code, exc.message) from None

    @property
    def rule_patterns(self) -> list[str]:
        return [p.strip().upper() for p in (self.rule or "").split(",") if p.strip()]

    # ----------------------------------------------------------------- checks and words

    def validate(self) -> Selection:
        """Raise ``SelectionError`` (Chinese message) for a filter that names nothing known:
        an unknown layout, level, rule code or region. Returns the selection for chaining."""
        if self.layout and self.layout not in LAYOUT_CHOICES:
            raise SelectionError("unknown_layout", f"格式“{self.layout}”无效；可选："
                                 f"{'、'.join(LAYOUT_CHOICES)}。")
        for pattern in self.rule_patterns:
            if not known_pattern(pattern):
                raise SelectionError("unknown_rule", unknown_code_message(pattern))
        from nianbao.store.agencies import LEVELS

        if self.level and self.level not in LEVELS:
            raise SelectionError("unknown_level", f"机关层级“{self.level}”无效；可选："
                                 f"{'、'.join(LEVELS)}。")
        if self.region is not None and not self.region.strip():
            raise SelectionError("unknown_region", "地区不能为空；请给出行政区划代码或名称，"
                                 "如 360982 或 樟树市。")
        if self.region:
            _ = self.division  # raises SelectionError when unknown or ambiguous
        return self

    def describe(self) -> list[tuple[str, str]]:
        """The filters in words, for people (the export's 说明 sheet, summaries)."""
        out = [("年度", "、".join(map(str, self.years)) if self.years else "全部"),
               ("地区", self._region_words()),
               ("机关层级", self.level or "全部"),
               ("格式", self.layout or "全部"),
               ("错误", {True: "只含有错误的报告", False: "只含无错误的报告"}.get(
                   self.has_errors, "不限")),
               ("规则", "含 " + "、".join(self.rule_patterns) + " 问题的报告"
                if self.rule else "不限"),
               ("被取代的旧版本", "包含" if self.include_superseded else "不包含"),
               ("无法读取的文件", "包含" if self.include_failed else "不包含")]
        return out


    def _region_words(self) -> str:
        if not self.region:
            return "全部"
        from nianbao.store.divisions import path_text

        d = self.division
        return f"{path_text(d.code) or d.name}（{d.code}）及其下各级"


def _code_clause(pattern: str):
    if pattern == "ALL":
        return true()
    return or_(StoredFinding.code == pattern,
               StoredFinding.code.like(pattern.rstrip("-") + "-%"))


def region_code(region: str | None) -> str | None:
    """The 12-digit division code a region option names, or None when it is a name.
    Shorter official codes (2 / 4 / 6 / 9 digits) are the same code without trailing zeros."""
    text = (region or "").strip()
    if not text.isdigit() or not text.isascii():
        return None
    if len(text) > CODE_DIGITS:
        raise SelectionError("unknown_region", f"行政区划代码“{text}”太长；应为 6 位（如 360982）"
                             "或 12 位统计用区划代码。")
    return text.ljust(CODE_DIGITS, "0")


_YEAR_RANGE = re.compile(r"^(\d{4})\s*[-–~～至到]\s*(\d{4})$")


def parse_years(values: list[str] | tuple[str, ...] | None) -> tuple[int, ...]:
    """Years from options such as ``2023``, ``2021-2023`` or ``2019,2021`` (repeatable)."""
    years: set[int] = set()
    for value in values or ():
        for part in re.split(r"[,，、\s]+", value.strip()):
            if not part:
                continue
            if part.isdigit() and len(part) == 4:
                years.add(int(part))
                continue
            m = _YEAR_RANGE.match(part)
            if m and int(m[1]) <= int(m[2]):
                years.update(range(int(m[1]), int(m[2]) + 1))
                continue
            raise SelectionError("invalid_year", f"年度“{part}”无效；请写四位年份，如 2023、"
                                 "2021-2023 或 2019,2021。")
    return tuple(sorted(years))
