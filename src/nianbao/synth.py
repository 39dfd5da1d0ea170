"""Realistic synthetic annual reports whose truth is known, for round-trip tests and benchmarks.

``generate(seed)`` builds a plausible report (agency, narrative, the three statistical
tables satisfying the official arithmetic) and records what a parser must read back,
including ``None`` for cells that the chosen ``Noise`` leaves blank. Rows and columns come
from ``nianbao.layouts``; only the few stable keys that take part in the table identities
(fixed in shared/spec/report-keys.md) are named here. Rendering lives in ``nianbao.render``.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, fields

from nianbao.layouts import Layout, TableSpec, get, layouts

# Keys taking part in the table identities (spec/report-keys.md); everything else is iterated.
T3_NEW, T3_CARRIED_OVER = "new_received", "carried_over"
T3_TOTAL_PROCESSED, T3_CARRIED_FORWARD = "total_processed", "carried_forward"
TOTAL = "total"  # the 总计 column of tables 三 and 四
T3_SPECIAL = (T3_NEW, T3_CARRIED_OVER, T3_TOTAL_PROCESSED, T3_CARRIED_FORWARD)


@dataclass(frozen=True, slots=True)
class Noise:
    """What real reports do to the clean template; each field is a probability (0 = never).

    ``Noise()`` prints the official template cleanly (its merged headers included, hence
    ``merged_headers=1``); ``realistic()`` and ``heavy()`` are presets. Only ``blank``
    changes the truth (a blank cell reads as ``None``); ``generate`` applies it. Everything
    else is drawn by the renderers, per cell or per table, from the report's own seed.
    """

    blank: float = 0.0  # a zero in table 三/四 printed as a blank cell
    units: float = 0.0  # 3件, 24.5万元
    fullwidth: float = 0.0  # １２
    thousands: float = 0.0  # 1,234 (numbers ≥ 1000 only)
    spaces: float = 0.0  # extra spaces / U+3000 around a value
    split: float = 0.0  # table 三 in two physical tables; table 四 header apart from its data
    merged_headers: float = 1.0  # the official merged header cells (else a flat header)
    multiline: float = 0.0  # 商业\n企业 in header cells
    bookmark: float = 0.0  # [bookmark: _GoBack] before a paragraph (flattened Word text)

    @classmethod
    def realistic(cls) -> Noise:
        return cls(blank=0.15, units=0.05, fullwidth=0.03, thousands=0.5, spaces=0.1,
                   split=0.3, merged_headers=0.8, multiline=0.5, bookmark=0.3)

    @classmethod
    def heavy(cls) -> Noise:
        return cls(blank=0.6, units=0.3, fullwidth=0.3, thousands=1.0, spaces=0.4,
                   split=1.0, merged_headers=0.5, multiline=1.0, bookmark=1.0)


@dataclass(slots=True)
class SectionText:
    key: str
    number: str
    heading: str  # as printed, e.g. 二、行政机关主动公开政府信息情况
    paragraphs: list[str] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "\n".join(self.paragraphs)


@dataclass(slots=True)
class SyntheticReport:
    """A generated report and its truth (what ``nianbao.parse`` must return)."""

    seed: int
    layout: str
    meta: dict  # the keys of ``nianbao.model.Meta``
    title_lines: list[str]
    preamble: list[str]
    sections: list[SectionText]
    closing: list[str]
    table2: dict[str, dict[str, int | float | None]]
    table3: dict[str, dict[str, int | None]]
    table4: dict[str, dict[str, int | None]]
    figures: dict = field(default_factory=dict)  # narrative numbers as stated in the text
    noise: Noise = field(default_factory=Noise)


# ----------------------------------------------------------------------------- vocabulary
# Province > city (pinyin) > counties (pinyin); a handful is enough for variety.
_PLACES = """
江西省|宜春市 yichun|樟树市 zhangshu,丰城市 fengcheng,袁州区 yuanzhou,靖安县 jingan
江西省|南昌市 nc|青云谱区 qyp,东湖区 donghu,进贤县 jinxian,安义县 anyi
山东省|济宁市 jining|泗水县 sishui,曲阜市 qufu,兖州区 yanzhou,汶上县 wenshang
浙江省|湖州市 huzhou|德清县 deqing,长兴县 zjcx,安吉县 anji,吴兴区 wuxing
四川省|绵阳市 my|江油市 jiangyou,涪城区 fucheng,三台县 santai,梓潼县 zitong
河南省|洛阳市 ly|偃师区 yanshi,孟津区 mengjin,新安县 xinan,栾川县 luanchuan
广东省|江门市 jiangmen|台山市 cnts,开平市 kaiping,鹤山市 heshan,新会区 xinhui
"""
_DEPARTMENTS = ("教育局", "财政局", "人力资源和社会保障局", "自然资源局", "生态环境局",
                "住房和城乡建设局", "交通运输局", "农业农村局", "卫生健康委员会", "市场监督管理局",
                "应急管理局", "医疗保障局", "政务服务数据管理局", "机关事务管理中心", "统计局",
                "民政局", "司法局", "审计局", "退役军人事务局", "发展和改革委员会", "水利局",
                "商务局", "林业局", "文化广电旅游局", "公共资源交易中心")
_TOWNS = ("临江", "洋湖", "阁山", "中洲", "大桥", "永泰", "经楼", "店下", "观上", "昌傅",
          "义成", "吴城", "刘公庙", "黄土岗", "洲上", "张家山", "店前", "福城")
_CATEGORIES = ("工作动态", "通知公告", "政策文件", "政策解读", "人事信息", "财政预决算",
               "规划计划", "行政执法", "部门文件", "组织管理", "机构职能", "重点领域信息")
_STREETS = ("人民路", "府前大道", "解放路", "中山路", "建设路", "文化路", "滨江大道")
_TEMPLATE_CITES = {
    "2021-30": ("《中华人民共和国政府信息公开工作年度报告格式》", "国办公开办函{l}2021{r}30号"),
    "2019-60": ("《国务院办公厅政府信息与政务公开办公室关于政府信息公开工作年度报告有关事项的"
                "通知》", "国办公开办函{l}2019{r}60号"),
}


def _places() -> list[tuple[str, tuple[str, str], list[tuple[str, str]]]]:
    out = []
    for line in _PLACES.strip().splitlines():
        prov, city, counties = line.split("|")
        out.append((prov, tuple(city.split()), [tuple(c.split()) for c in counties.split(",")]))
    return out


_PLACE_LIST = _places()


# ----------------------------------------------------------------------------- tables
def _spread(rng: random.Random, n: int, cells: list, weights: list[float]) -> dict:
    """Distribute n items over cells with the given weights (a multinomial draw)."""
    counts = dict.fromkeys(cells, 0)
    for c in rng.choices(cells, weights, k=n) if n else ():
        counts[c] += 1
    return counts


def _amount(rng: random.Random, scale: float) -> int:
    """A count: mostly zero or small, a long tail for big agencies."""
    if scale <= 0 or rng.random() < 0.45:
        return 0
    return int(rng.expovariate(1 / scale))


def _money(rng: random.Random, scale: float) -> int | float:
    """A 万元 amount with up to four decimals (float), or an integer."""
    if rng.random() < 0.5:
        return 0
    places = rng.choice((0, 1, 2, 4))
    v = round(rng.expovariate(1 / scale), places)
    return int(v) if places == 0 else v


# Typical magnitudes of table 二 rows (× the agency's scale); unknown rows use the default.
_T2_SCALE = {"regulations": 0.5, "normative_documents": 8, "licensing": 600, "other_services": 40,
             "punishment": 300, "coercion": 20, "fees": 400, "procurement": 60}
# Result rows of table 三: real reports grant or answer 不掌握 most often.
_T3_WEIGHT = {"granted": 40, "partially_granted": 6, "unavailable_not_held": 25,
              "unavailable_needs_creation": 5, "unavailable_unclear_after_correction": 3,
              "not_processed_complaint": 5, "not_processed_duplicate": 4, "other": 6,
              "other_no_correction": 3, "other_misc": 4}
_APPLICANT_WEIGHT = (85, 8, 1, 1, 3, 2)  # 自然人 dominates


def _table2(rng: random.Random, spec: TableSpec, scale: float) -> dict:
    out: dict[str, dict] = {}
    for row in spec.rows:
        base = _T2_SCALE.get(row.key, 10) * scale
        vals: dict[str, int | float] = {}
        for col in spec.row_columns(row):
            vals[col.key] = _money(rng, base) if col.kind == "money" else _amount(rng, base)
        # plausibility between columns of one row (keys from the spec)
        if "in_force" in vals and "issued" in vals:
            vals["in_force"] = max(vals["in_force"], vals["issued"]) + _amount(rng, base * 3)
            if "repealed" in vals:  # what is repealed was in force before: a fraction of it
                vals["repealed"] = min(vals["repealed"], vals["in_force"] // 2)
        if "published" in vals and "made" in vals:
            vals["published"] = min(vals["published"], vals["made"])
        if "total_published" in vals and "published" in vals:
            vals["total_published"] = vals["published"] + _amount(rng, base * 4)
        if "change" in vals:
            prev = vals.get("previous", 0)
            vals["change"] = rng.randint(-prev, max(prev // 3, 2)) if rng.random() < 0.4 else 0
        out[row.key] = {c.key: vals[c.key] for c in spec.row_columns(row)}
    return out


def _table3(rng: random.Random, spec: TableSpec, scale: float) -> dict:
    cols = [c.key for c in spec.columns if c.key != TOTAL]
    results = [r.key for r in spec.rows if r.key not in T3_SPECIAL]
    weights = [_T3_WEIGHT.get(k, 1) for k in results]
    new_total = 0 if rng.random() < 0.35 else int(rng.expovariate(1 / (40 * scale))) + 1
    applicant_weights = list(_APPLICANT_WEIGHT[: len(cols)]) + [1] * (len(cols) - 6)
    new = _spread(rng, new_total, cols, applicant_weights)
    table: dict[str, dict] = {k.key: {} for k in spec.rows}
    for c in cols:
        over = _amount(rng, new[c] * 0.05) if new[c] else 0
        available = new[c] + over
        forward = rng.randint(0, available // 8) if available >= 8 else 0
        shares = _spread(rng, available - forward, results, weights)
        table[T3_NEW][c], table[T3_CARRIED_OVER][c] = new[c], over
        table[T3_TOTAL_PROCESSED][c], table[T3_CARRIED_FORWARD][c] = available - forward, forward
        for k in results:
            table[k][c] = shares[k]
    for row in table.values():
        row[TOTAL] = sum(row[c] for c in cols)
    return {r.key: {c.key: table[r.key][c.key] for c in spec.columns} for r in spec.rows}


def _table4(rng: random.Random, spec: TableSpec, scale: float, requests: int) -> dict:
    parts = [c.key for c in spec.columns if c.key != TOTAL]
    out = {}
    for g in spec.groups:
        n = _amount(rng, 0.05 * requests + scale) if requests else 0
        row = _spread(rng, n, parts, [6, 2, 2, 1][: len(parts)] + [1] * max(0, len(parts) - 4))
        row[TOTAL] = n
        out[g.key] = {c.key: row[c.key] for c in spec.columns}
    return out


def _blank(rng: random.Random, table: dict, p: float) -> None:
    """Leave zeros blank (truth: None), but never a whole table 四: it would read as a header."""
    if p <= 0:
        return
    for row in table.values():
        for k, v in row.items():
            if v == 0 and rng.random() < p:
                row[k] = None
    cells = [v for row in table.values() for v in row.values()]
    if all(v is None for v in cells):
        first = next(iter(table.values()))
        first[next(iter(first))] = 0


# ----------------------------------------------------------------------------- agency & text
def _agency(rng: random.Random) -> dict:
    _prov, (city, city_py), counties = rng.choice(_PLACE_LIST)
    county, county_py = rng.choice(counties)
    kind = rng.choices(("city", "county", "dept", "town"), (1, 3, 6, 3))[0]
    if kind == "city":
        return dict(name=f"{city}人民政府", level="政府", region=[city], scale=8.0,
                    me="市政府", py=city_py, site=f"{city}人民政府网站")
    if kind == "county":
        return dict(name=f"{county}人民政府", level="政府", region=[county], scale=2.0,
                    me=f"{county[-1]}政府", py=county_py, site=f"{county}人民政府门户网站")
    if kind == "dept":
        dept = rng.choice(_DEPARTMENTS)
        at_city = rng.random() < 0.3
        place, py = (city, city_py) if at_city else (county, county_py)
        me = "我委" if dept.endswith("委员会") else "我中心" if dept.endswith("中心") else "我局"
        return dict(name=f"{place}{dept}", level="部门", region=[place],
                    scale=0.6 if at_city else 0.3, me=me, py=py, site=f"{place}人民政府门户网站")
    town = rng.choice(_TOWNS)
    suffix = rng.choice(("镇人民政府", "乡人民政府", "街道办事处"))
    me = "我街道" if suffix == "街道办事处" else "我" + suffix[0]
    unit = town + ("街道" if suffix == "街道办事处" else suffix[0])
    return dict(name=f"{county}{town}{suffix}", level="乡镇街道", region=[county, unit], scale=0.05,
                me=me, py=county_py, site=f"{county}人民政府门户网站")


def _cite(rng: random.Random, key: str) -> str:
    title, number = _TEMPLATE_CITES[key]
    left, right = rng.choice((("〔", "〕"), ("〔", "〕"), ("[", "]"), ("（", "）")))
    return f"{title}（{number.format(l=left, r=right)}）"


def _year_and_cites(rng: random.Random, lay: Layout, year: int | None) -> tuple[int, list[str]]:
    first, last = lay.years
    if year is None:
        late = rng.random() < 0.15 and last < 2024  # an old layout still used in later years
        year = rng.randint(last + 1, 2024) if late else rng.randint(first, min(last, 2024))
    own, other = lay.template, next(k for k in _TEMPLATE_CITES if k != lay.template)
    cites = rng.choices(([own], [other], [], [other, own]), (70, 12, 12, 6))[0]
    return year, list(cites)


def _meta_and_preamble(rng: random.Random, ag: dict, year: int, cites: list[str]
                       ) -> tuple[dict, list[str], list[str]]:
    name = ag["name"]
    title = f"{name}{year}年{rng.choice(('', '度'))}政府信息公开工作年度报告"
    title_lines = [title] if rng.random() < 0.6 else [f"{name}{year}年", title[len(name) + 5 :]]
    basis = "本报告依据《中华人民共和国政府信息公开条例》（以下简称《条例》）"
    if cites:
        basis += "和" + "、".join(_cite(rng, c) for c in cites) + "要求"
    parts = [basis + f"，由{name}编制。"]
    period = None
    if rng.random() < 0.85:
        period = (f"{year}-01-01", f"{year}-12-31")
        parts.append(rng.choice((f"本报告中所列数据的统计期限自{year}年1月1日起至{year}年12月31日止。",
                                 f"报告中所列数据的统计期限为{year}年1月1日至{year}年12月31日。")))
    website = None
    if rng.random() < 0.85:
        website = rng.choice(("http://", "https://", "")) + f"www.{ag['py']}.gov.cn"
        parts.append(f"本报告的电子版可在{ag['site']}（{website}）下载。")
    contact = {"address": None, "phone": None, "postcode": None, "email": None}
    if rng.random() < 0.8:
        contact["address"] = f"{ag['region'][0]}{rng.choice(_STREETS)}{rng.randint(1, 399)}号"
        if rng.random() < 0.85:
            contact["phone"] = f"0{rng.randint(510, 999)}-{rng.randint(2000000, 8999999)}"
        if rng.random() < 0.7:
            contact["postcode"] = f"{rng.randint(10, 85)}{rng.randint(0, 9999):04d}"
        if rng.random() < 0.4:
            contact["email"] = f"{ag['py']}gk{rng.randint(1, 99)}@163.com"
        bits = [f"地址：{contact['address']}"]
        bits += [f"{lab}：{contact[k]}" for k, lab in (("phone", "电话"), ("postcode", "邮编"),
                                                      ("email", "电子邮箱")) if contact[k]]
        parts.append(f"如对本报告有疑问，请与{name}联系（{'；'.join(bits)}）。")
    pub_day = f"{year + 1}-01-{rng.randint(5, 31):02d}"
    meta = dict(title=title, agency=name, year=year, period=period, cited_templates=cites,
                website=website, contact=contact, published=pub_day, region=list(ag["region"]),
                level=ag["level"])
    return meta, title_lines, ["".join(parts)]


def _narrative(rng: random.Random, ag: dict, year: int, figures: dict) -> list[str]:
    me = ag["me"]
    cats = rng.sample(_CATEGORIES, rng.randint(2, 5))
    items = {c: rng.randint(1, int(30 * ag["scale"]) + 3) for c in cats}
    total = sum(items.values())
    figures.update(proactive_total=total, proactive_items=items)
    listing = "、".join(f"{c}{n}条" for c, n in items.items())
    new = figures["applications_received"]
    done = figures["applications_processed"]
    if new:
        over = figures["applications_carried_over"]
        forward = figures["applications_carried_forward"]
        req = (f"{year}年，{me}共收到政府信息公开申请{new}件，上年结转{over}件，"
               f"办结{done}件，结转下年度继续办理{forward}件。")
    else:
        req = f"{year}年，{me}未收到政府信息公开申请。"
    return [
        f"{year}年，{me}深入贯彻落实《中华人民共和国政府信息公开条例》，坚持“以公开为常态、"
        "不公开为例外”，扎实推进政务公开标准化规范化建设。",
        "（一）主动公开",
        f"{year}年，{me}通过{ag['site']}共主动公开政府信息{total}条，其中{listing}。",
        "（二）依申请公开",
        req,
        "（三）政府信息管理",
        "严格落实信息发布审核制度，坚持“先审查、后公开”和“一事一审”原则，确保公开信息准确规范。",
        "（四）政府信息公开平台建设",
        f"充分发挥{ag['site']}第一平台作用，及时更新政府信息公开专栏内容。",
        "（五）监督保障",
        "将政务公开工作纳入年度目标考核，明确专人负责，加强业务培训。",
    ]


_HEADING_VARIANTS = {"proactive": ("行政机关", "主动公开政府信息情况"),
                     "requests": ("行政机关", "收到和处理政府信息公开申请情况"),
                     "appeals": ("因", "政府信息公开工作被申请行政复议、提起行政诉讼情况")}


def _sections(rng: random.Random, lay: Layout, ag: dict, year: int, figures: dict
              ) -> list[SectionText]:
    out = []
    for s in lay.sections:
        heading = f"{s.number}、{s.label}"
        if s.key in _HEADING_VARIANTS and rng.random() < 0.25:
            prefix, label = _HEADING_VARIANTS[s.key]
            heading = f"{s.number}、{prefix}{label}"
        paras: list[str] = []
        if s.key == "overview":
            paras = _narrative(rng, ag, year, figures)
        elif s.key == "problems":
            paras = [f"{year}年，{ag['me']}政府信息公开工作取得一定成效，但仍存在公开内容不够丰富、"
                     "政策解读形式较为单一等问题。",
                     f"{year + 1}年，{ag['me']}将进一步拓展公开渠道，提升公开质量。"]
        elif s.key == "other":
            paras = [f"{year}年度，{ag['me']}未收取政府信息公开信息处理费。"]
        elif rng.random() < 0.15:
            paras = [f"{year}年度相关情况如下："]
        out.append(SectionText(s.key, s.number, heading, paras))
    return out


# ----------------------------------------------------------------------------- public API
def generate(seed: int | random.Random, *, layout: str | None = "2021", year: int | None = None,
             noise: Noise | None = None) -> SyntheticReport:
    """A plausible report in ``layout`` ("2021", "2019"; None: either), deterministic per seed."""
    rng = seed if isinstance(seed, random.Random) else random.Random(seed)
    render_seed = rng.getrandbits(32)
    if layout is None:
        layout = rng.choice(sorted(layouts()))
    lay = get(layout)
    noise = noise or Noise()
    ag = _agency(rng)
    year, cites = _year_and_cites(rng, lay, year)
    meta, title_lines, preamble = _meta_and_preamble(rng, ag, year, cites)
    t2 = _table2(rng, lay.table2, ag["scale"])
    t3 = _table3(rng, lay.table3, ag["scale"])
    t4 = _table4(rng, lay.table4, ag["scale"], t3[T3_NEW][TOTAL])
    figures = {"applications_received": t3[T3_NEW][TOTAL],
               "applications_carried_over": t3[T3_CARRIED_OVER][TOTAL],
               "applications_processed": t3[T3_TOTAL_PROCESSED][TOTAL],
               "applications_carried_forward": t3[T3_CARRIED_FORWARD][TOTAL]}
    sections = _sections(rng, lay, ag, year, figures)
    _blank(rng, t3, noise.blank)
    _blank(rng, t4, noise.blank)
    y, m, d = meta["published"].split("-")
    closing = [ag["name"], f"{y}年{int(m)}月{int(d)}日"]
    return SyntheticReport(render_seed, layout, meta, title_lines, preamble, sections, closing,
                           t2, t3, t4, figures, noise)


def noises():
    """A hypothesis strategy of Noise settings, from clean to heavy."""
    from hypothesis import strategies as st

    p = st.sampled_from((0.0, 0.3, 1.0))
    free = st.builds(Noise, **{f.name: p for f in fields(Noise)})
    return st.one_of(st.sampled_from((Noise(), Noise.realistic(), Noise.heavy())), free)


def reports(layout: str | None = None, noise: Noise | None = None):
    """A hypothesis strategy of SyntheticReports (both layouts unless one is given)."""
    from hypothesis import strategies as st

    lays = st.just(layout) if layout else st.sampled_from(sorted(layouts()))
    nz = st.just(noise) if noise is not None else noises()
    return st.builds(lambda s, lay, n: generate(s, layout=lay, noise=n),
                     st.integers(0, 2**32 - 1), lays, nz)


_EXT = {"text": "txt", "html": "html", "docx": "docx", "markdown": "md"}


def corpus(n: int, seed: int = 0, layout: str | None = None,
           formats: tuple[str, ...] = ("text", "html", "docx", "markdown"),
           noise: Noise | None = None) -> Iterator[tuple[str, bytes]]:
    """Yield ``(name, bytes)`` for n generated reports in each format, one at a time."""
    from nianbao import render

    noise = Noise.realistic() if noise is None else noise
    for i in range(n):
        r = generate(random.Random(f"{seed}:{i}"), layout=layout, noise=noise)
        for fmt in formats:
            data = render.render(r, fmt)
            name = re.sub(r"\W", "", r.meta["agency"] or "")[:12]
            yield f"{i:05d}_{r.layout}_{name}.{_EXT[fmt]}", data
