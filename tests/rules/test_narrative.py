"""Family N: the narrative against the tables, on edited copies of a clean synthetic report.

Rules reading ``report.narrative`` need the parser's figures, so most cases edit the
report's printed text and parse it again; rules reading section text alone also work on
a mutated copy of the parsed base report.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

import nianbao
from nianbao import synth
from nianbao.render import render
from tests.rules.helpers import BASE_SEED, base, findings, mutated

SEEDS = Path(__file__).resolve().parents[1] / "fixtures" / "seeds"
N_CODES = ("N-APPS", "N-CARRY", "N-REVIEW", "N-LITIGATION", "N-NORMATIVE", "N-BREAKDOWN",
           "N-FEE-SILENT", "N-SEC5-TRIVIAL")

# What the base report (seed 7, 2021 layout, report year 2021) says and tabulates:
LISTING = "共主动公开政府信息35条，其中政策文件8条、部门文件11条、组织管理9条、工作动态7条。"
REQUESTS = "共收到政府信息公开申请31件，上年结转0件，办结28件，结转下年度继续办理3件。"
FEE = "2021年度，我局未收取政府信息公开信息处理费。"


@cache
def _text(layout: str) -> str:
    return render(synth.generate(BASE_SEED, layout=layout, noise=synth.Noise()), "text").decode()


def edited(*replacements: tuple[str, str], layout: str = "2021") -> nianbao.Report:
    """The base report with its printed text edited, parsed again."""
    text = _text(layout)
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return nianbao.parse(text.encode())


def set_text(key: str, text: str):
    def fn(r: nianbao.Report) -> None:
        next(s for s in r.sections if s.key == key).text = text
    return fn


def messages(report: nianbao.Report, code: str) -> list[str]:
    return [f.message for f in nianbao.check(report, select=[code]).findings]


@pytest.mark.parametrize("layout", ["2021", "2019"])
def test_base_reports_are_clean(layout):
    r = base(layout)
    assert [f.code for f in nianbao.check(r, select=list(N_CODES)).findings] == []


# ----------------------------------------------------------------------------- N-APPS
def test_apps_stated_count_differs_from_table():
    r = edited((REQUESTS, REQUESTS.replace("申请31件", "申请33件")))
    assert findings(r, "N-APPS") == [("N-APPS", "table3", "new_received", "total", 31, 33)]
    assert messages(r, "N-APPS") == [
        "正文称本年收到政府信息公开申请 33 件（“收到政府信息公开申请33件”），"
        "表三“一、本年新收政府信息公开申请数量”总计为 31 件。"]
    f = nianbao.check(r, select=["N-APPS"]).findings[0]
    assert f.location.section == "overview" and f.location.source is not None


def test_apps_none_received_but_table_has_some():
    r = edited((REQUESTS, "未收到政府信息公开申请。"))
    assert findings(r, "N-APPS") == [("N-APPS", "table3", "new_received", "total", 31, 0)]


def test_apps_agreeing_or_out_of_scope_is_silent():
    assert findings(base(), "N-APPS") == []
    # the whole county's figure is not the agency's table
    r = edited(("我局共收到政府信息公开申请31件", "全县共收到政府信息公开申请95件"))
    assert findings(r, "N-APPS") == []


def test_apps_count_including_carried_over_when_said_so():
    def carried(r):
        r.table3["new_received"]["total"] = 29
        r.table3["carried_over"]["total"] = 2
    r = edited((REQUESTS, "共收到政府信息公开申请31件（含上年结转2件）。"))
    carried(r)
    assert findings(r, "N-APPS") == []
    r = edited((REQUESTS, "共收到政府信息公开申请31件。"))
    carried(r)
    assert findings(r, "N-APPS") == [("N-APPS", "table3", "new_received", "total", 29, 31)]


# ----------------------------------------------------------------------------- N-CARRY
def test_carry_forward_differs():
    r = mutated(lambda r: r.table3["carried_forward"].update(total=2))
    assert findings(r, "N-CARRY") == [("N-CARRY", "table3", "carried_forward", "total", 2, 3)]
    assert messages(r, "N-CARRY") == [
        "正文称结转下年度继续办理的申请 3 件（“结转下年度继续办理3件”），"
        "表三“四、结转下年度继续办理”总计为 2 件。"]


def test_carry_over_differs_in_several_phrasings():
    for sentence in ("共收到政府信息公开申请31件，上年结转2件，办结28件。",
                     "共收到政府信息公开申请31件，另有2件为上年结转申请。",
                     "共收到政府信息公开申请31件，2020年结转的申请2件。"):
        r = edited((REQUESTS, sentence))
        assert findings(r, "N-CARRY") == [("N-CARRY", "table3", "carried_over", "total", 0, 2)], \
            sentence


def test_carry_stated_absence():
    r = mutated(set_text("overview", "本年度无上年结转的申请。"))
    r.table3["carried_over"]["total"] = 4
    assert findings(r, "N-CARRY") == [("N-CARRY", "table3", "carried_over", "total", 4, 0)]


def test_carry_silent_when_unsure():
    assert findings(base(), "N-CARRY") == []
    for text in (
        "上年结转2件，办结28件。后文又称上年结转3件。",  # two values: which one?
        "结转至2023年继续办理5件。",  # not the next year of a 2021 report
        "上年结转项目资金2件。",  # not applications
        "全县上年结转申请6件。",  # not this agency's table
    ):
        r = mutated(set_text("overview", text))
        assert findings(r, "N-CARRY") == [], text
    r = mutated(set_text("overview", "结转至2022年继续办理5件。"))
    assert findings(r, "N-CARRY") == [("N-CARRY", "table3", "carried_forward", "total", 3, 5)]


# ----------------------------------------------------------------------------- N-REVIEW / N-LITIGATION
APPEALS = "本年度因政府信息公开被申请行政复议2件，被提起行政诉讼1件。"


def test_review_and_litigation_differ():
    r = edited((REQUESTS, REQUESTS + APPEALS))
    assert findings(r, "N-REVIEW") == [("N-REVIEW", "table4", "review", "total", 0, 2)]
    assert findings(r, "N-LITIGATION") == [("N-LITIGATION", "table4", None, None, 0, 1)]
    assert messages(r, "N-LITIGATION") == [
        "正文称政府信息公开行政诉讼 1 件（“行政诉讼1件”），"
        "表四行政诉讼（未经复议直接起诉、复议后起诉）总计之和为 0 件。"]


def test_review_and_litigation_agree():
    r = edited((REQUESTS, REQUESTS + APPEALS))
    r.table4["review"].update(upheld=2, total=2)
    r.table4["litigation_after_review"].update(pending=1, total=1)
    assert findings(r, "N-REVIEW") == []
    assert findings(r, "N-LITIGATION") == []


def test_stated_absence_of_appeals():
    r = edited((REQUESTS, REQUESTS + "全年未发生政府信息公开行政复议案件，未被提起行政诉讼。"))
    assert findings(r, "N-REVIEW") == [] and findings(r, "N-LITIGATION") == []
    r.table4["review"].update(corrected=1, total=1)
    r.table4["litigation_direct"].update(upheld=1, total=1)
    r.table4["litigation_after_review"].update(upheld=1, total=1)
    assert findings(r, "N-REVIEW") == [("N-REVIEW", "table4", "review", "total", 1, 0)]
    assert findings(r, "N-LITIGATION") == [("N-LITIGATION", "table4", None, None, 2, 0)]


def test_litigation_skipped_when_a_group_is_blank():
    r = edited((REQUESTS, REQUESTS + APPEALS))
    r.table4["litigation_direct"]["total"] = None
    assert findings(r, "N-LITIGATION") == []


# ----------------------------------------------------------------------------- N-NORMATIVE
def test_normative_figures_differ():
    # base table 二: 行政规范性文件 issued 0, repealed 0, in force 2
    r = mutated(set_text("proactive", "本年制发行政规范性文件1件，废止0件，现行有效规范性文件3件。"))
    assert findings(r, "N-NORMATIVE") == [
        ("N-NORMATIVE", "table2", "normative_documents", "issued", 0, 1),
        ("N-NORMATIVE", "table2", "normative_documents", "in_force", 2, 3),
    ]
    assert messages(r, "N-NORMATIVE")[0] == (
        "正文称本年制发规范性文件 1 件（“制发行政规范性文件1件”），"
        "表二“行政规范性文件”的“本年制发件数”为 0。")


def test_normative_other_phrasings():
    for text in ("全年共印发2件规范性文件。", "行政规范性文件制发2件。"):
        r = mutated(set_text("proactive", text))
        assert findings(r, "N-NORMATIVE") == [
            ("N-NORMATIVE", "table2", "normative_documents", "issued", 0, 2)], text


def test_normative_silent_when_agreeing_or_foreign():
    for text in (
        "本年制发行政规范性文件0件，现行有效2件。",  # agrees
        "全县制发行政规范性文件10件。",  # the whole county
        "2020年制发规范性文件3件。",  # another year
        "累计制发规范性文件30件。",  # cumulative
        "制发规章和规范性文件共4件。",  # a joint figure
        "今年制发规范性文件1件，上年制发3件。",  # two periods in one sentence
    ):
        r = mutated(set_text("proactive", text))
        assert findings(r, "N-NORMATIVE") == [], text


def test_normative_2019_layout_uses_made():
    r = mutated(set_text("proactive", "本年制发规范性文件3件。"), layout="2019")
    assert findings(r, "N-NORMATIVE") == [
        ("N-NORMATIVE", "table2", "normative_documents", "made", 0, 3)]
    r = mutated(set_text("proactive", "现行有效规范性文件3件。"), layout="2019")
    assert findings(r, "N-NORMATIVE") == []  # no such column in the 2019 table


# ----------------------------------------------------------------------------- N-BREAKDOWN
def test_breakdown_not_summing():
    r = edited((LISTING, LISTING.replace("工作动态7条", "工作动态6条")))
    assert findings(r, "N-BREAKDOWN") == [("N-BREAKDOWN", None, None, None, 34, 35)]
    assert messages(r, "N-BREAKDOWN") == [
        "第一部分“2021年，我局通过安义县人民政府门户网站共主动公开政府信息35条，其中”："
        "所列各项（8+11+9+6）之和为 34条，与所称总数 35条 不符。"]


@pytest.mark.parametrize("text", [
    "共收到申请10件，其中自然人6件，其他3件。",  # a catch-all item
    "共收到申请10件，分别为自然人6件、法人3件。",  # 分别为
    "共公开信息12条。其中，部门文件4条，组织管理4条，机构职能1条。",  # across 。其中
    "共公开信息12条，其中部门文件4条（含规范性文件1条）、组织管理4条、机构职能1条。",
])
def test_breakdown_exhaustive_forms(text):
    r = mutated(set_text("overview", text))
    assert len(findings(r, "N-BREAKDOWN")) == 1, text


@pytest.mark.parametrize("text", [
    LISTING,  # sums
    "共收到申请10件，其中自然人6件、法人3件。",  # two items: maybe only the notable ones
    "共公开信息34条，其中工作动态20条，部门预决算公开表，履职依据及政策解读9条等相关信息。",
    "共公开信息30条，其中政务动态10条、通知公告5条、政策文件3条等。",
    "共发布信息100条，其中门户网站发布100条、政务微信发布60条、政务微博发布20条。",
    "共公开信息30条，其中政务动态10条、通知公告5条、政策文件3条，同比增长20%。",
    "共公开信息30条，其中政务动态10条、较上年增加5条、政策文件3条。",
    "共公开信息100条，其中政务动态54条，其中要闻10条、通知44条，政策文件46条。",
    "共公开信息约500条，其中政务动态200条、通知公告100条、政策文件50条。",  # approximate
    "共公开信息500条，其中政务动态近200条、通知公告100条、政策文件50条。",
    "共公开信息1,234条，其中政策文件34条、工作动态200条、通知公告1000条。",  # 1,234 is not 234
])
def test_breakdown_open_or_unclear_lists_are_silent(text):
    r = mutated(set_text("overview", text))
    assert findings(r, "N-BREAKDOWN") == [], text


def test_seed_004_open_list_is_silent_even_when_it_does_not_add_up():
    text = (SEEDS / "004_0ad899b258b6cd23.txt").read_text(encoding="utf-8")
    assert findings(nianbao.parse(text.encode()), "N-BREAKDOWN") == []
    broken = text.replace("工作动态25条", "工作动态20条")
    assert findings(nianbao.parse(broken.encode()), "N-BREAKDOWN") == []


def test_seed_001_exhaustive_list_fires_when_broken():
    text = (SEEDS / "001_80089ffcafa3ad57.txt").read_text(encoding="utf-8")
    assert findings(nianbao.parse(text.encode()), "N-BREAKDOWN") == []
    broken = text.replace("政务动态54条", "政务动态45条")
    assert findings(nianbao.parse(broken.encode()), "N-BREAKDOWN") == [
        ("N-BREAKDOWN", None, None, None, 108, 117)]


# ----------------------------------------------------------------------------- N-FEE-SILENT
def test_fee_silent():
    r = edited((FEE, "无其他需要报告的事项。"))
    assert findings(r, "N-FEE-SILENT") == [("N-FEE-SILENT", None, None, None, None, None)]
    assert messages(r, "N-FEE-SILENT") == [
        "第六部分“六、其他需要报告的事项”没有说明收取信息处理费的情况。"]
    r = edited((FEE, ""))  # heading only
    assert len(findings(r, "N-FEE-SILENT")) == 1


@pytest.mark.parametrize("text", [
    FEE,
    "本年度没有产生信息公开处理费。",
    "严格落实《政府信息公开信息处理费管理办法》，未向申请人收取任何费用。",
    "本机关不收费。",
])
def test_fee_stated(text):
    r = edited((FEE, text))
    assert findings(r, "N-FEE-SILENT") == [], text


def test_fee_stated_elsewhere_or_before_2021_is_silent():
    r = edited((FEE, "无其他需要报告的事项。"),
               (REQUESTS, REQUESTS + "本年度未收取信息处理费。"))
    assert findings(r, "N-FEE-SILENT") == []
    r = edited((FEE, "无其他需要报告的事项。"), layout="2019")
    assert len(findings(r, "N-FEE-SILENT")) == 1  # a 2021 report in the 2019 layout
    r.meta.year = 2020
    assert findings(r, "N-FEE-SILENT") == []


# ----------------------------------------------------------------------------- N-SEC5-TRIVIAL
@pytest.mark.parametrize("text,state", [
    ("无。", "只有“无。”"),
    ("", "没有内容"),
    ("今后将进一步做好政府信息公开工作。", "只有“今后将进一步做好政府信息公开工作。”"),
    ("（一）存在问题\n无\n（二）改进情况\n无", "只有“（一）存在问题\n无\n（二）改进情况\n无”"),
])
def test_sec5_trivial(text, state):
    r = mutated(set_text("problems", text))
    assert [(f.code, f.location.section) for f in nianbao.check(r, select=["N-SEC5-TRIVIAL"]).findings
            ] == [("N-SEC5-TRIVIAL", "problems")]
    assert messages(r, "N-SEC5-TRIVIAL") == [
        f"第五部分“五、存在的主要问题及改进情况”{state}，没有具体说明存在的主要问题及改进情况。"]


def test_sec5_substantial_is_silent():
    assert findings(base(), "N-SEC5-TRIVIAL") == []
    r = mutated(set_text("problems", "存在的问题主要是政策解读形式单一、依申请公开答复文书不够规范，"
                                     "下一步将丰富图解、视频等解读形式，并组织答复文书专题培训。"))
    assert findings(r, "N-SEC5-TRIVIAL") == []


def test_missing_sections_are_left_to_the_format_rules():
    def drop(r):
        r.sections = [s for s in r.sections if s.key not in ("problems", "other")]
    r = mutated(drop)
    assert findings(r, "N-SEC5-TRIVIAL") == [] and findings(r, "N-FEE-SILENT") == []


# ----------------------------------------------------------------------------- generated reports
def test_generated_valid_reports_get_no_narrative_findings():
    """No N rule (of any severity) fires on 200 generated, consistent reports."""
    for seed in range(200):
        r = nianbao.parse(render(synth.generate(seed, layout=None), "text"))
        got = [(f.code, f.message) for f in nianbao.check(r, select=list(N_CODES)).findings]
        assert got == [], (seed, got)
