"""Checks across the rows and tables of one return: dates in order, no overlaps, and the
permanence milestones in sequence (entered care <= decision <= match <= placed).

All checks give warnings: the data is odd but usable. Rule numbers in messages are the
DfE's SSDA903 validation rules (as implemented in data-to-insight's csc-validator-be-903).
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

from carejourney.schema.types import year_label
from carejourney.sources.problems import Problem, Severity, from_rows
from carejourney.sources.years import year_end, year_start

PLACED_FOR_ADOPTION = ["A3", "A4", "A5", "A6"]

# warn(table, rows with _row and _value, column, problem code, message)
_Warn = Callable[[str, pl.DataFrame, str, str, str], None]


def check_return(
    year: int, tables: dict[str, pl.DataFrame], files: dict[str, str]
) -> list[Problem]:
    problems: list[Problem] = []

    def warn(table: str, rows: pl.DataFrame, column: str, code: str, message: str) -> None:
        """Warn about each row in `rows` (which has `_row` and `_value`)."""
        problems.extend(
            from_rows(
                files[table],
                rows,
                column=column,
                code=code,
                message=message,
                severity=Severity.WARNING,
                personal=column in {"CHILD", "DOB"},
            )
        )

    episodes = tables.get("Episodes")
    if episodes is not None:
        _check_episodes(episodes, year, warn)
        milestones = _milestones(episodes)
        ad1 = tables.get("AD1")
        if ad1 is not None:
            _check_adoption(ad1, milestones, warn)
        placed = tables.get("PlacedAdoption")
        if placed is not None:
            _check_placed_adoption(placed, milestones, warn)
    header = tables.get("Header")
    if header is not None:
        dupes = header.filter(pl.col("CHILD").is_duplicated() & pl.col("CHILD").is_not_null())
        warn(
            "Header",
            dupes.with_columns(_value=pl.col("CHILD")),
            "CHILD",
            "duplicate-child",
            "This child appears more than once in the Header table.",
        )
        if episodes is not None:
            unknown = episodes.filter(~pl.col("CHILD").is_in(header["CHILD"].implode()))
            warn(
                "Episodes",
                unknown.unique("CHILD", keep="first").with_columns(_value=pl.col("CHILD")),
                "CHILD",
                "child-not-in-header",
                "This child has episodes but no row in the Header table.",
            )
    for table, start, end in (
        ("Missing", "MIS_START", "MIS_END"),
        ("SWEpisodes", "SW_DECOM", "SW_DEC"),
    ):
        frame = tables.get(table)
        if frame is not None:
            warn(
                table,
                frame.filter(pl.col(end) < pl.col(start)).with_columns(_value=pl.col(end)),
                end,
                "order-end-before-start",
                f"{end} is before {start}.",
            )
    return problems


def _check_episodes(episodes: pl.DataFrame, year: int, warn: _Warn) -> None:
    ordered = episodes.sort("CHILD", "DECOM").with_columns(
        next_decom=pl.col("DECOM").shift(-1).over("CHILD")
    )
    warn(
        "Episodes",
        ordered.filter(pl.col("DEC") < pl.col("DECOM")).with_columns(_value=pl.col("DEC")),
        "DEC",
        "order-dec-before-decom",
        "The episode ends (DEC) before it starts (DECOM).",
    )
    warn(
        "Episodes",
        ordered.filter(pl.col("DECOM") > year_end(year)).with_columns(_value=pl.col("DECOM")),
        "DECOM",
        "date-after-year",
        f"The episode starts after the end of the {year_label(year)} collection year "
        f"({year_end(year):%d/%m/%Y}).",
    )
    warn(
        "Episodes",
        ordered.filter(pl.col("DEC") < year_start(year)).with_columns(_value=pl.col("DEC")),
        "DEC",
        "date-before-year",
        f"The episode ended before the {year_label(year)} collection year began, so it "
        "does not belong in this return.",
    )
    warn(
        "Episodes",
        ordered.filter(pl.struct("CHILD", "DECOM").is_duplicated()).with_columns(
            _value=pl.col("DECOM")
        ),
        "DECOM",
        "duplicate-episode",
        "The child has more than one episode starting on this date.",
    )
    warn(
        "Episodes",
        ordered.filter(
            pl.col("next_decom").is_not_null()
            & (pl.col("next_decom") != pl.col("DECOM"))
            & (pl.col("DEC").is_null() | (pl.col("DEC") > pl.col("next_decom")))
        ).with_columns(_value=pl.col("DEC")),
        "DEC",
        "episodes-overlap",
        "The episode is still open (or ends) after the child's next episode starts.",
    )


def _milestones(episodes: pl.DataFrame) -> pl.DataFrame:
    """Per child: the start of the latest period of care, and the first and the latest
    placement for adoption held in this return. The decision comes before any placement
    for adoption; the match recorded in AD1 (the one that led to adoption) comes before
    the latest, which allows for a placement that broke down and a new match."""
    placed = pl.col("DECOM").filter(pl.col("PLACE").is_in(PLACED_FOR_ADOPTION))
    return episodes.group_by("CHILD").agg(
        entered=pl.col("DECOM").filter(pl.col("RNE") == "S").max(),
        placed=placed.min(),
        placed_last=placed.max(),
    )


def _check_adoption(ad1: pl.DataFrame, milestones: pl.DataFrame, warn: _Warn) -> None:
    joined = ad1.join(milestones, on="CHILD", how="left")
    warn(
        "AD1",
        joined.filter(pl.col("DATE_MATCH") < pl.col("DATE_INT")).with_columns(
            _value=pl.col("DATE_INT")
        ),
        "DATE_INT",
        "order-match-before-decision",
        "The match (DATE_MATCH) is before the decision that the child should be placed "
        "for adoption (DATE_INT) (DfE rule 333).",
    )
    warn(
        "AD1",
        joined.filter(pl.col("DATE_INT") < pl.col("entered")).with_columns(
            _value=pl.col("DATE_INT")
        ),
        "DATE_INT",
        "order-decision-before-care",
        "The decision that the child should be placed for adoption is before the child "
        "started to be looked after in their latest period of care (DfE rule 334).",
    )
    warn(
        "AD1",
        joined.filter(pl.col("DATE_MATCH") > pl.col("placed_last")).with_columns(
            _value=pl.col("DATE_MATCH")
        ),
        "DATE_MATCH",
        "order-placed-before-match",
        "The child was placed for adoption (an A3-A6 episode) before the match date "
        "(DfE rule 331).",
    )
    warn(
        "AD1",
        joined.filter(pl.col("DATE_INT") > pl.col("placed")).with_columns(
            _value=pl.col("DATE_INT")
        ),
        "DATE_INT",
        "order-placed-before-decision",
        "The child was placed for adoption (an A3-A6 episode) before the decision that "
        "they should be (DfE rule 521).",
    )


def _check_placed_adoption(placed: pl.DataFrame, milestones: pl.DataFrame, warn: _Warn) -> None:
    joined = placed.join(milestones, on="CHILD", how="left")
    warn(
        "PlacedAdoption",
        joined.filter(pl.col("DATE_PLACED") < pl.col("entered")).with_columns(
            _value=pl.col("DATE_PLACED")
        ),
        "DATE_PLACED",
        "order-decision-before-care",
        "The decision that the child should be placed for adoption is before the child "
        "started to be looked after (DfE rule 1003).",
    )
    warn(
        "PlacedAdoption",
        joined.filter(pl.col("DATE_PLACED_CEASED") < pl.col("DATE_PLACED")).with_columns(
            _value=pl.col("DATE_PLACED_CEASED")
        ),
        "DATE_PLACED_CEASED",
        "order-end-before-start",
        "The decision was reversed (DATE_PLACED_CEASED) before it was made (DATE_PLACED).",
    )
