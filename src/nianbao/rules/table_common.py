"""Helpers shared by the table rule families (T2 in table2.py; T3 and T4 in tables.py).

Identities and totals come from the layout data (``sum_of``, ``balance``), never from
keys spelled here, so a new layout brings its own arithmetic. Rows, columns and official
labels are iterated from the layout the table uses (``ctx.table_layout``); a row of the
other layout in a mixed table is F-MIXED's business and is skipped here.

Division of labour (no cascades): a blank cell is reported once, by the family's BLANK
rule, and a missing row once, by its ROW-MISSING rule; every arithmetic rule skips an
identity that involves a blank cell or a missing row. A whole missing table is
F-TABLE-MISSING's (these rules are silent when ``report.tableN`` is None).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache
from itertools import chain, compress, repeat
from operator import is_

from nianbao.layouts import Column, TableSpec, get
from nianbao.normalize import core
from nianbao.rules.engine import RULES, Context, Hit

_T2 = "国办公开办函〔2021〕30号 表二（〔2019〕60号 同）"
_T3 = "国办公开办函〔2021〕30号 表三（〔2019〕60号 同）"
_T4 = "国办公开办函〔2021〕30号 表四（〔2019〕60号 同）"

# Stable column keys of table 二 (2021) that take part in T2-IN-FORCE (spec/report-keys.md).
_ISSUED, _REPEALED, _IN_FORCE = "issued", "repealed", "in_force"

# T2-FEE-UNIT: the smallest 万元 amount that is implausible for an agency of each level
# (meta.level). A fee printed in 元 is 10 000 times too large, so these thresholds catch the
# mistake whenever the true amount exceeds threshold / 10 000 万元. They are deliberately
# high, because large agencies do collect large sums: a 乡镇/街道 collecting ≥ 1 亿元 of
# 行政事业性收费, a department ≥ 10 亿元, a government ≥ 100 亿元 is not credible, while a
# county collecting 1 500 万元 is (so "an integer ≥ 1 000" would be a false alarm).
_FEE_LIMIT = {"乡镇街道": 10_000, "部门": 100_000}
_FEE_LIMIT_DEFAULT = 1_000_000
_YUAN = "元"
_HEADER_UNIT = re.compile(r"[万亿千百]?元")  # a money unit named in a printed column header
_BRACKETS = str.maketrans("", "", "()[]【】〔〕<>《》")


# ----------------------------------------------------------------------------- helpers
# A Report's table values are numbers or None (blank), so "None not in values" is the cheap
# test that an identity can be checked; rules run on every report and must stay fast.
_INT_OR_BLANK = {int, type(None)}
_INT_FLOAT_OR_BLANK = {int, float, type(None)}


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _sum(values) -> int | float:
    total = sum(values)
    return round(total, 4) if isinstance(total, float) else total


def _fmt(v) -> str:
    """A number as people write it: no trailing .0, no float noise."""
    if isinstance(v, float):
        return f"{v:.6f}".rstrip("0").rstrip(".")
    return str(v)


@lru_cache(maxsize=4096)  # printed labels repeat across reports
def _loose(text: str) -> str:
    """A label as compared with the official wording: numbering, spaces, width, brackets gone."""
    return core(text).translate(_BRACKETS)


def _rows(ctx: Context, name: str) -> tuple[tuple[str, str, tuple[Column, ...]], ...]:
    """(row key, label for people, columns a number is required in) in layout order."""
    return _layout_rows(ctx.table_layout(name).key, name)


@cache  # layouts are immutable: compute once per (layout, table), not per report
def _layout_rows(layout: str, name: str) -> tuple[tuple[str, str, tuple[Column, ...]], ...]:
    """Table 四's rows are its groups. A grouped row of table 三 is labelled with its group
    (（三）不予公开 — 1.属于国家秘密) because "1.属于国家秘密" alone is ambiguous."""
    spec = get(layout).tables[name]
    if name == "table4":
        return tuple((g.key, g.label, spec.columns) for g in spec.groups)
    groups = {g.key: g.label for g in spec.groups}
    return tuple((r.key, f"{groups[r.group]} — {r.label}" if r.group in groups else r.label,
                  spec.row_columns(r)) for r in spec.rows)


@cache
def _blank_plan(layout: str, name: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """(row key, keys of the columns a number is required in) per row."""
    return tuple((key, tuple(c.key for c in columns))
                 for key, _, columns in _layout_rows(layout, name))


def _grid(ctx: Context, name: str) -> dict[str, tuple]:
    """Row key -> the row's values in the order of ``_blank_plan``'s column keys (None where
    blank or absent), for the layout's rows the table has. Picked once per table and
    shared: every arithmetic and blank-cell rule of the table reads these tuples."""
    key = ("grid", name)
    got = ctx.cache.get(key)
    if got is None:
        table = getattr(ctx.report, name) or {}
        row_keys, column_keys = _grid_plan(ctx.table_layout(name).key, name)
        rows = list(map(table.get, row_keys))
        if None not in rows and list(map(tuple, rows)) == column_keys:
            # every row present and read in layout order (the usual): taken as they are, in C
            got = dict(zip(row_keys, map(tuple, map(dict.values, rows)), strict=True))
            ctx.cache[("grid_complete", name)] = True  # no column of any row is absent
        else:
            got = {row: tuple(map(values.get, keys))
                   for row, keys, values in zip(row_keys, column_keys, rows, strict=True)
                   if values is not None}
        ctx.cache[key] = got
    return got


@cache
def _grid_plan(layout: str, name: str) -> tuple[tuple[str, ...], list[tuple[str, ...]]]:
    """``_blank_plan`` as (row keys, [column keys of each row])."""
    plan = _blank_plan(layout, name)
    return tuple(row for row, _ in plan), [keys for _, keys in plan]


@cache
def _positions(layout: str, name: str) -> dict[str, int]:
    """Column key -> its index in a ``_grid`` row of table 三 or 四 (all rows share columns)."""
    return {c.key: i for i, c in enumerate(get(layout).tables[name].columns)}


def _clean_counts(ctx: Context, name: str) -> bool:
    """True when every value of the table is a non-negative integer (or blank), except
    decimals in money columns and negatives in signed ones: then no count rule has anything
    to say. Decided once per table and shared by the rules."""
    key = ("clean_counts", name)
    got = ctx.cache.get(key)
    if got is None:
        table = getattr(ctx.report, name)
        # The distinct values suffice (a table holds a dozen): a float or bool the set drops
        # for an equal int (1.0, True) is one no count rule would flag either.
        values = set(chain.from_iterable(map(dict.values, table.values())))
        got = set(map(type, values)) <= _INT_FLOAT_OR_BLANK
        if got:
            # Table 二's amounts (收费金额 in 万元) have decimals, and 2019's 本年增/减 may be
            # negative: such a value is clean only where every cell holding it is an amount
            # (or a signed change), counted so that an equal count elsewhere is not overlooked.
            negatives = [v for v in values if v is not None and v < 0]
            fractions = [v for v in values if type(v) is float and not v.is_integer()]
            if negatives or fractions:
                money, signed = _exempt_values(ctx, name)
                cells = list(chain.from_iterable(map(dict.values, table.values())))
                got = (all(cells.count(v) == signed.count(v) for v in negatives)
                       and all(cells.count(v) == money.count(v) for v in fractions))
        ctx.cache[key] = got
    return got


def _exempt_values(ctx: Context, name: str) -> tuple[list, list]:
    """The values of the table's money cells and of its signed cells."""
    table = getattr(ctx.report, name)
    layout = ctx.table_layout(name).key
    return ([table.get(row, {}).get(col.key) for row, _, col in _money_cells(layout, name)],
            [table.get(row, {}).get(col.key) for row, col in _signed_cells(layout, name)])


@cache
def _money_cells(layout: str, name: str) -> tuple[tuple[str, str, Column], ...]:
    """(row key, row label, column) of a table's amounts (table 二's 收费金额 …)."""
    return tuple((key, label, col) for key, label, columns in _layout_rows(layout, name)
                 for col in columns if col.kind == "money")


@cache
def _signed_cells(layout: str, name: str) -> tuple[tuple[str, Column], ...]:
    """(row key, column) of a table's cells that may be negative (2019's 本年增/减)."""
    return tuple((key, col) for key, _, columns in _layout_rows(layout, name)
                 for col in columns if col.signed)


def _spec(ctx: Context, name: str) -> TableSpec:
    return ctx.table_layout(name).tables[name]


def _bad_counts(ctx: Context, name: str, *, negative: bool, fraction: bool) -> Iterator[Hit]:
    """Cells holding a negative number (unless the column is signed) or a fractional count."""
    table = getattr(ctx.report, name)
    if not table or _clean_counts(ctx, name):
        return
    for key, label, columns in _rows(ctx, name):
        values = table.get(key)
        if not values:
            continue
        types = set(map(type, values.values()))
        if types <= _INT_OR_BLANK and min(filter(None, values.values()), default=0) >= 0:
            continue  # the common row, decided in C: non-negative integers and blanks only
        for col in columns:
            v = values.get(col.key)
            if v is None or isinstance(v, bool):
                continue
            # parse_number gives counts as int unless they have a fractional part
            neg = negative and v < 0 and not col.signed
            frac = fraction and type(v) is float and col.kind != "money" and not v.is_integer()
            if neg or frac:
                yield Hit(table=name, row=key, column=col.key, found=v,
                          fields={"row_label": label, "column_label": col.label,
                                  "value": _fmt(v)})


def _blanks(ctx: Context, name: str, code: str) -> Iterator[dict]:
    """One finding per table with blank cells, naming each row's blank columns; located at
    the first blank cell (views flag every blank cell of the table: ``blank_cells``).

    Earlier versions reported each row: a report that writes "—" for zero leaves blanks in
    most rows, and twenty warnings with the same fix said less than one that lists the rows,
    while their validation was a third of checking such a report. The rule yields a
    finished record (see engine.run_rules)."""
    table = getattr(ctx.report, name)
    if not table:
        return
    layout = ctx.table_layout(name).key
    grid = _grid(ctx, name)  # a column a row lacks reads as None too
    blank_rows = [(key, keys, row) for key, keys in _blank_plan(layout, name)
                  if (row := grid.get(key)) is not None and None in row]
    if not blank_rows:
        return  # no blanks (missing rows are the ROW-MISSING rule's)
    # A cell the parser never read (missing, under an unrecognised header, in a row of too
    # few cells) is not one the author left empty: say so. The parser notes every such cell
    # (``_UNREAD``): asking its few notes is exact and far cheaper than the provenance of
    # every cell. Only the rows the message names are described; the rest are counted.
    unread = {(p.row, p.column) for p in ctx.report.problems
              if p.table == name and p.code in _UNREAD}
    described = (blank_rows[:_BLANK_ROWS_SHOWN] if len(blank_rows) > _BLANK_ROWS_SHOWN + 1
                 else blank_rows)
    if not unread and ctx.cache.get(("grid_complete", name)):
        # the usual: every blank cell was read empty; rows told apart by where their blanks are
        rows = [_empty_row(layout, name, key, tuple(map(is_, row, repeat(None))))
                for key, _, row in described]
    else:
        rows = []
        for key, keys, row in described:
            values = table[key]
            blank = tuple(compress(keys, map(is_, row, repeat(None))))
            absent = tuple(k for k in blank if k not in values or (unread and (
                (key, k) in unread or (key, None) in unread)))
            rows.append(_blank_row(layout, name, key, blank, absent))
    key, column = rows[0][:2]
    first = ctx.cell(name, key, column)
    rule = RULES[code]
    shown = [r[2] for r in rows]
    if len(rows) < len(blank_rows):
        unit = "组" if name == "table4" else "行"
        cells = sum(row.count(None) for _, _, row in blank_rows)
        shown.append(f"另有 {len(blank_rows) - len(rows)} {unit}也有空白单元格（表中共 {cells} 个空白单元格）")
    hit = Hit(fields={"which": "；".join(shown)})
    yield {"code": code, "severity": rule.severity, "message": rule.render(hit),
           "expected": None, "found": None,
           "location": {"table": name, "row": key, "column": column, "section": None,
                        "field": None, "source": first["location"] if first else None}}


_BLANK_ROWS_SHOWN = 5  # rows named in the message; the views flag every blank cell
# Parse problems (docs/output.md) that the recogniser records for every cell of a row it
# keys but cannot read (its value None, no provenance): one cell, or a whole row (no column).
_UNREAD = frozenset({"cell_missing", "row_incomplete"})


@lru_cache(maxsize=8192)  # the same rows go blank in report after report
def _empty_row(layout: str, name: str, key: str, blanks: tuple[bool, ...]
               ) -> tuple[str, str, str]:
    """``_blank_row`` of a row whose blanks (True where blank, in ``_blank_plan`` order)
    were all read empty."""
    keys = dict(_blank_plan(layout, name))[key]
    return _blank_row(layout, name, key, tuple(compress(keys, blanks)), ())


@lru_cache(maxsize=8192)  # the same rows go blank in report after report
def _blank_row(layout: str, name: str, key: str, blank: tuple[str, ...],
               absent: tuple[str, ...]) -> tuple[str, str, str]:
    """(row key, first blank column, what the message says of the row)."""
    _, label, columns = next(r for r in _layout_rows(layout, name) if r[0] == key)
    by_key = {c.key: c for c in columns}
    empty = [by_key[k] for k in blank if k not in absent]
    which = "，".join(_which(cols, len(columns), what) for cols, what in
                     ((empty, "未填写"), ([by_key[k] for k in absent],
                                       "没有读到数值（缺少单元格或列标题无法识别）"))
                     if cols)
    unit = "一组" if name == "table4" else "一行"
    return key, blank[0], f"“{label}”{unit}{which}"


def _which(cols: list[Column], width: int, what: str) -> str:
    if len(cols) == width > 1:
        return "整行均" + what
    return "“" + "”“".join(c.label for c in cols) + "”" + what


_BLANK_RULES = frozenset({"T2-BLANK", "T3-BLANK", "T4-BLANK"})


def finding_cells(report, finding) -> list[tuple[str, str, str | None]]:
    """(table, row key, column key or None for the whole row) of the cells a finding points
    at: its location's, and for a BLANK finding every blank cell of its table, as its
    message names only the first rows."""
    loc = finding.location
    if not (loc.table and loc.row):
        return []
    if finding.code in _BLANK_RULES:
        return blank_cells(report, loc.table) or [(loc.table, loc.row, loc.column)]
    return [(loc.table, loc.row, loc.column)]


def blank_cells(report, name: str) -> list[tuple[str, str, str]]:
    """(table, row key, column key) of every blank cell where a number is required: the
    cells a BLANK finding covers, flagged in the terminal, HTML and web views."""
    table = getattr(report, name)
    if not table:
        return []
    layout = report.table_layouts.get(name) or report.layout
    out = []
    for key, keys in _blank_plan(layout if layout in ("2019", "2021") else "2021", name):
        values = table.get(key)
        if values is not None:
            out += [(name, key, k) for k in keys if values.get(k) is None]
    return out


def _missing(ctx: Context, name: str) -> Iterator[Hit]:
    table = getattr(ctx.report, name)
    if table is None:
        return  # the whole table: F-TABLE-MISSING
    for key, label, _ in _rows(ctx, name):
        if key not in table:
            yield Hit(table=name, row=key, fields={"row_label": label})


_NEG_DOC = dict(
    why="统计表填写的是件数，不可能为负数或小数；出现这种数字通常是把差值、比例或金额填进了件数栏，"
        "或录入时多敲了符号、小数点。",
    fix="核对台账，改为实际件数（非负整数）；若该单元格本应为空，填 0。",
)
_BLANK_DOC = dict(
    why="官方格式要求每个单元格填写数字，没有发生的情形填 0；空白无法区分“没有”与“漏填”，"
        "读者和汇总统计都无法使用，勾稽关系也无法核验。",
    fix="在空白单元格中填入实际数字，没有发生的情形填 0（不要用“—”“/”或留空）。",
)
_MISSING_DOC = dict(
    why="删去官方格式的行会使该项统计缺失，汇总时无法与其他机关的报告对齐，也会让总计无从核对。",
    fix="按所用格式的官方表格补齐该行；没有发生的情形逐格填 0。",
)


# ----------------------------------------------------------------------------- table 二
