"""The drift list: every child's next milestones, when each is due and who is overdue.

The same list as `carejourney drift` (`measures.summaries.drift_list`), for the chosen LA,
the app's rule sets and an as-at date, worked out once per version of the LA's data and
kept (`web.data.cached`); each request then only filters, sorts and pages it. A plain GET
form chooses what is shown, so the page works without JavaScript and its address can be
bookmarked; the downloads take the same query.

Team managers and practitioners see only their own children. Analysts see pseudonyms and
no links to records. Every child named on a page or in a download goes in the access log.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import re
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

import polars as pl
import xlsxwriter  # type: ignore[import-untyped]
from fastapi import APIRouter, Request
from sqlalchemy import Connection
from starlette.responses import Response

from carejourney.config.rules import RuleSet, load_rule_set
from carejourney.measures import summaries
from carejourney.reports.diagnostic import report_salt
from carejourney.reports.disclosure import DisclosureRules, pseudonymise
from carejourney.store import access
from carejourney.web.data import cached, chosen_la, data_version, journeys_for, las_for
from carejourney.web.permissions import Viewer, allow, child_filter, engine_of
from carejourney.web.roles import Role
from carejourney.web.templating import render

router = APIRouter()
E = TypeVar("E", bound=StrEnum)

DRIFT_ROLES = (
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.ANALYST,
    Role.AUDITOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
)
PAGE_SIZE = 50  # rows a page shows (more would slow every page); the downloads hold them all
DUE_SOON_DAYS = 28  # the default "due within" window, and the reminder for rules with none
TAGS = {"overdue": "overdue", "reminder due": "due-soon", "met on time": "met", "met late": "met"}
SHOWN_COLUMNS = [
    "CHILD",
    "status",
    "due_date",
    "days_late",
    "days_left",
    "rule_set",
    "rule",
    "title",
    "why",
    "team",
    "worker",
    "age",
    "route",
]


class Status(StrEnum):
    """Which rows the list shows."""

    OVERDUE = "overdue"
    REMINDER = "reminder"  # a reminder is due (the rule's window, or 28 days if it has none)
    DUE_SOON = "due-soon"  # not overdue, due within N days
    OPEN = "open"  # overdue, reminder due and on track: what still needs doing
    ALL = "all"  # also the milestones met (on time or late) and those no longer applicable


STATUS_LABELS = {
    Status.OVERDUE: "Overdue",
    Status.REMINDER: "Reminder due",
    Status.DUE_SOON: "Due soon (within the days below)",
    Status.OPEN: "All still to do",
    Status.ALL: "Everything, including met",
}


# The figures above the list: each count links to the list of it.
FIGURES = (
    ("overdue", Status.OVERDUE),
    ("reminders due", Status.REMINDER),
    ("still to do in all", Status.OPEN),
)


class Sort(StrEnum):
    URGENCY = "days-overdue"  # most days overdue first, then fewest days left
    DUE_DATE = "due-date"
    CHILD = "child"
    TEAM = "team"


SORT_LABELS = {
    Sort.URGENCY: "Most overdue first",
    Sort.DUE_DATE: "Due date",
    Sort.CHILD: "Child",
    Sort.TEAM: "Team",
}


@dataclass(frozen=True)
class DriftQuery:
    """What the viewer asked to see, read from the address (bad values noted in `errors`
    and replaced by the defaults, so a mistyped address still shows a list)."""

    as_at: dt.date | None = None  # None: the latest day the data covers
    status: Status = Status.OPEN
    within: int = DUE_SOON_DAYS
    team: str | None = None
    rule: str | None = None
    worker: str | None = None
    sort: Sort = Sort.URGENCY
    page: int = 1
    errors: tuple[str, ...] = ()

    def params(self, la: str | None, **changes: Any) -> str:
        """The query string for this view (with `changes`), as the form would send it."""
        view = replace(self, **changes)
        values = {
            "la": la,
            "as_at": None if view.as_at is None else view.as_at.isoformat(),
            "status": view.status.value,
            "within": str(view.within) if view.status is Status.DUE_SOON else None,
            "team": view.team,
            "rule": view.rule,
            "worker": view.worker,
            "sort": view.sort.value,
            "page": str(view.page) if view.page > 1 else None,
        }
        return urlencode({k: v for k, v in values.items() if v})


def parse_date(text: str) -> dt.date | None:
    """A date typed as dd/mm/yyyy (d/m/yyyy too) or sent by a date input (yyyy-mm-dd);
    None if it is neither."""
    text = text.strip()
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return dt.date.fromisoformat(text)
        match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", text)
        if match:
            day, month, year = (int(g) for g in match.groups())
            return dt.date(year, month, day)
    except ValueError:
        return None
    return None


def read_query(request: Request) -> DriftQuery:
    given = request.query_params
    errors: list[str] = []
    as_at = None
    if given.get("as_at"):
        as_at = parse_date(given["as_at"])
        if as_at is None:
            errors.append(
                "As-at date: enter a real date as dd/mm/yyyy, for example 31/03/2026. "
                "The list below is as at the latest day your data covers."
            )
    within = DUE_SOON_DAYS
    if given.get("within"):
        text = given["within"].strip()
        if text.isdigit() and 0 <= int(text) <= 3650:
            within = int(text)
        else:
            errors.append(f"Due within: enter a whole number of days (the list uses {within}).")
    page = given.get("page", "1")
    return DriftQuery(
        as_at=as_at,
        status=_choice(Status, given.get("status"), Status.OPEN),
        within=within,
        team=given.get("team") or None,
        rule=given.get("rule") or None,
        worker=given.get("worker") or None,
        sort=_choice(Sort, given.get("sort"), Sort.URGENCY),
        page=int(page) if page.isdigit() and int(page) > 0 else 1,
        errors=tuple(errors),
    )


def _choice(kind: type[E], value: str | None, default: E) -> E:
    try:
        return kind(value) if value else default
    except ValueError:
        return default


def rule_sets_of(request: Request) -> list[RuleSet]:
    """The rule sets the app was started with (`carejourney serve --rules`)."""
    return [load_rule_set(name) for name in request.app.state.settings.rule_sets]


@dataclass(frozen=True)
class DriftList:
    as_at: dt.date
    default: bool  # as at the latest day the data covers, rather than a date chosen
    rows: pl.DataFrame
    key: Hashable = None  # where it is kept (`web.data.cached`), and for which data
    version: Hashable = None


def drift_for(
    request: Request, conn: Connection, la: str, as_at: dt.date | None, *, pseudonyms: bool = False
) -> DriftList:
    """The LA's whole drift list as at `as_at` (None: the latest day the data covers), kept
    until the LA's data changes; with `pseudonyms`, each child's ID replaced by their
    pseudonym (kept too: hashing thousands of IDs on every page would be slow)."""
    names = tuple(request.app.state.settings.rule_sets)
    # The default as-at date is never after today, so it may move at midnight.
    version = (data_version(conn, la), dt.date.today() if as_at is None else None)
    key = ("drift", id(engine_of(request)), la, as_at, names)

    def compute() -> DriftList:
        journeys = journeys_for(request, conn, la)
        when = as_at or summaries.default_as_at(journeys)
        rows = summaries.drift_list(journeys, rule_sets_of(request), when)
        return DriftList(when, as_at is None, rows, key, version)

    found = cached(key, version, compute)
    if not pseudonyms:
        return found
    salt = report_salt()
    salted = (*key, "pseudonyms", hashlib.sha256(salt).hexdigest())
    return cached(
        salted, version, lambda: replace(found, rows=pseudonymised(found.rows, salt), key=salted)
    )


def reminder_due() -> pl.Expr:
    """A reminder is due: the rule's reminder date has come, or, for a rule without one,
    the milestone falls due within `DUE_SOON_DAYS` days."""
    status, left = pl.col("status"), pl.col("days_left")
    no_reminder = pl.col("reminder_date").is_null() & (left <= DUE_SOON_DAYS)
    return (status == "reminder due") | ((status == "on track") & no_reminder)


def status_filter(status: Status, within: int = DUE_SOON_DAYS) -> pl.Expr:
    if status is Status.OVERDUE:
        return pl.col("status") == "overdue"
    if status is Status.REMINDER:
        return reminder_due()
    if status is Status.DUE_SOON:
        return pl.col("status").is_in(["reminder due", "on track"]) & (
            pl.col("days_left") <= within
        )
    if status is Status.OPEN:
        return pl.col("status").is_in(list(summaries.OPEN))
    return pl.lit(True)


def in_scope(conn: Connection, viewer: Viewer, la: str, rows: pl.DataFrame) -> pl.DataFrame:
    """The rows about children the viewer may see: all of them for a role that sees only
    figures or pseudonyms (analyst), else the viewer's scope (team, own caseload)."""
    if not viewer.sees_ids:
        return rows
    return rows.filter(child_filter(conn, viewer, la))


def pseudonymised(rows: pl.DataFrame, salt: bytes) -> pl.DataFrame:
    """The rows with each child's ID replaced by their pseudonym (as the published report
    does, so the same child has the same pseudonym in both)."""
    return pseudonymise(rows, "CHILD", salt, DisclosureRules())


def _sorted(rows: pl.DataFrame, sort: Sort) -> pl.DataFrame:
    """The rows in the order asked for; ties keep the list's urgency order."""
    if sort is Sort.DUE_DATE:
        return rows.sort("due_date", "CHILD", nulls_last=True, maintain_order=True)
    if sort is Sort.CHILD:
        return rows.sort("CHILD", "due_date", maintain_order=True)
    if sort is Sort.TEAM:
        return rows.sort("team", nulls_last=True, maintain_order=True)
    return rows


@dataclass(frozen=True)
class Scoped:
    """The drift list in one viewer's scope, with what its page offers to choose from: kept
    per scope (the whole LA, a team, a caseload), as working these out for a large LA on
    every page would take most of the page's time."""

    rows: pl.DataFrame  # every status
    counts: dict[Status, int]  # for the figures above the list
    teams: list[str]
    workers: list[str]
    rules: list[tuple[str, str]]  # (rule, title)
    several_sets: bool


def scoped_list(conn: Connection, viewer: Viewer, la: str, drift: DriftList) -> Scoped:
    def compute() -> Scoped:
        rows = in_scope(conn, viewer, la, drift.rows)
        counts = {status: rows.filter(status_filter(status)).height for _, status in FIGURES}
        return Scoped(
            rows,
            counts,
            _options(rows, "team"),
            _options(rows, "worker"),
            _rules(rows),
            rows["rule_set"].n_unique() > 1,
        )

    account = viewer.account
    whose = (viewer.scope, account.la, account.team, account.worker)
    return cached((drift.key, "scope", whose), drift.version, compute)


@dataclass(frozen=True)
class Chosen:
    """The drift list as the viewer asked for it."""

    la: str
    drift: DriftList
    query: DriftQuery
    scoped: Scoped
    rows: pl.DataFrame  # filtered and sorted: what the page pages through and downloads hold
    pseudonyms: bool


def choose(request: Request, conn: Connection, viewer: Viewer, la: str) -> Chosen:
    query = read_query(request)
    drift = drift_for(request, conn, la, query.as_at, pseudonyms=not viewer.sees_ids)
    scoped = scoped_list(conn, viewer, la, drift)
    rows = scoped.rows.filter(status_filter(query.status, query.within))
    for column, value in (("team", query.team), ("rule", query.rule), ("worker", query.worker)):
        if value is not None:
            rows = rows.filter(pl.col(column) == value)
    return Chosen(la, drift, query, scoped, _sorted(rows, query.sort), not viewer.sees_ids)


def shown_rows(rows: pl.DataFrame) -> list[dict[str, Any]]:
    """The rows as the tables show them (`drift_macros.table`): the columns shown, with the
    days late or left in words and the status's tag worked out here, once per row."""
    shown = []
    for row in rows.select(SHOWN_COLUMNS).iter_rows(named=True):
        status = row["status"]
        days = row["days_late"] if status in ("overdue", "met late") else row["days_left"]
        word = "late" if status in ("overdue", "met late") else "left"
        open_or_late = status in ("overdue", "met late", "reminder due", "on track")
        row["days"] = (
            f"{days:,} day{'' if days == 1 else 's'} {word}"
            if days is not None and open_or_late
            else ""
        )
        row["tag"] = TAGS.get(status, "plain")
        shown.append(row)
    return shown


def _record(
    conn: Connection, viewer: Viewer, la: str, action: str, rows: pl.DataFrame, detail: str
) -> None:
    """Every child the viewer was shown, by ID, goes in the access log; a list of pseudonyms
    (or of no one) is one entry without a child."""
    children = [] if not viewer.sees_ids else rows["CHILD"].to_list()
    if children:
        access.record_children(conn, action, children, la=la, who=viewer.who, detail=detail)
    else:
        access.record(conn, action, who=viewer.who, la=la, detail=detail)


def _options(frame: pl.DataFrame, column: str) -> list[str]:
    return sorted(v for v in frame[column].unique().to_list() if v is not None)


@router.get("/drift")
def drift_page(request: Request, viewer: Annotated[Viewer, allow(*DRIFT_ROLES)]) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is None:
            context: dict[str, Any] = {"las": las, "la": None}
            return render(request, "drift.html.j2", context, viewer=viewer, title="Drift list")
        chosen = choose(request, conn, viewer, la)
    query, rows = chosen.query, chosen.rows
    pages = max(1, -(-rows.height // PAGE_SIZE))
    page = min(query.page, pages)
    shown = rows.slice((page - 1) * PAGE_SIZE, PAGE_SIZE)
    detail = f"as at {chosen.drift.as_at:%d/%m/%Y}, page {page}"
    with engine.begin() as conn:
        _record(conn, viewer, la, "viewed drift list", shown, detail)
    scoped = chosen.scoped
    context = {
        "las": las,
        "la": la,
        "chosen": chosen,
        "query": query,
        "shown": shown_rows(shown),
        "total": rows.height,
        "page": page,
        "pages": pages,
        "link": lambda **changes: "/drift?" + query.params(la, **changes),
        "download": lambda kind: f"/drift.{kind}?" + query.params(la, page=1),
        "child_link": None if chosen.pseudonyms else _child_link(la),
        "counts": [
            (label, scoped.counts[status], "/drift?" + query.params(la, status=status, page=1))
            for label, status in FIGURES
        ],
        "statuses": STATUS_LABELS,
        "sorts": SORT_LABELS,
        "teams": scoped.teams,
        # A practitioner's list is their own caseload: choosing a worker would add nothing.
        "workers": [] if viewer.role is Role.PRACTITIONER else scoped.workers,
        "rules": scoped.rules,
        "several_sets": scoped.several_sets,
        "errors": list(query.errors),
    }
    return render(request, "drift.html.j2", context, viewer=viewer, title="Drift list")


def child_url(child: str, la: str, **more: str) -> str:
    """The address of a child's journey (an ID from a file may hold any character)."""
    return f"/children/{quote(child, safe='')}?" + urlencode({"la": la, **more})


def _child_link(la: str) -> Callable[[str], str]:
    return lambda child: child_url(child, la)


def _rules(frame: pl.DataFrame) -> list[tuple[str, str]]:
    pairs = frame.select("rule", "title").unique().sort("rule").iter_rows()
    return [(rule, title) for rule, title in pairs]


def download_frame(chosen: Chosen) -> pl.DataFrame:
    """What a download holds: every row of the list as chosen, with the command line's
    columns (`carejourney drift --csv`)."""
    frame = chosen.rows.drop("occurrence")
    return frame.rename({"CHILD": "child_pseudonym"}) if chosen.pseudonyms else frame


def _download(request: Request, viewer: Viewer, kind: str) -> Response:
    engine = engine_of(request)
    with engine.connect() as conn:
        la = chosen_la(request, conn, viewer)
        if la is None:
            return Response("The database holds no local authority you may see.", 404)
        chosen = choose(request, conn, viewer, la)
    frame = download_frame(chosen)
    with engine.begin() as conn:
        detail = f"{kind.upper()}, as at {chosen.drift.as_at:%d/%m/%Y}"
        _record(conn, viewer, la, "downloaded drift list", chosen.rows, detail)
    name = f"drift-list-{la}-{chosen.drift.as_at:%Y-%m-%d}.{kind}"
    if kind == "csv":
        body = frame.write_csv(date_format="%d/%m/%Y").encode("utf-8-sig")
        media = "text/csv; charset=utf-8"
    else:
        body = workbook(frame, f"Drift list, LA {la}, as at {chosen.drift.as_at:%d/%m/%Y}")
        media = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media, headers=headers)


@router.get("/drift.csv")
def drift_csv(request: Request, viewer: Annotated[Viewer, allow(*DRIFT_ROLES)]) -> Response:
    return _download(request, viewer, "csv")


@router.get("/drift.xlsx")
def drift_xlsx(request: Request, viewer: Annotated[Viewer, allow(*DRIFT_ROLES)]) -> Response:
    return _download(request, viewer, "xlsx")


def workbook(frame: pl.DataFrame, title: str) -> bytes:
    """One sheet: the title, then the headings (bold, filtered, frozen) and the rows, dates
    as dates and IDs as text."""
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})
    sheet = book.add_worksheet("Drift list")
    bold = book.add_format({"bold": True})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write(0, 0, title, bold)
    for c, column in enumerate(frame.columns):
        sheet.write_string(1, c, column, bold)
    for r, row in enumerate(frame.iter_rows(), start=2):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, dt.date):
                sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), day)
            elif isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, str(value))
    sheet.autofilter(1, 0, max(1, frame.height + 1), max(0, frame.width - 1))
    sheet.freeze_panes(2, 0)
    book.close()
    return out.getvalue()
