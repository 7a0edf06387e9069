"""Admin: the teams in an LA's allocation list, and allocating a child to a team.

The allocation list decides which children a team manager and a practitioner see. It comes
whole from an import; a change made here replaces the child's one row (a new row, so pages
showing the LA's data reload it) and is recorded in the access log with the child. The
next import of a different allocation list replaces the whole list, changes made here
included. Administrators see no child's record: they type the child's ID, as on the list.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, delete, func, insert, select
from starlette.responses import Response

from carejourney import __version__
from carejourney.store import access
from carejourney.store.tables import allocation, episode_history, import_batch, la_allocation
from carejourney.web.accounts import Account, accounts
from carejourney.web.data import chosen_la, las_for
from carejourney.web.pages.admin import Admin, admin_page, flash, manages
from carejourney.web.permissions import Viewer, engine_of
from carejourney.web.roles import Role

router = APIRouter()

SOURCE = "admin page"  # source_file of a row changed here; its source_row is 0


class AllocationError(ValueError):
    """An allocation that cannot be made as asked, in words for the person asking."""


def teams(conn: Connection, la: str) -> list[dict[str, Any]]:
    """Each team in the LA's allocation list: its children, workers and changed rows."""
    query = (
        select(
            allocation.c.team,
            func.count(allocation.c.child.distinct()).label("children"),
            func.count(allocation.c.worker.distinct()).label("workers"),
        )
        .where(allocation.c.la == la)
        .group_by(allocation.c.team)
        .order_by(allocation.c.team)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def _workers(conn: Connection, la: str) -> dict[str, set[str]]:
    held: dict[str, set[str]] = defaultdict(set)
    query = select(allocation.c.team, allocation.c.worker).where(
        allocation.c.la == la, allocation.c.worker.is_not(None)
    )
    for team, worker in conn.execute(query.distinct()):
        held[team].add(worker)
    return held


def _accounts_by_team(
    conn: Connection, viewer: Viewer, la: str, names: set[str], workers: dict[str, set[str]]
) -> tuple[dict[str, list[Account]], list[Account]]:
    """The accounts that see each team's children, and this LA's team managers and
    practitioners whose team or worker name the allocation list does not hold: they see
    no children."""
    by_team: dict[str, list[Account]] = defaultdict(list)
    lost = []
    for account in accounts(conn):
        if account.la not in (None, la) or not manages(viewer, account):
            continue
        if account.role is Role.TEAM_MANAGER and account.team:
            homes = [account.team] if account.team in names else []
        elif account.role is Role.PRACTITIONER and account.worker:
            homes = [t for t, held in workers.items() if account.worker in held]
        else:
            continue
        for team in homes:
            by_team[team].append(account)
        if not homes and account.la == la:
            lost.append(account)
    return by_team, lost


def _has_team(conn: Connection, la: str, team: str) -> bool:
    query = select(allocation.c.id).where(allocation.c.la == la, allocation.c.team == team)
    return conn.execute(query.limit(1)).first() is not None


def _page(
    request: Request,
    viewer: Viewer,
    *,
    la: str | None = None,
    form: dict[str, Any] | None = None,
    errors: list[str] | None = None,
    status: int = 200,
) -> Response:
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = la if la in las else chosen_la(request, conn, viewer)
        listed = teams(conn, la) if la else []
        workers = _workers(conn, la) if la else {}
        names = {t["team"] for t in listed}
        by_team, lost = _accounts_by_team(conn, viewer, la, names, workers) if la else ({}, [])
        changed = 0
        if la:
            changed = conn.execute(
                select(func.count()).where(
                    allocation.c.la == la, allocation.c.source_file == SOURCE
                )
            ).scalar_one()
    return admin_page(
        request,
        "admin_teams.html.j2",
        {
            "las": las,
            "la": la,
            "teams": listed,
            "by_team": by_team,
            "lost": lost,
            "changed": changed,
            "workers": sorted({w for names in workers.values() for w in names}),
            "form": form or {},
            "errors": errors or [],
        },
        viewer=viewer,
        title="Admin: teams and allocation",
        status_code=status,
    )


@router.get("/admin/teams")
def teams_page(request: Request, viewer: Admin) -> Response:
    return _page(request, viewer)


def _holding_batch(conn: Connection, la: str, by: str) -> int:
    """The batch that holds the LA's allocation list; one made for the purpose when the LA
    has none yet (rows must belong to a batch, as every imported row does)."""
    held = conn.execute(select(la_allocation.c.batch_id).where(la_allocation.c.la == la)).scalar()
    if held is not None:
        return int(held)
    made = conn.execute(
        insert(import_batch).values(
            la=la,
            years="",
            imported_at=dt.datetime.now(dt.UTC),
            imported_by=by,
            tool_version=__version__,
            rows=0,
        )
    ).inserted_primary_key
    assert made is not None
    # No file's fingerprint: the next allocation list imported replaces this one.
    conn.execute(insert(la_allocation).values(la=la, batch_id=made[0], fingerprint=SOURCE))
    return int(made[0])


def _known_child(conn: Connection, la: str, child: str) -> bool:
    for column, where in (
        (allocation.c.id, (allocation.c.la == la, allocation.c.child == child)),
        (episode_history.c.id, (episode_history.c.la == la, episode_history.c.child == child)),
    ):
        if conn.execute(select(column).where(*where).limit(1)).first() is not None:
            return True
    return False


def allocate(
    conn: Connection, la: str, child: str, team: str, worker: str | None, *, by: str, new: bool
) -> bool:
    """Allocate the child to the team (and worker), in the caller's transaction; False when
    it already was. Raises AllocationError with what to change."""
    if not child:
        raise AllocationError("Give the child's ID, as in the allocation list or the return.")
    if not team:
        raise AllocationError("Give the team, as the allocation list names it.")
    if not _known_child(conn, la, child):
        raise AllocationError(
            f"LA {la} has no child with that ID in its returns or allocation list. Check the ID."
        )
    if not new and not _has_team(conn, la, team):
        raise AllocationError(
            f"LA {la}'s allocation list has no team called {team}. Check the spelling, or "
            "tick 'This is a new team'."
        )
    current = conn.execute(
        select(allocation.c.team, allocation.c.worker).where(
            allocation.c.la == la, allocation.c.child == child
        )
    ).all()
    if [(r.team, r.worker) for r in current] == [(team, worker)]:
        return False
    batch_id = _holding_batch(conn, la, by)
    conn.execute(delete(allocation).where(allocation.c.la == la, allocation.c.child == child))
    conn.execute(
        insert(allocation).values(
            batch_id=batch_id,
            la=la,
            child=child,
            team=team,
            worker=worker,
            source_file=SOURCE,
            source_row=0,
        )
    )
    detail = f"team {team}" + (f", worker {worker}" if worker else ", no worker")
    access.record(conn, "allocated", who=by, la=la, child=child, detail=detail)
    return True


@router.post("/admin/allocation")
def allocate_child(
    request: Request,
    viewer: Admin,
    la: Annotated[str, Form()] = "",
    child: Annotated[str, Form()] = "",
    team: Annotated[str, Form()] = "",
    worker: Annotated[str, Form()] = "",
    new_team: Annotated[bool, Form()] = False,
) -> Response:
    form = {"child": child, "team": team, "worker": worker, "new_team": new_team}
    child, team, named = child.strip(), " ".join(team.split()), " ".join(worker.split())
    try:
        with engine_of(request).begin() as conn:
            if la not in las_for(conn, viewer):
                raise AllocationError("Choose an LA you manage.")
            changed = allocate(conn, la, child, team, named or None, by=viewer.who, new=new_team)
    except AllocationError as exc:
        return _page(request, viewer, la=la, form=form, errors=[str(exc)], status=400)
    who = f"{team}" + (f" (worker {named})" if named else "")
    flash(
        request,
        f"The child is now allocated to {who}."
        if changed
        else f"The child was already allocated to {who}; nothing changed.",
    )
    return RedirectResponse(f"/admin/teams?la={la}", status_code=303)
