"""Rules comparing a report with the same agency's previous-year report (family X)."""

from __future__ import annotations
