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
import signal
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator, Sized
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial
from itertools import islice

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, OperationalError

from nianbao.api import parse
from nianbao.errors import NianbaoError
from nianbao.model import Report
from nianbao.rules import CheckResult, check
from nianbao.store.db import Store
from nianbao.store.models import Document, StoredReport
from nianbao.store.records import Prepared, prepare, save_document, sha256_of
from nianbao.store.sources import Source
from nianbao.store.writing import Writer

OUTCOMES = ("ingested", "unchanged", "partial", "failed")
BATCH = 32  # documents whose stored-or-not is asked in one query


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
    run = _Run(store, parsers, summary, on_progress)
    try:
        run.all(iter(sources))
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        parsers.close(cancel=True)
        run.writer.close()
        summary.seconds = time.perf_counter() - started
    return summary


class _Recent(OrderedDict):
    """What this run stored lately, by report id (the Report, or its finding rows), so that
    checking next year's report against them does not read and validate their JSON, or read
    their findings, again. Bounded: a corpus is
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
        self.agencies: dict[str, int] = {}  # agency name -> id, met in this run
        self.written = _Recent()  # report id -> its finding rows, as this run wrote them
        self.writer = Writer(store)

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
                with self.writer.session() as s:
                    saved = save_document(s, item.content, src.filename, parsed, result,
                                          url=src.url, prepared=prepared, cache=self.recent,
                                          agencies=self.agencies, written=self.written,
                                          known_new=attempt == 1)
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


def partial_reason(report: Report) -> tuple[str, str]:
    """(problem codes, a short Chinese description) of a partial report."""
    codes = "、".join(dict.fromkeys(p.code for p in report.problems))
    text = "；".join(p.message for p in report.problems[:2])
    if len(report.problems) > 2:
        text += f"（共 {len(report.problems)} 个问题）"
    return codes, text or "部分内容缺失"
