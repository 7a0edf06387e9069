"""The milestones the SSDA903 return dates, one row each, in long format.

`return_milestones` covers every milestone in `schema.milestones.MILESTONES` whose source
is the SSDA903 return; milestones from trackers and Annex A lists are made elsewhere.

Rules where the data is ambiguous:

- Episode milestones (entered care, placement order, placed for adoption, the orders and
  returns home that end care, left care) belong to the period of care of their episode.
  Milestones from AD1, PlacedAdoption and Reviews belong to the period their date falls
  in, or the latest period starting on or before it; null if none starts by then.
- entered_care is dated only by an episode with RNE S: a period without one (history
  begins mid-period, or a re-entry recorded without S) has no entered_care row.
- placement_order and placed_for_adoption are the first LS E1 and the first PLACE A3-A6
  episode of each period. When that episode is the first of a period with no RNE S, the
  real date may be earlier, and `detail` says so.
- A blank date makes no milestone. Rows repeated across years' returns (the same AD1 row
  in two returns), and the same decision in both AD1 DATE_INT and PlacedAdoption
  DATE_PLACED, are kept once per (CHILD, milestone, date); the first source named in the
  order below wins, so AD1 is named for an adoption decision recorded in both.
"""

from __future__ import annotations

import polars as pl

from carejourney.journeys.periods import (
    CARE_CONTINUES,
    STARTED_CARE,
    first_of_child,
    label_episodes,
)
from carejourney.schema.milestones import MILESTONES

ADOPTION_PLACEMENTS = ("A3", "A4", "A5", "A6")
PLACEMENT_ORDER = "E1"
EXITS = {  # milestone: the REC codes that date it
    "adoption_order": ("E11", "E12"),
    "special_guardianship_order": ("E43", "E44", "E45", "E46", "E47", "E48"),
    "child_arrangements_order": ("E41",),
    "returned_home": ("E4A", "E4B", "E13"),
}
ORDER = {m.name: n for n, m in enumerate(MILESTONES)}
SCHEMA = {
    "CHILD": pl.String,
    "period": pl.Int64,
    "milestone": pl.String,
    "date": pl.Date,
    "detail": pl.String,
    "source": pl.String,
}


def _rows(
    frame: pl.DataFrame,
    milestone: str,
    date: pl.Expr,
    detail: pl.Expr | None,
    source: str,
    period: pl.Expr | None = None,
) -> pl.DataFrame:
    """One milestone per row of `frame` that has a date, with the output columns."""
    return (
        frame.select(
            CHILD=pl.col("CHILD").cast(pl.String),
            period=pl.lit(None, pl.Int64) if period is None else period,
            milestone=pl.lit(milestone),
            date=date.cast(pl.Date),
            detail=pl.lit(None, pl.String) if detail is None else detail,
            source=pl.lit(source),
        )
        .filter(pl.col("date").is_not_null())
        .cast(SCHEMA)  # type: ignore[arg-type]
    )


def _first_in_period(
    labelled: pl.DataFrame, which: pl.Expr, milestone: str, code: pl.Expr, source: str
) -> pl.DataFrame:
    """The start of the first episode in each period for which `which` holds."""
    first = labelled.filter(which).group_by("CHILD", "period").agg(pl.all().first())
    uncertain = pl.col("_period_start_unknown") & (pl.col("DECOM") == pl.col("_period_start"))
    detail = pl.when(uncertain).then(
        pl.format("{} (already so when this period's records begin: may be earlier)", code)
    )
    return _rows(
        first, milestone, pl.col("DECOM"), detail.otherwise(code), source, pl.col("period")
    )


def _from_episodes(labelled: pl.DataFrame) -> list[pl.DataFrame]:
    period = pl.col("period")
    rec = pl.col("REC")
    exits = [
        _rows(
            labelled.filter(rec.is_in(codes)),
            milestone,
            pl.col("DEC"),
            rec,
            "SSDA903 Episodes DEC (REC)",
            period,
        )
        for milestone, codes in EXITS.items()
    ]
    ended = labelled.filter("ends_care")
    return [
        _rows(
            labelled.filter(pl.col("RNE") == STARTED_CARE),
            "entered_care",
            pl.col("DECOM"),
            pl.col("LS"),
            "SSDA903 Episodes DECOM (RNE S)",
            period,
        ),
        _first_in_period(
            labelled,
            pl.col("LS") == PLACEMENT_ORDER,
            "placement_order",
            pl.col("LS"),
            "SSDA903 Episodes DECOM (first LS E1)",
        ),
        _first_in_period(
            labelled,
            pl.col("PLACE").is_in(ADOPTION_PLACEMENTS),
            "placed_for_adoption",
            pl.col("PLACE"),
            "SSDA903 Episodes DECOM (first PLACE A3-A6)",
        ),
        *exits,
        _rows(
            ended,
            "left_care",
            pl.col("DEC"),
            pl.when(rec != CARE_CONTINUES).then(rec),
            "SSDA903 Episodes DEC (end of period)",
            period,
        ),
    ]


def _from_tables(
    ad1: pl.DataFrame | None,
    placed_adoption: pl.DataFrame | None,
    reviews: pl.DataFrame | None,
    tracker: pl.DataFrame | None,
) -> list[pl.DataFrame]:
    parts = []
    if tracker is not None:
        parts.append(
            tracker.select(
                "CHILD",
                period=pl.lit(None, pl.Int64),
                milestone="MILESTONE",
                date="DATE",
                detail="NOTE",
                source=pl.col("SOURCE") if "SOURCE" in tracker.columns else pl.lit("tracker"),
            ).filter(pl.col("date").is_not_null())
        )
    if reviews is not None:
        parts.append(
            _rows(
                reviews,
                "looked_after_review",
                pl.col("REVIEW"),
                pl.col("REVIEW_CODE"),
                "SSDA903 Reviews REVIEW",
            )
        )
    if ad1 is not None:
        parts.append(
            _rows(ad1, "adoption_decision", pl.col("DATE_INT"), None, "SSDA903 AD1 DATE_INT")
        )
        foster_carer = pl.format("FOSTER_CARE {}", pl.col("FOSTER_CARE"))
        parts.append(
            _rows(ad1, "matched", pl.col("DATE_MATCH"), foster_carer, "SSDA903 AD1 DATE_MATCH")
        )
    if placed_adoption is not None:
        parts += [
            _rows(
                placed_adoption,
                "adoption_decision",
                pl.col("DATE_PLACED"),
                None,
                "SSDA903 PlacedAdoption DATE_PLACED",
            ),
            _rows(
                placed_adoption,
                "adoption_plan_reversed",
                pl.col("DATE_PLACED_CEASED"),
                pl.col("REASON_PLACED_CEASED"),
                "SSDA903 PlacedAdoption DATE_PLACED_CEASED",
            ),
        ]
    return parts


def return_milestones(
    history: pl.DataFrame,
    ad1: pl.DataFrame | None = None,
    placed_adoption: pl.DataFrame | None = None,
    reviews: pl.DataFrame | None = None,
    tracker: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Every SSDA903 milestone of every child, one row each, and any from trackers.

    `history` is the stitched Episodes history; `ad1`, `placed_adoption` and `reviews` are
    those tables (declared columns, any number of years' returns stacked), or None when
    not loaded. Columns: CHILD, period, milestone (a name from `MILESTONES`), date, detail
    (the REC, LS, PLACE, review code, reversal reason or FOSTER_CARE behind it), source
    (where the date comes from). `tracker` has CHILD, MILESTONE (a declared name), DATE,
    NOTE and optionally SOURCE (default "tracker"); its milestones join the period their
    date falls in, like AD1's, and a milestone the return already dates on the same day is
    kept once, from the return.
    Sorted by CHILD, date and the order of `MILESTONES`."""
    first_of_period = first_of_child() | (pl.col("period") != pl.col("period").shift(1))
    labelled = label_episodes(history).with_columns(
        _period_start=pl.when(first_of_period).then(pl.col("DECOM")).forward_fill(),
        _period_start_unknown=pl.when(first_of_period)
        .then((pl.col("RNE") != STARTED_CARE).fill_null(True))
        .forward_fill(),
    )
    starts = labelled.filter(first_of_period).select("CHILD", "period", _start="DECOM")
    dated = pl.concat(
        [pl.DataFrame(schema=SCHEMA), *_from_tables(ad1, placed_adoption, reviews, tracker)]
    )
    placed_in_time = (
        dated.drop("period")
        .sort("date")
        .join_asof(
            starts.sort("_start"),
            left_on="date",
            right_on="_start",
            by="CHILD",
            strategy="backward",
            check_sortedness=False,
        )
        .select(list(SCHEMA))
    )
    everything = pl.concat([*_from_episodes(labelled), placed_in_time], how="vertical")
    return (
        everything.with_row_index("_given")
        .sort(
            "CHILD",
            "date",
            pl.col("milestone").replace_strict(ORDER, return_dtype=pl.Int64),
            "_given",
        )
        .unique(["CHILD", "milestone", "date"], keep="first", maintain_order=True)
        .drop("_given")
    )
