"""WCAG 2.2 AA, checked by axe-core in Chromium, on every page each role can reach.

For each role: sign in, read the menu from the page itself (so pages added later are
checked too), and visit every page in it, a child's journey (its refusal for roles that may
not see it), an aim's page, and a page that is not there; for a visitor, the sign-in page.
Each page must have no axe violation of serious or critical impact against the WCAG 2.0,
2.1 and 2.2 A and AA rules, and must fit a 1366 px wide laptop screen without the page
scrolling sideways (a wide table may scroll inside its own wrapper).
"""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe  # type: ignore[import-untyped]
from playwright.sync_api import Page

from carejourney.web.roles import Role
from tests.web.browser.conftest import SAMPLE_AIM, VIEWPORT, PageAs

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
