"""Shared fixtures: databases to test against and small returns written as text tables."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from carejourney.reports import charts
from carejourney.store import database

POSTGRES_URL = os.environ.get(
    "CAREJOURNEY_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/test"
)


def _postgres_available() -> bool:
    try:
        engine = create_engine(database.resolve_url(POSTGRES_URL))
        with engine.connect() as conn:
            conn.execute(text("select 1"))
        engine.dispose()
        return True
    except Exception:
        return False


POSTGRES = _postgres_available()
if os.environ.get("CAREJOURNEY_REQUIRE_POSTGRES") == "1" and not POSTGRES:
    raise RuntimeError(
        f"CAREJOURNEY_REQUIRE_POSTGRES=1 but no PostgreSQL answers at {POSTGRES_URL}"
    )


def _reset_postgres() -> None:
    engine = create_engine(database.resolve_url(POSTGRES_URL))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def postgres_database(name: str) -> str:
    """The URL of the database `name` on the test server (beside POSTGRES_URL's own)."""
    return make_url(POSTGRES_URL).set(database=name).render_as_string(hide_password=False)


def copy_postgres(template: str, suffix: str = "copy") -> str:
    """A fresh database copied from the database `template` (URL), replacing the copy the
    test before had. PostgreSQL copies the files: about 0.05 s, where emptying the test
    database and migrating it took 0.6 s and importing the web tests' LA 2 s."""
    name = f"{make_url(template).database}_{suffix}"
    with _server() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template).database}"'))
    return postgres_database(name)


@contextmanager
def _server() -> Iterator[Connection]:
    """A connection for creating and dropping databases (which no transaction may hold)."""
    engine = create_engine(database.resolve_url(POSTGRES_URL), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def postgres_template(suffix: str, fill: Callable[[str], None]) -> Iterator[str | None]:
    """A database made once, by `fill(url)`, for tests to take fresh copies of
    (`copy_postgres`); dropped, with its copy, at the end. None when this server will not
    let the tests create databases: they then empty and fill the test database itself."""
    name = f"{make_url(POSTGRES_URL).database}_{suffix}"
    try:
        with _server() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    except DBAPIError:
        yield None
        return
    url = postgres_database(name)
    try:
        fill(url)
        yield url
    finally:
        with _server() as conn:
            for dropped in (f"{name}_copy", name):
                conn.execute(text(f'DROP DATABASE IF EXISTS "{dropped}" WITH (FORCE)'))


def _migrated(url: str) -> None:
    database.connect(url).dispose()


@pytest.fixture(scope="session")
def empty_postgres() -> Iterator[str | None]:
    """An empty, migrated PostgreSQL database that each test's is copied from."""
    if not POSTGRES:
        yield None
        return
    with postgres_template("template", _migrated) as url:
        yield url


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
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh, empty database of each kind: a SQLite file, and PostgreSQL when available."""
    if request.param == "sqlite":
        return str(tmp_path / "carejourney.db")
    template = request.getfixturevalue("empty_postgres")
    if template is not None:
        return copy_postgres(template)
    _reset_postgres()
    return POSTGRES_URL


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = database.connect(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(autouse=True, scope="session")
def validate_charts() -> Iterator[None]:
    """Every chart the tests render is checked against the Vega-Lite schema (in use it is
    not: see `reports.charts.VALIDATE`). Session-wide, so that charts rendered by fixtures
    of any scope are checked too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(charts, "VALIDATE", True)
        yield
