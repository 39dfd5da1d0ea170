"""Rules on the statistical tables 二, 三 and 四 (families T2, T3, T4).

Identities and totals come from the layout data (``sum_of``, ``balance``), never from
keys spelled here, so a new layout brings its own arithmetic.
"""

from __future__ import annotations

from collections.abc import Iterator

from nianbao.rules.engine import Context, Hit, rule

_T3 = "国办公开办函〔2021〕30号 表三（〔2019〕60号 同）"
_T4 = "国办公开办函〔2021〕30号 表四（〔2019〕60号 同）"


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _sum(values) -> int | float:
    total = sum(values)
    return round(total, 4) if isinstance(total, float) else total


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
    for col in spec.columns:
        vals = [t3.get(k, {}).get(col.key) for k in (*left, *right)]
        if not all(_num(v) for v in vals):
            continue  # blanks and missing rows are T3-BLANK's / T3-ROW-MISSING's
        a, b, c, d = vals
        expected, found = _sum(vals[: len(left)]), _sum(vals[len(left):])
        if expected != found:
            yield Hit(table="table3", row=right[0], column=col.key, expected=expected,
                      found=found, fields={"column_label": col.label, "a": a, "b": b,
                                           "c": c, "d": d})


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
            if _num(total) and all(_num(v) for v in parts) and _sum(parts) != total:
                yield Hit(table="table4", row=group.key, column=col.key, expected=_sum(parts),
                          found=total, fields={"group_label": group.label})
