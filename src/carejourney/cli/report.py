"""`carejourney report`: the permanence diagnostic report as HTML, XLSX and PDF files."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import Engine

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.costs import _unit_costs
from carejourney.cli.journeys import rule_set
from carejourney.cli.measures import AsAtOption, RuleSetsOption
from carejourney.cli.options import DbOption, connect, date_option
from carejourney.journeys.stored import Journeys, load
from carejourney.measures import summaries
from carejourney.reports import diagnostic
from carejourney.reports.comparison import NationalFiguresError, compare, load_national
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Report, ReportContext, ResourceInputs
from carejourney.store import access, queries

console = terminal.console
FORMATS = ("html", "xlsx", "pdf")


def _writers() -> dict[str, Callable[[Report, Path], Path]]:
    from carejourney.reports.html import write_html
    from carejourney.reports.pdf import write_pdf
    from carejourney.reports.xlsx import write_xlsx

    return {"html": write_html, "xlsx": write_xlsx, "pdf": write_pdf}


def _fail(message: str) -> typer.Exit:
    terminal.err.print(message, highlight=False)
    return typer.Exit(2)


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


def _safe(text: str) -> str:
    """Text fit for a file name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "LA"


def report_name(la: str, as_at: dt.date, extension: str) -> str:
    return f"carejourney-report-LA{_safe(la)}-{as_at:%Y-%m-%d}.{extension}"


def comparison_name(las: list[str], as_at: dt.date, extension: str) -> str:
    which = "-".join(f"LA{_safe(la)}" for la in las) if len(las) <= 6 else f"{len(las)}-LAs"
    return f"carejourney-comparison-{which}-{as_at:%Y-%m-%d}.{extension}"


def children_named(report: Report, journeys: Journeys) -> list[str]:
    """The children whose IDs a report's tables show: every text column all of whose
    values are the LA's child IDs (a published report, pseudonymised, shows none)."""
    known = pl.concat(
        [journeys.children["CHILD"], journeys.periods["CHILD"], journeys.milestones["CHILD"]]
    ).unique()
    named: dict[str, None] = {}
    for table in report.tables():
        for column in table.frame.iter_columns():
            if column.dtype != pl.String:
                continue
            values = column.drop_nulls().unique()
            if values.len() and values.is_in(known.implode()).all():
                named.update(dict.fromkeys(values.sort().to_list()))
    return list(named)


@dataclass(frozen=True)
class _Built:
    report: Report
    journeys: Journeys


def _write(report: Report, names: Callable[[str], str], out: Path, formats: list[str]) -> None:
    writers = _writers()
    for extension in formats:
        path = out / names(extension)
        try:
            writers[extension](report, path)
        except OSError as exc:
            reason = escape(exc.strerror or str(exc))
            raise _fail(f"[bold red]Cannot write[/] {escape(str(path))}: {reason}.") from None
        console.print(str(path), highlight=False, soft_wrap=True)


def _record(engine: Engine, built: list[_Built]) -> None:
    with engine.begin() as conn:
        for b in built:
            detail = "internal" if b.report.internal else "published"
            access.record(conn, "report", la=b.report.la, detail=detail)
            if b.report.internal:
                access.record_children(
                    conn,
                    "report",
                    children_named(b.report, b.journeys),
                    la=b.report.la,
                    detail=detail,
                )


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
    when = date_option(as_at, "--as-at")
    inputs = ResourceInputs(
        adoption_team_cost=team_cost,
        adoption_team_fte=team_fte,
        social_worker_fte=worker_fte,
        price_year=price_year,
    )
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".carejourney-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise _fail(
            f"[bold red]Cannot write to the folder[/] {escape(str(out))}: "
            f"{escape(exc.strerror or str(exc))}. Choose another with --out."
        ) from None
    try:
        salt = diagnostic.report_salt()
    except diagnostic.SaltError as exc:
        raise _fail(f"[bold red]Cannot make pseudonyms[/]: {escape(str(exc))}") from None

    engine = connect(db)
    built: list[_Built] = []
    with engine.connect() as conn:
        held = queries.local_authorities(conn)
        if not held:
            raise _fail(
                "The database holds no LA yet. Load returns with "
                "`carejourney import PATH --la CODE`."
            )
        codes = list(dict.fromkeys(la)) if la else held
        unknown = [c for c in codes if c not in held]
        if unknown:
            raise _fail(
                f"The database holds no LA {escape(', '.join(unknown))}. "
                f"It holds: {escape(', '.join(held))}."
            )
        sections = list(diagnostic.SECTIONS)
        with Progress(
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            console=terminal.err,
            transient=True,
        ) as bar:
            task = bar.add_task("", total=len(sections) * len(codes) or None)
            for code in codes:
                bar.update(task, description=f"LA {code}: loading")
                journeys = load(conn, code)
                context = ReportContext(
                    la=code,
                    journeys=journeys,
                    conn=conn,
                    as_at=when or summaries.default_as_at(journeys),
                    rule_sets=tuple(sets),
                    unit_costs=costs,
                    disclosure=disclosure,
                    salt=salt,
                    inputs=inputs,
                )

                def advance(name: str, code: str = code) -> None:
                    bar.update(task, advance=1, description=f"LA {code}: {name}")

                report = diagnostic.build_report(context, sections, progress=advance)
                built.append(_Built(report, journeys))
    _record(engine, built)  # before writing: a report half written may still have been read
    for b in built:
        _write(b.report, partial(report_name, b.report.la, b.report.as_at), out, chosen_formats)
    if len(built) > 1:
        reports = [b.report for b in built]
        comparison = compare(reports, figures)
        las = [r.la for r in reports]
        _write(comparison, partial(comparison_name, las, comparison.as_at), out, chosen_formats)
    if internal:
        terminal.err.print(
            "[bold]Internal report[/]: it shows children's IDs. Keep it within the service.",
            highlight=False,
        )
