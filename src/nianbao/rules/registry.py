"""The one registry table of rule codes.

Every code ever issued is listed here. A code is never reused: a rule that is removed
moves to RETIRED with the version that retired it. tests/rules/test_catalogue.py checks
that the registered rules are exactly the active codes below, each fully documented.
Codes: a family prefix (T2/T3/T4 tables, F format, M metadata, N narrative against
tables, X cross-year), then a short mnemonic.
"""

from __future__ import annotations

# code -> family module (nianbao.rules.<module>)
CODES: dict[str, str] = {
    # 表二
    "T2-NEG": "table2",
    "T2-NOT-INT": "table2",
    "T2-FEE-UNIT": "table2",
    "T2-IN-FORCE": "table2",
    "T2-LABEL": "table2",
    "T2-BLANK": "table2",
    "T2-ROW-MISSING": "table2",
    # 表三
    "T3-BAL": "tables",
    "T3-ROW-SUM": "tables",
    "T3-COL-SUM": "tables",
    "T3-NEG": "tables",
    "T3-BLANK": "tables",
    "T3-ROW-MISSING": "tables",
    # 表四
    "T4-SUM": "tables",
    "T4-NEG": "tables",
    "T4-BLANK": "tables",
    "T4-ROW-MISSING": "tables",
    # 格式
    "F-LAYOUT-YEAR": "format",
    "F-MIXED": "format",
    "F-TEMPLATE-LAYOUT": "format",
    "F-TEMPLATE-OUTDATED": "format",
    "F-TABLE-MISSING": "format",
    "F-SECTION-MISSING": "sections",
    "F-SECTION-ORDER": "sections",
    "F-SECTION-TITLE": "sections",
    "F-NUMBERING": "sections",
    "F-PARTS-CLAIM": "sections",
    "F-UNPLACED": "format",
    # 元数据
    "M-PERIOD": "meta",
    "M-NO-PERIOD": "meta",
    "M-YEAR-AGREE": "meta",
    "M-LATE": "meta",
    "M-CONTACT": "meta",
    "M-DOWNLOAD": "meta",
    "M-AGENCY": "meta",
    # 正文与表格
    "N-APPS": "narrative",
    "N-CARRY": "narrative",
    "N-REVIEW": "narrative",
    "N-LITIGATION": "narrative",
    "N-NORMATIVE": "narrative",
    "N-BREAKDOWN": "narrative_text",
    "N-FEE-SILENT": "narrative_text",
    "N-SEC5-TRIVIAL": "narrative_text",
    # 跨年度
    "X-CARRY": "cross_year",
    "X-IN-FORCE": "cross_year",
    "X-2019-PREV": "cross_year",
    "X-COPY": "cross_year",
}

# code -> version that retired it; such codes are never issued again
RETIRED: dict[str, str] = {}

FAMILIES = {
    "T2": "表二 主动公开政府信息情况",
    "T3": "表三 收到和处理政府信息公开申请情况",
    "T4": "表四 政府信息公开行政复议、行政诉讼情况",
    "F": "格式与结构",
    "M": "元数据",
    "N": "正文与表格一致",
    "X": "跨年度",
}
