"""The drift list in a real browser, without JavaScript: from home to this month's overdue
children in two clicks, the filter form by keyboard, and a download."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from carejourney.web.roles import Role
from tests.web.browser.conftest import PageAs

pytestmark = pytest.mark.browser


def test_a_manager_reaches_the_overdue_children_in_two_clicks(page_as: PageAs) -> None:
    page = page_as(Role.MANAGER, javascript=False)  # click 1 was signing in: we are home
    link = page.get_by_role("link", name="See the 4 overdue")
    with page.expect_navigation():
        link.click()  # click 2
    expect(page.get_by_role("heading", level=1)).to_have_text("Drift list")
    rows = page.locator("table.drift tbody tr")
    expect(rows).to_have_count(4)
    expect(rows.first.get_by_role("link")).to_have_text("832948")
    expect(rows.first).to_contain_text("37 days late")


def test_the_filters_are_a_plain_form_whose_address_can_be_bookmarked(
    page_as: PageAs, live_server: str
) -> None:
    page = page_as(Role.MANAGER, javascript=False)
    page.goto("/drift")
    page.get_by_label("Show", exact=True).select_option("overdue")
    page.get_by_label("Team", exact=True).select_option("Permanence North")
    page.get_by_label("Sort by", exact=True).select_option("child")
    page.get_by_role("button", name="Show", exact=True).focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert "status=overdue" in page.url and "team=Permanence+North" in page.url
    links = page.locator("table.drift tbody tr td:first-child a")
    expect(links).to_have_text(["160816", "509940"])
    # The same address, opened afresh, shows the same list.
    again = page_as(Role.MANAGER, javascript=False)
    again.goto(page.url.removeprefix(live_server))
    expect(again.locator("table.drift tbody tr td:first-child a")).to_have_text(
        ["160816", "509940"]
    )


def test_the_csv_download_is_the_list_shown(page_as: PageAs) -> None:
    page = page_as(Role.TEAM_MANAGER, javascript=False)
    page.goto("/drift?status=due-soon&within=28")
    shown = page.locator("table.drift tbody tr td:first-child a").all_text_contents()
    assert shown == ["700861", "636800"]
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV").click()
    text = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert [line.split(",")[0] for line in text.splitlines()[1:]] == shown


def test_the_analyst_sees_pseudonyms_without_links(page_as: PageAs) -> None:
    page = page_as(Role.ANALYST, javascript=False)
    page.goto("/drift?status=overdue")
    cells = page.locator("table.drift tbody tr td:first-child")
    expect(cells).to_have_count(4)
    assert all(text.startswith("C-") for text in cells.all_text_contents())
    expect(page.locator("table.drift a")).to_have_count(0)
