"""Recognise the three statistical tables in a Document and place every value under its key.

Works row by row over the physical tables of any reader, so that tables split across
several physical tables, merged header cells and missing headers are all handled the
same way. Labels are looked up in the layout data (``nianbao.layouts``); the layout of
each table is decided from what its headers and rows show, never from the cited template.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import NamedTuple

from nianbao.document import Cell, Document, Table
from nianbao.layouts import layouts
from nianbao.model import Problem
from nianbao.normalize import core, fold, parse_number, squash
from nianbao.recognise.vocabulary import vocabularies

_ITEM = re.compile(r"第二十条第[(（]?([一二三四五六七八九十]+)[)）]?项")


def _loc(cell: Cell) -> dict:
    # plain dicts: pydantic-core validates them in one pass when the Report is built, which is
    # several times cheaper than constructing a model per cell in Python
    loc = cell.loc
    return {"line": loc.line, "table": loc.table, "row": loc.row, "col": loc.col}


class _Header(NamedTuple):
    """A table 二 column header cell: its key, grid span and text as printed."""

    key: str
    start: int
    end: int
    text: str


@dataclass
class _TableResult:
    name: str
    values: dict[str, dict] = field(default_factory=dict)
    seen_rows: set[str] = field(default_factory=set)
    layout_votes: dict[str, int] = field(default_factory=dict)
    found: bool = False

    def vote(self, layout_keys: set[str]) -> None:
        if len(layout_keys) == 1:
            k = next(iter(layout_keys))
            self.layout_votes[k] = self.layout_votes.get(k, 0) + 1

    @property
    def layout(self) -> str | None:
        if not self.layout_votes:
            return None
        return max(self.layout_votes.items(), key=lambda kv: kv[1])[0]


@dataclass
class TablesOutcome:
    tables: dict[str, dict | None]
    table_layouts: dict[str, str]
    provenance: list[dict]  # CellSource fields; validated when the Report is built
    problems: list[Problem]


class _Recogniser:
    def __init__(self) -> None:
        self.vocab = vocabularies()
        self.results = {n: _TableResult(n) for n in self.vocab}
        self.provenance: list[dict] = []
        self.problems: list[Problem] = []
        self.current: str | None = None  # logical table the previous row belonged to
        self.t2_columns: list[_Header] = []  # the current table 二 column header
        self.t3_groups: set[str] = set()
        self.t4_header = False
        self.t3_align = "right"  # where table 三 values sit in over-wide rows (per table)

    # ------------------------------------------------------------------ helpers
    def problem(self, code: str, severity: str, message: str, cell: Cell | None = None,
                table: str | None = None, row: str | None = None,
                column: str | None = None) -> None:
        self.problems.append(Problem(code=code, severity=severity, message=message,
                                     location=_loc(cell) if cell else None,
                                     table=table, row=row, column=column))

    def place(self, table: str, row_key: str, col_key: str, cell: Cell | None, label: str,
              money: bool, signed: bool, column_label: str | None = None) -> None:
        result = self.results[table]
        row_values = result.values.setdefault(row_key, {})
        if cell is None:
            # keyed but unread: the caller records cell_missing or row_incomplete for it,
            # which the blank-cell rules read (rules.table_common._UNREAD)
            row_values.setdefault(col_key, None)
            return
        pv = parse_number(cell.text, money=money, signed=signed)
        if not pv.ok:
            self.problem("cell_not_numeric", "error",
                         f"{_TABLE_CN[table]}“{label}”一行的单元格“{cell.text.strip()}”不是数字，"
                         "已按空白处理；请改为数字或留空。", cell, table, row_key, col_key)
        row_values[col_key] = pv.value
        self.provenance.append({"table": table, "row": row_key, "column": col_key,
                                "value": pv.value, "raw": cell.text, "unit": pv.unit,
                                "label": label, "column_label": column_label,
                                "location": _loc(cell)})

    def unplaced(self, cells: list[Cell], table: str | None) -> None:
        for c in cells:
            if fold(c.text):
                numeric = parse_number(c.text, money=True, signed=True).ok
                self.problem("value_unplaced" if numeric else "cell_unplaced",
                             "error" if numeric else "warning",
                             f"表格单元格“{c.text.strip()}”（{c.loc.describe()}）无法对应到官方表格的"
                             "任何行列，未采用；请核对该行的标签或表格结构。", c, table)

    # ------------------------------------------------------------------ rows
    def feed(self, table: Table) -> None:
        rows = []
        for row in table.rows:
            cells = [c for c in row if not c.continued]
            if cells:
                # labels: the core of every non-blank, non-numeric cell (None elsewhere)
                rows.append((cells, [None if parse_number(c.text, money=True, signed=True).ok
                                     else core(c.text) for c in cells]))
        self.t3_align = "right" if table.grid else self._value_alignment(rows)
        for cells, cores in rows:
            self.feed_row(cells, cores)

    def _value_alignment(self, rows: list[tuple[list[Cell], list[str | None]]]) -> str:
        """Where table 三's values sit in rows wider than label + 7 cells, for a whole table.

        Without a grid, converters either keep a merged label's empty cells *before* the
        values (values end the row: "right") or print merged cells once and pad short rows
        at the *end* ("left"). Blank values make single rows ambiguous, so rows with
        unambiguous evidence vote for the whole physical table.
        """
        v = self.vocab["table3"]
        width = len(v.columns)
        votes = {"left": 0, "right": 0}
        all_groups = frozenset(v.groups)  # frozen once: it is part of every memo key below
        for cells, cores in rows:
            if len(cells) <= width + 1:  # label + values at most: nothing to decide
                continue
            idx = None
            for i, x in enumerate(cores):
                if x and (v.match_row(x, all_groups) or v.match_group(x)):
                    idx = i
            if idx is None:
                continue
            after = [bool(fold(c.text)) for c in cells[idx + 1 :]]
            if len(after) <= width:
                continue
            extra = len(after) - width
            if any(after[-extra:]):
                votes["right"] += 1
            if any(after[:extra]):
                votes["left"] += 1
        return "left" if votes["left"] > votes["right"] else "right"

    def feed_row(self, cells: list[Cell], cores: list[str | None]) -> None:
        has_values = any(x is None and fold(c.text) for c, x in zip(cells, cores, strict=True))
        # table 四: a header mentioning 行政复议/诉讼 (no values), then a row of numbers
        t4 = self.vocab["table4"]
        if not has_values and any(t4.match_group(x) for x in cores if x):
            self.current, self.t4_header = "table4", True
            self.results["table4"].found = True
            self._check_header_cells(cells, cores, "table4")
            return
        if self.current == "table4" and self.t4_header:
            if not has_values and all(not x or t4.match_column(x) or t4.is_boilerplate(x)
                                      for x in cores):
                return  # further header rows (结果维持 … 总计)
            if all(parse_number(c.text, money=True).ok for c in cells):
                self.table4_values(cells)
                return
        for name in ("table3", "table2"):
            hit = self._row_label(cells, cores, name)
            if hit is not None:
                idx, row_key = hit
                self.current = name
                self.results[name].found = True
                if name == "table3":
                    self.table3_row(cells, cores, idx, row_key)
                else:
                    self.table2_row(cells, cores, idx, row_key)
                return
        # header rows: table 二 columns / item lines; table 三 column headers
        if self._table2_header(cells, cores):
            return
        for name in ("table3", "table2", "table4"):
            v = self.vocab[name]
            if any(x and (v.is_boilerplate(x) or v.match_group(x)) for x in cores):
                self.current = name
                self.results[name].found = True
                self._check_header_cells(cells, cores, name)
                return
        if self.current:
            self._check_header_cells(cells, cores, self.current)
        else:
            self.unplaced(cells, None)

    def _row_label(self, cells, cores, name) -> tuple[int, str] | None:
        """The last cell in the row naming a row of ``name`` (groups give context)."""
        context = frozenset(self.t3_groups) if name == "table3" else frozenset()
        memo_key = ("row_label", name, tuple(cores), context)
        v = self.vocab[name]
        if memo_key not in v._memo:  # official rows repeat verbatim across reports
            v._memo[memo_key] = self._find_row_label(v, cores, name, set(context))
        best, groups = v._memo[memo_key]
        if best and name == "table3":
            self.t3_groups = groups
        return best

    @staticmethod
    def _find_row_label(v, cores, name, groups) -> tuple[tuple[int, str] | None, set[str]]:
        if name == "table3" and len({v.match_column(x) for x in cores if x} - {None}) >= 2:
            return None, groups  # a column header (自然人 … 总计); 总计 reads like a row label
        best: tuple[int, str] | None = None
        pending_group: tuple[int, str] | None = None
        for i, x in enumerate(cores):
            if not x:
                continue
            g = v.match_group(x)
            if g:
                groups.add(g)
            key = v.match_row(x, groups)
            if g and key:  # （六）其他处理: a group in 2021, a row of its own in 2019
                pending_group = (i, key)
            elif key:
                best, pending_group = (i, key), None
        if pending_group and (best is None or best[0] < pending_group[0]):
            best = pending_group
        return best, frozenset(groups)

    def _check_header_cells(self, cells, cores, name) -> None:
        v = self.vocab[name]
        odd = [c for c, x in zip(cells, cores, strict=True)
               if (x is None and fold(c.text))  # a value in a header row has no place
               or (x and not (v.is_boilerplate(x) or v.match_group(x) or v.match_column(x)
                             or _ITEM.search(fold(c.text))))]
        self.unplaced(odd, name)

    def _table2_header(self, cells, cores) -> bool:
        v = self.vocab["table2"]
        if any(_ITEM.search(fold(c.text)) for c in cells):
            self.current = "table2"
            self.results["table2"].found = True
            return True
        keys = [(v.match_column(x), c) for x, c in zip(cores, cells, strict=True) if x]
        cols = [(k, c) for k, c in keys if k]
        if not cols or (not any("信息内容" in x for x in cores if x) and len(cols) < len(keys)):
            return False
        # a stray number in a header row has no place; say so rather than drop it
        self.unplaced([c for c, x in zip(cells, cores, strict=True) if x is None and fold(c.text)],
                      "table2")
        self.current = "table2"
        self.results["table2"].found = True
        self.t2_columns = []
        for k, c in cols:
            start = c.loc.col if c.loc.col is not None else len(self.t2_columns)
            last = self.t2_columns[-1] if self.t2_columns else None
            if last and last.key == k and last.end == start:  # merged header repeated per cell
                self.t2_columns[-1] = last._replace(end=start + c.colspan)
                continue
            self.t2_columns.append(_Header(k, start, start + c.colspan, squash(c.text)))
            self.results["table2"].vote(v.column_layouts[k])
        return True

    # ------------------------------------------------------------------ per table
    def table2_row(self, cells, cores, idx, row_key) -> None:
        v = self.vocab["table2"]
        res = self.results["table2"]
        res.vote(v.row_layouts[row_key])
        label = cells[idx].text.strip()
        values = cells[idx + 1 :]
        if row_key in res.seen_rows:
            self.problem("row_duplicate", "warning", f"表二“{label}”一行重复出现，仅采用第一次。",
                         cells[idx], "table2", row_key)
            return
        res.seen_rows.add(row_key)
        columns = self.t2_columns
        if not columns:
            self.problem("header_missing", "error", f"表二“{label}”一行之前没有可识别的列标题，"
                         "无法确定各数值所属的列；请补上“信息内容/本年制发件数…”表头。",
                         cells[idx], "table2", row_key)
            self.unplaced(values, "table2")
            return
        allowed = v.row_columns[row_key]
        if not any(h.key in allowed for h in columns):
            self.problem("header_mismatch", "error",
                         f"表二“{label}”一行上方的列标题（"
                         + "、".join(v.columns[h.key].label for h in columns)
                         + "）不是该行应有的列，数值未采用；请核对表头。",
                         cells[idx], "table2", row_key)
            self.unplaced(values, "table2")
            return
        columns = [h for h in columns if h.key in allowed]
        grid = all(c.loc.col is not None for c in values) and len(values) != len(columns)
        assigned: dict[str, Cell] = {}
        leftover: list[Cell] = []
        for pos, cell in enumerate(values):
            col = None
            if grid:
                col = next((h.key for h in columns if h.start <= cell.loc.col < h.end), None)
            elif pos < len(columns):
                col = columns[pos].key
            if col is not None and col in assigned and fold(cell.text) == fold(assigned[col].text):
                continue  # a merged value cell repeated in every spanned cell
            if col is None or col in assigned:
                if fold(cell.text):
                    leftover.append(cell)
                continue
            assigned[col] = cell
        self.unplaced(leftover, "table2")
        for header in columns:
            c = v.columns[header.key]
            cell = assigned.get(header.key)
            if cell is None:
                self.problem("cell_missing", "warning", f"表二“{label}”一行缺少“{c.label}”单元格。",
                             cells[idx], "table2", row_key, header.key)
            self.place("table2", row_key, header.key, cell, label, c.kind == "money", c.signed,
                       header.text)

    def table3_row(self, cells, cores, idx, row_key) -> None:
        v = self.vocab["table3"]
        res = self.results["table3"]
        res.vote(v.row_layouts[row_key])
        label = cells[idx].text.strip()
        # a top-level row ends the inner group (（三）不予公开 …) it followed, unless its label
        # is itself a group's (（六）其他处理: a row in 2019, a group in 2021)
        if v.rows[row_key].group is None and v.match_group(core(label)) is None:
            self.t3_groups = {g for g in self.t3_groups if g in v.outer_groups}
        values = cells[idx + 1 :]
        if not values:
            return  # a header cell that happens to read like a row (e.g. 总计)
        if row_key in res.seen_rows:
            self.problem("row_duplicate", "warning", f"表三“{label}”一行重复出现，仅采用第一次。",
                         cells[idx], "table3", row_key)
            return
        res.seen_rows.add(row_key)
        width = len(v.specs[next(iter(v.specs))].columns)
        if len(values) > width:  # see _value_alignment: merged-label cells or end padding
            if self.t3_align == "right":
                extra, values = values[:-width], values[-width:]
            else:
                extra, values = values[width:], values[:width]
            self.unplaced(extra, "table3")
        cols = list(v.columns.values())[:width]
        if len(values) < width:
            self.problem("row_incomplete", "error",
                         f"表三“{label}”一行只有{len(values)}个数值单元格（应为{width}个），"
                         "无法确定各数值所属的申请人类型，均未采用；请核对该行。",
                         cells[idx], "table3", row_key)
            self.unplaced(values, "table3")
            for c in cols:
                self.place("table3", row_key, c.key, None, label, False, False)
            return
        for c, cell in zip(cols, values, strict=True):
            self.place("table3", row_key, c.key, cell, label, False, False)

    def table4_values(self, cells) -> None:
        v = self.vocab["table4"]
        res = self.results["table4"]
        groups, cols = list(v.groups.values()), list(v.columns.values())
        width = len(groups) * len(cols)
        if res.seen_rows:
            self.problem("row_duplicate", "warning", "表四出现多于一行数值，仅采用第一行。",
                         cells[0], "table4")
            return
        if len(cells) != width:
            self.problem("row_incomplete", "error",
                         f"表四数值行有{len(cells)}个单元格（应为{width}个），无法确定各数值所属的列，"
                         "均未采用；请核对表四。", cells[0], "table4")
            self.unplaced(cells, "table4")
            return
        res.seen_rows.update(g.key for g in groups)
        for i, cell in enumerate(cells):
            g, c = groups[i // len(cols)], cols[i % len(cols)]
            self.place("table4", g.key, c.key, cell, g.label, False, False)

    # ------------------------------------------------------------------ result
    def finish(self) -> TablesOutcome:
        tables: dict[str, dict | None] = {}
        lay_by_table: dict[str, str] = {}
        for name in ("table2", "table3"):
            if self.results[name].layout:
                lay_by_table[name] = self.results[name].layout
        fallback = lay_by_table.get("table2") or lay_by_table.get("table3") or "2021"
        for name, res in self.results.items():
            if not res.found or not res.values:
                tables[name] = None
                self.problem("table_missing", "error",
                             f"未找到{_TABLE_CN[name]}（{layouts()[fallback].tables[name].label}）"
                             "或其中没有任何数值；请确认报告包含完整的统计表。", table=name)
                continue
            spec = layouts()[lay_by_table.get(name, fallback)].tables[name]
            order = list(self.vocab[name].groups) if name == "table4" else [r.key for r in spec.rows]
            if name == "table4":
                col_order = [c.key for c in spec.columns]
            for key in order:
                if key not in res.values:
                    label = spec.row(key).label if name != "table4" else key
                    self.problem("row_missing", "error",
                                 f"{_TABLE_CN[name]}缺少“{label}”一行。", table=name, row=key)
            # present rows in official order; rows of the other layout keep their place at the end
            ordered = {k: res.values[k] for k in order if k in res.values}
            ordered.update({k: val for k, val in res.values.items() if k not in ordered})
            if name == "table4":
                ordered = {g: {c: vals.get(c) for c in col_order} for g, vals in ordered.items()}
            tables[name] = ordered
        return TablesOutcome(tables, lay_by_table, self.provenance, self.problems)


_TABLE_CN = {"table2": "表二", "table3": "表三", "table4": "表四"}


def recognise_tables(doc: Document) -> TablesOutcome:
    rec = _Recogniser()
    for table in doc.tables:
        rec.feed(table)
    return rec.finish()
