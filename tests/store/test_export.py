"""Export: every format read back and compared with what is stored, on both backends.

The corpus: a 2021-layout report with blank cells ingested twice (Word text, then the same
report as a web page: the later edition supersedes the first), a 2019-layout report read from
DOCX, a real seed report with an error-level finding, a real township report, a real report
whose table 三 follows the 2019 layout and table 二 the 2021 one (mixed), and a file that could
not be read.
"""

from __future__ import annotations

import csv
import json
import uuid
from functools import cache

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import create_engine, select, text

import nianbao
from nianbao import synth
from nianbao.errors import NianbaoError
from nianbao.layouts import get
from nianbao.model import Report
from nianbao.render import render
from nianbao.rules.engine import SEVERITY_CN
from nianbao.store import Store
from nianbao.store.agencies import normalise_name
from nianbao.store.export import (
    CELL_COLUMNS,
    FINDING_COLUMNS,
    IDENTITY,
    LABELS,
    META_KEYS,
    REPORT_COLUMNS,
    ExportError,
    export,
    iter_records,
)
from nianbao.store.models import StoredFinding, StoredReport
from nianbao.store.records import save_document, sha256_of
from nianbao.store.selection import Selection, SelectionError, parse_years
from tests.helpers import ROOT, SEEDS
from tests.store.conftest import BACKENDS, PG_ADMIN_URL

TABLES = ("table2", "table3", "table4")
# where store.agencies places each agency from its name (province, city, county, township)
PLACES = {"blank_text": ("广东省", "江门市", None, None),
          "blank_html": ("广东省", "江门市", None, None),
          "old_layout": ("江西省", "宜春市", "靖安县", None),
          "real_error": ("山东省", "济宁市", "泗水县", None),
          "township": ("江西省", "宜春市", "樟树市", "中洲乡"),
          "mixed": ("江西省", "宜春市", "樟树市", None)}


def mixed_layout_text() -> bytes:
    """Real report 001 (2021 layout) with table 三 of real report 003 (2019 layout)."""
    new, old = (SEEDS[i].read_text(encoding="utf-8") for i in (1, 3))
    t3_new = new[new.index("三、行政机关收到"):new.index("四、因政府")]
    t3_old = old[old.index("三、收到和处理"):old.index("四、政府信息公开行政")]
    return new.replace(t3_new, t3_old).encode("utf-8")


@cache
def documents() -> dict[str, tuple[bytes, str, Report | NianbaoError]]:
    """name -> (bytes, file name, parse), parsed once for all tests."""
    blank = synth.generate(11, layout="2021", year=2022, noise=synth.Noise(blank=0.3))
    old = synth.generate(18, layout="2019", year=2019)
    docs = {"blank_text": (render(blank, "text"), "blank.txt"),
            "blank_html": (render(blank, "html"), "blank.html"),
            "old_layout": (render(old, "docx"), "old.docx"),
            "real_error": (SEEDS[3].read_bytes(), SEEDS[3].name),
            "township": (SEEDS[2].read_bytes(), SEEDS[2].name),
            "mixed": (mixed_layout_text(), "mixed.txt")}
    out = {k: (c, n, nianbao.parse(c)) for k, (c, n) in docs.items()}
    out["bad"] = (b"\x00\x01\x02 not a report", "bad.bin",
                  NianbaoError("unknown_format", "无法识别的文件格式"))
    return out


@pytest.fixture(scope="module", params=BACKENDS)
def store(request, tmp_path_factory):
    """One store per backend for the whole module (as conftest's ``store``, module-scoped):
    exports only read, so every test shares one ingested corpus instead of paying for a
    fresh database and the division table each time."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('export') / 'nianbao.db'}"
    else:
        name = f"nianbao_test_{uuid.uuid4().hex[:12]}"
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    s = Store(url)
    yield s
    s.close()
    if request.param != "sqlite":
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def corpus(store):
    """name -> report id, after ingesting documents() in order."""
    ids = {}
    for name, (content, filename, parsed) in documents().items():
        result = None if isinstance(parsed, NianbaoError) else nianbao.check(parsed)
        with store.session() as s:
            ids[name] = save_document(s, content, filename, parsed, result).report_id
    return ids


CURRENT = {"blank_html", "old_layout", "real_error", "township", "mixed"}


# ------------------------------------------------------------------ what the store holds

@cache
def checked(name: str) -> nianbao.CheckResult:
    return nianbao.check(documents()[name][2])


def expected_identity(store, ids: dict, name: str) -> dict:
    """The identity columns, from the documents and check results (not from the export)."""
    content, _filename, parsed = documents()[name]
    rid = ids[name]
    with store.session() as s:
        row = s.get(StoredReport, rid)
        current = row.is_current
    if isinstance(parsed, NianbaoError):
        return {"report_id": rid, "sha256": sha256_of(content), "agency": None,
                "agency_printed": None, "year": None, "layout": None, "status": "failed",
                "level": None, "province": None, "city": None, "county": None,
                "township": None, "title": None, "published": None, "score": None,
                "errors": 0, "warnings": 0, "is_current": False}
    result = checked(name)
    place = PLACES[name]
    return {"report_id": rid, "sha256": sha256_of(content),
            "agency": normalise_name(parsed.meta.agency), "agency_printed": parsed.meta.agency,
            "year": parsed.meta.year, "layout": parsed.layout, "status": parsed.status,
            "level": parsed.meta.level, "province": place[0], "city": place[1],
            "county": place[2], "township": place[3], "title": parsed.meta.title,
            "published": parsed.meta.published, "score": result.score,
            "errors": result.counts["error"], "warnings": result.counts["warning"],
            "is_current": current}


def expected_cells(name: str) -> dict[tuple[str, str, str], tuple]:
    """(table, row, column) -> (value, raw, unit) of a parsed report; its tables agree."""
    parsed = documents()[name][2]
    if isinstance(parsed, NianbaoError):
        return {}
    cells = {(c["table"], c["row"], c["column"]): (c["value"], c["raw"], c["unit"])
             for c in parsed.provenance}
    from_tables = {(t, r, c): v for t in TABLES for r, cols in (getattr(parsed, t) or {}).items()
                   for c, v in cols.items()}
    assert {k: v[0] for k, v in cells.items()} == from_tables
    return cells


def stored_findings(store, report_id: int) -> list[dict]:
    with store.session() as s:
        rows = s.scalars(select(StoredFinding).where(StoredFinding.report_id == report_id)
                         .order_by(StoredFinding.id)).all()
        return [{k: getattr(f, {"table": "table_key", "row": "row_key",
                                "column": "column_key"}.get(k, k)) for k in FINDING_COLUMNS}
                for f in rows]


def layout_order(layout: str) -> list[tuple[str, str, str]]:
    lay = get(layout)
    out = []
    for t in TABLES:
        spec = lay.tables[t]
        if t == "table4":
            out += [(t, g.key, c.key) for g in spec.groups for c in spec.columns]
        else:
            out += [(t, r.key, c.key) for r in spec.rows for c in spec.row_columns(r)]
    return out


def name_of(ids: dict) -> dict[int, str]:
    return {v: k for k, v in ids.items()}


def _num(text: str) -> float | None:
    return None if text == "" else float(text)


def _csv_value(v) -> str:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


# ------------------------------------------------------------------ CSV

def test_csv_long_reads_back_every_cell(store, corpus, tmp_path):
    path = tmp_path / "cells.csv"
    summary = export(store, "csv-long", path, Selection(include_superseded=True,
                                                        include_failed=True))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads the Chinese correctly
    with path.open(encoding="utf-8-sig", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    assert header == [*IDENTITY, *CELL_COLUMNS]
    names = name_of(corpus)
    got: dict[str, list] = {}
    for r in rows:
        got.setdefault(names[int(r["report_id"])], []).append(r)
    assert set(got) == set(documents()) - {"bad"}  # the failed file has no cells
    assert summary.reports == 7 and summary.rows == len(rows)
    for name, cells in got.items():
        ident = expected_identity(store, corpus, name)
        for r in cells:
            assert {k: r[k] for k in IDENTITY} == {k: _csv_value(v) for k, v in ident.items()}
        want = expected_cells(name)
        assert {(r["table"], r["row"], r["column"]): (_num(r["value"]), r["raw"], r["unit"])
                for r in cells} == {k: (v, raw, unit or "") for k, (v, raw, unit) in want.items()}
        assert len(cells) == len(want)
    # counts print as integers (no trailing .0), money as its decimal
    assert {r["value"] for r in rows if r["table"] == "table3"} <= {str(n) for n in range(10**5)} | {""}
    blanks = [r for r in got["blank_html"] if r["value"] == ""]
    assert len(blanks) == 64  # the generated blanks, kept as blank (not 0)
    # cells follow the official order of the report's layout
    order = [(r["table"], r["row"], r["column"]) for r in got["old_layout"]]
    assert order == [k for k in layout_order("2019") if k in set(order)]


def test_csv_wide_one_row_per_report_in_layout_column_order(store, corpus, tmp_path):
    path = tmp_path / "wide.csv"
    export(store, "csv-wide", path, Selection(include_failed=True), bom=False)
    assert not path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [dict(zip(header, r, strict=True)) for r in reader]
    new_keys = layout_order("2021")
    old_only = [k for k in layout_order("2019") if k not in set(new_keys)]
    cell_columns = [".".join(k) for k in new_keys + old_only]
    assert header == [*REPORT_COLUMNS, *META_KEYS, *cell_columns]
    assert header[len(REPORT_COLUMNS) + len(META_KEYS)] == "table2.regulations.issued"
    assert "table2.procurement.amount" in old_only_names(old_only)
    names = name_of(corpus)
    assert sorted(names[int(r["report_id"])] for r in rows) == sorted(CURRENT | {"bad"})
    for r in rows:
        name = names[int(r["report_id"])]
        ident = expected_identity(store, corpus, name)
        assert {k: r[k] for k in IDENTITY} == {k: _csv_value(v) for k, v in ident.items()}
        want = {".".join(k): v[0] for k, v in expected_cells(name).items()}
        assert {k: _num(r[k]) for k in cell_columns if r[k] != ""} == {
            k: v for k, v in want.items() if v is not None}
        parsed = documents()[name][2]
        if isinstance(parsed, NianbaoError):
            assert (r["error_code"], r["error_message"], r["filename"]) == (
                "unknown_format", "无法识别的文件格式", "bad.bin")
            assert all(r[k] == "" for k in (*META_KEYS, *cell_columns))
            continue
        meta = parsed.meta
        assert [r[k] for k in META_KEYS] == [
            (meta.period or ("", ""))[0], (meta.period or ("", ""))[1],
            ";".join(meta.cited_templates), meta.website or "", meta.contact.address or "",
            meta.contact.phone or "", meta.contact.postcode or "", meta.contact.email or "",
            ";".join(meta.region), meta.level or ""]
        assert r["filename"] == documents()[name][1]


def old_only_names(keys) -> list[str]:
    return [".".join(k) for k in keys]


# ------------------------------------------------------------------ JSONL

def test_jsonl_is_the_stored_report_with_findings_and_store(store, corpus, tmp_path):
    path = tmp_path / "reports.jsonl"
    summary = export(store, "jsonl", path, Selection(include_superseded=True,
                                                     include_failed=True))
    lines = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines()]
    assert len(lines) == summary.rows == 7
    names = name_of(corpus)
    for line in lines:
        name = names[line["store"]["report_id"]]
        findings, stored = line.pop("findings"), line.pop("store")
        ident = expected_identity(store, corpus, name)
        assert {k: stored[k] for k in IDENTITY} == ident
        assert set(stored) == set(REPORT_COLUMNS)
        assert [{"code": f["code"], "severity": f["severity"], "message": f["message"],
                 **{k: f["location"][k] for k in ("table", "row", "column", "section",
                                                  "field")},
                 "expected": f["expected"], "found": f["found"]} for f in findings] == \
            stored_findings(store, stored["report_id"])
        parsed = documents()[name][2]
        if isinstance(parsed, NianbaoError):
            assert line == {"status": "failed",
                            "error": {"code": "unknown_format", "message": "无法识别的文件格式"},
                            "source": {"name": "bad.bin", "sha256": ident["sha256"]}}
            continue
        # the rest is exactly `nianbao parse --json` of the document
        assert Report.model_validate(line) == parsed
        assert line == json.loads(parsed.model_dump_json())
        assert [f["code"] for f in findings] == [f.code for f in checked(name).findings]


# ------------------------------------------------------------------ Parquet

def test_parquet_three_typed_files(store, corpus, tmp_path):
    path = tmp_path / "corpus.parquet"
    summary = export(store, "parquet", path, Selection(include_failed=True))
    assert summary.paths == [path, tmp_path / "corpus.reports.parquet",
                             tmp_path / "corpus.findings.parquet"]
    cells = pq.read_table(path)
    reports = pq.read_table(tmp_path / "corpus.reports.parquet")
    findings = pq.read_table(tmp_path / "corpus.findings.parquet")
    assert cells.schema.names == [*IDENTITY, *CELL_COLUMNS]
    assert reports.schema.names == [*REPORT_COLUMNS, *META_KEYS]
    assert findings.schema.names == [*IDENTITY, *FINDING_COLUMNS, "source"]
    types = {f.name: f.type for f in cells.schema}
    assert (types["value"], types["year"], types["report_id"], types["is_current"],
            types["raw"]) == (pa.float64(), pa.int32(), pa.int64(), pa.bool_(), pa.string())
    assert reports.schema.field("meta.region").type == pa.list_(pa.string())
    names = name_of(corpus)
    by_report: dict[str, dict] = {}
    for r in cells.to_pylist():
        by_report.setdefault(names[r["report_id"]], {})[(r["table"], r["row"], r["column"])] = (
            r["value"], r["raw"], r["unit"])
        ident = expected_identity(store, corpus, names[r["report_id"]])
        assert {k: r[k] for k in IDENTITY} == ident
    assert set(by_report) == CURRENT
    for name, got in by_report.items():
        assert got == expected_cells(name)
    rows = {names[r["report_id"]]: r for r in reports.to_pylist()}
    assert set(rows) == CURRENT | {"bad"}
    assert rows["township"]["meta.region"] == documents()["township"][2].meta.region
    assert rows["bad"]["error_code"] == "unknown_format"
    for name in CURRENT:
        want = stored_findings(store, corpus[name])
        got = [{k: f[k] for k in FINDING_COLUMNS} for f in findings.to_pylist()
               if f["report_id"] == corpus[name]]
        assert got == want
    assert summary.findings == findings.num_rows > 0


# ------------------------------------------------------------------ XLSX

def test_xlsx_sheets_official_headers_and_every_value(store, corpus, tmp_path):
    path = tmp_path / "corpus.xlsx"
    summary = export(store, "xlsx", path, Selection(years=(2019, 2022, 2023)))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["报告", "表二", "表二（2019年版）", "表三", "表四", "问题", "说明"]
    sheets = {ws.title: [list(r) for r in ws.iter_rows(values_only=True)] for ws in book}
    ident_labels = [LABELS[k] for k in IDENTITY]
    # header rows: stable keys, then the official labels of the layout
    for title, layout, table, context in (("表二", "2021", "table2", ["第二十条"]),
                                          ("表二（2019年版）", "2019", "table2", ["第二十条"]),
                                          ("表三", "2021", "table3", ["分组"]),
                                          ("表四", "2021", "table4", [])):
        spec = get(layout).tables[table]
        columns = list(dict.fromkeys(c for r in spec.rows for c in spec.row_columns(r))) \
            if table == "table2" else list(spec.columns)
        assert sheets[title][1] == [*ident_labels, "行", "项目", *context,
                                    *(c.label for c in columns)]
        assert sheets[title][0][len(IDENTITY):] == [
            "row", "row_label", *(["item"] if table == "table2" else ["group"] if context
                                  else []), *(f"{table}.{c.key}" for c in columns)]
        assert book[title].freeze_panes == "D3"
    assert sheets["表二（2019年版）"][1][-1] == "采购总金额"
    assert sheets["表二"][1][-1] == "本年收费金额（单位：万元）"
    assert sheets["报告"][0] == [*REPORT_COLUMNS, *META_KEYS]
    names = name_of(corpus)
    assert sorted(names[r[0]] for r in sheets["报告"][2:]) == sorted(CURRENT)
    # every value of every report, read back from the table sheets
    got: dict[str, dict] = {}
    for title in ("表二", "表二（2019年版）", "表三", "表四"):
        keys = sheets[title][0]
        for row in sheets[title][2:]:
            rec = dict(zip(keys, row, strict=True))
            name = names[rec["report_id"]]
            assert {k: rec[k] for k in IDENTITY} == expected_identity(store, corpus, name)
            table = next(k.split(".")[0] for k in keys if k.startswith("table"))
            spec = get(documents()[name][2].table_layouts.get(table, "2021")).tables[table]
            labels = {g.key: g.label for g in spec.groups} if table == "table4" else {
                r.key: r.label for r in spec.rows}
            assert rec["row_label"] == labels[rec["row"]]
            for k in keys[len(IDENTITY) + 2:]:
                if k.startswith("table"):
                    got.setdefault(name, {})[(table, rec["row"], k.split(".")[1])] = rec[k]
    for name in CURRENT:
        want = {k: v[0] for k, v in expected_cells(name).items()}
        assert {k: v for k, v in got[name].items() if k in want} == want
        assert all(v is None for k, v in got[name].items() if k not in want)
    # the real 2019-layout report of 2023 carries its table 二 on the 2019 sheet
    assert {names[r[0]] for r in sheets["表二（2019年版）"][2:]} == {"old_layout", "real_error"}
    # findings with Chinese severity
    keys = sheets["问题"][0]
    problems = [dict(zip(keys, r, strict=True)) for r in sheets["问题"][2:]]
    assert len(problems) == summary.findings
    for name in CURRENT:
        want = [{**f, "severity": SEVERITY_CN[f["severity"]]}
                for f in stored_findings(store, corpus[name])]
        assert [{k: p[k] for k in FINDING_COLUMNS} for p in problems
                if p["report_id"] == corpus[name]] == want
    # numbers are numbers, with a number format
    t3 = book["表三"]
    total_col = sheets["表三"][0].index("table3.total") + 1
    cell = t3.cell(row=3, column=total_col)
    assert isinstance(cell.value, int) and cell.number_format == "#,##0"
    notes = dict((r[0], r[1]) for r in sheets["说明"][2:])
    assert notes["筛选：年度"] == "2019、2022、2023"
    assert notes["nianbao 版本"] == nianbao.__version__
    assert notes["报告数"] == 5


# ------------------------------------------------------------------ filters

def _exported(store, tmp_path, selection: Selection, ids: dict) -> set[str]:
    path = tmp_path / "sel.jsonl"
    export(store, "jsonl", path, selection, force=True)
    names = name_of(ids)
    return {names[json.loads(x)["store"]["report_id"]]
            for x in path.read_text(encoding="utf-8").splitlines()}


def test_filters_like_stats(store, corpus, tmp_path):
    def sel(**kw):
        return _exported(store, tmp_path, Selection(**kw), corpus)

    assert sel() == CURRENT
    assert sel(include_superseded=True) == CURRENT | {"blank_text"}
    assert sel(include_failed=True) == CURRENT | {"bad"}
    assert sel(years=(2022,)) == {"blank_html", "township"}
    assert sel(years=(2022,), include_superseded=True) == {"blank_html", "blank_text",
                                                           "township"}
    assert sel(layout="2019") == {"old_layout", "real_error"}
    assert sel(level="乡镇街道") == {"township"}
    assert sel(level="部门") == {"blank_html", "old_layout", "real_error", "mixed"}
    assert sel(layout="mixed") == {"mixed"}
    assert sel(region="360982") == {"township", "mixed"}
    assert sel(region="江西省") == {"old_layout", "township", "mixed"}
    assert sel(region="宜春市", years=(2019, 2022)) == {"old_layout", "township"}
    assert sel(region="江西省/宜春市/樟树市/中洲乡") == {"township"}
    assert sel(region="44") == {"blank_html"}
    assert sel(region="江门市", include_superseded=True) == {"blank_html", "blank_text"}
    assert sel(region="山东省", level="部门", layout="2019") == {"real_error"}
    assert sel(has_errors=True) == {"real_error", "mixed"}
    assert sel(has_errors=False) == CURRENT - {"real_error", "mixed"}
    assert sel(rule="F-MIXED") == {"mixed"}
    assert sel(rule="F-LAYOUT-YEAR") == {"real_error"}
    assert sel(rule="t3-blank") == {"blank_html"}
    assert sel(rule="T4,F-LAYOUT") == {"blank_html", "real_error"}
    assert sel(rule="M-NO-PERIOD", layout="2019", years=(2019,)) == {"old_layout"}
    with pytest.raises(SelectionError, match="找不到区划“火星市”"):
        sel(region="火星市")
    with pytest.raises(SelectionError, match="区划“樟树”不唯一（江西省/宜春市/樟树市、"):
        sel(region="樟树")
    with pytest.raises(SelectionError, match="未知的规则代码或前缀“T9”"):
        sel(rule="T9")
    with pytest.raises(SelectionError, match="格式“2020”无效"):
        sel(layout="2020")


def test_selection_counts_through_apply(store, corpus):
    from sqlalchemy import func

    with store.session() as s:
        def count(selection):
            return s.scalar(selection.apply(select(func.count()).select_from(StoredReport)))

        assert count(Selection()) == 5
        assert count(Selection(include_superseded=True, include_failed=True)) == 7
        assert count(Selection(region="樟树市", level="乡镇街道", years=(2022,))) == 1
        assert count(Selection(region="宜春市", years=(2019, 2022))) == 2


def test_parse_years():
    assert parse_years(["2023"]) == (2023,)
    assert parse_years(["2021-2023", "2019"]) == (2019, 2021, 2022, 2023)
    assert parse_years(["2019,2021，2020"]) == (2019, 2020, 2021)
    assert parse_years(None) == ()
    for bad in ("23", "2023-2021", "二〇二三"):
        with pytest.raises(SelectionError, match="年度"):
            parse_years([bad])


# ------------------------------------------------------------------ batches and outputs

def test_batches_page_through_every_report(store, corpus):
    everything = Selection(include_superseded=True, include_failed=True)
    with store.session() as s:
        whole = [(r.report, r.cells, r.findings) for r in iter_records(s, everything)]
        paged = [(r.report, r.cells, r.findings) for r in iter_records(s, everything, batch=2)]
    assert paged == whole
    assert [r[0]["report_id"] for r in whole] == sorted(corpus.values())


def test_refuses_to_overwrite_and_leaves_no_partial_file(store, corpus, tmp_path):
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    path = tmp_path / "out.csv"
    path.write_text("keep me", encoding="utf-8")
    with pytest.raises(ExportError, match="已存在；如要覆盖请加 --force"):
        export(store, "csv-long", path)
    assert path.read_text(encoding="utf-8") == "keep me"
    export(store, "csv-long", path, force=True)
    assert path.read_text(encoding="utf-8-sig").startswith("report_id,")
    # parquet checks its companion files too
    (tmp_path / "p.findings.parquet").write_bytes(b"x")
    with pytest.raises(ExportError, match=r"p\.findings\.parquet 已存在"):
        export(store, "parquet", tmp_path / "p.parquet")
    assert not (tmp_path / "p.parquet").exists()
    with pytest.raises(ExportError, match="不支持导出格式“xls”；可选：csv-long、csv-wide、xlsx"):
        export(store, "xls", tmp_path / "a.xls")
    with pytest.raises(ExportError, match=r"目录 .* 不存在"):
        export(store, "jsonl", tmp_path / "missing" / "a.jsonl")
    with pytest.raises(SelectionError):
        export(store, "jsonl", tmp_path / "b.jsonl", Selection(region="火星市"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.csv", "p.findings.parquet"]


def test_docs_name_every_column():
    text = (ROOT / "docs" / "store.md").read_text(encoding="utf-8")
    section = text.split("\n## 导出\n", 1)[1].split("\n## ", 1)[0]
    for key in (*REPORT_COLUMNS, *META_KEYS, *CELL_COLUMNS, *FINDING_COLUMNS):
        assert f"`{key}`" in section, key


def test_xlsx_text_is_never_a_formula_nor_invalid(tmp_path):
    from openpyxl import Workbook as OpenpyxlWorkbook

    from nianbao.store.export_xlsx import _Sheet

    book = OpenpyxlWorkbook(write_only=True)
    _Sheet(book, "t", ["title", "raw"], ["标题", "原文"]).append(["=HYPERLINK(\"x\")", "1\x02件"])
    book.save(tmp_path / "t.xlsx")
    cells = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    assert (cells["A3"].value, cells["A3"].data_type, cells["B3"].value) == (
        '=HYPERLINK("x")', "s", "1件")
