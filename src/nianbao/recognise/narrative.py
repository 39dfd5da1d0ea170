"""Narrative figures a reader would check — placeholder, being written."""

from __future__ import annotations

from nianbao.model import NarrativeFigure, Section


def extract_figures(sections: list[Section]) -> list[NarrativeFigure]:
    return []
