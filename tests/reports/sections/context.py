"""Shared helpers for the report sections' tests: a `ReportContext` for given journeys,
small journeys from readable text tables, and a session-scoped synthetic LA.

Import the fixture into a test module to use it:
`from tests.reports.sections.context import synthetic_la  # noqa: F401`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import polars as pl
import pytest
from sqlalchemy import Connection

from carejourney import imports
from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import RuleSet, load_rule_set
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.journeys.stored import Journeys, load
from carejourney.measures.summaries import default_as_at
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ReportContext, Section
from carejourney.store import database
from carejourney.synth.ssda903 import write_returns
from tests.journeys.test_milestones import table
from tests.journeys.test_periods import history
from tests.measures.test_routes import day, tracked

SALT = b"a salt for the tests"


def context_for(
    journeys: Journeys,
    conn: Connection | None,
    as_at: dt.date,
    *,
    internal: bool = False,
    rule_sets: tuple[RuleSet, ...] | None = None,
    disclosure: DisclosureRules | None = None,
) -> ReportContext:
    """A report context for `journeys` as at `as_at`: the England rule set, the shipped unit
    costs, default disclosure control (or an internal report) and a fixed salt. `conn` may
    be None for sections that read nothing more from the database."""
    return ReportContext(
        la=journeys.la,
        journeys=journeys,
        conn=cast(Connection, conn),
        as_at=as_at,
        rule_sets=rule_sets if rule_sets is not None else (load_rule_set("england"),),
        unit_costs=load_unit_costs(),
        disclosure=disclosure or DisclosureRules(internal=internal),
        salt=SALT,
    )


def small_journeys(
    episodes: str,
    *,
    ad1: str = "",
    placed: str = "",
    tracker: str = "",
    children: str = "",
    allocations: str = "",
    data_ends: dt.date | None = None,
) -> Journeys:
    """Journeys from text tables: episodes as tests/journeys/test_periods.py's `history`,
    AD1 and PlacedAdoption as their SSDA903 tables, tracker as CHILD | period | milestone |
    date, children as CHILD | SEX | DOB | ETHNIC (blank: null) and allocations as
    CHILD | TEAM | WORKER."""
    h = history(episodes)
    found = return_milestones(
        h,
        ad1=table("AD1", ad1) if ad1 else None,
        placed_adoption=table("PlacedAdoption", placed) if placed else None,
    )
    return Journeys(
        la="999",
        history=h,
        periods=periods_of_care(h),
        placements=placements(h),
        milestones=pl.concat([found, tracked(tracker)]),
        children=_text_table(
            children,
            {"CHILD": pl.String, "SEX": pl.String, "DOB": pl.Date, "ETHNIC": pl.String},
        ),
        workers=pl.DataFrame(
            schema={"CHILD": pl.String, "SW_ID": pl.String, "SW_DECOM": pl.Date, "SW_DEC": pl.Date}
        ),
        allocations=_text_table(
            allocations, {"CHILD": pl.String, "TEAM": pl.String, "WORKER": pl.String}
        ),
        data_ends=data_ends,
    )


def _text_table(text: str, schema: dict[str, type[pl.DataType]]) -> pl.DataFrame:
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()[1:]]
    rows = [
        {
            name: (day(value) if kind is pl.Date else value) if value else None
            for (name, kind), value in zip(schema.items(), line, strict=True)
        }
        for line in lines
    ]
    return pl.DataFrame(rows, schema=schema, orient="row")


def all_text(section: Section) -> str:
    """Every word and cell a section publishes, as one string."""
    parts = [section.title, section.not_available or "", *section.paragraphs]
    for figure in section.figures:
        parts += [figure.label, figure.value, figure.change or ""]
    for report_table in section.tables:
        parts += [report_table.title, report_table.note or ""]
        for row in report_table.frame.iter_rows():
            parts += ["" if v is None else str(v) for v in row]
    return "\n".join(parts)


def cells(section: Section, index: int = 0) -> list[tuple[object, ...]]:
    """The rows of one of a section's tables."""
    return list(section.tables[index].frame.iter_rows())


@dataclass(frozen=True)
class SyntheticLA:
    journeys: Journeys
    conn: Connection
    as_at: dt.date

    def context(self, *, internal: bool = False) -> ReportContext:
        return context_for(self.journeys, self.conn, self.as_at, internal=internal)


@pytest.fixture(scope="session")
def synthetic_la(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SyntheticLA]:
    """A synthetic LA (300 children, 4 years, seed 5) imported into a SQLite file, with its
    journeys loaded and the connection open for the session."""
    folder: Path = tmp_path_factory.mktemp("report-sections") / "returns"
    write_returns(folder, children=300, years=4, seed=5, la="999")
    engine = database.connect(str(folder.parent / "cj.db"))
    assert imports.import_returns(engine, [folder], la="999").stored
    conn = engine.connect()
    try:
        journeys = load(conn, "999")
        yield SyntheticLA(journeys, conn, default_as_at(journeys))
    finally:
        conn.close()
        engine.dispose()
