"""normalize.fold takes a fast path around NFKC; its result must be plain NFKC's."""

from __future__ import annotations

import unicodedata
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.normalize import _WS, fold, simplified

SEEDS = Path(__file__).parent / "fixtures" / "seeds"


def _plain_fold(text: str) -> str:
    return _WS.sub("", unicodedata.normalize("NFKC", simplified(text)))


# full-width forms, CJK (incl. compatibility ideographs), combining marks, circled numbers…
_CHARS = st.one_of(
    st.characters(min_codepoint=0xFF00, max_codepoint=0xFFEF),
    st.characters(min_codepoint=0x3000, max_codepoint=0x303F),
    st.characters(min_codepoint=0x4E00, max_codepoint=0x4E80),
    st.characters(min_codepoint=0xF900, max_codepoint=0xF920),
    st.characters(min_codepoint=0x0300, max_codepoint=0x0310),
    st.characters(min_codepoint=0x2460, max_codepoint=0x2480),
    st.characters(min_codepoint=0x20, max_codepoint=0x7E),
    st.sampled_from("，。（）：；年件条萬體臺\u00a0\u200b\ufeff\x1c\x85\u2028\u202f\t\n"),
)


@settings(max_examples=3000)
@given(st.lists(_CHARS, max_size=30).map("".join))
def test_fold_equals_plain_nfkc(text):
    assert fold.__wrapped__(text) == _plain_fold(text)


def test_fold_equals_plain_nfkc_on_every_seed_line():
    for path in SEEDS.glob("*.txt"):
        for line in path.read_text(encoding="utf-8").splitlines():
            assert fold.__wrapped__(line) == _plain_fold(line), line


def test_fold_equals_plain_nfkc_on_every_character_of_the_bmp():
    # white space and invisible marks (str.split vs the pattern), every full-width form
    for cp in [*range(0xD800), *range(0xE000, 0x10000)]:
        text = f"a{chr(cp)}，b"
        assert fold.__wrapped__(text) == _plain_fold(text), hex(cp)
