"""Signing in and out, with password guessing slowed down.

After `MAX_FAILURES` failed attempts for one user name within `WINDOW`, or
`MAX_CLIENT_FAILURES` from one address, further attempts are refused until the window
has passed, whatever the password; the message says how long to wait. A successful sign-in
starts a fresh session (a new CSRF token too), so nothing from before carries over.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from sqlalchemy import Connection, delete, func, insert, select
from starlette.responses import Response

from carejourney.store import access
from carejourney.store.tables import login_attempt
from carejourney.web.accounts import check_password
from carejourney.web.permissions import Viewer, engine_of, public, signed_in
from carejourney.web.templating import render

__all__ = ["MAX_CLIENT_FAILURES", "MAX_FAILURES", "WINDOW", "router", "start_session"]

MAX_FAILURES = 5
MAX_CLIENT_FAILURES = 20
WINDOW = dt.timedelta(minutes=15)

router = APIRouter()


def _client(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def throttled(conn: Connection, username: str, client: str, now: dt.datetime) -> bool:
    since = now - WINDOW
    failures = select(func.count()).where(
        login_attempt.c.at >= since, login_attempt.c.succeeded.is_(False)
    )
    by_name = conn.execute(failures.where(login_attempt.c.username == username)).scalar_one()
    by_client = conn.execute(failures.where(login_attempt.c.client == client)).scalar_one()
    return by_name >= MAX_FAILURES or by_client >= MAX_CLIENT_FAILURES


def _attempted(conn: Connection, username: str, client: str, ok: bool, now: dt.datetime) -> None:
    conn.execute(delete(login_attempt).where(login_attempt.c.at < now - dt.timedelta(days=1)))
    conn.execute(
        insert(login_attempt).values(at=now, username=username, client=client, succeeded=ok)
    )


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path within this app, never another site."""
    if not value:
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc or not value.startswith("/") or value.startswith("//"):
        return "/"
    return value


def start_session(request: Request, account_id: int) -> None:
    request.session.clear()  # a new session: nothing from before signing in carries over
    request.session["account"] = account_id


@router.get("/login")
def login_page(request: Request, _: Annotated[None, public()]) -> Response:
    viewer = signed_in(request)
    if viewer is not None:
        return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)
    return _form(request, None)


def _form(request: Request, error: str | None, username: str = "", status: int = 200) -> Response:
    return render(
        request,
        "login.html.j2",
        {
            "error": error,
            "username": username,
            "next": safe_next(request.query_params.get("next")),
            "sso": request.app.state.settings.oidc,
        },
        title="Sign in",
        status_code=status,
    )


@router.post("/login")
def login(
    request: Request,
    _: Annotated[None, public()],
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
) -> Response:
    name = username.strip().lower()
    now = dt.datetime.now(dt.UTC)
    client = _client(request)
    with engine_of(request).begin() as conn:
        if throttled(conn, name, client, now):
            minutes = int(WINDOW.total_seconds() // 60)
            return _form(
                request,
                f"Too many attempts to sign in. Wait {minutes} minutes and try again, or ask "
                "your administrator to reset your password.",
                username,
                status=429,
            )
        account = check_password(conn, name, password) if name and password else None
        _attempted(conn, name, client, account is not None, now)
        if account is not None:
            access.record(conn, "signed in", who=account.username)
    if account is None:
        return _form(
            request,
            "The user name or password is not right. Check them and try again.",
            username,
            status=401,
        )
    start_session(request, account.id)
    return RedirectResponse(safe_next(request.query_params.get("next")), status_code=303)


@router.post("/logout")
def logout(request: Request, _: Annotated[None, public()]) -> Response:
    viewer: Viewer | None = signed_in(request)
    if viewer is not None:
        with engine_of(request).begin() as conn:
            access.record(conn, "signed out", who=viewer.who)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)
