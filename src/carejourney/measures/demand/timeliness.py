"""Front-door timeliness against Working Together to Safeguard Children 2023: a decision
within 1 working day of a contact, and an assessment authorised within 45 working days of
the referral. Working days skip weekends and the bank holidays of the LA's nation
(`measures.calendar`).

Decisions: working days = working days after the contact's date up to and including the
decision's (same day 0, next working day 1); on time when at most `limit`. A contact with no
decision by `as_at` is "overdue" once more than `limit` working days have passed by as_at,
else "not yet due". A decision dated before its contact is "dates to check".

Assessments: the referral date is REFERRAL_DATE where recorded, else the child's latest
referral on or before the assessment's start (`referrals.referrals_of`), else the start
itself; REFERRAL_FROM says which. Authorised within `limit` working days: "on time", else
"late". Not authorised by as_at: "overdue" once more than `limit` working days have passed,
else "open, not yet due". Authorised before the referral: "dates to check".
The assessments are the LA's own assessments file when any are loaded, else the CIN census
assessments.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.calendar import working_days_between
from carejourney.measures.demand.common import month_of, share
from carejourney.measures.demand.data import DemandData
from carejourney.schema.types import Nation

ON_TIME, LATE, OVERDUE = "on time", "late", "overdue"
NOT_YET_DUE, OPEN_NOT_YET_DUE = "not yet due", "open, not yet due"
DATES_TO_CHECK = "dates to check"
FROM_RECORDED = "recorded with the assessment"
FROM_REFERRAL = "the child's latest referral before it"
FROM_START = "the assessment's start (no referral found)"


def _status(
    start: pl.Expr, end: pl.Expr, as_at: dt.date, nation: Nation | str, limit: int, still: str
) -> tuple[pl.Expr, pl.Expr]:
    """Working days from `start` to `end` (to as_at while not ended), and the status."""
    ended = end.is_not_null() & (end <= as_at)
    taken = working_days_between(start, end, nation)
    waited = working_days_between(start, pl.lit(as_at), nation)
    days = pl.when(ended).then(taken).otherwise(waited)
    status = (
        pl.when(start.is_null())
        .then(pl.lit(None, dtype=pl.String))
        .when(ended & (taken < 0))
        .then(pl.lit(DATES_TO_CHECK))
        .when(ended & (taken <= limit))
        .then(pl.lit(ON_TIME))
        .when(ended)
        .then(pl.lit(LATE))
        .when(waited > limit)
        .then(pl.lit(OVERDUE))
        .otherwise(pl.lit(still))
    )
    return days.cast(pl.Int64), status


def decisions(
    contacts: pl.DataFrame, as_at: dt.date, nation: Nation | str, limit: int = 1
) -> pl.DataFrame:
    """The contacts made on or before as_at, with WORKING_DAYS (to the decision, or so far)
    and DECISION_STATUS."""
    days, status = _status(
        pl.col("CONTACT_DATE"), pl.col("DECISION_DATE"), as_at, nation, limit, NOT_YET_DUE
    )
    return contacts.filter(pl.col("CONTACT_DATE") <= as_at).with_columns(
        days.alias("WORKING_DAYS"), status.alias("DECISION_STATUS")
    )


def assessments_of(data: DemandData) -> pl.DataFrame:
    """CHILD | REFERRAL_DATE | START | AUTHORISED: the LA's assessments when any are
    loaded, else the CIN census assessments."""
    columns = ("CHILD", "REFERRAL_DATE", "START", "AUTHORISED")
    frame = data.assessments if data.assessments.height else data.cin_assessments
    return frame.select(columns)


def assessments(
    found: pl.DataFrame,
    referrals: pl.DataFrame,
    as_at: dt.date,
    nation: Nation | str,
    limit: int = 45,
) -> pl.DataFrame:
    """The assessments started on or before as_at with REFERRAL_USED, REFERRAL_FROM,
    WORKING_DAYS (to authorisation, or so far) and ASSESSMENT_STATUS. `referrals` is
    CHILD | REFERRAL_DATE (`referrals.referrals_of`)."""
    started = (
        found.filter(pl.col("START") <= as_at)
        .with_row_index("_ROW")
        .sort("START")
        .join_asof(
            referrals.select("CHILD", pl.col("REFERRAL_DATE").alias("_LATEST")).sort("_LATEST"),
            left_on="START",
            right_on="_LATEST",
            by="CHILD",
            strategy="backward",
            check_sortedness=False,
        )
        .sort("_ROW")
    )
    used = pl.coalesce("REFERRAL_DATE", "_LATEST", "START")
    source = (
        pl.when(pl.col("REFERRAL_DATE").is_not_null())
        .then(pl.lit(FROM_RECORDED))
        .when(pl.col("_LATEST").is_not_null())
        .then(pl.lit(FROM_REFERRAL))
        .otherwise(pl.lit(FROM_START))
    )
    days, status = _status(
        pl.col("REFERRAL_USED"), pl.col("AUTHORISED"), as_at, nation, limit, OPEN_NOT_YET_DUE
    )
    return (
        started.with_columns(used.alias("REFERRAL_USED"), source.alias("REFERRAL_FROM"))
        .with_columns(days.alias("WORKING_DAYS"), status.alias("ASSESSMENT_STATUS"))
        .drop("_ROW", "_LATEST")
    )


def _counts(status: str) -> list[pl.Expr]:
    column = pl.col(status)
    return [
        pl.len().cast(pl.Int64).alias("total"),
        (column == ON_TIME).sum().cast(pl.Int64).alias("on_time"),
        (column == LATE).sum().cast(pl.Int64).alias("late"),
        (column == OVERDUE).sum().cast(pl.Int64).alias("overdue"),
        column.is_in([NOT_YET_DUE, OPEN_NOT_YET_DUE]).sum().cast(pl.Int64).alias("not_yet_due"),
        (column == DATES_TO_CHECK).sum().cast(pl.Int64).alias("dates_to_check"),
    ]


def _on_time_share() -> pl.Expr:
    due = pl.col("on_time") + pl.col("late") + pl.col("overdue")
    return share(pl.col("on_time"), due).alias("on_time_pct")


def by_month(
    found: pl.DataFrame, date: str, status: str, months: list[dt.date] | None = None
) -> pl.DataFrame:
    """month | total | on_time | late | overdue | not_yet_due | dates_to_check | on_time_pct
    by month of `date`, from a `decisions` (status DECISION_STATUS) or `assessments`
    (ASSESSMENT_STATUS) frame. on_time_pct is on time / (on time + late + overdue): of
    those whose timescale has run out or that were done; not yet due and dates to check are
    left out."""
    counted = found.group_by(month_of(pl.col(date)).alias("month")).agg(_counts(status))
    if months is not None:
        frame = pl.DataFrame({"month": months}, schema={"month": pl.Date})
        counted = frame.join(counted, on="month", how="left").with_columns(
            pl.exclude("month").fill_null(0)
        )
    return counted.with_columns(_on_time_share()).sort("month")


def overall(found: pl.DataFrame, status: str) -> pl.DataFrame:
    """One row: the counts and on_time_pct of `by_month` for every row given."""
    return found.select(_counts(status)).with_columns(_on_time_share())
