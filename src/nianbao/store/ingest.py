"""Ingesting many documents into the store: files, directories, zip archives and URLs.

Parsing and checking are CPU-bound and run in worker processes. Every write happens in
this process, one transaction per document (``records.save_document``), so an interrupted
run keeps everything already stored and the next run resumes: documents whose SHA-256 is
already stored are recognised before any parsing ("unchanged"). Two ingests running at
once are safe because the database's unique keys decide; the loser of a race retries the
document once in a fresh transaction, which then finds it stored or supersedes properly.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
import zipfile
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice
from pathlib import Path, PurePosixPath

from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError, OperationalError

from nianbao.api import max_bytes, parse, read_input
from nianbao.errors import NianbaoError, parse_error
from nianbao.model import Report
from nianbao.readers import zipsafe
from nianbao.rules import CheckResult, check
from nianbao.store.db import Store
from nianbao.store.models import Document, StoredReport
from nianbao.store.records import Prepared, prepare, save_document, sha256_of

OUTCOMES = ("ingested", "unchanged", "partial", "failed")
BATCH = 32  # documents whose stored-or-not is asked in one query
ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the member name is UTF-8
ZIP_ENCRYPTED_FLAG = 0x1


# ------------------------------------------------------------------ sources

@dataclass(frozen=True)
class Source:
    """One document to ingest; ``load`` gives its bytes or raises ``NianbaoError``."""

    name: str  # for people: the path, ``archive.zip/member`` or the URL
    load: Callable[[], bytes]
    filename: str | None = None  # stored with the document: the file's own name
    url: str | None = None  # where it was downloaded from


def iter_sources(paths: Iterable[str | os.PathLike]) -> Iterator[Source]:
    """Files as given; directories walked recursively (hidden files and folders skipped);
    zip archives of reports opened and each member yielded."""
    for path in map(Path, paths):
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for f in sorted(files):
                    if not f.startswith("."):
                        yield from _file_sources(Path(root) / f)
        else:
            yield from _file_sources(path)


def _file_sources(path: Path) -> Iterator[Source]:
    archive = _report_archive(path)
    if archive is None:
        yield Source(str(path), partial(_read_file, path), path.name)
    else:
        yield from archive.sources()


def _read_file(path: Path) -> bytes:
    return read_input(path)[0]  # size checked before reading; empty or missing files refused


def _report_archive(path: Path) -> _Archive | None:
    """A zip archive holding reports, or None. A .docx (or .xlsx…) is a zip too, but an
    OOXML package always has ``[Content_Types].xml``; such a file is one document."""
    try:
        with open(path, "rb") as f:
            if f.read(4) not in (b"PK\x03\x04", b"PK\x05\x06"):
                return None
        zf = zipfile.ZipFile(path)
    except (OSError, zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError):
        return None  # unreadable: the parser will say what is wrong with it as a document
    if any(i.filename.lower() == "[content_types].xml" for i in zf.infolist()):
        zf.close()
        return None
    return _Archive(path, zf)


def member_name(info: zipfile.ZipInfo) -> str:
    """A member's name decoded correctly. Without the UTF-8 flag, zipfile decodes names as
    CP437, but archives made on Chinese Windows use GBK (and some tools write UTF-8 without
    setting the flag); CP437 maps every byte, so the raw bytes can be had back."""
    if info.flag_bits & ZIP_UTF8_FLAG:
        return info.filename
    raw = info.filename.encode("cp437")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw.decode("gb18030", errors="replace")


class _Archive:
    """An open zip archive of reports; members are read one at a time, on demand."""

    def __init__(self, path: Path, zf: zipfile.ZipFile) -> None:
        self.path, self.zf = path, zf

    def sources(self) -> Iterator[Source]:
        for info in self.zf.infolist():
            name = member_name(info)
            parts = PurePosixPath(name).parts
            if info.is_dir() or not parts or any(p.startswith(".") or p == "__MACOSX"
                                                 for p in parts):
                continue
            yield Source(f"{self.path}/{name}", partial(self.read, info, f"{self.path}/{name}"),
                         parts[-1])

    def read(self, info: zipfile.ZipInfo, where: str) -> bytes:
        """The member's bytes, refusing what would bomb: sizes checked from the header and
        again while decompressing (zipsafe.CappedReader), as headers can lie."""
        limit = max_bytes()
        if info.flag_bits & ZIP_ENCRYPTED_FLAG:
            raise NianbaoError("zip_encrypted", "压缩包中的这个文件设置了密码，无法读取；"
                               "请解压后按文件导入。", where)
        if info.file_size > limit:
            raise parse_error("file_too_large", where, size=zipsafe.human_size(info.file_size),
                              limit=zipsafe.human_size(limit))
        ratio = info.file_size // max(info.compress_size, 1)
        if info.file_size > zipsafe.RATIO_MIN_SIZE and ratio > zipsafe.MAX_RATIO:
            raise NianbaoError("zip_bomb", f"压缩包中的这个文件压缩比异常（{ratio}:1），疑似压缩炸弹，"
                               "已拒绝读取；请确认压缩包来源。", where)
        try:
            data = zipsafe.CappedReader(self.zf, info, limit).read_all()
        except zipsafe.TooLarge as exc:
            raise parse_error("file_too_large", where, size=exc.size, limit=exc.limit) from None
        except (zipsafe.Corrupt, zipfile.BadZipFile, RuntimeError, NotImplementedError,
                OSError) as exc:
            detail = exc.args[0] if isinstance(exc, zipsafe.Corrupt) else "无法解压"
            raise NianbaoError("zip_corrupt", f"压缩包中的这个文件已损坏（{detail}）；"
                               "请重新下载或解压后按文件导入。", where) from None
        if not data:
            raise parse_error("empty_input", where)
        return data


def url_sources(urls: Iterable[str], *, concurrency: int = 4) -> Iterator[Source]:
    """Published reports fetched politely (store.fetch), in order of arrival."""
    from nianbao.store.fetch import fetch_all

    for fetched in fetch_all(urls, concurrency=concurrency):
        yield Source(fetched.url, partial(_fetched_bytes, fetched), fetched.name,
                     fetched.final_url)


def _fetched_bytes(fetched) -> bytes:
    if fetched.content is None:
        raise NianbaoError(fetched.error_code or "fetch_failed", fetched.error_message or "下载失败")
    return fetched.content


# ------------------------------------------------------------------ parsing (in workers)

def parse_and_check(filename: str | None, content: bytes
                    ) -> tuple[Report | NianbaoError, CheckResult | None]:
    """What a worker does for one document: parse, then check without a previous year
    (the cross-year rules need the store and run in the writing process)."""
    try:
        report = parse(content)
    except NianbaoError as exc:
        return exc, None
    if report.source is not None:
        report.source.name = filename  # as ``nianbao parse FILE`` would record it
    try:
        return report, check(report)
    except Exception as exc:  # a rule's bug must not stop a batch
        return NianbaoError("internal_error", f"检查时发生内部错误（{type(exc).__name__}）；这是 "
                            "nianbao 的缺陷，请把该文件和本信息报告给开发者。"), None


def parse_and_prepare(filename: str | None, content: bytes
                      ) -> tuple[Report | NianbaoError, CheckResult | None, Prepared | None]:
    """``parse_and_check`` plus the rows that need no database (``records.prepare``), so
    the workers, not the single writing process, pay for serialising the report."""
    parsed, result = parse_and_check(filename, content)
    return parsed, result, prepare(parsed) if isinstance(parsed, Report) else None


def _work(filename: str | None, content: bytes):
    # NianbaoError does not survive pickling (its __init__ takes three arguments)
    parsed, result, prepared = parse_and_prepare(filename, content)
    if isinstance(parsed, NianbaoError):
        return ("error", parsed.code, parsed.message), None, None
    return parsed, result, prepared


@contextmanager
def interrupt_deferred() -> Iterator[None]:
    """Hold a Ctrl-C back while one document is committed and recorded, so that the summary
    counts exactly what was stored; a second Ctrl-C interrupts at once (the transaction is
    then rolled back). Signal handlers can only be set in the main thread."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum, frame):
        if caught:
            raise KeyboardInterrupt
        caught.append(signum)

    previous = signal.signal(signal.SIGINT, hold)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if caught:
        raise KeyboardInterrupt


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the writing process's to handle


class Parsers:
    """``parse_and_check`` in ``workers`` processes, or in this process when workers is 1.

    ``submit`` returns a function giving the result (lazily, in-process)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)
        self.pool: ProcessPoolExecutor | None = None
        if self.workers > 1:
            self._start()

    def _start(self) -> None:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("fork" if "fork" in methods else None)
        self.pool = ProcessPoolExecutor(self.workers, mp_context=context,
                                        initializer=_ignore_sigint)
        # With fork every worker starts at the first submit: do it now, before any thread
        # (URL fetching) exists, as forking a threaded process can deadlock the child.
        self.pool.submit(int).result()

    def submit(self, filename: str | None, content: bytes
               ) -> Callable[[], tuple[Report | NianbaoError, CheckResult | None]]:
        """A function giving the result; it raises BrokenProcessPool when a worker died
        (killed, out of memory) before finishing this document."""
        if self.pool is None:
            return partial(parse_and_prepare, filename, content)
        try:
            future = self.pool.submit(_work, filename, content)
        except BrokenProcessPool:
            self._replace(self.pool)
            future = self.pool.submit(_work, filename, content)
        pool = self.pool

        def result():
            try:
                parsed, checked, prepared = future.result()
            except BrokenProcessPool:
                self._replace(pool)
                raise
            if isinstance(parsed, tuple):
                return NianbaoError(parsed[1], parsed[2]), None, None
            return parsed, checked, prepared
        return result

    def _replace(self, broken: ProcessPoolExecutor) -> None:
        """A fresh pool for what follows, once per broken pool. (Forking again while URL
        fetching threads run is the small risk taken to carry on after a worker died.)"""
        if self.pool is broken:
            broken.shutdown(wait=False, cancel_futures=True)
            self._start()

    def close(self, cancel: bool = False) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=cancel)
            self.pool = None


# ------------------------------------------------------------------ ingest

@dataclass
class Entry:
    """What happened to one document."""

    name: str
    outcome: str  # ingested / unchanged / partial / failed
    sha256: str | None = None
    report_id: int | None = None
    superseded: int | None = None  # the report this one replaced as current
    code: str | None = None  # error code (failed) or problem codes (partial)
    reason: str | None = None  # Chinese: why it failed / what is partial / a note


@dataclass
class IngestSummary:
    entries: list[Entry] = field(default_factory=list)
    total: int | None = None
    interrupted: bool = False
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        out = dict.fromkeys(OUTCOMES, 0)
        for e in self.entries:
            out[e.outcome] += 1
        out["superseded"] = sum(e.superseded is not None for e in self.entries)
        return out

    @property
    def stored(self) -> int:
        """Documents this run added to the store."""
        c = self.counts()
        return c["ingested"] + c["partial"] + sum(
            e.outcome == "failed" and e.report_id is not None for e in self.entries)

    def as_dict(self) -> dict:
        return {"counts": self.counts(), "interrupted": self.interrupted,
                "seconds": round(self.seconds, 3), "documents": [asdict(e) for e in self.entries]}


@dataclass
class _Item:
    source: Source
    content: bytes
    sha256: str
    result: Callable | None  # None: same bytes as an earlier document of this run


def ingest(store: Store, sources: Iterable[Source], *, workers: int = 1, total: int | None = None,
           on_progress: Callable[[Entry, IngestSummary], None] | None = None) -> IngestSummary:
    """Store every source; one transaction per document. Ctrl-C stops cleanly: the summary
    says ``interrupted`` and holds what was stored so far."""
    if total is None and isinstance(sources, Sized):
        total = len(sources)
    summary = IngestSummary(total=total)
    started = time.perf_counter()
    parsers = Parsers(workers)
    try:
        _Run(store, parsers, summary, on_progress).all(iter(sources))
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        parsers.close(cancel=True)
        summary.seconds = time.perf_counter() - started
    return summary


class _Recent(OrderedDict):
    """The last reports this run stored (report id -> Report), so that checking next year's
    report against them does not read and validate their JSON again. Bounded: a corpus is
    usually ingested roughly by agency or by year, so recent neighbours are what is asked."""

    LIMIT = 4096

    def __setitem__(self, key, value) -> None:
        super().__setitem__(key, value)
        if len(self) > self.LIMIT:
            self.popitem(last=False)


class _Run:
    def __init__(self, store: Store, parsers: Parsers, summary: IngestSummary,
                 on_progress) -> None:
        self.store, self.parsers, self.summary, self.on_progress = (store, parsers, summary,
                                                                    on_progress)
        self.first: dict[str, Entry | None] = {}  # sha256 -> the entry of its first document
        self.recent = _Recent()  # reports stored in this run, for their neighbours' checks

    def all(self, sources: Iterator[Source]) -> None:
        window = 4 * self.parsers.workers  # documents parsed ahead of the writes
        pending: deque[_Item] = deque()
        while batch := list(islice(sources, BATCH)):
            pending.extend(self._admit(batch))
            while len(pending) > window:
                self._finish(pending.popleft())
        while pending:
            self._finish(pending.popleft())

    def _record(self, entry: Entry) -> None:
        self.summary.entries.append(entry)
        if self.on_progress is not None:
            self.on_progress(entry, self.summary)

    def _admit(self, batch: list[Source]) -> list[_Item]:
        """Load a batch, drop what is already stored (one query), send the rest to parse."""
        loaded = []
        for src in batch:
            try:
                content = src.load()
            except NianbaoError as exc:
                self._record(Entry(src.name, "failed", code=exc.code, reason=exc.message))
                continue
            loaded.append((src, content, sha256_of(content)))
        stored = self._stored([sha for _, _, sha in loaded])
        items = []
        for src, content, sha in loaded:
            if sha in stored:
                report_id, status = stored[sha]
                note = "此前已入库，当时无法读取" if status == "failed" else None
                self._record(Entry(src.name, "unchanged", sha, report_id, reason=note))
            elif sha in self.first:
                items.append(_Item(src, content, sha, None))
            else:
                self.first[sha] = None
                items.append(_Item(src, content, sha, self.parsers.submit(src.filename, content)))
        return items

    def _stored(self, shas: list[str]) -> dict[str, tuple[int | None, str | None]]:
        if not shas:
            return {}
        with self.store.session() as s:
            rows = s.execute(select(Document.sha256, StoredReport.id, StoredReport.status)
                             .outerjoin(StoredReport, StoredReport.document_sha == Document.sha256)
                             .where(Document.sha256.in_(shas))).all()
        return {sha: (rid, status) for sha, rid, status in rows}

    def _finish(self, item: _Item) -> None:
        if item.result is None:
            self._record(self._duplicate(item))
            return
        try:
            parsed, result, prepared = item.result()
        except BrokenProcessPool:
            parsed = result = prepared = None
        with interrupt_deferred():  # what is committed is also counted
            if parsed is None:
                entry = Entry(item.source.name, "failed", item.sha256, code="worker_died",
                              reason="解析该文件时解析进程意外退出（可能内存不足）；请重新运行同一命令，"
                              "仍然失败时用 nianbao parse 单独检查此文件。")
            else:
                entry = self._save(item, parsed, result, prepared)
            self.first[item.sha256] = entry
            self._record(entry)

    def _duplicate(self, item: _Item) -> Entry:
        first = self.first.get(item.sha256)
        if first is None or first.report_id is None:
            reason = first.reason if first else None
            return Entry(item.source.name, "failed", item.sha256, code=first.code if first else None,
                         reason=reason)
        return Entry(item.source.name, "unchanged", item.sha256, first.report_id,
                     reason=f"与本次导入的 {first.name} 内容相同")

    def _save(self, item: _Item, parsed: Report | NianbaoError, result: CheckResult | None,
              prepared: Prepared | None = None) -> Entry:
        src = item.source
        for attempt in (1, 2):
            try:
                with self.store.session() as s:
                    fast_commit(s)
                    saved = save_document(s, item.content, src.filename, parsed, result,
                                          url=src.url, prepared=prepared, cache=self.recent)
                break
            except (IntegrityError, OperationalError) as exc:
                # another ingest stored the same bytes, agency or current report first (or a
                # lock/deadlock): a fresh transaction sees its work and decides again
                if attempt == 2:
                    detail = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
                    return Entry(src.name, "failed", item.sha256, code="store_conflict",
                                 reason=f"写入数据库失败（{detail[:200]}）；请稍后重新运行同一命令，"
                                 "已入库的文件不会重复导入。")
            except Exception as exc:  # one document's bug must not stop the batch
                return Entry(src.name, "failed", item.sha256, code="internal_error",
                             reason=f"保存时发生内部错误（{type(exc).__name__}）；这是 nianbao 的缺陷，"
                             "请把该文件和本信息报告给开发者。")
        entry = Entry(src.name, saved.outcome, saved.sha256, saved.report_id, saved.superseded)
        if isinstance(parsed, NianbaoError):
            entry.code, entry.reason = parsed.code, parsed.message
        elif saved.outcome == "partial":
            entry.code, entry.reason = partial_reason(parsed)
        return entry


def fast_commit(session) -> None:
    """PostgreSQL: do not wait for this transaction's WAL flush (``synchronous_commit off``).

    An fsync per document costs more than the whole write on slow disks. Nothing is lost when
    the ingest itself crashes or is interrupted (the server has every commit); only a crash of
    the database server can forget the last fraction of a second of commits, atomically,
    and running the same ingest again stores them again. This is the trade SQLite's
    ``synchronous=NORMAL`` in WAL mode (db.py) already makes."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SET LOCAL synchronous_commit TO OFF"))


def partial_reason(report: Report) -> tuple[str, str]:
    """(problem codes, a short Chinese description) of a partial report."""
    codes = "、".join(dict.fromkeys(p.code for p in report.problems))
    text = "；".join(p.message for p in report.problems[:2])
    if len(report.problems) > 2:
        text += f"（共 {len(report.problems)} 个问题）"
    return codes, text or "部分内容缺失"
