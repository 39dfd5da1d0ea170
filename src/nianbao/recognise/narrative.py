"""Figures the narrative states, which a reader would check against the tables.

Hand-written patterns, because the phrasing is specific to annual reports
(``共主动公开政府信息117条，其中，政务动态54条…``, ``未收到依申请公开件``). The
patterns are deliberately narrow: a figure is reported only when the sentence says it
plainly; anything ambiguous (two different counts in one sentence, "复议和诉讼共3件")
is left out rather than guessed. Matching runs on :func:`plain` copies (same length as
the source), so ``text`` is the snippet exactly as printed.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator

from nianbao.model import NarrativeFigure, Section
from nianbao.normalize import chinese_int
from nianbao.recognise.sections import plain

_MAX_VALUE = 1_000_000
_N = r"(?P<n>\d+|[零〇一二两三四五六七八九十百千万]+)"
_UNIT = r"\s*(?:条|篇|项|件|个|则)"
_CLAUSE_END = re.compile(r"[，,。；;\n]")
_SENT_END = re.compile(r"[。；;！!？?\n]")

_PROACTIVE = re.compile(
    r"(?:共|累计|合计|总计|全年)?主动(?:向社会)?(?:公开|公布|发布)了?"
    r"(?P<gap>[^，,。；;、：:\n\d]{0,16}?)(?:共计|合计|总计|共|计)?\s*" + _N + _UNIT)
_GENERIC = re.compile(r"^(?:各类|各项|各种|相关|有关)?(?:.{0,8}?(?:政府|政务))?"
                      r"(?:信息|资讯)(?:数?量)?$")
_LEAD_IN = re.compile(r"[^。\n]{0,4}?[，,。]?\s*(?:其中|包括|分别为|分别是)\s*[，,：:]?")
_ITEM = re.compile(r"\s*(?:以及|及|和|还有|另有|其中)?\s*(?P<label>[^\d，,、；;。]{1,20}?)"
                   r"(?:共计|共|计)?\s*" + _N + _UNIT)
_FIRST_LABEL_CUT = re.compile(r".*(?:相关|包括|其中|有关)")

_APPLICATION = (
    re.compile(r"(?<![未没])(?:收到|受理|接到|接收|新收)(?P<gap>[^，,。；;\n\d]{0,20}?)申请"
               r"[^，,。；;\n\d]{0,6}?(?:共计|合计|共|计)?\s*" + _N + r"\s*(?:件|条|个|份|宗)"),
    re.compile(r"(?<![未没])(?:收到|受理|接到|新收)\s*" + _N + r"\s*(?:件|条|个|份|宗)"
               r"(?P<gap>[^，,。；;\n\d]{0,12}?)申请(?:公开)?(?:件|信息)?"),
)
_APPLICATION_ZERO = (
    re.compile(r"(?:未|没有|暂未|尚未)(?:收到|受理|接到|发生|产生)(?P<gap>[^，,。；;\n\d]{0,15}?)申请"),
    re.compile(r"无(?![法需论正效])(?P<gap>[^，,。；;\n\d]{0,6}?)"
               r"(?:依申请公开|政府信息公开申请|信息公开申请|公开申请)(?!行政复议|行政诉讼)"),
)
_APPLICATION_ALL = (_APPLICATION, _APPLICATION_ZERO)
_OFF_TOPIC = re.compile(r"行政复议|诉讼|人大|政协|建议|提案|投诉|举报|信访")


def _appeal(word: str, other: str) -> tuple[tuple[re.Pattern, ...], tuple[re.Pattern, ...]]:
    """Patterns for 行政复议 / 行政诉讼 counts and for their stated absence."""
    positive = (
        re.compile(word + r"(?:案件|申请)?(?P<gap>[^，,。；;\n\d]{0,8}?)(?:共计|共|计)?\s*" + _N
                   + r"\s*(?:件|起|宗|次|个)"),
        re.compile(_N + r"\s*(?:件|起|宗)(?P<gap>[^，,、和及。；;\n\d]{0,4}?)" + word),
    )
    zero = [re.compile(r"(?:未|没有|无|不存在)(?P<gap>[^，,。；;\n\d]{0,20}?)" + word)]
    if word == "行政诉讼":  # 无公开申请行政复议，提起行政诉讼情况: one 无 over a listed pair
        zero.append(re.compile(r"(?:未|没有|无|不存在)(?P<gap>[^，,。；;\n\d]{0,20}?" + other
                               + r"(?:案件|情况)?[，,、和及与]\s*(?:被)?(?:提起|起诉|发生)?)"
                               + word))
    return positive, tuple(zero)


_REVIEW = _appeal("行政复议", "行政诉讼")
_LITIGATION = _appeal("行政诉讼", "行政复议")
_OUTCOME = re.compile(r"审结|办结|结案|维持|纠正|其他结果|尚未|结转")
_ZERO_GAP_BAN = re.compile(r"审结|办结|结案")


def _value(raw: str) -> int | None:
    v = chinese_int(raw)
    return v if v is not None and 0 <= v <= _MAX_VALUE else None


def _clause_end(p: str, pos: int) -> int:
    m = _CLAUSE_END.search(p, pos)
    return m.start() if m else len(p)


class _Scan:
    """Figures of one section: ``p`` is the plain copy used for matching, ``t`` the source."""

    def __init__(self, section: Section) -> None:
        self.section = section
        self.t = section.text
        self.p = plain(section.text)
        self.bounds = [m.end() for m in _SENT_END.finditer(self.p)]

    def figure(self, key: str, value: int, start: int, end: int,
               label: str | None = None) -> NarrativeFigure:
        return NarrativeFigure(key=key, value=value, label=label, text=self.t[start:end].strip(),
                               section=self.section.key, location=self.section.location)

    # -------------------------------------------------------------- 主动公开
    def proactive(self) -> list[NarrativeFigure]:
        for m in _PROACTIVE.finditer(self.p):
            value = _value(m.group("n"))
            if value is None:
                continue
            gap = m.group("gap").strip()
            if _GENERIC.match(gap):
                total = self.figure("proactive_total", value, m.start(), m.end())
                lead = _LEAD_IN.match(self.p, m.end())
                items = list(self.items(lead.end())) if lead else []
                return [total, *items]
            # no total: "主动公开…相关决策公开13条，执行公开55条…" is the first of a list
            cut = _FIRST_LABEL_CUT.match(gap)
            label_start = m.start("gap") + (cut.end() if cut else 0)
            label = self.t[label_start:m.start("n")].strip()
            rest = list(self.items(m.end()))
            if label and rest and not _GENERIC.match(label):
                first = self.figure("proactive_item", value, label_start, m.end(), label)
                return [first, *rest]
        return []

    def items(self, pos: int) -> Iterator[NarrativeFigure]:
        """``label N条`` items from ``pos`` to the end of the sentence."""
        end = self.p.find("。", pos)
        end = len(self.p) if end < 0 else end
        nl = self.p.find("\n", pos)
        end = nl if 0 <= nl < end else end
        for seg in re.finditer(r"[^，,、；;]+", self.p[pos:end]):
            m = _ITEM.match(self.p, pos + seg.start(), pos + seg.end())
            if m is None or (value := _value(m.group("n"))) is None:
                continue
            label = self.t[m.start("label"):m.end("label")].strip()
            total_like = "主动公开" in label and _GENERIC.match(label.rpartition("主动公开")[2])
            if label and not total_like:
                yield self.figure("proactive_item", value, m.start("label"), m.end(), label)

    # -------------------------------------------------------------- counts
    def joined(self, pos: int, other: str) -> bool:
        """True when ``other`` stands just before ``pos`` in the same clause with no count."""
        before = self.p[max(0, pos - 12):pos]
        before = re.split(r"[，,。；;\n]", before)[-1]
        k = before.rfind(other)
        return k >= 0 and not re.search(r"\d|[一二两三四五六七八九十零]\s*[件起宗]", before[k:])

    def count(self, key: str, needle: str, positive, zero, off_topic=None,
              other: str | None = None) -> NarrativeFigure | None:
        """The count the first sentence that mentions it states; several counts -> silent."""
        if needle not in self.p:
            return None
        by_sentence: dict[int, tuple[list, list]] = {}
        for kind, patterns in ((0, positive), (1, zero)):
            for rx in patterns:
                for m in rx.finditer(self.p):
                    gap = m.group("gap")
                    if off_topic and off_topic.search(gap):
                        continue
                    if kind == 0:
                        if other and other in gap and "各" not in gap:
                            continue  # 行政复议和行政诉讼共3件: the split is not stated
                        if other and _OUTCOME.search(self.p, max(0, m.start() - 8), m.end()):
                            continue  # 尚未审结的行政复议1件: one outcome, not the count
                        if other and "各" not in m.group() and self.joined(m.start(), other):
                            continue  # 行政复议和行政诉讼共3件, seen from the second word
                        if (v := _value(m.group("n"))) is None:
                            continue
                        hit = (m.start(), m.end(), v)
                    else:
                        if _ZERO_GAP_BAN.search(gap):
                            continue
                        hit = (m.start(), _clause_end(self.p, m.end()), 0)
                    sentence = bisect_right(self.bounds, m.start())
                    by_sentence.setdefault(sentence, ([], []))[kind].append(hit)
        if not by_sentence:
            return None
        positive_hits, zero_hits = by_sentence[min(by_sentence)]
        hits = positive_hits or zero_hits  # a stated number beats a stated absence
        values = {v for _, _, v in hits}
        if len(values) > 1 or (len(hits) > 1 and values != {0}):
            return None  # 线上3件、线下2件: not one plainly stated figure
        start, end = min(h[0] for h in hits), max(h[1] for h in hits)
        return self.figure(key, values.pop(), start, end)


def extract_figures(sections: list[Section]) -> list[NarrativeFigure]:
    """Narrative figures in section order; each single-valued key at most once."""
    out: list[NarrativeFigure] = []
    seen: set[str] = set()
    for section in sections:
        if not section.text:
            continue
        scan = _Scan(section)
        if "proactive_total" not in seen and "proactive_item" not in seen:
            figs = scan.proactive()
            out.extend(figs)
            seen.update(f.key for f in figs)
        for key, needle, positive, zero, off, other in (
            ("applications_received", "申请", *_APPLICATION_ALL, _OFF_TOPIC, None),
            ("review_count", "行政复议", *_REVIEW, None, "诉讼"),
            ("litigation_count", "行政诉讼", *_LITIGATION, None, "复议"),
        ):
            if key in seen:
                continue
            if (fig := scan.count(key, needle, positive, zero, off, other)) is not None:
                out.append(fig)
                seen.add(key)
    return out
