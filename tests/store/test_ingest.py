"""Ingest through the Python API: sources (files, directories, zip archives) and the store."""

from __future__ import annotations

import multiprocessing
import os
import signal
import zipfile
from concurrent.futures.process import BrokenProcessPool

import pytest
from sqlalchemy import func, select

import nianbao
from nianbao import synth
from nianbao.errors import NianbaoError
from nianbao.render import render
from nianbao.store.ingest import Parsers, ingest
from nianbao.store.models import Agency, Cell, Document, StoredFinding, StoredReport
from nianbao.store.records import load_report, prepare
from nianbao.store.sources import Source, iter_sources

GBK_NAME = "樟树市2023年政府信息公开年报.txt"


def _report(seed: int, fmt: str = "text", **kw) -> bytes:
    return render(synth.generate(seed, **kw), fmt)


def _gbk_zip(path, members: dict[str, bytes]) -> None:
    """A zip whose member names are GBK bytes without the UTF-8 flag, as Windows makes them.
    (zipfile always writes non-ASCII names as flagged UTF-8, so the names are patched in.)"""
    placeholders = {}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, (name, data) in enumerate(members.items()):
            raw = name.encode("gbk")
            stand_in = f"{i:02d}".encode() + b"~" * (len(raw) - 2)
            placeholders[stand_in] = raw
            zf.writestr(stand_in.decode(), data)
    data = path.read_bytes()
    for stand_in, raw in placeholders.items():
        assert data.count(stand_in) == 2  # local header and central directory
        data = data.replace(stand_in, raw)
    path.write_bytes(data)


def _counts(store) -> dict[str, int]:
    with store.session() as s:
        return {m.__tablename__: s.scalar(select(func.count()).select_from(m))
                for m in (Document, StoredReport, Cell, StoredFinding, Agency)}


@pytest.fixture
def docs(tmp_path):
    """A directory for input documents (tmp_path itself holds the SQLite database)."""
    path = tmp_path / "docs"
    path.mkdir()
    return path


def _outcomes(summary) -> dict[str, str]:
    return {e.name.rsplit("/", 1)[-1]: e.outcome for e in summary.entries}


# ------------------------------------------------------------------ sources (no database)

def test_sources_walk_directories_and_open_report_zips(tmp_path):
    root = tmp_path / "in"
    (root / "sub").mkdir(parents=True)
    (root / ".git").mkdir()
    (root / "a.txt").write_bytes(b"A")
    (root / ".hidden.txt").write_bytes(b"H")
    (root / ".git" / "x.txt").write_bytes(b"X")
    (root / "sub" / "b.html").write_bytes(b"B")
    docx = _report(1, "docx")
    (root / "c.docx").write_bytes(docx)  # a zip, but a Word document: one source
    with zipfile.ZipFile(root / "pack.zip", "w") as zf:
        zf.writestr("年报/d.txt", b"D")  # flagged UTF-8 name
        zf.writestr("__MACOSX/年报/._d.txt", b"junk")
        zf.writestr(".DS_Store", b"junk")
        zf.writestr("empty/", b"")
    _gbk_zip(root / "gbk.zip", {GBK_NAME: b"G"})
    sources = list(iter_sources([root]))
    assert [(s.name.removeprefix(str(root) + "/"), s.filename) for s in sources] == [
        ("a.txt", "a.txt"), ("c.docx", "c.docx"), (f"gbk.zip/{GBK_NAME}", GBK_NAME),
        ("pack.zip/年报/d.txt", "d.txt"), ("sub/b.html", "b.html")]
    assert [s.load() for s in sources] == [b"A", docx, b"G", b"D", b"B"]


def test_zip_members_too_large_or_corrupt_are_refused(tmp_path, monkeypatch):
    path = tmp_path / "p.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"0" * 5000)
        zf.writestr("ok.txt", b"fine " * 100)
    monkeypatch.setenv("NIANBAO_MAX_BYTES", "1000")
    big, ok = iter_sources([path])
    with pytest.raises(NianbaoError) as exc:
        big.load()
    assert (exc.value.code, exc.value.where) == ("file_too_large", f"{path}/big.txt")
    assert "上限 1000 B" in exc.value.message
    assert ok.load() == b"fine " * 100
    data = bytearray(path.read_bytes())
    start = data.index(b"ok.txt") + len(b"ok.txt")  # the member's data follows its local name
    data[start + 5] ^= 0xFF
    path.write_bytes(bytes(data))
    _, ok = iter_sources([path])
    with pytest.raises(NianbaoError) as exc:
        ok.load()
    assert exc.value.code == "zip_corrupt"
    assert "压缩包中的这个文件已损坏" in exc.value.message


# ------------------------------------------------------------------ into the store

def test_ingesting_the_same_directory_twice_changes_nothing(store, docs):
    for seed in range(5):
        (docs / f"r{seed}.txt").write_bytes(_report(seed, layout=None))
    (docs / "copy.txt").write_bytes(_report(0, layout=None))  # same bytes as r0.txt
    first = ingest(store, list(iter_sources([docs])))
    assert first.counts() == {"ingested": 5, "unchanged": 1, "partial": 0, "failed": 0,
                              "superseded": 0}
    dup = next(e for e in first.entries if e.name.endswith("r0.txt"))
    assert dup.reason == f"与本次导入的 {docs / 'copy.txt'} 内容相同"
    rows = _counts(store)
    assert rows["documents"] == rows["reports"] == 5
    again = ingest(store, list(iter_sources([docs])))
    assert again.counts()["unchanged"] == 6 and len(again.entries) == 6
    assert _counts(store) == rows


def test_zip_archive_with_a_gbk_named_member(store, docs):
    one, two = _report(11), _report(12, "html")
    _gbk_zip(docs / "reports.zip", {GBK_NAME: one, "第二份.html": two})
    summary = ingest(store, list(iter_sources([docs / "reports.zip"])))
    assert _outcomes(summary) == {GBK_NAME: "ingested", "第二份.html": "ingested"}
    with store.session() as s:
        names = dict(s.execute(select(Document.filename, Document.sha256)).all())
        row = s.scalar(select(StoredReport).where(StoredReport.document_sha == names[GBK_NAME]))
        assert load_report(s, row).source.name == GBK_NAME
    assert set(names) == {GBK_NAME, "第二份.html"}


def test_a_bad_document_does_not_stop_the_batch(store, docs):
    (docs / "1good.txt").write_bytes(_report(21))
    (docs / "2prose.txt").write_text("今天天气很好。" * 20, encoding="utf-8")
    (docs / "3empty.txt").write_bytes(b"")
    (docs / "4scan.pdf").write_bytes(b"%PDF-1.4 scanned")
    (docs / "5good.html").write_bytes(_report(22, "html"))
    summary = ingest(store, list(iter_sources([docs])))
    got = {e.name.rsplit("/", 1)[-1]: (e.outcome, e.code) for e in summary.entries}
    assert got == {"1good.txt": ("ingested", None), "2prose.txt": ("failed", "not_a_report"),
                   "3empty.txt": ("failed", "empty_input"),
                   "4scan.pdf": ("failed", "pdf_unsupported"), "5good.html": ("ingested", None)}
    pdf = next(e for e in summary.entries if e.name.endswith("4scan.pdf"))
    assert pdf.reason.startswith("暂不支持直接读取 PDF")
    with store.session() as s:
        stored = dict(s.execute(select(Document.filename, StoredReport.status)
                                .join(StoredReport)).all())
    # unreadable bytes are kept (a later parser may read them); an empty file is not a document
    assert stored == {"1good.txt": "ok", "2prose.txt": "failed", "4scan.pdf": "failed",
                      "5good.html": "ok"}


def test_a_newer_edition_supersedes_and_the_older_is_kept(store, docs):
    gen = synth.generate(31)
    (docs / "v1.txt").write_bytes(render(gen, "text"))
    first = ingest(store, list(iter_sources([docs / "v1.txt"])))
    (docs / "v2.html").write_bytes(render(gen, "html"))  # same agency, year and date
    second = ingest(store, list(iter_sources([docs / "v2.html"])))
    old_id, (entry,) = first.entries[0].report_id, second.entries
    assert (entry.outcome, entry.superseded) == ("ingested", old_id)
    assert second.counts()["superseded"] == 1
    with store.session() as s:
        rows = {r.id: (r.is_current, r.superseded_by) for r in s.scalars(select(StoredReport))}
    assert rows == {old_id: (False, entry.report_id), entry.report_id: (True, None)}


def test_cross_year_rules_run_when_last_year_arrives_second(store, docs):
    # one seed, two years: the same agency (synth draws it before the year)
    last_bytes = _report(41, year=2022)
    this_bytes = _report(41, year=2023)
    (docs / "2023.txt").write_bytes(this_bytes)
    (docs / "2022.txt").write_bytes(last_bytes)
    this = ingest(store, list(iter_sources([docs / "2023.txt"]))).entries[0]
    last = ingest(store, list(iter_sources([docs / "2022.txt"]))).entries[0]
    expected = nianbao.check(nianbao.parse(this_bytes), nianbao.parse(last_bytes))
    assert any(f.code.startswith("X-") for f in expected.findings)
    with store.session() as s:
        codes = s.scalars(select(StoredFinding.code)
                          .where(StoredFinding.report_id == this.report_id)).all()
        row = s.get(StoredReport, this.report_id)
        assert row.checked_with_previous == last.report_id
        assert (row.errors, row.warnings, row.infos) == tuple(
            expected.counts[k] for k in ("error", "warning", "info"))
    assert sorted(codes) == sorted(f.code for f in expected.findings)


def test_worker_processes_store_what_parse_and_check_give(store, docs):
    made = {f"r{seed}.txt": _report(seed, layout=None, noise=synth.Noise.realistic())
            for seed in range(50, 56)}
    for name, data in made.items():
        (docs / name).write_bytes(data)
    seen = []
    summary = ingest(store, list(iter_sources([docs])), workers=2,
                     on_progress=lambda e, s: seen.append((e.name, len(s.entries))))
    assert [n for _, n in seen] == [1, 2, 3, 4, 5, 6]
    assert summary.counts()["ingested"] + summary.counts()["partial"] == 6
    with store.session() as s:
        for e in summary.entries:
            row = s.get(StoredReport, e.report_id)
            expected = nianbao.parse(made[e.name.rsplit("/", 1)[-1]])
            expected.source.name = e.name.rsplit("/", 1)[-1]
            assert load_report(s, row) == expected
            cells = s.scalar(select(func.count()).select_from(Cell).where(Cell.report_id == row.id))
            assert cells == len(expected.provenance)


def _kill_workers() -> None:
    for child in multiprocessing.active_children():
        os.kill(child.pid, signal.SIGKILL)


def test_a_dead_worker_fails_its_document_and_a_fresh_pool_carries_on():
    parsers = Parsers(2)
    try:
        slow = parsers.submit("big.txt", _report(1) * 600)  # ~3 MB: parsing takes a while
        _kill_workers()
        with pytest.raises(BrokenProcessPool):
            slow()
        parsed, result, prepared = parsers.submit("a.txt", _report(2))()
        assert (parsed.source.name, parsed.status) == ("a.txt", "ok")
        assert result == nianbao.check(parsed)
        assert prepared == prepare(parsed)
    finally:
        parsers.close()


def test_ingest_goes_on_after_a_worker_is_killed(store, docs):
    for seed in range(100, 131):
        (docs / f"a{seed}.txt").write_bytes(_report(seed, layout=None))
    (docs / "b_big.txt").write_bytes(_report(99) * 600)  # still parsing when the kill comes
    (docs / "c.txt").write_bytes(_report(98))
    sources = list(iter_sources([docs]))
    killer = sources[-1]
    # the first document of the second batch kills the workers while the batch before it is
    # still being parsed (loading happens in the writing process, before parsing)
    sources[-1] = Source(killer.name, lambda: (_kill_workers(), killer.load())[1], "c.txt")
    first = ingest(store, sources, workers=2)
    outcomes = {(e.outcome, e.code) for e in first.entries}
    assert outcomes <= {("ingested", None), ("partial", None), ("failed", "worker_died")}
    died = [e.name for e in first.entries if e.outcome == "failed"]
    assert len(first.entries) == 33
    again = ingest(store, list(iter_sources([docs])), workers=2)
    assert again.counts()["unchanged"] == 33 - len(died)
    assert sorted(e.name for e in again.entries if e.outcome != "unchanged") == sorted(died)
