"""The drift list page and its downloads: scope by role, filters, the access log.

Hand-checked in the synthetic LA (as at 31/03/2026, england rules): 4 milestones are
overdue, for children 832948, 160816, 509940 and 660559 (most days late first); the team
manager's team, Children in Care East, has none overdue and 25 milestones still to do.
"""

from __future__ import annotations

import csv
import io
import re

import pytest
from python_calamine import CalamineWorkbook
from sqlalchemy import select

from carejourney.store.tables import access_log, allocation
from carejourney.web.roles import Role
from tests.web.conftest import LA, USERNAMES, Web

OVERDUE = ["832948", "160816", "509940", "660559"]
EAST = "Children in Care East"
SALT = "ab" * 32


@pytest.fixture(autouse=True)
def _salt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed pseudonym salt, so no test writes one into the user's folder."""
    monkeypatch.setenv("CAREJOURNEY_PSEUDONYM_SALT", SALT)


def listed(html: str) -> list[str]:
    """The children the drift table names, in order (linked or not)."""
    table = html.split('<table class="drift">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = re.findall(r"<tr>\s*<td>(.*?)</td>", body, flags=re.S)
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in rows]


def all_children(web: Web) -> set[str]:
    with web.app.state.engine.connect() as conn:
        from carejourney.journeys.stored import load

        return set(load(conn, LA).children["CHILD"].to_list())


def allocated(web: Web, **where: str) -> set[str]:
    query = select(allocation.c.child).where(allocation.c.la == LA)
    for column, value in where.items():
        query = query.where(allocation.c[column] == value)
    with web.app.state.engine.connect() as conn:
        return set(conn.execute(query).scalars())


def log(web: Web, action: str) -> list[tuple[str, str | None]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.child)
            .where(access_log.c.action == action)
            .order_by(access_log.c.id)
        )
        return [(r.who, r.child) for r in rows]


def test_the_manager_sees_the_overdue_children_most_late_first(web: Web) -> None:
    page = web.client_as(Role.MANAGER).get("/drift?status=overdue")
    assert page.status_code == 200
    assert listed(page.text) == OVERDUE
    assert 'href="/children/832948?la=999"' in page.text
    assert "as at\n<strong>31/03/2026</strong>" in page.text
    assert log(web, "viewed drift list") == [("manager", c) for c in OVERDUE]


@pytest.mark.parametrize(
    ("query", "children"),
    [
        ("status=overdue&sort=child", sorted(OVERDUE)),
        ("status=overdue&sort=due-date", OVERDUE),  # due 22/02, 06/03, 25/03, 28/03
        ("status=overdue&team=Permanence+North", ["160816", "509940"]),
        ("status=overdue&rule=care-proceedings", ["832948", "660559"]),
        ("status=overdue&worker=SW0016", ["160816", "509940"]),
        ("status=due-soon&within=10", ["851438", "401924"]),  # 8 and 10 days left
        # As `carejourney drift --as-at 28/02/2026` says: 538433's proceedings, 196 days
        # late then, concluded in March; 832948's were 6 days late.
        ("status=overdue&as_at=2026-02-28", ["538433", "832948"]),
        ("status=overdue&as_at=28/02/2026", ["538433", "832948"]),  # typed as dd/mm/yyyy
    ],
)
def test_the_filters_and_sorts(web: Web, query: str, children: list[str]) -> None:
    page = web.client_as(Role.MANAGER).get(f"/drift?{query}")
    assert listed(page.text) == children


def test_a_date_that_cannot_be_read_is_named_and_the_list_still_shows(web: Web) -> None:
    page = web.client_as(Role.MANAGER).get("/drift?status=overdue&as_at=31/02/2026")
    assert page.status_code == 200
    assert "As-at date: enter a real date as dd/mm/yyyy" in page.text
    assert listed(page.text) == OVERDUE


def test_the_team_manager_sees_only_their_teams_children(web_any: Web) -> None:
    page = web_any.client_as(Role.TEAM_MANAGER).get("/drift")
    children = listed(page.text)
    assert len(children) == 25
    assert set(children) <= allocated(web_any, team=EAST)
    # Another team's child is nowhere on the page, even asked for by team.
    other = web_any.client_as(Role.TEAM_MANAGER).get("/drift?team=Permanence+North")
    assert listed(other.text) == []
    assert "832948" not in page.text and "832948" not in other.text


def test_the_practitioner_sees_only_their_own_children(web: Web) -> None:
    page = web.client_as(Role.PRACTITIONER).get("/drift?status=all")
    children = set(listed(page.text))
    assert children and children <= allocated(web, worker="SW0006")
    assert not children & allocated(web, team="Permanence North")


def test_the_analyst_sees_pseudonyms_and_no_child_id_anywhere(web: Web) -> None:
    client = web.client_as(Role.ANALYST)
    ids = all_children(web)
    page = client.get("/drift?status=all")
    children = listed(page.text)
    assert len(children) == 50 and all(c.startswith("C-") for c in children)
    assert "/children/" not in page.text
    csv_text = client.get("/drift.csv?status=all").content.decode("utf-8-sig")
    for text in (page.text, csv_text, client.get("/drift?status=all&page=2").text):
        words = set(re.findall(r"\w+", text))
        assert not words & ids
    rows = list(csv.DictReader(io.StringIO(csv_text)))
    assert "CHILD" not in rows[0] and rows[0]["child_pseudonym"].startswith("C-")
    # Nothing recorded per child: no IDs were shown.
    assert {who for who, _ in log(web, "viewed drift list")} == {"analyst"}
    assert {child for _, child in log(web, "viewed drift list")} == {None}


def test_the_downloads_hold_what_the_page_shows_and_are_recorded(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    query = "status=overdue&sort=due-date"
    page = client.get(f"/drift?{query}")
    assert '/drift.csv?la=999&amp;status=overdue&amp;sort=due-date"' in page.text
    reply = client.get(f"/drift.csv?{query}")
    assert reply.headers["content-disposition"] == (
        'attachment; filename="drift-list-999-2026-03-31.csv"'
    )
    rows = list(csv.DictReader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert [r["CHILD"] for r in rows] == listed(page.text) == OVERDUE
    assert (rows[0]["status"], rows[0]["due_date"], rows[0]["days_late"]) == (
        "overdue",
        "22/02/2026",
        "37",
    )
    workbook = client.get(f"/drift.xlsx?{query}").content
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(workbook)).get_sheet_by_index(0)
    cells = sheet.to_python()
    headings = cells[1]
    assert [row[headings.index("CHILD")] for row in cells[2:]] == OVERDUE
    downloaded = log(web, "downloaded drift list")
    assert downloaded == [("manager", c) for c in OVERDUE] * 2


def test_a_later_page_names_the_next_children(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    pages = [listed(client.get(f"/drift?page={n}").text) for n in (1, 2, 3)]
    assert [len(p) for p in pages] == [50, 50, 13]  # 113 still to do
    assert pages[0][:4] == OVERDUE
    download = client.get("/drift.csv").content.decode("utf-8-sig")
    assert [r["CHILD"] for r in csv.DictReader(io.StringIO(download))] == [
        c for p in pages for c in p
    ]


@pytest.mark.parametrize("role", [Role.ADMINISTRATOR])
def test_roles_without_the_list_are_refused(web: Web, role: Role) -> None:
    for path in ("/drift", "/drift.csv", "/drift.xlsx"):
        assert web.client_as(role).get(path).status_code == 403
    assert log(web, "refused")[0] == (USERNAMES[role], None)
