"""Rules on the report's metadata (family M): period, years, dates, contact, download place.

Division of labour: M-PERIOD says a stated period is not a whole calendar year;
M-NO-PERIOD that none is stated; M-YEAR-AGREE compares the *years* of the title, a
whole-year period, the sentences stating the year's figures and the signing date; M-LATE
says the signing/publication date is past the legal deadline.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

from nianbao.normalize import chinese_digits, fold
from nianbao.rules.engine import Context, Hit, rule

_ART49 = "《政府信息公开条例》第四十九条"
_ART50 = "《政府信息公开条例》第四十九条、第五十条"

_YEAR = re.compile(r"((?:19|20)\d{2})\s*年")
_CN_YEAR = re.compile(r"([〇零一二三四五六七八九]{4})\s*年")
# A sentence that opens with a year and states that year's work: "2022年，我局共收到申请5件".
# Not "2022年12月…" (a date), not "2019年以来/底/末/至…" (a span or another point in time),
# not "2022年同期…" (a comparison) or "2022年度报告…" (a document).
_STATEMENT = re.compile(
    r"^(?:截至|截止)?((?:19|20)\d{2})年(?:度)?"
    r"(?![\d一二三四五六七八九十]{1,2}月|以来|至|到|起|底|末|初|同期|报告|年报|—|-|~|～)")
# A figure of the year: a count, or a statement that there was none. Two patterns, as each
# then opens with a character set or literals the regex engine can skip to (one alternation
# of both was tried at every position of the sentence).
_FIGURE_COUNT = re.compile(r"\d+(?:条|件|次|个|项|份|篇|期|场|人次)")
_FIGURE_NONE = re.compile(r"未收到|没有收到|未发生|未产生|未收取")
_FUTURE = re.compile(r"将|计划|拟|力争|预计|下一步|争取")
# sentences opening with the first character of "2023年" / "２０２３年" / "截至2023年", in a
# text that starts with a stop (see _statements): opening with a character set lets the regex
# engine skip to the stops instead of testing a look-behind at every position (twice as fast;
# tests/rules/test_patterns.py checks it against the readable form).
_YEAR_LED_SENTENCE = re.compile(r"[。；;！!？?\n][ \u3000]*([12１２截][^。；;！!？?\n]*)")
# Sections whose sentences state the report year's own figures (五 looks ahead to next year).
_STATEMENT_SECTIONS = ("overview", "proactive", "requests", "appeals", "other")


def _title_year(title: str | None) -> int | None:
    if not title:
        return None
    s = fold(title)
    if m := _YEAR.search(s):
        return int(m.group(1))
    if m := _CN_YEAR.search(s):
        return chinese_digits(m.group(1))
    return None


def _whole_year(period: tuple[str, str] | None) -> int | None:
    """The calendar year a period covers exactly, else None."""
    if not period:
        return None
    start, end = period
    y = start[:4]
    return int(y) if start == f"{y}-01-01" and end == f"{y}-12-31" else None


def _statements(ctx: Context) -> list[tuple[int, str, str]]:
    """(year, section key, sentence) for sentences stating a year's figures."""
    out = []
    for sec in ctx.report.sections:
        if sec.key not in _STATEMENT_SECTIONS:
            continue
        # only sentences that open with a year (or 截至): found by one C-level scan
        for sent in _YEAR_LED_SENTENCE.findall("\n" + sec.text):
            s = fold(sent)
            m = _STATEMENT.match(s)
            if m and (_FIGURE_COUNT.search(s) or _FIGURE_NONE.search(s)):
                out.append((int(m.group(1)), sec.key, sent.strip()))
    return out


def _agreed_year(ctx: Context) -> tuple[int | None, dict]:
    """The year most sources state (title, whole-year period, figure sentences) and the sources.

    One vote each for the title and the period, one for the sentences' most common year;
    on a tie the title wins, then the period (the sentences are the likeliest to be copied).
    """
    if "meta.years" in ctx.cache:
        return ctx.cache["meta.years"]
    meta = ctx.report.meta
    sources = {"title": _title_year(meta.title), "period": _whole_year(meta.period)}
    statements = _statements(ctx)
    years = [y for y, _, _ in statements]
    # max() keeps the first of equal candidates: the sentences' first-stated common year,
    # and among the votes the tie-break order
    common = max(dict.fromkeys(years), key=years.count) if years else None
    votes = [v for v in (sources["title"], sources["period"], common) if v]
    agreed = max(votes, key=votes.count) if votes else meta.year or None
    ctx.cache["meta.years"] = (agreed, dict(sources, statements=statements))
    return ctx.cache["meta.years"]


# --------------------------------------------------------------------------- period
@rule(
    "M-PERIOD", "warning", "统计期限不是整个年度",
    "统计期限写的是{start}至{end}，{year}年度报告应为{year}年1月1日至{year}年12月31日。",
    _ART49 + "（报告“上一年度”的政府信息公开工作）",
    what="引言所写的统计期限应恰好是报告年度的1月1日至12月31日。起止日期不是1月1日、12月31日，"
         "或跨了年度时报告本规则。期限是完整的某一年、只是年份与报告年度不同的，由 M-YEAR-AGREE 报告。",
    why="年度报告统计的是一个完整自然年度的工作；期限不完整或错位，表中的数字就与其他机关、"
        "其他年度的报告不可比，也可能漏计年底的申请。",
    example="“本报告中所列数据的统计期限自2023年1月1日起至2023年11月30日止”。",
    fix="把统计期限改为报告年度的1月1日至12月31日，并按该期限重新核对表中数字。",
)
def period(ctx: Context) -> Iterator[Hit]:
    p = ctx.report.meta.period
    if not p or _whole_year(p) is not None:
        return
    year = ctx.report.meta.year or int(p[0][:4])
    yield Hit(field="period", expected=f"{year}-01-01/{year}-12-31", found=f"{p[0]}/{p[1]}",
              fields={"start": p[0], "end": p[1], "year": year})


@rule(
    "M-NO-PERIOD", "info", "未写明统计期限",
    "报告没有写明统计期限（如“本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止”）。",
    _ART49,
    what="引言中找不到统计期限的说明时提示。格式文件未硬性规定这句话，但绝大多数报告都写，"
         "故只作提示。",
    why="写明统计期限，读者才能确认表中数字覆盖的是完整的报告年度。",
    example="引言只写了编制依据和下载网址，没有“统计期限自……起至……止”。",
    fix="在引言中加上“本报告中所列数据的统计期限自某年1月1日起至12月31日止”。",
)
def period_missing(ctx: Context) -> Iterator[Hit]:
    if ctx.report.meta.period is None:
        year = ctx.report.meta.year
        yield Hit(field="period", found=None,
                  expected=f"{year}-01-01/{year}-12-31" if year else None,
                  fields={"year": year or "某"})


@rule(
    "M-YEAR-AGREE", "warning", "报告年份前后不一致",
    "报告年份前后不一致：{where}是{found}年，{others}是{expected}年。",
    _ART49,
    what="比较标题中的年份、统计期限所在的年份（期限为完整一年时）和正文中以年份开头陈述本年数字的"
         "句子（如“2022年，我局共收到申请5件”，不含第五部分的下年打算）；多数一致的年份为准，"
         "与之不同的每一处报告一条。落款日期不晚于该年度结束时也在此报告。",
    why="年份不一致几乎总是照抄往年报告留下的：读者无法确定报告和数字属于哪一年。",
    example="标题和统计期限都是2023年，正文却写“2022年，我局共主动公开政府信息120条”。",
    fix="逐处核对标题、统计期限、正文和落款的年份，改为报告所属年度（落款为次年）。",
)
def year_agree(ctx: Context) -> Iterator[Hit]:
    agreed, src = _agreed_year(ctx)
    if agreed is None:
        return
    names = {"title": "标题", "period": "统计期限"}
    agreeing = [names[k] for k in ("title", "period") if src[k] == agreed]
    if any(y == agreed for y, _, _ in src["statements"]):
        agreeing.append("正文")
    for key in ("title", "period"):
        if src[key] is not None and src[key] != agreed:
            yield Hit(field=key, expected=agreed, found=src[key],
                      fields={"where": names[key], "others": _others(agreeing)})
    for year, section, sentence in src["statements"]:
        if year != agreed and not (year > agreed and _FUTURE.search(sentence)):
            short = sentence if len(sentence) <= 60 else sentence[:60] + "…"
            yield Hit(section=section, expected=agreed, found=year,
                      fields={"where": f"正文“{short}”", "others": _others(agreeing)})
    pub = ctx.report.meta.published
    if pub and pub <= f"{agreed}-12-31":
        yield Hit(field="published", expected=agreed + 1, found=int(pub[:4]),
                  fields={"where": f"落款日期（{pub}）", "others": f"按报告年度（{agreed}）落款应"})


def _others(agreeing: list[str]) -> str:
    return "、".join(agreeing) if agreeing else "报告其他处"


# --------------------------------------------------------------------------- deadline
# 条例 第四十九条: 县级以上人民政府部门 publish by 31 January; the 本级政府's own report (compiled
# by the 主管部门) by 31 March. The 条例 sets no date for 乡镇/街道 (local rules usually say
# 31 January); they, and agencies of unknown level, get the later date: no false alarm.
_DEADLINE = {"部门": (1, 31), "政府": (3, 31), "乡镇街道": (3, 31), None: (3, 31)}


@rule(
    "M-LATE", "warning", "公布日期晚于法定期限",
    "落款（公布）日期为{found}，晚于法定期限{expected}（{who}应在每年{deadline}前公布上一年度报告）。",
    _ART49,
    what="报告的落款或发布日期晚于条例规定的公布期限时报告本规则：政府部门为次年1月31日，"
         "县级以上地方人民政府的本级报告为次年3月31日。条例未规定乡镇、街道的期限（各地多要求"
         "1月31日前），它们和看不出层级的机关一样按3月31日计，以免误报。",
    why="按时公布年度报告是条例规定的义务，逾期公布是评估和督查中的扣分项。",
    example="某县教育局2023年度报告落款“2024年2月20日”。",
    fix="在期限内公布报告；若落款日期写错，改为实际的签发日期。",
)
def late(ctx: Context) -> Iterator[Hit]:
    meta = ctx.report.meta
    if not meta.published or not meta.year:
        return
    month, day = _DEADLINE.get(meta.level, _DEADLINE[None])
    deadline = date(meta.year + 1, month, day).isoformat()
    if meta.published > deadline:
        who = {"部门": "政府部门", "政府": "县级以上地方人民政府"}.get(meta.level, "行政机关")
        yield Hit(field="published", expected=deadline, found=meta.published,
                  fields={"who": who, "deadline": f"{month}月{day}日"})


# --------------------------------------------------------------------------- contact, download, agency
_CONTACT_CN = {"address": "联系地址", "phone": "联系电话", "postcode": "邮编", "email": "电子邮箱"}


@rule(
    "M-CONTACT", "warning", "缺少联系方式",
    "报告没有留下可供咨询的联系方式：未见{missing}。",
    "国办公开办函〔2021〕30号、〔2019〕60号（年度报告应便于公众查阅、咨询）；" + _ART50,
    what="引言或结尾应写明读者对报告有疑问时的联系方式。联系电话和电子邮箱都没有时报告本规则，"
         "并列出所缺的各项（地址、邮编只是附带列出：有电话或邮箱即可联系，不单独报告）。",
    why="年度报告面向公众，没有联系方式，读者对数字或内容有疑问时无从咨询。",
    example="引言只写“如对本报告有任何疑问，请与本局办公室联系”，没有电话和邮箱。",
    fix="在引言中写明联系单位、地址、电话、邮编（和电子邮箱）。",
)
def contact(ctx: Context) -> Iterator[Hit]:
    c = ctx.report.meta.contact
    if c.phone or c.email:
        return
    missing = [label for k, label in _CONTACT_CN.items() if getattr(c, k) is None]
    present = [label for k, label in _CONTACT_CN.items() if getattr(c, k) is not None]
    yield Hit(field="contact", expected="联系电话或电子邮箱", found="、".join(present) or None,
              fields={"missing": "、".join(missing)})


@rule(
    "M-DOWNLOAD", "info", "未写明下载网址",
    "报告没有写明电子版的下载网址或网站。",
    _ART49 + "（年度报告应向社会公布）",
    what="引言中找不到“本报告的电子版可在……网站（网址）下载”一类的说明时提示。",
    why="读者拿到纸质或转载的报告时，需要知道到哪里获取原文和往年报告。",
    example="引言写了编制依据和联系方式，却没有提到电子版在哪里下载。",
    fix="在引言中写明“本报告的电子版可在某某人民政府门户网站（网址）下载”。",
)
def download(ctx: Context) -> Iterator[Hit]:
    if ctx.report.meta.website is None:
        yield Hit(field="website")


@rule(
    "M-AGENCY", "warning", "未写明发布机关",
    "报告的标题、引言和落款都没有写明发布机关的名称。",
    _ART49 + "（各行政机关公布本机关的年度报告）",
    what="标题、引言（如“由某某局编制”）和落款中都找不到发布机关的全称时报告本规则。",
    why="不写机关名称，读者无法判断报告属于哪个机关，报告也无法归档、汇总和比较。",
    example="标题只写“2023年政府信息公开工作年度报告”，正文用“我局”，结尾也没有落款单位。",
    fix="在标题中写明机关全称，如“某某县教育局2023年政府信息公开工作年度报告”，并在文末落款。",
)
def agency(ctx: Context) -> Iterator[Hit]:
    if ctx.report.meta.agency is None:
        yield Hit(field="agency")
