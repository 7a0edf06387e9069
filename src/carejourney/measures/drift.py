"""Due dates and drift: every timescale rule applied to every period of care, as at a date.

`due_dates` gives one row per milestone falling due under a rule; `caseload` the open ones,
most urgent first. Everything is joins and column expressions over whole tables (a table
of rules joined to the milestones and periods); the only Python loops are over rules.

Rules of interpretation:

- *As at.* Only what was known on `as_at` counts: later milestones are ignored, a period
  that ended later is still open, a period that started later does not exist yet. Also
  ignored: milestones with no period or dated after their period's end, short-break-only
  periods.
- *The clock* starts at the first `from_milestone` of the period (entered_care is the
  episode with RNE S: a period whose start is not known has no clock). No clock, no row.
- *What falls due*: the first `to_milestone` on or after the clock's start in the period;
  with `occurrence = k`, the k-th (`review-first`: the 1st review).
- *Reviews* (from = to, occurrence k): the k-th is due from the (k-1)-th; with `repeat`,
  every later review j from review j-1. Reviews 1..m give m rows of history (met on time
  or late) and one open row for review m+1, due from review m. `occurrence` says which.
- *Counting back* (full_working_days_before): the clock is the rule's to_milestone (the
  first review recommending permanence in the period) and what falls due is its
  from_milestone (information sent to Legal), by the latest day leaving `within` full
  working days before the review. So the output's from_milestone/from_date are the review
  and to_milestone/met_date the information: the columns always mean "what the clock counts
  from" and "what falls due". Met on time if first sent on or before that day, met late if
  after (even after the review); no row while the review has not happened by `as_at`;
  overdue once it has, without the information.
- *Due date*: `within` units after the clock's start (`measures.calendar`; working days of
  `rule_set.nation`), the day before if `end_inclusive` is false. Reminder: `reminder_at`
  units after the start (before, counting back), with no end adjustment.
- *Status*: met on time (met_date <= due_date); met late; else not applicable if the period
  ended first (never overdue after leaving care); overdue after the due date; reminder due
  from the reminder date; else on track. Due on `as_at` itself is on track, 0 days left.
- *Cohort*: entered_on_or_after / entered_before on the period's start;
  from_milestone_on_or_after on from_date; legal_routes from `measures.routes` (no route
  known: not in it); ages in whole years at the period's start (born 29 February: a year
  older on 1 March). Rows outside the cohort are not produced, except that a child with no
  date of birth under an age-limited rule gets "not applicable" rows saying so, so the gap
  in the data shows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import polars as pl

from carejourney.config.rules import RuleSet, TimescaleRule, Unit
from carejourney.measures.calendar import (
    add_days,
    add_months,
    add_weeks,
    add_working_days,
    age_on,
    full_working_days_before,
)
from carejourney.measures.routes import legal_routes
from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.schema.types import Nation

ON_TRACK, REMINDER_DUE, OVERDUE = "on track", "reminder due", "overdue"
MET_ON_TIME, MET_LATE, NOT_APPLICABLE = "met on time", "met late", "not applicable"
OPEN = (OVERDUE, REMINDER_DUE, ON_TRACK)  # in the caseload's order of urgency
AFTER, NEXT, BEFORE = "after", "next", "before"  # how a rule's clock is anchored
KEYS = ["CHILD", "period"]
SCHEMA = {
    "CHILD": pl.String,
    "period": pl.Int64,
    "rule": pl.String,
    "title": pl.String,
    "from_milestone": pl.String,
    "from_date": pl.Date,
    "to_milestone": pl.String,
    "occurrence": pl.Int64,  # which occurrence of to_milestone is due (reviews), or null
    "due_date": pl.Date,
    "reminder_date": pl.Date,
    "met_date": pl.Date,
    "status": pl.String,
    "days_left": pl.Int64,
    "days_late": pl.Int64,
    "why": pl.String,
}
# The rule table's columns that may be all null or empty, so cannot be inferred.
_NULLABLE: dict[str, pl.DataType] = {
    **dict.fromkeys(["_occurrence", "_reminder_at", "_age_min", "_age_max"], pl.Int64()),
    **dict.fromkeys(["_entered_from", "_entered_before", "_clock_from"], pl.Date()),
    "_routes": pl.List(pl.String()),
}
# Clock phrases that read better than "the" + the milestone's label.
_CLOCK_PHRASES = {
    "entered_care": "entering care",
    "adoption_decision": "the decision that the child should be placed for adoption",
    "care_proceedings_issued": "care proceedings were issued",
}


def due_dates(
    rule_set: RuleSet,
    milestones: pl.DataFrame,
    periods: pl.DataFrame,
    children: pl.DataFrame,
    as_at: dt.date,
    placements: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per milestone due under each rule of `rule_set`, per period of care, as at
    `as_at`, with the columns of `SCHEMA`. See the module docstring for how rules are read.

    `milestones` as `journeys.milestones.return_milestones` gives (CHILD, period,
    milestone, date), `periods` as `journeys.periods.periods_of_care`, `children` CHILD and
    DOB (nullable), `placements` (optional: long-term fostering routes) as
    `journeys.periods.placements` (those started by `as_at`; a placement's type is its
    latest). Sorted by CHILD, period, due date and the order of the rules."""
    spans, known = _as_at(periods, milestones, as_at)
    if placements is not None:
        placements = placements.filter(pl.col("start") <= as_at)
    dob = children.group_by("CHILD").agg(pl.col("DOB").drop_nulls().first())
    routes = legal_routes(spans, known, placements)
    spans = spans.join(routes, on=KEYS, how="left").join(dob, on="CHILD", how="left")
    rank = pl.col("date").rank("ordinal").over(*KEYS, "milestone").cast(pl.Int64)
    rules = _rule_table(rule_set)
    # The rules' words are joined only at the end: carried through the joins and sorts of
    # millions of clocks, they would cost more than the arithmetic.
    words = rules.select("_order", *WORDS)
    # Only the milestones the rules name are ranked and joined: reviews alone can be most
    # of a nation's milestones, and a rule set without them need not touch them.
    named = {m for r in rule_set.rules for m in (r.from_milestone, r.to_milestone)}
    ranked = known.filter(pl.col("milestone").is_in(sorted(named))).with_columns(rank=rank)
    clocks = _clocks(rules.drop(WORDS), ranked, spans)
    return _status(_deadlines(clocks, rule_set).join(words, on="_order", how="left"), as_at)


def caseload(due: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    """The open rows of `due_dates` (overdue, reminder due, on track), most urgent first:
    overdue by days late (most first), then reminder due and on track by days left (fewest
    first). `as_at` must be the date `due` was worked out for."""
    open_rows = due.filter(pl.col("status").is_in(OPEN))
    left = (pl.col("due_date") - pl.lit(as_at, pl.Date)).dt.total_days()
    if open_rows.filter(pl.col("days_left") != left).height:
        raise ValueError(
            f"These due dates were not worked out as at {as_at:%d/%m/%Y}: work them out "
            "again for that date (due_dates with the same as_at) before listing the caseload."
        )
    urgency = pl.col("status").replace_strict({s: n for n, s in enumerate(OPEN)})
    return open_rows.sort(
        [urgency, "days_late", "days_left", "CHILD", "period", "rule"],
        descending=[False, True, False, False, False, False],
        nulls_last=True,
    )


def _as_at(
    periods: pl.DataFrame, milestones: pl.DataFrame, as_at: dt.date
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Periods (CHILD, period, start, end, exit_reason) and milestones (CHILD, period,
    milestone, date) as they were known on `as_at`."""
    ended = pl.col("end") <= as_at
    spans = periods.filter(
        pl.col("start") <= as_at, ~pl.col("short_breaks_only").fill_null(False)
    ).select(
        *KEYS,
        "start",
        end=pl.when(ended).then("end"),
        exit_reason=pl.when(ended).then("exit_reason"),
    )
    known = (
        milestones.filter(pl.col("date") <= as_at)
        .select(*KEYS, "milestone", "date")
        .join(spans.select(*KEYS, _end="end"), on=KEYS, how="inner")
        .filter(pl.col("_end").is_null() | (pl.col("date") <= pl.col("_end")))
        .drop("_end")
        .unique()
    )
    return spans, known


WORDS = ["rule", "title", "_span", "_due_label", "_due_lower", "_clock", "_anchor_lower", "_ages"]


def _rule_table(rule_set: RuleSet) -> pl.DataFrame:
    """One row per rule: how its clock is anchored, its cohort and its words."""
    rows = [_rule_row(n, r) for n, r in enumerate(rule_set.rules)]
    return pl.DataFrame(rows, schema_overrides=_NULLABLE)


def _rule_row(order: int, rule: TimescaleRule) -> dict[str, object]:
    back = rule.unit is Unit.FULL_WORKING_DAYS_BEFORE
    same = rule.from_milestone == rule.to_milestone
    mode = BEFORE if back else NEXT if same else AFTER
    pair = (rule.from_milestone, rule.to_milestone)
    anchor, due = pair[::-1] if back else pair  # the clock's milestone, the one falling due
    occurrence = rule.occurrence or 1
    unit = rule.unit.value.removesuffix("_before").replace("_", " ")  # "full working days"
    c, unit = rule.cohort, unit.removesuffix("s") if rule.within == 1 else unit
    span = f"{rule.within} {unit} {'before' if back else 'after'}"
    low, high = c.age_at_entry_min, c.age_at_entry_max
    ages = f"{low} or over" if high is None else f"{high} or under" if low is None else ""
    return {
        "_order": order,
        "rule": rule.name,
        "title": rule.title,
        "_mode": mode,
        "_anchor": anchor,
        "_due": due,
        # Which occurrence of the anchor starts the clock (the first one, when repeating).
        "_anchor_rank": occurrence - 1 if mode == NEXT else occurrence if back else 1,
        "_repeat": rule.repeat,
        "_k": occurrence if mode == AFTER else 1,
        "_occurrence": None if back else rule.occurrence,  # back: the anchor's occurrence
        "_within": rule.within,
        "_unit": rule.unit.value,
        "_inclusive": rule.end_inclusive,
        "_earlier": rule.earlier_counts and not back,
        "_reminder_at": rule.reminder_at,
        "_entered_from": c.entered_on_or_after,
        "_entered_before": c.entered_before,
        "_clock_from": c.from_milestone_on_or_after,
        "_age_min": low,
        "_age_max": high,
        "_routes": [r.value for r in c.legal_routes],
        "_span": span if rule.end_inclusive else f"the day before {span}",
        "_due_label": MILESTONES_BY_NAME[due].label,
        "_due_lower": _lower(MILESTONES_BY_NAME[due].label),
        "_clock": _CLOCK_PHRASES.get(anchor, f"the {_lower(MILESTONES_BY_NAME[anchor].label)}"),
        "_anchor_lower": _lower(MILESTONES_BY_NAME[anchor].label),
        "_ages": f"aged {ages or f'{low} to {high}'} on entering care",
    }


def _clocks(rules: pl.DataFrame, ranked: pl.DataFrame, spans: pl.DataFrame) -> pl.DataFrame:
    """One row per started clock in the cohort, with the date its due milestone was met."""
    rank, first = pl.col("rank"), pl.col("_anchor_rank")
    start, dob, routes = pl.col("start"), pl.col("DOB"), pl.col("_routes")
    age = age_on(dob, start)
    in_cohort = (
        _at_least(start, "_entered_from")
        & (pl.col("_entered_before").is_null() | (start < pl.col("_entered_before")))
        & _at_least(pl.col("from_date"), "_clock_from")
        & ((routes.list.len() == 0) | routes.list.contains(pl.col("route")).fill_null(False))
        & (age.is_null() | _at_least(age, "_age_min"))
        & (age.is_null() | pl.col("_age_max").is_null() | (age <= pl.col("_age_max")))
    )
    # Which milestones start a clock, joined on the few columns that say so; the rest of
    # each rule (its cohort and words) joined to those alone.
    starts = rules.select("_order", "_anchor", "_anchor_rank", "_repeat")
    anchors = (
        ranked.join(starts, left_on="milestone", right_on="_anchor", how="inner")
        .filter((rank == first) | (pl.col("_repeat") & (rank >= first)))
        .rename({"date": "from_date", "milestone": "from_milestone"})
        .join(rules.drop("_anchor", "_anchor_rank", "_repeat"), on="_order", how="inner")
        .join(spans, on=KEYS, how="inner")
        .filter(in_cohort)
    )
    # What falls due: after a clock, the first due milestone on or after its start, then
    # the k-th from there; a repeat, the next occurrence; counting back, the first one.
    due = ranked.select(*KEYS, _due="milestone", met_date="date", _met_rank="rank")
    seek = due.select(*KEYS, "_due", _first_date="met_date", _first_rank="_met_rank")
    mode = pl.col("_mode")
    target = _cases(
        [(mode == AFTER, pl.col("_first_rank") + pl.col("_k") - 1), (mode == NEXT, rank + 1)],
        pl.lit(1, pl.Int64),
    )
    return (
        anchors.sort("from_date")
        .join_asof(
            seek.sort("_first_date"),
            left_on="from_date",
            right_on="_first_date",
            by=[*KEYS, "_due"],
            strategy="forward",
            check_sortedness=False,
        )
        .with_columns(_met_rank=target)
        .join(due, on=[*KEYS, "_due", "_met_rank"], how="left")
        # earlier_counts: already reached before the clock started counts as met then.
        .join(
            due.filter(pl.col("_met_rank") == 1).select(*KEYS, "_due", _earliest="met_date"),
            on=[*KEYS, "_due"],
            how="left",
        )
        .with_columns(
            met_date=pl.when(pl.col("_earlier") & (pl.col("_earliest") < pl.col("from_date")))
            .then(pl.col("_earliest"))
            .otherwise(pl.col("met_date"))
        )
        .with_columns(
            to_milestone="_due",
            occurrence=pl.when(mode == NEXT).then(rank + 1).otherwise("_occurrence"),
        )
    )


def _deadlines(clocks: pl.DataFrame, rule_set: RuleSet) -> pl.DataFrame:
    """due_date and reminder_date of every clock."""
    nation = rule_set.nation
    counting_back = [r for r in rule_set.rules if r.unit is Unit.FULL_WORKING_DAYS_BEFORE]
    back = {n for r in counting_back for n in (r.within, r.reminder_at) if n is not None}
    start = pl.col("from_date")
    # Each unit's arithmetic runs only on its own rows: working days cost far more than
    # weeks, and a when/then would work every branch out for every row.
    parts = []
    for (unit,), part in clocks.partition_by("_unit", as_dict=True).items():
        raw = _deadline(str(unit), start, pl.col("_within"), nation, back)
        parts.append(
            part.with_columns(
                due_date=pl.when(pl.col("_inclusive")).then(raw).otherwise(add_days(raw, -1)),
                reminder_date=_deadline(str(unit), start, pl.col("_reminder_at"), nation, back),
            )
        )
    if not parts:
        return clocks.with_columns(
            due_date=pl.lit(None, pl.Date), reminder_date=pl.lit(None, pl.Date)
        )
    return pl.concat(parts, how="vertical")


def _deadline(unit: str, start: pl.Expr, count: pl.Expr, nation: Nation, back: set[int]) -> pl.Expr:
    """`count` units after `start` (before it, counting back: one case per count, as
    `full_working_days_before` takes a fixed number). Null count: null."""
    if unit == Unit.DAYS.value:
        return add_days(start, count)
    if unit == Unit.WORKING_DAYS.value:
        return add_working_days(start, count, nation)
    if unit == Unit.WEEKS.value:
        return add_weeks(start, count)
    if unit == Unit.MONTHS.value:
        return add_months(start, count)
    cases = [(count == n, full_working_days_before(start, n, nation)) for n in sorted(back)]
    return _cases(cases, pl.lit(None, pl.Date))


def _status(clocks: pl.DataFrame, as_at: dt.date) -> pl.DataFrame:
    today = pl.lit(as_at, pl.Date)
    due, met, end = pl.col("due_date"), pl.col("met_date"), pl.col("end")
    age_limited = pl.col("_age_min").is_not_null() | pl.col("_age_max").is_not_null()
    no_dob = age_limited & pl.col("DOB").is_null()
    status = _cases(
        [
            (no_dob, pl.lit(NOT_APPLICABLE)),
            (met <= due, pl.lit(MET_ON_TIME)),
            (met.is_not_null(), pl.lit(MET_LATE)),
            (end.is_not_null(), pl.lit(NOT_APPLICABLE)),  # left care first
            (today > due, pl.lit(OVERDUE)),
            (today >= pl.col("reminder_date"), pl.lit(REMINDER_DUE)),
        ],
        pl.lit(ON_TRACK),
    )
    state = pl.col("status")
    late = _cases([(state == MET_LATE, met - due), (state == OVERDUE, today - due)], None)
    return (
        clocks.with_columns(status=status)
        .with_columns(
            days_left=pl.when(state.is_in(OPEN)).then((due - today).dt.total_days()),
            days_late=late.dt.total_days(),
        )
        .with_columns(why=_why(no_dob))
        # Only the output's columns are sorted: the rules' words joined to every row
        # would otherwise be moved too.
        .select(*SCHEMA, "_order")
        .sort(*KEYS, "due_date", "_order", "occurrence")
        .select(list(SCHEMA))
        .cast(SCHEMA)  # type: ignore[arg-type]
    )


def _why(no_dob: pl.Expr) -> pl.Expr:
    """A sentence a team manager can read: what is due, by when, counted from what, and
    where it stands."""
    state, occurrence, end = pl.col("status"), pl.col("occurrence"), pl.col("end")
    left, late, met = pl.col("days_left"), pl.col("days_late"), _date(pl.col("met_date"))
    label = pl.when(occurrence.is_not_null()).then(
        pl.format("{} {}", _ordinal(occurrence), pl.col("_due_lower"))
    )
    clock = pl.when(pl.col("_mode") == NEXT).then(
        pl.format("the {} {}", _ordinal(pl.col("rank")), pl.col("_anchor_lower"))
    )
    head = pl.format(
        "{} due by {} ({} {} on {})",
        label.otherwise(pl.col("_due_label")),
        _date(pl.col("due_date")),
        pl.col("_span"),
        clock.otherwise(pl.col("_clock")),
        _date(pl.col("from_date")),
    )
    waiting = state.is_in([ON_TRACK, REMINDER_DUE])
    reminder = pl.when(state.is_in(OPEN)).then(
        pl.format("; reminder from {}", _date(pl.col("reminder_date")))
    )
    overdue_then = (end - pl.col("due_date")).dt.total_days()
    left_care = pl.format("; left care on {} before it was recorded", _date(end))
    why_not = (
        "; not applicable: this rule is only for children {}, and no date of birth is recorded"
    )
    tail = _cases(
        [
            (no_dob, pl.format(why_not, pl.col("_ages"))),
            (waiting & (left == 0), pl.lit("; not yet recorded (due today)")),
            (waiting, pl.format("; not yet recorded ({} left)", _days(left))),
            (state == OVERDUE, pl.format("; not yet recorded, {} overdue", _days(late))),
            (state == MET_ON_TIME, pl.format("; recorded on {}, on time", met)),
            (state == MET_LATE, pl.format("; recorded on {}, {} late", met, _days(late))),
            (
                overdue_then > 0,
                pl.format("{} (by then {} overdue)", left_care, _days(overdue_then)),
            ),
        ],
        left_care,
    )
    return pl.concat_str([head, reminder, tail, pl.lit(".")], ignore_nulls=True)


def _cases(cases: Sequence[tuple[pl.Expr, pl.Expr]], otherwise: pl.Expr | None) -> pl.Expr:
    """The value of the first case whose condition holds, else `otherwise` (null if None)."""
    result = pl.lit(None) if otherwise is None else otherwise
    for condition, value in reversed(cases):
        result = pl.when(condition).then(value).otherwise(result)
    return result


def _date(day: pl.Expr) -> pl.Expr:
    return day.dt.strftime("%d/%m/%Y")


def _days(n: pl.Expr) -> pl.Expr:
    return pl.when(n == 1).then(pl.lit("1 day")).otherwise(pl.format("{} days", n))


def _ordinal(n: pl.Expr) -> pl.Expr:
    """1st, 2nd, 3rd, 4th, ..., 11th, 12th, 13th, ..., 21st."""
    suffix = (n % 10).replace_strict({1: "st", 2: "nd", 3: "rd"}, default="th")
    teens = (n % 100).is_between(11, 13)
    return pl.format("{}{}", n, pl.when(teens).then(pl.lit("th")).otherwise(suffix))


def _lower(label: str) -> str:
    return label[0].lower() + label[1:]  # "Looked-after review" -> "looked-after review"


def _at_least(value: pl.Expr, bound: str) -> pl.Expr:
    return pl.col(bound).is_null() | (value >= pl.col(bound))
