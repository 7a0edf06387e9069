"""Store checked returns and trackers as one import batch: all or nothing, with provenance."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import ColumnElement, Connection, Table, delete, insert, select

from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Severity
from carejourney.sources.returns import ALLOCATION_KIND, TRACKER_KIND, MilestoneList, ReadResult
from carejourney.store.access import current_user
from carejourney.store.bulk import insert_frame
from carejourney.store.tables import (
    RETURN_TABLES,
    allocation,
    annex_a_milestone,
    import_batch,
    import_file,
    import_problem,
    la_allocation,
    la_annex_a,
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
    # Per kind of milestone list given (Tracker, Annex A list 10/11): stored, replaced or
    # unchanged.
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


def _holder(kind: str, la: str) -> tuple[Table, list[ColumnElement[bool]]]:
    """The table saying which batch holds this kind of milestones for the LA."""
    if kind == TRACKER_KIND:
        return la_tracker, [la_tracker.c.la == la]
    if kind == ALLOCATION_KIND:
        return la_allocation, [la_allocation.c.la == la]
    return la_annex_a, [la_annex_a.c.la == la, la_annex_a.c.list == _annex_list(kind)]


def _annex_list(kind: str) -> int:
    return int(kind.rsplit(" ", 1)[-1])  # "Annex A list 10" -> 10


def _replace(
    conn: Connection, la: str, batch_id: int, milestones: MilestoneList, new_print: str
) -> int:
    """Replace the LA's stored milestones of this kind with these."""
    holder, where = _holder(milestones.kind, la)
    rows = milestones.rows
    provenance = {"source_file": "_file", "source_row": "_row"}
    held: dict[str, object]
    if milestones.kind == ALLOCATION_KIND:
        table, held = allocation, {"la": la}
        conn.execute(delete(table).where(table.c.la == la))
        frame = rows.select(child="CHILD", team="TEAM", worker="WORKER", **provenance)
    elif milestones.kind == TRACKER_KIND:
        table, held = tracker_milestone, {"la": la}
        conn.execute(delete(table).where(table.c.la == la))
        frame = rows.select(
            child="CHILD", milestone="MILESTONE", date="DATE", note="NOTE", **provenance
        )
    else:
        listed = _annex_list(milestones.kind)
        table, held = annex_a_milestone, {"la": la, "list": listed}
        conn.execute(delete(table).where(table.c.la == la, table.c.list == listed))
        subject = "CHILD" if "CHILD" in rows.columns else "ADOPTER"
        frame = rows.select(
            subject=subject, milestone="MILESTONE", date="DATE", note="NOTE", **provenance
        ).with_columns(list=pl.lit(listed))
    conn.execute(delete(holder).where(*where))
    stored = insert_frame(conn, table, frame.with_columns(batch_id=pl.lit(batch_id), la=pl.lit(la)))
    counts = rows.group_by("_file").len()
    for file in milestones.files:
        n = counts.filter(pl.col("_file") == file.name)["len"].sum()
        _record_file(conn, batch_id, file, milestones.kind, int(n), None)
    conn.execute(insert(holder).values(**held, batch_id=batch_id, fingerprint=new_print))
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
