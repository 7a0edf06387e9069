"""An analyst's measure from a CSV or workbook: one row per point (or per observation in a
subgroup), with a date, a value and, for proportions and rates, a denominator.

Columns are found by the names given, else by their usual names (`DATE_NAMES`,
`VALUE_NAMES`, `N_NAMES`), else, for the value, as the one remaining column. Every bad value
is reported with its file, row and column, so the analyst can fix the file and try again.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from carejourney.measures.spc.types import ChartType, Series
from carejourney.sources.files import SourceFile
from carejourney.sources.text import decode
from carejourney.sources.values import DATE_FORMATS, blank_to_null, parse_date
from carejourney.sources.workbooks import is_workbook, sheets

DATE_NAMES = ("date", "month", "week", "period", "day", "x")
VALUE_NAMES = ("value", "y", "count", "numerator", "days")
N_NAMES = ("n", "denominator", "size", "total")
SUBGROUP_CHARTS = (ChartType.XBAR, ChartType.S)
SUMMED_CHARTS = (ChartType.P, ChartType.P_PRIME, ChartType.C, ChartType.U, ChartType.U_PRIME)
SHOWN_PROBLEMS = 10


class MeasureFileError(ValueError):
    """A measure file that cannot be used; the message says where and what to change."""


@dataclass(frozen=True)
class MeasureRows:
    """The file's rows: `frame` has row (as numbered in a spreadsheet), date (or null when
    the file has no date column), value and n (null without a denominator column)."""

    file: str
    frame: pl.DataFrame
    value_column: str
    date_column: str | None
    n_column: str | None


def read_measure(
    path: Path, *, value: str | None = None, n: str | None = None, date: str | None = None
) -> MeasureRows:
    """Read and check the file; raises MeasureFileError listing every problem found."""
    name = str(path)
    if not path.is_file():
        raise MeasureFileError(f"{name}: there is no file with this name.")
    frame = _table(SourceFile(name, path.read_bytes(), str(path.parent)))
    headings = {h.strip().lower(): h for h in frame.columns if h != "row"}
    date_col = _column(name, headings, date, DATE_NAMES, "--date")
    n_col = _column(name, headings, n, N_NAMES, "--n")
    value_col = _column(name, headings, value, VALUE_NAMES, "--value")
    if value_col is None:
        rest = [h for h in headings.values() if h not in (date_col, n_col)]
        if len(rest) != 1:
            raise MeasureFileError(
                f"{name}: which column holds the values? Give --value with one of: "
                + ", ".join(headings.values())
                + "."
            )
        value_col = rest[0]
    checked = frame.select(
        "row",
        date=parse_date(pl.col(date_col)) if date_col else pl.lit(None, pl.Date),
        value=_number(value_col),
        n=_number(n_col) if n_col else pl.lit(None, pl.Float64),
        _date=blank_to_null(pl.col(date_col)) if date_col else pl.lit(None, pl.String),
        _value=blank_to_null(pl.col(value_col)),
        _n=blank_to_null(pl.col(n_col)) if n_col else pl.lit(None, pl.String),
    )
    problems = _problems(name, checked, date_col, value_col, n_col)
    if problems:
        more = len(problems) - SHOWN_PROBLEMS
        raise MeasureFileError(
            "\n".join(problems[:SHOWN_PROBLEMS])
            + (f"\n… and {more} more like these." if more > 0 else "")
        )
    return MeasureRows(name, checked.drop("_date", "_value", "_n"), value_col, date_col, n_col)


def to_series(rows: MeasureRows, chart: ChartType) -> tuple[Series, tuple[str, ...]]:
    """One point per date (in date order), as qicharts2 aggregates: subgroups (xbar, s) by
    their mean, standard deviation and size; counts and proportions summed; otherwise the
    mean, or with a denominator the sum over the sum. Without a date, one point per row.
    Also gives each point's label (its date, yyyy-mm-dd, or its row number)."""
    frame = rows.frame
    if rows.date_column is None:
        if chart in SUBGROUP_CHARTS:
            raise MeasureFileError(
                f"{rows.file}: an {chart.value} chart needs a date (or subgroup) column to "
                "group observations into subgroups; give --date."
            )
        labels = tuple(f"row {r}" for r in frame["row"])
        return _series(frame["value"], frame["n"] if rows.n_column else None), labels
    grouped = frame.group_by("date").agg(
        value=pl.col("value").mean(),
        total=pl.col("value").sum(),
        sd=pl.col("value").std(ddof=1),
        size=pl.len().cast(pl.Float64),
        n=pl.col("n").sum(),
    )
    grouped = grouped.sort("date")
    labels = tuple(d.isoformat() for d in grouped["date"])
    if chart in SUBGROUP_CHARTS:
        series = Series(
            y=grouped["value"].to_numpy().astype(np.float64),
            n=grouped["size"].to_numpy().astype(np.float64),
            sd=grouped["sd"].fill_null(float("nan")).to_numpy().astype(np.float64),
            labels=labels,
        )
        return series, labels
    if chart in SUMMED_CHARTS or rows.n_column:
        return _series(grouped["total"], grouped["n"] if rows.n_column else None, labels), labels
    return _series(grouped["value"], None, labels), labels


def _series(
    values: pl.Series, n: pl.Series | None, labels: tuple[str, ...] | None = None
) -> Series:
    return Series(
        y=values.to_numpy().astype(np.float64),
        n=None if n is None else n.to_numpy().astype(np.float64),
        labels=labels,
    )


def _table(file: SourceFile) -> pl.DataFrame:
    if is_workbook(file):
        found, problems = sheets(file)
        if problems or not found:
            reason = problems[0].message if problems else "it has no sheet with data."
            raise MeasureFileError(f"{file.name}: {reason}")
        file = found[0]
    text, _ = decode(file.data)
    if not text.strip():
        raise MeasureFileError(f"{file.name}: the file is empty.")
    try:
        frame = pl.read_csv(io.BytesIO(text.encode("utf-8")), infer_schema=False)
    except (pl.exceptions.PolarsError, ValueError) as exc:
        raise MeasureFileError(
            f"{file.name}: could not be read as CSV ({str(exc).splitlines()[0]}). Check it "
            "opens in Excel and save it again as 'CSV (Comma delimited)'."
        ) from None
    frame.columns = [c.strip().lstrip("\ufeff") for c in frame.columns]
    # Headings are row 1, so data starts at row 2, as the analyst sees it in a spreadsheet.
    frame = frame.with_row_index("row", offset=2).with_columns(pl.col("row").cast(pl.Int64))
    blank = pl.all_horizontal(blank_to_null(pl.col(c)).is_null() for c in frame.columns[1:])
    frame = frame.filter(~blank)
    if frame.is_empty():
        raise MeasureFileError(f"{file.name}: the file has headings but no rows of data.")
    return frame


def _column(
    file: str, headings: dict[str, str], given: str | None, usual: tuple[str, ...], option: str
) -> str | None:
    if given is not None:
        found = headings.get(given.strip().lower())
        if found is None:
            raise MeasureFileError(
                f"{file}: there is no column '{given}' ({option}); the columns are "
                + ", ".join(headings.values())
                + "."
            )
        return found
    return next((headings[u] for u in usual if u in headings), None)


def _number(column: str) -> pl.Expr:
    text = blank_to_null(pl.col(column)).str.replace_all(r"[,£%\s]", "")
    return text.cast(pl.Float64, strict=False)


def _problems(
    file: str, checked: pl.DataFrame, date: str | None, value: str, n: str | None
) -> list[str]:
    where = "{file}, row {row}, column '{column}': "
    out: list[tuple[int, str]] = []
    for (row,) in checked.filter(pl.col("_value").is_null()).select("row").rows():
        out.append(
            (
                row,
                where.format(file=file, row=row, column=value) + "blank: give a "
                "number, or delete the row.",
            )
        )
    bad_value = checked.filter(pl.col("_value").is_not_null() & pl.col("value").is_null())
    for row, text in bad_value.select("row", "_value").rows():
        out.append(
            (row, where.format(file=file, row=row, column=value) + f"'{text}' is not a number.")
        )
    if date:
        bad = checked.filter(pl.col("date").is_null())
        for row, text in bad.select("row", "_date").rows():
            shown = "blank" if text is None else f"'{text}' is not a date"
            out.append(
                (
                    row,
                    where.format(file=file, row=row, column=date)
                    + f"{shown}: write dates as {DATE_FORMATS}.",
                )
            )
    if n:
        bad = checked.filter(pl.col("n").is_null() | (pl.col("n") <= 0))
        for row, text in bad.select("row", "_n").rows():
            shown = "blank" if text is None else f"'{text}'"
            out.append(
                (
                    row,
                    where.format(file=file, row=row, column=n)
                    + f"{shown}: the denominator must be a number above 0.",
                )
            )
    return [message for _, message in sorted(out, key=lambda p: p[0])]
