"""Commands for loading returns: import, check, status, problems, synth."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Annotated

import polars as pl
import typer
from sqlalchemy.exc import SQLAlchemyError

from carejourney import imports, terminal
from carejourney.cli.app import app
from carejourney.cli.options import DbOption, PathsArgument, YearOption, connect, year_option
from carejourney.sources.problems import Severity
from carejourney.sources.years import year_end, year_start
from carejourney.store import database, queries

console = terminal.console


LaOption = Annotated[
    str | None,
    typer.Option("--la", help="The local authority's code, e.g. 931.", show_default=False),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print the result as JSON.")]


@app.command("import")
def import_command(
    paths: PathsArgument,
    la: LaOption = None,
    year: YearOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check SSDA903 returns and store them, all or nothing.

    Trackers, allocation lists, Annex A lists and demand data (contacts, assessments, help,
    CIN census modules) among the files are recognised by their headings and stored too.

    Any error (an unreadable file, a missing table or column, a date that is not a date)
    stores nothing and leaves the database exactly as it was. Warnings are stored with
    the batch: list them later with `carejourney problems`. Importing the same files
    again changes nothing; importing a year again replaces that year.

    Example: `carejourney import returns/2023-24 returns/2024-25 --la 931`
    """
    run_import(paths, la, db, as_json, year=year_option(year))


def run_import(
    paths: list[Path],
    la: str | None,
    db: str | None,
    as_json: bool,
    *,
    year: int | None = None,
    only: imports.Only | None = None,
) -> None:
    """Import files all or nothing, print what happened (or JSON) and exit: 0 when stored
    (or already stored), 1 when not. `carejourney import` and `carejourney demand import`
    share it."""
    engine = connect(db)
    try:
        with terminal.progress(not as_json, paths, imports.IMPORT_STAGES) as progress:
            outcome = imports.import_returns(engine, paths, la, year, progress, only)
    except SQLAlchemyError as exc:
        # The transaction was rolled back: say so plainly rather than show a traceback.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        terminal.err.print(
            f"[bold red]The database refused the import[/] ({reason}). Nothing was stored; "
            "the database is exactly as it was. If another import was running, try again.",
            highlight=False,
        )
        raise typer.Exit(1) from None
    if as_json:
        print(json.dumps(terminal.import_json(outcome), indent=2, default=str))
    else:
        terminal.print_read(outcome.read)
        terminal.print_problems(outcome.problems)
        terminal.print_import(outcome, database.describe(str(engine.url)))
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
    with terminal.progress(not as_json, paths) as progress:
        result = imports.check(paths, year_option(year), progress)
    refused = any(p.severity is Severity.ERROR for p in result.problems)
    if as_json:
        print(json.dumps(terminal.read_json(result), indent=2, default=str))
    else:
        terminal.print_read(result)
        terminal.print_problems(result.problems)
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
    engine = connect(db)
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
    terminal.print_status(database.describe(str(engine.url)), las, batches)


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
    engine = connect(db)
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
    terminal.print_problems([p for _, p in rows], title="Stored warnings")
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
    failure_demand: Annotated[
        float,
        typer.Option(
            "--failure-demand",
            help="The share of contacts that are failure demand, from 0 to 0.95 "
            "(0.57 is 57%, as Cumbria found).",
        ),
    ] = 0.57,
    no_demand: Annotated[
        bool, typer.Option("--no-demand", help="Write no demand files, only the returns.")
    ] = False,
    no_audits: Annotated[
        bool, typer.Option("--no-audits", help="Write no audit spreadsheet.")
    ] = False,
) -> None:
    """Write a synthetic local authority's SSDA903 returns (CSV, every table, linked years),
    its tracker and allocation list, its demand files and a year of case audits.

    Every child is invented. The files pass carejourney's own checks. The demand files
    (contacts, assessments, help provided and the CIN census modules, in a `demand` folder)
    cover the last two collection years; some of the looked-after children are among the
    families in them. The audit spreadsheet (`audits.csv`, for `carejourney audits
    import`) holds 20 audits a month of the allocated children over the last 12 months.

    Example: `carejourney synth demo-returns --children 500 --years 5 --seed 7`
    """
    from carejourney.synth.demand import write_demand
    from carejourney.synth.ssda903 import FILE_NAMES, write_returns

    if not 0 <= failure_demand <= MOST_FAILURE_DEMAND:
        raise typer.BadParameter(
            f"{failure_demand} is not a share of contacts: give a number from 0 to "
            f"{MOST_FAILURE_DEMAND} (0.57 is 57%).",
            param_hint="--failure-demand",
        )
    final = year_option(last_year)
    assert final is not None
    written = write_returns(
        outdir, children=children, years=years, seed=seed, la=la, last_year=final
    )
    if not no_demand:
        # The looked-after children of the last year, some of whom the demand is about.
        header = f"{FILE_NAMES['Header']}.csv"
        folder = f"{la}_{final}-{(final + 1) % 100:02d}"
        looked_after = next(p for p in written if p.name == header and p.parent.name == folder)
        written += write_demand(
            outdir / "demand",
            seed=seed,
            families=DEMAND_FAMILIES * children,
            first_day=year_start(final - 1),
            last_day=year_end(final),
            failure_share=failure_demand,
            children=pl.read_csv(looked_after, infer_schema=False)["CHILD"].to_list(),
        )
    if not no_audits:
        from carejourney.synth.audits import write_for_returns

        written.append(write_for_returns(outdir, seed=seed, la=la, last_day=year_end(final)))
    console.print(f"Wrote {len(written)} files for LA {la} to {outdir}.")


MOST_FAILURE_DEMAND = 0.95  # beyond this, nearly every contact is made from very few others
DEMAND_FAMILIES = 5  # families in the demand files per looked-after child invented
