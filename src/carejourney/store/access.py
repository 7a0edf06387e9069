"""The access log: every view of a child's record is recorded (who, when, which child)."""

from __future__ import annotations

import datetime as dt
import getpass
from collections.abc import Iterable

from sqlalchemy import Connection, insert

from carejourney.store.tables import access_log


def current_user() -> str:
    """The operating-system account running carejourney (the web app passes its own user)."""
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return "unknown"


def record(
    conn: Connection,
    action: str,
    *,
    who: str | None = None,
    la: str | None = None,
    child: str | None = None,
    detail: str | None = None,
) -> None:
    """Add one entry, inside the caller's transaction (so a failed action leaves none)."""
    conn.execute(
        insert(access_log).values(
            at=dt.datetime.now(dt.UTC),
            who=who or current_user(),
            action=action,
            la=la,
            child=child,
            detail=detail,
        )
    )


def record_children(
    conn: Connection,
    action: str,
    children: Iterable[str],
    *,
    la: str,
    who: str | None = None,
    detail: str | None = None,
) -> int:
    """One entry per child shown in a list or download (a drift list names children)."""
    at, user = dt.datetime.now(dt.UTC), who or current_user()
    rows = [
        {"at": at, "who": user, "action": action, "la": la, "child": child, "detail": detail}
        for child in dict.fromkeys(children)
    ]
    if rows:
        conn.execute(insert(access_log), rows)
    return len(rows)
