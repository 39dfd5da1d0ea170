"""Export writers for flat files: CSV (long and wide), JSON Lines and Parquet.

Each writer takes the temporary paths ``export.Outputs`` made and an ``export.Context``;
``write(record)`` is called once per report, ``close()`` once at the end; ``rows`` and
``findings`` count what was written. Shapes are documented in docs/store.md (## 导出).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from nianbao.store.export import (
    CELL_COLUMNS,
    FINDING_COLUMNS,
    IDENTITY,
    META_KEYS,
    REPORT_COLUMNS,
    Context,
    Record,
    cell_keys,
    wide_key,
)

LIST_SEPARATOR = ";"  # CSV cells holding a list (cited templates, printed region)


def csv_text(value) -> str:
    """A value as CSV text: blank for None, counts without a trailing .0, lists joined."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, list):
        return LIST_SEPARATOR.join(value)
    return str(value)


class _Csv:
    needs_json = False

    def __init__(self, paths: list[Path], ctx: Context) -> None:
        # Excel only reads a CSV as UTF-8 when it starts with a byte-order mark
        self.file = paths[0].open("w", encoding="utf-8-sig" if ctx.bom else "utf-8",
                                  newline="")
        self.out = csv.writer(self.file)
        self.out.writerow(self.header())
        self.rows = 0
        self.findings = 0

    def header(self) -> list[str]:
        raise NotImplementedError

    def close(self) -> None:
        self.file.close()


class CsvLong(_Csv):
    """One row per cell: identity + table, row, column, value, raw, unit."""

    def header(self) -> list[str]:
        return [*IDENTITY, *CELL_COLUMNS]

    def write(self, record: Record) -> None:
        ident = [csv_text(v) for v in record.identity]
        # only the value needs formatting: the csv module writes None as an empty field
        self.out.writerows([*ident, table, row, column, csv_text(value), raw, unit]
                           for table, row, column, value, raw, unit in record.cells)
        self.rows += len(record.cells)


class CsvWide(_Csv):
    """One row per report: report columns, meta, then one column per cell key."""

    needs_json = True

    def header(self) -> list[str]:
        return [*REPORT_COLUMNS, *META_KEYS, *(wide_key(*k) for k in cell_keys())]

    def write(self, record: Record) -> None:
        values = {c[:3]: c[3] for c in record.cells}
        meta = record.meta()
        self.out.writerow([*(csv_text(record.report[k]) for k in REPORT_COLUMNS),
                           *(csv_text(meta[k]) for k in META_KEYS),
                           *(csv_text(values.get(k)) for k in cell_keys())])
        self.rows += 1


class Jsonl:
    """One line per report: the stored report JSON (= ``nianbao parse --json``) with
    ``findings`` and ``store`` added; an unreadable document is ``{"status": "failed",
    "error", "source", "findings", "store"}`` like ``nianbao parse --jsonl``'s error lines."""

    needs_json = True

    def __init__(self, paths: list[Path], ctx: Context) -> None:
        self.file = paths[0].open("w", encoding="utf-8", newline="\n")
        self.rows = 0
        self.findings = 0

    def write(self, record: Record) -> None:
        r = record.report
        extra = (f',"findings":{_dumps([finding_json(f) for f in record.findings])}'
                 f',"store":{_dumps({k: r[k] for k in REPORT_COLUMNS})}}}')
        if record.report_json:
            # spliced as text: re-encoding ~50 kB of JSON per report would only cost time
            line = record.report_json.rstrip().removesuffix("}") + extra
        else:
            failed = {"status": "failed",
                      "error": {"code": r["error_code"], "message": r["error_message"]},
                      "source": {"name": r["filename"], "sha256": r["sha256"]}}
            line = _dumps(failed).removesuffix("}") + extra
        self.file.write(line + "\n")
        self.rows += 1
        self.findings += len(record.findings)

    def close(self) -> None:
        self.file.close()


def finding_json(f: dict) -> dict:
    """A stored finding in the shape of ``nianbao check --json`` (``expected`` and ``found``
    as stored: text, numbers written as JSON text)."""
    return {"code": f["code"], "severity": f["severity"], "message": f["message"],
            "location": {k: f[k] for k in ("table", "row", "column", "section", "field",
                                           "source")},
            "expected": f["expected"], "found": f["found"]}


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


# ------------------------------------------------------------------ Parquet

_TEXT = pa.string()
_TYPES = {"report_id": pa.int64(), "year": pa.int32(), "score": pa.int32(),
          "errors": pa.int32(), "warnings": pa.int32(), "infos": pa.int32(),
          "is_current": pa.bool_(), "superseded_by": pa.int64(), "value": pa.float64(),
          "meta.cited_templates": pa.list_(_TEXT), "meta.region": pa.list_(_TEXT),
          "source": pa.struct([(k, pa.int32()) for k in ("line", "table", "row", "col")])}


def _schema(columns) -> pa.Schema:
    return pa.schema([(c, _TYPES.get(c, _TEXT)) for c in columns])


CELLS_SCHEMA = _schema([*IDENTITY, *CELL_COLUMNS])
REPORTS_SCHEMA = _schema([*REPORT_COLUMNS, *META_KEYS])
FINDINGS_SCHEMA = _schema([*IDENTITY, *FINDING_COLUMNS, "source"])
ROW_GROUP = 64_000  # rows buffered per Parquet row group


class _Table:
    """Rows buffered and written to one Parquet file a row group at a time."""

    def __init__(self, path: Path, schema: pa.Schema) -> None:
        self.schema = schema
        self.writer = pq.ParquetWriter(path, schema, compression="zstd")
        self.columns: list[list] = [[] for _ in schema.names]
        self.count = 0

    def add(self, row) -> None:
        for column, value in zip(self.columns, row, strict=True):
            column.append(value)
        self.count += 1
        if len(self.columns[0]) >= ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if self.columns[0]:
            self.writer.write_table(pa.Table.from_arrays(
                [pa.array(c, type=t) for c, t in zip(self.columns, self.schema.types,
                                                      strict=True)], schema=self.schema))
            self.columns = [[] for _ in self.schema.names]

    def close(self) -> None:
        self.flush()
        self.writer.close()


class ParquetFiles:
    """Three files: the long cell table (as csv-long, typed), the reports (report columns and
    meta) and the findings, each with the report identity."""

    needs_json = True

    def __init__(self, paths: list[Path], ctx: Context) -> None:
        self.cells = _Table(paths[0], CELLS_SCHEMA)
        self.reports = _Table(paths[1], REPORTS_SCHEMA)
        self.found = _Table(paths[2], FINDINGS_SCHEMA)

    @property
    def rows(self) -> int:
        return self.cells.count

    @property
    def findings(self) -> int:
        return self.found.count

    def write(self, record: Record) -> None:
        ident = record.identity
        for cell in record.cells:
            self.cells.add([*ident, *cell])
        meta = record.meta()
        self.reports.add([*(record.report[k] for k in REPORT_COLUMNS),
                          *(meta[k] for k in META_KEYS)])
        for f in record.findings:
            self.found.add([*ident, *(f[k] for k in FINDING_COLUMNS), f["source"]])

    def close(self) -> None:
        for table in (self.cells, self.reports, self.found):
            table.close()
