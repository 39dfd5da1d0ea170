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

import re
from collections import Counter
from collections.abc import Iterator
from functools import cache, lru_cache

from nianbao.layouts import TABLE_NAMES, Layout, Matcher, layouts
from nianbao.normalize import chinese_int, core, fold
from nianbao.rules.engine import Context, Hit, rule

_FORMAT = "国办公开办函〔2021〕30号（2021年度起）、〔2019〕60号（2019、2020年度）"
_ART50 = "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号《年度报告格式》"
_TABLE_CN = {"table2": "表二", "table3": "表三", "table4": "表四"}
_CN_NUM = "零一二三四五六七八九十"

# The wording of 条例 第五十条 for the contents the sections report. Many reports (seeds
# 000–002) title their sections with it instead of the template's labels; it is lawful
# wording, so F-SECTION-TITLE accepts it. Not in the layout files because it belongs to
# the statute, not to either template (it would be better placed there; see the report).
_STATUTE_TITLES = {
    "proactive": "行政机关主动公开政府信息的情况",
    "requests": "行政机关收到和处理政府信息公开申请的情况",
    "appeals": "因政府信息公开工作被申请行政复议、提起行政诉讼的情况",
    "problems": "政府信息公开工作存在的主要问题及改进情况",
    "other": "其他需要报告的事项",
}
# Top-level heading numbering as printed (on the folded heading): 一、 1、 第一部分.
# Hand-written (as in recognise.sections) because normalize.core mis-strips 第一部分.
_PREFIX = re.compile(
    r"(?:(?P<cn>[一二三四五六七八九十]{1,3})(?P<cn_sep>[、.,:])"
    r"|(?P<ar>\d{1,2})(?P<ar_sep>[、.,)）])(?!\d)"
    r"|第(?P<part>[一二三四五六七八九十]{1,3})(?:部分|章|节)(?P<part_sep>[、.,:]?))"
)
# What may differ between a heading and an official title without changing its wording.
_TITLE_NOISE = re.compile(r"[的、,，:：;；\"“”'‘’（）()\s]|和|及|与")
# Preamble claims such as 共六部分 / 等六部分内容 / 分为六个部分 (not 第一部分, not 部分公开).
_PARTS = re.compile(r"(?<!第)(?P<n>[一二三四五六七八九十]|\d{1,2})个?部分(?!公开)")
_PARTS_CONTEXT = re.compile(r"包括|包含|分为|分成|共|组成|构成|由")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


# --------------------------------------------------------------------------- helpers
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


@lru_cache(maxsize=4096)  # headings repeat across reports; the result is immutable
def _prefix(heading: str) -> tuple[str, str, int | None, str]:
    """(style, printed prefix, number, rest) of a section heading; style "" when unnumbered."""
    s = fold(heading)
    m = _PREFIX.match(s)
    if m is None:
        return "", "", None, s
    kind = next(k for k in ("cn", "ar", "part") if m.group(k))
    number = chinese_int(m.group(kind))
    return f"{kind}{m.group(kind + '_sep') or ''}", m.group(), number, s[m.end():]


@lru_cache(maxsize=4096)
def _title_key(text: str) -> str:
    return _TITLE_NOISE.sub("", core(text))


@cache
def _official_titles() -> dict[str, tuple[str, frozenset[str]]]:
    """Section key -> (the newest layout's label, accepted title keys of every layout + 条例)."""
    out: dict[str, tuple[str, set[str]]] = {}
    for lay in layouts().values():  # newest first: its label is the one shown
        for sec in lay.sections:
            out.setdefault(sec.key, (sec.label, set()))[1].add(_title_key(sec.label))
    for key, text in _STATUTE_TITLES.items():
        if key in out:
            out[key][1].add(_title_key(text))
    return {k: (label, frozenset(keys)) for k, (label, keys) in out.items()}


@cache
def _listed_rx() -> dict[str, re.Pattern]:
    """Section key -> one pattern of every layout's ``contains`` words, to find a section
    named in a preamble sentence (one search per section instead of a loop per word)."""
    return {k: re.compile("|".join(re.escape(c) for m in ms for c in m.contains))
            for k, ms in _matchers().items() if any(m.contains for m in ms)}


@cache
def _matchers() -> dict[str, tuple[Matcher, ...]]:
    """Section key -> how every layout recognises its heading (as the recogniser does)."""
    out: dict[str, tuple[Matcher, ...]] = {}
    for lay in layouts().values():
        for sec in lay.sections:
            out[sec.key] = (*out.get(sec.key, ()), sec.matcher)
    return out


def _specs(ctx: Context):
    """The official sections the report should have (its layout's; both layouts list six)."""
    return (_expected(ctx) or ctx.layout).sections


def _misplaced(ctx: Context) -> dict[str, tuple[str, str]]:
    """Missing sections whose heading sits inside a *later* section's text (the recogniser
    keeps sections in official order, so a section printed after its successor ends up as
    a line of that successor's text): key -> (heading line, section it sits in)."""
    if "format.misplaced" in ctx.cache:
        return ctx.cache["format.misplaced"]
    specs = _specs(ctx)
    order = {s.key: i for i, s in enumerate(specs)}
    present = {s.key for s in ctx.report.sections}
    matchers = _matchers()
    out: dict[str, tuple[str, str]] = {}
    for spec in specs:
        if spec.key in present:
            continue
        for sec in ctx.report.sections:
            if order.get(sec.key, -1) <= order[spec.key]:
                continue
            for line in sec.text.split("\n"):
                style, _, _, rest = _prefix(line.strip())
                # Chinese top-level numbering only: Arabic "3." items are common inside sections
                if style[:2] not in ("cn", "pa") or len(rest) > 40:
                    continue
                if any(m.matches(core(rest)) for m in matchers[spec.key]):
                    out[spec.key] = (line.strip(), sec.key)
                    break
            if spec.key in out:
                break
    ctx.cache["format.misplaced"] = out
    return out


# --------------------------------------------------------------------------- layout and templates
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
@rule(
    "F-SECTION-MISSING", "error", "缺少规定的部分",
    "报告缺少第{number}部分“{label}”。",
    _ART50,
    what="格式文件规定年度报告由六个部分组成（一、总体情况 … 六、其他需要报告的事项）；"
         "正文中找不到某一部分的标题时报告本规则，每缺一部分一条。标题可用格式文件或条例第五十条"
         "的措辞及常见同义说法；若该部分只是放错了位置，由 F-SECTION-ORDER 报告，本规则不重复。",
    why="条例第五十条规定了年度报告必须包括的内容，缺少一部分就是缺少法定内容，"
        "读者也无法按统一结构查阅、比较。",
    example="报告写完“四、政府信息公开行政复议、行政诉讼情况”后直接是“五、其他需要报告的事项”，"
            "没有“存在的主要问题及改进情况”。",
    fix="按格式文件补上缺少的部分（没有内容的也应写明“无”或“本年度无”），并使用规定的标题。",
)
def section_missing(ctx: Context) -> Iterator[Hit]:
    present = {s.key for s in ctx.report.sections}
    misplaced = _misplaced(ctx)
    for spec in _specs(ctx):
        if spec.key not in present and spec.key not in misplaced:
            yield Hit(section=spec.key, expected=spec.label,
                      fields={"number": spec.number, "label": spec.label})


@rule(
    "F-SECTION-ORDER", "warning", "部分顺序与格式不符",
    "第{number}部分“{label}”的标题（“{heading}”）出现在第{after_number}部分“{after_label}”之后，"
    "顺序与格式文件不符。",
    _ART50,
    what="六个部分应按格式文件的顺序排列。某一部分的标题出现在它后面某部分的正文之中"
         "（即被放到了后面）时报告本规则，指出它出现在哪一部分之后。",
    why="统一的顺序让读者、评估人员和汇总程序能在固定位置找到每项内容；顺序错乱常常是"
        "拼接旧报告或删改时留下的。",
    example="报告先写“四、存在的主要问题及改进情况”，再写“五、政府信息公开行政复议、行政诉讼情况”。",
    fix="按“一、总体情况”至“六、其他需要报告的事项”的顺序调整各部分，并重新编号。",
)
def section_order(ctx: Context) -> Iterator[Hit]:
    specs = {s.key: s for s in _specs(ctx)}
    for key, (heading, inside) in _misplaced(ctx).items():
        spec, after = specs[key], specs.get(inside)
        yield Hit(section=key, expected=spec.number, found=heading,
                  fields={"number": spec.number, "label": spec.label, "heading": heading,
                          "after_number": after.number if after else "",
                          "after_label": after.label if after else inside})


@rule(
    "F-SECTION-TITLE", "info", "部分标题与规定措辞不同",
    "第{number}部分的标题“{heading}”与格式文件的“{label}”不同。",
    "国办公开办函〔2021〕30号《年度报告格式》各部分标题；《政府信息公开条例》第五十条",
    what="比较各部分标题（去掉编号、空格、标点和“的、和、及”）与格式文件的标题；"
         "两种格式文件的标题及条例第五十条的措辞（如“行政机关主动公开政府信息情况”"
         "“因政府信息公开工作被申请行政复议、提起行政诉讼情况”）都视为规范，不报告；"
         "其余改写报告为提示。",
    why="统一的标题便于读者查找和程序汇总；随意改写的标题可能让内容偏离规定的范围。",
    example="第三部分标题写成“三、依申请公开情况”，格式文件为“三、收到和处理政府信息公开申请情况”。",
    fix="把标题改为格式文件规定的措辞。",
)
def section_title(ctx: Context) -> Iterator[Hit]:
    official = _official_titles()
    for sec in ctx.report.sections:
        if sec.key not in official:
            continue
        label, accepted = official[sec.key]
        _, _, _, rest = _prefix(sec.heading)
        if _title_key(rest) not in accepted:
            yield Hit(section=sec.key, expected=label, found=sec.heading,
                      fields={"number": sec.number, "heading": sec.heading, "label": label})


@rule(
    "F-NUMBERING", "warning", "部分标题编号不一致",
    "第{number}部分标题“{heading}”的编号{detail}。",
    "国办公开办函〔2021〕30号《年度报告格式》（各部分以“一、”至“六、”编号）",
    what="六个部分标题应使用同一种编号（格式文件为“一、”至“六、”），且依次连续。"
         "编号样式（如“1、”与“二、”、有无编号、顿号与点号）与多数标题不同的，"
         "或序号既不是该部分的规定序号、也不是它在报告中的位置的，每个标题报告一条。",
    why="编号混乱显得报告粗糙，也常是删改、拼接留下的痕迹，读者会怀疑有部分缺失或重复。",
    example="第一部分写作“1、 总体情况”，其余部分写作“二、主动公开政府信息情况”等。",
    fix="统一用“一、”“二、”……“六、”给六个部分编号。",
)
def numbering(ctx: Context) -> Iterator[Hit]:
    sections = ctx.report.sections
    if len(sections) < 2:
        return
    parsed = [(_prefix(s.heading), s) for s in sections]
    styles = Counter(p[0] for p, _ in parsed)
    top = max(styles.values())
    # the majority style; on a tie the template's own 一、 style wins
    ref = "cn、" if styles.get("cn、") == top else next(k for k, v in styles.items() if v == top)
    ref_print = next(p[1] for p, _ in parsed if p[0] == ref) or "无编号"
    official = {s.key: i + 1 for i, s in enumerate(_specs(ctx))}
    for pos, ((style, printed, number, _), sec) in enumerate(parsed, start=1):
        problems = []
        if style != ref:
            shown = f"“{printed}”" if printed else "缺失"
            problems.append(f"{shown}与其他部分的“{ref_print}”式不一致")
        if number is not None and number not in (official.get(sec.key), pos):
            want = official.get(sec.key, pos)
            problems.append(f"为{_cn(number)}，按顺序应为{_cn(want)}")
        if problems:
            want = official.get(sec.key, pos)
            yield Hit(section=sec.key, expected=_numbered(ref, ref_print, want),
                      found=printed or None,
                      fields={"number": sec.number, "heading": sec.heading,
                              "detail": "；".join(problems)})


def _cn(n: int) -> str:
    return _CN_NUM[n] if 0 <= n <= 10 else str(n)


def _numbered(style: str, example: str, n: int) -> str:
    """Section number ``n`` printed in ``style`` (the majority's): 一、 / 1. / 第一部分."""
    kind, sep = style[:2] if style.startswith(("cn", "ar")) else style, style[2:]
    if kind == "cn":
        return f"{_cn(n)}{sep}"
    if kind == "ar":
        return f"{n}{sep}"
    if kind == "part":
        return f"第{_cn(n)}部分"
    return example


@rule(
    "F-PARTS-CLAIM", "warning", "引言所述部分数与正文不符",
    "引言对报告组成的说明与正文不符：{detail}。",
    "国办公开办函〔2021〕30号《年度报告格式》（六个部分）",
    what="引言常写“全文包括……共六部分”或列举各部分名称。所称部分数与正文实际的部分数不同，"
         "或列举中漏掉了正文实有的部分时报告本规则。正文缺少某部分而引言照格式写“六部分”的，"
         "由 F-SECTION-MISSING 报告，本规则不重复。",
    why="引言与正文自相矛盾，说明报告在删改时未通盘核对，读者也无从判断哪一部分缺失。",
    example="引言称“共五部分”，正文却有六个部分。",
    fix="使引言所述的部分数和名称与正文一致（按格式文件应为六个部分）。",
)
def parts_claim(ctx: Context) -> Iterator[Hit]:
    present = [s.key for s in ctx.report.sections]
    if not present:
        return
    official = len(_specs(ctx))
    names = {s.key: s.label for s in _specs(ctx)}
    listed_rx = {k: rx for k, rx in _listed_rx().items() if k in names}
    for para in ctx.report.preamble:
        for sent in _SENTENCE.findall(para):
            folded = fold(sent)
            if not _PARTS_CONTEXT.search(folded):
                continue
            m = _PARTS.search(folded)
            claimed = chinese_int(m.group("n")) if m else None
            if claimed is not None and not 3 <= claimed <= 10:
                claimed = None  # "其中一部分…": not a count of the report's parts
            if claimed is not None and claimed != len(present) and claimed != official:
                yield Hit(field="preamble", expected=len(present), found=claimed,
                          fields={"detail": f"引言称共{_cn(claimed)}部分，正文实际有"
                                            f"{_cn(len(present))}个部分"})
                return
            listed = {k for k, rx in listed_rx.items() if rx.search(folded)}
            if len(listed) >= 3:
                unlisted = [k for k in present if k not in listed]
                if unlisted:
                    labels = "、".join(f"“{names[k]}”" for k in unlisted)
                    yield Hit(field="preamble", expected=len(present), found=len(listed),
                              fields={"detail": f"引言列举的部分中没有{labels}，但正文有"
                                            + ("这一部分" if len(unlisted) == 1 else "这些部分")})
                return
            if claimed is not None:
                return


# --------------------------------------------------------------------------- parser problems
# Problems that a dedicated rule reports already (no cascades): a missing table is
# F-TABLE-MISSING's; a missing row is T2/T3/T4-ROW-MISSING's; a missing or non-numeric
# cell is read as blank (null) and is the T2/T3/T4-BLANK rules'.
_COVERED = frozenset({"table_missing", "row_missing", "cell_missing", "cell_not_numeric"})
_SEVERITY_CN = {"error": "错误", "warning": "警告", "info": "提示"}
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
               found=head.code, fields={"level": _SEVERITY_CN.get(severity, severity),
                                        "problem": head.message, "extra": extra})
