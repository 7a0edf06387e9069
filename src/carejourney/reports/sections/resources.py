"""Resources: the unit cost of placing a child for adoption, and staff productivity, from
what only the LA knows (its adoption team's cost and the staff it has, `ResourceInputs`)
and the children its data count.

- Children placed for adoption in the year: children with a `placed_for_adoption`
  milestone dated in the 12 months to the as-at date (after the date a year before, up to
  and including the as-at date), each child once.
- Adoption orders in the year: children with an `adoption_order` milestone in those months.
- Children looked after: children in a period of care on the as-at date (started on or
  before it, not ended by it), short breaks only left out, as in the stability measures.
- Unit cost = the adoption team's cost for the year / children placed for adoption in it,
  rounded as the cost of delay is (`measures.costs.round_money`).
- Productivity = children placed (and adoption orders) per adoption-team FTE; children
  looked after per social-worker FTE, to one decimal place.

An input not given is never replaced by a default: the figure says "not given" and the
section names the `carejourney report` option that provides it.

Disclosure: the counts go through `protect_count`. A unit cost or a rate per FTE gives its
count away to anyone who knows the cost or the FTE, so each is worked out from the
published count (the rounded one, when rounding is asked) and not published when the
count is hidden.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.costs import round_money
from carejourney.reports.disclosure import DisclosureRules, protect_count
from carejourney.reports.document import (
    Figure,
    ReportContext,
    ReportTable,
    ResourceInputs,
    Section,
)

__all__ = ["OPTIONS", "build", "counts"]

KEY = "resources"
TITLE = "Resources"
NOT_GIVEN = "not given"

# Each input: the `carejourney report` option that gives it, an example value, what it is,
# and the figures that need it.
OPTIONS = {
    "adoption_team_cost": (
        "--team-cost",
        "600000",
        "the adoption team's cost for the year, in pounds (staff, overheads and panels)",
        "the unit cost of placing a child for adoption",
    ),
    "adoption_team_fte": (
        "--team-fte",
        "8.5",
        "the adoption team's staff, in full-time equivalents (FTE)",
        "each figure per adoption-team FTE",
    ),
    "social_worker_fte": (
        "--worker-fte",
        "40",
        "the social workers for children looked after, in full-time equivalents",
        "children looked after per social worker",
    ),
    "price_year": (
        "--price-year",
        "2025-26",
        "the price year of the team's cost",
        "the unit cost's price year",
    ),
}


def counts(context: ReportContext) -> dict[str, int]:
    """placed (for adoption), orders (adoption orders), both in the 12 months to the as-at
    date, and looked_after (on the as-at date): the exact counts, before disclosure."""
    journeys = context.journeys
    milestones = journeys.milestones
    in_year = (pl.col("date") > pl.lit(context.previous_as_at, pl.Date)) & (
        pl.col("date") <= pl.lit(context.as_at, pl.Date)
    )

    def children_with(milestone: str) -> int:
        return (
            milestones.filter((pl.col("milestone") == milestone) & in_year)
            .get_column("CHILD")
            .n_unique()
        )

    day = pl.lit(context.as_at, pl.Date)
    looked_after = journeys.periods.filter(
        ~pl.col("short_breaks_only")
        & (pl.col("start") <= day)
        & (pl.col("end").is_null() | (pl.col("end") > day))
    )
    return {
        "placed": children_with("placed_for_adoption"),
        "orders": children_with("adoption_order"),
        "looked_after": looked_after.get_column("CHILD").n_unique(),
    }


def build(context: ReportContext) -> Section:
    if context.journeys.periods.is_empty():
        return Section(
            key=KEY,
            title=TITLE,
            not_available="No periods of care: load SSDA903 returns (Header and Episodes) "
            "with `carejourney import` to see this section.",
        )
    rules = context.disclosure
    inputs = context.inputs
    now = counts(context)
    year = f"the 12 months to {_day(context.as_at)}"
    placed = protect_count(now["placed"], rules)
    orders = protect_count(now["orders"], rules)
    looked_after = protect_count(now["looked_after"], rules)
    unit_cost = _unit_cost(inputs, now["placed"], rules)
    per_team_placed = _per_fte(now["placed"], inputs.adoption_team_fte, "--team-fte", rules)
    per_team_orders = _per_fte(now["orders"], inputs.adoption_team_fte, "--team-fte", rules)
    per_worker = _per_fte(now["looked_after"], inputs.social_worker_fte, "--worker-fte", rules)
    price_year = inputs.price_year or NOT_GIVEN

    rows = [
        ("Children placed for adoption in the year", placed or rules.marker, f"{year}"),
        ("Adoption orders in the year", orders or rules.marker, f"{year}"),
        (
            f"Children looked after on {_day(context.as_at)}",
            looked_after or rules.marker,
            "short breaks only left out",
        ),
        (
            "Adoption team's cost for the year",
            _money(inputs.adoption_team_cost),
            "given by the LA (--team-cost)",
        ),
        ("Price year of the cost", price_year, "given by the LA (--price-year)"),
        ("Adoption team (FTE)", _number(inputs.adoption_team_fte), "given by the LA (--team-fte)"),
        (
            "Social workers (FTE)",
            _number(inputs.social_worker_fte),
            "given by the LA (--worker-fte)",
        ),
        (
            "Unit cost of placing a child for adoption",
            unit_cost,
            "the team's cost / children placed for adoption in the year",
        ),
        (
            "Children placed for adoption per adoption-team FTE",
            per_team_placed,
            "children placed / adoption-team FTE",
        ),
        (
            "Adoption orders per adoption-team FTE",
            per_team_orders,
            "adoption orders / adoption-team FTE",
        ),
        (
            "Children looked after per social worker (FTE)",
            per_worker,
            "children looked after / social-worker FTE",
        ),
    ]
    table = ReportTable(
        key="Resources",
        title=f"Unit cost and staff productivity, {year}",
        frame=pl.DataFrame(
            {
                "Figure": [r[0] for r in rows],
                "Value": [r[1] for r in rows],
                "How it is worked out": [r[2] for r in rows],
            }
        ),
        note=_note(rules),
    )
    figures = (
        Figure("Unit cost of placing a child for adoption", unit_cost, _price_note(inputs)),
        Figure("Children placed for adoption per adoption-team FTE", per_team_placed),
        Figure("Adoption orders per adoption-team FTE", per_team_orders),
        Figure("Children looked after per social worker (FTE)", per_worker),
    )
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=tuple(
            _paragraphs(context, now, placed, orders, looked_after, unit_cost, per_worker)
        ),
        figures=figures,
        tables=(table,),
    )


def _paragraphs(
    context: ReportContext,
    now: dict[str, int],
    placed: str | None,
    orders: str | None,
    looked_after: str | None,
    unit_cost: str,
    per_worker: str,
) -> list[str]:
    rules = context.disclosure
    inputs = context.inputs
    small = f"fewer than {rules.threshold}"
    out = [
        f"In the 12 months to {_day(context.as_at)}, {placed or small} children were placed "
        f"for adoption and {orders or small} adoption orders were made; "
        f"{looked_after or small} children were looked after on {_day(context.as_at)}. "
        "These counts come from the LA's data; costs and staff numbers come only from what "
        "the LA gives for the report."
    ]
    if inputs.adoption_team_cost is not None:
        if unit_cost.startswith("£"):
            out.append(
                f"Placing a child for adoption cost {unit_cost} per child: the adoption "
                f"team's cost of {_money(inputs.adoption_team_cost)} for the year divided by "
                f"the {placed} children placed"
                + (f", in {inputs.price_year} prices." if inputs.price_year else ".")
                + " It counts the whole team's cost against the children placed, so it also "
                "carries the work on adopters, support and children not yet placed."
            )
        else:
            out.append(f"The unit cost of placing a child for adoption is {unit_cost}.")
    if inputs.social_worker_fte is not None and per_worker[:1].isdigit():
        out.append(
            f"Each full-time social worker had {per_worker} children looked after, on "
            "average (children in need and on child protection plans are not counted here)."
        )
    for name, (option, example, what, needs) in OPTIONS.items():
        if getattr(inputs, name) is None:
            out.append(
                f'Not given: {what}. Without it, {needs} shows "{NOT_GIVEN}" (carejourney '
                f"never assumes a figure). Give it with `carejourney report {option}`, for "
                f"example `{option} {example}`."
            )
    return out


def _unit_cost(inputs: ResourceInputs, placed: int, rules: DisclosureRules) -> str:
    cost = inputs.adoption_team_cost
    if cost is None:
        return f"{NOT_GIVEN} (give the team's cost with --team-cost)"
    if cost < 0:
        return "not worked out: the team's cost given is below zero"
    if placed == 0:
        return "not worked out: no children were placed for adoption in the year"
    if protect_count(placed, rules) is None:
        return "not published: too few children placed for adoption to publish"
    return f"£{round_money(cost / rules.shown(placed)):,}"


def _per_fte(count: int, fte: float | None, option: str, rules: DisclosureRules) -> str:
    if fte is None:
        return f"{NOT_GIVEN} (give the FTE with {option})"
    if fte <= 0:
        return "not worked out: the FTE given is not above zero"
    if protect_count(count, rules) is None:
        return "not published: the count is too small to publish"
    return f"{rules.shown(count) / fte:,.1f}"


def _money(amount: float | None) -> str:
    return NOT_GIVEN if amount is None else f"£{amount:,.0f}"


def _number(value: float | None) -> str:
    return NOT_GIVEN if value is None else f"{value:g}"


def _price_note(inputs: ResourceInputs) -> str | None:
    if inputs.adoption_team_cost is None:
        return None
    if inputs.price_year is None:
        return "price year not given (--price-year)"
    return f"{inputs.price_year} prices"


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _note(rules: DisclosureRules) -> str:
    if rules.internal:
        return "Internal report: counts are shown exactly, nothing is hidden."
    text = (
        f"{rules.marker}: a count below {rules.threshold}, not published; a unit cost or rate "
        "from a hidden count is not published either."
    )
    if rules.round_to is not None:
        text += (
            f" Counts are rounded to the nearest {rules.round_to}, and the unit cost and "
            "rates worked out from the rounded counts."
        )
    return text
