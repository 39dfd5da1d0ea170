"""Importing an agency list (CSV or XLSX) for a jurisdiction into the registry.

Columns 名称, 别名, 级别, 区划 (Chinese headers, a few synonyms accepted); every bad row is
reported with its file, row and column, and the other rows are imported.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from nianbao.store.agencies import (
    MAX_NAME,
    AgencyError,
    add_aliases,
    check_aliases,
    check_level,
    find_agency,
    normalise_name,
    refresh_reports,
    split_aliases,
)
from nianbao.store.divisions import RegionError, ensure_divisions
from nianbao.store.models import Agency
from nianbao.store.placement import place, resolve_division

# Column headers of an import file (folded), and the column each one means.
_HEADERS = {"名称": "名称", "单位名称": "名称", "机关名称": "名称", "别名": "别名", "级别": "级别",
            "层级": "级别", "区划": "区划", "行政区划": "区划"}


@dataclass
class RowProblem:
    """A row of an import file that was not imported, and why."""

    file: str
    row: int  # as the spreadsheet numbers it: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        column = f"“{self.column}”列" if self.column else ""
        return f"{self.file} 第 {self.row} 行{column}：{self.message}"


@dataclass
class ImportResult:
    file: str
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[RowProblem] = field(default_factory=list)


def import_agencies(session: Session, path: str | Path) -> ImportResult:
    """Add or update agencies from a CSV (UTF-8 or GBK) or XLSX file with the columns 名称,
    别名 (；/;/、 separated), 级别 and 区划 (a code or a path 江西省/宜春市/樟树市). A bad row is
    reported (file, row, column) and skipped; the others are imported. Raises AgencyError
    when the file as a whole cannot be read."""
    path = Path(path)
    table = read_table(path)
    if not table:
        raise AgencyError("import_empty", f"{path.name} 是空文件；第 1 行应是表头：名称、别名、级别、区划。")
    columns: dict[str, int] = {}
    for i, header in enumerate(table[0]):
        key = _HEADERS.get(normalise_name(header))
        if key and key not in columns:
            columns[key] = i
    if "名称" not in columns:
        raise AgencyError("import_header", f"{path.name} 第 1 行没有“名称”列；表头应为：名称、别名、级别、"
                          f"区划（现有：{'、'.join(h for h in table[0] if h) or '空'}）。")
    ensure_divisions(session)
    result = ImportResult(path.name)
    for number, cells in enumerate(table[1:], start=2):
        if not any(cells):
            continue
        values = {key: cells[i] if i < len(cells) else "" for key, i in columns.items()}
        try:
            with session.begin_nested():
                outcome, problems = _import_row(session, values)
        except IntegrityError:  # another process wrote the same name meanwhile
            outcome, problems = None, [("名称", "与同时进行的其他写入冲突；请重新导入这一行。")]
        result.problems += [RowProblem(path.name, number, col, msg) for col, msg in problems]
        if outcome:
            setattr(result, outcome, getattr(result, outcome) + 1)
    return result


def _import_row(session: Session, values: dict[str, str]
                ) -> tuple[str | None, list[tuple[str, str]]]:
    """Apply one row: ("created" / "updated" / "unchanged", []), or (None, [(column,
    message), …]) when values are bad (nothing written then)."""
    name = normalise_name(values["名称"])
    if not name:
        return None, [("名称", "名称为空；每行都要写单位全称。")]
    if len(name) > MAX_NAME:
        return None, [("名称", f"名称超过 {MAX_NAME} 个字，不像单位名称；请检查是否串了列。")]
    agency = find_agency(session, name)
    aliases = split_aliases(values.get("别名"))
    level = region = None
    problems: list[tuple[str, str]] = []
    try:
        level = check_level(values.get("级别", ""))
    except AgencyError as exc:
        problems.append(("级别", exc.message))
    try:
        text = values.get("区划", "").strip()
        region = resolve_division(text) if text else None
    except RegionError as exc:
        problems.append(("区划", exc.message))
    try:
        check_aliases(session, agency, aliases)
    except AgencyError as exc:
        problems.append(("别名", exc.message))
    if problems:
        return None, problems
    if agency is None:
        chain = () if region else place(name)
        agency = Agency(name=name, level=level, origin="imported",
                        region_code=region.code if region else (chain[-1].code if chain else None))
        session.add(agency)
        session.flush()
        add_aliases(session, agency, aliases)
        return "created", []
    moved = (level is not None and level != agency.level) or (
        region is not None and region.code != agency.region_code)
    agency.level = level or agency.level
    agency.region_code = region.code if region else agency.region_code
    if not (add_aliases(session, agency, aliases) or moved):
        return "unchanged", []
    agency.origin = "imported"
    if moved:
        refresh_reports(session, agency)
    return "updated", []


def read_table(path: Path) -> list[list[str]]:
    """The cells of a CSV or XLSX file as stripped strings, header row first."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise AgencyError("import_not_found", f"找不到文件 {path}；请检查路径。")
    if suffix == ".xlsx":
        return _read_xlsx(path)
    if suffix in (".csv", ".txt", ".tsv"):
        return _read_csv(path)
    raise AgencyError("import_format", f"{path.name}：只支持 .csv 和 .xlsx 文件；旧版 .xls 请在 Excel/WPS 中"
                      "另存为 .xlsx。")


def _read_csv(path: Path) -> list[list[str]]:

    data = path.read_bytes()
    for encoding in ("utf-8-sig", "gb18030"):  # Excel on Chinese Windows saves CSV as GBK
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise AgencyError("import_encoding", f"{path.name} 的文字编码无法识别；请另存为 UTF-8 编码的 CSV。")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [[cell.strip() for cell in row] for row in csv.reader(text.splitlines(), delimiter=delimiter)]


def _read_xlsx(path: Path) -> list[list[str]]:
    import zipfile

    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, InvalidFileException, KeyError, OSError, ValueError) as exc:
        raise AgencyError("import_unreadable", f"{path.name} 不是有效的 Excel 文件（{exc}）；请在 Excel/WPS "
                          "中打开后另存为 .xlsx。") from exc
    try:
        return [[_cell_text(v) for v in row] for row in book.worksheets[0].iter_rows(values_only=True)]
    finally:
        book.close()


def _cell_text(value: object) -> str:
    """A cell as text; a code typed as a number (360982000000, or 3.60982E+11) stays digits."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()
