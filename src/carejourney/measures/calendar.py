"""Calendar arithmetic for timescale rules, vectorised over whole tables.

Every function takes Polars expressions over Date columns and returns an expression, so a
rule is worked out for every child in one pass. `evaluate` works one out for single dates.

Working days are Monday to Friday except the bank holidays of the LA's nation. Weeks and
months are calendar arithmetic and are never moved off weekends or bank holidays: the
statutory rules count them that way ("within 3 months", "within 26 weeks").
Null dates (and null counts) give null.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import holidays
import polars as pl

from carejourney.schema.types import Nation

# The `holidays` library's subdivisions of "GB"; Wales (WLS) has the same days as ENG.
_SUBDIVISION = {
    Nation.ENGLAND_AND_WALES: "ENG",
    Nation.SCOTLAND: "SCT",
    Nation.NORTHERN_IRELAND: "NIR",
}

# Years whose bank holidays the working-day functions know. Older than any child's record
# held today, and far enough ahead for any deadline. Dates outside these years are treated
# as having no bank holidays. Future years are the library's projection of the usual
# pattern: a one-off holiday (a coronation, a state funeral) appears once it is announced
# and the `holidays` package is updated.
YEARS = range(1990, 2061)


def bank_holidays(nation: Nation | str, first_year: int, last_year: int) -> list[dt.date]:
    """The nation's bank holidays from 1 January `first_year` to 31 December `last_year`.

    These are the days offices close, as GOV.UK lists them: a holiday falling at a weekend
    is given by its substitute day (Christmas Day 2022, a Sunday, by Tuesday 27 December)
    and the weekend date itself is left out. One-off holidays are included."""
    return list(_bank_holidays(Nation(nation), first_year, last_year))


@cache
def _bank_holidays(nation: Nation, first_year: int, last_year: int) -> tuple[dt.date, ...]:
    found = holidays.country_holidays(
        "GB", subdiv=_SUBDIVISION[nation], years=range(first_year, last_year + 1)
    )
    return tuple(sorted(day for day in found if day.weekday() < 5))


def _holidays(nation: Nation | str, years: range) -> tuple[dt.date, ...]:
    if not years:
        raise ValueError("years must hold at least one year")
    return _bank_holidays(Nation(nation), min(years), max(years))


def is_working_day(day: pl.Expr, nation: Nation | str, years: range = YEARS) -> pl.Expr:
    """True where `day` is Monday to Friday and not one of the nation's bank holidays."""
    return day.dt.is_business_day(holidays=_holidays(nation, years))


def add_working_days(
    start: pl.Expr, n: int | pl.Expr, nation: Nation | str, years: range = YEARS
) -> pl.Expr:
    """The n-th working day after `start`; `start` itself is never counted.

    "Within 20 working days of becoming looked after": day 1 is the first working day after
    the day the child became looked after, and the result is day 20, the last day that is in
    time. When `start` is a weekend or a bank holiday, day 1 is the next working day (a child
    looked after on a Saturday has Monday as day 1), as if it started on the working day
    before.
    A positive n always gives a working day, so a deadline never lands on a bank holiday.

    n = 0 gives `start` unchanged. A negative n counts back: the |n|-th working day before
    `start`, again not counting `start` itself."""
    free = _holidays(nation, years)
    # Rolling a non-working start back to the previous working day and then counting on
    # makes day 1 the first working day after it; rolling forward does the same backwards.
    after = start.dt.add_business_days(n, holidays=free, roll="backward")
    before = start.dt.add_business_days(n, holidays=free, roll="forward")
    if isinstance(n, int):
        return after if n > 0 else before if n < 0 else start
    return pl.when(n > 0).then(after).when(n < 0).then(before).when(n == 0).then(start)


def working_days_between(
    start: pl.Expr, end: pl.Expr, nation: Nation | str, years: range = YEARS
) -> pl.Expr:
    """How many working days come after `start`, up to and including `end`.

    The inverse of `add_working_days`: for n >= 0, working_days_between(s,
    add_working_days(s, n)) == n. The same day gives 0; Friday to the next Monday gives 1.
    When `end` is before `start` the count is negative: minus the working days after `end`
    up to and including `start`."""
    free = _holidays(nation, years)
    # business_day_count(a, b) counts from a, included, towards b, not included, and is
    # negative when b is before a: [a, b) forwards, minus (b, a] backwards. Forwards, a day
    # later on both sides gives (start, end]; backwards, (end, start] is already right.
    forwards = pl.business_day_count(_next_day(start), _next_day(end), holidays=free)
    backwards = pl.business_day_count(start, end, holidays=free)
    return pl.when(end >= start).then(forwards).otherwise(backwards)


def full_working_days_between(
    first: pl.Expr, second: pl.Expr, nation: Nation | str, years: range = YEARS
) -> pl.Expr:
    """How many working days fall strictly between `first` and `second` (neither counted).

    Information sent on Tuesday for a review on Friday had 2 full working days (Wednesday
    and Thursday). Negative when `second` is before `first`, so something done after the
    event it was due before never counts as in time. The same or adjacent days give 0."""
    free = _holidays(nation, years)
    # From the day after the earlier date up to but not including the later one (see
    # working_days_between). When the two are the same day that runs backwards and gives
    # -1 or 0, hence the clip.
    forward = pl.business_day_count(_next_day(first), second, holidays=free)
    backward = pl.business_day_count(_next_day(second), first, holidays=free)
    return (
        pl.when(second >= first)
        .then(forward.clip(lower_bound=0))
        .when(second < first)
        .then(-backward.clip(lower_bound=0))
    )


def full_working_days_before(
    event: pl.Expr, n: int, nation: Nation | str, years: range = YEARS
) -> pl.Expr:
    """The latest date something can be done with at least n full working days between it
    and `event`, neither day counted (CELCIS: information to Legal "at least 8 full working
    days before" the review).

    Done on or before this date is in time; the day after is not. Exactly:
    full_working_days_between(d, event) >= n if and only if d <= this date. The date is the
    day before the n-th working day before `event`, so it can be a weekend or a bank
    holiday (review Thursday 21 March 2024, n = 8: Sunday 10 March); the working day to aim
    for is then the last one before it."""
    if n < 1:
        raise ValueError(f"n must be at least 1 full working day, not {n}")
    nth_before = add_working_days(event, -n, nation, years)
    return nth_before.dt.offset_by("-1d")


def age_on(dob: pl.Expr, day: pl.Expr) -> pl.Expr:
    """Whole years between a date of birth and a day: a year older on the birthday (born
    29 February: on 1 March in other years)."""

    # month() and day() are Int8: widen before multiplying, or April x 100 overflows.
    def month_day(date: pl.Expr) -> pl.Expr:
        return date.dt.month().cast(pl.Int32) * 100 + date.dt.day().cast(pl.Int32)

    return (
        day.dt.year().cast(pl.Int64)
        - dob.dt.year().cast(pl.Int64)
        - (month_day(day) < month_day(dob)).cast(pl.Int64)
    )


def add_days(start: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    """`start` plus n calendar days (day n after `start`; negative n goes back)."""
    return start.dt.offset_by(_offset(n, "d"))


def add_weeks(start: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    """`start` plus 7n calendar days: 26 weeks from Monday 8 January 2024 is Monday 8 July."""
    return start.dt.offset_by(_offset(n, "w"))


def add_months(start: pl.Expr, n: int | pl.Expr) -> pl.Expr:
    """`start` plus n calendar months: the same day of the month, n months on.

    Where that month is too short the result is its last day: 31 January 2024 plus 1 month
    is 29 February 2024; 31 August 2023 plus 6 months is 29 February 2024 and 31 August 2022
    plus 6 months is 28 February 2023. So the day of the month never increases, and months
    do not add up step by step (31 Jan + 1 month + 1 month is 29 March, but 31 Jan + 2
    months is 31 March): always count from the date the rule starts from."""
    return start.dt.offset_by(_offset(n, "mo"))


def evaluate(expr: pl.Expr, **values: dt.date | int) -> object:
    """One expression worked out for single values, named as its columns are.

    evaluate(add_working_days(pl.col("start"), 20, "scotland"), start=date(2023, 12, 1))
    gives date(2024, 1, 4)."""
    row = pl.DataFrame({name: [value] for name, value in values.items()})
    return row.select(expr).item()


def _next_day(day: pl.Expr) -> pl.Expr:
    return day.dt.offset_by("1d")


def _offset(n: int | pl.Expr, unit: str) -> str | pl.Expr:
    # offset_by takes text such as "6mo" or "-1w", one per row when n varies by row.
    if isinstance(n, int):
        return f"{n}{unit}"
    return pl.format("{}" + unit, n)
