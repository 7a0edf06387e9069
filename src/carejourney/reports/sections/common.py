"""Helpers several sections of the diagnostic report share: dates in words, counts for
sentences, who was looked after, on which route, on a day (the summary's definitions: see
`reports.sections.summary`), and the drift list, worked out once for every section that
shows it (`drift_list_on`, `due_dates_on`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from carejourney.config.rules import RuleSet
from carejourney.journeys.periods import label_episodes
from carejourney.journeys.stored import Journeys
from carejourney.measures.drift import SCHEMA as DUE_SCHEMA
from carejourney.measures.routes import legal_routes
from carejourney.measures.summaries import drift_list
from carejourney.reports.disclosure import DisclosureRules, protect_count
from carejourney.reports.document import ReportContext

__all__ = [
    "ADOPTION_ROUTES",
    "KEYS",
    "count_text",
    "drift_list_on",
    "due_dates_on",
    "in_year_to",
    "latest_episodes",
    "looked_after_on",
    "routes_as_at",
    "words_date",
    "years_before",
]

KEYS = ["CHILD", "period"]
ADOPTION_ROUTES = ("adoption", "permanence_order_with_authority_to_adopt")


def years_before(day: dt.date, years: int = 1) -> dt.date:
    """The same day `years` earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:
        return day.replace(year=day.year - years, day=28)


def in_year_to(column: str | pl.Expr, day: dt.date, years: int = 1) -> pl.Expr:
    """`column` falls in the `years` years to `day`: after the day `years` before, up to
    and including `day`."""
    expr = pl.col(column) if isinstance(column, str) else column
    return (expr > pl.lit(years_before(day, years))) & (expr <= pl.lit(day))


def words_date(day: dt.date) -> str:
    """31 March 2026."""
    return f"{day.day} {day:%B %Y}"


def looked_after_on(periods: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The periods of care open on `day` (started by it, not ended by it), short-break-only
    periods left out."""
    return periods.filter(
        (pl.col("start") <= day)
        & (pl.col("end").is_null() | (pl.col("end") > day))
        & ~pl.col("short_breaks_only").fill_null(False)
    )


def routes_as_at(journeys: Journeys, day: dt.date) -> pl.DataFrame:
    """CHILD, period, route of every period started by `day`, as known on `day` (as the
    drift list works it out: later milestones, placements and exits not known yet)."""
    return legal_routes(
        journeys.periods.filter(pl.col("start") <= day).with_columns(
            exit_reason=pl.when(pl.col("end") <= day).then(pl.col("exit_reason"))
        ),
        journeys.milestones.filter(pl.col("date") <= day),
        journeys.placements.filter(pl.col("start") <= day),
    )


def latest_episodes(journeys: Journeys, day: dt.date) -> pl.DataFrame:
    """CHILD, period, LS, PLACE of each period's latest episode starting by `day`."""
    return (
        label_episodes(journeys.history)
        .filter(pl.col("DECOM") <= day)
        .group_by(KEYS, maintain_order=True)
        .agg(LS=pl.col("LS").last(), PLACE=pl.col("PLACE").last())
    )


def count_text(value: int, rules: DisclosureRules) -> str:
    """A count for a sentence: the published figure, or "fewer than N" when hidden."""
    shown = protect_count(value, rules)
    if shown is not None:
        return shown
    return f"fewer than {rules.threshold}"


def drift_list_on(
    context: ReportContext, rule_sets: Sequence[RuleSet], day: dt.date
) -> pl.DataFrame:
    """`measures.summaries.drift_list` of the report's journeys under `rule_sets` on `day`,
    worked out once per report: the summary and the cases at risk both show the drift
    list on the as-at date, and it is one of the report's costliest measures (~0.1 s)."""
    key = ("drift list", *(id(rule_set) for rule_set in rule_sets), day)
    if key not in context.shared:
        context.shared[key] = drift_list(context.journeys, list(rule_sets), day)
    return context.shared[key]


def due_dates_on(
    context: ReportContext, rule_sets: Sequence[RuleSet], day: dt.date
) -> pl.DataFrame:
    """`measures.summaries.all_due_dates` of the report's journeys under `rule_sets` on
    `day`, taken from the drift list (`drift_list_on`) rather than worked out again: the
    drift list is those rows with more columns, in another order. Here they are in
    `all_due_dates`' order again (rule set, CHILD, period, due date, the rule's place in
    its rule set, occurrence) with its columns, the same frame (tests/reports/sections)."""
    names = [rule_set.name for rule_set in rule_sets]
    places = {
        f"{rule_set.name}\x00{rule.name}": place
        for rule_set in rule_sets
        for place, rule in enumerate(rule_set.rules)
    }
    columns = [*DUE_SCHEMA, "rule_set"]
    return (
        drift_list_on(context, rule_sets, day)
        .select(columns)
        .with_columns(
            _set=pl.col("rule_set").replace_strict(names, range(len(names))),
            _rule=pl.concat_str("rule_set", "rule", separator="\x00").replace_strict(places),
        )
        .sort("_set", "CHILD", "period", "due_date", "_rule", "occurrence")
        .select(columns)
    )
