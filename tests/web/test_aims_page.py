"""Aims: the chart with its words, and PDSA cycles added and edited as the CLI checks them."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import add_aim, aims_from_rule_set, get_aim
from carejourney.improvement.cycles import CycleInput, add_cycle, list_cycles
from carejourney.store.tables import pdsa_cycle
from carejourney.web.pages.aims import read_cycle_form
from carejourney.web.roles import ALL_ROLES, Role
from tests.web.conftest import LA, Web

AIM = "aim-2-recommendation"
GOOD = {
    "title": "15-week reminder",
    "change_idea": "A checklist reminds the worker at 15 weeks",
    "prediction": "More recommendations within 30 weeks",
    "do_start": "01/04/2025",
}
GOOD_START = dt.date(2025, 4, 1)


@pytest.fixture
def aims(web: Web) -> Web:
    """The synthetic LA with Moray's aims (PACE), as `carejourney aims add --from-rules`."""
    with web.app.state.engine.begin() as conn:
        for aim in aims_from_rule_set(load_rule_set("pace-moray")):
            add_aim(conn, LA, aim, who="tests")
    return web


def _cycles(web: Web) -> int:
    with web.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(pdsa_cycle)).scalar_one())


def test_every_role_sees_the_aims_with_their_latest_figure(aims: Web) -> None:
    for role in ALL_ROLES:
        page = aims.client_as(role).get("/aims")
        assert page.status_code == 200, role
        assert f'href="/aims/{AIM}"' in page.text
        assert "<caption>Aims of LA 999</caption>" in page.text
        assert "(March 2026)" in page.text  # the latest month charted


def test_an_aim_shows_its_chart_with_a_text_alternative_and_signals_in_words(aims: Web) -> None:
    page = aims.client_as(Role.ANALYST).get(f"/aims/{AIM}")
    assert page.status_code == 200
    assert "<svg" in page.text and 'role="img" aria-label="A control chart' in page.text
    assert "What the chart shows" in page.text
    # The signal, in words (this synthetic LA's chart crosses its centre line too rarely).
    assert "crosses the centre line only" in page.text
    assert "PDSA cycles" in page.text


def test_a_cycle_is_added_with_who_added_it_and_marked_on_the_chart(aims: Web) -> None:
    client = aims.client_as(Role.PRACTITIONER)
    reply = client.post(
        f"/aims/{AIM}/cycles",
        data={**GOOD, "csrf_token": aims.token(client, f"/aims/{AIM}")},
        follow_redirects=False,
    )
    assert reply.status_code == 303
    assert reply.headers["location"] == f"/aims/{AIM}?added=1#cycles"
    with aims.app.state.engine.connect() as conn:
        (cycle,) = list_cycles(conn, get_aim(conn, LA, AIM))
    assert (cycle.title, cycle.created_by, cycle.author) == (
        GOOD["title"],
        "practitioner",
        "practitioner",
    )
    page = client.get(reply.headers["location"])
    assert "PDSA cycle 1 was added." in page.text
    assert "PDSA 1: 15-week reminder: marked at" in page.text  # the chart was drawn again


@pytest.mark.parametrize(
    ("change", "field_says"),
    [
        ({"do_start": "31/02/2025"}, "Date the test started: Enter a real date"),
        ({"do_end": "next week"}, "Date it ended: Enter a real date"),
        ({"do_end": "01/03/2025"}, "Date it ended: The cycle ends (01/03/2025) before it starts"),
        ({"title": "  "}, "Title: Enter a short title"),
        ({"act": "keep"}, "Decision: Choose adopt, adapt or abandon"),
    ],
)
def test_a_bad_cycle_is_refused_naming_the_field_and_nothing_is_stored(
    aims: Web, change: dict[str, str], field_says: str
) -> None:
    client = aims.client_as(Role.MANAGER)
    reply = client.post(
        f"/aims/{AIM}/cycles",
        data={**GOOD, **change, "csrf_token": aims.token(client, f"/aims/{AIM}")},
    )
    assert reply.status_code == 400
    assert 'class="error-summary"' in reply.text
    assert field_says in reply.text
    assert 'value="15-week reminder"' in reply.text or change.get("title")  # kept what was typed
    assert _cycles(aims) == 0


def test_a_cycle_is_edited_with_who_changed_it(aims: Web) -> None:
    with aims.app.state.engine.begin() as conn:
        aim = get_aim(conn, LA, AIM)
        add_cycle(conn, aim, CycleInput("Reminder", "A checklist", "Faster", GOOD_START), who="x")
    client = aims.client_as(Role.ANALYST)
    form = client.get(f"/aims/{AIM}/cycles/1")
    assert form.status_code == 200 and 'value="Reminder"' in form.text
    reply = client.post(
        f"/aims/{AIM}/cycles/1",
        data={
            "title": "Reminder",
            "change_idea": "A checklist",
            "prediction": "Faster",
            "do_start": "01/04/2025",
            "do_end": "30/06/2025",
            "study": "9 of 12 on time",
            "act": "adopt",
            "csrf_token": aims.token(client, f"/aims/{AIM}/cycles/1"),
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303
    with aims.app.state.engine.connect() as conn:
        (cycle,) = list_cycles(conn, get_aim(conn, LA, AIM))
    assert (cycle.study, cycle.act, cycle.updated_by) == ("9 of 12 on time", "adopt", "analyst")
    assert cycle.created_by == "x"


def test_an_auditor_may_look_but_not_add_or_edit(aims: Web) -> None:
    client = aims.client_as(Role.AUDITOR)
    page = client.get(f"/aims/{AIM}")
    assert page.status_code == 200 and "Add a PDSA cycle" not in page.text
    reply = client.post(
        f"/aims/{AIM}/cycles", data={**GOOD, "csrf_token": aims.token(client, f"/aims/{AIM}")}
    )
    assert reply.status_code == 403
    assert client.get(f"/aims/{AIM}/cycles/1").status_code == 403
    assert _cycles(aims) == 0


def test_an_unknown_aim_or_cycle_is_not_found(aims: Web) -> None:
    client = aims.client_as(Role.MANAGER)
    assert client.get("/aims/no-such-aim").status_code == 404
    assert client.get(f"/aims/{AIM}/cycles/7").status_code == 404


def test_the_form_reads_dates_as_the_cli_does() -> None:
    cycle, errors = read_cycle_form({**GOOD, "do_start": "2025-04-01", "starts_phase": "yes"})
    assert errors == {} and cycle is not None
    assert (cycle.do_start, cycle.starts_phase, cycle.act) == (GOOD_START, True, None)
