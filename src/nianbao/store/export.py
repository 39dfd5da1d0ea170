"""``nianbao export``: stored reports, their cells and findings, out to files others can read.

This module reads the store in batches and fixes the columns; the writers live beside it
(``export_tabular``: CSV long / wide, JSONL, Parquet; ``export_xlsx``: the workbook).
Column names are the stable keys of spec/report-keys.md; cell columns are generated from
``nianbao.layouts``, never spelled here.

Memory stays flat however large the store: reports are read in keyset-paginated batches
(``id > last ORDER BY id LIMIT n``; one short query per batch on either backend, no cursor
held open across writes), with the cells and findings of just that batch. Files are written
under a temporary name beside the target and renamed only when complete, so an interrupted
export never leaves a half-written file in place of the output.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache, cached_property
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, aliased

from nianbao.errors import NianbaoError
from nianbao.layouts import TABLE_NAMES, get, layouts
from nianbao.store.models import Agency, Cell, Division, Document, StoredFinding, StoredReport
from nianbao.store.selection import Selection
from nianbao.version import __version__

FORMATS = ("csv-long", "csv-wide", "xlsx", "parquet", "jsonl")
BATCH = 200  # reports per batch: with their JSON (~50 kB each) about 10 MB in memory

# Identity of a report, first in every row of every tabular format (spec order, then is_current).
IDENTITY = ("report_id", "sha256", "agency", "agency_printed", "year", "layout", "status",
            "level", "province", "city", "county", "township", "title", "published", "score",
            "errors", "warnings", "is_current")
# More of a report, in the per-report outputs (csv-wide, the 报告 sheet, reports.parquet, jsonl).
REPORT_EXTRA = ("infos", "superseded_by", "error_code", "error_message", "filename",
                "source_url", "parser_version")
REPORT_COLUMNS = IDENTITY + REPORT_EXTRA
# Meta members not already in the identity (title, agency, year, published are).
META_KEYS = ("meta.period_start", "meta.period_end", "meta.cited_templates", "meta.website",
             "meta.contact.address", "meta.contact.phone", "meta.contact.postcode",
             "meta.contact.email", "meta.region", "meta.level")
CELL_COLUMNS = ("table", "row", "column", "value", "raw", "unit")
FINDING_COLUMNS = ("code", "severity", "message", "table", "row", "column", "section", "field",
                   "expected", "found")

# Headings for people (the XLSX second header row and docs/store.md).
LABELS = {
    "report_id": "报告编号", "sha256": "文件 SHA-256", "agency": "机关（名录）",
    "agency_printed": "机关（原文）", "year": "年度", "layout": "格式", "status": "解析状态",
    "level": "机关层级", "province": "省", "city": "市", "county": "县（区）",
    "township": "乡镇（街道）", "title": "标题", "published": "发布日期", "score": "得分",
    "errors": "错误数", "warnings": "警告数", "is_current": "当前版本", "infos": "提示数",
    "superseded_by": "被哪份报告取代", "error_code": "无法读取的原因代码",
    "error_message": "无法读取的原因", "filename": "文件名", "source_url": "来源网址",
    "parser_version": "解析器版本", "meta.period_start": "统计期起",
    "meta.period_end": "统计期止", "meta.cited_templates": "引用的格式文件",
    "meta.website": "下载网址", "meta.contact.address": "联系地址",
    "meta.contact.phone": "联系电话", "meta.contact.postcode": "邮编",
    "meta.contact.email": "电子邮箱", "meta.region": "原文所写地区", "meta.level": "原文推断层级",
    "table": "表", "row": "行", "column": "列", "value": "值", "raw": "原文", "unit": "单位",
    "code": "规则代码", "severity": "级别", "message": "说明", "section": "部分",
    "field": "字段", "expected": "应为", "found": "实为",
}


class ExportError(NianbaoError):
    """The export cannot be written (unknown format, output exists, unwritable path)."""


# ------------------------------------------------------------------ cell keys from the layouts

@cache
def layout_rows(layout: str, table: str) -> tuple[tuple[str, str, str | None, tuple], ...]:
    """(row key, official label, context label, column specs) of a table in the official
    order; table 四's "rows" are its groups. The context is the row's 第二十条 item (table 二)
    or its group heading (table 三)."""
    spec = get(layout).tables[table]
    if table == "table4":
        return tuple((g.key, g.label, None, spec.columns) for g in spec.groups)
    groups = {g.key: g.label for g in spec.groups}
    return tuple((r.key, r.label, r.item or groups.get(r.group), spec.row_columns(r))
                 for r in spec.rows)


@cache
def cell_keys() -> tuple[tuple[str, str, str], ...]:
    """Every (table, row, column) a report can have: the newest layout's keys first, in its
    order, then keys only older layouts have (csv-wide's column order)."""
    keys: dict[tuple[str, str, str], None] = {}
    for layout in layouts():
        for table in TABLE_NAMES:
            for row, _label, _context, columns in layout_rows(layout, table):
                for col in columns:
                    keys[(table, row, col.key)] = None
    return tuple(keys)


@cache
def _rank(layout: str) -> dict[tuple[str, str, str], int]:
    """Sort rank of each cell key in ``layout``'s official order (table, row, column); a key
    only another layout has ranks by its own position there, so it falls among its neighbours
    (a mixed report's 2019 row （六）其他处理 sits where 2021's （六） rows would)."""
    order = [layout, *(k for k in layouts() if k != layout)]
    ranks: dict[tuple[str, str, str], int] = {}
    for lay in order:
        for t_index, table in enumerate(TABLE_NAMES):
            for r_index, (row, _l, _c, columns) in enumerate(layout_rows(lay, table)):
                for c_index, col in enumerate(columns):
                    key = (table, row, col.key)
                    if key not in ranks:
                        ranks[key] = (t_index * 1000 + r_index) * 100 + c_index
    return ranks


def wide_key(table: str, row: str, column: str) -> str:
    return f"{table}.{row}.{column}"


# ------------------------------------------------------------------ reading the store

@dataclass
class Record:
    """One stored report as exported: its report columns, cells in the official order of
    its layout, findings in check order, and (when asked for) the stored report JSON."""

    report: dict  # REPORT_COLUMNS -> value
    cells: list[tuple] = field(default_factory=list)  # CELL_COLUMNS tuples
    findings: list[dict] = field(default_factory=list)  # FINDING_COLUMNS + "source"
    report_json: str | None = None

    @property
    def identity(self) -> list:
        return [self.report[k] for k in IDENTITY]

    @cached_property
    def parsed(self) -> dict | None:
        return json.loads(self.report_json) if self.report_json else None

    def meta(self) -> dict:
        """META_KEYS -> value; lists stay lists (writers join or type them)."""
        m = (self.parsed or {}).get("meta") or {}
        period = m.get("period") or (None, None)
        contact = m.get("contact") or {}
        return {"meta.period_start": period[0], "meta.period_end": period[1],
                "meta.cited_templates": m.get("cited_templates") if self.parsed else None,
                "meta.website": m.get("website"),
                **{f"meta.contact.{k}": contact.get(k)
                   for k in ("address", "phone", "postcode", "email")},
                "meta.region": m.get("region") if self.parsed else None,
                "meta.level": m.get("level")}

    def table_layout(self, table: str) -> str:
        """The official layout a table of this report follows (per table for mixed reports)."""
        own = (self.parsed or {}).get("table_layouts", {}).get(table)
        layout = self.report["layout"]
        return own or (layout if layout in layouts() else next(iter(layouts())))


def _report_query():
    province, city, county, township = (aliased(Division) for _ in range(4))
    r = StoredReport
    cols = {
        "report_id": r.id, "sha256": r.document_sha, "agency": Agency.name,
        "agency_printed": r.agency_name, "year": r.year, "layout": r.layout,
        "status": r.status, "level": r.agency_level, "province": province.name,
        "city": city.name, "county": county.name, "township": township.name,
        "title": r.title, "published": r.published, "score": r.score, "errors": r.errors,
        "warnings": r.warnings, "is_current": r.is_current, "infos": r.infos,
        "superseded_by": r.superseded_by, "error_code": r.error_code,
        "error_message": r.error_message, "filename": Document.filename,
        "source_url": Document.source_url, "parser_version": r.parser_version,
    }
    assert tuple(cols) == REPORT_COLUMNS
    return (select(*(c.label(k) for k, c in cols.items()))
            .join(Document, Document.sha256 == r.document_sha)
            .outerjoin(Agency, Agency.id == r.agency_id)
            .outerjoin(province, province.code == r.province_code)
            .outerjoin(city, city.code == r.city_code)
            .outerjoin(county, county.code == r.county_code)
            .outerjoin(township, township.code == r.township_code))


# finding key -> column (FINDING_COLUMNS, then the source position)
_FINDING_KEYS = (*FINDING_COLUMNS, "source")
_FINDING_SOURCES = (StoredFinding.code, StoredFinding.severity, StoredFinding.message,
                    StoredFinding.table_key, StoredFinding.row_key, StoredFinding.column_key,
                    StoredFinding.section, StoredFinding.field, StoredFinding.expected,
                    StoredFinding.found, StoredFinding.source)


def count_reports(session: Session, selection: Selection) -> int:
    return session.scalar(selection.apply(select(func.count()).select_from(StoredReport)))


def iter_records(session: Session, selection: Selection, *, with_json: bool = False,
                 batch: int = BATCH) -> Iterator[Record]:
    """The selected reports in id order, with cells and findings, ``batch`` at a time."""
    query = selection.apply(_report_query())
    last = 0
    while True:
        rows = session.execute(query.where(StoredReport.id > last)
                               .order_by(StoredReport.id).limit(batch)).mappings().all()
        if not rows:
            return
        records = {row["report_id"]: Record(dict(row)) for row in rows}
        ids = list(records)
        last = ids[-1]
        for c in session.execute(select(Cell.report_id, Cell.table_key, Cell.row_key,
                                        Cell.column_key, Cell.value, Cell.raw, Cell.unit)
                                 .where(Cell.report_id.in_(ids))):
            records[c[0]].cells.append(tuple(c[1:]))
        for rid, *values in session.execute(
                select(StoredFinding.report_id, *_FINDING_SOURCES)
                .where(StoredFinding.report_id.in_(ids))
                .order_by(StoredFinding.report_id, StoredFinding.id)):
            records[rid].findings.append(dict(zip(_FINDING_KEYS, values, strict=True)))
        if with_json:
            for rid, text in session.execute(select(StoredReport.id, StoredReport.report_json)
                                             .where(StoredReport.id.in_(ids))):
                records[rid].report_json = text
        for rec in records.values():
            ranks = _rank(rec.report["layout"] if rec.report["layout"] in layouts()
                          else next(iter(layouts())))
            rec.cells.sort(key=lambda c, ranks=ranks: (ranks.get(c[:3], 10**9), c[:3]))
            yield rec


# ------------------------------------------------------------------ output files

def output_paths(fmt: str, output: Path) -> list[Path]:
    """The files an export writes. Parquet writes three files: the cell table at ``output``
    and ``<stem>.reports.parquet``, ``<stem>.findings.parquet`` beside it."""
    if fmt == "parquet":
        stem = output.name.removesuffix(".parquet")
        return [output, output.with_name(f"{stem}.reports.parquet"),
                output.with_name(f"{stem}.findings.parquet")]
    return [output]


class Outputs:
    """Temporary files beside the targets, renamed into place by ``commit``."""

    def __init__(self, paths: list[Path], *, force: bool) -> None:
        for path in paths:
            if path.is_dir():
                raise ExportError("output_is_dir", f"{path} 是一个目录；请给出要写入的文件名，"
                                  "如 导出/年报.csv。")
            if path.exists() and not force:
                raise ExportError("output_exists", f"{path} 已存在；如要覆盖请加 --force，"
                                  "或换一个文件名。")
            parent = path.parent
            if not parent.is_dir():
                raise ExportError("output_unwritable", f"无法写入 {path}：目录 {parent} 不存在；"
                                  "请先创建该目录或换一个路径。")
        self.final = paths
        self.temp = [p.with_name(f".{p.name}.{os.getpid()}.partial") for p in paths]
        for tmp, path in zip(self.temp, paths, strict=True):
            try:
                tmp.touch()
            except OSError as exc:
                self.abort()
                raise ExportError("output_unwritable", f"无法写入 {path}（{exc.strerror or exc}）；"
                                  "请检查目录权限或换一个路径。") from None

    def commit(self) -> None:
        for tmp, path in zip(self.temp, self.final, strict=True):
            os.replace(tmp, path)

    def abort(self) -> None:
        for tmp in self.temp:
            tmp.unlink(missing_ok=True)


@dataclass
class Context:
    """What a writer may need besides the records (the 说明 sheet)."""

    selection: Selection
    database: str  # display URL, password hidden
    total: int
    started: datetime = field(default_factory=lambda: datetime.now().astimezone())
    version: str = __version__
    bom: bool = True  # CSV: UTF-8 with a byte-order mark so Excel reads Chinese correctly


@dataclass
class Summary:
    format: str
    reports: int
    rows: int  # data rows written (cells for long forms, reports for wide and JSONL)
    findings: int
    paths: list[Path]


def _writer(fmt: str, temp: list[Path], ctx: Context):
    from nianbao.store import export_tabular, export_xlsx

    writers = {"csv-long": export_tabular.CsvLong, "csv-wide": export_tabular.CsvWide,
               "jsonl": export_tabular.Jsonl, "parquet": export_tabular.ParquetFiles,
               "xlsx": export_xlsx.Workbook}
    return writers[fmt](temp, ctx)


def check_format(fmt: str) -> str:
    fmt = fmt.strip().lower()
    if fmt not in FORMATS:
        raise ExportError("unknown_export_format", f"不支持导出格式“{fmt}”；可选："
                          f"{'、'.join(FORMATS)}。")
    return fmt


def export(store, fmt: str, output: Path | str, selection: Selection | None = None, *,
           force: bool = False, bom: bool = True,
           progress: Callable[[int, int], None] | None = None) -> Summary:
    """Write the selected reports of ``store`` to ``output`` in ``fmt`` (one of FORMATS).

    ``progress(done, total)`` is called after each report. Raises ``ExportError`` or
    ``SelectionError`` (Chinese messages) before writing anything when the request is wrong.
    """
    fmt = check_format(fmt)
    selection = selection or Selection()
    paths = output_paths(fmt, Path(output))
    outputs = Outputs(paths, force=force)  # refuses before the database is even opened
    try:
        with store.reading() as session:  # never blocks an ingest
            selection.validate()
            total = count_reports(session, selection)
            writer = _writer(fmt, outputs.temp, Context(selection, store.display_url, total,
                                                        bom=bom))
            done = 0
            for record in iter_records(session, selection, with_json=writer.needs_json):
                writer.write(record)
                done += 1
                if progress is not None:
                    progress(done, total)
            writer.close()
    except BaseException:
        outputs.abort()
        raise
    outputs.commit()
    return Summary(fmt, done, writer.rows, writer.findings, paths)
