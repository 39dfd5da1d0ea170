"""A checked report as the web pages show it (templates/_report.html): the official tables
with offending cells highlighted, the metadata, the sections' text, and the findings, each
linking to the element it points at.

The tables are built by ``nianbao.report_html`` with lxml, which escapes every string from
the report, so their serialisation may be inserted as Markup; everything else here is plain
data that the template prints with autoescaping. Element ids follow report_html's scheme:
``{prefix}-table3-new_received-natural_person`` for a flagged cell, ``{prefix}-f{n}`` for
finding n; and ``{prefix}-meta-{field}``, ``{prefix}-section-{key}``, ``{prefix}-preamble``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from lxml import html as lxml_html
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.model import Report, SourceLocation
from nianbao.report_html import _Marks, table2_html, table3_html, table4_html
from nianbao.rules import CheckResult, all_rules
from nianbao.rules.engine import SEVERITY_CN, SEVERITY_ORDER, Finding, FindingLocation, Rule
from nianbao.store.models import StoredFinding, StoredReport
from nianbao.terminal import TABLE_SHORT, finding_where, flagged_cells
from nianbao.web.errors import WebError

FLAG = {"error": "flag-error", "warning": "flag-warning", "info": "flag-info"}
STATUS_CN = {"ok": "完整", "partial": "部分解析", "failed": "无法读取"}
LAYOUT_CN = {"2021": "2021 年版（国办公开办函〔2021〕30号）",
             "2019": "2019 年版（国办公开办函〔2019〕60号）", "mixed": "两种格式混用"}
FORMAT_CN = {"text": "文本", "html": "网页", "docx": "Word（DOCX）", "markdown": "Markdown"}
TABLES = (("table2", table2_html), ("table3", table3_html), ("table4", table4_html))
# metadata fields a finding may name -> the row of the metadata list showing it
FIELD_ROW = {"table_layouts": "layout"}
# what _report.html needs besides the view itself
TEMPLATE_CONTEXT = {"status_cn": STATUS_CN, "severity_cn": SEVERITY_CN}


@dataclass
class MetaItem:
    key: str
    label: str
    value: str
    id: str
    flag: str | None = None  # CSS class when a finding points here


@dataclass
class SectionView:
    key: str
    heading: str
    paragraphs: list[str]
    id: str
    flag: str | None = None


@dataclass
class FindingView:
    n: int
    id: str
    finding: Finding
    rule: Rule | None
    severity_cn: str
    where: str
    target: str | None  # id of the element it points at, on the same page
    target_label: str


@dataclass
class ReportView:
    prefix: str
    report: Report
    counts: dict[str, int]
    score: int | None
    findings: list[FindingView]
    tables: list[Markup]
    absent: list[str]
    meta: list[MetaItem]
    sections: list[SectionView]
    preamble: list[str]
    preamble_flag: str | None
    tables_flag: str | None = None  # a finding about the tables' layout as a whole
    problems: list = field(default_factory=list)

    @property
    def heading(self) -> str:
        m = self.report.meta
        return m.title or m.agency or (self.report.source.name if self.report.source else "年报")

    @property
    def source_line(self) -> str:
        s = self.report.source
        if s is None:
            return ""
        parts = [s.name or "", FORMAT_CN.get(s.format, s.format), f"{s.size:,} 字节",
                 s.encoding or ""]
        return " · ".join(p for p in parts if p)


def report_view(report: Report, findings: list[Finding], *, prefix: str = "r1",
                counts: dict[str, int] | None = None, score: int | None = None) -> ReportView:
    """Everything ``_report.html`` shows for one report and its findings."""
    rules = all_rules()
    flagged = flagged_cells(report, findings)
    marks = _Marks(prefix, findings, FLAG, report)
    tables, ids = [], []
    for name, build in TABLES:
        if getattr(report, name) is None:
            continue
        element = build(report, flagged, marks)
        ids += [e.get("id") for e in element.iter() if e.get("id")]
        tables.append(Markup(lxml_html.tostring(element, encoding="unicode")))
    meta = _meta(report, prefix, findings)
    sections = [SectionView(s.key, s.heading, [p for p in s.text.split("\n") if p.strip()],
                            f"{prefix}-section-{s.key}", _worst(findings, section=s.key))
                for s in report.sections]
    targets = _Targets(prefix, ids, {m.key for m in meta}, {s.key for s in sections},
                       bool(report.preamble))
    views = []
    for n, f in enumerate(findings, 1):
        target, label = targets.of(f.location)
        views.append(FindingView(n, f"{prefix}-f{n}", f, rules.get(f.code),
                                 SEVERITY_CN[f.severity], finding_where(report, f), target, label))
    if counts is None:
        counts = {k: sum(f.severity == k for f in findings) for k in ("error", "warning", "info")}
    return ReportView(
        prefix=prefix, report=report, counts=counts, score=score, findings=views, tables=tables,
        absent=[TABLE_SHORT[t] for t, _ in TABLES if getattr(report, t) is None], meta=meta,
        sections=sections, preamble=[p for p in report.preamble if p.strip()],
        preamble_flag=_worst(findings, field="preamble"),
        tables_flag=_worst(findings, field="layout"), problems=list(report.problems))


def check_view(report: Report, result: CheckResult, prefix: str = "r1") -> ReportView:
    return report_view(report, result.findings, prefix=prefix, counts=result.counts,
                       score=result.score)


def _worst(findings: list[Finding], **where) -> str | None:
    """The CSS class of the most severe finding located at ``where`` (section= or field=)."""
    (key, value), = where.items()
    sevs = [f.severity for f in findings
            if FIELD_ROW.get(getattr(f.location, key), getattr(f.location, key)) == value]
    return FLAG[max(sevs, key=SEVERITY_ORDER.__getitem__)] if sevs else None


def _meta(report: Report, prefix: str, findings: list[Finding]) -> list[MetaItem]:
    m, c = report.meta, report.meta.contact
    contact = "；".join(f"{k}：{v}" for k, v in (("地址", c.address), ("电话", c.phone),
                                                 ("邮编", c.postcode), ("邮箱", c.email)) if v)
    layout = LAYOUT_CN.get(report.layout or "", "未识别")
    if report.layout == "mixed":
        layout += "：" + "，".join(f"{TABLE_SHORT.get(t, t)} {v} 年版"
                                  for t, v in report.table_layouts.items())
    items = [("title", "标题", m.title), ("agency", "发布机关", m.agency),
             ("year", "年度", m.year and f"{m.year} 年"),
             ("period", "统计期限", " 至 ".join(m.period) if m.period else None),
             ("layout", "表格格式", layout),
             ("cited_templates", "引用的格式文件", "、".join(m.cited_templates)),
             ("region", "原文所写地区", "、".join(m.region)), ("level", "机关层级", m.level),
             ("website", "下载网址", m.website), ("contact", "联系方式", contact),
             ("published", "落款日期", m.published)]
    return [MetaItem(key, label, str(value) if value else "—", f"{prefix}-meta-{key}",
                     _worst(findings, field=key)) for key, label, value in items]


class _Targets:
    """Where a finding's link goes: the most precise element that exists on the page."""

    def __init__(self, prefix: str, ids: list[str], fields: set[str], sections: set[str],
                 preamble: bool) -> None:
        self.prefix, self.ids, self.fields, self.sections = prefix, ids, fields, sections
        self.id_set, self.preamble = set(ids), preamble

    def of(self, loc: FindingLocation) -> tuple[str | None, str]:
        p = self.prefix
        if loc.table:
            if loc.row and loc.column and f"{p}-{loc.table}-{loc.row}-{loc.column}" in self.id_set:
                return f"{p}-{loc.table}-{loc.row}-{loc.column}", "在表中查看"
            if loc.row:  # a whole row: its first cell (every cell of it is flagged)
                start = f"{p}-{loc.table}-{loc.row}-"
                cell = next((i for i in self.ids if i.startswith(start)), None)
                if cell:
                    return cell, "在表中查看"
            if f"{p}-{loc.table}" in self.id_set:
                return f"{p}-{loc.table}", "查看该表"
            return f"{p}-tables", "查看统计表"
        if loc.section:
            if loc.section in self.sections:
                return f"{p}-section-{loc.section}", "查看该部分"
            return f"{p}-sections", "查看正文"
        if loc.field:
            if loc.field == "preamble" and self.preamble:
                return f"{p}-preamble", "查看引言"
            row = FIELD_ROW.get(loc.field, loc.field)
            if row in self.fields:
                return f"{p}-meta-{row}", "查看该项"
            return f"{p}-meta", "查看基本信息"
        return None, ""


# ----------------------------------------------------------------------------- stored reports
def stored_row(session: Session, report_id: int) -> StoredReport:
    row = session.get(StoredReport, report_id)
    if row is None:
        raise WebError(404, "unknown_report", f"年报库中没有编号为 {report_id} 的报告；"
                       "请在“年报库”中查找。")
    return row


def _decoded(value: str | None):
    """A stored expected/found value back as the number or text it was (the store keeps
    numbers as JSON text and text as is)."""
    if value is None:
        return None
    try:
        number = json.loads(value)
    except ValueError:
        return value
    return number if isinstance(number, int | float) and not isinstance(number, bool) else value


def stored_findings(session: Session, report_id: int) -> list[Finding]:
    """A stored report's findings (cross-year ones included), in the order they were written
    (``check``'s order), as ``Finding``s."""
    rows = session.scalars(select(StoredFinding).where(StoredFinding.report_id == report_id)
                           .order_by(StoredFinding.id))
    return [Finding(code=r.code, severity=r.severity, message=r.message,
                    location=FindingLocation(
                        table=r.table_key, row=r.row_key, column=r.column_key, section=r.section,
                        field=r.field,
                        source=_source(r.source)),
                    expected=_decoded(r.expected), found=_decoded(r.found)) for r in rows]


def _source(value) -> SourceLocation | None:
    if isinstance(value, str):  # a JSON column written as text by a bulk insert
        value = json.loads(value)
    return SourceLocation(**value) if value else None
