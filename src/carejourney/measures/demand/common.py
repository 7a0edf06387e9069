"""What every demand measure shares: a contact's family, the order of contacts, months, and
dates and day counts in words.

"Family" is FAMILY where the contact gives one, else CHILD (a contact about a family may
carry the family's ID in CHILD). "Earlier" is strictly earlier in (CONTACT_DATE, row order):
two contacts on the same day are in the order of the file. Contacts without a date or a
child are left out of every measure (the reader refuses such rows, so none should arrive).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.calendar import add_months

FAMILY_KEY = "FAMILY_KEY"  # FAMILY, else CHILD
ROW = "ROW"  # the contact's row in the frame given (0 = first), for "row order"
POS = "POS"  # the contact's place in family order: (FAMILY_KEY, CONTACT_DATE, ROW)


def in_family_order(contacts: pl.DataFrame) -> pl.DataFrame:
    """The contacts with ROW, FAMILY_KEY and POS, sorted by family, date and row order."""
    return (
        contacts.with_row_index(ROW)
        .with_columns(pl.coalesce("FAMILY", "CHILD").alias(FAMILY_KEY))
        .filter(pl.col("CONTACT_DATE").is_not_null() & pl.col(FAMILY_KEY).is_not_null())
        .sort(FAMILY_KEY, "CONTACT_DATE", ROW)
        .with_row_index(POS)
    )


def child_families(contacts: pl.DataFrame) -> pl.DataFrame:
    """CHILD | FAMILY_KEY: which families each child's contacts put them in (a child whose
    contacts name two families is in both)."""
    return (
        contacts.filter(pl.col("CHILD").is_not_null())
        .select("CHILD", pl.coalesce("FAMILY", "CHILD").alias(FAMILY_KEY))
        .unique()
    )


def month_of(day: pl.Expr) -> pl.Expr:
    """The first day of the date's month: how monthly figures are dated."""
    return day.dt.truncate("1mo")


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s, in order."""
    return pl.date_range(first.replace(day=1), last.replace(day=1), "1mo", eager=True).to_list()


def period_start(as_at: dt.date, months: int) -> dt.date:
    """The first day of the `months`-month period ending on `as_at`: the 1st of the month
    `months - 1` months before as_at's month, so every month but the last is whole."""
    index = as_at.year * 12 + as_at.month - 1 - (months - 1)
    return dt.date(index // 12, index % 12 + 1, 1)


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day when shorter),
    as `calendar.add_months` counts."""
    found = pl.select(add_months(pl.lit(day), -months)).item()
    assert isinstance(found, dt.date)
    return found


def date_words(day: pl.Expr) -> pl.Expr:
    """A date as people write it: "3 March 2024" (English month names on every server)."""
    return day.dt.strftime("%-d %B %Y")


def days_before_words(days: pl.Expr) -> pl.Expr:
    """A number of days before: "the same day", "1 day before", "12 days before"."""
    return (
        pl.when(days == 0)
        .then(pl.lit("the same day"))
        .when(days == 1)
        .then(pl.lit("1 day before"))
        .otherwise(pl.format("{} days before", days))
    )


def share(part: pl.Expr, whole: pl.Expr) -> pl.Expr:
    """part / whole as a percentage, null when whole is 0."""
    return pl.when(whole > 0).then(part * 100.0 / whole)


def percent(part: int, whole: int) -> float | None:
    """part / whole as a percentage, None when whole is 0."""
    return part * 100.0 / whole if whole else None
