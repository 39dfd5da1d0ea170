"""Catalogue of the problems the parser reports (distinct from the rule findings of ``check``).

Every code the recogniser emits must be listed here; a test enforces it and the
documentation (docs/output.md) is generated from this table.
"""

from __future__ import annotations

PROBLEM_CODES: dict[str, tuple[str, str]] = {
    "table_missing": ("error", "报告中找不到某张统计表，或表中没有任何数值。"),
    "row_missing": ("error", "统计表缺少官方格式中的某一行；该行不出现在 JSON 的表中。"),
    "row_incomplete": ("error", "某行的数值单元格个数与官方格式不符，无法确定各值所属的列，整行未采用。"),
    "row_duplicate": ("warning", "同一行出现多次；只采用第一次出现的数值。"),
    "header_missing": ("error", "表二的数值行前没有可识别的列标题，无法确定数值所属的列。"),
    "header_mismatch": ("error", "表二某行上方的列标题不是该行应有的列（例如“行政许可”出现在"
                        "“本年制发件数”表头下），数值未采用。"),
    "cell_missing": ("warning", "某行缺少官方格式中的某个单元格；该值为 null。"),
    "cell_not_numeric": ("error", "数值单元格中是文字（如“无”），按空白（null）处理。"),
    "value_unplaced": ("error", "表格中的数值无法对应到官方表格的任何行列，未采用。"),
    "cell_unplaced": ("warning", "表格中的文字无法对应到官方表格的任何行列标签。"),
}
