"""Every child's journey for one LA, built from what the store holds."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, Table, func, select

from carejourney.journeys import recorded
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.schema.allocation import ALLOCATION
from carejourney.schema.ssda903 import EPISODES, TABLES_BY_NAME
from carejourney.schema.tracker import TRACKER
from carejourney.schema.types import Kind
from carejourney.schema.types import Table as DeclaredTable
from carejourney.sources.years import year_end
from carejourney.store.tables import (
    RETURN_TABLES,
    allocation,
    annex_a_milestone,
    episode_history,
    la_year,
    tracker_milestone,
)


@dataclass(frozen=True)
class Journeys:
    """One LA's children: their stitched episodes, periods of care, placements, dated
    milestones (from the returns and trackers) and who they are (from the latest Header)."""

    la: str
    history: pl.DataFrame
    periods: pl.DataFrame
    placements: pl.DataFrame
    milestones: pl.DataFrame
    children: pl.DataFrame  # CHILD, SEX, DOB, ETHNIC
    workers: pl.DataFrame  # SWEpisodes: CHILD, SW_ID, SW_DECOM, SW_DEC
    allocations: pl.DataFrame  # the LA's allocation list: CHILD, TEAM, WORKER
    data_ends: dt.date | None  # the latest day the stored data can speak for


def load(conn: Connection, la: str) -> Journeys:
    history = _read(conn, episode_history, EPISODES, la, extra=("year", "stitch_rules"))
    tables = {
        name: _read(conn, RETURN_TABLES[name], TABLES_BY_NAME[name], la, extra=("year",))
        for name in ("Header", "AD1", "PlacedAdoption", "Reviews", "SWEpisodes")
    }
    tracker = pl.concat(
        [
            _read(conn, tracker_milestone, TRACKER, la).with_columns(SOURCE=pl.lit("tracker")),
            _annex_a_children(conn, la),
        ],
        how="vertical",
    )
    children = (
        tables["Header"]
        .sort("year")
        .unique("CHILD", keep="last")
        .select("CHILD", "SEX", "DOB", "ETHNIC")
        .sort("CHILD")
    )
    return Journeys(
        la=la,
        history=history,
        periods=periods_of_care(history),
        placements=placements(history),
        milestones=return_milestones(
            history,
            ad1=tables["AD1"],
            placed_adoption=tables["PlacedAdoption"],
            reviews=tables["Reviews"],
            # Milestones recorded in the web app count as the tracker's do (but do not move
            # data_ends: one milestone recorded today says nothing of the rest of the data).
            tracker=pl.concat([tracker, recorded.current_frame(conn, la)], how="vertical"),
        ),
        children=children,
        workers=tables["SWEpisodes"].select("CHILD", "SW_ID", "SW_DECOM", "SW_DEC"),
        allocations=_read(conn, allocation, ALLOCATION, la),
        data_ends=_data_ends(conn, la, tracker),
    )


def _data_ends(conn: Connection, la: str, tracker: pl.DataFrame) -> dt.date | None:
    """The end of the latest collection year stored, or the latest tracker date if later:
    the returns say nothing about what happened after their year ended."""
    latest_year = conn.execute(select(func.max(la_year.c.year)).where(la_year.c.la == la)).scalar()
    ends = [year_end(latest_year)] if latest_year is not None else []
    if tracker.height:
        ends.append(tracker["DATE"].max())  # type: ignore[arg-type]
    return max(ends) if ends else None


def _annex_a_children(conn: Connection, la: str) -> pl.DataFrame:
    """Annex A list 10's milestones, in the tracker's shape."""
    table = annex_a_milestone
    rows = conn.execute(
        select(table.c.subject, table.c.milestone, table.c.date, table.c.note).where(
            table.c.la == la, table.c.list == 10
        )
    ).all()
    schema = {"CHILD": pl.String, "MILESTONE": pl.String, "DATE": pl.Date, "NOTE": pl.String}
    return pl.DataFrame(rows, schema=schema, orient="row").with_columns(
        SOURCE=pl.lit("Annex A list 10")
    )


def _read(
    conn: Connection, table: Table, declared: DeclaredTable, la: str, extra: tuple[str, ...] = ()
) -> pl.DataFrame:
    """A stored table's rows for one LA, with the declared (upper-case) column names."""
    names = [*declared.column_names, *extra]
    schema = {
        **{c.name: _dtype(c.kind) for c in declared.columns},
        **{e: (pl.Int64 if e == "year" else pl.String) for e in extra},
    }
    rows = conn.execute(select(*[table.c[n.lower()] for n in names]).where(table.c.la == la)).all()
    return pl.DataFrame(rows, schema=schema, orient="row")


def _dtype(kind: Kind) -> pl.DataType:
    if kind is Kind.DATE:
        return pl.Date()
    if kind is Kind.INTEGER:
        return pl.Int64()
    return pl.String()
