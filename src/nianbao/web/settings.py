"""Settings of the web application, from arguments or environment variables.

Every setting has a safe default: loopback only, anonymous read-only access, uploads limited
in size and number. See docs/web.md for the environment variables.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from nianbao.store.db import database_url

DEFAULT_MAX_UPLOAD = 20 * 1024 * 1024  # one report file; real reports are well under 5 MB
DEFAULT_MAX_FILES = 50  # files in one upload


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in ("1", "true", "yes", "on")


def _env_int(name: str, default: int) -> int:
    try:
        return int(os.environ.get(name, default))
    except ValueError:
        return default


@dataclass
class WebSettings:
    database_url: str = field(default_factory=lambda: database_url(None))
    # anonymous visitors may read everything unless this is set (NIANBAO_REQUIRE_LOGIN=1)
    require_login: bool = field(default_factory=lambda: _env_bool("NIANBAO_REQUIRE_LOGIN", False))
    # the session cookie is sent over HTTPS only (set when served behind TLS)
    secure_cookies: bool = field(default_factory=lambda: _env_bool("NIANBAO_SECURE_COOKIES", False))
    max_upload_bytes: int = field(
        default_factory=lambda: _env_int("NIANBAO_MAX_UPLOAD", DEFAULT_MAX_UPLOAD))
    max_upload_files: int = field(
        default_factory=lambda: _env_int("NIANBAO_MAX_UPLOAD_FILES", DEFAULT_MAX_FILES))
    # failed logins allowed per user name and per client address in ``login_window`` seconds
    login_attempts: int = field(default_factory=lambda: _env_int("NIANBAO_LOGIN_ATTEMPTS", 5))
    login_window: int = field(default_factory=lambda: _env_int("NIANBAO_LOGIN_WINDOW", 300))
    session_max_age: int = 8 * 3600  # a working day
