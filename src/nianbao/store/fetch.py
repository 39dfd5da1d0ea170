"""Fetch published reports by URL, politely, for ``nianbao ingest --urls``.

httpx does the HTTP; what is hand-written here is specific to Chinese government sites:
file names in GBK or RFC 5987 Content-Disposition headers, and report pages that only link
to an attachment (followed one hop). Stored bytes are never decoded or altered here: the
parser sniffs GBK/GB18030/UTF-8 itself.
"""

from __future__ import annotations

import re
import sys
import threading
import time
from collections.abc import Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from pathlib import PurePosixPath
from urllib.parse import unquote, unquote_to_bytes, urlsplit

import httpx
import lxml.html
from lxml import etree

from nianbao.api import max_bytes as parser_max_bytes
from nianbao.errors import NianbaoError
from nianbao.readers import decode
from nianbao.readers.zipsafe import human_size
from nianbao.version import __version__

# ASCII only: some government firewalls reject non-ASCII header octets.
USER_AGENT = (f"nianbao/{__version__} (annual reports on government information disclosure; "
              "research use)")
_HEADERS = {"User-Agent": USER_AGENT}
PER_HOST = 2  # concurrent requests to one host: government sites are small and easily annoyed
RETRY_AFTER_CAP = 60.0  # seconds; a Retry-After of an hour must not stall a whole ingest
# A page holding the report itself shows table 三; a page that merely links to it does not.
REPORT_MARKERS = ("本年新收政府信息公开申请数量", "收到和处理政府信息公开申请情况")
LINK_WORDS = ("年报", "年度报告", "附件", "nianbao", "ndbg")
# Attachment kinds in order of preference: what the parser reads best comes first.
ATTACHMENT_RANK = {".docx": 0, ".html": 1, ".htm": 1, ".shtml": 1, ".txt": 1,
                   ".pdf": 2, ".doc": 3, ".wps": 3}
_EXTENSIONS = {"text/html": ".html", "text/plain": ".txt", "application/pdf": ".pdf",
               "application/msword": ".doc", "application/vnd.openxmlformats-officedocument."
               "wordprocessingml.document": ".docx"}

MESSAGES = {
    "not_found": "网址 {url} 不存在（HTTP {status}）；请在浏览器中打开确认网址，年报可能已移动或下线。",
    "forbidden": "网址 {url} 拒绝访问（HTTP {status}）；网站可能限制自动下载，请在浏览器中下载后按文件导入。",
    "http_error": "网址 {url} 返回错误（HTTP {status}）；请在浏览器中打开确认网址是否正确。",
    "server_error": "网址 {url} 的服务器出错（HTTP {status}，已重试 {retries} 次）；请稍后再试。",
    "rate_limited": "网址 {url} 的网站要求降低访问频率（HTTP 429，已重试 {retries} 次）；"
    "请稍后再试，或减小并发数。",
    "timeout": "访问网址 {url} 超时（{timeout} 秒，已重试 {retries} 次）；网站可能很慢或不可达，请稍后再试。",
    "connection_failed": "无法连接网址 {url}（{detail}，已重试 {retries} 次）；请检查网址和网络连接。",
    "too_many_redirects": "网址 {url} 重定向次数过多；请在浏览器中打开，确认最终的年报网址后再导入。",
    "too_large": "网址 {url} 的内容过大（超过 {limit}）；年报通常不超过几 MB，请确认网址指向的是年报。",
    "empty_response": "网址 {url} 返回了空内容；请在浏览器中打开确认年报是否还在。",
    "internal_error": "下载网址 {url} 时发生内部错误（{detail}）；这是 nianbao 的缺陷，请把该网址报告给开发者。",
}


@dataclass(frozen=True, slots=True)
class Fetched:
    """One URL's outcome: ``content`` on success, else ``error_code``/``error_message``."""

    url: str  # as given
    final_url: str  # after redirects and after following an attachment link
    name: str
    content: bytes | None = None
    error_code: str | None = None
    error_message: str | None = None

    @property
    def ok(self) -> bool:
        return self.content is not None


@dataclass(slots=True)
class UrlList:
    urls: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # Chinese, one per skipped line


class UrlListError(NianbaoError):
    """The URL list file itself cannot be read."""


def read_url_list(path: str) -> UrlList:
    """URLs from a text file (or ``-`` for stdin): one per line, ``#`` comments, no duplicates."""
    if path == "-":
        data = sys.stdin.buffer.read()
    else:
        try:
            with open(path, "rb") as f:
                data = f.read()
        except OSError as e:
            raise UrlListError("url_list_unreadable",
                               f"无法读取网址列表文件（{e.strerror}）；请检查路径和权限。", path) from e
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("gb18030", errors="replace")  # lists saved by Chinese Notepad
    result, seen = UrlList(), set()
    for number, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#") or line in seen:
            continue
        parts = urlsplit(line)
        if parts.scheme.lower() not in ("http", "https") or not parts.netloc or " " in line:
            result.problems.append(f"{path} 第 {number} 行：“{line[:80]}”不是 http/https 网址，已跳过；"
                                   "请写完整网址（以 http:// 或 https:// 开头），每行一个。")
            continue
        seen.add(line)
        result.urls.append(line)
    return result


class _Failure(Exception):
    def __init__(self, code: str, retryable: bool = False, retry_after: float | None = None,
                 **fields: object) -> None:
        super().__init__(code)
        self.code, self.retryable, self.retry_after, self.fields = code, retryable, retry_after, fields


@dataclass(slots=True)
class _Response:
    url: str
    headers: httpx.Headers
    content: bytes


def fetch_all(urls: Iterable[str], *, concurrency: int = 4, retries: int = 3, backoff: float = 0.5,
              timeout: float = 30, max_bytes: int | None = None,
              client: httpx.Client | None = None) -> Iterator[Fetched]:
    """Fetch every URL; yields exactly one ``Fetched`` per URL, in order of completion.

    ``retries`` is the number of attempts after the first on connection errors, timeouts,
    429 and 5xx, waiting ``backoff * 2**n`` seconds (or the server's Retry-After, capped).
    ``max_bytes`` defaults to the parser's own limit (50 MB or ``NIANBAO_MAX_BYTES``).
    """
    max_bytes = parser_max_bytes() if max_bytes is None else max_bytes
    own = client is None
    if own:
        client = httpx.Client(follow_redirects=True, timeout=timeout,
                              limits=httpx.Limits(max_connections=max(concurrency, 1)))
    fetcher = _Fetcher(client, retries, backoff, timeout, max_bytes)
    pool = ThreadPoolExecutor(max_workers=max(concurrency, 1), thread_name_prefix="nianbao-fetch")
    try:
        futures = [pool.submit(fetcher.fetch, url) for url in _interleave_by_host(urls)]
        for future in as_completed(futures):
            yield future.result()
    finally:  # also on Ctrl-C or when the caller stops early: do not start queued URLs
        pool.shutdown(wait=True, cancel_futures=True)
        if own:
            client.close()


def _interleave_by_host(urls: Iterable[str]) -> list[str]:
    """Round-robin over hosts: a list sorted by site would otherwise leave most workers
    waiting for the same host's two slots while other hosts sit idle."""
    by_host: dict[str, list[str]] = {}
    for url in urls:
        by_host.setdefault(urlsplit(url).netloc.lower(), []).append(url)
    queues = list(by_host.values())
    return [q[i] for i in range(max(map(len, queues), default=0)) for q in queues if i < len(q)]


class _Fetcher:
    def __init__(self, client: httpx.Client, retries: int, backoff: float, timeout: float,
                 max_bytes: int) -> None:
        self.client, self.retries, self.backoff = client, retries, backoff
        self.timeout, self.max_bytes = timeout, max_bytes
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def fetch(self, url: str) -> Fetched:
        current = url
        try:
            response = self._get(url)
            attachment = find_attachment(response.content, response.headers, response.url)
            if attachment:  # a page that only links to the report: one hop, never more
                current = attachment
                response = self._get(attachment)
            return Fetched(url, response.url, file_name(response.url, response.headers),
                           response.content)
        except _Failure as f:
            message = MESSAGES[f.code].format(url=current, **f.fields)
            if current != url:
                message += f"（该附件链接来自页面 {url}）"
            return Fetched(url, current, file_name(current), None, f.code, message)
        except Exception as e:  # one bad URL must never stop the others
            return Fetched(url, current, file_name(current), None, "internal_error",
                           MESSAGES["internal_error"].format(url=current, detail=repr(e)[:200]))

    def _get(self, url: str) -> _Response:
        for attempt in range(self.retries + 1):
            try:
                return self._attempt(url)
            except _Failure as f:
                if not f.retryable or attempt == self.retries:
                    f.fields["retries"] = attempt
                    raise
                delay = self.backoff * 2**attempt if f.retry_after is None else f.retry_after
                time.sleep(delay)  # outside the host slot, so other URLs of the host proceed
        raise AssertionError("unreachable")

    def _slot(self, url: str) -> threading.BoundedSemaphore:
        host = urlsplit(url).netloc.lower()
        with self._lock:
            return self._hosts.setdefault(host, threading.BoundedSemaphore(PER_HOST))

    def _attempt(self, url: str) -> _Response:
        # httpx timeouts are per read; a server dripping bytes must still end, hence a deadline.
        deadline = time.monotonic() + self.timeout * 10
        with self._slot(url):
            try:
                with self.client.stream("GET", url, headers=_HEADERS, timeout=self.timeout,
                                        follow_redirects=True) as r:
                    _check_status(r)
                    if int(r.headers.get("content-length") or 0) > self.max_bytes:
                        raise _Failure("too_large", limit=human_size(self.max_bytes))
                    chunks, size = [], 0
                    for chunk in r.iter_bytes():
                        size += len(chunk)
                        if size > self.max_bytes:
                            raise _Failure("too_large", limit=human_size(self.max_bytes))
                        if time.monotonic() > deadline:
                            raise _Failure("timeout", True, timeout=self.timeout)
                        chunks.append(chunk)
                    if not size:
                        raise _Failure("empty_response")
                    return _Response(str(r.url), r.headers, b"".join(chunks))
            except httpx.TooManyRedirects as e:
                raise _Failure("too_many_redirects") from e
            except httpx.TimeoutException as e:
                raise _Failure("timeout", True, timeout=self.timeout) from e
            except httpx.TransportError as e:
                detail = type(e).__name__ + (f"：{e}" if str(e) else "")
                raise _Failure("connection_failed", True, detail=detail[:200]) from e


def _check_status(r: httpx.Response) -> None:
    status = r.status_code
    if status < 400:
        return
    if status in (404, 410):
        raise _Failure("not_found", status=status)
    if status in (401, 403):
        raise _Failure("forbidden", status=status)
    if status == 429 or status >= 500:
        code = "rate_limited" if status == 429 else "server_error"
        raise _Failure(code, True, _retry_after(r.headers.get("retry-after")), status=status)
    raise _Failure("http_error", status=status)


def _retry_after(value: str | None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or HTTP date), capped."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return min(float(value), RETRY_AFTER_CAP)
    try:
        return min(max(parsedate_to_datetime(value).timestamp() - time.time(), 0.0), RETRY_AFTER_CAP)
    except (TypeError, ValueError):
        return None


def find_attachment(content: bytes, headers: httpx.Headers, base_url: str) -> str | None:
    """The best report attachment linked from an HTML page lacking the report itself, if any."""
    head = content[:2048].lstrip().lower()
    is_html = "html" in headers.get("content-type", "").lower()
    if not is_html and not head.startswith((b"<!doctype html", b"<html")):
        return None
    text = _decode_html(content, headers)
    if any(marker in text for marker in REPORT_MARKERS):
        return None
    try:
        page = lxml.html.document_fromstring(text)
        page.make_links_absolute(base_url, resolve_base_href=True)
    except (ValueError, etree.ParserError):
        return None
    best: tuple[int, int, int, str] | None = None
    for order, a in enumerate(page.iter("a")):
        href = (a.get("href") or "").strip()
        parts = urlsplit(href)
        if parts.scheme not in ("http", "https") or href.split("#")[0] == base_url:
            continue
        label = " ".join((a.text_content() + " " + (a.get("title") or "")).split())
        # the extension may sit in the path, in a download script's query, or only in the text
        places = [parts.path, label, *re.split(r"[&=]", unquote(parts.query))]
        kind = next((ext for ext in ATTACHMENT_RANK for p in places if p.lower().endswith(ext)), None)
        if kind is None:
            continue
        if kind in (".html", ".htm", ".shtml"):
            # Menus link a "年报" column as .html on every page: an HTML link must name a year's report.
            if not (re.search(r"20\d\d", label) and ("年报" in label or "年度报告" in label)):
                continue
            context = label
        else:  # "附件：<a>P020240125.pdf</a>": the words are often just before the link
            around = a.getparent().text_content() if a.getparent() is not None else ""
            context = label + (around if len(around) < 300 else "")  # not a whole page's text
        words = [w for w in LINK_WORDS if w in context or w in unquote(href).lower()]
        if not words:
            continue
        # file kind first, then report words in the link over a bare "附件", then page order
        rank = (ATTACHMENT_RANK[kind], 0 if set(words) - {"附件"} else 1, order, href)
        best = min(best, rank) if best else rank
    return best[3] if best else None


def _decode_html(content: bytes, headers: httpx.Headers) -> str:
    """Text of a page only to look for links: header charset, else the parser's own sniffing."""
    m = re.search(r"charset\s*=\s*[\"']?([\w-]+)", headers.get("content-type", ""), re.I)
    if m:
        charset = m.group(1).lower()
        charset = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030"}.get(charset, charset)
        try:
            return content.decode(charset)
        except (UnicodeDecodeError, LookupError):
            pass
    try:
        return decode(content)[0]
    except NianbaoError:
        return content.decode("utf-8", errors="replace")


def file_name(url: str, headers: httpx.Headers | None = None) -> str:
    """A file name: Content-Disposition, else the URL path's last part, else the host."""
    name = _disposition_name(headers) if headers is not None else None
    if not name:
        parts = urlsplit(url)
        name = _clean_name(_decode_name(unquote_to_bytes(PurePosixPath(parts.path).name)))
        if name and headers is not None and not PurePosixPath(name).suffix:
            mime = headers.get("content-type", "").split(";")[0].strip().lower()
            name += _EXTENSIONS.get(mime, "")
        name = name or parts.hostname or "download"
    return name


def _disposition_name(headers: httpx.Headers) -> str | None:
    # Raw bytes, because servers in China often send the name as raw GBK, which httpx would
    # decode as Latin-1; the email module's parser does not handle that either.
    raw = next((v for k, v in headers.raw if k.lower() == b"content-disposition"), None)
    if not raw:
        return None
    m = re.search(rb"filename\*\s*=\s*\"?([\w-]+)'[^']*'([^;\s\"]+)", raw, re.I)  # RFC 5987
    if m:
        try:
            return _clean_name(unquote_to_bytes(m.group(2)).decode(m.group(1).decode()))
        except (UnicodeDecodeError, LookupError):
            pass
    m = re.search(rb'filename\s*=\s*(?:"([^"]*)"|([^;]+))', raw, re.I)
    if not m:
        return None
    value = (m.group(1) if m.group(1) is not None else m.group(2)).strip()
    if re.search(rb"%[0-9A-Fa-f]{2}", value):  # percent-encoded without filename*
        value = unquote_to_bytes(value)
    return _clean_name(_decode_name(value))


def _decode_name(value: bytes) -> str:
    try:
        return value.decode("utf-8")
    except UnicodeDecodeError:
        return value.decode("gb18030", errors="replace")


def _clean_name(name: str) -> str:
    """The last path part, without control characters or surrounding spaces and quotes."""
    name = re.split(r"[/\\]", name)[-1]
    return "".join(ch for ch in name if ch >= " " and ch != "\x7f").strip().strip("\"'")
