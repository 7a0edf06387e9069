"""Options and helpers shared by the commands."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError

from carejourney import terminal
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


def year_option(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_year(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from exc
