"""检查 page: upload, see each report with its highlighted findings, download, save."""

from __future__ import annotations

import io
import json
import re
from functools import cache
from pathlib import Path

import pytest
from lxml import html as lxml_html
from openpyxl import load_workbook

from nianbao.errors import MESSAGES
from nianbao.rules import all_rules
from tests.helpers import ROOT, run_cli
from tests.test_check_cli import unbalanced_text
from tests.test_report_html import assert_self_contained
from tests.web.conftest import SEEDS, csrf_of

EVIL = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
EVIL_NAME = "<img src=x onerror=alert(1)>"
SEED = {p.name[:3]: p for p in SEEDS}


def evil_report() -> bytes:
    """Seed 003 with a script tag in the agency's name and in the text of part one."""
    text = SEED["003"].read_text(encoding="utf-8")
    text = text.replace("泗水县机关事务服务中心", f"泗水县{EVIL}机关事务服务中心")
    head, sep, tail = text.partition("一、总体情况\n")
    return (head + sep + f"本段含有{EVIL}脚本。\n" + tail).encode()


def files_of(*items) -> list:
    """Multipart parts: paths, or (name, bytes) pairs."""
    out = []
    for item in items:
        name, content = (item.name, item.read_bytes()) if isinstance(item, Path) else item
        out.append(("files", (name, content, "application/octet-stream")))
    return out


def upload(client, *items, csrf: bool = True):
    data = {"csrf_token": csrf_of(client)} if csrf else {}
    return client.post("/check", data=data, files=files_of(*items))


def tree_of(response):
    return lxml_html.fromstring(response.text)


def keys_of(response) -> list[str]:
    return re.findall(r'/check/files/([\w-]+)/findings\.json', response.text)


@cache
def cli_check_json(path: Path) -> str:
    """What ``nianbao check --json FILE`` prints (run outside the repo: no config file)."""
    proc = run_cli("check", "--json", str(path), cwd=Path("/tmp"))
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout


def finding_items(tree, prefix: str) -> list:
    return tree.xpath(f"//article[@id='{prefix}']//ol[@class='findings']/li")


# ----------------------------------------------------------------------------- the form
def test_check_form_offers_drop_zone_file_input_and_limits(client):
    r = client.get("/check")
    assert r.status_code == 200
    tree = tree_of(r)
    form = tree.xpath("//form[@action='/check']")[0]
    assert form.get("method") == "post" and form.get("enctype") == "multipart/form-data"
    zone = form.xpath(".//*[contains(@class, 'dropzone')]")[0]
    assert zone.xpath(".//input[@type='file' and @name='files' and @multiple]")
    assert form.xpath(".//input[@name='csrf_token']/@value")[0] == csrf_of(client)
    assert "一次最多 50 个文件，每个不超过 20 MB" in r.text
    assert "编辑者登录后可以把检查过的报告保存到年报库" in r.text  # anonymous: no saving


def test_file_names_lose_any_directory_part():
    from nianbao.web.uploads import clean_name

    assert clean_name("C:\\Users\\张三\\年报.docx", 1) == "年报.docx"
    assert clean_name("../../etc/passwd", 1) == "passwd"
    assert clean_name("a\x00b\n.txt", 2) == "ab.txt"
    assert clean_name("", 3) == "文件 3" and len(clean_name("长" * 500, 1)) == 200


# ----------------------------------------------------------------------------- results
def test_every_seed_is_shown_with_its_findings(client):
    r = upload(client, *SEEDS)
    assert r.status_code == 200
    tree = tree_of(r)
    rows = tree.xpath("//table[contains(@class, 'check-summary')]/tbody/tr")
    assert len(rows) == len(SEEDS) == len(keys_of(r))
    for n, path in enumerate(SEEDS, 1):
        expected = json.loads(cli_check_json(path))
        items = finding_items(tree, f"r{n}")
        assert [li.xpath(".//code")[0].text for li in items] == [
            f["code"] for f in expected["findings"]]
        for li, f in zip(items, expected["findings"], strict=True):
            assert f["message"] in li.text_content()
        cells = rows[n - 1].xpath("./td")
        assert cells[0].text_content() == path.name
        assert [c.text for c in cells[3:]] == [str(expected["counts"][k]) for k in (
            "error", "warning", "info")] + [str(expected["score"])]
        # the official tables are there, in the layout's labels
        t3 = tree.get_element_by_id(f"r{n}-table3")
        assert "三、收到和处理政府信息公开申请情况" in t3.text_content()


def test_seed_003_layout_finding_is_highlighted_and_linked(client):
    tree = tree_of(upload(client, SEED["003"]))
    (item,) = finding_items(tree, "r1")
    assert item.get("id") == "r1-f1" and "F-LAYOUT-YEAR" in item.text_content()
    assert item.xpath(".//span[contains(@class, 'sev-error')]")[0].text == "错误"
    link = item.xpath(".//a[@class='goto']")[0]
    assert link.get("href") == "#r1-meta-layout" and link.text == "查看该项"
    cell = tree.get_element_by_id("r1-meta-layout")
    assert cell.get("class") == "flag-error" and cell.text.startswith("2019 年版")
    assert tree.get_element_by_id("r1-meta-year").get("class") is None
    assert tree.xpath("//div[@class='official-tables tables-flag-error']/table/@id") == [
        "r1-table2", "r1-table3", "r1-table4"]  # the 2019 tables themselves are marked too
    rule = all_rules()["F-LAYOUT-YEAR"]
    doc = item.xpath(".//details[@class='rule-details']")[0].text_content()
    for text in (rule.doc.what, rule.doc.why, rule.doc.fix, rule.basis):
        assert text in doc
    assert item.xpath(".//a[@href='/rules/F-LAYOUT-YEAR']")
    assert "应为：2021" in item.text_content() and "实为：2019" in item.text_content()


def test_seed_004_numbering_finding_points_at_its_section(client):
    tree = tree_of(upload(client, SEED["004"]))
    (item,) = finding_items(tree, "r1")
    assert "F-NUMBERING" in item.text_content()
    assert item.xpath(".//a[@class='goto']/@href") == ["#r1-section-overview"]
    assert "位置：部分“1、 总体情况”" in item.text_content()
    section = tree.get_element_by_id("r1-section-overview")
    assert section.get("class") == "report-section flag-warning"
    assert section.xpath("./h4")[0].text == "1、 总体情况"
    assert tree.get_element_by_id("r1-section-proactive").get("class") == "report-section"


def test_table_finding_highlights_its_cells_and_links_both_ways(client):
    tree = tree_of(upload(client, ("bad.txt", unbalanced_text().encode())))
    t3 = tree.get_element_by_id("r1-table3")
    flagged = t3.xpath(".//td[contains(@class, 'flag-error')]")
    ids = [td.get("id") for td in flagged]
    assert "r1-table3-total_processed-natural_person" in ids
    items = {li.get("id"): li for li in finding_items(tree, "r1")}
    for td in flagged:
        for mark in td.xpath("./a[@class='mark']"):
            li = items[mark.get("href")[1:]]
            assert f"#{td.get('id')}" in li.xpath(".//a[@class='goto']/@href")
    bal = next(li for li in items.values() if "T3-BAL" in li.text_content())
    assert bal.xpath(".//a[@class='goto']")[0].text == "在表中查看"


def test_unreadable_files_show_their_error_and_the_others_still_show(client):
    r = upload(client, ("empty.txt", b""), ("blob.bin", bytes(range(256)) * 40),
               ("notes.txt", "今天天气很好。".encode()), SEED["001"])
    assert r.status_code == 200
    tree = tree_of(r)
    notices = [n.text_content() for n in tree.xpath("//div[@class='notice error']")]
    assert len(notices) == 3
    assert MESSAGES["empty_input"] in notices[0] and "[empty_input]" in notices[0]
    assert "[binary_input]" in notices[1] and "[not_a_report]" in notices[2]
    assert tree.xpath("//article[@id='r4']") and len(keys_of(r)) == 1
    assert "樟树市人社局" in tree.xpath("//section[@id='file-4']")[0].text_content()


def test_script_in_text_and_agency_name_is_shown_escaped(client):
    r = upload(client, (f"{EVIL_NAME}.txt", evil_report()))
    assert r.status_code == 200
    assert EVIL not in r.text and "<script>alert" not in r.text
    assert f"泗水县{ESCAPED}机关事务服务中心" in r.text  # agency, in the summary and the meta
    assert f"本段含有{ESCAPED}脚本。" in r.text  # the text of part one
    assert "&lt;img src=x onerror=alert(1)&gt;.txt" in r.text  # the file name
    tree = tree_of(r)
    assert tree.get_element_by_id("r1-meta-agency").text == f"泗水县{EVIL}机关事务服务中心"
    assert not tree.xpath("//article//script")
    html = client.get(f"/check/files/{keys_of(r)[0]}/report.html").text
    assert EVIL not in html and ESCAPED in html


def test_uploaded_html_is_never_rendered_as_html(client):
    page = (ROOT / "examples" / "001_人社局.html").read_text(encoding="utf-8")
    page = page.replace("<h3>一、总体情况</h3>", "<h3>一、总体情况</h3><p>做好&lt;script&gt;alert(2)"
                        "&lt;/script&gt;工作<img src=x onerror=alert(3)><script>alert(4)</script>"
                        "<iframe src='https://example.com/'></iframe></p>")
    r = upload(client, ("年报.html", page.encode()))
    assert r.status_code == 200
    article = r.text[r.text.index('<article class="report-view"'):]
    for raw in ("<script>alert", "<img", "<iframe", "onerror=", "example.com", "<style"):
        assert raw not in article
    assert "做好&lt;script&gt;alert(2)&lt;/script&gt;工作" in article
    assert "&lt;中华人民共和国政府信息公开工作年度报告格式&gt;" in article  # escaped text stays text


# ----------------------------------------------------------------------------- limits
def test_too_large_file_is_refused_with_its_name(make_client):
    client = make_client(max_upload_bytes=5000)
    r = upload(client, SEED["000"])
    assert r.status_code == 413 and "text/html" in r.headers["content-type"]
    assert f"文件“{SEED['000'].name}”过大（超过 4.9 KB 的上限）" in r.text
    assert "<code>file_too_large</code>" in r.text


def test_too_many_files_are_refused(make_client):
    client = make_client(max_upload_files=2)
    r = upload(client, *SEEDS[:3])
    assert r.status_code == 400
    assert "一次最多上传 2 个文件，本次有 3 个；请分批上传。" in r.text and "too_many_files" in r.text


def test_far_too_large_request_is_refused_before_it_is_read(make_client):
    client = make_client(max_upload_bytes=1000, max_upload_files=1)
    big = ("big.txt", b"x" * 400_000)
    # no CSRF token: the size is refused before the CSRF check would read the form
    r = upload(client, big, csrf=False)
    assert r.status_code == 413 and "upload_too_large" in r.text
    assert "一次最多上传 1 个文件，每个不超过 1000 B" in r.text
    # without a Content-Length (chunked), reading stops once past the limit
    body = b"".join([b"--b\r\nContent-Disposition: form-data; name=files; filename=a\r\n\r\n",
                     b"x" * 400_000, b"\r\n--b--\r\n"])
    r = client.post("/check", content=iter([body[i:i + 65536] for i in range(0, len(body), 65536)]),
                    headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert r.status_code == 413 and "upload_too_large" in r.text


def test_no_file_is_a_clear_error(client):
    r = client.post("/check", data={"csrf_token": csrf_of(client)},
                    files=[("files", ("", b"", "application/octet-stream"))])
    assert r.status_code == 400 and "没有收到任何文件" in r.text


def test_upload_without_csrf_token_is_refused(client):
    r = upload(client, SEED["000"], csrf=False)
    assert r.status_code == 403 and "CSRF" in r.text


# ----------------------------------------------------------------------------- downloads
@pytest.fixture
def checked(client):
    r = upload(client, SEED["000"])
    return client, keys_of(r)[0]


def test_json_download_equals_cli_check_json(checked):
    client, key = checked
    r = client.get(f"/check/files/{key}/findings.json")
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    assert r.text == cli_check_json(SEED["000"])
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"000_e82d2d3766b8bac6.____.json\"; "
        "filename*=UTF-8''000_e82d2d3766b8bac6.%E6%A3%80%E6%9F%A5%E7%BB%93%E6%9E%9C.json")


def test_xlsx_download_has_the_findings(checked):
    client, key = checked
    r = client.get(f"/check/files/{key}/findings.xlsx")
    assert r.status_code == 200 and "spreadsheetml" in r.headers["content-type"]
    book = load_workbook(io.BytesIO(r.content))
    rows = list(book["问题"].iter_rows(values_only=True))
    assert rows[0][:4] == ("n", "code", "severity", "message")
    assert rows[1][:4] == ("序号", "规则代码", "级别", "说明")
    expected = json.loads(cli_check_json(SEED["000"]))["findings"]
    assert [(r[1], r[2], r[3]) for r in rows[2:]] == [
        (f["code"], "警告", f["message"]) for f in expected]
    assert rows[2][-1] == all_rules()["F-TEMPLATE-OUTDATED"].title
    summary = dict(row[:2] for row in book["报告"].iter_rows(min_row=3, values_only=True))
    assert summary["发布机关"] == "樟树市机关事务管理中心" and summary["得分"] == 97


def test_html_download_is_the_self_contained_report(checked):
    client, key = checked
    r = client.get(f"/check/files/{key}/report.html")
    assert r.status_code == 200 and r.headers["content-disposition"].startswith("attachment;")
    assert_self_contained(r.text)
    assert "F-TEMPLATE-OUTDATED" in r.text and "樟树市机关事务管理中心" in r.text


def test_expired_or_foreign_upload_asks_to_upload_again(checked, make_client):
    client, key = checked
    for url in ("/check/files/nope/findings.json", "/check/files/nope/findings.xlsx",
                "/check/files/nope/report.html"):
        r = client.get(url)
        assert r.status_code == 410 and "请在“检查”页面重新上传" in r.text
    other = make_client()  # another browser: its session does not own the upload
    assert other.get(f"/check/files/{key}/findings.json").status_code == 410


def test_cache_drops_the_oldest_and_expired_uploads():
    from nianbao.web.uploads import UploadCache

    cache = UploadCache(max_bytes=10, ttl=60, max_entries=3)
    a = cache.put("me", "a", b"12345")
    b = cache.put("me", "b", b"12345")
    assert cache.get("me", a) and cache.get("you", a) is None
    cache.put("me", "c", b"1")  # 11 bytes: a goes
    assert cache.get("me", a) is None and cache.get("me", b).name == "b"
    cache.ttl = -1
    assert cache.get("me", b) is None


# ----------------------------------------------------------------------------- save
def test_editor_saves_a_checked_report_and_sees_it_stored(as_role):
    editor = as_role("editor")
    tree = tree_of(upload(editor, SEED["003"]))
    form = tree.xpath("//form[contains(@action, '/save')]")[0]
    r = editor.post(form.get("action"), data={"csrf_token": csrf_of(editor)},
                    follow_redirects=False)
    assert r.status_code == 303
    report_id = int(re.fullmatch(r"/reports/(\d+)\?saved=ingested", r.headers["location"])[1])
    page = editor.get(r.headers["location"])
    assert page.status_code == 200 and "已保存到年报库。" in page.text
    assert "泗水县机关事务服务中心" in page.text and "F-LAYOUT-YEAR" in page.text
    again = editor.post(form.get("action"), data={"csrf_token": csrf_of(editor)},
                        follow_redirects=False)
    assert again.headers["location"] == f"/reports/{report_id}?saved=unchanged"


def test_saving_needs_an_editor_and_a_csrf_token(client, as_role):
    for who, status, code in ((client, 401, "login_required"),
                              (as_role("viewer"), 403, "forbidden")):
        tree = tree_of(upload(who, SEED["000"]))
        assert not tree.xpath("//form[contains(@action, '/save')]")  # no button either
        key = keys_of(upload(who, SEED["000"]))[0]
        r = who.post(f"/check/files/{key}/save", data={"csrf_token": csrf_of(who)})
        assert r.status_code == status and f"<code>{code}</code>" in r.text
    editor = as_role("editor")
    key = keys_of(upload(editor, SEED["000"]))[0]
    r = editor.post(f"/check/files/{key}/save")
    assert r.status_code == 403 and "csrf_failed" in r.text
    r = editor.post("/check/files/gone/save", data={"csrf_token": csrf_of(editor)})
    assert r.status_code == 410 and "upload_expired" in r.text
