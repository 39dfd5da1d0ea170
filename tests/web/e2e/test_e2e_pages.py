"""The pages in a real browser: check an upload, filter the corpus, an agency's page, a
comparison, and report content that tries to run a script."""

from __future__ import annotations

import re

from tests.helpers import ROOT
from tests.web.e2e.conftest import SERIES, login

SEED_003 = next((ROOT / "tests" / "fixtures" / "seeds").glob("003_*.txt"))


def test_upload_a_seed_and_see_its_highlighted_finding(page):
    page.goto("/check")
    page.set_input_files("input[type=file][name=files]", str(SEED_003))
    assert SEED_003.name in page.locator(".dropzone .file-names").inner_text()
    page.click("form.check-form button[type=submit]")
    page.wait_for_load_state()
    finding = page.locator("li.finding", has_text="F-LAYOUT-YEAR")
    assert finding.count() == 1
    assert "2019" in finding.locator(".finding-message").inner_text()
    link = finding.locator("a.goto")
    target = link.get_attribute("data-target")
    flagged = page.locator(f"#{target}")
    assert re.search(r"flag-(error|warning)", flagged.get_attribute("class") or "")
    link.click()
    page.wait_for_function(f"document.getElementById('{target}').classList.contains('target')")
    assert page.url.endswith(f"#{target}")
    finding.locator("details.rule-details summary").click()
    assert "如何修改" in finding.locator("details.rule-details").inner_text()


def test_filter_the_corpus(page):
    page.goto("/reports")
    rows = page.locator("#corpus-results tbody tr")
    everything = rows.count()
    assert everything >= 7  # five seeds and two years of one agency
    page.fill("#f-q", SERIES)
    page.wait_for_function(
        "document.querySelectorAll('#corpus-results tbody tr').length === 2")
    assert "q=" in page.url  # the filter is in the address (htmx pushed it)
    assert all(SERIES in t for t in rows.all_inner_texts())
    page.go_back()
    page.wait_for_function(
        f"document.querySelectorAll('#corpus-results tbody tr').length === {everything}")


def test_open_an_agency_page_and_compare_two_years(page):
    page.goto("/agencies")
    page.fill("input[name=q]", SERIES)
    page.press("input[name=q]", "Enter")
    page.wait_for_load_state()
    page.click(f"a:has-text('{SERIES}')")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == SERIES
    # the chart is drawn by plotly.js, served by the application itself
    page.wait_for_selector("#agency-chart .main-svg")
    page.click("a.compare-previous")
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "对比两份报告"
    body = page.locator("main").inner_text()
    assert "2022" in body and "2023" in body
    assert page.locator("ins, del").count() > 0  # the two years' texts differ


def test_script_in_a_report_never_runs(page, tmp_path):
    """An uploaded report (text and web page) whose content carries scripts: shown as
    text, never run, and the uploaded web page is never rendered as a page."""
    text = SEED_003.read_text(encoding="utf-8")
    attack = "<script>window.__xss = 1</script><img src=x onerror=\"window.__xss = 2\">"
    first_paragraph = text.index("\n", text.index("一、总体情况")) + 1
    poisoned = text[:first_paragraph] + attack + text[first_paragraph:]
    as_text = tmp_path / "poisoned.txt"
    as_text.write_text(poisoned, encoding="utf-8")
    as_page = tmp_path / "poisoned.html"
    as_page.write_text("<html><body>" + "".join(f"<p>{line}</p>" for line in
                                                poisoned.splitlines()) + attack + "</body></html>",
                       encoding="utf-8")
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto("/check")
    page.set_input_files("input[type=file][name=files]", [str(as_text), str(as_page)])
    page.click("form.check-form button[type=submit]")
    page.wait_for_load_state()
    page.wait_for_timeout(300)  # time for an onerror handler to fire, if one were present
    assert page.evaluate("window.__xss") is None
    assert not dialogs
    assert page.locator("main img").count() == 0
    assert "<script>window.__xss = 1</script>" in page.locator("main").inner_text()


def test_an_editor_saves_a_checked_report(page):
    login(page, "editor1")
    page.goto("/check")
    page.set_input_files("input[type=file][name=files]", str(SEED_003))
    page.click("form.check-form button[type=submit]")
    page.wait_for_load_state()
    page.click("button:has-text('保存到年报库')")
    page.wait_for_load_state()
    assert re.search(r"/reports/\d+", page.url)
    assert page.locator("li.finding", has_text="F-LAYOUT-YEAR").count() == 1
