"""Rules on the report's metadata (family M): period, years, dates, contact, download place."""

from __future__ import annotations
