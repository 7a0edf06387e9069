"""Every route, asked by every role: each says who may use it, and holds to it.

The routes are read from the app itself, so a page added later is walked too. Each must
declare exactly one `allow(...)` or `public()`. Then each role (and a visitor who has not
signed in) asks for each route, path parameters filled with samples from the synthetic LA:
a role the route does not allow gets 403 and a "refused" line in the access log; a role it
allows gets anything but a refusal or the sign-in page, and never a failure (500). POST
routes get this session's CSRF token and an otherwise empty form.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import func, select

from carejourney.quality.actions import ActionInput, add_action
from carejourney.quality.alerts import raise_alert
from carejourney.quality.audits import AuditInput, record_audit
from carejourney.quality.audits import Status as AuditStatus
from carejourney.quality.programme import Method, Programme, add_programme
from carejourney.store.tables import access_log, import_batch
from carejourney.web import routes
from carejourney.web.accounts import find_account
from carejourney.web.permissions import Allow, Public
from carejourney.web.roles import ALL_ROLES, Role
from tests.web.browser.conftest import add_sample_aim, sample_child_of
from tests.web.conftest import LA, USERNAMES, Web, csrf_from, sign_in

# The administrator goes last: an admin form posted empty may change another account.
ROLES: list[Role | None] = [
    None,  # a visitor who has not signed in
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.ANALYST,
    Role.AUDITOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
    Role.ADMINISTRATOR,
]
PARAMETER = re.compile(r"{(\w+)(?::\w+)?}")
MISSING_REPORT = "no-such-report.html"


@dataclass(frozen=True)
class Walked:
    """One route and method, with who may use it (`None`: anyone, it is public)."""

    path: str
    method: str
    roles: frozenset[Role] | None


def declarations(route: APIRoute) -> list[Allow | Public]:
    return [d.call for d in route.dependant.dependencies if isinstance(d.call, Allow | Public)]


def api_routes(app: FastAPI) -> list[tuple[str, APIRoute]]:
    """(path, route) for every page route, however deeply its router was included."""
    return list(routes.api_routes(app.router.routes))


def walked(app: FastAPI) -> list[Walked]:
    """Every route and method; GETs first, and signing out last (it ends the session)."""
    found: list[Walked] = []
    for path, route in api_routes(app):
        declared = declarations(route)
        if len(declared) != 1:
            continue  # test_every_route_declares_exactly_one_allow_or_public names it
        roles = None if isinstance(declared[0], Public) else declared[0].roles
        found.extend(Walked(path, method, roles) for method in (route.methods or set()) - {"HEAD"})
    return sorted(found, key=lambda w: (w.method != "GET", w.path == "/logout", w.path))


def samples(web: Web) -> dict[str, str]:
    """A value for each path parameter a route may have (see the common brief)."""
    with web.app.state.engine.begin() as conn:
        aim = add_sample_aim(conn)
        manager = find_account(conn, username=USERNAMES[Role.MANAGER])
        assert manager is not None
        batch = conn.execute(select(func.min(import_batch.c.id))).scalar_one()
        child = sample_child_of(conn)
        action = add_action(
            conn, LA, ActionInput("Update chronologies", "Head of Service", dt.date(2026, 6, 30))
        )
        # Raised by the demo reviewing officer, who may resolve it.
        alert = raise_alert(
            conn, LA, child, "drift", role="IRO", who=USERNAMES[Role.REVIEWING_OFFICER]
        )
        # An audit of the sample child assigned to the practitioner, in the team manager's
        # team: each role that may open it does (the others are told it is not found).
        audit = record_audit(
            conn,
            LA,
            AuditInput(
                child, "Pat Practitioner", month=dt.date(2026, 11, 1), status=AuditStatus.ASSIGNED
            ),
            who="tests",
        )
        programme = add_programme(
            conn,
            LA,
            Programme("sample", "Sample", "case-audit", 2, Method.RANDOM, dt.date(2025, 4, 1)),
        )
    return {
        "child": child,
        "aim": aim,
        "cycle": "1",
        "account": str(manager.id),
        "batch": str(batch),
        "name": MISSING_REPORT,
        "action": str(action.id),
        "alert": str(alert.id),
        "audit": str(audit.id),
        "programme": programme.name,
    }


def fill(path: str, values: dict[str, str]) -> str:
    unknown = [name for name in PARAMETER.findall(path) if name not in values]
    assert not unknown, (
        f"{path} has a path parameter this test has no sample for: {', '.join(unknown)}. "
        f"Use one of {', '.join(sorted(values))}, or add a sample to tests/web/test_routes.py."
    )
    return PARAMETER.sub(lambda m: values[m.group(1)], path)


def refusals(web: Web, who: str) -> int:
    with web.app.state.engine.connect() as conn:
        query = select(func.count()).where(
            access_log.c.who == who, access_log.c.action == "refused"
        )
        return int(conn.execute(query).scalar_one())


def signed_in(client: TestClient) -> bool:
    return client.get("/", follow_redirects=False).status_code == 200


def test_every_route_declares_exactly_one_allow_or_public(web: Web) -> None:
    found = api_routes(web.app)
    assert len(found) > 5, "the app's routes were not found"
    wrong = [
        f"{sorted(route.methods or ())} {path}: {len(declarations(route))} declarations"
        for path, route in found
        if len(declarations(route)) != 1
    ]
    assert not wrong, "Each route needs exactly one allow(...) or public():\n" + "\n".join(wrong)


def test_every_path_parameter_has_a_sample(web: Web) -> None:
    names = ["child", "aim", "cycle", "account", "batch", "name", "action", "alert"]
    values = dict.fromkeys([*names, "audit", "programme"], "x")
    for path, _ in api_routes(web.app):
        fill(path, values)


def _ask(client: TestClient, route: Walked, url: str, token: str) -> Response:
    if route.method == "GET":
        return client.get(url, follow_redirects=False)
    return client.request(route.method, url, data={"csrf_token": token}, follow_redirects=False)


def _judged(
    web: Web, role: Role | None, route: Walked, url: str, reply: Response, before: int
) -> str | None:
    """What is wrong with the reply, if anything."""
    status, where = reply.status_code, reply.headers.get("location", "")
    said = f"{route.method} {url} as {role or 'a visitor'}: {status} {where}".rstrip()
    if status >= 500:
        return f"{said} (a failure)"
    if route.roles is None:  # public
        return f"{said} (a public route refused)" if status == 403 else None
    if role is None:
        return (
            None
            if status == 303 and where.startswith("/login")
            else f"{said} (not sent to sign in)"
        )
    if role not in route.roles:
        if status != 403:
            return f"{said} (should be refused)"
        if refusals(web, USERNAMES[role]) <= before:
            return f"{said} (refused, but the refusal is not in the access log)"
        return None
    if status == 403 or (status == 303 and where.startswith("/login")):
        return f"{said} (should be allowed)"
    if route.method == "GET" and "{name}" in route.path and status != 404:
        return f"{said} (a report that does not exist should be 404)"
    return None


def test_every_role_gets_exactly_what_each_route_allows(web_any: Web) -> None:
    web = web_any
    assert {r for r in ROLES if r is not None} == ALL_ROLES
    values = samples(web)
    walk = walked(web.app)
    problems = []
    for role in ROLES:
        client = web.client() if role is None else web.client_as(role)
        token = csrf_from(client.get("/login" if role is None else "/").text)
        for route in walk:
            url = fill(route.path, values)
            before = refusals(web, USERNAMES[role]) if role is not None else 0
            reply = _ask(client, route, url, token)
            problem = _judged(web, role, route, url, reply, before)
            if problem:
                problems.append(problem)
            if role is not None and route.method != "GET" and not signed_in(client):
                sign_in(client, role)  # signing out (or a form that ends the session)
                token = csrf_from(client.get("/").text)
    assert not problems, "\n".join(problems)
