"""Store checked returns as one import batch: all or nothing, with provenance."""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
from dataclasses import dataclass, field

import polars as pl
from sqlalchemy import Connection, delete, insert, select

from carejourney.sources.problems import Problem, Severity
from carejourney.sources.returns import Return
from carejourney.store.bulk import insert_frame
from carejourney.store.tables import (
    RETURN_TABLES,
    import_batch,
    import_file,
    import_problem,
    la_year,
)


@dataclass
class Saved:
    batch_id: int | None
    stored_years: list[int] = field(default_factory=list)
    replaced_years: list[int] = field(default_factory=list)
    unchanged_years: list[int] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)


def fingerprint(ret: Return, tool_version: str) -> str:
    """The same files for the same year, read by the same version of carejourney, give
    the same fingerprint whatever the files are called. A new version may read files
    differently, so importing them again with it replaces the year."""
    digest = hashlib.sha256(f"{ret.year};{tool_version};".encode())
    for table in sorted(ret.files):
        digest.update(f"{table}:{ret.files[table].sha256};".encode())
    return digest.hexdigest()


def save(
    conn: Connection, la: str, returns: list[Return], problems: list[Problem], tool_version: str
) -> Saved:
    """Store `returns` for `la` in the caller's transaction.

    A year already stored from identical files is left alone; a year stored from other
    files is replaced whole. Returns with errors must never reach here."""
    assert not any(p.severity is Severity.ERROR for p in problems)
    current = {
        row.year: row for row in conn.execute(select(la_year).where(la_year.c.la == la)).all()
    }
    changed = [
        r
        for r in returns
        if current.get(r.year) is None
        or current[r.year].fingerprint != fingerprint(r, tool_version)
    ]
    unchanged = [r for r in returns if r.year not in {c.year for c in changed}]
    saved = Saved(None, unchanged_years=[r.year for r in unchanged])
    if not changed:
        return saved
    batch_id: int = conn.execute(
        insert(import_batch).values(
            la=la,
            years=",".join(str(r.year) for r in changed),
            imported_at=dt.datetime.now(dt.UTC),
            imported_by=_user(),
            tool_version=tool_version,
            rows=0,
        )
    ).inserted_primary_key[0]  # type: ignore[index]
    saved.batch_id = batch_id
    total = 0
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
            total += n
            conn.execute(
                insert(import_file).values(
                    batch_id=batch_id,
                    name=ret.files[name].name,
                    sha256=ret.files[name].sha256,
                    year=ret.year,
                    table_name=name,
                    rows=n,
                )
            )
        conn.execute(
            insert(la_year).values(
                la=la, year=ret.year, batch_id=batch_id, fingerprint=fingerprint(ret, tool_version)
            )
        )
    # Warnings about a year left unchanged were stored with the batch that holds it.
    unchanged_files = {f.name for r in unchanged for f in r.files.values()}
    warnings = [p for p in problems if p.file not in unchanged_files]
    if warnings:
        conn.execute(
            insert(import_problem),
            [{"batch_id": batch_id, **p.as_dict()} for p in warnings],
        )
    conn.execute(import_batch.update().where(import_batch.c.id == batch_id).values(rows=total))
    return saved


def _for_store(frame: pl.DataFrame, batch_id: int, la: str, year: int) -> pl.DataFrame:
    return (
        frame.rename({c: c.lower() for c in frame.columns if c != "_row"})
        .rename({"_row": "source_row"})
        .with_columns(batch_id=pl.lit(batch_id), la=pl.lit(la), year=pl.lit(year))
    )


def _user() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"
