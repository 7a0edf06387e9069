"""What a report is made of, whatever it is written to (HTML, XLSX, PDF): sections of
plain-words paragraphs, headline figures, tables and charts, every published count already
through disclosure control (`reports.disclosure`).

A section builder is a plain function `(ReportContext) -> Section`; the diagnostic report is
a list of them (`reports.diagnostic.SECTIONS`). A builder that lacks the data it needs
returns a section whose `not_available` says what is missing and how to provide it, rather
than leaving the section out: a reader should see what the report could not say.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection

from carejourney.config.costs import UnitCosts
from carejourney.config.rules import RuleSet
from carejourney.journeys.stored import Journeys
from carejourney.reports.disclosure import DisclosureRules


@dataclass(frozen=True)
class ReportTable:
    """A table as published: plain-words column headings, counts already protected.
    `key` names its XLSX sheet (letters, digits, spaces; at most 31 characters)."""

    key: str
    title: str
    frame: pl.DataFrame
    note: str | None = None  # e.g. the disclosure note, or what a column means


@dataclass(frozen=True)
class ReportChart:
    """A chart as SVG (`reports.charts.render`), with the words that stand in for it."""

    title: str
    svg: str
    text_alternative: str
    signals: tuple[str, ...] = ()


@dataclass(frozen=True)
class Figure:
    """A headline figure: "Children adopted in the year", "42", "up 6 on the year before"."""

    label: str
    value: str
    change: str | None = None


@dataclass(frozen=True)
class Section:
    key: str  # an anchor in the HTML, e.g. "timeliness"
    title: str
    paragraphs: tuple[str, ...] = ()
    figures: tuple[Figure, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    charts: tuple[ReportChart, ...] = ()
    not_available: str | None = None  # why the section cannot be given, and what to provide


@dataclass(frozen=True)
class ResourceInputs:
    """What only the LA knows, for the resources section; None where not given."""

    adoption_team_cost: float | None = None  # £ a year: staff, overheads, panels
    adoption_team_fte: float | None = None
    social_worker_fte: float | None = None
    price_year: str | None = None


@dataclass(frozen=True)
class ReportContext:
    """Everything a section builder may use. `previous_as_at` is a year before `as_at`,
    for "change since last period"."""

    la: str
    journeys: Journeys
    conn: Connection
    as_at: dt.date
    rule_sets: tuple[RuleSet, ...]
    unit_costs: UnitCosts
    disclosure: DisclosureRules
    salt: bytes
    inputs: ResourceInputs = field(default_factory=ResourceInputs)
    # What several sections work out alike (`reports.sections.common.drift_list_on`), kept
    # for the report's other sections. Not an argument: `dataclasses.replace` (another LA,
    # another date) must start afresh.
    shared: dict[tuple[object, ...], pl.DataFrame] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    @property
    def previous_as_at(self) -> dt.date:
        try:
            return self.as_at.replace(year=self.as_at.year - 1)
        except ValueError:  # 29 February
            return self.as_at.replace(year=self.as_at.year - 1, day=28)


SectionBuilder = Callable[[ReportContext], Section]


@dataclass(frozen=True)
class Report:
    la: str
    title: str
    as_at: dt.date
    generated_at: dt.datetime
    internal: bool  # child-level tables show IDs: for the LA's own staff only
    sections: tuple[Section, ...]

    def tables(self) -> list[ReportTable]:
        return [table for section in self.sections for table in section.tables]
