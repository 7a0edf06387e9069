"""Data: imports and their problems, and uploading a return with the CLI's checks."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from httpx import Response
from sqlalchemy import func, select

from carejourney.store.tables import access_log, allocation, import_batch, import_problem
from carejourney.web.roles import Role
from tests.web.conftest import Web


def _zip(folder: Path, change: dict[str, tuple[str, str]] | None = None) -> bytes:
    """The returns folder as a zip, with `change` (a file's path -> old, new) applied."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            name = path.relative_to(folder).as_posix()
            text = path.read_text(encoding="utf-8")
            if change and name in change:
                old, new = change[name]
                assert old in text
                text = text.replace(old, new, 1)
            archive.writestr(name, text)
    return buffer.getvalue()


def _batches(web: Web) -> int:
    with web.app.state.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(import_batch)).scalar_one())


def _first_row(path: Path) -> str:
    return path.read_text(encoding="utf-8").splitlines()[1]


def _upload(web: Web, role: Role, files: list[tuple[str, bytes]], la: str = "999") -> Response:
    client = web.client_as(role)
    return client.post(
        "/data/upload",
        data={"la": la, "csrf_token": web.token(client, "/data")},
        files=[("files", (name, content)) for name, content in files],
    )


def test_the_imports_and_their_warnings_are_listed(web: Web) -> None:
    client = web.client_as(Role.AUDITOR)
    page = client.get("/data")
    assert page.status_code == 200
    assert 'href="/data/batches/1"' in page.text
    assert "Load a return" not in page.text  # the auditor looks, and loads nothing
    assert client.get("/data/batches/1").status_code == 200
    assert client.get("/data/batches/99").status_code == 404


def test_a_good_return_is_stored_and_recorded(web: Web) -> None:
    # The synthetic LA's own returns, with one child moved to another team: a new allocation.
    row = _first_row(web.returns / "allocation.csv")
    child, _, worker = row.split(",")
    moved = f"{child},Permanence South,{worker}"
    content = _zip(web.returns, {"allocation.csv": (row, moved)})
    reply = _upload(web, Role.ANALYST, [("returns.zip", content)])
    assert reply.status_code == 200, reply.text
    assert "The files were loaded" in reply.text
    assert "Stored batch 2 for LA 999" in reply.text
    with web.app.state.engine.connect() as conn:
        teams = conn.execute(select(allocation.c.team).where(allocation.c.child == child))
        assert teams.scalars().all() == ["Permanence South"]
        batch = conn.execute(select(import_batch).where(import_batch.c.id == 2)).one()
        logged = conn.execute(
            select(access_log.c.who, access_log.c.detail).where(
                access_log.c.action == "uploaded return"
            )
        ).all()
        names = conn.execute(select(import_problem.c.file).where(import_problem.c.batch_id == 2))
        assert all(name.startswith("returns.zip!") for name in names.scalars())
    assert batch.imported_by == "analyst"
    assert logged == [("analyst", "stored batch 2: 1 file, 0 warnings")]


def test_a_broken_file_stores_nothing_and_says_where(web: Web) -> None:
    episodes = web.returns / "999_2025-26" / "episodes.csv"
    row = _first_row(episodes)
    broken = row.replace(row.split(",")[1], "31/02/2025", 1)  # DECOM: no such day
    files = [
        (path.name, path.read_text().replace(row, broken).encode())
        for path in sorted(episodes.parent.iterdir())
    ]
    before = _batches(web)
    reply = _upload(web, Role.MANAGER, files)
    text = reply.text
    assert reply.status_code == 400
    assert "The files were not loaded" in text and "Nothing was stored" in text
    # The problem, with its file, row and column (the headings are row 1).
    assert '<td class="file-name">episodes.csv</td>' in text
    assert '<td class="num">2</td>' in text and "<td>DECOM</td>" in text
    assert _batches(web) == before


def test_values_are_not_shown_to_roles_that_may_not_see_children(web: Web) -> None:
    episodes = web.returns / "999_2025-26" / "episodes.csv"
    row = _first_row(episodes)
    broken = row.replace(row.split(",")[1], "31/02/2025", 1)
    content = episodes.read_text().replace(row, broken).encode()
    manager = _upload(web, Role.MANAGER, [("episodes.csv", content)]).text
    analyst = _upload(web, Role.ANALYST, [("episodes.csv", content)]).text
    assert '<th scope="col">Value</th>' in manager and "31/02/2025" in manager
    assert '<th scope="col">Value</th>' not in analyst and "31/02/2025" not in analyst


def test_files_carejourney_cannot_read_or_another_la_are_refused_before_reading(
    web: Web,
) -> None:
    before = _batches(web)
    reply = _upload(web, Role.MANAGER, [("notes.docx", b"x"), ("../../evil.csv", b"a,b")], la="931")
    text = reply.text
    assert reply.status_code == 400
    assert "your account is for LA 999; you cannot load 931" in text
    assert "these are none of those: notes.docx." in text
    assert _batches(web) == before


def test_only_administrators_managers_and_analysts_may_upload(web_any: Web) -> None:
    for role in Role:
        reply = _upload(web_any, role, [("x.csv", b"a,b\n")])
        allowed = role in (Role.ADMINISTRATOR, Role.MANAGER, Role.ANALYST)
        assert (reply.status_code != 403) == allowed, role
    with web_any.app.state.engine.connect() as conn:
        who = conn.execute(
            select(access_log.c.who).where(access_log.c.action == "uploaded return")
        ).scalars()
        assert sorted(who) == ["admin", "analyst", "manager"]
