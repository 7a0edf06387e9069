"""Adopters' journey: enquiry, stage 1, stage 2, approval, match and a child moving in,
against the 2 and 4 months the statutory guidance expects, and adopters waiting.

From Ofsted's Annex A list 11 (`measures.adopters.adopters_journey`). Counts of adopters
go through disclosure control like counts of children: an adopter household in one LA is
as identifiable as a child, and a median of 1 to 4 adopters gives away their times.
"""

from __future__ import annotations

import polars as pl

from carejourney.measures.adopters import adopters_journey, adopters_waiting
from carejourney.measures.stage_routes import ROUTES, Stage
from carejourney.measures.stages import COMPLETED, stage_summary
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import Figure, ReportContext, ReportTable, Section
from carejourney.reports.sections.timeliness import (
    NO_VALUE,
    count_cell,
    days_text,
    median_of,
    statistics_note,
)

KEY = "adopters"
TITLE = "Adopters' journey"
ROUTE = "adopters"
NOT_AVAILABLE = (
    "No adopters' data: load Ofsted Annex A list 11 with `carejourney import` to see this section."
)
COLUMNS = (
    "Stage",
    "Adopters completed",
    "Median days",
    "Timescale",
    "Within timescale",
    "Still waiting",
    "Median wait so far (days)",
)


def build(context: ReportContext) -> Section:
    """The section, or `not_available` when no Annex A list 11 is loaded for the LA."""
    times = adopters_journey(context.conn, context.la, context.as_at)
    if times.height == 0:
        return Section(key=KEY, title=TITLE, not_available=NOT_AVAILABLE)
    rules = context.disclosure
    summary = stage_summary(times, ROUTE)
    within = _within(times)
    waiting = adopters_waiting(times)
    paragraphs = [
        f"Adopters' journeys from Annex A list 11, as at {context.as_at:%d/%m/%Y}: from the "
        "first enquiry through stage 1 (pre-approval checks, expected within 2 months of "
        "registration) and stage 2 (assessment, expected within 4 months of its start) to "
        "approval, a match and a child moving in. Stage 2 is timed to approval, which can "
        "come after stage 2 ends, so this is a strict test.",
        *_timeliness_sentences(summary, within, rules),
        _waiting_sentence(waiting, rules),
    ]
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=tuple(p for p in paragraphs if p),
        figures=tuple(_figures(summary, within, waiting, rules)),
        tables=(_table(summary, within, context),),
    )


def _within(times: pl.DataFrame) -> dict[str, int]:
    """Per stage with a timescale, the adopters who completed it within the timescale."""
    found = (
        times.filter((pl.col("status") == COMPLETED) & (pl.col("over_threshold") == False))  # noqa: E712
        .group_by("stage")
        .len()
    )
    return dict(zip(found["stage"].to_list(), found["len"].to_list(), strict=True))


def _percent_within(
    stage: str, completed: int, within: dict[str, int], rules: DisclosureRules
) -> str:
    if completed == 0:
        return NO_VALUE
    return protect_percent(within.get(stage, 0), completed, rules) or rules.marker


def _timescale(stage: Stage) -> str:
    """ "2 months"; "about 6 months" for a guide; "none"."""
    if stage.threshold_words is None:
        return "none"
    return (
        stage.threshold_name if stage.threshold_name.startswith("about") else stage.threshold_words
    )


def _table(summary: pl.DataFrame, within: dict[str, int], context: ReportContext) -> ReportTable:
    rules = context.disclosure
    stages = {s.name: s for s in ROUTES[ROUTE]}
    rows: list[dict[str, str]] = []
    for row in summary.iter_rows(named=True):
        stage = stages[row["stage"]]
        completed, waiting = int(row["completed"]), int(row["waiting"])
        shown = protect_count(completed, rules) is not None
        shown_waiting = protect_count(waiting, rules) is not None
        rows.append(
            {
                "Stage": stage.label,
                "Adopters completed": count_cell(completed, rules),
                "Median days": days_text(row["median_days"]) if shown else rules.marker,
                "Timescale": _timescale(stage),
                "Within timescale": _percent_within(stage.name, completed, within, rules)
                if stage.has_threshold
                else NO_VALUE,
                "Still waiting": count_cell(waiting, rules),
                "Median wait so far (days)": days_text(row["waiting_median_days"])
                if shown_waiting
                else rules.marker,
            }
        )
    sources = " ".join(s.threshold_source for s in ROUTES[ROUTE] if s.has_threshold)
    return ReportTable(
        key="Adopters journey",
        title=f"Adopters' journey by stage, as at {context.as_at:%d/%m/%Y}",
        frame=pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String)),
        note=(
            "Within timescale: the share of adopters who completed the stage that did so "
            "within it, in calendar months (the day the months end is in time). An adopter "
            "with no later date is counted as waiting: Annex A does not record withdrawals. "
            f"Timescales: {sources} " + statistics_note(rules, "adopters", spread=False)
        ),
    )


def _timeliness_sentences(
    summary: pl.DataFrame, within: dict[str, int], rules: DisclosureRules
) -> list[str]:
    found = []
    for name, what in (("stage_one", "Stage 1"), ("stage_two", "Stage 2")):
        row = summary.filter(pl.col("stage") == name).row(0, named=True)
        completed = int(row["completed"])
        stage = next(s for s in ROUTES[ROUTE] if s.name == name)
        count = protect_count(completed, rules)
        if completed == 0 and count is not None:
            found.append(f"No adopter has completed {what.lower()} yet.")
        elif count is None:
            found.append(
                f"Fewer than {rules.threshold} adopters completed {what.lower()}, too few to "
                "say how many did so in time without identifying them."
            )
        else:
            percent = protect_percent(within.get(name, 0), completed, rules)
            sentence = (
                f"{what} was completed by {count} adopters, in a median of "
                f"{days_text(row['median_days'])} days; "
            )
            if percent is not None:
                sentence += f"{percent} of them did so within {stage.threshold_words}."
            else:
                sentence += (
                    f"the share within {stage.threshold_words} is not shown, because fewer "
                    f"than {rules.threshold} were in time or fewer than {rules.threshold} late."
                )
            found.append(sentence)
    return found


def _waiting_sentence(waiting: pl.DataFrame, rules: DisclosureRules) -> str:
    count = protect_count(waiting.height, rules)
    if waiting.height == 0 and count is not None:
        return "No approved adopter is waiting for a match."
    if count is None:
        return (
            f"Fewer than {rules.threshold} approved adopters are waiting for a match (how long "
            "they have waited is not shown, to protect their privacy)."
        )
    median = median_of(waiting["days_waiting"])
    longest = int(waiting["days_waiting"].cast(pl.Int64).max() or 0)  # type: ignore[arg-type]
    return (
        f"{count} approved adopters are waiting for a match: a median wait so far of "
        f"{days_text(median)} days, the longest {days_text(longest)} days."
    )


def _figures(
    summary: pl.DataFrame,
    within: dict[str, int],
    waiting: pl.DataFrame,
    rules: DisclosureRules,
) -> list[Figure]:
    figures = []
    for name, label in (
        ("stage_one", "Adopters completing stage 1 within 2 months"),
        ("stage_two", "Adopters completing stage 2 within 4 months"),
    ):
        completed = int(summary.filter(pl.col("stage") == name)["completed"].item())
        figures.append(Figure(label, _percent_within(name, completed, within, rules)))
    count = protect_count(waiting.height, rules)
    figures.append(
        Figure(
            "Approved adopters waiting for a match", count if count is not None else rules.marker
        )
    )
    if count is not None and waiting.height:
        figures.append(
            Figure(
                "Median days approved adopters have waited for a match",
                days_text(median_of(waiting["days_waiting"])),
            )
        )
    return figures
