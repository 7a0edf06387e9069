"""Unit costs as data: what a week in each type of placement costs, with source and price year.

A unit-costs file is TOML: a name, title, price year, source and currency ("GBP"), then one
`[[costs]]` table per cost: the SSDA903 placement types it is for (`places`, PLACE codes),
optionally the providers (`providers`, PLACE_PROVIDER codes; none means any provider), the
cost per child per week (`weekly`), where the figure comes from (`source`), its price year
(`price_year`, else the file's) and whether the source confirms it for these placements
(`verified`; false with a `note` saying what was assumed). A cost for a type and provider
beats a cost for the type with any provider. A placement type with no cost is "cost not
known": counted and reported, never priced at £0.

The shipped defaults are `unit_costs.toml`; an LA copies it, edits the copy and loads it by
its path. Every problem in a file comes back in one `UnitCostsError` naming the file, cost,
field and what was expected, in words a non-programmer can act on.
"""

from __future__ import annotations

from importlib import resources
from os import PathLike
from typing import Any, Literal

import polars as pl
from pydantic import BaseModel, Field, field_validator, model_validator
from pydantic_core import ErrorDetails

from carejourney.config.rules import Slug, Text, _expected, _Model
from carejourney.config.toml_files import parse_model, read_user_file
from carejourney.schema.ssda903_codes import PLACE, PLACE_PROVIDER

COST_TABLE_SCHEMA = {
    "PLACE": pl.String,
    "PLACE_PROVIDER": pl.String,  # null: any provider
    "weekly_cost": pl.Float64,
    "daily_cost": pl.Float64,
    "cost_label": pl.String,
    "price_year": pl.String,
    "cost_source": pl.String,
    "cost_verified": pl.Boolean,
}


def _year_as_text(value: object) -> object:
    """price_year = 2017 (a number) is read as "2017"."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _codes(values: tuple[str, ...], allowed: frozenset[str], what: str) -> tuple[str, ...]:
    unknown = [v for v in values if v not in allowed]
    if unknown:
        raise ValueError(
            f"{', '.join(repr(v) for v in unknown)} "
            + ("is not a" if len(unknown) == 1 else "are not")
            + f" {what} code{'' if len(unknown) == 1 else 's'}. Valid codes: "
            + ", ".join(sorted(allowed))
        )
    twice = sorted({v for v in values if values.count(v) > 1})
    if twice:
        raise ValueError(f"{', '.join(twice)} is given more than once")
    return values


class UnitCost(_Model):
    """What a week in one or more placement types (and providers) costs, per child."""

    label: Text = Field(description="What the cost is for, in plain words.")
    places: tuple[str, ...] = Field(
        min_length=1, description="The SSDA903 placement types (PLACE codes) it is for."
    )
    providers: tuple[str, ...] = Field(
        default=(),
        description="Only these placement providers (PLACE_PROVIDER codes); empty means any.",
    )
    weekly: float = Field(gt=0, description="The cost per child per week, in pounds.")
    price_year: Text | None = Field(
        default=None, description="The year the cost is priced in; default: the file's."
    )
    source: Text = Field(description="Where the figure comes from.")
    verified: bool = Field(
        description="true when the source gives this figure for these placements; false when "
        "it was assumed (say what in note)."
    )
    note: Text | None = Field(default=None, description="What was assumed, and why.")

    @field_validator("price_year", mode="before")
    @classmethod
    def _year(cls, value: object) -> object:
        return _year_as_text(value)

    @field_validator("places")
    @classmethod
    def _places(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _codes(values, PLACE.values(), "placement type (PLACE)")

    @field_validator("providers")
    @classmethod
    def _providers(cls, values: tuple[str, ...]) -> tuple[str, ...]:
        return _codes(values, PLACE_PROVIDER.values(), "placement provider (PLACE_PROVIDER)")

    @model_validator(mode="after")
    def _noted(self) -> UnitCost:
        if not self.verified and self.note is None:
            raise ValueError("verified = false needs a note saying what was assumed")
        return self

    def priced(self) -> list[tuple[str, str | None]]:
        """The (placement type, provider) pairs it prices; provider None means any."""
        return [(p, q) for p in self.places for q in (self.providers or (None,))]


class UnitCosts(_Model):
    """A named table of unit costs, with the price year and source of the whole."""

    name: Slug = Field(description="Short name: lower-case letters, digits and hyphens.")
    title: Text = Field(description="What the table is, in plain words.")
    price_year: Text = Field(description="The price year of the costs that do not give one.")
    source: Text = Field(description="Where the table as a whole comes from.")
    currency: Literal["GBP"] = Field(description='The currency: "GBP" (pounds).')
    costs: tuple[UnitCost, ...] = Field(description="The costs, each a [[costs]] table.")

    @field_validator("price_year", mode="before")
    @classmethod
    def _year(cls, value: object) -> object:
        return _year_as_text(value)

    @field_validator("costs")
    @classmethod
    def _unique(cls, costs: tuple[UnitCost, ...]) -> tuple[UnitCost, ...]:
        if not costs:
            raise ValueError("needs at least one [[costs]] table")
        seen: dict[tuple[str, str | None], int] = {}
        for number, cost in enumerate(costs, start=1):
            for key in cost.priced():
                if key in seen:
                    place, provider = key
                    what = place + (f" with provider {provider}" if provider else "")
                    raise ValueError(
                        f"{what} has a cost in cost {seen[key]} and again in cost {number}: "
                        "give each placement type (and provider) one cost"
                    )
                seen[key] = number
        return costs

    def table(self) -> pl.DataFrame:
        """One row per (PLACE, PLACE_PROVIDER) priced, provider null for any, with the
        weekly and daily cost (weekly / 7), label, price year, source and verified."""
        return pl.DataFrame(
            [
                {
                    "PLACE": place,
                    "PLACE_PROVIDER": provider,
                    "weekly_cost": cost.weekly,
                    "daily_cost": cost.weekly / 7,
                    "cost_label": cost.label,
                    "price_year": cost.price_year or self.price_year,
                    "cost_source": cost.source,
                    "cost_verified": cost.verified,
                }
                for cost in self.costs
                for place, provider in cost.priced()
            ],
            schema=COST_TABLE_SCHEMA,
        )


class UnitCostsError(ValueError):
    """A unit-costs file that cannot be used, with a message saying what to change."""


SHIPPED = resources.files("carejourney.config").joinpath("unit_costs.toml")


def load_unit_costs(path: str | PathLike[str] | None = None) -> UnitCosts:
    """The unit costs in the file at `path`, or the shipped defaults when None."""
    if path is None:
        return parse_unit_costs(SHIPPED.read_bytes(), "shipped unit_costs.toml")
    data = read_user_file(path, what="unit-costs file", error=UnitCostsError)
    return parse_unit_costs(data, str(path))


def parse_unit_costs(data: bytes, file: str) -> UnitCosts:
    """Validate the bytes of a unit-costs file; `file` names it in error messages."""
    return parse_model(
        data, file, what="unit-costs file", model=UnitCosts, error=UnitCostsError, explain=_explain
    )


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: where it is (cost, field), then what was expected."""
    loc = list(error["loc"])
    where = []
    model: type[BaseModel] = UnitCosts
    if len(loc) >= 2 and loc[0] == "costs" and isinstance(loc[1], int):
        entry = raw["costs"][loc[1]] if isinstance(raw.get("costs"), list) else None
        label = entry.get("label") if isinstance(entry, dict) else None
        name = f'cost "{label}"' if isinstance(label, str) else "cost"
        where.append(f"{name} (cost {loc[1] + 1} in the file)")
        model, loc = UnitCost, loc[2:]
    fields = [p for p in loc if isinstance(p, str)]
    if fields:
        where.append(f'field "{fields[0]}"')
    place = ", ".join(where) or "the file as a whole"
    field = fields[0] if fields else None
    if error["type"] == "literal_error" and field == "currency":
        return f'{place}: expected "GBP" (costs are in pounds), but it is {error["input"]!r}.'
    if error["type"] == "tuple_type" and field == "costs":
        return (
            f"{place}: expected each cost under its own [[costs]] heading, with two square "
            "brackets."
        )
    return f"{place}: {_expected(error, model, field)}."
