"""Management alerts: an IRO or CP chair raises a concern about a child's plan, the manager
responds, and the alert is resolved; with how long alerts take to be answered and resolved.

Alerts name a child, so only roles that see children by ID open these pages, and each sees
only the alerts about children their role lets them see (`may_see_child`); every view is
written to the access log (the list: one line per child shown). Reviewing officers raise
alerts; the manager, or the team manager of the child's team, responds; the person who
raised it, or a manager, resolves it. Times are `quality.alerts.alert_times`' (UK calendar
dates; working days with the bank holidays of the app's rule set's nation).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, NoReturn

import polars as pl
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.quality.alerts import (
    ROLES,
    Alert,
    AlertError,
    Concern,
    alert_times,
    alerts_frame,
    get_alert,
    list_alerts,
    raise_alert,
    resolve,
    respond,
)
from carejourney.schema.types import Nation
from carejourney.store import access
from carejourney.web.data import chosen_la, journeys_for, las_for, page_la
from carejourney.web.pages.actions import ADDERS, uk_time
from carejourney.web.pages.drift import rule_sets_of
from carejourney.web.permissions import (
    Forbidden,
    Viewer,
    allow,
    engine_of,
    may_see_child,
    refuse_child,
    visible_children,
)
from carejourney.web.roles import Role
from carejourney.web.templating import render

__all__ = ["VIEWERS", "router", "times_summary"]

router = APIRouter()

# The roles that see children by ID (each only the children their role lets them see).
VIEWERS = (
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.AUDITOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
)
RAISERS = (Role.REVIEWING_OFFICER,)
RESPONDERS = (Role.MANAGER, Role.TEAM_MANAGER)  # the team manager: of the child's team
RESOLVERS = (Role.REVIEWING_OFFICER, Role.MANAGER, Role.TEAM_MANAGER)  # the raiser, a manager
OTHER_ROLE = "other"
CONCERNS = {c.value: c.value.capitalize() for c in Concern}
LABELS = {
    "child": "Child's ID",
    "concern": "The concern",
    "detail": "What the concern is",
    "role": "You raise it as",
    "other_role": "Your role",
    "manager": "Manager to respond",
    "response": "Response",
    "resolution": "How it was resolved",
}


# --- the list ------------------------------------------------------------------------------


@router.get("/alerts")
def alerts_page(request: Request, viewer: Annotated[Viewer, allow(*VIEWERS)]) -> Response:
    today = dt.date.today()
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        alerts = _visible(conn, viewer, la, list_alerts(conn, la)) if la else []
    if la is not None and alerts:
        with engine_of(request).begin() as conn:
            access.record_children(
                conn, "viewed management alerts", [a.child for a in alerts], la=la, who=viewer.who
            )
    times = alert_times(alerts_frame(alerts), today, _nation(request))
    by_id = {row["id"]: row for row in times.iter_rows(named=True)}
    rows = [{"alert": a, **by_id.get(a.id, {})} for a in reversed(alerts)]  # newest first
    context = {
        "las": las,
        "la": la,
        "open": [r for r in rows if r["alert"].is_open],
        "closed": [r for r in rows if not r["alert"].is_open],
        "summary": times_summary(times),
        "may_raise": viewer.role in RAISERS,
        "today": today,
        "scope": _scope_words(viewer),
    }
    return render(request, "alerts.html.j2", context, viewer=viewer, title="Management alerts")


def times_summary(times: pl.DataFrame) -> dict[str, Any]:
    """The figures at the top of the page, from `alert_times`: open, awaiting a response,
    and the median days (and working days) to respond and to resolve."""

    def median(column: str) -> float | None:
        value = times.get_column(column).drop_nulls().median()
        return float(value) if isinstance(value, int | float) else None

    still_open = times.filter(pl.col("resolved").is_null())
    return {
        "alerts": times.height,
        "open": still_open.height,
        "awaiting": int(still_open.get_column("responded").is_null().sum()),
        "answered": int(times.get_column("responded").is_not_null().sum()),
        "resolved": int(times.get_column("resolved").is_not_null().sum()),
        **{
            column: median(column)
            for column in (
                "days_to_response",
                "working_days_to_response",
                "days_to_resolution",
                "working_days_to_resolution",
            )
        },
    }


# --- raising an alert ----------------------------------------------------------------------


@router.get("/alerts/new")
def new_alert_page(request: Request, viewer: Annotated[Viewer, allow(*RAISERS)]) -> Response:
    child = request.query_params.get("child", "").strip()
    la = page_la(request, viewer)
    if child:
        _check_child(request, viewer, la, child)
    form = {"child": child, "concern": "", "detail": "", "role": ROLES[0], "other_role": ""}
    form["manager"] = ""
    return _new_response(request, viewer, la, form, {})


@router.post("/alerts/new")
def raise_alert_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*RAISERS)],
    child: Annotated[str, Form()] = "",
    concern: Annotated[str, Form()] = "",
    detail: Annotated[str, Form()] = "",
    role: Annotated[str, Form()] = "",
    other_role: Annotated[str, Form()] = "",
    manager: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "child": child.strip(),
        "concern": concern,
        "detail": detail,
        "role": role,
        "other_role": other_role,
        "manager": manager,
    }
    la = page_la(request, viewer)
    errors = read_alert_form(form)
    engine = engine_of(request)
    if not errors:
        _check_child(request, viewer, la, form["child"])
        with engine.connect() as conn:
            if not _known(request, conn, la, form["child"]):
                errors["child"] = f"LA {la}'s data has no child with this ID: check it."
    if errors:
        return _new_response(request, viewer, la, form, errors)
    as_role = other_role.strip() if role == OTHER_ROLE else role
    try:
        with engine.begin() as conn:
            stored = raise_alert(
                conn,
                la,
                form["child"],
                concern,
                role=as_role,
                detail=detail,
                manager=manager,
                who=viewer.who,
            )
    except AlertError as exc:
        return _new_response(request, viewer, la, form, {"": str(exc)})
    return RedirectResponse(f"/alerts/{stored.id}?raised=1", status_code=303)


def read_alert_form(form: Mapping[str, str]) -> dict[str, str]:
    """The problems with an alert as typed, each under its field's name."""
    errors: dict[str, str] = {}
    if not form.get("child", "").strip():
        errors["child"] = "Enter the ID of the child the alert is about."
    concern = form.get("concern", "")
    if concern not in CONCERNS:
        errors["concern"] = "Choose what the concern is about."
    elif concern == Concern.OTHER.value and not form.get("detail", "").strip():
        errors["detail"] = 'Describe the concern: "other" needs a few words saying what it is.'
    role = form.get("role", "")
    if role not in (*ROLES, OTHER_ROLE):
        errors["role"] = f"Choose {' or '.join(ROLES)}, or another role."
    elif role == OTHER_ROLE and not form.get("other_role", "").strip():
        errors["other_role"] = "Enter the role you raise it in."
    return errors


# --- one alert: responding and resolving ---------------------------------------------------


@router.get("/alerts/{alert}")
def alert_page(
    request: Request, alert: int, viewer: Annotated[Viewer, allow(*VIEWERS)]
) -> Response:
    la = page_la(request, viewer)
    found = _alert_or_404(request, la, alert)
    _check_child(request, viewer, la, found.child)
    with engine_of(request).begin() as conn:
        access.record(
            conn, "viewed management alert", who=viewer.who, la=la, child=found.child,
            detail=str(found.id),
        )  # fmt: skip
    notice = next((words for key, words in NOTICES.items() if request.query_params.get(key)), None)
    return _alert_response(request, viewer, la, found, {}, {}, notice=notice)


NOTICES = {
    "raised": "The alert was raised. The manager named can now respond to it.",
    "responded": "Your response was recorded.",
    "resolved": "The alert was resolved.",
}


@router.post("/alerts/{alert}/respond")
def respond_page(
    request: Request,
    alert: int,
    viewer: Annotated[Viewer, allow(*RESPONDERS)],
    response: Annotated[str, Form()] = "",
) -> Response:
    la = page_la(request, viewer)
    found = _alert_or_404(request, la, alert)
    form = {"response": response, "resolution": ""}
    if not response.strip():  # nothing to store: say so before anything else
        errors = {"response": "Write what will be done about the concern."}
        return _alert_response(request, viewer, la, found, form, errors)
    _check_child(request, viewer, la, found.child)
    try:
        with engine_of(request).begin() as conn:
            respond(conn, la, found.id, response, who=viewer.who)
    except AlertError as exc:
        return _alert_response(request, viewer, la, found, form, {"": str(exc)})
    return RedirectResponse(f"/alerts/{found.id}?responded=1", status_code=303)


@router.post("/alerts/{alert}/resolve")
def resolve_page(
    request: Request,
    alert: int,
    viewer: Annotated[Viewer, allow(*RESOLVERS)],
    resolution: Annotated[str, Form()] = "",
) -> Response:
    la = page_la(request, viewer)
    found = _alert_or_404(request, la, alert)
    form = {"response": "", "resolution": resolution}
    if not resolution.strip():
        errors = {"resolution": "Write how the concern was resolved."}
        return _alert_response(request, viewer, la, found, form, errors)
    _check_child(request, viewer, la, found.child)
    if not may_resolve(viewer, found):
        _refuse(
            request,
            viewer,
            la,
            "Only the person who raised the alert, or a manager, can resolve it.",
        )
    try:
        with engine_of(request).begin() as conn:
            resolve(conn, la, found.id, resolution, who=viewer.who)
    except AlertError as exc:
        return _alert_response(request, viewer, la, found, form, {"": str(exc)})
    return RedirectResponse(f"/alerts/{found.id}?resolved=1", status_code=303)


def may_respond(viewer: Viewer, alert: Alert) -> bool:
    """A manager, or the team manager of the child's team (checked with the child), may
    respond once, before the alert is resolved."""
    return viewer.role in RESPONDERS and alert.responded_at is None and alert.is_open


def may_resolve(viewer: Viewer, alert: Alert) -> bool:
    """The person who raised the alert, or a manager, may resolve it while it is open."""
    if not alert.is_open:
        return False
    return viewer.role in RESPONDERS or alert.raised_by == viewer.who


# --- what the pages share ------------------------------------------------------------------


def _nation(request: Request) -> Nation:
    """The nation of the rule set the app runs with: its bank holidays count working days."""
    sets = rule_sets_of(request)
    return Nation(sets[0].nation) if sets else Nation.ENGLAND_AND_WALES


def _visible(conn: Connection, viewer: Viewer, la: str, alerts: Sequence[Alert]) -> list[Alert]:
    children = visible_children(conn, viewer, la)
    return [a for a in alerts if children is None or a.child in children]


def _scope_words(viewer: Viewer) -> str | None:
    if viewer.role is Role.TEAM_MANAGER:
        return "Alerts about your team's children only."
    if viewer.role is Role.PRACTITIONER:
        return "Alerts about your own children only."
    return None


def _alert_or_404(request: Request, la: str, number: int) -> Alert:
    with engine_of(request).connect() as conn:
        try:
            return get_alert(conn, la, number)
        except AlertError:
            raise HTTPException(404) from None


def _check_child(request: Request, viewer: Viewer, la: str, child: str) -> None:
    """Refuse (and log the refusal) unless the child is in the viewer's scope."""
    engine = engine_of(request)
    with engine.connect() as conn:
        allowed = may_see_child(conn, viewer, la, child)
    if not allowed:
        refuse_child(engine, viewer, la, child, request)


def _known(request: Request, conn: Connection, la: str, child: str) -> bool:
    """Whether the LA's data name the child: in its returns or its allocation list."""
    journeys = journeys_for(request, conn, la)
    frames = (journeys.children, journeys.periods, journeys.allocations)
    return any(frame.filter(pl.col("CHILD") == child).height for frame in frames)


def _refuse(request: Request, viewer: Viewer, la: str, message: str) -> NoReturn:
    with engine_of(request).begin() as conn:
        access.record(
            conn, "refused", who=viewer.who, la=la, detail=f"{request.method} {request.url.path}"
        )
    raise Forbidden(message)


def _new_response(
    request: Request,
    viewer: Viewer,
    la: str,
    form: Mapping[str, str],
    errors: Mapping[str, str],
) -> Response:
    return render(
        request,
        "alerts_form.html.j2",
        {
            "la": la,
            "form": form,
            "errors": dict(errors),
            "error_list": error_list_of(errors),
            "labels": LABELS,
            "concerns": CONCERNS,
            "roles": {**{r: r for r in ROLES}, OTHER_ROLE: "Another role"},
        },
        viewer=viewer,
        title=("Error: " if errors else "") + "Raise a management alert",
        status_code=400 if errors else 200,
    )


def error_list_of(errors: Mapping[str, str]) -> list[tuple[str, str]]:
    return [
        (name, f"{LABELS[name]}: {message}" if name in LABELS else message)
        for name, message in errors.items()
    ]


def _alert_response(
    request: Request,
    viewer: Viewer,
    la: str,
    alert: Alert,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    *,
    notice: str | None = None,
) -> Response:
    times = alert_times(alerts_frame([alert]), dt.date.today(), _nation(request))
    timing = times.row(0, named=True) if times.height else {}
    return render(
        request,
        "alerts_alert.html.j2",
        {
            "la": la,
            "alert": alert,
            "timing": timing,
            "may_respond": may_respond(viewer, alert),
            "may_resolve": may_resolve(viewer, alert),
            "may_add_action": viewer.role in ADDERS,
            "form": {"response": "", "resolution": "", **form},
            "errors": dict(errors),
            "error_list": error_list_of(errors),
            "labels": LABELS,
            "notice": notice,
            "when": uk_time,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + f"Management alert {alert.id}",
        status_code=400 if errors else 200,
    )
