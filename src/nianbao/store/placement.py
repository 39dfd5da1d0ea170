"""Placing agency names in the administrative hierarchy, and resolving a division a person
names (code, name or path). The data is ``divisions.dataset()``.

Written by hand because it is specific to Chinese agency names: a mention is trusted by how
unambiguous it is (see FIRM/PAIR/WEAK), and a wrong placement is worse than none.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from nianbao.normalize import fold
from nianbao.store.divisions import (
    PROVINCE,
    SUFFIX_CHARS,
    TOWNSHIP,
    Dataset,
    Div,
    RegionError,
    dataset,
    path_text,
)

# How far a mention is trusted: FIRM (a full name, or a province's short name) places on its
# own; PAIR (a 2-character full name ending in 区/镇/乡: 东区, 城区, 矿区 are common words too)
# only together with a firm one; WEAK (another short name: 樟树, 中山) only confirms.
FIRM, PAIR, WEAK = 2, 1, 0


@dataclass(frozen=True, slots=True)
class _Mention:
    start: int
    end: int
    candidates: tuple[Div, ...]
    kind: int

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(d.code for d in self.candidates)


def _scan(text: str, ds: Dataset) -> list[_Mention]:
    """Division names in ``text``: longest first, non-overlapping, with boundary rules."""
    found: list[_Mention] = []
    n = len(text)
    for i in range(n - 1):
        for j in range(min(n, i + ds.max_len), i + 1, -1):
            s = text[i:j]
            if s in ds.full:
                kind = FIRM if j - i > 2 or s[-1] in "县旗" else PAIR  # 忠县, 沛县 are firm
                found.append(_Mention(i, j, ds.full[s], kind))
            elif s in ds.short and (j == n or text[j] not in SUFFIX_CHARS):
                cands = ds.short[s]
                kind = FIRM if all(d.level == PROVINCE for d in cands) else WEAK
                found.append(_Mention(i, j, cands, kind))
    found.sort(key=lambda m: (m.start - m.end, m.start))
    taken: list[_Mention] = []
    for m in found:
        if all(m.end <= t.start or m.start >= t.end for t in taken):
            taken.append(m)
    taken.sort(key=lambda m: m.start)
    kept: list[_Mention] = []
    for m in taken:
        if text[m.start - 1: m.start] == "驻":
            continue  # 驻北京办事处, 国家税务总局驻广州特派员办事处: located there, not of there
        # a 2-character full name only at the start or right after a full name: 华东区,
        # 中心城区 must not place anything
        if m.kind != WEAK and m.end - m.start == 2 and m.start > 0 and not (
                kept and kept[-1].end == m.start and kept[-1].kind != WEAK):
            continue
        kept.append(m)
    return kept


def place(name: str | None, region: Sequence[str] = ()) -> tuple[Div, ...]:
    """The most specific division chain (province first) the agency ``name`` places in, or ()
    when it names none or names it ambiguously. ``region`` (the report's own division names,
    largest first) only disambiguates what the name mentions: an address is often more
    specific than the agency, and ministries have addresses in Beijing."""
    if not name:
        return ()
    ds = dataset()
    mentions = _scan(fold(name), ds)
    strong = [m for m in mentions if m.kind != WEAK]
    firm = [m.codes for m in mentions if m.kind == FIRM]
    if not firm:
        return ()
    named = [_Mention(0, 0, found, FIRM) for r in region if (found := ds.lookup(r))]
    # candidates are ranked by the mentions their chain explains: firm ones first, then
    # 2-character ones, then the report's region, then short names
    groups = [firm,
              [m.codes for m in mentions if m.kind == PAIR],
              [m.codes for m in named],
              [m.codes for m in mentions if m.kind == WEAK]]
    scored: dict[Div, tuple[int, ...]] = {}
    for m in strong:
        for d in m.candidates:
            if d.level == TOWNSHIP and not _township_anchored(d, m, [*strong, *named], ds):
                continue
            chain = {c.code for c in ds.chain(d.code)}
            if m.kind == PAIR and all(chain.isdisjoint(c) for c in firm):
                continue  # 樟树市南区: 南区 is not under 樟树市, so it is just a word here
            scored[d] = tuple(sum(not chain.isdisjoint(c) for c in g) for g in groups)
    if not scored:
        return ()
    best = max(scored.values())
    tops = [d for d, s in scored.items() if s == best]
    chains = [ds.chain(d.code) for d in tops]
    chains = [c for c in chains if not any(len(o) > len(c) and o[: len(c)] == c for o in chains)]
    if len(chains) == 1:
        return chains[0]
    # several equally good places (朝阳区 of Beijing and of Changchun): only what they share
    common: list[Div] = []
    for same_level in zip(*chains, strict=False):
        if any(x != same_level[0] for x in same_level):
            break
        common.append(same_level[0])
    return tuple(common)


def _township_anchored(d: Div, mention: _Mention, others: Iterable[_Mention], ds: Dataset) -> bool:
    """A township places only under a county (or city) also mentioned, or when its name is
    unique nationwide and starts the agency name (洋湖乡人民政府): 城关镇 is in 119 counties."""
    ancestors = {c.code for c in ds.chain(d.code)[:-1]}
    if any(m is not mention and not ancestors.isdisjoint(m.codes) for m in others):
        return True
    return len(mention.candidates) == 1 and mention.start == 0


def resolve_division(text: str) -> Div:
    """A division named by a person: a code, a name, or a path 江西省/宜春市/樟树市
    (any of its parts may be short names). Raises RegionError when unknown or ambiguous."""
    ds = dataset()
    text = fold(text)
    if text.isdigit() and len(text) in (2, 4, 6):
        text = text.ljust(12, "0")  # 360982 = 360982000000, as the export filter accepts
    if text in ds.by_code:
        return ds.by_code[text]
    parts = [p for p in re.split(r"[/／>＞]", text) if p]
    if not parts:
        raise RegionError("region_unknown", "区划为空；请写区划代码或名称路径，如 江西省/宜春市/樟树市。")
    found = list(ds.lookup(parts[-1]))
    for part in parts[:-1]:
        above = {d.code for d in ds.lookup(part)}
        found = [d for d in found if above & {c.code for c in ds.chain(d.code)}]
    if len(found) == 1:
        return found[0]
    if not found and len(parts) == 1 and (names := _split_names(text)) and len(names) > 1:
        return resolve_division("/".join(names))  # a path written without separators
    if not found:
        raise RegionError("region_unknown", f"找不到区划“{text}”；请写 12 位区划代码或完整路径，"
                          "如 江西省/宜春市/樟树市。")
    options = "、".join(path_text(d.code) for d in found[:3]) + ("…" if len(found) > 3 else "")
    raise RegionError("region_ambiguous", f"区划“{text}”不唯一（{options}）；请写出上级，"
                      f"如 {path_text(found[0].code)}，或写区划代码。")


@lru_cache(maxsize=256)
def _split_names(text: str) -> tuple[str, ...] | None:
    """``text`` as consecutive full division names (longest first), or None: people write
    paths without separators (江西省宜春市, 宜春市樟树市中洲乡). Only short texts: a
    province-to-township path is well under 40 characters."""
    full = dataset().full
    if not text:
        return ()
    if len(text) > 40:
        return None
    for end in range(min(len(text), dataset().max_len), 1, -1):
        if text[:end] in full and (rest := _split_names(text[end:])) is not None:
            return (text[:end], *rest)
    return None
