"""What the command line prints: tables, problems grouped by what is wrong, progress
bars and JSON. Kept apart from the commands so each stays short."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from carejourney import imports
from carejourney.imports import ImportOutcome
from carejourney.schema.types import year_label
from carejourney.sources.problems import HIDDEN, Problem, Severity
from carejourney.sources.returns import ReadResult
from carejourney.store.queries import BatchSummary, LaSummary

console = Console()
err = Console(stderr=True)
SHOWN_PROBLEMS = 40


@contextmanager
def progress(
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


def _count(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


def _years(years: list[int]) -> str:
    if len(years) > 2 and years == list(range(years[0], years[-1] + 1)):
        return f"{year_label(years[0])} to {year_label(years[-1])}"
    return ", ".join(year_label(y) for y in years)


def print_read(result: ReadResult) -> None:
    for milestones in result.lists:
        console.print(
            f"{milestones.kind}: {milestones.rows.height:,} {milestones.noun} from "
            f"{_count(len(milestones.files), 'file')}."
        )
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


def print_problems(problems: list[Problem], title: str = "Problems") -> None:
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


def print_import(outcome: ImportOutcome, db: str) -> None:
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
    parts.append(imports.what_was_stored(saved))
    console.print(" ".join(parts) + ".")
    if outcome.rebuilt:
        changes = ", ".join(f"{n:,} {rule}" for rule, n in sorted(outcome.rebuilt.changes.items()))
        console.print(
            f"Episode history: {outcome.rebuilt.episodes:,} episodes after stitching"
            + (f" ({changes})." if changes else ".")
        )


def read_json(result: ReadResult) -> dict[str, object]:
    return {
        "years": [r.year for r in result.returns],
        "tables": result.rows,
        "problems": [p.as_dict() for p in result.problems],
    }


def import_json(outcome: ImportOutcome) -> dict[str, object]:
    saved = outcome.saved
    return {
        "batch": None if saved is None else saved.batch_id,
        "stored": outcome.stored,
        "la": outcome.la,
        **read_json(outcome.read),
        "stored_years": [] if saved is None else saved.stored_years,
        "replaced_years": [] if saved is None else saved.replaced_years,
        "unchanged_years": [] if saved is None else saved.unchanged_years,
    }


def print_status(database: str, las: list[LaSummary], batches: list[BatchSummary]) -> None:
    console.print(f"Database: {database}")
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
