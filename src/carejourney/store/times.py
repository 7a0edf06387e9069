"""Times as the store keeps them: in UTC. PostgreSQL gives them back with their zone;
SQLite gives them back without one, and they are UTC all the same. And UK clocks, which
people read them by."""

from __future__ import annotations

import datetime as dt
from typing import overload
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["UK", "UK_TIME", "stored_utc", "uk_time"]

UK_TIME = "Europe/London"


def _uk() -> dt.tzinfo:
    try:
        return ZoneInfo(UK_TIME)
    except ZoneInfoNotFoundError:  # no time zone data on this system (tzdata from PyPI has it)
        return dt.UTC


UK = _uk()


@overload
def stored_utc(moment: dt.datetime) -> dt.datetime: ...
@overload
def stored_utc(moment: None) -> None: ...
def stored_utc(moment: dt.datetime | None) -> dt.datetime | None:
    """A time read from the store, with its zone (UTC when the database gave none)."""
    if moment is None or moment.tzinfo is not None:
        return moment
    return moment.replace(tzinfo=dt.UTC)


def uk_time(moment: dt.datetime) -> dt.datetime:
    """A time read from the store, as UK clocks showed it."""
    return stored_utc(moment).astimezone(UK)
