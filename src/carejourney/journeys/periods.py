"""A child's stitched episodes grouped into periods of care, placements and legal statuses.

All functions take the stitched history (`journeys.stitching.stitch`: the Episodes columns,
one row per episode) and return new frames; nothing is read or written elsewhere.

How episodes are grouped (the rules where the data is ambiguous):

- An episode *ends care* when it has an end date (DEC) and a reason other than X1, or when
  the next episode starts a new period of care (RNE S). An episode with a DEC but no reason
  (REC blank, as stitching leaves it when it closes an episode at the year end) also ends
  care, unless the next episode starts on that same day without RNE S: then care went on.
- A *period of care* starts at the child's first episode, at every RNE S, and at any episode
  after one that ended care. Only a start with RNE S is a known start (`start_known`); a
  history that begins with another RNE (earlier years not loaded), or an episode after
  leaving care without RNE S (a data error), still starts a period, and `flag` says why.
- A period ends (`end`, `exit_reason`) when its last episode ends care. A last episode
  with REC X1 and nothing after it is treated as still looked after, and flagged.
- A *placement* (a stay with one carer) starts at every new period and at every RNE other
  than L, T and U (so S, P, B, and also a blank or unknown RNE). L, T and U continue the
  placement with a new legal status or placement type (for example foster carers becoming
  adopters: U5 to A5 with RNE T).
- Short breaks (LS V3/V4) are kept everywhere. A period whose episodes all have LS V3 or
  V4 has `short_breaks_only=True`, so measures that exclude short breaks can drop it;
  placements and legal statuses carry the period number to join on.
"""

from __future__ import annotations

import polars as pl

CARE_CONTINUES = "X1"
STARTED_CARE = "S"
SAME_PLACEMENT = ("L", "T", "U")
SHORT_BREAKS = ("V3", "V4")

PERIOD_SCHEMA = {
    "CHILD": pl.String,
    "period": pl.Int64,
    "start": pl.Date,
    "end": pl.Date,
    "start_known": pl.Boolean,
    "exit_reason": pl.String,
    "episodes": pl.Int64,
    "ls_start": pl.String,
    "ls_end": pl.String,
    "short_breaks_only": pl.Boolean,
    "flag": pl.String,
}


def label_episodes(history: pl.DataFrame) -> pl.DataFrame:
    """The history sorted by CHILD and DECOM, with three columns added:

    `ends_care` (this episode ends the period of care), `period` (1, 2, ... per child) and
    `placement` (1, 2, ... per child, counted across periods). See the module docstring.

    Windows use the sort order (compare with the row before or after when it is the same
    child) rather than `over("CHILD")`, which is several times slower on a national table."""
    rec = pl.col("REC")
    same_child_next = pl.col("CHILD") == pl.col("CHILD").shift(-1)
    next_decom = pl.when(same_child_next).then(pl.col("DECOM").shift(-1))
    next_rne = pl.when(same_child_next).then(pl.col("RNE").shift(-1))
    restarts = (next_rne == STARTED_CARE).fill_null(False)
    continues_same_day = (next_decom == pl.col("DEC")).fill_null(False) & ~restarts
    has_exit = rec.is_not_null() & (rec != CARE_CONTINUES)
    ends_care = restarts | (
        pl.col("DEC").is_not_null() & (has_exit | (rec.is_null() & ~continues_same_day))
    )
    new_period = (
        first_of_child()
        | (pl.col("RNE") == STARTED_CARE).fill_null(False)
        | pl.col("ends_care").shift(1).fill_null(False)  # the row before, if this child's
    )
    new_placement = pl.col("_new_period") | ~pl.col("RNE").is_in(SAME_PLACEMENT).fill_null(False)
    return (
        history.sort("CHILD", "DECOM")
        .with_columns(ends_care=ends_care)
        .with_columns(_new_period=new_period)
        .with_columns(
            period=count_per_child(pl.col("_new_period")),
            placement=count_per_child(new_placement),
        )
        .drop("_new_period")
    )


def first_of_child() -> pl.Expr:
    """True on each child's first row of a frame sorted by CHILD."""
    return pl.col("CHILD").ne_missing(pl.col("CHILD").shift(1)).fill_null(True)


def count_per_child(flag: pl.Expr) -> pl.Expr:
    """1, 2, ...: how many rows of this child so far have `flag`, in a frame sorted by
    CHILD where `flag` is True on each child's first row."""
    total = flag.cum_sum().cast(pl.Int64)
    before_child = pl.when(first_of_child()).then(total - 1).forward_fill()
    return total - before_child


def periods_of_care(history: pl.DataFrame) -> pl.DataFrame:
    """One row per period of care per child.

    Columns: CHILD, period (1, 2, ... per child), start (DECOM of its first episode),
    end (DEC of the episode that ended care; null while still looked after), start_known
    (the period starts with RNE S), exit_reason (REC of that episode; null if still looked
    after or not recorded), episodes (count), ls_start and ls_end (legal status of the
    first and last episode), short_breaks_only (every episode has LS V3 or V4) and flag
    (why a start or end is uncertain, in words; null when nothing is)."""
    return summarise_periods(label_episodes(history))


def summarise_periods(labelled: pl.DataFrame) -> pl.DataFrame:
    """`periods_of_care` from episodes already labelled by `label_episodes`."""
    grouped = labelled.group_by("CHILD", "period", maintain_order=True).agg(
        start=pl.col("DECOM").first(),
        _rne=pl.col("RNE").first(),
        _ends=pl.col("ends_care").last(),
        _dec=pl.col("DEC").last(),
        _rec=pl.col("REC").last(),
        episodes=pl.len(),
        ls_start=pl.col("LS").first(),
        ls_end=pl.col("LS").last(),
        short_breaks_only=pl.col("LS").is_in(SHORT_BREAKS).fill_null(False).all(),
    )
    rne = pl.col("_rne").fill_null("blank")
    rec = pl.col("_rec")
    start_known = (pl.col("_rne") == STARTED_CARE).fill_null(False)
    ended = pl.col("_ends")
    flags = [
        pl.when(~start_known & (pl.col("period") == 1)).then(
            pl.format(
                "The loaded history begins with RNE {}, not S: care started earlier "
                "(earlier years not loaded?), so the real start is not known.",
                rne,
            )
        ),
        pl.when(~start_known & (pl.col("period") > 1)).then(
            pl.format("Starts after the child left care, but with RNE {}, not S.", rne)
        ),
        pl.when(ended & rec.is_null()).then(
            pl.lit("Left care with no reason recorded (REC blank).")
        ),
        pl.when(ended & (rec == CARE_CONTINUES)).then(
            pl.lit(
                "The last episode says care continues (REC X1), but the next episode "
                "starts a new period of care (RNE S); no reason for leaving is recorded."
            )
        ),
        pl.when(~ended & (pl.col("_dec").is_not_null() | rec.is_not_null())).then(
            pl.format(
                "The last episode has REC {} and DEC {}, but nothing shows care ended: "
                "treated as still looked after.",
                rec.fill_null("blank"),
                pl.col("_dec").dt.strftime("%d/%m/%Y").fill_null("blank"),
            )
        ),
    ]
    return (
        grouped.with_columns(
            end=pl.when(ended).then(pl.col("_dec")),
            start_known=start_known,
            exit_reason=pl.when(ended & (rec != CARE_CONTINUES)).then(rec),
            flag=pl.concat_str(flags, separator=" ", ignore_nulls=True),
        )
        .with_columns(flag=pl.when(pl.col("flag") != "").then(pl.col("flag")))
        .select(list(PERIOD_SCHEMA))
        .cast(PERIOD_SCHEMA)  # type: ignore[arg-type]
    )


def placements(history: pl.DataFrame) -> pl.DataFrame:
    """One row per placement (a stay with one carer) per child.

    Columns: CHILD, period, placement (1, 2, ... per child, counted across periods), start
    (DECOM of its first episode), end (DEC of its last episode; null while open),
    place_start and place_end (PLACE of the first and last episode: a T or U change keeps
    the placement but may change its type), PLACE_PROVIDER and URN (of the first episode),
    episodes (count). Short-break placements are included (see `periods_of_care`)."""
    return (
        label_episodes(history)
        .group_by("CHILD", "period", "placement", maintain_order=True)
        .agg(
            start=pl.col("DECOM").first(),
            end=pl.col("DEC").last(),
            place_start=pl.col("PLACE").first(),
            place_end=pl.col("PLACE").last(),
            PLACE_PROVIDER=pl.col("PLACE_PROVIDER").first(),
            URN=pl.col("URN").first(),
            episodes=pl.len().cast(pl.Int64),
        )
    )


def legal_statuses(history: pl.DataFrame) -> pl.DataFrame:
    """Consecutive runs of episodes with the same legal status, per child and period.

    Columns: CHILD, period, LS, start (DECOM of the run's first episode), end (DEC of its
    last; null while open). A new period always starts a new run, even with the same LS.
    Short breaks (V3/V4) are runs like any other (see `periods_of_care`)."""
    new_run = (
        first_of_child()
        | (pl.col("period") != pl.col("period").shift(1)).fill_null(True)
        | pl.col("LS").ne_missing(pl.col("LS").shift(1))
    )
    return (
        label_episodes(history)
        .with_columns(_run=new_run.cum_sum())
        .group_by("CHILD", "period", "_run", maintain_order=True)
        .agg(
            LS=pl.col("LS").first(),
            start=pl.col("DECOM").first(),
            end=pl.col("DEC").last(),
        )
        .drop("_run")
    )
