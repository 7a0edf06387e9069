"""Milestones recorded in the web app: added, corrected and withdrawn, with who and when.

A practitioner records a milestone the returns and tracker do not hold yet (a review held
this week, a panel date). Nothing is ever overwritten: a correction is a new row naming the
row it replaces, and a withdrawal (a milestone recorded in error) is a new row with no
date that replaces it. So a milestone's history is a chain of rows, and the milestone as it
now stands is the chain's last row, if that row has a date.

Every change is written to the access log inside the caller's transaction, so a change and
its log entry are stored together or not at all.

Which milestones may be recorded: those of `schema.milestones` about a child (not the
adopters' journey, Annex A list 11). `journeys.stored.load` adds the current ones to the
tracker's milestones, with the source "web app".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl
from sqlalchemy import Connection, insert, select
from sqlalchemy.engine import RowMapping

from carejourney.schema.milestones import MILESTONES, Milestone, Subject
from carejourney.store import access
from carejourney.store.tables import recorded_milestone

__all__ = [
    "SOURCE",
    "RecordError",
    "RecordedMilestone",
    "correct_milestone",
    "current_frame",
    "current_milestones",
    "history",
    "problems",
    "record_milestone",
    "recordable_milestones",
    "withdraw_milestone",
]

SOURCE = "web app"
NOTE_LIMIT = 500  # characters: a note says why, it is not a case record
FRAME_SCHEMA = {
    "CHILD": pl.String,
    "MILESTONE": pl.String,
    "DATE": pl.Date,
    "NOTE": pl.String,
    "SOURCE": pl.String,
}


class RecordError(ValueError):
    """A milestone that cannot be recorded as given. `problems` maps each form field at
    fault (milestone, date, note or recorded) to what to change, in words."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__(" ".join(problems.values()))
        self.problems = problems


@dataclass(frozen=True)
class RecordedMilestone:
    """One row of a recorded milestone's history. `date` is None in a withdrawal;
    `replaces` is the row a correction or withdrawal replaces; `replaced_by` the row that
    replaced this one, if any (so the current rows are those with neither that nor a
    missing date)."""

    id: int
    la: str
    child: str
    milestone: str
    date: dt.date | None
    note: str | None
    replaces: int | None
    recorded_at: dt.datetime
    recorded_by: str
    replaced_by: int | None = None

    @property
    def current(self) -> bool:
        return self.replaced_by is None and self.date is not None

    @property
    def change(self) -> str:
        """What this row did, in words: recorded, corrected or withdrew."""
        if self.date is None:
            return "withdrew"
        return "recorded" if self.replaces is None else "corrected"


def recordable_milestones() -> tuple[Milestone, ...]:
    """The milestones a child's record may gain in the web app, in the declared order."""
    return tuple(m for m in MILESTONES if m.subject is Subject.CHILD)


def record_milestone(
    conn: Connection,
    la: str,
    child: str,
    milestone: str,
    date: dt.date | None,
    note: str | None = None,
    *,
    who: str,
    today: dt.date | None = None,
) -> RecordedMilestone:
    """Record that `milestone` happened to `child` on `date`, inside the caller's
    transaction, with an entry in the access log."""
    _check(milestone, date, note, today)
    return _add(conn, la, child, milestone, date, note, None, who, "recorded milestone")


def correct_milestone(
    conn: Connection,
    la: str,
    child: str,
    recorded: int,
    date: dt.date | None,
    note: str | None = None,
    *,
    who: str,
    milestone: str | None = None,
    today: dt.date | None = None,
) -> RecordedMilestone:
    """Correct the recorded milestone `recorded` (a row id): a new row with the right date
    (and note, and milestone if given) replaces it."""
    old = _current_row(conn, la, child, recorded)
    name = milestone or old.milestone
    _check(name, date, note, today)
    return _add(conn, la, child, name, date, note, old.id, who, "corrected milestone")


def withdraw_milestone(
    conn: Connection,
    la: str,
    child: str,
    recorded: int,
    note: str | None = None,
    *,
    who: str,
) -> RecordedMilestone:
    """Withdraw the recorded milestone `recorded` (recorded in error): a row with no date
    replaces it, and the journeys no longer count it."""
    old = _current_row(conn, la, child, recorded)
    found = problems(old.milestone, old.date, note)
    if "note" in found:
        raise RecordError({"note": found["note"]})
    return _add(conn, la, child, old.milestone, None, note, old.id, who, "withdrew milestone")


def history(conn: Connection, la: str, child: str) -> list[RecordedMilestone]:
    """Every row recorded for the child, oldest first, each knowing what replaced it."""
    rows = conn.execute(
        select(recorded_milestone)
        .where(recorded_milestone.c.la == la, recorded_milestone.c.child == child)
        .order_by(recorded_milestone.c.id)
    ).mappings()
    found = [_row(r) for r in rows]
    replaced_by = {r.replaces: r.id for r in found if r.replaces is not None}
    return [_with_replacement(r, replaced_by.get(r.id)) for r in found]


def current_milestones(conn: Connection, la: str, child: str) -> list[RecordedMilestone]:
    """The child's recorded milestones as they now stand, by date."""
    rows = [r for r in history(conn, la, child) if r.current]
    return sorted(rows, key=lambda r: (r.date or dt.date.min, r.id))


def current_frame(conn: Connection, la: str) -> pl.DataFrame:
    """Every child's current recorded milestones in the LA, in the shape of the tracker's
    frame in `journeys.stored.load`: CHILD, MILESTONE, DATE, NOTE, SOURCE ("web app")."""
    table = recorded_milestone
    replaced = select(table.c.replaces).where(table.c.la == la, table.c.replaces.is_not(None))
    rows = conn.execute(
        select(table.c.child, table.c.milestone, table.c.date, table.c.note)
        .where(table.c.la == la, table.c.date.is_not(None), table.c.id.not_in(replaced))
        .order_by(table.c.id)
    ).all()
    return pl.DataFrame([(*r, SOURCE) for r in rows], schema=FRAME_SCHEMA, orient="row")


def problems(
    milestone: str, date: dt.date | None, note: str | None, today: dt.date | None = None
) -> dict[str, str]:
    """What is wrong with a milestone as given, by form field (empty: nothing)."""
    found = {}
    if milestone not in {m.name for m in recordable_milestones()}:
        found["milestone"] = "Choose a milestone from the list."
    latest = today or dt.date.today()
    if date is None:
        found["date"] = "Enter the date the milestone happened, as dd/mm/yyyy."
    elif date > latest:
        found["date"] = (
            f"The date {date:%d/%m/%Y} is in the future: record a milestone once it has happened."
        )
    elif date.year < 1900:
        found["date"] = f"The date {date:%d/%m/%Y} is too long ago: check the year."
    if note is not None and len(note) > NOTE_LIMIT:
        found["note"] = (
            f"The note is {len(note):,} characters long: keep it to {NOTE_LIMIT} or fewer "
            "(say why, without personal details)."
        )
    return found


def _check(milestone: str, date: dt.date | None, note: str | None, today: dt.date | None) -> None:
    found = problems(milestone, date, note, today)
    if found:
        raise RecordError(found)


def _current_row(conn: Connection, la: str, child: str, recorded: int) -> RecordedMilestone:
    """The row `recorded`, if it is one of the child's current recorded milestones."""
    for row in history(conn, la, child):
        if row.id == recorded:
            if row.current:
                return row
            raise RecordError(
                {
                    "recorded": "That milestone has already been corrected or withdrawn: "
                    "reload the page to see it as it now stands."
                }
            )
    raise RecordError({"recorded": "That recorded milestone is not part of this child's record."})


def _add(
    conn: Connection,
    la: str,
    child: str,
    milestone: str,
    date: dt.date | None,
    note: str | None,
    replaces: int | None,
    who: str,
    action: str,
) -> RecordedMilestone:
    values = {
        "la": la,
        "child": child,
        "milestone": milestone,
        "date": date,
        "note": (note or "").strip() or None,
        "replaces": replaces,
        "recorded_at": dt.datetime.now(dt.UTC),
        "recorded_by": who,
    }
    new_id = conn.execute(
        insert(recorded_milestone).values(values).returning(recorded_milestone.c.id)
    ).scalar_one()
    # The detail names the milestone, never the child's details: the child is its own column.
    access.record(conn, action, who=who, la=la, child=child, detail=milestone)
    return RecordedMilestone(id=new_id, **values)  # type: ignore[arg-type]


def _row(row: RowMapping) -> RecordedMilestone:
    return RecordedMilestone(
        id=row["id"],
        la=row["la"],
        child=row["child"],
        milestone=row["milestone"],
        date=row["date"],
        note=row["note"],
        replaces=row["replaces"],
        recorded_at=row["recorded_at"],
        recorded_by=row["recorded_by"],
    )


def _with_replacement(row: RecordedMilestone, replaced_by: int | None) -> RecordedMilestone:
    return row if replaced_by is None else dataclasses.replace(row, replaced_by=replaced_by)


def by_id(rows: Sequence[RecordedMilestone]) -> dict[int, RecordedMilestone]:
    """The rows keyed by id (to say what a correction replaced)."""
    return {r.id: r for r in rows}
