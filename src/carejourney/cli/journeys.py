"""Commands about children's journeys: rules, journey (and, as they land, drift, timeliness)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.options import DbOption, connect
from carejourney.config.rules import RuleSet, RuleSetError, load_rule_set, shipped_rule_sets
from carejourney.journeys.stored import load
from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.store import access, queries

console = terminal.console

RulesOption = Annotated[
    str | None,
    typer.Option(
        "--rules",
        help="A shipped rule set's name (see `carejourney rules`) or the path of your own "
        "edited TOML file.",
        show_default=False,
    ),
]
LaOption = Annotated[
    str | None,
    typer.Option(
        "--la", help="The LA's code. Default: the only LA in the database.", show_default=False
    ),
]


def rule_set(name: str) -> RuleSet:
    try:
        return load_rule_set(name)
    except RuleSetError as exc:
        terminal.err.print(f"[bold red]Cannot use these rules[/]: {escape(str(exc))}")
        raise typer.Exit(2) from None


def which_la(conn_las: list[str], la: str | None) -> str:
    if la is not None:
        if la not in conn_las:
            terminal.err.print(
                f"The database holds no LA '{escape(la)}'. It holds: "
                + (", ".join(conn_las) or "none yet")
                + "."
            )
            raise typer.Exit(2)
        return la
    if len(conn_las) == 1:
        return conn_las[0]
    terminal.err.print(
        "Say which LA with --la (the database holds " + (", ".join(conn_las) or "none yet") + ")."
    )
    raise typer.Exit(2)


@app.command("rules")
def rules_command(
    rules: RulesOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the rules as JSON.")] = False,
) -> None:
    """List the timescale rule sets, or one set's rules with their sources.

    Example: `carejourney rules --rules pace-moray`
    """
    if rules is None:
        sets = [load_rule_set(name) for name in shipped_rule_sets()]
        if as_json:
            print(json.dumps([s.model_dump(mode="json") for s in sets], indent=2))
            return
        table = Table(title="Shipped rule sets (copy one, edit it, and give its path to --rules)")
        for heading in ("name", "nation", "rules", "what it is"):
            table.add_column(heading)
        for s in sets:
            table.add_row(s.name, str(s.nation), str(len(s.rules)), s.title)
        console.print(table)
        return
    chosen = rule_set(rules)
    if as_json:
        print(json.dumps(chosen.model_dump(mode="json"), indent=2))
        return
    console.print(f"[bold]{escape(chosen.title)}[/] ({chosen.nation}). {escape(chosen.source)}")
    for rule in chosen.rules:
        start = MILESTONES_BY_NAME[rule.from_milestone].label
        end = MILESTONES_BY_NAME[rule.to_milestone].label
        unit = str(rule.unit).replace("_", " ")
        line = f"\n[bold]{rule.name}[/]: {escape(rule.title)}\n  {end} within {rule.within} {unit}"
        line += f" of {start.lower()}"
        if rule.reminder_at is not None:
            line += f"; reminder at {rule.reminder_at}"
        if rule.target_percent is not None:
            line += f"; aim {rule.target_percent:g}%"
            if rule.target_date is not None:
                line += f" by {rule.target_date:%d/%m/%Y}"
        console.print(line, highlight=False)
        verified = "" if rule.verified else " [yellow](not verified nationally)[/]"
        console.print(f"  Source: {escape(rule.source)}{verified}", highlight=False)


@app.command("journey")
def journey_command(
    child: Annotated[str, typer.Argument(help="The child's ID, as in the return.")],
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the journey as JSON.")] = False,
) -> None:
    """Show one child's journey: periods of care, placements and milestones.

    Viewing a child's record is written to the access log (who, when, which child).

    Example: `carejourney journey 123456 --la 931`
    """
    engine = connect(db)
    with engine.begin() as conn:
        code = which_la(queries.local_authorities(conn), la)
        journeys = load(conn, code)
        access.record(conn, "view journey", la=code, child=child)
    periods = journeys.periods.filter(journeys.periods["CHILD"] == child)
    if periods.is_empty():
        terminal.err.print(f"LA {code} has no child with that ID in its returns.")
        raise typer.Exit(1)
    placements = journeys.placements.filter(journeys.placements["CHILD"] == child)
    milestones = journeys.milestones.filter(journeys.milestones["CHILD"] == child)
    if as_json:
        data = {
            "la": code,
            "child": child,
            "periods": periods.drop("CHILD").to_dicts(),
            "placements": placements.drop("CHILD").to_dicts(),
            "milestones": milestones.drop("CHILD").to_dicts(),
        }
        print(json.dumps(data, indent=2, default=str))
        return
    console.print(f"[bold]Child {escape(child)}[/], LA {code}")
    for period in periods.iter_rows(named=True):
        end = _day(period["end"]) if period["end"] else "still looked after"
        console.print(
            f"\n[bold]Period of care {period['period']}[/]: {_day(period['start'])} to {end}"
            + (f" ({period['exit_reason']})" if period["exit_reason"] else ""),
            highlight=False,
        )
        table = Table(show_edge=False)
        for heading in ("date", "milestone", "detail", "from"):
            table.add_column(heading)
        rows = milestones.filter(milestones["period"] == period["period"])
        for m in rows.iter_rows(named=True):
            table.add_row(
                _day(m["date"]),
                MILESTONES_BY_NAME[m["milestone"]].label,
                m["detail"] or "",
                m["source"],
            )
        console.print(table)
        moves = placements.filter(placements["period"] == period["period"])
        console.print(
            f"{moves.height} placement(s): "
            + "; ".join(
                f"{p['place_start']} from {_day(p['start'])}" for p in moves.iter_rows(named=True)
            ),
            highlight=False,
        )


def _day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%d/%m/%Y}"
