"""The demand page: who may see it, the figures it shows (the summary's, worked out here
directly), small counts hidden from those who may not see every child, no child's or
family's ID anywhere, and what to import when there is no demand data."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import polars as pl
import pytest

from carejourney import imports
from carejourney.config.demand import load_demand_rules
from carejourney.measures.demand.stored import load_demand
from carejourney.measures.demand.summary import DemandSummary, summarise
from carejourney.store import database
from carejourney.synth.demand import write_demand
from carejourney.web.data import data_version
from carejourney.web.pages.demand import DEMAND_ROLES
from carejourney.web.roles import ALL_ROLES, Role
from tests.web.conftest import LA, Web

AS_AT = dt.date(2026, 3, 31)  # the last day of the demand files written below


def _rows(html: str, caption_starts: str) -> list[list[str]]:
    """The body rows of the table whose caption starts so, as cell texts."""
    table = html.split(f"<caption>{caption_starts}", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def _pct(part: int, whole: int) -> str:
    """A share as published: one decimal place, halves rounded up (56.25% is 56.3%)."""
    share = Decimal(100 * part) / Decimal(whole)
    return f"{share.quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def _import_demand(web: Web, folder: Path) -> None:
    """A year and a half of an invented front door's demand for the synthetic LA."""
    write_demand(
        folder,
        seed=11,
        families=120,
        first_day=dt.date(2024, 10, 1),
        last_day=AS_AT,
    )
    engine = database.connect(web.db)
    try:
        assert imports.import_returns(engine, [folder], la=LA).stored
    finally:
        engine.dispose()


@pytest.fixture
def demand_web(web: Web, tmp_path: Path) -> Web:
    _import_demand(web, tmp_path / "demand")
    return web


def _summary(web: Web) -> DemandSummary:
    with web.app.state.engine.connect() as conn:
        data = load_demand(conn, LA)
    return summarise(data, as_at=AS_AT, rules=load_demand_rules(), nation="england-and-wales")


def test_only_the_declared_roles_may_see_the_page(demand_web: Web) -> None:
    assert set(DEMAND_ROLES) == {Role.MANAGER, Role.TEAM_MANAGER, Role.ANALYST, Role.AUDITOR}
    for role in ALL_ROLES:
        page = demand_web.client_as(role).get("/demand")
        if role in DEMAND_ROLES:
            assert page.status_code == 200, role
            assert "Failure demand" in page.text
            assert 'href="/demand"' in page.text  # in the menu
        else:
            assert page.status_code == 403, role
            assert "Failure demand" not in page.text


def test_the_manager_sees_the_summarys_figures_exactly(demand_web: Web) -> None:
    found = _summary(demand_web)
    page = demand_web.client_as(Role.MANAGER).get("/demand").text
    months = _rows(page, "Value and failure demand by month")
    expected = [
        [f"{m:%B %Y}", str(c), str(v), str(f), _pct(f, c)]
        for m, c, v, f in found.shares_by_month.select(
            "month", "contacts", "value", "failure"
        ).iter_rows()
    ]
    assert months[:-1] == expected
    contacts, failure = found.headline.contacts, int(found.shares_by_month["failure"].sum())
    assert months[-1] == [
        "All months",
        str(contacts),
        str(contacts - failure),
        str(failure),
        _pct(failure, contacts),
    ]
    assert f"{contacts} contacts came in from 1 April 2025 to 31 March 2026" in page
    h = found.headline
    referrals = _rows(page, "Re-referrals within 12 months")[-1]
    assert referrals[:3] == ["All months", str(h.referrals), str(h.re_referrals)]
    # The charts, with their words.
    assert "Failure demand: % of contacts, by month" in page
    assert "Days from first contact to the right help, case by case" in page
    assert h.capability is not None and h.capability in page
    assert page.count('role="img"') == 2
    assert "Counts below 5 are shown" not in page


def test_small_counts_are_hidden_from_the_team_manager(demand_web: Web) -> None:
    caption = "Re-referrals within 12 months"
    exact = _rows(demand_web.client_as(Role.MANAGER).get("/demand").text, caption)
    page = demand_web.client_as(Role.TEAM_MANAGER).get("/demand").text
    shown = _rows(page, caption)
    assert any(0 < int(row[2]) < 5 for row in exact[:-1])  # small monthly counts to hide
    assert "Counts below 5 are shown as [c]" in page
    for exact_row, shown_row in zip(exact, shown, strict=True):
        for exact_cell, shown_cell in zip(exact_row[1:4], shown_row[1:4], strict=True):
            n = int(exact_cell)
            # Hidden when small; shown exactly otherwise, unless hidden so it cannot be
            # worked out from the totals.
            assert shown_cell == "[c]" if 0 < n < 5 else shown_cell in (exact_cell, "[c]")
        if "[c]" in shown_row[1:4]:
            assert shown_row[4] == "[c]"
    # No published count anywhere on the page is from 1 to 4.
    for caption in re.findall(r"<caption>(.*?)</caption>", page):
        for row in _rows(page, caption):
            for cell in row[1:]:
                assert not re.fullmatch(r"[1-4]", cell), (caption, row)


def test_no_child_or_family_id_is_on_the_page(demand_web: Web) -> None:
    with demand_web.app.state.engine.connect() as conn:
        data = load_demand(conn, LA)
    ids = set(data.contacts["CHILD"]) | set(data.contacts["FAMILY"].drop_nulls())
    ids |= set(data.cin_referrals["CHILD"]) | set(data.help["CHILD"])
    assert len(ids) > 100
    for role in DEMAND_ROLES:
        page = demand_web.client_as(role).get("/demand").text
        words = set(re.findall(r"[A-Za-z0-9]+", page))
        assert not ids & words, role


def test_a_redesign_date_starts_a_new_phase_and_an_earlier_date_other_figures(
    demand_web: Web,
) -> None:
    client = demand_web.client_as(Role.ANALYST)
    page = client.get("/demand?redesign=01/10/2025").text
    assert "with the service redesigned on 01/10/2025" in page
    assert "(part 2)" in page or "Part 2" in page
    earlier = client.get("/demand?as_at=31/12/2025").text
    assert "from 01/01/2025 to 31/12/2025" in earlier


def test_a_bad_date_says_so(demand_web: Web) -> None:
    page = demand_web.client_as(Role.MANAGER).get("/demand?as_at=31/02/2026&redesign=soon")
    assert page.status_code == 400
    assert "As at: enter a real date written dd/mm/yyyy" in page.text
    assert "Redesign date: enter a real date" in page.text


def test_without_demand_data_the_page_says_what_to_import_and_an_import_shows_it(
    web: Web, tmp_path: Path
) -> None:
    client = web.client_as(Role.MANAGER)
    page = client.get("/demand")
    assert page.status_code == 200
    assert "No contacts are stored for LA 999" in page.text
    assert "carejourney demand import contacts.csv" in page.text
    with web.app.state.engine.connect() as conn:
        before = data_version(conn, LA)
    _import_demand(web, tmp_path / "demand")
    with web.app.state.engine.connect() as conn:
        assert data_version(conn, LA) != before  # so the page works its figures out afresh
    page = client.get("/demand")
    assert "No contacts are stored" not in page.text
    assert "Value and failure demand by month" in page.text


def test_the_figures_on_the_page_count_only_the_period(demand_web: Web) -> None:
    found = _summary(demand_web)
    in_period = found.classified.filter(pl.col("CONTACT_DATE") >= dt.date(2025, 4, 1)).height
    page = demand_web.client_as(Role.AUDITOR).get("/demand").text
    assert _rows(page, "Value and failure demand by team")[-1][1] == str(in_period)
