"""The adopters' journey (Ofsted's Annex A list 11), stage by stage: the route
`measures.stages.ROUTES["adopters"]`, timed on the same rules as a child's journey
(`measures.stages`), from the adopters' milestones as stored (they are not in `Journeys`,
which holds children).
"""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import Connection, select

from carejourney.measures.stages import (
    WAITING,
    _first_dates,
    _milestone_order,
    _stage_rows,
    _stages,
)
from carejourney.store.tables import annex_a_milestone

__all__ = ["adopter_milestones", "adopter_stage_times", "adopters_journey", "adopters_waiting"]


def adopter_milestones(conn: Connection, la: str) -> pl.DataFrame:
    """The LA's adopters' milestones from Annex A list 11 (not in `Journeys`, which holds
    children): ADOPTER, milestone, date."""
    table = annex_a_milestone
    rows = conn.execute(
        select(table.c.subject, table.c.milestone, table.c.date).where(
            table.c.la == la, table.c.list == 11
        )
    ).all()
    schema = {"ADOPTER": pl.String, "milestone": pl.String, "date": pl.Date}
    return pl.DataFrame(rows, schema=schema, orient="row")


def adopter_stage_times(milestones: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """`stage_times` for adopters, from `adopter_milestones`: one row per adopter and stage
    of ROUTES["adopters"], as at a date. Adopters have no "left care": nothing in Annex A
    says they withdrew, so an adopter with no later date is waiting (REVIEW with the LA).
    Columns as `stage_times`, with ADOPTER for CHILD and no period; over_threshold checks
    stage 1 (registration to the stage 1 decision) against 2 months and stage 2 (its start
    to approval) against 4, in calendar months. Stage 2's clock stops at approval because
    Annex A's "Date Stage 2 ended" is not a declared milestone; approval can come after
    stage 2 ends (panel, then the agency decision), so this is stricter (REVIEW)."""
    keys = ["ADOPTER"]
    order = _milestone_order(_stages("adopters"))
    dated = milestones.filter(pl.col("date") <= as_at)
    wide = _first_dates(dated, keys, order).with_columns(
        _end=pl.lit(None, pl.Date), _start_known=pl.lit(True)
    )
    return _stage_rows(wide, keys, "adopters", as_at).drop("period")


def adopters_journey(conn: Connection, la: str, as_at: dt.date) -> pl.DataFrame:
    """Each adopter's journey, stage by stage, as at a date (see `adopter_stage_times`);
    summarise it with `stage_summary` and list those waiting with `adopters_waiting`."""
    return adopter_stage_times(adopter_milestones(conn, la), as_at)


def adopters_waiting(times: pl.DataFrame) -> pl.DataFrame:
    """Adopters approved and not yet matched, longest wait first: ADOPTER, approved (date),
    days_waiting (so far, at the as-at date of `times`)."""
    return (
        times.filter((pl.col("stage") == "approval_to_match") & (pl.col("status") == WAITING))
        .select("ADOPTER", approved="from_date", days_waiting="days")
        .sort("days_waiting", "ADOPTER", descending=[True, False])
    )
