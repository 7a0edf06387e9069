"""`carejourney users` and `carejourney serve`, as an administrator new to carejourney would
use them."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.store import database
from carejourney.web.accounts import check_password, find_account
from carejourney.web.roles import Role
from tests.test_aims_cli import run

runner = CliRunner()


@pytest.fixture
def db(web_template: tuple[Path, Path], tmp_path: Path) -> str:
    copy = tmp_path / "cj.db"
    shutil.copyfile(web_template[1], copy)
    return str(copy)


def _account(db: str, username: str) -> Any:
    engine = database.connect(db)
    with engine.connect() as conn:
        account = find_account(conn, username=username)
    engine.dispose()
    return account


def test_an_administrator_adds_a_team_manager_and_sets_their_password(db: str) -> None:
    code, said = run(
        "users", "add", "J.Smith", "--name", "Jo Smith", "--role", "team-manager",
        "--team", "Permanence North", "--la", "999", "--password-stdin", "--db", db,
    )  # fmt: skip
    # The password came from standard input, which was empty: too short, refused.
    assert code == 2
    assert "at least 12 characters" in said
    result = runner.invoke(
        app,
        ["users", "add", "J.Smith", "--name", "Jo Smith", "--role", "team-manager",
         "--team", "Permanence North", "--la", "999", "--password-stdin", "--db", db],
        input="correct horse battery\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Added j.smith (team manager)" in result.output
    account = _account(db, "j.smith")
    assert (account.role, account.team, account.la) == (
        Role.TEAM_MANAGER,
        "Permanence North",
        "999",
    )
    result = runner.invoke(
        app, ["users", "password", "j.smith", "--password-stdin", "--db", db],
        input="another long passphrase\n",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    engine = database.connect(db)
    with engine.connect() as conn:
        assert check_password(conn, "j.smith", "another long passphrase") is not None
    engine.dispose()
    listed = runner.invoke(app, ["users", "list", "--db", db], env={"COLUMNS": "200"})
    assert "j.smith" in listed.output and "Permanence North" in listed.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "boss"], "'boss' is not a role"),
        (["--role", "practitioner"], "A practitioner needs their worker name"),
        (["--role", "team manager"], "A team manager needs a team"),
    ],
)
def test_a_bad_account_gets_a_message(db: str, args: list[str], message: str) -> None:
    result = runner.invoke(
        app,
        ["users", "add", "x.y", "--name", "X Y", *args, "--password-stdin", "--db", db],
        input="a long enough password\n",
    )
    assert result.exit_code == 2
    text = " ".join(result.output.translate({ord(c): " " for c in "│╭╮╰╯─"}).split())
    assert message in text


def test_demo_accounts_are_printed_for_each_role(db: str) -> None:
    code, said = run("users", "demo", "--la", "999", "--db", db)
    assert code == 0
    for role in Role:
        assert role.value in said
    assert "demo-manager-password" in said
    code, said = run("users", "demo", "--la", "123", "--db", db)
    assert (code, "The database holds no LA 123" in said) == (2, True)


def test_serve_runs_uvicorn_without_its_access_log(
    db: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """uvicorn's access log names each path, and a path can hold a child's ID."""
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("CAREJOURNEY_SESSION_KEY", "ab" * 32)
    code, said = run("serve", "--port", "8123", "--db", db)
    assert code == 0, said
    assert seen["access_log"] is False
    assert (seen["host"], seen["port"]) == ("127.0.0.1", 8123)
    assert "http://127.0.0.1:8123/" in said
