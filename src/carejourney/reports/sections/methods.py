"""Methods and data quality: the data period, how each section's figures are computed (with
the place in the docs that says more), the disclosure rules, the rule sets and unit costs
used, and the warnings the import stored that may affect the figures.

Links are written as text ("See docs/methods.md, 'Timescale rules'"): the HTML report is a
standalone file that may be read anywhere, so a relative URL would lead nowhere.

The warnings are those `store.queries.stored_problems` keeps for the batches whose data are
current, kept to this LA's batches (`store.queries.batches`), counted by problem code, most
frequent first. A problem never holds a personal value (`sources.problems.from_rows`), and
the table shows codes, messages and counts only, never the rows' values.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass

import polars as pl
from sqlalchemy import select

from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.sources.problems import HIDDEN, Problem, Severity
from carejourney.store import queries
from carejourney.store.tables import la_year

__all__ = ["HOW", "Method", "build", "disclosure_in_words", "warnings_by_code"]

KEY = "methods"
TITLE = "Methods and data quality"


@dataclass(frozen=True)
class Method:
    section: str  # the section's title, as the report shows it
    computed_from: str  # one line: what its figures are computed from
    doc: str  # the document, relative to the repository: "docs/methods.md"
    heading: str  # the heading there that says more

    @property
    def see(self) -> str:
        return f"See {self.doc}, '{self.heading}'."


METHODS_DOC = "docs/methods.md"
NATIONS = {
    "england-and-wales": "England and Wales",
    "scotland": "Scotland",
    "northern-ireland": "Northern Ireland",
}

# One line per section of the diagnostic report. `heading` must be a heading of `doc`
# (tests/reports/sections/test_methods.py checks it).
HOW = (
    Method(
        "Summary",
        "Children looked after, entering and leaving care and adopted, from the periods of "
        "care and milestones in the SSDA903 returns; the A10 scorecard figure; milestones "
        "overdue from the drift view.",
        METHODS_DOC,
        "Periods of care, placements and legal status",
    ),
    Method(
        "Who the children are",
        "Children looked after on the as-at date by their plan (the legal route known then), "
        "with age, sex, ethnicity, legal status and placement from the latest Header and "
        "episode.",
        METHODS_DOC,
        "Legal routes",
    ),
    Method(
        "Timeliness by stage",
        "Days between the first date of each milestone of a route (entry, decision, "
        "placement order, match, placed, order), per child, against the national thresholds.",
        METHODS_DOC,
        "Timeliness by stage",
    ),
    Method(
        "The ten shortest and ten longest adoption journeys",
        "Periods of care from entering care to the adoption order, both dated, stage by "
        "stage; children shown by pseudonym.",
        METHODS_DOC,
        "Timeliness by stage",
    ),
    Method(
        "Under-fives who entered care two years ago and are still in care",
        "Children under 5 who entered care two years before the as-at date and are still "
        "looked after: placements, legal status and adoption plans reversed.",
        METHODS_DOC,
        "Periods of care, placements and legal status",
    ),
    Method(
        "Cases at risk of missing deadlines, by team",
        "Each child's due dates under the rule sets used, from the milestones reached; "
        "overdue and reminder-due cases by the allocation list's team.",
        METHODS_DOC,
        "Due dates and drift",
    ),
    Method(
        "Demand as families experience it",
        "Contacts, assessments, help and CIN census referrals loaded with `carejourney "
        "demand import`: value and failure demand (recorded by teams, else suggested by the "
        "demand rules), right first time, end-to-end days per case, re-referrals within 12 "
        "months, and decisions and assessments against Working Together's 1 and 45 working "
        "days.",
        METHODS_DOC,
        "Demand as families experience it",
    ),
    Method(
        "Adopters' journey",
        "Ofsted Annex A list 11: enquiry, registration, stage 1, stage 2, approval, match "
        "and placement dates per adopter household, against 2 and 4 months.",
        METHODS_DOC,
        "Timeliness by stage",
    ),
    Method(
        "Special guardianship against adoption",
        "Periods of care that ended with a special guardianship or adoption order in the 3 "
        "years to the as-at date: age, days in care and placements before the order.",
        METHODS_DOC,
        "Legal routes",
    ),
    Method(
        "Placement stability",
        "The DfE's three stability measures from the placements in the Episodes returns, and "
        "their trend at each quarter-end as a p chart with Anhøj's rules.",
        METHODS_DOC,
        "Placement stability",
    ),
    Method(
        "Quality assurance",
        "Case audits recorded in the web app or imported with `carejourney audits import`: "
        "the monthly share graded good or better as a p chart with Anhøj's rules, themes, "
        "overdue actions by owner, and indicators beside audits against the LA's benchmarks.",
        METHODS_DOC,
        "Quality assurance",
    ),
    Method(
        "Resources",
        "Children placed for adoption and adoption orders in the 12 months to the as-at "
        "date, and children looked after on it, against the costs and staff the LA gave.",
        METHODS_DOC,
        "Milestones",
    ),
    Method(
        "What delay costs",
        "Days beyond each timescale in the last 12 months, priced at the weekly unit cost "
        "of the placement each child was in on those days.",
        METHODS_DOC,
        "Cost of delay",
    ),
    Method(
        "Methods and data quality",
        "The collection years loaded, stitched into one history per child; the import's "
        "warnings as stored with each batch.",
        METHODS_DOC,
        "Stitching several years into one history",
    ),
)


def build(context: ReportContext) -> Section:
    years = _collection_years(context)
    journeys = context.journeys
    paragraphs: list[str] = []
    if years:
        first, last = min(years), max(years)
        span = _year(first) if first == last else f"{_year(first)} to {_year(last)}"
        count = f"{len(years)} collection year{'' if len(years) == 1 else 's'}"
        if len(years) < last - first + 1:
            count += f", with {_missing(years)} missing"
        paragraphs.append(
            f"Data period: SSDA903 returns for {span} ({count}), stitched into one history "
            f"per child. The data speak for dates up to {_day(journeys.data_ends)} (the end "
            "of the latest collection year, or a tracker's latest date if later). The report "
            f"is as at {_day(context.as_at)}; changes are against "
            f"{_day(context.previous_as_at)}."
        )
    else:
        paragraphs.append(
            f"Data period: no SSDA903 returns are loaded for LA {context.la}. "
            + (
                f"The data speak for dates up to {_day(journeys.data_ends)}. "
                if journeys.data_ends is not None
                else ""
            )
            + f"The report is as at {_day(context.as_at)}."
        )
    if journeys.data_ends is not None and context.as_at > journeys.data_ends:
        paragraphs.append(
            f"The as-at date is after {_day(journeys.data_ends)}, the last day the data "
            "speak for: anything that happened since then is not in these figures."
        )
    paragraphs.append("How each section's figures are computed, one line each:")
    paragraphs.extend(f"{m.section}: {m.computed_from} {m.see}" for m in HOW)
    paragraphs.append(
        disclosure_in_words(context.disclosure) + " See docs/methods.md, 'Disclosure control'."
    )
    paragraphs.append(_rule_sets_in_words(context))
    costs = context.unit_costs
    paragraphs.append(
        f"Unit costs: {costs.title} ({costs.name}), in {costs.price_year} prices unless a "
        f"cost says otherwise. Source: {costs.source.rstrip('.')}. See docs/costs.md, "
        "'Unit costs and price years'."
    )
    warnings = warnings_by_code(_problems(context))
    paragraphs.append(_warnings_in_words(context.la, warnings))
    tables = [
        ReportTable(
            key="Methods",
            title="How each section's figures are computed",
            frame=pl.DataFrame(
                {
                    "Section": [m.section for m in HOW],
                    "Computed from": [m.computed_from for m in HOW],
                    "More in": [f"{m.doc}, '{m.heading}'" for m in HOW],
                }
            ),
        ),
        ReportTable(
            key="Rule sets",
            title="Timescale rule sets used",
            frame=pl.DataFrame(
                {
                    "Rule set": [r.name for r in context.rule_sets],
                    "Title": [r.title for r in context.rule_sets],
                    "Nation": [
                        NATIONS.get(str(r.nation), str(r.nation)) for r in context.rule_sets
                    ],
                    "Rules": [len(r.rules) for r in context.rule_sets],
                    "Source": [r.source for r in context.rule_sets],
                },
                schema={
                    "Rule set": pl.String,
                    "Title": pl.String,
                    "Nation": pl.String,
                    "Rules": pl.Int64,
                    "Source": pl.String,
                },
            ),
        ),
    ]
    if warnings.height:
        tables.append(
            ReportTable(
                key="Import warnings",
                title="Warnings stored with the import, by kind",
                frame=warnings,
                note="Rows: the number of rows of the files imported with this warning (not a "
                "count of children, so published as it is). No row's values are shown.",
            )
        )
    return Section(key=KEY, title=TITLE, paragraphs=tuple(paragraphs), tables=tuple(tables))


def disclosure_in_words(rules: DisclosureRules) -> str:
    """The disclosure rules as a reader needs them."""
    if rules.internal:
        return (
            "Disclosure control: this is an internal report, for staff already allowed to "
            "see these children's records. Nothing is hidden or rounded, and child-level "
            "tables show children's IDs: do not share it outside the service."
        )
    zeros = (
        "zeros are hidden too"
        if rules.suppress_zeros
        else "a zero is shown, since it says nothing about any one child"
    )
    text = (
        f"Disclosure control: counts from 1 to {rules.threshold - 1} are hidden and shown as "
        f"{rules.marker} ({zeros}). Where a table has totals, further cells are hidden so "
        "that no hidden count can be worked out from the others (secondary suppression). "
        "A percentage is hidden when its count, its total or the difference would be. "
    )
    if rules.round_to is not None:
        text += (
            f"Published counts are rounded to the nearest {rules.round_to}, totals on their "
            "own, so rounded cells may not add up to their total; percentages are worked out "
            "from the rounded counts. "
        )
    else:
        text += "Counts are not rounded. "
    return text + (
        "Tables with a row per child show a pseudonym (a salted hash of the ID), never the ID."
    )


def warnings_by_code(problems: list[Problem]) -> pl.DataFrame:
    """The problems counted by code: Code, Severity (the most severe of the code's), Rows,
    What it means (the code's most frequent message, without the rows' values; with "and N
    other wordings" when its messages differ). Most frequent first, then by code."""
    # These are counts of rows in the files imported, not of children: they are published
    # as they are, not through disclosure control, and hold no personal values.
    rows: dict[str, list[Problem]] = {}
    for problem in problems:
        rows.setdefault(problem.code, []).append(problem)
    out = []
    for code, members in rows.items():
        messages = Counter(_without_value(p) for p in members).most_common()
        message = messages[0][0]
        if len(messages) > 1:
            others = len(messages) - 1
            message += f" (and {others} other wording{'' if others == 1 else 's'})"
        severe = any(p.severity is Severity.ERROR for p in members)
        out.append(
            {
                "Code": code,
                "Severity": str(Severity.ERROR if severe else Severity.WARNING),
                "Rows": len(members),
                "What it means": message,
            }
        )
    out.sort(key=lambda r: (-int(str(r["Rows"])), str(r["Code"])))
    schema = {
        "Code": pl.String,
        "Severity": pl.String,
        "Rows": pl.Int64,
        "What it means": pl.String,
    }
    return pl.DataFrame(out, schema=schema)


def _without_value(problem: Problem) -> str:
    """The problem's message without the row's value in it ("ETHNIC 'XXXX' is not a known
    code" -> "ETHNIC is not a known code"): the report shows no row's values, and the
    messages of one code then read the same."""
    value = problem.value
    if value is None or value == HIDDEN:
        return problem.message
    return problem.message.replace(f" '{value}'", "").replace(f"'{value}'", "a value")


def _problems(context: ReportContext) -> list[Problem]:
    """The stored problems of this LA's batches whose data are current."""
    mine = {b.id for b in queries.batches(context.conn) if b.la == context.la}
    return [p for batch, p in queries.stored_problems(context.conn) if batch in mine]


def _warnings_in_words(la: str, warnings: pl.DataFrame) -> str:
    if warnings.height == 0:
        return (
            f"Data quality: the import stored no warnings for LA {la}'s current data. Errors "
            "stop an import, so nothing here was imported with an error."
        )
    total = int(warnings.get_column("Rows").sum())
    top = warnings.row(0, named=True)
    return (
        f"Data quality: the import stored {total:,} warning{'' if total == 1 else 's'} for "
        f"LA {la}'s current data, of {warnings.height} kind"
        f"{'' if warnings.height == 1 else 's'} (the table below); the most frequent is "
        f"{top['Code']} ({top['Rows']:,} rows): {top['What it means']} Warnings mark values "
        "that were odd but usable: the rows were kept, and figures that use those values may "
        "be affected. `carejourney problems` lists the rows to look at. See "
        "docs/loading-data.md, 'What the problems mean'."
    )


def _rule_sets_in_words(context: ReportContext) -> str:
    if not context.rule_sets:
        return "Timescale rule sets: none were used."
    described = "; ".join(
        f"{r.name}: {r.title} (source: {r.source.rstrip('.')})" for r in context.rule_sets
    )
    return f"Timescale rule sets used: {described}. See docs/methods.md, 'Timescale rules'."


def _collection_years(context: ReportContext) -> list[int]:
    return sorted(
        context.conn.execute(select(la_year.c.year).where(la_year.c.la == context.la)).scalars()
    )


def _missing(years: list[int]) -> str:
    gaps = [y for y in range(min(years), max(years) + 1) if y not in years]
    return ", ".join(_year(y) for y in gaps)


def _year(year: int) -> str:
    return f"{year}/{(year + 1) % 100:02d}"


def _day(day: dt.date | None) -> str:
    if day is None:
        return "no date"
    return f"{day:%d/%m/%Y}"
