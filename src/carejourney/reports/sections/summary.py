"""Summary: the figures a director needs on one page, each with its change on a year before.

How each figure is counted (children are counted once, however many periods of care):

- *Looked after on the as-at date*: a period of care that started on or before it and had
  not ended by it (a period ending on the day itself has ended). Periods made only of
  short breaks (LS V3/V4) are left out, as DfE leaves them out of its counts.
- *Entered care / left care in the year*: a period starting / ending in the year to the
  as-at date (the day a year before not included, the as-at date included).
- *Adopted / special guardianship orders in the year*: an adoption order (REC E11/E12) or
  special guardianship order (REC E43-E48) dated in the year.
- *Waiting to be placed for adoption*: looked after on the as-at date, on the adoption route
  as known then (`measures.routes`), with a decision that the child should be placed for
  adoption and no placement for adoption yet in that period of care.
- *A10*: the DfE scorecard's average days from entering care to moving in with the adoptive
  family (`measures.scorecard`), over the 3 years ending at the end of the as-at date's
  collection year, counting only what was known by the as-at date.
- *Milestones overdue now* and *% due in the year met on time*: the drift view
  (`measures.summaries.drift_list`) as at the as-at date, under the England rule set when
  the report has it (else every rule set given).

Helpers the other sections share (`looked_after_on`, `routes_as_at`, `count_text`, ...) are
in `reports.sections.common`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

from carejourney.config.rules import RuleSet
from carejourney.journeys.stored import Journeys
from carejourney.measures.scorecard import scorecard
from carejourney.measures.summaries import rule_performance
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import Figure, ReportContext, Section
from carejourney.reports.sections.common import (
    ADOPTION_ROUTES,
    KEYS,
    count_text,
    drift_list_on,
    in_year_to,
    looked_after_on,
    routes_as_at,
    words_date,
)
from carejourney.sources.years import year_end, year_of


def change_in_words(now: int, before: int, rules: DisclosureRules) -> str | None:
    """ "up 6 on a year before", "down 2 on a year before", "the same as a year before";
    None when either count is hidden (the change would give it away)."""
    if rules.hides(now) or rules.hides(before):
        return None
    difference = rules.shown(now) - rules.shown(before)
    if difference == 0:
        return "the same as a year before"
    return f"{'up' if difference > 0 else 'down'} {abs(difference)} on a year before"


def days_change_in_words(now: float | None, before: float | None) -> str | None:
    """ "down 12 days on a year before" for two averages of days; None if either is."""
    if now is None or before is None:
        return None
    difference = round(now) - round(before)
    if difference == 0:
        return "the same as a year before"
    return f"{'up' if difference > 0 else 'down'} {abs(difference)} days on a year before"


def report_rule_sets(rule_sets: Sequence[RuleSet], prefer: str = "england") -> list[RuleSet]:
    """The rule set called `prefer` if the report has it, else all of them."""
    chosen = [r for r in rule_sets if r.name == prefer]
    return chosen or list(rule_sets)


# --- the figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """The counted figures as at one day."""

    looked_after: int
    entered: int
    left: int
    adopted: int
    special_guardianship: int
    waiting: int


@dataclass(frozen=True)
class Average:
    """A10 for the window ending at the end of a day's collection year."""

    value: float | None
    children: int
    window_start: dt.date
    window_end: dt.date
    threshold: int | None


@dataclass(frozen=True)
class Drift:
    overdue: int
    overdue_children: int
    due_in_year: int
    on_time_in_year: int


def counts_as_at(journeys: Journeys, day: dt.date) -> Counts:
    periods = journeys.periods.filter(~pl.col("short_breaks_only").fill_null(False))
    open_now = looked_after_on(periods, day)
    milestones = journeys.milestones

    def children_with(name: str) -> int:
        found = milestones.filter((pl.col("milestone") == name) & in_year_to("date", day))
        return found["CHILD"].n_unique()

    dated = milestones.filter(pl.col("date") <= day)
    decided = dated.filter(pl.col("milestone") == "adoption_decision").select(KEYS).unique()
    placed = dated.filter(pl.col("milestone") == "placed_for_adoption").select(KEYS).unique()
    routes = routes_as_at(journeys, day).filter(pl.col("route").is_in(ADOPTION_ROUTES))
    waiting = (
        open_now.select(KEYS)
        .join(routes.select(KEYS), on=KEYS, how="semi")
        .join(decided, on=KEYS, how="semi")
        .join(placed, on=KEYS, how="anti")
    )
    return Counts(
        looked_after=open_now["CHILD"].n_unique(),
        entered=periods.filter(in_year_to("start", day))["CHILD"].n_unique(),
        left=periods.filter(in_year_to("end", day))["CHILD"].n_unique(),
        adopted=children_with("adoption_order"),
        special_guardianship=children_with("special_guardianship_order"),
        waiting=waiting["CHILD"].n_unique(),
    )


def a10_as_at(journeys: Journeys, day: dt.date) -> Average:
    """A10 over the 3 years ending at the end of `day`'s collection year, from what was
    known by `day`."""
    end = year_end(year_of(day))
    known = journeys.milestones.filter(pl.col("date") <= day)
    card = scorecard(journeys.periods, known, journeys.placements, end)
    row = card.filter(pl.col("measure") == "A10").row(0, named=True)
    return Average(
        value=row["value"],
        children=int(row["children"]),
        window_start=row["window_start"],
        window_end=row["window_end"],
        threshold=row["threshold"],
    )


def drift_as_at(context: ReportContext, rule_sets: Sequence[RuleSet], day: dt.date) -> Drift | None:
    if not rule_sets:
        return None
    due = drift_list_on(context, rule_sets, day)
    overdue = due.filter(pl.col("status") == "overdue")
    performance = rule_performance(due.filter(in_year_to("due_date", day)))
    return Drift(
        overdue=overdue.height,
        overdue_children=overdue["CHILD"].n_unique(),
        due_in_year=int(performance["due"].sum()),
        on_time_in_year=int(performance["on_time"].sum()),
    )


LABELS = {
    "looked_after": "Children looked after on {day}",
    "entered": "Children who entered care in the year to {day}",
    "left": "Children who left care in the year to {day}",
    "adopted": "Children adopted in the year to {day}",
    "special_guardianship": "Children who left care on a special guardianship order in the year",
    "waiting": "Children with a decision for adoption, waiting to be placed",
}
# How each count reads in "The biggest change on a year before is in ...".
PHRASES = {
    "looked_after": "children looked after",
    "entered": "children entering care",
    "left": "children leaving care",
    "adopted": "children adopted",
    "special_guardianship": "special guardianship orders",
    "waiting": "children waiting to be placed for adoption",
}


def build(context: ReportContext) -> Section:
    rules = context.disclosure
    journeys = context.journeys
    as_at, before = context.as_at, context.previous_as_at
    if journeys.periods.is_empty():
        return Section(
            key="summary",
            title="Summary",
            not_available=(
                "No episodes of care are stored for this local authority: load its SSDA903 "
                "returns with `carejourney import` to see this section."
            ),
        )
    now, then = counts_as_at(journeys, as_at), counts_as_at(journeys, before)
    figures = []
    for name, label in LABELS.items():
        value, previous = getattr(now, name), getattr(then, name)
        figures.append(
            Figure(
                label=label.format(day=f"{as_at:%d/%m/%Y}"),
                value=protect_count(value, rules) or rules.marker,
                change=change_in_words(value, previous, rules),
            )
        )
    a10, a10_before = a10_as_at(journeys, as_at), a10_as_at(journeys, before)
    a10_value = _published_average(a10, rules)
    figures.append(
        Figure(
            label=(
                "Average days from entering care to moving in with the adoptive family "
                f"(DfE A10, children adopted {a10.window_start:%d/%m/%Y} to "
                f"{a10.window_end:%d/%m/%Y}; threshold {a10.threshold or 426} days)"
            ),
            value=f"{a10_value:,.0f} days" if a10_value is not None else "not available",
            change=days_change_in_words(a10_value, _published_average(a10_before, rules)),
        )
    )
    chosen = report_rule_sets(context.rule_sets)
    drift, drift_before = (
        drift_as_at(context, chosen, as_at),
        drift_as_at(context, chosen, before),
    )
    if drift is not None and drift_before is not None:
        names = ", ".join(r.title for r in chosen)
        figures.append(
            Figure(
                label=f"Milestones overdue on {as_at:%d/%m/%Y} ({names})",
                value=protect_count(drift.overdue, rules) or rules.marker,
                change=change_in_words(drift.overdue, drift_before.overdue, rules),
            )
        )
        percent = protect_percent(drift.on_time_in_year, drift.due_in_year, rules)
        percent_before = protect_percent(
            drift_before.on_time_in_year, drift_before.due_in_year, rules
        )
        figures.append(
            Figure(
                label="Milestones due in the year that were met on time",
                value=percent or "not available",
                change=f"{percent_before} a year before" if percent and percent_before else None,
            )
        )
    paragraphs = (_paragraph(context, now, then, a10, a10_value, drift),)
    return Section(key="summary", title="Summary", paragraphs=paragraphs, figures=tuple(figures))


def _published_average(average: Average, rules: DisclosureRules) -> float | None:
    """An average is published only when the count of children behind it is."""
    if average.value is None or average.children == 0 or rules.hides(average.children):
        return None
    return float(average.value)


def _paragraph(
    context: ReportContext,
    now: Counts,
    then: Counts,
    a10: Average,
    a10_value: float | None,
    drift: Drift | None,
) -> str:
    rules = context.disclosure
    sentences = [
        f"On {words_date(context.as_at)}, {count_text(now.looked_after, rules)} children were "
        f"looked after; in the year to then {count_text(now.entered, rules)} entered care, "
        f"{count_text(now.left, rules)} left it and {count_text(now.adopted, rules)} were "
        f"adopted."
    ]
    # The biggest change: the largest change relative to the year before, among counts
    # whose both values may be published.
    best: tuple[float, str, int, int] | None = None
    for name in LABELS:
        value, previous = getattr(now, name), getattr(then, name)
        if rules.hides(value) or rules.hides(previous) or value == previous:
            continue
        shown, shown_before = rules.shown(value), rules.shown(previous)
        size = abs(shown - shown_before) / max(shown_before, 1)
        if best is None or size > best[0]:
            best = (size, name, shown, shown_before)
    if best is not None:
        _, name, shown, shown_before = best
        direction = "up" if shown > shown_before else "down"
        sentences.append(
            f"The biggest change on a year before is in {PHRASES[name]}: {shown}, "
            f"{direction} from {shown_before}."
        )
    else:
        sentences.append("No count changed in a way that can be shown on a year before.")
    if drift is not None:
        if drift.overdue == 0:
            sentences.append("No milestone is overdue now.")
        else:
            sentences.append(
                f"{count_text(drift.overdue, rules).capitalize()} milestones are overdue now, "
                f"for {count_text(drift.overdue_children, rules)} children: the section on "
                f"cases at risk lists them by team."
            )
    if a10_value is not None and a10.threshold is not None:
        gap = round(a10_value) - a10.threshold
        where = (
            f"{gap:,} days over the {a10.threshold}-day threshold"
            if gap > 0
            else f"within the {a10.threshold}-day threshold"
        )
        sentences.append(
            f"Children adopted in the three years to {words_date(a10.window_end)} waited on "
            f"average {a10_value:,.0f} days from entering care to moving in with their "
            f"adoptive family, {where}."
        )
    return " ".join(sentences)
