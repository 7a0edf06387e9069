"""Demand frames from readable text tables, for the demand measures' tests.

A table's first line names its columns (any of the kind's, in any order; the rest are
blank); cells are separated by "|"; dates are dd/mm/yyyy; yes/no are booleans; a blank cell
is null.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.demand.data import COLUMNS, conform


def day(text: str) -> dt.date:
    """A dd/mm/yyyy date."""
    return dt.datetime.strptime(text, "%d/%m/%Y").date()


def frame(kind: str, text: str) -> pl.DataFrame:
    """A `conform`ed frame of `kind` from a text table."""
    lines = [[c.strip() for c in line.split("|")] for line in text.strip().splitlines()]
    head, rows = lines[0], lines[1:]
    types = COLUMNS[kind]

    def value(column: str, cell: str) -> object:
        if not cell:
            return None
        if isinstance(types[column], pl.Date):
            return day(cell)
        if isinstance(types[column], pl.Boolean):
            return {"yes": True, "no": False}[cell]
        return cell

    data = {column: [value(column, row[i]) for row in rows] for i, column in enumerate(head)}
    given = pl.DataFrame(data, schema={c: types[c] for c in head})
    return conform(kind, given)


def contacts(text: str) -> pl.DataFrame:
    return frame("contacts", text)


def rounded(rows: list[tuple[object, ...]]) -> list[tuple[object, ...]]:
    """Rows with every float rounded to 6 places, so shares worked out by hand (200 / 3)
    compare equal to the measure's."""
    return [tuple(round(v, 6) if isinstance(v, float) else v for v in row) for row in rows]
