"""The period, months and words every demand measure shares."""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.demand.common import (
    date_words,
    days_before_words,
    in_family_order,
    months_before,
    months_between,
    period_start,
)
from tests.measures.demand.tables import contacts


def test_the_period_starts_on_the_first_of_a_month() -> None:
    assert period_start(dt.date(2024, 6, 15), 12) == dt.date(2023, 7, 1)
    assert period_start(dt.date(2024, 6, 15), 1) == dt.date(2024, 6, 1)
    assert period_start(dt.date(2024, 1, 31), 3) == dt.date(2023, 11, 1)
    assert months_between(dt.date(2023, 11, 20), dt.date(2024, 1, 5)) == [
        dt.date(2023, 11, 1),
        dt.date(2023, 12, 1),
        dt.date(2024, 1, 1),
    ]


def test_months_before_as_calendar_months() -> None:
    assert months_before(dt.date(2024, 2, 29), 12) == dt.date(2023, 2, 28)
    assert months_before(dt.date(2024, 3, 31), 1) == dt.date(2024, 2, 29)


def test_dates_and_days_in_words() -> None:
    frame = pl.DataFrame({"d": [dt.date(2024, 3, 3)], "n": [0]}).vstack(
        pl.DataFrame({"d": [dt.date(2024, 12, 25)], "n": [1]})
    )
    found = frame.select(date_words(pl.col("d")), days_before_words(pl.col("n")).alias("w"))
    assert found.rows() == [("3 March 2024", "the same day"), ("25 December 2024", "1 day before")]
    assert pl.select(days_before_words(pl.lit(12))).item() == "12 days before"


def test_family_order_is_family_then_date_then_file_order() -> None:
    found = in_family_order(
        contacts(
            """
            CHILD | FAMILY | CONTACT_DATE
            B     |        | 02/01/2024
            A     | F      | 02/01/2024
            B     |        | 01/01/2024
            C     | F      | 02/01/2024
            """
        )
    )
    assert found.select("FAMILY_KEY", "CHILD", "ROW", "POS").rows() == [
        ("B", "B", 2, 0),
        ("B", "B", 0, 1),
        ("F", "A", 1, 2),
        ("F", "C", 3, 3),
    ]
