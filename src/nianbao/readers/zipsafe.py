"""Opening untrusted zip archives (OOXML packages) without being bombed.

Sizes are checked from the headers before anything is decompressed, and again while
decompressing, because headers can lie. Errors are internal exceptions that the
reader turns into ``ParseError`` codes (``docx_corrupt``, ``archive_too_large``…).
"""

from __future__ import annotations

import io
import zipfile
import zlib

# Limits: real annual reports have a document.xml of well under 5 MB.
MAX_DOCUMENT_XML = 100 * 1024 * 1024
MAX_TOTAL = 200 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed; deflated Word XML stays far below this
RATIO_MIN_SIZE = 20 * 1024 * 1024  # small members may compress as much as they like
MAX_SMALL_PART = 20 * 1024 * 1024  # _rels/.rels, styles.xml


def human_size(n: int) -> str:
    """1288490188 -> '1.2 GB'."""
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    return f"{value:.1f}".removesuffix(".0") + f" {unit}"


class Corrupt(Exception):
    """Internal: the archive or XML is broken; ``args[0]`` is the Chinese detail."""


class NotDocx(Exception):
    """Internal: a valid zip without a Word main document."""


class TooLarge(Exception):
    def __init__(self, size: str, limit: str) -> None:
        super().__init__(size, limit)
        self.size, self.limit = size, limit


class CappedReader:
    """File-like view of a zip member that stops at ``cap`` bytes of output.

    ``ZipInfo.file_size`` comes from the archive and can lie. CPython's zipfile stops
    at the declared size (the CRC check then fails); counting what comes out is a
    second bound that does not depend on that detail.
    """

    def __init__(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo, cap: int) -> None:
        self._stream = zf.open(info)
        self._cap = cap
        self._total = 0

    def read(self, n: int = -1) -> bytes:
        want = self._cap + 1 - self._total
        if n is not None and n >= 0:
            want = min(want, n)
        try:
            chunk = self._stream.read(want)
        except zipfile.BadZipFile as exc:
            crc = "CRC" in str(exc)
            raise Corrupt("压缩数据校验失败，CRC 错误" if crc else "压缩包结构错误") from None
        except (zlib.error, EOFError, OSError):
            raise Corrupt("压缩数据已损坏") from None
        self._total += len(chunk)
        if self._total > self._cap:
            raise TooLarge(f"至少 {human_size(self._total)}", human_size(self._cap))
        return chunk

    def read_all(self) -> bytes:
        parts = []
        while chunk := self.read(1 << 16):
            parts.append(chunk)
        return b"".join(parts)


def open_zip(data: bytes) -> zipfile.ZipFile:
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        if data.startswith(b"PK\x03\x04"):
            raise Corrupt("文件不完整或压缩包结构错误，可能下载中断") from None
        raise Corrupt("不是 ZIP 格式的 Word 文档") from None
    except (zipfile.LargeZipFile, ValueError, OSError, EOFError, NotImplementedError):
        raise Corrupt("压缩包结构错误") from None


def member(zf: zipfile.ZipFile, name: str) -> zipfile.ZipInfo | None:
    """Look a part up by name; OPC part names are case-insensitive."""
    try:
        return zf.getinfo(name)
    except KeyError:
        lower = name.lower()
        return next((i for i in zf.infolist() if i.filename.lower() == lower), None)


def small_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    if info.file_size > MAX_SMALL_PART:
        raise Corrupt(f"{info.filename} 过大")
    try:
        return CappedReader(zf, info, MAX_SMALL_PART).read_all()
    except TooLarge:
        raise Corrupt(f"{info.filename} 过大") from None
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile):
        raise Corrupt("无法解压") from None


def check_sizes(zf: zipfile.ZipFile, doc: zipfile.ZipInfo) -> None:
    if doc.file_size > MAX_DOCUMENT_XML:
        raise TooLarge(human_size(doc.file_size), human_size(MAX_DOCUMENT_XML))
    total = sum(i.file_size for i in zf.infolist())
    if total > MAX_TOTAL:
        raise TooLarge(human_size(total), human_size(MAX_TOTAL))
    ratio = doc.file_size // max(doc.compress_size, 1)
    if doc.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
        raise TooLarge(f"{human_size(doc.file_size)}，压缩比 {ratio}:1", f"压缩比 {MAX_RATIO}:1")
