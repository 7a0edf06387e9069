"""The command line, as an analyst uses it."""

import json
import logging
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.store import database
from carejourney.store.tables import access_log
from tests.returns import EPISODES, minimal_return

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_import_then_status_then_problems(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    folder = minimal_return(tmp_path / "returns")
    code, out = run("import", str(folder), "--la", "931", "--db", db)
    assert code == 0, out
    assert "Stored batch 1 for LA 931" in out
    code, out = run("import", str(folder), "--la", "931", "--db", db)
    assert (code, "Nothing changed" in out) == (0, True)
    code, out = run("status", "--db", db, "--json")
    status = json.loads(out)
    assert status["local_authorities"][0]["rows"] == {"Header": 2, "Episodes": 3}
    code, out = run("problems", "--db", db, "--csv", str(tmp_path / "p.csv"))
    assert code == 0 and (tmp_path / "p.csv").read_text(encoding="utf-8-sig").startswith(
        "batch_id,file"
    )


def test_import_json_has_the_documented_shape(tmp_path: Path) -> None:
    broken = minimal_return(
        tmp_path / "returns", episodes=EPISODES.replace("10/10/2022", "31/02/2022")
    )
    code, out = run("import", str(broken), "--la", "931", "--db", str(tmp_path / "cj.db"), "--json")
    assert code == 1
    data = json.loads(out)
    assert data["batch"] is None and data["tables"] == {"Header": 2, "Episodes": 3}
    [problem] = data["problems"]
    assert set(problem) == {"file", "row", "column", "value", "code", "message", "severity"}
    assert (problem["row"], problem["column"], problem["severity"]) == (4, "DECOM", "error")


def test_a_refused_import_says_nothing_was_stored(tmp_path: Path) -> None:
    broken = minimal_return(
        tmp_path / "returns", episodes=EPISODES.replace("10/10/2022", "31/02/2022")
    )
    code, out = run("import", str(broken), "--la", "931", "--db", str(tmp_path / "cj.db"))
    assert code == 1
    assert "Nothing was stored" in out
    assert "episodes.csv, column DECOM, row 4" in out


def test_check_stores_nothing(tmp_path: Path) -> None:
    code, out = run("check", str(minimal_return(tmp_path / "returns")))
    assert code == 0 and "can be imported" in out


def test_a_bad_year_is_explained(tmp_path: Path) -> None:
    code, out = run("check", str(tmp_path), "--year", "last year")
    assert code == 2 and "collection year" in out


def test_every_command_has_help_with_an_example() -> None:
    for command in ("import", "check", "status", "problems", "synth"):
        code, out = run(command, "--help")
        assert code == 0 and "Example" in out, command


def test_no_child_id_dob_or_postcode_is_ever_printed_or_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Children's IDs, dates of birth and postcodes stay out of everything we print or log."""
    caplog.set_level(logging.DEBUG)
    secret_id, secret_dob, secret_post = "7654321", "29/02/2011", "ZZ7 7QQ"
    header = f"""
    CHILD       | SEX | DOB          | ETHNIC | UPN           | MOTHER | MC_DOB
    {secret_id} | 9   | {secret_dob} | WBRI   | A123456789012 |        |
    {secret_id} | 1   | 31/02/2011   | WBRI   | A123456789012 |        |
    """
    episodes = f"""
    CHILD       | DECOM      | RNE | LS | CIN | PLACE | PLACE_PROVIDER | DEC        | REC | REASON_PLACE_CHANGE | HOME_POST     | PL_POST | URN
    {secret_id} | 01/05/2022 | S   | C1 | N1  | U6    | PR1            | 01/04/2022 | X1  |                     | {secret_post} |         |
    8888888     | 01/05/2022 | S   | C1 | N1  | U6    | PR1            |            |     |                     |               |         |
    """
    folder = minimal_return(tmp_path / "returns", header=header, episodes=episodes)
    outputs = [
        run("check", str(folder))[1],
        run("check", str(folder), "--json")[1],
        run("import", str(folder), "--la", "1", "--db", str(tmp_path / "cj.db"))[1],
    ]
    outputs.append(caplog.text)
    for out in outputs[:3]:
        assert "Problems" in out or "problems" in out
    for out in outputs:
        for secret in (secret_id, secret_dob, secret_post, "8888888", "31/02/2011"):
            assert secret not in out


def test_a_database_that_cannot_be_reached_is_explained() -> None:
    code, out = run("status", "--db", "postgresql://nobody@127.0.0.1:1/none")
    assert code == 2
    assert "Cannot use the database" in out and "Traceback" not in out


def test_rules_lists_the_shipped_sets_and_explains_one() -> None:
    code, out = run("rules")
    assert code == 0 and "pace-moray" in out
    code, out = run("rules", "--rules", "celcis-legal-advice")
    assert code == 0 and "8" in out and "Source" in out
    code, out = run("rules", "--rules", "no-such-rules")
    assert code == 2 and "Cannot use these rules" in out


def test_viewing_a_journey_is_recorded_in_the_access_log(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    run("import", str(minimal_return(tmp_path / "returns")), "--la", "931", "--db", db)
    code, out = run("journey", "1", "--db", db)
    assert code == 0 and "Period of care 1" in out and "Entered care" in out
    code, _ = run("journey", "no-such-child", "--db", db)
    assert code == 1
    engine = database.connect(db)
    with engine.connect() as conn:
        rows = conn.execute(select(access_log.c.action, access_log.c.la, access_log.c.child)).all()
    assert [tuple(r) for r in rows] == [
        ("view journey", "931", "1"),
        ("view journey", "931", "no-such-child"),
    ]
