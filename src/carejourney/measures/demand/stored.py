"""One LA's demand data, as the measures see it, from what the store holds."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import polars as pl
from sqlalchemy import Connection, String, select, type_coerce

from carejourney.measures.demand.data import COLUMNS, DemandData, conform
from carejourney.schema.demand import DEMAND_FILES, DemandFile
from carejourney.store.tables import DEMAND_TABLES


def load_demand(conn: Connection, la: str) -> DemandData:
    """Every kind of demand data stored for `la`; a kind never imported is an empty frame."""
    frames = {demand.frame: _read(conn, demand, la) for demand in DEMAND_FILES}
    return DemandData(la=la, **frames)


def _read(conn: Connection, demand: DemandFile, la: str) -> pl.DataFrame:
    """The stored rows of one kind, in the order they were read, with the measures' columns.

    Only the columns the measures use are selected, and the frame is built from all the
    rows at once. SQLite holds dates as ISO text: they are read as text and turned into
    dates by Polars, column by column, rather than one by one as they are fetched."""
    table = DEMAND_TABLES[demand.kind]
    columns = COLUMNS[demand.frame]
    wanted = [name for name, _ in demand.stored_columns if name in columns]
    as_text = conn.dialect.name == "sqlite"
    dates = {name for name in wanted if as_text and columns[name] == pl.Date()}
    selected = [
        type_coerce(table.c[name.lower()], String) if name in dates else table.c[name.lower()]
        for name in wanted
    ]
    query = select(*selected).where(table.c.la == la).order_by(table.c.id)
    rows: Sequence[Any] = conn.execute(query).all()
    schema = {name: pl.String() if name in dates else columns[name] for name in wanted}
    frame = pl.DataFrame(rows, schema=schema, orient="row")
    frame = frame.with_columns(pl.col(name).str.to_date("%Y-%m-%d") for name in dates)
    return conform(demand.frame, frame)
