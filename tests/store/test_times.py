"""Times read from the store: UTC with or without a zone, shown on UK clocks."""

from __future__ import annotations

import datetime as dt

from carejourney.store.times import stored_utc, uk_time


def test_a_time_without_a_zone_is_utc_and_one_with_a_zone_is_kept() -> None:
    naive = dt.datetime(2026, 6, 1, 23, 30)
    assert stored_utc(naive) == dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.UTC)
    zoned = dt.datetime(2026, 6, 1, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert stored_utc(zoned) is zoned
    assert stored_utc(None) is None


def test_uk_clocks_are_an_hour_ahead_in_summer_and_not_in_winter() -> None:
    summer = uk_time(dt.datetime(2026, 6, 1, 23, 30))
    assert (summer.date(), summer.hour, summer.minute) == (dt.date(2026, 6, 2), 0, 30)
    winter = uk_time(dt.datetime(2026, 12, 1, 23, 30, tzinfo=dt.UTC))
    assert (winter.date(), winter.hour) == (dt.date(2026, 12, 1), 23)
