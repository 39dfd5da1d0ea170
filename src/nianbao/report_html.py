"""``nianbao check --html``: one self-contained HTML file a disclosure office can e-mail.

Inline CSS, no scripts, no external resources. Built with lxml's element builder, so every
string taken from a report (agency names, titles, messages quoting the source) is escaped by
the serializer rather than by hand; characters XML forbids (form feeds from Word exports,
NUL bytes) are dropped first because lxml refuses them. Tables follow the official layout with
labels from the layout data, as in terminal.py.
"""

from __future__ import annotations

import re

from lxml import html as lxml_html
from lxml.html.builder import E

from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import SCORE_CAP, SCORE_WEIGHTS, CheckResult, all_rules
from nianbao.rules.engine import SEVERITY_CN, SEVERITY_ORDER, Rule
from nianbao.rules.table_common import finding_cells
from nianbao.terminal import (
    BALANCE_NOTE,
    TABLE_SHORT,
    _fmt,
    _layout_of,
    finding_where,
    flagged_cells,
)
from nianbao.version import __version__

TITLE = "政府信息公开工作年度报告检查结果"

_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")

CSS = """
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",SimSun,sans-serif;
 margin:2em auto;max-width:72em;padding:0 1em;color:#222;line-height:1.5}
h1{font-size:1.5em}h2{font-size:1.25em;border-bottom:2px solid #888;margin-top:2.5em}
h3{font-size:1.05em;margin-top:1.5em}
table{border-collapse:collapse;margin:.5em 0 1em}
th,td{border:1px solid #999;padding:.2em .45em;vertical-align:middle}
th{background:#f2f2f2;font-weight:normal}
td.num{text-align:right;min-width:3em}
td.blank{background:#fafafa}
td.missing{color:#b00;text-align:center}
.error{background:#f8d7da;outline:2px solid #c00}
.warning{background:#fff3cd;outline:2px solid #d90}
.info{background:#d1ecf1}
a.mark{font-size:.75em;vertical-align:super;margin-left:.15em;color:#900;text-decoration:none}
.sev{display:inline-block;padding:0 .4em;border-radius:.3em;font-size:.85em}
.sev.error,.sev.warning,.sev.info{outline:none}
dl.meta{display:grid;grid-template-columns:max-content auto;gap:.2em 1em}
dl.meta dt{color:#555}dl.meta dd{margin:0}
ol.findings li{margin-bottom:.8em}
.where{color:#555;font-size:.9em}.fix{color:#185c1d}
.rule{border-left:4px solid #ccc;padding-left:1em;margin-bottom:1.2em}
caption{caption-side:top;text-align:left;font-weight:bold;padding:.3em 0}
.note{color:#555;font-size:.9em}
@media print{h2{page-break-before:always}a{color:inherit}}
"""


def _clean(value) -> str:
    return _XML_UNSAFE.sub("", str(value))


def el(tag: str, *children, cls: str | None = None, **attrs):
    """An element whose text children and attributes are cleaned of XML-forbidden characters."""
    kids = [_clean(c) if isinstance(c, str) else c for c in children if c is not None]
    if cls:
        attrs["class"] = cls
    return E(tag, *kids, {k.rstrip("_"): _clean(v) for k, v in attrs.items()})


class _Marks:
    """Finding numbers per table cell of one report, and the anchors linking them."""

    def __init__(self, prefix: str, findings: list, classes: dict[str, str] | None = None,
                 report: Report | None = None) -> None:
        self.prefix = prefix
        # severity -> CSS class of a flagged cell (the web pages use their own names)
        self.classes = classes or {}
        self.by_cell: dict[tuple, list[int]] = {}
        for n, f in enumerate(findings, 1):
            loc = f.location
            cells = (finding_cells(report, f) if report is not None
                     else [(loc.table, loc.row, loc.column)] if loc.table and loc.row else [])
            for cell in cells:
                self.by_cell.setdefault(cell, []).append(n)

    def numbers(self, table: str, row: str, col: str | None) -> list[int]:
        return self.by_cell.get((table, row, col), []) + (
            self.by_cell.get((table, row, None), []) if col else [])

    def cell_id(self, table: str, row: str, col: str) -> str:
        return f"{self.prefix}-{table}-{row}-{col}"


def _td(value, table: str, row: str, col: str, flagged, marks: _Marks):
    sev = flagged.get((table, row, col)) or flagged.get((table, row, None))
    classes = (["num"] + (["blank"] if value is None else [])
               + ([marks.classes.get(sev, sev)] if sev else []))
    links = [el("a", str(n), cls="mark", href=f"#{marks.prefix}-f{n}", title=f"问题 {n}")
             for n in marks.numbers(table, row, col)]
    attrs = {"id": marks.cell_id(table, row, col)} if sev else {}
    return el("td", _fmt(value), *links, cls=" ".join(classes), **attrs)


def _missing(cols: int):
    return el("td", "缺失", cls="missing error", colspan=str(cols))


def table2_html(report: Report, flagged, marks: _Marks):
    spec = _layout_of(report, "table2").table2
    width = max(len(r.columns) for r in spec.rows)
    rows, last = [], None
    for row in spec.rows:
        cols = spec.row_columns(row)
        header = (row.item, tuple(c.key for c in cols))
        if header != last:
            rows.append(el("tr", el("th", row.item or "", colspan=str(width + 1))))
            pad = [el("th", colspan=str(width - len(cols)))] if width > len(cols) else []
            rows.append(el("tr", el("th", "信息内容"), *[el("th", c.label) for c in cols], *pad))
            last = header
        values = report.table2.get(row.key)
        if values is None:
            rows.append(el("tr", el("th", row.label), _missing(width)))
            continue
        pad = [el("td", colspan=str(width - len(cols)))] if width > len(cols) else []
        rows.append(el("tr", el("th", row.label), *[
            _td(values.get(c.key), "table2", row.key, c.key, flagged, marks) for c in cols], *pad))
    return el("table", el("caption", f"二、{spec.label}"), *rows, cls="t2", id=f"{marks.prefix}-table2")


def table3_html(report: Report, flagged, marks: _Marks):
    spec = _layout_of(report, "table3").table3
    groups = {g.key: g.label for g in spec.groups}
    size = {g: sum(1 for r in spec.rows if r.group == g) for g in groups}
    head = el("tr", el("th", BALANCE_NOTE, colspan="2", cls="note"),
              *[el("th", c.label) for c in spec.columns])
    rows, shown = [head], set()
    for row in spec.rows:
        values = report.table3.get(row.key)
        if row.group in groups:
            label = [el("th", row.label)]
            if row.group not in shown:
                label.insert(0, el("th", groups[row.group], rowspan=str(size[row.group])))
                shown.add(row.group)
        else:
            label = [el("th", row.label, colspan="2")]
        if values is None:
            rows.append(el("tr", *label, _missing(len(spec.columns))))
            continue
        rows.append(el("tr", *label, *[_td(values.get(c.key), "table3", row.key, c.key, flagged,
                                           marks) for c in spec.columns]))
    return el("table", el("caption", f"三、{spec.label}"), *rows, cls="t3", id=f"{marks.prefix}-table3")


def table4_html(report: Report, flagged, marks: _Marks):
    spec = _layout_of(report, "table4").table4
    n = str(len(spec.columns))
    heads = el("tr", *[el("th", g.label, colspan=n) for g in spec.groups])
    cols = el("tr", *[el("th", c.label) for _ in spec.groups for c in spec.columns])
    cells = []
    for g in spec.groups:
        values = report.table4.get(g.key) or {}
        cells += [_td(values.get(c.key), "table4", g.key, c.key, flagged, marks)
                  for c in spec.columns]
    return el("table", el("caption", f"四、{spec.label}"), heads, cols, el("tr", *cells), cls="t4",
              id=f"{marks.prefix}-table4")


def meta_html(report: Report):
    m, c = report.meta, report.meta.contact
    contact = "；".join(f"{k}：{v}" for k, v in (("地址", c.address), ("电话", c.phone),
                                                 ("邮编", c.postcode), ("邮箱", c.email)) if v)
    items = [("标题", m.title), ("发布机关", m.agency), ("年度", m.year),
             ("统计期限", " 至 ".join(m.period) if m.period else None),
             ("表格格式", report.layout), ("引用的格式文件", "、".join(m.cited_templates)),
             ("下载网址", m.website), ("联系方式", contact), ("落款日期", m.published)]
    return el("dl", *[x for k, v in items for x in (el("dt", k), el("dd", _fmt(v) or "—"))],
              cls="meta")


def findings_html(report: Report, result: CheckResult, marks: _Marks, rules: dict[str, Rule]):
    if not result.findings:
        return el("p", "未发现问题。")
    items = []
    for n, f in enumerate(result.findings, 1):
        r = rules.get(f.code)
        loc = f.location
        back = []
        if loc.table in TABLE_SHORT and getattr(report, loc.table) is not None:
            target = (marks.cell_id(loc.table, loc.row, loc.column) if loc.row and loc.column
                      else f"{marks.prefix}-{loc.table}")
            back = [" ", el("a", "在表中查看", href="#" + target)]
        items.append(el(
            "li",
            el("span", SEVERITY_CN[f.severity], cls=f"sev {f.severity}"), " ",
            el("a", f.code, href=f"#rule-{f.code}"), " ", el("strong", r.title if r else ""),
            el("div", f.message),
            el("div", "位置：" + finding_where(report, f), *back, cls="where"),
            el("div", "改正：" + r.doc.fix, cls="fix") if r else None,
            id=f"{marks.prefix}-f{n}"))
    return el("ol", *items, cls="findings")


def rule_html(r: Rule):
    return el("div", el("h3", f"{r.code} {r.title}", id=f"rule-{r.code}"),
              el("p", el("span", SEVERITY_CN[r.severity], cls=f"sev {r.severity}"),
                 f" 依据：{r.basis}"),
              el("p", el("strong", "检查什么："), r.doc.what),
              el("p", el("strong", "为什么重要："), r.doc.why),
              el("p", el("strong", "示例："), r.doc.example),
              el("p", el("strong", "怎样改正："), r.doc.fix), cls="rule")


class HtmlReport:
    """Collects checked reports one by one (a batch keeps only the built elements)."""

    def __init__(self) -> None:
        self.sections: list = []
        self.summary: list = []
        self.codes: set[str] = set()
        self.totals = {"error": 0, "warning": 0, "info": 0}

    def add(self, path: str, report: Report, result: CheckResult) -> None:
        prefix = f"r{len(self.summary) + 1}"
        flagged = flagged_cells(report, result.findings)
        marks = _Marks(prefix, result.findings, report=report)
        rules = all_rules()
        self.codes |= {f.code for f in result.findings}
        for k in self.totals:
            self.totals[k] += result.counts.get(k, 0)
        tables = [fn(report, flagged, marks) for name, fn in
                  (("table2", table2_html), ("table3", table3_html), ("table4", table4_html))
                  if getattr(report, name) is not None]
        absent = [TABLE_SHORT[t] for t in TABLE_SHORT if getattr(report, t) is None]
        problems = [el("li", f"{SEVERITY_CN[p.severity]} {p.code}：{p.message}")
                    for p in report.problems]
        c = result.counts
        self.sections.append(el(
            "section",
            el("h2", f"{len(self.summary) + 1}. {report.meta.agency or path}"),
            el("p", f"文件：{path}    错误 {c['error']} 个，警告 {c['warning']} 个，"
                    f"提示 {c['info']} 个；得分 {result.score}。", cls="note"),
            meta_html(report),
            el("h3", "统计表（标出的单元格有问题，点击编号查看说明）"), *tables,
            el("p", "原文没有：" + "、".join(absent), cls="note") if absent else None,
            *([el("h3", "解析问题"), el("ul", *problems)] if problems else []),
            el("h3", f"发现的问题（{len(result.findings)} 个）"),
            findings_html(report, result, marks, rules),
            id=prefix))
        self.summary.append(el(
            "tr", el("td", el("a", path, href=f"#{prefix}")), el("td", report.meta.agency or ""),
            el("td", _fmt(report.meta.year), cls="num"),
            *[el("td", str(c[k]), cls="num" + (f" {k}" if c[k] and k != "info" else ""))
              for k in ("error", "warning", "info")],
            el("td", str(result.score), cls="num")))

    def add_error(self, path: str, error: NianbaoError) -> None:
        self.summary.append(el("tr", el("td", path), el("td", "无法读取：" + error.message,
                                                        colspan="6", cls="error")))

    def element(self):
        rules = all_rules()
        used = [rules[c] for c in rules if c in self.codes]
        used.sort(key=lambda r: -SEVERITY_ORDER[r.severity])
        t = self.totals
        summary = el("table", el("tr", *[el("th", h) for h in (
            "文件", "发布机关", "年度", "错误", "警告", "提示", "得分")]), *self.summary,
            cls="summary")
        weights = "，".join(f"{SEVERITY_CN[k]}每个扣 {v} 分" for k, v in SCORE_WEIGHTS.items() if v)
        body = el(
            "body",
            el("h1", TITLE),
            el("p", f"共 {len(self.summary)} 份年报；错误 {t['error']} 个，警告 {t['warning']} 个，"
                    f"提示 {t['info']} 个。由 nianbao {__version__} 生成。", cls="note"),
            el("h2", "汇总"), summary,
            el("p", f"得分：100 分起，{weights}；同一规则最多计 {SCORE_CAP} 次，最低 0 分。",
               cls="note"),
            *self.sections,
            *([el("h2", "规则说明", id="rules"), *[rule_html(r) for r in used]] if used else []))
        return el("html", el("head", el("meta", charset="utf-8"), el("title", TITLE),
                             el("style", CSS)), body, lang="zh-CN")

    def tostring(self) -> str:
        return lxml_html.tostring(self.element(), encoding="unicode", doctype="<!DOCTYPE html>")
