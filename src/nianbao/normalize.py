"""Text and number normalisation shared by every stage.

Hand-written because the rules are specific to annual reports: which blank markers
mean "no value", which units may trail a count, and how numbering prefixes such as
``三、`` ``（三）`` ``2.`` are stripped before a label is compared with the layout.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache

# Blank markers from the spec: empty, &nbsp;, a lone dash or slash.
BLANK_MARKERS = frozenset({"", "-", "--", "—", "——", "–", "/", "\\", "－", "／", "—-"})
UNITS = ("万元", "件", "条", "项", "个", "元", "次", "人")
_WS = re.compile(r"[\s\u3000\u00a0\u200b\ufeff]+")
_NUMBERING = re.compile(
    r"^(?:[一二三四五六七八九十]+[、.．]"  # 一、
    r"|[（(][一二三四五六七八九十\d]+[)）][、.．]?"  # （一） (1)
    r"|\d+[、.．)）](?!\d)"  # 1. 1、 1)
    r"|第[一二三四五六七八九十]+(?:部分|项|条)"
    r")"
)
_NUMBER = re.compile(r"^[+-]?(?:\d+(?:\.\d+)?|\.\d+)$")


# What NFKC makes of the full-width ASCII forms and the ideographic space: their whole
# compatibility decomposition, so mapping them first leaves NFKC's result unchanged.
_FULL_WIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}
# The full-width forms in nearly every Chinese sentence, as (wide, narrow) pairs of the map.
_COMMON_FULL_WIDTH = tuple((chr(cp), chr(_FULL_WIDTH[cp])) for cp in map(ord, "，：；（）"))
# Not white space to str.split (which removes exactly what the pattern \s matches).
_INVISIBLE = ("\u200b", "\ufeff")


@lru_cache(maxsize=16384)  # cell texts repeat ("0", labels) within and across reports
def fold(text: str) -> str:
    """The form labels are compared in: NFKC (full-width digits/brackets become ASCII),
    whitespace (incl. U+3000) removed, traditional characters made simplified.

    CPython's NFKC takes about a thousand instructions per character once a string holds a
    single character it changes, and nearly every Chinese sentence holds a full-width comma;
    so those are mapped first, and NFKC runs only if its quick check still finds work.
    ``str.translate`` looks each character up in a dict (5 µs for a sentence), so the
    commonest punctuation goes first by ``str.replace`` and translate runs only when other
    forms remain; white space goes by ``str.split``, several times faster than a regex
    (tests/test_normalize.py checks the result equals plain NFKC and the pattern ``_WS``)."""
    s = simplified(text)
    if not unicodedata.is_normalized("NFKC", s):
        for wide, narrow in _COMMON_FULL_WIDTH:
            s = s.replace(wide, narrow)
        if not unicodedata.is_normalized("NFKC", s):
            s = s.translate(_FULL_WIDTH)
            if not unicodedata.is_normalized("NFKC", s):
                s = unicodedata.normalize("NFKC", s)
    s = "".join(s.split())
    for invisible in _INVISIBLE:
        if invisible in s:
            s = s.replace(invisible, "")
    return s


def simplified(text: str) -> str:
    """Traditional characters to simplified, for pages copied through a traditional site.

    GB2312 holds only simplified characters, so text that encodes to it (nearly every
    report) is returned untouched without calling the converter.
    """
    try:
        text.encode("gb2312")
        return text
    except UnicodeEncodeError:
        return _t2s().convert(text)


@lru_cache(maxsize=1)
def _t2s():
    import opencc  # OpenCC's own dictionaries, shipped in the wheel: no download at run time

    return opencc.OpenCC("t2s")


def squash(text: str) -> str:
    """Collapse runs of whitespace (incl. U+3000) to one space and strip."""
    return _WS.sub(" ", text).strip()


@lru_cache(maxsize=16384)  # labels repeat across every report; memoising is most of the speed
def core(text: str) -> str:
    """A label's core: folded, numbering prefixes and trailing colon stripped, quotes unified."""
    s = fold(text)
    for _ in range(3):  # "三、(一)" carries two prefixes
        m = _NUMBERING.match(s)
        if not m or m.end() == len(s):
            break
        s = s[m.end() :]
    s = s.rstrip(":：")
    return s.replace("“", '"').replace("”", '"').replace("「", '"').replace("」", '"')


@dataclass(slots=True, frozen=True)
class ParsedValue:
    """The outcome of reading one statistical cell."""

    value: int | float | None
    unit: str | None = None
    ok: bool = True  # False: the cell holds text that is not a number


@lru_cache(maxsize=16384)  # most cells are "0" or small numbers; results are immutable
def parse_number(raw: str, *, money: bool = False, signed: bool = False) -> ParsedValue:
    """Read a table cell: blank markers -> None; units and separators removed; never guesses."""
    s = fold(raw)
    if s in BLANK_MARKERS:
        return ParsedValue(None)
    unit = None
    for u in UNITS:
        if s.endswith(u) and len(s) > len(u):
            unit, s = u, s[: -len(u)]
            break
    s = s.replace(",", "").replace("，", "")
    if s.startswith("+") and not signed:
        return ParsedValue(None, unit, ok=False)
    if not _NUMBER.match(s):
        return ParsedValue(None, unit, ok=False)
    if "." in s:
        try:
            d = Decimal(s)
        except InvalidOperation:  # pragma: no cover - regex guarantees a decimal
            return ParsedValue(None, unit, ok=False)
        if not money and d == d.to_integral_value():
            return ParsedValue(int(d), unit)
        return ParsedValue(float(d), unit)
    return ParsedValue(int(s), unit)


_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
              "六": 6, "七": 7, "八": 8, "九": 9}


def chinese_int(text: str) -> int | None:
    """Small Chinese numerals (up to 9999) as printed in narratives: 十二, 一百零五, 两千."""
    if text.isdigit():
        return int(text)
    total, section, num = 0, 0, 0
    units = {"十": 10, "百": 100, "千": 1000}
    if not text:
        return None
    for ch in text:
        if ch in _CN_DIGITS:
            num = _CN_DIGITS[ch]
        elif ch in units:
            section += (num or 1) * units[ch]
            num = 0
        elif ch == "万":
            total += (section + num) * 10000
            section, num = 0, 0
        else:
            return None
    return total + section + num


def chinese_digits(text: str) -> int:
    """Digits spelled one by one, as years are: 二〇二三 -> 2023 (2023 stays 2023)."""
    if text.isdigit():
        return int(text)
    return int("".join(str(_CN_DIGITS[ch]) for ch in text))
