"""Action plans: every action with its owner, due date, status and what it came from; the
quarterly QA meeting's list of overdue actions by owner (printable) and a CSV download;
adding an action (from an audit, a theme, a report or an alert) and its progress notes.

Actions name staff, not children: the list is open to every role that works with the
audits and figures (not the administrator). The QA lead and managers add actions; an
action's progress notes (and its status, due date and owner) are changed by its owner
(their user name, name, team or worker name as the action writes it), by whoever added it,
and by the QA lead. Everything is checked as `quality.actions` checks it; on any problem
nothing is stored and the form comes back with what was typed and what to change.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Annotated, Any, NoReturn

import polars as pl
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.config.audits import AuditTemplateError, load_template, spelling
from carejourney.quality.actions import (
    STILL_OPEN,
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
    qa_meeting,
    update_action,
)
from carejourney.quality.alerts import AlertError, get_alert
from carejourney.quality.audits import AuditError, get_audit
from carejourney.sources.values import read_date
from carejourney.store import access
from carejourney.store.times import uk_time as stored_uk_time
from carejourney.web.data import chosen_la, las_for, page_la
from carejourney.web.permissions import Forbidden, Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

__all__ = ["ADDERS", "VIEWERS", "may_update", "router"]

router = APIRouter()

VIEWERS = (
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.ANALYST,
    Role.AUDITOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
)
ADDERS = (Role.QA_LEAD, Role.MANAGER)
# Anyone who may own an action (not the auditor, whose role is to look, not change); the
# page checks that they own it (`may_update`).
UPDATERS = tuple(role for role in VIEWERS if role is not Role.AUDITOR)

STILL_OPEN_CHOICE = "still open"
STATUS_CHOICES = {
    STILL_OPEN_CHOICE: "Open or in progress",
    "": "All",
    **{s.value: s.value.capitalize() for s in Status},
}
ORIGIN_WORDS = {
    Origin.AUDIT: "An audit",
    Origin.THEME: "A theme found across audits",
    Origin.REPORT: "A report (an inspection, a learning review, the scrutiny board...)",
    Origin.ALERT: "A management alert",
}
LABELS = {
    "title": "What is to be done",
    "owner": "Owner",
    "due": "Due date",
    "origin": "What it comes from",
    "audit": "Audit number",
    "theme": "Theme",
    "detail": "Detail",
    "note": "Progress note",
    "status": "Status",
    "new_due": "Move the due date to",
    "new_owner": "Change the owner to",
}
BAD_DATE = "Enter a real date written dd/mm/yyyy, like 30/06/2026."
FIELDS = ("title", "owner", "due", "origin", "audit", "theme", "detail")


# --- the list ------------------------------------------------------------------------------


@router.get("/actions")
def actions_page(request: Request, viewer: Annotated[Viewer, allow(*VIEWERS)]) -> Response:
    query = _query(request)
    today = dt.date.today()
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        every = list_actions(conn, la) if la else []
    shown = _filtered(every, query, today)
    late = [a for a in every if a.days_overdue(today)]
    context = {
        "las": las,
        "la": la,
        "rows": [_row(a, today) for a in shown],
        "owners": sorted({a.owner for a in every}, key=str.lower),
        "query": query,
        "statuses": STATUS_CHOICES,
        "counts": {
            "open": sum(a.is_open for a in every),
            "overdue": len(late),
            "owners_overdue": len({a.owner for a in late}),
        },
        "csv": "/actions.csv?" + str(request.url.query) if request.url.query else "/actions.csv",
        "may_add": viewer.role in ADDERS,
        "today": today,
        "added": request.query_params.get("added"),
    }
    return render(request, "actions.html.j2", context, viewer=viewer, title="Actions")


@router.get("/actions.csv")
def actions_csv(request: Request, viewer: Annotated[Viewer, allow(*VIEWERS)]) -> Response:
    query = _query(request)
    today = dt.date.today()
    with engine_of(request).connect() as conn:
        la = chosen_la(request, conn, viewer)
        every = list_actions(conn, la) if la else []
    if la is None:
        raise HTTPException(404)
    shown = _filtered(every, query, today)
    frame = actions_frame(shown).select(
        pl.col("id").alias("action"),
        "title",
        "owner",
        "due",
        "status",
        "origin",
        pl.col("audit_id").alias("audit"),
        "theme",
        pl.Series("days_overdue", [a.days_overdue(today) for a in shown], dtype=pl.Int64),
        "detail",
    )
    with engine_of(request).begin() as conn:
        access.record(
            conn, "downloaded actions", who=viewer.who, la=la, detail=f"{len(shown)} rows"
        )
    body = frame.write_csv(date_format="%d/%m/%Y").encode("utf-8-sig")
    name = f"actions-{la}-{today:%Y-%m-%d}.csv"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/actions/meeting")
def meeting_page(request: Request, viewer: Annotated[Viewer, allow(*VIEWERS)]) -> Response:
    """The quarterly QA meeting: every action overdue on the day, grouped by owner."""
    typed = request.query_params.get("as_at", "").strip()
    as_at = _date(typed) if typed else dt.date.today()
    problem = None
    if as_at is None:
        problem, as_at = f"As at: {BAD_DATE}", dt.date.today()
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        every = list_actions(conn, la) if la else []
    meeting = qa_meeting(actions_frame(every), as_at)
    owners = [
        {
            "owner": str(key[0]),
            "count": rows.height,
            "most": int(rows["days_overdue"].max() or 0),  # type: ignore[arg-type]
            "rows": rows.to_dicts(),
        }
        for key, rows in meeting.partition_by("owner", as_dict=True, maintain_order=True).items()
    ]
    context = {
        "las": las,
        "la": la,
        "as_at": as_at,
        "typed": typed or f"{as_at:%d/%m/%Y}",
        "owners": owners,
        "total": meeting.height,
        "errors": [problem] if problem else [],
    }
    title = f"Overdue actions on {as_at:%d/%m/%Y}"
    return render(request, "actions_meeting.html.j2", context, viewer=viewer, title=title)


# --- adding an action ----------------------------------------------------------------------


@router.get("/actions/new")
def new_action_page(request: Request, viewer: Annotated[Viewer, allow(*ADDERS)]) -> Response:
    params = request.query_params
    form = dict.fromkeys(FIELDS, "")
    form["origin"] = Origin.REPORT.value
    errors: dict[str, str] = {}
    la = page_la(request, viewer)
    with engine_of(request).connect() as conn:
        if params.get("audit"):
            form.update(origin=Origin.AUDIT.value, audit=params["audit"].strip())
            errors.update(_audit_problem(conn, la, form["audit"]))
        elif params.get("theme"):
            form.update(origin=Origin.THEME.value, theme=params["theme"].strip())
        elif params.get("alert"):
            form.update(origin=Origin.ALERT.value, detail=_alert_words(conn, la, params["alert"]))
    return _form_response(request, viewer, la, form, errors)


@router.post("/actions/new")
def add_action_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*ADDERS)],
    title: Annotated[str, Form()] = "",
    owner: Annotated[str, Form()] = "",
    due: Annotated[str, Form()] = "",
    origin: Annotated[str, Form()] = "",
    audit: Annotated[str, Form()] = "",
    theme: Annotated[str, Form()] = "",
    detail: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "title": title,
        "owner": owner,
        "due": due,
        "origin": origin,
        "audit": audit,
        "theme": theme,
        "detail": detail,
    }
    la = page_la(request, viewer)
    action, errors = read_action_form(form)
    if action is not None:
        try:
            with engine_of(request).begin() as conn:
                if action.origin is Origin.AUDIT:
                    problem = _audit_problem(conn, la, form["audit"])
                    if problem:
                        raise ActionError(problem["audit"])
                stored = add_action(conn, la, action, who=viewer.who)
        except ActionError as exc:
            errors = {"": str(exc)}
        else:
            return RedirectResponse(f"/actions/{stored.id}?added=1", status_code=303)
    return _form_response(request, viewer, la, form, errors)


def read_action_form(form: Mapping[str, str]) -> tuple[ActionInput | None, dict[str, str]]:
    """The action a form describes, or the problems with it, each under its field's name."""
    errors: dict[str, str] = {}
    if not form.get("title", "").strip():
        errors["title"] = "Enter what is to be done, in a few words."
    if not form.get("owner", "").strip():
        errors["owner"] = "Enter who will make sure it is done: a person or a role."
    typed = form.get("due", "").strip()
    due = _date(typed) if typed else None
    if not typed:
        errors["due"] = "Enter the date it is due by, like 30/06/2026."
    elif due is None:
        errors["due"] = BAD_DATE
    try:
        origin = Origin(form.get("origin", "").strip())
    except ValueError:
        origin = None
        errors["origin"] = "Choose what the action comes from."
    audit_id: int | None = None
    if origin is Origin.AUDIT:
        number = form.get("audit", "").strip()
        if not number.isdigit():
            errors["audit"] = "Enter the number of the audit it comes from, like 12."
        else:
            audit_id = int(number)
    theme = form.get("theme", "").strip() or None
    if origin is Origin.THEME and theme is None:
        errors["theme"] = "Enter the theme, like drift in care planning."
    if errors or due is None or origin is None:
        return None, errors
    return (
        ActionInput(
            title=form["title"].strip(),
            owner=form["owner"].strip(),
            due=due,
            origin=origin,
            detail=form.get("detail", "").strip() or None,
            audit_id=audit_id,
            theme=theme if origin is Origin.THEME else None,
        ),
        {},
    )


# --- one action, and its progress ----------------------------------------------------------


@router.get("/actions/{action}")
def action_page(
    request: Request, action: int, viewer: Annotated[Viewer, allow(*VIEWERS)]
) -> Response:
    la = page_la(request, viewer)
    with engine_of(request).connect() as conn:
        found = _action_or_404(conn, la, action)
    notice = "The action was added." if request.query_params.get("added") else None
    if request.query_params.get("noted"):
        notice = "Your progress note was added."
    return _action_response(request, viewer, la, found, {}, {}, notice=notice)


@router.post("/actions/{action}")
def note_page(
    request: Request,
    action: int,
    viewer: Annotated[Viewer, allow(*UPDATERS)],
    note: Annotated[str, Form()] = "",
    status: Annotated[str, Form()] = "",
    new_due: Annotated[str, Form()] = "",
    new_owner: Annotated[str, Form()] = "",
) -> Response:
    form = {"note": note, "status": status, "new_due": new_due, "new_owner": new_owner}
    la = page_la(request, viewer)
    errors: dict[str, str] = {}
    if not note.strip():
        errors["note"] = "Write what has been done, or why the action changed."
    moved = _date(new_due) if new_due.strip() else None
    if new_due.strip() and moved is None:
        errors["new_due"] = BAD_DATE
    if status and status not in {s.value for s in Status}:
        errors["status"] = "Choose open, in progress, done or dropped."
    engine = engine_of(request)
    with engine.connect() as conn:
        found = _action_or_404(conn, la, action)
    if errors:  # nothing to store: say so before anything else
        return _action_response(request, viewer, la, found, form, errors)
    if not may_update(viewer, found):
        _refuse(
            request,
            viewer,
            la,
            "Only the action's owner, whoever added it and the QA lead "
            "can add progress notes to it.",
        )
    try:
        with engine.begin() as conn:
            update_action(
                conn,
                la,
                found.id,
                note,
                status=status or None,
                due=moved,
                owner=new_owner.strip() or None,
                who=viewer.who,
            )
    except ActionError as exc:
        return _action_response(request, viewer, la, found, form, {"": str(exc)})
    return RedirectResponse(f"/actions/{found.id}?noted=1#progress", status_code=303)


def may_update(viewer: Viewer, action: Action) -> bool:
    """The QA lead, whoever added the action, and its owner (named as the action writes it:
    their user name, name, team or worker name, in any case) may add progress notes."""
    if viewer.role is Role.QA_LEAD or action.created_by == viewer.who:
        return True
    account = viewer.account
    names = (account.username, account.display_name, account.team, account.worker)
    return spelling(action.owner) in {spelling(n) for n in names if n}


# --- what the pages share ------------------------------------------------------------------


def _query(request: Request) -> dict[str, Any]:
    params = request.query_params
    status = params.get("status", STILL_OPEN_CHOICE)
    return {
        "status": status if status in STATUS_CHOICES else STILL_OPEN_CHOICE,
        "owner": params.get("owner", ""),
        "overdue": bool(params.get("overdue")),
    }


def _filtered(actions: list[Action], query: Mapping[str, Any], today: dt.date) -> list[Action]:
    status = query["status"]
    if status == STILL_OPEN_CHOICE:
        actions = [a for a in actions if a.status in STILL_OPEN]
    elif status:
        actions = [a for a in actions if a.status.value == status]
    if query["owner"]:
        actions = [a for a in actions if a.owner == query["owner"]]
    if query["overdue"]:
        actions = [a for a in actions if a.days_overdue(today)]
    return actions


def origin_words(action: Action) -> str:
    if action.origin is Origin.AUDIT:
        return f"audit {action.audit_id}"
    if action.origin is Origin.THEME:
        return f"theme: {action.theme}"
    return action.origin.value


def _row(action: Action, today: dt.date) -> dict[str, Any]:
    return {
        "action": action,
        "origin": origin_words(action),
        "days_overdue": action.days_overdue(today),
    }


def uk_time(moment: dt.datetime | None) -> str:
    """A stored time (UTC; SQLite keeps no zone) as UK clocks showed it: 02/06/2026 00:30."""
    if moment is None:
        return ""
    return f"{stored_uk_time(moment):%d/%m/%Y %H:%M}"


def _date(text: str) -> dt.date | None:
    return read_date(text)


def _action_or_404(conn: Connection, la: str, number: int) -> Action:
    try:
        return get_action(conn, la, number)
    except ActionError:
        raise HTTPException(404) from None


def _audit_problem(conn: Connection, la: str, number: str) -> dict[str, str]:
    if not number.isdigit():
        return {"audit": "Enter the number of the audit it comes from, like 12."}
    try:
        get_audit(conn, int(number), la=la)
    except AuditError:
        return {"audit": f"LA {la} has no audit {number}: check its number."}
    return {}


def _alert_words(conn: Connection, la: str, number: str) -> str:
    """The detail an action from an alert starts with (the concern, never the child)."""
    try:
        found = get_alert(conn, la, int(number)) if number.strip().isdigit() else None
    except AlertError:
        found = None
    if found is None:
        return ""
    return (
        f"From management alert {found.id} ({found.concern.value}), raised by the "
        f"{found.raised_role} on {found.raised_at:%d/%m/%Y}."
    )


def _themes() -> list[str]:
    """The default template's themes, offered as suggestions."""
    try:
        return list(load_template().themes)
    except AuditTemplateError:
        return []


def _refuse(request: Request, viewer: Viewer, la: str, message: str) -> NoReturn:
    """Record the refusal (committed), then refuse."""
    with engine_of(request).begin() as conn:
        access.record(
            conn, "refused", who=viewer.who, la=la, detail=f"{request.method} {request.url.path}"
        )
    raise Forbidden(message)


def error_list(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    """The error summary: (the field's id, the message naming the field)."""
    return [
        (name, f"{LABELS[name]}: {message}" if name in LABELS else message)
        for name, message in errors.items()
    ]


def _form_response(
    request: Request,
    viewer: Viewer,
    la: str,
    form: Mapping[str, str],
    errors: Mapping[str, str],
) -> Response:
    return render(
        request,
        "actions_form.html.j2",
        {
            "la": la,
            "form": form,
            "errors": dict(errors),
            "error_list": error_list(errors),
            "labels": LABELS,
            "origins": ORIGIN_WORDS,
            "themes": _themes(),
        },
        viewer=viewer,
        title=("Error: " if errors else "") + "Add an action",
        status_code=400 if errors else 200,
    )


def _action_response(
    request: Request,
    viewer: Viewer,
    la: str,
    action: Action,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    notice: str | None = None,
) -> Response:
    with engine_of(request).connect() as conn:
        notes = action_notes(conn, action)
    today = dt.date.today()
    return render(
        request,
        "actions_action.html.j2",
        {
            "la": la,
            "action": action,
            "origin": origin_words(action),
            "days_overdue": action.days_overdue(today),
            "notes": notes,
            "may_update": viewer.role in UPDATERS and may_update(viewer, action),
            "statuses": [s.value for s in Status],
            "form": {**dict.fromkeys(("note", "status", "new_due", "new_owner"), ""), **form},
            "errors": dict(errors),
            "error_list": error_list(errors),
            "labels": LABELS,
            "notice": notice,
            "when": uk_time,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + f"Action {action.id}",
        status_code=400 if errors else 200,
    )
