"""Where documents to ingest come from: files, directories, zip archives of reports, URLs.

A zip counts as an archive of reports only when it is not itself a Word document (no
``[Content_Types].xml``); member names without the UTF-8 flag are decoded as GBK, as Chinese
Windows writes them; every member is size-checked from its header and while decompressing.
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path, PurePosixPath

from nianbao.api import max_bytes, read_input
from nianbao.errors import NianbaoError, parse_error
from nianbao.readers import zipsafe

ZIP_UTF8_FLAG = 0x800  # general purpose bit 11: the member name is UTF-8
ZIP_ENCRYPTED_FLAG = 0x1


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


