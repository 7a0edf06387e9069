"""Action plans: overdue on the due-date boundaries, the QA meeting's list by owner, and
actions stored with their progress notes (SQLite, and PostgreSQL when a server answers)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine

from carejourney.quality.actions import (
    Action,
    ActionError,
    ActionInput,
    Origin,
    Status,
    action_notes,
    actions_frame,
    add_action,
    get_action,
    list_actions,
    overdue,
    qa_meeting,
    update_action,
)
from carejourney.quality.audits import AuditInput, record_audit

LA = "931"
MEETING = dt.date(2026, 7, 1)  # the QA meeting for April to June


def actions(table: str) -> pl.DataFrame:
    """id | owner | due (dd/mm/yyyy) | status, one action a line."""
    rows = [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()]
    return pl.DataFrame(
        {
            "id": [int(r[0]) for r in rows],
            "owner": [r[1] for r in rows],
            "due": [dt.datetime.strptime(r[2], "%d/%m/%Y").date() for r in rows],
            "status": [r[3] for r in rows],
        }
    )


PLAN = actions(
    """
    1 | Head of Service | 30/06/2026 | open
    2 | Head of Service | 01/07/2026 | open
    3 | Head of Service | 02/07/2026 | in progress
    4 | Principal SW    | 01/05/2026 | in progress
    5 | Principal SW    | 01/01/2026 | done
    6 | Principal SW    | 01/01/2026 | dropped
    7 | Team Manager    | 31/03/2026 | open
    8 | Principal SW    | 29/06/2026 | open
    """
)


def test_overdue_is_due_before_the_day_and_still_open() -> None:
    # On 01/07/2026: 1 was due yesterday (1 day overdue); 2 is due today (not overdue: it
    # has until the end of the day); 3 is due tomorrow; 4 was due 01/05 (31 days of May,
    # 30 of June: 61 days); 5 and 6 are closed, however late; 7 was due 31/03 (30 days of
    # April, 31 of May, 30 of June, 1 of July: 92 days); 8 was due 29/06 (2 days).
    late = overdue(PLAN, MEETING)
    assert late.select("id", "owner", "days_overdue").rows() == [
        (1, "Head of Service", 1),
        (4, "Principal SW", 61),
        (8, "Principal SW", 2),
        (7, "Team Manager", 92),
    ]


def test_nothing_is_overdue_the_day_it_is_due() -> None:
    assert overdue(PLAN, dt.date(2026, 3, 31)).select("id").to_series().to_list() == []
    assert overdue(PLAN, dt.date(2026, 4, 1))["id"].to_list() == [7]


def test_the_qa_meeting_lists_overdue_actions_grouped_by_owner() -> None:
    listed = qa_meeting(PLAN, MEETING)
    # Principal SW has two overdue (61 and 2 days); then Team Manager (92 days) before Head
    # of Service (1 day): one each, the longest overdue first.
    assert listed.select("owner", "owner_overdue", "id", "days_overdue").rows() == [
        ("Principal SW", 2, 4, 61),
        ("Principal SW", 2, 8, 2),
        ("Team Manager", 1, 7, 92),
        ("Head of Service", 1, 1, 1),
    ]


def test_days_overdue_of_one_action() -> None:
    action = Action(title="t", owner="o", due=dt.date(2026, 6, 30))
    assert [action.days_overdue(d) for d in (dt.date(2026, 6, 30), MEETING)] == [0, 1]
    done = Action(title="t", owner="o", due=dt.date(2026, 6, 30), status=Status.DONE)
    assert done.days_overdue(MEETING) == 0


def test_actions_are_stored_with_notes_and_closed_when_done(engine: Engine) -> None:
    with engine.begin() as conn:
        added = add_action(
            conn,
            LA,
            ActionInput(
                title="  Reflective supervision training for team managers ",
                owner="Principal SW",
                due=dt.date(2026, 9, 30),
                origin=Origin.THEME,
                theme="supervision not reflective",
                detail=" ",
            ),
            who="qa.lead",
        )
    assert (added.title, added.status, added.detail, added.created_by, added.closed_at) == (
        "Reflective supervision training for team managers",
        Status.OPEN,
        None,
        "qa.lead",
        None,
    )
    with engine.begin() as conn:
        update_action(conn, LA, added.id, "Booked for August", status="in progress", who="psw")
        moved = update_action(
            conn, LA, added.id, "Trainer ill: moved", due=dt.date(2026, 10, 31), who="psw"
        )
        assert (moved.status, moved.due) == (Status.IN_PROGRESS, dt.date(2026, 10, 31))
        done = update_action(conn, LA, added.id, "All 12 managers trained", status=Status.DONE)
        assert done.closed_at is not None and not done.is_open
        reopened = update_action(conn, LA, added.id, "Two new managers", status="open")
        assert (reopened.status, reopened.closed_at) == (Status.OPEN, None)
        notes = action_notes(conn, reopened)
    assert [(n.note, n.status) for n in notes] == [
        ("Booked for August", Status.IN_PROGRESS),
        ("Trainer ill: moved", None),
        ("All 12 managers trained", Status.DONE),
        ("Two new managers", Status.OPEN),
    ]
    assert notes[0].by == "psw"


def test_actions_are_listed_and_found(engine: Engine) -> None:
    with engine.begin() as conn:
        child_audit = record_audit(
            conn,
            LA,
            AuditInput(child="1", auditor="Jo", audit_date=dt.date(2026, 6, 3), overall="Good"),
        )
        first = add_action(
            conn,
            LA,
            ActionInput(
                title="Update the chronology",
                owner="Team Manager",
                due=dt.date(2026, 7, 31),
                origin=Origin.AUDIT,
                audit_id=child_audit.id,
            ),
        )
        second = add_action(
            conn,
            LA,
            ActionInput(title="Report to scrutiny board", owner="Head", due=dt.date(2026, 6, 1)),
        )
        update_action(conn, LA, second.id, "Presented", status=Status.DONE)
        assert [a.id for a in list_actions(conn, LA)] == [second.id, first.id]  # by due date
        assert [a.id for a in list_actions(conn, LA, status=["open"])] == [first.id]
        assert [a.id for a in list_actions(conn, LA, owner="Head")] == [second.id]
        assert [a.id for a in list_actions(conn, LA, audit_id=child_audit.id)] == [first.id]
        assert list_actions(conn, "other") == []
        frame = actions_frame(list_actions(conn, LA))
        with pytest.raises(ActionError, match="LA other has no action"):
            get_action(conn, "other", first.id)
    assert frame.select("id", "owner", "status", "origin", "audit_id").rows() == [
        (second.id, "Head", "done", "report", None),
        (first.id, "Team Manager", "open", "audit", child_audit.id),
    ]
    assert overdue(frame, dt.date(2026, 8, 1))["id"].to_list() == [first.id]


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (ActionInput(title=" ", owner="Jo", due=MEETING), "needs a title"),
        (ActionInput(title="x" * 301, owner="Jo", due=MEETING), "301 characters"),
        (ActionInput(title="Train", owner=" ", due=MEETING), "needs an owner"),
        (
            ActionInput(title="Train", owner="Jo", due=MEETING, origin=Origin.AUDIT),
            "needs the audit it came from",
        ),
        (
            ActionInput(title="Train", owner="Jo", due=MEETING, origin=Origin.AUDIT, audit_id=99),
            "LA 931 has no audit 99",
        ),
        (
            ActionInput(title="Train", owner="Jo", due=MEETING, origin=Origin.THEME),
            "needs the theme",
        ),
    ],
)
def test_an_action_that_cannot_be_stored_says_why(
    engine: Engine, action: ActionInput, message: str
) -> None:
    with engine.begin() as conn, pytest.raises(ActionError, match=message):
        add_action(conn, LA, action)


def test_a_progress_note_cannot_be_blank(engine: Engine) -> None:
    with engine.begin() as conn:
        added = add_action(conn, LA, ActionInput(title="Train", owner="Jo", due=MEETING))
        with pytest.raises(ActionError, match="Write a progress note"):
            update_action(conn, LA, added.id, "  ", status="done")
        with pytest.raises(ActionError, match="needs an owner"):
            update_action(conn, LA, added.id, "Handed over", owner=" ")
