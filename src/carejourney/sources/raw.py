"""Read one file into raw tables: text columns exactly as found, with row numbers."""

from __future__ import annotations

import io
from dataclasses import dataclass

import polars as pl

from carejourney.schema.allocation import ALLOCATION
from carejourney.schema.audits import AUDIT_SHEET
from carejourney.schema.demand import DEMAND_TABLES
from carejourney.schema.ssda903 import TABLES
from carejourney.schema.tracker import TRACKER
from carejourney.schema.types import Table, spelling_key
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Problem, error, warning
from carejourney.sources.text import decode


@dataclass(frozen=True)
class RawTable:
    """One table found in one file. `frame` has every column as text plus `_row`."""

    file: SourceFile
    table: Table
    frame: pl.DataFrame


def recognise(columns: list[str]) -> Table | None:
    """The declared table whose columns best match a file's headings, compared as code
    spellings are (in any case, with spaces or punctuation for underscores).

    A table is recognised when at least three of its columns, and at least half, are
    present; a demand table also when all its required columns are (a contacts log may
    hold only a few of its optional ones). The best match wins: most columns, then the
    closest fit."""
    present = {spelling_key(c) for c in columns}
    best: tuple[int, float, Table] | None = None
    for table in (*TABLES, TRACKER, ALLOCATION, *DEMAND_TABLES):
        matched = len(present & {spelling_key(c) for c in table.column_names})
        enough = matched >= max(3, (len(table.columns) + 1) // 2)
        if not enough and not (table in DEMAND_TABLES and _has_required(table, present)):
            continue
        score = (matched, matched / len(table.columns), table)
        if best is None or score[:2] > best[:2]:
            best = score
    return None if best is None else best[2]


def _has_required(table: Table, present: set[str]) -> bool:
    return all(spelling_key(c.name) in present for c in table.columns if c.required)


def read_csv(file: SourceFile) -> tuple[list[RawTable], list[Problem]]:
    text, _encoding = decode(file.data)
    if not text.strip():
        return [], [warning(file.name, "file-empty", "The file is empty, so it was not read.")]
    try:
        frame = pl.read_csv(
            io.BytesIO(text.encode("utf-8")),
            infer_schema=False,
            has_header=True,
        )
    except (pl.exceptions.PolarsError, ValueError) as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return [], [
            error(
                file.name,
                "file-unreadable",
                f"The file could not be read as CSV ({reason}). Check it opens in Excel "
                "and save it again as 'CSV (Comma delimited)'.",
            )
        ]
    headings = [h.strip().upper().lstrip("\ufeff") for h in frame.columns]
    table = recognise(headings)
    if table is None and _has_required(AUDIT_SHEET, {spelling_key(h) for h in headings}):
        return [], [
            warning(
                file.name,
                "file-audits",
                "This is an audit spreadsheet: import it with `carejourney audits import`, "
                "or on the Audits page of the web app. It was not read here.",
            )
        ]
    if table is None:
        return [], [
            warning(
                file.name,
                "file-unrecognised",
                "Not a table carejourney reads: its column headings ("
                + ", ".join(h[:30] for h in headings[:8])
                + ("…" if len(headings) > 8 else "")
                + ") match none of the tables in the data dictionary (the SSDA903 tables, "
                "a tracker with CHILD, MILESTONE, DATE, NOTE, an allocation list, or demand "
                "data such as contacts with CHILD and CONTACT_DATE), so it was not read.",
            )
        ]
    # Headings are matched as `recognise` matches them ("Contact date" is CONTACT_DATE); the
    # table's own spelling is used from here on (the CIN census's LAchildID, not LACHILDID).
    spelt = {spelling_key(c): c for c in table.column_names}
    headings = [spelt.get(spelling_key(h), h) for h in headings]
    frame.columns = [f"_{i}" if h in headings[:i] else h for i, h in enumerate(headings)]
    # The headings are row 1, so the first data row is row 2, as in a spreadsheet.
    frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
    data_columns = [c for c in frame.columns if c != "_row"]
    frame = frame.filter(~pl.all_horizontal(_is_blank(c) for c in data_columns))
    return [RawTable(file, table, frame)], column_problems(file.name, table, headings)


def _is_blank(name: str) -> pl.Expr:
    return pl.col(name).is_null() | (pl.col(name).str.strip_chars() == "")


def column_problems(file: str, table: Table, headings: list[str]) -> list[Problem]:
    problems = []
    # A return has every column of its tables (blank where nothing is known); an LA's demand
    # file needs only the required ones: its optional columns are read when present.
    expected = [c.name for c in table.columns if c.required or table not in DEMAND_TABLES]
    for name in expected:
        if name not in headings:
            problems.append(
                error(
                    file,
                    "column-missing",
                    f"This looks like the {table.name} table but has no {name} column. "
                    f"Expected columns: {', '.join(expected)}.",
                    column=name,
                )
            )
    for name in headings:
        if name not in table.column_names:
            problems.append(
                warning(
                    file,
                    "column-extra",
                    f"{name or '(blank heading)'} is not a column of the {table.name} table, "
                    "so it was ignored.",
                    column=name,
                )
            )
    seen: set[str] = set()
    for name in headings:
        if name in seen and name in table.column_names:
            problems.append(
                error(
                    file,
                    "column-repeated",
                    f"The column {name} appears more than once; keep one.",
                    column=name,
                )
            )
        seen.add(name)
    return problems
