"""Admin pages: accounts, roles, teams and allocation, rule sets."""

from __future__ import annotations

import html
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, func, select

from carejourney.store import queries
from carejourney.store.tables import (
    access_log,
    allocation,
    episode_history,
    import_batch,
    la_allocation,
    web_user,
)
from carejourney.web.accounts import find_account
from carejourney.web.data import data_version
from carejourney.web.permissions import Viewer, visible_children
from carejourney.web.roles import Role
from carejourney.web.settings import WebSettings
from tests.web.conftest import LA, PASSWORDS, USERNAMES, Web, csrf_from

NEW = {
    "username": "J.Smith",
    "display_name": "Jo Smith",
    "role": "team manager",
    "la": LA,
    "team": "Permanence North",
    "worker": "",
    "email": "jo.smith@example.org",
    "password": "correct horse battery",
}


def _post(web: Web, client: TestClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url, data={**data, "csrf_token": web.token(client, "/admin")}, follow_redirects=False
    )


def _count(web: Web, table: Any, *where: Any) -> int:
    with web.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one())


def _actions(web: Web, action: str) -> list[dict[str, Any]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(select(access_log).where(access_log.c.action == action)).mappings()
        return [dict(r) for r in rows]


def _signs_in(web: Web, username: str, password: str) -> bool:
    client = web.client()
    page = client.get("/login")
    reply = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        follow_redirects=False,
    )
    return reply.status_code == 303


def test_an_administrator_adds_an_account_that_can_sign_in(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    reply = _post(web, admin, "/admin/accounts", NEW)
    assert (reply.status_code, reply.headers["location"]) == (303, "/admin")
    page = admin.get("/admin").text
    assert "Added j.smith (team manager)." in page
    assert "Jo Smith" in page
    assert _signs_in(web, "j.smith", NEW["password"])
    with web.app.state.engine.connect() as conn:
        account = find_account(conn, username="j.smith")
    assert account is not None
    assert (account.role, account.la, account.team, account.worker, account.email) == (
        Role.TEAM_MANAGER,
        LA,
        "Permanence North",
        None,
        "jo.smith@example.org",
    )
    [logged] = _actions(web, "added account")
    assert (logged["who"], logged["la"], logged["detail"]) == (
        "admin",
        LA,
        "j.smith (team manager)",
    )


def test_an_account_for_single_sign_on_only_has_no_password(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    data = {**NEW, "password": "", "sso_only": "true"}
    assert _post(web, admin, "/admin/accounts", data).status_code == 303
    assert "single sign-on only" in admin.get("/admin").text
    assert not _signs_in(web, "j.smith", "")


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ({"username": ""}, "A user name is needed"),
        ({"username": "manager"}, "There is already an account called manager"),
        ({"display_name": " "}, "A name is needed"),
        ({"role": "superuser"}, "Choose a role"),
        ({"team": ""}, "A team manager needs a team"),
        ({"role": "practitioner"}, "A practitioner needs their worker name"),
        ({"password": "short"}, "at least 12 characters"),
        ({"password": ""}, "or choose single sign-on only"),
        ({"la": "123"}, "You manage accounts for LA 999 only"),
        ({"la": ""}, "You manage accounts for LA 999 only"),
    ],
)
def test_an_account_that_cannot_be_added_says_why_and_stores_nothing(
    web: Web, change: dict[str, str], says: str
) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    before = _count(web, web_user)
    reply = _post(web, admin, "/admin/accounts", {**NEW, **change})
    assert reply.status_code == 400
    assert 'class="error-summary"' in reply.text
    assert says in reply.text
    assert 'value="Jo Smith"' in reply.text or change.get("display_name")  # kept for retyping
    assert _count(web, web_user) == before
    assert _actions(web, "added account") == []


def _account_id(web: Web, username: str) -> int:
    with web.app.state.engine.connect() as conn:
        account = find_account(conn, username=username)
    assert account is not None
    return account.id


def _edit(web: Web, client: TestClient, username: str, **change: Any) -> Any:
    with web.app.state.engine.connect() as conn:
        account = find_account(conn, username=username)
    assert account is not None
    form = {
        "display_name": account.display_name,
        "role": account.role.value,
        "la": account.la or "",
        "team": account.team or "",
        "worker": account.worker or "",
        "email": account.email or "",
        "active": "true" if account.active else "",
    }
    form.update(change)
    if not form["active"]:
        del form["active"]  # an unticked box is not sent
    return _post(web, client, f"/admin/accounts/{account.id}", form)


def test_a_change_of_role_takes_effect_at_once(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    analyst = web.client_as(Role.ANALYST)
    assert analyst.get("/access-log", follow_redirects=False).status_code == 403
    assert _edit(web, admin, "analyst", role="auditor").status_code == 303
    assert analyst.get("/access-log", follow_redirects=False).status_code == 200
    [logged] = _actions(web, "changed account")
    assert logged["detail"] == "analyst: role analyst -> auditor"


def test_a_switched_off_account_is_signed_out_and_cannot_sign_in(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    manager = web.client_as(Role.MANAGER)
    assert _edit(web, admin, "manager", active="").status_code == 303
    assert manager.get("/", follow_redirects=False).status_code == 303
    assert not _signs_in(web, "manager", PASSWORDS[Role.MANAGER])
    assert "<strong>no</strong>" in admin.get("/admin").text


def test_an_administrator_cannot_lock_themselves_out(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    for change in ({"role": "manager"}, {"active": ""}):
        reply = _edit(web, admin, "admin", **change)
        assert reply.status_code == 400
        assert "ask another administrator" in reply.text
    with web.app.state.engine.connect() as conn:
        me = find_account(conn, username="admin")
    assert me is not None and me.role is Role.ADMINISTRATOR and me.active


def test_a_changed_team_must_be_kept_for_a_team_manager(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    reply = _edit(web, admin, "teammanager", team="")
    assert reply.status_code == 400
    assert "A team manager needs a team" in reply.text
    # A team the list does not hold is saved, with a word of warning.
    assert _edit(web, admin, "teammanager", team="Permanence Nrth").status_code == 303
    assert "No allocation list names team Permanence Nrth yet" in admin.get("/admin").text


def test_resetting_a_password(web: Web) -> None:
    admin = web.client_as(Role.ADMINISTRATOR)
    url = f"/admin/accounts/{_account_id(web, 'manager')}/password"
    reply = _post(web, admin, url, {"password": "too short"})
    assert reply.status_code == 400
    assert "at least 12 characters" in reply.text
    assert _signs_in(web, "manager", PASSWORDS[Role.MANAGER])
    assert _post(web, admin, url, {"password": "a brand new password"}).status_code == 303
    assert _signs_in(web, "manager", "a brand new password")
    assert not _signs_in(web, "manager", PASSWORDS[Role.MANAGER])
    [logged] = _actions(web, "reset password")
    assert logged["detail"] == "manager"
    assert "a brand new password" not in str(_actions(web, "reset password"))


def test_an_account_of_another_la_is_not_this_administrators(web: Web) -> None:
    from carejourney.web.accounts import create_account

    with web.app.state.engine.begin() as conn:
        other = create_account(
            conn, username="elsewhere", display_name="E", role=Role.MANAGER, by="t", la="123"
        )
    admin = web.client_as(Role.ADMINISTRATOR)
    assert "elsewhere" not in admin.get("/admin").text
    assert admin.get(f"/admin/accounts/{other.id}").status_code == 403
    assert admin.get("/admin/accounts/99999").status_code == 404


ADMIN_ROUTES = [
    ("GET", "/admin"),
    ("GET", "/admin/accounts/new"),
    ("GET", "/admin/accounts/1"),
    ("POST", "/admin/accounts"),
    ("POST", "/admin/accounts/1"),
    ("POST", "/admin/accounts/1/password"),
    ("GET", "/admin/roles"),
    ("GET", "/admin/teams"),
    ("POST", "/admin/allocation"),
    ("GET", "/admin/rules"),
]


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.ADMINISTRATOR])
def test_only_administrators_use_the_admin_pages(web_any: Web, role: Role) -> None:
    client = web_any.client_as(role)
    token = web_any.token(client)
    for method, path in ADMIN_ROUTES:
        if method == "GET":
            reply = client.get(path, follow_redirects=False)
        else:
            reply = client.post(path, data={"csrf_token": token, "role": "administrator"})
        assert reply.status_code == 403, (method, path)
    assert _count(web_any, web_user, web_user.c.role == "administrator") == 1
    refused = _count(web_any, access_log, access_log.c.action == "refused")
    assert refused == len(ADMIN_ROUTES)


def test_the_roles_page_says_what_each_role_may_do(web: Web) -> None:
    page = html.unescape(web.client_as(Role.ADMINISTRATOR).get("/admin/roles").text)
    for role in Role:
        assert role.description in page
    # The pages each role may open come from the routes themselves.
    auditor_row = page.split('<th scope="row">Auditor</th>')[1].split("</tr>")[0]
    assert "Access log" in auditor_row and "Admin" not in auditor_row
    admin_row = page.split('<th scope="row">Administrator</th>')[1].split("</tr>")[0]
    assert "Admin" in admin_row and "Access log" not in admin_row


def test_the_rule_sets_page_shows_the_rules_and_which_are_used(web: Web) -> None:
    web.app.state.settings = WebSettings(
        db=web.db, session_key=web.app.state.settings.session_key, rule_sets=("pace-moray",)
    )
    page = web.client_as(Role.ADMINISTRATOR).get("/admin/rules").text
    used = page.split("used by this server")
    assert len(used) == 2  # one rule set is used
    assert "PACE" in used[0].rsplit("<h2", 1)[1]
    assert "<code>england</code>" in page  # shipped, not used, still listed
    assert "within" in page and "reminder" in page.lower()


def _team_of(web: Web, child: str) -> list[tuple[str, str | None, str, int]]:
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(
                allocation.c.team, allocation.c.worker, allocation.c.source_file,
                allocation.c.source_row,
            ).where(allocation.c.la == LA, allocation.c.child == child)
        )  # fmt: skip
        return [tuple(r) for r in rows]  # type: ignore[misc]


def _team_manager_sees(web: Web) -> set[str]:
    with web.app.state.engine.connect() as conn:
        account = find_account(conn, username=USERNAMES[Role.TEAM_MANAGER])
        assert account is not None
        seen = visible_children(conn, Viewer(account), LA)
    assert seen is not None
    return seen


def _child_elsewhere(web: Web) -> tuple[str, str]:
    """A child allocated to another team than the team manager's, and the manager's team."""
    with web.app.state.engine.connect() as conn:
        mine = find_account(conn, username="teammanager")
        assert mine is not None and mine.team
        child = (
            conn.execute(
                select(allocation.c.child)
                .where(allocation.c.la == LA, allocation.c.team != mine.team)
                .order_by(allocation.c.child)
            )
            .scalars()
            .first()
        )
    assert child is not None
    return child, mine.team


def test_allocating_a_child_changes_what_a_team_manager_sees(web: Web) -> None:
    child, team = _child_elsewhere(web)
    assert child not in _team_manager_sees(web)
    with web.app.state.engine.connect() as conn:
        version = data_version(conn, LA)
        holder = conn.execute(select(la_allocation.c.batch_id)).scalar_one()
    admin = web.client_as(Role.ADMINISTRATOR)
    reply = _post(
        web, admin, "/admin/allocation", {"la": LA, "child": child, "team": team, "worker": "SW9"}
    )
    assert (reply.status_code, reply.headers["location"]) == (303, f"/admin/teams?la={LA}")
    assert (
        f"The child is now allocated to {team} (worker SW9)."
        in admin.get(reply.headers["location"]).text
    )
    assert child in _team_manager_sees(web)
    assert _team_of(web, child) == [(team, "SW9", "admin page", 0)]
    with web.app.state.engine.connect() as conn:
        assert data_version(conn, LA) != version  # pages load the LA's data afresh
        row = conn.execute(select(allocation).where(allocation.c.child == child)).one()
    assert row.batch_id == holder
    [logged] = _actions(web, "allocated")
    assert (logged["who"], logged["la"], logged["child"], logged["detail"]) == (
        "admin",
        LA,
        child,
        f"team {team}, worker SW9",
    )
    # The same again changes nothing and records nothing.
    _post(
        web, admin, "/admin/allocation", {"la": LA, "child": child, "team": team, "worker": "SW9"}
    )
    assert len(_actions(web, "allocated")) == 1


@pytest.mark.parametrize(
    ("form", "says"),
    [
        ({"child": ""}, "Give the child's ID"),
        ({"child": "no-such-child"}, "has no child with that ID"),
        ({"team": ""}, "Give the team"),
        ({"team": "Permanence Nrth"}, "has no team called Permanence Nrth"),
        ({"la": "123"}, "Choose an LA you manage"),
    ],
)
def test_an_allocation_that_cannot_be_made_says_why_and_changes_nothing(
    web: Web, form: dict[str, str], says: str
) -> None:
    child, team = _child_elsewhere(web)
    before = _team_of(web, child)
    admin = web.client_as(Role.ADMINISTRATOR)
    reply = _post(web, admin, "/admin/allocation", {"la": LA, "child": child, "team": team, **form})
    assert reply.status_code == 400
    assert says in html.unescape(reply.text)
    assert _team_of(web, child) == before
    assert _actions(web, "allocated") == []


def test_a_new_team_needs_saying_so(web: Web) -> None:
    child, _ = _child_elsewhere(web)
    admin = web.client_as(Role.ADMINISTRATOR)
    data = {"la": LA, "child": child, "team": "Kinship Team", "new_team": "true"}
    assert _post(web, admin, "/admin/allocation", data).status_code == 303
    assert _team_of(web, child) == [("Kinship Team", None, "admin page", 0)]
    assert "Kinship Team" in admin.get("/admin/teams").text


def test_allocating_in_an_la_without_an_allocation_list_starts_one(web: Web) -> None:
    with web.app.state.engine.begin() as conn:
        conn.execute(delete(allocation))
        conn.execute(delete(la_allocation))
        child = conn.execute(select(func.min(episode_history.c.child))).scalar_one()
        batches = conn.execute(select(func.count()).select_from(import_batch)).scalar_one()
    admin = web.client_as(Role.ADMINISTRATOR)
    assert "has no allocation list yet" in admin.get("/admin/teams").text
    data = {"la": LA, "child": child, "team": "Permanence North", "new_team": "true"}
    assert _post(web, admin, "/admin/allocation", data).status_code == 303
    with web.app.state.engine.connect() as conn:
        made = conn.execute(select(import_batch).order_by(import_batch.c.id.desc())).first()
        holder = conn.execute(select(la_allocation)).one()
        assert conn.execute(select(func.count()).select_from(import_batch)).scalar_one() == (
            batches + 1
        )
        assert LA in queries.local_authorities(conn)
        assert [b.years for b in queries.batches(conn) if b.id == holder.batch_id] == [[]]
    assert made is not None
    assert (made.la, made.imported_by, made.years, made.rows) == (LA, "admin", "", 0)
    assert holder.batch_id == made.id
    assert _team_of(web, child) == [("Permanence North", None, "admin page", 0)]


def test_the_teams_page_counts_children_and_workers_and_names_accounts(web: Web) -> None:
    with web.app.state.engine.connect() as conn:
        team = find_account(conn, username="teammanager")
        assert team is not None and team.team
        children = conn.execute(
            select(func.count(allocation.c.child.distinct())).where(
                allocation.c.la == LA, allocation.c.team == team.team
            )
        ).scalar_one()
    page = web.client_as(Role.ADMINISTRATOR).get("/admin/teams").text
    row = page.split(f'<th scope="row">{team.team}</th>')[1].split("</tr>")[0]
    assert f'<td class="num">{children}</td>' in row
    assert ">teammanager</a> (team manager)" in row
    assert ">practitioner</a> (practitioner: " in row
