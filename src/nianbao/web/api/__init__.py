"""The JSON API under ``/api/``: one module per area, each with a ``router``."""
