"""Management alerts: raised, responded to and resolved, with their times counted by hand
in calendar and working days (SQLite, and PostgreSQL when a server answers)."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from sqlalchemy import Engine, select

from carejourney.quality.alerts import (
    AWAITING_RESPONSE,
    RESOLVED,
    RESPONDED,
    AlertError,
    Concern,
    alert_times,
    alerts_frame,
    get_alert,
    list_alerts,
    open_alerts,
    raise_alert,
    resolve,
    respond,
)
from carejourney.schema.types import Nation
from carejourney.store.tables import access_log

LA = "931"
UTC = dt.UTC


def at(text: str) -> dt.datetime:
    """A UTC time written dd/mm/yyyy hh:mm."""
    return dt.datetime.strptime(text, "%d/%m/%Y %H:%M").replace(tzinfo=UTC)


def frame(*rows: tuple[str, str | None, str | None]) -> pl.DataFrame:
    """Alerts as (raised, responded, resolved) UTC times."""
    schema = pl.Datetime("us", "UTC")
    return pl.DataFrame(
        {
            "id": list(range(1, len(rows) + 1)),
            "raised_at": [at(r[0]) for r in rows],
            "responded_at": [at(r[1]) if r[1] else None for r in rows],
            "resolved_at": [at(r[2]) if r[2] else None for r in rows],
        },
        schema={"id": pl.Int64, "raised_at": schema, "responded_at": schema, "resolved_at": schema},
    )


def test_times_over_christmas_in_calendar_and_working_days() -> None:
    # Raised Friday 22/12/2023; responded Wednesday 27/12: 5 calendar days. Working days
    # after the 22nd up to the 27th: Sat 23, Sun 24, Christmas Day 25 and Boxing Day 26
    # are not; Wednesday 27 is: 1. Resolved Tuesday 02/01/2024: 11 calendar days; working
    # days 27, 28, 29 December and 2 January (1 January a bank holiday): 4 in England. In
    # Scotland 2 January is a bank holiday too: 3.
    alerts = frame(("22/12/2023 10:00", "27/12/2023 15:00", "02/01/2024 09:00"))
    england = alert_times(alerts, dt.date(2024, 1, 31))
    assert england.select(
        "state",
        "days_to_response",
        "working_days_to_response",
        "days_to_resolution",
        "working_days_to_resolution",
        "days_open",
    ).rows() == [(RESOLVED, 5, 1, 11, 4, None)]
    scotland = alert_times(alerts, dt.date(2024, 1, 31), Nation.SCOTLAND)
    assert scotland["working_days_to_resolution"].to_list() == [3]


def test_open_alerts_count_days_so_far_and_the_future_has_not_happened() -> None:
    alerts = frame(
        ("01/07/2024 09:00", None, None),  # Monday, awaiting response
        ("01/07/2024 09:00", "03/07/2024 12:00", "10/07/2024 12:00"),
        ("09/07/2024 09:00", None, None),  # raised after the day in question
    )
    times = alert_times(alerts, dt.date(2024, 7, 8))
    # On Monday 08/07: both open a week (7 days; working days Tue 2 to Mon 8: 5). The
    # second was responded to on the 3rd (2 days, 2 working days) but its resolution on
    # the 10th has not happened yet; the third is not raised yet, so not listed.
    assert times.select(
        "id",
        "state",
        "days_to_response",
        "working_days_to_response",
        "days_open",
        "working_days_open",
        "days_to_resolution",
    ).rows() == [
        (1, AWAITING_RESPONSE, None, None, 7, 5, None),
        (2, RESPONDED, 2, 2, 7, 5, None),
    ]


def test_days_are_counted_on_uk_dates() -> None:
    # 23:30 UTC on Sunday 30 June 2024 is 00:30 on Monday 1 July in British Summer Time;
    # responded 23:30 UTC on Monday 1 July, which is 00:30 on Tuesday 2 July.
    times = alert_times(frame(("30/06/2024 23:30", "01/07/2024 23:30", None)), dt.date(2024, 7, 2))
    assert times.select("raised", "responded", "days_to_response").rows() == [
        (dt.date(2024, 7, 1), dt.date(2024, 7, 2), 1)
    ]


def test_an_alert_is_raised_responded_to_and_resolved(engine: Engine) -> None:
    with engine.begin() as conn:
        raised = raise_alert(
            conn,
            LA,
            "1",
            "no contingency plan",
            role="IRO",
            detail="Parallel plan not agreed at the second review",
            manager="Team Manager North",
            who="iro.smith",
            at=at("01/07/2024 09:00"),
        )
        other = raise_alert(conn, LA, "2", Concern.DRIFT, role="CP chair", who="chair")
        assert raised.state == AWAITING_RESPONSE and raised.is_open
        answered = respond(
            conn,
            LA,
            raised.id,
            "Legal planning meeting booked",
            who="tm",
            at=at("03/07/2024 12:00"),
        )
        assert (answered.state, answered.responded_by) == (RESPONDED, "tm")
        assert [a.id for a in open_alerts(conn, LA, "1")] == [raised.id]
        done = resolve(
            conn, LA, raised.id, "Contingency plan agreed", who="tm", at=at("10/07/2024 12:00")
        )
        assert done.state == RESOLVED and not done.is_open
        assert open_alerts(conn, LA, "1") == []
        assert [a.id for a in list_alerts(conn, LA)] == [raised.id, other.id]
        assert [a.id for a in list_alerts(conn, LA, open_only=True)] == [other.id]
        logged = conn.execute(
            select(access_log.c.action, access_log.c.child, access_log.c.who)
            .where(access_log.c.la == LA)
            .order_by(access_log.c.id)
        ).all()
    assert [tuple(row) for row in logged] == [
        ("raised management alert", "1", "iro.smith"),
        ("raised management alert", "2", "chair"),
        ("responded to management alert", "1", "tm"),
        ("resolved management alert", "1", "tm"),
    ]
    assert (done.raised_at, done.resolution, done.manager) == (
        at("01/07/2024 09:00"),
        "Contingency plan agreed",
        "Team Manager North",
    )
    times = alert_times(alerts_frame([done]), dt.date(2024, 7, 31))
    assert times.select("days_to_response", "days_to_resolution").rows() == [(2, 9)]


def test_alerts_that_cannot_be_stored_say_why(engine: Engine) -> None:
    with engine.begin() as conn:
        with pytest.raises(AlertError, match='"delay" is not a concern'):
            raise_alert(conn, LA, "1", "delay", role="IRO")
        with pytest.raises(AlertError, match='"other" needs a few words'):
            raise_alert(conn, LA, "1", "other", role="IRO")
        with pytest.raises(AlertError, match="in what role"):
            raise_alert(conn, LA, "1", "drift", role=" ")
        with pytest.raises(AlertError, match="is in the future"):
            raise_alert(conn, LA, "1", "drift", role="IRO", at=dt.datetime(2999, 1, 1))
        alert = raise_alert(conn, LA, "1", "drift", role="IRO", at=at("01/07/2024 09:00"))
        with pytest.raises(AlertError, match="before it was raised"):
            respond(conn, LA, alert.id, "Seen", at=at("30/06/2024 09:00"))
        respond(conn, LA, alert.id, "Seen", who="tm", at=at("02/07/2024 09:00"))
        with pytest.raises(AlertError, match="was responded to on 02/07/2024 by tm"):
            respond(conn, LA, alert.id, "Seen again")
        with pytest.raises(AlertError, match="before it was responded to"):
            resolve(conn, LA, alert.id, "Done", at=at("01/07/2024 12:00"))
        with pytest.raises(AlertError, match="Write how"):
            resolve(conn, LA, alert.id, " ")
        resolve(conn, LA, alert.id, "Done")
        with pytest.raises(AlertError, match="resolved on"):
            resolve(conn, LA, alert.id, "Done again")
        with pytest.raises(AlertError, match="LA other has no management alert"):
            get_alert(conn, "other", alert.id)
