"""The agency registry: resolving, placing, importing, correcting, searching; and its CLI."""

from __future__ import annotations

import csv
import threading
import time

import pytest
from openpyxl import Workbook
from sqlalchemy import event, func, select, text

from nianbao.errors import NianbaoError
from nianbao.model import Meta
from nianbao.store.agencies import (
    AgencyError,
    list_agencies,
    normalise_name,
    placement,
    resolve_agency,
    search_agencies,
    set_agency,
)
from nianbao.store.agency_import import import_agencies
from nianbao.store.divisions import ensure_divisions
from nianbao.store.models import Agency, AgencyAlias, Document, StoredReport
from tests.helpers import run_cli

HEADER = ["名称", "别名", "级别", "区划"]


def add_report(session, agency: Agency, sha: str = "a" * 64) -> StoredReport:
    """A stored report of ``agency`` with its placement, as records.py writes it."""
    session.add(Document(sha256=sha, content=b"x", size=1, filename="x.txt"))
    row = StoredReport(document_sha=sha, agency_id=agency.id, year=2023, status="ok",
                       parser_version="test", is_current=True, agency_name=agency.name,
                       **placement(session, agency))
    session.add(row)
    session.flush()
    return row


def write_csv(path, rows, encoding="utf-8-sig"):
    with path.open("w", encoding=encoding, newline="") as f:
        csv.writer(f).writerows([HEADER, *rows])
    return path


def test_normalise_name():
    assert normalise_name(" 樟树市 人民政府\u3000") == "樟树市人民政府"
    assert normalise_name("ＸＸ县（试点）") == "XX县(试点)"


def test_resolve_creates_places_and_finds_again(store):
    meta = Meta(agency="宜春市樟树市洋湖乡人民政府", level="乡镇街道")
    with store.session() as session:
        agency = resolve_agency(session, meta)
        assert (agency.name, agency.level, agency.origin) == ("宜春市樟树市洋湖乡人民政府", "乡镇街道",
                                                              "auto")
        assert agency.region_code.startswith("360982000000T")
        assert placement(session, agency) == {
            "agency_level": "乡镇街道", "province_code": "360000000000",
            "city_code": "360900000000", "county_code": "360982000000",
            "township_code": agency.region_code}
        assert resolve_agency(session, Meta(agency="宜春市 樟树市洋湖乡人民政府")).id == agency.id
        assert resolve_agency(session, Meta(agency=None)) is None
        assert resolve_agency(session, Meta(agency="  ")) is None
        assert resolve_agency(session, Meta(agency="局" * 201)) is None  # not a name
        capital = resolve_agency(session, Meta(agency="北京市人民政府", level="政府"))
        assert placement(session, capital) == {
            "agency_level": "政府", "province_code": "110000000000", "city_code": None,
            "county_code": None, "township_code": None}
        unplaced = resolve_agency(session, Meta(agency="朝阳区教育局", level="部门"))
        assert unplaced.region_code is None
        beijing = resolve_agency(session, Meta(agency="朝阳区人民政府", region=["北京市", "朝阳区"]))
        assert placement(session, beijing)["county_code"] == "110105000000"
        session.add(AgencyAlias(alias="洋湖乡政府", agency_id=agency.id))
        assert resolve_agency(session, Meta(agency="洋湖乡政府")).id == agency.id
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Agency)) == 4


def wait_until_blocked(store, seconds: float = 30) -> None:
    """Until another connection waits on a lock this transaction holds: on PostgreSQL seen in
    pg_stat_activity (the unique agency name); SQLite's busy wait is not visible, so a pause."""
    if store.dialect != "postgresql":
        time.sleep(0.5)
        return
    deadline = time.monotonic() + seconds
    with store.engine.connect() as conn:
        while time.monotonic() < deadline:
            waiting = conn.scalar(text("SELECT count(*) FROM pg_stat_activity WHERE "
                                       "datname = current_database() AND wait_event_type = 'Lock'"))
            conn.rollback()
            if waiting:
                return
            time.sleep(0.05)
    raise AssertionError("the second session never waited")


def test_concurrent_resolve_creates_one_agency(store):
    """Two ingests meet the same new agency at once: one row, both get it."""
    with store.session() as session:
        ensure_divisions(session)
    rollbacks = []
    event.listen(store.engine, "rollback_savepoint", lambda *a: rollbacks.append(1))
    meta = Meta(agency="樟树市财政局", level="部门")
    found = {}

    def second():
        with store.session() as session:
            session.add(Document(sha256="b" * 64, content=b"b", size=1))
            session.flush()  # like save_document: the document first
            found["b"] = resolve_agency(session, meta).id

    with store.session() as session:
        session.add(Document(sha256="a" * 64, content=b"a", size=1))
        session.flush()
        found["a"] = resolve_agency(session, meta).id
        thread = threading.Thread(target=second)
        thread.start()
        wait_until_blocked(store)  # the other one now waits for this transaction to end
    thread.join(timeout=60)
    assert found["a"] == found["b"]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Agency)) == 1
    if store.dialect == "postgresql":  # the loser's insert failed and was undone to its savepoint
        assert rollbacks == [1]


def test_import_csv_with_bad_rows(store, tmp_path):
    with store.session() as session:
        old = resolve_agency(session, Meta(agency="樟树市人民政府", level="部门"))
        report = add_report(session, old)
        assert report.agency_level == "部门"
    path = write_csv(tmp_path / "单位.csv", [
        ["樟树市人民政府", "樟树市政府；樟树政府", "政府", ""],  # updates the auto agency
        ["樟树市教育局", "", "部门", "江西省/宜春市/樟树市"],
        ["洋湖乡人民政府", "洋湖乡政府、洋湖政府", "乡镇街道", "樟树市/洋湖乡"],
        ["坏单位", "", "省级", "新华区"],  # two bad values
        ["", "", "", ""],  # blank: skipped silently
        ["  ", "别名", "部门", ""],  # no name
        ["樟树市卫生健康委员会", "樟树政府", "部门", ""],  # alias of another agency
        ["宜春市人民政府", "", "", ""],  # placed from its name
        ["很长" * 101, "", "", ""],  # a paragraph in the wrong column
    ], encoding="gb18030")  # Excel on Chinese Windows writes GBK
    with store.session() as session:
        result = import_agencies(session, path)
    assert (result.created, result.updated, result.unchanged) == (3, 1, 0)
    assert [(p.row, p.column) for p in result.problems] == [
        (5, "级别"), (5, "区划"), (7, "名称"), (8, "别名"), (10, "名称")]
    assert str(result.problems[0]) == "单位.csv 第 5 行“级别”列：级别“省级”无法识别；可选：政府、部门、乡镇街道。"
    assert "不唯一" in result.problems[1].message and "樟树政府" in result.problems[3].message
    with store.session() as session:
        gov = session.scalar(select(Agency).where(Agency.name == "樟树市人民政府"))
        assert (gov.level, gov.origin) == ("政府", "imported")
        assert session.get(StoredReport, report.id).agency_level == "政府"  # followed the agency
        town = session.scalar(select(Agency).where(Agency.name == "洋湖乡人民政府"))
        assert town.region_code.startswith("360982000000T")
        assert {a.name for a in search_agencies(session, "洋湖政府")} == {"洋湖乡人民政府"}
        city = session.scalar(select(Agency).where(Agency.name == "宜春市人民政府"))
        assert (city.level, city.region_code) == (None, "360900000000")
    with store.session() as session:  # importing the same file again changes nothing
        again = import_agencies(session, path)
    assert (again.created, again.updated, again.unchanged, len(again.problems)) == (0, 0, 4, 5)


def test_import_xlsx(store, tmp_path):
    book = Workbook()
    sheet = book.active
    sheet.append(["单位名称", "级别", "行政区划", "备注"])  # other header words, other order
    sheet.append(["东华门街道办事处", "乡镇街道", 110101000000, "代码按数字存"])
    sheet.append(["东城区财政局", "部门", "北京市/东城区", None])
    sheet.append(["东城区教育局", "部门", "东城区/不存在街道", None])
    path = tmp_path / "名录.xlsx"
    book.save(path)
    with store.session() as session:
        result = import_agencies(session, path)
        assert (result.created, len(result.problems)) == (2, 1)
        assert str(result.problems[0]).startswith("名录.xlsx 第 4 行“区划”列：找不到区划")
        assert [(a.name, a.region_code) for a in list_agencies(session, region="北京市")] == [
            ("东华门街道办事处", "110101000000"), ("东城区财政局", "110101000000")]


def test_import_unreadable_files(store, tmp_path):
    (tmp_path / "no_header.csv").write_text("单位,级别\n樟树市人民政府,政府\n", encoding="utf-8")
    (tmp_path / "bad.xlsx").write_bytes(b"not a zip")
    (tmp_path / "old.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    with store.session() as session:
        for name, code in [("no_header.csv", "import_header"), ("bad.xlsx", "import_unreadable"),
                           ("old.xls", "import_format"), ("missing.csv", "import_not_found")]:
            with pytest.raises(AgencyError) as exc:
                import_agencies(session, tmp_path / name)
            assert exc.value.code == code
            assert name in exc.value.message


def test_set_agency_updates_its_reports(store):
    with store.session() as session:
        agency = resolve_agency(session, Meta(agency="朝阳区教育局", level="部门"))
        report = add_report(session, agency)
        assert (report.county_code, report.agency_level) == (None, "部门")
        set_agency(session, "朝阳区教育局", region="北京市/朝阳区", alias="朝阳区教委")
    with store.session() as session:
        row = session.get(StoredReport, report.id)
        assert (row.province_code, row.city_code, row.county_code, row.township_code) == (
            "110000000000", "110100000000", "110105000000", None)
        agency = set_agency(session, "朝阳区教委", level="政府", region="")  # by alias; clear
        assert (agency.origin, agency.level, agency.region_code) == ("edited", "政府", None)
    with store.session() as session:
        row = session.get(StoredReport, report.id)
        assert (row.agency_level, row.province_code, row.county_code) == ("政府", None, None)
        for kwargs, code in [({"level": "省级"}, "level_unknown"),
                             ({"region": "新华区"}, "region_ambiguous")]:
            with pytest.raises(NianbaoError) as exc:
                set_agency(session, "朝阳区教育局", **kwargs)
            assert exc.value.code == code
        with pytest.raises(AgencyError, match="没有“不存在的局”"):
            set_agency(session, "不存在的局", level="部门")


def test_search_and_list(store):
    with store.session() as session:
        for name, level in [("樟树市人民政府", "政府"), ("樟树市淦阳街道办事处", "乡镇街道"),
                            ("樟树市教育局", "部门"), ("宜春市人民政府", "政府"),
                            ("北京市东城区东华门街道办事处", "乡镇街道")]:
            resolve_agency(session, Meta(agency=name, level=level))
        # a township agency named only by its street is found by the street's name
        street = resolve_agency(session, Meta(agency="东华门街道社区服务中心", level="部门",
                                              region=["北京市", "东城区"]))
        assert street.region_code is not None
        assert [a.name for a in search_agencies(session, "东华门")] == [
            "东华门街道社区服务中心", "北京市东城区东华门街道办事处"]
        assert [a.name for a in search_agencies(session, "淦阳")] == ["樟树市淦阳街道办事处"]
        assert search_agencies(session, "100%") == []
        in_zhangshu = [a.name for a in list_agencies(session, region="樟树市")]
        assert in_zhangshu == ["樟树市人民政府", "樟树市教育局", "樟树市淦阳街道办事处"]
        assert [a.name for a in list_agencies(session, region="宜春市", level="政府")] == [
            "宜春市人民政府", "樟树市人民政府"]


def test_cli(store, tmp_path):
    env = {"NIANBAO_DATABASE_URL": store.url}
    path = write_csv(tmp_path / "单位.csv", [
        ["樟树市人民政府", "樟树市政府", "政府", ""],
        ["樟树市教育局", "", "部门", "360982"],
        ["坏单位", "", "省级", ""],
    ])
    done = run_cli("agencies", "import", str(path), env=env)
    assert done.returncode == 1, done.stderr
    assert "新建 2 个单位，更新 0 个，未变 0 个，未导入 1 行" in done.stdout
    assert "级别“省级”无法识别" in done.stdout
    done = run_cli("agencies", "list", "--region", "江西省/宜春市", env=env)
    assert done.returncode == 0, done.stderr
    assert "共 2 个单位" in done.stdout and "樟树市教育局" in done.stdout
    assert "江西省/宜春市/樟树市" in done.stdout
    done = run_cli("agencies", "set", "樟树市政府", "--level", "部门", "--alias", "樟树政府", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "已更正 樟树市人民政府：级别 部门，所在行政区划 江西省/宜春市/樟树市。"
    done = run_cli("agencies", "show", "樟树政府", "--db", store.url)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:5] == [
        "樟树市人民政府", "别名：樟树市政府、樟树政府", "级别：部门",
        "所在行政区划：省级 江西省（360000000000）；市级 宜春市（360900000000）；"
        "县级 樟树市（360982000000）", "来源：手工更正"]
    done = run_cli("agencies", "set", "不存在的局", "--level", "部门", env=env)
    assert done.returncode == 2
    assert done.stderr.strip() == ("错误：单位名录中没有“不存在的局”；请用 nianbao agencies search 查找准确名称，"
                                   "或用 nianbao agencies import 导入。 [agency_not_found]")
    assert "Traceback" not in done.stderr


def test_import_alias_merges_an_automatic_agency(store, tmp_path):
    """Reports printed the name two ways; the imported list says they are one agency."""
    with store.session() as session:
        short = resolve_agency(session, Meta(agency="樟树市政府"))
        full = resolve_agency(session, Meta(agency="樟树市人民政府"))
        older = add_report(session, short, "a" * 64)
        older.published = "2024-01-20"
        newer = add_report(session, full, "b" * 64)
        newer.published = "2024-01-31"
        merged_id = short.id
    path = write_csv(tmp_path / "名录.csv", [["樟树市人民政府", "樟树市政府", "政府", ""]])
    with store.session() as session:
        result = import_agencies(session, path)
        assert (result.updated, result.problems) == (1, [])
    with store.session() as session:
        assert session.get(Agency, merged_id) is None
        rows = session.scalars(select(StoredReport).order_by(StoredReport.id)).all()
        assert [(r.agency_id, r.is_current, r.superseded_by, r.agency_level) for r in rows] == [
            (full.id, False, newer.id, "政府"), (full.id, True, None, "政府")]
        assert resolve_agency(session, Meta(agency="樟树市政府")).id == full.id
        # an agency a person made is never merged silently
        set_agency(session, "樟树市人民政府", level="政府")
        resolve_agency(session, Meta(agency="樟树市人民政府办公室"))
        with pytest.raises(AgencyError) as exc:
            set_agency(session, "樟树市人民政府办公室", alias="樟树市政府")
        assert exc.value.code == "alias_taken"
