"""The access log page: searching, pages, the CSV download, who may see it, and that no
route can change or remove an entry."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, event, insert, select

from carejourney.store.tables import access_log
from carejourney.web.roles import Role
from carejourney.web.routes import api_routes
from tests.web.conftest import LA, Web


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)


# Entries as (when, UTC; who; action; LA; child). 30 June 23:30 UTC is 1 July in UK time.
ENTRIES = [
    ("2024-03-01 09:00", "manager", "view journey", LA, "C001"),
    ("2024-03-02 10:00", "practitioner", "view journey", LA, "C002"),
    ("2024-03-02 11:00", "practitioner", "refused", LA, "C009"),
    ("2024-06-30 23:30", "teammanager", "drift list", LA, "C001"),
    ("2024-07-02 08:00", "manager", "download drift list", "123", "C777"),
    ("2024-07-03 08:00", "=cmd|' /C calc'!A0", "signed in", None, None),
]


def _seed(web: Web, entries: list[tuple[str, str, str, str | None, str | None]]) -> None:
    rows = [
        {"at": _utc(at), "who": who, "action": action, "la": la, "child": child}
        for at, who, action, la, child in entries
    ]
    with web.app.state.engine.begin() as conn:
        conn.execute(delete(access_log))  # the fixture's sign-ins
        conn.execute(insert(access_log), rows)


def _search(web: Web, query: str) -> list[tuple[str, str, str]]:
    auditor = web.client_as(Role.AUDITOR)
    page = auditor.get(f"/access-log?{query}")
    assert page.status_code == 200, page.text
    body = page.text.split("<tbody>")[1].split("</tbody>")[0]
    found = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        if len(cells) == 6:
            found.append((cells[1], cells[2], cells[4]))
    return found


def _seeded_only(found: list[tuple[str, str, str]]) -> list[tuple[str, str, str]]:
    """Leave out the entries the search itself made (signing in, viewing the log)."""
    return [f for f in found if f[1] not in ("signed in", "viewed access log") or f[0] != "auditor"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "who=Practitioner",
            [("practitioner", "refused", "C009"), ("practitioner", "view journey", "C002")],
        ),
        (
            "action=view+journey",
            [("practitioner", "view journey", "C002"), ("manager", "view journey", "C001")],
        ),
        (
            "child=C001",
            [("teammanager", "drift list", "C001"), ("manager", "view journey", "C001")],
        ),
        ("la=123", []),  # the demo auditor's account is for LA 999 only
        (
            "from=2024-03-02&to=2024-03-02",
            [("practitioner", "refused", "C009"), ("practitioner", "view journey", "C002")],
        ),
        # UK time: 23:30 UTC on 30 June is 00:30 on 1 July.
        ("from=2024-07-01&to=2024-07-01", [("teammanager", "drift list", "C001")]),
        (
            "to=2024-06-30",
            [
                ("practitioner", "refused", "C009"),
                ("practitioner", "view journey", "C002"),
                ("manager", "view journey", "C001"),
            ],
        ),
        ("who=manager&child=C001", [("manager", "view journey", "C001")]),
        ("who=nobody", []),
    ],
)
def test_searching_the_log(web: Web, query: str, expected: list[tuple[str, str, str]]) -> None:
    _seed(web, ENTRIES)
    assert _seeded_only(_search(web, query)) == expected


def test_searching_by_time_and_name_works_on_every_database(web_any: Web) -> None:
    _seed(web_any, ENTRIES)
    assert _seeded_only(_search(web_any, "from=2024-07-01&to=2024-07-01")) == [
        ("teammanager", "drift list", "C001")
    ]
    assert _seeded_only(_search(web_any, "who=MANAGER&la=999")) == [
        ("manager", "view journey", "C001")
    ]
    assert _seeded_only(_search(web_any, "child=C002")) == [
        ("practitioner", "view journey", "C002")
    ]


def test_the_newest_come_first_a_hundred_a_page(web: Web) -> None:
    start = _utc("2024-01-01 00:00")
    _seed(
        web,
        [
            (
                (start + dt.timedelta(minutes=i)).isoformat(" ")[:16],
                "manager",
                "view journey",
                LA,
                f"C{i:03}",
            )
            for i in range(250)
        ],
    )
    auditor = web.client_as(Role.AUDITOR)
    first = auditor.get("/access-log?who=manager")
    assert first.text.count("<td>view journey</td>") == 100
    assert "C249" in first.text and "C150" in first.text and "C149" not in first.text
    assert 'href="/access-log?who=manager&amp;page=2" rel="next">Older entries' in first.text
    assert "Newer entries" not in first.text
    third = auditor.get("/access-log?who=manager&page=3")
    assert third.text.count("<td>view journey</td>") == 50
    assert "Entries 201 to 250, newest first" in third.text
    assert "Older entries" not in third.text
    assert 'href="/access-log?who=manager&amp;page=2" rel="prev">Newer entries' in third.text


def test_the_csv_download_holds_every_entry_the_search_finds(web: Web) -> None:
    _seed(web, ENTRIES)
    auditor = web.client_as(Role.AUDITOR)
    page = auditor.get("/access-log?la=999&from=2024-01-01")
    assert 'href="/access-log.csv?la=999&amp;from=2024-01-01"' in page.text
    reply = auditor.get("/access-log.csv?la=999&from=2024-01-01")
    assert reply.status_code == 200
    assert reply.headers["content-type"].startswith("text/csv")
    assert reply.headers["content-disposition"].startswith('attachment; filename="access-log-')
    rows = list(csv.reader(io.StringIO(reply.content.decode("utf-8-sig"))))
    assert rows[0] == ["When (UK time)", "Who", "Action", "LA", "Child", "Detail"]
    assert [r[1:5] for r in rows[1:]] == [
        ["teammanager", "drift list", LA, "C001"],
        ["practitioner", "refused", LA, "C009"],
        ["practitioner", "view journey", LA, "C002"],
        ["manager", "view journey", LA, "C001"],
    ]
    assert rows[1][0] == "2024-07-01 00:30:00"  # UK time


def test_a_cell_that_looks_like_a_formula_is_not_one_in_the_csv(web: Web) -> None:
    _seed(web, ENTRIES)
    reply = web.client_as(Role.AUDITOR).get("/access-log.csv?action=signed+in")
    who = [row[1] for row in csv.reader(io.StringIO(reply.content.decode("utf-8-sig")))]
    assert "'=cmd|' /C calc'!A0" in who


def test_looking_at_the_log_and_downloading_it_are_recorded(web: Web) -> None:
    _seed(web, ENTRIES)
    auditor = web.client_as(Role.AUDITOR)
    auditor.get("/access-log?who=manager&child=C001")
    auditor.get("/access-log.csv?action=refused")
    with web.app.state.engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.action, access_log.c.child, access_log.c.detail)
            .where(access_log.c.action.in_(["viewed access log", "exported access log"]))
            .order_by(access_log.c.id)
        ).all()
    assert [tuple(r) for r in rows] == [
        ("auditor", "viewed access log", None, "search: who manager, a child"),
        ("auditor", "exported access log", None, "search: action refused"),
    ]


def test_a_date_that_is_not_one_says_so(web: Web) -> None:
    auditor = web.client_as(Role.AUDITOR)
    reply = auditor.get("/access-log?from=31/02/2024")
    assert reply.status_code == 400
    assert "The &#39;from&#39; date is not a date" in reply.text
    reply = auditor.get("/access-log?from=2024-05-01&to=2024-04-01")
    assert "swap them" in reply.text
    assert auditor.get("/access-log.csv?to=soon").status_code == 400


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.AUDITOR])
def test_only_auditors_see_the_log(web_any: Web, role: Role) -> None:
    client = web_any.client_as(role)
    for path in ("/access-log", "/access-log.csv", "/access-log?child=C001"):
        assert client.get(path, follow_redirects=False).status_code == 403
    assert web_any.client().get("/access-log", follow_redirects=False).status_code == 303


def test_an_auditor_for_one_la_sees_that_las_entries(web: Web) -> None:
    _seed(web, ENTRIES)
    found = _search(web, "")  # the demo auditor's account is for LA 999
    assert ("manager", "download drift list", "C777") not in found  # LA 123
    assert ("=cmd|&#39; /C calc&#39;!A0", "signed in", "") in found  # about no LA


# --- The log is append-only: no route may change or remove an entry. ---

SRC = Path(__file__).parents[2] / "src"
CHANGING = re.compile(
    r"(update|delete)\(\s*(tables\.)?access_log\b|access_log\.(update|delete)\(|"
    r"(UPDATE|DELETE\s+FROM)\s+\"?access_log\b",
    re.IGNORECASE,
)


def test_no_code_changes_or_removes_an_access_log_entry() -> None:
    found = [
        f"{path.relative_to(SRC)}: {line.strip()}"
        for path in SRC.rglob("*.py")
        if "migrations" not in path.parts
        for line in path.read_text(encoding="utf-8").splitlines()
        if CHANGING.search(line)
    ]
    assert found == []


def _fill(path: str, values: dict[str, str]) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: values.get(m.group(1), "1"), path)


def test_no_route_sends_an_update_or_delete_to_the_access_log(web: Web) -> None:
    statements: list[str] = []

    def watch(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if (
            re.match(r"\s*(UPDATE|DELETE)\b", statement, re.IGNORECASE)
            and "access_log" in statement
        ):
            statements.append(statement)

    engine: Engine = web.app.state.engine
    event.listen(engine, "before_cursor_execute", watch)
    try:
        values = {
            "child": "C001",
            "aim": "x",
            "cycle": "1",
            "account": "1",
            "batch": "1",
            "name": "x",
        }
        routes = [route for _, route in api_routes(web.app.routes)]
        assert any(r.path == "/access-log" for r in routes)
        for role in Role:
            client = web.client_as(role)
            token = web.token(client)
            for route in routes:
                path = _fill(route.path, values)
                for method in sorted(route.methods or ()):
                    if method == "GET":
                        client.get(path, follow_redirects=False)
                    elif method == "POST" and path != "/logout":
                        client.post(path, data={"csrf_token": token}, follow_redirects=False)
    finally:
        event.remove(engine, "before_cursor_execute", watch)
    assert statements == []


def test_a_search_term_is_shown_as_text_not_markup(web: Web) -> None:
    page = web.client_as(Role.AUDITOR).get('/access-log?who="><b>bold</b>&child=<i>x</i>')
    assert "<b>bold</b>" not in page.text and "<i>x</i>" not in page.text
    assert 'value="&#34;&gt;&lt;b&gt;bold&lt;/b&gt;"' in page.text
