"""Signing in and out in a real browser, with the keyboard only and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from carejourney.web.roles import Role
from tests.web.browser.conftest import PageAs
from tests.web.conftest import PASSWORDS, USERNAMES

pytestmark = pytest.mark.browser


def tab_to(page: Page, selector: str, presses: int = 15) -> None:
    """Press Tab until the element matching `selector` has the focus."""
    target = page.locator(selector)
    for _ in range(presses):
        page.keyboard.press("Tab")
        if target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError(f"{selector} never got the focus in {presses} presses of Tab")


def type_credentials(page: Page, username: str, password: str) -> None:
    tab_to(page, "#username")
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.locator("#password")).to_be_focused()
    page.keyboard.type(password)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_the_first_tab_offers_to_skip_to_the_content(page_as: PageAs) -> None:
    page = page_as(None, javascript=False)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_visible()  # it shows when focused, for sighted keyboard users


def test_signing_in_with_the_keyboard_only(page_as: PageAs, live_server: str) -> None:
    page = page_as(None, javascript=False)
    type_credentials(page, USERNAMES[Role.MANAGER], PASSWORDS[Role.MANAGER])
    assert page.url == f"{live_server}/"
    expect(page.get_by_text("Mo Manager")).to_be_visible()


def test_a_wrong_password_says_so_and_keeps_the_user_name(
    page_as: PageAs, live_server: str
) -> None:
    page = page_as(None, javascript=False)
    type_credentials(page, USERNAMES[Role.AUDITOR], "not the password at all")
    assert page.url.startswith(f"{live_server}/login")
    expect(page.get_by_role("alert")).to_contain_text("The user name or password is not right")
    expect(page.locator("#username")).to_have_value(USERNAMES[Role.AUDITOR])
    expect(page.locator("#password")).to_have_value("")


def test_signing_out_with_the_keyboard_ends_the_session(page_as: PageAs, live_server: str) -> None:
    page = page_as(Role.PRACTITIONER, javascript=False)
    tab_to(page, "button:has-text('Sign out')")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url == f"{live_server}/login"
    page.goto("/")
    assert page.url == f"{live_server}/login?next=%2F"
    expect(page.get_by_role("heading", level=1)).to_have_text("Sign in")
