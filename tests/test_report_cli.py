"""`carejourney report` end to end on a synthetic LA, with hand-made section builders."""

from __future__ import annotations

from pathlib import Path

import lxml.html
import polars as pl
import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.journeys.stored import load
from carejourney.reports import diagnostic
from carejourney.reports.disclosure import protect_count, pseudonymise
from carejourney.reports.document import Figure, ReportContext, ReportTable, Section
from carejourney.store import database
from carejourney.store.tables import access_log
from carejourney.synth.ssda903 import write_returns

runner = CliRunner()
NAMED = 5  # children the hand-made child-level table names


def looked_after(context: ReportContext) -> Section:
    periods = context.journeys.periods
    count = periods.filter(pl.col("start") <= context.as_at)["CHILD"].n_unique()
    shown = protect_count(count, context.disclosure) or "[c]"
    return Section(
        key="summary",
        title="Summary",
        paragraphs=(f"{shown} children have been looked after by {context.as_at:%d/%m/%Y}.",),
        figures=(Figure("Children looked after at any time", shown),),
    )


def longest(context: ReportContext) -> Section:
    first = context.journeys.children.sort("CHILD").head(NAMED).select(Child="CHILD")
    table = pseudonymise(first, "Child", context.salt, context.disclosure)
    return Section(
        key="journeys",
        title="Journeys",
        tables=(ReportTable("Some children", "Five children", table),),
    )


def adopters(context: ReportContext) -> Section:
    return Section("adopters", "Adopters' journey", not_available="No adopters' data.")


BUILDERS = [("summary", looked_after), ("journeys", longest), ("adopters", adopters)]


@pytest.fixture(scope="module")
def database_file(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("synth")
    write_returns(folder / "returns", children=120, years=3, seed=11, la="999")
    db = str(folder / "cj.db")
    for la in ("999", "998"):
        result = runner.invoke(app, ["import", str(folder / "returns"), "--la", la, "--db", db])
        assert result.exit_code == 0, result.output
    return db


@pytest.fixture(autouse=True)
def sections(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(diagnostic, "SECTIONS", BUILDERS)
    monkeypatch.delenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(database, "default_path", lambda: tmp_path / "data" / "carejourney.db")


def words(output: str) -> str:
    """The output as one line of words, without the frame Rich draws around errors."""
    return " ".join(output.replace("│", " ").split())


def access_entries(db: str) -> list[tuple[str, str | None, str | None, str | None]]:
    engine = database.connect(db)
    with engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.action, access_log.c.la, access_log.c.child, access_log.c.detail)
        ).all()
    engine.dispose()
    return [tuple(r) for r in rows if r[0] == "report"]  # type: ignore[misc]


def child_ids(db: str) -> list[str]:
    engine = database.connect(db)
    with engine.connect() as conn:
        ids = load(conn, "999").children.sort("CHILD").head(NAMED)["CHILD"].to_list()
    engine.dispose()
    return ids


def test_a_published_report_for_one_la(database_file: str, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = len(access_entries(database_file))
    result = runner.invoke(
        app,
        [
            "report",
            "--db",
            database_file,
            "--la",
            "999",
            "--out",
            str(out),
            "--format",
            "html,xlsx,pdf",
        ],
    )
    assert result.exit_code == 0, result.output
    names = [f"carejourney-report-LA999-2026-03-31.{ext}" for ext in ("html", "xlsx", "pdf")]
    assert sorted(p.name for p in out.iterdir()) == sorted(names)
    for name in names:
        assert str(out / name) in result.stdout
    html = (out / names[0]).read_text()
    document = lxml.html.document_fromstring(html)
    assert [s.get("id") for s in document.xpath("//section")] == ["summary", "journeys", "adopters"]
    assert "Internal: contains" not in html
    shown = document.xpath("//table//tbody//td/text()")
    assert len(shown) == NAMED and all(c.startswith("C-") for c in shown)
    for child in child_ids(database_file):
        assert f">{child}<" not in html
    workbook = CalamineWorkbook.from_path(str(out / names[1]))
    assert workbook.sheet_names == ["Contents", "About", "Some children"]
    assert (out / names[2]).read_bytes().startswith(b"%PDF")
    # The salt was made beside the default database, once.
    assert (tmp_path / "data" / diagnostic.SALT_FILE).is_file()
    entries = access_entries(database_file)[before:]
    assert entries == [("report", "999", None, "published")]


def test_pseudonyms_are_stable_from_report_to_report(database_file: str, tmp_path: Path) -> None:
    pages = []
    for run in ("a", "b"):
        result = runner.invoke(
            app, ["report", "--db", database_file, "--la", "999", "--out", str(tmp_path / run)]
        )
        assert result.exit_code == 0, result.output
        page = (tmp_path / run / "carejourney-report-LA999-2026-03-31.html").read_text()
        pages.append(lxml.html.document_fromstring(page).xpath("//table//tbody//td/text()"))
    assert pages[0] == pages[1]


def test_an_internal_report_records_every_child_it_names(
    database_file: str, tmp_path: Path
) -> None:
    before = len(access_entries(database_file))
    result = runner.invoke(
        app,
        [
            "report",
            "--db",
            database_file,
            "--la",
            "999",
            "--internal",
            "--as-at",
            "31/03/2025",
            "--out",
            str(tmp_path),
            "--format",
            "html",
        ],
    )
    assert result.exit_code == 0, result.output
    html = (tmp_path / "carejourney-report-LA999-2025-03-31.html").read_text()
    assert "Internal: contains children's IDs" in html
    ids = child_ids(database_file)
    assert all(f">{child}<" in html for child in ids)
    entries = access_entries(database_file)[before:]
    assert entries[0] == ("report", "999", None, "internal")
    assert sorted(e[2] for e in entries[1:]) == sorted(ids)
    assert all(child not in result.output for child in ids)  # nothing printed names a child


def test_several_las_and_their_comparison(database_file: str, tmp_path: Path) -> None:
    result = runner.invoke(app, ["report", "--db", database_file, "--out", str(tmp_path)])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in tmp_path.iterdir() if p.is_file())
    assert names == sorted(
        [
            *(
                f"carejourney-report-LA{la}-2026-03-31.{e}"
                for la in ("998", "999")
                for e in ("html", "xlsx")
            ),
            *(f"carejourney-comparison-LA998-LA999-2026-03-31.{e}" for e in ("html", "xlsx")),
        ]
    )
    comparison = CalamineWorkbook.from_path(
        str(tmp_path / "carejourney-comparison-LA998-LA999-2026-03-31.xlsx")
    )
    sheet = comparison.get_sheet_by_name("Figures side by side").to_python()
    assert sheet[2][:4] == ["Section", "Figure", "LA 998", "LA 999"]
    assert sheet[3][1] == "Children looked after at any time"
    assert sheet[3][2] == sheet[3][3]  # the same returns loaded twice


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--la", "123"], "holds no LA 123"),
        (["--as-at", "31/02/2026"], "dd/mm/yyyy"),
        (["--format", "html,docx"], "choose from"),
        (["--unit-costs", "{missing}"], "Cannot use these unit costs"),
        (["--national", "{missing}"], "Cannot use these national figures"),
        (["--threshold", "0"], "disclosure"),
        (["--rules", "nowhere"], "Cannot use these rules"),
    ],
)
def test_mistakes_give_a_message_and_exit_2(
    database_file: str, tmp_path: Path, arguments: list[str], message: str
) -> None:
    arguments = [a.replace("{missing}", str(tmp_path / "missing.toml")) for a in arguments]
    result = runner.invoke(
        app, ["report", "--db", database_file, "--out", str(tmp_path / "out"), *arguments]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit)
    assert message in words(result.output)
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_a_folder_that_cannot_be_written_is_a_message(database_file: str, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = runner.invoke(
        app, ["report", "--db", database_file, "--la", "999", "--out", str(blocker / "reports")]
    )
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit)
    assert "Cannot write to the folder" in words(result.output)


def test_an_empty_database_is_a_message(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["report", "--db", str(tmp_path / "empty.db"), "--out", str(tmp_path / "out")]
    )
    assert result.exit_code == 2 and "holds no LA yet" in words(result.output)
