"""Stitch several years' Episodes tables into one history per child.

The rules follow public practice (data-to-insight's liiatools), and each change is
recorded with the rule that made it:

- `replaced-by-later-year`: the same episode (child and start date) appears in more
  than one year's return; the latest year's row is kept, as it knows more (its end).
- `duplicate-dropped`: the same episode appears twice in one return; the later row is kept.
- `closed-at-next-decom`: an episode left open is followed by another episode; it ends
  when the next starts (reason X1, care continued, unless the next episode starts a
  new period of care, when the reason is unknown).
- `closed-at-year-end`: an episode left open in a year that is not the latest stored,
  with nothing after it; it is closed on 31 March of that year, reason unknown.
- `truncated-at-next-decom`: an episode that ends after the next one starts is cut
  back to the next start date.
"""

from __future__ import annotations

import polars as pl

from carejourney.schema.ssda903 import EPISODES

COLUMNS = list(EPISODES.column_names)
CHANGE_SCHEMA = {
    "CHILD": pl.String,
    "DECOM": pl.Date,
    "year": pl.Int64,
    "rule": pl.String,
    "column": pl.String,
    "before": pl.String,
    "after": pl.String,
}


def stitch(episodes: pl.DataFrame, latest_year: int) -> tuple[pl.DataFrame, pl.DataFrame]:
    """`episodes` has the Episodes columns plus `year` and `source_row`, for one LA.

    Returns (history, changes): history has one row per episode with the columns of
    `episodes` plus `stitch_rules`; changes has one row per change made."""
    ranked = episodes.sort(
        ["CHILD", "DECOM", "year", "source_row"], descending=[False, False, True, True]
    )
    first = pl.int_range(pl.len()).over("CHILD", "DECOM") == 0
    kept = ranked.filter(first)
    dropped = ranked.filter(~first).join(
        kept.select("CHILD", "DECOM", kept_year="year"), on=["CHILD", "DECOM"]
    )
    drop_changes = dropped.select(
        "CHILD",
        "DECOM",
        "year",
        rule=pl.when(pl.col("year") == pl.col("kept_year"))
        .then(pl.lit("duplicate-dropped"))
        .otherwise(pl.lit("replaced-by-later-year")),
        column=pl.lit(None, pl.String),
        before=pl.lit(None, pl.String),
        after=pl.format(
            "kept the row from the {}/{} return",
            pl.col("kept_year"),
            ((pl.col("kept_year") + 1) % 100).cast(pl.String).str.zfill(2),
        ),
    )

    ordered = kept.sort("CHILD", "DECOM").with_columns(
        _next_decom=pl.col("DECOM").shift(-1).over("CHILD"),
        _next_rne=pl.col("RNE").shift(-1).over("CHILD"),
    )
    is_open = pl.col("DEC").is_null()
    has_next = pl.col("_next_decom").is_not_null()
    rule = (
        pl.when(is_open & has_next)
        .then(pl.lit("closed-at-next-decom"))
        .when(is_open & (pl.col("year") < latest_year))
        .then(pl.lit("closed-at-year-end"))
        .when(has_next & (pl.col("DEC") > pl.col("_next_decom")))
        .then(pl.lit("truncated-at-next-decom"))
    )
    year_end = pl.date(pl.col("year") + 1, 3, 31)
    new_dec = (
        pl.when(pl.col("_rule").is_in(["closed-at-next-decom", "truncated-at-next-decom"]))
        .then(pl.col("_next_decom"))
        .when(pl.col("_rule") == "closed-at-year-end")
        .then(year_end)
        .otherwise(pl.col("DEC"))
    )
    new_rec = (
        pl.when((pl.col("_rule") == "closed-at-next-decom") & (pl.col("_next_rne") != "S"))
        .then(pl.lit("X1"))
        .otherwise(pl.col("REC"))
    )
    stitched = ordered.with_columns(_rule=rule).with_columns(
        _old_dec=pl.col("DEC"), _old_rec=pl.col("REC"), DEC=new_dec, REC=new_rec
    )
    changed = stitched.filter(pl.col("_rule").is_not_null())
    dec_changes = changed.select(
        "CHILD",
        "DECOM",
        "year",
        rule="_rule",
        column=pl.lit("DEC"),
        before=pl.col("_old_dec").cast(pl.String),
        after=pl.col("DEC").cast(pl.String),
    )
    rec_changes = changed.filter(pl.col("REC").ne_missing(pl.col("_old_rec"))).select(
        "CHILD",
        "DECOM",
        "year",
        rule="_rule",
        column=pl.lit("REC"),
        before="_old_rec",
        after="REC",
    )
    history = stitched.select(*episodes.columns, stitch_rules="_rule")
    changes = pl.concat(
        [frame.cast(CHANGE_SCHEMA) for frame in (drop_changes, dec_changes, rec_changes)]  # type: ignore[arg-type]
    ).sort("CHILD", "DECOM", "rule")
    return history, changes
