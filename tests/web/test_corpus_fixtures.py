"""Test data of the 年报库 / 单位 / 对比 tests (no tests here): the five seeds, a synthetic
corpus for pagination and sorting, and a few reports made for one purpose each. Built once
per test session (the tests only read it) and shared by test_corpus*, test_agency* and
test_compare*."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field

import pytest
from fastapi.testclient import TestClient

import nianbao
from nianbao import synth
from nianbao.render import render
from nianbao.store import Store
from nianbao.store.agencies import set_agency
from nianbao.store.compare import sentences
from nianbao.store.ingest import ingest
from nianbao.store.records import save_document
from nianbao.store.sources import Source, iter_sources
from nianbao.web import create_app
from nianbao.web.settings import WebSettings
from tests.helpers import replace_row
from tests.web.conftest import SEEDS

SYNTHETIC = 56  # with the seeds and the special reports: more than one page of 50
SERIES = "测试序列机关"  # two years and an older edition of the second
SERIES_ALIAS = "测试别名机关"
GANYANG = "360982000000T001"  # 淦阳街道 under 樟树市: the series agency is placed there
EDITIONS = "测试比较机关"  # two editions of one report: one cell and one sentence changed
XSS_NAME = "<script>alert(1)</script>测试局"
XSS_SENTENCE = "<script>alert('xss')</script>将政务公开工作纳入绩效考核。"
FAILED_NAME = "坏文件.txt"


@dataclass
class CorpusData:
    store: Store
    ids: dict[str, int] = field(default_factory=dict)  # named reports
    values: dict[str, object] = field(default_factory=dict)  # what the special reports hold


def _save(store: Store, content: bytes, report: nianbao.Report) -> int:
    with store.session() as s:
        return save_document(s, content, "r.txt", report).report_id


def _parse(content: bytes, agency: str) -> nianbao.Report:
    report = nianbao.parse(content)
    report.meta.agency, report.meta.region = agency, []  # placed nowhere unless set later
    return report


def _series(data: CorpusData) -> None:
    content_22 = render(synth.generate(5, layout="2021", year=2022), "text")
    content_23 = render(synth.generate(6, layout="2021", year=2023), "text")
    last, this = _parse(content_22, SERIES), _parse(content_23, SERIES)
    older = this.model_copy(deep=True)
    older.meta.published = "2000-01-01"  # an earlier edition of the 2023 report
    data.ids["series_2023"] = _save(data.store, content_23, this)
    data.ids["series_2022"] = _save(data.store, content_22, last)
    data.ids["series_2023_old"] = _save(data.store, content_23 + b"\n", older)
    data.values["series_x"] = [f.code for f in nianbao.check(this, last).findings
                               if f.code.startswith("X-")]
    data.values["series_reports"] = {2022: last, 2023: this}
    with data.store.session() as s:
        set_agency(s, SERIES, level="乡镇街道", region=GANYANG, alias=SERIES_ALIAS)


def _editions(data: CorpusData) -> None:
    """A report and a corrected edition: table 二 行政强制 +5, one sentence replaced by one
    holding a script tag (set on the parsed report: a text reader never sees markup)."""
    content = render(synth.generate(7, layout="2021", year=2022), "text")
    first = _parse(content, EDITIONS)
    old_value = first.table2["coercion"]["decisions"]
    overview = next(s for s in first.sections if s.key == "overview")
    old_sentence = sentences(overview.text)[-1]
    changed = replace_row(content.decode(), "行政强制", [str(int(old_value) + 5)]).encode()
    second = _parse(changed, EDITIONS)
    second.meta.published = "2099-01-01"
    section = next(s for s in second.sections if s.key == "overview")
    section.text = section.text.replace(old_sentence, XSS_SENTENCE)
    data.ids["edition_old"] = _save(data.store, content, first)
    data.ids["edition_new"] = _save(data.store, changed, second)
    data.values.update(old_value=old_value, old_sentence=old_sentence)


def _xss_agency(data: CorpusData) -> None:
    content = render(synth.generate(9, layout="2021", year=2021), "text")
    data.ids["xss"] = _save(data.store, content, _parse(content, XSS_NAME))


def build(path) -> CorpusData:
    store = Store(f"sqlite:///{path}")
    data = CorpusData(store)
    ingest(store, iter_sources(SEEDS), workers=1)
    generated = [Source(name, lambda b=blob: b, name) for name, blob in
                 synth.corpus(SYNTHETIC, seed=11, formats=("text",))]
    broken = Source(FAILED_NAME, lambda: b"\x00\x01\x02 not a report at all " * 20, FAILED_NAME)
    summary = ingest(store, [*generated, broken], workers=1)
    data.ids["failed"] = next(d["report_id"] for d in summary.as_dict()["documents"]
                              if d["name"] == FAILED_NAME)
    _series(data)
    _editions(data)
    _xss_agency(data)
    return data


_BUILT: dict[str, CorpusData] = {}


@pytest.fixture(scope="session")
def corpus_data(sqlite_template, tmp_path_factory) -> CorpusData:
    """The shared store (built once even when several modules import this fixture)."""
    if "data" not in _BUILT:
        path = tmp_path_factory.mktemp("corpus") / "nianbao.db"
        shutil.copyfile(sqlite_template, path)
        _BUILT["data"] = build(path)
    return _BUILT["data"]


@pytest.fixture(scope="session")
def corpus_client(corpus_data) -> TestClient:
    """An anonymous visitor of an app over the shared store."""
    app = create_app(WebSettings(database_url=corpus_data.store.url), corpus_data.store)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield client
