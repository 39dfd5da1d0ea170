"""Reader for HTML pages, as government websites publish annual reports.

A page wraps the article in navigation, breadcrumbs, sidebars, share bars and
copyright footers, often laid out with old-style nested tables. The reader finds
the element holding the article (by where the page's plain text and data-table
cells are, with common CMS container names only as a tie-breaker), then reads it
into paragraphs and grid tables. It knows nothing about annual reports.

The content finding and the table grid are hand-written: lxml parses, but no
well-kept library computes an HTML table grid with placeholders for vertical
merges, and readability-style extractors drop tables, which are what we need most.
"""

from __future__ import annotations

import re

from lxml import etree

from nianbao.document import Document, Location, Paragraph
from nianbao.readers.html_table import all_text, read_table, tidy

_DROP = ("head", "title", "script", "style", "noscript", "nav", "aside", "iframe", "template",
         "select", "button", "textarea", "input", "object", "embed", "svg", "canvas", "map")
_BLOCK = frozenset((
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "dl", "dt", "dd",
    "blockquote", "pre", "section", "article", "main", "header", "footer", "center", "address",
    "figure", "figcaption", "table", "tr", "td", "th", "tbody", "thead", "tfoot", "caption",
    "form", "fieldset", "legend", "hr", "body", "html", "details", "summary", "menu"))
# what breaks a line inside a table cell: the usual ones only, as lxml's tag filter costs
# grow with the number of names and a cell is read for every statistical value
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
_HINT = re.compile(r"zoom|article|content|trs_editor|custom_unionstyle|view|pages_content|xxgk"
                   r"|detail|zhengwen|wenzhang|newstext|news_con|con_text|textcon|main_?text", re.I)
_TITLE_HINT = re.compile(r"title|(?:^|[-_\s])(?:tit|bt|biaoti)(?:$|[-_\s\d])", re.I)
_XML_DECL = re.compile(r"^\s*<\?xml[^>]*\?>", re.I)
_HIDDEN = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.I)
# CSS Text: a source line break between two East Asian wide characters renders as nothing.
# Word's HTML export wraps lines mid-sentence, so without this Chinese text gains spaces.


def read_html(text: str) -> Document:
    doc = Document(format="html")
    root = _parse(text)
    if root is None:
        return doc
    body = root.find("body")
    if body is None:
        body = root
    head_title = root.findtext("head/title") or ""
    _clean(root)
    stats = _Stats(body)
    content = _find_content(body, stats)
    title, start = _find_title(body, content, stats, head_title)
    _Walker(doc, stats).walk(content, start)
    if title is not None and not _already_first(doc, title):
        doc.blocks.insert(0, Paragraph(_text(title), Location(line=title.sourceline),
                                       _HEADINGS.get(title.tag)))
    return doc


# ---------------------------------------------------------------------- parsing
def _parse(text: str) -> etree._Element | None:
    # lxml refuses str input that carries an XML encoding declaration; the bytes are
    # already decoded, so the declaration says nothing useful.
    text = _XML_DECL.sub("", text, count=1)
    if not text.strip():
        return None
    # plain etree elements (lxml.html's classes cost a lookup per node); a parser per call,
    # as lxml parsers must not be shared between threads (the web app parses in several)
    parser = etree.HTMLParser(remove_comments=True, remove_pis=True, no_network=True)
    try:
        root = etree.fromstring(text, parser)
    except (etree.ParserError, etree.XMLSyntaxError, ValueError):
        return None
    return root if root is not None and isinstance(root.tag, str) else None


def _clean(root: etree._Element) -> None:
    """Drop what never belongs to an article; keep wrappers that may hold it."""
    # ASP.NET pages wrap the whole page in one <form>; HTML5 pages put an article's
    # title in its own <header>. Only small, table-free ones are page furniture.
    for el in root.iter("form", "header", "footer"):
        if el.find(".//table") is None and not (
                len(all_text(el).strip()) >= 200 if el.tag == "form"
                else any(len(all_text(h).strip()) >= 6 for h in el.iter("h1", "h2", "h3"))):
            el.tag = "nianbao-drop"
    etree.strip_elements(root, *_DROP, "nianbao-drop", with_tail=False)  # tails are kept


class _Stats:
    """Per-element counts of non-blank characters, link characters and data-table cells.

    A data table counts as one element with its totals: its rows and cells are most of a
    report page's elements and are never candidates for the article.
    """

    def __init__(self, body: etree._Element) -> None:
        self.data_tables = {t for t in body.iter("table") if _is_data_table(t)}
        self.in_table: set = set()  # rows and cells of data tables
        for t in self.data_tables:
            self.in_table.update(t.iterdescendants())
        order = self.order = [el for el in body.iter(etree.Element) if el not in self.in_table]
        self.pos = pos = {el: i for i, el in enumerate(order)}
        n = len(order)
        total, link, links, size = [0] * n, [0] * n, [0] * n, [1] * n
        cells, breaks = [0] * n, [0] * n  # data-table cells / blocks and <br>s inside
        hinted, titled, self.hidden = set(), set(), set()
        for i in range(n - 1, -1, -1):  # children before parents
            el = order[i]
            tag = el.tag
            if tag == "table" and el in self.data_tables:
                total[i], link[i], links[i], cells[i] = _table_totals(el)
            elif text := el.text:
                total[i] += len(text.strip())
            if tag == "a" and el.get("href") is not None:  # not Word's <a name> bookmarks
                link[i] = total[i]
                links[i] += 1
            attrib = el.attrib
            if not attrib:
                pass
            elif _is_hidden(attrib) and not cells[i]:  # a hidden article is still the article
                self.hidden.add(el)
                total[i] = link[i] = links[i] = 0
                breaks[i] += 1  # so that its parent is never read in one piece
            elif (names := (attrib.get("class"), attrib.get("id"))) and (names[0] or names[1]):
                joined = f"{names[0] or ''} {names[1] or ''}"
                if _HINT.search(joined):
                    hinted.add(el)
                if _TITLE_HINT.search(joined):
                    titled.add(el)
            p = pos.get(el.getparent())
            if p is None:
                continue
            text = el.tail
            total[p] += total[i] + len(text.strip()) if text else total[i]
            link[p] += link[i]
            links[p] += links[i]
            size[p] += size[i]
            cells[p] += cells[i]
            breaks[p] += breaks[i] + (tag in _BLOCK or tag == "br")
        self.hinted, self.titled = hinted, titled  # CMS article containers / title-styled

        def by_element(values: list) -> dict:
            return dict(zip(order, values, strict=True))

        self.total, self.link, self.links = by_element(total), by_element(link), by_element(links)
        self.size, self.cells, self.breaks = by_element(size), by_element(cells), by_element(breaks)

    def plain(self, el: etree._Element) -> int:
        return self.total[el] - self.link[el]

    def inside(self, el: etree._Element, container: etree._Element) -> bool:
        start = self.pos[container]
        return start <= self.pos[el] < start + self.size[container]

    def link_dense(self, el: etree._Element) -> bool:
        return (self.links[el] >= 2 and self.link[el] >= 0.6 * self.total[el]
                and self.cells[el] == 0)


def _is_hidden(attrib) -> bool:
    style = attrib.get("style")
    return attrib.get("hidden") is not None or bool(
        style and ("none" in style or "idden" in style or "NONE" in style)
        and _HIDDEN.search(style))


def _is_data_table(table: etree._Element) -> bool:
    """A table of cells, not a layout table: no table inside, no cell of prose."""
    if table.find(".//table") is not None:
        return False
    size = len(all_text(table).strip())
    if size < 200:
        return True
    widest = max((sum(1 for _ in tr.iterchildren("td", "th")) for tr in table.iter("tr")),
                 default=0)
    # statistical cells hold a label or a number; a page laid out in a table has the
    # whole article in one cell
    return widest > 1 and (size < 500 or not any(
        len(all_text(c) if len(c) else c.text or "") > 500 for c in table.iter("td", "th")))


def _table_totals(table: etree._Element) -> tuple[int, int, int, int]:
    """Text, link text, links, and cells not made of a link, of one data table."""
    text = all_text(table)
    total = len("".join(text.split()))
    anchors = [a for a in table.iter("a") if a.get("href") is not None]
    link = sum(len(all_text(a).strip()) for a in anchors)
    linked = {next(a.iterancestors("td", "th"), None) for a in anchors}
    cells = sum(1 for c in table.iter("td", "th")
                if c not in linked or len(all_text(c).strip()) > 2 * sum(
                    len(all_text(a).strip()) for a in c.iter("a") if a.get("href") is not None))
    return total, link, len(anchors), cells


# ---------------------------------------------------------------------- content & title
def _find_content(body: etree._Element, stats: _Stats) -> etree._Element:
    """The smallest element holding most of the page's plain text and its data tables."""
    plain, cells = stats.plain(body), stats.cells[body]
    if plain == 0:
        return body
    min_cells = cells - (0.1 * cells + 6)
    best = body
    for el in stats.order:  # document order: a satisfying descendant comes after its ancestor
        if stats.plain(el) * 2 > plain and stats.cells[el] >= min_cells and el.tag != "a":
            best = el
    # climb back over siblings that look like more article (other Word sections, the
    # title block), not like navigation: much plain text, or some text and no links
    while best is not body:
        parent = best.getparent()
        extra = stats.plain(parent) - stats.plain(best)
        extra_link = stats.link[parent] - stats.link[best]
        density = extra_link / (extra + extra_link) if extra + extra_link else 0.0
        own = max(stats.plain(best), 1)
        if ((extra >= 0.2 * own and density <= 0.5) or (extra >= 0.05 * own and density <= 0.1)
                or (parent in stats.hinted and density <= 0.5) or extra + extra_link == 0):
            best = parent
        else:
            break
    # a CMS article container inside it that still holds most of it: page junk with
    # plain text (a long agency profile, say) is then left out
    start = stats.pos[best]
    for el in stats.order[start + 1 : start + stats.size[best]]:
        if (el in stats.hinted and stats.inside(el, best)
                and stats.plain(el) * 2 >= stats.plain(best)
                and stats.cells[el] >= stats.cells[best] * 0.9):
            best = el
    return best


def _find_title(body, content, stats: _Stats, head_title: str):
    """The article's title: (element to print first, element to start reading at).

    The page's <title> (minus the site name) tells which heading is the article's;
    without it only an h1/title-styled element just above the content is trusted,
    so sidebar box titles and site banners never become the report title.
    """
    parts = [p for p in re.split(r"\s*(?:_|\||｜|——|--|\s-\s)\s*", head_title) if p.strip()]
    wanted = "".join(max(parts, key=len).split()) if parts else ""
    candidates = []
    for el in stats.order:
        is_h = el.tag in _HEADINGS
        if not (is_h or el in stats.titled) or el.tag == "a":
            continue
        size = stats.total[el]
        if not 6 <= size <= 150 or el in stats.in_table:
            continue
        candidates.append(el)
    if wanted:
        matches = []
        for el in candidates:
            t = "".join(all_text(el).split())
            if (t in wanted and len(t) >= 0.6 * len(wanted)) or wanted in t:
                if matches and stats.inside(el, matches[-1]):
                    matches[-1] = el  # <div class="title"><h1>…: the innermost says the level
                else:
                    matches.append(el)
        inside = [el for el in matches if stats.inside(el, content) and el is not content]
        if inside:  # start there if only furniture (a breadcrumb…) stands before it
            return None, (inside[0] if _text_before(inside[0], content, stats) < 200 else None)
        before = [el for el in matches if stats.pos[el] < stats.pos[content]]
        if before:
            return before[-1], None
    scope = content
    for _ in range(2):  # the title block sits beside the content or one level up
        if scope.getparent() is not None and scope.getparent() in stats.pos:
            scope = scope.getparent()
    for el in reversed(candidates):
        if (stats.pos[el] < stats.pos[content] and not stats.inside(content, el)
                and (el.tag in ("h1", "h2") or el in stats.titled)
                and stats.links[el] == 0 and stats.inside(el, scope)):
            # a sidebar box title is followed by its list of links; an article title only
            # by a date line with a few (字号 大 中 小)
            between = stats.order[stats.pos[el] + stats.size[el] : stats.pos[content]]
            if sum(stats.link[x] for x in between if x.tag == "a") <= 12:
                return el, None
            break
    return None, None


def _text_before(el: etree._Element, container: etree._Element, stats: _Stats) -> int:
    size = 0
    while el is not container:
        for sib in el.itersiblings(preceding=True):
            size += stats.total.get(sib, 0) + len((sib.tail or "").strip())
        el = el.getparent()
        size += len((el.text or "").strip())
    return size


def _already_first(doc: Document, title: etree._Element) -> bool:
    want = "".join(_text(title).split())
    head = "".join("".join(p.text.split()) for p in doc.paragraphs[:3])
    return not want or want in head


def _text(el: etree._Element) -> str:
    return tidy(all_text(el))


class _Walker:
    """Emit paragraphs and tables of one element in document order."""

    def __init__(self, doc: Document, stats: _Stats) -> None:
        self.doc, self.stats = doc, stats
        self.buf: list[str] = []
        self.line: int | None = None
        self.levels: list[int] = []
        self.pre = 0

    def add(self, text: str | None, el: etree._Element, line: int | None = None) -> None:
        if not text:
            return
        if line is None:
            line = el.sourceline
        if self.pre:
            lines = text.split("\n")
            for i, part in enumerate(lines):
                self.add_one(part, line + i if line else None)
                if i < len(lines) - 1:
                    self.flush()
            return
        self.add_one(text, line)

    def add_one(self, text: str, line: int | None) -> None:
        if self.line is None and (stripped := text.lstrip()):
            # the line the words start on, not the line of the tag before them
            self.line = line + text[: len(text) - len(stripped)].count("\n") if line else None
        self.buf.append(text)

    def flush(self) -> None:
        if self.buf:
            text = tidy("".join(self.buf))
            if text:
                heading = self.levels[-1] if self.levels else None
                self.doc.blocks.append(Paragraph(text, Location(line=self.line), heading))
        self.buf, self.line = [], None

    def walk(self, root: etree._Element, start: etree._Element | None) -> None:
        started = start is None
        skipped: set = set()  # subtrees not read: their end event only carries the tail
        it = etree.iterwalk(root, events=("start", "end"))
        for event, el in it:
            tag = el.tag
            if not started:
                if event == "start" and el is start:
                    started = True
                else:
                    continue
            if event == "start":
                if tag == "table" and el in self.stats.data_tables:
                    self.flush()
                    self.table(el)
                    skipped.add(el)
                    it.skip_subtree()
                elif el in self.stats.hidden:  # display:none makes no box, so no break
                    skipped.add(el)
                    it.skip_subtree()
                elif tag in _BLOCK and el is not root and self.stats.link_dense(el):
                    self.flush()  # a list of links: menus, "相关链接", breadcrumbs
                    skipped.add(el)
                    it.skip_subtree()
                elif tag in ("br", "hr"):
                    self.flush()
                else:
                    if tag in _BLOCK:
                        self.flush()
                        if tag in _HEADINGS:
                            self.levels.append(_HEADINGS[tag])
                        self.pre += tag == "pre"
                    if len(el) and not self.stats.breaks[el]:
                        # only inline markup inside (Word's nested spans): take it whole
                        self.add(all_text(el), el)
                        it.skip_subtree()
                    else:
                        self.add(el.text, el)
                continue
            if el in skipped:
                skipped.discard(el)
            elif tag in _BLOCK:
                self.flush()
                if tag in _HEADINGS and self.levels:
                    self.levels.pop()
                self.pre -= tag == "pre" and self.pre > 0
            if el is root:
                break
            self.add(el.tail, el, _tail_line(el))
        self.flush()

    def table(self, el: etree._Element) -> None:
        table = read_table(el, len(self.doc.tables))
        if not table.rows:
            return
        caption = el.find("caption")
        if caption is not None and (text := _text(caption)):
            self.doc.blocks.append(Paragraph(text, Location(line=caption.sourceline)))
        self.doc.blocks.append(table)


def _tail_line(el: etree._Element) -> int | None:
    """The line a tail starts on: lxml only knows where elements start."""
    if el.tag == "br" or not el.tail:  # a void element starts and ends on one line
        return el.sourceline
    nxt = el.getnext()
    if nxt is not None and nxt.sourceline:
        return nxt.sourceline - el.tail.count("\n")
    return el.sourceline
