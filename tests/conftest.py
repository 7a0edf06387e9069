"""Shared fixtures: databases to test against and small returns written as text tables."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, create_engine, text

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
