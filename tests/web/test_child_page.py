"""A child's journey: who may see it, what it shows, and recording, correcting and
withdrawing a milestone, with who and when.

Hand-checked in the synthetic LA: child 160816 (born 25/07/2009, Permanence North) entered
care on 06/11/2025, so under the england rules their permanence plan was due by 06/03/2026
(4 months) and, not recorded, is 25 days overdue as at 31/03/2026. Child 832948 is in
Children in Care West: neither the team manager (Children in Care East) nor the
practitioner (SW0006) may see them.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from carejourney.store.tables import access_log, recorded_milestone
from carejourney.web.roles import Role
from tests.web.conftest import USERNAMES, Web
from tests.web.test_drift_page import listed

CHILD = "160816"
PAGE = f"/children/{CHILD}?la=999"
RECORD = f"/children/{CHILD}/milestones?la=999"


def log(web: Web, *actions: str) -> list[tuple[str, str, str | None]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.action, access_log.c.child)
            .where(access_log.c.action.in_(actions))
            .order_by(access_log.c.id)
        )
        return [(r.who, r.action, r.child) for r in rows]


def stored(web: Web) -> list[tuple[str, dt.date | None, int | None, str]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(select(recorded_milestone).order_by(recorded_milestone.c.id))
        return [(r.milestone, r.date, r.replaces, r.recorded_by) for r in rows]


def permanence_plan(html: str) -> str:
    """The status of the child's permanence-plan rule, as the page shows it."""
    due = html.split('id="due"', 1)[1].split("</table>", 1)[0]
    for row in re.findall(r"<tr>(.*?)</tr>", due, flags=re.S):
        if "permanence-plan" in row:
            return re.findall(r'class="tag [^"]*">([^<]+)<', row)[0]
    raise AssertionError("no permanence-plan row")


def post(web: Web, client: TestClient, path: str, **fields: str) -> Any:
    """POST a form as the page would (with its CSRF token), without following redirects."""
    data = {**fields, "csrf_token": web.token(client)}
    return client.post(path, data=data, follow_redirects=False)


def test_the_record_shows_who_the_journey_and_the_rule_statuses(web: Web) -> None:
    page = web.client_as(Role.MANAGER).get(PAGE)
    assert page.status_code == 200
    born = dt.date(2009, 7, 25)
    today = dt.date.today()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    heading = re.search(r"<h1>(.*?)</h1>", page.text)
    assert heading and heading.group(1) == f"Child {CHILD}, aged {age}"  # no date of birth
    assert "<dt>Date of birth</dt><dd>25/07/2009</dd>" in page.text
    assert "<dt>Team</dt><dd>Permanence North</dd>" in page.text
    assert "Period of care 1: 06/11/2025 to still looked after" in page.text
    assert "Return: Episodes DECOM (RNE S)" in page.text
    assert permanence_plan(page.text) == "overdue"
    assert "Record a milestone" in page.text
    assert log(web, "viewed record") == [("manager", "viewed record", CHILD)]


def test_a_practitioner_asking_for_another_teams_child_is_refused_and_it_is_logged(
    web_any: Web,
) -> None:
    client = web_any.client_as(Role.PRACTITIONER)
    other = client.get("/children/832948?la=999")
    unknown = client.get("/children/000000?la=999")
    # A child that does not exist looks the same as one that is not theirs.
    assert other.status_code == unknown.status_code == 403
    assert "not one your role lets you see" in other.text
    assert other.text.replace("832948", "000000") == unknown.text
    assert log(web_any, "refused", "viewed record") == [
        ("practitioner", "refused", "832948"),
        ("practitioner", "refused", "000000"),
    ]


@pytest.mark.parametrize(
    ("role", "child", "status"),
    [
        (Role.MANAGER, "000000", 404),  # sees every child, so may be told there is none
        (Role.AUDITOR, "832948", 200),
        (Role.TEAM_MANAGER, "832948", 403),
        (Role.TEAM_MANAGER, "700861", 200),  # in their team
        (Role.PRACTITIONER, "700861", 200),  # allocated to them
        (Role.ANALYST, "700861", 403),  # never a child's record
        (Role.ADMINISTRATOR, "700861", 403),
    ],
)
def test_who_may_open_which_record(web: Web, role: Role, child: str, status: int) -> None:
    assert web.client_as(role).get(f"/children/{child}?la=999").status_code == status


def test_recording_correcting_and_withdrawing_change_the_rule_status(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    done = post(
        web, client, RECORD, milestone="permanence_plan_agreed", date="01/03/2026", note="at LAC"
    )
    assert done.status_code == 303
    assert done.headers["location"] == f"{PAGE}&changed=recorded#recorded"
    page = client.get(done.headers["location"]).text
    assert "The milestone was recorded" in page
    assert permanence_plan(page) == "met on time"  # agreed 01/03, due by 06/03
    assert "Web app" in page and "recorded Permanence plan agreed on 01/03/2026" in page
    assert CHILD not in listed(client.get("/drift?status=overdue").text)
    first = web_id(web)

    done = post(
        web,
        client,
        RECORD.replace("milestones", "milestones/correct"),
        recorded=str(first),
        date="2026-03-10",
        note="the minutes say 10th",
    )
    page = client.get(PAGE).text
    assert permanence_plan(page) == "met late"  # 4 days after the due date
    assert (
        "corrected Permanence plan agreed to 10/03/2026 (was Permanence plan agreed on 01/03/2026)"
        in page
    )

    post(
        web,
        client,
        RECORD.replace("milestones", "milestones/withdraw"),
        recorded=str(web_id(web)),
        note="wrong child",
    )
    page = client.get(PAGE).text
    assert permanence_plan(page) == "overdue"
    assert "withdrew Permanence plan agreed" in page
    assert stored(web) == [
        ("permanence_plan_agreed", dt.date(2026, 3, 1), None, "manager"),
        ("permanence_plan_agreed", dt.date(2026, 3, 10), first, "manager"),
        ("permanence_plan_agreed", None, first + 1, "manager"),
    ]
    changes = ["recorded milestone", "corrected milestone", "withdrew milestone"]
    assert log(web, *changes) == [("manager", action, CHILD) for action in changes]


def web_id(web: Web) -> int:
    """The newest recorded milestone's id."""
    with web.app.state.engine.connect() as conn:
        return int(
            conn.execute(select(recorded_milestone.c.id).order_by(recorded_milestone.c.id.desc()))
            .scalars()
            .first()
            or 0
        )


def test_a_practitioner_records_a_milestone_for_their_own_child(web: Web) -> None:
    client = web.client_as(Role.PRACTITIONER)
    done = post(
        web,
        client,
        "/children/636800/milestones?la=999",
        milestone="looked_after_review",
        date="20/03/2026",
    )
    assert done.status_code == 303
    assert stored(web) == [("looked_after_review", dt.date(2026, 3, 20), None, "practitioner")]
    # ...but not for another team's child: refused and logged, nothing stored.
    refused = post(
        web,
        client,
        "/children/832948/milestones?la=999",
        milestone="panel",
        date="20/03/2026",
    )
    assert refused.status_code == 403
    assert len(stored(web)) == 1
    assert log(web, "refused")[-1] == ("practitioner", "refused", "832948")


def test_bad_input_names_each_field_and_stores_nothing(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    reply = post(web, client, RECORD, milestone="", date="31/02/2026", note="")
    assert reply.status_code == 400
    text = reply.text
    assert "Nothing was stored" in text
    assert '<a href="#record-milestone">Milestone: Choose a milestone from the list.</a>' in text
    assert '<a href="#record-date">Date: Enter a real date as dd/mm/yyyy' in text
    assert 'value="31/02/2026"' in text  # what was typed is kept
    future = post(web, client, RECORD, milestone="panel", date="01/01/2099")
    assert "Date: The date 01/01/2099 is in the future" in future.text
    assert stored(web) == []
    assert log(web, "recorded milestone") == []


def test_a_note_is_shown_as_text_not_markup(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    post(web, client, RECORD, milestone="panel", date="01/03/2026", note="<script>x()</script>")
    page = client.get(PAGE).text
    assert "<script>x()</script>" not in page
    assert "&lt;script&gt;x()&lt;/script&gt;" in page


def test_a_change_without_the_forms_token_is_refused(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    reply = client.post(RECORD, data={"milestone": "panel", "date": "01/03/2026"})
    assert reply.status_code == 400
    assert stored(web) == []


def test_the_auditor_reads_but_cannot_change(web: Web) -> None:
    client = web.client_as(Role.AUDITOR)
    page = client.get(PAGE).text
    assert "Record a milestone" not in page and '<form method="post" action="/children' not in page
    token = web.token(client, PAGE)
    reply = client.post(
        RECORD, data={"milestone": "panel", "date": "01/03/2026", "csrf_token": token}
    )
    assert reply.status_code == 403
    assert stored(web) == []
    assert log(web, "refused") == [("auditor", "refused", None)]


def test_the_role_names_in_tests_match_the_demo_accounts() -> None:
    assert USERNAMES[Role.AUDITOR] == "auditor"
