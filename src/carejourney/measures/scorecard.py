"""The DfE adoption scorecard's timeliness measures A1, A2, A3 and A10, per 3-year window.

Definitions (`../shared/DOMAIN-FACTS.md`, "Adoption timeliness (England)"):

- Window: children adopted (an `adoption_order` milestone, REC E11/E12) from 1 April three
  years before the window's end to that end, both days included: the window ending
  31 March 2024 is 1 April 2021 to 31 March 2024. `years` changes the length.
- The clocks belong to the period of care in which the child was adopted: a child who left
  care and came back counts from the start of the period that ended in adoption.
- A1: average days from entering care (the start of that period) to moving in with the
  adoptive family (`placed_for_adoption`: the first A3-A6 placement of that period).
- A10: as A1, except for a child adopted by their own foster carers (the match, AD1
  DATE_MATCH with FOSTER_CARE 1): the clock stops when the child moved in with those
  carers. That is the start of the placement that became the adoptive placement: the
  placement (`journeys.periods.placements`) in which the placed-for-adoption date falls.
  When the foster carers' placement became adoptive with RNE T or U it is the same
  placement and starts earlier; with RNE P or B it is a new one and A10 equals A1.
- A3: % of the children counted in A1 who moved in with their adoptive family within
  14 months (426 days) of entering care, on A1's clock. DOMAIN-FACTS words A3 as
  "% of those under 14 months", "those" being A1's children; REVIEW whether DfE's later
  scorecards measure A3 on A10's clock. 426 days itself is within (the rule set's
  end_inclusive = true); DOMAIN-FACTS says "under": REVIEW.
- A2: average days from the placement order (the first LS E1 of that period) to the match
  (AD1 DATE_MATCH), for children adopted in the window who had a placement order; a match
  before the order counts as 0 days; no placement order: not counted. When AD1 holds more
  than one match for the period, the latest on or before the adoption order is used (the
  match that led to this adoption); its FOSTER_CARE flag decides A10.

Dates that may be too late are not used (REVIEW): when the loaded history begins part way
through the period (its first episode has no RNE S, `start_known` False), the real date of
entering care is earlier, so the child is left out of A1, A10 and A3; and a placement order
already in force when that history begins is left out of A2. Each left-out child has a row
in `scorecard_children` with `counted` False and the `reason`, and the summary says how many.
The children left out are those with the longest journeys, so when many are, the average
of the rest is too short: load enough years of returns to cover each period from its start.

Thresholds (A1 and A10 426 days, A2 121 days) are read from the shipped rule set
`adoption-scorecard` (the 2013-16 thresholds in DOMAIN-FACTS) unless given.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import polars as pl

from carejourney.config.rules import RuleSet, Unit, load_rule_set

MEASURES = ("A1", "A2", "A3", "A10")
FOSTER_CARER_MATCH = "FOSTER_CARE 1"
RULES = {"A1": "a1-entered-care-to-placed", "A2": "a2-placement-order-to-matched"}
CHILD_SCHEMA = {
    "measure": pl.String,
    "CHILD": pl.String,
    "period": pl.Int64,
    "adopted": pl.Date,
    "foster_carer": pl.Boolean,
    "clock_start": pl.Date,
    "clock_stop": pl.Date,
    "days": pl.Int64,
    "counted": pl.Boolean,
    "met_threshold": pl.Boolean,
    "reason": pl.String,
}
UNKNOWN_START = "entered care before the loaded history begins: the real start is not known"
NO_PLACED = "no placed-for-adoption date (PLACE A3-A6) in this period of care"


def thresholds_from_rule_set(rule_set: RuleSet | None = None) -> dict[str, int]:
    """Days per measure from the scorecard rule set (shipped `adoption-scorecard` if None):
    A1, A3 and A10 from the A1 rule, A2 from the A2 rule."""
    rules = rule_set or load_rule_set("adoption-scorecard")
    within = {}
    for measure, name in RULES.items():
        rule = rules.rule(name)
        if rule.unit is not Unit.DAYS:
            raise ValueError(f'rule "{name}" must count days for the scorecard, not {rule.unit}')
        within[measure] = rule.within
    return {"A1": within["A1"], "A2": within["A2"], "A3": within["A1"], "A10": within["A1"]}


def _limits(thresholds: Mapping[str, int] | None) -> dict[str, int]:
    """Days per measure: the rule set's, or those given (A3 and A10 default to A1's)."""
    if thresholds is None:
        return thresholds_from_rule_set()
    limits = dict(thresholds)
    if missing := {"A1", "A2"} - limits.keys():
        raise ValueError(f"thresholds need A1 and A2 (days); missing: {sorted(missing)}")
    limits.setdefault("A3", limits["A1"])
    limits.setdefault("A10", limits["A1"])
    return limits


def window(year_end: dt.date, years: int = 3) -> tuple[dt.date, dt.date]:
    """First and last day of the `years`-year window ending on `year_end` (both included):
    31 March 2024 gives 1 April 2021 to 31 March 2024."""
    try:
        back = year_end.replace(year=year_end.year - years)
    except ValueError:  # 29 February, in a year that has none
        back = year_end.replace(year=year_end.year - years, day=28)
    return back + dt.timedelta(days=1), year_end


def _per_child(
    periods: pl.DataFrame,
    milestones: pl.DataFrame,
    placements: pl.DataFrame,
    start: dt.date,
    end: dt.date,
) -> pl.DataFrame:
    """One row per child and period adopted in the window, with every date the clocks use."""
    keys = ["CHILD", "period"]
    date = pl.col("date")
    dated = milestones.filter(pl.col("period").is_not_null())

    def first(name: str) -> pl.DataFrame:
        return dated.filter(pl.col("milestone") == name).group_by(keys).agg(date.min().alias(name))

    adopted = (
        first("adoption_order")
        .filter(pl.col("adoption_order").is_between(start, end))
        .rename({"adoption_order": "adopted"})
    )
    matches = (
        dated.filter(pl.col("milestone") == "matched")
        .join(adopted, on=keys)
        .filter(date <= pl.col("adopted"))
        .group_by(keys)
        .agg(
            matched=date.max(),
            foster_carer=(pl.col("detail") == FOSTER_CARER_MATCH).sort_by(date).last(),
        )
    )
    wide = (
        adopted.join(
            periods.select(*keys, entered="start", start_known="start_known"), on=keys, how="left"
        )
        .join(first("placed_for_adoption"), on=keys, how="left")
        .join(first("placement_order"), on=keys, how="left")
        .join(matches, on=keys, how="left")
        .with_columns(pl.col("foster_carer").fill_null(False))
    )
    # The placement the child was in on the placed-for-adoption date: the latest starting
    # on or before it.
    placed = wide.filter(pl.col("placed_for_adoption").is_not_null()).sort("placed_for_adoption")
    containing = placed.join_asof(
        placements.select("CHILD", placement_start="start").sort("placement_start"),
        left_on="placed_for_adoption",
        right_on="placement_start",
        by="CHILD",
        strategy="backward",
        check_sortedness=False,  # both sorted just above
    ).select(*keys, "placement_start")
    moved_in = pl.min_horizontal("placement_start", "placed_for_adoption")
    return wide.join(containing, on=keys, how="left").with_columns(
        moved_in=pl.when("foster_carer").then(moved_in).otherwise("placed_for_adoption")
    )


def scorecard_children(
    periods: pl.DataFrame,
    milestones: pl.DataFrame,
    placements: pl.DataFrame,
    year_end: dt.date,
    *,
    years: int = 3,
    thresholds: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """The rows behind each measure: one per measure and child adopted in the window.

    `periods`, `placements` and `milestones` are `journeys.periods.periods_of_care`,
    `journeys.periods.placements` and `journeys.milestones.return_milestones` of the same
    history. Columns: measure, CHILD, period (of care the child was adopted from), adopted
    (adoption order date), foster_carer (adopted by own foster carers), clock_start,
    clock_stop, days (null when not counted), counted, met_threshold (days <= threshold)
    and reason (why not counted; null when counted). See the module docstring."""
    limits = _limits(thresholds)
    start, end = window(year_end, years)
    wide = _per_child(periods, milestones, placements, start, end)
    known = pl.col("start_known").fill_null(False)
    order_unknown = ~known & (pl.col("placement_order") == pl.col("entered"))
    care_clock = pl.when(~known).then(pl.lit(UNKNOWN_START))
    reasons = {
        "A1": care_clock.when(pl.col("placed_for_adoption").is_null()).then(pl.lit(NO_PLACED)),
        "A2": pl.when(pl.col("placement_order").is_null())
        .then(pl.lit("no placement order (LS E1) in this period of care"))
        .when(order_unknown)
        .then(pl.lit("placement order already in force when the loaded history begins"))
        .when(pl.col("matched").is_null())
        .then(pl.lit("no match date (AD1 DATE_MATCH) on or before the adoption order")),
    }
    reasons["A3"] = reasons["A10"] = reasons["A1"]
    clocks = {
        "A1": ("entered", "placed_for_adoption"),
        "A2": ("placement_order", "matched"),
        "A3": ("entered", "placed_for_adoption"),
        "A10": ("entered", "moved_in"),
    }
    parts = []
    for measure in MEASURES:
        clock_start, clock_stop = clocks[measure]
        days = (pl.col(clock_stop) - pl.col(clock_start)).dt.total_days()
        if measure == "A2":
            days = days.clip(lower_bound=0)  # matched before the placement order: 0 days
        counted = pl.col("reason").is_null()
        parts.append(
            wide.with_columns(reason=reasons[measure]).select(
                measure=pl.lit(measure),
                CHILD="CHILD",
                period="period",
                adopted="adopted",
                foster_carer="foster_carer",
                clock_start=clock_start,
                clock_stop=clock_stop,
                days=pl.when(counted).then(days),
                counted=counted,
                met_threshold=pl.when(counted).then(days <= limits[measure]),
                reason="reason",
            )
        )
    return (
        pl.concat([pl.DataFrame(schema=CHILD_SCHEMA), *parts], how="vertical_relaxed")
        .cast(CHILD_SCHEMA)  # type: ignore[arg-type]
        .sort(pl.col("measure").replace_strict(MEASURES, list(range(4))), "CHILD", "period")
    )


def scorecard(
    periods: pl.DataFrame,
    milestones: pl.DataFrame,
    placements: pl.DataFrame,
    year_end: dt.date,
    *,
    years: int = 3,
    thresholds: Mapping[str, int] | None = None,
) -> pl.DataFrame:
    """A1, A2, A3 and A10 for the window ending `year_end`, one row each, in that order.

    Columns: measure, window_start, window_end, children (counted), excluded (adopted in the
    window but not counted, see `scorecard_children`'s reason), value (A1, A2, A10: mean
    days; A3: percent; null with no child counted), unit ("days" or "percent"), threshold
    (days: A1 and A10 426, A2 121; null for A3, whose 426 days applies child by child) and
    met_threshold (children counted whose own days are within the threshold)."""
    limits = _limits(thresholds)
    start, end = window(year_end, years)
    children = scorecard_children(
        periods, milestones, placements, year_end, years=years, thresholds=limits
    )
    met = pl.col("met_threshold")
    summary = children.group_by("measure").agg(
        children=pl.col("counted").sum().cast(pl.Int64),
        excluded=(~pl.col("counted")).sum().cast(pl.Int64),
        _days=pl.col("days").mean(),
        _percent=met.cast(pl.Float64).mean() * 100.0,
        met_threshold=met.sum().cast(pl.Int64),
    )
    is_a3 = pl.col("measure") == "A3"
    return (
        pl.DataFrame({"measure": list(MEASURES)})
        .join(summary, on="measure", how="left")
        .select(
            "measure",
            window_start=pl.lit(start, pl.Date),
            window_end=pl.lit(end, pl.Date),
            children=pl.col("children").fill_null(0),
            excluded=pl.col("excluded").fill_null(0),
            value=pl.when(is_a3).then("_percent").otherwise("_days"),
            unit=pl.when(is_a3).then(pl.lit("percent")).otherwise(pl.lit("days")),
            threshold=pl.when(~is_a3).then(
                pl.col("measure").replace_strict(limits, default=None, return_dtype=pl.Int64)
            ),
            met_threshold=pl.col("met_threshold").fill_null(0),
        )
    )
