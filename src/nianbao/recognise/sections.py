"""Find the six official sections: headings as printed, their text, their location.

The sections come from the layout data (``nianbao.layouts``); this module only knows
what a *top-level* heading looks like in real reports (``一、`` ``1、`` ``第一部分`` or a
document heading) and how to tell it from a sub-heading (``（一）`` ``（1）``) or a
table of contents. Also home of :func:`plain`, the length-preserving normalisation
that meta and narrative matching share.
"""

from __future__ import annotations

import re
from functools import cache

from nianbao.document import Document, Paragraph
from nianbao.layouts import Matcher, layouts
from nianbao.layouts import Section as SectionSpec
from nianbao.model import Section, SourceLocation
from nianbao.normalize import chinese_int, core, fold

# Traditional characters of the words the recognisers look for (sections, labels of
# contact fields, template citations, dates, divisions). Hand-written rather than
# OpenCC because the mapping must be one character to one character: matching runs on
# the normalised copy and values are sliced, as printed, from the original at the
# same offsets. Only characters that occur in our vocabulary need to be here.
_TRAD = (
    "國辦開號報統計電話郵編碼傳聯繫係載網務區縣鄉鎮資訊華處構會門廳員設發佈閱覽訪問獲與於為"
    "將經濟協關複訴訟請條數據級審結維糾總東廣應對態動預決規劃頁標題來時間當體況並無農業衛環"
    "龍灣臺議進異這個們證歷歲義葉導陽蘇寧齊濱雲貴陝漢長沒項節檔錄稱權責機從區問題實績運營倉"
    "庫產與學護險財稅費戶類鐵觀徵標簡樂氣軍紀監營嶺島灘鄭紹興復內該詢諮餘舉補確達點組織團黨")
_SIMP = (
    "国办开号报统计电话邮编码传联系系载网务区县乡镇资讯华处构会门厅员设发布阅览访问获与于为"
    "将经济协关复诉讼请条数据级审结维纠总东广应对态动预决规划页标题来时间当体况并无农业卫环"
    "龙湾台议进异这个们证历岁义叶导阳苏宁齐滨云贵陕汉长没项节档录称权责机从区问题实绩运营仓"
    "库产与学护险财税费户类铁观征标简乐气军纪监营岭岛滩郑绍兴复内该询咨余举补确达点组织团党")
# Full-width digits, letters and the few symbols numbers use (＠．－／［］); full-width
# Chinese punctuation （）：， is left alone, the patterns accept both forms.
_WIDE = "０１２３４５６７８９＠．－／［］" + "".join(map(chr, range(0xFF21, 0xFF3B))) + \
    "".join(map(chr, range(0xFF41, 0xFF5B)))
_PLAIN = {ord(t): s for t, s in zip(_TRAD, _SIMP, strict=True)}
_PLAIN.update({ord(c): ord(c) - 0xFEE0 for c in _WIDE})
_PLAIN.update({0x3000: " ", 0x00A0: " ", 0x25CB: "〇"})
# Most text needs no change at all, so only the runs that do are translated.
_NEEDS_PLAIN = re.compile("[" + re.escape("".join(map(chr, _PLAIN))) + "]+")


def _translate(m: re.Match) -> str:
    return m.group().translate(_PLAIN)


def plain(text: str) -> str:
    """Full-width digits/letters to ASCII, traditional to simplified, odd spaces to spaces.

    Never changes the length, so offsets found in ``plain(s)`` slice ``s`` as printed.
    """
    return _NEEDS_PLAIN.sub(_translate, text)


_MAX_HEADING = 40
# Top-level numbering only: 一、 一. 1、 1. 第一部分. Bracketed （一） （1） are sub-headings.
_TOP_NUMBER = re.compile(
    r"\s*(?:(?P<cn>[一二三四五六七八九十]{1,3})\s*[、.,，:：]"
    r"|(?P<ar>\d{1,2})\s*[、.,，](?!\d)"
    r"|第\s*(?P<part>[一二三四五六七八九十]{1,3})\s*(?:部分|章|节)\s*[、.,，:：]?)\s*"
)
_SUB_NUMBER = re.compile(r"\s*[(（〔\[]")


@cache
def _specs() -> tuple[tuple[SectionSpec, tuple[Matcher, ...]], ...]:
    """The newest layout's sections, each recognised by the synonyms of every layout."""
    lays = list(layouts().values())
    return tuple((spec, tuple(m.matcher for lay in lays for m in lay.sections
                              if m.key == spec.key))
                 for spec in lays[0].sections)


def _loc(p: Paragraph) -> SourceLocation:
    return SourceLocation(**p.loc.as_dict())


def _candidate(p: Paragraph, specs) -> tuple[tuple[int, ...], int | None, str] | None:
    """(matching section indices, printed number, numbering style) or None."""
    text = p.text.strip()
    if not text or len(text) > 2 * _MAX_HEADING or len(fold(text)) > _MAX_HEADING:
        return None
    s = plain(text)
    m = _TOP_NUMBER.match(s)
    if m is None:
        if p.heading is None or _SUB_NUMBER.match(s):
            return None
        number, style, rest = None, "heading", s
    else:
        style = next(k for k in ("cn", "ar", "part") if m.group(k))
        number = chinese_int(m.group(style))
        rest = s[m.end():]
    label = core(rest)
    if not label:
        return None
    hits = tuple(i for i, (_, matchers) in enumerate(specs)
                 if any(m.matches(label) for m in matchers))
    return (hits, number, style) if hits else None


def _drop_contents(cands: list[tuple[int, Paragraph, tuple]]) -> list:
    """Drop a table of contents: >=3 headings in a row with nothing between them,
    (nearly) all of which are announced again further down."""
    out, i = [], 0
    while i < len(cands):
        j = i
        while j + 1 < len(cands) and cands[j + 1][0] == cands[j][0] + 1:
            j += 1
        run = cands[i:j + 1]
        later = {s_i for c in cands[j + 1:] for s_i in c[2][0]}
        again = sum(1 for c in run if later.intersection(c[2][0]))
        if len(run) >= 3 and again >= max(3, len(run) - 1):
            i = j + 1
            continue
        out.extend(run)
        i = j + 1
    return out


def find_sections(doc: Document) -> list[Section]:
    """The official sections in document order; missing ones are simply absent."""
    specs = _specs()
    cands = []
    for b_i, block in enumerate(doc.blocks):
        if isinstance(block, Paragraph):
            c = _candidate(block, specs)
            if c is not None:
                cands.append((b_i, block, c))
    cands = _drop_contents(cands)

    # Last block index of a heading that carries the section's own number: an earlier
    # misnumbered match ("二、依申请公开" inside section one) yields to it.
    # Likewise an Arabic "2.…" yields to a later Chinese-numbered heading.
    well_numbered: dict[int, int] = {}
    chinese: dict[int, int] = {}
    for b_i, _, (hits, number, style) in cands:
        for s_i in hits:
            if number == s_i + 1:
                well_numbered[s_i] = b_i
            if style in ("cn", "part"):
                chinese[s_i] = b_i

    found: list[tuple[int, Paragraph, int]] = []  # (block index, paragraph, section index)
    last, styles = -1, set()
    for b_i, p, (hits, number, style) in cands:
        for s_i in hits:
            if s_i <= last:
                continue
            if number is not None and number != s_i + 1 and well_numbered.get(s_i, -1) > b_i:
                continue
            # Seed 004 numbers section one "1、" and the rest "二、"; but once Chinese
            # numbering is established, an Arabic "2.…" is an item inside a section
            # unless its number is the section's own.
            if style == "ar" and styles - {"ar", "heading"} and (
                    number != s_i + 1 or chinese.get(s_i, -1) > b_i):
                continue
            found.append((b_i, p, s_i))
            last = s_i
            styles.add(style)
            break

    sections = []
    for k, (b_i, p, s_i) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else len(doc.blocks)
        body = [b.text.strip() for b in doc.blocks[b_i + 1:end]
                if isinstance(b, Paragraph) and b.text.strip()]
        spec = specs[s_i][0]
        sections.append(Section(key=spec.key, number=spec.number, heading=p.text.strip(),
                                text="\n".join(body), location=_loc(p)))
    return sections
