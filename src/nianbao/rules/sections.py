"""Rules on the six sections (family F): presence, order, titles, numbering, the
introduction's claim about the parts. Layout and template rules are in format.py."""


from __future__ import annotations

import re
from collections.abc import Iterator
from functools import cache, lru_cache

from nianbao.layouts import Matcher, layouts
from nianbao.normalize import chinese_int, core, fold
from nianbao.rules.engine import Context, Hit, rule
from nianbao.rules.format import _ART50, _expected

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
# the same words before ``fold``: traditional forms, and spaces that fold would remove
# (each alternative opens with a literal, so the regex engine skips to those characters)
_PARTS_CONTEXT_RAW = re.compile(r"包\s*[括含]|分\s*[为為成]|共|组\s*成|組\s*成|构\s*成|構\s*成|由")
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")


# --------------------------------------------------------------------------- helpers

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
    got = ctx.cache.get("format.specs")
    if got is None:  # asked for by most section rules
        got = ctx.cache["format.specs"] = (_expected(ctx) or ctx.layout).sections
    return got


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
    styles: dict[str, int] = {}  # style -> headings, in order of appearance (six at most)
    for (style, *_), _ in parsed:
        styles[style] = styles.get(style, 0) + 1
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
        if not _PARTS_CONTEXT_RAW.search(para):
            continue  # no sentence of it can qualify
        for sent in _SENTENCE.findall(para):
            if not _PARTS_CONTEXT_RAW.search(sent):
                continue  # most sentences: decided without folding them (fold is the cost)
            folded = fold(sent)
            if not _PARTS_CONTEXT.search(folded):
                continue
            m = _PARTS.search(folded) if "部分" in folded else None
            claimed = chinese_int(m.group("n")) if m else None
            if claimed is not None and not 3 <= claimed <= 10:
                claimed = None  # "其中一部分…": not a count of the report's parts
            if claimed is not None and claimed != len(present) and claimed != official:
                yield Hit(field="preamble", expected=len(present), found=claimed,
                          fields={"detail": f"引言称共{_cn(claimed)}部分，正文实际有"
                                            f"{_cn(len(present))}个部分"})
                return
            listed = _listed(listed_rx, folded)
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


def _listed(listed_rx: dict[str, re.Pattern], sentence: str) -> set[str]:
    """The sections a sentence names, when it names at least three (else fewer, possibly
    not all of them: the search stops once three can no longer be reached)."""
    found: set[str] = set()
    left = len(listed_rx)
    for key, rx in listed_rx.items():
        left -= 1
        if rx.search(sentence):
            found.add(key)
        elif len(found) + left < 3:
            break
    return found


# --------------------------------------------------------------------------- parser problems
# Problems that a dedicated rule reports already (no cascades): a missing table is
# F-TABLE-MISSING's; a missing row is T2/T3/T4-ROW-MISSING's; a missing or non-numeric
# cell is read as blank (null) and is the T2/T3/T4-BLANK rules'.
