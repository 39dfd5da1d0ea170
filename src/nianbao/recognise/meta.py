"""Read the report's metadata — placeholder, being written."""

from __future__ import annotations

from nianbao.document import Document
from nianbao.model import Meta, Section


def extract_meta(doc: Document, sections: list[Section]) -> Meta:
    return Meta()
