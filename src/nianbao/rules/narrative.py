"""Rules comparing the narrative with the tables (family N)."""

from __future__ import annotations
