"""The typed Report: what ``nianbao.parse`` returns and ``nianbao parse --json`` prints.

Table keys come from the layout files (see ``nianbao.layouts``) and from
``shared/spec/report-keys.md``; this module only fixes the shape around them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from typing_extensions import TypedDict

Number = int | float
TableValues = dict[str, dict[str, Number | None]]
Severity = Literal["error", "warning", "info"]
Status = Literal["ok", "partial", "failed"]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class SourceLocation(_Model):
    """Where a value or problem came from: a line (text, Markdown) or table/row/col (grids)."""

    line: int | None = Field(None, description="1-based source line")
    table: int | None = Field(None, description="0-based index of the physical table")
    row: int | None = Field(None, description="0-based row in that table")
    col: int | None = Field(None, description="0-based grid column in that row")


class Contact(_Model):
    address: str | None = Field(None, description="联系地址")
    phone: str | None = Field(None, description="联系电话（传真不算）")
    postcode: str | None = Field(None, description="邮编")
    email: str | None = Field(None, description="电子邮箱")


class Meta(_Model):
    title: str | None = Field(None, description="标题（按原文）")
    agency: str | None = Field(None, description="发布机关全称（按原文），原文未写则为 null")
    year: int | None = Field(None, description="报告所属统计年度")
    period: tuple[str, str] | None = Field(None, description="统计期限 [起, 止]，YYYY-MM-DD")
    cited_templates: list[str] = Field(
        default_factory=list, description='引用的格式文件："2019-60"、"2021-30"'
    )
    website: str | None = Field(None, description="年报电子版下载网址（按原文）")
    contact: Contact = Field(default_factory=Contact, description="联系方式")
    published: str | None = Field(None, description="落款或发布日期 YYYY-MM-DD")
    region: list[str] = Field(
        default_factory=list, description="原文点名的行政区划，由大到小，如 [江西省, 樟树市]"
    )
    level: str | None = Field(
        None, description="机关层级：政府 / 部门 / 乡镇街道（按名称判断，无法判断为 null）"
    )


class Section(_Model):
    key: str = Field(description="overview / proactive / requests / appeals / problems / other")
    number: str = Field(description="官方序号 一…六")
    heading: str = Field(description="原文标题")
    text: str = Field(description="正文（不含表格），段落以换行分隔")
    location: SourceLocation


class NarrativeFigure(_Model):
    key: str = Field(description="proactive_total / proactive_item / applications_received / …")
    value: int = Field(description="数值")
    label: str | None = Field(None, description="分项名称（如 政务动态）")
    text: str = Field(description="原文片段")
    section: str | None = Field(None, description="所在部分的 key")
    location: SourceLocation


class CellLocation(TypedDict, total=False):
    """Where a cell stands: ``line`` (1-based; text, Markdown, HTML) and 0-based table/row/col."""

    line: int | None
    table: int | None
    row: int | None
    col: int | None


class CellSource(TypedDict):
    """Provenance of one statistical cell: a plain record, one per cell.

    A TypedDict rather than a model: a report has ~200 of them, and pydantic-core validates
    plain records several times faster than it builds model instances (see docs/design.md).
    """

    table: str  # table2 / table3 / table4
    row: str  # row (or table 四 group) key
    column: str  # column key
    value: Number | None  # the value as read
    raw: str  # the cell's text as printed (not normalised)
    unit: str | None  # unit printed in the cell (件, 万元 …), if any
    label: str | None  # the row label as printed
    column_label: str | None  # table 二: the column header as printed (None for 三/四)
    location: CellLocation


CELL_SOURCE_FIELDS = {
    "table": "表：table2 / table3 / table4",
    "row": "行 key（表四为分组 key）",
    "column": "列 key",
    "value": "读出的值（空白为 null）",
    "raw": "原文（未归一化）",
    "unit": "原文带的单位（件、万元…），没有为 null",
    "label": "原文行标签",
    "column_label": "原文列标题（仅表二；表三、表四为 null）",
    "location": "出处：line（行号，从 1 起）、table / row / col（从 0 起）",
}


class Problem(_Model):
    """Something the parser could not place or had to leave out; never silent."""

    code: str
    severity: Severity
    message: str
    location: SourceLocation | None = None
    table: str | None = None
    row: str | None = None
    column: str | None = None


class SourceInfo(_Model):
    name: str | None = Field(None, description="文件名（从字节解析时为 null）")
    format: str = Field(description="text / html / docx / markdown")
    sha256: str
    size: int
    encoding: str | None = Field(None, description="文本类输入的编码")


class Report(_Model):
    status: Status = Field(
        description="ok：完整；partial：有缺失或无法归位的内容（见 problems）；"
        "failed 只出现在批量输出（--jsonl）中无法读取的文件记录里"
    )
    layout: Literal["2021", "2019", "mixed"] | None = Field(
        None, description="按表头识别的格式；两种格式混用时为 mixed"
    )
    table_layouts: dict[str, Literal["2021", "2019"]] = Field(
        default_factory=dict, description="每张表各自识别出的格式（table2、table3）"
    )
    meta: Meta = Field(default_factory=Meta, description="元数据，见下文")
    preamble: list[str] = Field(
        default_factory=list,
        description="标题与第一部分之间的引言段落（编制依据、统计期限、下载网址、联系方式等）",
    )
    table2: TableValues | None = Field(None, description="表二 {行 key: {列 key: 值}}；原文没有该表为 null")
    table3: TableValues | None = Field(None, description="表三 {行 key: {列 key: 值}}；原文没有该表为 null")
    table4: TableValues | None = Field(None, description="表四 {分组 key: {列 key: 值}}；原文没有该表为 null")
    sections: list[Section] = Field(default_factory=list, description="六个部分：key、序号、原文标题、正文、位置")
    narrative: list[NarrativeFigure] = Field(
        default_factory=list, description="正文中读者会核对的数字（主动公开条数、收到申请件数等）"
    )
    provenance: list[CellSource] = Field(
        default_factory=list, description="每个统计单元格的出处：表、行、列、值、原文、单位、位置"
    )
    problems: list[Problem] = Field(
        default_factory=list, description="解析问题（无法归位、缺失的行或表等），见下文"
    )
    source: SourceInfo | None = Field(None, description="输入：文件名、格式、SHA-256、大小、编码")
    parser_version: str = Field(description="产生此结果的 nianbao 版本")
