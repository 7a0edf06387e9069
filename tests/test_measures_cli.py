"""Drift and timeliness from the command line, on a synthetic LA, on both databases."""

import json
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from carejourney import imports
from carejourney.cli import app
from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import load
from carejourney.measures import summaries
from carejourney.measures.scorecard import scorecard
from carejourney.store import database
from carejourney.store.tables import access_log
from carejourney.synth.ssda903 import write_returns
from tests.conftest import POSTGRES, POSTGRES_URL, _reset_postgres

runner = CliRunner()


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "returns"
    write_returns(folder, children=300, years=4, seed=5, la="999")
    return folder


def test_drift_and_timeliness_on_a_synthetic_la(returns: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    assert runner.invoke(app, ["import", str(returns), "--la", "999", "--db", db]).exit_code == 0
    result = runner.invoke(
        app, ["drift", "--db", db, "--rules", "england", "--rules", "pace-moray", "--json"]
    )
    assert result.exit_code == 0, result.output
    drift = json.loads(result.output)
    assert drift["as_at"] == "2026-03-31"  # the end of the latest year stored
    statuses = {row["status"] for row in drift["rows"]}
    assert statuses <= {"overdue", "reminder due", "on track"} and "overdue" in statuses
    assert all(row["why"] for row in drift["rows"])
    result = runner.invoke(app, ["drift", "--db", db, "--within", "31"])
    assert result.exit_code == 0 and "Drift list for LA 999, as at 31/03/2026" in result.output
    csv = tmp_path / "drift.csv"
    assert runner.invoke(app, ["drift", "--db", db, "--csv", str(csv)]).exit_code == 0
    assert pl.read_csv(csv).height > 0
    result = runner.invoke(app, ["timeliness", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert [m["measure"] for m in figures["scorecard"]] == ["A1", "A2", "A3", "A10"]
    assert {r["rule"] for r in figures["rules"]} >= {"review-first", "review-second"}
    result = runner.invoke(app, ["timeliness", "--db", db, "--json", "--rules", "pace-moray"])
    waiting = {r["rule"]: r for r in json.loads(result.output)["waiting"]}
    # Only each rule's cohort waits: Aim 4 is for permanence orders, which England has none of.
    assert waiting["aim-4-order-lodged"]["children"] == 0
    assert waiting["aim-2-recommendation"]["children"] > 0


def test_a_bad_as_at_date_is_explained(returns: Path, tmp_path: Path) -> None:
    result = runner.invoke(app, ["drift", "--as-at", "31/02/2026", "--db", str(tmp_path / "x.db")])
    assert result.exit_code == 2 and "dd/mm/yyyy" in result.output


@pytest.mark.postgres
@pytest.mark.skipif(not POSTGRES, reason="no PostgreSQL server answers")
def test_the_figures_are_the_same_on_sqlite_and_postgresql(returns: Path, tmp_path: Path) -> None:
    _reset_postgres()
    results = []
    for url in (str(tmp_path / "cj.db"), POSTGRES_URL):
        engine = database.connect(url)
        assert imports.import_returns(engine, [returns], la="999").stored
        with engine.connect() as conn:
            journeys = load(conn, "999")
        engine.dispose()
        as_at = summaries.default_as_at(journeys)
        rule_sets = [load_rule_set("england"), load_rule_set("pace-moray")]
        drift = summaries.drift_list(journeys, rule_sets, as_at)
        card = scorecard(journeys.periods, journeys.milestones, journeys.placements, as_at)
        results.append((drift.sort("CHILD", "rule", "due_date", "occurrence"), card))
    (drift_a, card_a), (drift_b, card_b) = results
    assert drift_a.height > 0
    assert drift_a.equals(drift_b)
    assert card_a.equals(card_b)


def test_every_child_a_drift_list_shows_is_in_the_access_log(returns: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    runner.invoke(app, ["import", str(returns), "--la", "999", "--db", db])
    result = runner.invoke(app, ["drift", "--db", db, "--json", "--status", "overdue"])
    listed = {row["CHILD"] for row in json.loads(result.output)["rows"]}
    engine = database.connect(db)
    with engine.connect() as conn:
        logged = set(
            conn.execute(select(access_log.c.child).where(access_log.c.action == "drift list view"))
            .scalars()
            .all()
        )
    assert listed and logged == listed


def test_the_drift_list_can_be_narrowed_to_a_route(returns: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    runner.invoke(app, ["import", str(returns), "--la", "999", "--db", db])
    result = runner.invoke(app, ["drift", "--db", db, "--json", "--route", "adoption"])
    assert result.exit_code == 0, result.output
    assert {row["route"] for row in json.loads(result.output)["rows"]} <= {"adoption"}


def test_the_drift_list_can_be_narrowed_to_a_team(returns: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    runner.invoke(app, ["import", str(returns), "--la", "999", "--db", db])
    everyone = json.loads(runner.invoke(app, ["drift", "--db", db, "--json"]).output)["rows"]
    teams = {row["team"] for row in everyone}
    assert None not in teams and len(teams) > 1  # every child in care has a team
    result = runner.invoke(app, ["drift", "--db", db, "--json", "--team", "Permanence North"])
    rows = json.loads(result.output)["rows"]
    assert rows and {row["team"] for row in rows} == {"Permanence North"}


def test_drift_by_age_and_timeliness_for_a_cohort(returns: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    runner.invoke(app, ["import", str(returns), "--la", "999", "--db", db])
    young = json.loads(runner.invoke(app, ["drift", "--db", db, "--json", "--age-max", "4"]).output)
    assert young["rows"] and all(row["age"] <= 4 for row in young["rows"])
    everyone = json.loads(runner.invoke(app, ["timeliness", "--db", db, "--json"]).output)
    recent = runner.invoke(
        app, ["timeliness", "--db", db, "--json", "--entered-from", "01/04/2025"]
    )
    assert recent.exit_code == 0, recent.output
    first_reviews = {r["rule"]: r["due"] for r in json.loads(recent.output)["rules"]}
    assert (
        0
        < first_reviews["review-first"]
        < {r["rule"]: r["due"] for r in everyone["rules"]}["review-first"]
    )
