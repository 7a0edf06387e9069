"""Importing the audit spreadsheet an LA already keeps (CSV or Excel), for the QA lead.

The same import as `carejourney audits import` (`quality.importing.import_audits`): every
row checked first, and all or nothing: if the spreadsheet has an error, nothing is stored
and the page lists every problem (file, row, column, what was expected), as the data page
does for a return. Importing the same spreadsheet again changes nothing; a later copy
updates the audits it already holds. The upload, stored or refused, is recorded in the
access log, and so is each child whose audit it stores.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy.exc import SQLAlchemyError
from starlette.responses import Response

from carejourney.config.audits import AuditTemplateError, templates
from carejourney.quality.importing import AuditImport, import_audits
from carejourney.sources.files import SPREADSHEET_SUFFIXES, SourceFile
from carejourney.sources.problems import Problem, Severity
from carejourney.store import access
from carejourney.web.data import chosen_la, las_for
from carejourney.web.pages.audits import audit_sections
from carejourney.web.pages.data import safe_name
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

__all__ = ["router"]

router = APIRouter()

IMPORTERS = (Role.QA_LEAD,)
SUFFIXES = frozenset({".csv", ".txt", *SPREADSHEET_SUFFIXES})


@router.get("/audits/import")
def import_page(request: Request, viewer: Annotated[Viewer, allow(*IMPORTERS)]) -> Response:
    return _page(request, viewer, None)


@router.post("/audits/import")
def import_upload(
    request: Request,
    viewer: Annotated[Viewer, allow(*IMPORTERS)],
    file: Annotated[UploadFile | None, File()] = None,
    template: Annotated[str, Form()] = "",
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        la = chosen_la(request, conn, viewer)
    errors = []
    name = safe_name(file.filename) if file is not None and file.filename else ""
    if la is None:
        errors.append("There is no local authority to import audits for: load its returns first.")
    if not name:
        errors.append("Spreadsheet: choose the audit spreadsheet (CSV or Excel).")
    elif Path(name).suffix.lower() not in SUFFIXES:
        errors.append(
            f"Spreadsheet: {name} is not a CSV or Excel file. Save the spreadsheet as CSV or as "
            "an Excel workbook and choose it again."
        )
    outcome: AuditImport | None = None
    if not errors and file is not None and la is not None:
        source = SourceFile(name, file.file.read(), "")
        try:
            with engine.begin() as conn:
                outcome = import_audits(
                    conn, la, source, template=template.strip() or None, who=viewer.who
                )
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            errors.append(
                f"The database refused the import ({reason}). Nothing was stored; the database "
                "is exactly as it was. Try again."
            )
    with engine.begin() as conn:
        access.record(
            conn, "uploaded audits", who=viewer.who, la=la, detail=_what_happened(name, outcome)
        )
    refused = bool(errors) or outcome is None or not outcome.stored
    return _page(
        request,
        viewer,
        {"errors": errors, "outcome": outcome, "summary": _summary(outcome), "file": name},
        status_code=400 if refused else 200,
    )


def _what_happened(name: str, outcome: AuditImport | None) -> str:
    if outcome is None:
        return f"refused before reading: {name or 'no file'}"
    if not outcome.stored:
        errors = _counts(outcome.problems).get("error", 0)
        return f"refused: {name}, {errors} error{'s' if errors != 1 else ''}"
    return (
        f"stored: {name}, {outcome.added} added, {outcome.updated} updated, "
        f"{outcome.unchanged} unchanged"
    )


def _summary(outcome: AuditImport | None) -> str | None:
    """The outcome in a sentence."""
    if outcome is None:
        return None
    if not outcome.stored:
        if not outcome.problems:
            return "The spreadsheet holds no audits: nothing was stored."
        return (
            "Nothing was stored: fix the errors below and upload the spreadsheet again. The "
            "database is exactly as it was."
        )
    parts = [
        f"{outcome.added} audit{'s' if outcome.added != 1 else ''} added",
        f"{outcome.updated} updated",
        f"{outcome.unchanged} already held and unchanged",
    ]
    text = f"The audits in {outcome.sheet.file} were stored: " + ", ".join(parts) + "."
    if outcome.sheet.new_themes:
        text += (
            " Themes the template does not list, kept as new themes: "
            + ", ".join(outcome.sheet.new_themes)
            + "."
        )
    return text


def _counts(problems: list[Problem]) -> dict[str, int]:
    counts = Counter(str(p.severity) for p in problems)
    return {s.value: counts[s.value] for s in Severity if counts[s.value]}


def _page(
    request: Request,
    viewer: Viewer,
    upload: dict[str, Any] | None,
    status_code: int = 200,
) -> Response:
    try:
        names = [(t.name, t.title) for t in templates()]
    except AuditTemplateError:
        names = []
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
    outcome = upload["outcome"] if upload else None
    problems = outcome.problems if outcome is not None else []
    return render(
        request,
        "audits_import.html.j2",
        {
            "las": las,
            "la": la,
            "sections": audit_sections(request, viewer),
            "templates": names,
            "upload": upload,
            "problems": problems,
            "counts": _counts(problems),
            # A problem's value can be a child's ID: shown only to those who see IDs.
            "show_values": viewer.sees_ids,
            "shown_file": lambda name: name,
        },
        viewer=viewer,
        title=("Error: " if status_code != 200 else "") + "Import audits",
        status_code=status_code,
    )
