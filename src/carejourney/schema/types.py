"""The building blocks for declaring input tables once.

Every input table is a `Table` of `Column`s. Parsing, checking, database tables,
synthetic data and the data dictionary are all derived from these declarations,
so a column's meaning lives in exactly one place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    """How a column's text is read."""

    ID = "id"  # an identifier: spaces trimmed, Excel's trailing ".0" removed
    TEXT = "text"  # free text, trimmed
    CODE = "code"  # one of a declared code list; compared trimmed and upper-cased
    DATE = "date"  # dd/mm/yyyy, ISO yyyy-mm-dd, or an Excel serial day number
    INTEGER = "integer"
    POSTCODE = "postcode"  # trimmed and upper-cased


@dataclass(frozen=True)
class Code:
    """One allowed value of a code list.

    `first_year` and `last_year` are collection years, named by the year they start
    (2024 is the year 1 April 2024 to 31 March 2025). None means "no limit".
    `aliases` are other spellings a file may use for the code, in plain words ("No further
    action" for NFA); they are compared as `spelling_key` compares them.
    """

    value: str
    description: str
    first_year: int | None = None
    last_year: int | None = None
    aliases: tuple[str, ...] = ()

    @property
    def valid_years(self) -> str:
        """When the code may be used, in the words LAs use: 'from 2024/25', 'all years'."""
        first, last = self.first_year, self.last_year
        if first is not None and last is not None:
            return f"from {year_label(first)} to {year_label(last)}"
        if first is not None:
            return f"from {year_label(first)}"
        if last is not None:
            return f"up to {year_label(last)}"
        return "all years"

    def valid_in(self, year: int | None) -> bool:
        if year is None:
            return True
        if self.first_year is not None and year < self.first_year:
            return False
        return self.last_year is None or year <= self.last_year


@dataclass(frozen=True)
class CodeList:
    name: str
    description: str
    codes: tuple[Code, ...]
    source: str = ""

    def values(self, year: int | None = None) -> frozenset[str]:
        """The values allowed in a collection year (all years when None)."""
        return frozenset(c.value for c in self.codes if c.valid_in(year))

    def lookup(self, value: str) -> Code | None:
        for code in self.codes:
            if code.value == value:
                return code
        return None

    @property
    def has_aliases(self) -> bool:
        return any(code.aliases for code in self.codes)

    def spellings(self) -> dict[str, str]:
        """Every accepted spelling of every code (the code itself and its aliases), as
        `spelling_key` writes it, mapped to the code. Two codes may not share a spelling."""
        found: dict[str, str] = {}
        for code in self.codes:
            for spelling in (code.value, *code.aliases):
                key = spelling_key(spelling)
                if found.setdefault(key, code.value) != code.value:
                    raise ValueError(
                        f"{self.name}: '{spelling}' would mean both {found[key]} and {code.value}"
                    )
        return found


SPELLING_SEPARATOR = r"[^A-Z0-9]+"


def spelling_key(text: str) -> str:
    """How a code's spellings are compared: upper case, and every run of spaces and
    punctuation one space ("No further action", "no-further_action" and "NO FURTHER ACTION"
    all match). `sources.values` does the same to a whole column at once."""
    return re.sub(SPELLING_SEPARATOR, " ", text.upper()).strip()


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    description: str
    required: bool = False  # a row with this column blank cannot be used at all
    codes: CodeList | None = None
    personal: bool = False  # identifies a child: never printed or logged
    xml_tag: str | None = None  # the tag in the DfE XML when it differs from `name`
    minimum: int | None = None
    maximum: int | None = None

    @property
    def tag(self) -> str:
        return self.xml_tag or self.name


@dataclass(frozen=True)
class Table:
    """A declared input table.

    `key` names the columns that identify a row within one child's record
    (used to spot duplicates and to stitch years together).
    """

    name: str
    description: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ("CHILD",)
    required_in_return: bool = False
    first_year: int | None = None
    source: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name} has no column {name}")

    @property
    def db_name(self) -> str:
        return "ssda903_" + self.name.lower()


class Nation(StrEnum):
    """The UK nations whose law, timescales and bank holidays differ. England and Wales
    share their bank holidays."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"


def year_label(year: int) -> str:
    """2024 -> '2024/25', the way collection years are written in LAs."""
    return f"{year}/{(year + 1) % 100:02d}"


class MilestonesFileError(ValueError):
    """An LA's own milestones file (CAREJOURNEY_MILESTONES) that cannot be used, with what
    to change. Declared here, apart from the milestones, so it can be caught while they load."""
