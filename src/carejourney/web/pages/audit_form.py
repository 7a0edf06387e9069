"""One case audit: the form its auditor fills in, and the QA lead's moderation.

The form follows the audit's template: each domain with its questions and a grade from the
template's scale, the themes found as strengths and as areas for development (the
template's, plus any other), the findings in words and the overall grade. **Save** keeps
it in progress; **Complete** needs the overall grade and the date (today, unless given).
The checks are the data layer's (`quality.audits`: grades on the scale, the date, themes);
on any problem nothing is stored and the form comes back with what was typed, each problem
beside its field and in a summary at the top.

Who: the QA lead, managers and auditors read every audit of the LA, a team manager their
team's, and anyone the audit is assigned to (whatever their role) reads it too. Only the
audit's auditor and the QA lead change it; only the QA lead records a moderation, which is
a second person's grade, never the auditor's. An audit the viewer may not open answers
"not found", exactly as one that does not exist; an audit they may read but not change
answers a change with the page and what to do. Both are recorded in the access log as
refusals. Every view is recorded ("view audit"), naming the child.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, select
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.config.audits import (
    THEME_LENGTH,
    AuditTemplateError,
    Template,
    load_template,
)
from carejourney.quality.actions import list_actions
from carejourney.quality.audits import (
    Audit,
    AuditError,
    AuditInput,
    DomainGrade,
    Moderation,
    Status,
    get_audit,
    moderate_audit,
    update_audit,
)
from carejourney.schema.audits import THEME_SEPARATOR
from carejourney.sources.values import read_date
from carejourney.store import access
from carejourney.store.tables import audit_programme, audit_sample
from carejourney.web.data import la_or_404
from carejourney.web.pages.audits import audit_sections, grade_words, link_if_allowed
from carejourney.web.pages.child import VIEW_ROLES as RECORD_ROLES
from carejourney.web.permissions import (
    Viewer,
    allow,
    audit_scope,
    engine_of,
    is_assigned,
    may_see_child,
)
from carejourney.web.roles import ALL_ROLES, Role
from carejourney.web.templating import render, route_roles

__all__ = ["read_audit_form", "router"]

router = APIRouter()

MODERATORS = (Role.QA_LEAD,)
SAVE, COMPLETE = "save", "complete"
BAD_DATE = "Enter a real date written dd/mm/yyyy, like 05/11/2026."
DONE = {
    "saved": "The audit was saved. It stays in progress until you complete it.",
    "completed": "The audit was completed. It now counts in the grade trend and themes.",
    "moderated": "The moderation was recorded: the moderated grade is now the audit's grade.",
}

Form = dict[str, Any]


async def posted(request: Request) -> dict[str, list[str]]:
    """The form as sent, every value of each field (the theme checkboxes repeat)."""
    form = await request.form()
    out: dict[str, list[str]] = {}
    for key, value in form.multi_items():
        if isinstance(value, str):
            out.setdefault(key, []).append(value)
    return out


# --- pages -------------------------------------------------------------------------------


@router.get("/audits/{audit:int}")
def audit_page(
    request: Request, audit: int, viewer: Annotated[Viewer, allow(*ALL_ROLES)], done: str = ""
) -> Response:
    found, template = _open(request, viewer, audit)
    with engine_of(request).begin() as conn:
        access.record(
            conn,
            "view audit",
            who=viewer.who,
            la=found.la,
            child=found.child,
            detail=f"audit {audit}",
        )
    return _response(
        request, viewer, found, template, form=form_of(found, template), notice=DONE.get(done)
    )


@router.post("/audits/{audit:int}")
def save_audit(
    request: Request,
    audit: int,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    sent: Annotated[dict[str, list[str]], Depends(posted)],
) -> Response:
    found, template = _open(request, viewer, audit)
    if template is None:
        return _refused(request, viewer, found, template, _NO_TEMPLATE)
    if not may_edit(viewer, found):
        return _refused(request, viewer, found, template, _READ_ONLY)
    edited, errors = read_audit_form(sent, template, found)
    if edited is not None:
        try:
            with engine_of(request).begin() as conn:
                update_audit(conn, found.id, edited, who=viewer.who)
        except AuditError as exc:
            errors = {"": " ".join(exc.problems)}
        else:
            done = "completed" if edited.status is Status.COMPLETED else "saved"
            return RedirectResponse(f"/audits/{audit}?done={done}", status_code=303)
    return _response(
        request, viewer, found, template, form=form_from(sent, template), errors=errors
    )


@router.post("/audits/{audit:int}/moderation")
def moderate(
    request: Request,
    audit: int,
    viewer: Annotated[Viewer, allow(*MODERATORS)],
    sent: Annotated[dict[str, list[str]], Depends(posted)],
) -> Response:
    found, template = _open(request, viewer, audit)
    values = {k: _one(sent, k) for k in ("moderator", "moderated_grade", "moderation_note")}
    errors: dict[str, str] = {}
    moderator = values["moderator"] or viewer.account.display_name
    if template is None:
        return _refused(request, viewer, found, template, _NO_TEMPLATE)
    if not values["moderated_grade"]:
        errors["moderated_grade"] = "Choose the grade you give the case as moderator."
    if is_assigned(viewer, found.auditor) and is_assigned(viewer, moderator):
        errors["moderator"] = (
            "You audited this case: moderation is a second opinion, so ask someone else to "
            "moderate it."
        )
    if not errors:
        moderation = Moderation(moderator, values["moderated_grade"], values["moderation_note"])
        try:
            with engine_of(request).begin() as conn:
                moderate_audit(conn, found.id, moderation, who=viewer.who)
        except AuditError as exc:
            errors[""] = " ".join(exc.problems)
        else:
            return RedirectResponse(f"/audits/{audit}?done=moderated#moderation", 303)
    return _response(
        request,
        viewer,
        found,
        template,
        form=form_of(found, template),
        moderation={**values, "moderator": moderator},
        errors=errors,
    )


# --- who may do what ---------------------------------------------------------------------

_READ_ONLY = (
    "You can read this audit but not change it: only its auditor and the QA lead can. "
    "Nothing was changed."
)
_NO_TEMPLATE = (
    "The audit's template cannot be found, so the audit cannot be changed. Nothing was "
    "changed: ask whoever looks after carejourney to put the template's file back."
)


def may_edit(viewer: Viewer, audit: Audit) -> bool:
    """The audit's own auditor (whatever their role) and the QA lead change an audit."""
    return viewer.role is Role.QA_LEAD or is_assigned(viewer, audit.auditor)


def _open(request: Request, viewer: Viewer, number: int) -> tuple[Audit, Template | None]:
    """The audit, if the viewer may open it, and its template (None if it cannot be loaded);
    else "not found", the refusal recorded when the audit exists."""
    engine = engine_of(request)
    with engine.connect() as conn:
        la = la_or_404(request, conn, viewer)
        try:
            found = get_audit(conn, number, la=la)
        except AuditError:
            raise HTTPException(404) from None
        allowed = audit_scope(conn, viewer, la).sees(found.auditor, found.team, found.child)
    if not allowed:
        with engine.begin() as conn:
            where = f"{request.method} audit {number}"
            access.record(conn, "refused", who=viewer.who, la=la, child=found.child, detail=where)
        raise HTTPException(404)
    try:
        return found, load_template(found.template)
    except AuditTemplateError:
        return found, None


def _refused(
    request: Request, viewer: Viewer, found: Audit, template: Template | None, message: str
) -> Response:
    with engine_of(request).begin() as conn:
        where = f"{request.method} audit {found.id}"
        access.record(conn, "refused", who=viewer.who, la=found.la, child=found.child, detail=where)
    return _response(
        request, viewer, found, template, form=form_of(found, template), errors={"": message}
    )


# --- the form ------------------------------------------------------------------------------


def form_of(audit: Audit, template: Template | None) -> Form:
    """The form filled in from a stored audit."""

    def known(theme: str) -> bool:
        return template is not None and template.theme(theme) is not None

    return {
        "audit_date": "" if audit.audit_date is None else f"{audit.audit_date:%d/%m/%Y}",
        "overall": audit.overall or "",
        "grades": {g.domain: g.grade for g in audit.grades},
        "notes": {g.domain: g.note or "" for g in audit.grades},
        "strength": {t for t in audit.strengths if known(t)},
        "development": {t for t in audit.developments if known(t)},
        "other_strengths": f"{THEME_SEPARATOR} ".join(t for t in audit.strengths if not known(t)),
        "other_developments": f"{THEME_SEPARATOR} ".join(
            t for t in audit.developments if not known(t)
        ),
        "findings": audit.findings or "",
    }


def form_from(sent: Mapping[str, Sequence[str]], template: Template) -> Form:
    """The form as typed."""
    return {
        "audit_date": _one(sent, "audit_date"),
        "overall": _one(sent, "overall"),
        "grades": {d.key: _one(sent, f"grade-{d.key}") for d in template.domains},
        "notes": {d.key: _one(sent, f"note-{d.key}") for d in template.domains},
        "strength": set(sent.get("strength", [])),
        "development": set(sent.get("development", [])),
        "other_strengths": _one(sent, "other_strengths"),
        "other_developments": _one(sent, "other_developments"),
        "findings": _one(sent, "findings"),
    }


def read_audit_form(
    sent: Mapping[str, Sequence[str]],
    template: Template,
    stored: Audit,
    *,
    today: dt.date | None = None,
) -> tuple[AuditInput | None, dict[str, str]]:
    """The audit the form describes (its other parts as stored), or the problems with it,
    each under its field's name ("" for the form as a whole)."""
    today = today or dt.date.today()
    form = form_from(sent, template)
    errors: dict[str, str] = {}
    action = _one(sent, "action")
    if action not in (SAVE, COMPLETE):
        errors[""] = "Choose Save or Complete at the foot of the form."
    complete = action == COMPLETE
    day = read_date(form["audit_date"]) if form["audit_date"] else None
    if form["audit_date"] and day is None:
        errors["audit_date"] = BAD_DATE
    elif day is not None and day > today:
        errors["audit_date"] = "The date the audit was completed cannot be after today."
    if complete and day is None and "audit_date" not in errors:
        day = today
    values = {g.value for g in template.scale.grades}
    if form["overall"] and form["overall"] not in values:
        errors["overall"] = f"Choose one of the grades: {template.scale.accepted}."
    if complete and not form["overall"]:
        errors["overall"] = "Choose the overall grade: a completed audit needs one."
    grades = []
    for domain in template.domains:
        grade, note = form["grades"][domain.key], form["notes"][domain.key]
        if grade and grade not in values:
            errors[f"grade-{domain.key}"] = f"Choose one of the grades: {template.scale.accepted}."
        elif grade:
            grades.append(DomainGrade(domain.key, grade, note or None))
        elif note:
            errors[f"grade-{domain.key}"] = "Choose a grade for the note to be kept with."
    themes = {}
    for kind, other in (("strength", "other_strengths"), ("development", "other_developments")):
        chosen = [t for t in template.themes if t in form[kind]]
        written = [t.strip() for t in form[other].split(THEME_SEPARATOR) if t.strip()]
        long = [t for t in written if len(t) > THEME_LENGTH]
        if long:
            errors[other] = f"Shorten each theme to at most {THEME_LENGTH} characters."
        themes[kind] = tuple(chosen + written)
    if errors:
        return None, errors
    edited = replace(
        stored.as_input(),
        status=Status.COMPLETED
        if complete or stored.status is Status.COMPLETED
        else Status.IN_PROGRESS,
        audit_date=day,
        overall=form["overall"] or None,
        grades=tuple(grades),
        strengths=themes["strength"],
        developments=themes["development"],
        findings=form["findings"] or None,
    )
    return edited, {}


def _one(sent: Mapping[str, Sequence[str]], name: str) -> str:
    values = sent.get(name) or [""]
    return values[0].strip()


# Each field's name in the error summary; a domain's grade is named by the domain.
LABELS = {
    "audit_date": "Date completed",
    "overall": "Overall grade",
    "other_strengths": "Other strengths",
    "other_developments": "Other areas for development",
    "findings": "Findings",
    "moderator": "Moderator",
    "moderated_grade": "Moderated grade",
}


def error_links(errors: Mapping[str, str], template: Template | None) -> list[tuple[str, str]]:
    """The error summary: (the field's id on the page, the message naming the field)."""
    titles = {f"grade-{d.key}": d.title for d in template.domains} if template else {}
    out = []
    for name, message in errors.items():
        label = LABELS.get(name) or titles.get(name)
        out.append((name or "audit-form", f"{label}: {message}" if label else message))
    return out


# --- the page ------------------------------------------------------------------------------


def _sample_of(conn: Connection, audit: Audit) -> dict[str, Any] | None:
    """The programme and month of the sample the audit was drawn in, if any."""
    if audit.sample_id is None:
        return None
    s, p = audit_sample.c, audit_programme.c
    row = conn.execute(
        select(p.name, p.title, s.month)
        .join(audit_programme, p.id == s.programme_id)
        .where(s.id == audit.sample_id)
    ).first()
    return None if row is None else {"name": row.name, "title": row.title, "month": row.month}


def _response(
    request: Request,
    viewer: Viewer,
    audit: Audit,
    template: Template | None,
    *,
    form: Form,
    errors: Mapping[str, str] | None = None,
    moderation: Mapping[str, str] | None = None,
    notice: str | None = None,
) -> Response:
    errors = dict(errors or {})
    with engine_of(request).connect() as conn:
        sample = _sample_of(conn, audit)
        actions = list_actions(conn, audit.la, audit_id=audit.id)
        record = viewer.role in RECORD_ROLES and may_see_child(
            conn, viewer, audit.la, audit.child, audited=True
        )
    moderator_default = {
        "moderator": viewer.account.display_name,
        "moderated_grade": audit.moderation.grade if audit.moderation else "",
        "moderation_note": (audit.moderation.note or "") if audit.moderation else "",
    }
    action_page = route_roles(request.app, "/actions/{action}")
    return render(
        request,
        "audits_audit.html.j2",
        {
            "la": audit.la,
            "sections": audit_sections(request, viewer),
            "audit": audit,
            "template": template,
            "grade": lambda value: grade_words(template, value),
            "sample": sample,
            "form": form,
            "errors": errors,
            "error_links": error_links(errors, template),
            "may_edit": template is not None and may_edit(viewer, audit),
            "may_moderate": viewer.role in MODERATORS and template is not None,
            "moderation": moderation or moderator_default,
            "record_link": f"/children/{quote(audit.child, safe='')}?la={audit.la}"
            if record
            else None,
            "actions": actions,
            "action_link": (lambda a: f"/actions/{a.id}")
            if action_page and viewer.role in action_page
            else None,
            "new_action": link_if_allowed(request, viewer, f"/actions/new?audit={audit.id}"),
            "notice": notice,
            "save": SAVE,
            "complete": COMPLETE,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + f"Audit {audit.id}",
        status_code=400 if errors else 200,
    )
