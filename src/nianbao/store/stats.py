"""National and regional statistics over the stored reports, computed in SQL.

``stats`` groups the current reports (by year, region at any level, agency level, layout)
and sums the figures denormalised on ``reports`` (see ``store/figures.py``); the rates are
ratios of those sums, computed per group from the sums, never averages of per-report rates.
``finding_counts`` counts the stored findings per rule and group.

Every figure has a Chinese label and a formula in ``FIGURE_DEFS``; the CLI's column headers
and the table in docs/store.md (section 统计与分析) are generated from it.

Only sums and counts come back from the database (one row per group), so a national
summary over 100,000 reports reads one narrow row per report (see benchmarks/bench_stats.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import case, distinct, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from nianbao.errors import NianbaoError
from nianbao.layouts import get
from nianbao.rules import all_rules
from nianbao.store.models import APPLICANTS, FIGURES, Division, StoredFinding, StoredReport
from nianbao.store.selection import Selection

# ------------------------------------------------------------------ grouping

# dimension -> (Chinese header, the report column holding its key); regions are by code
DIMENSIONS: dict[str, tuple[str, Any]] = {
    "year": ("年度", StoredReport.year),
    "province": ("省级", StoredReport.province_code),
    "city": ("市级", StoredReport.city_code),
    "county": ("县级", StoredReport.county_code),
    "township": ("乡镇街道", StoredReport.township_code),
    "level": ("机关层级", StoredReport.agency_level),
    "layout": ("格式", StoredReport.layout),
}
REGION_DIMENSIONS = ("province", "city", "county", "township")
# what people may type after --by, besides the English keys
DIMENSION_ALIASES = {"年度": "year", "年": "year", "省": "province", "省级": "province",
                     "市": "city", "市级": "city", "县": "county", "县级": "county", "区县": "county",
                     "乡镇": "township", "乡镇街道": "township", "街道": "township",
                     "层级": "level", "机关层级": "level", "格式": "layout", "版式": "layout"}


class StatsError(NianbaoError):
    """A statistics request that cannot be answered as asked (unknown grouping)."""


def parse_group_by(values: str | list[str] | tuple[str, ...] | None) -> list[str]:
    """``year,province`` (or Chinese 年度,省) as a list of dimension keys, order kept."""
    if isinstance(values, str):
        values = [values]
    out: list[str] = []
    for value in values or ():
        for part in value.replace("，", ",").split(","):
            key = part.strip()
            if not key:
                continue
            key = DIMENSION_ALIASES.get(key, key.lower())
            if key not in DIMENSIONS:
                raise StatsError("unknown_group", f"无法按“{part.strip()}”分组；可选："
                                 f"{'、'.join(DIMENSIONS)}（或 年度、省、市、县、乡镇、层级、格式）。")
            if key not in out:
                out.append(key)
    return out


# ------------------------------------------------------------------ figures and formulas

@dataclass(frozen=True)
class FigureDef:
    label: str  # Chinese column header
    formula: str  # how it is computed, for people
    kind: str  # count / amount (万元) / rate (a ratio in 0..1)


def _figure_defs() -> dict[str, FigureDef]:
    """Labels and formulas, worded from the official layout's own labels."""
    t2, t3, t4 = (get("2021").tables[t] for t in ("table2", "table3", "table4"))
    new = t3.row("new_received").label
    total_col = t3.column("total").label
    processed = t3.row("total_processed").label
    groups = {g.key: g.label for g in t3.groups}
    def bare(label: str) -> str:  # （三）不予公开 -> 不予公开
        return label.split("）", 1)[-1]

    # outcome -> (short label, which rows of table 三 are summed)
    outcome_words = {
        "granted": (bare(t3.row("granted").label), f"“{t3.row('granted').label}”行"),
        "partially_granted": ("部分公开", "“（二）部分公开”行"),
        **{o: (bare(groups[g]), f"“{groups[g]}”下各行") for o, g in (
            ("denied", "denied"), ("unavailable", "unavailable"),
            ("not_processed", "not_processed"))},
        "other": (bare(groups["other_handling"]), f"“{groups['other_handling']}”下各行"
                  "（2019 年格式只有一行）"),
        "total_processed": ("办理总计", f"“{processed}”行"),
        "carried_over": ("上年结转", f"“{t3.row('carried_over').label}”行"),
        "carried_forward": ("结转下年度", f"“{t3.row('carried_forward').label}”行"),
    }
    defs: dict[str, FigureDef] = {
        "reports": FigureDef("报告数", "符合条件的当前报告份数（同一机关同一年度只计最新的一份，"
                             "被取代的旧版本和无法读取的文件不计）", "count"),
        "with_errors": FigureDef("有错误的报告", "检查发现至少一个“错误”级问题的报告份数", "count"),
    }
    for a in APPLICANTS:
        col = t3.column(a).label
        label = "申请总量" if a == "total" else f"申请·{col}"
        defs[f"apps_{a}"] = FigureDef(label, f"Σ 表三“{new}”行“{col}”列", "count")
    known = f"只计“{processed}”有数字的报告，其中空白的分子按 0 计"
    for o, (short, where) in outcome_words.items():
        defs[f"out_{o}"] = FigureDef(short, f"Σ 表三{where}“{total_col}”列", "count")
        if o in ("total_processed", "carried_over", "carried_forward"):
            continue
        defs[f"share_{o}"] = FigureDef(f"{short}占比", f"Σ {short} ÷ Σ {processed}（{known}）",
                                       "rate")
    defs["disclosure_rate"] = FigureDef(
        "公开率", f"(Σ 予以公开 + Σ 部分公开) ÷ Σ {processed}：先对所有报告分别求和再相除，"
        f"不是各报告公开率的平均（{known}）", "rate")
    review, direct, after = (g.label for g in t4.groups)
    t4_cols = {c.key: c.label for c in t4.columns}
    for r, col in t4_cols.items():
        defs[f"review_{r}"] = FigureDef(f"复议·{col}", f"Σ 表四“{review}”组“{col}”列", "count")
    defs["review_correction_rate"] = FigureDef(
        "复议纠错率", f"Σ 复议{t4_cols['corrected']} ÷ (Σ 复议{t4_cols['total']} − Σ 复议"
        f"{t4_cols['pending']})，即纠正数占已审结数的比例（只计表四“{review}”组总计有数字的报告，"
        "其中空白的纠正数、未审结数按 0 计）", "rate")
    for r, col in t4_cols.items():
        defs[f"litigation_{r}"] = FigureDef(
            f"诉讼·{col}", f"Σ 表四“{direct}”组与“{after}”组“{col}”列之和", "count")
    defs["litigation_correction_rate"] = FigureDef(
        "诉讼纠错率", f"(Σ 两组{t4_cols['corrected']}) ÷ (Σ 两组{t4_cols['total']} − Σ 两组"
        f"{t4_cols['pending']})，两组为“{direct}”和“{after}”（每组只计其总计有数字的报告）",
        "rate")
    fees = t2.row("fees").label
    amount = t2.column("amount").label
    defs["fee_amount"] = FigureDef("收费（万元）", f"Σ 表二“{fees}”行“{amount}”列"
                                   "（2019 年格式的表二没有这一列，不计）", "amount")
    return defs


FIGURE_DEFS = _figure_defs()
RATES = tuple(k for k, d in FIGURE_DEFS.items() if d.kind == "rate")


def figures_markdown() -> str:
    """The figure table of docs/store.md (section 统计与分析), generated from FIGURE_DEFS."""
    lines = ["| 指标 | 键 | 计算方法 |", "|---|---|---|"]
    lines += [f"| {d.label} | `{k}` | {d.formula} |" for k, d in FIGURE_DEFS.items()]
    return "\n".join(lines)


# ------------------------------------------------------------------ SQL: sums per group

_R = StoredReport
_SHARES = ("granted", "partially_granted", "denied", "unavailable", "not_processed", "other")
_LITIGATION = ("litigation_direct", "litigation_after_review")


def _when_known(denominator, value):
    """``value`` (a blank as 0) for reports whose ``denominator`` figure has a number."""
    return func.sum(case((denominator.is_not(None), func.coalesce(value, 0))))


def group_sums() -> dict[str, Any]:
    """The SQL aggregates (sums and counts) each group needs; every figure is derived from
    their values by ``derive``."""
    atoms: dict[str, Any] = {
        "reports": func.count(_R.id),
        "with_errors": func.sum(case((_R.errors > 0, 1), else_=0)),
    }
    atoms.update({f: func.sum(getattr(_R, f)) for f in FIGURES})
    for o in _SHARES:
        atoms[f"known_{o}"] = _when_known(_R.out_total_processed, getattr(_R, f"out_{o}"))
    for g in ("review", *_LITIGATION):
        total, pending = getattr(_R, f"{g}_total"), getattr(_R, f"{g}_pending")
        atoms[f"known_{g}_corrected"] = _when_known(total, getattr(_R, f"{g}_corrected"))
        atoms[f"known_{g}_concluded"] = func.sum(total - func.coalesce(pending, 0))
    return atoms


def _add(*values):
    present = [v for v in values if v is not None]
    return sum(present) if present else None


def _ratio(num, den):
    return None if num is None or not den else num / den


def derive(atoms: dict[str, Any]) -> dict[str, Any]:
    """Every FIGURE_DEFS value from a group's sums (a single report is a group of one)."""
    a = {k: (None if v is None else float(v)) for k, v in atoms.items()}
    out: dict[str, Any] = {k: v for k, v in a.items() if k in FIGURE_DEFS}  # plain sums
    processed = a["out_total_processed"]
    for o in _SHARES:
        out[f"share_{o}"] = _ratio(a[f"known_{o}"], processed)
    out["disclosure_rate"] = _ratio(_add(a["known_granted"], a["known_partially_granted"]),
                                    processed)
    out["review_correction_rate"] = _ratio(a["known_review_corrected"],
                                           a["known_review_concluded"])
    for r in ("upheld", "corrected", "other", "pending", "total"):
        out[f"litigation_{r}"] = _add(*(a[f"{g}_{r}"] for g in _LITIGATION))
    out["litigation_correction_rate"] = _ratio(
        _add(*(a[f"known_{g}_corrected"] for g in _LITIGATION)),
        _add(*(a[f"known_{g}_concluded"] for g in _LITIGATION)))
    values = {k: out[k] for k in FIGURE_DEFS}
    for k, d in FIGURE_DEFS.items():  # counts are whole numbers: show them as such
        v = values[k]
        if d.kind == "count" and v is not None and float(v).is_integer():
            values[k] = int(v)
    values["reports"] = values["reports"] or 0
    values["with_errors"] = values["with_errors"] or 0
    return values


def _grouping(group_by: list[str]):
    """(key columns, name columns, outer joins) for the GROUP BY; regions are keyed by code
    and named from the ``divisions`` table."""
    keys, names, joins = [], [], []
    for dim in group_by:
        column = DIMENSIONS[dim][1]
        if dim in REGION_DIMENSIONS:
            div = aliased(Division, name=f"div_{dim}")
            keys.append(column.label(f"{dim}_code"))
            names.append(div.name.label(dim))
            joins.append((div, div.code == column))
        else:
            keys.append(column.label(dim))
    return keys, names, joins


def _validated(filters: Selection) -> Selection:
    if filters.region:  # an unknown region: the error suggests close names
        from nianbao.store.analysis import resolve_region

        resolve_region(filters.region)
    return filters.validate()


def _selected(stmt, filters: Selection):
    # failed documents are never current (records.save_document); said here in SQL as well
    return filters.apply(stmt).where(_R.status != "failed")


# ------------------------------------------------------------------ stats

@dataclass
class StatsTable:
    """One row per group: the group's key values, then every figure of FIGURE_DEFS."""

    group_by: list[str]
    rows: list[dict[str, Any]]
    total: dict[str, Any]  # the figures over all groups together
    filters: Selection = field(default_factory=Selection)

    @property
    def key_columns(self) -> list[str]:
        """Key fields of each row: ``province`` (name) with ``province_code``; ``year``…"""
        cols: list[str] = []
        for dim in self.group_by:
            cols += [dim, f"{dim}_code"] if dim in REGION_DIMENSIONS else [dim]
        return cols

    def to_dict(self) -> dict[str, Any]:
        return {"group_by": self.group_by,
                "filters": dict(self.filters.describe()),
                "figures": {k: {"label": d.label, "formula": d.formula, "kind": d.kind}
                            for k, d in FIGURE_DEFS.items()},
                "rows": self.rows, "total": self.total}


def _sort_key(row: dict[str, Any], group_by: list[str]):
    """Groups in key order (regions by code); None (no region, level or year) last."""
    cols = [f"{d}_code" if d in REGION_DIMENSIONS else d for d in group_by]
    return [(row[c] is None, row[c] if row[c] is not None else 0) for c in cols]


def stats(session: Session, *, group_by: list[str] | tuple[str, ...] = (),
          filters: Selection | None = None) -> StatsTable:
    """The figures of FIGURE_DEFS for the selected current reports, per group."""
    filters = _validated(filters or Selection())
    group_by = parse_group_by(list(group_by))
    keys, names, joins = _grouping(group_by)
    atoms = group_sums()
    stmt = select(*keys, *names, *(expr.label(k) for k, expr in atoms.items())).select_from(_R)
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    if keys:
        stmt = stmt.group_by(*keys, *names)
    stmt = _selected(stmt, filters)
    rows, sums = [], {k: None for k in atoms}
    for rec in session.execute(stmt).mappings():
        if not rec["reports"]:
            continue  # no GROUP BY and nothing selected: SQL still returns one empty row
        row = {c.key: rec[c.key] for c in (*keys, *names)}
        rows.append({**row, **derive({k: rec[k] for k in atoms})})
        sums = {k: _add(sums[k], rec[k]) for k in atoms}
    table = StatsTable(group_by, rows, {}, filters)
    rows.sort(key=lambda r: _sort_key(r, group_by))
    sums["reports"] = sums["reports"] or 0
    table.total = derive(sums)
    return table


# ------------------------------------------------------------------ findings by rule

@dataclass
class FindingCounts:
    """Per rule code (and group): the number of findings and of reports with one."""

    group_by: list[str]
    rows: list[dict[str, Any]]  # code, title, severity, group keys, findings, reports
    filters: Selection = field(default_factory=Selection)

    def to_dict(self) -> dict[str, Any]:
        return {"group_by": self.group_by, "filters": dict(self.filters.describe()),
                "rows": self.rows}


def _code_clause(column, pattern: str):
    if pattern == "ALL":
        return true()
    return or_(column == pattern, column.like(pattern.rstrip("-") + "-%"))


def finding_counts(session: Session, *, group_by: list[str] | tuple[str, ...] = (),
                   filters: Selection | None = None) -> FindingCounts:
    """Findings of the selected current reports, counted per rule code and group.

    With ``filters.rule`` only the findings of those codes are counted (the reports are then
    the ones having such a finding, as in ``stats``)."""
    filters = _validated(filters or Selection())
    group_by = parse_group_by(list(group_by))
    keys, names, joins = _grouping(group_by)
    found = aliased(StoredFinding, name="counted")
    stmt = (select(found.code.label("code"), *keys, *names,
                   func.count(found.id).label("findings"),
                   func.count(distinct(found.report_id)).label("reports"))
            .select_from(_R).join(found, found.report_id == _R.id))
    for target, on in joins:
        stmt = stmt.outerjoin(target, on)
    stmt = _selected(stmt, replace(filters, rule=None))
    if filters.rule:
        stmt = stmt.where(or_(*(_code_clause(found.code, p) for p in filters.rule_patterns)))
    stmt = stmt.group_by(found.code, *keys, *names)
    rules = all_rules()
    order = {code: i for i, code in enumerate(rules)}
    rows = []
    for rec in session.execute(stmt).mappings():
        rule = rules.get(rec["code"])
        rows.append({"code": rec["code"], "title": rule.title if rule else None,
                     "severity": rule.severity if rule else None,
                     **{c.key: rec[c.key] for c in (*keys, *names)},
                     "findings": rec["findings"], "reports": rec["reports"]})
    rows.sort(key=lambda r: [order.get(r["code"], len(order)), r["code"],
                             *_sort_key(r, group_by)])
    return FindingCounts(group_by, rows, filters)
