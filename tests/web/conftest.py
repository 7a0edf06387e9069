"""Fixtures for the web app: a small synthetic LA with a demo account for each role, copied
afresh for each test, and clients signed in as each role.

    def test_something(web: Web) -> None:
        client = web.client_as(Role.MANAGER)
        page = client.get("/drift")
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from carejourney import imports
from carejourney.store import database
from carejourney.synth.ssda903 import write_returns
from carejourney.web.app import create_app
from carejourney.web.demo import demo_accounts
from carejourney.web.roles import Role
from carejourney.web.settings import WebSettings
from tests.conftest import POSTGRES, POSTGRES_URL, _reset_postgres, copy_postgres, postgres_template

LA = "999"
SESSION_KEY = b"test session key, 32 bytes long!"
PASSWORDS = {
    role: f"demo-{name}-password"
    for role, name in [
        (Role.ADMINISTRATOR, "admin"),
        (Role.MANAGER, "manager"),
        (Role.TEAM_MANAGER, "teammanager"),
        (Role.PRACTITIONER, "practitioner"),
        (Role.ANALYST, "analyst"),
        (Role.AUDITOR, "auditor"),
        (Role.QA_LEAD, "qalead"),
        (Role.REVIEWING_OFFICER, "reviewer"),
    ]
}
USERNAMES = {role: password.split("-")[1] for role, password in PASSWORDS.items()}
_TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_from(html: str) -> str:
    """The CSRF token in a page's forms."""
    match = _TOKEN.search(html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


def sign_in(client: TestClient, role: Role) -> TestClient:
    page = client.get("/login")
    reply = client.post(
        "/login",
        data={
            "username": USERNAMES[role],
            "password": PASSWORDS[role],
            "csrf_token": csrf_from(page.text),
        },
        follow_redirects=False,
    )
    assert reply.status_code == 303, reply.text
    return client


@dataclass
class Web:
    """A fresh copy of the synthetic LA's database, and the app serving it."""

    db: str
    returns: Path
    app: FastAPI
    clients: list[TestClient] = field(default_factory=list)

    def client(self) -> TestClient:
        client = TestClient(self.app, raise_server_exceptions=False)
        self.clients.append(client)
        return client

    def client_as(self, role: Role) -> TestClient:
        return sign_in(self.client(), role)

    def token(self, client: TestClient, path: str = "/") -> str:
        """A CSRF token for this client's session, from any page with a form."""
        return csrf_from(client.get(path).text)


def make_web_la(folder: Path, db: str) -> None:
    """The synthetic LA's returns in `folder`, imported into `db`, with demo accounts."""
    if not folder.exists():
        write_returns(folder, children=200, years=3, seed=7, la=LA)
    engine = database.connect(db)
    assert imports.import_returns(engine, [folder], la=LA).stored
    with engine.begin() as conn:
        demo_accounts(conn, LA, by="tests")
    engine.dispose()


@pytest.fixture(scope="session")
def web_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The returns folder and a SQLite database made from it, once per test session."""
    base = tmp_path_factory.mktemp("web")
    make_web_la(base / "returns", str(base / "template.db"))
    return base / "returns", base / "template.db"


@pytest.fixture(scope="session")
def web_postgres(web_template: tuple[Path, Path]) -> Iterator[str | None]:
    """The synthetic LA in a PostgreSQL database, made once, that each test's is copied
    from (None if the server will not let the tests create databases)."""
    returns, _ = web_template
    if not POSTGRES:
        yield None
        return
    with postgres_template("web", partial(make_web_la, returns)) as url:
        yield url


def _serve(db: str, returns: Path) -> Iterator[Web]:
    app = create_app(WebSettings(db=db, session_key=SESSION_KEY))
    web = Web(db=db, returns=returns, app=app)
    try:
        yield web
    finally:
        for client in web.clients:
            client.close()
        app.state.engine.dispose()


@pytest.fixture
def web(web_template: tuple[Path, Path], tmp_path: Path) -> Iterator[Web]:
    """The app over a fresh SQLite copy of the synthetic LA."""
    returns, template = web_template
    db = tmp_path / "web.db"
    shutil.copyfile(template, db)
    yield from _serve(str(db), returns)


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param(
            "postgresql",
            marks=[
                pytest.mark.postgres,
                pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server answers"),
            ],
        ),
    ]
)
def web_any(
    request: pytest.FixtureRequest, web_template: tuple[Path, Path], tmp_path: Path
) -> Iterator[Web]:
    """The app over the synthetic LA in SQLite, and in PostgreSQL when one answers."""
    returns, template = web_template
    if request.param == "sqlite":
        db = tmp_path / "web.db"
        shutil.copyfile(template, db)
        yield from _serve(str(db), returns)
        return
    template = request.getfixturevalue("web_postgres")
    if template is not None:
        yield from _serve(copy_postgres(template), returns)
        return
    _reset_postgres()
    make_web_la(returns, POSTGRES_URL)
    yield from _serve(POSTGRES_URL, returns)
