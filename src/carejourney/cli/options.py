"""Options and helpers shared by the commands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from carejourney import terminal
from carejourney.sources.values import read_date
from carejourney.sources.years import parse_year
from carejourney.store import database

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="Database: a SQLite file path or a postgresql:// URL. "
        f"Default: ${database.ENVIRONMENT_VARIABLE}, else {database.default_path()}.",
        show_default=False,
    ),
]
YearOption = Annotated[
    str | None,
    typer.Option(
        "--year",
        help="The collection year, e.g. 2024/25 (or 2024, the year it starts). "
        "Default: read from the file names and the data.",
        show_default=False,
    ),
]
PathsArgument = Annotated[
    list[Path],
    typer.Argument(help="Files, folders or zip files holding the return (CSV or DfE XML)."),
]


def connect(db: str | None) -> Engine:
    """The database, or a message saying why it cannot be used (never a traceback)."""
    url = database.resolve_url(db)
    try:
        return database.connect(db)
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        terminal.err.print(
            f"[bold red]Cannot use the database[/] {database.describe(url)}: {reason}\n"
            "Check --db (a file path or postgresql://user@server/database) or "
            f"${database.ENVIRONMENT_VARIABLE}.",
            highlight=False,
        )
        raise typer.Exit(2) from None


def date_option(value: str | None, option: str) -> dt.date | None:
    """A date option (--as-at, --start ...), or a message saying how to write it."""
    if value is None:
        return None
    day = read_date(value)
    if day is None:
        raise typer.BadParameter(
            f"'{value}' is not a date: write it as dd/mm/yyyy.", param_hint=option
        )
    return day


def year_option(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_year(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from exc
