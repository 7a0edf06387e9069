"""`carejourney demand import`, as an analyst uses it: all or nothing, demand files only."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from carejourney.cli import app
from tests.returns import minimal_return, write_table
from tests.store.test_demand_store import demand_files

runner = CliRunner()


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_demand_files_are_imported_then_left_alone(tmp_path: Path) -> None:
    db, folder = str(tmp_path / "cj.db"), demand_files(tmp_path / "demand")
    code, out = run("demand", "import", str(folder), "--la", "931", "--db", db)
    assert code == 0, out
    assert "Stored batch 1 for LA 931" in out
    code, out = run("demand", "import", str(folder), "--la", "931", "--db", db)
    assert (code, "Nothing changed" in out) == (0, True)


def test_an_error_stores_nothing_and_names_the_file_row_and_column(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    write_table(
        tmp_path / "demand" / "contacts.csv",
        """
        CHILD | CONTACT_DATE | DECISION_DATE
        1     | 02/04/2024   | 01/04/2024
        """,
    )
    code, out = run("demand", "import", str(tmp_path / "demand"), "--la", "931", "--db", db)
    assert code == 1
    assert "contacts.csv, column DECISION_DATE, row 2" in out
    assert "Nothing was stored" in out


def test_a_return_is_not_taken_as_demand(tmp_path: Path) -> None:
    folder = demand_files(tmp_path / "files")
    minimal_return(folder / "2022")
    code, out = run(
        "demand", "import", str(folder), "--la", "931", "--db", str(tmp_path / "cj.db"), "--json"
    )
    assert code == 1
    data = json.loads(out)
    assert data["stored"] is False
    refused = sorted(
        (Path(p["file"]).name, p["code"], p["severity"])
        for p in data["problems"]
        if p["code"] == "not-allowed-here"
    )
    assert refused == [
        ("episodes.csv", "not-allowed-here", "error"),
        ("header.csv", "not-allowed-here", "error"),
    ]
    message = next(p["message"] for p in data["problems"] if p["file"].endswith("header.csv"))
    assert message == (
        "This file holds the Header table, which is not demand data: import it with "
        "`carejourney import`."
    )


def test_carejourney_import_takes_demand_files_too(tmp_path: Path) -> None:
    folder = demand_files(tmp_path / "files")
    minimal_return(folder / "2022")
    code, out = run("import", str(folder), "--la", "931", "--db", str(tmp_path / "cj.db"), "--json")
    assert code == 0, out
    data = json.loads(out)
    assert data["tables"]["Contacts"] == 2 and data["tables"]["Episodes"] == 3


def test_demand_import_needs_an_la_when_the_database_is_new(tmp_path: Path) -> None:
    code, out = run(
        "demand", "import", str(demand_files(tmp_path / "d")), "--db", str(tmp_path / "cj.db")
    )
    assert code == 1
    assert "--la" in out
