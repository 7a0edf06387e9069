"""Management alerts in the web app: an IRO raises one from a child's record, the team
manager of the child's team responds, the IRO resolves it; who may see and do what; every
view logged; and the times to respond and resolve worked out by hand."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from carejourney.quality.alerts import get_alert, list_alerts, raise_alert, resolve, respond
from carejourney.store.tables import access_log, allocation, web_user
from carejourney.web.roles import Role
from tests.web.browser.conftest import sample_child_of
from tests.web.conftest import LA, USERNAMES, Web

UK_WINTER = dt.UTC  # January and February: UK clocks show UTC


def post(web: Web, client: TestClient, path: str, **fields: str) -> Any:
    data = {**fields, "csrf_token": web.token(client)}
    return client.post(path, data=data, follow_redirects=False)


def children(web: Web) -> tuple[str, str]:
    """A child of the demo team manager's team (and the practitioner's), and one of another
    team."""
    with web.app.state.engine.connect() as conn:
        ours = sample_child_of(conn)
        team = conn.execute(
            select(web_user.c.team).where(web_user.c.username == "teammanager")
        ).scalar_one()
        theirs = conn.execute(
            select(allocation.c.child)
            .where(allocation.c.la == LA, allocation.c.team != team)
            .order_by(allocation.c.child)
            .limit(1)
        ).scalar_one()
    return ours, theirs


def logged(web: Web, *actions: str) -> list[tuple[str, str, str | None]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.action, access_log.c.child)
            .where(access_log.c.action.in_(actions))
            .order_by(access_log.c.id)
        )
        return [(r.who, r.action, r.child) for r in rows]


def test_an_iro_raises_an_alert_from_the_childs_record(web: Web) -> None:
    child, _ = children(web)
    iro = web.client_as(Role.REVIEWING_OFFICER)
    record = iro.get(f"/children/{child}")
    assert "Open management alerts" in record.text
    assert f'<a href="/alerts/new?child={child}">Raise an alert</a>' in record.text
    form = iro.get(f"/alerts/new?child={child}")
    assert form.status_code == 200
    assert f'id="child" name="child" value="{child}"' in form.text
    reply = post(
        web,
        iro,
        "/alerts/new",
        child=child,
        concern="no contingency plan",
        detail="No parallel plan at the second review.",
        role="IRO",
        manager="Tia Team-Manager",
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == "/alerts/1?raised=1"
    with web.app.state.engine.connect() as conn:
        (alert,) = list_alerts(conn, LA)
    assert (
        alert.child,
        alert.concern.value,
        alert.raised_by,
        alert.raised_role,
        alert.manager,
    ) == (
        child,
        "no contingency plan",
        "reviewer",
        "IRO",
        "Tia Team-Manager",
    )
    page = iro.get(reply.headers["location"])
    assert "The alert was raised." in page.text
    # The child's journey shows the open alert, awaiting a response; the manager sees it
    # but is not offered to raise one.
    record = web.client_as(Role.MANAGER).get(f"/children/{child}")
    assert '<a href="/alerts/1">Alert 1</a>' in record.text
    assert "no contingency plan: No parallel plan at the second review." in record.text
    assert "awaiting response" in record.text
    assert "Raise an alert" not in record.text
    assert logged(web, "raised management alert", "viewed management alert") == [
        ("reviewer", "raised management alert", child),
        ("reviewer", "viewed management alert", child),
    ]


def test_a_bad_alert_names_each_field_and_stores_nothing(web: Web) -> None:
    iro = web.client_as(Role.REVIEWING_OFFICER)
    reply = post(web, iro, "/alerts/new", child="", concern="", role="other")
    assert reply.status_code == 400
    assert "Child&#39;s ID: Enter the ID of the child" in reply.text
    assert "The concern: Choose what the concern is about." in reply.text
    assert "Your role: Enter the role you raise it in." in reply.text
    other = post(web, iro, "/alerts/new", child="NOBODY", concern="other", role="IRO")
    assert (
        "What the concern is: Describe the concern: &#34;other&#34; needs a few words" in other.text
    )
    unknown = post(web, iro, "/alerts/new", child="NOBODY", concern="drift", role="CP chair")
    assert unknown.status_code == 400
    assert f"LA {LA}&#39;s data has no child with this ID: check it." in unknown.text
    with web.app.state.engine.connect() as conn:
        assert list_alerts(conn, LA) == []
    # Only reviewing officers raise alerts.
    assert web.client_as(Role.MANAGER).get("/alerts/new").status_code == 403


def test_the_team_manager_of_the_childs_team_responds_and_the_iro_resolves(web: Web) -> None:
    ours, theirs = children(web)
    with web.app.state.engine.begin() as conn:
        mine = raise_alert(conn, LA, ours, "drift", role="IRO", who="reviewer")
        other = raise_alert(conn, LA, theirs, "drift", role="IRO", who="reviewer")
    tm = web.client_as(Role.TEAM_MANAGER)
    page = tm.get(f"/alerts/{mine.id}")
    assert "Record the response" in page.text
    blank = post(web, tm, f"/alerts/{mine.id}/respond", response="  ")
    assert blank.status_code == 400 and "Response: Write what will be done" in blank.text
    reply = post(web, tm, f"/alerts/{mine.id}/respond", response="Plan reviewed on Friday")
    assert reply.status_code == 303
    # Another team's child: the alert and its response are refused, and the refusal logged.
    assert tm.get(f"/alerts/{other.id}").status_code == 403
    assert post(web, tm, f"/alerts/{other.id}/respond", response="x").status_code == 403
    assert ("teammanager", "refused", theirs) in logged(web, "refused")
    # The IRO who raised it resolves it; another role's POST is refused at the door.
    iro = web.client_as(Role.REVIEWING_OFFICER)
    assert "Resolve the alert" in iro.get(f"/alerts/{mine.id}").text
    done = post(web, iro, f"/alerts/{mine.id}/resolve", resolution="Parallel plan agreed")
    assert done.status_code == 303
    with web.app.state.engine.connect() as conn:
        found = get_alert(conn, LA, mine.id)
    assert (found.response, found.responded_by, found.resolution) == (
        "Plan reviewed on Friday",
        "teammanager",
        "Parallel plan agreed",
    )
    assert found.state == "resolved"
    assert "Resolve the alert" not in iro.get(f"/alerts/{mine.id}").text
    record = web.client_as(Role.MANAGER).get(f"/children/{ours}")
    assert f'<a href="/alerts/{mine.id}">' not in record.text  # resolved: no longer shown
    assert post(web, web.client_as(Role.QA_LEAD), f"/alerts/{other.id}/resolve").status_code == 403


def test_an_iro_resolves_only_the_alerts_they_raised(web: Web) -> None:
    ours, _ = children(web)
    with web.app.state.engine.begin() as conn:
        theirs = raise_alert(conn, LA, ours, "drift", role="CP chair", who="another chair")
    iro = web.client_as(Role.REVIEWING_OFFICER)
    assert "Resolve the alert" not in iro.get(f"/alerts/{theirs.id}").text
    assert post(web, iro, f"/alerts/{theirs.id}/resolve", resolution="x").status_code == 403
    manager = web.client_as(Role.MANAGER)
    assert post(web, manager, f"/alerts/{theirs.id}/resolve", resolution="Done").status_code == 303


def test_the_list_shows_the_times_to_respond_and_resolve_by_hand(web: Web) -> None:
    ours, theirs = children(web)

    def at(day: str) -> dt.datetime:
        return dt.datetime.fromisoformat(day).replace(tzinfo=UK_WINTER)

    with web.app.state.engine.begin() as conn:
        # Raised Friday 9 January 2026, responded Tuesday 13th (4 days; working days after
        # the 9th up to the 13th: Mon 12, Tue 13: 2), resolved Friday 23rd (14 days, 10
        # working days).
        one = raise_alert(
            conn, LA, ours, "drift", role="IRO", who="reviewer", at=at("2026-01-09 10:00")
        )
        respond(conn, LA, one.id, "Seen", who="manager", at=at("2026-01-13 09:00"))
        resolve(conn, LA, one.id, "Done", who="reviewer", at=at("2026-01-23 09:00"))
        # Raised Monday 2 February, responded Monday 9th (7 days, 5 working), still open.
        two = raise_alert(
            conn,
            LA,
            ours,
            "other",
            detail="x",
            role="IRO",
            who="reviewer",
            at=at("2026-02-02 10:00"),
        )
        respond(conn, LA, two.id, "Booked", who="manager", at=at("2026-02-09 09:00"))
        # Another team's child, awaiting a response.
        raise_alert(
            conn, LA, theirs, "drift", role="IRO", who="reviewer", at=at("2026-02-03 10:00")
        )
    page = web.client_as(Role.MANAGER).get("/alerts")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    # Medians: to respond, of 4 and 7 days: 5.5 (2 and 5 working: 3.5); to resolve, 14 (10).
    assert "3 open 1 awaiting a response." not in text  # one is resolved
    assert "2 open 1 awaiting a response." in text
    assert "5.5 days median time to respond 3.5 working days; 2 alerts answered." in text
    assert "14 days median time to resolve 10 working days; 1 alert resolved." in text
    assert "Alert 1" in text and "Alert 3" in text
    # The team manager sees their team's children's alerts only.
    tm = web.client_as(Role.TEAM_MANAGER)
    mine = " ".join(re.sub(r"<[^>]+>", " ", tm.get("/alerts").text).split())
    assert "Alert 3" not in mine and "Alert 2" in mine
    assert "1 open 0 awaiting a response." in mine
    # Each list view logs the children it showed, one line each.
    assert logged(web, "viewed management alerts") == [
        ("manager", "viewed management alerts", ours),
        ("manager", "viewed management alerts", theirs),
        ("teammanager", "viewed management alerts", ours),
    ]


def test_roles_that_see_no_child_by_id_see_no_alerts(web: Web) -> None:
    for role in (Role.ANALYST, Role.ADMINISTRATOR):
        assert web.client_as(role).get("/alerts").status_code == 403, role
    assert web.client_as(Role.AUDITOR).get("/alerts").status_code == 200
    assert web.client_as(Role.QA_LEAD).get("/alerts/99").status_code == 404
    assert USERNAMES[Role.REVIEWING_OFFICER] == "reviewer"
