"""The exact findings of the five real seed reports, each verified by reading the seed.

- 000 樟树市机关事务管理中心 2023: the preamble cites only 国办公开办函〔2019〕60号 while the
  tables follow the 2021 format → the citation is outdated (warning).
- 001 樟树市人社局 2023: cites 〔2021〕30号, 2021 tables, consistent figures → nothing.
- 002 樟树市中洲乡 2022: like 000, cites only 〔2019〕60号 → outdated citation.
- 003 泗水县机关事务服务中心 2023: prints the 2019 tables (本年新制作数量…, one-row
  （六）其他处理) although it cites 〔2021〕30号 → wrong layout for the year (error).
- 004 青云谱区政务服务数据管理局 2023: numbers section one "1、" and the others "二、…".
"""

from __future__ import annotations

import pytest

import nianbao
from tests.helpers import SEEDS

EXPECTED = {
    "000": [("F-TEMPLATE-OUTDATED", "warning", "cited_templates", None, "2021-30", "2019-60",
             "2023年度报告应依据国办公开办函〔2021〕30号的格式编制，引言却只引用了"
             "国办公开办函〔2019〕60号（其所附格式已被取代）。")],
    "001": [],
    "002": [("F-TEMPLATE-OUTDATED", "warning", "cited_templates", None, "2021-30", "2019-60",
             "2022年度报告应依据国办公开办函〔2021〕30号的格式编制，引言却只引用了"
             "国办公开办函〔2019〕60号（其所附格式已被取代）。")],
    "003": [("F-LAYOUT-YEAR", "error", "layout", None, "2021", "2019",
             "2023年度报告应使用2021年版格式（国办公开办函〔2021〕30号）的统计表，但本报告的表格"
             "是2019年版格式（国办公开办函〔2019〕60号）（引言称依据国办公开办函〔2021〕30号编制，"
             "表格却未照此格式）。")],
    "004": [("F-NUMBERING", "warning", None, "overview", "一、", "1、",
             "第一部分标题“1、 总体情况”的编号“1、”与其他部分的“二、”式不一致。")],
}


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_findings_are_exactly_these(seed):
    result = nianbao.check(nianbao.parse(seed))
    got = [(f.code, f.severity, f.location.field, f.location.section, f.expected, f.found,
            f.message) for f in result.findings]
    assert got == EXPECTED[seed.stem[:3]]
