"""Bad input: a clear one-line Chinese error with its code, exit 2, no traceback; batches go on."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

import nianbao
from tests.helpers import FIXTURES, SEEDS, run_cli

NEWS = """习近平主持召开中央全面深化改革委员会会议
新华社北京电 中共中央总书记、国家主席、中央军委主席习近平主持召开会议，
强调要坚持以人民为中心的发展思想，推动高质量发展。
会议审议通过了多项文件。
"""


def _code(source, **kw) -> str:
    with pytest.raises(nianbao.ParseError) as info:
        nianbao.parse(source, **kw)
    err = info.value
    assert err.message and "\n" not in err.message
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.message)  # a message in Chinese
    return err.code


def test_empty_bytes_and_file(tmp_path):
    assert _code(b"") == "empty_input"
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    assert _code(p) == "empty_input"


def test_binary_garbage():
    import random

    rnd = random.Random(7)
    garbage = bytes(rnd.randrange(256) for _ in range(5000))
    assert _code(garbage) in {"binary_input", "encoding_unknown"}
    assert _code(b"\x00\x01\x02\x03" * 1000) == "binary_input"


def test_news_article_is_not_a_report():
    assert _code(NEWS.encode("utf-8")) == "not_a_report"
    html = f"<html><body><h1>新闻</h1><p>{NEWS}</p></body></html>".encode()
    assert _code(html) == "not_a_report"


def test_pdf_and_old_word_are_refused_clearly():
    assert _code(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n") == "pdf_unsupported"
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600
    assert _code(ole) == "doc_unsupported"
    encrypted = ole + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 100
    assert _code(encrypted) == "docx_encrypted"


def test_truncated_and_corrupt_docx(tmp_path):
    data = (FIXTURES / "template-2021.docx").read_bytes()
    assert _code(data[: len(data) // 2]) == "docx_corrupt"
    assert _code(b"PK\x03\x04" + b"\x00garbage" * 100) == "docx_corrupt"


def test_zip_that_is_no_docx():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("a.txt", "hello")
    assert _code(buf.getvalue()) == "zip_not_docx"


def test_zip_bomb_is_refused():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as f:
            chunk = b"\0" * (1 << 20)
            for _ in range(300):  # 300 MB of zeros, a few hundred KB compressed
                f.write(chunk)
    assert len(buf.getvalue()) < 2_000_000
    assert _code(buf.getvalue()) == "archive_too_large"


def test_200_mb_file_is_refused_before_reading(tmp_path):
    big = tmp_path / "big.txt"
    with big.open("wb") as f:  # sparse: costs no disk and no time
        f.truncate(200 * 1024 * 1024)
    assert _code(big) == "file_too_large"


def test_missing_file_and_directory_given_as_file(tmp_path):
    assert _code(tmp_path / "nope.txt") == "file_not_found"
    assert _code(tmp_path) == "not_a_file"


def test_unknown_format_option():
    assert _code(SEEDS[0], format="pdf") == "unknown_format"


def test_page_with_wrong_declared_encoding_is_read_without_mojibake():
    text = SEEDS[1].read_text(encoding="utf-8")
    # A GBK page that claims to be UTF-8, and a UTF-8 page that claims to be GBK.
    for data in (text.encode("gb18030"), text.encode("utf-8")):
        report = nianbao.parse(data)
        assert report.table2["licensing"]["decisions"] == 31
        assert report.source.encoding in {"gb18030", "utf-8"}
    gbk_page = ("<html><head><meta charset='utf-8'></head><body><pre>"
                + text.replace("<", "&lt;") + "</pre></body></html>").encode("gb18030")
    assert nianbao.parse(gbk_page).source.encoding == "gb18030"


def test_undecodable_text_says_so():
    # Latin-1 bytes are neither UTF-8, GB18030 nor Big5 text of an annual report.
    assert _code("Café crème brûlée, très résumé.".encode("latin-1") * 20) in {
        "encoding_unknown", "not_a_report"}


def test_blank_template_is_not_a_report():
    assert _code(FIXTURES / "template-2021.docx") == "blank_template"


def test_cli_batch_goes_on_after_bad_files(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "news.txt").write_text(NEWS, encoding="utf-8")
    (tmp_path / "bin.dat").write_bytes(b"\x00\x01" * 100)
    (tmp_path / "good.txt").write_bytes(SEEDS[0].read_bytes())
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "good2.txt").write_bytes(SEEDS[1].read_bytes())
    proc = run_cli("parse", "--jsonl", str(tmp_path))
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    lines = [json.loads(x) for x in proc.stdout.splitlines()]
    by_status = {}
    for rec in lines:
        by_status.setdefault(rec["status"], []).append(rec)
    assert len(lines) == 5
    assert len(by_status["ok"]) == 2
    failed = {r["source"]["name"]: r["error"]["code"] for r in by_status["failed"]}
    assert failed == {"empty.txt": "empty_input", "news.txt": "not_a_report",
                      "bin.dat": "binary_input"}
    err_lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(err_lines) == 3
    assert all("[" in x and "]" in x for x in err_lines)  # each names its English code


@pytest.mark.parametrize("payload,code", [(b"", "empty_input"), (b"\x00" * 300, "binary_input")])
def test_cli_single_bad_file_exit_2_one_line(tmp_path, payload, code):
    p = tmp_path / "bad.txt"
    p.write_bytes(payload)
    proc = run_cli("parse", str(p))
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = [x for x in proc.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and f"[{code}]" in lines[0] and "Traceback" not in proc.stderr


def test_bom_less_utf16_text_is_read():
    text = SEEDS[1].read_text(encoding="utf-8")
    for enc in ("utf-16-le", "utf-16-be", "utf-16"):
        report = nianbao.parse(text.encode(enc))
        assert report.table2["licensing"]["decisions"] == 31
