"""Every layout's labels for one table, merged, with memoised matching.

The recogniser asks "which official row/group/column does this printed label name?"
thousands of times per second; the answer depends only on the label (and, for table 三,
on the group context), so it is computed once and remembered.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cache

from nianbao.layouts import Matcher, TableSpec, layouts


def _merged(old, new):
    """A key shared by several layouts is recognised by the synonyms of all of them."""
    if old is None:
        return new
    m = Matcher(tuple(dict.fromkeys(old.matcher.exact + new.matcher.exact)),
                tuple(dict.fromkeys(old.matcher.contains + new.matcher.contains)))
    return replace(old, matcher=m)


@dataclass
class Vocabulary:
    """The union of every layout's labels for one table, with the layouts each key occurs in."""

    name: str
    specs: dict[str, TableSpec]  # layout key -> spec
    rows: dict = field(default_factory=dict)  # key -> Row (first layout defining it)
    row_layouts: dict = field(default_factory=dict)  # key -> set of layout keys
    row_columns: dict = field(default_factory=dict)  # key -> column keys it has in any layout
    groups: dict = field(default_factory=dict)
    columns: dict = field(default_factory=dict)
    column_layouts: dict = field(default_factory=dict)
    boilerplate: tuple = ()
    # groups no row belongs to directly (三、本年度办理结果): they enclose the other groups
    outer_groups: frozenset = frozenset()
    _memo: dict = field(default_factory=dict)  # (kind, label[, groups]) -> match; labels repeat

    @classmethod
    def build(cls, name: str) -> Vocabulary:
        v = cls(name, {k: lay.tables[name] for k, lay in layouts().items()})
        bp: list[str] = []
        for lay_key, spec in v.specs.items():
            for r in spec.rows:
                v.rows[r.key] = _merged(v.rows.get(r.key), r)
                v.row_layouts.setdefault(r.key, set()).add(lay_key)
                v.row_columns.setdefault(r.key, set()).update(
                    c.key for c in spec.row_columns(r))
            for g in spec.groups:
                v.groups[g.key] = _merged(v.groups.get(g.key), g)
            for c in spec.columns:
                v.columns[c.key] = _merged(v.columns.get(c.key), c)
                v.column_layouts.setdefault(c.key, set()).add(lay_key)
            bp.extend(x for x in spec.boilerplate if x not in bp)
        v.boilerplate = tuple(bp)
        v.outer_groups = frozenset(v.groups) - {r.group for r in v.rows.values()}
        return v

    def match_row(self, label: str, groups_seen: set[str]) -> str | None:
        memo_key = ("row", label, frozenset(groups_seen))
        if memo_key not in self._memo:
            self._memo[memo_key] = self._match_row(label, groups_seen)
        return self._memo[memo_key]

    def _match_row(self, label: str, groups_seen: set[str]) -> str | None:
        exact = [r for r in self.rows.values() if label in r.matcher.exact]
        found = exact or [r for r in self.rows.values() if r.matcher.matches(label)]
        for r in found:
            if r.group is None or r.group in groups_seen:
                return r.key
        return None

    def match_group(self, label: str) -> str | None:
        memo_key = ("group", label)
        if memo_key not in self._memo:
            self._memo[memo_key] = next(
                (g.key for g in self.groups.values() if g.matcher.matches(label)), None)
        return self._memo[memo_key]


    def match_column(self, label: str) -> str | None:
        memo_key = ("column", label)
        if memo_key not in self._memo:
            self._memo[memo_key] = self._match_column(label)
        return self._memo[memo_key]

    def _match_column(self, label: str) -> str | None:
        exact = [c for c in self.columns.values() if label in c.matcher.exact]
        found = exact or [c for c in self.columns.values() if c.matcher.matches(label)]
        return found[0].key if found else None

    def is_boilerplate(self, label: str) -> bool:
        memo_key = ("boilerplate", label)
        if memo_key not in self._memo:
            self._memo[memo_key] = any(b in label for b in self.boilerplate)
        return self._memo[memo_key]


@cache
def vocabularies() -> dict[str, Vocabulary]:
    return {n: Vocabulary.build(n) for n in ("table2", "table3", "table4")}
