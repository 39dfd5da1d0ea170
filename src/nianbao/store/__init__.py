"""The corpus store: documents, parsed reports, cells, findings and agencies in SQL."""

from nianbao.store.db import Store, StoreError, database_url, open_store

__all__ = ["Store", "StoreError", "database_url", "open_store"]
