"""Read what the store holds: LAs, years, batches, rows, stored problems."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from carejourney.sources.problems import Problem, Severity
from carejourney.store.tables import (
    DEMAND_TABLES,
    RETURN_TABLES,
    allocation,
    annex_a_milestone,
    episode_history,
    import_batch,
    import_problem,
    la_allocation,
    la_annex_a,
    la_demand,
    la_tracker,
    la_year,
    stitch_change,
    tracker_milestone,
)


@dataclass(frozen=True)
class LaSummary:
    la: str
    years: list[int]
    children: int
    rows: dict[str, int]
    history_episodes: int
    stitch_changes: int


@dataclass(frozen=True)
class BatchSummary:
    id: int
    la: str
    years: list[int]
    imported_at: str
    imported_by: str
    tool_version: str
    rows: int
    warnings: int
    current: bool


def local_authorities(conn: Connection) -> list[str]:
    holders = (la_tracker, la_annex_a, la_allocation, la_demand)
    las = select(la_year.c.la).union(*(select(h.c.la) for h in holders)).subquery()
    return list(conn.execute(select(las.c.la).order_by(las.c.la)).scalars())


def summarise(conn: Connection) -> list[LaSummary]:
    out = []
    for la in local_authorities(conn):
        years = list(
            conn.execute(
                select(la_year.c.year).where(la_year.c.la == la).order_by(la_year.c.year)
            ).scalars()
        )
        rows = {}
        for name, table in RETURN_TABLES.items():
            count = conn.execute(select(func.count()).where(table.c.la == la)).scalar_one()
            if count:
                rows[name] = count
        trackers = conn.execute(
            select(func.count()).where(tracker_milestone.c.la == la)
        ).scalar_one()
        if trackers:
            rows["Tracker"] = trackers
        allocated = conn.execute(select(func.count()).where(allocation.c.la == la)).scalar_one()
        if allocated:
            rows["Allocation"] = allocated
        for listed, count in conn.execute(
            select(annex_a_milestone.c.list, func.count())
            .where(annex_a_milestone.c.la == la)
            .group_by(annex_a_milestone.c.list)
            .order_by(annex_a_milestone.c.list)
        ).all():
            rows[f"Annex A list {listed}"] = count
        for kind, table in DEMAND_TABLES.items():
            count = conn.execute(select(func.count()).where(table.c.la == la)).scalar_one()
            if count:
                rows[kind] = count
        header = RETURN_TABLES["Header"]
        children = conn.execute(
            select(func.count(header.c.child.distinct())).where(header.c.la == la)
        ).scalar_one()
        history = conn.execute(select(func.count()).where(episode_history.c.la == la)).scalar_one()
        changes = conn.execute(select(func.count()).where(stitch_change.c.la == la)).scalar_one()
        out.append(LaSummary(la, years, children, rows, history, changes))
    return out


def batches(conn: Connection) -> list[BatchSummary]:
    current = set(conn.execute(select(la_year.c.batch_id).distinct()).scalars())
    current |= set(conn.execute(select(la_tracker.c.batch_id)).scalars())
    current |= set(conn.execute(select(la_annex_a.c.batch_id)).scalars())
    current |= set(conn.execute(select(la_allocation.c.batch_id)).scalars())
    current |= set(conn.execute(select(la_demand.c.batch_id)).scalars())
    warnings: dict[int, int] = dict(
        conn.execute(
            select(import_problem.c.batch_id, func.count()).group_by(import_problem.c.batch_id)
        ).all()
    )
    out = []
    for row in conn.execute(select(import_batch).order_by(import_batch.c.id)).all():
        out.append(
            BatchSummary(
                id=row.id,
                la=row.la,
                years=[int(y) for y in row.years.split(",") if y],
                imported_at=f"{row.imported_at:%Y-%m-%d %H:%M}",
                imported_by=row.imported_by,
                tool_version=row.tool_version,
                rows=row.rows,
                warnings=warnings.get(row.id, 0),
                current=row.id in current,
            )
        )
    return out


def stored_problems(conn: Connection, batch: int | None = None) -> list[tuple[int, Problem]]:
    """Warnings stored with batches: one batch, or every batch whose data is current."""
    query = select(
        import_problem.c.batch_id,
        import_problem.c.file,
        import_problem.c.row,
        import_problem.c.column,
        import_problem.c.value,
        import_problem.c.code,
        import_problem.c.message,
        import_problem.c.severity,
    ).order_by(import_problem.c.id)
    if batch is not None:
        query = query.where(import_problem.c.batch_id == batch)
    else:
        current = select(la_year.c.batch_id).union(
            select(la_tracker.c.batch_id),
            select(la_annex_a.c.batch_id),
            select(la_allocation.c.batch_id),
            select(la_demand.c.batch_id),
        )
        query = query.where(import_problem.c.batch_id.in_(current))
    return [
        (
            r.batch_id,
            Problem(r.file, r.row, r.column, r.value, r.code, r.message, Severity(r.severity)),
        )
        for r in conn.execute(query).all()
    ]
