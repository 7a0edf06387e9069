"""Which collection year a file belongs to: from the user, the file name, or the data.

Collection years are named by the year they start (2024 = 1 April 2024 to 31 March 2025).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

import polars as pl

from carejourney.sources.values import parse_date

# Dates that fall inside the collection year of the return that holds them, in the order
# they are trusted: an episode ends (DEC) within the year of the return that reports it,
# as do reviews and missing episodes. Episodes all still open fall back on the latest start.
IN_YEAR_DATES: dict[str, tuple[str, ...]] = {
    "Episodes": ("DEC", "DECOM"),
    "Reviews": ("REVIEW",),
    "Missing": ("MIS_START",),
    "SWEpisodes": ("SW_DEC",),
}
_TWO_YEARS = re.compile(r"(?<!\d)(20\d\d)[-_ /]?(20\d\d|\d\d)(?!\d)")
_ONE_YEAR = re.compile(r"(?<!\d)(20\d\d)(?!\d)")


@dataclass(frozen=True)
class NameHint:
    """A year written in a file or folder name: `explicit` for '2019-20' (certainly the
    year starting in 2019); otherwise a bare '2019', which tools use for either end."""

    year: int
    explicit: bool


def parse_year(text: str) -> int:
    """A year the user typed: '2024', '2024/25', '2024-25' or '2024-2025' -> 2024."""
    hint = name_hint(text.strip())
    if hint is None or not re.fullmatch(r"\d{4}([-_/ ]?(\d{2}|\d{4}))?", text.strip()):
        raise ValueError(
            f"'{text}' is not a collection year. Write the year it starts, as 2024 or 2024/25."
        )
    return hint.year


def name_hint(name: str) -> NameHint | None:
    for match in _TWO_YEARS.finditer(name):
        first, second = int(match.group(1)), match.group(2)
        if int(second) % 100 == (first + 1) % 100:
            return NameHint(first, explicit=True)
    single = _ONE_YEAR.search(name)
    return NameHint(int(single.group(1)), explicit=False) if single else None


def year_of(date: dt.date) -> int:
    """The collection year a date falls in (years start on 1 April)."""
    return date.year if date.month >= 4 else date.year - 1


def year_start(year: int) -> dt.date:
    return dt.date(year, 4, 1)


def year_end(year: int) -> dt.date:
    return dt.date(year + 1, 3, 31)


def data_year(table_name: str, frame: pl.DataFrame) -> int | None:
    """The collection year a raw table's dates say it belongs to, if they say.

    The year most of its in-year dates fall in, so that a few mistyped dates do not
    mislead; for episodes that are all still open, the year of the latest start."""
    for column in IN_YEAR_DATES.get(table_name, ()):
        if column not in frame.columns:
            continue
        dates = parse_date(pl.col(column)).drop_nulls()
        years = pl.when(dates.dt.month() >= 4).then(dates.dt.year()).otherwise(dates.dt.year() - 1)
        if column == "DECOM":
            found = frame.select(years.max()).item()
        else:
            found = frame.select(years.mode().sort(descending=True).first()).item()
        if found is not None:
            return int(found)
    return None
