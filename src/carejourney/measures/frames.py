"""Frames of a declared shape: the measures can count on every column being there."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

__all__ = ["conform_to"]


def conform_to(columns: Mapping[str, pl.DataType], frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with exactly `columns`, in order and typed; those it lacks, blank."""
    return frame.select(
        (pl.col(name) if name in frame.columns else pl.lit(None)).cast(dtype).alias(name)
        for name, dtype in columns.items()
    )
