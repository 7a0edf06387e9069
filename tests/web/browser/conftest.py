"""Fixtures for browser tests: the app under uvicorn, and Chromium signed in as each role.

    @pytest.mark.browser
    def test_something(page_as: PageAs) -> None:
        page = page_as(Role.MANAGER)  # signed in through the real form, at "/"
        page.goto("/drift")           # paths are relative to the live server

- `live_server`: the base URL of the app under uvicorn (in a background thread, without the
  access log, as `carejourney serve` runs it) over a copy of the synthetic LA "999" with the
  demo accounts, one aim (`SAMPLE_AIM`, from the england rule set) and its first PDSA cycle.
  One server serves every read-only test of the session. A test that CHANGES data (records a
  milestone, adds a cycle, uploads a return, edits an account) asks for `own_server` too:
  `def test_x(own_server: str, page_as: PageAs)`; then `live_server` and `page_as` use a
  server over its own fresh copy. A test that changes the shared server's data fails, naming
  the tables it changed (the access log and sign-in attempts may change: viewing is allowed).
- `page_as(role)`: a new browser context (1366×768, its own cookies) signed in as that
  demo role, at "/"; `page_as(None)` is a visitor at the sign-in page; `javascript=False`
  turns JavaScript off, to show a page works without it.
- `sample_child`: a child the manager, team manager, practitioner and auditor may all see
  (allocated to the practitioner, in the team manager's team).

Browser tests are marked `@pytest.mark.browser`. They drive Debian's Chromium
(`/usr/bin/chromium`, or `$CAREJOURNEY_CHROMIUM`); Playwright never downloads a browser.
Without Chromium they are skipped, unless `CAREJOURNEY_REQUIRE_BROWSER=1` (CI), when they fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import shutil
import socket
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import httpx
import pytest
import uvicorn
from sqlalchemy import Connection, select

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import Aim, Measure, add_aim
from carejourney.improvement.cycles import CycleInput, add_cycle
from carejourney.store import database
from carejourney.store.tables import allocation, web_user
from carejourney.web.app import create_app
from carejourney.web.roles import Role
from carejourney.web.settings import WebSettings
from tests.web.conftest import LA, PASSWORDS, SESSION_KEY, USERNAMES

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page

CHROMIUM = os.environ.get("CAREJOURNEY_CHROMIUM", "/usr/bin/chromium")
REQUIRE_BROWSER = os.environ.get("CAREJOURNEY_REQUIRE_BROWSER") == "1"
VIEWPORT = {"width": 1366, "height": 768}  # the laptop the issue names
SAMPLE_AIM = "browser-test-aim"
# Viewing pages may add to these; anything else changing means a test changed data.
UNTRACKED = frozenset({"access_log", "login_attempt"})


class PageAs(Protocol):
    def __call__(self, role: Role | None, *, javascript: bool = True) -> Page: ...


# The app under uvicorn ------------------------------------------------------------------


@contextmanager
def serving(db: str, **settings: Any) -> Iterator[str]:
    """The app over `db` under uvicorn in a background thread, as `carejourney serve` runs
    it (access log off); yields its base URL and stops it cleanly afterwards. Logging is
    left as the caller has it (`log_config=None`), so tests can capture every record."""
    app = create_app(WebSettings(db=db, session_key=SESSION_KEY, **settings))
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))  # a free port, held from the start: no race for it
    url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    config = uvicorn.Config(app, access_log=False, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(
        target=server.run, kwargs={"sockets": [listener]}, name="live-server", daemon=True
    )
    thread.start()
    try:
        _wait_until_healthy(url, thread)
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=15)
        listener.close()
        app.state.engine.dispose()
        assert not thread.is_alive(), "the live server did not stop within 15 seconds"


def _wait_until_healthy(url: str, thread: threading.Thread, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not thread.is_alive():
            raise RuntimeError("the live server stopped while starting (see the log above)")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(f"{url}/health", timeout=1).text == "ok":
                return
        time.sleep(0.05)
    raise RuntimeError(f"the live server did not answer /health within {seconds:g} seconds")


# Sample data ----------------------------------------------------------------------------


def add_sample_aim(conn: Connection, la: str = LA) -> str:
    """An aim measured by the england rule set's first rule, with one PDSA cycle (number 1),
    inside the caller's transaction; gives back the aim's name."""
    rule = load_rule_set("england").rules[0]
    aim = add_aim(
        conn,
        la,
        Aim(
            name=SAMPLE_AIM,
            statement=f"More children on time for: {rule.title}.",
            measure=Measure.RULE,
            rule_set="england",
            rule=rule.name,
            target_percent=80,
            owner="Permanence group",
        ),
        who="tests",
    )
    add_cycle(
        conn,
        aim,
        CycleInput(
            title="Reminder at 15 weeks",
            change_idea="A checklist reminds the worker at 15 weeks.",
            prediction="More children within the timescale.",
            do_start=dt.date(2024, 4, 1),
        ),
        who="tests",
    )
    return SAMPLE_AIM


def sample_child_of(conn: Connection, la: str = LA) -> str:
    """A child allocated to the demo practitioner in the demo team manager's team: every
    role that sees children by ID may see this one."""
    team, worker = conn.execute(
        select(web_user.c.team, web_user.c.worker).where(
            web_user.c.username.in_(["teammanager", "practitioner"])
        )
    ).all()
    team_name = team[0] or worker[0]
    worker_name = worker[1] or team[1]
    child = conn.execute(
        select(allocation.c.child)
        .where(
            allocation.c.la == la,
            allocation.c.team == team_name,
            allocation.c.worker == worker_name,
        )
        .order_by(allocation.c.child)
        .limit(1)
    ).scalar()
    assert child is not None, "the demo practitioner has no child in the demo team"
    return str(child)


def table_digests(db: str, skip: frozenset[str] = UNTRACKED) -> dict[str, str]:
    """A digest of each table's rows in the SQLite database `db` but those in `skip` (by
    default the access log and sign-in attempts, which viewing adds to), for telling which
    tables something changed."""
    found = {}
    with closing(sqlite3.connect(db)) as conn:
        names = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall()
        for (name,) in names:
            if name in skip:
                continue
            digest = hashlib.sha256()
            for row in conn.execute(f'SELECT * FROM "{name}" ORDER BY rowid'):
                digest.update(repr(row).encode())
            found[name] = digest.hexdigest()
    return found


@pytest.fixture(scope="session")
def browser_template(
    web_template: tuple[Path, Path], tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The synthetic LA with demo accounts (`web_template`) plus the sample aim and cycle."""
    db = tmp_path_factory.mktemp("browser") / "template.db"
    shutil.copyfile(web_template[1], db)
    engine = database.connect(str(db))
    with engine.begin() as conn:
        add_sample_aim(conn)
    engine.dispose()
    return db


@pytest.fixture(scope="session")
def sample_child(browser_template: Path) -> str:
    engine = database.connect(str(browser_template))
    with engine.connect() as conn:
        child = sample_child_of(conn)
    engine.dispose()
    return child


# Servers --------------------------------------------------------------------------------


class SharedServer:
    """The session's server for read-only tests; started afresh if a test changed its data."""

    def __init__(self, template: Path, folder: Path) -> None:
        self.template, self.folder = template, folder
        self.runs = 0
        self.stack = contextlib.ExitStack()
        self.url = ""
        self.db = ""
        self.digests: dict[str, str] = {}
        self.start()

    def start(self) -> None:
        self.runs += 1
        self.db = str(self.folder / f"shared-{self.runs}.db")
        shutil.copyfile(self.template, self.db)
        self.digests = table_digests(self.db)
        self.url = self.stack.enter_context(serving(self.db))

    def changed_tables(self) -> list[str]:
        now = table_digests(self.db)
        return sorted(
            t for t in now.keys() | self.digests.keys() if now.get(t) != self.digests.get(t)
        )

    def restart(self) -> None:
        self.stack.close()
        self.stack = contextlib.ExitStack()
        self.start()


@pytest.fixture(scope="session")
def shared_server(
    browser_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[SharedServer]:
    shared = SharedServer(browser_template, tmp_path_factory.mktemp("shared"))
    try:
        yield shared
    finally:
        shared.stack.close()


@pytest.fixture
def own_server(browser_template: Path, tmp_path: Path) -> Iterator[str]:
    """A server over this test's own copy of the data: for tests that change data."""
    db = tmp_path / "own.db"
    shutil.copyfile(browser_template, db)
    with serving(str(db)) as url:
        yield url


@pytest.fixture
def live_server(request: pytest.FixtureRequest) -> Iterator[str]:
    """The base URL of the app: the shared read-only server, or the test's `own_server`."""
    if "own_server" in request.fixturenames:
        yield request.getfixturevalue("own_server")
        return
    shared: SharedServer = request.getfixturevalue("shared_server")
    yield shared.url
    changed = shared.changed_tables()
    if changed:
        shared.restart()  # so the tests after this one start from the shared data again
        pytest.fail(
            f"{request.node.nodeid} changed the shared live server's data (tables: "
            f"{', '.join(changed)}). A test that changes data must ask for `own_server` too.",
            pytrace=False,
        )


# The browser ----------------------------------------------------------------------------


def chromium_path() -> str | None:
    """Debian's Chromium (or the one $CAREJOURNEY_CHROMIUM names), if installed."""
    named = os.environ.get("CAREJOURNEY_CHROMIUM")
    if named:
        return named if os.access(named, os.X_OK) else None
    return CHROMIUM if os.access(CHROMIUM, os.X_OK) else shutil.which("chromium")


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    path = chromium_path()
    if path is None:
        reason = (
            f"Chromium is not installed (looked for {CHROMIUM}); install Debian's chromium "
            "package (apt-get install chromium) to run the browser tests"
        )
        if REQUIRE_BROWSER:
            pytest.fail(f"{reason}. CAREJOURNEY_REQUIRE_BROWSER=1 requires them.", pytrace=False)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=path, headless=True)
        yield launched
        launched.close()


def sign_in_page(page: Page, role: Role) -> None:
    """Sign in through the real form (the page must be at /login)."""
    page.get_by_label("User name", exact=True).fill(USERNAMES[role])
    page.get_by_label("Password", exact=True).fill(PASSWORDS[role])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in", exact=True).click()


@pytest.fixture
def page_as(browser: Browser, live_server: str) -> Iterator[PageAs]:
    contexts: list[BrowserContext] = []

    def open_page(role: Role | None, *, javascript: bool = True) -> Page:
        context = browser.new_context(
            base_url=live_server,
            viewport=VIEWPORT,  # type: ignore[arg-type]
            locale="en-GB",
            timezone_id="Europe/London",
            java_script_enabled=javascript,
        )
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.goto("/login")
        if role is not None:
            sign_in_page(page, role)
            assert page.url == f"{live_server}/", f"signing in as {role} went to {page.url}"
        return page

    yield open_page
    for context in contexts:
        context.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Browser tests are marked `browser`, so `-m "not browser"` leaves them out."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.path)).parents:
            item.add_marker(pytest.mark.browser)


__all__ = [
    "SAMPLE_AIM",
    "VIEWPORT",
    "PageAs",
    "add_sample_aim",
    "sample_child_of",
    "serving",
    "table_digests",
]
