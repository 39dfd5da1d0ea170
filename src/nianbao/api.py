"""The public Python API: ``parse``."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from nianbao.errors import NianbaoError, parse_error
from nianbao.model import Report, SourceInfo
from nianbao.readers import read_document
from nianbao.readers.zipsafe import human_size
from nianbao.recognise import recognise

DEFAULT_MAX_BYTES = 50 * 1024 * 1024


def max_bytes() -> int:
    try:
        return int(os.environ.get("NIANBAO_MAX_BYTES", DEFAULT_MAX_BYTES))
    except ValueError:
        return DEFAULT_MAX_BYTES


def read_input(source: str | os.PathLike | bytes) -> tuple[bytes, str | None]:
    """Bytes and display name of an input; size checked before the file is read."""
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
        where = None
    else:
        path = Path(source)
        where = str(path)
        if not path.exists():
            raise parse_error("file_not_found", where)
        if not path.is_file():
            raise parse_error("not_a_file", where)
        size = path.stat().st_size
        if size > max_bytes():
            raise parse_error("file_too_large", where, size=human_size(size), limit=human_size(max_bytes()))
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise parse_error("file_unreadable", where, detail=exc.strerror or str(exc)) from None
    if not data:
        raise parse_error("empty_input", where)
    if len(data) > max_bytes():
        raise parse_error("file_too_large", where, size=human_size(len(data)), limit=human_size(max_bytes()))
    return data, where


def parse(source: str | os.PathLike | bytes, *, format: str | None = None) -> Report:
    """Read one annual report (path or bytes) into a typed Report.

    Raises ``nianbao.ParseError`` (with ``code`` and a Chinese ``message``) when the input
    cannot be read as an annual report at all. A report with gaps is returned with
    ``status="partial"`` and its ``problems``.
    """
    data, where = read_input(source)
    try:
        doc, encoding = read_document(data, format, where)
        report = recognise(doc, where)
    except NianbaoError:
        raise
    except RecursionError:
        raise parse_error("internal_error", where, detail="文档嵌套过深") from None
    except Exception as exc:  # a bug must not stop a batch; the cause stays chained for developers
        raise parse_error("internal_error", where, detail=type(exc).__name__) from exc
    report.source = SourceInfo(
        name=Path(where).name if where else None,
        format=doc.format,
        sha256=hashlib.sha256(data).hexdigest(),
        size=len(data),
        encoding=encoding,
    )
    return report
