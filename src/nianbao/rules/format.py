"""Rules on the report's format and structure (family F): layout versus year, templates, sections."""

from __future__ import annotations
