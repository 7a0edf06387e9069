"""Journeys built from the store, after importing returns and a tracker."""

import datetime as dt
from pathlib import Path

from sqlalchemy import Engine

from carejourney import imports
from carejourney.journeys.stored import load
from tests.returns import minimal_return, write_table


def test_journeys_come_from_returns_and_trackers(engine: Engine, tmp_path: Path) -> None:
    returns = minimal_return(tmp_path / "returns")
    write_table(
        returns / "tracker.csv",
        """
        CHILD | MILESTONE                 | DATE       | NOTE
        1     | permanence_recommendation | 01/02/2023 | at the second review
        """,
    )
    imports.import_returns(engine, [returns], la="931")
    with engine.connect() as conn:
        journeys = load(conn, "931")
    assert journeys.periods.select("CHILD", "period", "start", "end").rows() == [
        ("1", 1, dt.date(2022, 5, 1), None),
        ("2", 1, dt.date(2022, 10, 10), dt.date(2023, 2, 20)),
    ]
    child_1 = journeys.milestones.filter(journeys.milestones["CHILD"] == "1")
    assert child_1.select("milestone", "period", "source").rows() == [
        ("entered_care", 1, "SSDA903 Episodes DECOM (RNE S)"),
        ("permanence_recommendation", 1, "tracker"),
    ]
    assert journeys.children["CHILD"].to_list() == ["1", "2"]
