"""Aims: each aim's latest figure and whether its chart signals; one aim's chart with its
signals in words; its PDSA cycles, which everyone but an auditor may add and edit.

Aims hold no child's data: a rule aim's measure is worked out from the journeys, but the
chart shows only monthly shares or days taken. Charts are kept (`web.data.cached`) until
the LA's data, the aim or its cycles change, so a page of aims is drawn once, not per visit.
Adding and editing a cycle is checked exactly as `carejourney pdsa add/edit` checks it
(`improvement.cycles.check_cycle`), and on any problem nothing is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, func, select
from sqlalchemy.exc import IntegrityError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.improvement.aims import Aim, AimError, Measure, get_aim, list_aims
from carejourney.improvement.chart import AimChart, View, aim_chart, chart_title
from carejourney.improvement.cycles import (
    Act,
    Cycle,
    CycleError,
    CycleInput,
    add_cycle,
    check_cycle,
    get_cycle,
    list_cycles,
    update_cycle,
)
from carejourney.measures.spc import words
from carejourney.measures.spc.types import ChartType
from carejourney.sources.values import read_date
from carejourney.store.tables import pdsa_cycle
from carejourney.web.data import cached, chosen_la, data_version, journeys_for, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES, Role
from carejourney.web.templating import render

__all__ = ["AimSummary", "aim_summaries", "router"]

router = APIRouter()

# Everyone but the auditor, whose role is to look, not change.
EDITORS = tuple(role for role in ALL_ROLES if role is not Role.AUDITOR)

# The cycle form's fields, in order, with the label each error names.
LABELS = {
    "title": "Title",
    "change_idea": "Change idea",
    "prediction": "Prediction",
    "do_start": "Date the test started",
    "do_end": "Date it ended",
    "study": "What happened",
    "act": "Decision",
    "author": "Written up by",
    "starts_phase": "New phase",
}
NEEDED = {
    "title": "Enter a short title for the test of change.",
    "change_idea": "Enter the change idea: what is being tried.",
    "prediction": "Enter the prediction: what you expect to happen.",
    "do_start": "Enter the date the test started, like 18/03/2024.",
}
VIEWS = [
    (View.MONTHS.value, "% on time, by month due"),
    (View.CHILDREN.value, "days taken, child by child"),
]
BAD_DATE = "Enter a real date written dd/mm/yyyy, like 18/03/2024."


@dataclass(frozen=True)
class AimSummary:
    """One line of the aims page (and of the home page's "aims with a signal")."""

    aim: Aim
    cycles: int
    latest: str | None  # the latest point in words: "67% (March 2026)"
    signal: bool | None  # None: nothing to chart yet
    latest_signals: bool  # the latest point itself is a signal: news since last month
    problem: str | None  # why there is no chart


# --- pages ---------------------------------------------------------------------------------


@router.get("/aims")
def aims_page(request: Request, viewer: Annotated[Viewer, allow(*ALL_ROLES)]) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        rows = aim_summaries(request, conn, la) if la else []
    return render(
        request,
        "aims.html.j2",
        {"las": las, "la": la, "rows": rows, "target_words": target_words},
        viewer=viewer,
        title="Aims",
    )


@router.get("/aims/{aim}")
def aim_page(
    request: Request,
    aim: str,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    view: str = View.MONTHS.value,
    added: int | None = None,
    updated: int | None = None,
) -> Response:
    chosen_view = View(view) if view in {v.value for v in View} else View.MONTHS
    with engine_of(request).connect() as conn:
        la, found = _aim_or_404(request, conn, viewer, aim)
        cycles = list_cycles(conn, found)
        drawn = _drawn(request, conn, la, found, chosen_view)
    notice = None
    if added is not None:
        notice = f"PDSA cycle {added} was added."
    elif updated is not None:
        notice = f"PDSA cycle {updated} was saved."
    return _aim_response(
        request,
        viewer,
        la,
        found,
        cycles,
        drawn,
        chosen_view,
        form=_blank_form(),
        errors={},
        notice=notice,
    )


def cycle_form(
    title: Annotated[str, Form()] = "",
    change_idea: Annotated[str, Form()] = "",
    prediction: Annotated[str, Form()] = "",
    do_start: Annotated[str, Form()] = "",
    do_end: Annotated[str, Form()] = "",
    study: Annotated[str, Form()] = "",
    act: Annotated[str, Form()] = "",
    author: Annotated[str, Form()] = "",
    starts_phase: Annotated[str, Form()] = "",
) -> dict[str, str]:
    """A PDSA cycle's form as typed, for adding and editing alike."""
    return {
        "title": title,
        "change_idea": change_idea,
        "prediction": prediction,
        "do_start": do_start,
        "do_end": do_end,
        "study": study,
        "act": act,
        "author": author,
        "starts_phase": starts_phase,
    }


@router.post("/aims/{aim}/cycles")
def add_cycle_page(
    request: Request,
    aim: str,
    viewer: Annotated[Viewer, allow(*EDITORS)],
    form: Annotated[dict[str, str], Depends(cycle_form)],
) -> Response:
    cycle, errors = read_cycle_form(form)
    with engine_of(request).begin() as conn:
        la, found = _aim_or_404(request, conn, viewer, aim)
        if cycle is not None:
            try:
                stored = add_cycle(conn, found, cycle, who=viewer.who)
            except CycleError as exc:
                errors = {"": str(exc)}
            except IntegrityError:
                errors = {"": _AT_THE_SAME_MOMENT}
            else:
                return RedirectResponse(f"/aims/{aim}?added={stored.number}#cycles", 303)
    # Nothing was stored: show the form again with what was typed and what to change.
    with engine_of(request).connect() as conn:
        cycles = list_cycles(conn, found)
        drawn = _drawn(request, conn, la, found, View.MONTHS)
    return _aim_response(
        request, viewer, la, found, cycles, drawn, View.MONTHS, form=form, errors=errors
    )


@router.get("/aims/{aim}/cycles/{cycle}")
def edit_cycle_page(
    request: Request, aim: str, cycle: int, viewer: Annotated[Viewer, allow(*EDITORS)]
) -> Response:
    with engine_of(request).connect() as conn:
        _, found = _aim_or_404(request, conn, viewer, aim)
        stored = _cycle_or_404(conn, found, cycle)
    return _edit_response(request, viewer, found, stored, _form_of(stored), {})


@router.post("/aims/{aim}/cycles/{cycle}")
def save_cycle_page(
    request: Request,
    aim: str,
    cycle: int,
    viewer: Annotated[Viewer, allow(*EDITORS)],
    form: Annotated[dict[str, str], Depends(cycle_form)],
) -> Response:
    edited, errors = read_cycle_form(form)
    with engine_of(request).begin() as conn:
        _, found = _aim_or_404(request, conn, viewer, aim)
        stored = _cycle_or_404(conn, found, cycle)
        if edited is not None:
            try:
                update_cycle(conn, found, cycle, edited, who=viewer.who)
            except CycleError as exc:
                errors = {"": str(exc)}
            else:
                return RedirectResponse(f"/aims/{aim}?updated={cycle}#cycles", 303)
    return _edit_response(request, viewer, found, stored, form, errors)


# --- what the pages share ------------------------------------------------------------------

_AT_THE_SAME_MOMENT = (
    "Someone else added a cycle to this aim at the same moment. Nothing was stored: "
    "send the form again."
)


def aim_summaries(request: Request, conn: Connection, la: str) -> list[AimSummary]:
    """Each of the LA's aims with its latest figure and whether its chart signals."""
    rows = []
    for aim in list_aims(conn, la):
        drawn = _drawn(request, conn, la, aim, View.MONTHS)
        cycles = len(list_cycles(conn, aim))
        if isinstance(drawn, str):
            rows.append(AimSummary(aim, cycles, None, None, False, drawn))
            continue
        points = drawn.result.points
        latest_signals = bool(points.height and points["signal"][-1])
        rows.append(
            AimSummary(
                aim, cycles, latest_words(drawn), bool(drawn.result.signals), latest_signals, None
            )
        )
    return rows


def latest_words(drawn: AimChart) -> str | None:
    """The chart's latest point: "67.1% (March 2026)"."""
    points = drawn.result.points
    if not points.height:
        return None
    last = points.row(points.height - 1, named=True)
    value = last["value"]
    if value is None:
        return None
    unit = "%" if drawn.series.chart in (ChartType.P, ChartType.P_PRIME) else ""
    when = words.point_name(last["label"], int(last["index"]))
    return f"{words.format_number(float(value))}{unit} ({when})"


def target_words(aim: Aim) -> str:
    if aim.target_percent is None:
        return "none set"
    if aim.measure is Measure.RULE:
        return f"{aim.target_percent:g}% on time"
    if aim.chart in (ChartType.P, ChartType.P_PRIME):
        return f"{aim.target_percent:g}%"
    return f"{aim.target_percent:g}"


def read_cycle_form(form: Mapping[str, str]) -> tuple[CycleInput | None, dict[str, str]]:
    """The cycle a form describes, or the problems with it, each under its field's name
    ("" for the form as a whole). The checks are the CLI's: required text, real dates, an
    end not before the start (`check_cycle`), a decision of adopt, adapt or abandon."""
    errors: dict[str, str] = {}
    for name, message in NEEDED.items():
        if not form.get(name, "").strip():
            errors[name] = message
    start = read_date(form.get("do_start", ""))
    if form.get("do_start", "").strip() and start is None:
        errors["do_start"] = BAD_DATE
    end_text = form.get("do_end", "").strip()
    end = read_date(end_text) if end_text else None
    if end_text and end is None:
        errors["do_end"] = BAD_DATE
    act_text = form.get("act", "").strip().lower()
    if act_text and act_text not in {a.value for a in Act}:
        errors["act"] = "Choose adopt, adapt or abandon, or leave it until you have decided."
    if errors or start is None:
        return None, errors
    cycle = CycleInput(
        title=form["title"].strip(),
        change_idea=form["change_idea"].strip(),
        prediction=form["prediction"].strip(),
        do_start=start,
        do_end=end,
        study=form.get("study", "").strip() or None,
        act=Act(act_text) if act_text else None,
        author=form.get("author", "").strip() or None,
        starts_phase=bool(form.get("starts_phase")),
    )
    try:
        check_cycle(cycle)
    except CycleError as exc:
        # The only check left for check_cycle to find here is an end before the start.
        return None, {"do_end": str(exc)}
    return cycle, {}


def error_list(errors: Mapping[str, str]) -> list[str]:
    """The error summary's lines, each naming its field."""
    order = [*LABELS, ""]
    return [
        f"{LABELS[name]}: {message}" if name in LABELS else message
        for name, message in sorted(errors.items(), key=lambda item: order.index(item[0]))
    ]


def _aim_or_404(request: Request, conn: Connection, viewer: Viewer, name: str) -> tuple[str, Aim]:
    la = chosen_la(request, conn, viewer)
    if la is None:
        raise HTTPException(404)
    try:
        return la, get_aim(conn, la, name)
    except AimError:
        raise HTTPException(404) from None


def _cycle_or_404(conn: Connection, aim: Aim, number: int) -> Cycle:
    try:
        return get_cycle(conn, aim, number)
    except CycleError:
        raise HTTPException(404) from None


def _cycles_version(conn: Connection, aim: Aim) -> Hashable:
    """Changes whenever a cycle of the aim is added or edited (the chart marks them)."""
    c = pdsa_cycle.c
    row = conn.execute(
        select(func.count(), func.max(c.created_at), func.max(c.updated_at)).where(
            c.aim_id == aim.id
        )
    ).one()
    return tuple(row)


def _drawn(request: Request, conn: Connection, la: str, aim: Aim, view: View) -> AimChart | str:
    """The aim's chart, or why it cannot be drawn yet; kept until the data, the aim or its
    cycles change."""
    key = ("aim chart", id(engine_of(request)), la, aim.name, view.value)
    version = (data_version(conn, la), aim.id, aim.created_at, _cycles_version(conn, aim))

    def draw() -> AimChart | str:
        journeys = journeys_for(request, conn, la) if aim.measure is Measure.RULE else None
        try:
            return aim_chart(conn, journeys, aim, view=view)
        except AimError as exc:
            return str(exc)

    return cached(key, version, draw)


def _blank_form() -> dict[str, str]:
    return {name: "" for name in LABELS}


def _form_of(cycle: Cycle) -> dict[str, str]:
    return {
        "title": cycle.title,
        "change_idea": cycle.change_idea,
        "prediction": cycle.prediction,
        "do_start": _day(cycle.do_start),
        "do_end": _day(cycle.do_end),
        "study": cycle.study or "",
        "act": cycle.act.value if cycle.act else "",
        "author": cycle.author or "",
        "starts_phase": "yes" if cycle.starts_phase else "",
    }


def _day(day: dt.date | None) -> str:
    return "" if day is None else f"{day:%d/%m/%Y}"


def _signal_lines(drawn: AimChart) -> list[str]:
    return [*drawn.rendered.signals_in_words, *words.describe_icons(drawn.result)]


def _markers(drawn: AimChart) -> list[str]:
    labels = drawn.series.series.labels or ()
    return [
        f"{m.label}: marked at {words.point_name(labels[m.at - 1] if labels else None, m.at)}"
        for m in drawn.markers
    ]


def _aim_response(
    request: Request,
    viewer: Viewer,
    la: str,
    aim: Aim,
    cycles: list[Cycle],
    drawn: AimChart | str,
    view: View,
    *,
    form: Mapping[str, str],
    errors: Mapping[str, str],
    notice: str | None = None,
) -> Response:
    chart: dict[str, Any] | None = None
    if not isinstance(drawn, str):
        chart = {
            "svg": drawn.rendered.svg,
            "title": chart_title(aim, view),
            "text_alternative": drawn.rendered.text_alternative,
            "signals": _signal_lines(drawn),
            "markers": _markers(drawn),
            "notes": list(drawn.notes),
            "as_at": drawn.as_at,
            "latest": latest_words(drawn),
        }
    return render(
        request,
        "aims_aim.html.j2",
        {
            "la": la,
            "aim": aim,
            "cycles": cycles,
            "chart": chart,
            "problem": drawn if isinstance(drawn, str) else None,
            "view": view.value,
            "views": VIEWS if aim.measure is Measure.RULE else [],
            "target_words": target_words(aim),
            "may_edit": not viewer.read_only,
            "form": form,
            "errors": dict(errors),
            "error_list": error_list(errors),
            "labels": LABELS,
            "acts": [a.value for a in Act],
            "notice": notice,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + aim.name,
        status_code=400 if errors else 200,
    )


def _edit_response(
    request: Request,
    viewer: Viewer,
    aim: Aim,
    cycle: Cycle,
    form: Mapping[str, str],
    errors: Mapping[str, str],
) -> Response:
    return render(
        request,
        "aims_cycle.html.j2",
        {
            "aim": aim,
            "cycle": cycle,
            "form": form,
            "errors": dict(errors),
            "error_list": error_list(errors),
            "labels": LABELS,
            "acts": [a.value for a in Act],
        },
        viewer=viewer,
        title=("Error: " if errors else "") + f"Edit PDSA cycle {cycle.number}",
        status_code=400 if errors else 200,
    )
