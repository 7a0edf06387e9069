"""Auditors see the cases they audit: whoever an audit is assigned to (by user name or
display name, any case) may open it and read the child's record, whatever their role;
everyone else sees the audits their role allows; every view and refusal is logged."""

from __future__ import annotations

import datetime as dt

import polars as pl
from sqlalchemy import select

from carejourney.quality.audits import AuditInput, Status, get_audit, record_audit
from carejourney.store.tables import access_log, allocation, web_user
from carejourney.web.accounts import find_account
from carejourney.web.permissions import (
    AuditScope,
    Viewer,
    audit_scope,
    audited_children,
    is_assigned,
    may_see_child,
)
from carejourney.web.roles import Role
from tests.web.browser.conftest import sample_child_of
from tests.web.conftest import LA, USERNAMES, Web


def viewer_of(web: Web, role: Role) -> Viewer:
    with web.app.state.engine.connect() as conn:
        account = find_account(conn, username=USERNAMES[role])
    assert account is not None
    return Viewer(account)


def team_of(web: Web, role: Role) -> str:
    with web.app.state.engine.connect() as conn:
        team = conn.execute(
            select(web_user.c.team).where(web_user.c.username == USERNAMES[role])
        ).scalar_one()
    assert isinstance(team, str)
    return team


def other_team_child(web: Web) -> tuple[str, str]:
    """A child, and their team, that is not the demo team manager's (so not the demo
    practitioner's either): no one but the all-seeing roles may see them by scope."""
    team = team_of(web, Role.TEAM_MANAGER)
    with web.app.state.engine.connect() as conn:
        child, theirs = conn.execute(
            select(allocation.c.child, allocation.c.team)
            .where(allocation.c.la == LA, allocation.c.team != team)
            .order_by(allocation.c.child)
            .limit(1)
        ).one()
    return child, theirs


def assign(web: Web, child: str, auditor: str, team: str | None = None) -> int:
    with web.app.state.engine.begin() as conn:
        stored = record_audit(
            conn,
            LA,
            AuditInput(
                child=child,
                auditor=auditor,
                team=team,
                month=dt.date(2026, 11, 1),
                status=Status.ASSIGNED,
            ),
            who="tests",
        )
    return stored.id


def log(web: Web, action: str) -> list[tuple[str, str | None, str | None]]:
    with web.app.state.engine.connect() as conn:
        query = select(access_log.c.who, access_log.c.child, access_log.c.detail).where(
            access_log.c.action == action
        )
        return [tuple(r) for r in conn.execute(query.order_by(access_log.c.id))]


# --- permissions ------------------------------------------------------------------------------


def test_an_assigned_auditor_may_read_the_childs_record_whatever_their_scope(web: Web) -> None:
    child, _ = other_team_child(web)
    practitioner = viewer_of(web, Role.PRACTITIONER)  # "Pat Practitioner", user practitioner
    with web.app.state.engine.connect() as conn:
        assert not may_see_child(conn, practitioner, LA, child, audited=True)
    assign(web, child, "  pat   PRACTITIONER ")  # the name as a QA lead might type it
    with web.app.state.engine.connect() as conn:
        assert audited_children(conn, practitioner, LA) == {child}
        assert may_see_child(conn, practitioner, LA, child, audited=True)
        # Reading only: the scope for changing a record is the role's own, as before.
        assert not may_see_child(conn, practitioner, LA, child)
        # Someone else's assignment gives the team manager nothing; another LA, nothing.
        team_manager = viewer_of(web, Role.TEAM_MANAGER)
        assert not may_see_child(conn, team_manager, LA, child, audited=True)
        assert audited_children(conn, practitioner, "123") == set()
        # A role that sees every child still does, audits or not.
        assert may_see_child(conn, viewer_of(web, Role.MANAGER), LA, child)


def test_an_audit_is_the_viewers_by_user_name_or_display_name_in_any_case(web: Web) -> None:
    analyst = viewer_of(web, Role.ANALYST)  # "Ali Analyst", user analyst
    assert is_assigned(analyst, "ANALYST")
    assert is_assigned(analyst, " Ali  analyst ")
    assert not is_assigned(analyst, "Ali")
    assert not is_assigned(analyst, None)


def test_audit_scope_by_role_and_its_filter_agree(web: Web) -> None:
    child, other = other_team_child(web)
    team = team_of(web, Role.TEAM_MANAGER)
    with web.app.state.engine.connect() as conn:
        team_child = sample_child_of(conn)
        scopes = {role: audit_scope(conn, viewer_of(web, role), LA) for role in Role}
        assert audit_scope(conn, viewer_of(web, Role.QA_LEAD), "123") == AuditScope(False)
    assert {r for r, s in scopes.items() if s.every} == {Role.QA_LEAD, Role.MANAGER, Role.AUDITOR}
    audits = pl.DataFrame(
        {
            "child": [child, child, team_child, child],
            "team": [other, team, None, other],
            "auditor": ["Ali Analyst", "Someone", "Someone", "Rae Reviewing-Officer"],
        }
    )
    expected = {
        Role.ANALYST: [True, False, False, False],
        Role.TEAM_MANAGER: [False, True, True, False],  # its team, or a child in it now
        Role.REVIEWING_OFFICER: [False, False, False, True],
        Role.PRACTITIONER: [False, False, False, False],
        Role.ADMINISTRATOR: [False, False, False, False],
        Role.MANAGER: [True, True, True, True],
    }
    for role, sees in expected.items():
        scope = scopes[role]
        by_row = [
            scope.sees(r["auditor"], r["team"], r["child"]) for r in audits.iter_rows(named=True)
        ]
        assert by_row == sees, role
        kept = audits.with_row_index().filter(scope.expr())["index"].to_list()
        assert kept == [i for i, seen in enumerate(sees) if seen], role


# --- the pages --------------------------------------------------------------------------------


def test_assigned_auditors_of_any_role_open_their_audit_and_each_view_is_logged(web: Web) -> None:
    child, team = other_team_child(web)
    for role in (Role.ANALYST, Role.PRACTITIONER, Role.REVIEWING_OFFICER, Role.ADMINISTRATOR):
        with web.app.state.engine.connect() as conn:
            name = find_account(conn, username=USERNAMES[role])
        assert name is not None
        number = assign(web, child, name.display_name, team)
        page = web.client_as(role).get(f"/audits/{number}")
        assert page.status_code == 200, role
        assert f"<h1>Audit {number}: child {child}</h1>" in page.text
        assert f'action="/audits/{number}"' in page.text  # their own: they fill it in
        assert log(web, "view audit")[-1] == (USERNAMES[role], child, f"audit {number}")


def test_an_audit_not_theirs_is_not_found_and_the_refusal_is_logged(web: Web) -> None:
    child, team = other_team_child(web)
    number = assign(web, child, "Alex Morgan", team)
    for role in (Role.ANALYST, Role.PRACTITIONER, Role.TEAM_MANAGER, Role.REVIEWING_OFFICER):
        reply = web.client_as(role).get(f"/audits/{number}")
        assert reply.status_code == 404, role
        assert log(web, "refused")[-1] == (USERNAMES[role], child, f"GET audit {number}")
    assert log(web, "view audit") == []
    assert web.client_as(Role.QA_LEAD).get("/audits/999999").status_code == 404


def test_a_team_manager_sees_their_teams_audits(web: Web) -> None:
    team = team_of(web, Role.TEAM_MANAGER)
    with web.app.state.engine.connect() as conn:
        team_child = sample_child_of(conn)
    child, other = other_team_child(web)
    theirs = assign(web, team_child, "Alex Morgan", team)
    elsewhere = assign(web, child, "Alex Morgan", other)
    client = web.client_as(Role.TEAM_MANAGER)
    assert client.get(f"/audits/{theirs}").status_code == 200
    assert client.get(f"/audits/{elsewhere}").status_code == 404
    listed = client.get("/audits/list").text
    assert f'href="/audits/{theirs}"' in listed and f'href="/audits/{elsewhere}"' not in listed
    assert "1 of the 1 audits you may see" in listed


def test_readers_cannot_change_an_audit_and_the_refusal_is_logged(web: Web) -> None:
    child, team = other_team_child(web)
    number = assign(web, child, "Alex Morgan", team)
    for role in (Role.MANAGER, Role.AUDITOR):
        client = web.client_as(role)
        page = client.get(f"/audits/{number}").text
        assert f'action="/audits/{number}"' not in page  # read-only: no form
        token = web.token(client, f"/audits/{number}")
        reply = client.post(
            f"/audits/{number}",
            data={"csrf_token": token, "action": "complete", "overall": "good"},
        )
        assert reply.status_code == 400
        assert "You can read this audit but not change it" in reply.text
        assert log(web, "refused")[-1] == (USERNAMES[role], child, f"POST audit {number}")
    with web.app.state.engine.connect() as conn:
        assert get_audit(conn, number).status is Status.ASSIGNED


def test_the_audit_links_to_the_record_its_auditor_may_read(web: Web) -> None:
    child, team = other_team_child(web)
    number = assign(web, child, "Pat Practitioner", team)
    page = web.client_as(Role.PRACTITIONER).get(f"/audits/{number}").text
    assert f'<a href="/children/{child}?la={LA}">open the child\'s record</a>' in page
    # The analyst's role never opens a record, so no link is offered, even to an audit of theirs.
    mine = assign(web, child, "Ali Analyst", team)
    assert "open the child" not in web.client_as(Role.ANALYST).get(f"/audits/{mine}").text


def test_the_list_shows_each_person_only_the_audits_they_may_open(web: Web) -> None:
    child, team = other_team_child(web)
    mine = assign(web, child, "Ali Analyst", team)
    other = assign(web, child, "Alex Morgan", team)
    analyst = web.client_as(Role.ANALYST).get("/audits/list").text
    assert f'href="/audits/{mine}"' in analyst and f'href="/audits/{other}"' not in analyst
    qa = web.client_as(Role.QA_LEAD).get("/audits/list").text
    assert f'href="/audits/{mine}"' in qa and f'href="/audits/{other}"' in qa
    assert [c for w, c, _ in log(web, "listed audits") if w == "analyst"] == [child]


def test_an_assigned_auditor_reads_the_record_but_cannot_change_it(web: Web) -> None:
    child, _ = other_team_child(web)
    client = web.client_as(Role.PRACTITIONER)
    assert client.get(f"/children/{child}?la={LA}").status_code == 403  # not theirs yet
    assign(web, child, "Pat Practitioner")
    page = client.get(f"/children/{child}?la={LA}")
    assert page.status_code == 200
    assert "Record a milestone" not in page.text
    assert ("practitioner", child, None) in log(web, "viewed record")
    token = web.token(client)
    reply = client.post(
        f"/children/{child}/milestones?la={LA}",
        data={"csrf_token": token, "milestone": "matched", "date": "01/11/2026"},
        follow_redirects=False,
    )
    assert reply.status_code == 403
