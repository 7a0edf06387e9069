from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from carejourney.store import database
from carejourney.store.tables import metadata


def test_migrations_build_exactly_the_declared_tables(engine: Engine) -> None:
    with engine.connect() as conn:
        differences = compare_metadata(MigrationContext.configure(conn), metadata)
    assert differences == [], "add a migration: see README, For developers"


def test_upgrading_twice_is_harmless(engine: Engine) -> None:
    database.upgrade(engine)
    assert not database.is_empty(engine)


@pytest.mark.parametrize(
    ("given", "url"),
    [
        ("postgresql://me@server/cj", "postgresql+psycopg://me@server/cj"),
        ("postgres://me@server/cj", "postgresql+psycopg://me@server/cj"),
        ("sqlite:////tmp/x.db", "sqlite:////tmp/x.db"),
    ],
)
def test_database_urls(given: str, url: str) -> None:
    assert database.resolve_url(given) == url


def test_a_path_means_a_sqlite_file(tmp_path: Path) -> None:
    assert database.resolve_url(str(tmp_path / "a.db")) == f"sqlite:///{tmp_path / 'a.db'}"


def test_the_environment_variable_is_used_when_no_db_is_given(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(database.ENVIRONMENT_VARIABLE, str(tmp_path / "env.db"))
    assert database.resolve_url(None).endswith("env.db")
    monkeypatch.delenv(database.ENVIRONMENT_VARIABLE)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert database.resolve_url(None) == f"sqlite:///{tmp_path / 'carejourney' / 'carejourney.db'}"


def test_passwords_are_hidden_when_printed() -> None:
    assert "secret" not in database.describe("postgresql+psycopg://me:secret@server/cj")
