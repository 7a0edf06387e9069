"""Home: what needs attention today, for the person signed in.

The overdue milestones and the reminders due among the children they may see (a manager or
auditor: all of them; a team manager: the team's; a practitioner: their own), with links
to the drift list filtered to each; and the aims whose charts show a new signal. An analyst
or administrator sees the LA's counts only, never a child's ID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlencode

import polars as pl
from fastapi import APIRouter, Request
from sqlalchemy import Connection, func, select
from starlette.responses import Response

from carejourney.improvement.aims import AimError, Measure, list_aims
from carejourney.improvement.chart import aim_series, place_cycles
from carejourney.improvement.cycles import list_cycles
from carejourney.measures.spc.analysis import SpcOptionsError, spc
from carejourney.measures.spc.types import Signal, SignalKind, SpcOptions
from carejourney.store import access
from carejourney.store.tables import aim, pdsa_cycle
from carejourney.web.data import cached, chosen_la, data_version, journeys_for, las_for
from carejourney.web.pages.drift import (
    DRIFT_ROLES,
    Status,
    child_url,
    drift_for,
    reminder_due,
    scoped_list,
    shown_rows,
)
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES, ChildScope
from carejourney.web.templating import render

router = APIRouter()

SHORT_LIST = 5  # children named in each short list; the drift list has the rest
NEW_POINTS = 3  # a signal is new if it involves one of the latest this many points
# Judgements on a whole part of a chart (too few crossings or runs) are not news.
PART_WIDE = (SignalKind.FEW_CROSSINGS, SignalKind.FEW_RUNS, SignalKind.MANY_RUNS)


@dataclass(frozen=True)
class NewSignal:
    """An aim whose chart signals at one of its latest points, in words."""

    name: str
    statement: str
    signals: tuple[str, ...]


@router.get("/")
def home(request: Request, viewer: Annotated[Viewer, allow(*ALL_ROLES)]) -> Response:
    engine = engine_of(request)
    context: dict[str, object] = {}
    named: list[str] = []
    with engine.connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is not None:
            context, named = _attention(request, conn, viewer, la)
            context["aims"] = aims_with_new_signals(request, conn, la)
    if la is not None and named:
        with engine.begin() as conn:
            detail = "overdue and reminders due"
            access.record_children(
                conn, "viewed home page", named, la=la, who=viewer.who, detail=detail
            )
    context.update(las=las, la=la, scope=_scope_words(viewer))
    return render(request, "home.html.j2", context, viewer=viewer, title="Home")


def _attention(
    request: Request, conn: Connection, viewer: Viewer, la: str
) -> tuple[dict[str, object], list[str]]:
    """The counts and short lists of overdue milestones and reminders due, and the children
    the lists name."""
    drift = drift_for(request, conn, la, None)
    scoped = scoped_list(conn, viewer, la, drift)
    rows = scoped.rows
    overdue = rows.filter(pl.col("status") == "overdue")
    reminders = rows.filter(reminder_due())
    lists = viewer.sees_ids  # analysts and administrators see counts only
    shown = [frame.head(SHORT_LIST) if lists else frame.clear() for frame in (overdue, reminders)]
    named = pl.concat(shown)["CHILD"].to_list()
    link = viewer.role in DRIFT_ROLES

    def drift_link(status: Status) -> str | None:
        return "/drift?" + urlencode({"la": la, "status": status.value}) if link else None

    context = {
        "as_at": drift.as_at,
        "overdue": _count(overdue),
        "reminders": _count(reminders),
        "overdue_rows": shown_rows(shown[0]),
        "reminder_rows": shown_rows(shown[1]),
        "overdue_link": drift_link(Status.OVERDUE),
        "reminders_link": drift_link(Status.REMINDER),
        "child_link": (lambda child: child_url(child, la)) if lists else None,
        "several_sets": scoped.several_sets,
    }
    return context, named


def _count(rows: pl.DataFrame) -> dict[str, int]:
    return {"milestones": rows.height, "children": rows["CHILD"].n_unique()}


def _scope_words(viewer: Viewer) -> str:
    account = viewer.account
    if viewer.scope is ChildScope.TEAM:
        return f"the children of your team ({account.team})"
    if viewer.scope is ChildScope.OWN:
        return "the children allocated to you"
    return "all the local authority's children"


def _aims_version(conn: Connection, la: str) -> Hashable:
    """Changes whenever an aim or PDSA cycle of the LA is added or edited."""
    aims = conn.execute(select(func.count(), func.max(aim.c.id)).where(aim.c.la == la)).one()
    cycles = conn.execute(
        select(func.count(), func.max(pdsa_cycle.c.id), func.max(pdsa_cycle.c.updated_at))
        .select_from(pdsa_cycle.join(aim))
        .where(aim.c.la == la)
    ).one()
    return (*aims, *cycles)


def aims_with_new_signals(request: Request, conn: Connection, la: str) -> list[NewSignal]:
    """The LA's aims whose charts signal at one of their latest points, worked out once per
    version of the data, the aims and their cycles (charting every aim takes a while)."""
    version = (data_version(conn, la), _aims_version(conn, la), dt.date.today())
    key = ("home aims", id(engine_of(request)), la)
    return cached(key, version, lambda: _new_signals(request, conn, la))


def _new_signals(request: Request, conn: Connection, la: str) -> list[NewSignal]:
    found = []
    aims = list_aims(conn, la)
    journeys = (
        journeys_for(request, conn, la) if any(a.measure is Measure.RULE for a in aims) else None
    )
    for one in aims:
        try:
            series, _ = aim_series(conn, journeys, one)
            if not len(series):
                continue
            placed = place_cycles(series.dates, list_cycles(conn, one))
            options = SpcOptions(
                chart=series.chart,
                parts=placed.parts,
                multiply=series.multiply,
                target=series.target,
                improvement=series.improvement,
            )
            result = spc(series.series, options)
        except (AimError, SpcOptionsError):
            continue  # the aim's own page says why it cannot be charted
        size = len(series)
        labels = series.series.labels or tuple(str(n) for n in range(1, size + 1))
        new = [s for s in result.signals if s.kind not in PART_WIDE and s.last > size - NEW_POINTS]
        if new:
            words = tuple(signal_words(s, size, labels) for s in new)
            found.append(NewSignal(one.name, one.statement, words))
    return found


def signal_words(signal: Signal, size: int, labels: tuple[str, ...]) -> str:
    """A signal in a few plain words, and where it ends."""
    side = {"above": "above", "below": "below"}.get(signal.side.value if signal.side else "", "")
    count = f"{signal.length} " if signal.length else ""
    what = {
        SignalKind.OUTSIDE_LIMITS: "A point outside the control limits",
        SignalKind.LONG_RUN: f"A long run of {count}points {side} the centre line",
        SignalKind.SHIFT: f"A shift: {count}points in a row {side} the centre line",
        SignalKind.TREND: f"A trend: {count}points in a row "
        + ("rising" if side == "above" else "falling" if side == "below" else "moving one way"),
        SignalKind.TWO_OF_THREE: "Two of three points near a control limit",
        SignalKind.ASTRONOMICAL: "An astronomical point",
    }.get(signal.kind, signal.kind.value.capitalize())
    what = " ".join(what.split())
    if signal.last == size:
        return f"{what}, at the latest point ({labels[-1]})."
    back = size - signal.last
    point = "point" if back == 1 else "points"
    return f"{what}, ending {back} {point} before the latest ({labels[signal.last - 1]})."
