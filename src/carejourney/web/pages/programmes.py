"""Audit programmes: each programme's monthly schedule, setting one up, and drawing a
month's sample (`quality.programme`, as `carejourney audits programme` and `audits draw`).

A programme says how many cases a month are audited, against which template, and how they
are chosen: at random, at random stratified by team, or the children with a drift status or
flagged by an indicator. Drawing a month's sample picks the children from the LA's journeys,
reproducibly from a seed, shares them between the auditors listed, and gives each auditor
an audit to do ("assigned"); the page then says how the sample was drawn, in words, and
lists it. The QA lead sets programmes up and draws samples; managers and auditors read them.
A sample names children: each child listed is recorded in the access log.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.config.audits import DEFAULT_TEMPLATE, AuditTemplateError, templates
from carejourney.config.indicators import INDICATOR_TITLES, IndicatorKey
from carejourney.quality.audits import list_audits
from carejourney.quality.programme import (
    Method,
    Programme,
    ProgrammeError,
    add_programme,
    default_seed,
    draw_sample,
    drift_trigger,
    get_programme,
    get_sample,
    list_programmes,
    schedule,
)
from carejourney.store import access
from carejourney.web.data import journeys_for, la_or_404, las_for
from carejourney.web.pages.audits import audit_sections
from carejourney.web.permissions import SEES_EVERY_AUDIT, Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

__all__ = ["method_words", "router"]

router = APIRouter()

READERS = tuple(sorted(SEES_EVERY_AUDIT))
RUNNERS = (Role.QA_LEAD,)
METHODS = [
    (Method.RANDOM.value, "At random"),
    (Method.STRATIFIED.value, "At random, stratified by team"),
    (Method.DRIFT.value, "Children with a drift status"),
    (Method.INDICATOR.value, "Children an indicator flags"),
]
LABELS = {
    "name": "Short name",
    "title": "Title",
    "template": "Audit template",
    "per_month": "Audits a month",
    "method": "How cases are chosen",
    "trigger": "Trigger",
    "starts": "First month",
    "month": "Month",
    "auditors": "Auditors",
    "seed": "Seed",
}
NAME = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


def method_words(programme: Programme) -> str:
    """How a programme chooses its cases, in words."""
    if programme.method is Method.DRIFT:
        try:
            trigger = drift_trigger(programme.trigger)
        except ProgrammeError:
            return f"children in care with a drift status ({programme.trigger})"
        words = f"children in care {trigger.status} under {trigger.rule_set}/{trigger.rule}"
    elif programme.method is Method.INDICATOR:
        titles = {key.value: title for key, title in INDICATOR_TITLES.items()}
        title = titles.get(programme.trigger or "", programme.trigger or "")
        words = f'children in care flagged by the indicator "{title}"'
    else:
        words = "children in care at random"
    if programme.stratify_by:
        words += ", stratified by team"
    return words


# --- the list and adding a programme -------------------------------------------------------


@router.get("/audits/programmes")
def programmes_page(request: Request, viewer: Annotated[Viewer, allow(*READERS)]) -> Response:
    return _list(request, viewer, _blank_programme(), {})


@router.post("/audits/programmes")
def add_programme_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*RUNNERS)],
    name: Annotated[str, Form()] = "",
    title: Annotated[str, Form()] = "",
    template: Annotated[str, Form()] = "",
    per_month: Annotated[str, Form()] = "",
    method: Annotated[str, Form()] = "",
    stratify: Annotated[str, Form()] = "",
    trigger: Annotated[str, Form()] = "",
    starts: Annotated[str, Form()] = "",
) -> Response:
    form = {
        "name": name.strip(),
        "title": title.strip(),
        "template": template.strip(),
        "per_month": per_month.strip(),
        "method": method.strip(),
        "stratify": stratify,
        "trigger": trigger.strip(),
        "starts": starts.strip(),
    }
    programme, errors = read_programme_form(form)
    if programme is not None:
        try:
            with engine_of(request).begin() as conn:
                la = la_or_404(request, conn, viewer)
                stored = add_programme(conn, la, programme, who=viewer.who)
        except ProgrammeError as exc:
            errors = {"": str(exc)}
        else:
            return RedirectResponse(f"/audits/programmes/{stored.name}?added=1", 303)
    return _list(request, viewer, form, errors)


def read_programme_form(form: dict[str, str]) -> tuple[Programme | None, dict[str, str]]:
    """The programme the form describes, or the problems with it by field. What the form
    cannot tell (a template or trigger that does not exist) `add_programme` checks."""
    errors: dict[str, str] = {}
    if not NAME.fullmatch(form["name"]):
        errors["name"] = (
            "Use lower-case letters, digits and hyphens, like monthly-looked-after: it is how "
            "the command line names the programme."
        )
    if not form["title"]:
        errors["title"] = "Say what is audited, in a few words."
    per_month = int(form["per_month"]) if form["per_month"].isdigit() else 0
    if per_month < 1:
        errors["per_month"] = "Give a whole number of audits a month, 1 or more."
    if form["method"] not in {m.value for m in Method}:
        errors["method"] = "Choose how the cases are chosen."
    triggered = form["method"] in (Method.DRIFT.value, Method.INDICATOR.value)
    if triggered and not form["trigger"]:
        errors["trigger"] = (
            'A drift programme names the status and rule, like "overdue: '
            'england/permanence-recommendation"; an indicator programme names the indicator.'
        )
    starts = read_month(form["starts"])
    if starts is None:
        errors["starts"] = "Give the first month audited as mm/yyyy, like 11/2026."
    if errors or starts is None:
        return None, errors
    stratified = form["method"] == Method.STRATIFIED.value or (triggered and bool(form["stratify"]))
    return (
        Programme(
            name=form["name"],
            title=form["title"],
            template=form["template"] or DEFAULT_TEMPLATE,
            per_month=per_month,
            method=Method(form["method"]),
            starts=starts,
            stratify_by="team" if stratified else None,
            trigger=form["trigger"] if triggered else None,
        ),
        {},
    )


def read_month(text: str) -> dt.date | None:
    """A month typed as mm/yyyy or yyyy-mm (a date in it will do too): its first day."""
    text = text.strip()
    for pattern, order in ((r"(\d{1,2})/(\d{4})", (2, 1)), (r"(\d{4})-(\d{1,2})", (1, 2))):
        match = re.fullmatch(pattern, text)
        if match:
            year, month = int(match.group(order[0])), int(match.group(order[1]))
            return dt.date(year, month, 1) if 1 <= month <= 12 and year >= 1900 else None
    for form in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, form).date().replace(day=1)
        except ValueError:
            continue
    return None


def _blank_programme() -> dict[str, str]:
    this_month = dt.date.today().replace(day=1)
    return {
        "name": "",
        "title": "",
        "template": DEFAULT_TEMPLATE,
        "per_month": "",
        "method": Method.RANDOM.value,
        "stratify": "",
        "trigger": "",
        "starts": f"{this_month:%m/%Y}",
    }


def _list(
    request: Request, viewer: Viewer, form: dict[str, str], errors: dict[str, str]
) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = la_or_404(request, conn, viewer)
        rows = []
        for programme in list_programmes(conn, la):
            months = schedule(conn, programme)
            rows.append(
                {
                    "programme": programme,
                    "method": method_words(programme),
                    "due": [m.month for m in months if m.due],
                    "drawn": sum(1 for m in months if m.sample is not None),
                    "audits": sum(m.audits for m in months),
                    "completed": sum(m.completed for m in months),
                }
            )
    try:
        choices = [(t.name, t.title) for t in templates()]
    except AuditTemplateError:
        choices = [(DEFAULT_TEMPLATE, DEFAULT_TEMPLATE)]
    return render(
        request,
        "audits_programmes.html.j2",
        {
            "las": las,
            "la": la,
            "sections": audit_sections(request, viewer),
            "rows": rows,
            "may_run": viewer.role in RUNNERS,
            "form": form,
            "errors": errors,
            "error_list": _error_list(errors),
            "labels": LABELS,
            "methods": METHODS,
            "templates": choices,
            "indicators": [(k.value, INDICATOR_TITLES[k]) for k in IndicatorKey],
        },
        viewer=viewer,
        title=("Error: " if errors else "") + "Audit programmes",
        status_code=400 if errors else 200,
    )


def _error_list(errors: dict[str, str]) -> list[tuple[str, str]]:
    """(field id, message naming the field), for the error summary's links."""
    return [
        (f"programme-{name}" if name else "programme-form", f"{LABELS[name]}: {message}")
        if name in LABELS
        else ("programme-form", message)
        for name, message in errors.items()
    ]


# --- one programme: its schedule, drawing a sample, and the sample -----------------------


@router.get("/audits/programmes/{programme}")
def programme_page(
    request: Request,
    programme: str,
    viewer: Annotated[Viewer, allow(*READERS)],
    month: str = "",
    added: str = "",
    drawn: str = "",
    kept: int = 0,
    removed: int = 0,
) -> Response:
    notice = None
    if added:
        notice = "The programme was set up. Draw its first month's sample below."
    elif drawn:
        notice = "The sample was drawn and each audit assigned to its auditor."
        if removed or kept:
            notice += (
                f" Drawn again: {removed} audit{'s' if removed != 1 else ''} not yet started "
                f"removed, {kept} already started kept."
            )
    return _detail(request, viewer, programme, read_month(month), {}, {}, notice)


@router.post("/audits/programmes/{programme}/draw")
def draw_page(
    request: Request,
    programme: str,
    viewer: Annotated[Viewer, allow(*RUNNERS)],
    month: Annotated[str, Form()] = "",
    auditors: Annotated[str, Form()] = "",
    seed: Annotated[str, Form()] = "",
    again: Annotated[str, Form()] = "",
) -> Response:
    form = {"month": month.strip(), "auditors": auditors, "seed": seed.strip(), "again": again}
    errors: dict[str, str] = {}
    chosen = read_month(form["month"])
    if chosen is None:
        errors["month"] = "Choose the month to draw the sample for."
    names = [line.strip() for line in auditors.splitlines() if line.strip()]
    if not names:
        errors["auditors"] = "List the auditors who share the audits, one a line."
    if form["seed"] and not form["seed"].isdigit():
        errors["seed"] = "A seed is a whole number, like 20261101; leave it blank for the month's."
    if not errors and chosen is not None:
        engine = engine_of(request)
        try:
            with engine.begin() as conn:
                la = la_or_404(request, conn, viewer)
                found = _programme_or_404(conn, la, programme)
                done = draw_sample(
                    conn,
                    found,
                    chosen,
                    auditors=names,
                    seed=int(form["seed"]) if form["seed"] else None,
                    who=viewer.who,
                    replace=bool(again),
                    journeys=journeys_for(request, conn, la),
                )
        except ProgrammeError as exc:  # a SampleError too
            errors[""] = str(exc)
        else:
            query = {"month": f"{chosen:%Y-%m}", "drawn": "1"}
            if done.kept or done.removed:
                query |= {"kept": str(done.kept), "removed": str(done.removed)}
            return RedirectResponse(
                f"/audits/programmes/{programme}?{urlencode(query)}#sample", 303
            )
    return _detail(request, viewer, programme, chosen, form, errors, None)


def _programme_or_404(conn: Connection, la: str, name: str) -> Programme:
    try:
        return get_programme(conn, la, name)
    except ProgrammeError:
        raise HTTPException(404) from None


def _detail(
    request: Request,
    viewer: Viewer,
    name: str,
    month: dt.date | None,
    form: dict[str, str],
    errors: dict[str, str],
    notice: str | None,
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        la = la_or_404(request, conn, viewer)
        programme = _programme_or_404(conn, la, name)
        months = schedule(conn, programme, ahead=1)
        drawn = [m.month for m in months if m.sample is not None]
        shown = month or (drawn[-1] if drawn else None)
        sample = get_sample(conn, programme, shown) if shown else None
        rows: list[dict[str, Any]] = []
        if sample is not None:
            audits = list_audits(conn, la, month=sample.month)
            rows = [
                {"id": a.id, "child": a.child, "team": a.team, "auditor": a.auditor}
                | {"status": a.status.value}
                for a in sorted(audits, key=lambda a: (a.auditor.lower(), a.child))
                if a.sample_id == sample.id
            ]
    if sample is not None and rows and viewer.sees_ids:
        with engine.begin() as conn:
            access.record_children(
                conn,
                "viewed audit sample",
                [r["child"] for r in rows],
                la=la,
                who=viewer.who,
                detail=f"{programme.name} {sample.month:%Y-%m}",
            )
    due = [m.month for m in months if m.due]
    default_month = due[0] if due else dt.date.today().replace(day=1)
    draw_form = form or {
        "month": f"{default_month:%m/%Y}",
        "auditors": "",
        "seed": "",
        "again": "",
    }
    return render(
        request,
        "audits_programme.html.j2",
        {
            "la": la,
            "sections": audit_sections(request, viewer),
            "programme": programme,
            "method": method_words(programme),
            "months": months,
            "sample": sample,
            "rows": rows,
            "sees_ids": viewer.sees_ids,
            "may_run": viewer.role in RUNNERS and programme.active,
            "month_choices": [(f"{m.month:%m/%Y}", f"{m.month:%B %Y}") for m in months],
            "form": draw_form,
            "errors": errors,
            "error_list": _draw_errors(errors),
            "seed_hint": default_seed(default_month),
            "notice": notice,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + f"Audit programme {programme.name}",
        status_code=400 if errors else 200,
    )


def _draw_errors(errors: dict[str, str]) -> list[tuple[str, str]]:
    return [
        (f"draw-{name}" if name else "draw-form", f"{LABELS[name]}: {message}")
        if name in LABELS
        else ("draw-form", message)
        for name, message in errors.items()
    ]
