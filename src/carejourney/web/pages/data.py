"""Data: the imports (batches) with the warnings stored with each, and uploading a return.

An upload goes through `imports.import_returns`, exactly as `carejourney import`: every
check, and all or nothing. The files are saved to a temporary folder first (deleted after)
under safe names; anything that is not a file carejourney reads, or more than
`MAX_UPLOAD_BYTES` in all, is refused before anything is read. Each upload, stored or
refused, is recorded in the access log.

A problem's `value` can be a child's ID or date of birth, so it is shown only to the roles
that may see children's records by ID.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections import Counter
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from sqlalchemy import Connection, Engine, func, update
from sqlalchemy.exc import SQLAlchemyError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney import imports
from carejourney.schema.types import year_label
from carejourney.sources.files import READABLE_SUFFIXES, SPREADSHEET_SUFFIXES
from carejourney.sources.problems import Problem, Severity
from carejourney.store import access, queries
from carejourney.store.tables import import_batch, import_file, import_problem
from carejourney.web.data import chosen_la, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

__all__ = ["MAX_UPLOAD_BYTES", "router", "safe_name", "shown_file"]

router = APIRouter()

VIEWERS = (Role.ADMINISTRATOR, Role.MANAGER, Role.ANALYST, Role.AUDITOR)
UPLOADERS = (Role.ADMINISTRATOR, Role.MANAGER, Role.ANALYST)
MAX_UPLOAD_BYTES = 200 * 1024 * 1024
SUFFIXES = frozenset(READABLE_SUFFIXES | SPREADSHEET_SUFFIXES | {".zip"})
UPLOAD_PREFIX = "carejourney-upload-"
# How many problems a page lists; the rest are counted (the CLI's --csv gives them all).
SHOWN = 1000
_UPLOAD_FOLDER = re.compile(r"^.*" + UPLOAD_PREFIX + r"[^/\\]+[/\\]")


def shown_file(name: str) -> str:
    """A file's name as the person uploading it knows it, not the server's temporary path."""
    return _UPLOAD_FOLDER.sub("", name)


def safe_name(given: str | None) -> str:
    """An uploaded file's own name, without any folder, in characters safe on any disk."""
    name = re.split(r"[/\\]", given or "")[-1].strip()
    name = re.sub(r"[^A-Za-z0-9._() -]+", "_", name).lstrip(".")
    return name or "upload"


# --- pages ---------------------------------------------------------------------------------


@router.get("/data")
def data_page(request: Request, viewer: Annotated[Viewer, allow(*VIEWERS)]) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        batches = [b for b in queries.batches(conn) if b.la in las]
    return _page(request, viewer, las, la, batches)


@router.get("/data/batches/{batch}")
def batch_page(
    request: Request, batch: int, viewer: Annotated[Viewer, allow(*VIEWERS)]
) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        found = next((b for b in queries.batches(conn) if b.id == batch), None)
        if found is None or found.la not in las:
            raise HTTPException(404)
        problems = [p for _, p in queries.stored_problems(conn, batch)]
    return render(
        request,
        "data_batch.html.j2",
        {
            "batch": found,
            "years": ", ".join(year_label(y) for y in found.years) or "none (lists only)",
            "counts": _severities(problems),
            "problems": problems[:SHOWN],
            "more": max(0, len(problems) - SHOWN),
            "show_values": viewer.sees_ids,
            "shown_file": shown_file,
        },
        viewer=viewer,
        title=f"Import batch {batch}",
    )


@router.post("/data/upload")
def upload_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*UPLOADERS)],
    files: Annotated[list[UploadFile] | None, File()] = None,
    la: Annotated[str, Form()] = "",
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        las = las_for(conn, viewer)
        chosen = chosen_la(request, conn, viewer)
    code = la.strip() or (viewer.account.la or "")
    given = [f for f in files or [] if f.filename]
    errors = _refusals(request, viewer, code, given)
    outcome: imports.ImportOutcome | None = None
    folder = ""
    if not errors:
        try:
            outcome, folder = _import(engine, given, code)
        except SQLAlchemyError as exc:
            reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
            errors.append(
                f"The database refused the import ({reason}). Nothing was stored; the database "
                "is exactly as it was. If another import was running, try again."
            )
    with engine.begin() as conn:
        access.record(
            conn,
            "uploaded return",
            who=viewer.who,
            la=code or None,
            detail=_what_happened(outcome, errors, len(given)),
        )
        if outcome is not None and outcome.saved and outcome.saved.batch_id is not None:
            _name_batch(conn, outcome.saved.batch_id, viewer, folder)
    with engine.connect() as conn:
        batches = [b for b in queries.batches(conn) if b.la in las_for(conn, viewer)]
    refused = bool(errors) or outcome is None or not outcome.stored
    return _page(
        request,
        viewer,
        las,
        chosen,
        batches,
        upload={
            "errors": errors,
            "outcome": outcome,
            "summary": _summary(outcome) if outcome else None,
            "problems": [] if outcome is None else outcome.problems,
            "counts": _severities([] if outcome is None else outcome.problems),
            "la": code,
        },
        status_code=400 if refused else 200,
    )


# --- uploading -----------------------------------------------------------------------------


def _refusals(request: Request, viewer: Viewer, code: str, given: list[UploadFile]) -> list[str]:
    """What stops the upload before any file is read, in words to act on."""
    errors = []
    mine = viewer.account.la
    if not code:
        errors.append("Local authority: enter the LA's code, like 931.")
    elif mine is not None and code != mine:
        errors.append(f"Local authority: your account is for LA {mine}; you cannot load {code}.")
    if not given:
        errors.append("Files: choose the return's files (CSV, XML, Excel or a zip of them).")
    length = request.headers.get("content-length", "")
    total = sum(f.size or 0 for f in given)
    if total > MAX_UPLOAD_BYTES or (length.isdigit() and int(length) > MAX_UPLOAD_BYTES + 1e6):
        errors.append(
            f"Files: they come to more than {MAX_UPLOAD_BYTES // 1024 // 1024} MB in all. Zip "
            "them, or load them in parts (a year at a time), or ask your administrator to "
            "load them with `carejourney import`."
        )
    wrong = [
        safe_name(f.filename)
        for f in given
        if Path(safe_name(f.filename)).suffix.lower() not in SUFFIXES
    ]
    if wrong:
        errors.append(
            "Files: carejourney reads CSV, XML, Excel and zip files; these are none of those: "
            + ", ".join(wrong)
            + "."
        )
    return errors


def _import(engine: Engine, given: list[UploadFile], la: str) -> tuple[imports.ImportOutcome, str]:
    """The outcome, and the temporary folder's path as the file names begin with it."""
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX))
    try:
        paths = []
        for upload in given:
            name = safe_name(upload.filename)
            path, n = folder / name, 1
            while path.exists():  # two files of one name: keep both
                n += 1
                path = folder / f"{Path(name).stem} ({n}){Path(name).suffix}"
            with path.open("wb") as out:
                shutil.copyfileobj(upload.file, out)
            paths.append(path)
        # The folder, as `carejourney import FOLDER`: its files are one return.
        return imports.import_returns(engine, [folder], la=la), str(folder) + os.sep
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _name_batch(conn: Connection, batch_id: int, viewer: Viewer, folder: str) -> None:
    """The batch as the person who uploaded it knows it: imported by them (not the server's
    account), its files by their own names (not the temporary folder's path)."""
    conn.execute(
        update(import_batch).where(import_batch.c.id == batch_id).values(imported_by=viewer.who)
    )
    for table, column in (
        (import_file, import_file.c.name),
        (import_problem, import_problem.c.file),
    ):
        conn.execute(
            update(table)
            .where(table.c.batch_id == batch_id, column.startswith(folder, autoescape=True))
            .values({column.name: func.substr(column, len(folder) + 1)})
        )


def _what_happened(outcome: imports.ImportOutcome | None, errors: list[str], files: int) -> str:
    noun = f"{files} file{'s' if files != 1 else ''}"
    if outcome is None:
        return f"refused before reading: {noun}"
    counts = _severities(outcome.problems)
    if not outcome.stored:
        return f"refused: {noun}, {counts.get('error', 0)} errors"
    assert outcome.saved is not None
    if outcome.saved.batch_id is None:
        return f"nothing changed: {noun}"
    return f"stored batch {outcome.saved.batch_id}: {noun}, {counts.get('warning', 0)} warnings"


def _summary(outcome: imports.ImportOutcome) -> str:
    """The outcome in a sentence, as `carejourney import` prints it."""
    saved = outcome.saved
    if saved is None:
        return (
            "Nothing was stored: fix the errors below and upload the files again. The "
            "database is exactly as it was."
        )
    if saved.batch_id is None:
        return f"Nothing changed: these files are already loaded for LA {outcome.la}."
    parts = [f"Stored batch {saved.batch_id} for LA {outcome.la}:"]
    parts.append(imports.what_was_stored(saved))
    return " ".join(parts) + "."


def _severities(problems: list[Problem]) -> dict[str, int]:
    counts = Counter(str(p.severity) for p in problems)
    return {s.value: counts[s.value] for s in Severity if counts[s.value]}


def _page(
    request: Request,
    viewer: Viewer,
    las: list[str],
    la: str | None,
    batches: list[queries.BatchSummary],
    *,
    upload: dict[str, Any] | None = None,
    status_code: int = 200,
) -> Response:
    return render(
        request,
        "data.html.j2",
        {
            "las": las,
            "la": la,
            "batches": list(reversed(batches)),  # newest first
            "may_upload": viewer.role in UPLOADERS,
            "fixed_la": viewer.account.la,
            "upload": upload,
            "show_values": viewer.sees_ids,
            "shown_file": shown_file,
            "max_mb": MAX_UPLOAD_BYTES // 1024 // 1024,
            "year_label": year_label,
        },
        viewer=viewer,
        title=("Error: " if upload and status_code != 200 else "") + "Data",
        status_code=status_code,
    )
