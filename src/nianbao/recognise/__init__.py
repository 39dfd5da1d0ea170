"""From a format-neutral Document to a typed Report.

Knows annual reports and nothing about input formats.
"""

from __future__ import annotations

from nianbao.document import Document
from nianbao.errors import parse_error
from nianbao.model import Problem, Report
from nianbao.recognise.meta import read_front_matter
from nianbao.recognise.narrative import extract_figures
from nianbao.recognise.sections import find_sections
from nianbao.recognise.tables import recognise_tables
from nianbao.version import PARSER_VERSION


def recognise(doc: Document, where: str | None = None) -> Report:
    """Build the Report; raise ParseError when the document is no annual report at all."""
    tables = recognise_tables(doc)
    sections = find_sections(doc)
    found_tables = [n for n, t in tables.tables.items() if t is not None]
    if not found_tables and len(sections) < 3:
        raise parse_error("not_a_report", where)
    no_values = all(v is None for t in found_tables
                    for row in tables.tables[t].values() for v in row.values())
    # the blank official template: empty tables and only its placeholder "（文字描述）" texts
    if found_tables and no_values and not any(
            s.text.strip() and "文字描述" not in s.text for s in sections):
        raise parse_error("blank_template", where)
    meta, preamble = read_front_matter(doc, sections)
    problems: list[Problem] = list(tables.problems)
    lay = set(tables.table_layouts.values())
    layout = None if not lay else (lay.pop() if len(lay) == 1 else "mixed")
    status = "ok"
    if any(p.severity in ("error", "warning") for p in problems):
        status = "partial"
    return Report(
        status=status,
        layout=layout,
        table_layouts=tables.table_layouts,
        meta=meta,
        preamble=preamble,
        table2=tables.tables["table2"],
        table3=tables.tables["table3"],
        table4=tables.tables["table4"],
        sections=sections,
        narrative=extract_figures(sections),
        provenance=tables.provenance,
        problems=problems,
        parser_version=PARSER_VERSION,
    )
