"""Single sign-on: off to the LA's sign-on provider and back, matched to an account.

The provider says who the person is (`web.oidc`); an administrator's account says what
they may do, so nobody gets in on the provider's word alone: someone with no account, or
whose account is switched off, is told to ask their administrator, and that is recorded.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse
from markupsafe import Markup
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from carejourney.store import access
from carejourney.web import oidc
from carejourney.web.accounts import Account, find_account
from carejourney.web.permissions import engine_of, public
from carejourney.web.settings import OidcSettings
from carejourney.web.signin import safe_next, start_session
from carejourney.web.templating import render

router = APIRouter()
log = logging.getLogger("carejourney.web")

_NEXT = "sso_next"  # where to go once signed in, kept in the session meanwhile


def _page(request: Request, status: int, heading: str, message: str) -> Response:
    return render(
        request,
        "error.html.j2",
        {"heading": heading, "message": message},
        status_code=status,
        title=heading,
    )


def _not_set_up(request: Request) -> Response:
    return _page(
        request,
        404,
        "Single sign-on is not set up",
        "This carejourney signs in with user names and passwords only. Ask your "
        "administrator if you expected to sign in with your organisation's account.",
    )


def _setup_problem(request: Request, exc: oidc.SsoSetupError) -> Response:
    # The message is about the server's set-up, never about a person or a child.
    log.error("Single sign-on is not set up correctly: %s", exc)
    return _page(
        request,
        503,
        "Single sign-on is not working",
        "carejourney's single sign-on is not set up correctly, so it cannot sign you in "
        "this way. Sign in with your password if you have one, and tell your administrator "
        "(the server's log says what to change).",
    )


def _settings(request: Request) -> OidcSettings | None:
    settings: OidcSettings | None = request.app.state.settings.oidc
    return settings


def _callback_url(request: Request) -> str:
    url = request.url_for("sso_callback")
    if request.app.state.settings.https:
        # Behind a proxy that ends HTTPS the app may see http://; the provider must be
        # given the address people actually use, as registered with it.
        url = url.replace(scheme="https")
    return str(url)


@router.get("/login/sso")
async def sso_start(request: Request, _: Annotated[None, public()]) -> Response:
    if _settings(request) is None:
        return _not_set_up(request)
    request.session[_NEXT] = safe_next(request.query_params.get("next"))
    try:
        return await oidc.start(request, _callback_url(request))
    except oidc.SsoSetupError as exc:
        return _setup_problem(request, exc)
    except oidc.SsoFailed as exc:
        log.warning("Single sign-on could not start: %s", exc.reason)
        return _page(
            request,
            502,
            "Your organisation's sign-in service did not answer",
            "Try again in a few minutes, or sign in with your password if you have one.",
        )


def _match(request: Request, value: str) -> Account | None:
    with engine_of(request).connect() as conn:
        return find_account(conn, email=value) or find_account(conn, username=value)


@router.get("/login/sso/callback", name="sso_callback")
async def sso_callback(request: Request, _: Annotated[None, public()]) -> Response:
    if _settings(request) is None:
        return _not_set_up(request)
    wanted = request.session.get(_NEXT)
    try:
        value = await oidc.finish(request)
    except oidc.SsoSetupError as exc:
        return _setup_problem(request, exc)
    except oidc.SsoFailed as exc:
        log.warning("Single sign-on refused: %s", exc.reason)
        return _page(
            request,
            400,
            "Single sign-on did not work",
            "carejourney could not confirm who you are with your organisation's sign-in "
            "service. Go back to the sign-in page and try again; if it happens again, tell "
            "your administrator the time it happened.",
        )
    # The database is used the ordinary (blocking) way: off the event loop.
    return await run_in_threadpool(_sign_in, request, value, wanted)


def _sign_in(request: Request, value: str, wanted: object) -> Response:
    """Sign in the active account the provider's value names, or say why not."""
    account = _match(request, value)
    who = value[:200]
    if account is None or not account.active:
        why = "no account" if account is None else "account not active"
        with engine_of(request).begin() as conn:
            access.record(conn, "single sign-on refused", who=who, detail=why)
        if account is None:
            heading = "You do not have a carejourney account"
            message = Markup(
                "You signed in as {}, but carejourney has no account for you. Ask your "
                "administrator to add one."
            ).format(value)  # the provider's value, escaped: it is shown as text
        else:
            heading = "Your carejourney account is switched off"
            message = Markup(
                "You signed in as {}, but your carejourney account is switched off. Ask your "
                "administrator to switch it on again."
            ).format(value)
        return _page(request, 403, heading, message)
    with engine_of(request).begin() as conn:
        access.record(conn, "signed in (single sign-on)", who=account.username)
    start_session(request, account.id)
    return RedirectResponse(safe_next(wanted if isinstance(wanted, str) else None), 303)
