"""Under-fives who entered care two years ago and are still in care.

- *Who*: children whose period of care started in the 12 months ending two years before
  the as-at date (after the day three years before, up to and including the day two years
  before), who were under 5 (whole years) on the day they entered care, and whose period
  is still open on the as-at date. Short-break-only periods are left out; a child with no
  date of birth cannot be placed and is left out.
- *Placement moves*: placements (a new carer: RNE S, P or B) begun in that period after the
  first, up to the as-at date.
- *Legal status*: that of the latest episode starting by the as-at date.
- *Changes of plan*: the adoption plans reversed in the period by the as-at date (the
  `adoption_plan_reversed` milestone: SSDA903 PlacedAdoption DATE_PLACED_CEASED, or a
  tracker). Other changes of plan are not in the return, so are not counted.
- *Days in the current placement*: from the start of the latest placement begun by the
  as-at date to the as-at date.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.calendar import age_on
from carejourney.reports.disclosure import protect_count, pseudonymise
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.reports.sections.common import (
    KEYS,
    count_text,
    in_year_to,
    latest_episodes,
    looked_after_on,
    words_date,
    years_before,
)
from carejourney.schema.ssda903_codes import LS

CHILD = "Child"
PLACEMENT_ORDER = next(c.description for c in LS.codes if c.value == "E1")


def under_fives(context: ReportContext) -> pl.DataFrame:
    """One row per child in the cohort (see the module docstring), with CHILD, period,
    entered, age_entered, moves, legal_status, plans_reversed, days_in_placement."""
    journeys, day = context.journeys, context.as_at
    two_years = years_before(day, 2)
    children = journeys.children.unique("CHILD", keep="last").select("CHILD", "DOB")
    cohort = (
        looked_after_on(journeys.periods, day)
        .filter(in_year_to("start", two_years))
        .join(children, on="CHILD", how="inner")
        # Entered care before the recorded birth (a pre-birth plan, or a typing error):
        # counted as under 1.
        .with_columns(age_entered=age_on(pl.col("DOB"), pl.col("start")).clip(lower_bound=0))
        .filter(pl.col("age_entered") < 5)
        .select(*KEYS, entered="start", age_entered="age_entered")
    )
    placements = (
        journeys.placements.filter(pl.col("start") <= day)
        .join(cohort.select(KEYS), on=KEYS, how="semi")
        .group_by(KEYS)
        .agg(moves=(pl.len() - 1).cast(pl.Int64), current=pl.col("start").max())
    )
    reversed_plans = (
        journeys.milestones.filter(
            (pl.col("milestone") == "adoption_plan_reversed") & (pl.col("date") <= day)
        )
        .group_by(KEYS)
        .agg(plans_reversed=pl.len().cast(pl.Int64))
    )
    ls_words = {c.value: c.description for c in LS.codes}
    return (
        cohort.join(placements, on=KEYS, how="left")
        .join(reversed_plans, on=KEYS, how="left")
        .join(latest_episodes(journeys, day), on=KEYS, how="left")
        .with_columns(
            moves=pl.col("moves").fill_null(0),
            plans_reversed=pl.col("plans_reversed").fill_null(0),
            legal_status=pl.col("LS").replace_strict(
                ls_words, default=pl.col("LS"), return_dtype=pl.String
            ),
            days_in_placement=(pl.lit(day, pl.Date) - pl.col("current")).dt.total_days(),
        )
        .select(
            *KEYS,
            "entered",
            "age_entered",
            "moves",
            "legal_status",
            "plans_reversed",
            "days_in_placement",
        )
        .sort("entered", "CHILD")
    )


def build(context: ReportContext) -> Section:
    rules = context.disclosure
    title = "Under-fives who entered care two years ago and are still in care"
    if context.journeys.periods.is_empty():
        return Section(
            key="under-fives",
            title=title,
            not_available=(
                "No episodes of care are stored for this local authority: load its SSDA903 "
                "returns with `carejourney import` to see this section."
            ),
        )
    day = context.as_at
    two_years = years_before(day, 2)
    frame = under_fives(context)
    first_day = years_before(two_years) + dt.timedelta(days=1)
    listed = pseudonymise(frame, "CHILD", context.salt, rules).select(
        pl.col("CHILD").alias(CHILD),
        # The month only, unless internal: an exact date helps pick a child out.
        pl.col("entered")
        .dt.strftime("%d/%m/%Y" if rules.internal else "%B %Y")
        .alias("Entered care"),
        pl.col("age_entered").alias("Age on entering care"),
        pl.col("moves").alias("Placement moves since entering care"),
        pl.col("legal_status").fill_null("Not known").alias("Legal status now"),
        pl.col("plans_reversed").alias("Adoption plans reversed"),
        pl.col("days_in_placement").alias("Days in current placement"),
    )
    table = ReportTable(
        key="Under-fives still in care",
        title=(
            f"Children under 5 who entered care between {first_day:%d/%m/%Y} "
            f"and {two_years:%d/%m/%Y} and were still in care on {day:%d/%m/%Y}"
        ),
        frame=listed,
        note=(
            "Children are shown by pseudonym, not ID, unless this is an internal report. "
            "Changes of plan counted: adoption plans reversed (SSDA903 PlacedAdoption "
            "DATE_PLACED_CEASED, or the tracker); no other change of plan is recorded in "
            "the return."
        ),
    )
    paragraph = _paragraph(context, frame)
    return Section(key="under-fives", title=title, paragraphs=(paragraph,), tables=(table,))


def _paragraph(context: ReportContext, frame: pl.DataFrame) -> str:
    rules = context.disclosure
    day = context.as_at
    two_years = years_before(day, 2)
    n = frame.height
    if n == 0:
        return (
            f"No child under 5 who entered care in the year to {words_date(two_years)} was "
            f"still looked after on {words_date(day)}."
        )
    sentences = [
        f"{count_text(n, rules).capitalize()} children who were under 5 when they entered "
        f"care in the year to {words_date(two_years)} were still looked after on "
        f"{words_date(day)}, two years or more later."
    ]
    if protect_count(n, rules) is not None:
        median = frame["days_in_placement"].cast(pl.Float64).median()
        moved = int((frame["moves"] >= 2).sum())
        reversed_plans = int((frame["plans_reversed"] > 0).sum())
        placement_orders = int(frame["legal_status"].eq(PLACEMENT_ORDER).sum())
        if isinstance(median, float):
            sentences.append(
                f"Half of them had been in their current placement for {median:,.0f} days "
                "or more (the median)."
            )
        sentences.append(
            f"{count_text(moved, rules).capitalize()} had moved placement twice or more, "
            f"{count_text(placement_orders, rules)} were subject to a placement order, and "
            f"{count_text(reversed_plans, rules)} had an adoption plan reversed."
        )
    return " ".join(sentences)
