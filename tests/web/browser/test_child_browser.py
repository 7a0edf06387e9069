"""A child's journey in a real browser, without JavaScript: recording, correcting and
withdrawing a milestone by keyboard, an error summary that names the field, and refusals."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from carejourney.web.roles import Role
from tests.web.browser.conftest import PageAs

pytestmark = pytest.mark.browser


def due_status(page: Page, rule: str) -> str:
    row = page.locator("#due ~ .table-wrap table.drift tbody tr", has_text=rule).first
    return row.locator(".tag").inner_text()


def test_recording_then_correcting_then_withdrawing_a_milestone(
    own_server: str, page_as: PageAs, sample_child: str
) -> None:
    page = page_as(Role.PRACTITIONER, javascript=False)
    page.goto(f"/children/{sample_child}?la=999")
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Child {sample_child}")
    page.get_by_label("Milestone", exact=True).select_option("panel")
    page.get_by_label("Date it happened").fill("2026-03-02")
    page.get_by_label("Note (optional)").fill("Panel met")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the milestone").click()
    expect(page.get_by_role("status")).to_contain_text("The milestone was recorded")
    recorded = page.locator("#recorded ~ .table-wrap").first
    expect(recorded).to_contain_text("Panel")
    expect(recorded).to_contain_text("02/03/2026")

    page.get_by_text("Correct or withdraw").click()  # a <details>: no JavaScript needed
    page.get_by_label("Right date").fill("2026-03-03")
    with page.expect_navigation():
        page.get_by_role("button", name="Correct it").click()
    expect(page.get_by_role("status")).to_contain_text("corrected")
    history = page.locator("#history ~ .table-wrap")
    expect(history).to_contain_text("corrected Panel to 03/03/2026 (was Panel on 02/03/2026)")
    expect(history).to_contain_text("practitioner")

    page.get_by_text("Correct or withdraw").click()
    page.get_by_label("Why it is withdrawn").fill("recorded for the wrong child")
    with page.expect_navigation():
        page.get_by_role("button", name="Withdraw it").click()
    expect(page.get_by_role("status")).to_contain_text("withdrawn")
    expect(history).to_contain_text("withdrew Panel")


def test_an_unreadable_date_is_named_in_the_error_summary(
    own_server: str, page_as: PageAs, sample_child: str
) -> None:
    page = page_as(Role.MANAGER, javascript=False)
    page.goto(f"/children/{sample_child}?la=999")
    page.get_by_label("Milestone", exact=True).select_option("panel")
    with page.expect_navigation():
        page.get_by_role("button", name="Record the milestone").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Nothing was stored")
    link = summary.get_by_role("link", name="Date: Enter the date the milestone happened")
    link.click()
    expect(page.locator("#record-date")).to_be_focused()
    expect(page.get_by_label("Milestone", exact=True)).to_have_value("panel")  # kept


def test_another_teams_child_is_refused(page_as: PageAs) -> None:
    page = page_as(Role.TEAM_MANAGER, javascript=False)
    reply = page.goto("/children/832948?la=999")
    assert reply is not None and reply.status == 403
    expect(page.get_by_role("heading", level=1)).to_have_text("You do not have access")


def test_the_auditor_sees_the_record_without_forms(page_as: PageAs, sample_child: str) -> None:
    page = page_as(Role.AUDITOR, javascript=False)
    page.goto(f"/children/{sample_child}?la=999")
    expect(page.get_by_role("heading", name="Due dates and rule statuses")).to_be_visible()
    expect(page.locator("form[method=post][action^='/children']")).to_have_count(0)
