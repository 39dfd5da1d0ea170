"""Uploads of reports: size and number limits, and a short-lived cache of what was uploaded.

Limits are enforced in three places, cheapest first:

1. ``UploadRoute`` refuses a request whose ``Content-Length`` is far beyond what the limits
   allow *before any of it is read* (the app-wide guard reads forms for their CSRF token, so
   this must run before the route's dependencies), and counts the bytes of a request that
   has no length (chunked), stopping it as soon as it passes the same bound;
2. ``read_uploads`` checks each file against ``max_upload_bytes`` and the number of files
   against ``max_upload_files``;
3. ``nianbao.parse`` has its own ceiling (``NIANBAO_MAX_BYTES``).

``UploadCache`` keeps the bytes of each checked file for a while, under a random key bound to
the visitor's session, so the results page can offer downloads and "save to the store"
without uploading again. It lives in the memory of one process: with several server
processes a later request may land on another one, and then asks to upload again.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from pathlib import PureWindowsPath
from typing import Any, BinaryIO

from fastapi import Request
from fastapi.responses import Response
from fastapi.routing import APIRoute
from starlette.exceptions import HTTPException

from nianbao.readers.zipsafe import human_size
from nianbao.web.errors import WebError

# multipart framing per file (boundary, headers, file name) and the form's other fields
PART_OVERHEAD = 16 * 1024
FORM_OVERHEAD = 256 * 1024
CACHE_BYTES = 256 * 1024 * 1024  # all cached uploads of a process together
CACHE_TTL = 2 * 3600  # seconds an upload can still be downloaded or saved
CACHE_ENTRIES = 2000
OWNER_KEY = "upload_owner"  # session key of the random id that owns cached uploads


# ----------------------------------------------------------------------------- limits
def request_limit(request: Request) -> int:
    s = request.app.state.settings
    return s.max_upload_files * (s.max_upload_bytes + PART_OVERHEAD) + FORM_OVERHEAD


class UploadTooLarge(WebError, HTTPException):
    """A WebError that FastAPI's body reading lets through: it turns any other exception
    raised while reading a form into a 400 "error parsing the body", but re-raises
    HTTPExceptions. The WebError handler answers it (it comes first in the MRO)."""

    def __init__(self, request: Request) -> None:
        s = request.app.state.settings
        WebError.__init__(self, 413, "upload_too_large",
                          f"上传的内容过大：一次最多上传 {s.max_upload_files} 个文件，每个不超过 "
                          f"{human_size(s.max_upload_bytes)}；请分批上传。")
        self.status_code = 413


def _too_large(request: Request) -> WebError:
    return UploadTooLarge(request)


class UploadRoute(APIRoute):
    """A route that refuses oversized request bodies before anything reads them."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def limited(request: Request) -> Response:
            if request.method not in ("POST", "PUT", "PATCH"):
                return await handler(request)
            limit = request_limit(request)
            length = request.headers.get("content-length")
            if length is not None:
                if not length.isdigit():
                    raise WebError(400, "bad_request", "请求的 Content-Length 无效。")
                if int(length) > limit:
                    raise _too_large(request)
            received = 0
            receive = request.receive

            async def counted():
                nonlocal received
                message = await receive()
                received += len(message.get("body", b""))
                if received > limit:  # no (or a false) Content-Length: stop reading now
                    raise _too_large(request)
                return message

            return await handler(Request(request.scope, counted))

        return limited


@dataclass
class Upload:
    """One uploaded file; its bytes are read when needed, so that a request with many files
    holds one file's bytes at a time (the form parser keeps the others spooled on disk)."""

    name: str  # the file's own name, without any directory the browser sent
    file: BinaryIO

    def read(self) -> bytes:
        self.file.seek(0)
        return self.file.read()


def clean_name(filename: str | None, n: int) -> str:
    """The file name to show and store: the last path component (browsers on Windows may
    send a full path), at most 200 characters; "文件 n" when there is none."""
    name = PureWindowsPath(filename or "").name.strip()  # splits on both / and \
    name = "".join(ch for ch in name if ch.isprintable())
    return name[:200] or f"文件 {n}"


def read_uploads(request: Request, files: list) -> list[Upload]:
    """The uploaded files, within the limits (413 ``file_too_large``, 400
    ``too_many_files``, 400 ``no_files``). An empty file passes: the parser says why it cannot
    be read, next to the other files' results."""
    s = request.app.state.settings
    # a form submitted with no file chosen still sends one part with an empty name
    files = [f for f in files if f.filename or (f.size or 0) > 0]
    if not files:
        raise WebError(400, "no_files", "没有收到任何文件；请选择或拖入至少一个年报文件后再提交。")
    if len(files) > s.max_upload_files:
        raise WebError(400, "too_many_files",
                       f"一次最多上传 {s.max_upload_files} 个文件，本次有 {len(files)} 个；请分批上传。",
                       {"files": len(files), "limit": s.max_upload_files})
    out = []
    for n, f in enumerate(files, 1):
        name = clean_name(f.filename, n)
        f.file.seek(0, 2)  # the spooled file's size, without reading it
        if f.file.tell() > s.max_upload_bytes:
            raise WebError(413, "file_too_large",
                           f"文件“{name}”过大（超过 {human_size(s.max_upload_bytes)} 的上限）；"
                           "年报通常不超过几 MB，请确认文件是否选对。",
                           {"file": name, "limit": s.max_upload_bytes})
        out.append(Upload(name, f.file))
    return out


# ----------------------------------------------------------------------------- cache
@dataclass
class Cached:
    owner: str
    name: str
    content: bytes
    stored: float


class UploadCache:
    """Uploaded files by random key, each visible only to the session that uploaded it;
    bounded in total size, number and age (oldest dropped first). Thread-safe: sync routes
    run in a thread pool."""

    def __init__(self, max_bytes: int = CACHE_BYTES, ttl: float = CACHE_TTL,
                 max_entries: int = CACHE_ENTRIES) -> None:
        self.max_bytes, self.ttl, self.max_entries = max_bytes, ttl, max_entries
        self._items: OrderedDict[str, Cached] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def put(self, owner: str, name: str, content: bytes) -> str:
        key = secrets.token_urlsafe(18)
        with self._lock:
            self._items[key] = Cached(owner, name, content, time.monotonic())
            self._bytes += len(content)
            self._expire()
        return key

    def get(self, owner: str, key: str) -> Cached | None:
        with self._lock:
            self._expire()
            item = self._items.get(key)
        if item is None or not secrets.compare_digest(item.owner, owner):
            return None
        return item

    def _expire(self) -> None:
        now = time.monotonic()
        while self._items:
            oldest = next(iter(self._items.values()))
            if (now - oldest.stored <= self.ttl and self._bytes <= self.max_bytes
                    and len(self._items) <= self.max_entries):
                break
            self._items.popitem(last=False)
            self._bytes -= len(oldest.content)


def upload_cache(request: Request) -> UploadCache:
    """The application's cache (one per app, made on first use)."""
    state = request.app.state
    cache = getattr(state, "upload_cache", None)
    if cache is None:
        with _make_lock:
            cache = getattr(state, "upload_cache", None)
            if cache is None:
                cache = state.upload_cache = UploadCache()
    return cache


_make_lock = threading.Lock()


def owner_of(request: Request, create: bool = False) -> str | None:
    """The random id of this visitor's session that owns their uploads."""
    owner = request.session.get(OWNER_KEY)
    if owner is None and create:
        owner = request.session[OWNER_KEY] = secrets.token_urlsafe(18)
    return owner


def cached_upload(request: Request, key: str) -> Cached:
    owner = owner_of(request)
    item = upload_cache(request).get(owner, key) if owner else None
    if item is None:
        raise WebError(410, "upload_expired",
                       f"上传的文件已不在服务器上（只临时保留 {CACHE_TTL // 3600} 小时，且只对上传它的"
                       "浏览器可见）；请在“检查”页面重新上传后再下载或保存。")
    return item
