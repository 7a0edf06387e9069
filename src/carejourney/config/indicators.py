"""Benchmarks for the indicators beside audits, as data the LA maintains.

An indicators file is TOML: a name and title, then one `[[indicators]]` table per indicator
(`key`: one of `INDICATOR_TITLES`; `suggestion`: the audit to consider when its trend
signals in the worse direction) with its `[[indicators.benchmarks]]`: whose figure it is
(`kind`, `name`), the figure as a percentage (`value`), the year it is for (`year`) and
where it comes from (`source`). carejourney works out the indicators themselves
(`measures.indicators`); the file only says what to compare them with.

The shipped defaults (`indicators.toml`) hold national figures only where the project's
domain facts give them, and leave statistical neighbours for the LA to fill in. Every
problem in a file comes back in one `IndicatorsError` naming the file, indicator, field and
what was expected.
"""

from __future__ import annotations

from enum import StrEnum
from importlib import resources
from os import PathLike
from typing import Any

from pydantic import BaseModel, Field, field_validator
from pydantic_core import ErrorDetails

from carejourney.config.rules import Slug, Text, _expected, _Model
from carejourney.config.toml_files import parse_model, read_user_file


class IndicatorKey(StrEnum):
    """The indicators carejourney works out (`measures.indicators`)."""

    # Short-term placement stability: looked after at the date, 3+ placements in the year.
    THREE_OR_MORE_PLACEMENTS = "three-or-more-placements"
    # Looked after for 2 years at the date, 3+ placements in those 2 years.
    THREE_OR_MORE_IN_2_YEARS = "three-or-more-placements-in-2-years"
    # Long-term stability: under 16, looked after 2.5 years+, same placement 2 years+.
    LONG_TERM_STABILITY = "long-term-stability"
    # Referrals within 12 months of a previous referral of the same child.
    RE_REFERRALS = "re-referrals"


# How each indicator is named on screen and in sentences.
INDICATOR_TITLES: dict[IndicatorKey, str] = {
    IndicatorKey.THREE_OR_MORE_PLACEMENTS: "Children with 3 or more placements in the year",
    IndicatorKey.THREE_OR_MORE_IN_2_YEARS: "Children looked after for 2 years with 3 or more "
    "placements in those 2 years",
    IndicatorKey.LONG_TERM_STABILITY: "Long-term placement stability",
    IndicatorKey.RE_REFERRALS: "Re-referrals within 12 months",
}


class BenchmarkKind(StrEnum):
    """Whose figure a benchmark is."""

    NATIONAL = "national"
    STATISTICAL_NEIGHBOURS = "statistical neighbours"
    REGIONAL = "regional"
    OTHER = "other"


def _year_as_text(value: object) -> object:
    """year = 2024 (a number) is read as "2024"."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


class Benchmark(_Model):
    """One figure an indicator is compared with."""

    kind: BenchmarkKind = Field(
        description='Whose figure it is: "national", "statistical neighbours", "regional" or '
        '"other".'
    )
    name: Text = Field(description='Whose figure it is, as shown: "England", ...')
    value: float = Field(ge=0, le=100, description="The figure, as a percentage (10 means 10%).")
    year: Text = Field(description='The year it is for, as text: "2024".')
    source: Text = Field(description="Where the figure comes from.")
    note: Text | None = Field(default=None, description="Anything to know when reading it.")

    @field_validator("year", mode="before")
    @classmethod
    def _year(cls, value: object) -> object:
        return _year_as_text(value)


class IndicatorSetting(_Model):
    """One indicator's benchmarks and the audit its signal suggests."""

    key: IndicatorKey = Field(description="Which indicator (see the file's comments).")
    suggestion: Text = Field(
        description="The audit to consider when the trend signals in the worse direction."
    )
    benchmarks: tuple[Benchmark, ...] = Field(
        default=(), description="The figures to compare with, each an [[indicators.benchmarks]]."
    )

    @property
    def title(self) -> str:
        return INDICATOR_TITLES[self.key]

    @field_validator("benchmarks")
    @classmethod
    def _unique(cls, benchmarks: tuple[Benchmark, ...]) -> tuple[Benchmark, ...]:
        seen: set[tuple[BenchmarkKind, str, str]] = set()
        for benchmark in benchmarks:
            key = (benchmark.kind, benchmark.name, benchmark.year)
            if key in seen:
                raise ValueError(
                    f"the {benchmark.kind.value} figure for {benchmark.name} in "
                    f"{benchmark.year} is given twice: keep one"
                )
            seen.add(key)
        return benchmarks


class IndicatorSettings(_Model):
    """An LA's benchmarks for every indicator it compares."""

    name: Slug = Field(description="Short name: lower-case letters, digits and hyphens.")
    title: Text = Field(description="What the file is, in plain words.")
    indicators: tuple[IndicatorSetting, ...] = Field(
        description="The indicators, each an [[indicators]] table."
    )

    @field_validator("indicators")
    @classmethod
    def _one_each(cls, indicators: tuple[IndicatorSetting, ...]) -> tuple[IndicatorSetting, ...]:
        keys = [i.key for i in indicators]
        twice = sorted({k.value for k in keys if keys.count(k) > 1})
        if twice:
            raise ValueError(
                f"{', '.join(twice)} {'is' if len(twice) == 1 else 'are'} given more than "
                "once: give each indicator one [[indicators]] table"
            )
        return indicators

    def get(self, key: IndicatorKey | str) -> IndicatorSetting:
        """The settings of `key`; an indicator the file leaves out has no benchmarks and a
        general suggestion."""
        wanted = IndicatorKey(key)
        for setting in self.indicators:
            if setting.key is wanted:
                return setting
        return IndicatorSetting(key=wanted, suggestion=f"an audit of {_lower(wanted)}")


def _lower(key: IndicatorKey) -> str:
    title = INDICATOR_TITLES[key]
    return title[:1].lower() + title[1:]


class IndicatorsError(ValueError):
    """An indicators file that cannot be used, with a message saying what to change."""


SHIPPED = resources.files("carejourney.config").joinpath("indicators.toml")


def load_indicators(path: str | PathLike[str] | None = None) -> IndicatorSettings:
    """The benchmarks in the file at `path`, or the shipped defaults when None."""
    if path is None:
        return parse_indicators(SHIPPED.read_bytes(), "shipped indicators.toml")
    data = read_user_file(path, what="indicators file", error=IndicatorsError)
    return parse_indicators(data, str(path))


def parse_indicators(data: bytes, file: str) -> IndicatorSettings:
    """Validate the bytes of an indicators file; `file` names it in error messages."""
    return parse_model(
        data,
        file,
        what="indicators file",
        model=IndicatorSettings,
        error=IndicatorsError,
        explain=_explain,
    )


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: where it is (indicator, benchmark, field), then what was
    expected."""
    loc = list(error["loc"])
    where: list[str] = []
    model: type[BaseModel] = IndicatorSettings
    if len(loc) >= 2 and loc[0] == "indicators" and isinstance(loc[1], int):
        entries = raw.get("indicators")
        entry = entries[loc[1]] if isinstance(entries, list) else None
        key = entry.get("key") if isinstance(entry, dict) else None
        name = f'indicator "{key}"' if isinstance(key, str) else "indicator"
        where.append(f"{name} (indicator {loc[1] + 1} in the file)")
        model, loc = IndicatorSetting, loc[2:]
        if len(loc) >= 2 and loc[0] == "benchmarks" and isinstance(loc[1], int):
            where.append(f"benchmark {loc[1] + 1}")
            model, loc = Benchmark, loc[2:]
    fields = [p for p in loc if isinstance(p, str)]
    if fields:
        where.append(f'field "{fields[0]}"')
    place = ", ".join(where) or "the file as a whole"
    field = fields[0] if fields else None
    if error["type"] == "enum" and field == "key":
        known = ", ".join(k.value for k in IndicatorKey)
        return f"{place}: expected one of {known}, but it is {error['input']!r}."
    if error["type"] == "tuple_type" and field in ("indicators", "benchmarks"):
        heading = "[[indicators]]" if field == "indicators" else "[[indicators.benchmarks]]"
        return f"{place}: expected each under its own {heading} heading, with two square brackets."
    if error["type"] in ("less_than_equal", "greater_than_equal") and field == "value":
        return (
            f"{place}: expected a percentage between 0 and 100 (10 means 10%), but it is "
            f"{error['input']!r}."
        )
    return f"{place}: {_expected(error, model, field)}."
