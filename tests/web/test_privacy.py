"""Nothing about a child ever goes to the application log.

The app runs under uvicorn as `carejourney serve` runs it (access log off), with every
logger the server process has captured: the root logger and `carejourney` and `uvicorn` at
DEBUG, SQLAlchemy at WARNING, as it sets itself (at INFO it would echo SQL parameters, by
design, only when someone turns that on). Each role signs in and opens every page in its
menu, every link those pages offer (downloads and filters included), a child's journey, an
unknown child, and pages given bad parameters; then a page that fails. No log record may
hold a child's ID, date of birth (dd/mm/yyyy or yyyy-mm-dd) or postcode from the LA. The
test's own HTTP client (httpx) logs the URLs it asks for, so its records are left out, and
so are uvicorn's access lines (see NOT_THE_APPS).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import sqlite3
from collections.abc import Iterator
from contextlib import closing, contextmanager
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
from typer.testing import CliRunner

from carejourney.store import queries
from carejourney.web import data
from carejourney.web.roles import ALL_ROLES, Role
from tests.web.browser.conftest import serving
from tests.web.conftest import PASSWORDS, USERNAMES, Web, csrf_from
from tests.web.test_routes import api_routes, fill, samples

UNKNOWN_CHILD = "987654"
# Not the app's log: the test's own HTTP client; and uvicorn's access log, which
# `carejourney serve` turns off (the last test checks) but which writes here because pytest
# attaches its capturing handlers even to loggers that do not propagate, as that one is.
NOT_THE_APPS = ("httpx", "httpcore", "uvicorn.access")
_NAV = re.compile(r'<nav[^>]*aria-label="Main".*?</nav>', re.S)
_HREF = re.compile(r'href="([^"]+)"')
BAD_PARAMETERS = ["?as_at=31/02/2024", "?as_at=not-a-date", "?la=000", "?sort=%00", "?page=-1"]


def identifying(db: str) -> list[str]:
    """Every child's ID, date of birth (both ways written) and postcode in the database."""
    with closing(sqlite3.connect(db)) as conn:
        children = conn.execute("SELECT child, dob FROM ssda903_header").fetchall()
        places = conn.execute("SELECT home_post, pl_post FROM ssda903_episodes").fetchall()
    found: set[str] = {UNKNOWN_CHILD}
    for child, dob in children:
        born = dt.date.fromisoformat(str(dob)[:10])
        found |= {str(child), f"{born:%d/%m/%Y}", born.isoformat()}
    for postcodes in places:
        for postcode in filter(None, postcodes):
            found |= {postcode, postcode.replace(" ", "")}
    return sorted(found)


def leaks(records: list[logging.LogRecord], secrets: list[str]) -> list[str]:
    """Log lines holding any of `secrets`, as `who: line`."""
    pattern = re.compile(r"(?<!\w)(" + "|".join(map(re.escape, secrets)) + r")(?!\w)", re.I)
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        if record.name.startswith(NOT_THE_APPS):
            continue
        line = formatter.format(record)  # the message, with any traceback
        match = pattern.search(line)
        if match:
            around = line[max(0, match.start() - 100) : match.end() + 40]
            found.append(f"{record.name} ({record.levelname}): {match.group(1)!r} in ...{around!r}")
    return found


def test_the_check_finds_a_child_however_written() -> None:
    secrets = ["104292", "15/12/2011", "2011-12-15", "ZZ61 2ZQ", "ZZ612ZQ"]
    lines = [
        "GET /children/104292 200",
        "child=104292;",
        "born 15/12/2011.",
        "(2011-12-15)",
        "at zz61 2zq",
        "ZZ612ZQ",
    ]
    found = leaks([_record(line) for line in lines], secrets)
    assert len(found) == len(lines), found
    assert not leaks([_record("GET /children/{child} 200 1042920 ms")], secrets)


def _record(message: str) -> logging.LogRecord:
    return logging.LogRecord("carejourney.web", logging.INFO, __file__, 1, message, None, None)


@pytest.fixture
def live(web: Web) -> Iterator[str]:
    """The app under uvicorn, started before the log is captured (its start-up lines name
    the process ID, which could look like a child's ID)."""
    with serving(web.db) as url:
        # As `carejourney serve` leaves it (access_log=False): no lines of its own.
        assert logging.getLogger("uvicorn.access").propagate is False
        yield url


@pytest.fixture
def captured(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG)
    for name in ("carejourney", "uvicorn", "uvicorn.error", "fastapi"):
        caplog.set_level(logging.DEBUG, logger=name)
    assert logging.getLogger("sqlalchemy").getEffectiveLevel() == logging.WARNING
    return caplog


@contextmanager
def signed_in(url: str, role: Role) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=url, timeout=30, follow_redirects=True) as client:
        page = client.get("/login")
        reply = client.post(
            "/login",
            data={
                "username": USERNAMES[role],
                "password": PASSWORDS[role],
                "csrf_token": csrf_from(page.text),
            },
        )
        assert (reply.status_code, reply.url.path) == (200, "/")
        yield client


def links(html: str, base: str) -> list[str]:
    """The paths (with queries) a page links to within the app, but signing out."""
    found = []
    for href in _HREF.findall(html):
        href = href.replace("&amp;", "&")
        parts = urlsplit(urljoin(base, href))
        if parts.netloc or not parts.path.startswith("/") or parts.path.startswith("/static"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(found))


def browse(client: httpx.Client, paths: list[str]) -> list[str]:
    """Open each page in the menu and each of `paths`, and every link those pages offer
    (but only the first three children's records)."""
    menu = _NAV.search(client.get("/").text)
    pages = list(dict.fromkeys((links(menu.group(0), "/") if menu else []) + paths))
    seen = set(pages)
    records = 0
    for path in pages:
        reply = client.get(path)
        if "html" not in reply.headers.get("content-type", ""):
            continue
        for link in links(reply.text, path):
            is_record = link.startswith("/children/")
            if link in seen or (is_record and records >= 3):
                continue
            records += is_record
            seen.add(link)
            client.get(link)
    return sorted(seen)


def test_nothing_about_a_child_goes_to_the_log(
    web: Web, live: str, captured: pytest.LogCaptureFixture
) -> None:
    values = samples(web)
    routes = [fill(p, values) for p, r in api_routes(web.app) if "GET" in (r.methods or ())]
    extra = [
        f"/children/{values['child']}",
        f"/children/{UNKNOWN_CHILD}",
        *[f"/drift{bad}" for bad in BAD_PARAMETERS],
        *[f"/children/{values['child']}{bad}" for bad in BAD_PARAMETERS],
        f"/aims/{values['aim']}/cycles/999",
        "/no-such-page",
    ]
    visited = []
    for role in sorted(ALL_ROLES):
        with signed_in(live, role) as client:
            visited += browse(client, routes + extra)
    assert any(p.startswith("/drift") and p != "/drift" for p in visited), visited
    assert len(captured.records) > 50, "the app's log was not captured"
    found = leaks(captured.records, identifying(web.db))
    assert not found, "A child's details went to the log:\n" + "\n".join(found)


def test_a_failing_page_logs_where_it_failed_but_nothing_about_the_child(
    web: Web, live: str, captured: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    secrets = identifying(web.db)
    child, dob, postcode = values = [
        next(s for s in secrets if re.fullmatch(pattern, s))
        for pattern in (r"\d{6}", r"\d\d/\d\d/\d{4}", r"[A-Z]{2}\d+ \d[A-Z]{2}")
    ]

    def broken(*args: object, **kwargs: object) -> list[str]:
        # As a library's error might: quoting the values it choked on.
        raise ValueError(f"cannot read child {child} born {dob} living at {postcode}")

    assert all(values)
    with signed_in(live, Role.MANAGER) as client:
        monkeypatch.setattr(queries, "local_authorities", broken)
        data.clear()
        reply = client.get(f"/children/{child}")
    assert reply.status_code == 500
    assert "Something went wrong" in reply.text
    assert child not in reply.text.split("<main", 1)[1]
    errors = [r for r in captured.records if r.levelno >= logging.ERROR]
    assert errors, "the failure was not logged"
    assert any("ValueError" in r.getMessage() for r in errors)
    found = leaks(captured.records, secrets)
    assert not found, "A failure's message went to the log:\n" + "\n".join(found)


def test_carejourney_serve_turns_off_uvicorn_s_access_log(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    import uvicorn

    from carejourney.cli.app import app

    called: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: called.update(kwargs))
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: None)
    monkeypatch.setenv("CAREJOURNEY_SESSION_KEY", "ab" * 32)
    result = CliRunner().invoke(app, ["serve", "--db", f"{tmp_path}/serve.db"])
    assert result.exit_code == 0, result.output
    assert called["access_log"] is False
