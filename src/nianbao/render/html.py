"""Render as a government web page: site chrome around the article, tables with spans.

Real report pages wrap the article in navigation, breadcrumb, sidebar, scripts and a
footer, and their tables are Word exports: ``rowspan``/``colspan``, ``&nbsp;`` for blank
cells, ``<br>`` or ``<p>`` inside cells, inline styles. The markup is built with lxml so
that it is always well formed and escaped.
"""

from __future__ import annotations

from lxml import etree
from lxml.html import builder as E

from nianbao.render import Grid, body, noise_of, rng_for, view_of

_NAV = ("首页", "政务公开", "政务服务", "互动交流", "走进本地")
_SIDEBAR = ("政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报",
            "依申请公开", "政策解读")
_CELL_STYLE = "border:1px solid #000;padding:2px 4px;text-align:center;vertical-align:middle"


def _cell_content(td, text: str, rng, blank: str) -> None:
    """Word-exported cell content: lines as <br> or as <p>, sometimes wrapped in <span>."""
    if not text:
        td.text = blank
        return
    lines = text.split("\n")
    if len(lines) > 1 and rng.random() < 0.5:
        for line in lines:
            td.append(E.P(line))
        return
    holder = td
    if rng.random() < 0.3:
        holder = etree.SubElement(td, "span", style="font-family:仿宋_GB2312;font-size:12pt")
    holder.text = lines[0]
    for line in lines[1:]:
        br = etree.SubElement(holder, "br")
        br.tail = line


def table_element(grid: Grid, rng):
    table = E.TABLE(border="1", cellspacing="0", cellpadding="0",
                    style="width:100%;border-collapse:collapse")
    body = etree.SubElement(table, "tbody")
    for row in grid.rows:
        tr = etree.SubElement(body, "tr")
        for cell in row:
            if cell.continued:
                continue
            td = etree.SubElement(tr, "td", style=_CELL_STYLE)
            if cell.colspan > 1:
                td.set("colspan", str(cell.colspan))
            if cell.rowspan > 1:
                td.set("rowspan", str(cell.rowspan))
            _cell_content(td, cell.text, rng, "\xa0")
    return table


def _chrome_top(site: str):
    nav = E.UL(*(E.LI(E.A(x, href=f"/col/{i}/index.html")) for i, x in enumerate(_NAV)),
               E.CLASS("nav"))
    header = E.DIV(E.DIV(E.A(site, href="/"), E.CLASS("logo")), nav, E.CLASS("header"))
    crumb = E.DIV("当前位置：", E.A("首页", href="/"), " > ", E.A("政务公开", href="/zwgk/"), " > ",
                  E.A("政府信息公开年报", href="/zwgk/ndbg/"), E.CLASS("breadcrumb"))
    side = E.DIV(E.H3("信息公开"), E.UL(*(E.LI(E.A(x, href=f"/zwgk/{i}/")) for i, x
                                        in enumerate(_SIDEBAR))), E.CLASS("sidebar"))
    return header, crumb, side


def _footer(site: str, rng):
    return E.DIV(E.P(f"主办单位：{site}　　网站标识码：{rng.randint(3600000000, 3699999999)}"),
                 E.P(f"ICP备案号：赣ICP备{rng.randint(10000000, 99999999)}号-1　　"
                     "建议使用1366×768分辨率浏览本网站"), E.CLASS("footer"))


def to_html(r, noise=None) -> str:
    view, noise = view_of(r), noise_of(r, noise)
    rng = rng_for(view, "html")
    site = (view.meta.get("agency") or "人民政府") + "门户网站"
    title = "".join(view.title_lines)
    article = E.DIV(E.CLASS("content"), id="zoom")

    def para(text: str, strong: bool = False) -> None:
        if strong and rng.random() < 0.5:
            article.append(E.H3(text))
        elif strong:
            article.append(E.P(E.STRONG(text)))
        else:
            p = E.P(text, style="text-indent:2em;line-height:1.8")
            article.append(p)

    for kind, item in body(view, rng, noise):
        if kind == "heading":
            para(item, strong=True)
        elif kind == "paragraph":
            para(item, strong=len(item) < 16 and item.startswith("（"))
        else:
            if kind == "table_continued":
                article.append(E.P("\xa0"))
            article.append(table_element(item, rng))
    for line in view.closing:
        article.append(E.P(line, style="text-align:right"))
    header, crumb, side = _chrome_top(site)
    published, agency = view.meta.get("published") or "", view.meta.get("agency") or ""
    info = E.DIV(f"发布时间：{published}　来源：{agency}　【字体：大 中 小】", E.CLASS("info"))
    main = E.DIV(side, E.DIV(E.H1(title, E.CLASS("title")), info, article, E.CLASS("article")),
                 E.CLASS("main"))
    stats = E.SCRIPT("var _hmt = _hmt || [];(function(){var hm=document.createElement('script');"
                     "hm.src='/js/stat.js';document.body.appendChild(hm);})();")
    page = E.HTML(
        E.HEAD(E.META(charset="utf-8"), E.TITLE(f"{title}_{site}"),
               E.LINK(rel="stylesheet", href="/css/style.css"),
               E.SCRIPT(src="/js/jquery.min.js")),
        E.BODY(header, crumb, main, _footer(site, rng), stats),
        lang="zh-CN",
    )
    markup = etree.tostring(page, encoding="unicode", method="html")
    return "<!DOCTYPE html>\n" + markup.replace("\xa0", "&nbsp;")
