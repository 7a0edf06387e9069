"""The schema building blocks, and the declared SSDA903 tables and code lists."""

from __future__ import annotations

import pytest

from carejourney.schema import ssda903_codes as codes
from carejourney.schema.ssda903 import TABLES
from carejourney.schema.types import Code, CodeList, Kind, Table, year_label

ALL_CODE_LISTS = [value for value in vars(codes).values() if isinstance(value, CodeList)]


# first_year, last_year, year asked about, valid? (limits are inclusive; None = no limit)
@pytest.mark.parametrize(
    ("first", "last", "year", "valid"),
    [
        (None, None, 1990, True),
        (None, None, 2030, True),
        (2024, None, 2023, False),
        (2024, None, 2024, True),
        (2024, None, 2030, True),
        (None, 2023, 2023, True),
        (None, 2023, 2024, False),
        (None, 2023, 2000, True),
        (2018, 2023, 2017, False),
        (2018, 2023, 2018, True),
        (2018, 2023, 2023, True),
        (2018, 2023, 2024, False),
        (2018, 2023, None, True),  # no year given: every code counts
        (2024, None, None, True),
    ],
)
def test_code_valid_in(first: int | None, last: int | None, year: int | None, valid: bool) -> None:
    assert Code("X", "test", first, last).valid_in(year) is valid


# code list, code, year, valid that year?
@pytest.mark.parametrize(
    ("code_list", "value", "year", "valid"),
    [
        (codes.SEX, "1", 2023, True),
        (codes.SEX, "1", 2024, False),
        (codes.SEX, "2", 2023, True),
        (codes.SEX, "2", 2024, False),
        (codes.SEX, "M", 2023, False),
        (codes.SEX, "M", 2024, True),
        (codes.SEX, "F", 2024, True),
        (codes.SEX, "U", 2024, True),
        (codes.SEX, "U", 2025, True),
        (codes.PLACE, "H5", 2023, True),
        (codes.PLACE, "H5", 2024, False),
        (codes.PLACE, "P2", 2023, True),
        (codes.PLACE, "P2", 2024, False),
        (codes.PLACE, "K3", 2023, False),
        (codes.PLACE, "K3", 2024, True),
        (codes.PLACE, "K3", 2025, True),
        (codes.PLACE, "Z1", 2024, True),
        (codes.PLACE, "Z1", 2025, False),
        (codes.PLACE, "Z11", 2024, False),
        (codes.PLACE, "Z11", 2025, True),
        (codes.PLACE, "Z12", 2025, True),
        (codes.PLACE, "Z13", 2025, True),
        (codes.PLACE, "Z14", 2024, False),
        (codes.PLACE, "Z14", 2025, True),
        (codes.PLACE, "U1", 2017, True),  # unchanged codes stay valid throughout
        (codes.PLACE, "U1", 2025, True),
    ],
    ids=lambda p: p.name if isinstance(p, CodeList) else str(p),
)
def test_code_list_values_by_year(code_list: CodeList, value: str, year: int, valid: bool) -> None:
    assert (value in code_list.values(year)) is valid


@pytest.mark.parametrize("code_list", [codes.SEX, codes.PLACE], ids=lambda c: c.name)
def test_values_without_a_year_are_every_code(code_list: CodeList) -> None:
    assert code_list.values() == {c.value for c in code_list.codes}


@pytest.mark.parametrize(
    ("year", "label"),
    [
        (2024, "2024/25"),
        (2023, "2023/24"),
        (1999, "1999/00"),
        (2009, "2009/10"),
    ],
)
def test_year_label(year: int, label: str) -> None:
    assert year_label(year) == label


# --------------------------------------------------------------------------------------
# The declarations themselves
# --------------------------------------------------------------------------------------


def test_code_lists_are_found() -> None:
    assert codes.SEX in ALL_CODE_LISTS
    assert len({c.name for c in ALL_CODE_LISTS}) == len(ALL_CODE_LISTS)


def test_table_names_are_unique() -> None:
    names = [t.name for t in TABLES]
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_column_names_are_unique(table: Table) -> None:
    names = table.column_names
    assert len(set(names)) == len(names), f"{table.name} repeats a column"


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_code_column_has_a_code_list(table: Table) -> None:
    for column in table.columns:
        assert (column.kind is Kind.CODE) == (column.codes is not None), (
            f"{table.name}.{column.name}: CODE columns need a code list, and only they"
        )


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_key_columns_exist(table: Table) -> None:
    assert table.key, f"{table.name} has no key"
    for name in table.key:
        assert name in table.column_names, f"{table.name} key {name} is not a column"


@pytest.mark.parametrize("code_list", ALL_CODE_LISTS, ids=lambda c: c.name)
def test_code_list_values_are_unique(code_list: CodeList) -> None:
    values = [c.value for c in code_list.codes]
    duplicates = sorted({v for v in values if values.count(v) > 1})
    assert not duplicates, f"{code_list.name} repeats {duplicates}"


@pytest.mark.parametrize("code_list", ALL_CODE_LISTS, ids=lambda c: c.name)
def test_code_list_has_a_source(code_list: CodeList) -> None:
    assert code_list.source.strip(), f"{code_list.name} has no source"


@pytest.mark.parametrize("code_list", ALL_CODE_LISTS, ids=lambda c: c.name)
def test_codes_are_stored_as_read(code_list: CodeList) -> None:
    # Values are compared trimmed and upper-cased, so a code declared otherwise never matches.
    for code in code_list.codes:
        assert code.value == code.value.strip().upper(), f"{code_list.name} {code.value!r}"
        if code.first_year is not None and code.last_year is not None:
            assert code.first_year <= code.last_year, f"{code_list.name} {code.value}"


def test_every_code_list_in_use_is_declared_in_the_codes_module() -> None:
    used = {c.codes for t in TABLES for c in t.columns if c.codes is not None}
    assert used <= set(ALL_CODE_LISTS)
