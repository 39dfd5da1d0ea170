"""Rules on the statistical tables 二, 三 and 四 (families T2, T3, T4).

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

from nianbao.layouts import Column, TableSpec, get
from nianbao.normalize import core
from nianbao.rules.engine import Context, Hit, rule

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
_INT = {int}


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


def _spec(ctx: Context, name: str) -> TableSpec:
    return ctx.table_layout(name).tables[name]


def _bad_counts(ctx: Context, name: str, *, negative: bool, fraction: bool) -> Iterator[Hit]:
    """Cells holding a negative number (unless the column is signed) or a fractional count."""
    table = getattr(ctx.report, name)
    if not table:
        return
    for key, label, columns in _rows(ctx, name):
        values = table.get(key)
        if not values:
            continue
        vals = values.values()
        if set(map(type, vals)) == _INT and min(vals) >= 0:
            continue  # the common row, decided in C: non-negative integers only
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


def _blanks(ctx: Context, name: str) -> Iterator[Hit]:
    """One hit per row with blank cells, naming them; located at the row's first blank cell."""
    table = getattr(ctx.report, name)
    if not table:
        return
    for key, label, columns in _rows(ctx, name):
        values = table.get(key)
        if values is None:
            continue  # a missing row is the ROW-MISSING rule's
        if None not in values.values() and all(c.key in values for c in columns):
            continue
        blank = [c for c in columns if values.get(c.key) is None]
        if not blank:
            continue
        # a cell the parser never read (missing, under an unrecognised header, in a row of
        # too few cells) is not one the author left empty: say so; the parser's own note
        # on the unplaced value tells the rest
        absent = [c for c in blank if c.key not in values
                  or (ctx.report.provenance and (name, key, c.key) not in ctx.cells)]
        empty = [c for c in blank if c not in absent]
        which = "，".join(_which(cols, len(columns), what) for cols, what in
                         ((empty, "未填写"), (absent, "没有读到数值（缺少单元格或列标题无法识别）"))
                         if cols)
        yield Hit(table=name, row=key, column=blank[0].key,
                  fields={"row_label": label, "which": which})


def _which(cols: list[Column], width: int, what: str) -> str:
    if len(cols) == width > 1:
        return "整行均" + what
    return "“" + "”“".join(c.label for c in cols) + "”" + what


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
@rule(
    "T2-NEG", "error", "表二数值为负",
    "表二“{row_label}”一行“{column_label}”为 {value}，该项数量或金额不能为负数。",
    _T2,
    what="表二中除格式本身允许正负的列（2019 年版的“本年增/减”）外，各项件数和金额都不能为负数。",
    why="制发、废止、现行有效件数，处理决定数量和收费金额都不可能小于零；负数多半是把增减数"
        "填进了数量栏，或录入错误。",
    example="2021 年版表二“规章”一行“本年废止件数”填 -2。",
    fix="改为实际数量；若要反映增减变化，只有 2019 年版的“本年增/减”一列可以填负数。",
)
def t2_negative(ctx: Context) -> Iterator[Hit]:
    yield from _bad_counts(ctx, "table2", negative=True, fraction=False)


@rule(
    "T2-NOT-INT", "error", "表二件数不是整数",
    "表二“{row_label}”一行“{column_label}”为 {value}，件数应为整数。",
    _T2,
    what="表二中的件数、项目数量、处理决定数量必须是整数；只有金额列（收费金额、采购总金额）可以有小数。",
    why="文件、事项和决定都按件计，不会出现小数；小数通常是把金额或比例填进了件数栏。",
    example="表二“行政许可”一行“本年处理决定数量”填 2.5。",
    fix="核对该项统计口径，填写整数件数；金额只填在金额列中。",
)
def t2_not_integer(ctx: Context) -> Iterator[Hit]:
    yield from _bad_counts(ctx, "table2", negative=False, fraction=True)


def _wrong_header_unit(col: Column, cell: dict, value) -> str | None:
    """The money unit a printed header names instead of the column's official one, when that
    makes the value suspect (T2-FEE-UNIT's case; T2-LABEL leaves such headers alone). A cell
    that prints the official unit itself, or a zero, is unaffected: only the header is off."""
    printed = cell.get("column_label")
    if not printed or col.unit is None or cell.get("unit") == col.unit or not value:
        return None
    units = _HEADER_UNIT.findall(core(printed))
    return units[0] if units and col.unit not in units else None

@rule(
    "T2-FEE-UNIT", "warning", "收费金额似以元而非万元填写",
    "表二“{row_label}”一行“{column_label}”为 {value}：{reason}，似以元而非{unit}填写"
    "（若原数以元计，应填 {in_unit} {unit}）。",
    _T2,
    what="表二的收费金额以万元为单位。以下情形提示金额可能按元填写：单元格写明“元”；列标题把单位"
         "改成了“元”；或金额大到不可能（乡镇街道 ≥ 1 亿元、部门 ≥ 10 亿元、其他机关 ≥ 100 亿元，"
         "即分别 ≥ 10000、100000、1000000 万元）。不以“整数且 ≥ 1000”为据：县级政府收费上千万元很常见。",
    why="单位错一级，金额就差一万倍；汇总各机关收费金额时，一份按元填写的报告会压倒所有其他报告。",
    example="某街道办事处“行政事业性收费”一行“本年收费金额（单位：万元）”填 35000（实为 3.5 万元）。",
    fix="把金额换算为万元（元数除以 10000，可保留小数），并保持列标题“（单位：万元）”不变。",
)
def t2_fee_unit(ctx: Context) -> Iterator[Hit]:
    t2 = ctx.report.table2
    if not t2:
        return
    limit = _FEE_LIMIT.get(ctx.report.meta.level or "", _FEE_LIMIT_DEFAULT)
    for key, label, columns in _rows(ctx, "table2"):
        for col in columns:
            v = t2.get(key, {}).get(col.key)
            if col.kind != "money" or col.unit is None or _YUAN not in col.unit or not _num(v):
                continue
            if v == 0:
                continue  # nothing collected reads the same in any unit
            cell = ctx.cells.get(("table2", key, col.key)) or {}
            printed_unit = cell.get("unit")
            header_unit = _wrong_header_unit(col, cell, v)
            if printed_unit and printed_unit != col.unit and printed_unit.endswith(_YUAN):
                reason = f"单元格写作“{cell.get('raw', '').strip()}”，单位为{printed_unit}"
            elif header_unit:
                reason = f"列标题写作“{cell.get('column_label')}”，单位为{header_unit}"
            elif v >= limit:
                reason = f"金额达 {_fmt(v)} {col.unit}（{_fmt(round(v / 10000, 4))} 亿元），不合常理"
            else:
                continue
            yield Hit(table="table2", row=key, column=col.key, found=v,
                      expected=round(v / 10000, 6),
                      fields={"row_label": label, "column_label": col.label,
                              "value": _fmt(v), "reason": reason, "unit": col.unit,
                              "in_unit": _fmt(round(v / 10000, 6))})


@rule(
    "T2-IN-FORCE", "warning", "现行有效件数少于本年制发件数",
    "表二“{row_label}”一行“{in_force_label}”为 {found}，少于“{issued_label}”{issued} 减去"
    "“{repealed_label}”{repealed} 后的 {expected}。",
    "国办公开办函〔2021〕30号 表二 第二十条第（一）项",
    what="2021 年版表二的规章、行政规范性文件：本年制发的文件，除非本年又被废止，年底都应现行有效，"
         "因此现行有效件数不应少于本年制发件数减去本年废止件数。",
    why="现行有效件数小于这一下限，说明现行有效件数漏计了本年新制发的文件，或把“本年制发”"
        "填成了别的口径，公众据此查找现行文件会得到错误印象。",
    example="“行政规范性文件”：本年制发 6 件、本年废止 0 件，现行有效却填 4 件。",
    fix="重新清点截至 12 月 31 日现行有效的文件（含本年新制发的），或核对本年制发、废止件数。"
        "若确有本年制发后因有效期届满而失效的文件，请在正文说明。",
)
def t2_in_force(ctx: Context) -> Iterator[Hit]:
    t2 = ctx.report.table2
    if not t2:
        return
    spec = _spec(ctx, "table2")
    for key, label, columns in _rows(ctx, "table2"):
        keys = {c.key for c in columns}
        if not {_ISSUED, _IN_FORCE} <= keys:
            continue
        values = t2.get(key, {})
        issued, in_force = values.get(_ISSUED), values.get(_IN_FORCE)
        repealed = values.get(_REPEALED) if _REPEALED in keys else None
        if not (_num(issued) and _num(in_force)):
            continue  # blanks are T2-BLANK's
        repealed = repealed if _num(repealed) and repealed > 0 else 0
        floor = issued - repealed
        if in_force < floor:
            yield Hit(table="table2", row=key, column=_IN_FORCE, expected=floor, found=in_force,
                      fields={"row_label": label, "issued": issued, "repealed": repealed,
                              "in_force_label": spec.column(_IN_FORCE).label,
                              "issued_label": spec.column(_ISSUED).label,
                              "repealed_label": spec.column(_REPEALED).label
                              if _REPEALED in keys else ""})


@rule(
    "T2-LABEL", "warning", "表二标签与官方格式不一致",
    "表二{what}写作“{found}”，与{layout}年版官方格式的“{expected}”不一致。",
    "国办公开办函〔2021〕30号、〔2019〕60号 表二",
    what="表二的行标签和列标题应使用所用格式（2021 或 2019 年版）的官方表述，例如 2021 年版写"
         "“行政规范性文件”而不是“规范性文件”。比较时忽略空格、全角半角、括号和编号。",
    why="格式文件规定了统一的表格，改动行列名称会让读者和评估机构无法确认统计口径是否一致，"
        "也常常说明套用了旧版格式。",
    example="2021 年报告表二写“规范性文件”，或把“本年制发件数”改成“本年制发文件数”。",
    fix="按报告所用年版的官方格式原样填写行标签和列标题（最好直接复制官方表格）。",
)
def t2_label(ctx: Context) -> Iterator[Hit]:
    if not ctx.report.table2:
        return
    lay = ctx.table_layout("table2")
    seen_headers: set[tuple[str, str]] = set()  # one finding per distinct header wording
    for row in lay.table2.rows:
        pairs = [(col, c) for col in lay.table2.row_columns(row)
                 if (c := ctx.cells.get(("table2", row.key, col.key))) is not None]
        printed = next((c["label"] for _, c in pairs if c.get("label")), None)
        if printed and _loose(printed) != _loose(row.label):
            yield Hit(table="table2", row=row.key, source=pairs[0][1]["location"],
                      expected=row.label, found=printed.strip(),
                      fields={"what": "行标签", "layout": lay.key})
        for col, cell in pairs:
            header = cell.get("column_label")
            if not header or (seen := (col.key, _loose(header))) in seen_headers:
                continue
            seen_headers.add(seen)
            value = ctx.report.table2.get(row.key, {}).get(col.key)
            if seen[1] != _loose(col.label) and not _wrong_header_unit(col, cell, value):
                yield Hit(table="table2", column=col.key, source=cell["location"],
                          expected=col.label, found=header.strip(),
                          fields={"what": "列标题", "layout": lay.key})

@rule(
    "T2-BLANK", "warning", "表二单元格空白",
    "表二“{row_label}”一行{which}；没有发生的情形应填 0。",
    _T2,
    what="表二每一行在官方格式规定的各列都应填写数字（没有的填 0）。每行报告一次，列出空白的列。",
    example="表二“行政强制”一行“本年处理决定数量”留空或填“—”。",
    **_BLANK_DOC,
)
def t2_blank(ctx: Context) -> Iterator[Hit]:
    yield from _blanks(ctx, "table2")


@rule(
    "T2-ROW-MISSING", "error", "表二缺少官方格式的行",
    "表二缺少“{row_label}”一行。",
    _T2,
    what="表二应包含所用格式的全部行（2021 年版：规章、行政规范性文件、行政许可、行政处罚、"
         "行政强制、行政事业性收费；2019 年版另有其他对外管理服务事项、政府集中采购）。",
    example="2021 年报告表二只有规章、行政规范性文件两行，删去了第二十条第（五）（六）（八）项。",
    **_MISSING_DOC,
)
def t2_row_missing(ctx: Context) -> Iterator[Hit]:
    yield from _missing(ctx, "table2")


# ----------------------------------------------------------------------------- table 三
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
        if None in vals:
            continue  # blanks and missing rows are T3-BLANK's / T3-ROW-MISSING's
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
    t3 = ctx.report.table3
    if not t3:
        return
    spec = _spec(ctx, "table3")
    for total in (c for c in spec.columns if c.sum_of):
        for key, label, _ in _rows(ctx, "table3"):
            values = t3.get(key)
            if values is None:
                continue
            parts = list(map(values.get, total.sum_of))
            found = values.get(total.key)
            if found is None or None in parts:
                continue  # blanks are T3-BLANK's
            if _sum(parts) != found:
                yield Hit(table="table3", row=key, column=total.key, expected=_sum(parts),
                          found=found, fields={"row_label": label, "column_label": total.label,
                                               "parts": "+".join(_fmt(v) for v in parts)})


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
    labels = {key: label for key, label, _ in _rows(ctx, "table3")}
    for total in (r for r in spec.rows if r.sum_of):
        if total.key not in t3 or not all(k in t3 for k in total.sum_of):
            continue  # missing rows are T3-ROW-MISSING's
        part_rows = [t3[k] for k in total.sum_of]
        for col in spec.columns:
            parts = [row.get(col.key) for row in part_rows]
            found = t3[total.key].get(col.key)
            if found is not None and None not in parts and _sum(parts) != found:
                yield Hit(table="table3", row=total.key, column=col.key, expected=_sum(parts),
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
    "表三“{row_label}”一行{which}；没有发生的情形应填 0。",
    _T3,
    what="表三每个单元格都应填写数字，没有发生的情形填 0。每行报告一次并列出空白的列"
         "（一张全空的表也只按行报告，不逐格报告），并区分留空的单元格与无法读出的单元格；"
         "勾稽关系等规则跳过含空白的算式。",
    example="“（三）不予公开 — 1.属于国家秘密”一行各列留空或填“—”。",
    **_BLANK_DOC,
)
def t3_blank(ctx: Context) -> Iterator[Hit]:
    yield from _blanks(ctx, "table3")


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
    "表四“{row_label}”一组{which}；没有发生的情形应填 0。",
    _T4,
    what="表四每一组的结果维持、结果纠正、其他结果、尚未审结、总计都应填写数字，没有的填 0。"
         "每组报告一次，列出空白的列。",
    example="没有行政诉讼的机关把“未经复议直接起诉”一组的五格都留空。",
    **_BLANK_DOC,
)
def t4_blank(ctx: Context) -> Iterator[Hit]:
    yield from _blanks(ctx, "table4")


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
