"""The catalogue itself: every code registered once, documented, never reused."""

from __future__ import annotations

import re
import string

from nianbao.rules import all_rules
from nianbao.rules.registry import CODES, FAMILIES, RETIRED

_CODE = re.compile(r"^(T2|T3|T4|F|M|N|X)-[A-Z0-9]+(?:-[A-Z0-9]+)*$")


def test_registered_rules_are_exactly_the_active_codes():
    assert list(all_rules()) == [c for c in CODES if c in all_rules()]
    assert set(all_rules()) == set(CODES), "registry.CODES and the @rule functions differ"
    assert not set(RETIRED) & set(CODES), "a retired code may never be issued again"


def test_every_rule_is_fully_documented():
    for code, r in all_rules().items():
        assert _CODE.match(code), code
        assert code.split("-")[0] in FAMILIES
        assert r.severity in ("error", "warning", "info"), code
        for name in ("title", "message", "basis"):
            assert getattr(r, name).strip(), f"{code} lacks {name}"
        for name in ("what", "why", "example", "fix"):
            text = getattr(r.doc, name)
            assert len(text.strip()) >= 8, f"{code}: doc.{name} is missing or too short"
            assert any("\u4e00" <= ch <= "\u9fff" for ch in text), f"{code}: doc.{name} not Chinese"
        assert any("\u4e00" <= ch <= "\u9fff" for ch in r.message), code
        assert any(x in r.basis for x in ("条例", "国办", "〔")), f"{code}: basis names no source"


def test_message_templates_only_use_known_fields():
    for code, r in all_rules().items():
        fields = {f for _, f, _, _ in string.Formatter().parse(r.message) if f}
        assert all(re.match(r"^[a-z_]+$", f) for f in fields), (code, fields)
