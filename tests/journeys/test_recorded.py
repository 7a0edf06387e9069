"""Milestones recorded in the web app: recorded, corrected, withdrawn, and counted in the
journeys alongside the tracker's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from carejourney import imports
from carejourney.journeys import recorded
from carejourney.journeys.stored import load
from carejourney.store.tables import access_log, recorded_milestone
from tests.returns import minimal_return

LA = "931"
TODAY = dt.date(2023, 6, 1)


@pytest.fixture
def stored(engine: Engine, tmp_path: Path) -> Engine:
    """Children 1 (in care since 01/05/2022) and 2 (in care 10/10/2022 to 20/02/2023)."""
    assert imports.import_returns(engine, [minimal_return(tmp_path / "returns")], la=LA).stored
    return engine


def _record(engine: Engine, milestone: str, day: dt.date, note: str | None = None) -> int:
    with engine.begin() as conn:
        row = recorded.record_milestone(conn, LA, "1", milestone, day, note, who="pat", today=TODAY)
    return row.id


def _log(engine: Engine) -> list[tuple[str, str, str | None, str | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            select(access_log.c.who, access_log.c.action, access_log.c.child, access_log.c.detail)
            .where(access_log.c.action.like("%milestone"))
            .order_by(access_log.c.id)
        )
        return [tuple(r) for r in rows]  # type: ignore[misc]


def test_a_recorded_milestone_joins_the_journey_as_from_the_web_app(stored: Engine) -> None:
    _record(stored, "panel", dt.date(2022, 11, 3), "panel met early")
    with stored.connect() as conn:
        journeys = load(conn, LA)
        frame = recorded.current_frame(conn, LA)
    assert frame.rows() == [("1", "panel", dt.date(2022, 11, 3), "panel met early", "web app")]
    child_1 = journeys.milestones.filter(journeys.milestones["CHILD"] == "1")
    assert child_1.select("milestone", "period", "date", "detail", "source").rows() == [
        ("entered_care", 1, dt.date(2022, 5, 1), "C1", "SSDA903 Episodes DECOM (RNE S)"),
        ("panel", 1, dt.date(2022, 11, 3), "panel met early", "web app"),
    ]
    assert _log(stored) == [("pat", "recorded milestone", "1", "panel")]


def test_a_recorded_milestone_does_not_move_the_day_the_data_ends(stored: Engine) -> None:
    with stored.connect() as conn:
        before = load(conn, LA).data_ends
    _record(stored, "panel", TODAY)
    with stored.connect() as conn:
        assert load(conn, LA).data_ends == before == dt.date(2023, 3, 31)


def test_a_correction_replaces_the_row_and_keeps_who_and_when(stored: Engine) -> None:
    first = _record(stored, "panel", dt.date(2022, 11, 3))
    with stored.begin() as conn:
        fixed = recorded.correct_milestone(
            conn, LA, "1", first, dt.date(2022, 11, 10), "typo", who="tia", today=TODAY
        )
    with stored.connect() as conn:
        rows = recorded.history(conn, LA, "1")
        now = recorded.current_milestones(conn, LA, "1")
    assert [(r.id, r.date, r.replaces, r.replaced_by, r.recorded_by, r.change) for r in rows] == [
        (first, dt.date(2022, 11, 3), None, fixed.id, "pat", "recorded"),
        (fixed.id, dt.date(2022, 11, 10), first, None, "tia", "corrected"),
    ]
    assert [(r.milestone, r.date) for r in now] == [("panel", dt.date(2022, 11, 10))]
    assert all(isinstance(r.recorded_at, dt.datetime) for r in rows)
    assert _log(stored)[-1] == ("tia", "corrected milestone", "1", "panel")
    # The old row is no longer current: correcting it again is refused, and nothing stored.
    with pytest.raises(recorded.RecordError) as refused, stored.begin() as conn:
        recorded.correct_milestone(conn, LA, "1", first, dt.date(2022, 12, 1), who="pat")
    assert list(refused.value.problems) == ["recorded"]
    with stored.connect() as conn:
        assert len(recorded.history(conn, LA, "1")) == 2


def test_a_withdrawn_milestone_no_longer_counts(stored: Engine) -> None:
    first = _record(stored, "panel", dt.date(2022, 11, 3))
    with stored.begin() as conn:
        gone = recorded.withdraw_milestone(conn, LA, "1", first, "wrong child", who="mo")
    assert (gone.date, gone.replaces, gone.change) == (None, first, "withdrew")
    with stored.connect() as conn:
        assert recorded.current_milestones(conn, LA, "1") == []
        assert recorded.current_frame(conn, LA).is_empty()
        journeys = load(conn, LA)
    assert "panel" not in journeys.milestones["milestone"].to_list()
    assert [a for _, a, _, _ in _log(stored)] == ["recorded milestone", "withdrew milestone"]


def test_another_childs_milestone_cannot_be_changed_through_this_child(stored: Engine) -> None:
    first = _record(stored, "panel", dt.date(2022, 11, 3))
    with pytest.raises(recorded.RecordError) as refused, stored.begin() as conn:
        recorded.withdraw_milestone(conn, LA, "2", first, who="mo")
    assert list(refused.value.problems) == ["recorded"]


@pytest.mark.parametrize(
    ("milestone", "day", "note", "fields"),
    [
        ("not_a_milestone", dt.date(2023, 1, 1), None, ["milestone"]),
        ("adopter_approved", dt.date(2023, 1, 1), None, ["milestone"]),  # adopters' journey
        ("panel", None, None, ["date"]),
        ("panel", dt.date(2023, 6, 2), None, ["date"]),  # after today
        ("panel", dt.date(1899, 12, 31), None, ["date"]),
        ("panel", dt.date(2023, 1, 1), "x" * 501, ["note"]),
        ("", None, None, ["milestone", "date"]),  # every problem at once
    ],
)
def test_a_milestone_that_cannot_be_recorded_stores_nothing(
    stored: Engine, milestone: str, day: dt.date | None, note: str | None, fields: list[str]
) -> None:
    with pytest.raises(recorded.RecordError) as refused, stored.begin() as conn:
        recorded.record_milestone(conn, LA, "1", milestone, day, note, who="pat", today=TODAY)
    assert list(refused.value.problems) == fields
    with stored.connect() as conn:
        assert conn.execute(select(recorded_milestone)).all() == []
    assert _log(stored) == []


def test_a_failed_transaction_leaves_neither_the_milestone_nor_its_log_entry(
    stored: Engine,
) -> None:
    with pytest.raises(RuntimeError), stored.begin() as conn:
        recorded.record_milestone(conn, LA, "1", "panel", TODAY, who="pat", today=TODAY)
        raise RuntimeError("something after it failed")
    with stored.connect() as conn:
        assert conn.execute(select(recorded_milestone)).all() == []
    assert _log(stored) == []


def test_only_a_childs_milestones_may_be_recorded() -> None:
    names = [m.name for m in recorded.recordable_milestones()]
    assert "panel" in names and "entered_care" in names
    assert not [n for n in names if n.startswith("adopter_")]
