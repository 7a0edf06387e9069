"""WCAG 2.2 AA, checked by axe-core in Chromium, on every page each role can reach.

For each role: sign in, read the menu from the page itself (so pages added later are
checked too), and visit every page in it, a child's journey (its refusal for roles that may
not see it), an aim's page, and a page that is not there; for a visitor, the sign-in page.
Each page must have no axe violation of serious or critical impact against the WCAG 2.0,
2.1 and 2.2 A and AA rules, and must fit a 1366 px wide laptop screen without the page
scrolling sideways (a wide table may scroll inside its own wrapper).

The shared server's LA has no front door or audits, so the pages that show them are checked
again over an LA that has them (`test_the_demand_and_quality_pages_are_accessible_with_data_in_them`),
with their tables and charts in.
"""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

from carejourney import imports
from carejourney.quality.actions import ActionInput, add_action
from carejourney.quality.alerts import raise_alert
from carejourney.quality.importing import import_audits
from carejourney.store import database
from carejourney.synth.audits import write_for_returns
from carejourney.synth.demand import write_demand
from carejourney.web.roles import Role
from tests.web.browser.conftest import SAMPLE_AIM, VIEWPORT, PageAs, serving
from tests.web.conftest import LA

pytestmark = pytest.mark.browser

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
FAILING_IMPACTS = ("serious", "critical")
ROLE_ORDER = [
    Role.MANAGER,
    Role.TEAM_MANAGER,
    Role.PRACTITIONER,
    Role.ANALYST,
    Role.AUDITOR,
    Role.ADMINISTRATOR,
    Role.QA_LEAD,
    Role.REVIEWING_OFFICER,
]

_axe = Axe()


def menu_paths(page: Page) -> list[str]:
    """The paths the page's main menu links to, in order."""
    hrefs: list[str] = page.locator("nav[aria-label='Main'] a").evaluate_all(
        "links => links.map(link => link.getAttribute('href'))"
    )
    return list(dict.fromkeys(hrefs))


def problems_on(page: Page, path: str) -> list[str]:
    """What is wrong with the page at `path` (already loaded), in words."""
    found = []
    results = _axe.run(
        page,
        options={"runOnly": {"type": "tag", "values": WCAG_TAGS}, "resultTypes": ["violations"]},
    )
    for violation in results.response["violations"]:
        if violation["impact"] in FAILING_IMPACTS:
            found.append(_described(path, violation))
    width, visible = page.evaluate(
        "() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"
    )
    if width > min(visible, VIEWPORT["width"]):
        found.append(
            f"{path}: the page is {width} px wide, wider than the {visible} px a 1366×768 "
            "screen shows, so it scrolls sideways (put wide tables in a .table-wrap)"
        )
    return found


def _described(path: str, violation: dict[str, Any]) -> str:
    lines = [
        f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}",
        f"    {violation['helpUrl']}",
    ]
    for node in violation["nodes"][:5]:
        lines.append(f"    at {', '.join(map(str, node['target']))}: {node['html'][:160]}")
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        if summary:
            lines.append(f"       {summary[:300]}")
    if len(violation["nodes"]) > 5:
        lines.append(f"    ...and {len(violation['nodes']) - 5} more elements")
    return "\n".join(lines)


def visit(page: Page, path: str) -> int:
    reply = page.goto(path)
    assert reply is not None, f"no reply for {path}"
    return reply.status


@pytest.mark.parametrize("role", ROLE_ORDER, ids=lambda role: role.name.lower())
def test_every_page_a_role_reaches_is_accessible(
    page_as: PageAs, role: Role, sample_child: str
) -> None:
    page = page_as(role)
    problems: list[str] = []
    paths = menu_paths(page)
    assert "/" in paths, f"the menu for {role} has no link home: {paths}"
    for path in paths:
        status = visit(page, path)
        if status != 200:
            problems.append(f"{path}: the menu offers it to {role}, but it answered {status}")
        problems.extend(problems_on(page, path))
    # Pages the menu does not link to: a record (or its refusal), an aim, a missing page.
    for path in [f"/children/{sample_child}", f"/aims/{SAMPLE_AIM}", "/no-such-page"]:
        visit(page, path)
        problems.extend(problems_on(page, path))
    assert not problems, f"Accessibility problems for {role}:\n" + "\n".join(problems)


def test_the_sign_in_page_is_accessible(page_as: PageAs) -> None:
    page = page_as(None)
    problems = problems_on(page, "/login")
    # With a wrong password the error summary shows too.
    page.get_by_label("User name", exact=True).fill("nobody-at-all")
    page.get_by_label("Password", exact=True).fill("not a password")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()
    problems += problems_on(page, "/login (wrong password)")
    assert not problems, "Accessibility problems:\n" + "\n".join(problems)


# With a front door and a year of audits ----------------------------------------------------

DATA_ENDS = dt.date(2026, 3, 31)  # the synthetic LA's last day


@pytest.fixture
def own_server(
    browser_template: Path, web_template: tuple[Path, Path], tmp_path: Path
) -> Iterator[str]:
    """A server over the synthetic LA with what the shared one lacks: a front door's demand
    (contacts, assessments, help, the CIN census), a year of case audits, actions and a
    management alert, so the pages that show them are checked with tables and charts in."""
    db = tmp_path / "with-data.db"
    shutil.copyfile(browser_template, db)
    shutil.copyfile(web_template[0] / "allocation.csv", tmp_path / "allocation.csv")
    write_demand(
        tmp_path / "demand",
        seed=11,
        families=120,
        first_day=dt.date(2024, 10, 1),
        last_day=DATA_ENDS,
    )
    audits = write_for_returns(tmp_path, seed=3, la=LA, last_day=DATA_ENDS, per_month=6)
    engine = database.connect(str(db))
    try:
        assert imports.import_returns(engine, [tmp_path / "demand"], la=LA).stored
        with engine.begin() as conn:
            imported = import_audits(conn, LA, audits, who="tests")
            assert imported.sheet.audits and not imported.sheet.has_errors
            child = imported.sheet.audits[0].audit.child
            for n, due in enumerate((dt.date(2026, 2, 1), dt.date(2026, 6, 1)), start=1):
                add_action(conn, LA, ActionInput(f"Action {n}", "Sam Patel", due), who="tests")
            raise_alert(conn, LA, child, "drift", role="IRO", who="reviewer")
    finally:
        engine.dispose()
    with serving(str(db)) as url:
        yield url


@pytest.mark.parametrize("role", [Role.QA_LEAD, Role.MANAGER], ids=["qa_lead", "manager"])
def test_the_demand_and_quality_pages_are_accessible_with_data_in_them(
    own_server: str, page_as: PageAs, role: Role
) -> None:
    page = page_as(role)
    paths = [
        *menu_paths(page),
        f"/demand?as_at={DATA_ENDS:%d/%m/%Y}",
        f"/audits?as_at={DATA_ENDS:%d/%m/%Y}",
        "/audits/list",
        "/audits/1",
        "/actions/1",
        "/actions/meeting",
        "/alerts/1",
    ]
    problems: list[str] = []
    checked = {}
    for path in dict.fromkeys(paths):
        if visit(page, path) != 200:
            continue  # a page this role may not use: the route walk checks who may
        problems.extend(problems_on(page, path))
        checked[path.split("?")[0]] = page.locator("table").count()
    assert not problems, f"Accessibility problems for {role}:\n" + "\n".join(problems)
    # The pages were checked with their figures in them, not as empty pages.
    full = {"/audits", "/audits/list", "/actions", "/actions/meeting", "/alerts"}
    if role is Role.MANAGER:
        full.add("/demand")
    assert all(checked.get(path, 0) > 0 for path in full), checked
