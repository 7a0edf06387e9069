"""Protection every page gets: CSRF tokens on forms, security headers, a private log.

- CSRF: each session holds a random token; every form carries it in a hidden field
  (`csrf_token`) or, for scripts, the X-CSRF-Token header, and any request that could
  change something (POST, PUT, PATCH, DELETE) without the matching token is refused.
- Headers: a Content Security Policy with no inline script and no framing, no sniffing,
  no referrer outside the app, and no caching of pages (they show children's records).
- The application log: a line per request naming the route's template
  (`/children/{child}`), never the path itself, which could hold a child's ID; uvicorn's
  own access log is turned off (`web.serve`).
"""

from __future__ import annotations

import logging
import secrets
import time
from collections.abc import MutableMapping
from typing import Any

from fastapi import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "CSRF_FIELD",
    "MAX_BODY_BYTES",
    "CsrfRefused",
    "RequestTooLarge",
    "SecurityHeaders",
    "check_csrf",
    "csrf_token",
]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

log = logging.getLogger("carejourney.web")

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        # Vega's SVG charts carry style attributes; no style can run code.
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = [
    (b"content-security-policy", CONTENT_SECURITY_POLICY.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
]


# Forms and uploads larger than this are refused before they are read (the data page's own
# limit on a return's files is a little under it).
MAX_BODY_BYTES = 201 * 1024 * 1024


class RequestTooLarge(Exception):
    """A form or upload larger than MAX_BODY_BYTES, refused before it is read."""


class CsrfRefused(Exception):
    """A form came without this session's token (a stale page, or another site's form)."""


def csrf_token(request: Request) -> str:
    """This session's token, made on first use ("" outside a session: an error page)."""
    if "session" not in request.scope:
        return ""
    token = request.session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return token


async def check_csrf(request: Request) -> None:
    """An app-wide dependency: refuse a changing request without this session's token."""
    if request.method in SAFE_METHODS:
        return
    length = request.headers.get("content-length", "")
    if length.isdigit() and int(length) > MAX_BODY_BYTES:
        raise RequestTooLarge
    expected = request.session.get(CSRF_FIELD)
    given = request.headers.get(CSRF_HEADER)
    if given is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        given = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not given or not secrets.compare_digest(expected, given):
        raise CsrfRefused


class SecurityHeaders:
    """ASGI middleware: the security headers on every response, and one log line per
    request naming the route's template, never its path (`log_route`)."""

    def __init__(self, app: ASGIApp, *, hsts: bool = False) -> None:
        self.app = app
        self.headers = list(HEADERS)
        if hsts:
            self.headers.append((b"strict-transport-security", b"max-age=31536000"))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500

        async def send_with_headers(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k not in dict(self.headers)
                ]
                headers.extend(self.headers)
                if not any(k == b"cache-control" for k, _ in headers):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            log_route(scope, status, time.perf_counter() - start)


def route_template(scope: MutableMapping[str, Any]) -> str:
    """The matched route's path template (`/children/{child}`), or "(no route)". The
    router puts the route it matched in the scope."""
    route = scope.get("route")
    if route is not None and hasattr(route, "path"):
        return str(route.path)
    path = str(scope.get("path", ""))
    return "/static/..." if path.startswith("/static/") else "(no route)"


def log_route(scope: MutableMapping[str, Any], status: int, seconds: float) -> None:
    if log.isEnabledFor(logging.INFO):
        log.info(
            "%s %s %d %.0f ms", scope.get("method"), route_template(scope), status, seconds * 1000
        )
