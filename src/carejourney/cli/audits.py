"""`carejourney audits`: case audits from the command line, for a QA lead.

- `audits import FILE...`: the audit spreadsheet the LA already keeps, all or nothing
  (`quality.importing`), its problems printed as `carejourney import` prints them;
- `audits programme add|list|stop` and `audits draw PROGRAMME --month 2026-11 --auditor
  NAME...`: audit programmes and their monthly samples (`cli.audit_programme`);
- `audits summary`: what the quarterly QA meeting needs (`cli.audit_summary`).

A thin layer: every figure is worked out by `quality` and `measures`, never here. This module
holds the command group, the options and helpers the audit commands share, and the import.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from sqlalchemy import Connection, Engine, select, union
from sqlalchemy.exc import SQLAlchemyError

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.improvement import stop
from carejourney.cli.options import DbOption, connect
from carejourney.config.audits import (
    DEFAULT_TEMPLATE,
    AuditTemplateError,
    Template,
    load_template,
)
from carejourney.quality.importing import AuditImport, import_audits
from carejourney.quality.programme import ProgrammeError
from carejourney.sources.values import read_date
from carejourney.store import queries
from carejourney.store.tables import audit, audit_programme, management_alert, qa_action

console = terminal.console

audits_app = typer.Typer(
    help="Case audits: import the audit spreadsheet, run the monthly audit programme, and "
    "the summary for the quarterly QA meeting.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
programme_app = typer.Typer(
    help="Audit programmes: how many cases are audited each month, and how they are chosen.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(audits_app, name="audits")
audits_app.add_typer(programme_app, name="programme")

LaOption = Annotated[
    str | None,
    typer.Option(
        "--la", help="The LA's code. Default: the only LA in the database.", show_default=False
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print it as JSON.")]
TemplateOption = Annotated[
    str | None,
    typer.Option(
        "--template",
        help=f"The audit template: a shipped one ({DEFAULT_TEMPLATE}, case-audit-scotland), "
        f"your own by its name, or a file. Default: {DEFAULT_TEMPLATE}.",
        show_default=False,
    ),
]
SPREADSHEETS = (".csv", ".xlsx", ".xlsm", ".xls")


class _NotStored(Exception):
    """Raised inside the import's transaction to roll every file back."""


# --- the LA, and one transaction per command ------------------------------------------------


def audit_las(conn: Connection) -> list[str]:
    """The LAs holding anything about audits: programmes, audits, actions or alerts."""
    query = union(*(select(t.c.la) for t in (audit_programme, audit, qa_action, management_alert)))
    return sorted(str(la) for la in conn.execute(query).scalars())


def which_la(conn: Connection, la: str | None, *, adding: bool = False) -> str:
    """The LA meant: --la, else the only one holding data or audits. Audits may be the first
    thing stored for an LA (`adding`)."""
    known = sorted(set(queries.local_authorities(conn)) | set(audit_las(conn)))
    held = ", ".join(known) or "none yet"
    if la is not None:
        if adding or la in known:
            return la
        raise stop("Unknown LA", f"the database holds no LA '{la}'. It holds: {held}.")
    if len(known) == 1:
        return known[0]
    if not known:
        raise stop("Which LA?", "the database holds nothing yet: say which LA with --la CODE.")
    raise stop("Which LA?", f"say which LA with --la (the database holds {held}).")


@contextmanager
def session(db: str | None) -> Iterator[tuple[Engine, Connection]]:
    """One transaction: everything a command stores is stored, or (on bad input) nothing.
    A programme or sample refused ends the command with its message, exit code 2."""
    engine = connect(db)
    try:
        with engine.begin() as conn:
            yield engine, conn
    except ProgrammeError as exc:
        raise stop("Nothing was stored", str(exc)) from None
    finally:
        engine.dispose()


def month_option(text: str, option: str = "--month") -> dt.date:
    """A month written 2026-11, 11/2026, 01/11/2026 or November 2026: its first day."""
    words = text.strip()
    found = re.fullmatch(r"(\d{4})-(\d{1,2})", words) or re.fullmatch(r"(\d{1,2})/(\d{4})", words)
    if found is not None:
        first, second = (int(g) for g in found.groups())
        year, month = (first, second) if first > 12 else (second, first)
        if 1 <= month <= 12:
            return dt.date(year, month, 1)
    day = read_date(words)
    if day is None:
        for form in ("%B %Y", "%b %Y"):
            try:
                day = dt.datetime.strptime(words, form).date()
                break
            except ValueError:
                continue
    if day is None:
        raise typer.BadParameter(
            f"'{text}' is not a month: write it as 2026-11 (or November 2026).", param_hint=option
        )
    return day.replace(day=1)


# --- import ----------------------------------------------------------------------------------


@audits_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="The audit spreadsheets (CSV or Excel), or folders of them.", show_default=False
        ),
    ],
    la: LaOption = None,
    template: TemplateOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check audit spreadsheets and store their audits, all or nothing.

    One row per audit: CHILD, AUDIT_DATE, AUDITOR, OVERALL, a grade column per domain of the
    template, STRENGTHS and DEVELOPMENT (themes separated by ;), FINDINGS, MODERATOR and
    MODERATED_GRADE (see docs/audits.md). Any error in any file stores nothing and leaves
    the database exactly as it was. Importing the same file again changes nothing; a later
    copy with more rows adds the new audits and updates those changed.

    Exit code 0 when stored, 1 when not (as `carejourney import`).

    Example: `carejourney audits import "May audits.xlsx" --la 931`
    """
    files = list(_spreadsheets(paths))
    if not files:
        raise stop(
            "No spreadsheets", "give audit spreadsheets (.csv or .xlsx), or folders of them."
        )
    if template is not None:
        template_named(template)  # a template that cannot be used is said once, plainly
    engine = connect(db)
    outcomes: list[AuditImport] = []
    code = la or ""
    try:
        with engine.begin() as conn:
            code = which_la(conn, la, adding=True)
            for path in files:
                outcomes.append(import_audits(conn, code, path, template=template))
            if not all(o.stored for o in outcomes):
                raise _NotStored  # rolls back every file: all or nothing
    except _NotStored:
        pass
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        terminal.err.print(
            f"[bold red]The database refused the import[/] ({escape(reason)}). Nothing was "
            "stored; the database is exactly as it was.",
            highlight=False,
        )
        raise typer.Exit(1) from None
    finally:
        engine.dispose()
    stored = all(o.stored for o in outcomes)
    if as_json:
        data = {"la": code, "stored": stored, "files": [o.as_dict() for o in outcomes]}
        print(json.dumps(data, indent=2, default=str))
        raise typer.Exit(0 if stored else 1)
    terminal.print_problems([p for o in outcomes for p in o.problems])
    for outcome in outcomes:
        console.print(escape(_import_words(outcome, stored)), highlight=False)
    if stored:
        console.print(f"[green]Stored[/] for LA {escape(code)}.", highlight=False)
    else:
        console.print(
            "[bold red]Nothing was stored[/]: fix the errors above and import again. "
            "The database is exactly as it was."
        )
    raise typer.Exit(0 if stored else 1)


def _spreadsheets(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from sorted(
                p for p in path.iterdir() if p.is_file() and p.suffix.lower() in SPREADSHEETS
            )
        else:
            yield path


def _import_words(outcome: AuditImport, stored: bool) -> str:
    sheet = outcome.sheet
    name = Path(sheet.file).name
    if sheet.has_errors:
        return f"{name}: not imported (errors above)."
    if not sheet.audits:
        return f"{name}: no audits in it."
    if not stored:
        checked = n_of(len(sheet.audits), "audit")
        return f"{name}: {checked} checked, not stored (another file has errors)."
    words = (
        f"{name}: {outcome.added} added, {outcome.updated} updated, {outcome.unchanged} unchanged."
    )
    if sheet.new_themes:
        words += f" New themes (not in the template): {'; '.join(sheet.new_themes)}."
    return words


def n_of(count: int, noun: str) -> str:
    return f"{count:,} {noun}" + ("" if count == 1 else "s")


def template_named(name: str) -> Template:
    try:
        return load_template(name)
    except AuditTemplateError as exc:
        raise stop("Cannot use this template", str(exc)) from None


# The commands in the other modules register themselves on `audits_app` when imported; they
# import this module's group and helpers, so they come last.
from carejourney.cli import audit_programme as _programme  # noqa: E402, F401
from carejourney.cli import audit_summary as _summary  # noqa: E402, F401
