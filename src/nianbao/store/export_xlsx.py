"""The XLSX export: a workbook people open in Excel or WPS.

Sheets: 报告 (one row per report), one sheet per statistical table (表二, 表三, 表四; a table
whose official columns differ between layouts, like 表二, gets one sheet per layout, e.g.
表二（2019年版）), 问题 (the findings) and 说明 (filters, version, time). Every sheet has two
header rows: the stable keys, then the official Chinese labels taken from ``nianbao.layouts``.
openpyxl's write-only mode streams rows to disk, so memory stays flat; a sheet that reaches
Excel's row limit continues on a sheet named …（续2）.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from openpyxl import Workbook as _OpenpyxlWorkbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from nianbao.layouts import TABLE_NAMES, layouts
from nianbao.rules.engine import SEVERITY_CN
from nianbao.store.export import (
    FINDING_COLUMNS,
    IDENTITY,
    LABELS,
    META_KEYS,
    REPORT_COLUMNS,
    Context,
    Record,
    layout_rows,
)
from nianbao.store.export_tabular import LIST_SEPARATOR
from nianbao.terminal import TABLE_SHORT

EXCEL_MAX_ROWS = 1_048_576
HEADER_ROWS = 2
KEY_STYLE = {"font": Font(color="666666", size=9),
             "fill": PatternFill("solid", start_color="F2F2F2")}
LABEL_STYLE = {"font": Font(bold=True), "fill": PatternFill("solid", start_color="DDEBF7"),
               "alignment": Alignment(wrap_text=True, vertical="top")}
COUNT_FORMAT, MONEY_FORMAT = "#,##0", "#,##0.00##"
WIDTHS = {"report_id": 8, "sha256": 12, "agency": 28, "agency_printed": 28, "year": 7,
          "layout": 7, "status": 8, "level": 9, "title": 36, "published": 11, "score": 6,
          "errors": 7, "warnings": 7, "is_current": 8, "row": 24, "row_label": 36,
          "message": 60, "error_message": 40, "source_url": 30, "filename": 24}
CONTEXT_KEYS = {"table2": ("item", "第二十条"), "table3": ("group", "分组")}
SHEET_NOTES = {
    "报告": "每份报告一行：报告编号、机关、年度、格式、状态、地区、得分与问题数，以及原文的统计期、联系方式等。",
    "问题": "每条检查发现一行：规则代码、级别、说明、位置（表、行、列或部分）、应为与实为。",
}


def _clean(value):
    """Text as openpyxl must receive it: no control characters (they make the file
    unreadable), and never a formula (report text may start with “=”)."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


class _Sheet:
    """A write-only sheet with the two header rows, continuing on a new sheet when full."""

    def __init__(self, book, title: str, keys: list[str], labels: list[str],
                 freeze: str | None = "D3") -> None:
        self.book, self.title, self.keys, self.labels, self.freeze = (
            book, title, keys, labels, freeze)
        self.parts = 0
        self.rows = 0
        self._open()

    def _open(self) -> None:
        self.parts += 1
        title = self.title if self.parts == 1 else f"{self.title}（续{self.parts}）"
        self.ws = self.book.create_sheet(title)
        for i, key in enumerate(self.keys, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(key, 12)
        if self.freeze:
            self.ws.freeze_panes = self.freeze
        self.ws.append([self._styled(k, KEY_STYLE) for k in self.keys])
        self.ws.append([self._styled(x, LABEL_STYLE) for x in self.labels])
        self.used = HEADER_ROWS

    def _styled(self, value, style: dict) -> Cell:
        cell = WriteOnlyCell(self.ws, _clean(value))
        for attr, v in style.items():
            setattr(cell, attr, v)
        return cell

    def append(self, values: list) -> None:
        if self.used >= EXCEL_MAX_ROWS:
            self._open()
        row = []
        for v in values:
            if isinstance(v, str) and v.startswith("="):
                cell = WriteOnlyCell(self.ws, _clean(v))
                cell.data_type = "s"  # text, not a formula
                row.append(cell)
            elif isinstance(v, Cell):
                row.append(v)
            else:
                row.append(_clean(v))
        self.ws.append(row)
        self.used += 1
        self.rows += 1


@cache
def table_sheets() -> tuple[tuple[str, str, tuple[str, ...]], ...]:
    """(sheet title, table, layouts it holds): one sheet per table, split by layout only
    where the official columns differ (表二)."""
    out = []
    newest = next(iter(layouts()))
    for table in TABLE_NAMES:
        by_columns: dict[tuple, list[str]] = {}
        for layout in layouts():
            by_columns.setdefault(_columns(layout, table), []).append(layout)
        for held in by_columns.values():
            title = TABLE_SHORT[table]
            if newest not in held:
                title += f"（{'、'.join(held)}年版）"
            out.append((title, table, tuple(held)))
    return tuple(out)


@cache
def _columns(layout: str, table: str) -> tuple[tuple[str, str, str], ...]:
    """(key, official label, kind) of a table's columns in ``layout``, in the official order."""
    cols: dict[str, tuple[str, str, str]] = {}
    for _row, _label, _context, columns in layout_rows(layout, table):
        for c in columns:
            cols.setdefault(c.key, (c.key, c.label, c.kind))
    return tuple(cols.values())


class Workbook:
    needs_json = True  # the 报告 sheet carries meta; mixed reports need their table layouts

    def __init__(self, paths: list[Path], ctx: Context) -> None:
        self.path, self.ctx = paths[0], ctx
        self.book = _OpenpyxlWorkbook(write_only=True)
        self.report_sheet = _Sheet(self.book, "报告", [*REPORT_COLUMNS, *META_KEYS],
                                   [LABELS[k] for k in (*REPORT_COLUMNS, *META_KEYS)])
        self.tables: dict[tuple[str, str], tuple[_Sheet, tuple]] = {}
        for title, table, held in table_sheets():
            columns = _columns(held[0], table)
            context = CONTEXT_KEYS.get(table)
            keys = [*IDENTITY, "row", "row_label", *([context[0]] if context else []),
                    *(f"{table}.{c[0]}" for c in columns)]  # table2.published ≠ published
            labels = [*(LABELS[k] for k in IDENTITY), "行", "项目",
                      *([context[1]] if context else []), *(c[1] for c in columns)]
            sheet = _Sheet(self.book, title, keys, labels)
            for layout in held:
                self.tables[(table, layout)] = (sheet, columns)
        self.problem_sheet = _Sheet(self.book, "问题", [*IDENTITY, *FINDING_COLUMNS],
                                    [LABELS[k] for k in (*IDENTITY, *FINDING_COLUMNS)])
        self.findings = 0

    @property
    def rows(self) -> int:
        return sum({id(s): s.rows for s, _ in self.tables.values()}.values())

    def write(self, record: Record) -> None:
        meta = record.meta()
        self.report_sheet.append([*(record.report[k] for k in REPORT_COLUMNS),
                                  *(LIST_SEPARATOR.join(v) if isinstance(v, list) else v
                                    for v in (meta[k] for k in META_KEYS))])
        ident = record.identity
        by_row: dict[tuple[str, str], dict[str, float | None]] = {}
        for table, row, column, value, _raw, _unit in record.cells:
            by_row.setdefault((table, row), {})[column] = value
        for table in TABLE_NAMES:
            layout = record.table_layout(table)
            has_context = table in CONTEXT_KEYS
            for row, label, context, _cols in _rows_of(layout, table, by_row):
                values = by_row[(table, row)]
                sheet, columns = self._sheet_for(table, layout, values)
                sheet.append([*ident, row, label, *([context] if has_context else []),
                              *(self._number(sheet, values.get(key), kind)
                                for key, _label, kind in columns)])
        for f in record.findings:
            self.problem_sheet.append([*ident, *(SEVERITY_CN.get(f[k], f[k]) if k == "severity"
                                                 else f[k] for k in FINDING_COLUMNS)])
        self.findings += len(record.findings)

    def _sheet_for(self, table: str, layout: str, values: dict) -> tuple[_Sheet, tuple]:
        """The sheet of the report's layout, unless the row's columns are another layout's
        (a row of a mixed table): then the sheet whose columns hold them."""
        preferred = self.tables[(table, layout)]
        for sheet, columns in (preferred, *(v for (t, _), v in self.tables.items()
                                            if t == table)):
            if set(values) <= {c[0] for c in columns}:
                return sheet, columns
        return preferred

    @staticmethod
    def _number(sheet: _Sheet, value: float | None, kind: str):
        if value is None:
            return None
        if value.is_integer():
            cell = WriteOnlyCell(sheet.ws, int(value))
            cell.number_format = MONEY_FORMAT if kind == "money" else COUNT_FORMAT
        else:  # a fractional count is itself a finding (T2-NOT-INT): show it as printed
            cell = WriteOnlyCell(sheet.ws, value)
            cell.number_format = MONEY_FORMAT if kind == "money" else "General"
        return cell

    def close(self) -> None:
        notes = _Sheet(self.book, "说明", ["item", "value"], ["项目", "内容"], freeze=None)
        notes.ws.column_dimensions["A"].width = 24
        notes.ws.column_dimensions["B"].width = 100
        ctx = self.ctx
        for item in (("导出时间", ctx.started.isoformat(timespec="seconds")),
                     ("nianbao 版本", ctx.version), ("数据库", ctx.database),
                     ("报告数", self.report_sheet.rows), ("统计表行数", self.rows),
                     ("问题数", self.findings),
                     *((f"筛选：{name}", value) for name, value in ctx.selection.describe()),
                     ("表头", "第一行为稳定的英文键名（与 JSON、CSV、Parquet 相同），第二行为官方中文标签。"),
                     ("空白", "统计表中空白的单元格表示原文该格空白；原文缺少的行不出现。"),
                     *((f"工作表：{title}", note) for title, note in _sheet_notes())):
            notes.append(list(item))
        self.book.save(self.path)


def _rows_of(layout: str, table: str, by_row: dict):
    """The report's rows of ``table`` in the official order of ``layout``, then any row the
    layout lacks (labelled from the other layouts), so no stored cell is left out."""
    seen = set()
    for row in layout_rows(layout, table):
        if (table, row[0]) in by_row:
            seen.add(row[0])
            yield row
    for other in layouts():
        for row in layout_rows(other, table):
            if (table, row[0]) in by_row and row[0] not in seen:
                seen.add(row[0])
                yield row


def _sheet_notes():
    yield "报告", SHEET_NOTES["报告"]
    for title, table, held in table_sheets():
        yield title, (f"{layouts()[held[0]].tables[table].label}：每份报告的每一行一行，"
                      f"列为官方格式（{'、'.join(held)} 年版）的各列。")
    yield "问题", SHEET_NOTES["问题"]
