"""The cost of delay and what-if, on the command line: aggregates only, no child's ID."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.journeys import LaOption, rule_set
from carejourney.cli.measures import AsAtOption, RuleSetsOption, _journeys, _record
from carejourney.cli.options import DbOption, date_option
from carejourney.config.costs import UnitCosts, UnitCostsError, load_unit_costs
from carejourney.measures import summaries
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

console = terminal.console
ROUNDING = "Money is rounded to the nearest £1,000 (to the nearest £100 under £10,000)."


def _unit_costs(path: Path | None) -> UnitCosts:
    try:
        return load_unit_costs(path)
    except UnitCostsError as exc:
        terminal.err.print(f"[bold red]Cannot use these unit costs[/]: {escape(str(exc))}")
        raise typer.Exit(2) from None


@app.command("costs")
def costs_command(
    as_at: AsAtOption = None,
    rules: RuleSetsOption = None,
    unit_costs: Annotated[
        Path | None,
        typer.Option(
            "--unit-costs",
            help="Your own unit-costs TOML file (copy the shipped one; see docs/costs.md). "
            "Default: the shipped national figures.",
            show_default=False,
        ),
    ] = None,
    what_if_rule: Annotated[
        str | None,
        typer.Option(
            "--what-if-rule",
            help="A rule to ask 'what if drift under it fell?', with --fewer-days or --by-half.",
            show_default=False,
        ),
    ] = None,
    fewer_days: Annotated[
        int | None,
        typer.Option(
            "--fewer-days",
            min=1,
            help="What if every delay under --what-if-rule were this many days shorter.",
            show_default=False,
        ),
    ] = None,
    by_half: Annotated[
        bool,
        typer.Option("--by-half", help="What if every delay under --what-if-rule were halved."),
    ] = False,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """What delay costs: per rule, the days children waited beyond its timescale in the last
    12 months, priced at the placement each child was in on each of those days.

    Figures are for the LA's own use: before publishing them outside the LA, apply
    disclosure control (small numbers). The same day can be delay under two rules, so the
    sum over rules counts it twice.

    Example: `carejourney costs --what-if-rule permanence-plan --by-half`
    """
    sets = [rule_set(name) for name in (rules or ["england"])]
    costs = _unit_costs(unit_costs)
    if what_if_rule is not None:
        known = sorted({r for s in sets for r in s.names})
        if what_if_rule not in known:
            raise typer.BadParameter(
                f"there is no rule '{what_if_rule}' in these rule sets. Rules: " + ", ".join(known),
                param_hint="--what-if-rule",
            )
        if (fewer_days is None) == (not by_half):
            raise typer.BadParameter(
                "give either --fewer-days N or --by-half with it", param_hint="--what-if-rule"
            )
    elif fewer_days is not None or by_half:
        raise typer.BadParameter(
            "say which rule with --what-if-rule", param_hint="--fewer-days / --by-half"
        )
    chosen = date_option(as_at, "--as-at")
    engine, journeys = _journeys(db, la)
    _record(engine, journeys, "cost of delay (figures only)", [])
    when = chosen or summaries.default_as_at(journeys)
    due = summaries.drift_list(journeys, sets, when)
    rows = cost_of_delay(due, stays(journeys.history), costs, when)
    every_rule = due.select("rule_set", "rule", "title").unique(maintain_order=True)
    summary = (
        every_rule.join(cost_summary(rows), on=["rule_set", "rule", "title"], how="left")
        .fill_null(0)
        .with_columns(
            pl.when(pl.col("cases_last_12_months") > 0).then(
                pl.col("median_days_late_last_12_months")
            )
        )
    )
    years = price_years(rows)
    change = (
        None
        if what_if_rule is None
        else what_if(rows, what_if_rule, fewer_days=fewer_days, fraction=0.5 if by_half else None)
    )
    last_12 = summary.select(pl.col("^.*_last_12_months$").sum()).row(0, named=True)
    figures = {
        "la": journeys.la,
        "as_at": when,
        "window": {
            "from": when.fromordinal(when.toordinal() - 364),
            "to": when,
            "meaning": "the last 12 months: days of delay from this date to the as-at date",
        },
        "unit_costs": {
            "name": costs.name,
            "title": costs.title,
            "source": costs.source,
            "currency": costs.currency,
            "price_years_used": years,
        },
        "rules": summary.to_dicts(),
        "sum_over_rules_last_12_months": {
            "note": "the same day can be delay under two rules: this sum counts it twice",
            "days": last_12["days_last_12_months"],
            "cost": last_12["cost_last_12_months"],
            "days_unpriced": last_12["days_unpriced_last_12_months"],
        },
        "unpriced": unpriced_days(rows).to_dicts(),
        "what_if": None if change is None else _what_if_json(change),
    }
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
        return
    _print(figures, summary, change, years, costs)


def _what_if_json(change: WhatIf) -> dict[str, object]:
    return {
        "rule": change.rule,
        "description": change.description,
        "cases": change.cases,
        "days_now": change.days_now,
        "days_then": change.days_then,
        "cost_now": change.cost_now,
        "cost_then": change.cost_then,
        "avoided_per_year": change.avoided_per_year,
    }


def _print(
    figures: dict[str, object],
    summary: pl.DataFrame,
    change: WhatIf | None,
    years: list[str],
    costs: UnitCosts,
) -> None:
    la, when = figures["la"], figures["as_at"]
    window = figures["window"]
    assert isinstance(window, dict)
    console.print(
        f"[bold]Cost of delay for LA {la}, the last 12 months to {when:%d/%m/%Y}[/] "
        f"({window['from']:%d/%m/%Y} to {when:%d/%m/%Y})",
        highlight=False,
    )
    table = Table(show_edge=False)
    for heading in ("rule", "cases", "children", "days of delay", "median days late", "cost"):
        left = heading == "rule"
        table.add_column(heading, justify="left" if left else "right", no_wrap=left)
    for r in summary.iter_rows(named=True):
        median = r["median_days_late_last_12_months"]
        table.add_row(
            escape(r["rule"]),
            f"{r['cases_last_12_months']:,}",
            f"{r['children_last_12_months']:,}",
            f"{r['days_last_12_months']:,}",
            "-" if median is None else f"{median:,.0f}",
            money(r["cost_last_12_months"]),
        )
    total = figures["sum_over_rules_last_12_months"]
    assert isinstance(total, dict)
    table.add_row(
        "sum over rules *",
        "",
        "",
        f"{total['days']:,}",
        "",
        money(total["cost"]),
    )
    console.print(table)
    console.print(
        "* A day of delay under two rules counts twice in this sum. Cases: milestones met "
        "late, or overdue, with delay in those 12 months; median days late: the whole "
        "delay of those cases. " + ROUNDING,
        highlight=False,
    )
    console.print(
        f"Unit costs: {escape(costs.title)} ({prices(years)}). Source: {escape(costs.source)}",
        highlight=False,
    )
    unpriced = figures["unpriced"]
    assert isinstance(unpriced, list)
    recent = [u for u in unpriced if u["days_last_12_months"] > 0]
    if recent:
        days = sum(u["days_last_12_months"] for u in recent)
        console.print(
            f"[yellow]{days:,} days of delay could not be priced[/] (not counted in the cost):",
            highlight=False,
        )
        for u in recent:
            n = u["days_last_12_months"]
            console.print(f"  {n:>7,} {'day' if n == 1 else 'days'}: {escape(u['why_unpriced'])}")
        console.print("  To price them, add costs to a copy of the unit costs (--unit-costs).")
    else:
        console.print("Every day of delay in those 12 months was priced.")
    if change is not None:
        console.print(
            f"[bold]{escape(change.description)}, LA {la} would avoid about "
            f"{money(change.avoided_per_year)} a year ({prices(years)}).[/]",
            highlight=False,
        )
        console.print(
            f"  ({change.days_now - change.days_then:,} fewer days of delay in the last 12 "
            f"months, over {change.cases:,} cases; days that cannot be priced save nothing.)",
            highlight=False,
        )
