"""Report: made for the chosen LA, downloaded, every making and download recorded."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select

from carejourney.reports import diagnostic
from carejourney.store.tables import access_log
from carejourney.web.pages.report import la_folder
from carejourney.web.roles import Role
from tests.web.conftest import LA, Web

NAME = "carejourney-report-LA999-2026-03-31"


@pytest.fixture(autouse=True)
def salt(monkeypatch: pytest.MonkeyPatch) -> None:
    """A fixed salt for pseudonyms, not the installation's file in the user's folder."""
    monkeypatch.setenv(diagnostic.SALT_ENVIRONMENT_VARIABLE, "ab" * 32)


def _log(web: Web, action: str) -> list[tuple[str, str | None, str | None]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(select(access_log).where(access_log.c.action == action)).mappings()
        return [(r["who"], r["child"], r["detail"]) for r in rows]


def _make(web: Web, role: Role, **form: object) -> tuple[TestClient, Response]:
    client = web.client_as(role)
    data = {"formats": ["html", "xlsx"], "csrf_token": web.token(client, "/report"), **form}
    return client, client.post("/report", data=data, follow_redirects=False)


def test_a_published_report_is_made_listed_downloaded_and_recorded(web: Web) -> None:
    client, reply = _make(web, Role.ANALYST)
    assert reply.status_code == 303, reply.text
    folder = la_folder(web.app, LA)
    assert sorted(p.name for p in folder.iterdir()) == [
        f"{NAME}.html",
        f"{NAME}.json",
        f"{NAME}.xlsx",
    ]
    page = client.get("/report")
    assert f'href="/report/files/{NAME}.html"' in page.text
    download = client.get(f"/report/files/{NAME}.html")
    assert download.status_code == 200
    assert download.headers["content-disposition"] == f'attachment; filename="{NAME}.html"'
    assert "style-src 'self' 'unsafe-inline'" in download.headers["content-security-policy"]
    assert "Permanence diagnostic for LA 999" in download.text
    assert _log(web, "report") == [("analyst", None, "published")]
    assert _log(web, "downloaded report") == [("analyst", None, f"{NAME}.html")]


def test_an_internal_report_names_its_children_when_made_and_downloaded(web: Web) -> None:
    client, reply = _make(web, Role.MANAGER, internal="yes", formats=["html"])
    assert reply.status_code == 303
    made = _log(web, "report")
    assert ("manager", None, "internal") in made
    children = {child for _, child, _ in made if child}
    assert children  # the internal report names children, each recorded
    download = client.get(f"/report/files/{NAME}-internal.html")
    assert download.status_code == 200
    downloaded = _log(web, "downloaded report")
    assert {child for _, child, _ in downloaded if child} == children
    # Only managers see it listed, or may download it.
    analyst = web.client_as(Role.ANALYST)
    assert f"{NAME}-internal.html" not in analyst.get("/report").text
    assert analyst.get(f"/report/files/{NAME}-internal.html").status_code == 403
    assert ("analyst", None, f"download {NAME}-internal.html") in _log(web, "refused")


@pytest.mark.parametrize("role", [Role.TEAM_MANAGER, Role.ANALYST, Role.AUDITOR])
def test_an_internal_report_is_refused_to_anyone_but_a_manager(web: Web, role: Role) -> None:
    _, reply = _make(web, role, internal="yes")
    assert reply.status_code == 403
    assert "internal" not in web.client_as(role).get("/report").text.split("<h2")[1].lower()
    assert _log(web, "report") == []
    assert (role.value.replace(" ", ""), None, "POST /report internal report") in _log(
        web, "refused"
    )
    assert not la_folder(web.app, LA).exists()


@pytest.mark.parametrize(
    "name",
    [
        "..%2F..%2Fweb.db",
        "..%2Fweb.db",
        "%2E%2E",
        "carejourney-report-LA999-2026-03-31.json",
        "carejourney-report-..-x.html",
        "web.db",
    ],
)
def test_a_file_name_cannot_reach_outside_the_reports(web: Web, name: str) -> None:
    _make(web, Role.MANAGER)
    reply = web.client_as(Role.MANAGER).get(f"/report/files/{name}")
    assert reply.status_code == 404
    assert _log(web, "downloaded report") == []


def test_a_bad_date_or_no_file_kind_is_said_and_nothing_is_made(web: Web) -> None:
    _, reply = _make(web, Role.MANAGER, as_at="31/02/2025", formats=[])
    assert reply.status_code == 400
    assert "As at: enter a real date" in reply.text
    assert "Files: choose at least one" in reply.text
    assert _log(web, "report") == []
