"""Read the report's metadata from the title, the preamble and the signature.

Hand-written patterns, because what they recognise is specific to annual reports:
the title split over two lines, the ``统计期限`` sentence with its misprints, the way
reports cite the State Council's format documents, the contact sentence, the
signature block. Matching runs on :func:`plain` copies (same length as the source),
so every value reported "as printed" is sliced from the original text.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from datetime import date

from nianbao.document import Document, Paragraph
from nianbao.model import Contact, Meta, Section
from nianbao.normalize import chinese_digits, chinese_int, fold
from nianbao.recognise.sections import plain

_PREAMBLE_MAX = 40  # paragraphs searched for title/preamble when no section was found
_TAIL = 15  # paragraphs at the end searched for signature and late contact details

_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2}|[〇零一二三四五六七八九]{4})\s*年")
_JUNK = re.compile(r"当前位置|您的位置|首页|[>›»|]|发布(?:时间|日期|机构)|来源[:：]|浏览|点击|"
                   r"字号|打印|关闭|分享|索引号|扫一扫|访问量|阅读")
_SENTENCE_PUNCT = re.compile(r"[。；;，,！!？?]")
_DATE_ONLY = re.compile(r"^[\d\s年月日.\-/:：]+$")
_TITLE_LABEL = re.compile(r"^(?:标题|標題)\s*[:：]\s*")
_TITLE_TAIL = re.compile(r"^[(（]\s*(?:19|20)\d{2}\s*年度?\s*[)）]$")
_AGENCY_END = re.compile(
    r"(?:人民政府|政府|办公室|办事处|委员会|局|委|办|中心|厅|院|所|站|队|处|会|部|社|馆|署|室|"
    r"乡|镇|街道|公司|集团|银行|学校|大学|医院|县|区|市|旗|州|盟)$")
_NOT_AGENCY = re.compile(r"^(?:我|本|该|贵|各)|报告|信息公开|[。，,；;：:！？]")
_SUBJECT = re.compile(r"政府信息公开|政务公开|信息公开|年度报告")
_AGENCY_LEAD = re.compile(r"^.*?(?:现将|现就|现公布|特发布|本报告由|本报告是|本报告为|关于)")
_BY = re.compile(r"由(?P<a>[^，,。；;、（）()《》“”\"\s]{2,40}?)"
                 r"(?:结合|依据|根据|按照|负责|汇总|牵头|组织|编制|制作|起草)")
_ASK = re.compile(r"请(?:与|向|联系)(?P<a>[^，,。；;、（）()《》“”\"\s]{2,40}?)(?:联系|咨询|反映)")

_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})年")
_CN_MD = re.compile(r"([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日")
_RANGE = re.compile(
    r"(?:(?<!\d)(\d{4})年?)?(\d{1,2})月(\d{1,2})日?(?:起|开始)?(?:至|到|—+|-|~|～)"
    r"(?:(\d{4})年?)?(\d{1,2})月(\d{1,2})日"
    r"|(?<!\d)(\d{4})[./-](\d{1,2})[./-](\d{1,2})日?(?:起)?(?:至|到|—+|~|～)"
    r"(\d{4})[./-](\d{1,2})[./-](\d{1,2})")
_STAT = re.compile(r"统计|期限|时限|时段|区间")
_DAY = re.compile(r"(?<!\d)(\d{4})(?:年(\d{1,2})月(\d{1,2})日|[-./](\d{1,2})[-./](\d{1,2})(?!\d))")
_DAY_END = re.compile(_DAY.pattern + r"$")
_ISSUED_WORD = re.compile(r"(?:发布|發布|成文|印发|印發)(?:时间|日期|時間)")
_ISSUED = re.compile(r"(?:发布|成文|印发)(?:时间|日期)\s*[:：]?\s*" + _DAY.pattern)

# Template citations: any 国办…函 issuer with the (year, number) of a format document.
# 国办函〔2020〕109号 (the fee regulation) has another pair and is therefore ignored.
_CITE = re.compile(r"国办(?:公开)?办?函[〔\[(【〖{［]?(\d{4})[〕\])】〗}］]?第?(\d{1,3})号"
                   r"|中华人民共和国政府信息公开工作年度报告格式"
                   r"|政府信息公开工作年度报告有关事项的通知")
_TEMPLATES = {("2019", "60"): "2019-60", ("2021", "30"): "2021-30"}
_TEMPLATE_TITLES = {"中华人民共和国政府信息公开工作年度报告格式": "2021-30",
                    "政府信息公开工作年度报告有关事项的通知": "2019-60"}

_URL = re.compile(r"(?<![@A-Za-z0-9.])(?:https?://)?(?:[A-Za-z0-9-]+\.)+[A-Za-z]{2,}(?::\d+)?"
                  r"(?:/[A-Za-z0-9._~%/?#=&+:-]*)?(?![@A-Za-z0-9])")
_DOWNLOAD = re.compile(r"下载|查阅|浏览|访问|查看|获取|查询")
_SITE = re.compile(r"(?:从|在|登录|通过|于)[“\"]?"
                   r"(?P<s>[^，,。；;、“”\"从在]{2,30}?(?:网站|门户网|网))[”\"]?"
                   r"(?:上)?(?:下载|查阅|浏览|获取|查看)")
_SENT = re.compile(r"[^。；;！!？?\n]+")
_PHONE = re.compile(r"(?<!传真)(?<!传真/)(?<!传真、)(?:联系|咨询|办公|值班|服务)?电话(?:号码)?"
                    r"(?:/传真)?\s*[:：为是]?\s*"
                    r"(?P<v>[(（]?\d[\d ()（）—-]{5,}\d(?: *[、/或] *\d[\d-]{5,}\d)*)")
_POSTCODE = re.compile(r"(?:邮编|邮政编码)\s*[:：为是]?\s*(?P<v>\d{6})(?!\d)")
_EMAIL = re.compile(r"(?P<v>[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+)")
_ADDRESS = re.compile(r"(?:联系|通讯|通信|办公)?地址\s*[:：为是]\s*(?P<v>[^，,；;。\n]+)")
_ADDRESS_STOP = re.compile(r"\s*(?:联系电话|电话|邮编|邮政编码|传真|电子邮箱|邮箱|网址)")

# Administrative divisions, read left to right from the start of a name or address.
# Hand-written: a gazetteer would be more exact but is data we would have to ship; the
# suffix grammar below covers what the names print.
_NAME_CH = (r"[^\x00-\x7f\s\d，,、。；;：:（）()“”《》·"
            r"路街号巷弄楼室层栋座局委厅院会所处科队站馆校社司组办心省县区乡镇旗盟]")
_DIVISION = re.compile(
    rf"{_NAME_CH}{{2,8}}?(?:特别行政区|自治区|自治州|自治县|自治旗|街道|省|市|州|盟|县|区|旗|乡|镇)"
    rf"|{_NAME_CH}县")
_DIVISION_SKIP = re.compile(r"^(?:中共|共青团|国家税务总局|中国共产党)")
_RANK = {"省": 0, "特别行政区": 0, "自治区": 0, "市": 1, "州": 1, "盟": 1, "自治州": 1,
         "县": 2, "区": 2, "旗": 2, "自治县": 2, "自治旗": 2, "乡": 3, "镇": 3, "街道": 3}
_TOWNSHIP = re.compile(r"(?:乡|镇|街道)(?:人民政府|政府|办事处|街道办事处)?$")


def _cn_dates(s: str) -> str:
    """二〇二四年一月二十三日 -> 2024年1月23日 (on a folded copy, for date parsing only)."""
    s = _CN_YEAR.sub(lambda m: f"{chinese_digits(m.group(1))}年", s)
    return _CN_MD.sub(lambda m: f"{chinese_int(m.group(1))}月{chinese_int(m.group(2))}日", s)


def _iso(y, m, d) -> str | None:
    try:
        return date(int(y), int(m), int(d)).isoformat()
    except (TypeError, ValueError):
        return None


# ------------------------------------------------------------------ title and agency
def _fragment(t: str) -> bool:
    """A line that can be the first half of a split title."""
    return (len(t) <= 80 and not _SENTENCE_PUNCT.search(t) and len(fold(t)) <= 40
            and not _JUNK.search(t) and "报告" not in plain(t) and not _DATE_ONLY.match(t))


def _title_end(t: str) -> bool:
    if len(t) > 120 or _SENTENCE_PUNCT.search(t):
        return False
    p = plain(t)
    return ("报告" in p or "年报" in p) and len(fold(t)) <= 60 and not _JUNK.search(p)


def _valid_agency(a: str | None) -> str | None:
    if not a:
        return None
    a = a.strip(" \u3000《》“”\"'")
    if not 2 <= len(a) <= 50 or _NOT_AGENCY.search(plain(a)) or _DATE_ONLY.match(a):
        return None
    return a


def _agency_of_title(title: str) -> str | None:
    """The name printed before the year (or, year first, between year and subject)."""
    p = plain(title)
    m = _YEAR.search(p)
    n = _SUBJECT.search(p)
    if m is None or (n is not None and n.start() < m.start()):
        # no year before the subject: the name before the subject, if it reads as one
        cand = title[: n.start()].strip() if n else ""
        return _valid_agency(cand) if cand and _AGENCY_END.search(plain(cand)) else None
    before = title[: m.start()].strip()
    before = re.sub(r"(?:关于|的)$", "", before)
    if before:
        return _valid_agency(_AGENCY_LEAD.sub("", before))
    rest = p[m.end():]
    n = _SUBJECT.search(rest)
    if n is None:
        return None
    start = m.end() + (1 if rest.startswith("度") else 0)
    cand = title[start: m.end() + n.start()].strip()
    return _valid_agency(cand) if cand and _AGENCY_END.search(plain(cand)) else None


def _title(texts: list[str], headings: list[bool]) -> tuple[str | None, int]:
    """The title as printed (split lines joined) and the index of its last line.

    A title that names a year wins over one that does not (menus list "年度报告"), and a
    document heading over plain text (side bars list other years' reports).
    """
    found = []
    for i, t in enumerate(texts):
        t = _TITLE_LABEL.sub("", t)
        if not _title_end(t):
            continue
        title, j, end = t, i, i
        while j > 0 and i - j < 2 and _agency_of_title(title) is None and _fragment(texts[j - 1]):
            j -= 1
            prev = texts[j]
            sep = " " if prev[-1:].isascii() and prev[-1:].isalnum() and title[:1].isascii() else ""
            title = prev + sep + title
        if i + 1 < len(texts) and _TITLE_TAIL.match(plain(texts[i + 1])):
            title, end = title + texts[i + 1], i + 1
        rank = (not _YEAR.search(plain(title)), not any(headings[j:i + 1]))
        found.append((rank, len(found), title, end))
    if not found:
        return None, -1
    _, _, title, end = min(found)
    return title, end


def _agency(title: str | None, head: list[str], tail: list[str]) -> str | None:
    a = _agency_of_title(title) if title else None
    if a:
        return a
    joined = "\n".join(head)
    p = plain(joined)
    # the first sentence may name the report: "XXX2023年政府信息公开工作年度报告是根据…"
    if (sent := _SENT.search(p)) and 0 < (k := sent.group().find("报告")) <= 60:
        a = _agency_of_title(joined[sent.start(): sent.start() + k + 2])
        if a and _AGENCY_END.search(plain(a)):
            return a
    for rx in (_BY, _ASK):
        m = rx.search(p)
        if m and (a := _valid_agency(joined[m.start("a"): m.end("a")])):
            return a
    for i, t in enumerate(tail):  # signature: the name above (or beside) the date
        pt = fold(_cn_dates(fold(plain(t))))
        m = _DAY_END.search(pt)
        if m is None:
            continue
        cand = re.sub(r"\s*[\d〇零一二三四五六七八九十○０-９]{4}\s*年.*$", "", t).strip()
        if not cand and i > 0:
            cand = tail[i - 1].strip()
        if (a := _valid_agency(cand)) and _AGENCY_END.search(plain(a)):
            return a
    return None


# ------------------------------------------------------------------ dates
def _period(head: list[str], texts: list[str], year: int | None) -> tuple[str, str] | None:
    def ranges(t: str):
        s = _cn_dates(fold(plain(t)))
        for m in _RANGE.finditer(s):
            g = m.groups()
            y1, m1, d1, y2, m2, d2 = g[:6] if g[1] is not None else g[6:]
            y2 = y2 or y1 or year
            y1 = y1 or y2
            a, b = _iso(y1, m1, d1), _iso(y2, m2, d2)
            if a and b and a <= b:
                yield a, b, bool(_STAT.search(s[max(0, m.start() - 30): m.start()]))

    first = None
    for t in head:
        for a, b, stat in ranges(t):
            if stat:
                return a, b
            first = first or (a, b)
    if first:
        return first
    for t in texts:
        if "统计" in t or "期限" in t:
            for a, b, stat in ranges(t):
                if stat:
                    return a, b
    return None


def _published(head: list[str], tail: list[str]) -> str | None:
    for t in reversed(tail):
        if len(t) > 80 or len(fold(t)) > 40 or _SENTENCE_PUNCT.search(t) or "至" in t:
            continue
        m = _DAY_END.search(_cn_dates(fold(plain(t))))
        if m:
            g = m.groups()
            return _iso(g[0], g[1] or g[3], g[2] or g[4])
    for t in head:
        if not _ISSUED_WORD.search(t):
            continue
        m = _ISSUED.search(unicodedata.normalize("NFKC", plain(t)))
        if m:
            g = m.groups()
            return _iso(g[0], g[1] or g[3], g[2] or g[4])
    return None


def _year(title: str | None, period, head: list[str], sections: list[Section]) -> int | None:
    if title and (m := _YEAR.search(plain(title))):
        return chinese_digits(m.group(1))
    if period:
        return int(period[0][:4])
    text = plain("\n".join(head) + "\n" + (sections[0].text if sections else ""))
    years = Counter(m.group(1) for m in _YEAR.finditer(text) if m.group(1).isdigit())
    return int(years.most_common(1)[0][0]) if years else None


# ------------------------------------------------------------------ citations, web, contact
def _templates(texts: list[str]) -> list[str]:
    out: list[str] = []
    for t in texts:
        if "函" not in t and "格式" not in t and "通知" not in t:
            continue  # cheap filter: folding every paragraph would dominate the cost
        for m in _CITE.finditer(fold(plain(t))):
            key = _TEMPLATES.get(m.groups()) if m.group(1) else _TEMPLATE_TITLES[m.group()]
            if key and key not in out:
                out.append(key)
    return out


def _website(head: list[str], texts: list[str]) -> str | None:
    for pool, need_verb in ((head, True), (texts, True), (head, False)):
        joined = "\n".join(pool)
        p = plain(joined)
        for s in _SENT.finditer(p):
            if need_verb and not _DOWNLOAD.search(s.group()):
                continue
            if m := _URL.search(p, s.start(), s.end()):
                return joined[m.start(): m.end()].rstrip(".")
            if need_verb and (m := _SITE.search(p, s.start(), s.end())):
                return joined[m.start("s"): m.end("s")]
    return None


def _contact(pools: list[list[str]]) -> Contact:
    found: dict[str, str] = {}
    for pool in pools:
        joined = "\n".join(pool)
        p = plain(joined)
        for field, rx in (("phone", _PHONE), ("postcode", _POSTCODE), ("email", _EMAIL),
                          ("address", _ADDRESS)):
            if field in found or not (m := rx.search(p)):
                continue
            v = joined[m.start("v"): m.end("v")]
            if field == "address":
                v = _trim_address(v)
            if v := v.strip():
                found[field] = v
    return Contact(**found)


def _trim_address(v: str) -> str:
    """Cut at the next label or at a bracket closing the surrounding sentence."""
    p = plain(v)
    if m := _ADDRESS_STOP.search(p):
        v, p = v[: m.start()], p[: m.start()]
    depth = 0
    for i, ch in enumerate(p):
        if ch in "(（":
            depth += 1
        elif ch in ")）":
            if depth == 0:
                return v[:i]
            depth -= 1
    return v.rstrip(" (（")


# ------------------------------------------------------------------ region and level
def _divisions(name: str | None) -> list[str]:
    if not name:
        return []
    p = plain(name)
    pos = m.end() if (m := _DIVISION_SKIP.match(p)) else 0
    out = []
    while m := _DIVISION.match(p, pos):
        if "人民" in m.group():
            break
        out.append(name[m.start(): m.end()])
        pos = m.end()
    return out


def _suffix_rank(name: str) -> int:
    p = plain(name)
    return next(r for s, r in sorted(_RANK.items(), key=lambda x: -len(x[0])) if p.endswith(s))


def _region(agency: str | None, address: str | None) -> list[str]:
    out = _divisions(address)
    prev = None
    for t in _divisions(agency):
        if t not in out:
            if prev in out:
                out.insert(out.index(prev) + 1, t)
            else:
                r = _suffix_rank(t)
                k = next((i for i, x in enumerate(out) if _suffix_rank(x) > r), len(out))
                out.insert(k, t)
        prev = t
    return out


def _level(agency: str | None) -> str | None:
    if not agency:
        return None
    p = plain(agency)
    if _TOWNSHIP.search(p):
        return "乡镇街道"
    if p.endswith("政府") or "".join(_divisions(agency)) == agency:
        return "政府"
    if _AGENCY_END.search(p):
        return "部门"
    return None


# ------------------------------------------------------------------ entry point
def _preamble_end(paras: list[Paragraph], sections: list[Section]) -> int:
    if not sections:
        return min(len(paras), _PREAMBLE_MAX)
    first = sections[0]
    want = first.location.model_dump(exclude_none=True)
    for i, p in enumerate(paras):
        if p.text.strip() == first.heading and p.loc.as_dict() == want:
            return i
    return min(len(paras), _PREAMBLE_MAX)


def extract_meta(doc: Document, sections: list[Section]) -> Meta:
    return read_front_matter(doc, sections)[0]


def read_front_matter(doc: Document, sections: list[Section]) -> tuple[Meta, list[str]]:
    """The metadata, and the preamble: the paragraphs between the title and section 一."""
    paras = [b for b in doc.blocks if isinstance(b, Paragraph) and b.text.strip()]
    texts = [p.text.strip() for p in paras]
    k = _preamble_end(paras, sections)
    head = texts[:k]
    tail = texts[max(k, len(texts) - _TAIL):]
    title, t_end = _title(head, [p.heading is not None for p in paras[:k]])
    body_head = head[t_end + 1:] if t_end >= 0 else head
    period = _period(body_head, texts, _year(title, None, head, sections))
    agency = _agency(title, body_head, tail)
    contact = _contact([body_head, tail])
    meta = Meta(
        title=title,
        agency=agency,
        year=_year(title, period, head, sections),
        period=period,
        cited_templates=_templates(texts),
        website=_website(body_head, texts),
        contact=contact,
        published=_published(head, tail),
        region=_region(agency, contact.address),
        level=_level(agency),
    )
    return meta, (body_head if sections else [])
