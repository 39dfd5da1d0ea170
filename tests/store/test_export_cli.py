"""``nianbao export`` as a user runs it: formats, filters, --force, errors and exit codes.

The corpus and its per-backend store come from test_export (module-scoped there); what the
files contain is checked exhaustively in test_export, here only what the command adds.
Most runs are in-process (Typer's runner) to keep the suite fast; the refused overwrite runs
the real ``python -m nianbao`` on each backend.
"""

from __future__ import annotations

import csv
import json

import openpyxl
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from nianbao.cli import app
from tests.helpers import run_cli
from tests.store.test_export import CURRENT, corpus, documents, name_of, store  # noqa: F401

runner = CliRunner()


def nianbao(*args: str):
    return runner.invoke(app, list(args))


def test_every_format_with_its_summary_line(store, corpus, tmp_path):  # noqa: F811
    names = name_of(corpus)
    cells = sum(len(documents()[n][2].provenance) for n in CURRENT)
    runs = {"csv-long": ("cells.csv", f"已导出 5 份报告（{cells} 个单元格）"),
            "csv-wide": ("wide.csv", "已导出 5 份报告（5 行）"),
            "jsonl": ("r.jsonl", "已导出 5 份报告（5 行、"),
            "xlsx": ("r.xlsx", "已导出 5 份报告（"),
            "parquet": ("r.parquet", f"已导出 5 份报告（{cells} 个单元格、")}
    for fmt, (name, summary) in runs.items():
        path = tmp_path / name
        result = nianbao("export", "--db", store.url, "--format", fmt, "--output", str(path))
        assert result.exit_code == 0, result.output
        assert result.stdout.startswith(summary)
        assert result.stdout.rstrip().endswith(str(path) if fmt != "parquet" else
                                               str(tmp_path / "r.findings.parquet"))
    with (tmp_path / "cells.csv").open(encoding="utf-8-sig") as f:
        assert {names[int(r["report_id"])] for r in csv.DictReader(f)} == CURRENT
    with (tmp_path / "wide.csv").open(encoding="utf-8-sig") as f:
        assert len(list(csv.DictReader(f))) == 5
    assert len((tmp_path / "r.jsonl").read_text(encoding="utf-8").splitlines()) == 5
    assert count_rows(tmp_path / "r.xlsx", "报告") == 5
    assert pq.read_table(tmp_path / "r.reports.parquet").num_rows == 5


def test_filters_and_format_from_the_suffix(store, corpus, tmp_path):  # noqa: F811
    names = name_of(corpus)
    path = tmp_path / "jx.jsonl"  # .jsonl: no --format needed
    result = nianbao("export", "--db", store.url, "-o", str(path), "--region", "江西省",
                     "--year", "2019-2022", "--include-superseded", "--include-failed")
    assert result.exit_code == 0, result.output
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert {names[x["store"]["report_id"]] for x in lines} == {"old_layout", "township"}
    path = tmp_path / "errors.csv"
    result = nianbao("export", "--db", store.url, "-f", "csv-wide", "-o", str(path),
                     "--has-errors", "--rule", "F-LAYOUT-YEAR", "--level", "部门",
                     "--layout", "2019", "--no-bom")
    assert result.exit_code == 0, result.output
    with path.open(encoding="utf-8") as f:
        assert [names[int(r["report_id"])] for r in csv.DictReader(f)] == ["real_error"]
    path = tmp_path / "none.csv"
    result = nianbao("export", "--db", store.url, "-f", "csv-long", "-o", str(path),
                     "--year", "2030")
    assert result.exit_code == 0
    assert result.stdout.startswith("已导出 0 份报告（0 个单元格）")
    assert "没有符合筛选条件的报告" in result.stderr
    assert path.read_text(encoding="utf-8-sig").count("\n") == 1  # the header only


def test_refuses_to_overwrite_without_force(store, corpus, tmp_path):  # noqa: F811
    path = tmp_path / "年报.xlsx"
    first = nianbao("export", "--db", store.url, "-o", str(path))
    assert first.exit_code == 0, first.output
    assert first.stdout == f"已导出 5 份报告（{rows_of(path)} 行统计表、" \
        f"{problems_of(path)} 条问题）到 {path}\n"
    before = path.read_bytes()
    again = run_cli("export", "--db", store.url, "-o", str(path))
    assert again.returncode == 2
    assert again.stderr == f"错误：{path} 已存在；如要覆盖请加 --force，或换一个文件名。 [output_exists]\n"
    assert again.stdout == "" and path.read_bytes() == before
    forced = nianbao("export", "--db", store.url, "-o", str(path), "--force", "--year", "2022")
    assert forced.exit_code == 0, forced.output
    book = openpyxl.load_workbook(path, read_only=True)
    assert [r[4] for r in book["报告"].iter_rows(min_row=3, values_only=True)] == [2022, 2022]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["年报.xlsx"]  # no temporary files


def count_rows(path, *sheets: str) -> int:
    """Data rows (below the two header rows) of these sheets."""
    book = openpyxl.load_workbook(path, read_only=True)
    return sum(sum(1 for _ in book[t].iter_rows(min_row=3)) for t in sheets)


def rows_of(path) -> int:
    return count_rows(path, "表二", "表二（2019年版）", "表三", "表四")


def problems_of(path) -> int:
    return count_rows(path, "问题")


@pytest.mark.parametrize(("args", "message"), [
    (["-f", "xls", "-o", "a.xls"],
     "错误：不支持导出格式“xls”；可选：csv-long、csv-wide、xlsx、parquet、jsonl。 [unknown_export_format]"),
    (["-o", "a.csv"],
     "错误：请用 --format 指定导出格式；可选：csv-long、csv-wide、xlsx、parquet、jsonl。 [no_export_format]"),
    (["-f", "csv-long"], "错误：请用 --output 指定输出文件，如 --output 年报.xlsx。 [no_output]"),
    (["-o", "a.jsonl", "--year", "23"],
     "错误：年度“23”无效；请写四位年份，如 2023、2021-2023 或 2019,2021。 [invalid_year]"),
    (["-o", "a.jsonl", "--layout", "2020"],
     "错误：格式“2020”无效；可选：2021、2019、mixed。 [unknown_layout]"),
    (["-o", "a.jsonl", "--rule", "T9"], "错误：未知的规则代码或前缀“T9”"),
    (["-o", "a.jsonl", "--level", "省级"],
     "错误：机关层级“省级”无效；可选：政府、部门、乡镇街道。 [unknown_level]"),
    (["-o", "a.jsonl", "--region", "火星市"], "错误：找不到区划“火星市”"),
    (["-o", "missing/a.jsonl"],
     "错误：无法写入 missing/a.jsonl：目录 missing 不存在；请先创建该目录或换一个路径。 [output_unwritable]"),
    (["-o", ".", "-f", "jsonl"], "错误：. 是一个目录；请给出要写入的文件名"),
])
def test_clear_errors_exit_2(tmp_path, monkeypatch, args, message):
    monkeypatch.chdir(tmp_path)
    db = tmp_path / "empty.db"
    from nianbao.store import Store

    Store(f"sqlite:///{db}").close()
    result = nianbao("export", "--db", f"sqlite:///{db}", *args)
    assert result.exit_code == 2
    assert result.stderr.startswith(message)
    assert "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.startswith("empty.db")) == []


def test_missing_database_file_is_not_created(tmp_path):
    db = tmp_path / "typo.db"
    result = nianbao("export", "--db", f"sqlite:///{db}", "-o", str(tmp_path / "a.jsonl"))
    assert result.exit_code == 2
    assert result.stderr.startswith(f"错误：数据库文件 {db} 不存在；")
    assert not db.exists()
