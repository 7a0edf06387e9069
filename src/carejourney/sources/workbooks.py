"""Excel and OpenDocument workbooks: each sheet read as if it had been saved as CSV, so a
tracker, an allocation list or an Annex A list can be given as the LA keeps it."""

from __future__ import annotations

import csv
import datetime as dt
import io

from python_calamine import CalamineWorkbook

from carejourney.sources.files import SPREADSHEET_SUFFIXES, SourceFile
from carejourney.sources.problems import Problem, error

_WORKBOOK_MAGIC = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # xlsx/ods (zip) and xls (OLE)


def is_workbook(file: SourceFile) -> bool:
    return file.name.lower().endswith(tuple(SPREADSHEET_SUFFIXES)) or file.data.startswith(
        _WORKBOOK_MAGIC
    )


def sheets(file: SourceFile) -> tuple[list[SourceFile], list[Problem]]:
    """One CSV file per non-empty sheet, named `workbook.xlsx!Sheet name`."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(file.data))
        cells = [(name, book.get_sheet_by_name(name).to_python()) for name in book.sheet_names]
    except Exception as exc:  # calamine raises its own error types for damaged files
        return [], [
            error(file.name, "file-unreadable", f"The workbook could not be opened ({exc}).")
        ]
    out = []
    for name, rows in cells:
        if not any(any(_text(v) for v in row) for row in rows):
            continue
        text = io.StringIO()
        csv.writer(text, lineterminator="\n").writerows([[_text(v) for v in r] for r in rows])
        out.append(SourceFile(f"{file.name}!{name}", text.getvalue().encode("utf-8"), file.group))
    return out, []


def _text(value: object) -> str:
    """A cell as a CSV export would hold it: dates dd/mm/yyyy, whole numbers without .0."""
    if isinstance(value, dt.datetime | dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)
