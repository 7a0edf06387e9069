"""Placement stability as the DfE publishes it, for the year ending 31 March.

DfE ("Stability measures for children looked after in England"; DOMAIN-FACTS, 2024: 10%,
23%, 68%) publishes three measures for children looked after at 31 March, excluding those
looked after under an agreed series of short breaks. What this module implements:

- Looked after at 31 March: a period of care (not short breaks only) that started on or
  before 31 March and had not ended by it (`end` null or after 31 March; a child who left
  on 31 March itself is not counted, as in the return).
- Counted placements: placements (`journeys.periods.placements`: a new one at RNE S, P
  and B; T, L and U continue one) that were current at any time in the window, in any
  period of care except short-breaks-only ones: those that started in the window, plus
  the one the child was in on its first day (started before it and ended after that day).
  A placement that ended on the first day itself (the child moved that day) is not
  counted: the one they moved to is. REVIEW: this is our reading of DfE's rule (placements
  starting in the year plus the one current at 1 April, as for NI 62).
  Temporary placements (PLACE T0-T4: temporary moves, hospital, holidays, while the foster
  carers are on holiday) are not counted: they are absences, not a change of carer.
  REVIEW: that DfE leaves them out is from memory of the NI 62 guidance, not checked; and
  the return to the usual carers afterwards starts a new placement here (RNE P) and is
  counted, which may overcount a move.
- (a) `three_or_more_in_year`: of the children looked after at 31 March, those with 3 or
  more counted placements in the year (1 April to 31 March).
- (b) `three_or_more_in_2_years`: of the children looked after at 31 March who had been
  looked after for 2 years (DOMAIN-FACTS: "of those looked after for 2 years"; DfE:
  "CLA 2 years on 31 March") -- read here as looked after on every day of the two years,
  their current period starting on or before 1 April two years before -- those with 3 or
  more counted placements in those two years. REVIEW: "continuously" is our reading.
- (c) `long_term_stability` (NI 63; DfE: "living with the same carer for at least 2
  years"): of the children under 16 at 31 March who had been looked after continuously for
  at least 2.5 years (current period starting on or before 1 October two and a half years
  before), those in the same placement for at least 2 years (it started on or before
  1 April two years before), or placed for adoption (PLACE A3-A6) where the adoptive
  placement and the placement just before it (same period, ending the day it started)
  together last 2 years. A foster placement that became adoptive with RNE T or U is one
  placement already. The current placement is the latest of the current period starting
  on or before 31 March (of any type); its type is that of its last episode.
  Under 16: date of birth after 31 March sixteen years before. A child whose date of birth
  is missing, or differs between returns, is not counted in (c) (`dob_known` False).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from carejourney.journeys.periods import first_of_child

ADOPTIVE = ("A3", "A4", "A5", "A6")
TEMPORARY = ("T0", "T1", "T2", "T3", "T4")
MEASURES = {
    "three_or_more_in_year": "looked after at 31 March with 3 or more placements in the year",
    "three_or_more_in_2_years": "looked after for 2 years at 31 March with 3 or more "
    "placements in those 2 years",
    "long_term_stability": "under 16 at 31 March, looked after for 2.5 years or more, in the "
    "same placement for 2 years or more (or placed for adoption, with the placement before)",
}


def _months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    month0 = day.year * 12 + day.month - 1 - months
    year, month = divmod(month0, 12)
    first_next = dt.date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    last = (first_next - dt.timedelta(days=1)).day
    return dt.date(year, month + 1, min(day.day, last))


def _start_of(year_end: dt.date, months: int) -> dt.date:
    """First day of the `months`-month window ending on `year_end`."""
    return _months_before(year_end, months) + dt.timedelta(days=1)


def stability_children(
    periods: pl.DataFrame,
    placements: pl.DataFrame,
    header: pl.DataFrame,
    year_end: dt.date,
) -> pl.DataFrame:
    """One row per child looked after at `year_end` (short breaks excluded), with what each
    measure uses. `periods` and `placements` are `journeys.periods.periods_of_care` and
    `placements`; `header` has CHILD and DOB (SSDA903 Header, any number of years).

    Columns: CHILD, period (current), period_start, placement_start (current placement),
    place (its PLACE), same_placement_since (its start, or the previous placement's start
    for an adoptive placement, see the module docstring), DOB, dob_known, under_16,
    placements_in_year, three_or_more_in_year, looked_after_2_years, placements_in_2_years,
    three_or_more_in_2_years (null unless looked_after_2_years), looked_after_2_5_years,
    long_term_cohort (under 16 and looked after 2.5 years), same_placement_2_years (null
    unless in that cohort)."""
    return stability_children_on(periods, placements, header, [year_end]).drop("year_end")


def _windows(days: Sequence[dt.date]) -> pl.DataFrame:
    """Per year end: the first days of its 12-, 24- and 30-month windows, and the birthday
    after which a child is under 16 on it."""
    ends = sorted(set(days))
    return pl.DataFrame(
        {
            "year_end": ends,
            "_year_start": [_start_of(d, 12) for d in ends],
            "_two_start": [_start_of(d, 24) for d in ends],
            "_long_start": [_start_of(d, 30) for d in ends],
            "_sixteen": [_months_before(d, 16 * 12) for d in ends],
        },
        schema={
            "year_end": pl.Date,
            "_year_start": pl.Date,
            "_two_start": pl.Date,
            "_long_start": pl.Date,
            "_sixteen": pl.Date,
        },
    )


def stability_children_on(
    periods: pl.DataFrame,
    placements: pl.DataFrame,
    header: pl.DataFrame,
    days: Sequence[dt.date],
) -> pl.DataFrame:
    """`stability_children` for several year ends at once, with a `year_end` column first:
    one pass over the tables for every quarter a chart needs, rather than one per quarter
    (the report's stability section asks for 37 of them)."""
    windows = _windows(days)
    end = pl.col("year_end")
    keys = ["year_end", "CHILD", "period"]
    current = (
        periods.filter(~pl.col("short_breaks_only"))
        .join(windows.select("year_end"), how="cross")
        .filter((pl.col("start") <= end) & (pl.col("end").is_null() | (pl.col("end") > end)))
        .sort("year_end", "CHILD", "start")
        # Two open periods (a data error): the later.
        .unique(["year_end", "CHILD"], keep="last", maintain_order=True)
        .select(*keys, period_start="start")
    )
    labelled = (
        placements.join(
            periods.select("CHILD", "period", "short_breaks_only"),
            on=["CHILD", "period"],
            how="left",
        )
        .sort("CHILD", "start")
        .with_columns(  # the placement before, if the same child's (faster than `over`)
            pl.when(~first_of_child()).then(pl.col(c).shift(1)).alias(f"_prev_{c}")
            for c in ("start", "end", "period")
        )
        .join(windows, how="cross")
        .filter(pl.col("start") <= end)
    )
    counted = labelled.filter(
        ~pl.col("short_breaks_only").fill_null(False)
        & ~pl.col("place_start").is_in(TEMPORARY).fill_null(False)
    )

    def count_from(first_day: str, name: str) -> pl.DataFrame:
        day = pl.col(first_day)
        current_then = pl.col("end").is_null() | (pl.col("end") > day)
        return (
            counted.filter((pl.col("start") >= day) | current_then)
            .group_by("year_end", "CHILD")
            .agg(pl.len().cast(pl.Int64).alias(name))
        )

    placement = (
        labelled.join(current, on=keys, how="semi")
        .sort("year_end", "CHILD", "start")
        .unique(["year_end", "CHILD"], keep="last", maintain_order=True)  # the latest
        .select(
            "year_end",
            "CHILD",
            placement_start="start",
            place="place_end",
            same_placement_since=pl.when(
                pl.col("place_end").is_in(ADOPTIVE).fill_null(False)
                & (pl.col("_prev_period") == pl.col("period")).fill_null(False)
                & (pl.col("_prev_end") == pl.col("start")).fill_null(False)
            )
            .then("_prev_start")
            .otherwise("start"),
        )
    )
    births = (
        header.select("CHILD", "DOB")
        .unique()
        .group_by("CHILD")
        .agg(_dob=pl.col("DOB").drop_nulls().unique())
        .select(
            "CHILD", DOB=pl.when(pl.col("_dob").list.len() == 1).then(pl.col("_dob").list.first())
        )
    )
    dob_known = pl.col("DOB").is_not_null()
    in_cohort = pl.col("long_term_cohort")
    two = pl.col("looked_after_2_years")
    on = ["year_end", "CHILD"]
    return (
        current.join(placement, on=on, how="left")
        .join(births, on="CHILD", how="left")
        .join(count_from("_year_start", "placements_in_year"), on=on, how="left")
        .join(count_from("_two_start", "placements_in_2_years"), on=on, how="left")
        .join(windows, on="year_end", how="left")
        .with_columns(
            pl.col("placements_in_year", "placements_in_2_years").fill_null(0),
            dob_known=dob_known,
            under_16=pl.when(dob_known).then(pl.col("DOB") > pl.col("_sixteen")),
            looked_after_2_years=pl.col("period_start") <= pl.col("_two_start"),
            looked_after_2_5_years=pl.col("period_start") <= pl.col("_long_start"),
        )
        .with_columns(
            three_or_more_in_year=pl.col("placements_in_year") >= 3,
            three_or_more_in_2_years=pl.when(two).then(pl.col("placements_in_2_years") >= 3),
            placements_in_2_years=pl.when(two).then("placements_in_2_years"),
            long_term_cohort=pl.col("under_16").fill_null(False) & pl.col("looked_after_2_5_years"),
        )
        .with_columns(
            same_placement_2_years=pl.when(in_cohort).then(
                pl.col("same_placement_since") <= pl.col("_two_start")
            )
        )
        .select(
            *keys,
            "period_start",
            "placement_start",
            "place",
            "same_placement_since",
            "DOB",
            "dob_known",
            "under_16",
            "placements_in_year",
            "three_or_more_in_year",
            "looked_after_2_years",
            "placements_in_2_years",
            "three_or_more_in_2_years",
            "looked_after_2_5_years",
            "long_term_cohort",
            "same_placement_2_years",
        )
        .sort("year_end", "CHILD")
    )


def stability(
    periods: pl.DataFrame,
    placements: pl.DataFrame,
    header: pl.DataFrame,
    year_end: dt.date,
) -> pl.DataFrame:
    """The three measures for the year ending `year_end` (see the module docstring).

    Columns: measure, description, year_end, children (the denominator), count (the
    numerator), percent (null when there are no children). Rows in the order of
    `MEASURES`. `stability_children` gives the per-child rows behind them."""
    return stability_on(periods, placements, header, [year_end])


def stability_on(
    periods: pl.DataFrame,
    placements: pl.DataFrame,
    header: pl.DataFrame,
    days: Sequence[dt.date],
) -> pl.DataFrame:
    """`stability` for several year ends at once: rows by year end (ascending), then in
    the order of `MEASURES`."""
    per_child = stability_children_on(periods, placements, header, days)
    parts = [
        ("three_or_more_in_year", pl.lit(True), "three_or_more_in_year"),
        ("three_or_more_in_2_years", pl.col("looked_after_2_years"), "three_or_more_in_2_years"),
        ("long_term_stability", pl.col("long_term_cohort"), "same_placement_2_years"),
    ]
    ends = _windows(days).select("year_end")
    rows = [
        ends.join(
            per_child.filter(cohort)
            .group_by("year_end")
            .agg(
                children=pl.len().cast(pl.Int64),
                count=pl.col(met).sum().cast(pl.Int64),
            ),
            on="year_end",
            how="left",
        ).select(
            measure=pl.lit(measure),
            description=pl.lit(MEASURES[measure]),
            year_end="year_end",
            children=pl.col("children").fill_null(0),
            count=pl.col("count").fill_null(0),
            _order=pl.lit(order),
        )
        for order, (measure, cohort, met) in enumerate(parts)
    ]
    share = 100.0 * pl.col("count") / pl.col("children")
    return (
        pl.concat(rows)
        .sort("year_end", "_order")
        .drop("_order")
        .with_columns(percent=pl.when(pl.col("children") > 0).then(share))
    )
