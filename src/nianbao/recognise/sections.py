"""Find the six sections (headings as printed, text) — placeholder, being written."""

from __future__ import annotations

from nianbao.document import Document
from nianbao.model import Section


def find_sections(doc: Document) -> list[Section]:
    return []
