"""The diagnostic report: make it for the chosen LA, and download the files made.

A report is made in the request (a few seconds; the page says so) from the LA's cached
journeys, with the same pieces `carejourney report` uses (`reports.diagnostic`, the
writers, `reports.making.children_named`), and recorded in the access log the same way:
"report", published or internal, and for an internal report every child it names.
Internal reports show children's IDs and are for managers only: anyone else asking is
refused, and the refusal is logged.

The files are kept in a folder per LA under `reports_folder` (beside a SQLite database,
else in carejourney's data folder), each set with a small JSON file saying who made it,
when, as at which date, and for an internal report which children it names, so that each
download can be recorded with them. A file is only ever found by a name listed in one of
those JSON files: a name from the address bar cannot reach anywhere else.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, FastAPI, Form, Request
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import Connection
from starlette.exceptions import HTTPException
from starlette.responses import Response

from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.measures import summaries
from carejourney.reports import diagnostic
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Report, ReportContext
from carejourney.reports.html import write_html
from carejourney.reports.making import children_named, report_name
from carejourney.reports.xlsx import write_xlsx
from carejourney.sources.values import read_date
from carejourney.store import access, database
from carejourney.web.data import chosen_la, journeys_for, las_for
from carejourney.web.permissions import Forbidden, Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES, Role
from carejourney.web.templating import render

__all__ = ["FORMATS", "MadeReport", "made_reports", "reports_folder", "router"]

router = APIRouter()

FORMATS = {"html": "HTML (opens in a browser, prints on A4)", "xlsx": "XLSX workbook", "pdf": "PDF"}
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
# Only names carejourney gives its files; checked before any file is looked for.
FILE_NAME = re.compile(r"^carejourney-report-[A-Za-z0-9_-]+\.(html|xlsx|pdf)$")
INTERNAL = "-internal"
FOLDER = "web-reports"
INTERNAL_ROLES = frozenset({Role.MANAGER})


@dataclass(frozen=True)
class MadeReport:
    """One set of files made together (one report, in one or more formats)."""

    stem: str
    la: str
    as_at: dt.date
    internal: bool
    made_at: dt.datetime
    made_by: str
    files: tuple[str, ...]
    children: tuple[str, ...]  # internal only: the children it names


def reports_folder(app: FastAPI) -> Path:
    """Where the app keeps the reports it makes: `app.state.reports_folder` when set, else
    a folder beside a SQLite database, else beside carejourney's default database."""
    held: Path | None = getattr(app.state, "reports_folder", None)
    if held is None:
        url = app.state.engine.url
        if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
            base = Path(url.database).resolve().parent
        else:
            base = database.default_path().parent
        held = base / FOLDER
        app.state.reports_folder = held
    return held


def la_folder(app: FastAPI, la: str) -> Path:
    return reports_folder(app) / re.sub(r"[^A-Za-z0-9_-]+", "-", la)


def made_reports(folder: Path) -> list[MadeReport]:
    """The sets of files in an LA's folder, newest first."""
    made = []
    for path in folder.glob("*.json") if folder.is_dir() else []:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            made.append(
                MadeReport(
                    stem=path.stem,
                    la=data["la"],
                    as_at=dt.date.fromisoformat(data["as_at"]),
                    internal=bool(data["internal"]),
                    made_at=dt.datetime.fromisoformat(data["made_at"]),
                    made_by=data["made_by"],
                    files=tuple(data["files"]),
                    children=tuple(data.get("children", ())),
                )
            )
        except (OSError, ValueError, KeyError, TypeError):
            continue  # half written, or not ours: not offered
    return sorted(made, key=lambda m: m.made_at, reverse=True)


# --- pages ---------------------------------------------------------------------------------


@router.get("/report")
def report_page(
    request: Request, viewer: Annotated[Viewer, allow(*ALL_ROLES)], made: str = ""
) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
    notice = "The report was made: download its files below." if made else None
    return _page(request, viewer, las, la, {"as_at": "", "formats": ["html", "xlsx"]}, [], notice)


@router.post("/report")
def make_report_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    as_at: Annotated[str, Form()] = "",
    formats: Annotated[list[str] | None, Form()] = None,
    internal: Annotated[str, Form()] = "",
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
    if la is None:
        raise HTTPException(404)
    if internal and viewer.role not in INTERNAL_ROLES:
        with engine.begin() as conn:
            access.record(
                conn, "refused", who=viewer.who, la=la, detail="POST /report internal report"
            )
        raise Forbidden(
            "Only managers may make an internal report: it shows children's IDs. Make a "
            "published report instead (children shown by pseudonym, small numbers hidden)."
        )
    chosen = [f for f in dict.fromkeys(formats or []) if f in FORMATS]
    form = {"as_at": as_at, "formats": chosen, "internal": bool(internal)}
    errors = []
    day = read_date(as_at) if as_at.strip() else None
    if as_at.strip() and day is None:
        errors.append("As at: enter a real date written dd/mm/yyyy, like 31/03/2025.")
    if not chosen:
        errors.append("Files: choose at least one kind of file (HTML, XLSX or PDF).")
    if not errors:
        try:
            stem = _make(request, viewer, la, day, chosen, internal=bool(internal))
        except diagnostic.SaltError as exc:
            errors.append(f"The report cannot show children by pseudonym: {exc}")
        except OSError as exc:
            errors.append(
                "The report could not be saved on the server "
                f"({exc.strerror or type(exc).__name__}). Tell your administrator."
            )
        else:
            return RedirectResponse(f"/report?made={stem}#made", status_code=303)
    return _page(request, viewer, las, la, form, errors, None)


@router.get("/report/files/{name}")
def download_page(
    request: Request, name: str, viewer: Annotated[Viewer, allow(*ALL_ROLES)]
) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        la = chosen_la(request, conn, viewer)
    if la is None or not FILE_NAME.match(name):
        raise HTTPException(404)
    folder = la_folder(request.app, la)
    made = next((m for m in made_reports(folder) if name in m.files), None)
    path = folder / name
    if made is None or path.parent != folder or not path.is_file():
        raise HTTPException(404)
    refused = made.internal and viewer.role not in INTERNAL_ROLES
    # Recorded, then refused: raising inside the transaction would roll the record back.
    with engine.begin() as conn:
        if refused:
            access.record(conn, "refused", who=viewer.who, la=la, detail=f"download {name}")
        else:
            _record_download(conn, viewer, made, name)
    if refused:
        raise Forbidden("Only managers may download an internal report: it shows children's IDs.")
    extension = name.rsplit(".", 1)[1]
    return FileResponse(
        path,
        media_type=MEDIA_TYPES[extension],
        filename=name,
        content_disposition_type="attachment",
    )


# --- making and recording ------------------------------------------------------------------


def _make(
    request: Request,
    viewer: Viewer,
    la: str,
    as_at: dt.date | None,
    formats: list[str],
    *,
    internal: bool,
) -> str:
    """Build the report, record it, write its files into the LA's folder; its stem."""
    engine = engine_of(request)
    salt = diagnostic.report_salt()
    sets = tuple(load_rule_set(name) for name in request.app.state.settings.rule_sets)
    with engine.connect() as conn:
        journeys = journeys_for(request, conn, la)
        context = ReportContext(
            la=la,
            journeys=journeys,
            conn=conn,
            as_at=as_at or summaries.default_as_at(journeys),
            rule_sets=sets,
            unit_costs=load_unit_costs(),
            disclosure=DisclosureRules(internal=internal),
            salt=salt,
        )
        report = diagnostic.build_report(context, diagnostic.SECTIONS)
    named = children_named(report, journeys) if internal else []
    detail = "internal" if internal else "published"
    # Recorded before any file is written, as the CLI does: a file half written may be read.
    with engine.begin() as conn:
        access.record(conn, "report", who=viewer.who, la=la, detail=detail)
        if named:
            access.record_children(conn, "report", named, la=la, who=viewer.who, detail=detail)
    return _write(request.app, report, formats, viewer, named)


def _write(
    app: FastAPI, report: Report, formats: list[str], viewer: Viewer, named: list[str]
) -> str:
    folder = la_folder(app, report.la)
    folder.mkdir(parents=True, exist_ok=True)
    work = reports_folder(app) / f".making-{secrets.token_hex(8)}"
    work.mkdir()
    try:
        names = []
        for extension in formats:
            name = report_name(report.la, report.as_at, extension)
            if report.internal:
                name = name.removesuffix(f".{extension}") + f"{INTERNAL}.{extension}"
            _writer(extension)(report, work / name)
            names.append(name)
        stem = names[0].rsplit(".", 1)[0]
        for old in made_reports(folder):
            if old.stem == stem:  # the same report made again: the new files replace it
                for file in old.files:
                    (folder / file).unlink(missing_ok=True)
        for name in names:
            (work / name).replace(folder / name)
        record = {
            "la": report.la,
            "as_at": report.as_at.isoformat(),
            "internal": report.internal,
            "made_at": dt.datetime.now().astimezone().isoformat(timespec="seconds"),
            "made_by": viewer.who,
            "files": names,
            "children": named,
        }
        sidecar = work / f"{stem}.json"
        sidecar.write_text(json.dumps(record), encoding="utf-8")
        sidecar.replace(folder / f"{stem}.json")  # whole or not at all
        return stem
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _writer(extension: str) -> Any:
    if extension == "pdf":
        from carejourney.reports.pdf import write_pdf  # WeasyPrint: loaded only when asked

        return write_pdf
    return {"html": write_html, "xlsx": write_xlsx}[extension]


def _record_download(conn: Connection, viewer: Viewer, made: MadeReport, name: str) -> None:
    access.record(conn, "downloaded report", who=viewer.who, la=made.la, detail=name)
    if made.internal and made.children:
        access.record_children(
            conn, "downloaded report", made.children, la=made.la, who=viewer.who, detail=name
        )


def _page(
    request: Request,
    viewer: Viewer,
    las: list[str],
    la: str | None,
    form: dict[str, Any],
    errors: list[str],
    notice: str | None,
) -> Response:
    made = made_reports(la_folder(request.app, la)) if la else []
    shown = [m for m in made if not m.internal or viewer.role in INTERNAL_ROLES]
    sizes = {
        (m.stem, name): _size(la_folder(request.app, m.la) / name)
        for m in shown
        for name in m.files
    }
    return render(
        request,
        "report.html.j2",
        {
            "las": las,
            "la": la,
            "form": form,
            "errors": errors,
            "notice": notice,
            "formats": FORMATS,
            "may_internal": viewer.role in INTERNAL_ROLES,
            "made": shown,
            "sizes": sizes,
        },
        viewer=viewer,
        title=("Error: " if errors else "") + "Report",
        status_code=400 if errors else 200,
    )


def _size(path: Path) -> str:
    try:
        size = path.stat().st_size
    except OSError:
        return ""
    return f"{size / 1024:,.0f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.1f} MB"
