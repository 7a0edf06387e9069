"""Commands for what needs attention and how timely the journeys are: drift, timeliness."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Engine

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.journeys import LaOption, rule_set, which_la
from carejourney.cli.options import DbOption, connect, date_option
from carejourney.journeys.stored import Journeys, load
from carejourney.measures import summaries
from carejourney.measures.scorecard import RULES as SCORECARD_RULES
from carejourney.measures.scorecard import scorecard, thresholds_from_rule_set
from carejourney.measures.stability import stability
from carejourney.store import access, queries

console = terminal.console
SHOWN = 40

AsAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="The date to look from, dd/mm/yyyy. Default: the latest day your data covers "
        "(the end of the latest collection year, or the latest tracker date).",
        show_default=False,
    ),
]
RuleSetsOption = Annotated[
    list[str] | None,
    typer.Option(
        "--rules",
        help="Rule set name (see `carejourney rules`) or the path of your own TOML file; "
        "give it more than once for several. Default: england.",
        show_default=False,
    ),
]


def _journeys(db: str | None, la: str | None) -> tuple[Engine, Journeys]:
    engine = connect(db)
    with engine.connect() as conn:
        code = which_la(queries.local_authorities(conn), la)
        return engine, load(conn, code)


def _record(engine: Engine, journeys: Journeys, action: str, children: list[str]) -> None:
    """Every child whose record the list shows goes in the access log."""
    with engine.begin() as conn:
        if children:
            access.record_children(conn, action, children, la=journeys.la)
        else:
            access.record(conn, action, la=journeys.la)


@app.command("drift")
def drift_command(
    as_at: AsAtOption = None,
    rules: RuleSetsOption = None,
    status: Annotated[
        list[str] | None,
        typer.Option(
            help="Only these statuses (overdue, reminder due, on track, met on time, "
            "met late, not applicable). Default: the open ones.",
            show_default=False,
        ),
    ] = None,
    team: Annotated[
        str | None,
        typer.Option(
            help="Only this team's children (from your allocation list).", show_default=False
        ),
    ] = None,
    worker: Annotated[
        str | None,
        typer.Option(help="Only this social worker's children (SW_ID).", show_default=False),
    ] = None,
    route: Annotated[
        str | None, typer.Option(help="Only this route, e.g. adoption.", show_default=False)
    ] = None,
    rule: Annotated[
        str | None, typer.Option(help="Only this rule, e.g. review-second.", show_default=False)
    ] = None,
    age_min: Annotated[
        int | None,
        typer.Option(
            help="Only children at least this old (years, on the as-at date).", show_default=False
        ),
    ] = None,
    age_max: Annotated[
        int | None,
        typer.Option(
            help="Only children at most this old (years, on the as-at date).", show_default=False
        ),
    ] = None,
    within: Annotated[
        int | None,
        typer.Option(
            help="Only what is overdue or falls due within this many days.", show_default=False
        ),
    ] = None,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the list as JSON.")] = False,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Write the list to a CSV file.", show_default=False)
    ] = None,
) -> None:
    """The drift list: every child's next milestones, when each is due, and who is overdue.

    Sorted by urgency: overdue first (most days late first), then reminders due, then on
    track (fewest days left first). Viewing or saving the list is recorded in the access log.

    Example: `carejourney drift --within 31 --rules england --rules pace-moray`
    """
    sets = [rule_set(name) for name in (rules or ["england"])]
    chosen = date_option(as_at, "--as-at")
    engine, journeys = _journeys(db, la)
    when = chosen or summaries.default_as_at(journeys)
    rows = summaries.drift_list(journeys, sets, when)
    wanted = status or list(summaries.OPEN)
    rows = rows.filter(pl.col("status").is_in(wanted))
    if age_min is not None:
        rows = rows.filter(pl.col("age") >= age_min)
    if age_max is not None:
        rows = rows.filter(pl.col("age") <= age_max)
    if within is not None:
        rows = rows.filter(pl.col("days_left").is_null() | (pl.col("days_left") <= within))
    for column, value in (("team", team), ("worker", worker), ("route", route), ("rule", rule)):
        if value is not None:
            rows = rows.filter(pl.col(column) == value)
    shown = rows if csv_file or as_json else rows.head(SHOWN)
    _record(
        engine, journeys, "drift list " + ("csv" if csv_file else "view"), shown["CHILD"].to_list()
    )
    if csv_file:
        rows.drop("occurrence").write_csv(csv_file, date_format="%d/%m/%Y")
        console.print(f"Wrote {rows.height:,} rows to {csv_file}.")
        return
    if as_json:
        print(json.dumps({"as_at": when, "rows": rows.to_dicts()}, indent=2, default=str))
        return
    counts = dict(rows.group_by("status").len().iter_rows())
    order = [*summaries.OPEN, *sorted(set(counts) - set(summaries.OPEN))]
    summary = ", ".join(f"{counts[s]:,} {s}" for s in order if s in counts)
    console.print(
        f"[bold]Drift list for LA {journeys.la}, as at {when:%d/%m/%Y}[/]"
        + ("" if chosen else " (the latest day your data covers; choose another with --as-at)")
        + f": {summary or 'nothing due'}.",
        highlight=False,
    )
    # One child per entry, the reason on its own line: readable in any width of window.
    colours = {"overdue": "red", "reminder due": "yellow", "on track": "green"}
    for r in rows.head(SHOWN).iter_rows(named=True):
        days = r["days_late"] if r["status"] in ("overdue", "met late") else r["days_left"]
        count = (
            ""
            if days is None
            else (
                f", {days:,} days late"
                if r["status"] in ("overdue", "met late")
                else f", {days:,} days left"
            )
        )
        who = " / ".join(x for x in (r["team"], r["worker"]) if x)
        colour = colours.get(r["status"], "white")
        console.print(
            f"[{colour}]{r['status']:<12}[/] child {escape(r['CHILD'])}, due "
            f"{r['due_date']:%d/%m/%Y}{count}" + (f"  ({escape(who)})" if who else ""),
            highlight=False,
            soft_wrap=True,
        )
        console.print(f"             {escape(r['why'])}", highlight=False, soft_wrap=True)
    if rows.height > SHOWN:
        console.print(f"… and {rows.height - SHOWN:,} more: save them all with --csv FILE.")


@app.command("timeliness")
def timeliness_command(
    as_at: AsAtOption = None,
    entered_from: Annotated[
        str | None,
        typer.Option(
            help="Only periods of care that began on or after this date (dd/mm/yyyy).",
            show_default=False,
        ),
    ] = None,
    entered_before: Annotated[
        str | None,
        typer.Option(
            help="Only periods of care that began before this date (dd/mm/yyyy).",
            show_default=False,
        ),
    ] = None,
    rules: RuleSetsOption = None,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
) -> None:
    """How timely journeys are: the adoption scorecard (A1, A2, A3, A10), each rule's
    performance, time to each milestone counting children still waiting, and placement
    stability.

    `--entered-from` and `--entered-before` choose a cohort: the periods of care that began
    between those dates (everything else is left out, as if those children were not there).

    Example: `carejourney timeliness --rules england --entered-from 01/04/2023`
    """
    sets = [rule_set(name) for name in (rules or ["england"])]
    engine, journeys = _journeys(db, la)
    _record(engine, journeys, "timeliness (figures only)", [])
    journeys = summaries.cohort(
        journeys,
        date_option(entered_from, "--entered-from"),
        date_option(entered_before, "--entered-before"),
    )
    when = date_option(as_at, "--as-at") or summaries.default_as_at(journeys)
    year_end = dt.date(when.year if when.month >= 4 else when.year - 1, 3, 31)
    if when.month == 3 and when.day == 31:
        year_end = when
    due = summaries.drift_list(journeys, sets, when)
    # An LA's own copy of the scorecard rules (given with --rules) sets its thresholds.
    scorecard_rules = [s for s in sets if all(r in s.names for r in SCORECARD_RULES.values())]
    thresholds = thresholds_from_rule_set(scorecard_rules[0]) if scorecard_rules else None
    figures = {
        "as_at": when,
        "scorecard": scorecard(
            journeys.periods,
            journeys.milestones,
            journeys.placements,
            year_end,
            thresholds=thresholds,
        ).to_dicts(),
        "rules": summaries.rule_performance(due).to_dicts(),
        "waiting": [
            row
            for s in sets
            for row in summaries.waiting_times(
                journeys, s, when, due.filter(pl.col("rule_set") == s.name)
            ).to_dicts()
        ],
        "stability": stability(
            journeys.periods, journeys.placements, journeys.children, year_end
        ).to_dicts(),
    }
    if as_json:
        print(json.dumps(figures, indent=2, default=str))
        return
    console.print(f"[bold]Timeliness for LA {journeys.la}, as at {when:%d/%m/%Y}[/]")
    _table(
        "Adoption scorecard (3 years to " + f"{year_end:%d/%m/%Y})",
        ["measure", "children", "value", "unit", "threshold"],
        figures["scorecard"],
    )
    _table(
        "Rules: of those due by the as-at date",
        [
            "rule",
            "due",
            "on_time",
            "late",
            "overdue",
            "percent_on_time",
            "quartile_1_days",
            "median_days",
            "quartile_3_days",
        ],
        figures["rules"],
    )
    _table(
        "Time to milestone, counting children still waiting (Kaplan-Meier)",
        [
            "rule",
            "children",
            "reached",
            "median_days",
            "reached_by_6_months",
            "reached_by_12_months",
            "reached_by_18_months",
        ],
        figures["waiting"],
    )
    _table(
        f"Placement stability, year to {year_end:%d/%m/%Y}",
        ["measure", "children", "count", "percent"],
        figures["stability"],
    )


def _table(title: str, columns: list[str], rows: object) -> None:
    table = Table(title=title, show_edge=False)
    for column in columns:
        heading = {"quartile_1_days": "q1 days", "quartile_3_days": "q3 days"}.get(column, column)
        table.add_column(
            heading.replace("_", " "),
            justify="left" if column in ("measure", "rule", "unit") else "right",
        )
    for row in rows:  # type: ignore[attr-defined]
        table.add_row(*[_cell(row.get(c), c) for c in columns])
    console.print(table)


def _cell(value: object, column: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float) and column.startswith("reached_by"):
        return f"{value:.0%}"  # a share of the children
    if isinstance(value, float):
        return f"{value:,.1f}"
    if isinstance(value, int):
        return f"{value:,}"
    return str(value)
