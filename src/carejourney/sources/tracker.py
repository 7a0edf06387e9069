"""Read and check tracker files: milestones the LA records that no national return holds."""

from __future__ import annotations

import polars as pl

from carejourney.schema.allocation import ALLOCATION
from carejourney.schema.milestones import MILESTONES
from carejourney.schema.tracker import MILESTONE_SPELLINGS, TRACKER
from carejourney.schema.types import Table
from carejourney.sources.problems import Problem, Severity, from_rows
from carejourney.sources.raw import RawTable
from carejourney.sources.values import clean_table

_KNOWN = ", ".join(m.name for m in MILESTONES)


def read_trackers(raws: list[RawTable]) -> tuple[pl.DataFrame | None, list[Problem]]:
    """All tracker files as one checked table (CHILD, MILESTONE, DATE, NOTE, _row, _file).

    MILESTONE is turned into the milestone's declared name. A milestone carejourney does
    not know is an error: the row cannot be placed on any journey."""
    if not raws:
        return None, []
    frame, problems = combine(raws, TRACKER)
    key = (
        pl.col("MILESTONE")
        .str.to_lowercase()
        .str.replace_all(r"[^a-z0-9]+", "_")
        .str.strip_chars("_")
    )
    frame = frame.with_columns(
        _value=pl.col("MILESTONE"),
        MILESTONE=key.replace_strict(MILESTONE_SPELLINGS, default=None),
    )
    for file, rows in frame.filter(
        pl.col("_value").is_not_null() & pl.col("MILESTONE").is_null()
    ).group_by("_file", maintain_order=True):
        problems += from_rows(
            str(file[0]),
            rows,
            column="MILESTONE",
            code="milestone-unknown",
            message="Not a milestone carejourney knows. Use one of these names (or its "
            f"label from the data dictionary): {_KNOWN}.",
            severity=Severity.ERROR,
        )
    repeated = frame.filter(
        pl.struct("CHILD", "MILESTONE", "DATE").is_duplicated() & pl.col("MILESTONE").is_not_null()
    )
    for file, rows in repeated.group_by("_file", maintain_order=True):
        problems += from_rows(
            str(file[0]),
            rows.with_columns(_value=pl.col("MILESTONE")),
            column="MILESTONE",
            code="milestone-repeated",
            message="The same milestone on the same date for this child appears more than "
            "once; it is kept once.",
            severity=Severity.WARNING,
        )
    unique = frame.drop("_value", "_year").unique(["CHILD", "MILESTONE", "DATE"], keep="first")
    return unique.sort("_file", "_row"), problems


def read_allocations(raws: list[RawTable]) -> tuple[pl.DataFrame, list[Problem]]:
    """All allocation files as one checked table (CHILD, TEAM, WORKER, _row, _file). A child
    listed twice keeps the later row, with a warning."""
    frame, problems = combine(raws, ALLOCATION)
    repeated = frame.filter(pl.col("CHILD").is_duplicated() & pl.col("CHILD").is_not_null())
    for file, rows in repeated.group_by("_file", maintain_order=True):
        problems += from_rows(
            str(file[0]),
            rows.with_columns(_value=pl.col("CHILD")),
            column="CHILD",
            code="allocation-repeated",
            message="This child is allocated more than once; the last row is used.",
            severity=Severity.WARNING,
            personal=True,
        )
    unique = frame.drop("_year").unique("CHILD", keep="last", maintain_order=True)
    return unique, problems


def combine(raws: list[RawTable], table: Table) -> tuple[pl.DataFrame, list[Problem]]:
    """Every file of one kind (trackers, allocation lists, contacts, ...) as one checked
    table, each row keeping its file (`_file`) and row (`_row`)."""
    declared = ["_row", *table.column_names]
    combined = pl.concat(
        [
            raw.frame.select([c for c in declared if c in raw.frame.columns]).with_columns(
                _file=pl.lit(raw.file.name)
            )
            for raw in raws
        ],
        how="diagonal",
    )
    return clean_table(combined, table)
