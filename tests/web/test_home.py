"""Home: what needs attention today, for each role's own children, and aims with a new
signal.

Hand-checked in the synthetic LA (as at 31/03/2026, england rules, which set no reminder
windows, so a reminder is due 28 days ahead): 4 milestones are overdue, one each for
832948, 160816, 509940 and 660559; 10 fall due within 28 days, for 9 children (851438
twice). Of those, the team manager's team (Children in Care East) has none overdue and 2
due soon, 700861 and 636800, both allocated to the practitioner (SW0006).
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from sqlalchemy import select

from carejourney.improvement.aims import Aim, Measure, MeasurePoint, add_aim
from carejourney.measures.spc.types import ChartType
from carejourney.store.tables import access_log
from carejourney.web.roles import Role
from tests.web.conftest import LA, Web
from tests.web.test_drift_page import OVERDUE, all_children, listed


def figures(html: str) -> list[str]:
    """The figures' sentences, as text."""
    block = html.split('<ul class="figures home-figures">', 1)[1].split("</ul>", 1)[0]
    items = re.findall(r"<li>(.*?)</li>", block, flags=re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def test_a_manager_reaches_this_months_overdue_children_in_two_clicks(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    home = client.get("/")
    overdue, reminders = figures(home.text)
    assert overdue.startswith("4 overdue milestones, for 4 children See the 4 overdue")
    assert reminders.startswith("10 reminders due, for 9 children")
    link = re.search(r'href="([^"]+)">See the 4 overdue', home.text)
    assert link is not None
    drift = client.get(link.group(1).replace("&amp;", "&"))
    assert listed(drift.text) == OVERDUE


def test_each_role_is_told_about_its_own_children_only(web: Web) -> None:
    everyone = all_children(web)
    for role, overdue, soon in [
        (Role.TEAM_MANAGER, "0 overdue milestones, for 0 children", ["700861", "636800"]),
        (Role.PRACTITIONER, "0 overdue milestones, for 0 children", ["700861", "636800"]),
    ]:
        home = web.client_as(role).get("/").text
        assert figures(home)[0].startswith(overdue), role
        assert figures(home)[1].startswith("2 reminders due, for 2 children"), role
        assert listed(home) == soon
        assert set(re.findall(r"\w+", home)) & everyone == set(soon), role


@pytest.mark.parametrize(("role", "link"), [(Role.ANALYST, True), (Role.ADMINISTRATOR, False)])
def test_figures_only_roles_see_the_las_counts_and_no_child(
    web: Web, role: Role, link: bool
) -> None:
    home = web.client_as(role).get("/").text
    assert figures(home)[0].startswith("4 overdue milestones, for 4 children")
    assert figures(home)[1].startswith("10 reminders due, for 9 children")
    assert not set(re.findall(r"\w+", home)) & all_children(web)
    assert ("See the 4 overdue" in home) is link  # an administrator has no drift list
    assert "Your role sees figures only" in home


def test_the_children_named_on_home_are_recorded(web: Web) -> None:
    web.client_as(Role.TEAM_MANAGER).get("/")
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.child).where(
                access_log.c.action == "viewed home page"
            )
        ).all()
    assert sorted(rows) == [("teammanager", "636800"), ("teammanager", "700861")]


def _points(values: list[float]) -> list[MeasurePoint]:
    start = dt.date(2024, 1, 1)
    return [
        MeasurePoint(
            date=(day := dt.date(start.year + n // 12, n % 12 + 1, 1)),
            label=f"{day:%b %Y}",
            value=v,
        )
        for n, v in enumerate(values)
    ]


def test_aims_whose_latest_points_signal_are_listed(web: Web) -> None:
    steady = [10.0, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11, 10, 12, 9, 11]
    jumped = [*steady[:-1], 40.0]  # the latest point far outside the limits
    with web.app.state.engine.begin() as conn:
        for name, values in [("steady-aim", steady), ("jumped-aim", jumped)]:
            aim = Aim(
                name=name,
                statement=f"The {name} measure.",
                measure=Measure.CSV,
                chart=ChartType.I,
                value_title="Days",
            )
            add_aim(conn, LA, aim, points=_points(values), who="tests")
    home = web.client_as(Role.AUDITOR).get("/").text
    aims = home.split('id="aims"', 1)[1]
    assert '<a href="/aims/jumped-aim">jumped-aim</a>' in aims
    assert "A point outside the control limits, at the latest point (Apr 2025)." in aims
    assert "steady-aim" not in aims
