"""Protection every response and form gets: security headers, the session cookie, CSRF."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient
from httpx2 import Response

from carejourney.web.accounts import find_account
from carejourney.web.app import SESSION_COOKIE, create_app
from carejourney.web.roles import Role
from carejourney.web.settings import WebSettings
from tests.web.browser.conftest import table_digests
from tests.web.conftest import PASSWORDS, SESSION_KEY, USERNAMES, Web, csrf_from, sign_in
from tests.web.test_routes import api_routes, fill, samples


def policy(reply: Response) -> dict[str, list[str]]:
    """The Content Security Policy's directives and their sources."""
    directives = {}
    for part in reply.headers.get("content-security-policy", "").split(";"):
        name, *sources = part.split()
        directives[name] = sources
    return directives


def header_problems(reply: Response) -> list[str]:
    said = f"{reply.request.method} {reply.request.url.path} ({reply.status_code})"
    csp = policy(reply)
    checks = {
        "a script-src without 'unsafe-inline' or 'unsafe-eval'": "script-src" in csp
        and not {"'unsafe-inline'", "'unsafe-eval'"} & set(csp["script-src"]),
        "default-src 'self'": csp.get("default-src") == ["'self'"],
        "frame-ancestors 'none'": csp.get("frame-ancestors") == ["'none'"],
        "object-src 'none'": csp.get("object-src") == ["'none'"],
        "X-Content-Type-Options: nosniff": reply.headers.get("x-content-type-options") == "nosniff",
        "X-Frame-Options: DENY": reply.headers.get("x-frame-options") == "DENY",
        "Cache-Control: no-store": "no-store" in reply.headers.get("cache-control", ""),
        "a Referrer-Policy": reply.headers.get("referrer-policy") in {"same-origin", "no-referrer"},
    }
    return [f"{said} lacks {wanted}" for wanted, held in checks.items() if not held]


def test_every_response_carries_the_security_headers(web: Web) -> None:
    values = samples(web)
    gets = [
        fill(path, values) for path, route in api_routes(web.app) if "GET" in (route.methods or ())
    ]
    visitor = web.client()
    replies = [
        visitor.get("/login"),
        visitor.get("/", follow_redirects=False),  # to sign in
        visitor.get("/static/app.css"),
        visitor.get("/health"),
        visitor.post("/logout"),  # no CSRF token: 400
    ]
    for role in (Role.MANAGER, Role.ADMINISTRATOR, Role.PRACTITIONER):
        client = web.client_as(role)
        replies += [client.get(path, follow_redirects=False) for path in gets]
        replies.append(client.get("/no-such-page"))
    assert {r.status_code for r in replies} >= {200, 303, 400, 403, 404}
    problems = [problem for reply in replies for problem in header_problems(reply)]
    assert not problems, "\n".join(problems)


def _session_cookie(reply: Response) -> str:
    cookies = [c for c in reply.headers.get_list("set-cookie") if c.startswith(SESSION_COOKIE)]
    assert len(cookies) == 1, reply.headers
    return cookies[0].lower()


def _signing_in(client: TestClient) -> Response:
    page = client.get("/login")
    return client.post(
        "/login",
        data={
            "username": USERNAMES[Role.AUDITOR],
            "password": PASSWORDS[Role.AUDITOR],
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )


def test_the_session_cookie_is_http_only_same_site_lax_and_not_secure_over_http(web: Web) -> None:
    reply = _signing_in(web.client())
    assert reply.status_code == 303
    cookie = _session_cookie(reply)
    assert "httponly" in cookie
    assert "samesite=lax" in cookie
    assert "secure" not in cookie
    assert "strict-transport-security" not in reply.headers


def test_over_https_the_session_cookie_is_secure_and_hsts_is_sent(web: Web) -> None:
    app = create_app(WebSettings(db=web.db, session_key=SESSION_KEY, https=True))
    try:
        with TestClient(app, base_url="https://testserver") as client:
            reply = _signing_in(client)
        assert reply.status_code == 303
        cookie = _session_cookie(reply)
        assert "secure" in cookie and "httponly" in cookie and "samesite=lax" in cookie
        assert reply.headers["strict-transport-security"].startswith("max-age=")
    finally:
        app.state.engine.dispose()


def post_routes(web: Web) -> list[str]:
    values = samples(web)
    return [
        fill(path, values) for path, route in api_routes(web.app) if "POST" in (route.methods or ())
    ]


def test_a_form_without_this_sessions_token_is_refused_and_changes_nothing(web: Web) -> None:
    paths = post_routes(web)
    manager = web.client_as(Role.MANAGER)
    others_token = web.token(web.client_as(Role.ADMINISTRATOR))
    admin = web.client_as(Role.ADMINISTRATOR)
    before = table_digests(web.db, skip=frozenset())
    wrong = []
    for client, role in [(manager, Role.MANAGER), (admin, Role.ADMINISTRATOR)]:
        for path in paths:
            for how, kwargs in [
                ("no token", {"data": {"note": "x"}}),
                ("another session's token", {"data": {"csrf_token": others_token}}),
                ("a made-up header token", {"headers": {"X-CSRF-Token": "made-up"}}),
            ]:
                reply = client.post(path, follow_redirects=False, **kwargs)  # type: ignore[arg-type]
                if reply.status_code != 400 or "This form has expired" not in reply.text:
                    wrong.append(f"POST {path} as {role} with {how}: {reply.status_code}")
    assert not wrong, "\n".join(wrong)
    after = table_digests(web.db, skip=frozenset())
    changed = sorted(t for t in after if after[t] != before.get(t))
    assert not changed, f"refused forms changed these tables: {changed}"
    # Neither was signed out by the refused forms; with the token, signing out works.
    assert manager.get("/", follow_redirects=False).status_code == 200
    manager.post("/logout", data={"csrf_token": web.token(manager)})
    assert manager.get("/", follow_redirects=False).status_code == 303


def _tampered(cookie: str, change: dict[str, object]) -> str:
    """The cookie with its content changed but its old signature kept."""
    payload, stamp, signature = cookie.rsplit(".", 2)
    session = json.loads(base64.b64decode(payload))
    session.update(change)
    forged = base64.b64encode(json.dumps(session).encode()).decode()
    return f"{forged}.{stamp}.{signature}"


def test_a_tampered_session_cookie_signs_you_out(web: Web) -> None:
    client = web.client_as(Role.PRACTITIONER)
    cookie = client.cookies[SESSION_COOKIE]
    with web.app.state.engine.connect() as conn:
        admin = find_account(conn, username=USERNAMES[Role.ADMINISTRATOR])
    assert admin is not None
    admin_id = admin.id
    for forged in [
        _tampered(cookie, {"account": admin_id}),  # someone else's account
        cookie[:-2] + ("AA" if not cookie.endswith("AA") else "BB"),  # a broken signature
        base64.b64encode(json.dumps({"account": admin_id}).encode()).decode(),  # unsigned
    ]:
        visitor = web.client()
        reply = visitor.get(
            "/", headers={"Cookie": f"{SESSION_COOKIE}={forged}"}, follow_redirects=False
        )
        assert (reply.status_code, reply.headers["location"]) == (303, "/login?next=%2F")
    # The genuine cookie still works.
    assert client.get("/", follow_redirects=False).status_code == 200


def test_signing_in_starts_a_new_session_with_a_new_token(web: Web) -> None:
    client = web.client()
    before = csrf_from(client.get("/login").text)
    sign_in(client, Role.MANAGER)
    assert web.token(client) != before
