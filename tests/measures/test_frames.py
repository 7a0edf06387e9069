"""A frame put into a declared shape."""

from __future__ import annotations

import polars as pl

from carejourney.measures.frames import conform_to


def test_columns_are_ordered_typed_and_the_missing_ones_blank() -> None:
    columns = {"CHILD": pl.String(), "DAYS": pl.Int64(), "NOTE": pl.String()}
    frame = pl.DataFrame({"DAYS": [3], "CHILD": ["A"], "EXTRA": [1.5]})
    shaped = conform_to(columns, frame)
    assert shaped.schema == pl.Schema(columns)
    assert shaped.rows() == [("A", 3, None)]
