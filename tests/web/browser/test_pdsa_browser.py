"""Aims in a real browser: the chart and its words, and a PDSA cycle added and edited
through the forms, without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from carejourney.web.roles import Role
from tests.web.browser.conftest import SAMPLE_AIM, PageAs

pytestmark = pytest.mark.browser


def test_an_aim_shows_its_chart_and_what_it_means(page_as: PageAs) -> None:
    page = page_as(Role.AUDITOR, javascript=False)
    page.goto("/aims")
    page.get_by_role("link", name=SAMPLE_AIM).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(SAMPLE_AIM)
    chart = page.get_by_role("img", name="A control chart")
    expect(chart).to_be_visible()
    expect(page.get_by_role("heading", name="Signals")).to_be_visible()
    expect(page.get_by_role("table", name="PDSA cycles of")).to_contain_text("Reminder at 15 weeks")
    expect(page.get_by_role("heading", name="Add a PDSA cycle")).to_have_count(0)  # auditor


def test_a_cycle_is_added_through_the_form(own_server: str, page_as: PageAs) -> None:
    page = page_as(Role.TEAM_MANAGER, javascript=False)
    page.goto(f"/aims/{SAMPLE_AIM}")
    page.get_by_role("textbox", name="Title", exact=True).fill("Panel dates booked early")
    page.get_by_role("textbox", name="Change idea", exact=True).fill(
        "Book panel when the plan is agreed"
    )
    page.get_by_role("textbox", name="Prediction", exact=True).fill("Fewer waits for panel")
    page.get_by_role("textbox", name="Date the test started", exact=True).fill("01/09/2024")
    page.get_by_role("button", name="Add the cycle").click()
    expect(page.get_by_role("status")).to_contain_text("PDSA cycle 2 was added.")
    table = page.get_by_role("table", name="PDSA cycles of")
    expect(table).to_contain_text("Panel dates booked early")
    expect(table).to_contain_text("by teammanager")


def test_a_bad_date_is_named_in_the_error_summary(own_server: str, page_as: PageAs) -> None:
    page = page_as(Role.ANALYST, javascript=False)
    page.goto(f"/aims/{SAMPLE_AIM}")
    page.get_by_role("textbox", name="Title", exact=True).fill("Shorter forms")
    page.get_by_role("textbox", name="Change idea", exact=True).fill("One form")
    page.get_by_role("textbox", name="Prediction", exact=True).fill("Quicker")
    page.get_by_role("textbox", name="Date the test started", exact=True).fill("31/02/2024")
    page.get_by_role("button", name="Add the cycle").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Date the test started: Enter a real date")
    expect(page.get_by_role("textbox", name="Title", exact=True)).to_have_value(
        "Shorter forms"
    )  # kept what was typed
    expect(page.get_by_role("textbox", name="Date the test started", exact=True)).to_have_attribute(
        "aria-invalid", "true"
    )


def test_a_cycle_is_edited_to_record_what_happened(own_server: str, page_as: PageAs) -> None:
    page = page_as(Role.MANAGER, javascript=False)
    page.goto(f"/aims/{SAMPLE_AIM}")
    page.get_by_role("link", name="Edit cycle 1").click()
    page.get_by_role("textbox", name="Date it ended", exact=True).fill("30/06/2024")
    page.get_by_role("textbox", name="What happened", exact=True).fill("9 of 12 on time")
    page.get_by_label("Decision").select_option("adopt")
    page.get_by_role("button", name="Save the cycle").click()
    expect(page.get_by_role("status")).to_contain_text("PDSA cycle 1 was saved.")
    row = page.get_by_role("row").filter(has_text="Reminder at 15 weeks")
    expect(row).to_contain_text("9 of 12 on time")
    expect(row).to_contain_text("adopt")
    expect(row).to_contain_text("changed")
