"""``GET /api/compare?a=&b=``: two stored reports compared cell by cell and sentence by
sentence (``store.compare.compare``); the page ``/compare`` shows the same."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from nianbao.store.analysis import AnalysisError
from nianbao.store.compare import Comparison, compare, resolve_report
from nianbao.store.models import StoredReport
from nianbao.web.api.schema import error_response
from nianbao.web.errors import WebError

router = APIRouter(prefix="/api", tags=["对比"])

_HOW = "报告编号（如 12），或 机关名:年度（如 樟树市人民政府:2023，即该年度的当前版本）"


def find_report(session: Session, ref: str, which: str) -> StoredReport:
    """The report a parameter names; WebError 404 when there is none, 400 when the text
    is neither an id nor 机关名:年度."""
    text = ref.strip()
    if text.isdigit():
        row = session.get(StoredReport, int(text))
        if row is None:
            raise WebError(404, "unknown_report", f"没有编号为 {text} 的报告（参数 {which}）；请在"
                           "年报库或单位页面查看报告编号。")
        return row
    try:
        return resolve_report(session, text)
    except AnalysisError as exc:
        status = 404 if exc.code in ("unknown_report", "unknown_agency") else 400
        raise WebError(status, exc.code, f"参数 {which}：{exc.message}") from None


def compare_pair(session: Session, a: str | None, b: str | None
                 ) -> tuple[Comparison, StoredReport, StoredReport]:
    """The comparison of the reports ``a`` and ``b`` name, with their rows; WebError with a
    Chinese message when a parameter is missing, names nothing, or both name one report."""
    missing = [name for name, value in (("a", a), ("b", b)) if not (value or "").strip()]
    if missing:
        raise WebError(422, "missing_report", f"请给出要对比的两份报告（缺少参数 "
                       f"{'、'.join(missing)}）：a 和 b 各是一个{_HOW}。", {"missing": missing})
    row_a, row_b = find_report(session, a, "a"), find_report(session, b, "b")
    if row_a.id == row_b.id:
        raise WebError(400, "same_report", f"a 和 b 是同一份报告（编号 {row_a.id}）；请选择两份不同"
                       "的报告，例如同一单位相邻两个年度的报告。")
    try:
        return compare(session, row_a.id, row_b.id), row_a, row_b
    except AnalysisError as exc:  # a document that could not be read has nothing to compare
        raise WebError(400, exc.code, exc.message) from None


class ReportRefModel(BaseModel):
    id: int
    agency_id: int | None
    agency_name: str | None = Field(description="报告中印的单位名称")
    year: int | None
    layout: str | None
    published: str | None
    current: bool


class CellDiffModel(BaseModel):
    table: str = Field(description="table2 / table3 / table4")
    row: str
    column: str
    row_label: str | None
    column_label: str | None
    a: float | int | None = Field(description="a 中的值；空白或没有该格为 null（见 in_a）")
    b: float | int | None
    in_a: bool
    in_b: bool
    difference: float | int | None = Field(description="b − a（两边都有数字时）")


class SectionDiffModel(BaseModel):
    key: str
    label: str
    ratio: float = Field(description="两段文字的相似度（0–1）")
    changes: list[dict[str, Any]] = Field(description="op（replace/delete/insert）、a、b：句子列表")
    unified: list[str]


class ComparisonModel(BaseModel):
    a: ReportRefModel
    b: ReportRefModel
    cells_compared: int
    cells: list[CellDiffModel] = Field(description="不同的单元格，按表、行、列的官方顺序")
    sections: list[SectionDiffModel] = Field(description="文字不同的部分")
    meta: list[dict[str, Any]] = Field(description="不同的元数据：field、label、a、b")


def difference(a, b):
    if a is None or b is None:
        return None
    d = b - a
    return int(d) if float(d).is_integer() else round(d, 4)


@router.get("/compare", response_model=ComparisonModel, summary="对比两份报告", responses={
    400: error_response("两个参数是同一份报告，或报告无法读取", "same_report",
                        "a 和 b 是同一份报告（编号 3）；请选择两份不同的报告。"),
    404: error_response("没有这份报告", "unknown_report", "没有编号为 99 的报告（参数 a）。"),
    422: error_response("缺少参数", "missing_report", "请给出要对比的两份报告（缺少参数 b）。")})
def compare_api(request: Request,
                a: Annotated[str | None, Query(description=f"第一份报告：{_HOW}")] = None,
                b: Annotated[str | None, Query(description=f"第二份报告：{_HOW}")] = None
                ) -> ComparisonModel:
    """逐格、逐句比较两份报告：不同的单元格（两边的值和差值）、文字不同的部分（句子级的
    增删）、不同的元数据。与命令 `nianbao compare --json` 的结果相同，另加每格的差值。"""
    with request.app.state.store.reading() as session:
        result, _, _ = compare_pair(session, a, b)
    data = result.to_dict()
    for cell in data["cells"]:
        cell["difference"] = difference(cell["a"], cell["b"])
    return ComparisonModel(**data)
