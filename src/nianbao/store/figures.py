"""The figures kept on each stored report for fast statistics, derived from its tables.

Formulas (documented for users in docs/store.md, "统计口径"):

- ``apps_<applicant>``: table 三 row 一、本年新收, each applicant column and 总计;
- ``out_<outcome>``: the 总计 column of table 三 for 予以公开, 部分公开, 上年结转, （七）总计,
  结转下年度; and for the groups 不予公开 / 无法提供 / 不予处理 / 其他处理, the sum of the
  group's rows (2019's single row （六）其他处理 stands for its group);
- ``<group>_<result>``: table 四, each group (行政复议, 未经复议直接起诉, 复议后起诉) × result;
- ``fee_amount``: table 二 行政事业性收费 本年收费金额 (万元).

A blank cell is missing, not zero: a group sum adds the cells that have numbers and is
missing only when every cell is blank; a figure whose table or row is absent is missing.
"""

from __future__ import annotations

from functools import cache

from nianbao.layouts import get
from nianbao.model import Report
from nianbao.store.models import APPEAL_GROUPS, APPEAL_RESULTS, APPLICANTS

TOTAL = "total"
# table 三 outcome figures: a single row, or a group of rows summed
_OUTCOME_ROWS = {"granted": "granted", "partially_granted": "partially_granted",
                 "total_processed": "total_processed", "carried_over": "carried_over",
                 "carried_forward": "carried_forward"}
_OUTCOME_GROUPS = {"denied": "denied", "unavailable": "unavailable",
                   "not_processed": "not_processed", "other": "other_handling"}
_OTHER_ROW_2019 = "other"  # the 2019 layout prints （六）其他处理 as one row, not a group


@cache
def _group_rows(layout: str) -> dict[str, tuple[str, ...]]:
    spec = get(layout).tables["table3"]
    groups: dict[str, list[str]] = {}
    for row in spec.rows:
        if row.group:
            groups.setdefault(row.group, []).append(row.key)
    return {k: tuple(v) for k, v in groups.items()}


def _sum(values) -> float | None:
    numbers = [v for v in values if v is not None]
    return float(sum(numbers)) if numbers else None


def figures(report: Report) -> dict[str, float | None]:
    """Every FIGURES column of ``StoredReport`` for ``report``."""
    out: dict[str, float | None] = {}
    t3 = report.table3 or {}
    new = t3.get("new_received", {})
    for a in APPLICANTS:
        out[f"apps_{a}"] = _num(new.get(a))
    for name, row in _OUTCOME_ROWS.items():
        out[f"out_{name}"] = _num(t3.get(row, {}).get(TOTAL))
    layout = report.table_layouts.get("table3") or report.layout
    groups = _group_rows(layout if layout in ("2019", "2021") else "2021")
    for name, group in _OUTCOME_GROUPS.items():
        rows = groups.get(group)
        if rows is None and name == "other":
            rows = (_OTHER_ROW_2019,)
        present = [t3[r].get(TOTAL) for r in rows or () if r in t3]
        out[f"out_{name}"] = _sum(present)
    t4 = report.table4 or {}
    for g in APPEAL_GROUPS:
        for r in APPEAL_RESULTS:
            out[f"{g}_{r}"] = _num(t4.get(g, {}).get(r))
    out["fee_amount"] = _num(((report.table2 or {}).get("fees") or {}).get("amount"))
    return out


def _num(v) -> float | None:
    return None if v is None else float(v)
