"""Rules on the report's format and structure (family F): layout versus year, templates, sections.

Division of labour for the layout/template family, so that one mistake gives one finding:

- F-LAYOUT-YEAR: the *tables* use a layout other than the one prescribed for the report
  year (whatever the report cites; the citation is mentioned in the message).
- F-MIXED: the tables mix the two layouts (F-LAYOUT-YEAR is then silent).
- F-TEMPLATE-OUTDATED: the *citation* names only superseded templates, while the tables
  are not themselves outdated (else F-LAYOUT-YEAR has already said it).
- F-TEMPLATE-LAYOUT: the citation disagrees with the tables and neither of the above
  explains it (year unknown, or a template newer than the year is cited).
"""

from __future__ import annotations

from collections.abc import Iterator

from nianbao.layouts import TABLE_NAMES, Layout, layouts
from nianbao.rules.engine import SEVERITY_CN, Context, Hit, rule

_FORMAT = "国办公开办函〔2021〕30号（2021年度起）、〔2019〕60号（2019、2020年度）"
_ART50 = "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号《年度报告格式》"
_TABLE_CN = {"table2": "表二", "table3": "表三", "table4": "表四"}
def _doc_no(template: str) -> str:
    """"2021-30" -> 国办公开办函〔2021〕30号."""
    year, number = template.split("-")
    return f"国办公开办函〔{year}〕{number}号"


def _layout_name(lay: Layout) -> str:
    return f"{lay.key}年版格式（{_doc_no(lay.template)}）"


def _by_template() -> dict[str, Layout]:
    return {lay.template: lay for lay in layouts().values()}


def _layout_state(ctx: Context) -> dict:
    """Expected layout (year), used layout (tables) and cited templates, and which of the
    layout/template rules owns the mistake; computed once for the four rules."""
    if "format.layout" in ctx.cache:
        return ctx.cache["format.layout"]
    report = ctx.report
    expected = _expected(ctx)
    used = _get_layout(report.layout)
    templates = _by_template()
    cited = [t for t in report.meta.cited_templates if t in templates]
    layout_year = expected is not None and used is not None and used.key != expected.key
    outdated = (expected is not None and bool(cited) and not layout_year
                and expected.template not in cited
                and all(templates[t].years[1] < expected.years[0] for t in cited))
    template_layout = (used is not None and bool(cited) and used.template not in cited
                       and not layout_year and not outdated)
    state = dict(expected=expected, used=used, cited=cited, layout_year=layout_year,
                 outdated=outdated, template_layout=template_layout)
    ctx.cache["format.layout"] = state
    return state


def _expected(ctx: Context) -> Layout | None:
    """The layout prescribed for the report year; None before 2019 (no official layout in
    our data: the older reports followed the 2008 条例) or when the year is unknown."""
    lay, year = ctx.expected_layout, ctx.report.meta.year
    return lay if lay is not None and lay.years[0] <= year <= lay.years[1] else None


def _get_layout(key: str | None) -> Layout | None:
    return layouts().get(key) if key in ("2019", "2021") else None


def _cited_text(cited: list[str]) -> str:
    return "、".join(_doc_no(t) for t in cited)


@rule(
    "F-LAYOUT-YEAR", "error", "统计表格式与年度不符",
    "{year}年度报告应使用{expected_name}的统计表，但本报告的表格是{found_name}{cite_note}。",
    "国办公开办函〔2021〕30号（自2021年度报告起使用新格式）；〔2019〕60号（2019、2020年度）",
    what="按报告年度核对统计表（表二、表三）使用的格式：2021年度及以后应使用国办公开办函〔2021〕30号"
         "格式，2019、2020年度应使用〔2019〕60号所附格式。只看表格本身，不论报告引用了哪个文件"
         "（引用情况写在提示中）；表格混用两种格式的由 F-MIXED 报告，本规则不重复。",
    why="两种格式的表二列、表三（六）其他处理的行不同，用错格式的数字无法与同年度其他报告比较、"
        "汇总，上级主管部门的统计也会出错。",
    example="2023年度报告的表二仍是“本年新制作数量/本年新公开数量/对外公开总数量”，"
            "表三“（六）其他处理”只有一行（2019年版格式）。",
    fix="按报告年度对应的格式文件重新制作表二、表三，并把引言中引用的格式文件改为同一文件。",
)
def layout_year(ctx: Context) -> Iterator[Hit]:
    st = _layout_state(ctx)
    if not st["layout_year"]:
        return
    expected, used, cited = st["expected"], st["used"], st["cited"]
    note = ""
    if expected.template in cited:
        note = f"（引言称依据{_doc_no(expected.template)}编制，表格却未照此格式）"
    elif used.template in cited:
        note = f"（引言引用的{_doc_no(used.template)}也不适用于该年度）"
    yield Hit(field="layout", expected=expected.key, found=used.key,
              fields={"year": ctx.report.meta.year, "expected_name": _layout_name(expected),
                      "found_name": _layout_name(used), "cite_note": note})


@rule(
    "F-MIXED", "error", "统计表混用两种格式",
    "统计表混用了两种格式：{detail}{expected_note}。",
    _FORMAT,
    what="表二、表三各自按表头识别格式；两张表分属2019年版和2021年版时报告本规则，"
         "指明哪张表用了哪种格式、该年度应使用哪种。此时不再报告 F-LAYOUT-YEAR。",
    why="同一份报告的表格必须出自同一格式文件；混用说明有表格是从旧报告复制来的，"
        "其行列含义与另一张表不一致，数字无法汇总比较。",
    example="2022年度报告的表二是2021年版（本年制发件数…），表三却是2019年版（“（六）其他处理”只有一行）。",
    fix="按报告年度对应的格式重新制作与之不符的那张表。",
)
def mixed(ctx: Context) -> Iterator[Hit]:
    if ctx.report.layout != "mixed":
        return
    expected = _expected(ctx)
    per_table = {t: _get_layout(k) for t, k in ctx.report.table_layouts.items() if _get_layout(k)}
    detail = "，".join(f"{_TABLE_CN.get(t, t)}为{_layout_name(lay)}"
                      for t, lay in sorted(per_table.items()))
    note, wrong = "", None
    if expected is not None:
        note = f"；{ctx.report.meta.year}年度报告应统一使用{_layout_name(expected)}"
        wrong = next((t for t, lay in sorted(per_table.items()) if lay.key != expected.key), None)
    yield Hit(table=wrong, field="layout", expected=expected.key if expected else None,
              found="mixed", fields={"detail": detail, "expected_note": note})


@rule(
    "F-TEMPLATE-OUTDATED", "warning", "引用的格式文件已过时",
    "{year}年度报告应依据{expected_doc}的格式编制，引言却只引用了{found_doc}（其所附格式已被取代）。",
    "国办公开办函〔2021〕30号（自2021年度报告起施行，〔2019〕60号所附格式同时停止使用）",
    what="引言引用的格式文件只有已被取代的旧文件（如2021年度及以后的报告只引用〔2019〕60号），"
         "而表格本身并未用错格式时报告本规则。表格也用了旧格式时由 F-LAYOUT-YEAR 一并指出，"
         "本规则不重复；同时引用新旧两个文件的不报告。",
    why="引言说明报告依据哪个格式文件编制；引用已被取代的文件，读者会以为报告按旧格式编制，"
        "也说明引言是从往年报告照抄的。",
    example="2023年度报告的表格是2021年版，引言却写“依据……（国办公开办函〔2019〕60号）要求编制”。",
    fix="把引言中的格式文件改为“《中华人民共和国政府信息公开工作年度报告格式》（国办公开办函〔2021〕30号）”。",
)
def template_outdated(ctx: Context) -> Iterator[Hit]:
    st = _layout_state(ctx)
    if not st["outdated"]:
        return
    expected, cited = st["expected"], st["cited"]
    yield Hit(field="cited_templates", expected=expected.template, found=",".join(cited),
              fields={"year": ctx.report.meta.year, "expected_doc": _doc_no(expected.template),
                      "found_doc": _cited_text(cited)})


@rule(
    "F-TEMPLATE-LAYOUT", "warning", "引用的格式文件与表格不符",
    "引言引用的{found_doc}与统计表实际使用的{found_name}不一致。",
    _FORMAT,
    what="引言引用的格式文件与表格实际使用的格式不一致，且这一不一致不能由 F-LAYOUT-YEAR"
         "（表格用错年度格式）或 F-TEMPLATE-OUTDATED（只引用过时文件）解释时报告本规则："
         "例如报告年度不明，或2019、2020年度报告引用了当时尚未印发的〔2021〕30号。",
    why="引言所述的编制依据应与报告实际采用的格式一致，否则读者无法判断表格各列的含义。",
    example="2020年度报告的表格是2019年版，引言却称依据国办公开办函〔2021〕30号编制。",
    fix="把引言中的格式文件改为表格实际采用的（且适用于该年度的）格式文件。",
)
def template_layout(ctx: Context) -> Iterator[Hit]:
    st = _layout_state(ctx)
    if not st["template_layout"]:
        return
    used, cited = st["used"], st["cited"]
    yield Hit(field="cited_templates", expected=used.template, found=",".join(cited),
              fields={"found_doc": _cited_text(cited), "found_name": _layout_name(used)})


@rule(
    "F-TABLE-MISSING", "error", "缺少统计表",
    "报告缺少{table_cn}“{label}”（或表中没有任何可读的数值）。",
    "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号 表二、表三、表四",
    what="表二（主动公开政府信息情况）、表三（收到和处理政府信息公开申请情况）、"
         "表四（政府信息公开行政复议、行政诉讼情况）三张统计表都必须有；找不到某张表，"
         "或表中没有一个数值时报告本规则（每张表一条）。",
    why="三张统计表是年度报告的法定内容，也是汇总、比较各机关公开工作的唯一数据来源；"
        "即使全年数量为零，也要照格式填0。",
    example="报告只有文字，写“本年度未收到政府信息公开申请”，却没有表三。",
    fix="按格式文件补上缺少的统计表，没有发生的事项填0。",
)
def table_missing(ctx: Context) -> Iterator[Hit]:
    lay = _expected(ctx) or ctx.layout
    for name in TABLE_NAMES:
        if getattr(ctx.report, name) is None:
            label = lay.tables[name].label
            yield Hit(table=name, expected=label,
                      fields={"table_cn": _TABLE_CN[name], "label": label})


# --------------------------------------------------------------------------- sections
_COVERED = frozenset({"table_missing", "row_missing", "cell_missing", "cell_not_numeric"})
_RANK = {"info": 0, "warning": 1, "error": 2}


@rule(
    "F-UNPLACED", "warning", "表格中有无法归位的内容",
    "读取报告时发现问题（解析级别：{level}）：{problem}{extra}",
    "国办公开办函〔2021〕30号 表二、表三、表四（〔2019〕60号 同）",
    what="把解析时记录的问题（无法对应到官方表格行列的数值或文字、数值个数不符而未采用的行、"
         "缺少或不符的表二列标题、重复的行等）列为发现，并给出原文位置。同一物理行上的问题"
         "（如一整行无法识别的标签及其数值）合为一条；已由专门规则报告的（缺表、缺行、"
         "空白或非数字单元格）不在此重复。",
    why="无法归位的内容没有进入统计，检查其余规则时也看不到它；它通常意味着表格改动了格式"
        "（增删行列、合并单元格错位），或数值写错了位置。",
    example="表三“（三）不予公开”下多出一行“9.属于其他情形”，该行的标签和7个数值都无法对应到官方表格。",
    fix="对照格式文件核对该处表格：删去多余的行列，恢复官方的行列标签和单元格数，使每个数值都落在规定的位置。",
)
def unplaced(ctx: Context) -> Iterator[Hit]:
    group: list = []
    for p in ctx.report.problems:
        if p.code in _COVERED:
            continue
        if group and _row_of(p) is not None and _row_of(p) == _row_of(group[0]):
            group.append(p)
            continue
        if group:
            yield _problem_hit(group)
        group = [p]
    if group:
        yield _problem_hit(group)


def _row_of(p) -> tuple | None:
    """The physical table row a problem sits in (None when the parser gave no row)."""
    loc = p.location
    if loc is None or loc.row is None:
        return None
    return (p.table, loc.table, loc.row)


def _problem_hit(group: list) -> Hit:
    head = group[0]
    severity = max((p.severity for p in group), key=lambda s: _RANK.get(s, 0))
    extra = f"（同一行另有{len(group) - 1}个单元格未采用）" if len(group) > 1 else ""
    return Hit(table=head.table, row=head.row, column=head.column, source=head.location,
               found=head.code, fields={"level": SEVERITY_CN.get(severity, severity),
                                        "problem": head.message, "extra": extra})
