"""报告页面 ``/reports/{id}`` and ``GET /api/reports/{id}``, ``/findings``, ``/document``."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from lxml import html as lxml_html
from sqlalchemy import select

from nianbao.store.ingest import ingest
from nianbao.store.models import Document, StoredReport
from nianbao.store.sources import Source
from tests.helpers import ROOT
from tests.web.conftest import SEEDS
from tests.web.test_check_api import assert_error, cli_parse_all
from tests.web.test_check_page import ESCAPED, EVIL, SEED, cli_check_json, evil_report

HTML_NAME = "人社局 “年报” 2023.html"


def _text(seed: str) -> str:
    return SEED[seed].read_text(encoding="utf-8")


EXTRA = {
    # last year's report of seed 001's agency: its cross-year rules run on seed 001
    "人社局2022.txt": _text("001").replace("2023", "2022").replace("2024", "2023").encode(),
    # a second edition of seed 000 (same agency and year, arrives later): it supersedes it
    "000_修订版.txt": (_text("000") + "\n（修订版）\n").encode(),
    HTML_NAME: (ROOT / "examples" / "001_人社局.html").read_bytes().replace(
        "2023年".encode(), "2021年".encode()),
    "evil.txt": evil_report(),
    "notes.txt": "今天天气很好，没有什么要报告的。".encode(),
}


def loose(findings: list[dict]) -> list[dict]:
    """Findings with expected/found as text: the store keeps them as text, so a number-like
    string (F-LAYOUT-YEAR's "2021") comes back as a number."""
    return [{**f, "expected": str(f["expected"]), "found": str(f["found"])} for f in findings]


@pytest.fixture
def corpus(seeded_store) -> dict[str, int]:
    """The seeds plus EXTRA, stored; file name -> report id."""
    ingest(seeded_store, [Source(name, (lambda c=content: c), name)
                          for name, content in EXTRA.items()])
    with seeded_store.reading() as session:
        return dict(session.execute(select(Document.filename, StoredReport.id).join(
            StoredReport, StoredReport.document_sha == Document.sha256)).all())


def page(client, report_id: int):
    r = client.get(f"/reports/{report_id}")
    assert r.status_code == 200, r.text
    return r, lxml_html.fromstring(r.text)


# ----------------------------------------------------------------------------- the API
def test_report_json_equals_cli_parse_json(corpus, client):
    for path, parsed in zip(SEEDS, cli_parse_all(), strict=True):
        r = client.get(f"/api/reports/{corpus[path.name]}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json() == parsed


def test_findings_equal_the_check_and_include_cross_year_ones(corpus, client):
    r = client.get(f"/api/reports/{corpus[SEED['003'].name]}/findings")
    assert r.status_code == 200
    expected = json.loads(cli_check_json(SEED["003"]))
    body = r.json()
    assert loose(body["findings"]) == loose(expected["findings"])
    assert (body["counts"], body["score"]) == (expected["counts"], expected["score"])
    assert body["checked_with_previous"] is None
    cross = client.get(f"/api/reports/{corpus[SEED['001'].name]}/findings").json()
    assert cross["checked_with_previous"] == corpus["人社局2022.txt"]
    assert [(f["code"], f["location"]["table"], f["location"]["row"], f["location"]["section"])
            for f in cross["findings"]] == [
        ("X-IN-FORCE", "table2", "normative_documents", None),
        ("X-COPY", None, None, "overview"), ("X-COPY", None, None, "problems")]
    assert cross["counts"] == {"error": 0, "warning": 3, "info": 0} and cross["score"] == 91


def test_failed_document_is_reported_as_the_cli_does(corpus, client):
    rid = corpus["notes.txt"]
    assert client.get(f"/api/reports/{rid}").json() == {
        "source": {"name": "notes.txt", "path": "notes.txt"}, "status": "failed",
        "error": {"code": "not_a_report", "message": client.get(f"/api/reports/{rid}").json()
                  ["error"]["message"]}}
    body = client.get(f"/api/reports/{rid}/findings").json()
    assert body["findings"] == [] and body["score"] is None
    _, tree = page(client, rid)
    notice = tree.xpath("//div[@class='notice error']")[0].text_content()
    assert "这份文件无法解析：内容不是政府信息公开工作年度报告" in notice and "[not_a_report]" in notice
    assert not tree.xpath("//article[@class='report-view']")


def test_document_download_keeps_bytes_and_never_renders(corpus, client):
    r = client.get(f"/api/reports/{corpus[HTML_NAME]}/document")
    assert r.status_code == 200 and r.content == EXTRA[HTML_NAME]
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    disposition = r.headers["content-disposition"]
    assert disposition.startswith("attachment; ")
    assert f"filename*=UTF-8''{quote(HTML_NAME, safe='')}" in disposition
    disposition.encode("latin-1")  # a header value HTTP can carry: ASCII fallback name
    assert client.get(f"/api/reports/{corpus[SEED['000'].name]}/document").content == \
        SEED["000"].read_bytes()


def test_unknown_report_is_404_everywhere(corpus, client):
    for url in ("/api/reports/999999", "/api/reports/999999/findings",
                "/api/reports/999999/document"):
        assert_error(client.get(url), 404, "unknown_report", "年报库中没有编号为 999999 的报告")
    r = client.get("/reports/999999")
    assert r.status_code == 404 and "text/html" in r.headers["content-type"]
    assert "年报库中没有编号为 999999 的报告" in r.text
    assert client.get("/reports/not-a-number").status_code == 404
    assert_error(client.get("/api/reports/abc/findings"), 404, "not_found")


def test_report_routes_are_described_in_openapi(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    for suffix in ("", "/findings", "/document"):
        op = paths[f"/api/reports/{{report_id}}{suffix}"]["get"]
        assert op["tags"] == ["报告"] and "404" in op["responses"]


# ----------------------------------------------------------------------------- the page
def test_report_page_shows_the_stored_report_with_its_findings(corpus, client):
    rid = corpus[SEED["003"].name]
    _, tree = page(client, rid)
    with client.app.state.store.reading() as session:
        agency_id = session.get(StoredReport, rid).agency_id
    assert tree.xpath("//p[@class='crumbs']//a/@href") == ["/reports", f"/agencies/{agency_id}"]
    facts = tree.xpath("//dl[contains(@class, 'report-facts')]")[0].text_content()
    for text in ("泗水县机关事务服务中心", "2023", "完整", "当前版本", SEED["003"].name):
        assert text in facts
    links = tree.xpath("//dd[@class='downloads']/a/@href")
    assert links == [f"/api/reports/{rid}/document", f"/api/reports/{rid}",
                     f"/api/reports/{rid}/findings"]
    (item,) = tree.xpath("//ol[@class='findings']/li")
    assert "F-LAYOUT-YEAR" in item.text_content()
    assert item.xpath(".//a[@class='goto']/@href") == ["#r1-meta-layout"]
    assert tree.get_element_by_id("r1-meta-layout").get("class") == "flag-error"
    assert tree.xpath("//details[@class='rule-details']")
    cards = [c.text for c in tree.xpath("//div[@class='cards']//div[@class='value']"
                                        " | //div[@class='cards']//div[starts-with(@class, 'value ')]")]
    assert cards == ["90", "1", "0", "0"]


def test_cross_year_findings_link_to_cell_and_section(corpus, client):
    rid = corpus[SEED["001"].name]
    _, tree = page(client, rid)
    items = tree.xpath("//ol[@class='findings']/li")
    assert [i.xpath(".//code")[0].text for i in items] == ["X-IN-FORCE", "X-COPY", "X-COPY"]
    assert all(i.xpath(".//span[@class='tag']")[0].text == "跨年度" for i in items)
    cell = "r1-table2-normative_documents-in_force"
    assert items[0].xpath(".//a[@class='goto']/@href") == [f"#{cell}"]
    assert "flag-warning" in tree.get_element_by_id(cell).get("class")
    assert tree.get_element_by_id(cell).xpath("./a[@class='mark']/@href") == ["#r1-f1"]
    assert items[1].xpath(".//a[@class='goto']/@href") == ["#r1-section-overview"]
    assert "flag-warning" in tree.get_element_by_id("r1-section-problems").get("class")
    previous = tree.xpath("//dt[.='跨年度检查']/following-sibling::dd[1]//a/@href")
    assert previous == [f"/reports/{corpus['人社局2022.txt']}"]


def test_editions_link_to_each_other(corpus, client):
    old, new = corpus[SEED["000"].name], corpus["000_修订版.txt"]
    _, tree = page(client, old)
    version = tree.xpath("//dt[.='版本']/following-sibling::dd[1]")[0]
    assert "已被 报告" in version.text_content() and "取代" in version.text_content()
    assert version.xpath(".//a/@href") == [f"/reports/{new}"]
    _, tree = page(client, new)
    version = tree.xpath("//dt[.='版本']/following-sibling::dd[1]")[0]
    assert "当前版本" in version.text_content() and "取代了" in version.text_content()
    assert version.xpath(".//a/@href") == [f"/reports/{old}"]


def test_script_in_a_stored_report_is_shown_escaped(corpus, client):
    r, tree = page(client, corpus["evil.txt"])
    assert EVIL not in r.text and "<script>alert" not in r.text
    assert f"泗水县{ESCAPED}机关事务服务中心" in r.text and f"本段含有{ESCAPED}脚本。" in r.text
    assert tree.xpath("//title")[0].text.startswith("泗水县" + EVIL)  # as text, not as a tag
    assert not tree.xpath("//main//script")


def test_saved_notice_only_for_known_outcomes(corpus, client):
    rid = corpus[SEED["002"].name]
    assert "已保存到年报库。" in client.get(f"/reports/{rid}?saved=ingested").text
    r = client.get(f"/reports/{rid}?saved=<b>hi</b>")
    assert r.status_code == 200 and "<b>hi</b>" not in r.text and 'role="status"' not in r.text
