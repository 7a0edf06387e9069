"""Management alerts: an IRO or CP chair raises a concern about a child's plan, a manager
responds, and the alert is resolved.

Coventry: IROs and CP chairs "are expected to identify areas of concerns which may warrant
further attention", through a management alert process in line with the IRO handbook. An
alert names the child, the concern (drift, no contingency plan, placement stability, plan
not progressing, other), who raised it and in what role, and the manager who must respond.
The child's journey page shows the child's open alerts (`open_alerts`).

Timeliness (`alert_times`), on calendar dates in UK time (an alert raised at 11pm on a
summer evening is raised that day, not the next):

- days to response: from the day raised to the day of the response (same day: 0);
- days to resolution: from the day raised to the day resolved;
- days open: for an alert not yet resolved, from the day raised to the day in question;
- each also in working days (`measures.calendar.working_days_between`: the working days
  after the day raised, up to and including the later day; the LA's nation's bank
  holidays).

Raising, responding to and resolving an alert are changes to a child's record: each is
written to the access log inside the caller's transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

import polars as pl
from sqlalchemy import Connection, insert, select, update
from sqlalchemy.engine import RowMapping

from carejourney.measures.calendar import working_days_between
from carejourney.schema.types import Nation
from carejourney.store import access
from carejourney.store.tables import management_alert
from carejourney.store.times import UK, UK_TIME, stored_utc

ROLES = ("IRO", "CP chair")  # the usual roles; another role may be written in
AWAITING_RESPONSE, RESPONDED, RESOLVED = "awaiting response", "responded", "resolved"


class Concern(StrEnum):
    """What an alert is about."""

    DRIFT = "drift"
    NO_CONTINGENCY_PLAN = "no contingency plan"
    PLACEMENT_STABILITY = "placement stability"
    PLAN_NOT_PROGRESSING = "plan not progressing"
    OTHER = "other"


class AlertError(ValueError):
    """An alert that cannot be stored or found, with a message saying what to change."""


@dataclass(frozen=True)
class Alert:
    """A stored management alert."""

    id: int
    la: str
    child: str
    concern: Concern
    detail: str | None
    raised_by: str
    raised_role: str
    raised_at: dt.datetime
    manager: str | None = None  # who must respond
    responded_at: dt.datetime | None = None
    response: str | None = None
    responded_by: str | None = None
    resolved_at: dt.datetime | None = None
    resolution: str | None = None

    @property
    def state(self) -> str:
        """Awaiting response, responded or resolved."""
        if self.resolved_at is not None:
            return RESOLVED
        return AWAITING_RESPONSE if self.responded_at is None else RESPONDED

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None


def raise_alert(
    conn: Connection,
    la: str,
    child: str,
    concern: Concern | str,
    *,
    role: str,
    detail: str | None = None,
    manager: str | None = None,
    who: str | None = None,
    at: dt.datetime | None = None,
) -> Alert:
    """Store an alert about `child`, raised by `who` in `role` (IRO, CP chair or another
    role), `at` a time (now unless given: an alert raised on paper may be entered later),
    inside the caller's transaction."""
    try:
        kind = Concern(concern)
    except ValueError:
        known = ", ".join(c.value for c in Concern)
        raise AlertError(f'"{concern}" is not a concern carejourney knows: {known}.') from None
    if not child.strip():
        raise AlertError("Name the child the alert is about (the child's ID).")
    if not role.strip():
        raise AlertError(f"Say in what role the alert is raised ({' or '.join(ROLES)}, ...).")
    if kind is Concern.OTHER and not (detail or "").strip():
        raise AlertError('Describe the concern: "other" needs a few words saying what it is.')
    raised_at = _when(at)
    user = who or access.current_user()
    values = {
        "la": la,
        "child": child.strip(),
        "concern": kind.value,
        "detail": (detail or "").strip() or None,
        "raised_by": user,
        "raised_role": role.strip(),
        "raised_at": raised_at,
        "manager": (manager or "").strip() or None,
    }
    table = management_alert
    new_id = conn.execute(insert(table).values(values).returning(table.c.id)).scalar_one()
    access.record(
        conn, "raised management alert", who=user, la=la, child=child.strip(), detail=kind.value
    )
    return get_alert(conn, la, new_id)


def respond(
    conn: Connection,
    la: str,
    alert_id: int,
    response: str,
    *,
    who: str | None = None,
    at: dt.datetime | None = None,
) -> Alert:
    """Record the manager's response to the alert, inside the caller's transaction."""
    alert = get_alert(conn, la, alert_id)
    text = response.strip()
    if not text:
        raise AlertError("Write the response: what the manager will do about the concern.")
    if alert.responded_at is not None:
        raise AlertError(
            f"Alert {alert.id} was responded to on {_day(alert.responded_at):%d/%m/%Y} by "
            f"{alert.responded_by}: add anything further when resolving it."
        )
    if alert.resolved_at is not None:
        raise AlertError(f"Alert {alert.id} is already resolved.")
    moment = _after(alert, _when(at), "responded to")
    user = who or access.current_user()
    conn.execute(
        update(management_alert)
        .where(management_alert.c.id == alert.id)
        .values(responded_at=moment, response=text, responded_by=user)
    )
    access.record(
        conn, "responded to management alert", who=user, la=la, child=alert.child, detail=None
    )
    return get_alert(conn, la, alert_id)


def resolve(
    conn: Connection,
    la: str,
    alert_id: int,
    resolution: str,
    *,
    who: str | None = None,
    at: dt.datetime | None = None,
) -> Alert:
    """Record that the alert is resolved, and how, inside the caller's transaction."""
    alert = get_alert(conn, la, alert_id)
    text = resolution.strip()
    if not text:
        raise AlertError("Write how the concern was resolved.")
    if alert.resolved_at is not None:
        raise AlertError(
            f"Alert {alert.id} was resolved on {_day(alert.resolved_at):%d/%m/%Y} already."
        )
    moment = _after(alert, _when(at), "resolved")
    if alert.responded_at is not None and moment < alert.responded_at:
        raise AlertError("An alert cannot be resolved before it was responded to: check the date.")
    conn.execute(
        update(management_alert)
        .where(management_alert.c.id == alert.id)
        .values(resolved_at=moment, resolution=text)
    )
    access.record(
        conn,
        "resolved management alert",
        who=who or access.current_user(),
        la=la,
        child=alert.child,
        detail=None,
    )
    return get_alert(conn, la, alert_id)


def get_alert(conn: Connection, la: str, alert_id: int) -> Alert:
    """Alert `alert_id` of LA `la`."""
    table = management_alert
    row = (
        conn.execute(select(table).where(table.c.id == alert_id, table.c.la == la))
        .mappings()
        .first()
    )
    if row is None:
        raise AlertError(f"LA {la} has no management alert {alert_id}: check its number.")
    return _alert(row)


def list_alerts(
    conn: Connection, la: str, *, child: str | None = None, open_only: bool = False
) -> list[Alert]:
    """LA `la`'s alerts (one child's, only those not resolved, when asked), oldest first."""
    table = management_alert
    query = select(table).where(table.c.la == la)
    if child is not None:
        query = query.where(table.c.child == child)
    if open_only:
        query = query.where(table.c.resolved_at.is_(None))
    query = query.order_by(table.c.raised_at, table.c.id)
    return [_alert(row) for row in conn.execute(query).mappings()]


def open_alerts(conn: Connection, la: str, child: str) -> list[Alert]:
    """The child's alerts not yet resolved, oldest first (for the child's journey page)."""
    return list_alerts(conn, la, child=child, open_only=True)


FRAME_SCHEMA: dict[str, pl.DataType] = {
    "id": pl.Int64(),
    "child": pl.String(),
    "concern": pl.String(),
    "raised_role": pl.String(),
    "manager": pl.String(),
    "raised_at": pl.Datetime("us", "UTC"),
    "responded_at": pl.Datetime("us", "UTC"),
    "resolved_at": pl.Datetime("us", "UTC"),
}


def alerts_frame(alerts: Sequence[Alert]) -> pl.DataFrame:
    """The alerts as a table with the columns of `FRAME_SCHEMA` (no words of the concern,
    response or resolution: those stay with the child's record)."""
    rows = [
        (
            a.id,
            a.child,
            a.concern.value,
            a.raised_role,
            a.manager,
            a.raised_at,
            a.responded_at,
            a.resolved_at,
        )
        for a in alerts
    ]
    return pl.DataFrame(rows, schema=FRAME_SCHEMA, orient="row")


def alert_times(
    alerts: pl.DataFrame, as_at: dt.date, nation: Nation | str = Nation.ENGLAND_AND_WALES
) -> pl.DataFrame:
    """`alerts` (raised_at, responded_at, resolved_at: UTC times) with, on UK calendar
    dates: `state`, `raised`, `responded`, `resolved` (dates), `days_to_response`,
    `days_to_resolution`, `days_open` (not yet resolved on `as_at`: days since raised),
    and `working_days_to_response`, `working_days_to_resolution`, `working_days_open`.
    Anything after `as_at` is treated as not yet happened."""
    day = pl.lit(as_at, pl.Date)

    def date_of(column: str) -> pl.Expr:
        local = pl.col(column).dt.convert_time_zone(UK_TIME).dt.date()
        return pl.when(local <= day).then(local)

    raised, responded, resolved = pl.col("raised"), pl.col("responded"), pl.col("resolved")

    def days(end: pl.Expr) -> pl.Expr:
        return (end - raised).dt.total_days().cast(pl.Int64)

    def working(end: pl.Expr) -> pl.Expr:
        return working_days_between(raised, end, nation).cast(pl.Int64)

    still_open = raised.is_not_null() & resolved.is_null()
    return (
        alerts.with_columns(
            raised=date_of("raised_at"),
            responded=date_of("responded_at"),
            resolved=date_of("resolved_at"),
        )
        .filter(raised.is_not_null())  # raised after as_at: not yet raised
        .with_columns(
            state=pl.when(resolved.is_not_null())
            .then(pl.lit(RESOLVED))
            .when(responded.is_not_null())
            .then(pl.lit(RESPONDED))
            .otherwise(pl.lit(AWAITING_RESPONSE)),
            days_to_response=days(responded),
            days_to_resolution=days(resolved),
            days_open=pl.when(still_open).then(days(day)),
            working_days_to_response=pl.when(responded.is_not_null()).then(working(responded)),
            working_days_to_resolution=pl.when(resolved.is_not_null()).then(working(resolved)),
            working_days_open=pl.when(still_open).then(working(day)),
        )
    )


def _when(at: dt.datetime | None) -> dt.datetime:
    """`at` as a UTC time (a time without a zone is UK time), now when not given."""
    if at is None:
        return dt.datetime.now(dt.UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UK)
    moment = at.astimezone(dt.UTC)
    if moment > dt.datetime.now(dt.UTC) + dt.timedelta(minutes=5):
        raise AlertError(f"{_day(moment):%d/%m/%Y} is in the future: record it once it happens.")
    return moment


def _after(alert: Alert, moment: dt.datetime, what: str) -> dt.datetime:
    if moment < alert.raised_at:
        raise AlertError(
            f"An alert cannot be {what} before it was raised ({_day(alert.raised_at):%d/%m/%Y}):"
            " check the date."
        )
    return moment


def _day(moment: dt.datetime) -> dt.date:
    """The UK calendar date of a UTC time."""
    return moment.astimezone(UK).date()


def _alert(row: RowMapping) -> Alert:
    raised_at = stored_utc(row["raised_at"])
    assert raised_at is not None
    return Alert(
        id=row["id"],
        la=row["la"],
        child=row["child"],
        concern=Concern(row["concern"]),
        detail=row["detail"],
        raised_by=row["raised_by"],
        raised_role=row["raised_role"],
        raised_at=raised_at,
        manager=row["manager"],
        responded_at=stored_utc(row["responded_at"]),
        response=row["response"],
        responded_by=row["responded_by"],
        resolved_at=stored_utc(row["resolved_at"]),
        resolution=row["resolution"],
    )
