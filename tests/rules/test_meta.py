"""Family M: period, years, publication date, contact, download place, agency.

The base report (seed 7, 2021 layout) is a 2021 report by 安义县人力资源和社会保障局 (a
部门), period 2021-01-01/2021-12-31, dated 2022-01-06, with address, phone and postcode.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import nianbao
from nianbao import synth
from nianbao.model import Contact
from nianbao.render import render
from tests.rules.helpers import BASE_SEED, base, mutated

SEEDS = Path(__file__).parents[1] / "fixtures" / "seeds"
M_RULES = ("M-PERIOD", "M-NO-PERIOD", "M-YEAR-AGREE", "M-LATE", "M-CONTACT", "M-DOWNLOAD",
           "M-AGENCY")


def where(report: nianbao.Report, code: str) -> list[tuple]:
    """(code, section or field, expected, found) of one rule's findings."""
    return [(f.code, f.location.section or f.location.field, f.expected, f.found)
            for f in nianbao.check(report, select=[code]).findings]


def messages(report: nianbao.Report, code: str) -> list[str]:
    return [f.message for f in nianbao.check(report, select=[code]).findings]


def setter(**meta):
    def fn(r: nianbao.Report) -> None:
        for k, v in meta.items():
            setattr(r.meta, k, v)
    return fn


@cache
def _text() -> str:
    return render(synth.generate(BASE_SEED, layout="2021", noise=synth.Noise()), "text").decode()


def edited(*replacements: tuple[str, str]) -> nianbao.Report:
    text = _text()
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return nianbao.parse(text.encode())


@cache
def seed(prefix: str) -> nianbao.Report:
    return nianbao.parse(next(SEEDS.glob(f"{prefix}_*.txt")))


def test_base_report_has_no_metadata_findings():
    result = nianbao.check(base(), select=list(M_RULES))
    assert result.findings == []


# ----------------------------------------------------------------------------- M-PERIOD
def test_period_short_of_the_year():
    r = mutated(setter(period=("2021-01-01", "2021-11-30")))
    assert where(r, "M-PERIOD") == [
        ("M-PERIOD", "period", "2021-01-01/2021-12-31", "2021-01-01/2021-11-30")]
    assert messages(r, "M-PERIOD") == [
        "统计期限写的是2021-01-01至2021-11-30，2021年度报告应为2021年1月1日至2021年12月31日。"]


def test_period_across_two_years_read_from_the_text():
    r = edited(("统计期限自2021年1月1日起至2021年12月31日止", "统计期限自2020年12月1日起至2021年11月30日止"))
    assert where(r, "M-PERIOD") == [
        ("M-PERIOD", "period", "2021-01-01/2021-12-31", "2020-12-01/2021-11-30")]


def test_whole_year_period_is_silent_even_in_another_year():
    assert where(base(), "M-PERIOD") == []
    # a whole calendar year of the wrong year is M-YEAR-AGREE's, not M-PERIOD's
    assert where(mutated(setter(period=("2020-01-01", "2020-12-31"))), "M-PERIOD") == []
    assert where(mutated(setter(period=None)), "M-PERIOD") == []


# ----------------------------------------------------------------------------- M-NO-PERIOD
def test_no_period_stated():
    r = edited(("本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。", ""))
    assert r.meta.period is None
    assert where(r, "M-NO-PERIOD") == [("M-NO-PERIOD", "period", "2021-01-01/2021-12-31", None)]
    assert nianbao.check(r, select=["M-NO-PERIOD"]).findings[0].severity == "info"
    assert where(base(), "M-NO-PERIOD") == []


# ----------------------------------------------------------------------------- M-YEAR-AGREE
def test_period_of_another_year():
    r = edited(("统计期限自2021年1月1日起至2021年12月31日止", "统计期限自2020年1月1日起至2020年12月31日止"))
    assert where(r, "M-YEAR-AGREE") == [("M-YEAR-AGREE", "period", 2021, 2020)]
    assert messages(r, "M-YEAR-AGREE") == ["报告年份前后不一致：统计期限是2020年，标题、正文是2021年。"]


def test_title_is_the_odd_one_out():
    r = mutated(setter(title="安义县人力资源和社会保障局2020年政府信息公开工作年度报告", year=2020))
    assert where(r, "M-YEAR-AGREE") == [("M-YEAR-AGREE", "title", 2021, 2020)]


def test_sentence_copied_from_last_years_report():
    r = edited(("2021年，我局共收到政府信息公开申请31件", "2020年，我局共收到政府信息公开申请31件"))
    assert where(r, "M-YEAR-AGREE") == [("M-YEAR-AGREE", "overview", 2021, 2020)]
    assert messages(r, "M-YEAR-AGREE") == [
        "报告年份前后不一致：正文“2020年，我局共收到政府信息公开申请31件，上年结转0件，办结28件，"
        "结转下年度继续办理3件”是2020年，标题、统计期限、正文是2021年。"]


@pytest.mark.parametrize("sentence", [
    "2022年，我局将进一步拓展公开渠道，计划公开信息100条。",  # plans for next year
    "2020年12月，我局修订了公开指南1份。",  # a date, not the year's figures
    "2019年以来，我局累计公开信息1200条。",  # a span
    "2020年，我局深入推进政务公开标准化建设。",  # no figure stated
    "2020年同期收到申请25件。",  # a comparison with last year
])
def test_sentences_that_are_not_this_years_figures_are_silent(sentence):
    r = edited(("（三）政府信息管理\n", f"（三）政府信息管理\n{sentence}\n"))
    assert where(r, "M-YEAR-AGREE") == []


def test_next_years_plans_in_section_five_are_silent():
    r = edited(("2022年，我局将进一步拓展公开渠道", "2022年，我局将新增公开栏目3个"))
    assert where(r, "M-YEAR-AGREE") == []


def test_signing_date_inside_the_report_year():
    r = mutated(setter(published="2021-01-20"))
    assert where(r, "M-YEAR-AGREE") == [("M-YEAR-AGREE", "published", 2022, 2021)]
    assert messages(r, "M-YEAR-AGREE") == [
        "报告年份前后不一致：落款日期（2021-01-20）是2021年，按报告年度（2021）落款应是2022年。"]


def test_years_agree_in_base_and_seeds():
    assert where(base(), "M-YEAR-AGREE") == []
    for name in ("000", "001", "002", "003", "004"):
        assert where(seed(name), "M-YEAR-AGREE") == [], name


# ----------------------------------------------------------------------------- M-LATE
def test_department_report_published_after_31_january():
    r = mutated(setter(published="2022-02-15"))
    assert where(r, "M-LATE") == [("M-LATE", "published", "2022-01-31", "2022-02-15")]
    assert messages(r, "M-LATE") == [
        "落款（公布）日期为2022-02-15，晚于法定期限2022-01-31（政府部门应在每年1月31日前公布上一年度报告）。"]


@pytest.mark.parametrize(("level", "published", "late"), [
    ("部门", "2022-01-31", False),
    ("部门", "2022-02-01", True),
    ("乡镇街道", "2022-02-01", False),  # the 条例 sets no date for townships
    ("乡镇街道", "2022-04-01", True),
    ("政府", "2022-03-31", False),  # 本级政府's report: by 31 March
    ("政府", "2022-04-01", True),
    (None, "2022-03-01", False),  # level unknown: the later deadline
])
def test_deadline_by_level(level, published, late):
    r = mutated(setter(level=level, published=published))
    assert bool(where(r, "M-LATE")) is late


def test_seed_003_signed_in_time():
    assert seed("003").meta.published == "2024-01-23"
    assert where(seed("003"), "M-LATE") == []


# ----------------------------------------------------------------------------- M-CONTACT
def test_no_phone_or_email():
    r = mutated(setter(contact=Contact(address="安义县滨江大道290号")))
    assert where(r, "M-CONTACT") == [("M-CONTACT", "contact", "联系电话或电子邮箱", "联系地址")]
    assert messages(r, "M-CONTACT") == ["报告没有留下可供咨询的联系方式：未见联系电话、邮编、电子邮箱。"]


def test_no_contact_at_all_from_the_text():
    r = edited(("如对本报告有疑问，请与安义县人力资源和社会保障局联系（地址：安义县滨江大道290号；"
                "电话：0624-7290073；邮编：179455）。", ""))
    assert where(r, "M-CONTACT") == [("M-CONTACT", "contact", "联系电话或电子邮箱", None)]


def test_phone_or_email_is_enough():
    assert where(mutated(setter(contact=Contact(phone="0624-7290073"))), "M-CONTACT") == []
    assert where(mutated(setter(contact=Contact(email="a@b.cn"))), "M-CONTACT") == []
    for name in ("000", "001", "002", "003", "004"):  # 003 has phone and postcode, no address
        assert where(seed(name), "M-CONTACT") == [], name


# ----------------------------------------------------------------------------- M-DOWNLOAD, M-AGENCY
def test_no_download_place():
    r = edited(("本报告的电子版可在安义县人民政府门户网站（www.anyi.gov.cn）下载。", ""))
    assert where(r, "M-DOWNLOAD") == [("M-DOWNLOAD", "website", None, None)]
    assert where(base(), "M-DOWNLOAD") == []


def test_no_agency():
    r = mutated(setter(agency=None))
    assert where(r, "M-AGENCY") == [("M-AGENCY", "agency", None, None)]
    assert messages(r, "M-AGENCY") == ["报告的标题、引言和落款都没有写明发布机关的名称。"]
    assert where(base(), "M-AGENCY") == []


# ----------------------------------------------------------------------------- generated reports
def test_generated_reports_state_one_year_and_publish_in_time():
    """The generator dates, titles and periods its reports consistently: M-YEAR-AGREE,
    M-PERIOD and M-LATE stay silent on ~200 of them, whatever the printing noise."""
    for n in range(200):
        g = synth.generate(n, layout=None, noise=synth.Noise.realistic() if n % 2 else synth.Noise())
        r = nianbao.parse(render(g, "text"))
        fired = [f.code for f in nianbao.check(r, select=["M-YEAR-AGREE", "M-PERIOD", "M-LATE"]).findings]
        assert fired == [], (n, fired)
