"""Working days, weeks and months for timescale rules, against hand-counted calendars."""

import datetime as dt

import holidays
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.measures.calendar import (
    YEARS,
    Nation,
    add_days,
    add_months,
    add_weeks,
    add_working_days,
    age_on,
    bank_holidays,
    evaluate,
    full_working_days_before,
    full_working_days_between,
    is_working_day,
    working_days_between,
)

EW = Nation.ENGLAND_AND_WALES
SCT = Nation.SCOTLAND
NI = Nation.NORTHERN_IRELAND
NATIONS = {"E&W": EW, "SCT": SCT, "NI": NI}

START, END, N = pl.col("start"), pl.col("end"), pl.col("n")


def day(text: str) -> dt.date:
    return dt.datetime.strptime(text, "%a %d/%m/%Y").date()


def rows(table: str) -> list[list[str]]:
    """A text table, header line dropped, cells stripped."""
    return [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()[1:]]


# Bank holidays as GOV.UK lists them (weekend dates replaced by their substitute days).
GOV_UK = """
nation | year | bank holidays
E&W    | 2022 | 03/01 15/04 18/04 02/05 02/06 03/06 29/08 19/09 26/12 27/12
SCT    | 2022 | 03/01 04/01 15/04 02/05 02/06 03/06 01/08 19/09 30/11 26/12 27/12
NI     | 2022 | 03/01 17/03 15/04 18/04 02/05 02/06 03/06 12/07 29/08 19/09 26/12 27/12
E&W    | 2023 | 02/01 07/04 10/04 01/05 08/05 29/05 28/08 25/12 26/12
SCT    | 2023 | 02/01 03/01 07/04 01/05 08/05 29/05 07/08 30/11 25/12 26/12
NI     | 2023 | 02/01 17/03 07/04 10/04 01/05 08/05 29/05 12/07 28/08 25/12 26/12
SCT    | 2024 | 01/01 02/01 29/03 06/05 27/05 05/08 02/12 25/12 26/12
"""


@pytest.mark.parametrize(("nation", "year", "dates"), rows(GOV_UK))
def test_bank_holidays_are_gov_uks_list(nation: str, year: str, dates: str) -> None:
    expected = [dt.datetime.strptime(f"{d}/{year}", "%d/%m/%Y").date() for d in dates.split()]
    assert bank_holidays(NATIONS[nation], int(year), int(year)) == expected


FACTS = """
date           | E&W | SCT | NI  | why
Tue 27/12/2022 | yes | yes | yes | Christmas Day on a Sunday: substitute day
Sun 25/12/2022 | no  | no  | no  | the weekend date itself is not listed
Mon 19/09/2022 | yes | yes | yes | state funeral of Queen Elizabeth II
Mon 08/05/2023 | yes | yes | yes | coronation of King Charles III
Mon 01/04/2024 | yes | no  | yes | Easter Monday: not in Scotland
Mon 05/08/2024 | no  | yes | no  | Scotland's summer holiday is the first Monday of August
Mon 26/08/2024 | yes | no  | yes | the others' is the last Monday of August
Tue 02/01/2024 | no  | yes | no  | 2 January
Tue 04/01/2022 | no  | yes | no  | 2 January 2022 a Sunday; 1 January's substitute takes the 3rd
Mon 02/12/2024 | no  | yes | no  | St Andrew's Day on a Saturday: substitute Monday
Mon 01/12/2025 | no  | yes | no  | St Andrew's Day on a Sunday: substitute Monday
Mon 17/03/2025 | no  | no  | yes | St Patrick's Day
Mon 13/07/2020 | no  | no  | yes | 12 July on a Sunday: substitute Monday
"""


@pytest.mark.parametrize(("date", "ew", "sct", "ni", "why"), rows(FACTS))
def test_bank_holiday_facts(date: str, ew: str, sct: str, ni: str, why: str) -> None:
    when = day(date)
    found = {name: when in bank_holidays(n, when.year, when.year) for name, n in NATIONS.items()}
    assert found == {"E&W": ew == "yes", "SCT": sct == "yes", "NI": ni == "yes"}, why


def test_wales_has_englands_bank_holidays() -> None:
    wales = holidays.country_holidays("GB", subdiv="WLS", years=YEARS)
    weekdays = sorted(d for d in wales if d.weekday() < 5)
    assert weekdays == bank_holidays(EW, YEARS.start, YEARS.stop - 1)


def test_bank_holidays_is_a_fresh_list_each_time() -> None:
    bank_holidays(EW, 2024, 2024).clear()
    assert len(bank_holidays(EW, 2024, 2024)) == 8


# n working days after start: day 1 is the first working day after the start date.
ADD_WORKING_DAYS = """
start          | n  | E&W            | SCT            | NI             | why
Fri 01/12/2023 | 20 | Wed 03/01/2024 | Thu 04/01/2024 | Wed 03/01/2024 | first review: Christmas, New Year (and 2 Jan in Scotland)
Sat 02/12/2023 | 20 | Wed 03/01/2024 | Thu 04/01/2024 | Wed 03/01/2024 | a Saturday start counts from Monday, as Friday's does
Sat 02/12/2023 | 1  | Mon 04/12/2023 | Mon 04/12/2023 | Mon 04/12/2023 | day 1 of a weekend start is Monday
Wed 06/12/2023 | 1  | Thu 07/12/2023 | Thu 07/12/2023 | Thu 07/12/2023 | the start day itself is never counted
Wed 06/12/2023 | 0  | Wed 06/12/2023 | Wed 06/12/2023 | Wed 06/12/2023 | no days: the start
Sat 09/12/2023 | 0  | Sat 09/12/2023 | Sat 09/12/2023 | Sat 09/12/2023 | no days: the start, even at a weekend
Thu 28/03/2024 | 1  | Tue 02/04/2024 | Mon 01/04/2024 | Tue 02/04/2024 | Easter: Scotland works Easter Monday
Fri 29/03/2024 | 1  | Tue 02/04/2024 | Mon 01/04/2024 | Tue 02/04/2024 | start on Good Friday, a bank holiday
Mon 01/04/2024 | 1  | Tue 02/04/2024 | Tue 02/04/2024 | Tue 02/04/2024 | start on Easter Monday
Fri 23/12/2022 | 1  | Wed 28/12/2022 | Wed 28/12/2022 | Wed 28/12/2022 | Christmas Day on a Sunday: substitute 27 Dec
Fri 23/12/2022 | 4  | Tue 03/01/2023 | Wed 04/01/2023 | Tue 03/01/2023 | New Year's substitute 2 Jan; Scotland's 2 Jan on the 3rd
Mon 29/04/2024 | 5  | Tue 07/05/2024 | Tue 07/05/2024 | Tue 07/05/2024 | day 5 would be May Day: the deadline moves on a day
Fri 16/09/2022 | 1  | Tue 20/09/2022 | Tue 20/09/2022 | Tue 20/09/2022 | state funeral of Queen Elizabeth II
Fri 05/05/2023 | 1  | Tue 09/05/2023 | Tue 09/05/2023 | Tue 09/05/2023 | coronation of King Charles III
Fri 29/11/2024 | 1  | Mon 02/12/2024 | Tue 03/12/2024 | Mon 02/12/2024 | St Andrew's Day substitute Monday
Fri 14/03/2025 | 1  | Mon 17/03/2025 | Mon 17/03/2025 | Tue 18/03/2025 | St Patrick's Day
Thu 11/07/2024 | 1  | Fri 12/07/2024 | Fri 12/07/2024 | Mon 15/07/2024 | 12 July
Wed 06/12/2023 | -1 | Tue 05/12/2023 | Tue 05/12/2023 | Tue 05/12/2023 | counting back
Sat 09/12/2023 | -1 | Fri 08/12/2023 | Fri 08/12/2023 | Fri 08/12/2023 | counting back from a weekend: Friday is day -1
Tue 02/04/2024 | -1 | Thu 28/03/2024 | Mon 01/04/2024 | Thu 28/03/2024 | counting back over Easter
"""


@pytest.mark.parametrize(("start", "n", "ew", "sct", "ni", "why"), rows(ADD_WORKING_DAYS))
def test_add_working_days(start: str, n: str, ew: str, sct: str, ni: str, why: str) -> None:
    found = [
        evaluate(add_working_days(START, int(n), nation), start=day(start))
        for nation in NATIONS.values()
    ]
    assert found == [day(ew), day(sct), day(ni)], why
    # n from a column gives the same.
    found = [
        evaluate(add_working_days(START, N, nation), start=day(start), n=int(n))
        for nation in NATIONS.values()
    ]
    assert found == [day(ew), day(sct), day(ni)], why


# Working days after start, up to and including end.
WORKING_DAYS_BETWEEN = """
start          | end            | E&W | SCT | NI  | why
Fri 01/12/2023 | Wed 03/01/2024 | 20  | 19  | 20  | first review in time on day 20 (England)
Wed 06/12/2023 | Wed 06/12/2023 | 0   | 0   | 0   | same day
Fri 08/12/2023 | Mon 11/12/2023 | 1   | 1   | 1   | over a weekend
Sat 09/12/2023 | Mon 11/12/2023 | 1   | 1   | 1   | from a weekend
Fri 08/12/2023 | Sun 10/12/2023 | 0   | 0   | 0   | to a weekend
Mon 11/12/2023 | Fri 08/12/2023 | -1  | -1  | -1  | end before start: negative
Thu 28/03/2024 | Tue 02/04/2024 | 1   | 2   | 1   | Easter
Thu 16/03/2023 | Fri 17/03/2023 | 1   | 1   | 0   | St Patrick's Day
"""


@pytest.mark.parametrize(("start", "end", "ew", "sct", "ni", "why"), rows(WORKING_DAYS_BETWEEN))
def test_working_days_between(start: str, end: str, ew: str, sct: str, ni: str, why: str) -> None:
    found = [
        evaluate(working_days_between(START, END, nation), start=day(start), end=day(end))
        for nation in NATIONS.values()
    ]
    assert found == [int(ew), int(sct), int(ni)], why


# Working days strictly between the two dates, neither counted.
FULL_WORKING_DAYS_BETWEEN = """
start          | end            | E&W | SCT | NI  | why
Tue 05/03/2024 | Fri 08/03/2024 | 2   | 2   | 2   | Wednesday and Thursday
Mon 04/03/2024 | Mon 04/03/2024 | 0   | 0   | 0   | same day
Mon 04/03/2024 | Tue 05/03/2024 | 0   | 0   | 0   | next day
Fri 01/03/2024 | Mon 04/03/2024 | 0   | 0   | 0   | over a weekend
Wed 06/03/2024 | Mon 04/03/2024 | -1  | -1  | -1  | sent after the review: negative
Thu 28/03/2024 | Tue 02/04/2024 | 0   | 1   | 0   | Easter
"""


@pytest.mark.parametrize(
    ("start", "end", "ew", "sct", "ni", "why"), rows(FULL_WORKING_DAYS_BETWEEN)
)
def test_full_working_days_between(
    start: str, end: str, ew: str, sct: str, ni: str, why: str
) -> None:
    found = [
        evaluate(full_working_days_between(START, END, nation), start=day(start), end=day(end))
        for nation in NATIONS.values()
    ]
    assert found == [int(ew), int(sct), int(ni)], why


# CELCIS: everything to Legal at least n full working days before the review.
FULL_WORKING_DAYS_BEFORE = """
review         | n | E&W            | SCT            | NI             | why
Mon 18/03/2024 | 8 | Tue 05/03/2024 | Tue 05/03/2024 | Tue 05/03/2024 | Wed 6 .. Fri 15 are the 8 days
Mon 08/04/2024 | 8 | Sun 24/03/2024 | Mon 25/03/2024 | Sun 24/03/2024 | over Easter; E&W's 8th day back is Monday, so Sunday is in time
Thu 21/03/2024 | 8 | Sun 10/03/2024 | Sun 10/03/2024 | Thu 07/03/2024 | can fall at a weekend; NI loses Mon 18 (St Patrick's substitute)
Sat 23/03/2024 | 1 | Thu 21/03/2024 | Thu 21/03/2024 | Thu 21/03/2024 | a weekend review: Friday is the one full day
"""


@pytest.mark.parametrize(("review", "n", "ew", "sct", "ni", "why"), rows(FULL_WORKING_DAYS_BEFORE))
def test_full_working_days_before(
    review: str, n: str, ew: str, sct: str, ni: str, why: str
) -> None:
    found = [
        evaluate(full_working_days_before(START, int(n), nation), start=day(review))
        for nation in NATIONS.values()
    ]
    assert found == [day(ew), day(sct), day(ni)], why


def test_full_working_days_before_needs_at_least_one_day() -> None:
    with pytest.raises(ValueError, match="at least 1"):
        full_working_days_before(START, 0, SCT)


CALENDAR = """
start          | days | weeks | months | result         | why
Mon 08/01/2024 | 0    | 26    | 0      | Mon 08/07/2024 | care proceedings: 26 weeks from issue
Wed 31/01/2024 | 0    | 0     | 1      | Thu 29/02/2024 | clamped to the end of a leap February
Tue 31/01/2023 | 0    | 0     | 1      | Tue 28/02/2023 | clamped to the end of February
Thu 31/08/2023 | 0    | 0     | 6      | Thu 29/02/2024 | six-monthly review from 31 August
Wed 31/08/2022 | 0    | 0     | 6      | Tue 28/02/2023 | six-monthly review from 31 August
Thu 30/11/2023 | 0    | 0     | 3      | Thu 29/02/2024 | second review 3 months after the first
Sun 31/03/2024 | 0    | 0     | -1     | Thu 29/02/2024 | back a month
Fri 15/03/2024 | 0    | 0     | 12     | Sat 15/03/2025 | months are not moved off weekends
Fri 01/03/2024 | 14   | 0     | 0      | Fri 15/03/2024 | ADM decision within 14 days
Fri 01/03/2024 | -1   | 0     | 0      | Thu 29/02/2024 | back a day
"""


@pytest.mark.parametrize(("start", "days", "weeks", "months", "result", "why"), rows(CALENDAR))
def test_calendar_arithmetic(
    start: str, days: str, weeks: str, months: str, result: str, why: str
) -> None:
    both = [int(days), int(weeks), int(months)]
    for n in (both, [pl.lit(k) for k in both]):
        expr = add_months(add_weeks(add_days(START, n[0]), n[1]), n[2])
        assert evaluate(expr, start=day(start)) == day(result), why


# Properties, checked against a day-by-day count written independently of Polars.
dates = st.dates(min_value=dt.date(1995, 1, 1), max_value=dt.date(2055, 12, 31))
nations = st.sampled_from(list(Nation))


def working(when: dt.date, nation: Nation) -> bool:
    return when.weekday() < 5 and when not in bank_holidays(nation, when.year, when.year)


def step_by_step(start: dt.date, n: int, nation: Nation) -> dt.date:
    """The n-th working day after start, counted a day at a time."""
    when, counted = start, 0
    while counted < n:
        when += dt.timedelta(days=1)
        counted += working(when, nation)
    return when


@settings(max_examples=50)
@given(st.lists(st.tuples(dates, st.integers(0, 60)), min_size=1, max_size=20), nations)
def test_add_working_days_counts_as_a_person_would(
    starts: list[tuple[dt.date, int]], nation: Nation
) -> None:
    frame = pl.DataFrame(starts, schema={"start": pl.Date, "n": pl.Int64}, orient="row")
    found = frame.select(add_working_days(START, N, nation))["start"].to_list()
    assert found == [step_by_step(start, n, nation) for start, n in starts]


@given(dates, st.integers(-400, 400), nations)
def test_working_days_between_undoes_add_working_days(
    start: dt.date, n: int, nation: Nation
) -> None:
    end = evaluate(add_working_days(START, n, nation), start=start)
    assert isinstance(end, dt.date)
    if n > 0:
        assert working(end, nation)
    if n >= 0 or working(start, nation):
        assert evaluate(working_days_between(START, END, nation), start=start, end=end) == n


@given(dates, st.integers(1, 40), nations)
def test_full_working_days_before_is_the_latest_date_in_time(
    event: dt.date, n: int, nation: Nation
) -> None:
    latest = evaluate(full_working_days_before(START, n, nation), start=event)
    assert isinstance(latest, dt.date)
    full = full_working_days_between(START, END, nation)
    in_time = evaluate(full, start=latest, end=event)
    a_day_late = evaluate(full, start=latest + dt.timedelta(days=1), end=event)
    assert isinstance(in_time, int) and isinstance(a_day_late, int)
    assert in_time >= n > a_day_late


@given(dates, st.integers(-240, 240))
def test_add_months_never_moves_the_day_later(start: dt.date, n: int) -> None:
    result = evaluate(add_months(START, n), start=start)
    assert isinstance(result, dt.date)
    assert (result.year * 12 + result.month) - (start.year * 12 + start.month) == n
    assert result.day <= start.day
    if start.day <= 28:
        assert result.day == start.day


def test_a_whole_table_at_once() -> None:
    size = 100_000
    frame = pl.select(i=pl.int_range(size)).select(
        start=(pl.lit(dt.date(2000, 1, 1)) + pl.duration(days=pl.col("i") * 7919 % 18_000)).cast(
            pl.Date
        ),
        n=pl.col("i") % 90 - 10,
    )
    frame = frame.with_columns(end=add_days(START, N * 3))
    out = frame.select(
        add_working_days(START, N, SCT).alias("due"),
        working_days_between(START, END, SCT).alias("between"),
        full_working_days_between(START, END, EW).alias("full"),
        full_working_days_before(START, 8, NI).alias("before"),
        add_weeks(START, N).alias("weeks"),
        add_months(START, N).alias("months"),
        is_working_day(START, SCT).alias("working"),
    )
    assert out.height == size
    assert out.null_count().sum_horizontal().item() == 0


def by_hand(first: dt.date, second: dt.date, nation: Nation, include_later: bool) -> int:
    """Working days after the earlier date up to the later one (counted if include_later),
    negative when second is before first."""
    earlier, later = sorted((first, second))
    days = range(1, (later - earlier).days + include_later)
    count = sum(working(earlier + dt.timedelta(days=k), nation) for k in days)
    return -count if second < first else count


@settings(max_examples=50)
@given(st.lists(st.tuples(dates, st.integers(-60, 60)), min_size=1, max_size=20), nations)
def test_counts_agree_with_a_day_by_day_count(
    pairs: list[tuple[dt.date, int]], nation: Nation
) -> None:
    frame = pl.DataFrame(
        [(start, start + dt.timedelta(days=k)) for start, k in pairs],
        schema={"start": pl.Date, "end": pl.Date},
        orient="row",
    )
    found = frame.select(
        between=working_days_between(START, END, nation),
        full=full_working_days_between(START, END, nation),
    )
    assert found["between"].to_list() == [by_hand(s, e, nation, True) for s, e in frame.iter_rows()]
    assert found["full"].to_list() == [by_hand(s, e, nation, False) for s, e in frame.iter_rows()]


def test_dates_outside_the_years_given_have_no_bank_holidays() -> None:
    christmas = dt.date(2023, 12, 22)
    assert evaluate(add_working_days(START, 1, EW), start=christmas) == dt.date(2023, 12, 27)
    only_2000 = add_working_days(START, 1, EW, years=range(2000, 2001))
    assert evaluate(only_2000, start=christmas) == dt.date(2023, 12, 25)
    with pytest.raises(ValueError, match="at least one year"):
        add_working_days(START, 1, EW, years=range(2000, 2000))


@pytest.mark.parametrize(
    ("dob", "day", "age"),
    [
        (dt.date(2010, 4, 30), dt.date(2020, 4, 29), 9),  # the day before the birthday
        (dt.date(2010, 4, 30), dt.date(2020, 4, 30), 10),  # April x 100 would overflow an Int8
        (dt.date(2010, 12, 31), dt.date(2020, 1, 1), 9),
        (dt.date(2012, 2, 29), dt.date(2021, 2, 28), 8),  # born 29 February: older on 1 March
        (dt.date(2012, 2, 29), dt.date(2021, 3, 1), 9),
    ],
)
def test_age_in_whole_years(dob: dt.date, day: dt.date, age: int) -> None:
    assert evaluate(age_on(pl.col("dob"), pl.col("day")), dob=dob, day=day) == age
