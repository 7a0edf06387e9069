"""Demand from the family's side: was it right first time, and how long from "I need help"
to the right assessment and the right help (Cumbria's Better for Children measures).

Right first time (per contact): the family made no further contact within `months`
(default 12) calendar months after the contact's date (a later contact on the day exactly
`months` months on still counts as coming back). Where that date is after `as_at` and the
family has not come back yet, it is "not yet known": left out of the share, counted apart.

A case is a chain of a family's contacts each within `months` months of the one before; it
starts at its first contact. Assessments and help belong to a family through its children
(each child is in the families its contacts name; a contact with no FAMILY puts the child
in a family of their own). Of the assessments and help of the family that started on or
after the case's first contact and before the family's next case (if any):
- the right assessment is the first one started on or after the case's last contact, else
  the last one started before it;
- the right help is the first help recorded as the right help (RIGHT_HELP yes), else the
  first help started on or after the case's last contact that is not recorded as not the
  right help (RIGHT_HELP no).
End-to-end time is in calendar days from the case's first contact. A case with no right
help yet is "waiting" (days waited so far to `as_at`); a case whose right help started less
than `months` months before `as_at` is "provisional": the family may yet come back.
Anything dated after `as_at` is not yet known, so is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from carejourney.measures.calendar import add_months
from carejourney.measures.demand.common import (
    FAMILY_KEY,
    ROW,
    child_families,
    in_family_order,
    month_of,
    share,
)

RIGHT_FIRST_TIME = "right first time"
NOT_RIGHT_FIRST_TIME = "not right first time"
NOT_YET_KNOWN = "not yet known"
HELPED, WAITING = "helped", "waiting"
RECORDED_RIGHT = "recorded as the right help"
FIRST_AFTER = "first help after the last contact"


def right_first_time(contacts: pl.DataFrame, as_at: dt.date, months: int = 12) -> pl.DataFrame:
    """The contacts made on or before `as_at`, in their order, with NEXT_CONTACT (the date of
    the family's next contact, if any by as_at) and RFT_STATUS: "right first time", "not
    right first time" or "not yet known"."""
    found = in_family_order(contacts.filter(pl.col("CONTACT_DATE") <= as_at))
    date = pl.col("CONTACT_DATE")
    following = date.shift(-1).over(FAMILY_KEY)
    horizon = add_months(date, months)
    status = (
        pl.when(following <= horizon)
        .then(pl.lit(NOT_RIGHT_FIRST_TIME))
        .when(horizon <= as_at)
        .then(pl.lit(RIGHT_FIRST_TIME))
        .otherwise(pl.lit(NOT_YET_KNOWN))
    )
    return (
        found.with_columns(following.alias("NEXT_CONTACT"), status.alias("RFT_STATUS"))
        .sort(ROW)
        .select(*contacts.columns, "NEXT_CONTACT", "RFT_STATUS")
    )


def _rft_counts() -> list[pl.Expr]:
    status = pl.col("RFT_STATUS")
    return [
        pl.len().cast(pl.Int64).alias("contacts"),
        (status == RIGHT_FIRST_TIME).sum().cast(pl.Int64).alias("right_first_time"),
        (status == NOT_RIGHT_FIRST_TIME).sum().cast(pl.Int64).alias("not_right_first_time"),
        (status == NOT_YET_KNOWN).sum().cast(pl.Int64).alias("not_yet_known"),
    ]


def _rft_share() -> pl.Expr:
    known = pl.col("right_first_time") + pl.col("not_right_first_time")
    return share(pl.col("right_first_time"), known).alias("right_first_time_pct")


def right_first_time_by_month(
    rft: pl.DataFrame, months: list[dt.date] | None = None
) -> pl.DataFrame:
    """month | contacts | right_first_time | not_right_first_time | not_yet_known |
    right_first_time_pct (of the contacts whose outcome is known), by month of contact
    (every month of `months` when given)."""
    found = rft.group_by(month_of(pl.col("CONTACT_DATE")).alias("month")).agg(_rft_counts())
    if months is not None:
        frame = pl.DataFrame({"month": months}, schema={"month": pl.Date})
        found = frame.join(found, on="month", how="left").with_columns(
            pl.exclude("month").fill_null(0)
        )
    return found.with_columns(_rft_share()).sort("month")


def right_first_time_overall(rft: pl.DataFrame) -> pl.DataFrame:
    """One row: the counts and share of `right_first_time_by_month` for all contacts given."""
    return rft.select(_rft_counts()).with_columns(_rft_share())


CASE_COLUMNS = {
    FAMILY_KEY: pl.String(),
    "CASE": pl.Int64(),  # 1 for the family's first case, 2 for the next, ...
    "FIRST_CONTACT": pl.Date(),
    "LAST_CONTACT": pl.Date(),
    "CONTACTS": pl.Int64(),
    "NEXT_CASE": pl.Date(),  # the first contact of the family's next case
    "ASSESSMENT_START": pl.Date(),  # the right assessment
    "HELP_START": pl.Date(),  # the right help
    "HELP": pl.String(),
    "HELP_FROM": pl.String(),  # RECORDED_RIGHT or FIRST_AFTER
    "DAYS_TO_ASSESSMENT": pl.Int64(),
    "DAYS_TO_HELP": pl.Int64(),
    "STATUS": pl.String(),  # HELPED or WAITING
    "DAYS_WAITING": pl.Int64(),  # waiting cases: days from the first contact to as_at
    "PROVISIONAL": pl.Boolean(),  # helped less than `months` months before as_at
}


def cases(
    contacts: pl.DataFrame,
    assessments: pl.DataFrame,
    help_given: pl.DataFrame,
    as_at: dt.date,
    months: int = 12,
) -> pl.DataFrame:
    """One row per case (columns `CASE_COLUMNS`), in order of family and first contact."""
    found = in_family_order(contacts.filter(pl.col("CONTACT_DATE") <= as_at))
    date = pl.col("CONTACT_DATE")
    previous = date.shift(1).over(FAMILY_KEY)
    starts = (previous.is_null() | (date > add_months(previous, months))).cast(pl.Int64)
    chains = (
        found.with_columns(starts.cum_sum().over(FAMILY_KEY).alias("CASE"))
        .group_by(FAMILY_KEY, "CASE")
        .agg(
            date.min().alias("FIRST_CONTACT"),
            date.max().alias("LAST_CONTACT"),
            pl.len().cast(pl.Int64).alias("CONTACTS"),
        )
        .sort(FAMILY_KEY, "CASE")
        .with_columns(pl.col("FIRST_CONTACT").shift(-1).over(FAMILY_KEY).alias("NEXT_CASE"))
    )
    families = child_families(contacts)
    assessed = _right_assessment(chains, _of_families(assessments, families, as_at))
    helped = _right_help(chains, _of_families(help_given, families, as_at))
    keys = [FAMILY_KEY, "CASE"]
    first = pl.col("FIRST_CONTACT")
    result = (
        chains.join(assessed, on=keys, how="left")
        .join(helped, on=keys, how="left")
        .with_columns(
            (pl.col("ASSESSMENT_START") - first).dt.total_days().alias("DAYS_TO_ASSESSMENT"),
            (pl.col("HELP_START") - first).dt.total_days().alias("DAYS_TO_HELP"),
            pl.when(pl.col("HELP_START").is_null())
            .then(pl.lit(WAITING))
            .otherwise(pl.lit(HELPED))
            .alias("STATUS"),
            pl.when(pl.col("HELP_START").is_null())
            .then((pl.lit(as_at) - first).dt.total_days())
            .alias("DAYS_WAITING"),
            (add_months(pl.col("HELP_START"), months) > as_at)
            .fill_null(False)
            .alias("PROVISIONAL"),
        )
    )
    return result.select(pl.col(name).cast(dtype) for name, dtype in CASE_COLUMNS.items()).sort(
        FAMILY_KEY, "CASE"
    )


def _of_families(frame: pl.DataFrame, families: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The rows of an assessments or help frame started by as_at, with each family of their
    child (a row for each family the child is in)."""
    return frame.filter(pl.col("START") <= as_at).join(families, on="CHILD", how="inner")


def _belonging(chains: pl.DataFrame, dated: pl.DataFrame) -> pl.DataFrame:
    """Each case with the rows of `dated` that started in it: on or after its first contact
    and before the family's next case."""
    start = pl.col("START")
    return chains.join(dated, on=FAMILY_KEY, how="inner").filter(
        (start >= pl.col("FIRST_CONTACT"))
        & (pl.col("NEXT_CASE").is_null() | (start < pl.col("NEXT_CASE")))
    )


def _right_assessment(chains: pl.DataFrame, assessments: pl.DataFrame) -> pl.DataFrame:
    start, last = pl.col("START"), pl.col("LAST_CONTACT")
    return (
        _belonging(chains, assessments.select(FAMILY_KEY, "START"))
        .group_by(FAMILY_KEY, "CASE")
        .agg(
            pl.coalesce(start.filter(start >= last).min(), start.filter(start < last).max()).alias(
                "ASSESSMENT_START"
            )
        )
    )


def _right_help(chains: pl.DataFrame, help_given: pl.DataFrame) -> pl.DataFrame:
    start, last, right = pl.col("START"), pl.col("LAST_CONTACT"), pl.col("RIGHT_HELP")
    recorded = right.fill_null(False)
    # Help recorded as not the right help is never taken as the right help.
    after = (start >= last) & right.fill_null(True)
    rows = _belonging(chains, help_given.select(FAMILY_KEY, "START", "HELP", "RIGHT_HELP"))
    # The first of each kind, ties in start date broken by the help's name, so the answer
    # does not depend on the order of the file.
    ranked = rows.sort(FAMILY_KEY, "CASE", "START", "HELP", nulls_last=True)
    return (
        ranked.group_by(FAMILY_KEY, "CASE", maintain_order=True)
        .agg(
            start.filter(recorded).first().alias("_recorded_start"),
            pl.col("HELP").filter(recorded).first().alias("_recorded_help"),
            start.filter(after).first().alias("_after_start"),
            pl.col("HELP").filter(after).first().alias("_after_help"),
        )
        .select(
            FAMILY_KEY,
            "CASE",
            pl.coalesce("_recorded_start", "_after_start").alias("HELP_START"),
            pl.when(pl.col("_recorded_start").is_not_null())
            .then(pl.col("_recorded_help"))
            .otherwise(pl.col("_after_help"))
            .alias("HELP"),
            pl.when(pl.col("_recorded_start").is_not_null())
            .then(pl.lit(RECORDED_RIGHT))
            .when(pl.col("_after_start").is_not_null())
            .then(pl.lit(FIRST_AFTER))
            .alias("HELP_FROM"),
        )
    )


@dataclass(frozen=True)
class EndToEnd:
    """Headline end-to-end figures: the cases whose right help started in a window, and
    the cases still waiting."""

    helped: int
    median_days_to_help: float | None
    median_days_to_assessment: float | None  # of the helped cases that had an assessment
    provisional: int  # of the helped, those the family may yet come back from
    waiting: int
    median_days_waiting: float | None
    longest_wait: int | None


def end_to_end(found_cases: pl.DataFrame, first: dt.date, last: dt.date) -> EndToEnd:
    """The cases (`cases`) whose right help started from `first` to `last`: how many, the
    median days to the right help and to the right assessment, how many are provisional;
    and all the cases still waiting: how many, the median and the longest wait so far."""
    helped = found_cases.filter(pl.col("HELP_START").is_between(first, last))
    waiting = found_cases.filter(pl.col("STATUS") == WAITING)
    longest = waiting["DAYS_WAITING"].max()
    return EndToEnd(
        helped=helped.height,
        median_days_to_help=_median(helped["DAYS_TO_HELP"]),
        median_days_to_assessment=_median(helped["DAYS_TO_ASSESSMENT"]),
        provisional=int(helped["PROVISIONAL"].sum()),
        waiting=waiting.height,
        median_days_waiting=_median(waiting["DAYS_WAITING"]),
        longest_wait=None if longest is None else int(longest),  # type: ignore[arg-type]
    )


def _median(values: pl.Series) -> float | None:
    found = values.median()
    return None if found is None else float(found)  # type: ignore[arg-type]
