"""Timeliness by stage: for each route to permanence, how long each stage of the journey
takes, against the national thresholds, and the stage where drift concentrates.

Figures come from `measures.stages` (`stage_times`, `stage_summary`,
`where_drift_concentrates`); this module only protects and words them. Every count goes
through `protect_count` cell by cell: the table's counts are per stage, not a cross-tab
with totals, so there is nothing to difference. A median (and quartiles, percentiles) of
1 to 4 children would give away those children's times, so it is hidden whenever the count
it is taken over is hidden.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl

from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Series, SpcOptions
from carejourney.measures.stage_routes import ROUTES, Stage
from carejourney.measures.stages import (
    COMPLETED,
    stage_summary,
    stage_times,
    where_drift_concentrates,
)
from carejourney.reports.charts import render
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import (
    Figure,
    ReportChart,
    ReportContext,
    ReportTable,
    Section,
)

KEY = "timeliness"
TITLE = "Timeliness by stage"
SHOWN_ROUTES = ("adoption", "special_guardianship", "return_home", "permanence_order")
# Milestones only a Scottish LA's data has: without them the permanence order route is empty.
SCOTTISH_MILESTONES = ("permanence_order_lodged", "permanence_order_granted")
A1_THRESHOLD = 426
NO_VALUE = "-"

ROUTE_TITLES = {
    "adoption": "Adoption",
    "special_guardianship": "Special guardianship",
    "return_home": "Return home",
    "permanence_order": "Permanence order (Scotland)",
}
ROUTE_SHEETS = {
    "adoption": "Timeliness adoption",
    "special_guardianship": "Timeliness special guardianship",
    "return_home": "Timeliness return home",
    "permanence_order": "Timeliness permanence order",
}
WHO_COUNTS = {
    "adoption": "Children whose route, as known at the date, is adoption.",
    "special_guardianship": (
        "Only children who left care on a special guardianship order are counted: no plan "
        "milestone dates this route earlier, so nobody is shown as waiting."
    ),
    "return_home": (
        "Only children who returned home when they left care are counted: no plan milestone "
        "dates this route earlier, so nobody is shown as waiting."
    ),
    "permanence_order": (
        "Every period of care is counted: PACE Aim 2 (a permanence recommendation within 6 "
        "months) applies to every child accommodated."
    ),
}

COLUMNS = (
    "Stage",
    "Children completed",
    "Median days",
    "Quartiles (days)",
    "10th to 90th percentile (days)",
    "Threshold",
    "Source of threshold",
    "Over threshold",
    "Still waiting",
    "Median wait so far (days)",
)


def build(context: ReportContext) -> Section:
    """The "Timeliness by stage" section: one table and one paragraph per route."""
    journeys = context.journeys
    if journeys.periods.height == 0:
        return Section(
            key=KEY,
            title=TITLE,
            not_available=(
                "No periods of care: load the LA's SSDA903 returns with `carejourney import` "
                "to see this section."
            ),
        )
    rules = context.disclosure
    scottish = journeys.milestones.filter(pl.col("milestone").is_in(SCOTTISH_MILESTONES)).height
    routes = [r for r in SHOWN_ROUTES if r != "permanence_order" or scottish]
    paragraphs = [
        f"How long each stage of a child's journey took, as at {context.as_at:%d/%m/%Y}: "
        "the median and spread of the days taken by children who completed the stage, "
        "against the national threshold where there is one, and how many children are "
        "still waiting, with their wait so far."
    ]
    tables: list[ReportTable] = []
    figures: list[Figure] = []
    adoption_times: pl.DataFrame | None = None
    for route in routes:
        times = stage_times(journeys, route, context.as_at)
        summary = stage_summary(times, route)
        if route == "adoption":
            adoption_times = times
            figures += _adoption_figures(times, summary, rules)
        tables.append(_table(route, times, summary, context))
        paragraphs.append(f"{ROUTE_TITLES[route]}: {_drift_sentence(summary, route, rules)}")
    if not scottish:
        paragraphs.append(
            "Scotland's permanence order route is left out: this LA's data has no permanence "
            "order lodged or granted."
        )
    charts = [] if adoption_times is None else _adoption_chart(adoption_times, context)
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=tuple(paragraphs),
        figures=tuple(figures),
        tables=tuple(tables),
        charts=tuple(charts),
    )


# --- shared with the other sections ------------------------------------------------------


def days_text(value: float | None) -> str:
    """Days as a sentence or cell says them: "183", "197.5", "1,204"; "-" for none."""
    if value is None:
        return NO_VALUE
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def median_of(series: pl.Series) -> float | None:
    """The median of a column of days (None when it has no values)."""
    value = series.median()
    return float(value) if isinstance(value, int | float) else None


def statistics_note(rules: DisclosureRules, who: str = "children", *, spread: bool = True) -> str:
    """The note under a table of counts with medians: what is hidden and why."""
    if rules.internal:
        return (
            "Internal report: counts are exact and nothing is hidden, so it must not be "
            "shared beyond the people allowed to see these children's records."
        )
    small = f"fewer than {rules.threshold}"
    what = f"Counts below {rules.threshold}" + (
        ", including zeros," if rules.suppress_zeros else ""
    )
    words = (
        f"{what} are shown as {rules.marker} to protect privacy. So are the median"
        f"{', quartiles and percentiles' if spread else ''} of a stage {small} {who} "
        f"completed, and the median wait of {small} "
        f"{who} waiting: a median of 1 to {rules.threshold - 1} {who} would disclose their "
        "times."
    )
    if rules.round_to is not None and rules.round_to > 1:
        words += f" Counts are rounded to the nearest {rules.round_to}."
    return words


def count_cell(value: int, rules: DisclosureRules) -> str:
    return protect_count(value, rules) or rules.marker


# --- the table ---------------------------------------------------------------------------


def _over_counts(times: pl.DataFrame) -> dict[str, int]:
    """Per stage, the children who completed it over its threshold."""
    over = (
        times.filter((pl.col("status") == COMPLETED) & pl.col("over_threshold").fill_null(False))
        .group_by("stage")
        .len()
    )
    return dict(zip(over["stage"].to_list(), over["len"].to_list(), strict=True))


def _range(low: float | None, high: float | None) -> str:
    if low is None or high is None:
        return NO_VALUE
    return f"{days_text(low)} to {days_text(high)}"


def threshold_cell(stage: Stage) -> str:
    """ "121 days (A2)", "6 months (PACE Aim 2)", "none"; unverified thresholds said so."""
    words = stage.threshold_words
    if words is None:
        return "none"
    if stage.threshold_name:
        words += f" ({stage.threshold_name})"
    if not stage.verified:
        words += ", not verified nationally"
    return words


def _table(
    route: str, times: pl.DataFrame, summary: pl.DataFrame, context: ReportContext
) -> ReportTable:
    rules = context.disclosure
    stages = {s.name: s for s in ROUTES[route]}
    over = _over_counts(times)
    rows: list[dict[str, str]] = []
    for row in summary.iter_rows(named=True):
        stage = stages[row["stage"]]
        completed, waiting = int(row["completed"]), int(row["waiting"])
        shown = protect_count(completed, rules) is not None
        shown_waiting = protect_count(waiting, rules) is not None
        if stage.has_threshold and completed:
            percent = protect_percent(over.get(stage.name, 0), completed, rules)
            over_cell = rules.marker if percent is None else percent
        else:
            over_cell = NO_VALUE
        rows.append(
            {
                "Stage": stage.label,
                "Children completed": count_cell(completed, rules),
                "Median days": days_text(row["median_days"]) if shown else rules.marker,
                "Quartiles (days)": _range(row["q1_days"], row["q3_days"])
                if shown
                else rules.marker,
                "10th to 90th percentile (days)": _range(row["p10_days"], row["p90_days"])
                if shown
                else rules.marker,
                "Threshold": threshold_cell(stage),
                "Source of threshold": stage.threshold_source,
                "Over threshold": over_cell,
                "Still waiting": count_cell(waiting, rules),
                "Median wait so far (days)": days_text(row["waiting_median_days"])
                if shown_waiting
                else rules.marker,
            }
        )
    frame = pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String))
    note = (
        f"{WHO_COUNTS[route]} Days are from each milestone's first date; a stage is completed "
        "when both its milestones are dated."
    )
    if len([s for s in stages.values() if not s.overall]) > 1:
        note += (
            " A stage is skipped (left out) when the child went past it without one of its "
            "milestones, such as no placement order when parents consented."
        )
    if any(s.has_threshold for s in stages.values()):
        note += (
            " 'Over threshold' is the share of children who completed the stage that took "
            "longer than the threshold (exactly the threshold is in time)."
        )
    note += " Quartiles and percentiles are interpolated as Excel's PERCENTILE.INC."
    if any(s.overall for s in stages.values()):
        note += " Stages spanning several steps come last."
    note += " " + statistics_note(rules)
    return ReportTable(
        key=ROUTE_SHEETS[route],
        title=f"Timeliness by stage: {ROUTE_TITLES[route].lower()}, as at {context.as_at:%d/%m/%Y}",
        frame=frame,
        note=note,
    )


def _drift_sentence(summary: pl.DataFrame, route: str, rules: DisclosureRules) -> str:
    """`where_drift_concentrates` over the stages whose median may be published."""
    if rules.internal:
        sentence = where_drift_concentrates(summary, route)
        return sentence[:1].lower() + sentence[1:]
    publishable = summary.with_columns(
        median_days=pl.when(pl.col("completed") >= rules.threshold).then("median_days")
    )
    steps = summary.filter(~pl.col("overall"))
    if publishable.filter(~pl.col("overall"))["median_days"].is_null().all() and (
        steps["completed"].sum() > 0
    ):
        return (
            f"too few children have completed each stage (fewer than {rules.threshold}) to "
            "say where delay concentrates without identifying them."
        )
    sentence = where_drift_concentrates(publishable, route)
    return sentence[:1].lower() + sentence[1:]


# --- headline figures and the chart ------------------------------------------------------


def _adoption_figures(
    times: pl.DataFrame, summary: pl.DataFrame, rules: DisclosureRules
) -> list[Figure]:
    row = summary.filter(pl.col("stage") == "entry_to_placed").row(0, named=True)
    completed = int(row["completed"])
    over = _over_counts(times).get("entry_to_placed", 0)
    if protect_count(completed, rules) is None:
        median, percent = rules.marker, rules.marker
    elif completed == 0:
        median, percent = NO_VALUE, NO_VALUE
    else:
        median = days_text(row["median_days"])
        percent = protect_percent(over, completed, rules) or rules.marker
    return [
        Figure("Median days from entering care to placed for adoption (A1, threshold 426)", median),
        Figure("Children placed for adoption more than 426 days after entering care", percent),
    ]


def _adoption_chart(times: pl.DataFrame, context: ReportContext) -> list[ReportChart]:
    """Each child's days from entering care to placed for adoption, in the order they were
    placed, as an I chart with the 426-day line. Labelled by dates only."""
    placed = times.filter(
        (pl.col("stage") == "entry_to_placed") & (pl.col("status") == COMPLETED)
    ).sort("to_date", "from_date")
    rules = context.disclosure
    least = 2 if rules.internal else max(2, rules.threshold)
    if placed.height < least:
        return []
    dates: list[dt.date] = placed["to_date"].to_list()
    series = Series(
        y=placed["days"].cast(pl.Float64).to_numpy().astype(np.float64),
        labels=tuple(f"{d:%d/%m/%Y}" for d in dates),
    )
    result = spc(series, SpcOptions(chart=ChartType.I, target=float(A1_THRESHOLD)))
    title = "Days from entering care to placed for adoption, each child in order of placement"
    rendered = render(result, title=title, value_title="Days")
    return [
        ReportChart(
            title=title,
            svg=rendered.svg,
            text_alternative=rendered.text_alternative,
            signals=rendered.signals_in_words,
        )
    ]
