"""Commands for demand as families experience it: `carejourney demand ...`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from carejourney.cli.app import app
from carejourney.cli.options import DbOption
from carejourney.cli.returns import JsonOption, LaOption, run_import
from carejourney.imports import Only
from carejourney.schema.demand import DEMAND_BY_KIND

demand_app = typer.Typer(
    help="Demand as families experience it: contacts, value and failure demand, right first "
    "time, end-to-end time.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(demand_app, name="demand")

DEMAND_ONLY = Only(frozenset(DEMAND_BY_KIND), "demand data", "carejourney import")


@demand_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Demand files, or folders of them: contacts, assessments, help provided, "
            "CIN census referrals and assessments (CSV or Excel)."
        ),
    ],
    la: LaOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check demand files and store them, all or nothing.

    Each file is recognised by its column headings. Each kind of file is the LA's whole
    list: importing contacts replaces every contact stored for the LA (several files of a
    kind given together are stored together). Any error stores nothing and leaves the
    database exactly as it was; importing the same files again changes nothing.

    Example: `carejourney demand import contacts.csv assessments.csv help.csv --la 931`
    """
    run_import(paths, la, db, as_json, only=DEMAND_ONLY)
