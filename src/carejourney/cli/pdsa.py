"""`carejourney pdsa`: the PDSA cycles (plan, do, study, act) tried for an aim."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from carejourney.cli.improvement import (
    AimArgument,
    JsonOption,
    aim_la,
    console,
    cycle_dict,
    pdsa_app,
    print_cycles,
    session,
    stop,
)
from carejourney.cli.journeys import LaOption
from carejourney.cli.options import DbOption, date_option
from carejourney.improvement.aims import get_aim
from carejourney.improvement.cycles import (
    Act,
    CycleInput,
    add_cycle,
    add_cycles,
    get_cycle,
    list_cycles,
    read_cycles_csv,
    update_cycle,
)


@pdsa_app.command("add")
def pdsa_add_command(
    aim_name: AimArgument,
    title: Annotated[str, typer.Option(help="A short name for the test of change.")],
    change: Annotated[str, typer.Option(help="Plan: the change idea being tested.")],
    prediction: Annotated[str, typer.Option(help="Plan: what you predict will happen.")],
    start: Annotated[str, typer.Option(help="Do: the date the test started, dd/mm/yyyy.")],
    end: Annotated[
        str | None,
        typer.Option(
            help="Do: the date it ended, dd/mm/yyyy (leave out while it runs).", show_default=False
        ),
    ] = None,
    study: Annotated[
        str | None, typer.Option(help="Study: what happened.", show_default=False)
    ] = None,
    act: Annotated[
        Act | None,
        typer.Option(
            help="Act: adopt, adapt or abandon (leave out until decided).", show_default=False
        ),
    ] = None,
    author: Annotated[
        str | None,
        typer.Option(
            help="Who wrote the cycle up. Default: you (your login name).", show_default=False
        ),
    ] = None,
    new_phase: Annotated[
        bool,
        typer.Option(
            "--new-phase",
            help="Start a new phase of the aim's chart at this cycle: the change is big enough "
            "that the process after it is a different one.",
        ),
    ] = False,
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Add a PDSA cycle to an aim.

    Example: `carejourney pdsa add aim-2-recommendation --title "15-week reminder" --change
    "Remind the worker at 15 weeks" --prediction "More recommendations within 30 weeks"
    --start 01/04/2019`
    """
    started = date_option(start, "--start")
    assert started is not None  # --start is required
    cycle = CycleInput(
        title=title,
        change_idea=change,
        prediction=prediction,
        do_start=started,
        do_end=date_option(end, "--end"),
        study=study,
        act=act,
        author=author,
        starts_phase=new_phase,
    )
    with session(db, writes=True) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), aim_name)
        stored = add_cycle(conn, aim, cycle)
    console.print(
        f"[green]Added PDSA {stored.number}[/] ({escape(stored.title)}) to {escape(aim.name)}. "
        f"Record what happened later with `carejourney pdsa edit {escape(aim.name)} "
        f'{stored.number} --study "..." --act adopt`.',
        highlight=False,
    )


@pdsa_app.command("list")
def pdsa_list_command(
    aim_name: AimArgument, la: LaOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """List an aim's PDSA cycles.

    Example: `carejourney pdsa list aim-2-recommendation`
    """
    with session(db) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), aim_name)
        cycles = list_cycles(conn, aim)
    if as_json:
        print(json.dumps([cycle_dict(c) for c in cycles], indent=2, default=str))
        return
    print_cycles(cycles, aim, full=True)


@pdsa_app.command("import")
def pdsa_import_command(
    aim_name: AimArgument,
    file: Annotated[
        Path,
        typer.Argument(
            help="A CSV file, one cycle a row, with the columns title, change_idea, "
            "prediction, do_start (needed) and do_end, study, act, author, starts_phase."
        ),
    ],
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Import PDSA cycles from a CSV file: all of them, or (if any row has a problem) none.

    Example: `carejourney pdsa import aim-2-recommendation cycles.csv`
    """
    with session(db, writes=True) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), aim_name)
        stored = add_cycles(conn, aim, read_cycles_csv(file))
    numbers = f"{stored[0].number}" + (f" to {stored[-1].number}" if len(stored) > 1 else "")
    console.print(
        f"[green]Imported {len(stored)} PDSA cycle{'s' if len(stored) != 1 else ''}[/] into "
        f"{escape(aim.name)} (numbered {numbers}).",
        highlight=False,
    )


@pdsa_app.command("edit")
def pdsa_edit_command(
    aim_name: AimArgument,
    number: Annotated[
        int, typer.Argument(help="The cycle's number (see `carejourney pdsa list`).")
    ],
    title: Annotated[str | None, typer.Option(help="A new title.", show_default=False)] = None,
    change: Annotated[
        str | None, typer.Option(help="Plan: the change idea.", show_default=False)
    ] = None,
    prediction: Annotated[
        str | None, typer.Option(help="Plan: the prediction.", show_default=False)
    ] = None,
    start: Annotated[
        str | None, typer.Option(help="Do: the start date, dd/mm/yyyy.", show_default=False)
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Do: the end date, dd/mm/yyyy.", show_default=False)
    ] = None,
    study: Annotated[
        str | None, typer.Option(help="Study: what happened.", show_default=False)
    ] = None,
    act: Annotated[
        Act | None, typer.Option(help="Act: adopt, adapt or abandon.", show_default=False)
    ] = None,
    author: Annotated[str | None, typer.Option(help="Who wrote it up.", show_default=False)] = None,
    new_phase: Annotated[
        bool | None,
        typer.Option(
            "--new-phase/--no-new-phase",
            help="Whether a new phase of the chart starts at this cycle.",
            show_default=False,
        ),
    ] = None,
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Edit a PDSA cycle: usually to record what happened (--study) and what was decided
    (--act). Only what you give changes.

    Example: `carejourney pdsa edit aim-2-recommendation 1 --study "9 of 12 on time" --act adopt`
    """
    given = {
        "title": title,
        "change_idea": change,
        "prediction": prediction,
        "do_start": date_option(start, "--start"),
        "do_end": date_option(end, "--end"),
        "study": study,
        "act": act,
        "author": author,
        "starts_phase": new_phase,
    }
    changes = {k: v for k, v in given.items() if v is not None}
    if not changes:
        raise stop("Nothing to change", 'give what to change, e.g. --study "..." --act adopt.')
    with session(db, writes=True) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), aim_name)
        edited = replace(get_cycle(conn, aim, number).as_input(), **changes)  # type: ignore[arg-type]
        stored = update_cycle(conn, aim, number, edited)
    console.print(
        f"[green]Updated PDSA {stored.number}[/] ({escape(stored.title)}) of {escape(aim.name)}: "
        + ", ".join(changes).replace("_", " ")
        + ".",
        highlight=False,
    )
