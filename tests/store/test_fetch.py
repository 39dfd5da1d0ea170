"""Fetching reports by URL against a real local HTTP server (no network, no database)."""

from __future__ import annotations

import contextlib
import io
import socket
import sys
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import quote

import httpx
import pytest

import nianbao
from nianbao import render, synth
from nianbao.store.fetch import USER_AGENT, UrlListError, fetch_all, file_name, read_url_list
from tests.helpers import SEEDS

SEED = SEEDS[0].read_bytes()
REPORT = synth.generate(1)
DOCX = render.render(REPORT, "docx")
PDF = b"%PDF-1.4\n% not really a report\n"
GBK_REPORT_PAGE = (render.render(synth.generate(2), "html").decode("utf-8")
                   .replace('<meta charset="utf-8">', '<meta charset="gbk">')
                   # a report page with an attachment link is the report: never followed
                   .replace("</body>", '<a href="/files/nb2023.docx">附件：年度报告.docx</a></body>')
                   .encode("gbk"))
LINK_PAGE = """<!DOCTYPE html><html><head><meta http-equiv="Content-Type"
content="text/html; charset=gb2312"><title>樟树市人社局2023年政府信息公开工作年度报告</title></head>
<body><ul><li><a href="/col/nianbao/index.html">政府信息公开年报</a></li></ul>
<h1>樟树市人社局2023年政府信息公开工作年度报告</h1><p>详见附件。</p>
<p><a href="../../files/nb2023.pdf">附件1：2023年度报告（PDF版）.pdf</a></p>
<p><a href="../../files/nb2023.docx">附件2：2023年度报告.docx</a></p></body></html>""".encode("gbk")
PDF_ONLY_PAGE = ('<html><body><a href="/files/nb2023.pdf" title="年报">下载</a>'
                 '<a href="/files/other.docx">通知</a></body></html>').encode()
SCRIPT_PAGE = ('<html><head><title>2023年政府信息公开工作年度报告</title></head><body><ul><li>'
               '<a href="/files/apply.doc">政府信息公开申请表.doc</a></li></ul><div><p>正文见附件。</p>'
               '<p>附件：<a href="/module/download/downfile.jsp?classid=0&amp;filename=P020240125.docx">'
               'P020240125.docx</a></p></div></body></html>').encode("gbk")
GBK_NAME = "樟树市2023年报.txt"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

SIMPLE = {  # path -> (status, headers, body)
    "/": (200, {"Content-Type": "text/plain"}, SEED),
    "/reports/seed.txt": (200, {"Content-Type": "text/plain"}, SEED),
    "/reports/gbk.html": (200, {"Content-Type": "text/html"}, GBK_REPORT_PAGE),
    "/notice/2023/link.html": (200, {"Content-Type": "text/html"}, LINK_PAGE),
    "/notice/pdf-only": (200, {"Content-Type": "text/html; charset=utf-8"}, PDF_ONLY_PAGE),
    "/notice/script.html": (200, {"Content-Type": "text/html; charset=GBK"}, SCRIPT_PAGE),
    "/module/download/downfile.jsp": (200, {"Content-Disposition": "attachment;filename*=utf-8''"
                                            + quote("江油市2023年报.docx")}, DOCX),
    "/files/nb2023.docx": (200, {"Content-Type": DOCX_TYPE}, DOCX),
    "/files/nb2023.pdf": (200, {"Content-Type": "application/pdf"}, PDF),
    "/files/broken-link.html": (200, {"Content-Type": "text/html"},
                                b'<html><body><a href="/gone.docx">2023\xc4\xea\xb1\xa8</a></body></html>'),
    "/missing": (404, {}, b"not here"),
    "/forbidden": (403, {}, b"no"),
    "/always-503": (503, {}, b"down"),
    "/empty": (200, {"Content-Type": "text/plain"}, b""),
    "/big": (200, {"Content-Type": "text/plain"}, b"x" * 10_000),
    "/redirect": (302, {"Location": "/reports/seed.txt"}, b""),
    "/download/utf8": (200, {"Content-Disposition":
                             "attachment; filename*=UTF-8''" + quote("2023年度报告.docx")}, DOCX),
    # raw GBK bytes in the header, as many Chinese servers send them (written as Latin-1)
    "/download/gbk": (200, {"Content-Disposition":
                            'attachment; filename="' + GBK_NAME.encode("gbk").decode("latin-1") + '"'},
                      SEED),
    "/download/percent": (200, {"Content-Disposition":
                                "attachment; filename=" + quote("年报 附件.txt")}, SEED),
    "/download/noext": (200, {"Content-Type": DOCX_TYPE}, DOCX),
}


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[Counter] = Counter()
    agents: ClassVar[list] = []
    active: ClassVar[Counter] = Counter()  # per Host header, and "*" for all
    peak: ClassVar[Counter] = Counter()
    lock = threading.Lock()

    def log_message(self, *args) -> None:  # keep test output clean
        pass

    def do_GET(self) -> None:
        path = self.path.split("?")[0]
        with self.lock:
            self.hits[path] += 1
            count = self.hits[path]
            self.agents.append(self.headers.get("User-Agent"))
        if path == "/flaky" and count <= 2:
            return self.reply(503, {}, b"try again")
        if path == "/busy" and count == 1:
            return self.reply(429, {"Retry-After": "0"}, b"slow down")
        if path == "/slow":
            time.sleep(0.6)
        if path == "/big-stream":  # no Content-Length: the size is only known while reading
            self.send_response(200)
            self.end_headers()
            for _ in range(10):
                self.wfile.write(b"y" * 1000)
            return None
        if path == "/hold":
            return self.hold()
        if path in ("/flaky", "/busy", "/slow"):
            return self.reply(200, {"Content-Type": "text/plain"}, SEED[:2000])
        return self.reply(*SIMPLE.get(path, (404, {}, b"")))

    def hold(self) -> None:
        host = self.headers["Host"].split(":")[0]
        with self.lock:
            for key in (host, "*"):
                self.active[key] += 1
                self.peak[key] = max(self.peak[key], self.active[key])
        time.sleep(0.15)
        with self.lock:
            for key in (host, "*"):
                self.active[key] -= 1
        self.reply(200, {}, host.encode())

    def reply(self, status: int, headers: dict, body: bytes) -> None:
        self.send_response(status)
        for key, value in headers.items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        with contextlib.suppress(OSError):  # the client gave up (timeout test)
            self.wfile.write(body)


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address) -> None:
        pass


@pytest.fixture(scope="module")
def server():
    httpd = QuietServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(autouse=True)
def fresh_counts():
    for counter in (Handler.hits, Handler.active, Handler.peak):
        counter.clear()
    Handler.agents.clear()


def fetch(urls, **options):
    options = {"retries": 2, "backoff": 0.01, "timeout": 0.3, "max_bytes": 5000, **options}
    results = list(fetch_all(urls, **options))
    assert sorted(r.url for r in results) == sorted(urls)  # exactly one result per URL
    return {r.url: r for r in results}


def test_documents_names_and_final_urls(server):
    paths = ["/reports/seed.txt", "/reports/gbk.html", "/notice/2023/link.html", "/",
             "/redirect", "/download/utf8", "/download/gbk", "/download/percent",
             "/download/noext", "/notice/pdf-only", "/notice/script.html"]
    got = fetch([server + p for p in paths], max_bytes=10**6)
    summary = {r.url.removeprefix(server): (r.final_url.removeprefix(server), r.name, r.error_code)
               for r in got.values()}
    assert summary == {
        "/reports/seed.txt": ("/reports/seed.txt", "seed.txt", None),
        "/reports/gbk.html": ("/reports/gbk.html", "gbk.html", None),
        "/notice/2023/link.html": ("/files/nb2023.docx", "nb2023.docx", None),
        "/": ("/", "127.0.0.1", None),
        "/redirect": ("/reports/seed.txt", "seed.txt", None),
        "/download/utf8": ("/download/utf8", "2023年度报告.docx", None),
        "/download/gbk": ("/download/gbk", GBK_NAME, None),
        "/download/percent": ("/download/percent", "年报 附件.txt", None),
        "/download/noext": ("/download/noext", "noext.docx", None),
        "/notice/pdf-only": ("/files/nb2023.pdf", "nb2023.pdf", None),
        "/notice/script.html": ("/module/download/downfile.jsp?classid=0&filename=P020240125.docx",
                                "江油市2023年报.docx", None),
    }
    content = {url.removeprefix(server): r.content for url, r in got.items()}
    assert content["/reports/seed.txt"] == content["/"] == content["/redirect"] == SEED
    assert content["/reports/gbk.html"] == GBK_REPORT_PAGE  # bytes as served, not re-encoded
    assert content["/notice/2023/link.html"] == content["/download/utf8"] == DOCX
    assert content["/notice/script.html"] == DOCX
    assert content["/download/gbk"] == content["/download/percent"] == SEED
    assert content["/notice/pdf-only"] == PDF
    # what was fetched is what the parser reads: the GBK page and the followed attachment
    assert nianbao.parse(content["/reports/gbk.html"]).meta.agency == synth.generate(2).meta["agency"]
    assert nianbao.parse(content["/notice/2023/link.html"]).meta.agency == REPORT.meta["agency"]
    assert Handler.hits["/files/nb2023.pdf"] == 1  # only for the page whose one link it is
    assert Handler.hits["/col/nianbao/index.html"] == 0  # a menu link is not an attachment
    assert Handler.hits["/files/apply.doc"] == 0  # nor is an application form in the sidebar
    assert set(Handler.agents) == {USER_AGENT}
    assert USER_AGENT.startswith(f"nianbao/{nianbao.__version__} (")


def test_errors_retries_and_limits(server):
    refused = socket.socket()
    refused.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{refused.getsockname()[1]}/report.docx"
    refused.close()  # nothing listens there now
    paths = ["/missing", "/forbidden", "/flaky", "/busy", "/always-503", "/slow", "/big",
             "/big-stream", "/empty", "/files/broken-link.html"]
    started = time.monotonic()
    got = fetch([server + p for p in paths] + [dead])
    assert time.monotonic() - started < 5  # tiny back-off: seconds, not minutes
    codes = {url.removeprefix(server): r.error_code for url, r in got.items()}
    assert codes == {"/missing": "not_found", "/forbidden": "forbidden", "/flaky": None,
                     "/busy": None, "/always-503": "server_error", "/slow": "timeout",
                     "/big": "too_large", "/big-stream": "too_large", "/empty": "empty_response",
                     "/files/broken-link.html": "not_found", dead: "connection_failed"}
    assert dict(Handler.hits) == {"/missing": 1, "/forbidden": 1, "/flaky": 3, "/busy": 2,
                                  "/always-503": 3, "/slow": 3, "/big": 1, "/big-stream": 1,
                                  "/empty": 1, "/files/broken-link.html": 1, "/gone.docx": 1}
    assert got[server + "/flaky"].content == got[server + "/busy"].content == SEED[:2000]
    for result in got.values():
        assert (result.content is None) == (result.error_message is not None)
    messages = {url.removeprefix(server): r.error_message for url, r in got.items()}
    assert messages["/missing"] == (f"网址 {server}/missing 不存在（HTTP 404）；"
                                    "请在浏览器中打开确认网址，年报可能已移动或下线。")
    assert messages["/always-503"] == (f"网址 {server}/always-503 的服务器出错（HTTP 503，已重试 2 次）；"
                                       "请稍后再试。")
    assert messages["/slow"].startswith(f"访问网址 {server}/slow 超时（0.3 秒，已重试 2 次）")
    assert "超过 4.9 KB" in messages["/big"]
    assert messages[dead].startswith(f"无法连接网址 {dead}（ConnectError")
    broken = got[server + "/files/broken-link.html"]
    assert broken.final_url == server + "/gone.docx"
    assert broken.name == "gone.docx"
    assert broken.error_message.endswith(f"（该附件链接来自页面 {server}/files/broken-link.html）")


def test_politeness_limits_per_host_and_overall(server):
    port = server.rsplit(":", 1)[1]
    # sorted by host, as lists often are: the fetcher interleaves hosts to keep workers busy
    urls = [f"http://{host}:{port}/hold?i={i}" for host in ("127.0.0.1", "localhost")
            for i in range(5)]
    got = fetch(urls, concurrency=3, timeout=5)
    assert all(r.ok for r in got.values())
    assert Handler.peak["127.0.0.1"] == Handler.peak["localhost"] == 2
    assert Handler.peak["*"] == 3


def test_results_stream_as_they_complete_and_early_stop_is_clean(server):
    results = fetch_all([server + "/slow", server + "/reports/seed.txt"], timeout=5)
    first = next(results)
    assert first.name == "seed.txt"  # the fast one first, not the order given
    results.close()  # stopping early waits for running requests and closes the client


def test_given_client_is_used_and_left_open(server):
    with httpx.Client() as client:  # the fetcher sets redirects, timeout and User-Agent itself
        got = fetch([server + "/redirect"], client=client, max_bytes=10**6)
        assert got[server + "/redirect"].content == SEED
        assert not client.is_closed


def test_file_name_without_response():
    assert file_name("http://www.zhangshu.gov.cn/art/2024/1/5/%E5%B9%B4%E6%8A%A5.docx?x=1") == "年报.docx"
    assert file_name("http://www.zhangshu.gov.cn/art/%C4%EA%B1%A8.doc") == "年报.doc"  # GBK in the URL
    assert file_name("https://www.zhangshu.gov.cn") == "www.zhangshu.gov.cn"


def test_read_url_list(tmp_path, monkeypatch):
    path = tmp_path / "urls.txt"
    path.write_bytes("\ufeff# 樟树市 2023\n\nhttp://a.gov.cn/1.docx\n  https://b.gov.cn/年报.html  \n"
                     "www.c.gov.cn/2.docx\nhttp://a.gov.cn/1.docx\nftp://d.gov.cn/x\n".encode())
    listed = read_url_list(str(path))
    assert listed.urls == ["http://a.gov.cn/1.docx", "https://b.gov.cn/年报.html"]
    assert listed.problems == [
        f"{path} 第 5 行：“www.c.gov.cn/2.docx”不是 http/https 网址，已跳过；"
        "请写完整网址（以 http:// 或 https:// 开头），每行一个。",
        f"{path} 第 7 行：“ftp://d.gov.cn/x”不是 http/https 网址，已跳过；"
        "请写完整网址（以 http:// 或 https:// 开头），每行一个。"]
    gbk = tmp_path / "gbk.txt"
    gbk.write_bytes("# 网址\nhttp://a.gov.cn/年报.docx\n".encode("gbk"))
    assert read_url_list(str(gbk)).urls == ["http://a.gov.cn/年报.docx"]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"http://x.gov.cn/\n#c\n")))
    assert read_url_list("-").urls == ["http://x.gov.cn/"]
    with pytest.raises(UrlListError) as error:
        read_url_list(str(tmp_path / "none.txt"))
    assert error.value.code == "url_list_unreadable"
    assert error.value.one_line() == (f"{tmp_path / 'none.txt'}：无法读取网址列表文件（No such file or "
                                      "directory）；请检查路径和权限。 [url_list_unreadable]")


def test_retry_after_seconds_and_dates_are_capped():
    from nianbao.store.fetch import RETRY_AFTER_CAP, _retry_after

    assert [_retry_after(v) for v in ("0", " 5 ", "3600", "soon", None)] == [
        0.0, 5.0, RETRY_AFTER_CAP, None, None]
    assert _retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # a date in the past: now
