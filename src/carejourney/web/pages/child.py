"""One child's journey: who they are, their periods of care, placements, milestones, due
dates and rule statuses (what `carejourney journey` and the drift list show for one child),
and the milestones recorded here, with who recorded or corrected what, and when.

Only children in the viewer's scope: anyone else's record is refused and the refusal
logged. A team manager or practitioner asking for an ID that is not one of their children
is refused the same way whether or not the child exists, so the answer says nothing about
other teams' children. Every view is written to the access log, and so is every change,
in the change's own transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.journeys import recorded
from carejourney.journeys.stored import Journeys
from carejourney.quality.alerts import open_alerts
from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.schema.ssda903_codes import ETHNIC, LS, PLACE, REC, SEX
from carejourney.schema.types import CodeList
from carejourney.store import access
from carejourney.store.times import stored_utc
from carejourney.web.data import child_journeys, journeys_for, page_la
from carejourney.web.pages.drift import child_url, drift_for, parse_date, shown_rows
from carejourney.web.permissions import (
    Viewer,
    allow,
    engine_of,
    may_see_child,
    refuse_child,
)
from carejourney.web.roles import Role
from carejourney.web.templating import render

router = APIRouter()

VIEW_ROLES = (
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.AUDITOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
)
CHANGE_ROLES = (Role.MANAGER, Role.TEAM_MANAGER, Role.PRACTITIONER)
FIELDS = {"milestone": "Milestone", "date": "Date", "note": "Note", "recorded": "Milestone"}
DONE = {
    "recorded": "The milestone was recorded. The due dates below now count it.",
    "corrected": "The milestone was corrected. The due dates below now count the new date.",
    "withdrawn": "The milestone was withdrawn. The due dates below no longer count it.",
}


@dataclass
class FormState:
    """A change that could not be made: which form, what was typed, and what was wrong
    (field: message), so the page can show it again with the errors beside the fields."""

    kind: str  # record, correct or withdraw
    recorded: int | None = None
    values: dict[str, str] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)


def check_child(
    request: Request, viewer: Viewer, la: str, child: str, audited: bool = False
) -> None:
    """Refuse (and log the refusal) unless the child is in the viewer's scope, or, when
    `audited` (reading only), one whose case audit is assigned to the viewer."""
    engine = engine_of(request)
    with engine.connect() as conn:
        allowed = may_see_child(conn, viewer, la, child, audited=audited)
    if not allowed:
        refuse_child(engine, viewer, la, child, request)


def _known(journeys: Journeys, conn: Connection, child: str) -> bool:
    frames = (journeys.children, journeys.periods, journeys.allocations)
    if any(frame.filter(pl.col("CHILD") == child).height for frame in frames):
        return True
    return bool(recorded.history(conn, journeys.la, child))


@router.get("/children/{child}")
def child_page(
    request: Request, child: str, viewer: Annotated[Viewer, allow(*VIEW_ROLES)]
) -> Response:
    return show(request, viewer, child)


def show(
    request: Request,
    viewer: Viewer,
    child: str,
    form: FormState | None = None,
    status_code: int = 200,
) -> Response:
    la = page_la(request, viewer)
    check_child(request, viewer, la, child, audited=True)  # auditors read the cases they audit
    engine = engine_of(request)
    with engine.connect() as conn:
        journeys = child_journeys(request, conn, la, child)
        # Changes only within the role's own scope: an audit assigned grants reading.
        may_change = viewer.role in CHANGE_ROLES and may_see_child(conn, viewer, la, child)
        if not _known(journeys, conn, child):
            raise HTTPException(404)
        drift = drift_for(request, conn, la, None)
        rows = recorded.history(conn, la, child)
        alerts = open_alerts(conn, la, child)  # management alerts not yet resolved
    with engine.begin() as conn:
        access.record(conn, "viewed record", who=viewer.who, la=la, child=child)
    due = drift.rows.filter(pl.col("CHILD") == child).sort("period", "due_date", "rule")
    open_first = pl.col("status").is_in(["overdue", "reminder due", "on track"]).not_()
    context = {
        "la": la,
        "child": child,
        "who": who_they_are(journeys, child, la),
        "periods": timeline(journeys, child),
        "as_at": drift.as_at,
        "due": shown_rows(due.sort(open_first, maintain_order=True)),
        "several_sets": drift.rows["rule_set"].n_unique() > 1,
        "current": [r for r in rows if r.current],
        "history": changes(rows),
        "may_change": may_change,
        "choices": _choices(),
        "label": _label,
        "when": when,
        "form": form,
        "errors": _summary(form),
        "done": DONE.get(request.query_params.get("changed", "")),
        "action": lambda what: child_url(child, la).replace("?", f"/milestones{what}?", 1),
        "today": dt.date.today(),
        "alerts": alerts,
        "may_raise_alert": viewer.role is Role.REVIEWING_OFFICER,
    }
    title = f"Child {child}"
    return render(
        request, "child.html.j2", context, viewer=viewer, title=title, status_code=status_code
    )


def _label(milestone: str) -> str:
    found = MILESTONES_BY_NAME.get(milestone)
    return found.label if found else milestone


def _choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """The milestones a person may record, those no return holds first."""
    own: list[tuple[str, str]] = []
    from_return: list[tuple[str, str]] = []
    for m in recorded.recordable_milestones():
        (from_return if m.from_return else own).append((m.name, m.label))
    return [("Kept in the tracker", own), ("Usually from the return", from_return)]


def _summary(form: FormState | None) -> list[tuple[str, str]]:
    """The error summary: (the field's id on the page, the message naming the field)."""
    if form is None:
        return []
    prefix = form.kind if form.recorded is None else f"{form.kind}-{form.recorded}"
    return [(f"{prefix}-{f}", f"{FIELDS[f]}: {m}") for f, m in form.errors.items()]


def _coded(codes: CodeList, value: str | None) -> str:
    if value is None:
        return "not recorded"
    code = codes.lookup(value)
    return f"{code.description} ({value})" if code else value


def age_in_years(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def who_they_are(journeys: Journeys, child: str, la: str) -> dict[str, Any]:
    """The child's details: age, date of birth, sex, ethnicity, team and workers."""
    found = journeys.children.filter(pl.col("CHILD") == child)
    details = found.row(0, named=True) if found.height else {}
    allocated = journeys.allocations.filter(pl.col("CHILD") == child)
    team = allocated.row(0, named=True) if allocated.height else {}
    workers = journeys.workers.filter(pl.col("CHILD") == child).sort("SW_DECOM")
    periods = journeys.periods.filter(pl.col("CHILD") == child).sort("start")
    born = details.get("DOB")
    latest = periods.row(-1, named=True) if periods.height else None
    if latest is None:
        in_care = "No period of care in the returns held"
    elif latest["end"] is None:
        in_care = f"Looked after since {latest['start']:%d/%m/%Y}"
    else:
        in_care = f"Left care on {latest['end']:%d/%m/%Y}"
    return {
        "age": None if born is None else age_in_years(born, dt.date.today()),
        "details": [
            ("Local authority", la),
            ("Child's ID", child),
            ("Date of birth", "not recorded" if born is None else f"{born:%d/%m/%Y}"),
            ("Sex", _coded(SEX, details.get("SEX"))),
            ("Ethnicity", _coded(ETHNIC, details.get("ETHNIC"))),
            ("Care", in_care),
            ("Team", team.get("TEAM") or "not on the allocation list"),
            ("Allocated worker", team.get("WORKER") or "none named"),
            (
                "Social worker in the latest return",
                workers["SW_ID"][-1] if workers.height else "none recorded",
            ),
        ],
    }


def source_words(source: str) -> str:
    """Where a milestone's date comes from, in a few words."""
    if source.startswith("SSDA903 "):
        return "Return: " + source.removeprefix("SSDA903 ")
    if source == "tracker":
        return "Tracker"
    if source == recorded.SOURCE:
        return "Web app"
    return source


def timeline(journeys: Journeys, child: str) -> list[dict[str, Any]]:
    """Each period of care with its placements and milestones; milestones outside any
    period (dated before the first began) come last, as period None."""
    periods = journeys.periods.filter(pl.col("CHILD") == child).sort("start")
    placements = journeys.placements.filter(pl.col("CHILD") == child).sort("start")
    milestones = journeys.milestones.filter(pl.col("CHILD") == child)
    out = []
    for p in periods.iter_rows(named=True):
        moves = placements.filter(pl.col("period") == p["period"])
        out.append(
            {
                "period": p["period"],
                "start": p["start"],
                "end": p["end"],
                "exit": None if p["exit_reason"] is None else _coded(REC, p["exit_reason"]),
                "legal_status": _coded(LS, p["ls_end"]),
                "flag": p["flag"],
                "placements": [
                    {
                        "number": m["placement"],
                        "start": m["start"],
                        "end": m["end"],
                        "type": _coded(PLACE, m["place_start"]),
                    }
                    for m in moves.iter_rows(named=True)
                ],
                "milestones": _milestones(milestones.filter(pl.col("period") == p["period"])),
            }
        )
    outside = milestones.filter(pl.col("period").is_null())
    if outside.height:
        out.append({"period": None, "milestones": _milestones(outside)})
    return out


def _milestones(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            "date": m["date"],
            "label": _label(m["milestone"]),
            "detail": m["detail"] or "",
            "source": source_words(m["source"]),
        }
        for m in frame.sort("date").iter_rows(named=True)
    ]


def changes(rows: list[recorded.RecordedMilestone]) -> list[dict[str, Any]]:
    """Who recorded, corrected or withdrew what, and when: newest first."""
    before = recorded.by_id(rows)
    out = []
    for r in reversed(rows):
        what = _label(r.milestone)
        if r.change == "recorded":
            words = f"recorded {what} on {r.date:%d/%m/%Y}"
        elif r.change == "corrected":
            old = before[r.replaces] if r.replaces is not None else None
            was = (
                f" (was {_label(old.milestone)} on {old.date:%d/%m/%Y})" if old and old.date else ""
            )
            words = f"corrected {what} to {r.date:%d/%m/%Y}{was}"
        else:
            words = f"withdrew {what}"
        out.append({"at": when(r.recorded_at), "who": r.recorded_by, "what": words, "note": r.note})
    return out


def when(at: dt.datetime) -> str:
    """A time stored in UTC, in the server's own time zone (SQLite keeps no zone: UTC)."""
    return f"{stored_utc(at).astimezone():%d/%m/%Y %H:%M}"


def _change(
    request: Request,
    viewer: Viewer,
    child: str,
    form: FormState,
    make: Callable[[Connection, str], object],
    done: str,
) -> Response:
    """Make a change in one transaction with its access-log entry, then show the record
    again; a change that cannot be made stores nothing and shows the form with its errors."""
    la = page_la(request, viewer)
    check_child(request, viewer, la, child)
    if form.errors:
        return show(request, viewer, child, form, status_code=400)
    engine = engine_of(request)
    try:
        with engine.begin() as conn:
            if not _known(journeys_for(request, conn, la), conn, child):
                raise HTTPException(404)
            make(conn, la)
    except recorded.RecordError as exc:
        form.errors.update(exc.problems)
        return show(request, viewer, child, form, status_code=400)
    where = child_url(child, la, changed=done) + "#recorded"
    return RedirectResponse(where, status_code=303)


def _date(text: str) -> tuple[dt.date | None, dict[str, str]]:
    """The typed date (None when none was typed), and the problem with it if it cannot be
    read: checked here, before anything is stored, with the rest of the form."""
    if not text.strip():
        return None, {}
    found = parse_date(text)
    if found is None:
        return None, {"date": "Enter a real date as dd/mm/yyyy, for example 05/03/2026."}
    return found, {}


def _problems(milestone: str, date: str, note: str) -> tuple[dt.date | None, dict[str, str]]:
    """The date as read, and every problem with the form (not just the first)."""
    day, unreadable = _date(date)
    found = recorded.problems(milestone, day, note)
    return day, {**found, **unreadable}


@router.post("/children/{child}/milestones")
def record_milestone(
    request: Request,
    child: str,
    viewer: Annotated[Viewer, allow(*CHANGE_ROLES)],
    milestone: Annotated[str, Form()] = "",
    date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    form = FormState("record", values={"milestone": milestone, "date": date, "note": note})
    day, form.errors = _problems(milestone, date, note)

    def make(conn: Connection, la: str) -> object:
        return recorded.record_milestone(conn, la, child, milestone, day, note, who=viewer.who)

    return _change(request, viewer, child, form, make, "recorded")


@router.post("/children/{child}/milestones/correct")
def correct_milestone(
    request: Request,
    child: str,
    viewer: Annotated[Viewer, allow(*CHANGE_ROLES)],
    recorded_id: Annotated[int, Form(alias="recorded")],
    date: Annotated[str, Form()] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    form = FormState("correct", recorded_id, {"date": date, "note": note})
    day, form.errors = _date(date)

    def make(conn: Connection, la: str) -> object:
        return recorded.correct_milestone(conn, la, child, recorded_id, day, note, who=viewer.who)

    return _change(request, viewer, child, form, make, "corrected")


@router.post("/children/{child}/milestones/withdraw")
def withdraw_milestone(
    request: Request,
    child: str,
    viewer: Annotated[Viewer, allow(*CHANGE_ROLES)],
    recorded_id: Annotated[int, Form(alias="recorded")],
    note: Annotated[str, Form()] = "",
) -> Response:
    form = FormState("withdraw", recorded_id, {"note": note})

    def make(conn: Connection, la: str) -> object:
        return recorded.withdraw_milestone(conn, la, child, recorded_id, note, who=viewer.who)

    return _change(request, viewer, child, form, make, "withdrawn")
