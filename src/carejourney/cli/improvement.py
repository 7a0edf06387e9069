"""What the `aims` and `pdsa` commands share: their Typer groups, options, the LA and the
one transaction each command works in, and how aims and cycles are printed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import IntegrityError

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.options import connect
from carejourney.improvement.aims import (
    Aim,
    AimError,
    Measure,
    aim_las,
)
from carejourney.improvement.chart import View
from carejourney.improvement.cycles import (
    Cycle,
    CycleError,
)
from carejourney.measures.spc.types import ChartType, RuleSetName
from carejourney.store import queries

console = terminal.console

aims_app = typer.Typer(
    help="Quality-improvement aims: add them, list them, and chart their measures with "
    "their PDSA cycles marked.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
pdsa_app = typer.Typer(
    help="PDSA cycles (plan, do, study, act): the tests of change tried for an aim.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(aims_app, name="aims")
app.add_typer(pdsa_app, name="pdsa")

AimArgument = Annotated[
    str, typer.Argument(metavar="AIM", help="The aim's name (see `carejourney aims list`).")
]
AsAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="Work the measure out as at this date, dd/mm/yyyy. Default: the latest day your "
        "data covers.",
        show_default=False,
    ),
]
ViewOption = Annotated[
    View,
    typer.Option(
        "--view",
        help="For an aim measured by a timescale rule: months (% on time per month, a p "
        "chart) or children (days taken, child by child, an I chart).",
    ),
]
SpcRulesOption = Annotated[
    RuleSetName,
    typer.Option(
        "--rules",
        help="Which rules find signals: anhoej (few false alarms), ihi or mdc (NHS Making "
        "Data Count).",
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print it as JSON.")]
# Charts an aim's CSV series can be: subgroup charts (xbar, s) need every observation.
AIM_CHARTS = [c.value for c in ChartType if c not in (ChartType.XBAR, ChartType.S)]


def stop(what: str, reason: str) -> typer.Exit:
    """Print why a command could not do what was asked; the caller raises the result."""
    terminal.err.print(f"[bold red]{what}[/]: {escape(reason)}", highlight=False)
    return typer.Exit(2)


def aim_la(conn: Connection, la: str | None, *, adding: bool = False) -> str:
    """The LA meant: --la, else the only one holding data or aims. A new aim may be for an
    LA with nothing loaded yet (its measure can come from a CSV file)."""
    known = sorted(set(queries.local_authorities(conn)) | set(aim_las(conn)))
    held = ", ".join(known) or "none yet"
    if la is not None:
        if adding or la in known:
            return la
        raise stop("Unknown LA", f"the database holds no LA '{la}'. It holds: {held}.")
    if len(known) == 1:
        return known[0]
    if not known:
        raise stop(
            "Which LA?", "the database holds no LA yet: say which with --la CODE (e.g. --la 931)."
        )
    raise stop("Which LA?", f"say which LA with --la (the database holds {held}).")


@contextmanager
def session(db: str | None, *, writes: bool = False) -> Iterator[tuple[Engine, Connection]]:
    """One transaction: everything a command stores is stored, or (on bad input) nothing.
    An aim or cycle that cannot be found or stored ends the command with its message."""
    engine = connect(db)
    try:
        with engine.begin() as conn:
            try:
                yield engine, conn
            except (AimError, CycleError) as exc:
                # Raising out of engine.begin() rolls the transaction back.
                if isinstance(exc, CycleError) and exc.problems:
                    terminal.print_problems(list(exc.problems))
                terminal.err.print(f"[bold red]{escape(str(exc))}[/]", highlight=False)
                if writes:
                    terminal.err.print("Nothing was changed.")
                raise typer.Exit(2) from None
            except IntegrityError:
                # Two people adding the same aim, or the next cycle, at the same moment: the
                # database's unique names and numbers keep one; the other tries again.
                terminal.err.print(
                    "[bold red]Someone else changed this LA's aims at the same moment.[/] "
                    "Nothing was changed: run the command again."
                )
                raise typer.Exit(1) from None
    finally:
        engine.dispose()  # a command's connections close with it (a server counts them)


def print_cycles(cycles: list[Cycle], aim: Aim, *, full: bool = False) -> None:
    if not cycles:
        console.print(
            f"\nNo PDSA cycles yet: add one with `carejourney pdsa add {escape(aim.name)} "
            '--title "..." --change "..." --prediction "..." --start dd/mm/yyyy`.',
            highlight=False,
        )
        return
    console.print(f"\n[bold]PDSA cycles of {escape(aim.name)}[/]", highlight=False)
    for c in cycles:
        dates = show_date(c.do_start) + (f" to {show_date(c.do_end)}" if c.do_end else " (running)")
        act = c.act.value if c.act else "not decided"
        phase = "; starts a new phase" if c.starts_phase else ""
        console.print(
            f"[bold]{c.number}[/]. {escape(c.title)}: {dates}; act: {act}{phase}",
            highlight=False,
            soft_wrap=True,
        )
        if full:
            for label, text in (
                ("Change idea", c.change_idea),
                ("Prediction", c.prediction),
                ("Study", c.study or "not yet written"),
                ("Author", c.author or ""),
            ):
                console.print(f"   {label}: {escape(text)}", highlight=False, soft_wrap=True)


def aim_dict(aim: Aim) -> dict[str, object]:
    return {
        "name": aim.name,
        "la": aim.la,
        "statement": aim.statement,
        "cohort": aim.cohort,
        "measure": aim.measure.value,
        "rule_set": aim.rule_set,
        "rule": aim.rule,
        "chart": None if aim.chart is None else aim.chart.value,
        "target_percent": aim.target_percent,
        "deadline": aim.deadline,
        "owner": aim.owner,
        "improvement": aim.improvement.value,
        "created_at": aim.created_at,
        "created_by": aim.created_by,
    }


def cycle_dict(c: Cycle) -> dict[str, object]:
    return {
        "number": c.number,
        "title": c.title,
        "change_idea": c.change_idea,
        "prediction": c.prediction,
        "do_start": c.do_start,
        "do_end": c.do_end,
        "study": c.study,
        "act": None if c.act is None else c.act.value,
        "author": c.author,
        "starts_phase": c.starts_phase,
        "created_at": c.created_at,
        "created_by": c.created_by,
        "updated_at": c.updated_at,
        "updated_by": c.updated_by,
    }


def measure_words(aim: Aim) -> str:
    if aim.measure is Measure.RULE:
        return f"rule {aim.rule} of {aim.rule_set}"
    chart = aim.chart.value if aim.chart else "?"
    return f"CSV series ({aim.value_title or 'value'}, {chart} chart)"


def target_words(aim: Aim) -> str:
    if aim.target_percent is None:
        return "none"
    if aim.measure is Measure.RULE or aim.chart in (ChartType.P, ChartType.P_PRIME):
        return f"{aim.target_percent:g}%"
    return f"{aim.target_percent:g}"


def show_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"
