"""Making the report files for one LA or several: in this process or in worker processes,
with the same files, the same access log and the same errors either way.

The section builders here are module-level functions, so that worker processes (started by
"spawn") can import them by name."""

from __future__ import annotations

import datetime as dt
import pickle
from collections.abc import Iterator
from pathlib import Path

import lxml.html
import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import Engine, select

from carejourney import imports
from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import load
from carejourney.reports import charts, diagnostic, making
from carejourney.reports.comparison import load_national
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Figure, ReportContext, ReportTable, Section
from carejourney.reports.making import (
    FolderError,
    Progress,
    ReportError,
    ReportOptions,
    make_reports,
)
from carejourney.store import database
from carejourney.store.tables import access_log
from carejourney.synth.ssda903 import write_returns

LAS = ("997", "998", "999")
NAMED = 3  # children the child-level builder names


def counted(context: ReportContext) -> Section:
    count = context.journeys.children.height
    return Section(
        key="summary",
        title="Summary",
        paragraphs=(
            f"Charts checked against the schema: {charts.VALIDATE}.",
            f"Polars threads: {pl.thread_pool_size()}.",
        ),
        figures=(Figure("Children in the returns", str(count)),),
    )


def named(context: ReportContext) -> Section:
    """A child-level table: IDs when internal, nothing when published."""
    ids = context.journeys.children.sort("CHILD").head(NAMED).select(Child="CHILD")
    shown = ids if context.disclosure.internal else ids.select(Child=pl.lit("C-hidden"))
    return Section("children", "Children", tables=(ReportTable("Children", "Three", shown),))


def broken(context: ReportContext) -> Section:
    if context.la == "998":
        raise RuntimeError("a fault in a builder")
    return counted(context)


SECTIONS = [("summary", counted), ("children", named)]


@pytest.fixture(scope="module")
def database_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("synth")
    write_returns(folder / "returns", children=40, years=2, seed=5, la="999")
    db = str(folder / "cj.db")
    engine = database.connect(db)
    for la in LAS:
        assert imports.import_returns(engine, [folder / "returns"], la=la).stored
    engine.dispose()
    return db


@pytest.fixture
def engine(database_file: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    monkeypatch.setenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, "ab" * 16)
    engine = database.connect(database_file)
    yield engine
    engine.dispose()


def options(**changes: object) -> ReportOptions:
    defaults: dict[str, object] = {
        "rule_sets": (load_rule_set("england"),),
        "unit_costs": load_unit_costs(),
        "national": load_national(),
        "as_at": dt.date(2026, 3, 31),
    }
    return ReportOptions(**(defaults | changes))  # type: ignore[arg-type]


def entries(engine: Engine) -> list[tuple[str | None, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.la, access_log.c.child, access_log.c.detail).where(
                access_log.c.action == "report"
            )
        ).all()
    return [(r[0], r[1], r[2]) for r in rows]


def page(path: Path) -> str:
    """The HTML's text, but for the time it was made and the Polars threads it was made on."""
    document = lxml.html.document_fromstring(path.read_text())
    texts = document.xpath("//main//text()")
    return " ".join(t for t in texts if "Made on" not in t and "Polars threads" not in t)


def test_workers_make_the_same_files_as_one_process(engine: Engine, tmp_path: Path) -> None:
    made = {}
    for workers in (1, 2):
        out = tmp_path / str(workers)
        paths = make_reports(engine, LAS, options(), out, sections=SECTIONS, workers=workers)
        made[workers] = paths
        reports = [f"report-LA{la}-2026-03-31.{e}" for la in LAS for e in ("html", "xlsx")]
        comparison = [f"comparison-LA997-LA998-LA999-2026-03-31.{e}" for e in ("html", "xlsx")]
        assert paths == [out / f"carejourney-{name}" for name in reports + comparison]
        assert all(path.is_file() for path in paths)
    for one, other in zip(made[1], made[2], strict=True):
        if one.suffix == ".html":
            assert page(one) == page(other)
        else:
            assert (
                CalamineWorkbook.from_path(str(one)).sheet_names
                == CalamineWorkbook.from_path(str(other)).sheet_names
            )
    # What the workers did as they should: check every chart (as the tests do here), and
    # run Polars on one thread each (see `making._one_polars_thread_each`).
    assert charts.VALIDATE
    assert "Charts checked against the schema: True." in made[2][0].read_text()
    assert "Polars threads: 1." in made[2][0].read_text()
    comparison = CalamineWorkbook.from_path(str(made[2][-1]))
    sheet = comparison.get_sheet_by_name("Figures side by side").to_python()
    assert sheet[2][:5] == ["Section", "Figure", "LA 997", "LA 998", "LA 999"]


def test_progress_and_the_access_log_are_the_same_from_workers(
    engine: Engine, tmp_path: Path
) -> None:
    with engine.connect() as conn:
        ids = load(conn, "999").children["CHILD"].to_list()
    internal = options(formats=("html",), disclosure=DisclosureRules(internal=True))
    for workers in (1, 2):
        seen: list[Progress] = []
        before = len(entries(engine))
        make_reports(
            engine,
            LAS[:2],
            internal,
            tmp_path / str(workers),
            sections=SECTIONS,
            progress=seen.append,
            who="a.manager",
            workers=workers,
        )
        stages = list(dict.fromkeys(p.stage for p in seen))
        assert stages == ["building", "recording", "writing", "comparing"]
        assert all(0 <= p.done <= p.total for p in seen)
        built = sorted(p.what for p in seen if p.what.endswith(": built"))
        assert built == ["LA 997: built", "LA 998: built"]
        assert not any(child in p.what for p in seen for child in ids)
        # Each report, then each child an internal report names, before any file.
        new = entries(engine)[before:]
        for la in LAS[:2]:
            own = [e for e in new if e[0] == la]
            assert own[0] == (la, None, "internal")
            assert len([e for e in own if e[1] is not None]) == NAMED
        with engine.connect() as conn:
            who = conn.execute(select(access_log.c.who).order_by(access_log.c.id.desc()))
            assert who.scalar() == "a.manager"


def test_one_la_says_each_section_and_file(engine: Engine, tmp_path: Path) -> None:
    seen: list[Progress] = []
    formats = ("html", "xlsx")
    make_reports(
        engine, ["999"], options(formats=formats), tmp_path, sections=SECTIONS, progress=seen.append
    )
    assert [(p.stage, p.done, p.total, p.what) for p in seen] == [
        ("building", 0, 2, "LA 999: loading"),
        ("building", 0, 2, "LA 999: summary"),
        ("building", 1, 2, "LA 999: children"),
        ("building", 2, 2, "LA 999: built"),
        ("recording", 0, 1, "recording the reports in the access log"),
        ("writing", 0, 2, "LA 999: HTML"),
        ("writing", 1, 2, "LA 999: XLSX"),
        ("writing", 2, 2, "LA 999: written"),
    ]


def test_the_pdf_is_made_beside_the_other_files_and_announced_last(
    engine: Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second process makes the PDF while this one writes the HTML; the files come back in
    the order of the formats asked for, and the PDF is the one waited for at the end."""
    monkeypatch.setattr(making.os, "cpu_count", lambda: 2)  # as on any machine with 2 cores
    seen: list[Progress] = []
    formats = ("pdf", "html")
    paths = make_reports(
        engine, ["999"], options(formats=formats), tmp_path, sections=SECTIONS, progress=seen.append
    )
    assert [p.name for p in paths] == [
        "carejourney-report-LA999-2026-03-31.pdf",
        "carejourney-report-LA999-2026-03-31.html",
    ]
    assert paths[0].read_bytes().startswith(b"%PDF-")
    writing = [(p.done, p.what) for p in seen if p.stage == "writing"]
    assert writing == [(0, "LA 999: HTML"), (1, "LA 999: PDF"), (2, "LA 999: written")]


def test_a_fault_in_a_worker_is_raised_and_nothing_is_recorded_or_written(
    engine: Engine, tmp_path: Path
) -> None:
    before = len(entries(engine))
    out = tmp_path / "out"
    with pytest.raises(RuntimeError, match="a fault in a builder") as raised:
        make_reports(engine, LAS, options(), out, sections=[("summary", broken)], workers=2)
    assert any("'summary' for LA 998" in note for note in raised.value.__notes__)
    assert len(entries(engine)) == before
    assert not any(out.iterdir())


def test_mistakes_are_report_errors_in_plain_words(engine: Engine, tmp_path: Path) -> None:
    with pytest.raises(ReportError, match=r"holds no LA 123\. It holds: 997, 998, 999\."):
        make_reports(engine, ["123"], options(), tmp_path, sections=SECTIONS)
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(FolderError) as raised:
        make_reports(engine, ["999"], options(), blocker / "reports", sections=SECTIONS)
    assert raised.value.headline == "Cannot write to the folder"
    assert str(raised.value).startswith(f"Cannot write to the folder {blocker / 'reports'}: ")
    with pytest.raises(ValueError, match="Formats"):
        make_reports(engine, ["999"], options(formats=("docx",)), tmp_path, sections=SECTIONS)


def test_a_report_error_crosses_from_a_worker_whole() -> None:
    error = pickle.loads(pickle.dumps(ReportError("Cannot write", " x.html: disk full.")))
    assert (error.headline, error.rest, str(error)) == (
        "Cannot write",
        " x.html: disk full.",
        "Cannot write x.html: disk full.",
    )
