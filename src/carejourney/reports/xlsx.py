"""The report as an Excel workbook, for analysts: a "Contents" sheet linking to every
table, an "About" sheet (LA, dates, disclosure), then one sheet per table.

Each table's sheet has its title in row 1, its note in row 2 and its headings (bold, with
a filter, frozen) in row 3; data from row 4. Published numbers are written as numbers, so
they sum and sort ("12" as 12, "45%" as 0.45 shown as a percentage, "£1,000" as 1000 shown
as money); hidden counts ("[c]") and anything else stay text; dates are dates.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter  # type: ignore[import-untyped]
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from carejourney.reports.document import Report, ReportTable
from carejourney.reports.html import cell_text

__all__ = ["sheet_names", "write_xlsx"]

_NUMBER = re.compile(r"^(?P<money>£)?(?P<number>-?\d[\d,]*(?:\.(?P<decimals>\d+))?)(?P<pct>%)?$")
_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
RESERVED = {"contents", "about", "history"}  # our own sheets, and a name Excel keeps
MAX_WIDTH = 60
# Columns of identifiers stay text even when their values are digits (a child's ID, a
# worker's ID, an LA code): they are names, not quantities, and must not lose a leading 0.
IDENTIFIERS = re.compile(
    r"\b(child|children's id|id|ids|code|codes|la|worker|team|pseudonym)\b", re.I
)


def sheet_names(tables: list[ReportTable]) -> list[str]:
    """A unique, valid sheet name for each table (at most 31 characters, none of
    [ ] : * ? / \\, not blank, unique ignoring case), from its key."""
    used = set(RESERVED)
    names = []
    for table in tables:
        base = _FORBIDDEN.sub(" ", table.key).strip().strip("'") or "Table"
        base = re.sub(r"\s+", " ", base)[:31].rstrip()
        name, n = base, 2
        while name.lower() in used:
            suffix = f" {n}"
            name, n = base[: 31 - len(suffix)].rstrip() + suffix, n + 1
        used.add(name.lower())
        names.append(name)
    return names


def _published_number(text: str) -> tuple[float, str] | None:
    """A published figure written as text, as (number, Excel number format), or None when
    it is not a plain number (a marker, a code, an ID with a leading zero...)."""
    match = _NUMBER.match(text.strip())
    if match is None:
        return None
    digits = match["number"].replace(",", "")
    whole = digits.lstrip("-").split(".")[0]
    if (len(whole) > 1 and whole.startswith("0")) or len(whole) > 15:
        return None  # an ID or code such as "012345", not a number
    if "," in match["number"] and not re.fullmatch(r"-?\d{1,3}(,\d{3})*(\.\d+)?", match["number"]):
        return None
    value = float(digits)
    decimals = len(match["decimals"] or "")
    places = "." + "0" * decimals if decimals else ""
    if match["pct"]:
        return value / 100, f"0{places}%"
    if match["money"]:
        return value, f"£#,##0{places}"
    return value, f"#,##0{places}"


class _Writer:
    def __init__(self, workbook: xlsxwriter.Workbook) -> None:
        self.workbook = workbook
        self.formats: dict[str, Format] = {}
        self.bold = workbook.add_format({"bold": True, "bottom": 1, "text_wrap": True})
        self.title = workbook.add_format({"bold": True, "font_size": 14})
        self.wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        self.link = workbook.add_format({"font_color": "#1d4f91", "underline": 1})

    def number_format(self, pattern: str) -> Format:
        if pattern not in self.formats:
            self.formats[pattern] = self.workbook.add_format({"num_format": pattern})
        return self.formats[pattern]

    def cell(self, sheet: Worksheet, row: int, col: int, value: Any, *, text: bool = False) -> int:
        """Write one value (as text when `text`); returns its width in characters."""
        if value is None or (isinstance(value, float) and value != value):
            return 0
        if isinstance(value, bool):
            sheet.write_string(row, col, "Yes" if value else "No")
            return 3
        if isinstance(value, dt.datetime):
            sheet.write_datetime(
                row, col, value.replace(tzinfo=None), self.number_format("dd/mm/yyyy hh:mm")
            )
            return 16
        if isinstance(value, dt.date):
            sheet.write_datetime(row, col, value, self.number_format("dd/mm/yyyy"))
            return 10
        if isinstance(value, int | float):
            pattern = "#,##0" if float(value).is_integer() else "#,##0.00"
            sheet.write_number(row, col, value, self.number_format(pattern))
            return len(cell_text(value))
        shown = cell_text(value)
        parsed = None if text else _published_number(shown)
        if parsed is not None:
            number, pattern = parsed
            sheet.write_number(row, col, number, self.number_format(pattern))
        else:
            sheet.write_string(row, col, shown)
        return len(shown)


def _fit(sheet: Worksheet, widths: list[int]) -> None:
    for col, width in enumerate(widths):
        sheet.set_column(col, col, min(max(width, 6) + 2, MAX_WIDTH))


def write_xlsx(report: Report, path: Path) -> Path:
    """Write the report's tables to an XLSX workbook at `path` and return the path."""
    tables = report.tables()
    names = sheet_names(tables)
    sections = {id(t): s.title for s in report.sections for t in s.tables}
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_urls": False})
    workbook.set_properties(
        {"title": report.title, "subject": f"LA {report.la}", "author": "carejourney"}
    )
    writer = _Writer(workbook)

    contents = workbook.add_worksheet("Contents")
    contents.write_string(0, 0, f"{report.title}, as at {report.as_at:%d/%m/%Y}", writer.title)
    contents.write_string(1, 0, "Every table in the report, one sheet each. Click a name to go.")
    headings = ["Sheet", "Table", "Section", "Note"]
    for col, heading in enumerate(headings):
        contents.write_string(2, col, heading, writer.bold)
    widths = [len(h) for h in headings]
    for row, (table, name) in enumerate(zip(tables, names, strict=True), start=3):
        target = "internal:'" + name.replace("'", "''") + "'!A1"
        contents.write_url(row, 0, target, writer.link, string=name)
        values = [name, table.title, sections.get(id(table), ""), table.note or ""]
        for col, value in enumerate(values[1:], start=1):
            contents.write_string(row, col, value, writer.wrap if col == 3 else None)
        widths = [max(w, len(v)) for w, v in zip(widths, values, strict=True)]
    if tables:
        contents.autofilter(2, 0, 2 + len(tables), len(headings) - 1)
    contents.freeze_panes(3, 0)
    _fit(contents, widths)

    about = workbook.add_worksheet("About")
    about.write_string(0, 0, report.title, writer.title)
    disclosure = (
        "Internal: contains children's IDs and unrounded small numbers. For the local "
        "authority's own staff who may see these children's records; do not publish it."
        if report.internal
        else "Published figures: counts below the threshold are hidden and shown as [c] "
        "(with further counts hidden where they could be worked out from totals); children "
        "are shown by pseudonym, never by ID."
    )
    rows: list[tuple[str, Any]] = [
        ("Local authority", report.la),
        ("As at", report.as_at),
        ("Generated", report.generated_at),
        ("Internal", "Yes" if report.internal else "No"),
        ("Disclosure", disclosure),
        ("Sections", ", ".join(s.title for s in report.sections)),
        ("Made by", "carejourney, from the local authority's own data"),
    ]
    for row, (label, value) in enumerate(rows, start=2):
        about.write_string(row, 0, label, writer.bold)
        if isinstance(value, str):
            about.write_string(row, 1, value, writer.wrap)
        else:
            writer.cell(about, row, 1, value)
    about.set_column(0, 0, 18)
    about.set_column(1, 1, 90)

    for table, name in zip(tables, names, strict=True):
        _write_table(writer, workbook.add_worksheet(name), table)
    workbook.close()
    return path


def _write_table(writer: _Writer, sheet: Worksheet, table: ReportTable) -> None:
    frame: pl.DataFrame = table.frame
    sheet.write_string(0, 0, table.title, writer.title)
    if table.note:
        sheet.write_string(1, 0, table.note)
    widths = [len(str(c)) for c in frame.columns]
    for col, heading in enumerate(frame.columns):
        sheet.write_string(2, col, str(heading), writer.bold)
    identifiers = [
        bool(IDENTIFIERS.search(str(c))) and frame.schema[c] == pl.String for c in frame.columns
    ]
    for row, values in enumerate(frame.iter_rows(), start=3):
        for col, value in enumerate(values):
            width = writer.cell(sheet, row, col, value, text=identifiers[col])
            widths[col] = max(widths[col], width)
    if frame.width:
        sheet.autofilter(2, 0, 2 + frame.height, frame.width - 1)
    sheet.freeze_panes(3, 0)
    _fit(sheet, widths)
