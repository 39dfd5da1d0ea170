"""The web application (``nianbao serve``): pages and a REST API over the store."""

from nianbao.web.app import create_app

__all__ = ["create_app"]
