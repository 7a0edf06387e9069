"""Read Ofsted Annex A lists 10 and 11 into milestones, with the same problems as the others.

A list is recognised by its headings (in any case, with the accepted variants in
`schema/annex_a.ALIASES`), not by the file's name; the headings may sit below a title row.
List 10 becomes child milestones in the tracker's shape (_row, _file, CHILD, MILESTONE, DATE,
NOTE) and list 11 adopter milestones (_row, _file, ADOPTER, MILESTONE, DATE, NOTE). A
milestone repeated with the same date (a child's entry to care on two rows) is kept once.

A CSV export holds one list; a workbook (read with python-calamine) may hold both, on any
sheets: each sheet whose headings are list 10's or list 11's is read, the others passed over.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carejourney.schema.annex_a import (
    ADOPTER_ID,
    CHILD_ID,
    LIST_10,
    LIST_11,
    LISTS,
    MILESTONE_COLUMNS,
    NOTE_COLUMNS,
    accepted_headings,
    heading_key,
)
from carejourney.schema.types import Table
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Problem, error, warning
from carejourney.sources.text import decode
from carejourney.sources.values import clean_table
from carejourney.sources.workbooks import is_workbook, sheets

HEADING_ROWS = 10  # how far down a title block the headings are looked for
_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip) and old .xls
_IDS = {LIST_10.name: (CHILD_ID, "CHILD"), LIST_11.name: (ADOPTER_ID, "ADOPTER")}


@dataclass
class AnnexA:
    """What was read: child milestones (list 10), adopter milestones (list 11), problems."""

    children: pl.DataFrame | None = None
    adopters: pl.DataFrame | None = None
    problems: list[Problem] = field(default_factory=list)


def read_annex_a(source: Path | str | bytes | SourceFile, name: str | None = None) -> AnnexA:
    """Read Annex A list 10 and/or 11 from a CSV file or a workbook (a path, its bytes or a
    SourceFile).

    `name` is how the file is shown in problems (default: the path, or "Annex A")."""
    result = AnnexA()
    try:
        file = _source_file(source, name)
    except OSError as exc:
        shown = name or str(source)
        result.problems.append(
            error(shown, "file-unreadable", f"The file could not be opened: {exc.strerror}.")
        )
        return result
    if is_workbook(file):
        return _read_workbook(file, result)
    rows, problem = _csv_rows(file)
    if problem is not None:
        result.problems.append(problem)
        return result
    return _read_rows(rows, file.name, result)


def _read_workbook(file: SourceFile, result: AnnexA) -> AnnexA:
    """Every sheet that holds list 10 or list 11; other sheets are passed over quietly."""
    found, problems = sheets(file)
    result.problems += problems
    for sheet in found:
        part = AnnexA()
        rows, problem = _csv_rows(sheet)
        if problem is None:
            _read_rows(rows, sheet.name, part)
        if part.children is None and part.adopters is None:
            continue
        result.children = _stack(result.children, part.children)
        result.adopters = _stack(result.adopters, part.adopters)
        result.problems += part.problems
    if not problems and result.children is None and result.adopters is None:
        result.problems.append(
            warning(
                file.name,
                "file-spreadsheet",
                "No sheet of this workbook is an SSDA903 table, a tracker, an allocation list "
                "or an Annex A list 10 or 11, so it was not read.",
            )
        )
    return result


def _stack(first: pl.DataFrame | None, second: pl.DataFrame | None) -> pl.DataFrame | None:
    if first is None or second is None:
        return first if second is None else second
    return pl.concat([first, second], how="vertical")


def _read_rows(rows: list[list[str]], file_name: str, result: AnnexA) -> AnnexA:
    found = _find_headings(rows)
    if found is None:
        result.problems.append(
            warning(
                file_name,
                "file-unrecognised",
                "Not an Annex A list 10 (adoption) or list 11 (adopters): no row in the first "
                f"{HEADING_ROWS} has at least three of their column headings, so it was not read.",
            )
        )
        return result
    table, index = found
    mapping, heading_problems = _heading_problems(file_name, table, rows, index)
    result.problems += heading_problems
    frame = _frame(rows, index, mapping, file_name)
    checked, value_problems = clean_table(frame, table, file=file_name)
    result.problems += value_problems
    id_column, id_name = _IDS[table.name]
    if id_column in mapping.values():
        milestones = _milestones(checked, table, id_column, id_name)
        if table is LIST_10:
            result.children = milestones
        else:
            result.adopters = milestones
    return result


def _source_file(source: Path | str | bytes | SourceFile, name: str | None) -> SourceFile:
    if isinstance(source, SourceFile):
        return source
    if isinstance(source, bytes):
        return SourceFile(name or "Annex A", source, "")
    path = Path(source)
    return SourceFile(name or str(path), path.read_bytes(), str(path.parent))


def _csv_rows(file: SourceFile) -> tuple[list[list[str]], Problem | None]:
    text, _encoding = decode(file.data)
    if not text.strip():
        return [], warning(file.name, "file-empty", "The file is empty, so it was not read.")
    try:
        rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"), newline="")))
    except csv.Error as exc:
        return [], error(
            file.name,
            "file-unreadable",
            f"The file could not be read as CSV ({exc}). Check it opens in Excel and save it "
            "again as 'CSV UTF-8 (Comma delimited)'.",
        )
    return rows, None


def _find_headings(rows: list[list[str]]) -> tuple[Table, int] | None:
    """The list whose headings best match a row near the top, and that row's index."""
    for index, row in enumerate(rows[:HEADING_ROWS]):
        keys = {heading_key(cell) for cell in row}
        scores = [(len(keys & accepted_headings(t).keys()), t) for t in LISTS]
        best, table = max(scores, key=lambda s: s[0])
        if best >= 3 and [s for s, _ in scores].count(best) == 1:
            return table, index
    return None


def _heading_problems(
    file: str, table: Table, rows: list[list[str]], index: int
) -> tuple[dict[int, str], list[Problem]]:
    """Which file column holds each declared column, and what is wrong with the headings."""
    accepted = accepted_headings(table)
    mapping: dict[int, str] = {}
    problems: list[Problem] = []
    for position, heading in enumerate(rows[index]):
        name = accepted.get(heading_key(heading))
        if name is not None and name in mapping.values():
            problems.append(
                error(
                    file,
                    "column-repeated",
                    f"'{heading}' is a second {name} column; keep one.",
                    column=heading,
                )
            )
        elif name is not None:
            mapping[position] = name
        elif heading.strip() or _has_data(rows[index + 1 :], position):
            problems.append(
                warning(
                    file,
                    "column-extra",
                    f"'{heading.strip() or '(blank heading)'}' is not a column of "
                    f"{table.name}, so it was ignored.",
                    column=heading.strip(),
                )
            )
    dated = MILESTONE_COLUMNS[table.name]
    for column in table.columns:
        if column.name in mapping.values():
            continue
        if column.required:
            problems.append(
                error(
                    file,
                    "column-missing",
                    f"This looks like {table.name} but has no '{column.name}' column; every "
                    "row needs it.",
                    column=column.name,
                )
            )
        elif column.name in dated:
            problems.append(
                warning(
                    file,
                    "column-missing",
                    f"This looks like {table.name} but has no '{column.name}' column, so no "
                    f"{dated[column.name]} milestones were read from it.",
                    column=column.name,
                )
            )
    return mapping, problems


def _has_data(rows: list[list[str]], position: int) -> bool:
    return any(position < len(row) and row[position].strip() for row in rows)


def _frame(rows: list[list[str]], index: int, mapping: dict[int, str], file: str) -> pl.DataFrame:
    """The declared columns as text, with spreadsheet row numbers; blank rows left out."""
    data = [
        (number, row)
        for number, row in enumerate(rows[index + 1 :], start=index + 2)
        if any(cell.strip() for cell in row)
    ]
    columns: dict[str, list[object]] = {"_row": [number for number, _ in data]}
    for position, name in mapping.items():
        columns[name] = [row[position] if position < len(row) else None for _, row in data]
    schema = {"_row": pl.Int64, **{name: pl.String for name in mapping.values()}}
    return pl.DataFrame(columns, schema=schema).with_columns(_file=pl.lit(file))


def _milestones(checked: pl.DataFrame, table: Table, id_column: str, id_name: str) -> pl.DataFrame:
    """One row per dated milestone: the list's wide rows made long, in journey order."""
    dated = MILESTONE_COLUMNS[table.name]
    parts = [
        checked.select(
            "_row",
            "_file",
            pl.col(id_column).alias(id_name),
            pl.lit(milestone).alias("MILESTONE"),
            pl.col(column).alias("DATE"),
            (pl.col(NOTE_COLUMNS[column]) if column in NOTE_COLUMNS else pl.lit(None))
            .cast(pl.String)
            .alias("NOTE"),
            pl.lit(order).alias("_order"),
        )
        for order, (column, milestone) in enumerate(dated.items())
    ]
    return (
        pl.concat(parts)
        .filter(pl.col(id_name).is_not_null() & pl.col("DATE").is_not_null())
        .sort("_file", "_row", "_order")
        .unique([id_name, "MILESTONE", "DATE"], keep="first", maintain_order=True)
        .drop("_order")
    )
