"""Action plans: what is to be done about an audit, a theme, a report or an alert, by whom
and by when, and how it is going.

An action has an owner (a person or a role, as the LA writes it), a due date and a status:
open, in progress, done or dropped. Progress is a series of dated notes, each by someone,
optionally changing the status; an action is closed (`closed_at`) when it is done or
dropped, and opened again if a note sets it back to open or in progress.

*Overdue* (`overdue`): due before the day in question and still open or in progress. An
action due today is not overdue: it has until the end of its due day. Days overdue are
calendar days after the due date (due 30 June, 3 July: 3 days).

The quarterly QA meeting (Coventry: action plans "monitored through quarterly quality
assurance meetings") goes through every overdue action with its owner: `qa_meeting` lists
them grouped by owner.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum

import polars as pl
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import RowMapping

from carejourney.store.access import current_user
from carejourney.store.tables import audit, qa_action, qa_action_note
from carejourney.store.times import stored_utc

TITLE_LIMIT = 300  # characters: a title names the action; the detail says more


class Status(StrEnum):
    """Where an action stands."""

    OPEN = "open"
    IN_PROGRESS = "in progress"
    DONE = "done"
    DROPPED = "dropped"  # no longer to be done (say why in the note)


class Origin(StrEnum):
    """What an action came from."""

    AUDIT = "audit"  # one audit's findings
    THEME = "theme"  # a theme found across audits
    REPORT = "report"  # an audit report, an inspection, a learning review...
    ALERT = "alert"  # a management alert from an IRO or CP chair


STILL_OPEN = (Status.OPEN, Status.IN_PROGRESS)
CLOSED = (Status.DONE, Status.DROPPED)

FRAME_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "title": pl.String(),
    "owner": pl.String(),
    "due": pl.Date(),
    "status": pl.String(),
    "origin": pl.String(),
    "theme": pl.String(),
    "audit_id": pl.Int64(),
    "detail": pl.String(),
    "closed_at": pl.Datetime("us", "UTC"),
}


class ActionError(ValueError):
    """An action that cannot be stored or found, with a message saying what to change."""


@dataclass(frozen=True)
class ActionInput:
    """An action as a person writes it. An action from an audit names the audit
    (`audit_id`); one from a theme names the theme."""

    title: str
    owner: str
    due: dt.date
    origin: Origin = Origin.REPORT
    detail: str | None = None
    audit_id: int | None = None
    theme: str | None = None


@dataclass(frozen=True)
class Action(ActionInput):
    """A stored action, with its status and who added it."""

    id: int = 0
    la: str = ""
    status: Status = Status.OPEN
    created_at: dt.datetime | None = None
    created_by: str | None = None
    closed_at: dt.datetime | None = None

    @property
    def is_open(self) -> bool:
        return self.status in STILL_OPEN

    def days_overdue(self, as_at: dt.date) -> int:
        """Calendar days past its due date on `as_at` (0 if not overdue)."""
        return max((as_at - self.due).days, 0) if self.is_open else 0


@dataclass(frozen=True)
class ActionNote:
    """A progress note on an action, with the status it set, if any."""

    id: int
    action_id: int
    at: dt.datetime
    by: str
    note: str
    status: Status | None


def add_action(conn: Connection, la: str, action: ActionInput, *, who: str | None = None) -> Action:
    """Store `action` for LA `la`, open, inside the caller's transaction."""
    checked = check_action(conn, la, action)
    values = {
        "la": la,
        **{f.name: getattr(checked, f.name) for f in fields(ActionInput)},
        "origin": checked.origin.value,
        "status": Status.OPEN.value,
        "created_at": dt.datetime.now(dt.UTC),
        "created_by": who or current_user(),
    }
    new_id = conn.execute(insert(qa_action).values(values).returning(qa_action.c.id)).scalar_one()
    return get_action(conn, la, new_id)


def check_action(conn: Connection, la: str, action: ActionInput) -> ActionInput:
    """`action` tidied (spaces trimmed, blanks as None), or an `ActionError`."""
    title, owner = action.title.strip(), action.owner.strip()
    if not title:
        raise ActionError("The action needs a title: what is to be done.")
    if len(title) > TITLE_LIMIT:
        raise ActionError(
            f"The title is {len(title)} characters: keep it to {TITLE_LIMIT} and put the rest "
            "in the detail."
        )
    if not owner:
        raise ActionError("The action needs an owner: who will make sure it is done.")
    origin = Origin(action.origin)
    theme = (action.theme or "").strip() or None
    if origin is Origin.AUDIT:
        if action.audit_id is None:
            raise ActionError("An action from an audit needs the audit it came from.")
        found = conn.execute(
            select(audit.c.id).where(audit.c.id == action.audit_id, audit.c.la == la)
        ).first()
        if found is None:
            raise ActionError(f"LA {la} has no audit {action.audit_id}: check its number.")
    if origin is Origin.THEME and theme is None:
        raise ActionError("An action from a theme needs the theme (e.g. drift in care planning).")
    return ActionInput(
        title=title,
        owner=owner,
        due=action.due,
        origin=origin,
        detail=(action.detail or "").strip() or None,
        audit_id=action.audit_id if origin is Origin.AUDIT else None,
        theme=theme,
    )


def update_action(
    conn: Connection,
    la: str,
    action_id: int,
    note: str,
    *,
    status: Status | str | None = None,
    due: dt.date | None = None,
    owner: str | None = None,
    who: str | None = None,
) -> Action:
    """Add a progress note to the action, inside the caller's transaction, optionally
    setting its status (and moving its due date or owner, which the note should explain).
    Done or dropped closes it (`closed_at` now); open or in progress opens it again."""
    current = get_action(conn, la, action_id)
    text = note.strip()
    if not text:
        raise ActionError("Write a progress note: what has been done, or why it changed.")
    new_status = None if status is None else Status(status)
    now, user = dt.datetime.now(dt.UTC), who or current_user()
    changes: dict[str, object] = {}
    if new_status is not None and new_status is not current.status:
        changes["status"] = new_status.value
        changes["closed_at"] = now if new_status in CLOSED else None
    if due is not None:
        changes["due"] = due
    if owner is not None:
        if not owner.strip():
            raise ActionError("The action needs an owner: who will make sure it is done.")
        changes["owner"] = owner.strip()
    if changes:
        conn.execute(update(qa_action).where(qa_action.c.id == current.id).values(changes))
    conn.execute(
        insert(qa_action_note).values(
            action_id=current.id,
            at=now,
            by=user,
            note=text,
            status=None if new_status is None else new_status.value,
        )
    )
    return get_action(conn, la, action_id)


def get_action(conn: Connection, la: str, action_id: int) -> Action:
    """Action `action_id` of LA `la`."""
    row = (
        conn.execute(select(qa_action).where(qa_action.c.id == action_id, qa_action.c.la == la))
        .mappings()
        .first()
    )
    if row is None:
        raise ActionError(f"LA {la} has no action {action_id}: check its number.")
    return _action(row)


def list_actions(
    conn: Connection,
    la: str,
    *,
    status: Sequence[Status | str] = (),
    owner: str | None = None,
    audit_id: int | None = None,
) -> list[Action]:
    """LA `la`'s actions (only those with one of `status`, of `owner`, from `audit_id`
    when given), by due date, then as added."""
    query = select(qa_action).where(qa_action.c.la == la)
    if status:
        query = query.where(qa_action.c.status.in_([Status(s).value for s in status]))
    if owner is not None:
        query = query.where(qa_action.c.owner == owner.strip())
    if audit_id is not None:
        query = query.where(qa_action.c.audit_id == audit_id)
    query = query.order_by(qa_action.c.due, qa_action.c.id)
    return [_action(row) for row in conn.execute(query).mappings()]


def action_notes(conn: Connection, action: Action) -> list[ActionNote]:
    """The action's progress notes, oldest first."""
    table = qa_action_note
    rows = conn.execute(
        select(table).where(table.c.action_id == action.id).order_by(table.c.at, table.c.id)
    ).mappings()
    return [
        ActionNote(
            id=r["id"],
            action_id=r["action_id"],
            at=r["at"],
            by=r["by"],
            note=r["note"],
            status=None if r["status"] is None else Status(r["status"]),
        )
        for r in rows
    ]


def actions_frame(actions: Sequence[Action]) -> pl.DataFrame:
    """The actions as a table with the columns of `FRAME_SCHEMA`."""
    rows = [
        (
            a.id,
            a.title,
            a.owner,
            a.due,
            a.status.value,
            a.origin.value,
            a.theme,
            a.audit_id,
            a.detail,
            stored_utc(a.closed_at),
        )
        for a in actions
    ]
    return pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row")


def overdue(actions: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The actions (a frame with at least id, owner, due and status) overdue on `as_at`:
    due before it and still open or in progress (due on `as_at` itself is not overdue),
    with `days_overdue` (calendar days after the due date). Sorted by owner, most overdue
    first, then id."""
    day = pl.lit(as_at, pl.Date)
    return (
        actions.filter(
            pl.col("status").is_in([s.value for s in STILL_OPEN]) & (pl.col("due") < day)
        )
        .with_columns(days_overdue=(day - pl.col("due")).dt.total_days().cast(pl.Int64))
        .sort(["owner", "days_overdue", "id"], descending=[False, True, False])
    )


def qa_meeting(actions: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The quarterly QA meeting's list: every action overdue on `as_at` (`overdue`), grouped
    by owner, with each owner's number of overdue actions (`owner_overdue`) and most days
    overdue (`owner_most_days`). Owners with the most overdue actions first (then by the
    longest overdue, then by name); within an owner, most overdue first."""
    late = overdue(actions, as_at)
    per_owner = pl.len().over("owner").cast(pl.Int64)
    return late.with_columns(
        owner_overdue=per_owner, owner_most_days=pl.col("days_overdue").max().over("owner")
    ).sort(
        ["owner_overdue", "owner_most_days", "owner", "days_overdue", "id"],
        descending=[True, True, False, True, False],
    )


def _action(row: RowMapping) -> Action:
    return Action(
        id=row["id"],
        la=row["la"],
        title=row["title"],
        detail=row["detail"],
        origin=Origin(row["origin"]),
        audit_id=row["audit_id"],
        theme=row["theme"],
        owner=row["owner"],
        due=row["due"],
        status=Status(row["status"]),
        created_at=stored_utc(row["created_at"]),
        created_by=row["created_by"],
        closed_at=stored_utc(row["closed_at"]),
    )
