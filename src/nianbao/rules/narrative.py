"""Rules comparing the narrative with the tables (family N).

The figures the parser already reads (``report.narrative``: applications received, 行政复议
and 行政诉讼 counts) are compared as they are. What the figures do not cover (carried
over/forward, 规范性文件, "共N条，其中…" breakdowns, the fee statement) is read here from
the section texts with precompiled patterns, hand-written because the phrasing is specific
to annual reports. Every pattern is narrow on purpose: a rule fires only on a figure the
text states plainly, and stays silent when a sentence is ambiguous (two different values,
another year, the whole city's figures, a list that may not be complete).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nianbao.normalize import chinese_int
from nianbao.rules.engine import Context, Hit, rule

_BASIS = "《政府信息公开条例》第五十条；国办公开办函〔2021〕30号（〔2019〕60号 同）"
_FEE_BASIS = ("国办公开办函〔2021〕30号 第六部分（收取信息处理费情况在此处报告）；"
              "国办函〔2020〕109号《政府信息公开信息处理费管理办法》")
_SEC5_BASIS = "《政府信息公开条例》第五十条第（五）项；国办公开办函〔2021〕30号 第五部分"

# Keys of the cells the narrative is compared with (stable keys, shared/spec/report-keys.md).
T3_NEW, T3_OVER, T3_FORWARD, TOTAL = "new_received", "carried_over", "carried_forward", "total"
T4_REVIEW, T4_LITIGATION = "review", ("litigation_direct", "litigation_after_review")
T2_NORMATIVE = "normative_documents"

_CN = "零〇一二两三四五六七八九十百千"
# A whole count: not the tail of a larger number (1,234), a decimal or an ordinal (第二十条).
# Read: (?<![\d.{_CN}第])(?<!\d,)(?P<n>\d+|[{_CN}]+) (tests/rules/test_patterns.py checks the
# two agree). Written so that the pattern opens with a character set: the regex engine then
# skips straight to digits instead of testing two look-behinds at every position, which made
# the patterns that start with a count the slowest part of checking.
_N = (rf"(?P<n>[\d{_CN}](?<![\d.{_CN}第].)(?<!\d,.)"
      rf"(?:(?<=\d)\d*|(?<=[{_CN}])[{_CN}]*))")
_COUNT_UNIT = r"\s*(?:件|条)"
# Figures for the whole region or for subordinate units are not the agency's own table.
_SCOPE = re.compile(r"全(?:省|市|县|区|州|盟|旗|镇|乡)|各(?:部门|单位|乡镇|街道|地|县|区)|"
                    r"所属|下属|系统内")
# Another period than the report year.
_OTHER_PERIOD = re.compile(r"上年|去年|上一年|同比|累计|历年|(?<!今年)(?<!年初)(?<!本年)以来")
_YEAR = re.compile(r"(?<!\d)(\d{4})\s*年")


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _value(raw: str) -> int | None:
    v = chinese_int(raw)
    return v if v is not None and 0 <= v <= 1_000_000 else None


def _texts(ctx: Context) -> list:
    """Sections that have text. Patterns run on the text as printed: Python's ``\\d`` and
    ``int`` accept full-width digits, so no normalised copy (a full pass) is needed."""
    got = ctx.cache.get("narrative.texts")
    if got is None:
        got = ctx.cache["narrative.texts"] = [s for s in ctx.report.sections if s.text.strip()]
    return got


def _near(text: str, needle: str, before: int, after: int) -> Iterator[tuple[int, int]]:
    """Windows around each occurrence of ``needle``: patterns run there, not on the whole
    text (a regex pass over a long section costs more than all the rules' logic)."""
    pos = text.find(needle)
    while pos >= 0:
        yield max(0, pos - before), pos + len(needle) + after
        pos = text.find(needle, pos + 1)


def _occurrences(text: str, needles: tuple[str, ...]) -> list[tuple[str, int]]:
    """(needle, position) of every occurrence, needle by needle: ``str.find`` skips through
    Chinese text several times faster than a regex scan for the same words."""
    out = []
    for needle in needles:
        pos = text.find(needle)
        while pos >= 0:
            out.append((needle, pos))
            pos = text.find(needle, pos + 1)
    return out


def _windows(text: str, needle: str, before: int, after: int) -> Iterator[tuple[int, int]]:
    """``_near``'s windows with overlapping ones merged: two statements in one sentence
    (上年结转0件，……结转下年度继续办理0件) are scanned once, not twice."""
    merged = None
    for lo, hi in _near(text, needle, before, after):
        if merged is not None and lo <= merged[1]:
            merged = (merged[0], hi)
            continue
        if merged is not None:
            yield merged
        merged = (lo, hi)
    if merged is not None:
        yield merged


class _Stated:
    """Values the text states per key; a key stated with two different values is dropped."""

    def __init__(self) -> None:
        self.values: dict[str, set[int]] = {}
        self.where: dict[str, tuple[str, str]] = {}

    def add(self, key: str, value: int | None, section, m: re.Match) -> None:
        if value is not None:
            self.values.setdefault(key, set()).add(value)
            self.where.setdefault(key, (m.group(), section.key))

    def once(self) -> dict[str, tuple[int, str, str]]:
        return {k: (min(v), *self.where[k]) for k, v in self.values.items() if len(v) == 1}


_SENT_STOPS = "。！？!?\n"
_CLAUSE_STOPS = "，,。；;！？!?\n"
_STOP_RX = {stops: re.compile("[" + re.escape(stops) + "]") for stops in (_SENT_STOPS, _CLAUSE_STOPS)}
# the last stop character before a position: greedy ".*" runs to the end and backs off in C
_LAST_STOP_RX = {stops: re.compile(".*[" + re.escape(stops) + "]", re.S)
                 for stops in (_SENT_STOPS, _CLAUSE_STOPS)}
_SPAN_WINDOW = 160


def _span(text: str, pos: int, stops: str) -> tuple[int, int]:
    """The sentence (or clause, with ``_CLAUSE_STOPS``) around ``pos``. Looks in a window
    first: scanning back through a long section cost more than the rules."""
    lo = max(0, pos - _SPAN_WINDOW)
    last = _LAST_STOP_RX[stops].match(text, lo, pos)
    if last is None and lo > 0:
        last = _LAST_STOP_RX[stops].match(text, 0, pos)
    end = _STOP_RX[stops].search(text, pos)
    return last.end() if last else 0, end.start() if end else len(text)


def _foreign(ctx: Context, text: str) -> bool:
    """True when a clause speaks about a region, another year or a cumulative figure."""
    if _SCOPE.search(text) or _OTHER_PERIOD.search(text):
        return True
    year = ctx.report.meta.year
    return any(year is None or int(y) != year for y in _YEAR.findall(text))


def _snippet(text: str, limit: int = 60) -> str:
    text = text.strip()
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _table_value(ctx: Context, table: str, row: str, column: str):
    values = getattr(ctx.report, table) or {}
    v = values.get(row, {}).get(column)
    return v if _num(v) else None


def _figure_sentence(ctx: Context, fig) -> str:
    """The sentence of a narrative figure, to see what else it says."""
    for section in _texts(ctx):
        at = section.text.find(fig.text) if section.key == fig.section else -1
        if at >= 0:
            a, b = _span(section.text, at, _SENT_STOPS)
            return section.text[a:max(b, at + len(fig.text))]
    return fig.text


def _compare_figure(ctx: Context, key: str, expected) -> Iterator[tuple]:
    """(figure, sentence) when the text's one figure for ``key`` differs from ``expected``."""
    if expected is None:
        return
    for fig in ctx.figures(key)[:1]:
        if fig.value == expected:
            continue
        sentence = _figure_sentence(ctx, fig)
        if not _SCOPE.search(sentence):
            yield fig, sentence


# ----------------------------------------------------------------------------- N-APPS
_INCLUDES_OVER = re.compile(r"含|包括|结转")


@rule(
    "N-APPS", "warning", "正文所述收到申请数与表三不符",
    "正文称本年收到政府信息公开申请 {found} 件（“{text}”），表三“{row_label}”总计为 {expected} 件。",
    _BASIS,
    what="正文（通常在“总体情况”的依申请公开部分）所述本年收到的政府信息公开申请件数，"
         "或“未收到申请”的表述，应与表三“一、本年新收政府信息公开申请数量”的总计一致。",
    why="正文和表格是同一份报告的两种表述，数字打架会让读者无从判断哪个是真的，"
        "评估时通常按“数据前后不一致”扣分。",
    example="正文写“全年共收到政府信息公开申请12件”，表三本年新收总计却为 10。",
    fix="核对申请登记台账，改正正文或表三中错误的一处；若正文数字包含上年结转的申请，请写明“含上年结转N件”。",
)
def n_apps(ctx: Context) -> Iterator[Hit]:
    t3 = ctx.table_layout("table3").table3
    expected = _table_value(ctx, "table3", T3_NEW, TOTAL)
    over = _table_value(ctx, "table3", T3_OVER, TOTAL)
    for fig, sentence in _compare_figure(ctx, "applications_received", expected):
        if over and fig.value == expected + over and _INCLUDES_OVER.search(sentence):
            continue  # 共收到申请12件（含上年结转2件）: new + carried over, stated as such
        yield Hit(table="table3", row=T3_NEW, column=TOTAL, section=fig.section,
                  expected=expected, found=fig.value,
                  fields={"text": _snippet(fig.text), "row_label": t3.row(T3_NEW).label})


# ----------------------------------------------------------------------------- N-CARRY
_APPL = r"(?:的|来的)?(?:政府信息公开|依申请公开|信息公开)?(?:申请)?(?:共计|共|计|为)?\s*"
_PREV_YEAR = r"(?:上一?年度?|(?P<y>\d{4})年度?)"
_NEXT_YEAR = r"(?:下一?年度?|(?P<y>\d{4})年度?)"
_CARRY = {
    T3_OVER: (
        (re.compile(_PREV_YEAR + r"结转" + _APPL + _N + _COUNT_UNIT), -1),
        (re.compile(_N + r"\s*件(?:申请)?(?:为|系|是|属于?)?" + _PREV_YEAR + r"结转"), -1),
        (re.compile(r"(?:无|没有|不存在)" + _PREV_YEAR + r"结转"), -1),
    ),
    T3_FORWARD: (
        (re.compile(r"结转(?:至|到|入)?" + _NEXT_YEAR + r"(?:继续)?(?:办理|处理|答复)?" + _APPL
                    + _N + _COUNT_UNIT), 1),
        (re.compile(_N + r"\s*件(?:申请)?(?:需|将|须)?(?:结转|转入)(?:至|到)?" + _NEXT_YEAR), 1),
        (re.compile(r"(?:无|没有|不存在)(?:需要?)?(?:结转|转入)(?:至|到)?" + _NEXT_YEAR), 1),
    ),
}
_CARRY_WHAT = {T3_OVER: "上年结转的申请", T3_FORWARD: "结转下年度继续办理的申请"}
# What every pattern of a key must contain (checked first: most windows hold only one of the
# two statements, and a literal test is far cheaper than three pattern scans). Carried over:
# _PREV_YEAR (ending in 年 or 度) right before 结转; carried forward: _NEXT_YEAR right after
# 结转/转入 and an optional 至/到/入.
_CARRY_HINT = {T3_OVER: lambda window: "年结转" in window or "度结转" in window,
               T3_FORWARD: re.compile(r"(?:结转|转入)[至到入]?(?:下|\d)").search}
_MONEY = re.compile(r"资金|经费|预算|项目|元")


def _carry_statements(ctx: Context) -> dict[str, tuple[int, str, str]]:
    """key -> (value, snippet, section key) when the text states it once, unambiguously."""
    stated = _Stated()
    year = ctx.report.meta.year
    for section in _texts(ctx):
        text = section.text
        if "结转" not in text:
            continue  # most sections (a generator per section was a visible cost)
        for lo, hi in _windows(text, "结转", 16, 40):
            window = text[lo:hi]
            for key, patterns in _CARRY.items():
                if not _CARRY_HINT[key](window):
                    continue
                for rx, offset in patterns:
                    for m in rx.finditer(text, lo, hi):
                        y = m.group("y")
                        if y and (year is None or int(y) != year + offset):
                            continue  # 结转至2024年 in a 2023 report only
                        a, b = _span(text, m.start(), _CLAUSE_STOPS)
                        if _SCOPE.search(text, a, b) or _MONEY.search(text, a, b):
                            continue
                        n = m.groupdict().get("n")
                        stated.add(key, _value(n) if n else 0, section, m)
    return stated.once()


@rule(
    "N-CARRY", "warning", "正文所述结转申请数与表三不符",
    "正文称{what} {found} 件（“{text}”），表三“{row_label}”总计为 {expected} 件。",
    _BASIS,
    what="正文所述上年结转的申请件数、结转下年度继续办理的申请件数（含“无上年结转”等表述），"
         "应分别与表三“二、上年结转政府信息公开申请数量”“四、结转下年度继续办理”的总计一致。",
    why="结转数连接相邻两年的报告；正文与表格不一致，读者无法核对申请是否都有着落。",
    example="正文写“上年结转2件，结转下年度继续办理1件”，表三上年结转总计为 0。",
    fix="按申请台账核对结转情况，改正正文或表三。",
)
def n_carry(ctx: Context) -> Iterator[Hit]:
    t3 = ctx.table_layout("table3").table3
    for key, (value, text, section) in _carry_statements(ctx).items():
        expected = _table_value(ctx, "table3", key, TOTAL)
        if expected is not None and expected != value:
            yield Hit(table="table3", row=key, column=TOTAL, section=section, expected=expected,
                      found=value, fields={"what": _CARRY_WHAT[key], "text": _snippet(text),
                                           "row_label": t3.row(key).label})


# ----------------------------------------------------------------------------- N-REVIEW / N-LITIGATION
@rule(
    "N-REVIEW", "warning", "正文所述行政复议数与表四不符",
    "正文称政府信息公开行政复议 {found} 件（“{text}”），表四“{group_label}”总计为 {expected} 件。",
    _BASIS,
    what="正文所述因政府信息公开被申请行政复议的件数（或“未发生行政复议”），应与表四“行政复议”的总计一致。",
    why="行政复议数反映依申请公开的办理质量，是评估关注的指标；正文与表格不一致会被认为数据失真。",
    example="正文写“被申请行政复议2件”，表四行政复议总计为 1。",
    fix="按复议案件台账核对，改正正文或表四。",
)
def n_review(ctx: Context) -> Iterator[Hit]:
    t4 = ctx.table_layout("table4").table4
    expected = _table_value(ctx, "table4", T4_REVIEW, TOTAL)
    label = next(g.label for g in t4.groups if g.key == T4_REVIEW)
    for fig, _ in _compare_figure(ctx, "review_count", expected):
        yield Hit(table="table4", row=T4_REVIEW, column=TOTAL, section=fig.section,
                  expected=expected, found=fig.value,
                  fields={"text": _snippet(fig.text), "group_label": label})


@rule(
    "N-LITIGATION", "warning", "正文所述行政诉讼数与表四不符",
    "正文称政府信息公开行政诉讼 {found} 件（“{text}”），表四行政诉讼（{groups}）总计之和为 {expected} 件。",
    _BASIS,
    what="正文所述因政府信息公开被提起行政诉讼的件数（或“未发生行政诉讼”），应等于表四“未经复议直接起诉”"
         "与“复议后起诉”两组总计之和。",
    why="行政诉讼数是评估关注的指标；正文与表格不一致会被认为数据失真。",
    example="正文写“被提起行政诉讼3件”，表四两组诉讼总计为 1 和 1，合计 2。",
    fix="按应诉案件台账核对，注意复议后起诉的案件也属于行政诉讼，改正正文或表四。",
)
def n_litigation(ctx: Context) -> Iterator[Hit]:
    t4 = ctx.table_layout("table4").table4
    values = [_table_value(ctx, "table4", g, TOTAL) for g in T4_LITIGATION]
    if any(v is None for v in values):
        return
    labels = "、".join(g.label.rpartition("—")[2].strip() for g in t4.groups
                      if g.key in T4_LITIGATION)
    for fig, _ in _compare_figure(ctx, "litigation_count", sum(values)):
        # two groups are involved, so the finding points at the sentence, not at one cell
        yield Hit(table="table4", section=fig.section, source=fig.location,
                  expected=sum(values), found=fig.value,
                  fields={"text": _snippet(fig.text), "groups": labels})


# ----------------------------------------------------------------------------- N-NORMATIVE
_NOUN = r"(?:行政)?规范性文件"
_DOC_UNIT = r"\s*(?:件|个|份|部|篇)"
_AMOUNT = r"(?:共计|共|计|为)?\s*"
_NORMATIVE = (
    # 制发规范性文件3件 / 现行有效的行政规范性文件共15件
    re.compile(r"(?P<verb>制发|印发|出台|制定|废止|现行有效)了?的?" + _NOUN + _AMOUNT + _N + _DOC_UNIT),
    # 制发3件规范性文件
    re.compile(r"(?P<verb>制发|印发|出台|制定|废止)了?\s*" + _N + _DOC_UNIT + _NOUN),
    # 规范性文件现行有效15件
    re.compile(_NOUN + r"(?P<verb>制发|印发|废止|现行有效)的?" + _AMOUNT + _N + _DOC_UNIT),
)
# "，废止2件，现行有效15件" right after a match: the noun is understood
_NORMATIVE_NEXT = re.compile(r"\s*[，,、；;]\s*(?:本年|全年)?(?:共)?(?P<verb>制发|印发|废止|现行有效)的?"
                             + _AMOUNT + _N + _DOC_UNIT)
# verb -> table 二 column keys it can mean (2021 layout first, then 2019)
_VERB_COLUMNS = {"制发": ("issued", "made"), "印发": ("issued", "made"), "出台": ("issued", "made"),
                 "制定": ("issued", "made"), "废止": ("repealed",), "现行有效": ("in_force",)}
_VERB_WORD = {"issued": "本年制发", "made": "本年新制作", "repealed": "本年废止",
              "in_force": "现行有效"}


def _normative_statements(ctx: Context, columns: tuple[str, ...]) -> dict:
    """column -> (value, snippet, section key), only columns the text states once."""
    stated = _Stated()
    for section in _texts(ctx):
        text = section.text
        if "规范性文件" not in text:
            continue  # most sections (a generator per section was a visible cost)
        for lo, hi in _windows(text, "规范性文件", 16, 30):
            for rx in _NORMATIVE:
                for m in rx.finditer(text, lo, hi):
                    a, b = _span(text, m.start(), _SENT_STOPS)
                    if _foreign(ctx, text[a:b]):
                        continue  # 全市… / 上年… / 2022年…: not this table's figure
                    chain = [m]
                    while (nxt := _NORMATIVE_NEXT.match(text, chain[-1].end())) is not None:
                        chain.append(nxt)
                    for c in chain:
                        key = next((k for k in _VERB_COLUMNS[c.group("verb")] if k in columns),
                                   None)
                        if key is not None:
                            stated.add(key, _value(c.group("n")), section, c)
    return stated.once()


@rule(
    "N-NORMATIVE", "warning", "正文所述规范性文件数与表二不符",
    "正文称{verb}规范性文件 {found} 件（“{text}”），表二“{row_label}”的“{column_label}”为 {expected}。",
    _BASIS + "；《政府信息公开条例》第二十条第（一）项",
    what="正文所述本年制发、废止、现行有效的规范性文件件数，应与表二“行政规范性文件”"
         "（2019 年格式为“规范性文件”）一行对应列的数字一致。",
    why="规范性文件的制发、废止和现行有效件数是主动公开的核心指标；正文与表格不一致，"
        "读者无法判断文件底数。",
    example="正文写“全年制发行政规范性文件3件”，表二行政规范性文件“本年制发件数”却为 2。",
    fix="按文件清单核对，改正正文或表二。只说明本机关本年的数字；全市、累计或往年的数字请写明范围。",
)
def n_normative(ctx: Context) -> Iterator[Hit]:
    spec = ctx.table_layout("table2").table2
    row = next((r for r in spec.rows if r.key == T2_NORMATIVE), None)
    if row is None or not ctx.report.table2:
        return
    for key, (value, text, section) in _normative_statements(ctx, row.columns).items():
        expected = _table_value(ctx, "table2", T2_NORMATIVE, key)
        if expected is not None and expected != value:
            yield Hit(table="table2", row=T2_NORMATIVE, column=key, section=section,
                      expected=expected, found=value,
                      fields={"verb": _VERB_WORD[key], "text": _snippet(text),
                              "row_label": row.label, "column_label": spec.column(key).label})


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
_CATCH_ALL = re.compile(r"^(?:其他|其它|其余|剩余|余下)")
_CATCH_ALL_WORD = re.compile(r"其他|其它|其余|剩余|余下")
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
