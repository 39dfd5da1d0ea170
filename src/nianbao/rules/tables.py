"""Rules on tables 三 and 四 (families T3, T4); table 二 is in table2.py.

Identities and totals come from the layout data (``sum_of``, ``balance``), never from
keys spelled here. See table_common.py for the division of labour between rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from itertools import repeat
from operator import contains, itemgetter

from nianbao.layouts import Column, get
from nianbao.rules.engine import Context, Hit, rule
from nianbao.rules.table_common import (
    _BLANK_DOC,
    _MISSING_DOC,
    _NEG_DOC,
    _T3,
    _T4,
    _bad_counts,
    _blanks,
    _fmt,
    _grid,
    _missing,
    _positions,
    _rows,
    _spec,
    _sum,
)


@rule(
    "T3-BAL", "error", "表三勾稽关系不平",
    "表三“{column_label}”列：一（本年新收 {a}）加二（上年结转 {b}）为 {expected}，"
    "不等于三（七）总计（{c}）加四（结转下年度 {d}）之和 {found}。",
    _T3,
    what="表三每一列都应满足表头注明的勾稽关系：第一项加第二项之和，等于第三项加第四项之和，"
         "即 本年新收 + 上年结转 = 本年度办理结果总计 + 结转下年度继续办理。",
    why="这是格式文件印在表三左上角的唯一校验关系；不平说明有申请被漏计、重计或填错了行。",
    example="自然人一列：本年新收 10、上年结转 2，办理结果总计 9、结转下年度 1：12 ≠ 10。",
    fix="逐项核对该列：申请是否都有办理结果，未办结的是否计入“结转下年度继续办理”，"
        "办理结果各行之和是否等于（七）总计。",
)
def t3_balance(ctx: Context) -> Iterator[Hit]:
    t3 = ctx.report.table3
    spec = ctx.table_layout("table3").table3
    if not t3 or spec.balance is None:
        return
    left, right = spec.balance
    grid = _grid(ctx, "table3")
    rows = [grid.get(k) for k in (*left, *right)]
    if None in rows:
        return  # a missing row is T3-ROW-MISSING's
    if _balanced(rows[:len(left)], rows[len(left):]):
        return
    for col, vals in zip(spec.columns, zip(*rows, strict=True), strict=True):  # by column
        if None in vals:
            continue  # blanks are T3-BLANK's
        a, b, c, d = vals
        expected, found = _sum(vals[: len(left)]), _sum(vals[len(left):])
        if expected != found:
            yield Hit(table="table3", row=right[0], column=col.key, expected=expected,
                      found=found, fields={"column_label": col.label, "a": a, "b": b,
                                           "c": c, "d": d})


@rule(
    "T3-ROW-SUM", "error", "表三行总计不等于各类申请人之和",
    "表三“{row_label}”一行：各类申请人（{parts}）之和为 {expected}，“{column_label}”却为 {found}。",
    _T3,
    what="表三每一行的“总计”应等于自然人、商业企业、科研机构、社会公益组织、法律服务机构、"
         "其他六类申请人之和。",
    why="总计与分项不符，读者无法判断哪一个数字是真实的；按申请人类型的统计和总数也会互相矛盾。",
    example="“（一）予以公开”一行：自然人 5、商业企业 1、其余为 0，总计却填 5。",
    fix="核对该行各申请人类型的件数，使六项之和等于总计；常见原因是新增一件申请后只改了分项或只改了总计。",
)
def t3_row_sum(ctx: Context) -> Iterator[Hit]:
    if not ctx.report.table3:
        return
    layout = ctx.table_layout("table3").key
    grid = _grid(ctx, "table3")
    if _rows_add_up(list(grid.values()), _row_sums(layout)):
        return
    for total, at, parts_of in _row_sums(layout):
        for key, label, _ in _rows(ctx, "table3"):
            row = grid.get(key)
            if row is None or (found := row[at]) is None:
                continue
            parts = parts_of(row)
            if None in parts:
                continue  # blanks are T3-BLANK's
            expected = sum(parts)
            if expected != found and (expected := _sum(parts)) != found:
                yield Hit(table="table3", row=key, column=total.key, expected=expected,
                          found=found, fields={"row_label": label, "column_label": total.label,
                                               "parts": "+".join(_fmt(v) for v in parts)})


def _any_blank(rows: list[tuple]) -> bool:
    return any(map(contains, rows, repeat(None)))  # in C: no Python call per row


def _balanced(parts: list[tuple], totals: list[tuple]) -> bool:
    """True when, column by column, the ``parts`` rows add up to the ``totals`` rows in
    every column without a blank (those are T3-BLANK's): the usual case, decided with sums
    in C before a rule looks at each column to explain what does not add up. Exact: equal
    sums here are equal after ``_sum``'s rounding too, and anything else takes the slow path."""
    if _any_blank(parts) or _any_blank(totals):
        n = len(parts)
        return all(sum(c[:n]) == sum(c[n:])
                   for c in zip(*parts, *totals, strict=True) if None not in c)
    return list(map(sum, zip(*parts, strict=True))) == list(map(sum, zip(*totals, strict=True)))


def _rows_add_up(rows: list[tuple], sums) -> bool:
    """True when every row's total equals the sum of its parts, for each total column, among
    the rows where neither holds a blank (those are T3-BLANK's): decided with the sums in C."""
    blanks = _any_blank(rows)
    for _, at, parts_of in sums:
        usable = ([r for r in rows if r[at] is not None and None not in parts_of(r)]
                  if blanks else rows)
        if list(map(sum, map(parts_of, usable))) != list(map(itemgetter(at), usable)):
            return False
    return True


@cache
def _row_sums(layout: str) -> tuple[tuple[Column, int, itemgetter], ...]:
    """Table 三's total columns: (column, its index in a grid row, a getter of its parts)."""
    at = _positions(layout, "table3")
    return tuple((c, at[c.key], itemgetter(*(at[k] for k in c.sum_of)))
                 for c in get(layout).table3.columns if c.sum_of)


@rule(
    "T3-COL-SUM", "error", "表三（七）总计不等于各办理结果之和",
    "表三“{column_label}”列：办理结果（一）至（六）各行之和为 {expected}，“{row_label}”却为 {found}。",
    _T3,
    what="表三每一列的“（七）总计”应等于（一）予以公开至（六）其他处理各行之和（2021 年版"
         "（六）分三行，2019 年版为一行）。",
    why="（七）总计是勾稽关系的第三项；它与各办理结果之和不符，说明有申请的办理结果被漏计或重计。",
    example="自然人一列：予以公开 6、不掌握 3、其余为 0，（七）总计却填 8。",
    fix="逐行核对该列各办理结果的件数，使其之和等于（七）总计，再核对勾稽关系。",
)
def t3_col_sum(ctx: Context) -> Iterator[Hit]:
    t3 = ctx.report.table3
    if not t3:
        return
    spec = _spec(ctx, "table3")
    grid = _grid(ctx, "table3")
    for total in (r for r in spec.rows if r.sum_of):
        if total.key not in grid or not all(k in grid for k in total.sum_of):
            continue  # missing rows are T3-ROW-MISSING's
        if _balanced([grid[k] for k in total.sum_of], [grid[total.key]]):
            continue
        labels = {key: label for key, label, _ in _rows(ctx, "table3")}
        columns = zip(*(grid[k] for k in total.sum_of), strict=True)  # column by column
        for col, parts, found in zip(spec.columns, columns, grid[total.key], strict=True):
            if found is None or None in parts:
                continue  # blanks are T3-BLANK's
            expected = sum(parts)
            if expected != found and (expected := _sum(parts)) != found:
                yield Hit(table="table3", row=total.key, column=col.key, expected=expected,
                          found=found, fields={"row_label": labels[total.key],
                                               "column_label": col.label})


@rule(
    "T3-NEG", "error", "表三件数为负数或非整数",
    "表三“{row_label}”一行“{column_label}”为 {value}，申请件数应为非负整数。",
    _T3,
    what="表三每个单元格都是申请件数，必须是非负整数。",
    example="“二、上年结转政府信息公开申请数量”一行自然人一列填 -1，或某格填 0.5。",
    **_NEG_DOC,
)
def t3_negative(ctx: Context) -> Iterator[Hit]:
    yield from _bad_counts(ctx, "table3", negative=True, fraction=True)


@rule(
    "T3-BLANK", "warning", "表三单元格空白",
    "表三{which}；没有发生的情形应填 0。",
    _T3,
    what="表三每个单元格都应填写数字，没有发生的情形填 0。一张表报告一次：逐行列出空白的列"
         "（超过六行时列出前五行，再给出其余行数和空白单元格总数），区分留空的单元格与无法读出的"
         "单元格；表格视图标出每一个空白单元格。勾稽关系等规则跳过含空白的算式。",
    example="“（三）不予公开 — 1.属于国家秘密”一行各列留空或填“—”。",
    **_BLANK_DOC,
)
def t3_blank(ctx: Context) -> Iterator[Hit]:
    return _blanks(ctx, "table3", "T3-BLANK")


@rule(
    "T3-ROW-MISSING", "error", "表三缺少官方格式的行",
    "表三缺少“{row_label}”一行。",
    _T3,
    what="表三应包含所用格式的全部行：一、本年新收，二、上年结转，三、本年度办理结果的各项"
         "（2021 年版（六）其他处理分三行），（七）总计，四、结转下年度继续办理。",
    example="表三省略了“（五）不予处理”下的“4.无正当理由大量反复申请”一行。",
    **_MISSING_DOC,
)
def t3_row_missing(ctx: Context) -> Iterator[Hit]:
    yield from _missing(ctx, "table3")


# ----------------------------------------------------------------------------- table 四
@rule(
    "T4-SUM", "error", "表四总计不等于各项之和",
    "表四“{group_label}”：结果维持、结果纠正、其他结果、尚未审结之和为 {expected}，总计却为 {found}。",
    _T4,
    what="表四每一组（行政复议、未经复议直接起诉、复议后起诉）的总计应等于结果维持、结果纠正、"
         "其他结果、尚未审结四项之和。",
    why="总计与分项不符，读者无法判断哪一个数字是真实的；纠错率等统计也会算错。",
    example="行政复议：维持 2、纠正 1、其他 0、尚未审结 1，总计却填 3。",
    fix="核对每一件复议、诉讼案件的结果归类，使四项之和等于总计。",
)
def t4_sum(ctx: Context) -> Iterator[Hit]:
    t4 = ctx.report.table4
    spec = ctx.table_layout("table4").table4
    if not t4:
        return
    for col in spec.columns:
        if not col.sum_of:
            continue
        for group in spec.groups:
            values = t4.get(group.key, {})
            parts = [values.get(k) for k in col.sum_of]
            total = values.get(col.key)
            if total is not None and None not in parts and _sum(parts) != total:
                yield Hit(table="table4", row=group.key, column=col.key, expected=_sum(parts),
                          found=total, fields={"group_label": group.label})


@rule(
    "T4-NEG", "error", "表四件数为负数或非整数",
    "表四“{row_label}”一组“{column_label}”为 {value}，案件数应为非负整数。",
    _T4,
    what="表四每个单元格都是行政复议或行政诉讼的案件数，必须是非负整数。",
    example="表四“行政复议”的“结果纠正”填 -1。",
    **_NEG_DOC,
)
def t4_negative(ctx: Context) -> Iterator[Hit]:
    yield from _bad_counts(ctx, "table4", negative=True, fraction=True)


@rule(
    "T4-BLANK", "warning", "表四单元格空白",
    "表四{which}；没有发生的情形应填 0。",
    _T4,
    what="表四每一组的结果维持、结果纠正、其他结果、尚未审结、总计都应填写数字，没有的填 0。"
         "一张表报告一次，逐组列出空白的列。",
    example="没有行政诉讼的机关把“未经复议直接起诉”一组的五格都留空。",
    **_BLANK_DOC,
)
def t4_blank(ctx: Context) -> Iterator[Hit]:
    return _blanks(ctx, "table4", "T4-BLANK")


@rule(
    "T4-ROW-MISSING", "error", "表四缺少官方格式的分组",
    "表四缺少“{row_label}”一组。",
    _T4,
    what="表四应包含行政复议、行政诉讼（未经复议直接起诉）、行政诉讼（复议后起诉）三组，每组五列。",
    example="表四只列了行政复议一组，删去了行政诉讼的两组。",
    **_MISSING_DOC,
)
def t4_row_missing(ctx: Context) -> Iterator[Hit]:
    yield from _missing(ctx, "table4")
