"""Comparing two stored reports: table cells one by one, section texts sentence by sentence.

Cells come from the ``cells`` table (stable keys; labels from the official layout); texts
from the stored report JSON (``records.load_report``). Reports are named by id, by an
(agency, year) pair, or by the text ``机关名:年度`` as typed on the command line.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from nianbao.layouts import get, layouts
from nianbao.model import Report
from nianbao.store.analysis import AnalysisError, resolve_agency
from nianbao.store.models import Cell, StoredReport
from nianbao.store.records import load_report

TABLES = ("table2", "table3", "table4")
# a sentence ends at Chinese or ASCII end punctuation, or at a paragraph break
_SENTENCE = re.compile(r"[^。！？；!?;\n]+[。！？；!?;]*")
# the metadata compared, with short labels (Meta's descriptions are written for the schema)
_META_FIELDS = {"title": "标题", "agency": "发布机关", "year": "年度", "period": "统计期限",
                "published": "落款日期", "website": "下载网址", "contact": "联系方式",
                "cited_templates": "引用的格式文件"}


@dataclass
class ReportRef:
    id: int
    agency_id: int | None
    agency_name: str | None  # as printed
    year: int | None
    layout: str | None
    published: str | None
    current: bool


@dataclass
class CellDiff:
    table: str
    row: str  # row key (table 四: group key)
    column: str
    row_label: str | None  # the official label, from the layout
    column_label: str | None
    a: float | int | None  # None: blank cell, or no such cell (see in_a)
    b: float | int | None
    in_a: bool
    in_b: bool


@dataclass
class SectionDiff:
    key: str
    label: str  # official heading
    ratio: float  # difflib similarity of the two texts, 0..1
    changes: list[dict[str, Any]]  # op (replace/delete/insert), a: [sentences], b: [sentences]
    unified: list[str]  # the same as a unified diff, one sentence per line


@dataclass
class Comparison:
    a: ReportRef
    b: ReportRef
    cells_compared: int
    cells: list[CellDiff] = field(default_factory=list)
    sections: list[SectionDiff] = field(default_factory=list)  # only sections that differ
    meta: list[dict[str, Any]] = field(default_factory=list)  # field, label, a, b

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ------------------------------------------------------------------ naming a report

def resolve_report(session: Session, ref: int | str | tuple) -> StoredReport:
    """A stored report by id (``123``), by ``(agency, year)`` or by ``机关名:年度`` (the
    current edition of that agency's report for that year)."""
    if isinstance(ref, tuple):
        agency, year = ref
        return _by_agency_year(session, agency, int(year), f"{agency}:{year}")
    text = str(ref).strip()
    if text.isdigit():
        row = session.get(StoredReport, int(text))
        if row is None:
            raise AnalysisError("unknown_report", f"没有编号为 {text} 的报告；可用 nianbao series "
                                "机关名 或 nianbao search 片段 查看报告编号。")
        return row
    name, sep, year = text.replace("：", ":").rpartition(":")
    if not sep or not year.strip().isdigit() or not name.strip():
        raise AnalysisError("bad_report_ref", f"无法识别报告“{text}”；请写报告编号（如 12），"
                            "或 机关名:年度（如 樟树市人民政府:2023）。")
    return _by_agency_year(session, name, int(year), text)


def _by_agency_year(session: Session, agency, year: int, text: str) -> StoredReport:
    found = resolve_agency(session, agency)
    row = session.scalar(select(StoredReport).where(
        StoredReport.agency_id == found.id, StoredReport.year == year,
        StoredReport.is_current.is_(True)))
    if row is not None:
        return row
    years = sorted({y for y in session.scalars(select(StoredReport.year).where(
        StoredReport.agency_id == found.id, StoredReport.status != "failed")) if y})
    have = f"库中该机关有 {'、'.join(map(str, years))} 年度的报告。" if years else "库中还没有该机关的报告。"
    raise AnalysisError("unknown_report", f"没有找到“{text}”：{found.name} 没有 {year} 年度的报告；{have}")


def _ref(row: StoredReport) -> ReportRef:
    return ReportRef(row.id, row.agency_id, row.agency_name, row.year, row.layout,
                     row.published, bool(row.is_current))


# ------------------------------------------------------------------ labels from the layouts

def _label_index(preferred: list[str]) -> tuple[dict, dict]:
    """(labels, order) for every (table, row) and (table, column) key in the layouts,
    the report's own layout first."""
    labels: dict[tuple[str, str, str], str] = {}
    order: dict[tuple[str, str, str], int] = {}
    keys = [k for k in preferred if k in layouts()] + [k for k in layouts() if k not in preferred]
    for key in keys:
        for t in TABLES:
            spec = get(key).tables[t]
            rows = [(r.key, r.label) for r in spec.rows] + [(g.key, g.label) for g in spec.groups]
            for i, (k, label) in enumerate(rows):
                labels.setdefault((t, "row", k), label)
                order.setdefault((t, "row", k), i)
            for i, c in enumerate(spec.columns):
                labels.setdefault((t, "column", c.key), c.label)
                order.setdefault((t, "column", c.key), i)
    return labels, order


def _layouts_of(*rows: StoredReport) -> list[str]:
    return [r.layout for r in rows if r.layout]


# ------------------------------------------------------------------ texts

def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text or "") if s.strip()]


def _section_diff(key: str, label: str, text_a: str, text_b: str, name_a: str,
                  name_b: str) -> SectionDiff | None:
    if text_a == text_b:
        return None
    sa, sb = sentences(text_a), sentences(text_b)
    changes = [{"op": op, "a": sa[i1:i2], "b": sb[j1:j2]}
               for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, sa, sb, autojunk=False)
               .get_opcodes() if op != "equal"]
    unified = list(difflib.unified_diff(sa, sb, name_a, name_b, lineterm="", n=1))
    ratio = difflib.SequenceMatcher(None, text_a, text_b, autojunk=False).ratio()
    return SectionDiff(key, label, round(ratio, 4), changes, unified)


def _section_labels(preferred: list[str]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for key in [*preferred, *layouts()]:
        if key in layouts():
            for s in get(key).sections:
                labels.setdefault(s.key, f"{s.number}、{s.label}")
    return labels


def _meta_diff(a: Report, b: Report) -> list[dict[str, Any]]:
    out = []
    da, db = a.meta.model_dump(mode="json"), b.meta.model_dump(mode="json")
    for name, label in _META_FIELDS.items():
        if da.get(name) != db.get(name):
            out.append({"field": name, "label": label, "a": da.get(name), "b": db.get(name)})
    return out


# ------------------------------------------------------------------ compare

def _number(v: float | None) -> float | int | None:
    return int(v) if v is not None and float(v).is_integer() else v


def compare(session: Session, a: int | str | tuple, b: int | str | tuple) -> Comparison:
    """Differences between two stored reports (``a`` first, ``b`` second)."""
    row_a, row_b = resolve_report(session, a), resolve_report(session, b)
    for row in (row_a, row_b):
        if row.status == "failed":
            raise AnalysisError("failed_report", f"报告 {row.id} 的文件无法读取（{row.error_message}），"
                                "没有表格和正文可比较。")
    preferred = _layouts_of(row_a, row_b)
    labels, order = _label_index(preferred)
    values: dict[tuple[str, str, str], dict[int, float | None]] = {}
    for rid, t, r, c, v in session.execute(
            select(Cell.report_id, Cell.table_key, Cell.row_key, Cell.column_key, Cell.value)
            .where(Cell.report_id.in_([row_a.id, row_b.id]))):
        values.setdefault((t, r, c), {})[rid] = v
    diffs = []
    for (t, r, c), by_report in values.items():
        in_a, in_b = row_a.id in by_report, row_b.id in by_report
        va, vb = by_report.get(row_a.id), by_report.get(row_b.id)
        if row_a.id == row_b.id or (in_a and in_b and va == vb):
            continue
        diffs.append(CellDiff(t, r, c, labels.get((t, "row", r)), labels.get((t, "column", c)),
                              _number(va), _number(vb), in_a, in_b))
    big = len(order) + 1
    diffs.sort(key=lambda d: (TABLES.index(d.table) if d.table in TABLES else len(TABLES),
                              order.get((d.table, "row", d.row), big), d.row,
                              order.get((d.table, "column", d.column), big), d.column))
    result = Comparison(_ref(row_a), _ref(row_b), len(values), diffs)
    report_a, report_b = load_report(session, row_a), load_report(session, row_b)
    if report_a is None or report_b is None:
        return result
    result.meta = _meta_diff(report_a, report_b)
    texts_a = {s.key: s.text for s in report_a.sections}
    texts_b = {s.key: s.text for s in report_b.sections}
    section_labels = _section_labels(preferred)
    keys = [k for k in section_labels if k in texts_a or k in texts_b]
    keys += [k for k in {**texts_a, **texts_b} if k not in keys]
    for key in keys:
        diff = _section_diff(key, section_labels.get(key, key), texts_a.get(key, ""),
                             texts_b.get(key, ""), f"报告 {row_a.id}", f"报告 {row_b.id}")
        if diff is not None:
            result.sections.append(diff)
    return result
