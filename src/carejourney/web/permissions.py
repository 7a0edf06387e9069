"""Every route says who may use it, and every child's record checks who is asking.

A route takes its viewer from `allow(...)` (signed in, with one of the named roles) or is
marked `public()` (sign-in pages, styles); a test walks every route with every role to
prove the declarations hold. `may_see_child` applies the role's child scope
(`roles.ChildScope`) to one child, and `refuse_child` records a refusal in the access log
(committed before it raises):
asking for a child's record by URL is itself worth knowing about.

Auditors see the cases they audit: a person with a case audit assigned to them (the audit's
auditor is their user name or display name) may open that audit, and read that child's
record, whatever their role's scope (`audited_children`, `may_see_child(audited=True)`,
`AuditScope`). Reading only: the change a role may make stays within its own scope.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, NoReturn

import polars as pl
from fastapi import Depends, Request
from sqlalchemy import Connection, Engine, select

from carejourney.store import access
from carejourney.store.tables import allocation, audit
from carejourney.web.accounts import Account, get_account
from carejourney.web.roles import ALL_ROLES, ChildScope, Role, scope_of

__all__ = [
    "SEES_EVERY_AUDIT",
    "Allow",
    "AuditScope",
    "Forbidden",
    "NotSignedIn",
    "Public",
    "Viewer",
    "allow",
    "audit_scope",
    "audited_children",
    "child_filter",
    "is_assigned",
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


def may_see_child(
    conn: Connection, viewer: Viewer, la: str, child: str, *, audited: bool = False
) -> bool:
    """Whether the viewer may see the child's record by ID: within their role's scope, or,
    with `audited` (for reading the record, never for changing it), because a case audit of
    the child is assigned to them."""
    children = visible_children(conn, viewer, la)
    if children is None or child in children:
        return True
    return audited and child in audited_children(conn, viewer, la)


# --- case audits ------------------------------------------------------------------------

# Roles that see every case audit of their LA: the QA lead runs the programme; a manager
# and the (access-log) auditor read them. Anyone else sees the audits assigned to them, and
# a team manager their team's too.
SEES_EVERY_AUDIT = frozenset({Role.QA_LEAD, Role.MANAGER, Role.AUDITOR})


def _folded(name: str | None) -> str:
    """A person's name as compared: any case, spaces run together (as `_folded_expr`)."""
    return " ".join((name or "").split()).lower()


def _folded_expr(column: str) -> pl.Expr:
    return pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars().str.to_lowercase()


def _names(viewer: Viewer) -> list[str]:
    """How an audit may name the viewer as its auditor: their user name or display name."""
    names = (viewer.account.username, viewer.account.display_name)
    return sorted({_folded(n) for n in names if _folded(n)})


def is_assigned(viewer: Viewer, auditor: str | None) -> bool:
    """Whether an audit whose auditor is written `auditor` is the viewer's own."""
    return _folded(auditor) in _names(viewer)


def audited_children(conn: Connection, viewer: Viewer, la: str) -> set[str]:
    """The children of LA `la` with a case audit (of any status) assigned to the viewer."""
    if viewer.account.la is not None and viewer.account.la != la:
        return set()
    # Auditors' names are typed by people (a sample's list of auditors, a spreadsheet), so
    # they are matched as `is_assigned` matches them, in Python: an LA has a few dozen.
    names = select(audit.c.auditor).where(audit.c.la == la).distinct()
    mine = [a for a in conn.execute(names).scalars() if is_assigned(viewer, a)]
    if not mine:
        return set()
    query = select(audit.c.child).where(audit.c.la == la, audit.c.auditor.in_(mine))
    return set(conn.execute(query.distinct()).scalars())


@dataclass(frozen=True)
class AuditScope:
    """Which case audits of one LA the viewer may open: all of them (`every`), or those
    assigned to them (`names`), of their team (`team`) or of the children they may see by
    their team (`children`)."""

    every: bool
    names: frozenset[str] = frozenset()
    team: str | None = None
    children: frozenset[str] = frozenset()

    def sees(self, auditor: str | None, team: str | None, child: str) -> bool:
        """Whether the viewer may open an audit of `child` by `auditor` in `team`."""
        if self.every or _folded(auditor) in self.names:
            return True
        return self.team is not None and (team == self.team or child in self.children)

    def expr(self) -> pl.Expr:
        """`sees` as a polars filter over a table of audits (columns auditor, team, child)."""
        if self.every:
            return pl.lit(True)
        mine = _folded_expr("auditor").is_in(sorted(self.names))
        if self.team is None:
            return mine.fill_null(False)
        theirs = (pl.col("team") == self.team) | pl.col("child").is_in(sorted(self.children))
        return (mine | theirs).fill_null(False)


def audit_scope(conn: Connection, viewer: Viewer, la: str) -> AuditScope:
    """The audits of LA `la` the viewer may open (none in an LA that is not theirs)."""
    if viewer.account.la is not None and viewer.account.la != la:
        return AuditScope(every=False)
    if viewer.role in SEES_EVERY_AUDIT:
        return AuditScope(every=True)
    names = frozenset(_names(viewer))
    if viewer.role is Role.TEAM_MANAGER and viewer.account.team:
        team = viewer.account.team
        return AuditScope(False, names, team, frozenset(_allocated(conn, viewer, la)))
    return AuditScope(False, names)


def refuse_child(engine: Engine, viewer: Viewer, la: str, child: str, request: Request) -> NoReturn:
    """Record the refusal in its own transaction, committed, then raise Forbidden (raised
    inside a caller's transaction, the record of it would be rolled back)."""
    with engine.begin() as conn:
        access.record(
            conn, "refused", who=viewer.who, la=la, child=child, detail=f"{request.method} record"
        )
    raise Forbidden("This child's record is not one your role lets you see.")
