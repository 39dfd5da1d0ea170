"""Metadata: every field of the five seeds read by eye, plus the misprints real reports carry."""

from __future__ import annotations

import pytest

from nianbao.document import Document, Location, Paragraph
from nianbao.model import Meta
from nianbao.readers.text import read_text
from nianbao.recognise.meta import extract_meta
from nianbao.recognise.sections import find_sections
from tests.helpers import SEEDS

ZHANGSHU = "http://www.zhangshu.gov.cn"
SEED_META = {
    "000": {
        "title": "樟树市机关事务管理中心2023年政府信息公开工作年度报告",
        "agency": "樟树市机关事务管理中心", "year": 2023,
        "period": ("2023-01-01", "2023-12-31"), "cited_templates": ["2019-60"],
        "website": ZHANGSHU,
        "contact": {"address": "江西省樟树市药都南大道25号市政府大楼7楼", "phone": "0795-7333735",
                    "postcode": "331200", "email": None},
        "published": None, "region": ["江西省", "樟树市"], "level": "部门",
    },
    "001": {
        "title": "樟树市人社局2023年政府信息公开工作年度报告",
        "agency": "樟树市人社局", "year": 2023,
        "period": ("2023-01-01", "2023-12-31"), "cited_templates": ["2021-30"],  # not 109号
        "website": ZHANGSHU,
        "contact": {"address": "樟树市杏佛路61号", "phone": "0795-7362607", "postcode": "331200",
                    "email": None},
        "published": None, "region": ["樟树市"], "level": "部门",
    },
    "002": {
        "title": "樟树市中洲乡2022年政府信息公开工作年度报告",
        "agency": "樟树市中洲乡", "year": 2022,
        "period": ("2022-01-01", "2022-12-31"), "cited_templates": ["2019-60"],
        "website": ZHANGSHU,
        # the contact sentence is split over two paragraphs
        "contact": {"address": "樟树市中洲乡中洲南路1号", "phone": "0795-7631101",
                    "postcode": "331200", "email": None},
        "published": None, "region": ["樟树市", "中洲乡"], "level": "乡镇街道",
    },
    "003": {
        "title": "泗水县机关事务服务中心2023年度政府信息公开工作年度报告",
        "agency": "泗水县机关事务服务中心", "year": 2023,
        "period": ("2023-01-01", "2023-12-31"), "cited_templates": ["2021-30"],
        "website": "www.sishui.gov.cn",
        "contact": {"address": None, "phone": "0537-4363466", "postcode": "273200",
                    "email": None},
        "published": "2024-01-23", "region": ["泗水县"], "level": "部门",
    },
    "004": {
        "title": "青云谱区政务服务数据管理局2023年政府信息公开工作年度报告",
        "agency": "青云谱区政务服务数据管理局", "year": 2023,
        "period": ("2023-01-01", "2023-12-31"), "cited_templates": [],
        "website": "http://qyp.nc.gov.cn/",
        "contact": {"address": "江西省南昌市青云谱区广州路995号1208室", "phone": "0791-88483877",
                    "postcode": "330001", "email": None},
        "published": None, "region": ["江西省", "南昌市", "青云谱区"], "level": "部门",
    },
}


def _meta(text: str) -> Meta:
    doc = read_text(text)
    return extract_meta(doc, find_sections(doc))


BODY = """一、总体情况
本机关认真贯彻条例。
二、主动公开政府信息情况
三、收到和处理政府信息公开申请情况
四、政府信息公开行政复议、行政诉讼情况
五、存在的主要问题及改进情况
无。
六、其他需要报告的事项
无。
"""


def _report(preamble: str, title: str = "樟树市某某局2023年政府信息公开工作年度报告",
            tail: str = "") -> Meta:
    return _meta(f"{title}\n{preamble}\n{BODY}{tail}")


@pytest.mark.parametrize("seed", SEEDS, ids=lambda p: p.stem[:3])
def test_seed_meta(seed):
    meta = _meta(seed.read_text(encoding="utf-8"))
    assert meta.model_dump() == SEED_META[seed.stem[:3]]


# ------------------------------------------------------------------ period
@pytest.mark.parametrize(("sentence", "period"), [
    ("本年度报告中所列数据的统计期限自2023年1月1日起至2023年12月31日止。",
     ("2023-01-01", "2023-12-31")),
    ("统计期限为20211月1日至202112月31日。", ("2021-01-01", "2021-12-31")),  # 年 missing
    ("统计期限自２０２３年１月１日起至２０２３年１２月３１日止。", ("2023-01-01", "2023-12-31")),
    ("统计期限自2023年1月1日起至2023年12月 31日止。", ("2023-01-01", "2023-12-31")),
    ("统计期限 自 2023 年 1 月 1 日起至 2023 年 12 月 31 日止。", ("2023-01-01", "2023-12-31")),
    ("所列数据统计时限为1月1日至12月31日。", ("2023-01-01", "2023-12-31")),  # year from title
    ("统计期限自2023年1月1日起至12月31日止。", ("2023-01-01", "2023-12-31")),
    ("统计期限自二〇二三年一月一日起至二〇二三年十二月三十一日止。", ("2023-01-01", "2023-12-31")),
    ("统计期限为2023.1.1至2023.12.31。", ("2023-01-01", "2023-12-31")),
    ("统计期限为2023年1月1日—2023年12月31日。", ("2023-01-01", "2023-12-31")),
    ("本报告所列数据的统计期限为2023年度。", None),
    ("本报告所列数据截至2023年12月31日。", None),
    ("统计期限自2023年13月1日起至2023年12月31日止。", None),  # no such date
])
def test_period_variants(sentence, period):
    assert _report(sentence).period == period


def test_period_prefers_the_statistical_sentence():
    meta = _report("本局于2023年3月1日至3月5日开展培训。"
                   "本报告统计期限自2023年1月1日起至2023年12月31日止。")
    assert meta.period == ("2023-01-01", "2023-12-31")


def test_year_from_period_or_statements_when_title_has_none():
    meta = _report("统计期限自2022年1月1日起至2022年12月31日止。",
                   title="某某局政府信息公开工作年度报告")
    assert (meta.year, meta.agency) == (2022, "某某局")
    meta = _meta("某某局政府信息公开工作年度报告\n2023年度，本局认真贯彻条例。\n" + BODY)
    assert (meta.year, meta.period) == (2023, None)


def test_year_in_chinese_numerals():
    meta = _report("本报告依据条例编制。", title="某某局二〇二三年政府信息公开工作年度报告")
    assert (meta.year, meta.agency) == (2023, "某某局")


# ------------------------------------------------------------------ cited templates
@pytest.mark.parametrize(("sentence", "cited"), [
    ("依据国办公开办函〔2019〕60号要求编制。", ["2019-60"]),
    ("依据国办公开办函[2021]30号要求编制。", ["2021-30"]),
    ("依据国办公开办函（2021）30号要求编制。", ["2021-30"]),
    ("依据国办公开办函【2021】30号要求编制。", ["2021-30"]),
    ("依据国办公开函〔2021〕30号要求编制。", ["2021-30"]),
    ("依据国办函〔2019〕60号要求编制。", ["2019-60"]),
    ("依据国办公开办函〔2021〕30 号要求编制。", ["2021-30"]),
    ("依据国办公开办函 〔 2021 〕 30号要求编制。", ["2021-30"]),
    ("依据国办公开办函〔２０２１〕３０号要求编制。", ["2021-30"]),
    ("依据國辦公開辦函〔2021〕30號要求編制。", ["2021-30"]),
    ("依据《中华人民共和国政府信息公开工作年度报告格式》要求编制。", ["2021-30"]),
    ("依据《关于政府信息公开工作年度报告有关事项的通知》要求编制。", ["2019-60"]),
    ("依据国办函〔2020〕109号收费。", []),  # the fee regulation, not a template
    ("依据国办公开办函〔2020〕30号编制。", []),
    ("依据《中华人民共和国政府信息公开条例》编制。", []),
    ("依据国办公开办函〔2021〕30号和国办公开办函〔2019〕60号以及国办公开办函〔2021〕30号编制。",
     ["2021-30", "2019-60"]),
])
def test_cited_templates(sentence, cited):
    assert _report(sentence).cited_templates == cited


def test_cited_templates_in_order_of_first_appearance_across_paragraphs():
    meta = _report("依据国办公开办函〔2019〕60号编制。",
                   tail="参照《中华人民共和国政府信息公开工作年度报告格式》和国办函〔2020〕109号。\n")
    assert meta.cited_templates == ["2019-60", "2021-30"]


# ------------------------------------------------------------------ title and agency
@pytest.mark.parametrize(("lines", "title", "agency"), [
    (["樟树市机关事务管理中心2023年", "政府信息公开工作年度报告"],
     "樟树市机关事务管理中心2023年政府信息公开工作年度报告", "樟树市机关事务管理中心"),
    (["青云谱区政务服务数据管理局", "2023年政府信息公开工作年度报告"],
     "青云谱区政务服务数据管理局2023年政府信息公开工作年度报告", "青云谱区政务服务数据管理局"),
    (["2023年樟树市财政局政府信息公开工作年度报告"],
     "2023年樟树市财政局政府信息公开工作年度报告", "樟树市财政局"),
    (["樟树市财政局关于2023年政府信息公开工作年度报告"],
     "樟树市财政局关于2023年政府信息公开工作年度报告", "樟树市财政局"),
    (["樟树市财政局政府信息公开工作年度报告", "（2023年度）"],
     "樟树市财政局政府信息公开工作年度报告（2023年度）", "樟树市财政局"),
    (["标题：樟树市财政局2023年政府信息公开工作年度报告"],
     "樟树市财政局2023年政府信息公开工作年度报告", "樟树市财政局"),
])
def test_title_lines_and_agency(lines, title, agency):
    meta = _meta("\n".join(lines) + "\n本报告依据条例编制。\n" + BODY)
    assert (meta.title, meta.agency) == (title, agency)


def test_spam_lines_around_the_report():
    text = ("首页 > 政务公开 > 政府信息公开年度报告\n"
            "政府信息公开指南\n政府信息公开年度报告\n"
            "发布时间：2024-01-20 10:32 来源：本站 浏览次数：128 【字号：大 中 小】\n"
            "樟树市中洲乡\n2023年政府信息公开工作年度报告\n"
            "本报告统计期限自2023年1月1日起至2023年12月31日止。\n"
            + BODY + "打印本页 | 关闭窗口\n主办单位：樟树市人民政府 赣ICP备05004200号\n")
    meta = _meta(text)
    assert meta.title == "樟树市中洲乡2023年政府信息公开工作年度报告"
    assert meta.agency == "樟树市中洲乡"
    assert (meta.level, meta.region) == ("乡镇街道", ["樟树市", "中洲乡"])
    assert meta.period == ("2023-01-01", "2023-12-31")
    assert meta.published == "2024-01-20"  # printed in the page header
    assert meta.website is None


def test_agency_only_as_我乡_is_null():
    meta = _meta("2023年政府信息公开工作年度报告\n"
                 "本报告由我乡编制。如有疑问，请与我乡党政办联系。\n" + BODY)
    assert (meta.title, meta.agency, meta.level, meta.region) == (
        "2023年政府信息公开工作年度报告", None, None, [])


@pytest.mark.parametrize(("preamble", "tail", "agency"), [
    ("本报告由樟树市审计局结合有关统计数据编制。", "", "樟树市审计局"),
    ("樟树市审计局2023年政府信息公开工作年度报告根据条例编制。", "", "樟树市审计局"),
    ("如对本报告有任何疑问，请与樟树市审计局联系。", "", "樟树市审计局"),
    ("本报告依据条例编制。", "樟树市审计局\n2024年1月20日\n", "樟树市审计局"),
    ("本报告依据条例编制。", "樟树市审计局 2024年1月20日\n", "樟树市审计局"),
])
def test_agency_when_title_does_not_name_it(preamble, tail, agency):
    meta = _report(preamble, title="2023年政府信息公开工作年度报告", tail=tail)
    assert meta.agency == agency


# ------------------------------------------------------------------ contact, website, date
def test_contact_fields_and_fax_is_not_a_phone():
    meta = _report("如有疑问请联系（联系地址：樟树市杏佛路61号（市政大楼）5楼，传真：0795-7654321，"
                   "联系电话：0795－1234567，邮政编码：３３１２００，电子邮箱：zsj@zhangshu.gov.cn）。")
    assert meta.contact.model_dump() == {
        "address": "樟树市杏佛路61号（市政大楼）5楼", "phone": "0795－1234567",
        "postcode": "３３１２００", "email": "zsj@zhangshu.gov.cn"}


@pytest.mark.parametrize("sentence", ["传真：0795-7654321。", "传真电话：0795-7654321。",
                                      "联系电话：请见网站。传真：0795-7654321。"])
def test_fax_only_gives_no_phone(sentence):
    assert _report(sentence).contact.phone is None


def test_phone_with_area_code_in_brackets_and_late_contact_details():
    meta = _report("本报告依据条例编制。",
                   tail="联系地址：樟树市杏佛路61号\n咨询电话：（0795）7362607\n邮编：331200\n")
    assert meta.contact.model_dump() == {"address": "樟树市杏佛路61号", "phone": "（0795）7362607",
                                         "postcode": "331200", "email": None}


def test_website_prefers_the_download_sentence():
    meta = _report("本局网站www.a.gov.cn提供服务。本报告电子版可在樟树市人民政府网站"
                   "（http://www.zhangshu.gov.cn/zwgk/）下载。")
    assert meta.website == "http://www.zhangshu.gov.cn/zwgk/"
    meta = _report("本报告电子版可从樟树市人民政府网站下载。")
    assert meta.website == "樟树市人民政府网站"
    meta = _report("本局网站为www.a.gov.cn。联系邮箱：ab@a.gov.cn。")
    assert meta.website == "www.a.gov.cn"


@pytest.mark.parametrize(("tail", "published"), [
    ("樟树市某某局\n2024年1月23日\n", "2024-01-23"),
    ("樟树市某某局\n二〇二四年一月二十三日\n", "2024-01-23"),
    ("樟树市某某局\n2024年1月 23日\n打印本页 关闭窗口\n", "2024-01-23"),
    ("樟树市某某局\n", None),
    ("全年统计至2023年12月31日\n", None),
])
def test_published_date_at_the_end(tail, published):
    assert _report("本报告依据条例编制。", tail=tail).published == published


def test_traditional_characters():
    text = ("樟樹市人民政府2023年政府資訊公開工作年度報告\n"
            "本報告依據國辦公開辦函〔2021〕30號編制。統計期限自2023年1月1日起至2023年12月31日止。"
            "本報告電子版可在樟樹市人民政府網站（http://www.zhangshu.gov.cn）下載。"
            "如有疑問，請與樟樹市人民政府辦公室聯繫（地址：江西省樟樹市藥都南大道25號，"
            "聯繫電話：0795-7333735，傳真：0795-7333736，郵編：331200）。\n"
            "一、總體情況\n本機關認真貫徹條例。\n二、主動公開政府資訊情況\n六、其他需要報告的事項\n無。\n")
    meta = _meta(text)
    assert meta.model_dump() == {
        "title": "樟樹市人民政府2023年政府資訊公開工作年度報告", "agency": "樟樹市人民政府",
        "year": 2023, "period": ("2023-01-01", "2023-12-31"), "cited_templates": ["2021-30"],
        "website": ZHANGSHU,
        "contact": {"address": "江西省樟樹市藥都南大道25號", "phone": "0795-7333735",
                    "postcode": "331200", "email": None},
        "published": None, "region": ["江西省", "樟樹市"], "level": "政府"}


# ------------------------------------------------------------------ region and level
@pytest.mark.parametrize(("title", "address", "region", "level"), [
    ("南昌市青云谱区人民政府", None, ["南昌市", "青云谱区"], "政府"),
    ("泗水县", None, ["泗水县"], "政府"),
    ("杭州市西湖区北山街道办事处", None, ["杭州市", "西湖区", "北山街道"], "乡镇街道"),
    ("樟树市中洲乡人民政府", None, ["樟树市", "中洲乡"], "乡镇街道"),
    ("樟树市城市管理局", None, ["樟树市"], "部门"),
    ("樟树市市场监督管理局", "江西省宜春市樟树市杏佛路61号", ["江西省", "宜春市", "樟树市"],
     "部门"),
    ("青云谱区教育局", "江西省南昌市广州路1号", ["江西省", "南昌市", "青云谱区"], "部门"),
    ("广西壮族自治区南宁市人民政府办公室", None, ["广西壮族自治区", "南宁市"], "部门"),
    ("国家税务总局樟树市税务局", None, ["樟树市"], "部门"),
    ("沛县农业农村局", None, ["沛县"], "部门"),
])
def test_region_and_level(title, address, region, level):
    contact = f"（地址：{address}）" if address else ""
    meta = _report(f"如有疑问请联系{contact}。", title=f"{title}2023年政府信息公开工作年度报告")
    assert (meta.agency, meta.region, meta.level) == (title, region, level)


def test_document_without_sections_or_lines():
    doc = Document([Paragraph("樟树市某某局2023年政府信息公开工作年度报告", Location(), 1),
                    Paragraph("统计期限自2023年1月1日起至2023年12月31日止。", Location())],
                   format="docx")
    meta = extract_meta(doc, [])
    assert (meta.agency, meta.year, meta.period) == ("樟树市某某局", 2023,
                                                      ("2023-01-01", "2023-12-31"))
    assert extract_meta(Document(), []) == Meta()


def test_contact_values_stop_at_their_own_end():
    meta = _report("地址：江西省樟树市杏佛路1号（邮编331200），电话：0795-7333735\n331200")
    assert meta.contact.model_dump() == {"address": "江西省樟树市杏佛路1号",
                                         "phone": "0795-7333735", "postcode": "331200",
                                         "email": None}
