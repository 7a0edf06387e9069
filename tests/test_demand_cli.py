"""`carejourney demand summary` and `carejourney demand chart`, as an analyst uses them, on
the small front door of tests/reports/sections/test_demand.py (worked out by hand there)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.store import database
from carejourney.store.tables import access_log
from tests.reports.sections.test_demand import ASSESSMENTS, CONTACTS, HELP
from tests.returns import minimal_return, write_table

runner = CliRunner()
CHILDREN = ("A1", "B1", "C1", "D1")


def run(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def unboxed(text: str) -> str:
    """An error message as words: the box drawn around it and its line breaks taken out."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", text).split())


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A database holding the small front door's contacts, assessments and help for LA 931."""
    folder = tmp_path / "demand"
    write_table(folder / "contacts.csv", CONTACTS)
    write_table(folder / "assessments.csv", ASSESSMENTS)
    write_table(folder / "help.csv", HELP)
    path = str(tmp_path / "cj.db")
    code, out = run("demand", "import", str(folder), "--la", "931", "--db", path)
    assert code == 0, out
    return path


def test_the_summary_in_plain_words(db: str) -> None:
    code, out = run("demand", "summary", "--as-at", "31/03/2025", "--db", db)
    assert code == 0, out
    assert "Demand for LA 931, 1 April 2024 to 31 March 2025" in out
    assert "5 contacts came in from 1 April 2024 to 31 March 2025, and 3 of them (60.0%)" in out
    assert "The commonest kind of failure demand was back after no further action" in out
    assert "Half of them took 61.5 days or fewer from the family's first contact" in out
    assert "The system predictably takes between" in out
    assert "Of the 2 referrals from 1 April 2024 to 31 March 2025" in out
    assert "80.0% were decided within 1 working day" in out
    assert "Teams recorded what matters to the family on 2 of the contacts" in out
    for heading in (
        "Failure demand by kind",
        "Value and failure demand by month",
        "Value and failure demand by who made contact",
        "Value and failure demand by team",
        "Right first time",
        "Re-referrals within 12 months",
        "Decisions within 1 working day",
        "What matters to families",
    ):
        assert heading in out
    # Exact counts for the LA's own analyst: 2 value contacts is not hidden.
    assert "[c]" not in out
    for child in CHILDREN:
        assert child not in out
    # Working the figures out is in the access log, without naming any child.
    engine = database.connect(db)
    with engine.connect() as conn:
        logged = conn.execute(
            select(func.count()).where(access_log.c.action == "demand summary (figures only)")
        ).scalar_one()
    engine.dispose()
    assert logged == 1


def test_the_as_at_date_defaults_to_the_latest_contact(db: str) -> None:
    code, out = run("demand", "summary", "--db", db)
    assert code == 0, out
    assert "Demand for LA 931, 1 August 2023 to 20 July 2024 (the latest contact's date" in out


def test_json_holds_the_figures_and_nothing_else(db: str) -> None:
    code, out = run(
        "demand",
        "summary",
        "--as-at",
        "31/03/2025",
        "--redesign",
        "01/07/2024",
        "--json",
        "--db",
        db,
    )
    assert code == 0, out
    data = json.loads(out)
    assert data["la"] == "931"
    assert data["period"] == {"from": "2024-04-01", "to": "2025-03-31"}
    assert data["redesign"] == "2024-07-01"
    headline = data["headline"]
    assert (headline["contacts"], headline["failure_pct"], headline["recorded"]) == (5, 60.0, 2)
    assert headline["median_days_to_help"] == 61.5
    assert headline["decisions_on_time_pct"] == 80.0
    months = {row["month"]: row for row in data["tables"]["shares_by_month"]}
    assert (months["2024-06-01"]["contacts"], months["2024-06-01"]["failure"]) == (3, 2)
    assert data["charts"]["failure"]["title"] == "Failure demand: % of contacts, by month"
    for child in CHILDREN:
        assert f'"{child}"' not in out


def test_a_chart_is_written_and_its_signals_said(db: str, tmp_path: Path) -> None:
    svg = tmp_path / "failure.svg"
    code, out = run(
        "demand", "chart", "failure", "--as-at", "31/03/2025", "--svg", str(svg), "--db", db
    )
    assert code == 0, out
    assert svg.read_text(encoding="utf-8").startswith("<svg")
    assert "Failure demand: % of contacts, by month, 1 April 2024 to 31 March 2025" in out
    assert "What the chart shows" in out and "Signals" in out
    assert f"Wrote the chart to {svg}" in out.replace("\n", "")
    code, out = run("demand", "chart", "end-to-end", "--as-at", "31/03/2025", "--db", db)
    assert code == 0, out
    assert "Days from first contact to the right help, case by case" in out
    assert "What the system predictably does" in out
    code, out = run(
        "demand", "chart", "re-referrals", "--as-at", "31/03/2025", "--json", "--db", db
    )
    assert code == 0, out
    chart = json.loads(out)
    assert chart["title"] == "Re-referrals within 12 months: % of referrals, by month"
    assert [(p["label"], p["y"], p["n"]) for p in chart["points"]] == [
        ("2024-06-01", 0.0, 1.0),
        ("2024-07-01", 0.0, 1.0),
    ]


def test_a_chart_with_too_few_points_says_why(db: str) -> None:
    code, out = run(
        "demand", "chart", "end-to-end", "--to", "assessment", "--as-at", "31/03/2025", "--db", db
    )
    assert code == 1
    assert "Too few cases reached the right assessment in the period to chart" in out


def test_no_demand_data_says_what_to_import(tmp_path: Path) -> None:
    empty = str(tmp_path / "empty.db")
    code, out = run("demand", "summary", "--db", empty)
    assert code == 1
    assert "No contacts are stored yet, so there is no demand to measure" in out
    assert "carejourney demand import contacts.csv assessments.csv help.csv --la CODE" in out
    returns_only = str(tmp_path / "returns.db")
    assert (
        run(
            "import", str(minimal_return(tmp_path / "returns")), "--la", "931", "--db", returns_only
        )[0]
        == 0
    )
    code, out = run("demand", "chart", "failure", "--db", returns_only)
    assert code == 1
    assert "No contacts are stored for LA 931" in out


def test_bad_dates_and_rules_are_named_plainly(db: str, tmp_path: Path) -> None:
    code, out = run("demand", "summary", "--as-at", "31/02/2025", "--db", db)
    assert code == 2
    assert "Invalid value for --as-at: '31/02/2025' is not a date: write it as dd/mm/yyyy" in (
        unboxed(out)
    )
    code, out = run("demand", "chart", "failure", "--redesign", "next spring", "--db", db)
    assert code == 2
    assert "Invalid value for --redesign: 'next spring' is not a date" in unboxed(out)
    rules = tmp_path / "rules.toml"
    rules.write_text('repeat_days = "sixty"\n', encoding="utf-8")
    code, out = run("demand", "summary", "--rules", str(rules), "--db", db)
    assert code == 2
    assert "Cannot use these demand rules" in out and 'setting "repeat_days"' in unboxed(out)


def test_own_rules_change_the_suggestions(db: str, tmp_path: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('name = "no-repeats"\nrepeat = false\n', encoding="utf-8")
    code, out = run(
        "demand",
        "summary",
        "--as-at",
        "31/03/2025",
        "--demand-rules",
        str(rules),
        "--json",
        "--db",
        db,
    )
    assert code == 0, out
    data = json.loads(out)
    # B1's second contact is no longer suggested as a repeat: 2 failure contacts of 5.
    assert (data["rules"]["name"], data["headline"]["failure_pct"]) == ("no-repeats", 40.0)
