"""Action plans in the web app: added from an audit, a theme or an alert, listed and
filtered, the QA meeting's list of overdue actions by owner worked out by hand, a CSV
download, and progress notes by the action's owner and the QA lead only."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from carejourney.quality.actions import (
    ActionInput,
    Status,
    action_notes,
    add_action,
    get_action,
    list_actions,
    update_action,
)
from carejourney.quality.alerts import raise_alert
from carejourney.quality.audits import AuditInput, record_audit
from carejourney.store.tables import access_log
from carejourney.web.roles import Role
from tests.web.browser.conftest import sample_child_of
from tests.web.conftest import LA, USERNAMES, Web

TODAY = dt.date.today()
GOOD = {
    "title": "Update every chronology in Permanence North",
    "owner": "Head of Service",
    "due": "30/06/2026",
    "origin": "report",
    "detail": "Ofsted's letter, March 2026.",
}


def post(web: Web, client: TestClient, path: str, **fields: str) -> Any:
    """POST a form as the page would (with its CSRF token), without following redirects."""
    data = {**fields, "csrf_token": web.token(client)}
    return client.post(path, data=data, follow_redirects=False)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def actions(web: Web) -> list[tuple[str, str, dt.date, str, str, int | None, str | None]]:
    with web.app.state.engine.connect() as conn:
        return [
            (a.title, a.owner, a.due, a.origin.value, a.status.value, a.audit_id, a.created_by)
            for a in list_actions(conn, LA)
        ]


def plan(web: Web) -> None:
    """Five actions, as at today: 1 is 10 days overdue and 5 is 3 (both Head of Service's);
    3 is 20 days overdue (Pat Practitioner's, in progress); 2 is due today (not overdue);
    4 was due 40 days ago but is done."""
    with web.app.state.engine.begin() as conn:
        for title, owner, due in (
            ("Update every chronology", "Head of Service", days(-10)),
            ("Reflective supervision", "Head of Service", days(0)),
            ("Contingency plans", "Pat Practitioner", days(-20)),
            ("Audit tool revised", "Team Manager", days(-40)),
            ("Permanence tracker", "Head of Service", days(-3)),
        ):
            add_action(conn, LA, ActionInput(title, owner, due), who="tests")
        update_action(conn, LA, 3, "Started", status=Status.IN_PROGRESS, who="tests")
        update_action(conn, LA, 4, "Done", status=Status.DONE, who="tests")


def titles(html: str) -> list[str]:
    return re.findall(r'<a href="/actions/\d+">\d+\. ([^<]+)</a>', html)


def test_a_qa_lead_adds_an_action_and_it_is_stored_with_who_added_it(web: Web) -> None:
    client = web.client_as(Role.QA_LEAD)
    reply = post(web, client, "/actions/new", **GOOD)
    assert reply.status_code == 303
    assert reply.headers["location"] == "/actions/1?added=1"
    assert actions(web) == [
        (GOOD["title"], "Head of Service", dt.date(2026, 6, 30), "report", "open", None, "qalead")
    ]
    page = client.get(reply.headers["location"])
    assert "The action was added." in page.text
    assert "Ofsted&#39;s letter, March 2026." in page.text


def test_an_action_from_an_audit_starts_from_the_audit(web: Web) -> None:
    with web.app.state.engine.begin() as conn:
        child = sample_child_of(conn)
        done = record_audit(
            conn,
            LA,
            AuditInput(child, "Alex Morgan", dt.date(2026, 3, 3), "requires improvement"),
            who="tests",
        )
    client = web.client_as(Role.MANAGER)
    form = client.get(f"/actions/new?audit={done.id}")
    assert form.status_code == 200
    assert f'id="audit" name="audit" value="{done.id}"' in form.text
    assert re.search(r'value="audit" checked', form.text)
    assert child not in form.text  # the form names the audit, never the child
    reply = post(web, client, "/actions/new", **{**GOOD, "origin": "audit", "audit": str(done.id)})
    assert reply.status_code == 303
    assert actions(web)[0][3:6] == ("audit", "open", done.id)
    page = client.get(reply.headers["location"])
    assert f'<a href="/audits/{done.id}">audit {done.id}</a>' in page.text


def test_an_action_from_a_theme_or_an_alert_is_prefilled(web: Web) -> None:
    with web.app.state.engine.begin() as conn:
        child = sample_child_of(conn)
        alert = raise_alert(
            conn, LA, child, "drift", role="IRO", who="reviewer", at=dt.datetime(2026, 3, 2, 10)
        )
    client = web.client_as(Role.QA_LEAD)
    themed = client.get("/actions/new?theme=supervision not reflective")
    assert 'id="theme" name="theme" value="supervision not reflective"' in themed.text
    assert 'value="theme" checked' in themed.text
    alerted = client.get(f"/actions/new?alert={alert.id}")
    assert 'value="alert" checked' in alerted.text
    assert (
        f"From management alert {alert.id} (drift), raised by the IRO on 02/03/2026."
        in alerted.text
    )
    assert child not in alerted.text


def test_a_bad_action_names_each_field_keeps_what_was_typed_and_stores_nothing(
    web: Web,
) -> None:
    client = web.client_as(Role.QA_LEAD)
    reply = post(
        web,
        client,
        "/actions/new",
        **{**GOOD, "title": " ", "due": "31/06/2026", "origin": "theme"},
    )
    assert reply.status_code == 400
    assert 'class="error-summary"' in reply.text
    assert '<a href="#title">What is to be done: Enter what is to be done' in reply.text
    assert '<a href="#due">Due date: Enter a real date written dd/mm/yyyy' in reply.text
    assert '<a href="#theme">Theme: Enter the theme' in reply.text
    assert 'value="Head of Service"' in reply.text  # kept
    assert reply.text.count('aria-invalid="true"') == 3
    missing = post(web, client, "/actions/new", **{**GOOD, "origin": "audit", "audit": "12345"})
    assert missing.status_code == 400
    assert f"LA {LA} has no audit 12345: check its number." in missing.text
    assert actions(web) == []


def test_the_list_filters_by_status_owner_and_overdue(web: Web) -> None:
    plan(web)
    client = web.client_as(Role.ANALYST)
    page = client.get("/actions")
    assert page.status_code == 200
    # Still open by default, by due date: 3 (-20), 1 (-10), 5 (-3), 2 (today).
    assert titles(page.text) == [
        "Contingency plans",
        "Update every chronology",
        "Permanence tracker",
        "Reflective supervision",
    ]
    assert '<span class="value">4</span> open or in progress' in page.text
    assert (
        '<span class="value">3</span> <a href="/actions?overdue=1">overdue today</a>' in page.text
    )
    assert titles(client.get("/actions?status=").text)[0] == "Audit tool revised"
    assert titles(client.get("/actions?status=done").text) == ["Audit tool revised"]
    assert titles(client.get("/actions?owner=Head of Service&overdue=1").text) == [
        "Update every chronology",
        "Permanence tracker",
    ]
    assert web.client_as(Role.ADMINISTRATOR).get("/actions").status_code == 403


def test_the_qa_meeting_lists_every_overdue_action_by_owner(web: Web) -> None:
    plan(web)
    client = web.client_as(Role.MANAGER)
    page = client.get("/actions/meeting")
    assert page.status_code == 200
    text = " ".join(re.sub(r"<[^>]+>", " ", page.text).split())
    # Head of Service has 2 overdue (10 and 3 days), Pat Practitioner 1 (20 days): the owner
    # with more first, and within an owner the longest overdue first.
    assert "3 overdue actions, owned by 2 people or roles." in text
    assert text.index("Head of Service: 2 overdue, the longest 10 days") < text.index(
        "Pat Practitioner: 1 overdue, the longest 20 days"
    )
    assert titles(page.text) == [
        "Update every chronology",
        "Permanence tracker",
        "Contingency plans",
    ]
    # 45 days ago, no action was due yet.
    earlier = client.get(f"/actions/meeting?as_at={days(-45):%d/%m/%Y}")
    assert f"No action was overdue on {days(-45):%d/%m/%Y}." in earlier.text
    wrong = client.get("/actions/meeting?as_at=31/02/2026")
    assert "As at: Enter a real date" in wrong.text


def test_the_download_is_the_list_shown_and_is_logged(web: Web) -> None:
    plan(web)
    client = web.client_as(Role.QA_LEAD)
    reply = client.get("/actions.csv?owner=Head of Service")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert [(r["action"], r["title"], r["days_overdue"]) for r in rows] == [
        ("1", "Update every chronology", "10"),
        ("5", "Permanence tracker", "3"),
        ("2", "Reflective supervision", "0"),
    ]
    assert rows[0]["due"] == f"{days(-10):%d/%m/%Y}"
    with web.app.state.engine.connect() as conn:
        logged = conn.execute(
            select(access_log.c.who, access_log.c.detail).where(
                access_log.c.action == "downloaded actions"
            )
        ).all()
    assert logged == [("qalead", "3 rows")]


def test_the_owner_adds_a_progress_note_and_changes_the_status(web: Web) -> None:
    plan(web)
    client = web.client_as(Role.PRACTITIONER)  # Pat Practitioner owns action 3
    page = client.get("/actions/3")
    assert "Add a progress note" in page.text
    reply = post(web, client, "/actions/3", note="Plans checked in 12 of 15 cases", status="done")
    assert reply.status_code == 303
    assert reply.headers["location"] == "/actions/3?noted=1#progress"
    with web.app.state.engine.connect() as conn:
        found = get_action(conn, LA, 3)
        notes = [(n.by, n.note, n.status) for n in action_notes(conn, found)]
    assert found.status is Status.DONE and found.closed_at is not None
    assert notes[-1] == (
        USERNAMES[Role.PRACTITIONER],
        "Plans checked in 12 of 15 cases",
        Status.DONE,
    )
    assert "Plans checked in 12 of 15 cases" in client.get("/actions/3").text


def test_only_the_owner_whoever_added_it_and_the_qa_lead_add_notes(web: Web) -> None:
    plan(web)
    # Someone else's action: no form, and a note sent anyway is refused and logged.
    client = web.client_as(Role.TEAM_MANAGER)
    assert "Add a progress note" not in client.get("/actions/3").text
    reply = post(web, client, "/actions/3", note="Not mine")
    assert reply.status_code == 403
    with web.app.state.engine.connect() as conn:
        refused = conn.execute(
            select(access_log.c.detail).where(
                access_log.c.action == "refused", access_log.c.who == "teammanager"
            )
        ).scalars()
        assert list(refused) == ["POST /actions/3"]
    # The QA lead may; a blank note is refused with the field named, and nothing changes.
    qa = web.client_as(Role.QA_LEAD)
    blank = post(web, qa, "/actions/3", note=" ", new_due="someday")
    assert blank.status_code == 400
    assert "Progress note: Write what has been done" in blank.text
    assert "Move the due date to: Enter a real date" in blank.text
    moved = post(web, qa, "/actions/3", note="Moved: the team is short", new_due="31/12/2026")
    assert moved.status_code == 303
    with web.app.state.engine.connect() as conn:
        assert get_action(conn, LA, 3).due == dt.date(2026, 12, 31)
    # The auditor reads, never writes.
    auditor = web.client_as(Role.AUDITOR)
    assert "Add a progress note" not in auditor.get("/actions/3").text
    assert post(web, auditor, "/actions/3", note="x").status_code == 403


def test_an_action_that_is_not_there_is_not_found(web: Web) -> None:
    client = web.client_as(Role.QA_LEAD)
    assert client.get("/actions/99").status_code == 404
    assert client.get("/actions/not-a-number").status_code == 400
