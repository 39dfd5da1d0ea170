"""Input readers: bytes in, format-neutral ``Document`` out.

Format is detected from content (magic numbers, markup), not from the file name.
Each reader lives in its own module and knows nothing about annual reports.
"""

from __future__ import annotations

import codecs
import re

from nianbao.document import Document
from nianbao.errors import parse_error

FORMATS = ("text", "html", "docx", "markdown")
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_-]+)""", re.I)
_HTML_SNIFF = re.compile(r"<(?:!doctype\s+html|html|head|body|table|div|p|br|meta)[\s/>]", re.I)
_MD_TABLE_LINE = re.compile(r"^\s*\|.*\|\s*$", re.M)
_MD_HEADING = re.compile(r"^#{1,6}\s+\S", re.M)
# Words every annual report contains; used to pick the right encoding among candidates.
_REPORT_WORDS = ("信息公开", "信息公開", "资讯公开", "年度报告", "年度報告")


def sniff_format(data: bytes, text: str | None = None) -> str:
    """Guess the input format from content."""
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if text is None:
        return "text"
    head = text[:4096]
    # A whole HTML page announces itself. Markdown from PDF converters carries <br> in
    # pipe-table cells and sometimes whole <table> blocks, so bare tags only mean HTML
    # when the text shows no Markdown structure.
    if re.search(r"<(?:!doctype\s+html|html|head|body|meta)[\s/>]", head, re.I):
        return "html"
    if len(_MD_TABLE_LINE.findall(text)) >= 3 or _MD_HEADING.search(text):
        return "markdown"
    if _HTML_SNIFF.search(head):
        return "html"
    return "text"


def reject_binary(data: bytes, where: str | None) -> None:
    """Refuse formats we recognise but cannot read, and plain binary garbage."""
    if data.startswith(b"%PDF"):
        raise parse_error("pdf_unsupported", where)
    if data.startswith(b"\xd0\xcf\x11\xe0"):
        # a password-protected .docx is an OLE2 container too, holding an EncryptedPackage stream
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise parse_error("docx_encrypted", where)
        raise parse_error("doc_unsupported", where)


def decode(data: bytes, where: str | None = None) -> tuple[str, str]:
    """Decode text input without mojibake: BOM, declared charset, UTF-8, GB18030, Big5.

    A strict decode that yields the words every report contains wins; GBK text almost
    never validates as UTF-8, so trying UTF-8 first is safe even when a page lies.
    """
    for bom, enc in ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"),
                     (codecs.BOM_UTF16_BE, "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc.replace("-sig", "")
            except UnicodeDecodeError:
                break
    if b"\x00" in data[:8192]:
        return _decode_utf16_or_refuse(data, where)  # raises unless BOM-less UTF-16 text
    candidates: list[str] = []
    m = _META_CHARSET.search(data[:4096])
    if m:
        declared = m.group(1).decode("ascii").lower()
        declared = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(declared, declared)
        candidates.append(declared)
    candidates += ["utf-8", "gb18030", "big5"]
    first_ok: tuple[str, str] | None = None
    for enc in dict.fromkeys(candidates):
        try:
            text = data.decode(enc)
        except (UnicodeDecodeError, LookupError):
            continue
        if any(w in text for w in _REPORT_WORDS):
            return text, enc
        if first_ok is None:
            first_ok = (text, enc)
    if first_ok is not None:
        if _looks_binary(first_ok[0]):
            raise parse_error("binary_input", where)
        return first_ok
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None or _looks_binary(str(best)):
        raise parse_error("binary_input" if _looks_binary_bytes(data) else "encoding_unknown", where)
    return str(best), best.encoding


def _decode_utf16_or_refuse(data: bytes, where: str | None) -> tuple[str, str]:
    """NUL bytes mean BOM-less UTF-16 text (Word's "Unicode text" export) or binary data."""
    sample = data[:8192]
    even_zeros, odd_zeros = sample[0::2].count(0), sample[1::2].count(0)
    order = ("utf-16-le", "utf-16-be") if odd_zeros >= even_zeros else ("utf-16-be", "utf-16-le")
    for enc in order:
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if any(w in text for w in _REPORT_WORDS) or _plausible_text(text):
            return text, enc
    raise parse_error("binary_input", where)


def _plausible_text(text: str) -> bool:
    """Mostly printable ASCII and CJK: what a wrongly decoded byte stream rarely is."""
    sample = text[:4096]
    common = sum(1 for ch in sample if " " <= ch <= "~" or ch in "\t\n\r"
                 or "\u3000" <= ch <= "\u9fff" or "\uff00" <= ch <= "\uffef")
    return bool(sample) and common > len(sample) * 0.9


def _looks_binary(text: str) -> bool:
    sample = text[:8192]
    if not sample:
        return False
    control = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\t\n\r\f")
    return control > len(sample) * 0.05


def _looks_binary_bytes(data: bytes) -> bool:
    sample = data[:8192]
    control = sum(1 for b in sample if b < 32 and b not in (9, 10, 13, 12))
    return control > len(sample) * 0.05


def read_document(data: bytes, fmt: str | None = None, where: str | None = None
                  ) -> tuple[Document, str | None]:
    """Bytes to Document. Returns the document and the text encoding (None for DOCX)."""
    if fmt is not None and fmt not in FORMATS:
        raise parse_error("unknown_format", where, detail=fmt)
    reject_binary(data, where)
    if fmt == "docx" or (fmt is None and data.startswith(b"PK\x03\x04")):
        from nianbao.readers.docx import read_docx

        return read_docx(data, where), None
    text, encoding = decode(data, where)
    fmt = fmt or sniff_format(data, text)
    if fmt == "html":
        from nianbao.readers.html import read_html

        return read_html(text), encoding
    if fmt == "markdown":
        from nianbao.readers.markdown import read_markdown

        return read_markdown(text), encoding
    from nianbao.readers.text import read_text

    return read_text(text), encoding
