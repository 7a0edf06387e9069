"""Signing in and out, throttling, and sessions."""

from __future__ import annotations

from carejourney.store.tables import access_log
from carejourney.web.roles import Role
from carejourney.web.signin import MAX_FAILURES, safe_next
from tests.web.conftest import PASSWORDS, USERNAMES, Web, csrf_from, sign_in


def _attempt(web: Web, client: object, username: str, password: str) -> int:
    page = client.get("/login")  # type: ignore[attr-defined]
    reply = client.post(  # type: ignore[attr-defined]
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return int(reply.status_code)


def test_a_page_sends_nobody_signed_in_to_sign_in(web: Web) -> None:
    reply = web.client().get("/?la=999&x=1", follow_redirects=False)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/login?next=%2F%3Fla%3D999%26x%3D1"


def test_signing_in_goes_where_asked_and_signing_out_ends_the_session(web: Web) -> None:
    client = web.client()
    page = client.get("/login?next=/aims")
    reply = client.post(
        "/login?next=/aims",
        data={
            "username": "Manager",  # any case
            "password": PASSWORDS[Role.MANAGER],
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert (reply.status_code, reply.headers["location"]) == (303, "/aims")
    home = client.get("/")
    assert "Mo Manager" in home.text
    client.post("/logout", data={"csrf_token": csrf_from(home.text)})
    assert client.get("/", follow_redirects=False).status_code == 303


def test_a_wrong_password_says_so_without_saying_which_part(web: Web) -> None:
    client = web.client()
    assert _attempt(web, client, USERNAMES[Role.MANAGER], "not the password") == 401
    assert _attempt(web, client, "nobody", "not the password") == 401
    reply = client.get("/login")
    assert "Sign in" in reply.text


def test_too_many_failures_refuse_even_the_right_password(web: Web) -> None:
    client = web.client()
    for _ in range(MAX_FAILURES):
        assert _attempt(web, client, "analyst", "wrong wrong wrong") == 401
    assert _attempt(web, client, "analyst", PASSWORDS[Role.ANALYST]) == 429
    # Another name from elsewhere is not held up by it.
    assert _attempt(web, web.client(), "auditor", PASSWORDS[Role.AUDITOR]) == 303


def test_signing_in_is_recorded(web: Web) -> None:
    sign_in(web.client(), Role.AUDITOR)
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(access_log.select()).mappings().all()
    assert [(r["who"], r["action"]) for r in rows] == [("auditor", "signed in")]


def test_only_paths_in_this_app_are_followed_after_signing_in() -> None:
    assert safe_next("/drift?team=A") == "/drift?team=A"
    for outside in ["https://evil.example/", "//evil.example", "evil", "", None]:
        assert safe_next(outside) == "/"


def test_a_deactivated_account_is_signed_out_at_once(web: Web) -> None:
    from sqlalchemy import update

    from carejourney.store.tables import web_user

    client = web.client_as(Role.MANAGER)
    assert client.get("/", follow_redirects=False).status_code == 200
    with web.app.state.engine.begin() as conn:
        conn.execute(update(web_user).values(active=False).where(web_user.c.username == "manager"))
    assert client.get("/", follow_redirects=False).status_code == 303
