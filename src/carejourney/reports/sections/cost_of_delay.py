"""What delay costs: the days children waited beyond each timescale in the last 12 months,
priced at the placement each child was in on each of those days, and what would be
avoided if that delay fell.

The figures are those of `carejourney costs` (`cli/costs.py`), from the same functions:
`measures.drift.due_dates` per rule set, `measures.costs.cost_of_delay` over the episode
history's stays (`measures.costs.stays`), then `cost_summary`, `unpriced_days`,
`price_years`, `what_if` and `round_money`. Money is not a count of children, but a cost
computed from fewer than the disclosure threshold of cases would give those children's
delay away, so it is hidden with the count of cases.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from carejourney.config.costs import UnitCosts
from carejourney.measures.costs import (
    WhatIf,
    cost_of_delay,
    cost_summary,
    money,
    price_years,
    prices,
    stays,
    unpriced_days,
    what_if,
)
from carejourney.reports.disclosure import DisclosureRules, protect_count
from carejourney.reports.document import Figure, ReportContext, ReportTable, Section
from carejourney.reports.sections.common import due_dates_on
from carejourney.reports.sections.timeliness import count_cell

KEY = "cost-of-delay"
TITLE = "What delay costs"
FEWER_DAYS = 30
ROUNDING = "Money is rounded to the nearest £1,000 (to the nearest £100 under £10,000)."
COLUMNS = (
    "Rule set",
    "Timescale",
    "Cases",
    "Children",
    "Days of delay",
    "Cost in the last 12 months",
)


def build(context: ReportContext) -> Section:
    """The section: a table per rule, the unit costs used, unpriced days and the what-if."""
    if not context.rule_sets:
        return Section(
            key=KEY,
            title=TITLE,
            not_available=(
                "No timescale rules were chosen, so no delay can be measured: give the "
                "report a rule set (for example `--rules england`)."
            ),
        )
    journeys, as_at, rules = context.journeys, context.as_at, context.disclosure
    due = due_dates_on(context, context.rule_sets, as_at)  # the drift list's, reordered
    rows = cost_of_delay(due, stays(journeys.history), context.unit_costs, as_at)
    keys = ["rule_set", "rule", "title"]
    every_rule = due.select(keys).unique(maintain_order=True)
    summary = every_rule.join(cost_summary(rows), on=keys, how="left").fill_null(0)
    years = price_years(rows)
    start = as_at.fromordinal(as_at.toordinal() - 364)
    change = _change(rows, summary, rules)
    paragraphs = [
        f"Each day a child waited beyond a timescale, in the 12 months from "
        f"{start:%d/%m/%Y} to {as_at:%d/%m/%Y}, priced at the daily cost of the placement "
        "the child was in that day (weekly cost divided by 7). A case is one milestone met "
        "late, or still overdue, with delay in those 12 months. The same day can be delay "
        "under two rules (a review overdue while the permanence plan is too), so the rules' "
        "costs are not added up. " + ROUNDING,
        *_what_ifs(change, years),
        _unpriced_sentence(rows),
    ]
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=tuple(p for p in paragraphs if p),
        figures=tuple(_figures(change)),
        tables=(
            _rules_table(summary, context),
            _unit_costs_table(context.unit_costs, years),
            _unpriced_table(rows),
        ),
    )


def _publishable(cases: int, rules: DisclosureRules) -> bool:
    """Whether a rule's days and cost may be shown: its cases may be, and there are some."""
    return protect_count(cases, rules) is not None


def _rules_table(summary: pl.DataFrame, context: ReportContext) -> ReportTable:
    rules = context.disclosure
    titles = {s.name: s.title for s in context.rule_sets}
    rows: list[dict[str, str]] = []
    for r in summary.iter_rows(named=True):
        cases = int(r["cases_last_12_months"])
        shown = _publishable(cases, rules)
        rows.append(
            {
                "Rule set": titles.get(r["rule_set"], r["rule_set"]),
                "Timescale": r["title"],
                "Cases": count_cell(cases, rules),
                "Children": count_cell(int(r["children_last_12_months"]), rules),
                "Days of delay": f"{int(r['days_last_12_months']):,}" if shown else rules.marker,
                "Cost in the last 12 months": money(r["cost_last_12_months"])
                if shown
                else rules.marker,
            }
        )
    if rules.internal:
        privacy = (
            "Internal report: counts and costs are exact and nothing is hidden, so it must "
            "not be shared beyond the people allowed to see these children's records."
        )
    else:
        privacy = (
            f"Counts below {rules.threshold} are shown as {rules.marker} to protect "
            f"children's privacy; so are the days and cost of a timescale with fewer than "
            f"{rules.threshold} cases, which would give those children's delay away."
        )
        if rules.round_to is not None and rules.round_to > 1:
            privacy += f" Counts are rounded to the nearest {rules.round_to}."
    return ReportTable(
        key="Cost of delay",
        title=f"Delay and its cost by timescale, the 12 months to {context.as_at:%d/%m/%Y}",
        frame=pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String)),
        note=(
            "Days of delay: days after the due date up to the day the milestone was met, or "
            "to the as-at date while overdue, counting only days in the 12 months. Cost: those "
            "days priced at the placement held on each; days that cannot be priced add "
            f"nothing. {ROUNDING} {privacy}"
        ),
    )


def _unit_costs_table(costs: UnitCosts, years: list[str]) -> ReportTable:
    frame = pl.DataFrame(
        [
            {
                "Placement": cost.label,
                "Placement types": ", ".join(cost.places),
                "Providers": ", ".join(cost.providers) or "any",
                "Weekly cost": f"£{cost.weekly:,.0f}",
                "Price year": cost.price_year or costs.price_year,
                "Source": cost.source + ("" if cost.verified else f" Assumed: {cost.note}"),
            }
            for cost in costs.costs
        ],
        schema={
            name: pl.String
            for name in (
                "Placement",
                "Placement types",
                "Providers",
                "Weekly cost",
                "Price year",
                "Source",
            )
        },
    )
    return ReportTable(
        key="Unit costs of placements",
        title=f"Unit costs used: {costs.title}",
        frame=frame,
        note=(
            f"{costs.source} Costs are per child per week, at the price year shown, not "
            f"adjusted for inflation; the delay was priced at {prices(years)}. Replace them "
            "with the LA's own costs in a copy of the unit-costs file (see docs/costs.md)."
        ),
    )


def _unpriced_table(rows: pl.DataFrame) -> ReportTable:
    unpriced = unpriced_days(rows).filter(pl.col("days_last_12_months") > 0)
    return ReportTable(
        key="Unpriced days",
        title="Days of delay that could not be priced, and why",
        frame=unpriced.select(
            pl.col("why_unpriced").alias("Why the days could not be priced"),
            pl.col("days_last_12_months").alias("Days in the last 12 months"),
        ),
        note=(
            "These days are counted as delay but add nothing to the cost, never £0 a day: "
            "add costs for these placements to a copy of the unit-costs file to price them."
        ),
    )


def _unpriced_sentence(rows: pl.DataFrame) -> str:
    recent = unpriced_days(rows).filter(pl.col("days_last_12_months") > 0)
    if recent.height == 0:
        return "Every day of delay in the 12 months was priced."
    days = int(recent["days_last_12_months"].sum())
    top = recent.row(0, named=True)
    return (
        f"{days:,} days of delay could not be priced and are not in the cost; most of them "
        f"because of: {top['why_unpriced']} ({int(top['days_last_12_months']):,} days)."
    )


def _largest(summary: pl.DataFrame, rules: DisclosureRules) -> dict[str, object] | None:
    """The publishable rule with the largest cost in the last 12 months, if any cost."""
    shown = [
        r
        for r in summary.iter_rows(named=True)
        if _publishable(int(r["cases_last_12_months"]), rules) and r["cost_last_12_months"] > 0
    ]
    if not shown:
        return None
    return max(shown, key=lambda r: float(r["cost_last_12_months"]))


@dataclass(frozen=True)
class Change:
    """The what-ifs for the publishable rule with the largest cost."""

    title: str
    cost: float  # in the last 12 months
    by_half: WhatIf
    fewer_days: WhatIf


def _change(rows: pl.DataFrame, summary: pl.DataFrame, rules: DisclosureRules) -> Change | None:
    largest = _largest(summary, rules)
    if largest is None:
        return None
    rule = str(largest["rule"])
    # Two rule sets may both have a rule of this name: ask only about this one's.
    own = rows.filter(pl.col("rule_set") == largest["rule_set"])
    return Change(
        title=str(largest["title"]),
        cost=float(largest["cost_last_12_months"]),  # type: ignore[arg-type]
        by_half=what_if(own, rule, fraction=0.5),
        fewer_days=what_if(own, rule, fewer_days=FEWER_DAYS),
    )


def _what_ifs(change: Change | None, years: list[str]) -> list[str]:
    if change is None:
        return ["No delay in the 12 months could be priced and published, so there is no what-if."]
    return [
        f"The largest cost is under '{change.title}': {money(change.cost)} in the 12 months "
        f"({prices(years)}).",
        _what_if_sentence(change.title, "fell by half", change.by_half, years),
        _what_if_sentence(change.title, f"fell by {FEWER_DAYS} days", change.fewer_days, years),
    ]


def _what_if_sentence(title: str, words: str, result: WhatIf, years: list[str]) -> str:
    return (
        f"If drift under '{title}' {words}, the LA would avoid about "
        f"{money(result.avoided_per_year)} a year ({prices(years)})."
    )


def _figures(change: Change | None) -> list[Figure]:
    if change is None:
        return []
    return [
        Figure(f"Cost of delay under '{change.title}', the last 12 months", money(change.cost)),
        Figure("Avoided a year if that delay fell by half", money(change.by_half.avoided_per_year)),
    ]
