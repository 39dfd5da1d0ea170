"""Patterns rewritten for speed must match exactly what their readable form matches."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from nianbao.rules import meta, narrative, narrative_text

# The count pattern as first written (narrative._N is the same, reordered for speed).
READABLE_N = rf"(?<![\d.{narrative._CN}第])(?<!\d,)(?P<n>\d+|[{narrative._CN}]+)"

# Text made of what counts and their neighbourhoods are made of.
_PIECES = [*"0123456789,.第件条个申请上下年度结转至无为需将共其中 ，。、\n２３〇",
           *narrative._CN, "2023年", "上一年度", "结转至下年度", "1,234", "12.5"]
texts = st.lists(st.sampled_from(_PIECES), max_size=16).map("".join)


def _matches(rx: re.Pattern, text: str) -> list:
    return [(m.span(), m.groupdict()) for m in rx.finditer(text)]


@settings(max_examples=3000)
@given(texts)
def test_fast_count_pattern_matches_the_readable_one(text):
    assert _matches(re.compile(narrative._N), text) == _matches(re.compile(READABLE_N), text)


@settings(max_examples=1000)
@given(texts)
def test_patterns_built_on_the_count_match_as_with_the_readable_one(text):
    for rx in [*(rx for pats in narrative._CARRY.values() for rx, _ in pats),
               *narrative._NORMATIVE, narrative_text._TOTAL, narrative_text._ITEM]:
        readable = re.compile(rx.pattern.replace(narrative._N, READABLE_N))
        assert _matches(rx, text) == _matches(readable, text), rx.pattern


@settings(max_examples=2000)
@given(texts)
def test_carry_hint_never_skips_a_window_a_pattern_would_match(text):
    for key, patterns in narrative._CARRY.items():
        if any(rx.search(text) for rx, _ in patterns):
            assert narrative._CARRY_HINT[key](text), (key, text)


READABLE_YEAR_LED = re.compile(r"(?:^|(?<=[。；;！!？?\n]))[ \u3000]*([12１２截][^。；;！!？?\n]*)")
_SENTENCE_PIECES = [*"12１２截至年度。；;！!？?\n \u3000我局共收到申请件，", "2023年", "２０２３年"]


@settings(max_examples=3000)
@given(st.lists(st.sampled_from(_SENTENCE_PIECES), max_size=20).map("".join))
def test_fast_year_led_sentences_are_the_readable_ones(text):
    assert meta._YEAR_LED_SENTENCE.findall("\n" + text) == READABLE_YEAR_LED.findall(text)
