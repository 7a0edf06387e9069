"""The cost of delay from the command line, on a synthetic LA."""

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.synth.ssda903 import write_returns

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory: pytest.TempPathFactory) -> str:
    folder = tmp_path_factory.mktemp("synth")
    write_returns(folder / "returns", children=300, years=4, seed=5, la="999")
    path = str(folder / "cj.db")
    result = runner.invoke(app, ["import", str(folder / "returns"), "--la", "999", "--db", path])
    assert result.exit_code == 0, result.output
    return path


def test_costs_as_json(db: str) -> None:
    result = runner.invoke(
        app, ["costs", "--db", db, "--json", "--what-if-rule", "care-proceedings", "--by-half"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert figures["as_at"] == "2026-03-31" and figures["window"]["from"] == "2025-04-01"
    rules = {r["rule"]: r for r in figures["rules"]}
    assert {"review-first", "permanence-plan", "care-proceedings"} <= set(rules)
    assert sum(r["cost_last_12_months"] for r in rules.values()) == pytest.approx(
        figures["sum_over_rules_last_12_months"]["cost"]
    )
    assert any(r["cost_last_12_months"] > 0 for r in rules.values())
    change = figures["what_if"]
    assert change["description"] == "If drift under 'care-proceedings' fell by half"
    assert 0 <= change["avoided_per_year"] <= rules["care-proceedings"]["cost_last_12_months"]
    assert figures["unit_costs"]["price_years_used"]
    assert "CHILD" not in result.output  # aggregates only


def test_costs_in_words_name_no_child(db: str) -> None:
    result = runner.invoke(
        app, ["costs", "--db", db, "--what-if-rule", "permanence-plan", "--fewer-days", "30"]
    )
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "Cost of delay for LA 999, the last 12 months to 31/03/2026" in text
    assert "If drift under 'permanence-plan' fell by 30 days, LA 999 would avoid about £" in text
    assert "prices" in text and "rounded to the nearest £1,000" in text
    as_json = json.loads(runner.invoke(app, ["costs", "--db", db, "--json"]).output)
    assert as_json["what_if"] is None


def test_a_bad_unit_costs_file_gives_a_message(db: str, tmp_path: Path) -> None:
    bad = tmp_path / "costs.toml"
    bad.write_text(
        'name = "x"\ntitle = "x"\nprice_year = "2024"\nsource = "x"\n'
        'currency = "GBP"\n[[costs]]\nlabel = "x"\nplaces = ["Q9"]\nweekly = 1\n'
        'source = "x"\nverified = true\n'
    )
    result = runner.invoke(app, ["costs", "--db", db, "--unit-costs", str(bad)])
    assert result.exit_code == 2
    text = " ".join(result.output.split())
    assert "Cannot use these unit costs" in text and "'Q9' is not a placement type" in text
    assert "Traceback" not in result.output


def test_what_if_options_are_checked(db: str) -> None:
    result = runner.invoke(
        app, ["costs", "--db", db, "--what-if-rule", "no-such-rule", "--by-half"]
    )
    assert result.exit_code == 2 and "no-such-rule" in result.output
    result = runner.invoke(app, ["costs", "--db", db, "--what-if-rule", "permanence-plan"])
    assert result.exit_code == 2 and "--fewer-days" in result.output
    result = runner.invoke(app, ["costs", "--db", db, "--by-half"])
    assert result.exit_code == 2 and "--what-if-rule" in result.output
