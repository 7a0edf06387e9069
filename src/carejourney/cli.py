"""The carejourney command line: a thin layer over carejourney's plain functions."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from carejourney import imports
from carejourney.schema.types import year_label
from carejourney.sources.problems import HIDDEN, Problem, Severity
from carejourney.sources.returns import ReadResult
from carejourney.sources.years import parse_year
from carejourney.store import database, queries

app = typer.Typer(
    help="carejourney: load an LA's SSDA903 returns and follow every child's journey.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
)
console = Console()
err = Console(stderr=True)
SHOWN_PROBLEMS = 40

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


def _year(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return parse_year(value)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--year") from exc


@contextmanager
def _progress(
    enabled: bool, paths: list[Path], stages: int = 0
) -> Iterator[Callable[[str], None] | None]:
    if not enabled:
        yield None
        return
    total = sum(1 for _ in _files(paths)) + stages
    with Progress(
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        console=err,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=total or None)

        def advance(name: str) -> None:
            bar.update(task, advance=1, description=Path(name).name)

        yield advance


def _files(paths: list[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            yield from (p for p in path.rglob("*") if p.is_file())
        else:
            yield path


@app.command("import")
def import_command(
    paths: PathsArgument,
    la: Annotated[
        str | None,
        typer.Option("--la", help="The local authority's code, e.g. 931.", show_default=False),
    ] = None,
    year: YearOption = None,
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Check SSDA903 returns and store them, all or nothing.

    Any error (an unreadable file, a missing table or column, a date that is not a date)
    stores nothing and leaves the database exactly as it was. Warnings are stored with
    the batch: list them later with `carejourney problems`. Importing the same files
    again changes nothing; importing a year again replaces that year.

    Example: `carejourney import returns/2023-24 returns/2024-25 --la 931`
    """
    engine = database.connect(db)
    with _progress(not as_json, paths, imports.IMPORT_STAGES) as progress:
        outcome = imports.import_returns(engine, paths, la, _year(year), progress)
    if as_json:
        print(json.dumps(_import_json(outcome), indent=2, default=str))
    else:
        _print_read(outcome.read)
        _print_problems(outcome.problems)
        _print_import(outcome, database.describe(str(engine.url)))
    raise typer.Exit(0 if outcome.stored else 1)


@app.command("check")
def check_command(
    paths: PathsArgument,
    year: YearOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Run every import check on returns, storing nothing.

    Exit code 0 when the files could be imported (warnings allowed), 1 when not.

    Example: `carejourney check returns/2024-25/`
    """
    with _progress(not as_json, paths) as progress:
        result = imports.check(paths, _year(year), progress)
    refused = any(p.severity is Severity.ERROR for p in result.problems)
    if as_json:
        print(json.dumps(_read_json(result), indent=2, default=str))
    else:
        _print_read(result)
        _print_problems(result.problems)
        if refused:
            console.print("[bold red]These files cannot be imported until the errors are fixed.")
        else:
            console.print("[green]These files can be imported.")
    raise typer.Exit(1 if refused else 0)


@app.command("status")
def status_command(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Show what the database holds: LAs, years, batches, rows per table, children.

    Example: `carejourney status --db ~/carejourney.db`
    """
    engine = database.connect(db)
    with engine.connect() as conn:
        las = queries.summarise(conn)
        batches = queries.batches(conn)
    if as_json:
        data = {
            "database": database.describe(str(engine.url)),
            "local_authorities": [vars(s) for s in las],
            "batches": [vars(b) for b in batches],
        }
        print(json.dumps(data, indent=2, default=str))
        return
    console.print(f"Database: {database.describe(str(engine.url))}")
    if not las:
        console.print(
            "It holds no returns yet. Load some with `carejourney import PATH --la CODE`."
        )
        return
    for s in las:
        console.print(
            f"\n[bold]LA {escape(s.la)}[/]: {s.children:,} children, {_years(s.years)}",
            highlight=False,
        )
        table = Table(show_edge=False)
        table.add_column("table")
        table.add_column("rows", justify="right")
        for name, rows in s.rows.items():
            table.add_row(name, f"{rows:,}")
        table.add_row("episode history (stitched)", f"{s.history_episodes:,}")
        table.add_row("changes made by stitching", f"{s.stitch_changes:,}")
        console.print(table)
    console.print("\n[bold]Import batches[/] (see the warnings with `carejourney problems`)")
    table = Table(show_edge=False)
    for heading in ("batch", "LA", "years", "imported", "rows", "warnings", "status"):
        wrap = heading == "years"
        table.add_column(heading, no_wrap=not wrap, min_width=7 if wrap else None)
    for b in batches:
        table.add_row(
            str(b.id),
            b.la,
            _years(b.years),
            f"{b.imported_at} by {b.imported_by}",
            f"{b.rows:,}",
            f"{b.warnings:,}",
            "current" if b.current else "replaced",
        )
    console.print(table)


@app.command("problems")
def problems_command(
    batch: Annotated[
        int | None, typer.Option("--batch", help="Only this batch.", show_default=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option("--csv", help="Write the problems to this CSV file.", show_default=False),
    ] = None,
    db: DbOption = None,
) -> None:
    """List the warnings stored with imports (every current batch, or one).

    Example: `carejourney problems --batch 3 --csv problems.csv`
    """
    engine = database.connect(db)
    with engine.connect() as conn:
        rows = queries.stored_problems(conn, batch)
    if csv_file:
        with csv_file.open("w", newline="", encoding="utf-8-sig") as handle:
            fields = ["batch_id", "file", "row", "column", "value", "code", "message", "severity"]
            writer = csv.DictWriter(handle, fieldnames=fields)
            writer.writeheader()
            writer.writerows({"batch_id": batch_id, **p.as_dict()} for batch_id, p in rows)
        console.print(f"Wrote {len(rows):,} problems to {csv_file}.")
        return
    _print_problems([p for _, p in rows], title="Stored warnings")
    if not rows:
        console.print("No stored warnings.")


@app.command("synth")
def synth_command(
    outdir: Annotated[Path, typer.Argument(help="Folder to write the returns into.")],
    children: Annotated[int, typer.Option(help="How many children.")] = 300,
    years: Annotated[int, typer.Option(help="How many collection years.")] = 3,
    seed: Annotated[int, typer.Option(help="Random seed: the same seed gives the same files.")] = 1,
    la: Annotated[str, typer.Option("--la", help="LA code written into file names.")] = "999",
    last_year: Annotated[
        str, typer.Option("--last-year", help="The latest collection year, e.g. 2025/26.")
    ] = "2025/26",
) -> None:
    """Write a synthetic local authority's SSDA903 returns (CSV, every table, linked years).

    Every child is invented. The files pass carejourney's own checks.

    Example: `carejourney synth demo-returns --children 500 --years 5 --seed 7`
    """
    from carejourney.synth.ssda903 import write_returns

    final = _year(last_year)
    assert final is not None
    written = write_returns(
        outdir, children=children, years=years, seed=seed, la=la, last_year=final
    )
    console.print(f"Wrote {len(written)} files for LA {la} to {outdir}.")


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _years(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{year_label(years[0])} to {year_label(years[-1])}"
    return ", ".join(year_label(y) for y in years)


def _print_read(result: ReadResult) -> None:
    if not result.returns:
        return
    table = Table(title="What the files hold")
    table.add_column("table")
    for ret in result.returns:
        table.add_column(ret.label, justify="right")
    names = sorted({n for r in result.returns for n in r.tables})
    for name in names:
        table.add_row(
            name,
            *[f"{r.tables[name].height:,}" if name in r.tables else "-" for r in result.returns],
        )
    console.print(table)


def _print_problems(problems: list[Problem], title: str = "Problems") -> None:
    """Problems grouped by what is wrong, each with the file, column and rows to look at."""
    if not problems:
        return
    errors = sum(p.severity is Severity.ERROR for p in problems)
    warnings = len(problems) - errors
    console.print(f"[bold]{title}: {_count(errors, 'error')}, {_count(warnings, 'warning')}")
    groups: dict[tuple[str, str, str, str], list[Problem]] = {}
    for p in problems:
        groups.setdefault((p.severity, p.file, p.column or "", p.message), []).append(p)
    for shown, ((severity, file, column, message), members) in enumerate(groups.items()):
        if shown == SHOWN_PROBLEMS:
            console.print(
                f"… and {len(groups) - SHOWN_PROBLEMS:,} more kinds of problem. Use --json to "
                "see them all, or `carejourney problems --csv FILE` after an import."
            )
            break
        label = "[red]error  [/]" if severity == Severity.ERROR else "[yellow]warning[/]"
        where = [file]
        if column:
            where.append(f"column {column}")
        rows = [str(p.row) for p in members if p.row is not None]
        if rows:
            more = f" (+{len(rows) - 8:,} more)" if len(rows) > 8 else ""
            where.append(("row " if len(rows) == 1 else "rows ") + ", ".join(rows[:8]) + more)
        values = {p.value for p in members}
        if len(values) == 1 and (value := values.pop()) is not None and value != HIDDEN:
            where.append(f"value '{value}'")
        console.print(f"{label} {escape(', '.join(where))}", highlight=False, soft_wrap=True)
        console.print(f"        {escape(message)}", highlight=False, soft_wrap=True)


def _print_import(outcome: imports.ImportOutcome, db: str) -> None:
    saved = outcome.saved
    if saved is None:
        console.print(
            "[bold red]Nothing was stored[/]: fix the errors above and import again. "
            "The database is exactly as it was."
        )
        return
    if saved.batch_id is None:
        console.print(
            f"[green]Nothing changed[/]: these files are already in {db} for LA {outcome.la}."
        )
        return
    parts = [f"[green]Stored batch {saved.batch_id}[/] for LA {outcome.la} in {db}:"]
    parts.append("years " + ", ".join(year_label(y) for y in saved.stored_years))
    if saved.replaced_years:
        parts.append("(replacing " + ", ".join(year_label(y) for y in saved.replaced_years) + ")")
    if saved.unchanged_years:
        parts.append("; unchanged " + ", ".join(year_label(y) for y in saved.unchanged_years))
    console.print(" ".join(parts) + ".")
    if outcome.rebuilt:
        changes = ", ".join(f"{n:,} {rule}" for rule, n in sorted(outcome.rebuilt.changes.items()))
        console.print(
            f"Episode history: {outcome.rebuilt.episodes:,} episodes after stitching"
            + (f" ({changes})." if changes else ".")
        )


def _read_json(result: ReadResult) -> dict[str, object]:
    return {
        "years": [r.year for r in result.returns],
        "tables": result.rows,
        "problems": [p.as_dict() for p in result.problems],
    }


def _import_json(outcome: imports.ImportOutcome) -> dict[str, object]:
    saved = outcome.saved
    return {
        "batch": None if saved is None else saved.batch_id,
        "stored": outcome.stored,
        "la": outcome.la,
        **_read_json(outcome.read),
        "stored_years": [] if saved is None else saved.stored_years,
        "replaced_years": [] if saved is None else saved.replaced_years,
        "unchanged_years": [] if saved is None else saved.unchanged_years,
    }


def main() -> None:
    app(prog_name="carejourney")


if __name__ == "__main__":
    main()
