import datetime as dt

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from carejourney.schema import ssda903 as s
from carejourney.sources.values import clean_table, parse_date


def parsed(text: str | None) -> dt.date | None:
    return (
        pl.DataFrame({"d": [text]}, schema={"d": pl.String}).select(parse_date(pl.col("d"))).item()
    )


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("31/03/2020", dt.date(2020, 3, 31)),
        ("1/4/2020", dt.date(2020, 4, 1)),
        (" 01/04/2020 ", dt.date(2020, 4, 1)),
        ("01-04-2020", dt.date(2020, 4, 1)),
        ("01.04.2020", dt.date(2020, 4, 1)),
        ("2020-04-01", dt.date(2020, 4, 1)),
        ("2020-04-01 00:00:00", dt.date(2020, 4, 1)),
        ("2020-04-01T00:00:00", dt.date(2020, 4, 1)),
        ("43921", dt.date(2020, 3, 31)),  # Excel's serial day number
        ("43921.0", dt.date(2020, 3, 31)),
        ("31/02/2020", None),  # no such day
        ("13/13/2020", None),
        ("2020", None),  # a year alone, not Excel's day 2020
        ("10958", None),  # Excel days before 1930 are not dates anyone in a return meant
        ("tomorrow", None),
        ("", None),
        (None, None),
    ],
)
def test_dates_in_every_form_exports_contain(text: str | None, date: dt.date | None) -> None:
    assert parsed(text) == date


@given(st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2099, 12, 31)))
def test_any_date_round_trips_through_every_format(date: dt.date) -> None:
    serial = (date - dt.date(1899, 12, 30)).days
    forms = [
        f"{date:%d/%m/%Y}",
        date.isoformat(),
        f"{date.day}/{date.month}/{date.year}",
        str(serial),
    ]
    assert [parsed(f) for f in forms] == [date] * 4


def test_ids_codes_and_postcodes_are_cleaned() -> None:
    raw = pl.DataFrame(
        {
            "_row": [2, 3],
            "CHILD": [" 123.0", "A77"],
            "SEX": ["1.0", " f "],
            "DOB": ["01/01/2010", "43921"],
            "ETHNIC": ["wbri", "BAFR "],
            "UPN": ["A1", None],
            "MOTHER": ["", None],
            "MC_DOB": [None, None],
        }
    )
    out, problems = clean_table(raw, s.HEADER, 2023, "header.csv")
    assert out["CHILD"].to_list() == ["123", "A77"]
    assert out["SEX"].to_list() == ["1", "F"]
    assert out["ETHNIC"].to_list() == ["WBRI", "BAFR"]
    assert out["DOB"].to_list() == [dt.date(2010, 1, 1), dt.date(2020, 3, 31)]
    assert [(p.row, p.column, p.code) for p in problems] == [
        (3, "SEX", "code-not-valid-this-year")  # F is valid only from 2024/25
    ]


def test_a_date_that_is_not_a_date_is_an_error_naming_row_and_column() -> None:
    raw = pl.DataFrame({"_row": [2, 3], "CHILD": ["1", "2"], "DECOM": ["01/04/2023", "32/01/2023"]})
    _, problems = clean_table(raw, s.EPISODES, 2023, "episodes.csv")
    [problem] = [p for p in problems if p.code == "date-not-a-date"]
    assert (problem.file, problem.row, problem.column, problem.value) == (
        "episodes.csv",
        3,
        "DECOM",
        "32/01/2023",
    )
    assert problem.severity == "error"
    assert "dd/mm/yyyy" in problem.message


def test_personal_values_are_never_carried_into_problems() -> None:
    raw = pl.DataFrame({"_row": [2], "CHILD": ["1"], "DOB": ["31/02/2009"]})
    _, problems = clean_table(raw, s.HEADER, 2023, "header.csv")
    [problem] = [p for p in problems if p.column == "DOB"]
    assert problem.value == "(hidden: personal data)"
    assert "31/02/2009" not in problem.message


def test_blank_child_id_is_an_error() -> None:
    raw = pl.DataFrame(
        {"_row": [2, 3], "CHILD": ["1", "  "], "DECOM": ["01/04/2023", "01/05/2023"]}
    )
    _, problems = clean_table(raw, s.EPISODES, 2023, "episodes.csv")
    assert [(p.row, p.code, p.severity) for p in problems] == [(3, "value-required", "error")]
