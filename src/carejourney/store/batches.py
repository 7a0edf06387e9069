"""Store checked returns and trackers as one import batch: all or nothing, with provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import ColumnElement, Connection, Table, delete, insert, select

from carejourney.schema.demand import DEMAND_BY_KIND
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Severity
from carejourney.sources.returns import ALLOCATION_KIND, TRACKER_KIND, MilestoneList, ReadResult
from carejourney.store.access import current_user
from carejourney.store.bulk import insert_frame
from carejourney.store.tables import (
    DEMAND_TABLES,
    RETURN_TABLES,
    allocation,
    annex_a_milestone,
    import_batch,
    import_file,
    import_problem,
    la_allocation,
    la_annex_a,
    la_demand,
    la_tracker,
    la_year,
    tracker_milestone,
)


@dataclass
class Saved:
    batch_id: int | None
    stored_years: list[int] = field(default_factory=list)
    replaced_years: list[int] = field(default_factory=list)
    unchanged_years: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    # Per kind of LA list given (Tracker, Allocation, Annex A list 10/11, Contacts, ...):
    # stored, replaced or unchanged.
    lists: dict[str, str] = field(default_factory=dict)


def fingerprint(label: str, files: Iterable[tuple[str, SourceFile]], tool_version: str) -> str:
    """The same files, read by the same version of carejourney, give the same fingerprint
    whatever the files are called. A new version may read files differently, so importing
    them again with it replaces what they hold."""
    digest = hashlib.sha256(f"{label};{tool_version};".encode())
    for table, file in sorted(files, key=lambda pair: (pair[0], pair[1].sha256)):
        digest.update(f"{table}:{file.sha256};".encode())
    return digest.hexdigest()


def save(conn: Connection, la: str, read: ReadResult, tool_version: str) -> Saved:
    """Store what `read` holds for `la`, in the caller's transaction.

    A year (or a tracker) already stored from identical files is left alone; one stored
    from other files is replaced whole. Reads with errors must never reach here."""
    assert not any(p.severity is Severity.ERROR for p in read.problems)
    current = {
        row.year: row.fingerprint
        for row in conn.execute(select(la_year).where(la_year.c.la == la)).all()
    }
    prints = {r.year: fingerprint(str(r.year), r.files.items(), tool_version) for r in read.returns}
    changed = [r for r in read.returns if current.get(r.year) != prints[r.year]]
    unchanged = [r for r in read.returns if current.get(r.year) == prints[r.year]]
    saved = Saved(None, unchanged_years=[r.year for r in unchanged])

    # Trackers and Annex A lists: each kind is replaced whole, unless its files are unchanged.
    replacing: list[tuple[MilestoneList, str]] = []
    for milestones in read.lists:
        new_print = fingerprint(
            milestones.kind, [(milestones.kind, f) for f in milestones.files], tool_version
        )
        holder, where = _holder(milestones.kind, la)
        old_print = conn.execute(select(holder.c.fingerprint).where(*where)).scalar()
        if old_print == new_print:
            saved.lists[milestones.kind] = "unchanged"
        else:
            saved.lists[milestones.kind] = "stored" if old_print is None else "replaced"
            replacing.append((milestones, new_print))
    if not changed and not replacing:
        return saved

    batch_id: int = conn.execute(
        insert(import_batch).values(
            la=la,
            years=",".join(str(r.year) for r in changed),
            imported_at=dt.datetime.now(dt.UTC),
            imported_by=current_user(),
            tool_version=tool_version,
            rows=0,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    saved.batch_id = batch_id
    for ret in changed:
        if ret.year in current:
            saved.replaced_years.append(ret.year)
            for table in RETURN_TABLES.values():
                conn.execute(delete(table).where(table.c.la == la, table.c.year == ret.year))
            conn.execute(delete(la_year).where(la_year.c.la == la, la_year.c.year == ret.year))
        saved.stored_years.append(ret.year)
        for name, frame in ret.tables.items():
            n = insert_frame(conn, RETURN_TABLES[name], _for_store(frame, batch_id, la, ret.year))
            saved.rows[name] = saved.rows.get(name, 0) + n
            _record_file(conn, batch_id, ret.files[name], name, n, ret.year)
        conn.execute(
            insert(la_year).values(
                la=la, year=ret.year, batch_id=batch_id, fingerprint=prints[ret.year]
            )
        )
    for milestones, new_print in replacing:
        saved.rows[milestones.kind] = _replace(conn, la, batch_id, milestones, new_print)

    # Warnings about what was left unchanged were stored with the batch that holds it.
    unchanged_files = {f.name for r in unchanged for f in r.files.values()}
    for milestones in read.lists:
        if saved.lists[milestones.kind] == "unchanged":
            unchanged_files |= {f.name for f in milestones.files}
    warnings = [p for p in read.problems if p.file not in unchanged_files]
    if warnings:
        conn.execute(
            insert(import_problem),
            [{"batch_id": batch_id, **p.as_dict()} for p in warnings],
        )
    conn.execute(
        import_batch.update()
        .where(import_batch.c.id == batch_id)
        .values(rows=sum(saved.rows.values()))
    )
    return saved


@dataclass(frozen=True)
class _Place:
    """Where one kind of LA list is stored: the table of its rows, the table saying which
    batch holds it, the values that pick this kind out in each (an Annex A list's number,
    a demand kind), and each stored column with the list's columns that may fill it."""

    rows: Table
    holder: Table
    holder_key: tuple[tuple[str, object], ...]
    rows_key: tuple[tuple[str, object], ...]
    columns: tuple[tuple[str, tuple[str, ...]], ...]

    def frame(self, rows: pl.DataFrame) -> pl.DataFrame:
        """The list's rows as the table stores them, with their file and row."""
        picked = {
            stored: next(c for c in candidates if c in rows.columns)
            for stored, candidates in self.columns
        }
        return rows.select(**picked, source_file="_file", source_row="_row").with_columns(
            pl.lit(value).alias(name) for name, value in self.rows_key
        )


_MILESTONE_COLUMNS = (("milestone", ("MILESTONE",)), ("date", ("DATE",)), ("note", ("NOTE",)))
_PLACES: dict[str, _Place] = {
    TRACKER_KIND: _Place(
        tracker_milestone, la_tracker, (), (), (("child", ("CHILD",)), *_MILESTONE_COLUMNS)
    ),
    ALLOCATION_KIND: _Place(
        allocation,
        la_allocation,
        (),
        (),
        (("child", ("CHILD",)), ("team", ("TEAM",)), ("worker", ("WORKER",))),
    ),
    **{
        f"Annex A list {listed}": _Place(
            annex_a_milestone,
            la_annex_a,
            (("list", listed),),
            (("list", listed),),
            (("subject", ("CHILD", "ADOPTER")), *_MILESTONE_COLUMNS),
        )
        for listed in (10, 11)
    },
    **{
        kind: _Place(
            DEMAND_TABLES[kind],
            la_demand,
            (("kind", kind),),
            (),
            tuple((name.lower(), (name,)) for name, _ in demand.stored_columns),
        )
        for kind, demand in DEMAND_BY_KIND.items()
    },
}


def _holder(kind: str, la: str) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table saying which batch holds this kind of list for the LA, and its row."""
    place = _PLACES[kind]
    holder = place.holder
    return holder, [holder.c.la == la, *(holder.c[k] == v for k, v in place.holder_key)]


def _replace(
    conn: Connection, la: str, batch_id: int, milestones: MilestoneList, new_print: str
) -> int:
    """Replace the LA's stored list of this kind with this one."""
    place = _PLACES[milestones.kind]
    holder, where = _holder(milestones.kind, la)
    table = place.rows
    conn.execute(
        delete(table).where(table.c.la == la, *(table.c[k] == v for k, v in place.rows_key))
    )
    conn.execute(delete(holder).where(*where))
    frame = place.frame(milestones.rows)
    stored = insert_frame(conn, table, frame.with_columns(batch_id=pl.lit(batch_id), la=pl.lit(la)))
    counts = milestones.rows.group_by("_file").len()
    for file in milestones.files:
        n = counts.filter(pl.col("_file") == file.name)["len"].sum()
        _record_file(conn, batch_id, file, milestones.kind, int(n), None)
    conn.execute(
        insert(holder).values(
            la=la, **dict(place.holder_key), batch_id=batch_id, fingerprint=new_print
        )
    )
    return stored


def _record_file(
    conn: Connection, batch_id: int, file: SourceFile, table: str, rows: int, year: int | None
) -> None:
    conn.execute(
        insert(import_file).values(
            batch_id=batch_id,
            name=file.name,
            sha256=file.sha256,
            year=year,
            table_name=table,
            rows=rows,
        )
    )


def _for_store(frame: pl.DataFrame, batch_id: int, la: str, year: int) -> pl.DataFrame:
    return (
        frame.rename({c: c.lower() for c in frame.columns if c != "_row"})
        .rename({"_row": "source_row"})
        .with_columns(batch_id=pl.lit(batch_id), la=pl.lit(la), year=pl.lit(year))
    )
