"""Re-referrals within 12 months, as the DfE counts them in the children in need census
("Characteristics of children in need": a referral within 12 months of a previous referral
of the same child).

The referrals are the CIN census referrals when any are loaded (the national definition),
else the contacts passed to children's social care (OUTCOME ASSESSMENT, CIN, CP or
LOOKED_AFTER), dated by their contact date. Counted per child; a child's referrals on the
same day count once. A referral is a re-referral when the same child had an earlier referral
dated on or after the date 12 calendar months before it (referred 15 March 2024: an earlier
referral from 15 March 2023 counts; 29 February 2024 looks back to 28 February 2023).
Rate = re-referrals / referrals, as a percentage.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl

from carejourney.measures.calendar import add_months
from carejourney.measures.demand.common import (
    month_of,
    months_before,
    percent,
    share,
)
from carejourney.measures.demand.data import DemandData
from carejourney.schema.demand import REFERRAL_OUTCOMES

FROM_CIN_CENSUS = "CIN census referrals"
FROM_CONTACTS = "contacts passed to children's social care"
LOOK_BACK_MONTHS = 12  # the DfE definition: not a setting


def referrals_of(data: DemandData) -> tuple[pl.DataFrame, str]:
    """CHILD | REFERRAL_DATE, one row per child and day, sorted; and where they came from
    (`FROM_CIN_CENSUS` or `FROM_CONTACTS`)."""
    if data.cin_referrals.height:
        found, source = data.cin_referrals.select("CHILD", "REFERRAL_DATE"), FROM_CIN_CENSUS
    else:
        found = data.contacts.filter(pl.col("OUTCOME").is_in(REFERRAL_OUTCOMES)).select(
            "CHILD", pl.col("CONTACT_DATE").alias("REFERRAL_DATE")
        )
        source = FROM_CONTACTS
    found = (
        found.drop_nulls(["CHILD", "REFERRAL_DATE"])
        .unique(["CHILD", "REFERRAL_DATE"])
        .sort("CHILD", "REFERRAL_DATE")
    )
    return found, source


def rereferrals(referrals: pl.DataFrame) -> pl.DataFrame:
    """The referrals (CHILD | REFERRAL_DATE, one per child and day) with PREVIOUS_REFERRAL
    (the child's referral before, if any) and RE_REFERRAL (it was on or after the date 12
    months before this one)."""
    date = pl.col("REFERRAL_DATE")
    previous = date.shift(1).over("CHILD")
    return (
        referrals.unique(["CHILD", "REFERRAL_DATE"])
        .sort("CHILD", "REFERRAL_DATE")
        .with_columns(previous.alias("PREVIOUS_REFERRAL"))
        .with_columns(
            (pl.col("PREVIOUS_REFERRAL") >= add_months(date, -LOOK_BACK_MONTHS))
            .fill_null(False)
            .alias("RE_REFERRAL")
        )
    )


def _counts() -> list[pl.Expr]:
    return [
        pl.len().cast(pl.Int64).alias("referrals"),
        pl.col("RE_REFERRAL").sum().cast(pl.Int64).alias("re_referrals"),
    ]


def by_month(found: pl.DataFrame, months: list[dt.date] | None = None) -> pl.DataFrame:
    """month | referrals | re_referrals | re_referral_pct, by month of the referral (every
    month of `months` when given)."""
    counted = found.group_by(month_of(pl.col("REFERRAL_DATE")).alias("month")).agg(_counts())
    if months is not None:
        frame = pl.DataFrame({"month": months}, schema={"month": pl.Date})
        counted = frame.join(counted, on="month", how="left").with_columns(
            pl.exclude("month").fill_null(0)
        )
    return counted.with_columns(
        share(pl.col("re_referrals"), pl.col("referrals")).alias("re_referral_pct")
    ).sort("month")


@dataclass(frozen=True)
class YearRate:
    """The re-referral rate for the 12 months to a date: referrals dated from `first` to
    `last`, both included."""

    first: dt.date
    last: dt.date
    referrals: int
    re_referrals: int
    re_referral_pct: float | None


def rate_to(found: pl.DataFrame, as_at: dt.date) -> YearRate:
    """The re-referral rate of `rereferrals` for the 12 months to `as_at`: referrals dated
    after the date 12 months before as_at, up to as_at itself."""
    first = months_before(as_at, LOOK_BACK_MONTHS) + dt.timedelta(days=1)
    year = found.filter(pl.col("REFERRAL_DATE").is_between(first, as_at))
    referrals, again = year.height, int(year["RE_REFERRAL"].sum())
    return YearRate(first, as_at, referrals, again, percent(again, referrals))
