"""Keep each LA's stitched episode history in step with the returns it has stored."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, delete, func, select

from carejourney.journeys.stitching import stitch
from carejourney.schema.ssda903 import EPISODES
from carejourney.schema.types import Kind
from carejourney.store.bulk import insert_frame
from carejourney.store.tables import RETURN_TABLES, episode_history, la_year, stitch_change

_SCHEMA = {
    "CHILD": pl.String,
    **{
        c.name: (pl.Date if c.kind is Kind.DATE else pl.String)
        for c in EPISODES.columns
        if c.name != "CHILD"
    },
    "year": pl.Int64,
    "source_row": pl.Int64,
}


@dataclass(frozen=True)
class Rebuilt:
    episodes: int
    changes: dict[str, int]


def stored_episodes(conn: Connection, la: str, skip_years: Iterable[int] = ()) -> pl.DataFrame:
    table = RETURN_TABLES["Episodes"]
    columns = [table.c[c.lower()] for c in EPISODES.column_names]
    rows = conn.execute(
        select(*columns, table.c.year, table.c.source_row).where(
            table.c.la == la, table.c.year.not_in(list(skip_years))
        )
    ).all()
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row")


def rebuild(
    conn: Connection, la: str, just_stored: dict[int, pl.DataFrame] | None = None
) -> Rebuilt:
    """Re-stitch every stored year of `la` (inside the caller's transaction).

    `just_stored` holds Episodes frames (with `_row`) of years stored in this same
    transaction, so they need not be read back from the database."""
    latest = conn.execute(select(func.max(la_year.c.year)).where(la_year.c.la == la)).scalar()
    conn.execute(delete(episode_history).where(episode_history.c.la == la))
    conn.execute(delete(stitch_change).where(stitch_change.c.la == la))
    if latest is None:
        return Rebuilt(0, {})
    fresh = just_stored or {}
    episodes = pl.concat(
        [
            stored_episodes(conn, la, skip_years=fresh),
            *[
                frame.rename({"_row": "source_row"})
                .with_columns(year=pl.lit(year, pl.Int64))
                .select(list(_SCHEMA))
                .cast(_SCHEMA)  # type: ignore[arg-type]
                for year, frame in fresh.items()
            ],
        ]
    )
    history, changes = stitch(episodes, latest)
    insert_frame(
        conn,
        episode_history,
        history.drop("source_row")
        .rename({c: c.lower() for c in EPISODES.column_names})
        .with_columns(la=pl.lit(la)),
    )
    insert_frame(
        conn,
        stitch_change,
        changes.rename({"CHILD": "child", "DECOM": "decom"}).with_columns(la=pl.lit(la)),
    )
    counts = changes.group_by("rule").agg(n=pl.len())
    return Rebuilt(history.height, dict(zip(counts["rule"], counts["n"], strict=True)))
