"""Rules comparing a report with the same agency's previous-year report (family X).

They run only when ``check(report, previous=...)`` is given last year's report. The
arithmetic rules need consecutive years (when both years are known) and compare only
what both reports carry: a previous report in the other layout simply has no matching
column, and those comparisons are skipped. Rows and columns are iterated from the
layout data; the few keys that take part in a year-to-year identity are named below.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from nianbao.rules.engine import Context, Hit, rule

_T3 = "国办公开办函〔2021〕30号 表三（〔2019〕60号 同）"
_T2_2021 = "国办公开办函〔2021〕30号 表二；《政府信息公开条例》第二十条第（一）项"
_T2_2019 = "国办公开办函〔2019〕60号 表二；《政府信息公开条例》第二十条"
_COPY = "《政府信息公开条例》第五十条（年度报告应当包括的内容）；国办公开办函〔2021〕30号"

# Stable keys (shared/spec/report-keys.md) taking part in the year-to-year identities.
T3_OVER, T3_FORWARD = "carried_over", "carried_forward"
ISSUED, REPEALED, IN_FORCE = "issued", "repealed", "in_force"
PREVIOUS, CHANGE = "previous", "change"
# 行政规范性文件 commonly carry a term of validity (有效期, usually at most five years) and
# lapse without being repealed, so fewer in force than last year's + issued − repealed is
# correct; only more than that is impossible. 规章 have no such term.
_MAY_LAPSE = frozenset({"normative_documents"})


def _num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _distinct(ctx: Context) -> bool:
    """The previous report is another, earlier report (not the same file, not a later year)."""
    cur, prev = ctx.report, ctx.previous
    if prev is None:
        return False
    if cur.source and prev.source and cur.source.sha256 == prev.source.sha256:
        return False
    y, py = cur.meta.year, prev.meta.year
    return not (y and py and py >= y)


def _consecutive(ctx: Context) -> bool:
    """Last year's report: the arithmetic identities hold only between consecutive years."""
    y, py = ctx.report.meta.year, ctx.previous.meta.year if ctx.previous else None
    return _distinct(ctx) and not (y and py and py != y - 1)


def _cell(values: dict | None, row: str, column: str):
    v = (values or {}).get(row, {}).get(column)
    return v if _num(v) else None


# ----------------------------------------------------------------------------- X-CARRY
@rule(
    "X-CARRY", "error", "上年结转与上年报告的结转下年度不符",
    "表三“{column_label}”列：本年“二、上年结转”为 {found}，上年报告“四、结转下年度继续办理”为 {expected}。",
    _T3,
    what="本年表三“二、上年结转政府信息公开申请数量”每一列，应等于上一年度报告表三"
         "“四、结转下年度继续办理”的同一列。",
    why="上年没有办完的申请就是本年结转来的申请；两年的数字对不上，说明有申请被漏计或重计。",
    example="上年报告结转下年度继续办理（自然人）2 件，本年报告上年结转（自然人）填 0。",
    fix="按申请台账核对跨年度办理的申请，改正本年的“上年结转”（或说明上年报告的错误）。",
    cross_year=True,
)
def x_carry(ctx: Context) -> Iterator[Hit]:
    if not _consecutive(ctx):
        return
    spec = ctx.table_layout("table3").table3
    for col in spec.columns:
        found = _cell(ctx.report.table3, T3_OVER, col.key)
        expected = _cell(ctx.previous.table3, T3_FORWARD, col.key)
        if found is not None and expected is not None and found != expected:
            yield Hit(table="table3", row=T3_OVER, column=col.key, expected=expected, found=found,
                      fields={"column_label": col.label})


# ----------------------------------------------------------------------------- X-IN-FORCE
@rule(
    "X-IN-FORCE", "warning", "现行有效件数与上年推算不符",
    "表二“{row_label}”：上年现行有效 {prev} 件，加本年制发 {issued} 件、减本年废止 {repealed} 件，"
    "应为 {expected} 件，本年现行有效却为 {found} 件。",
    _T2_2021,
    what="2021 年格式表二：本年“现行有效件数”应等于上年报告的“现行有效件数”加本年制发、"
         "减本年废止。规章逐一核对；行政规范性文件可能因有效期届满而失效，只在本年现行有效多于推算数时报告。",
    why="现行有效件数是文件底数，年年相承；对不上说明某一年的制发、废止或现行有效数填错了。",
    example="上年现行有效规章 10 件，本年制发 1 件、废止 0 件，本年现行有效却填 12 件。",
    fix="按文件清单核对本年制发、废止和现行有效的件数；因有效期届满失效的文件，建议在正文中说明。",
    cross_year=True,
)
def x_in_force(ctx: Context) -> Iterator[Hit]:
    if not _consecutive(ctx):
        return
    spec = ctx.table_layout("table2").table2
    for row in spec.rows:
        if not {ISSUED, REPEALED, IN_FORCE} <= set(row.columns):
            continue
        prev = _cell(ctx.previous.table2, row.key, IN_FORCE)  # None for a 2019-layout year
        cur = {k: _cell(ctx.report.table2, row.key, k) for k in (ISSUED, REPEALED, IN_FORCE)}
        if prev is None or any(v is None for v in cur.values()):
            continue
        expected = prev + cur[ISSUED] - cur[REPEALED]
        found = cur[IN_FORCE]
        if found != expected and not (row.key in _MAY_LAPSE and found < expected):
            yield Hit(table="table2", row=row.key, column=IN_FORCE, expected=expected, found=found,
                      fields={"row_label": row.label, "prev": prev, "issued": cur[ISSUED],
                              "repealed": cur[REPEALED]})


# ----------------------------------------------------------------------------- X-2019-PREV
@rule(
    "X-2019-PREV", "warning", "上一年项目数量与上年报告不符",
    "表二“{row_label}”：上年报告的上一年项目数量 {prev} 加本年增/减 {change} 为 {expected}，"
    "本年报告的上一年项目数量却为 {found}。",
    _T2_2019,
    what="2019 年格式表二：本年“上一年项目数量”应等于上年报告的“上一年项目数量”加上年报告的"
         "“本年增/减”（行政许可、其他对外管理服务事项、行政处罚、行政强制、行政事业性收费各行）。",
    why="事项数量逐年相承；对不上说明某一年的项目数量或增减数填错了。",
    example="上年报告行政许可上一年项目数量 120、本年增/减 -5，本年报告上一年项目数量却填 120。",
    fix="按权责清单核对事项数量，改正本年的“上一年项目数量”（或说明上年报告的错误）。",
    cross_year=True,
)
def x_2019_prev(ctx: Context) -> Iterator[Hit]:
    if not _consecutive(ctx):
        return
    spec = ctx.table_layout("table2").table2
    for row in spec.rows:
        if not {PREVIOUS, CHANGE} <= set(row.columns):
            continue
        found = _cell(ctx.report.table2, row.key, PREVIOUS)
        prev = _cell(ctx.previous.table2, row.key, PREVIOUS)  # None for a 2021-layout year
        change = _cell(ctx.previous.table2, row.key, CHANGE)
        if found is None or prev is None or change is None:
            continue
        expected = prev + change
        if found != expected:
            yield Hit(table="table2", row=row.key, column=PREVIOUS, expected=expected,
                      found=found, fields={"row_label": row.label, "prev": prev,
                                           "change": f"{change:+d}" if isinstance(change, int)
                                           else change})


# ----------------------------------------------------------------------------- X-COPY
# Similarity is the share of this year's text (in characters) made of clauses that occur
# verbatim in last year's same section. Clauses are the runs between punctuation, spaces
# and digits, so updated years and counts do not hide a copy; clauses under four
# characters (一是, 同时) are ignored. Clause sets cost one regex split per text, several
# times cheaper than character n-gram sets, and a probe prefilter skips even that for the
# usual, rewritten section. Calibration on the seed reports: sections of different
# agencies (three of one city, same office style) share at most 0.12 (a stock fee
# sentence); a copy with updated years and numbers scores 1.0; replacing one sentence in
# ten scores 0.87-0.94, two in ten 0.77-0.89, three in ten 0.66-0.81. So 0.8 flags a
# section of which at most about a fifth was rewritten. Sections under 100 characters (a
# one-line fee statement repeated every year is fine) are not compared.
COPY_THRESHOLD = 0.8
COPY_MIN_CHARS = 100
_SPLIT = re.compile(r"[\W\d_]+")  # \W: punctuation and spaces, full-width ones included
_MIN_CLAUSE = 4
_PROBES, _PROBE_LEN = 12, 8


def _maybe_copied(now: str, then: str) -> bool:
    """Prefilter: at least half of a dozen 8-character probes of this year's text (those
    without digits) occur in last year's. A real copy passes all of them."""
    step = max(1, (len(now) - _PROBE_LEN) // _PROBES)
    windows = (now[i:i + _PROBE_LEN] for i in range(0, len(now) - _PROBE_LEN, step)[:_PROBES])
    probes = [p for p in windows if not any(ch.isdigit() for ch in p)]
    return len(probes) < 4 or 2 * sum(p in then for p in probes) >= len(probes)


def _copied_share(now: str, then: str) -> float | None:
    clauses = [c for c in _SPLIT.split(now) if len(c) >= _MIN_CLAUSE]
    size = sum(map(len, clauses))
    if size < COPY_MIN_CHARS:
        return None
    before = {c for c in _SPLIT.split(then) if len(c) >= _MIN_CLAUSE}
    return sum(len(c) for c in clauses if c in before) / size


@rule(
    "X-COPY", "warning", "正文照搬上年报告",
    "第{number}部分“{heading}”与上年报告同一部分的文字 {percent}% 相同，疑似照搬上年内容。",
    _COPY,
    what="比较本年与上年报告的同一部分（总体情况、存在的主要问题及改进情况等），"
         f"忽略标点、空白和数字（年份、件数）后，本年文字有 {int(COPY_THRESHOLD * 100)}% 以上"
         f"与上年相同时报告。少于 {COPY_MIN_CHARS} 字的部分不比较。",
    why="年度报告应如实反映当年的工作；照搬上年文字（尤其是“存在的主要问题及改进情况”）"
        "说明问题没有改进或报告没有认真编写，是评估中常见的扣分项。",
    example="本年第五部分与上年第五部分只有年份不同。",
    fix="根据本年度的实际工作重写该部分：本年做了什么、发现了什么新问题、上年提出的改进措施落实得如何。",
    cross_year=True,
)
def x_copy(ctx: Context) -> Iterator[Hit]:
    if not _distinct(ctx):
        return
    previous = {s.key: s.text for s in ctx.previous.sections}
    for section in ctx.report.sections:
        now, then = section.text, previous.get(section.key, "")
        if len(now) < COPY_MIN_CHARS or len(then) < COPY_MIN_CHARS or not _maybe_copied(now, then):
            continue
        share = _copied_share(now, then)
        if share is not None and share >= COPY_THRESHOLD:
            yield Hit(section=section.key, source=section.location, found=round(share, 2),
                      expected=COPY_THRESHOLD,
                      fields={"number": section.number, "heading": section.heading,
                              "percent": int(share * 100)})
