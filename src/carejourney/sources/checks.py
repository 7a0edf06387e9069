"""Checks across the rows and tables of one return: dates in order, no overlaps, and the
permanence milestones in sequence (entered care <= decision <= match <= placed).

Every check is a row of `RULES`: the table, the rows that break it, the column to point
at, a code and a message. All give warnings: the data is odd but usable. Rule numbers in
messages are the DfE's SSDA903 validation rules (as implemented in data-to-insight's
csc-validator-be-903).
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from carejourney.schema.types import year_label
from carejourney.sources.problems import Problem, Severity, from_rows
from carejourney.sources.years import year_end, year_start

PLACED_FOR_ADOPTION = ["A3", "A4", "A5", "A6"]


@dataclass(frozen=True)
class RowCheck:
    table: str
    breaks: pl.Expr  # true for the rows that break the rule
    column: str  # the column to point at; its value is shown (unless personal)
    code: str
    message: str


def _later(first: str, second: str) -> pl.Expr:
    return pl.col(second) < pl.col(first)


def rules(year: int) -> list[RowCheck]:
    """The checks for a return of collection year `year`. Columns in lower case
    (next_decom, entered, placed, placed_last) are derived in `_prepare`."""
    return [
        RowCheck(
            "Episodes",
            _later("DECOM", "DEC"),
            "DEC",
            "order-dec-before-decom",
            "The episode ends (DEC) before it starts (DECOM).",
        ),
        RowCheck(
            "Episodes",
            pl.col("DECOM") > year_end(year),
            "DECOM",
            "date-after-year",
            f"The episode starts after the end of the {year_label(year)} collection year "
            f"({year_end(year):%d/%m/%Y}).",
        ),
        RowCheck(
            "Episodes",
            pl.col("DEC") < year_start(year),
            "DEC",
            "date-before-year",
            f"The episode ended before the {year_label(year)} collection year began "
            f"({year_start(year):%d/%m/%Y}), so it does not belong in this return.",
        ),
        RowCheck(
            "Episodes",
            pl.struct("CHILD", "DECOM").is_duplicated(),
            "DECOM",
            "duplicate-episode",
            "The child has more than one episode starting on this date.",
        ),
        RowCheck(
            "Episodes",
            pl.col("next_decom").is_not_null()
            & (pl.col("next_decom") != pl.col("DECOM"))
            & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("next_decom"))),
            "DEC",
            "episodes-overlap",
            "The episode is still open (or ends) after the child's next episode starts.",
        ),
        RowCheck(
            "Episodes",
            ~pl.col("in_header") & pl.col("first_of_child"),
            "CHILD",
            "child-not-in-header",
            "This child has episodes but no row in the Header table.",
        ),
        RowCheck(
            "Header",
            pl.col("CHILD").is_duplicated(),
            "CHILD",
            "duplicate-child",
            "This child appears more than once in the Header table.",
        ),
        RowCheck(
            "AD1",
            _later("DATE_INT", "DATE_MATCH"),
            "DATE_INT",
            "order-match-before-decision",
            "The match (DATE_MATCH) is before the decision that the child should be placed "
            "for adoption (DATE_INT) (DfE rule 333).",
        ),
        RowCheck(
            "AD1",
            _later("entered", "DATE_INT"),
            "DATE_INT",
            "order-decision-before-care",
            "The decision that the child should be placed for adoption is before the child "
            "started to be looked after in their latest period of care (DfE rule 334).",
        ),
        RowCheck(
            "AD1",
            _later("DATE_MATCH", "placed_last"),
            "DATE_MATCH",
            "order-placed-before-match",
            "The child was placed for adoption (an A3-A6 episode) before the match date "
            "(DfE rule 331).",
        ),
        RowCheck(
            "AD1",
            _later("DATE_INT", "placed"),
            "DATE_INT",
            "order-placed-before-decision",
            "The child was placed for adoption (an A3-A6 episode) before the decision that "
            "they should be (DfE rule 521).",
        ),
        RowCheck(
            "PlacedAdoption",
            _later("entered", "DATE_PLACED"),
            "DATE_PLACED",
            "order-decision-before-care",
            "The decision that the child should be placed for adoption is before the child "
            "started to be looked after (DfE rule 1003).",
        ),
        RowCheck(
            "PlacedAdoption",
            _later("DATE_PLACED", "DATE_PLACED_CEASED"),
            "DATE_PLACED_CEASED",
            "order-end-before-start",
            "The decision was reversed (DATE_PLACED_CEASED) before it was made (DATE_PLACED).",
        ),
        RowCheck(
            "Missing",
            _later("MIS_START", "MIS_END"),
            "MIS_END",
            "order-end-before-start",
            "MIS_END is before MIS_START.",
        ),
        RowCheck(
            "SWEpisodes",
            _later("SW_DECOM", "SW_DEC"),
            "SW_DEC",
            "order-end-before-start",
            "SW_DEC is before SW_DECOM.",
        ),
    ]


def check_return(
    year: int, tables: dict[str, pl.DataFrame], files: dict[str, str]
) -> list[Problem]:
    frames = _prepare(tables)
    problems: list[Problem] = []
    for rule in rules(year):
        frame = frames.get(rule.table)
        if frame is None:
            continue
        broken = frame.filter(rule.breaks.fill_null(False)).with_columns(_value=pl.col(rule.column))
        problems += from_rows(
            files[rule.table],
            broken,
            column=rule.column,
            code=rule.code,
            message=rule.message,
            severity=Severity.WARNING,
            personal=rule.column in {"CHILD", "DOB"},
        )
    return problems


def _prepare(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """The return's tables with the columns the rules compare against."""
    frames = dict(tables)
    episodes = tables.get("Episodes")
    if episodes is None:
        return frames
    header = tables.get("Header")
    children = (
        header["CHILD"].implode()
        if header is not None
        else pl.Series([[]], dtype=pl.List(pl.String))
    )
    frames["Episodes"] = episodes.sort("CHILD", "DECOM").with_columns(
        next_decom=pl.col("DECOM").shift(-1).over("CHILD"),
        in_header=pl.lit(header is None) | pl.col("CHILD").is_in(children),
        first_of_child=pl.int_range(pl.len()).over("CHILD") == 0,
    )
    placed = pl.col("DECOM").filter(pl.col("PLACE").is_in(PLACED_FOR_ADOPTION))
    # The decision comes before any placement for adoption; the match recorded in AD1 (the
    # one that led to adoption) before the latest, allowing for a placement that broke down.
    milestones = episodes.group_by("CHILD").agg(
        entered=pl.col("DECOM").filter(pl.col("RNE") == "S").max(),
        placed=placed.min(),
        placed_last=placed.max(),
    )
    for name in ("AD1", "PlacedAdoption"):
        if name in tables:
            frames[name] = tables[name].join(milestones, on="CHILD", how="left")
    return frames
