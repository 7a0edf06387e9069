"""Uploading a return in a real browser, without JavaScript: a broken file is refused with
where the problem is, and a good return is loaded."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect

from carejourney.web.roles import Role
from tests.web.browser.conftest import PageAs

pytestmark = pytest.mark.browser


def _year_files(returns: Path, tmp_path: Path, broken: bool) -> list[Path]:
    """One year's files, copied; with `broken`, an episode starting on 31 February."""
    source = returns / "999_2025-26"
    copies = []
    for path in sorted(source.iterdir()):
        text = path.read_text(encoding="utf-8")
        if broken and path.name == "episodes.csv":
            row = text.splitlines()[1]
            text = text.replace(row, row.replace(row.split(",")[1], "31/02/2025", 1), 1)
        copy = tmp_path / path.name
        copy.write_text(text, encoding="utf-8")
        copies.append(copy)
    return copies


def test_a_broken_return_is_refused_showing_where(
    own_server: str, page_as: PageAs, web_template: tuple[Path, Path], tmp_path: Path
) -> None:
    page = page_as(Role.ANALYST, javascript=False)
    page.goto("/data")
    page.get_by_label("The return's files").set_input_files(
        _year_files(web_template[0], tmp_path, broken=True)
    )
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_role("heading", name="The files were not loaded")).to_be_visible()
    problems = page.get_by_role("table", name="Problems in the files uploaded")
    row = problems.get_by_role("row").filter(has_text="DECOM")
    expect(row).to_contain_text("episodes.csv")
    expect(row.get_by_role("cell").nth(1)).to_have_text("2")
    expect(problems.get_by_role("columnheader", name="Value")).to_have_count(0)  # analyst


def test_the_same_return_again_changes_nothing(
    own_server: str, page_as: PageAs, web_template: tuple[Path, Path], tmp_path: Path
) -> None:
    page = page_as(Role.MANAGER, javascript=False)
    page.goto("/data")
    page.get_by_label("The return's files").set_input_files(
        _year_files(web_template[0], tmp_path, broken=False)
    )
    page.get_by_role("button", name="Check and load").click()
    expect(page.get_by_role("heading", name="The files were loaded")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Nothing changed")
