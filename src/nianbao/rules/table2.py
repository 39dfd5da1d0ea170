"""Rules on table 二, 主动公开政府信息情况 (family T2).

See table_common.py for the division of labour between blank, missing-row and
arithmetic rules.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from operator import itemgetter

from nianbao.layouts import Column
from nianbao.normalize import core
from nianbao.rules.engine import Context, Hit, rule
from nianbao.rules.table_common import (
    _BLANK_DOC,
    _FEE_LIMIT,
    _FEE_LIMIT_DEFAULT,
    _HEADER_UNIT,
    _IN_FORCE,
    _ISSUED,
    _MISSING_DOC,
    _REPEALED,
    _T2,
    _YUAN,
    _bad_counts,
    _blanks,
    _fmt,
    _layout_rows,
    _loose,
    _missing,
    _num,
    _rows,
    _spec,
)


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
            cell = ctx.cell("table2", key, col.key) or {}
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
    layout = ctx.table_layout("table2").key
    if _all_official(ctx, layout):
        return
    seen_headers: set[tuple[str, str]] = set()  # one finding per distinct header wording
    for key, label, loose_label, columns in _official_labels(layout):
        read = {c["column"]: c for c in ctx.row_cells("table2", key)}  # the last read wins
        pairs = [(col, loose, c) for col, loose in columns if (c := read.get(col.key)) is not None]
        printed = next((c["label"] for _, _, c in pairs if c.get("label")), None)
        if printed and _loose(printed) != loose_label:
            yield Hit(table="table2", row=key, source=pairs[0][2]["location"],
                      expected=label, found=printed.strip(),
                      fields={"what": "行标签", "layout": layout})
        for col, loose, cell in pairs:
            header = cell.get("column_label")
            if not header or (seen := (col.key, _loose(header))) in seen_headers:
                continue
            seen_headers.add(seen)
            if seen[1] != loose and not _wrong_header_unit(
                    col, cell, ctx.report.table2.get(key, {}).get(col.key)):
                yield Hit(table="table2", column=col.key, source=cell["location"],
                          expected=col.label, found=header.strip(),
                          fields={"what": "列标题", "layout": layout})


def _all_official(ctx: Context, layout: str) -> bool:
    """True when every label and header printed in table 二 is the official wording of its
    row and column: the common case, decided on the few distinct wordings instead of cell
    by cell. Anything else (a deviation, a row or column of another layout) is left to the
    rule's own loop.

    The printed wordings repeat from report to report, so those found official once are
    kept (per layout, up to a bound) and the usual report is settled by two set tests."""
    cells = ctx.table_cells("table2")
    labels, headers = set(map(_ROW_LABEL, cells)), set(map(_COLUMN_HEADER, cells))
    known_labels, known_headers = _KNOWN_OFFICIAL.setdefault(layout, (set(), set()))
    if labels <= known_labels and headers <= known_headers:
        return True
    rows, columns = _loose_official(layout)
    official = all(not label or _loose(label) == rows.get(row) for row, label in labels) and all(
        not header or _loose(header) == columns.get(column) for column, header in headers)
    if official and len(known_labels) + len(known_headers) < _KNOWN_OFFICIAL_MAX:
        known_labels |= labels
        known_headers |= headers
    return official


_ROW_LABEL = itemgetter("row", "label")
_COLUMN_HEADER = itemgetter("column", "column_label")
# layout -> ({(row key, printed label)}, {(column key, printed header)}) found official
_KNOWN_OFFICIAL: dict[str, tuple[set, set]] = {}
_KNOWN_OFFICIAL_MAX = 4096


@cache
def _loose_official(layout: str) -> tuple[dict[str, str], dict[str, str]]:
    """Row key -> its official label, column key -> its official header; loose forms."""
    rows = _official_labels(layout)
    return ({key: loose for key, _, loose, _ in rows},
            {c.key: loose for *_, columns in rows for c, loose in columns})


@cache  # layouts are immutable: the official wording is compared in its loose form once
def _official_labels(layout: str) -> tuple[tuple[str, str, str, tuple[tuple[Column, str], ...]], ...]:
    """Table 二's rows: (key, official label, its loose form, ((column, its loose label), …))."""
    return tuple((key, label, _loose(label), tuple((c, _loose(c.label)) for c in columns))
                 for key, label, columns in _layout_rows(layout, "table2"))


@rule(
    "T2-BLANK", "warning", "表二单元格空白",
    "表二{which}；没有发生的情形应填 0。",
    _T2,
    what="表二每一行在官方格式规定的各列都应填写数字（没有的填 0）。一张表报告一次，逐行列出空白的列。",
    example="表二“行政强制”一行“本年处理决定数量”留空或填“—”。",
    **_BLANK_DOC,
)
def t2_blank(ctx: Context) -> Iterator[Hit]:
    return _blanks(ctx, "table2", "T2-BLANK")


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
