"""Rules comparing the narrative with the tables (family N).

The figures the parser already reads (``report.narrative``: applications received, 行政复议
and 行政诉讼 counts) are compared as they are. What the figures do not cover (carried
over/forward, 规范性文件) is read here from the section texts with precompiled patterns
(the narrative's own statements — breakdowns, the fee, section 五 — are in
narrative_text.py, which shares the helpers below), hand-written because the phrasing is specific
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
    for _, pos in _occurrences(text, (needle,)):
        yield max(0, pos - before), pos + len(needle) + after


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
