"""导出: ``GET /api/export`` — the file ``nianbao export`` writes, for the same filters.

``store.export.export`` writes to a private temporary directory (it reads the store in
batches, so memory stays flat however many reports are selected); the response streams that
file in chunks and the directory is removed when the response ends, sent or abandoned.
Parquet is three files (cells, reports, findings: see docs/store.md), so it comes as one
ZIP archive holding them under the names ``nianbao export -o nianbao.parquet`` gives them.
"""

from __future__ import annotations

import shutil
import tempfile
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse

from nianbao.store.export import FORMATS, check_format, export
from nianbao.web.api.stats import (
    ERRORS,
    HasErrorsQuery,
    LayoutQuery,
    LevelQuery,
    RegionQuery,
    RuleQuery,
    YearQuery,
    selection,
)

router = APIRouter(prefix="/api", tags=["导出"])

# format -> (media type, download name stem, suffix)
KINDS = {
    "csv-long": ("text/csv; charset=utf-8", "nianbao-cells", ".csv"),
    "csv-wide": ("text/csv; charset=utf-8", "nianbao-reports", ".csv"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "nianbao",
             ".xlsx"),
    "parquet": ("application/zip", "nianbao-parquet", ".zip"),
    "jsonl": ("application/x-ndjson; charset=utf-8", "nianbao", ".jsonl"),
}
assert set(KINDS) == set(FORMATS)
CHUNK = 256 * 1024


def _stream(path: Path, folder: Path) -> Iterator[bytes]:
    """The file in chunks; the temporary folder goes when the response is done with it
    (also when the client leaves half-way and the generator is closed)."""
    try:
        with path.open("rb") as f:
            while chunk := f.read(CHUNK):
                yield chunk
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _zip(paths: list[Path], target: Path) -> Path:
    # Parquet is compressed already: stored, not deflated again
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_STORED) as zf:
        for p in paths:
            zf.write(p, arcname=p.name)
    return target


@router.get("/export", summary="导出（同 nianbao export）", responses={
    200: {"description": "导出的文件（作为附件下载）；`X-Nianbao-Reports` 头为导出的报告数",
          "content": {kind[0].split(";")[0]: {} for kind in KINDS.values()}},
    **ERRORS})
def export_route(
    request: Request,
    fmt: Annotated[str, Query(alias="format", description=(
        "csv-long（每个单元格一行）、csv-wide（每份报告一行）、xlsx、parquet（三个文件打包成 "
        "ZIP：nianbao.parquet 单元格、nianbao.reports.parquet 报告、nianbao.findings.parquet "
        "检查发现）、jsonl（每份报告一行，即 nianbao parse --json 加 findings 和 store）"))],
    year: YearQuery = None, region: RegionQuery = None, level: LevelQuery = None,
    layout: LayoutQuery = None, has_errors: HasErrorsQuery = None, rule: RuleQuery = None,
    include_superseded: Annotated[bool, Query(description="同时导出已被取代的旧版本")] = False,
    include_failed: Annotated[bool, Query(description="同时导出无法读取的文件")] = False,
    bom: Annotated[bool, Query(description="CSV 带 BOM（Excel 才能正确显示中文）")] = True,
):
    """导出所选报告的单元格、报告信息和检查发现，内容与
    `nianbao export -f 格式 --year … --region …` 写出的文件相同（筛选条件同 `/api/stats`）。
    默认只含每个机关每年的当前版本。"""
    fmt = check_format(fmt)  # 400 unknown_export_format before anything is written
    chosen = selection(year, region, level, layout, has_errors, rule,
                       include_superseded=include_superseded, include_failed=include_failed)
    media, stem, suffix = KINDS[fmt]
    folder = Path(tempfile.mkdtemp(prefix="nianbao-export-"))
    try:
        target = folder / ("nianbao.parquet" if fmt == "parquet" else f"export{suffix}")
        summary = export(request.app.state.store, fmt, target, chosen, bom=bom)
        path = _zip(summary.paths, folder / "nianbao-parquet.zip") if fmt == "parquet" \
            else target
        size = path.stat().st_size
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    years = chosen.years
    span = "" if not years else f"-{years[0]}" if len(years) == 1 else f"-{years[0]}-{years[-1]}"
    return StreamingResponse(_stream(path, folder), media_type=media, headers={
        "Content-Disposition": f'attachment; filename="{stem}{span}{suffix}"',
        "Content-Length": str(size), "X-Nianbao-Reports": str(summary.reports)})
