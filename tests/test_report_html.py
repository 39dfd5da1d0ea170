"""The self-contained HTML check report: official tables, marked cells, findings, rule docs, safety."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

import nianbao
from nianbao.errors import parse_error
from nianbao.layouts import get
from nianbao.report_html import HtmlReport
from nianbao.rules import all_rules
from tests.helpers import SEEDS, run_cli
from tests.test_check_cli import unbalanced_text

EVIL = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def checked():
    report = nianbao.parse(unbalanced_text().encode("utf-8"))
    return report, nianbao.check(report, select=["T3-BAL"])


def build(*entries) -> str:
    doc = HtmlReport()
    for entry in entries:
        doc.add(*entry) if len(entry) == 3 else doc.add_error(*entry)
    return doc.tostring()


def assert_self_contained(text: str) -> None:
    assert "<script" not in text.lower()
    tree = lxml_html.fromstring(text)
    assert not tree.xpath("//script | //link | //img | //iframe | //object | //embed")
    assert not tree.xpath("//@src | //@*[starts-with(name(), 'on')]")
    assert all(h.startswith("#") for h in tree.xpath("//@href")), "only in-page links"
    css = " ".join(tree.xpath("//style/text()"))
    assert "url(" not in css and "@import" not in css


def test_official_tables_with_marked_cells_linked_to_findings(checked):
    report, result = checked
    text = build(("bad.txt", report, result))
    assert text.startswith("<!DOCTYPE html>")
    tree = lxml_html.fromstring(text)
    assert tree.get("lang") == "zh-CN"
    t3 = tree.get_element_by_id("r1-table3")
    spec = get("2021").table3
    assert len(t3.xpath("./tr")) == 1 + len(spec.rows)
    assert [th.text for th in t3.xpath("./tr[1]/th")][1:] == [c.label for c in spec.columns]
    assert t3.xpath("./tr/th[@rowspan='8']/text()") == ["（三）不予公开"]
    marked = t3.xpath(".//td[contains(concat(' ', @class, ' '), ' error ')]")
    assert [td.get("id") for td in marked] == ["r1-table3-total_processed-natural_person",
                                               "r1-table3-total_processed-total"]
    for n, td in enumerate(marked, 1):
        assert td.text == "0"
        link = td.xpath("./a[@class='mark']")[0]
        assert link.get("href") == f"#r1-f{n}"
        item = tree.get_element_by_id(f"r1-f{n}")
        assert item.xpath(".//a/@href")[0] == "#rule-T3-BAL"
        assert result.findings[n - 1].message in item.text_content()
        assert "#" + td.get("id") in item.xpath(".//a/@href")
    assert len(tree.get_element_by_id("r1-table4").xpath(".//td")) == 15


def test_one_blank_finding_marks_every_blank_cell_of_its_table():
    report = nianbao.parse(unbalanced_text().encode("utf-8"))
    report.table3["granted"]["other_org"] = None
    report.table3["denied_state_secret"]["natural_person"] = None
    result = nianbao.check(report, select=["T3-BLANK"])
    assert len(result.findings) == 1
    tree = lxml_html.fromstring(build(("blank.txt", report, result)))
    marked = tree.get_element_by_id("r1-table3").xpath(
        ".//td[contains(concat(' ', @class, ' '), ' warning ')]")
    assert [td.get("id") for td in marked] == ["r1-table3-granted-other_org",
                                               "r1-table3-denied_state_secret-natural_person"]
    assert all(td.xpath("./a[@class='mark']/@href") == ["#r1-f1"] for td in marked)


def test_findings_carry_location_and_rule_documentation(checked):
    report, result = checked
    tree = lxml_html.fromstring(build(("bad.txt", report, result)))
    item = tree.get_element_by_id("r1-f1").text_content()
    assert "位置：表三 › （七）总计 › 自然人；原文第" in item
    r = all_rules()["T3-BAL"]
    assert "改正：" + r.doc.fix in item
    doc = tree.get_element_by_id("rule-T3-BAL").getparent().text_content()
    for text in (r.title, r.basis, r.doc.what, r.doc.why, r.doc.example, r.doc.fix):
        assert text in doc
    meta = tree.xpath("//section[@id='r1']/dl[@class='meta']")[0].text_content()
    assert report.meta.agency in meta and "2023-01-01 至 2023-12-31" in meta


def test_untrusted_text_is_escaped_and_nothing_is_fetched(checked):
    report, result = checked
    report = report.model_copy(deep=True)
    report.meta.agency = EVIL
    report.meta.title = 'x" onmouseover="alert(1)\x0c\x00'
    report.meta.website = "http://evil.example/a.js"
    text = build((f"{EVIL}.txt", report, result), ("junk.txt", parse_error("not_a_report", EVIL)))
    assert_self_contained(text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
    tree = lxml_html.fromstring(text)
    assert tree.xpath("//section[@id='r1']/h2")[0].text == f"1. {EVIL}"
    assert 'x" onmouseover="alert(1)' in tree.xpath("//dl[@class='meta']/dd")[0].text
    assert tree.xpath("//table[@class='summary']//a")[0].text == f"{EVIL}.txt"


def test_summary_across_reports_and_unreadable_files(checked):
    report, result = checked
    clean = nianbao.parse(SEEDS[0])
    text = build(("bad.txt", report, result), ("junk.txt", parse_error("not_a_report", "junk.txt")),
                 ("clean.txt", clean, nianbao.check(clean, select=["T3-BAL"])))
    tree = lxml_html.fromstring(text)
    rows = tree.xpath("//table[@class='summary']/tr")[1:]
    cells = [[td.text_content() for td in tr.xpath("./td")] for tr in rows]
    assert cells[0] == ["bad.txt", report.meta.agency, "2023", "2", "0", "0", "80"]
    assert cells[1][0] == "junk.txt" and cells[1][1].startswith("无法读取：内容不是政府信息公开")
    assert cells[2] == ["clean.txt", clean.meta.agency, str(clean.meta.year), "0", "0", "0", "100"]
    assert [s.get("id") for s in tree.xpath("//section")] == ["r1", "r3"]
    assert "共 3 份年报；错误 2 个" in text


def test_missing_table_and_row_are_shown(checked):
    report, result = checked
    report = report.model_copy(deep=True)
    report.table4 = None
    del report.table3["carried_forward"]
    tree = lxml_html.fromstring(build(("r.txt", report, result)))
    assert not tree.xpath("//table[@id='r1-table4']")
    assert "原文没有：表四" in tree.text_content()
    last = tree.get_element_by_id("r1-table3").xpath("./tr")[-1]
    assert [x.text for x in last] == ["四、结转下年度继续办理", "缺失"]


def test_cli_writes_one_html_file(tmp_path):
    p = tmp_path / "bad.txt"
    p.write_text(unbalanced_text(), encoding="utf-8")
    out = tmp_path / "报告.html"
    proc = run_cli("check", str(p), str(SEEDS[3]), "--select", "T3-BAL", "--html", str(out))
    assert proc.returncode == 1, proc.stderr
    assert f"已写入 HTML 检查报告：{out}" in proc.stderr.replace("\n", "")
    text = out.read_text(encoding="utf-8")
    assert_self_contained(text)
    tree = lxml_html.fromstring(text)
    assert len(tree.xpath("//section")) == 2
    assert len(tree.xpath("//section//td[contains(@class, 'error')]")) == 2
    assert re.search(r"<meta charset=\"utf-8\">", text)
