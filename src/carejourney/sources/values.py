"""Clean and check the columns of one table, vectorised over the whole table.

Input frames hold text exactly as read plus `_row` (the spreadsheet row number).
Output frames hold typed values; every value that could not be used becomes a Problem.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.schema.types import Column, Kind, Table, year_label
from carejourney.sources.problems import Problem, Severity, from_rows

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


def normalise(column: Column, expr: pl.Expr) -> pl.Expr:
    """The cleaned text of a column (before any type conversion)."""
    text = blank_to_null(expr)
    if column.kind is Kind.ID:
        return text.str.replace(r"\.0+$", "")
    if column.kind is Kind.CODE:
        return text.str.to_uppercase().str.replace(_TRAILING_ZERO, "${1}")
    if column.kind is Kind.POSTCODE:
        return text.str.to_uppercase().str.replace_all(r"\s+", " ")
    if column.kind is Kind.INTEGER:
        return text.str.replace(_TRAILING_ZERO, "${1}")
    return text


def typed(column: Column, expr: pl.Expr) -> pl.Expr:
    if column.kind is Kind.DATE:
        return parse_date(expr)
    if column.kind is Kind.INTEGER:
        return expr.cast(pl.Int64, strict=False)
    return expr


def clean_table(
    raw: pl.DataFrame, table: Table, year: int | None, file: str
) -> tuple[pl.DataFrame, list[Problem]]:
    """Typed values for every declared column, and the problems found in them."""
    present = [c for c in table.columns if c.name in raw.columns]
    raw = raw.with_columns(pl.col(c.name).cast(pl.String) for c in present)
    text = raw.select(
        pl.col("_row"), *[normalise(c, pl.col(c.name)).alias(c.name) for c in present]
    )
    out = text.select(pl.col("_row"), *[typed(c, pl.col(c.name)).alias(c.name) for c in present])
    problems: list[Problem] = []
    for column in present:
        problems += _column_problems(text, out, column, year, file)
    missing = [c for c in table.columns if c.name not in raw.columns]
    out = out.with_columns(pl.lit(None, dtype=_dtype(c)).alias(c.name) for c in missing)
    return out.select("_row", *table.column_names), problems


def _dtype(column: Column) -> pl.DataType:
    if column.kind is Kind.DATE:
        return pl.Date()
    if column.kind is Kind.INTEGER:
        return pl.Int64()
    return pl.String()


def _column_problems(
    text: pl.DataFrame, out: pl.DataFrame, column: Column, year: int | None, file: str
) -> list[Problem]:
    name = column.name
    both = pl.DataFrame(
        {"_row": text["_row"], "_value": text[name], "_typed": out[name]},
    )

    def report(mask: pl.Expr, code: str, message: str, severity: Severity) -> list[Problem]:
        return from_rows(
            file,
            both.filter(mask),
            column=name,
            code=code,
            message=message,
            severity=severity,
            personal=column.personal,
        )

    found: list[Problem] = []
    if column.required:
        found += report(
            pl.col("_value").is_null(),
            "value-required",
            f"{name} is blank; every row needs it, so this row cannot be used.",
            Severity.ERROR,
        )
    if column.kind is Kind.DATE:
        found += report(
            pl.col("_value").is_not_null() & pl.col("_typed").is_null(),
            "date-not-a-date",
            f"{name} is not a date. Expected {DATE_FORMATS}.",
            Severity.ERROR,
        )
    elif column.kind is Kind.INTEGER:
        found += report(
            pl.col("_value").is_not_null() & pl.col("_typed").is_null(),
            "number-not-a-number",
            f"{name} should be a whole number; it was not used.",
            Severity.WARNING,
        )
        if column.minimum is not None and column.maximum is not None:
            found += report(
                ~pl.col("_typed").is_between(column.minimum, column.maximum),
                "number-out-of-range",
                f"{name} should be between {column.minimum} and {column.maximum}.",
                Severity.WARNING,
            )
    elif column.codes is not None:
        found += _code_problems(both, column, year, file)
    return found


def _code_problems(
    both: pl.DataFrame, column: Column, year: int | None, file: str
) -> list[Problem]:
    assert column.codes is not None
    allowed = sorted(column.codes.values(year))
    bad = both.filter(pl.col("_value").is_not_null() & ~pl.col("_value").is_in(allowed))
    if bad.is_empty():
        return []
    when = f" in {year_label(year)}" if year is not None else ""
    if not allowed:
        listed = f"nothing: {column.name} is not collected{when}"
    elif len(allowed) <= 12:
        listed = ", ".join(allowed)
    else:
        listed = "see the data dictionary"
    problems: list[Problem] = []
    # Group by value so a code is explained once, in terms of the years it is valid.
    for (value,), rows in bad.group_by("_value", maintain_order=True):
        code = column.codes.lookup(str(value))
        if code is None:
            message = f"{column.name} '{value}' is not a known code. Expected: {listed}."
            problem_code = "code-unknown"
        else:
            message = (
                f"{column.name} '{value}' ({code.description}) is not valid{when}: "
                f"it is valid {_years_text(code.first_year, code.last_year)}. Expected: {listed}."
            )
            problem_code = "code-not-valid-this-year"
        problems += from_rows(
            file,
            rows,
            column=column.name,
            code=problem_code,
            message=message,
            severity=Severity.WARNING,
            personal=column.personal,
        )
    return problems


def _years_text(first: int | None, last: int | None) -> str:
    if first is not None and last is not None:
        return f"from {year_label(first)} to {year_label(last)}"
    if first is not None:
        return f"from {year_label(first)}"
    if last is not None:
        return f"up to {year_label(last)}"
    return "in every year"
