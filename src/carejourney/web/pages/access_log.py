"""The access log, for auditors: who looked at which child, searched and downloaded.

The log is append-only: this page only reads it, and no route changes or removes an
entry (a test searches the source and watches every statement a walk of the pages sends).
Looking at the log, or downloading it, is itself recorded, without a child. Times are
stored in UTC and shown, and searched by date, in UK time.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy import ColumnElement, Engine, Select, func, select
from starlette.responses import Response, StreamingResponse

from carejourney.store import access
from carejourney.store.tables import access_log
from carejourney.store.times import UK, uk_time
from carejourney.web.data import las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

router = APIRouter()

PAGE_SIZE = 100
RECENT = 10_000  # the actions offered as suggestions come from this many latest entries


@dataclass(frozen=True)
class Search:
    """What the auditor asked for; blank fields match everything."""

    who: str = ""
    action: str = ""
    child: str = ""
    la: str = ""
    since: dt.date | None = None  # the first day, UK time
    until: dt.date | None = None  # the last day, UK time, inclusive

    def query(self) -> dict[str, str]:
        """The search as URL parameters (for the page links and the download)."""
        given = {
            "who": self.who,
            "action": self.action,
            "child": self.child,
            "la": self.la,
            "from": self.since.isoformat() if self.since else "",
            "to": self.until.isoformat() if self.until else "",
        }
        return {k: v for k, v in given.items() if v}

    def described(self) -> str:
        """The search in words for the access log: the child's ID is not repeated in it."""
        terms = [f"{k} {v}" for k, v in self.query().items() if k != "child"]
        if self.child:
            terms.append("a child")
        return "search: " + (", ".join(terms) or "everything")


def _day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, UK).astimezone(dt.UTC)


def _parse_date(value: str, what: str, errors: list[str]) -> dt.date | None:
    value = value.strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        errors.append(f"The {what} date is not a date: give it as day, month and year.")
        return None


def _search(
    who: str, action: str, child: str, la: str, since: str, until: str
) -> tuple[Search, list[str]]:
    errors: list[str] = []
    first = _parse_date(since, "'from'", errors)
    last = _parse_date(until, "'to'", errors)
    if first and last and first > last:
        errors.append("The 'from' date is after the 'to' date: swap them.")
    found = Search(who.strip().lower(), action.strip(), child.strip(), la.strip(), first, last)
    return found, errors


def _where(search: Search, viewer_la: str | None, las: list[str]) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if search.child:
        # The index by (LA, child) finds a child's entries at once, given the LAs to look in.
        allowed = {viewer_la} if viewer_la is not None else set(las)
        wanted = allowed & {search.la} if search.la else allowed
        where += [access_log.c.la.in_(sorted(wanted)), access_log.c.child == search.child]
    else:
        # Newest first is quickest read straight back through the table, so the LA is
        # compared in a way that keeps the database from using the index by (LA, child)
        # and then sorting everything it found. An auditor for one LA sees its entries
        # and those about no LA (signing in).
        if viewer_la is not None:
            where.append(func.coalesce(access_log.c.la, viewer_la) == viewer_la)
        if search.la:
            where.append(func.coalesce(access_log.c.la, "") == search.la)
    if search.who:
        where.append(func.lower(access_log.c.who) == search.who)
    if search.action:
        where.append(func.lower(access_log.c.action) == search.action.lower())
    if search.since:
        where.append(access_log.c.at >= _day_start(search.since))
    if search.until:
        where.append(access_log.c.at < _day_start(search.until + dt.timedelta(days=1)))
    return where


def _entries(search: Search, viewer: Viewer, las: list[str]) -> Select[Any]:
    return (
        select(
            access_log.c.at,
            access_log.c.who,
            access_log.c.action,
            access_log.c.la,
            access_log.c.child,
            access_log.c.detail,
        )
        .where(*_where(search, viewer.account.la, las))
        .order_by(access_log.c.id.desc())
    )


@router.get("/access-log")
def access_log_page(
    request: Request,
    viewer: Annotated[Viewer, allow(Role.AUDITOR)],
    who: str = "",
    action: str = "",
    child: str = "",
    la: str = "",
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
    page: Annotated[int, Query(ge=1)] = 1,
) -> Response:
    search, errors = _search(who, action, child, la, since, until)
    rows: list[Any] = []
    engine = engine_of(request)
    with engine.begin() as conn:
        las = las_for(conn, viewer)
        recent = select(access_log.c.action).order_by(access_log.c.id.desc()).limit(RECENT)
        held = recent.subquery()
        actions = sorted(conn.execute(select(held.c.action).distinct()).scalars())
        if not errors:
            query = (
                _entries(search, viewer, las).offset((page - 1) * PAGE_SIZE).limit(PAGE_SIZE + 1)
            )
            rows = list(conn.execute(query))
        access.record(conn, "viewed access log", who=viewer.who, detail=search.described())
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    params = search.query()
    return render(
        request,
        "access_log.html.j2",
        {
            "search": search,
            "errors": errors,
            "entries": [{**row._mapping, "at": uk_time(row.at)} for row in rows],
            "las": las,
            "actions": actions,
            "page": page,
            "first": (page - 1) * PAGE_SIZE + 1,
            "newer": urlencode({**params, "page": page - 1}) if page > 1 else None,
            "older": urlencode({**params, "page": page + 1}) if more else None,
            "csv": urlencode(params),
        },
        viewer=viewer,
        title="Access log",
        status_code=400 if errors else 200,
    )


def _csv_rows(engine: Engine, query: Select[Any]) -> Iterator[str]:
    """The CSV file, written as the rows come, so a long log needs little memory."""
    out = io.StringIO()
    out.write("\ufeff")  # so that Excel reads it as UTF-8
    writer = csv.writer(out)
    writer.writerow(["When (UK time)", "Who", "Action", "LA", "Child", "Detail"])
    with engine.connect() as conn:
        for row in conn.execution_options(yield_per=1000).execute(query):
            writer.writerow(
                [
                    f"{uk_time(row.at):%Y-%m-%d %H:%M:%S}",
                    *(_safe(v) for v in (row.who, row.action, row.la, row.child, row.detail)),
                ]
            )
            if out.tell() > 64_000:
                yield out.getvalue()
                out.seek(0)
                out.truncate()
    yield out.getvalue()


def _safe(value: str | None) -> str:
    """A cell a spreadsheet will not run as a formula (names and details are typed by
    people; a sign-on name could start with "=")."""
    text = value or ""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/access-log.csv")
def access_log_csv(
    request: Request,
    viewer: Annotated[Viewer, allow(Role.AUDITOR)],
    who: str = "",
    action: str = "",
    child: str = "",
    la: str = "",
    since: Annotated[str, Query(alias="from")] = "",
    until: Annotated[str, Query(alias="to")] = "",
) -> Response:
    search, errors = _search(who, action, child, la, since, until)
    if errors:
        return render(
            request,
            "error.html.j2",
            {"heading": "The search is not right", "message": " ".join(errors)},
            viewer=viewer,
            title="The search is not right",
            status_code=400,
        )
    engine = engine_of(request)
    with engine.begin() as conn:
        las = las_for(conn, viewer)
        access.record(conn, "exported access log", who=viewer.who, detail=search.described())
    name = f"access-log-{dt.datetime.now(UK):%Y-%m-%d}.csv"
    return StreamingResponse(
        _csv_rows(engine, _entries(search, viewer, las)),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )
