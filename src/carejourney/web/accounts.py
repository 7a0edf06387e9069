"""Accounts for the web app: who may sign in, with which role, LA, team and worker name.

Passwords are hashed with Argon2id by argon2-cffi (its recommended parameters, which it
may raise in a later version: `check_password` rehashes when they change) and never stored
or logged as given. Plain functions over a connection, shared by the admin pages and the
`carejourney users` commands.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Connection, RowMapping, func, insert, select, update

from carejourney.store.tables import web_user
from carejourney.web.roles import Role

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "Account",
    "AccountError",
    "accounts",
    "check_password",
    "create_account",
    "find_account",
    "get_account",
    "set_password",
    "update_account",
]

# NCSC: length beats complexity rules; three random words make a good password.
MIN_PASSWORD_LENGTH = 12

_hasher = PasswordHasher()
# Checked against when the name is unknown, so a wrong name takes as long as a wrong password.
_NOBODY = _hasher.hash("carejourney: no such account")


class AccountError(ValueError):
    """An account that cannot be made or changed as asked, in words for the person asking."""


@dataclass(frozen=True)
class Account:
    id: int
    username: str
    display_name: str
    role: Role
    email: str | None = None
    la: str | None = None  # None: every LA in the database
    team: str | None = None
    worker: str | None = None
    active: bool = True
    has_password: bool = False


def _account(row: RowMapping) -> Account:
    return Account(
        id=row["id"],
        username=row["username"],
        display_name=row["display_name"],
        role=Role(row["role"]),
        email=row["email"],
        la=row["la"],
        team=row["team"],
        worker=row["worker"],
        active=row["active"],
        has_password=row["password_hash"] is not None,
    )


def _clean(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _checked(account: Account) -> Account:
    """The account with tidy values, or AccountError saying what is missing."""
    account = replace(
        account,
        username=account.username.strip().lower(),
        display_name=account.display_name.strip(),
        email=(_clean(account.email) or "").lower() or None,
        la=_clean(account.la),
        team=_clean(account.team),
        worker=_clean(account.worker),
    )
    if not account.username or any(c.isspace() for c in account.username):
        raise AccountError("A user name is needed, with no spaces (e.g. j.smith).")
    if not account.display_name:
        raise AccountError("A name is needed, as colleagues know the person.")
    if account.role is Role.TEAM_MANAGER and not account.team:
        raise AccountError(
            "A team manager needs a team, named as in the allocation list (e.g. Permanence North)."
        )
    if account.role is Role.PRACTITIONER and not account.worker:
        raise AccountError(
            "A practitioner needs their worker name, as in the allocation list's WORKER column, "
            "so that they see the children allocated to them."
        )
    return account


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(
            f"The password must be at least {MIN_PASSWORD_LENGTH} characters; three random "
            "words make a good one."
        )


def _taken(conn: Connection, account: Account, other_than: int | None = None) -> None:
    query = select(web_user.c.id, web_user.c.username, web_user.c.email).where(
        (web_user.c.username == account.username)
        | ((web_user.c.email == account.email) & (web_user.c.email.is_not(None)))
    )
    for row in conn.execute(query):
        if row.id == other_than:
            continue
        if row.username == account.username:
            raise AccountError(f"There is already an account called {account.username}.")
        raise AccountError(f"Another account already has the email address {account.email}.")


def create_account(
    conn: Connection,
    *,
    username: str,
    display_name: str,
    role: Role,
    by: str,
    password: str | None = None,
    email: str | None = None,
    la: str | None = None,
    team: str | None = None,
    worker: str | None = None,
) -> Account:
    """Add an account. Without a password it can sign in only through single sign-on."""
    account = _checked(
        Account(
            id=0,
            username=username,
            display_name=display_name,
            role=role,
            email=email,
            la=la,
            team=team,
            worker=worker,
        )
    )
    if password is not None:
        _check_password(password)
    _taken(conn, account)
    values = _values(account)
    values.update(
        password_hash=_hasher.hash(password) if password is not None else None,
        active=True,
        created_at=dt.datetime.now(dt.UTC),
        created_by=by,
    )
    new_id = conn.execute(insert(web_user).values(**values)).inserted_primary_key
    assert new_id is not None
    return replace(account, id=new_id[0], has_password=password is not None)


def _values(account: Account) -> dict[str, Any]:
    return {
        "username": account.username,
        "display_name": account.display_name,
        "email": account.email,
        "role": account.role.value,
        "la": account.la,
        "team": account.team,
        "worker": account.worker,
    }


def update_account(conn: Connection, account: Account, *, by: str) -> Account:
    """Save changes to an account's details, role, LA, team, worker and whether it is active."""
    account = _checked(account)
    _taken(conn, account, other_than=account.id)
    conn.execute(
        update(web_user)
        .where(web_user.c.id == account.id)
        .values(
            **_values(account),
            active=account.active,
            updated_at=dt.datetime.now(dt.UTC),
            updated_by=by,
        )
    )
    return account


def set_password(conn: Connection, account_id: int, password: str, *, by: str) -> None:
    _check_password(password)
    conn.execute(
        update(web_user)
        .where(web_user.c.id == account_id)
        .values(
            password_hash=_hasher.hash(password), updated_at=dt.datetime.now(dt.UTC), updated_by=by
        )
    )


def get_account(conn: Connection, account_id: int) -> Account | None:
    row = conn.execute(select(web_user).where(web_user.c.id == account_id)).mappings().first()
    return _account(row) if row else None


def find_account(
    conn: Connection, *, username: str | None = None, email: str | None = None
) -> Account | None:
    """The account with this user name or email address (either, any case)."""
    if username:
        where = web_user.c.username == username.strip().lower()
    elif email:
        where = func.lower(web_user.c.email) == email.strip().lower()
    else:
        return None
    row = conn.execute(select(web_user).where(where)).mappings().first()
    return _account(row) if row else None


def accounts(conn: Connection) -> list[Account]:
    rows = conn.execute(select(web_user).order_by(web_user.c.username)).mappings()
    return [_account(row) for row in rows]


def check_password(conn: Connection, username: str, password: str) -> Account | None:
    """The active account these credentials sign in to, or None. Takes as long whether the
    name is unknown or the password wrong, so the answer does not say which."""
    row = (
        conn.execute(select(web_user).where(web_user.c.username == username.strip().lower()))
        .mappings()
        .first()
    )
    stored = row["password_hash"] if row else None
    try:
        _hasher.verify(stored or _NOBODY, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None or stored is None or not row["active"]:
        return None
    if _hasher.check_needs_rehash(stored):
        conn.execute(
            update(web_user)
            .where(web_user.c.id == row["id"])
            .values(password_hash=_hasher.hash(password))
        )
    return _account(row)
