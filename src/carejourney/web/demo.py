"""Demo accounts, one per role, for the synthetic LA (`carejourney users demo`).

The team manager manages the allocation list's first team, and the practitioner is the
worker in it with the most children, so both see a real caseload. The passwords are
printed for the demo; they are for synthetic data only.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from carejourney.store.tables import allocation
from carejourney.web.accounts import (
    Account,
    AccountError,
    create_account,
    find_account,
    set_password,
)
from carejourney.web.roles import Role

__all__ = ["DemoAccount", "demo_accounts"]


@dataclass(frozen=True)
class DemoAccount:
    account: Account
    password: str


def _team_and_worker(conn: Connection, la: str) -> tuple[str | None, str | None]:
    team = conn.execute(
        select(allocation.c.team)
        .where(allocation.c.la == la)
        .group_by(allocation.c.team)
        .order_by(allocation.c.team)
        .limit(1)
    ).scalar()
    worker = conn.execute(
        select(allocation.c.worker)
        .where(allocation.c.la == la, allocation.c.team == team, allocation.c.worker.is_not(None))
        .group_by(allocation.c.worker)
        .order_by(func.count().desc(), allocation.c.worker)
        .limit(1)
    ).scalar()
    return team, worker


def demo_accounts(conn: Connection, la: str, *, by: str) -> list[DemoAccount]:
    """Make (or keep) an account for each role, all limited to `la`."""
    team, worker = _team_and_worker(conn, la)
    wanted = [
        ("admin", "Ada Admin", Role.ADMINISTRATOR, {}),
        ("manager", "Mo Manager", Role.MANAGER, {}),
        ("teammanager", "Tia Team-Manager", Role.TEAM_MANAGER, {"team": team or "Team 1"}),
        ("practitioner", "Pat Practitioner", Role.PRACTITIONER, {"worker": worker or "SW1"}),
        ("analyst", "Ali Analyst", Role.ANALYST, {}),
        ("auditor", "Aud Auditor", Role.AUDITOR, {}),
        ("qalead", "Quinn QA-Lead", Role.QA_LEAD, {}),
        ("reviewer", "Rae Reviewing-Officer", Role.REVIEWING_OFFICER, {}),
    ]
    made = []
    for username, name, role, extra in wanted:
        password = f"demo-{username}-password"
        account = find_account(conn, username=username)
        if account is None:
            account = create_account(
                conn,
                username=username,
                display_name=name,
                role=role,
                by=by,
                password=password,
                la=la,
                **extra,
            )
        elif account.role is not role:
            raise AccountError(
                f"An account called {username} already exists with another role; "
                "the demo accounts need that name."
            )
        else:  # made by an earlier demo: make sure the printed password works
            set_password(conn, account.id, password, by=by)
        made.append(DemoAccount(account, password))
    return made
