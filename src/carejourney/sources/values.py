"""Clean and check the columns of one table, vectorised over the whole table.

Input frames hold text exactly as read plus `_row` (the spreadsheet row number).
Output frames hold typed values; every value that could not be used becomes a Problem.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

import polars as pl

from carejourney.schema.types import SPELLING_SEPARATOR, CodeList, Column, Kind, Table, year_label
from carejourney.sources.problems import HIDDEN, Problem, Severity

EXCEL_EPOCH = dt.date(1899, 12, 30)  # Excel's day 0, allowing for its 1900 leap-year bug
_ISO = r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T][0-9:.]*)?$"
_DMY = r"^(\d{1,2}[/.\-]\d{1,2}[/.\-]\d{4})(?:[ T][0-9:.]*)?$"
_SERIAL = r"^(\d{1,5})(?:\.\d+)?$"
# Excel serials for 1 Jan 1930 .. 31 Dec 2099. Nothing in a return is older, and smaller
# numbers are more likely something else (a bare year such as 2020 would be 12 July 1905).
_SERIAL_RANGE = (10959, 73415)
_TRAILING_ZERO = r"^([0-9]+)\.0+$"

DATE_FORMATS = "dd/mm/yyyy, yyyy-mm-dd or an Excel day number"


def blank_to_null(expr: pl.Expr) -> pl.Expr:
    text = expr.str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def parse_date(expr: pl.Expr) -> pl.Expr:
    """Text to Date: dd/mm/yyyy (also with - or .), ISO yyyy-mm-dd (time ignored), or an
    Excel serial day number such as 43921. Anything else, including 31/02/2020, is null."""
    text = expr.str.strip_chars()
    iso = text.str.extract(_ISO, 1).str.strptime(pl.Date, "%Y-%m-%d", strict=False)
    dmy = (
        text.str.extract(_DMY, 1)
        .str.replace_all(r"[.\-]", "/")
        .str.strptime(pl.Date, "%d/%m/%Y", strict=False)
    )
    serial_days = text.str.extract(_SERIAL, 1).cast(pl.Int64, strict=False)
    low, high = _SERIAL_RANGE
    serial = (
        pl.when(serial_days.is_between(low, high))
        .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=serial_days))
        .cast(pl.Date)
    )
    return pl.coalesce(dmy, iso, serial)


def read_date(text: str) -> dt.date | None:
    """One date typed by a person (a command-line option, a form, a spreadsheet cell saved
    as text): dd/mm/yyyy or yyyy-mm-dd, else None."""
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
    return None


def parse_usual_date(expr: pl.Expr) -> pl.Expr:
    """dd/mm/yyyy only: what almost every file holds, parsed in a fraction of the time."""
    return expr.str.strptime(pl.Date, "%d/%m/%Y", strict=False)


def normalise(column: Column, expr: pl.Expr) -> pl.Expr:
    """The cleaned text of a column (before any type conversion)."""
    text = blank_to_null(expr)
    if column.kind is Kind.ID:
        return text.str.replace(r"\.0+$", "")
    if column.kind is Kind.CODE:
        code = text.str.to_uppercase().str.replace(_TRAILING_ZERO, "${1}")
        if column.codes is None or not column.codes.has_aliases:
            return code
        # A plain-words spelling ("No further action") becomes its code (NFA); anything
        # else is left as written, so an unknown value is reported as the file holds it.
        key = code.str.replace_all(SPELLING_SEPARATOR, " ").str.strip_chars()
        spelt = key.replace_strict(_spellings(column.codes), default=None, return_dtype=pl.String)
        return pl.coalesce(spelt, code)
    if column.kind is Kind.POSTCODE:
        return text.str.to_uppercase().str.replace_all(r"\s+", " ")
    if column.kind is Kind.INTEGER:
        return text.str.replace(_TRAILING_ZERO, "${1}")
    return text


@cache
def _spellings(codes: CodeList) -> dict[str, str]:
    return codes.spellings()


def typed(column: Column, expr: pl.Expr, usual_dates: bool = False) -> pl.Expr:
    if column.kind is Kind.DATE:
        return parse_usual_date(expr) if usual_dates else parse_date(expr)
    if column.kind is Kind.INTEGER:
        return expr.cast(pl.Int64, strict=False)
    return expr


def clean_table(
    raw: pl.DataFrame, table: Table, year: int | None = None, file: str | None = None
) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed values for every declared column, and the problems found in them.

    `raw` holds text plus `_row`, and `_file` and `_year` for each row (or the same for
    every row, from `file` and `year`). Every check on every column runs in one pass over
    the whole table, however many files and years it was gathered from."""
    if "_file" not in raw.columns:
        raw = raw.with_columns(_file=pl.lit(file or "", pl.String))
    if "_year" not in raw.columns:
        raw = raw.with_columns(_year=pl.lit(year, pl.Int64))
    present = [c for c in table.columns if c.name in raw.columns]
    raw = raw.with_columns(pl.col(c.name).cast(pl.String) for c in present)
    text = raw.select(
        "_row", "_file", "_year", *[normalise(c, pl.col(c.name)).alias(c.name) for c in present]
    )
    # Where every date in a column is dd/mm/yyyy, the other formats need not be tried.
    dates = [c for c in present if c.kind is Kind.DATE]
    usual = text.select(
        (pl.col(c.name).is_null() | parse_usual_date(pl.col(c.name)).is_not_null()).all()
        for c in dates
    )
    fast = {c.name for c in dates if usual[c.name].item()}
    out = text.select(
        "_row",
        "_file",
        "_year",
        *[typed(c, pl.col(c.name), c.name in fast).alias(c.name) for c in present],
        *[_problem_code(c, c.name in fast).alias(f"_problem_{c.name}") for c in present],
        *[pl.col(c.name).alias(f"_text_{c.name}") for c in present],
    )
    problems: list[Problem] = []
    for column in present:
        problems += _problems(out, column)
    missing = [c for c in table.columns if c.name not in raw.columns]
    out = out.with_columns(pl.lit(None, dtype=_dtype(c)).alias(c.name) for c in missing)
    return out.select("_row", "_file", "_year", *table.column_names), problems


def _dtype(column: Column) -> pl.DataType:
    if column.kind is Kind.DATE:
        return pl.Date()
    if column.kind is Kind.INTEGER:
        return pl.Int64()
    return pl.String()


SEVERITY = {
    "value-required": Severity.ERROR,
    "date-not-a-date": Severity.ERROR,
    "number-not-a-number": Severity.WARNING,
    "number-out-of-range": Severity.WARNING,
    "code-unknown": Severity.WARNING,
    "code-not-valid-this-year": Severity.WARNING,
}


def _problem_code(column: Column, usual_dates: bool = False) -> pl.Expr:
    """The worst thing wrong with each cell of a column (normalised text), or null."""
    value = pl.col(column.name)
    parsed = typed(column, value, usual_dates)
    checks: list[tuple[pl.Expr, str]] = []
    if column.required:
        checks.append((value.is_null(), "value-required"))
    if column.kind is Kind.DATE:
        checks.append((value.is_not_null() & parsed.is_null(), "date-not-a-date"))
    elif column.kind is Kind.INTEGER:
        checks.append((value.is_not_null() & parsed.is_null(), "number-not-a-number"))
        if column.minimum is not None and column.maximum is not None:
            outside = ~parsed.is_between(column.minimum, column.maximum)
            checks.append((outside.fill_null(False), "number-out-of-range"))
    elif column.codes is not None:
        known = [c.value for c in column.codes.codes]
        checks.append((value.is_not_null() & ~value.is_in(known), "code-unknown"))
        limited = [c for c in column.codes.codes if c.first_year or c.last_year]
        if limited:
            year = pl.col("_year")
            wrong_year = pl.any_horizontal(
                (value == c.value) & ~year.is_between(c.first_year or 0, c.last_year or 9999)
                for c in limited
            )
            checks.append((wrong_year.fill_null(False), "code-not-valid-this-year"))
    if not checks:
        return pl.lit(None, pl.String)
    # The first check that fails names the problem.
    return pl.coalesce(pl.when(condition).then(pl.lit(code)) for condition, code in checks)


def _problems(out: pl.DataFrame, column: Column) -> list[Problem]:
    name = column.name
    flagged = out.filter(pl.col(f"_problem_{name}").is_not_null())
    if flagged.is_empty():
        return []
    messages: dict[tuple[str, str | None, int | None], str] = {}
    problems = []
    for row, file, year, code, value in flagged.select(
        "_row", "_file", "_year", f"_problem_{name}", f"_text_{name}"
    ).iter_rows():
        key = (code, value, year)
        if key not in messages:
            messages[key] = _message(column, code, value, year)
        problems.append(
            Problem(
                file=file,
                row=row,
                column=name,
                # Personal values never go into a problem: the file and row find them.
                value=HIDDEN if column.personal and value is not None else value,
                code=code,
                message=messages[key],
                severity=SEVERITY[code],
            )
        )
    return problems


def _message(column: Column, code: str, value: str | None, year: int | None) -> str:
    name = column.name
    if code == "value-required":
        return f"{name} is blank; every row needs it, so this row cannot be used."
    if code == "date-not-a-date":
        return f"{name} is not a date. Expected {DATE_FORMATS}."
    if code == "number-not-a-number":
        return f"{name} should be a whole number; it was not used."
    if code == "number-out-of-range":
        return f"{name} should be between {column.minimum} and {column.maximum}."
    assert column.codes is not None
    allowed = sorted(column.codes.values(year))
    when = f" in {year_label(year)}" if year is not None else ""
    if not allowed:
        listed = f"nothing: {name} is not collected{when}"
    elif len(allowed) <= 12:
        listed = ", ".join(allowed)
    else:
        listed = "see the data dictionary"
    if column.codes.has_aliases:
        listed += " (or one written in words, as the data dictionary lists them)"
    found = column.codes.lookup(str(value))
    if code == "code-unknown" or found is None:
        return f"{name} '{value}' is not a known code. Expected: {listed}."
    return (
        f"{name} '{value}' ({found.description}) is not valid{when}: it is valid "
        f"{found.valid_years}. Expected: {listed}."
    )
