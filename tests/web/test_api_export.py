"""``GET /api/export``: each format read back (csv, openpyxl, pyarrow, jsonl) and compared
with the file ``nianbao export`` writes for the same filters; content types, file names,
temporary files removed, every error in the common shape."""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from pathlib import Path

import openpyxl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nianbao.cli import app as cli
from tests.web.test_api_stats import error
from tests.web.test_dashboard import corpus, web  # noqa: F401 - the shared module fixtures

runner = CliRunner()
FILTERS = {"year": "2022", "region": "江西省"}  # A and B: two reports
PARQUET = ("nianbao.parquet", "nianbao.reports.parquet", "nianbao.findings.parquet")


@pytest.fixture
def temp_dir(tmp_path, monkeypatch) -> Path:
    """Where the export's temporary files go, watched by the test."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def cli_export(store, fmt: str, out: Path, *extra: str) -> list[Path]:
    result = runner.invoke(cli, ["export", "-f", fmt, "-o", str(out), "--year", "2022",
                                 "--region", "江西省", *extra, "--db", store.url])
    assert result.exit_code == 0, result.output
    if fmt == "parquet":
        return [out.with_name(name) for name in PARQUET]
    return [out]


def download(client, fmt: str, **params):
    r = client.get("/api/export", params={"format": fmt, **FILTERS, **params})
    assert r.status_code == 200, r.text
    return r


@pytest.mark.parametrize(("fmt", "media", "name"), [
    ("csv-long", "text/csv; charset=utf-8", "nianbao-cells-2022.csv"),
    ("csv-wide", "text/csv; charset=utf-8", "nianbao-reports-2022.csv"),
    ("jsonl", "application/x-ndjson; charset=utf-8", "nianbao-2022.jsonl"),
])
def test_text_formats_are_the_cli_file(web, corpus, tmp_path, temp_dir, fmt, media, name):  # noqa: F811
    store, _ = corpus
    r = download(web, fmt)
    assert r.headers["content-type"] == media
    assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert r.headers["x-nianbao-reports"] == "2"
    assert int(r.headers["content-length"]) == len(r.content)
    (expected,) = cli_export(store, fmt, tmp_path / f"cli.{fmt}")
    assert r.content == expected.read_bytes()
    assert list(temp_dir.iterdir()) == []  # the temporary directory went with the response


def test_csv_and_jsonl_read_back(web):  # noqa: F811
    wide = download(web, "csv-wide").content.decode("utf-8-sig")
    table = list(csv.DictReader(io.StringIO(wide)))
    assert sorted(r["agency"] for r in table) == ["宜春市人民政府", "樟树市人民政府"]
    assert {r["year"] for r in table} == {"2022"} and {r["province"] for r in table} == {"江西省"}
    lines = download(web, "jsonl").text.splitlines()
    reports = [json.loads(x) for x in lines]
    assert sorted(r["store"]["agency"] for r in reports) == ["宜春市人民政府", "樟树市人民政府"]
    a = next(r for r in reports if r["store"]["agency"] == "樟树市人民政府")
    assert a["store"]["errors"] == 1 and a["meta"]["agency"] == "樟树市人民政府"
    assert sorted(f["code"] for f in a["findings"]) == ["T3-BAL", "T3-BLANK", "T3-BLANK"]
    no_bom = download(web, "csv-long", bom="false").content
    assert not no_bom.startswith(b"\xef\xbb\xbf") and no_bom.startswith(b"report_id,")


def test_xlsx_is_the_cli_workbook(web, corpus, tmp_path, temp_dir):  # noqa: F811
    store, _ = corpus
    r = download(web, "xlsx")
    assert r.headers["content-type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert r.headers["content-disposition"] == 'attachment; filename="nianbao-2022.xlsx"'
    got = openpyxl.load_workbook(io.BytesIO(r.content), read_only=True)
    (path,) = cli_export(store, "xlsx", tmp_path / "cli.xlsx")
    want = openpyxl.load_workbook(path, read_only=True)
    assert got.sheetnames == want.sheetnames and "报告" in got.sheetnames
    for name in got.sheetnames:
        if name == "说明":  # the time of the export and the database address differ
            continue
        assert list(got[name].values) == list(want[name].values), name
    reports = list(got["报告"].values)
    assert len(reports) == 2 + 2  # two header rows (keys, Chinese labels), two reports
    assert list(temp_dir.iterdir()) == []


def test_parquet_is_a_zip_of_the_cli_files(web, corpus, tmp_path, temp_dir):  # noqa: F811
    store, _ = corpus
    r = download(web, "parquet")
    assert r.headers["content-type"] == "application/zip"
    assert r.headers["content-disposition"] == 'attachment; filename="nianbao-parquet-2022.zip"'
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    assert archive.namelist() == list(PARQUET)
    for path in cli_export(store, "parquet", tmp_path / "nianbao.parquet"):
        got = pq.read_table(io.BytesIO(archive.read(path.name)))
        assert got.equals(pq.read_table(path)), path.name
    reports = pq.read_table(io.BytesIO(archive.read("nianbao.reports.parquet")))
    assert reports.num_rows == 2
    assert list(temp_dir.iterdir()) == []


def test_superseded_and_failed_on_request(web):  # noqa: F811
    everything = web.get("/api/export", params={
        "format": "csv-wide", "include_superseded": "true", "include_failed": "true"})
    assert everything.headers["x-nianbao-reports"] == "6"  # A, A_old, B, C, D, the failed one
    assert everything.headers["content-disposition"] == 'attachment; filename="nianbao-reports.csv"'
    span = web.get("/api/export", params={"format": "jsonl", "year": "2020-2022"})
    assert span.headers["content-disposition"] == 'attachment; filename="nianbao-2020-2022.jsonl"'
    assert len(span.text.splitlines()) == 4
    errors_only = web.get("/api/export", params={"format": "csv-wide", "has_errors": "true"})
    assert errors_only.headers["x-nianbao-reports"] == "2"  # A (T3-BAL) and D (T4-SUM)


@pytest.mark.parametrize(("params", "status", "code"), [
    ({"format": "pdf"}, 400, "unknown_export_format"),
    ({}, 422, "invalid_request"),
    ({"format": "csv-long", "year": "20x2"}, 400, "invalid_year"),
    ({"format": "csv-long", "region": "火星省"}, 400, "unknown_region"),
    ({"format": "csv-long", "rule": "T9"}, 400, "unknown_rule"),
    ({"format": "xlsx", "level": "省级"}, 400, "unknown_level"),
    ({"format": "xlsx", "include_failed": "perhaps"}, 422, "invalid_request"),
])
def test_errors_have_the_common_shape(web, temp_dir, params, status, code):  # noqa: F811
    error(web.get("/api/export", params=params), status, code)
    assert list(temp_dir.iterdir()) == []


def test_export_of_an_empty_store_is_an_empty_file(client):
    r = client.get("/api/export", params={"format": "csv-wide"})
    assert r.status_code == 200 and r.headers["x-nianbao-reports"] == "0"
    assert r.content.decode("utf-8-sig").count("\n") == 1  # the header only
