"""The case audits as a list, chosen by month, status, auditor and team ("My audits": the
signed-in person's own), and the audit templates with their scales, read-only.

Each person sees only the audits they may open (`permissions.audit_scope`): the QA lead,
managers and auditors every audit of the LA; a team manager their team's; anyone else the
audits assigned to them. The list names children: every child on the page shown goes in
the access log.
"""

from __future__ import annotations

import datetime as dt
import os
from importlib import resources
from typing import Annotated, Any
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from starlette.responses import Response

from carejourney.config.audits import (
    ENVIRONMENT_VARIABLE,
    AuditTemplateError,
    Template,
    load_template,
    templates,
)
from carejourney.measures.audits import audit_frames
from carejourney.quality.audits import Status
from carejourney.store import access
from carejourney.web.data import cached, chosen_la, las_for
from carejourney.web.pages.audits import audit_sections, audits_version, grade_words
from carejourney.web.permissions import Viewer, allow, audit_scope, engine_of, is_assigned
from carejourney.web.roles import ALL_ROLES
from carejourney.web.templating import render

__all__ = ["router"]

router = APIRouter()

PAGE_SIZE = 50  # audits a page lists (and names in the access log)
STATUSES = [s.value for s in Status]


@router.get("/audits/list")
def audit_list_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    month: str = "",
    status: str = "",
    auditor: str = "",
    team: str = "",
    mine: str = "",
    page: int = 1,
) -> Response:
    engine = engine_of(request)
    chosen = {"month": month, "status": status, "auditor": auditor, "team": team, "mine": mine}
    context: dict[str, Any] = {"sections": audit_sections(request, viewer), "chosen": chosen}
    shown: pl.DataFrame | None = None
    with engine.connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is not None:
            frames = cached(
                ("audit frames", id(engine), la),
                audits_version(conn, la),
                lambda: audit_frames(conn, la),
            )
            scope = audit_scope(conn, viewer, la)
            visible = frames.audits.filter(scope.expr())
            rows = _chosen(visible, chosen, viewer)
            pages = max(1, -(-rows.height // PAGE_SIZE))
            page = min(max(page, 1), pages)
            shown = rows.slice((page - 1) * PAGE_SIZE, PAGE_SIZE)
            context |= {
                "rows": _rows(shown),
                "total": rows.height,
                "visible": visible.height,
                "page": page,
                "pages": pages,
                "page_link": lambda n: "/audits/list?" + _query(chosen, la, n),
                "options": _options(visible),
                "mine_link": "/audits/list?" + urlencode({"la": la, "mine": "1"}),
            }
    if la is not None and shown is not None and shown.height:
        with engine.begin() as conn:
            access.record_children(
                conn,
                "listed audits",
                shown["child"].to_list(),
                la=la,
                who=viewer.who,
                detail=f"audit list, page {context['page']}",
            )
    context |= {"las": las, "la": la, "statuses": STATUSES}
    title = "My audits" if mine else "Audits"
    return render(request, "audits_list.html.j2", context, viewer=viewer, title=title)


def _chosen(audits: pl.DataFrame, chosen: dict[str, str], viewer: Viewer) -> pl.DataFrame:
    """The audits the form chose, newest month first, then by date and number."""
    rows = audits
    month = _month(chosen["month"])
    if month is not None:
        rows = rows.filter(pl.col("month") == month)
    for column in ("status", "auditor", "team"):
        if chosen[column]:
            rows = rows.filter(pl.col(column) == chosen[column])
    if chosen["mine"]:
        names = rows["auditor"].unique().to_list()
        own = [name for name in names if is_assigned(viewer, name)]
        rows = rows.filter(pl.col("auditor").is_in(own))
    return rows.sort(["month", "audit_date", "id"], descending=[True, True, False], nulls_last=True)


def _month(text: str) -> dt.date | None:
    """A month chosen as "2026-11"."""
    try:
        return dt.date.fromisoformat(f"{text.strip()}-01")
    except ValueError:
        return None


def _query(chosen: dict[str, str], la: str, page: int) -> str:
    kept = {k: v for k, v in chosen.items() if v}
    return urlencode({"la": la, **kept, **({"page": str(page)} if page > 1 else {})})


def _options(audits: pl.DataFrame) -> dict[str, list[tuple[str, str]]]:
    """What the form offers: the months, auditors and teams of the audits the viewer sees."""
    months = sorted(audits["month"].drop_nulls().unique().to_list(), reverse=True)
    auditors = sorted(audits["auditor"].drop_nulls().unique().to_list(), key=str.lower)
    teams = sorted(audits["team"].drop_nulls().unique().to_list(), key=str.lower)
    return {
        "month": [(f"{m:%Y-%m}", f"{m:%B %Y}") for m in months],
        "auditor": [(a, a) for a in auditors],
        "team": [(t, t) for t in teams],
    }


def _rows(shown: pl.DataFrame) -> list[dict[str, Any]]:
    """The page's audits as the table shows them, grades by their labels."""
    found: dict[str, Template | None] = {}
    out = []
    for r in shown.iter_rows(named=True):
        name = r["template"]
        if name not in found:
            try:
                found[name] = load_template(name)
            except AuditTemplateError:
                found[name] = None
        grade = r["moderated_grade"] or r["overall"]
        out.append(
            {
                **r,
                "grade": grade_words(found[name], grade),
                "moderated": r["moderated_grade"] is not None,
            }
        )
    return out


# --- templates ---------------------------------------------------------------------------


@router.get("/audits/templates")
def templates_page(request: Request, viewer: Annotated[Viewer, allow(*ALL_ROLES)]) -> Response:
    problem = None
    try:
        found = templates()
    except AuditTemplateError as exc:  # the LA's own folder holds a file that cannot be used
        found, problem = [], str(exc)
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
    return render(
        request,
        "audits_templates.html.j2",
        {
            "las": las,
            "la": la,
            "sections": audit_sections(request, viewer),
            "templates": found,
            "problem": problem,
            "shipped": str(resources.files("carejourney.config").joinpath("audits")),
            "variable": ENVIRONMENT_VARIABLE,
            "own_folder": os.environ.get(ENVIRONMENT_VARIABLE),
        },
        viewer=viewer,
        title="Audit templates",
    )
