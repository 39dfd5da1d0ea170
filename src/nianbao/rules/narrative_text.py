"""Rules on the narrative's own statements (family N, continued from narrative.py):
"共N条，其中…" breakdowns that do not add up, section 六 silent on the fee, a trivial
section 五. Hand-written patterns for the same reason as there: the phrasing is specific
to annual reports, and every pattern is narrow on purpose."""

from __future__ import annotations

import re
from collections.abc import Iterator

from nianbao.rules.engine import Context, Hit, rule
from nianbao.rules.narrative import (
    _FEE_BASIS,
    _N,
    _SEC5_BASIS,
    _SENT_STOPS,
    _STOP_RX,
    _occurrences,
    _snippet,
    _span,
    _texts,
    _value,
)

# ----------------------------------------------------------------------------- N-BREAKDOWN
_UNIT_CLASS = {"条": 0, "件": 0, "篇": 0, "则": 0, "项": 1, "个": 2}
_HOW = ("其中", "包括", "分别为", "分别是")  # words that open a breakdown
# the total right before such a word: "…共117条，" (searched in a short window ending there)
_TOTAL = re.compile(_N + r"\s*(?P<u>条|件|篇|则|项|个)\s*[，,。:：]?\s*\Z")
_LEAD = re.compile(r"\s*[，,:：]?\s*")
_ITEM = re.compile(r"\s*(?:以及|及|和|还有|另有|包括)?\s*(?P<label>[^\d%％]{1,30}?)(?:共计|共|计|为|有)?\s*"
                   + _N + r"\s*(?P<u>条|件|篇|则|项|个)\s*")
_PAREN = re.compile(r"[（(][^（）()]*[)）]")
_SEPARATORS = re.compile(r"[，,、；;]")
# Not a category of the total: a change, a share, a nested total or sub-list.
_NOT_CATEGORY = re.compile(r"增|减|同比|较|比上|占|其中|合计|总计|累计|共计|平均|以上|以下|超过|不足")
# Publication channels overlap (the same item on the website and on WeChat): not a partition.
_CHANNEL = re.compile(r"网站|门户网|政务网|微信|微博|公众号|新媒体|客户端|抖音|头条|报纸|报刊|日报|"
                      r"电视|广播|公开栏|宣传栏|渠道|线上|线下")
_CATCH_ALL_WORDS = "其他|其它|其余|剩余|余下"
_CATCH_ALL = re.compile(f"^(?:{_CATCH_ALL_WORDS})")  # an item that is the rest
_CATCH_ALL_WORD = re.compile(_CATCH_ALL_WORDS)  # such an item anywhere in a listing
_ABOUT = tuple("约近逾超")  # 约500条, 近百条: an approximate figure need not add up


def _breakdown(text: str, start: int, unit: str, how: str
               ) -> tuple[list[tuple[str, int]], bool] | None:
    """The items from ``start`` to the end of the sentence and whether the list is clearly
    exhaustive; None when it is not a plain breakdown."""
    end = _STOP_RX[_SENT_STOPS].search(text, start)
    listing = _PAREN.sub("", text[start:end.start() if end else len(text)])
    # （其中…） sub-breakdowns are not items
    if "等" in listing:
        return None  # 履职依据及政策解读9条等相关信息: an open list
    if not how.startswith("分别") and len(_SEPARATORS.findall(listing)) < 2 \
            and not _CATCH_ALL_WORD.search(listing):
        return None  # at most two items and none a catch-all: not clearly exhaustive (below)
    items = []
    for seg in filter(str.strip, _SEPARATORS.split(listing)):
        m = _ITEM.fullmatch(seg)
        if m is None:
            return None  # an item without a number, or a remark: not a plain breakdown
        label, value = m.group("label").strip(), _value(m.group("n"))
        if (value is None or not label or label.endswith(_ABOUT) or _NOT_CATEGORY.search(label)
                or _CHANNEL.search(label) or _UNIT_CLASS[m.group("u")] != _UNIT_CLASS[unit]):
            return None
        items.append((label, value))
    if len(items) < 2:
        return None
    exhaustive = (how.startswith("分别") or len(items) >= 3
                  or any(_CATCH_ALL.match(label) for label, _ in items))
    return items, exhaustive


@rule(
    "N-BREAKDOWN", "warning", "正文分项之和与总数不符",
    "第{number}部分“{text}”：所列各项（{items}）之和为 {expected}{unit}，与所称总数 {found}{unit} 不符。",
    "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号 第一部分（总体情况）",
    what="正文中“共N条，其中A条、B条、C条”一类的分项说明：当所列各项显然是完整分类"
         "（三项以上、“分别为”或含“其他/其余”一项，且每项都有数字、没有“等”）时，各项之和应等于总数。"
         "列举渠道（网站、微信等，可能重复）或带“等”的开放列举不检查。",
    why="分项加不出总数，说明总数或某一项写错了，读者会怀疑报告数据的可靠性。",
    example="“共主动公开政府信息117条，其中政务动态45条、财政预决算8条、人事信息3条……”各项之和为 108。",
    fix="核对每一类的条数和总数；若只列举了部分类别，请在最后加上“等”或补上“其他N条”。",
)
def n_breakdown(ctx: Context) -> Iterator[Hit]:
    for section in _texts(ctx):
        text = section.text
        for how, at in _occurrences(text, _HOW):
            lo, hi = max(0, at - 16), at + len(how)
            head = _TOTAL.search(text, lo, hi - len(how))
            if head is None or (total := _value(head.group("n"))) is None or \
                    text[head.start() - 1:head.start()] in _ABOUT:
                continue
            a, _ = _span(text, head.start(), _SENT_STOPS)
            if "其中" in text[a:head.start()]:
                continue  # a breakdown inside a breakdown: where the inner list ends is unclear
            got = _breakdown(text, _LEAD.match(text, hi).end(), head.group("u"), how)
            if got is None or not got[1]:
                continue
            expected = sum(v for _, v in got[0])
            if expected != total:
                yield Hit(section=section.key, expected=expected, found=total,
                          fields={"number": section.number,
                                  "text": _snippet(text[a:hi].strip(" ，,：:")),
                                  "items": "+".join(str(v) for _, v in got[0]),
                                  "unit": head.group("u")})


# ----------------------------------------------------------------------------- N-FEE-SILENT
_FEE = re.compile(r"处理费|收取[^。；;\n]{0,15}费|收费|费用")
_FEE_ELSEWHERE = "处理费"
_SECTION_OTHER, _SECTION_PROBLEMS = "other", "problems"
_FEE_FROM = 2021  # 国办函〔2020〕109号 (the fee) applies from 1 January 2021


@rule(
    "N-FEE-SILENT", "warning", "第六部分未说明信息处理费",
    "第{number}部分“{heading}”没有说明收取信息处理费的情况。",
    _FEE_BASIS,
    what="第六部分“其他需要报告的事项”应说明本年是否收取、收取多少政府信息公开信息处理费；"
         "正文任何地方都没有提到信息处理费时报告此问题。",
    why="2021 年格式明确要求“收取信息处理费情况在此处报告”；评估时未说明收费情况通常扣分。",
    example="第六部分只写了“无其他需要报告的事项”。",
    fix="在第六部分写明本年度收取信息处理费的情况，例如“本年度未收取信息处理费”，"
        "或列出收费件数和金额。",
)
def n_fee_silent(ctx: Context) -> Iterator[Hit]:
    year = ctx.report.meta.year
    if (year or ctx.layout.years[0]) < _FEE_FROM:
        return  # before 2021 there was no information processing fee to report
    section = ctx.section(_SECTION_OTHER)
    if section is None:
        return  # a missing section is F-SECTION-MISSING's
    if "费" in section.text and _FEE.search(section.text):
        return
    if any(_FEE_ELSEWHERE in s.text for s in _texts(ctx)) or any(
            _FEE_ELSEWHERE in p for p in ctx.report.preamble):
        return  # stated, if not where the template puts it
    yield Hit(section=section.key, fields={"number": section.number, "heading": section.heading})


# ----------------------------------------------------------------------------- N-SEC5-TRIVIAL
_CJK = re.compile(r"[\u4e00-\u9fff]")
_CJK_RUN = re.compile(r"[\u4e00-\u9fff]+")
_SENTENCES = re.compile(r"[。！？!?\n]")
_MIN_CJK, _MIN_CJK_ONE_SENTENCE = 30, 50


@rule(
    "N-SEC5-TRIVIAL", "warning", "第五部分内容空泛",
    "第{number}部分“{heading}”{state}，没有具体说明存在的主要问题及改进情况。",
    _SEC5_BASIS,
    what="第五部分“存在的主要问题及改进情况”为空、只写“无”，或只有一句很短的话"
         f"（不足 {_MIN_CJK} 个汉字，或只有一句且不足 {_MIN_CJK_ONE_SENTENCE} 个汉字）。",
    why="条例第五十条要求年报说明存在的主要问题及改进情况；一笔带过既不符合要求，"
        "也是评估中常见的扣分项。",
    example="第五部分只写“无。”，或“今后将进一步做好政府信息公开工作。”",
    fix="具体写出本年度工作中发现的主要问题，以及已经或将要采取的改进措施。",
)
def n_sec5_trivial(ctx: Context) -> Iterator[Hit]:
    section = ctx.section(_SECTION_PROBLEMS)
    if section is None:
        return  # a missing section is F-SECTION-MISSING's
    text = section.text.strip()
    if len(text) >= 4 * _MIN_CJK_ONE_SENTENCE:
        return  # plainly not a single short sentence; spares counting a long text
    cjk = sum(map(len, _CJK_RUN.findall(text)))  # runs: a match per character cost ~1k steps
    sentences = [s for s in _SENTENCES.split(text) if _CJK.search(s)]
    if cjk >= _MIN_CJK and (len(sentences) > 1 or cjk >= _MIN_CJK_ONE_SENTENCE):
        return
    state = f"只有“{_snippet(text, 40)}”" if text else "没有内容"
    yield Hit(section=section.key, found=_snippet(text, 40),
              fields={"number": section.number, "heading": section.heading, "state": state})
