"""Section headings: the five seeds read by eye, plus the messy cases real reports print."""

from __future__ import annotations

import pytest

from nianbao.document import Document, Location, Paragraph
from nianbao.layouts import layouts
from nianbao.readers.text import read_text
from nianbao.recognise.sections import find_sections, plain
from tests.helpers import SEEDS

KEYS = ["overview", "proactive", "requests", "appeals", "problems", "other"]

SEED_HEADINGS = {
    "000": ["一、总体情况", "二、行政机关主动公开政府信息情况",
            "三、行政机关收到和处理政府信息公开申请情况",
            "四、因政府信息公开工作被申请行政复议、提起行政诉讼情况",
            "五、政府信息公开工作存在的主要问题及改进情况", "六、其他需要报告的事项"],
    "003": ["一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"],
    "004": ["1、 总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
            "四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况",
            "六、其他需要报告的事项"],
}
SEED_HEADINGS["001"] = SEED_HEADINGS["002"] = SEED_HEADINGS["000"]
SEED_LINES = {"000": [5, 19, 65, 353, 409, 412], "001": [4, 16, 63, 352, 408, 411],
              "002": [5, 21, 69, 358, 414, 417], "003": [7, 19, 92, 354, 399, 401],
              "004": [5, 17, 63, 348, 395, 397]}


def _sections(text: str):
    return find_sections(read_text(text))


def _headings(text: str) -> list[tuple[str, str]]:
    return [(s.key, s.heading) for s in _sections(text)]


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_sections(seed):
    stem = seed.stem[:3]
    sections = find_sections(read_text(seed.read_text(encoding="utf-8")))
    assert [s.key for s in sections] == KEYS
    assert [s.number for s in sections] == ["一", "二", "三", "四", "五", "六"]
    assert [s.heading for s in sections] == SEED_HEADINGS[stem]
    assert [s.location.line for s in sections] == SEED_LINES[stem]
    # sections two to four hold only their tables, which are not text
    assert [s.text for s in sections[1:4]] == ["", "", ""]


def test_seed_section_text_keeps_subheadings_and_stops_at_next_section():
    sections = find_sections(read_text(SEEDS[1].read_text(encoding="utf-8")))  # 001
    overview = sections[0].text.split("\n")
    assert overview[0].startswith("2023年，在樟树市委、市政府的坚强领导下")
    assert "（1） 主动公开情况" in overview and "（5） 监督保障" in overview
    assert overview[-1].startswith("我局进一步推进信息公开监督保障机制")
    assert sections[5].text.startswith("按照《国务院办公厅关于印发")
    # the preamble is nobody's text
    assert not any("本报告依据" in s.text for s in sections)


def test_seed_003_signature_stays_in_last_section():
    sections = find_sections(read_text(SEEDS[3].read_text(encoding="utf-8")))
    assert sections[-1].text.endswith("泗水县机关事务服务中心\n2024年1月23日")
    assert "（一）依据《政府信息公开信息处理费管理办法》收取信息处理费情况" in sections[-1].text


ALL = """某局2023年政府信息公开工作年度报告
本报告依据条例编制。
{one}
正文一。
{sub}
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
问题。
六、其他需要报告的事项
无。
"""


@pytest.mark.parametrize("sub", ["(一)主动公开", "（1） 主动公开情况", "（二）依申请公开",
                                 "（三）政府信息公开行政复议、行政诉讼情况",
                                 "1.主动公开政府信息情况", "2.主动公开政府信息情况",
                                 "二是依申请公开情况"])
def test_subheadings_are_not_sections(sub):
    sections = _sections(ALL.format(one="一、总体情况", sub=sub))
    assert [s.key for s in sections] == KEYS
    assert sections[0].text == "正文一。\n" + sub
    assert sections[1].heading == "二、主动公开政府信息情况"


@pytest.mark.parametrize("one", ["一、总体情况", "一.总体情况", "一．总体情况", "1、 总体情况",
                                 "1.总体情况", "第一部分 总体情况", "第一部分、总体情况",
                                 "一、 总体情况：", "一、總體情況", "一、总体情况（概述）"])
def test_numbering_variants_of_a_heading(one):
    sections = _sections(ALL.format(one=one, sub="（一）主动公开"))
    assert [s.key for s in sections] == KEYS
    assert sections[0].heading == one


def test_missing_section_does_not_shift_later_ones():
    text = ALL.format(one="一、总体情况", sub="")
    text = text.replace("四、政府信息公开行政复议、行政诉讼情况\n", "")
    assert [s.key for s in _sections(text)] == ["overview", "proactive", "requests", "problems",
                                                "other"]
    text = ALL.format(one="", sub="")  # no section one: the rest keep their keys
    assert [s.key for s in _sections(text)] == KEYS[1:]


def test_sections_only_in_order_and_once():
    text = ALL.format(one="一、总体情况", sub="") + "七、主动公开政府信息情况\n1、 总体情况\n"
    sections = _sections(text)
    assert [s.key for s in sections] == KEYS
    assert sections[-1].text == "无。\n七、主动公开政府信息情况\n1、 总体情况"


def test_misnumbered_list_inside_section_one_yields_to_real_headings():
    sub = "一、主动公开\n全年主动公开信息5条。\n二、依申请公开\n未收到申请。"
    sections = _sections(ALL.format(one="一、总体情况", sub=sub))
    assert [s.heading for s in sections][:3] == ["一、总体情况", "二、主动公开政府信息情况",
                                                 "三、收到和处理政府信息公开申请情况"]
    assert "二、依申请公开" in sections[0].text


def test_long_paragraph_starting_with_a_heading_is_body():
    body = ("一、总体情况。2023年，本局认真贯彻落实条例，扎实推进政务公开各项工作，"
            "取得明显成效，群众满意度提升。")
    sections = _sections(ALL.format(one=body, sub=""))
    assert [s.key for s in sections] == KEYS[1:]


def test_table_of_contents_is_skipped():
    toc = "\n".join(f"{s.number}、{s.label}" for s in layouts()["2021"].sections)
    text = "某局2023年政府信息公开工作年度报告\n目录\n" + toc + "\n" + ALL.format(
        one="一、总体情况", sub="").split("\n", 1)[1]
    sections = _sections(text)
    assert [s.key for s in sections] == KEYS
    assert sections[0].location.line == 10
    assert sections[0].text == "正文一。"


def test_official_labels_are_recognised_from_the_layout_data():
    for lay in layouts().values():
        text = "\n".join(f"{s.number}、{s.label}\n内容{s.number}。" for s in lay.sections)
        sections = _sections(text)
        assert [(s.key, s.number, s.text) for s in sections] == [
            (s.key, s.number, f"内容{s.number}。") for s in lay.sections]


def test_tables_are_not_section_text():
    text = "一、总体情况\n前。\n\t表头\n\t1\n\n\n后。\n二、主动公开政府信息情况\n"
    sections = _sections(text)
    assert sections[0].text == "前。\n后。"


def test_document_headings_without_numbering():
    def p(text, heading=None):
        return Paragraph(text, Location(), heading)

    doc = Document([p("某局2023年政府信息公开工作年度报告", 1), p("总体情况", 2), p("正文。"),
                    p("（一）主动公开", 3), p("主动公开政府信息情况", 2),
                    p("其他需要报告的事项", 2), p("无。")], format="docx")
    sections = find_sections(doc)
    assert [(s.key, s.heading, s.text) for s in sections] == [
        ("overview", "总体情况", "正文。\n（一）主动公开"),
        ("proactive", "主动公开政府信息情况", ""),
        ("other", "其他需要报告的事项", "无。")]
    assert sections[0].location.line is None


def test_plain_keeps_length():
    s = "國辦公開辦函〔２０２１〕30號，電話：０７９５－１２３４５６７　ｗｗｗ．ａ．ｇｏｖ．ｃｎ"
    assert len(plain(s)) == len(s)
    assert plain(s) == "国办公开办函〔2021〕30号，电话：0795-1234567 www.a.gov.cn"
