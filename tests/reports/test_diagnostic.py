"""Putting the report together from its section builders, and the installation's salt.

`sample_report` (hand-made sections: figures, tables, a chart, a child-level table and a
section that is not available) is shared with the writers' tests."""

from __future__ import annotations

import datetime as dt
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from sqlalchemy import Connection

from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import load
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Series, SpcOptions
from carejourney.reports import diagnostic
from carejourney.reports.charts import render
from carejourney.reports.diagnostic import SaltError, build_report, report_salt
from carejourney.reports.disclosure import (
    DisclosureRules,
    protect_count,
    protect_counts,
    pseudonymise,
)
from carejourney.reports.document import (
    Figure,
    Report,
    ReportChart,
    ReportContext,
    ReportTable,
    Section,
)
from carejourney.store import database

AS_AT = dt.date(2026, 3, 31)
SALT = bytes(range(32))
CHILD_IDS = ["A1001", "A1002", "A1003"]


def sample_chart() -> ReportChart:
    y = np.array([410.0, 395, 430, 388, 402, 415, 399, 520, 405, 398, 412, 391])
    labels = tuple(f"{m:02d}/2025" for m in range(1, 13))
    rendered = render(
        spc(Series(y=y, labels=labels), SpcOptions(chart=ChartType.I)),
        title="Days from entering care to placed for adoption",
        value_title="Days",
    )
    return ReportChart(
        "Days from entering care to placed for adoption",
        rendered.svg,
        rendered.text_alternative,
        rendered.signals_in_words,
    )


def sample_sections(rules: DisclosureRules) -> tuple[Section, ...]:
    counts = pl.DataFrame(
        {
            "Age": ["Under 1", "1 to 4", "5 and over"],
            "Adoption plan": [3, 12, 20],
            "Other": [8, 9, 2],
        }
    )
    protected = protect_counts(counts, ["Adoption plan", "Other"], rules, add_totals=True)
    stages = pl.DataFrame(
        {
            "Stage": ["Entered care to decision", "Decision to placement order"],
            "Children": [14, 11],
            "Median days": [201.5, 96.0],
            "First entry": [dt.date(2021, 4, 7), dt.date(2022, 1, 19)],
        }
    )
    children = pseudonymise(
        pl.DataFrame({"Child": CHILD_IDS, "Days in care": [402, 655, 1210]}), "Child", SALT, rules
    )
    long = pl.DataFrame(
        {
            "Month": [f"Month {k}" for k in range(1, 121)],
            "Children": [str(k) for k in range(1, 121)],
        }
    )
    looked_after = protect_count(81, rules) or "[c]"
    return (
        Section(
            key="summary",
            title="Summary",
            paragraphs=(
                f"{looked_after} children were looked after on 31/03/2026.",
                "A sentence with <script>alert('x')</script> & an ampersand stays text.",
            ),
            figures=(
                Figure(
                    "Children looked after on 31/03/2026", looked_after, "up 6 on a year before"
                ),
                Figure("Children adopted in the year to 31/03/2026", "12"),
            ),
        ),
        Section(
            key="timeliness",
            title="Timeliness by stage",
            paragraphs=("Drift concentrates between the decision and the placement order.",),
            tables=(
                ReportTable(
                    "Profile by age", "Children by age and plan", protected.frame, protected.note
                ),
                ReportTable("Timeliness adoption", "Days at each stage of adoption", stages),
            ),
            charts=(sample_chart(),),
        ),
        Section(
            key="journeys",
            title="The longest journeys",
            tables=(ReportTable("Longest journeys", "The three longest journeys", children),),
        ),
        Section(
            key="adopters",
            title="Adopters' journey",
            not_available="No adopters' data: load Ofsted Annex A list 11 with `carejourney import` to see this section.",
        ),
        Section(
            key="trend",
            title="A long table",
            tables=(ReportTable("Months", "One row a month for ten years", long, "A note."),),
        ),
    )


def sample_report(internal: bool = False, la: str = "999") -> Report:
    rules = DisclosureRules(internal=internal)
    return Report(
        la=la,
        title=f"Permanence diagnostic for LA {la}",
        as_at=AS_AT,
        generated_at=dt.datetime(2026, 4, 2, 9, 30, tzinfo=dt.UTC),
        internal=internal,
        sections=sample_sections(rules),
    )


@pytest.fixture
def connection(tmp_path: Path) -> Iterator[Connection]:
    engine = database.connect(str(tmp_path / "cj.db"))
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def context_for(conn: Connection, rules: DisclosureRules) -> ReportContext:
    return ReportContext(
        la="999",
        journeys=load(conn, "999"),
        conn=conn,
        as_at=AS_AT,
        rule_sets=(load_rule_set("england"),),
        unit_costs=load_unit_costs(),
        disclosure=rules,
        salt=SALT,
    )


def test_build_report_calls_each_builder_in_order_and_reports_progress(
    connection: Connection,
) -> None:
    seen: list[str] = []

    def first(context: ReportContext) -> Section:
        assert context.previous_as_at == dt.date(2025, 3, 31)
        return Section("first", "First", paragraphs=(f"As at {context.as_at:%d/%m/%Y}.",))

    def missing(context: ReportContext) -> Section:
        return Section("missing", "Missing", not_available="No adopters' data: load list 11.")

    report = build_report(
        context_for(connection, DisclosureRules()),
        [("first", first), ("missing", missing)],
        progress=seen.append,
    )
    assert seen == ["first", "missing"]
    assert [s.key for s in report.sections] == ["first", "missing"]
    assert report.sections[1].not_available == "No adopters' data: load list 11."
    assert report.la == "999" and report.as_at == AS_AT and not report.internal
    assert report.generated_at.tzinfo is not None
    assert "999" in report.title


def test_an_internal_context_makes_an_internal_report(connection: Connection) -> None:
    report = build_report(context_for(connection, DisclosureRules(internal=True)), [])
    assert report.internal and report.sections == ()


def test_a_builder_that_fails_is_not_hidden(connection: Connection) -> None:
    def broken(context: ReportContext) -> Section:
        raise ZeroDivisionError("a bug")

    def fine(context: ReportContext) -> Section:
        return Section("fine", "Fine")

    seen: list[str] = []
    with pytest.raises(ZeroDivisionError) as raised:
        build_report(
            context_for(connection, DisclosureRules()),
            [("fine", fine), ("broken", broken)],
            progress=seen.append,
        )
    assert any("broken" in note for note in raised.value.__notes__)
    assert seen == ["fine"]


def test_the_section_list_holds_builders() -> None:
    assert isinstance(diagnostic.SECTIONS, list)
    for name, builder in diagnostic.SECTIONS:
        assert isinstance(name, str) and callable(builder)


def test_the_salt_is_made_once_private_and_stable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, raising=False)
    folder = tmp_path / "data" / "carejourney"
    salt = report_salt(folder)
    path = folder / diagnostic.SALT_FILE
    assert len(salt) == 32 and path.is_file()
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    written = path.read_bytes()
    assert report_salt(folder) == salt and path.read_bytes() == written
    assert [p.name for p in folder.iterdir()] == [diagnostic.SALT_FILE]  # no temporary left
    assert report_salt(tmp_path / "elsewhere") != salt


def test_the_salt_defaults_to_beside_the_default_database(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, raising=False)
    monkeypatch.setattr(database, "default_path", lambda: tmp_path / "cj" / "carejourney.db")
    salt = report_salt()
    assert (tmp_path / "cj" / diagnostic.SALT_FILE).is_file()
    assert report_salt() == salt


def test_the_salt_can_come_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, "ab" * 32)
    assert report_salt(tmp_path) == bytes([0xAB]) * 32
    assert not (tmp_path / diagnostic.SALT_FILE).exists()
    monkeypatch.setenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, "not hex")
    with pytest.raises(SaltError) as raised:
        report_salt(tmp_path)
    assert "not hex" not in str(raised.value)  # a secret is never echoed


def test_a_damaged_salt_file_is_an_error_that_says_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, raising=False)
    (tmp_path / diagnostic.SALT_FILE).write_text("abc")
    with pytest.raises(SaltError, match="Remove it"):
        report_salt(tmp_path)
