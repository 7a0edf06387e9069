"""Every route says who may use it, and every child's record checks who is asking.

A route takes its viewer from `allow(...)` (signed in, with one of the named roles) or is
marked `public()` (sign-in pages, styles); a test walks every route with every role to
prove the declarations hold. `may_see_child` applies the role's child scope
(`roles.ChildScope`) to one child, and `refuse_child` records a refusal in the access log
(committed before it raises):
asking for a child's record by URL is itself worth knowing about.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import polars as pl
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, select

from carejourney.store import access
from carejourney.store.tables import allocation
from carejourney.web.accounts import Account, get_account
from carejourney.web.roles import ALL_ROLES, ChildScope, Role, scope_of

__all__ = [
    "Allow",
    "Forbidden",
    "NotSignedIn",
    "Public",
    "Viewer",
    "allow",
    "child_filter",
    "may_see_child",
    "public",
    "refuse_child",
    "visible_children",
]


class NotSignedIn(Exception):
    """Raised for a page that needs a signed-in person when nobody is signed in."""


class Forbidden(Exception):
    """Raised when the person signed in may not use a page or see a child."""

    def __init__(self, message: str = "Your role does not give access to this page.") -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class Viewer:
    """The person signed in."""

    account: Account

    @property
    def who(self) -> str:
        """How the access log names them."""
        return self.account.username

    @property
    def role(self) -> Role:
        return self.account.role

    @property
    def scope(self) -> ChildScope:
        return scope_of(self.account.role)

    @property
    def sees_ids(self) -> bool:
        return self.scope is not ChildScope.NONE

    @property
    def read_only(self) -> bool:
        return self.account.role is Role.AUDITOR


def engine_of(request: Request) -> Engine:
    engine: Engine = request.app.state.engine
    return engine


def signed_in(request: Request) -> Viewer | None:
    """The viewer whose session this request carries, if their account is still active."""
    account_id = request.session.get("account")
    if not isinstance(account_id, int):
        return None
    with engine_of(request).connect() as conn:
        account = get_account(conn, account_id)
    if account is None or not account.active:
        request.session.clear()
        return None
    return Viewer(account)


class Allow:
    """A route dependency: the viewer, if signed in with one of `roles`."""

    def __init__(self, roles: Iterable[Role]) -> None:
        self.roles = frozenset(roles)

    def __call__(self, request: Request) -> Viewer:
        viewer = getattr(request.state, "viewer", None) or signed_in(request)
        if viewer is None:
            raise NotSignedIn
        request.state.viewer = viewer
        if viewer.role not in self.roles:
            with engine_of(request).begin() as conn:
                access.record(conn, "refused", who=viewer.who, detail=_where(request))
            raise Forbidden
        return viewer


class Public:
    """A route dependency for pages anyone may use (signing in, styles)."""

    roles = ALL_ROLES

    def __call__(self) -> None:
        return None


def allow(*roles: Role) -> Any:
    """`viewer: Annotated[Viewer, allow(Role.MANAGER, ...)]` in a route's parameters."""
    if not roles:
        raise ValueError("name at least one role")
    return Depends(Allow(roles))


def public() -> Any:
    """`_: Annotated[None, public()]`: a route anyone may use, declared as such."""
    return Depends(Public())


def _where(request: Request) -> str:
    return f"{request.method} {request.url.path}"


def _allocated(conn: Connection, viewer: Viewer, la: str) -> list[str]:
    query = select(allocation.c.child).where(allocation.c.la == la)
    if viewer.scope is ChildScope.TEAM:
        query = query.where(allocation.c.team == viewer.account.team)
    else:
        query = query.where(allocation.c.worker == viewer.account.worker)
    return list(conn.execute(query).scalars())


def visible_children(conn: Connection, viewer: Viewer, la: str) -> set[str] | None:
    """The children whose records the viewer may see by ID in this LA: None for all of them,
    an empty set for none (an analyst, an administrator, or an LA that is not theirs)."""
    if viewer.account.la is not None and viewer.account.la != la:
        return set()
    if viewer.scope is ChildScope.ALL:
        return None
    if viewer.scope is ChildScope.NONE:
        return set()
    return set(_allocated(conn, viewer, la))


def child_filter(conn: Connection, viewer: Viewer, la: str, column: str = "CHILD") -> pl.Expr:
    """A polars filter keeping the rows about children the viewer may see by ID."""
    children = visible_children(conn, viewer, la)
    if children is None:
        return pl.lit(True)
    return pl.col(column).is_in(sorted(children))


def may_see_child(conn: Connection, viewer: Viewer, la: str, child: str) -> bool:
    children = visible_children(conn, viewer, la)
    return children is None or child in children


def refuse_child(engine: Engine, viewer: Viewer, la: str, child: str, request: Request) -> NoReturn:
    """Record the refusal in its own transaction, committed, then raise Forbidden (raised
    inside a caller's transaction, the record of it would be rolled back)."""
    with engine.begin() as conn:
        access.record(
            conn, "refused", who=viewer.who, la=la, child=child, detail=f"{request.method} record"
        )
    raise Forbidden("This child's record is not one your role lets you see.")
