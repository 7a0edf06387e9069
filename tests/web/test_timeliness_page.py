"""Timeliness: the CLI's figures, and small counts hidden from those who may not see children."""

from __future__ import annotations

import re

from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import load
from carejourney.measures import summaries
from carejourney.web.roles import ALL_ROLES, Role
from tests.web.conftest import LA, Web


def _rows(html: str, caption_starts: str) -> list[list[str]]:
    """The body rows of the table whose caption starts so, as cell texts."""
    table = html.split(f"<caption>{caption_starts}", 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    return [
        [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<td[^>]*>(.*?)</td>", row)]
        for row in re.findall(r"<tr>(.*?)</tr>", body, flags=re.S)
    ]


def test_every_role_sees_the_figures_page(web: Web) -> None:
    for role in ALL_ROLES:
        page = web.client_as(role).get("/timeliness")
        assert page.status_code == 200, role
        assert "Time to a permanent home" in page.text


def test_the_figures_are_the_clis_for_the_synthetic_la(web: Web) -> None:
    with web.app.state.engine.connect() as conn:
        journeys = load(conn, LA)
    as_at = summaries.default_as_at(journeys)
    due = summaries.drift_list(journeys, [load_rule_set("england")], as_at)
    expected = summaries.rule_performance(due)
    page = web.client_as(Role.MANAGER).get("/timeliness")
    rows = _rows(page.text, "Rules: of those due by")
    shown = {r[0]: r[2:6] for r in rows}
    for r in expected.iter_rows(named=True):
        assert shown[r["rule"]] == [f"{r[c]:,}" for c in ("due", "on_time", "late", "overdue")]
        assert rows[[x[0] for x in rows].index(r["rule"])][6] == f"{r['percent_on_time']:.1f}%"


def test_small_counts_are_hidden_from_the_analyst_but_not_the_manager(web: Web) -> None:
    # In the synthetic LA 2 care proceedings are overdue: too few to publish.
    caption = "Rules: of those due by"
    manager = _rows(web.client_as(Role.MANAGER).get("/timeliness").text, caption)[0]
    analyst_page = web.client_as(Role.ANALYST).get("/timeliness").text
    analyst = _rows(analyst_page, caption)[0]
    assert manager[:6] == ["care-proceedings", manager[1], "51", "18", "31", "2"]
    # The 2 is hidden, and the 18 too, else 51 - 31 - 18 would give it away; and so the %.
    assert analyst[2:7] == ["51", "[c]", "31", "[c]", "[c]"]
    assert "Counts below 5 are shown as [c]" in analyst_page
    # Every other table's counts are published only from 5 up.
    for caption in ("Rules: of those due by", "Time to a permanent home, by year"):
        for row in _rows(analyst_page, caption):
            for cell in row:
                if cell.replace(",", "").isdigit():
                    assert int(cell.replace(",", "")) == 0 or int(cell.replace(",", "")) >= 5


def test_the_survival_chart_has_a_text_alternative_and_its_figures_in_a_table(web: Web) -> None:
    page = web.client_as(Role.ANALYST).get("/timeliness").text
    assert 'role="img" aria-label="A chart of the share of children who reached a permanent' in page
    cohorts = _rows(page, "Time to a permanent home, by year")
    assert [r[0] for r in cohorts] == sorted(r[0] for r in cohorts)
    assert all(re.fullmatch(r"\d{4}-\d{2}", r[0]) for r in cohorts)


def test_a_bad_date_says_so_and_still_shows_the_latest_figures(web: Web) -> None:
    page = web.client_as(Role.MANAGER).get("/timeliness?as_at=31/13/2025")
    assert page.status_code == 400
    assert "As at: enter a real date" in page.text
    assert "Rules: of those due by 31/03/2026" in page.text


def test_a_cohort_and_an_earlier_date_change_the_figures(web: Web) -> None:
    client = web.client_as(Role.MANAGER)
    page = client.get("/timeliness?as_at=31/03/2025&entered_from=01/04/2023").text
    assert "Rules: of those due by 31/03/2025" in page
    assert [r[0] for r in _rows(page, "Time to a permanent home, by year")] == [
        "2023-24",
        "2024-25",
    ]
