"""A synthetic LA's CSV files read back simply with Polars, for the tests that check what
it wrote (independently of carejourney's own readers)."""

from __future__ import annotations

from pathlib import Path

import polars as pl


def to_date(column: str) -> pl.Expr:
    return pl.col(column).str.to_date("%d/%m/%Y", strict=False)


def read_table(outdir: Path, table: str) -> pl.DataFrame:
    """Every year's file of one table, stacked, with the collection year in `year`."""
    return pl.concat(
        pl.read_csv(path, infer_schema=False).with_columns(year=pl.lit(int(path.parent.name[4:8])))
        for path in sorted(outdir.glob(f"*_*/{table}.csv"))
    )


def episodes(outdir: Path) -> pl.DataFrame:
    """Every episode once (the latest year's copy), with dates `decom`, `dec` and `dob`, and
    `period`: 1, 2, ... counting RNE S, 0 for a period that started before the returns."""
    dobs = read_table(outdir, "header").unique("CHILD").select("CHILD", dob=to_date("DOB"))
    return (
        read_table(outdir, "episodes")
        .sort("CHILD", "DECOM", "year")
        .unique(["CHILD", "DECOM"], keep="last", maintain_order=True)
        .with_columns(decom=to_date("DECOM"), dec=to_date("DEC"))
        .sort("CHILD", "decom")
        .join(dobs, on="CHILD")
        .with_columns(period=(pl.col("RNE") == "S").cum_sum().over("CHILD"))
    )


def period_starts(history: pl.DataFrame) -> pl.DataFrame:
    """CHILD, period, start and `known` (the start is an RNE S episode, not just the first
    episode the returns hold)."""
    return history.group_by("CHILD", "period").agg(
        start=pl.col("decom").min(), known=pl.col("RNE").first() == "S"
    )


def tracker(outdir: Path, starts: pl.DataFrame) -> pl.DataFrame:
    """tracker.csv with `date`, and the period each milestone falls in (null before the
    first episode the returns hold)."""
    return (
        pl.read_csv(outdir / "tracker.csv", infer_schema=False)
        .with_columns(date=to_date("DATE"))
        .sort("date")
        .join_asof(
            starts.sort("start"),
            left_on="date",
            right_on="start",
            by="CHILD",
            strategy="backward",
            check_sortedness=False,  # sorted by date, so within each child too
        )
    )
