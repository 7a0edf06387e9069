"""Problems found in input files, explained in words an analyst can act on."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from enum import StrEnum

import polars as pl

HIDDEN = "(hidden: personal data)"


class Severity(StrEnum):
    ERROR = "error"  # the import cannot be trusted; nothing is stored
    WARNING = "warning"  # odd but usable; stored with the batch


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, pinned to a file, a row and a column.

    `row` counts lines as a spreadsheet does: the column headings are row 1.
    """

    file: str
    row: int | None
    column: str | None
    value: str | None
    code: str
    message: str
    severity: Severity

    def as_dict(self) -> dict[str, object]:
        d = asdict(self)
        d["severity"] = str(self.severity)
        return d

    @property
    def where(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.column:
            parts.append(f"column {self.column}")
        return ", ".join(parts)


def error(file: str, code: str, message: str, **where: object) -> Problem:
    return _problem(file, code, message, Severity.ERROR, **where)


def warning(file: str, code: str, message: str, **where: object) -> Problem:
    return _problem(file, code, message, Severity.WARNING, **where)


def _problem(
    file: str,
    code: str,
    message: str,
    severity: Severity,
    row: object = None,
    column: object = None,
    value: object = None,
) -> Problem:
    return Problem(
        file=file,
        row=None if row is None else int(str(row)),
        column=None if column is None else str(column),
        value=None if value is None else str(value),
        code=code,
        message=message,
        severity=severity,
    )


def from_rows(
    file: str,
    rows: pl.DataFrame,
    *,
    column: str,
    code: str,
    message: str,
    severity: Severity,
    personal: bool = False,
) -> list[Problem]:
    """One problem per row of `rows`, which has the row number in `_row` and the
    offending text in `_value`. Personal values (IDs, dates of birth, postcodes)
    are never carried into a problem: the file and row are enough to find them."""
    if rows.is_empty():
        return []
    values: Iterable[object]
    values = [HIDDEN] * rows.height if personal else rows.get_column("_value").to_list()
    return [
        Problem(file, int(r), column, None if v is None else str(v), code, message, severity)
        for r, v in zip(rows.get_column("_row").to_list(), values, strict=True)
    ]


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.severity is Severity.ERROR for p in problems)
