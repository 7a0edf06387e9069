"""The audit programme: what is audited each month, and drawing the month's sample.

A *programme* says how many audits a month (`per_month`), against which template, and how
the children are chosen (`method`):

- `random`: a simple random sample, without replacement, of the children in care.
- `stratified`: the same, with each team's share of the sample equal to its share of the
  children in care (proportional allocation, rounded by the largest-remainder method; see
  `shares`), children drawn at random within each team.
- `drift`: every child in care with a drift status under a timescale rule (the trigger,
  e.g. "overdue: scotland/permanence-recommendation": every child overdue for a permanence
  recommendation), or a random `per_month` of them when there are more.
- `indicator`: every child an indicator flags (the trigger is the indicator's key, e.g.
  "three-or-more-placements"), or a random `per_month` of them when there are more.

Drift and indicator samples may also be stratified by team when they are capped. The
drawing itself (`draw`, `shares`, `assign`) is in `quality.sampling`: pure functions over a
table of candidates, re-exported here.

*Reproducible.* A sample is fixed by its candidates and its seed: candidates are sorted by
child ID before anything random happens, and numpy's PCG64 generator, seeded, gives every
candidate its place in a random order. The same children (listed in any order) and the same
seed give the same sample, on any machine. A month's seed defaults to its first day written
as a number (November 2026: 20261101), so a QA lead can redraw it by hand.

*Candidates.* The children in care on the sample date (a period of care, not short breaks
only, started on or before it and not ended by it), with their team from the LA's
allocation list (blank if it does not name them). The sample date is the first day of the
month, or the latest day the stored data speaks for if that is earlier (returns describe
their collection year only).

*Assignment.* The sample's children are shuffled (seeded) and dealt to the auditors given
in turn, so each auditor's count differs from another's by at most one.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polars as pl
from sqlalchemy import Connection, delete, func, insert, select, update
from sqlalchemy.engine import RowMapping

from carejourney.config.audits import AuditTemplateError, load_template
from carejourney.config.indicators import INDICATOR_TITLES, IndicatorKey
from carejourney.config.rules import SLUG, RuleSet, RuleSetError, load_rule_set
from carejourney.journeys.stored import Journeys, load
from carejourney.measures.drift import OPEN, due_dates
from carejourney.measures.indicators import indicator_children
from carejourney.quality.audits import (
    AuditInput,
    Source,
    Status,
    first_of_month,
    record_audits,
)

# The drawing, re-exported ("X as X") so that callers keep importing it from here.
from carejourney.quality.sampling import CHILD as CHILD
from carejourney.quality.sampling import FLAGGED as FLAGGED
from carejourney.quality.sampling import NO_TEAM as NO_TEAM
from carejourney.quality.sampling import STATUS as STATUS
from carejourney.quality.sampling import TEAM as TEAM
from carejourney.quality.sampling import Method as Method
from carejourney.quality.sampling import ProgrammeError as ProgrammeError
from carejourney.quality.sampling import SampleError as SampleError
from carejourney.quality.sampling import assign as assign
from carejourney.quality.sampling import draw as draw
from carejourney.quality.sampling import eligible_children as eligible_children
from carejourney.quality.sampling import shares as shares
from carejourney.store import access
from carejourney.store.tables import audit, audit_programme, audit_sample, qa_action
from carejourney.store.times import stored_utc

ASSIGNED = Status.ASSIGNED.value  # an audit's status until its auditor starts it


def default_seed(month: dt.date) -> int:
    """A month's seed unless another is given: its first day as a number (20261101)."""
    return int(first_of_month(month).strftime("%Y%m%d"))


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """The first day of every month from `first`'s month to `last`'s, in order."""
    start, end = first_of_month(first), first_of_month(last)
    months = []
    while start <= end:
        months.append(start)
        start = (start + dt.timedelta(days=32)).replace(day=1)
    return months


# --- programmes -------------------------------------------------------------------------


@dataclass(frozen=True)
class Programme:
    """An audit programme. `id`, `la`, `created_at` and `created_by` are set once it is
    stored (`add_programme` gives it back with them).

    `trigger`: for `drift`, a drift status and a rule of a rule set, written
    "overdue: scotland/permanence-recommendation" (the rule set by its name, or the path
    of the LA's own file); for `indicator`, an indicator's key ("three-or-more-placements").
    `starts` is the first month audited (stored as its first day)."""

    name: str
    title: str
    template: str
    per_month: int
    method: Method
    starts: dt.date
    stratify_by: str | None = None
    trigger: str | None = None
    active: bool = True
    id: int | None = None
    la: str | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None


@dataclass(frozen=True)
class DriftTrigger:
    """A drift programme's trigger: children with `status` under `rule` of `rule_set`."""

    status: str
    rule_set: str  # a shipped rule set's name or a file's path
    rule: str

    def __str__(self) -> str:
        return f"{self.status}: {self.rule_set}/{self.rule}"


def add_programme(
    conn: Connection, la: str, programme: Programme, *, who: str | None = None
) -> Programme:
    """Store `programme` for LA `la`, inside the caller's transaction, and give it back as
    stored (its trigger written the standard way, `starts` the first of its month)."""
    checked = check_programme(programme)
    if _programme_row(conn, la, checked.name) is not None:
        raise ProgrammeError(
            f'LA {la} already has an audit programme called "{checked.name}": choose another name.'
        )
    now, user = dt.datetime.now(dt.UTC), who or access.current_user()
    values = {
        "la": la,
        "name": checked.name,
        "title": checked.title,
        "template": checked.template,
        "per_month": checked.per_month,
        "method": checked.method.value,
        "stratify_by": checked.stratify_by,
        "trigger": checked.trigger,
        "starts": checked.starts,
        "active": checked.active,
        "created_at": now,
        "created_by": user,
    }
    table = audit_programme
    conn.execute(insert(table).values(values))
    return get_programme(conn, la, checked.name)


def check_programme(programme: Programme) -> Programme:
    """`programme` as it would be stored, or a `ProgrammeError` saying what to change."""
    if not re.fullmatch(SLUG, programme.name):
        raise ProgrammeError(
            f'"{programme.name}" cannot be a programme\'s name: use lower-case letters, '
            "digits and hyphens, like monthly-looked-after."
        )
    if not programme.title.strip():
        raise ProgrammeError("The programme needs a title: what is audited, in a few words.")
    template = _template(programme.template)
    if programme.per_month < 1:
        raise ProgrammeError(
            f"A programme audits at least 1 case a month, not {programme.per_month}."
        )
    try:
        method = Method(programme.method)
    except ValueError:
        methods = ", ".join(m.value for m in Method)
        raise ProgrammeError(
            f'"{programme.method}" is not a way of choosing cases: use {methods}.'
        ) from None
    by = programme.stratify_by.strip().lower() if programme.stratify_by else None
    if method is Method.STRATIFIED:
        by = by or "team"
    if method is Method.RANDOM and by is not None:
        raise ProgrammeError('To share the sample between teams, use the method "stratified".')
    if by not in (None, "team"):
        raise ProgrammeError(f'A sample can be stratified by team, not by "{by}".')
    trigger = programme.trigger.strip() if programme.trigger else None
    if method is Method.DRIFT:
        trigger = str(drift_trigger(trigger))
    elif method is Method.INDICATOR:
        trigger = indicator_key(trigger).value
    elif trigger:
        raise ProgrammeError(
            f"Only drift and indicator programmes have a trigger; a {method.value} programme "
            "draws from every child in care."
        )
    else:
        trigger = None
    return Programme(
        name=programme.name,
        title=programme.title.strip(),
        template=template,
        per_month=programme.per_month,
        method=method,
        starts=first_of_month(programme.starts),
        stratify_by=by,
        trigger=trigger,
        active=programme.active,
        id=programme.id,
        la=programme.la,
        created_at=programme.created_at,
        created_by=programme.created_by,
    )


def drift_trigger(text: str | None) -> DriftTrigger:
    """A drift trigger written "overdue: scotland/permanence-recommendation" (the colon
    may be left out), its rule set loaded and holding the rule; else a `ProgrammeError`."""
    example = 'like "overdue: scotland/permanence-recommendation"'
    words = (text or "").strip()
    status = next((s for s in sorted(OPEN, key=len, reverse=True) if words.startswith(s)), None)
    if status is None:
        raise ProgrammeError(
            f"A drift programme's trigger starts with a drift status ({', '.join(OPEN)}) and "
            f"names the rule, {example}."
        )
    where = words[len(status) :].strip().lstrip(":").strip()
    rule_set, _, rule = where.rpartition("/")
    if not rule_set or not rule:
        raise ProgrammeError(
            f"Name the rule set and the rule after the status, {example} (a rule set by its "
            "name, see `carejourney rules`, or the path of your own file)."
        )
    if "." in rule_set or "/" in rule_set:  # a file: stored by its full path
        rule_set = str(Path(rule_set).expanduser().resolve())
    rules = _rule_set(rule_set)
    if rule not in rules.names:
        names = sorted(rules.names)
        close = difflib.get_close_matches(rule, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise ProgrammeError(
            f'The rule set "{rules.name}" has no rule called "{rule}".{hint} Its rules: '
            f"{', '.join(names)}."
        )
    return DriftTrigger(status=status, rule_set=rule_set, rule=rule)


def indicator_key(text: str | None) -> IndicatorKey:
    """An indicator programme's trigger, or a `ProgrammeError` listing the keys."""
    try:
        return IndicatorKey((text or "").strip())
    except ValueError:
        keys = ", ".join(k.value for k in IndicatorKey)
        raise ProgrammeError(
            "An indicator programme's trigger is one of the indicators' keys: "
            f'{keys} (not "{text or ""}").'
        ) from None


def get_programme(conn: Connection, la: str, name: str) -> Programme:
    """The programme called `name` in LA `la`."""
    row = _programme_row(conn, la, name)
    if row is None:
        names = [p.name for p in list_programmes(conn, la)]
        close = difflib.get_close_matches(name, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        held = ", ".join(names) if names else "none yet"
        raise ProgrammeError(
            f'LA {la} has no audit programme called "{name}".{hint} Its programmes: {held}.'
        )
    return _programme(row)


def list_programmes(conn: Connection, la: str, *, active_only: bool = False) -> list[Programme]:
    """LA `la`'s programmes, in the order they were set up."""
    table = audit_programme
    query = select(table).where(table.c.la == la).order_by(table.c.id)
    if active_only:
        query = query.where(table.c.active.is_(True))
    return [_programme(row) for row in conn.execute(query).mappings()]


def deactivate(conn: Connection, la: str, name: str) -> Programme:
    """Stop the programme: no more months fall due. Its samples and audits are kept."""
    get_programme(conn, la, name)
    table = audit_programme
    conn.execute(update(table).where(table.c.la == la, table.c.name == name).values(active=False))
    return get_programme(conn, la, name)


# --- the monthly schedule ---------------------------------------------------------------


@dataclass(frozen=True)
class Sample:
    """A month's sample of a programme: how it was drawn and how many audits it holds."""

    id: int
    programme_id: int
    month: dt.date
    seed: int
    drawn_at: dt.datetime
    drawn_by: str
    method_note: str
    size: int


@dataclass(frozen=True)
class ScheduledMonth:
    """One month of a programme: its sample, if drawn, with how many of its audits are
    started and completed; `due` when no sample is drawn yet and the month has come."""

    month: dt.date
    sample: Sample | None
    audits: int = 0
    started: int = 0  # in progress or completed
    completed: int = 0
    due: bool = False


def schedule(
    conn: Connection, programme: Programme, *, today: dt.date | None = None, ahead: int = 0
) -> list[ScheduledMonth]:
    """Every month of the programme from its start to this month (and `ahead` months
    more), earliest first. An inactive programme's schedule ends with its last sample."""
    today = today or dt.date.today()
    samples = {s.month: s for s in list_samples(conn, programme)}
    last = first_of_month(today)
    for _ in range(ahead):
        last = (last + dt.timedelta(days=32)).replace(day=1)
    if not programme.active:
        last = max(samples, default=programme.starts)
    counts = _audit_counts(conn, [s.id for s in samples.values()])
    months = []
    for month in months_between(programme.starts, last):
        sample = samples.get(month)
        audits, started, completed = counts.get(sample.id, (0, 0, 0)) if sample else (0, 0, 0)
        due = sample is None and programme.active and month <= first_of_month(today)
        months.append(ScheduledMonth(month, sample, audits, started, completed, due))
    return months


def due_samples(
    conn: Connection, la: str, *, today: dt.date | None = None
) -> list[tuple[Programme, dt.date]]:
    """Every active programme's months, up to this month, whose sample is not drawn yet."""
    return [
        (programme, month.month)
        for programme in list_programmes(conn, la, active_only=True)
        for month in schedule(conn, programme, today=today)
        if month.due
    ]


def list_samples(conn: Connection, programme: Programme) -> list[Sample]:
    """The programme's samples, by month."""
    table = audit_sample
    query = select(table).where(table.c.programme_id == _id(programme)).order_by(table.c.month)
    return [_sample(row) for row in conn.execute(query).mappings()]


def get_sample(conn: Connection, programme: Programme, month: dt.date) -> Sample | None:
    """The programme's sample for `month`'s month, if drawn."""
    table = audit_sample
    row = (
        conn.execute(
            select(table).where(
                table.c.programme_id == _id(programme), table.c.month == first_of_month(month)
            )
        )
        .mappings()
        .first()
    )
    return None if row is None else _sample(row)


# --- drawing a month's sample -----------------------------------------------------------


@dataclass(frozen=True)
class SampleDrawn:
    """A sample just drawn: the stored sample, the children drawn with their team and
    auditor (CHILD, TEAM, auditor), how many children were eligible, and, when it replaced
    an earlier draw, how many audits were kept (already started) and removed."""

    sample: Sample
    children: pl.DataFrame
    eligible: int
    kept: int = 0
    removed: int = 0


def sample_date(journeys: Journeys, month: dt.date) -> dt.date:
    """The day whose children in care a month's sample is drawn from: the month's first
    day, or the latest day the stored data speaks for when that is earlier."""
    first = first_of_month(month)
    return min(first, journeys.data_ends) if journeys.data_ends else first


def in_care(journeys: Journeys, as_at: dt.date) -> pl.DataFrame:
    """The children in care on `as_at` (a period of care, not short breaks only, started
    on or before it and not ended by it: a child who left that day is not counted), with
    their TEAM from the allocation list (null when it does not name them). By CHILD."""
    day = pl.lit(as_at, pl.Date)
    open_periods = journeys.periods.filter(
        ~pl.col("short_breaks_only").fill_null(False)
        & (pl.col("start") <= day)
        & (pl.col("end").is_null() | (pl.col("end") > day))
    )
    teams = (
        journeys.allocations.select(CHILD, TEAM)
        .sort(CHILD, TEAM)
        .unique(CHILD, keep="first", maintain_order=True)
    )
    return open_periods.select(CHILD).unique().join(teams, on=CHILD, how="left").sort(CHILD)


def candidates_for(journeys: Journeys, programme: Programme, as_at: dt.date) -> pl.DataFrame:
    """The candidates `draw` takes for the programme on `as_at`: the children in care, with
    STATUS (drift: one row per due milestone under the trigger's rule, null for a child
    with none) or FLAGGED (indicator)."""
    children = in_care(journeys, as_at)
    if programme.method is Method.DRIFT:
        trigger = drift_trigger(programme.trigger)
        due = due_dates(
            _one_rule(trigger),
            journeys.milestones,
            journeys.periods,
            journeys.children,
            as_at,
            journeys.placements,
        )
        statuses = due.filter(pl.col("rule") == trigger.rule).select(CHILD, STATUS="status")
        return children.join(statuses, on=CHILD, how="left")
    if programme.method is Method.INDICATOR:
        flagged = flagged_children(journeys, indicator_key(programme.trigger), as_at)
        return children.with_columns(FLAGGED=pl.col(CHILD).is_in(flagged[CHILD].implode()))
    return children


def flagged_children(journeys: Journeys, key: IndicatorKey, as_at: dt.date) -> pl.DataFrame:
    """The children (CHILD) an indicator flags on `as_at`
    (`measures.indicators.indicator_children`: those its figure counts against the LA)."""
    if key is IndicatorKey.RE_REFERRALS:
        raise SampleError(
            "Re-referrals come from the front door's contacts and referrals, not from the "
            "children in care: carejourney cannot draw this sample from the journeys. Draw "
            "it from a list of the children re-referred instead."
        )
    return indicator_children(journeys, key, as_at)


def draw_sample(
    conn: Connection,
    programme: Programme,
    month: dt.date,
    *,
    auditors: Sequence[str],
    seed: int | None = None,
    who: str | None = None,
    replace: bool = False,
    journeys: Journeys | None = None,
    candidates: pl.DataFrame | None = None,
    as_at: dt.date | None = None,
) -> SampleDrawn:
    """Draw the programme's sample for `month`'s month, inside the caller's transaction:
    an `audit_sample` row (with its seed and how it was drawn, in words) and one audit per
    child, status "assigned", shared between `auditors` (see `assign`).

    The children are drawn (`draw`) from `candidates` if given (the columns `draw` takes),
    else from the LA's stored journeys (`candidates_for` on `sample_date`, or `as_at`).
    `seed` defaults to `default_seed(month)`. A month already drawn is refused unless
    `replace`: then the audits not yet started are removed and drawn again, with the new
    seed, from the children not already audited in the sample; those started are kept and
    count towards the month's audits."""
    la, month = _la(programme), first_of_month(month)
    if not programme.active:
        raise SampleError(
            f'The programme "{programme.name}" has stopped: no more samples are drawn for it.'
        )
    if month < programme.starts:
        raise SampleError(
            f'The programme "{programme.name}" starts in {programme.starts:%B %Y}: there is no '
            f"sample for {month:%B %Y}."
        )
    if not any(a.strip() for a in auditors):
        raise SampleError("Give at least one auditor to share the audits between.")
    seed = default_seed(month) if seed is None else seed
    if not 0 <= seed < 2**31:
        raise SampleError(f"A seed is a whole number from 0 to {2**31 - 1}, not {seed}.")
    existing = get_sample(conn, programme, month)
    if existing is not None and not replace:
        raise SampleError(
            f'The {month:%B %Y} sample of "{programme.name}" was drawn on '
            f"{existing.drawn_at:%d/%m/%Y} by {existing.drawn_by}. To draw it again, replacing "
            "the audits not yet started, choose to replace it."
        )
    if candidates is None:
        journeys = journeys or load(conn, la)
        as_at = as_at or sample_date(journeys, month)
        candidates = candidates_for(journeys, programme, as_at)
    kept, removed = (
        _clear(conn, existing) if existing is not None else (pl.Series([], dtype=pl.String), 0)
    )
    pool = candidates.filter(~pl.col(CHILD).is_in(kept.implode()))
    status = drift_trigger(programme.trigger).status if programme.method is Method.DRIFT else ""
    size = max(programme.per_month - kept.len(), 0)
    drawn = draw(
        pool,
        size=size,
        method=programme.method,
        seed=seed,
        stratify_by=programme.stratify_by,
        status=status,
    )
    chosen = (
        assign(drawn, auditors, seed)
        if drawn.height
        else drawn.with_columns(auditor=pl.lit(None, pl.String))
    )
    eligible = eligible_children(pool, programme.method, status).height
    note = method_note(programme, drawn, eligible=eligible, as_at=as_at, seed=seed, kept=kept.len())
    values = {
        "seed": seed,
        "drawn_at": dt.datetime.now(dt.UTC),
        "drawn_by": who or access.current_user(),
        "method_note": note,
        "size": chosen.height + kept.len(),
    }
    if existing is None:
        conn.execute(
            insert(audit_sample).values(programme_id=_id(programme), month=month, **values)
        )
    else:
        conn.execute(update(audit_sample).where(audit_sample.c.id == existing.id).values(values))
    stored = get_sample(conn, programme, month)
    assert stored is not None
    if chosen.height:
        record_audits(
            conn,
            la,
            [
                AuditInput(
                    child=row[CHILD],
                    auditor=row["auditor"],
                    template=programme.template,
                    team=row[TEAM],
                    month=month,
                    status=Status.ASSIGNED,
                    sample_id=stored.id,
                )
                for row in chosen.select(CHILD, TEAM, "auditor").iter_rows(named=True)
            ],
            who=str(values["drawn_by"]),
            source=Source.WEB_APP,
        )
    return SampleDrawn(
        sample=stored,
        children=chosen.select(CHILD, TEAM, "auditor"),
        eligible=eligible,
        kept=kept.len(),
        removed=removed,
    )


def method_note(
    programme: Programme,
    drawn: pl.DataFrame,
    *,
    eligible: int,
    as_at: dt.date | None,
    seed: int,
    kept: int = 0,
) -> str:
    """How a sample was drawn, in words: "12 children drawn at random from the 87 in care
    on 01/11/2026, stratified by team (in proportion to each team's children): Permanence
    North 4, Permanence South 3, ...; seed 20261101." """
    n = drawn.height
    when = f" on {as_at:%d/%m/%Y}" if as_at else ""
    if programme.method is Method.DRIFT:
        trigger = drift_trigger(programme.trigger)
        rules = _rule_set(trigger.rule_set)
        title = rules.rule(trigger.rule).title
        where = f"{rules.name}/{trigger.rule}"
        who = f'in care{when} {trigger.status} under the rule "{title}" ({where})'
    elif programme.method is Method.INDICATOR:
        title = INDICATOR_TITLES[indicator_key(programme.trigger)]
        who = f'in care{when} flagged by the indicator "{title}"'
    else:
        who = f"in care{when}"
    if eligible == 0:
        text = f"No children {who}: nothing to audit"
    elif n == eligible:
        text = f"{_children(n)} drawn: every child {who}"
    else:
        text = f"{_children(n)} drawn at random from the {eligible} {who}"
    if programme.stratify_by and 0 < n < eligible:
        teams = drawn.group_by(pl.col(TEAM).fill_null(NO_TEAM)).agg(pl.len()).sort(TEAM).iter_rows()
        shares_text = ", ".join(f"{team} {count}" for team, count in teams)
        text += f", stratified by team (in proportion to each team's children): {shares_text}"
    if 0 < n < programme.per_month - kept and n == eligible:
        text += f" (fewer than the {programme.per_month} a month the programme asks for)"
    if kept:
        started = "audit already started was" if kept == 1 else "audits already started were"
        text = f"{kept} {started} kept; " + text[0].lower() + text[1:]
    return f"{text}; seed {seed}."


def _children(n: int) -> str:
    return "1 child" if n == 1 else f"{n} children"


def _clear(conn: Connection, sample: Sample) -> tuple[pl.Series, int]:
    """Remove a sample's audits not yet started (and without an action hanging on them);
    give back the children of those kept and how many were removed."""
    rows = conn.execute(
        select(audit.c.id, audit.c.child, audit.c.status).where(audit.c.sample_id == sample.id)
    ).all()
    with_actions = set(
        conn.execute(
            select(qa_action.c.audit_id).where(qa_action.c.audit_id.in_([r.id for r in rows]))
        ).scalars()
    )
    removable = [r.id for r in rows if r.status == ASSIGNED and r.id not in with_actions]
    kept = [r.child for r in rows if r.id not in set(removable)]
    if removable:
        conn.execute(delete(audit).where(audit.c.id.in_(removable)))
    return pl.Series(CHILD, kept, dtype=pl.String), len(removable)


def _audit_counts(conn: Connection, sample_ids: list[int]) -> dict[int, tuple[int, int, int]]:
    """Per sample: its audits, those started (in progress or completed), those completed."""
    if not sample_ids:
        return {}
    rows = conn.execute(
        select(audit.c.sample_id, audit.c.status, func.count())
        .where(audit.c.sample_id.in_(sample_ids))
        .group_by(audit.c.sample_id, audit.c.status)
    ).all()
    counts: dict[int, list[int]] = {}
    for sample_id, status, count in rows:
        total = counts.setdefault(sample_id, [0, 0, 0])
        total[0] += count
        total[1] += count if status != ASSIGNED else 0
        total[2] += count if status == "completed" else 0
    return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def _template(given: str) -> str:
    """How to store a template: a shipped (or the LA's named) one by its name, a file by
    its full path, so the programme still finds it from another folder."""
    name = given.strip()
    if not name:
        raise ProgrammeError("The programme needs an audit template (case-audit, or a file).")
    if "." in name or "/" in name:
        name = str(Path(name).expanduser().resolve())
    try:
        load_template(name)
    except AuditTemplateError as exc:
        raise ProgrammeError(str(exc)) from None
    return name


def _rule_set(reference: str) -> RuleSet:
    try:
        return load_rule_set(reference)
    except RuleSetError as exc:
        raise ProgrammeError(str(exc)) from None


def _one_rule(trigger: DriftTrigger) -> RuleSet:
    """The trigger's rule set holding only its rule (so only that rule is worked out)."""
    rules = _rule_set(trigger.rule_set)
    return rules.model_copy(update={"rules": (rules.rule(trigger.rule),)})


def _la(programme: Programme) -> str:
    if programme.la is None:
        raise ProgrammeError(f'The programme "{programme.name}" is not stored yet: add it first.')
    return programme.la


def _id(programme: Programme) -> int:
    if programme.id is None:
        raise ProgrammeError(f'The programme "{programme.name}" is not stored yet: add it first.')
    return programme.id


def _programme_row(conn: Connection, la: str, name: str) -> RowMapping | None:
    table = audit_programme
    return (
        conn.execute(select(table).where(table.c.la == la, table.c.name == name)).mappings().first()
    )


def _programme(row: RowMapping) -> Programme:
    return Programme(
        id=row["id"],
        la=row["la"],
        name=row["name"],
        title=row["title"],
        template=row["template"],
        per_month=row["per_month"],
        method=Method(row["method"]),
        stratify_by=row["stratify_by"],
        trigger=row["trigger"],
        starts=row["starts"],
        active=bool(row["active"]),
        created_at=stored_utc(row["created_at"]),
        created_by=row["created_by"],
    )


def _sample(row: RowMapping) -> Sample:
    return Sample(
        id=row["id"],
        programme_id=row["programme_id"],
        month=row["month"],
        seed=row["seed"],
        drawn_at=stored_utc(row["drawn_at"]),
        drawn_by=row["drawn_by"],
        method_note=row["method_note"],
        size=row["size"],
    )
