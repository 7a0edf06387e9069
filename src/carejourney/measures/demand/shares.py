"""How much of the demand coming in is value and how much failure: by month, by who made
contact (SOURCE), by team, and failure demand by type; each split into the contacts a team
classed (recorded) and those the rules classed (suggested).

The input is `classify`'s output. Failure share = failure contacts / all contacts, as a
percentage (null where there are no contacts). A month is the calendar month of the
contact's date, dated by its first day.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.demand.classify import (
    FAILURE,
    FAILURE_WORDS,
    RECORDED,
    SUGGESTED,
    VALUE,
)
from carejourney.measures.demand.common import month_of, share

NOT_RECORDED = "not recorded"


def _counts() -> list[pl.Expr]:
    cls, source = pl.col("DEMAND_CLASS"), pl.col("CLASS_SOURCE")
    recorded, suggested = source == RECORDED, source == SUGGESTED
    return [
        pl.len().cast(pl.Int64).alias("contacts"),
        (cls == VALUE).sum().cast(pl.Int64).alias("value"),
        (cls == FAILURE).sum().cast(pl.Int64).alias("failure"),
        recorded.sum().cast(pl.Int64).alias("recorded"),
        (recorded & (cls == FAILURE)).sum().cast(pl.Int64).alias("recorded_failure"),
        suggested.sum().cast(pl.Int64).alias("suggested"),
        (suggested & (cls == FAILURE)).sum().cast(pl.Int64).alias("suggested_failure"),
    ]


def _percentages() -> list[pl.Expr]:
    return [
        share(pl.col("failure"), pl.col("contacts")).alias("failure_pct"),
        share(pl.col("recorded_failure"), pl.col("recorded")).alias("recorded_failure_pct"),
        share(pl.col("suggested_failure"), pl.col("suggested")).alias("suggested_failure_pct"),
    ]


COLUMNS = (
    "contacts",
    "value",
    "failure",
    "failure_pct",
    "recorded",
    "recorded_failure",
    "recorded_failure_pct",
    "suggested",
    "suggested_failure",
    "suggested_failure_pct",
)


def overall(classified: pl.DataFrame) -> pl.DataFrame:
    """One row: the counts and failure shares of all the contacts given."""
    return classified.select(_counts()).with_columns(_percentages()).select(COLUMNS)


def by_month(classified: pl.DataFrame, months: list[dt.date] | None = None) -> pl.DataFrame:
    """month | contacts | value | failure | failure_pct | recorded | recorded_failure |
    recorded_failure_pct | suggested | suggested_failure | suggested_failure_pct, one row per
    month (every month of `months` when given, with 0 where there were no contacts)."""
    found = classified.group_by(month_of(pl.col("CONTACT_DATE")).alias("month")).agg(_counts())
    if months is not None:
        frame = pl.DataFrame({"month": months}, schema={"month": pl.Date})
        found = frame.join(found, on="month", how="left").with_columns(
            pl.exclude("month").fill_null(0)
        )
    return found.with_columns(_percentages()).select("month", *COLUMNS).sort("month")


def by_group(classified: pl.DataFrame, column: str) -> pl.DataFrame:
    """`column` (SOURCE or TEAM; blank ones as "not recorded") | the counts and shares of
    `by_month`, one row per value, the most contacts first."""
    group = pl.col(column).fill_null(NOT_RECORDED).alias(column)
    return (
        classified.group_by(group)
        .agg(_counts())
        .with_columns(_percentages())
        .select(column, *COLUMNS)
        .sort(["contacts", column], descending=[True, False])
    )


def failure_types(classified: pl.DataFrame) -> pl.DataFrame:
    """FAILURE_KIND (a failure type code, or "not recorded") | failure_kind (in words) |
    contacts | recorded | suggested | pct_of_failure | pct_of_contacts: the failure demand by
    type, in the order the rules are tried, "not recorded" last; types with no contacts
    are listed with 0."""
    failure = classified.filter(pl.col("DEMAND_CLASS") == FAILURE)
    codes = [*FAILURE_WORDS, NOT_RECORDED]
    kinds = pl.DataFrame(
        {
            "FAILURE_KIND": codes,
            "failure_kind": [*FAILURE_WORDS.values(), "type not recorded"],
            "_order": list(range(len(codes))),
        }
    )
    counted = failure.group_by(pl.col("FAILURE_KIND").fill_null(NOT_RECORDED)).agg(
        pl.len().cast(pl.Int64).alias("contacts"),
        (pl.col("CLASS_SOURCE") == RECORDED).sum().cast(pl.Int64).alias("recorded"),
        (pl.col("CLASS_SOURCE") == SUGGESTED).sum().cast(pl.Int64).alias("suggested"),
    )
    # A type recorded by a team that carejourney does not know is still counted, after the
    # known ones.
    unknown = counted.join(kinds, on="FAILURE_KIND", how="anti").select(
        "FAILURE_KIND",
        pl.col("FAILURE_KIND").alias("failure_kind"),
        pl.lit(len(codes)).alias("_order"),
    )
    every = pl.concat([kinds, unknown], how="vertical_relaxed")
    return (
        every.join(counted, on="FAILURE_KIND", how="left")
        .with_columns(pl.col("contacts", "recorded", "suggested").fill_null(0))
        .with_columns(
            share(pl.col("contacts"), pl.lit(failure.height)).alias("pct_of_failure"),
            share(pl.col("contacts"), pl.lit(classified.height)).alias("pct_of_contacts"),
        )
        .sort("_order", "FAILURE_KIND")
        .drop("_order")
    )
