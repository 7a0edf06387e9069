"""The web app: `create_app(settings)` gives the FastAPI application `carejourney serve` runs.

Pages live in `web/pages/`, one module per page with a `router`; every module there is
included, so adding a page is adding a module. Errors become pages in plain words:
not signed in goes to the sign-in page, a refusal says so (and was logged by the route's
`allow`), and an unexpected failure logs its type and where, never its message, which
could hold a child's ID (`CatchFailures`).
"""

from __future__ import annotations

import importlib
import logging
import pkgutil
import traceback
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import HTMLResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from carejourney.store import database
from carejourney.web import data, pages, signin
from carejourney.web.permissions import Forbidden, NotSignedIn, public
from carejourney.web.security import (
    MAX_BODY_BYTES,
    CsrfRefused,
    RequestTooLarge,
    SecurityHeaders,
    check_csrf,
    route_template,
)
from carejourney.web.settings import WebSettings
from carejourney.web.templating import render, templates

__all__ = ["create_app"]

log = logging.getLogger("carejourney.web")
STATIC = Path(__file__).parent / "static"
SESSION_COOKIE = "carejourney_session"


def page_modules() -> list[str]:
    return sorted(f"{pages.__name__}.{m.name}" for m in pkgutil.iter_modules(pages.__path__))


def create_app(settings: WebSettings) -> FastAPI:
    if len(settings.session_key) < 16:
        raise ValueError("the session key must be at least 16 bytes (see settings.session_key)")
    app = FastAPI(
        title="carejourney",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,  # no API browser: the app is pages, and they need signing in
        dependencies=[Depends(check_csrf)],
    )
    app.state.settings = settings
    app.state.engine = database.connect(settings.db)
    data.clear()
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.include_router(signin.router)
    for name in page_modules():
        app.include_router(importlib.import_module(name).router)

    @app.get("/health", include_in_schema=False)
    def health(_: Annotated[None, public()]) -> PlainTextResponse:
        return PlainTextResponse("ok")

    _handle_errors(app)
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_key.hex(),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_hours * 3600,
        same_site="lax",  # "strict" would drop the cookie on the sign-on provider's redirect
        https_only=settings.https,
    )
    app.add_middleware(CatchFailures)
    app.add_middleware(SecurityHeaders, hsts=settings.https)
    return app


def _handle_errors(app: FastAPI) -> None:
    @app.exception_handler(NotSignedIn)
    def not_signed_in(request: Request, exc: NotSignedIn) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        where = f"/login?next={quote(target, safe='')}" if request.method == "GET" else "/login"
        return RedirectResponse(where, status_code=303)

    @app.exception_handler(Forbidden)
    def forbidden(request: Request, exc: Forbidden) -> Response:
        viewer = getattr(request.state, "viewer", None)
        return render(
            request,
            "error.html.j2",
            {"heading": "You do not have access", "message": exc.message},
            viewer=viewer,
            status_code=403,
            title="You do not have access",
        )

    @app.exception_handler(CsrfRefused)
    def csrf_refused(request: Request, exc: CsrfRefused) -> Response:
        return _error(
            request,
            400,
            "This form has expired",
            "The page was open too long, or came from somewhere else. Go back, reload the "
            "page and try again.",
        )

    @app.exception_handler(RequestTooLarge)
    def too_large(request: Request, exc: RequestTooLarge) -> Response:
        return _error(
            request,
            413,
            "The files are too large",
            f"carejourney takes at most {MAX_BODY_BYTES // 1024 // 1024} MB at once. Send the "
            "files in smaller groups, or load them with `carejourney import`.",
        )

    @app.exception_handler(RequestValidationError)
    def invalid(request: Request, exc: RequestValidationError) -> Response:
        fields = sorted({str(e["loc"][-1]) for e in exc.errors() if e.get("loc")})
        return _error(
            request,
            400,
            "Something was not as expected",
            "Check these and try again: " + ", ".join(fields) + "." if fields else "",
        )

    @app.exception_handler(HTTPException)
    def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 404:
            return _error(request, 404, "Page not found", "Check the address, or use the menu.")
        return _error(request, exc.status_code, "Something went wrong", str(exc.detail))


class CatchFailures:
    """ASGI middleware: an unexpected failure becomes the "Something went wrong" page, and
    the log gets its type, route and traceback lines but never its message, which could
    hold a child's ID. Caught here rather than by an exception handler because Starlette
    re-raises after its handler runs, and the server would then log the message."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as exc:
            log.error(
                "Unexpected %s in %s %s\n%s",
                type(exc).__name__,
                scope.get("method"),
                route_template(scope),
                "".join(traceback.format_tb(exc.__traceback__)),
            )
            if started:  # too late for a page: the browser shows a broken one
                return
            page = templates.get_template("error.html.j2").render(
                heading="Something went wrong",
                message="carejourney could not show this page. Try again; if it happens "
                "again, tell your administrator the time it happened.",
                title="Something went wrong",
                nav=[],
                viewer=None,
                csrf_token="",
            )
            await HTMLResponse(page, status_code=500)(scope, receive, send)


def _error(request: Request, status: int, heading: str, message: str) -> Response:
    return render(
        request,
        "error.html.j2",
        {"heading": heading, "message": message},
        viewer=getattr(request.state, "viewer", None),
        status_code=status,
        title=heading,
    )
