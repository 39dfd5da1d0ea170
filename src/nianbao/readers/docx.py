"""Reader for Word documents (OOXML ``.docx``).

Reads ``word/document.xml`` straight from the zip with lxml instead of python-docx:
python-docx builds a full object model per document and is several times slower,
while we only need paragraphs, tables and their merges. Documents of normal size
are parsed as one tree; big ones as a stream (``iterparse``) whose top-level blocks
are dropped once read, so memory stays bounded by the largest table.

Input is untrusted: zip bombs are refused from the headers and again while
decompressing (headers can lie), entities are never resolved, and every failure
becomes a ``ParseError`` with a stable code.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from functools import lru_cache
from itertools import islice

from lxml import etree

from nianbao.document import Cell, Document, Location, Paragraph, Table
from nianbao.errors import parse_error
from nianbao.readers.zipsafe import (
    MAX_DOCUMENT_XML,
    CappedReader,
    Corrupt,
    NotDocx,
    TooLarge,
    check_sizes,
    member,
    open_zip,
    small_part,
)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_P, _TBL, _TR, _TC, _R, _T = W + "p", W + "tbl", W + "tr", W + "tc", W + "r", W + "t"
_BODY = W + "body"
_SDT, _SDT_CONTENT, _CUSTOM_XML = W + "sdt", W + "sdtContent", W + "customXml"
_VAL = W + "val"
_TCPR, _TRPR = W + "tcPr", W + "trPr"
_PROP_TAGS = (W + "gridSpan", W + "vMerge", W + "hMerge", W + "gridBefore", W + "del")
# Containers that only wrap blocks, rows or cells (content controls, custom XML).
_WRAPPERS = (_SDT, _SDT_CONTENT, _CUSTOM_XML)
_BLOCK_TAGS = (_P, _TBL, _SDT, _CUSTOM_XML)
_TEXT_TAGS = (_P, _T, W + "tab", W + "ptab", W + "br", W + "cr", W + "noBreakHyphen")
_CELL_TEXT_TAGS = (_TC, *_TEXT_TAGS)
_TEXT_MAP = {W + "tab": "\t", W + "ptab": "\t", W + "br": "\n", W + "cr": "\n",
             W + "noBreakHyphen": "-"}
# Text that is not printed as body text: tracked deletions, the old place of a move,
# text boxes, and the VML duplicate Word writes for every DrawingML shape.
_DROP_TAGS = (W + "del", W + "moveFrom", W + "txbxContent", _MC + "Fallback")
_MARKER_PARENTS = (W + "rPr", W + "trPr", W + "tcPr", W + "pPr")
_OFFICE_DOC = re.compile(r"/officeDocument$")
_HEADING = re.compile(r"(?:heading|标题)\s*([1-6])", re.IGNORECASE)

WHOLE_TREE_MAX = 8 * 1024 * 1024  # above this, stream (a tree costs ~10x the XML in memory)

# XXE-safe: no entity expansion, no network, no DTD; libxml2's size limits stay on.
# collect_ids=False: we never look elements up by id, and skipping the id table is faster.
_SAFE_XML = {"resolve_entities": False, "no_network": True, "huge_tree": False,
             "load_dtd": False, "collect_ids": False}


def read_docx(data: bytes, where: str | None) -> Document:
    """Bytes of a .docx to a Document; raise ParseError for anything unreadable."""
    try:
        return _read(data)
    except TooLarge as exc:
        raise parse_error("archive_too_large", where, size=exc.size, limit=exc.limit) from None
    except Corrupt as exc:
        raise parse_error("docx_corrupt", where, detail=exc.args[0]) from None
    except NotDocx:
        raise parse_error("zip_not_docx", where) from None
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        detail = f"正文 XML 格式错误，第 {line} 行" if line else "正文 XML 格式错误"
        raise parse_error("docx_corrupt", where, detail=detail) from None


def _main_part(zf: zipfile.ZipFile) -> zipfile.ZipInfo:
    """The main document part named by ``_rels/.rels``, else ``word/document.xml``."""
    rels = member(zf, "_rels/.rels")
    if rels is not None:
        try:
            root = etree.fromstring(small_part(zf, rels), etree.XMLParser(**_SAFE_XML))
            for rel in root.iter(_REL + "Relationship"):
                if _OFFICE_DOC.search(rel.get("Type", "")):
                    info = member(zf, posixpath.normpath(rel.get("Target", "")).lstrip("/"))
                    if info is not None:
                        return info
        except (etree.XMLSyntaxError, Corrupt):
            pass  # a broken .rels file: fall back to the usual name
    info = member(zf, "word/document.xml")
    if info is None:
        raise NotDocx
    return info


def _read(data: bytes) -> Document:
    zf = open_zip(data)
    with zf:
        info = _main_part(zf)
        check_sizes(zf, info)
        headings = _heading_styles(zf, info)
        try:
            stream = CappedReader(zf, info, MAX_DOCUMENT_XML)
        except RuntimeError:
            raise Corrupt("文档内容已加密") from None
        except (NotImplementedError, zipfile.BadZipFile, OSError, EOFError):
            raise Corrupt("无法解压正文") from None
        builder = _Builder(headings)
        if info.file_size <= WHOLE_TREE_MAX:
            _read_whole(stream, builder)
        else:
            _read_streaming(stream, builder)
    return builder.doc


def _read_whole(stream: CappedReader, builder: _Builder) -> None:
    """Documents of normal size (all real reports): one tree, faster than streaming.

    zipfile never returns more than the declared size, so the tree stays small even
    when the header lies.
    """
    root = etree.fromstring(stream.read_all(), etree.XMLParser(**_SAFE_XML))
    body = _child(root, _BODY)
    for elem in body if body is not None else ():
        if elem.tag in _BLOCK_TAGS:
            builder.block(elem)


def _read_streaming(stream: CappedReader, builder: _Builder) -> None:
    """Big documents: each top-level block is dropped once read, bounding memory."""
    events = etree.iterparse(stream, events=("end",), tag=_BLOCK_TAGS, **_SAFE_XML)
    for _event, elem in events:
        parent = elem.getparent()
        if parent is None or parent.tag != _BODY:
            continue  # nested: handled with its top-level block
        builder.block(elem)
        # lxml's iterparse idiom: free what has been read
        elem.clear()
        while elem.getprevious() is not None:
            del parent[0]


def _heading_styles(zf: zipfile.ZipFile, doc: zipfile.ZipInfo) -> dict[str, int]:
    """Style id -> heading level, from the style name or outline level (with basedOn).

    Word keeps English names ("heading 1") with ids like ``Heading1``; WPS writes ids
    like ``2`` named "标题 1" or "heading 1". Headings are a nicety: a broken styles
    part only loses them.
    """
    info = member(zf, posixpath.join(posixpath.dirname(doc.filename), "styles.xml"))
    if info is None:
        return {}
    try:
        xml = small_part(zf, info)
    except Corrupt:
        return {}
    # Offices and their WPS/Word templates repeat: most documents share a styles part.
    return _levels_cached(xml) if len(xml) <= 512 * 1024 else _levels(xml)


@lru_cache(maxsize=32)
def _levels_cached(xml: bytes) -> dict[str, int]:
    return _levels(xml)


def _levels(xml: bytes) -> dict[str, int]:
    try:
        root = etree.fromstring(xml, etree.XMLParser(**_SAFE_XML))
    except etree.XMLSyntaxError:
        return {}
    own: dict[str, int | None] = {}
    based: dict[str, str] = {}
    for st in root.iter(W + "style"):
        if st.get(W + "type", "paragraph") != "paragraph" or not (sid := st.get(W + "styleId")):
            continue
        name = st.find(W + "name")
        m = _HEADING.fullmatch(name.get(_VAL, "") if name is not None else "")
        lvl = st.find(f"{W}pPr/{W}outlineLvl")
        if m:
            own[sid] = int(m.group(1))
        elif lvl is not None:
            own[sid] = _outline_level(lvl)
        if (base := st.find(W + "basedOn")) is not None:
            based[sid] = base.get(_VAL, "")
    levels: dict[str, int] = {}
    for sid in set(own) | set(based):
        cur, seen = sid, 0
        while cur not in own and cur in based and seen < 20:
            cur, seen = based[cur], seen + 1
        if (level := own.get(cur)) is not None:
            levels[sid] = level
    return levels


def _outline_level(el: etree._Element) -> int | None:
    try:
        v = int(el.get(_VAL, "9"))
    except ValueError:
        return None
    return v + 1 if 0 <= v <= 5 else None  # 9 means body text


def _style_id_level(sid: str) -> int | None:
    m = _HEADING.fullmatch(sid)
    return int(m.group(1)) if m else None


def _child(el: etree._Element | None, tag: str) -> etree._Element | None:
    # iterchildren(tag) filters in C; ``find`` goes through ElementPath and is 3x slower
    return None if el is None else next(el.iterchildren(tag), None)


def _children(el: etree._Element, tag: str):
    """Children with ``tag``, looking through content controls and custom XML wrappers."""
    for ch in el:
        if ch.tag == tag:
            yield ch
        elif ch.tag in _WRAPPERS:
            yield from _children(ch, tag)


def _drop_hidden(block: etree._Element) -> None:
    for el in list(block.iter(_DROP_TAGS)):
        parent = el.getparent()
        if parent is not None and parent.tag not in _MARKER_PARENTS:
            parent.remove(el)


def _texts(el: etree._Element, by_cell: bool = False) -> dict[object, list[str]]:
    """Paragraph texts in ``el`` in one C-filtered pass; grouped per ``w:tc`` when ``by_cell``.

    One pass over a whole table is 3x faster than one per cell. A nested table would
    make it file text under the inner cells, so such (rare) tables go cell by cell,
    which flattens the inner text into the outer cell instead.
    """
    if by_cell and next(islice(el.iter(_TBL), 1, None), None) is not None:
        return {tc: _texts(tc)[None] for tr in _children(el, _TR) for tc in _children(tr, _TC)}
    groups: dict[object, list[list[str]]] = {None: []}
    parts, cur = groups[None], []
    for node in el.iter(_CELL_TEXT_TAGS if by_cell else _TEXT_TAGS):
        tag = node.tag
        if tag == _T:
            cur.append(node.text or "")
        elif tag == _P:
            cur = []
            parts.append(cur)
        elif tag == _TC:
            parts = groups[node] = []
        elif node.getparent().tag == _R:  # w:tab also appears in tab-stop definitions
            cur.append(_TEXT_MAP[tag])
    return {k: ["".join(p) for p in ps] for k, ps in groups.items()}


class _Builder:
    def __init__(self, headings: dict[str, int]) -> None:
        self.doc = Document(format="docx")
        self.headings = headings

    def block(self, el: etree._Element) -> None:
        _drop_hidden(el)
        self._block(el)

    def _block(self, el: etree._Element) -> None:
        if el.tag == _P:
            text = "".join(_texts(el)[None]).strip()
            if text:
                self.doc.blocks.append(Paragraph(text, Location(), self._heading(el)))
        elif el.tag == _TBL:
            self._table(el)
        else:  # content control or custom XML wrapping blocks
            for ch in el:
                if ch.tag in _BLOCK_TAGS or ch.tag == _SDT_CONTENT:
                    self._block(ch)

    def _heading(self, p: etree._Element) -> int | None:
        ppr = _child(p, W + "pPr")
        lvl = _child(ppr, W + "outlineLvl")
        if lvl is not None:  # direct formatting wins over the style
            return _outline_level(lvl)
        style = _child(ppr, W + "pStyle")
        if style is None:
            return None
        sid = style.get(_VAL, "")
        return self.headings[sid] if sid in self.headings else _style_id_level(sid)

    def _table(self, tbl: etree._Element) -> None:
        index = len(self.doc.tables)
        # Merge and skip properties are rare: find them in one C-level pass over the table
        # rather than asking every cell (the per-cell lookups dominated the reading time).
        props: dict[etree._Element, dict[str, etree._Element]] = {}
        for el in tbl.iter(_PROP_TAGS):
            owner = el.getparent()
            if owner.tag in (_TCPR, _TRPR):
                props.setdefault(owner.getparent(), {})[el.tag] = el
        texts = _texts(tbl, by_cell=True)
        rows: list[list[Cell]] = []
        for tr in _children(tbl, _TR):
            tr_props = props.get(tr, {})
            if W + "del" in tr_props:
                continue  # a row deleted with tracked changes
            col = _int_val(tr_props.get(W + "gridBefore"), 0)
            rows.append(self._row(tr, props, texts, index, len(rows), col))
        if not any(rows):
            return
        _row_spans(rows)
        self.doc.blocks.append(Table(rows, index, Location(table=index), grid=True))

    @staticmethod
    def _row(tr, props, texts, index: int, r: int, col: int) -> list[Cell]:
        cells: list[Cell] = []
        for tc in _children(tr, _TC):
            tc_props = props.get(tc)
            span, vmerge, hmerge = 1, None, None
            if tc_props:
                span = max(_int_val(tc_props.get(W + "gridSpan"), 1), 1)
                vmerge, hmerge = tc_props.get(W + "vMerge"), tc_props.get(W + "hMerge")
            if hmerge is not None and hmerge.get(_VAL) != "restart" and cells:
                cells[-1].colspan += span  # legacy horizontal merge (Word 97 documents)
                col += span
                continue
            loc = Location(table=index, row=r, col=col)
            if vmerge is not None and vmerge.get(_VAL, "continue") != "restart":
                cells.append(Cell("", loc, colspan=span, continued=True))
            else:
                text = "\n".join(t for t in texts.get(tc, ()) if t.strip())
                cells.append(Cell(text, loc, colspan=span))
            col += span
        return cells


def _int_val(el: etree._Element | None, default: int) -> int:
    if el is None:
        return default
    try:
        return int(el.get(_VAL, default))
    except ValueError:
        return default


def _row_spans(rows: list[list[Cell]]) -> None:
    """A restart cell spans itself plus the continuation cells below it in its grid column."""
    continued = [{c.loc.col for c in row if c.continued} for row in rows]
    for r, row in enumerate(rows):
        for cell in row:
            if cell.continued:
                continue
            below = r + 1
            while below < len(rows) and cell.loc.col in continued[below]:
                below += 1
            cell.rowspan = below - r
