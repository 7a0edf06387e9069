"""`carejourney report`: the permanence diagnostic report as HTML, XLSX and PDF files.

A thin layer over `reports.making.make_reports`: it reads the options, shows a progress
bar, prints the files written, and words `ReportError`s for the terminal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.costs import _unit_costs
from carejourney.cli.journeys import rule_set
from carejourney.cli.measures import AsAtOption, RuleSetsOption
from carejourney.cli.options import DbOption, connect, date_option
from carejourney.reports import making
from carejourney.reports.comparison import NationalFiguresError, load_national
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ResourceInputs
from carejourney.reports.making import (
    FORMATS,
    FolderError,
    ReportError,
    ReportOptions,
    children_named,
    comparison_name,
    report_name,
)

__all__ = ["children_named", "comparison_name", "report_command", "report_name"]

console = terminal.console


def _fail(message: str) -> typer.Exit:
    terminal.err.print(message, highlight=False)
    return typer.Exit(2)


def _failed(exc: ReportError) -> typer.Exit:
    if not exc.rest:
        return _fail(escape(exc.headline))
    hint = " Choose another with --out." if isinstance(exc, FolderError) else ""
    return _fail(f"[bold red]{escape(exc.headline)}[/]{escape(exc.rest)}{hint}")


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower().lstrip(".") for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(
            f"'{value}' is not a list of formats: choose from {', '.join(FORMATS)}, "
            "separated by commas, e.g. html,xlsx,pdf.",
            param_hint="--format",
        )
    return list(dict.fromkeys(chosen))


@app.command("report")
def report_command(
    la: Annotated[
        list[str] | None,
        typer.Option(
            "--la",
            metavar="CODE",
            help="The LA's code; give it more than once for several LAs, and a comparison "
            "report is written too. Default: every LA in the database.",
            show_default=False,
        ),
    ] = None,
    as_at: AsAtOption = None,
    out: Annotated[Path, typer.Option("--out", help="The folder to write the files to.")] = Path(
        "reports"
    ),
    formats: Annotated[
        str,
        typer.Option("--format", help="Which files: html, xlsx, pdf, separated by commas."),
    ] = "html,xlsx",
    internal: Annotated[
        bool,
        typer.Option(
            "--internal",
            help="For the LA's own staff only: show children's IDs and small numbers. "
            "Every child the report names is recorded in the access log.",
        ),
    ] = False,
    rules: RuleSetsOption = None,
    unit_costs: Annotated[
        Path | None,
        typer.Option(
            "--unit-costs",
            help="Your own unit-costs TOML file (see docs/costs.md). Default: the shipped one.",
            show_default=False,
        ),
    ] = None,
    national: Annotated[
        Path | None,
        typer.Option(
            "--national",
            help="Your own national figures TOML file for the comparison (copy the shipped "
            "one; see docs/report.md). Default: the shipped one.",
            show_default=False,
        ),
    ] = None,
    threshold: Annotated[
        int, typer.Option("--threshold", help="Hide published counts below this.")
    ] = 5,
    round_to: Annotated[
        int | None,
        typer.Option(
            "--round", help="Round published counts to the nearest N (e.g. 5).", show_default=False
        ),
    ] = None,
    team_cost: Annotated[
        float | None,
        typer.Option(
            "--team-cost",
            help="The adoption team's cost in £ a year (staff, overheads, panels), for the "
            "resources section.",
            show_default=False,
        ),
    ] = None,
    team_fte: Annotated[
        float | None,
        typer.Option(
            "--team-fte", help="The adoption team's full-time equivalent staff.", show_default=False
        ),
    ] = None,
    worker_fte: Annotated[
        float | None,
        typer.Option(
            "--worker-fte", help="Social workers' full-time equivalents.", show_default=False
        ),
    ] = None,
    price_year: Annotated[
        str | None,
        typer.Option(
            "--price-year", help="The year of --team-cost's prices, e.g. 2025.", show_default=False
        ),
    ] = None,
    db: DbOption = None,
) -> None:
    """The permanence diagnostic report: one HTML file (prints on A4), an XLSX workbook
    with one sheet per table, and a PDF if asked, for each LA, as at a date.

    Published reports hide small numbers and show children by pseudonym; `--internal`
    shows IDs and is for the LA's own staff. Every report is recorded in the access log.

    Example: `carejourney report --la 931 --format html,xlsx,pdf --out reports`
    """
    chosen_formats = _formats(formats)
    sets = [rule_set(name) for name in (rules or ["england"])]
    costs = _unit_costs(unit_costs)
    try:
        figures = load_national(national)
    except NationalFiguresError as exc:
        raise _fail(f"[bold red]Cannot use these national figures[/]: {escape(str(exc))}") from None
    try:
        disclosure = DisclosureRules(threshold=threshold, round_to=round_to, internal=internal)
    except ValueError as exc:
        raise _fail(
            f"[bold red]Cannot use these disclosure settings[/]: {escape(str(exc))}"
        ) from None
    options = ReportOptions(
        rule_sets=tuple(sets),
        unit_costs=costs,
        national=figures,
        formats=tuple(chosen_formats),
        as_at=date_option(as_at, "--as-at"),
        disclosure=disclosure,
        inputs=ResourceInputs(
            adoption_team_cost=team_cost,
            adoption_team_fte=team_fte,
            social_worker_fte=worker_fte,
            price_year=price_year,
        ),
    )
    engine = connect(db)
    try:
        with Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=terminal.err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=None)

            def show(step: making.Progress) -> None:
                bar.update(task, completed=step.done, total=step.total, description=step.what)

            paths = making.make_reports(engine, la, options, out, progress=show)
    except ReportError as exc:
        raise _failed(exc) from None
    finally:
        engine.dispose()
    for path in paths:
        console.print(str(path), highlight=False, soft_wrap=True)
    if internal:
        terminal.err.print(
            "[bold]Internal report[/]: it shows children's IDs. Keep it within the service.",
            highlight=False,
        )
