"""An aim's measure as a series of points to chart.

From a timescale rule (the rows `measures.drift.due_dates` gives for it, as at a date):

- `rule_by_child`: one point per child (per period of care) whose milestone fell due by
  the as-at date, in order of the due date: the days it took from the clock's start. Lower
  is better; the target line is the rule's timescale.
- `rule_by_month`: one point per month of the due date: the % met on time (a p chart).
  Higher is better; the target line is the aim's target.
- `celcis_legal_days`: one point per permanence review, in order of its date: the full
  working days between all information being sent to Legal and the review (CELCIS). Higher
  is better; the line is the 8 days aimed for. `rule_by_child` gives the same for any rule
  that counts back.

From an analyst's CSV file: `stored_series`, the points stored with the aim.

A milestone has "fallen due" by the as-at date when its due date is on or before it and
the rule's row is met on time, met late or overdue. Rows on track or with a reminder due
are not yet due; a milestone met early, before a due date after the as-at date, is counted
once that date passes; rows not applicable (the child left care first) are not counted.
Points carry dates only, never a child's ID.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import Connection

from carejourney.config.rules import RuleSet, TimescaleRule, Unit, load_rule_set
from carejourney.improvement.aims import Aim, AimError, MeasurePoint, measure_points
from carejourney.journeys.stored import Journeys
from carejourney.measures.calendar import full_working_days_between, working_days_between
from carejourney.measures.drift import MET_LATE, MET_ON_TIME, OVERDUE, due_dates
from carejourney.measures.spc.types import ChartType, Improvement, Series
from carejourney.schema.milestones import MILESTONES_BY_NAME

FELL_DUE = (MET_ON_TIME, MET_LATE, OVERDUE)
CELCIS = "celcis-legal-advice"
# Charts whose points are a share: shown as percentages.
PROPORTIONS = (ChartType.P, ChartType.P_PRIME)


@dataclass(frozen=True)
class AimSeries:
    """A measure ready for `measures.spc.analysis.spc`: the `series` (with labels), the
    date of each point (to place PDSA cycles), the chart to draw, its scale (`multiply`),
    target line and better direction, what the value is, and plain-word caveats."""

    series: Series
    dates: tuple[dt.date, ...]
    chart: ChartType
    multiply: float
    target: float | None
    improvement: Improvement
    value_title: str
    notes: tuple[str, ...] = ()
    # Per point: True where the child is still waiting, so the value is the days so far.
    open: tuple[bool, ...] = ()
    missing: int = 0  # fell due but cannot be drawn (CELCIS: no information recorded)

    def __len__(self) -> int:
        return len(self.dates)


def rule_by_child(
    journeys: Journeys, rule_set: RuleSet, rule_name: str, as_at: dt.date
) -> AimSeries:
    """Per child (per period of care) whose milestone fell due under the rule by `as_at`,
    in order of the due date: the days from the clock's start to the milestone (working
    days for a working-day rule), or for a child still waiting (overdue) the days so far,
    marked open. The target is the rule's timescale in the same days: 30 weeks is 210.
    A rule that counts back (CELCIS) gives the full working days before the event, as
    `celcis_legal_days` does."""
    rule = _rule(rule_set, rule_name)
    if rule.unit is Unit.FULL_WORKING_DAYS_BEFORE:
        return _days_before(journeys, rule_set, rule, as_at)
    due = _fell_due(journeys, rule_set, rule, as_at).sort(
        "due_date", "from_date", "CHILD", "period"
    )
    start, end = pl.col("from_date"), pl.coalesce("met_date", pl.lit(as_at, pl.Date))
    working = rule.unit is Unit.WORKING_DAYS
    taken = (
        working_days_between(start, end, rule_set.nation)
        if working
        else (end - start).dt.total_days()
    )
    points = due.select("due_date", value=taken.cast(pl.Float64), open=pl.col("met_date").is_null())
    clock, milestone = _label(rule.from_milestone), _label(rule.to_milestone)
    notes = []
    waiting = int(points["open"].sum())
    if waiting:
        notes.append(
            f"{_count(waiting, 'child')} still waiting (overdue) {_are(waiting)} shown with "
            f"the days so far, to {as_at:%d/%m/%Y}: {_they(waiting)} will take longer."
        )
    target = _timescale_days(rule)
    if target is None:
        notes.append(
            f"The timescale is {rule.within} months, which is not a fixed number of days, so "
            "there is no target line."
        )
    if not points.height:
        notes.append(f"No {milestone} fell due under this rule by {as_at:%d/%m/%Y}.")
    return _per_child(
        points["due_date"],
        points["value"],
        target=target,
        improvement=Improvement.DOWN,
        value_title=f"{'Working days' if working else 'Days'} from {clock} to {milestone}",
        notes=notes,
        open=tuple(points["open"].to_list()),
    )


def rule_by_month(
    journeys: Journeys, rule_set: RuleSet, rule_name: str, as_at: dt.date
) -> AimSeries:
    """Per calendar month of the due date: of the milestones that fell due that month
    (met on time, met late or still overdue), the % met on time, as a p chart with the
    rule's target_percent as its target. Each point is dated the 1st of its month.

    Months in which nothing fell due are left out (a p chart point needs a denominator),
    so neighbouring points can be more than a month apart; the notes say which. The latest
    month counts only what fell due by `as_at`."""
    rule = _rule(rule_set, rule_name)
    due = _fell_due(journeys, rule_set, rule, as_at)
    months = (
        due.group_by(month=pl.col("due_date").dt.truncate("1mo"))
        .agg(
            on_time=(pl.col("status") == MET_ON_TIME).sum().cast(pl.Float64),
            due=pl.len().cast(pl.Float64),
            overdue=(pl.col("status") == OVERDUE).sum(),
        )
        .sort("month")
    )
    dates: tuple[dt.date, ...] = tuple(months["month"].to_list())
    notes = []
    overdue = int(months["overdue"].sum())
    if overdue:
        notes.append(
            f"{_count(overdue, 'child')} still overdue {_are(overdue)} counted as not on time."
        )
    gaps = _missing_months(dates)
    if gaps:
        listed = ", ".join(f"{m:%B %Y}" for m in gaps[:6]) + (" and more" if len(gaps) > 6 else "")
        they = f"{_they(len(gaps), 'it')} {_are(len(gaps))}"
        notes.append(
            f"Nothing fell due in {_count(len(gaps), 'month')} ({listed}): {they} left out, "
            "so neighbouring points can be more than a month apart."
        )
    month_over = (as_at + dt.timedelta(days=1)).month != as_at.month
    if dates and (dates[-1].year, dates[-1].month) == (as_at.year, as_at.month) and not month_over:
        notes.append(f"{dates[-1]:%B %Y} counts only what fell due by {as_at:%d/%m/%Y}.")
    if not dates:
        notes.append(
            f"No {_label(rule.to_milestone)} fell due under this rule by {as_at:%d/%m/%Y}."
        )
    return AimSeries(
        series=Series(
            y=months["on_time"].to_numpy().astype(np.float64),
            n=months["due"].to_numpy().astype(np.float64),
            labels=tuple(d.isoformat() for d in dates),
        ),
        dates=dates,
        chart=ChartType.P,
        multiply=100.0,
        target=rule.target_percent,
        improvement=Improvement.UP,
        value_title="% on time",
        notes=tuple(notes),
        open=(False,) * len(dates),
    )


def celcis_legal_days(
    journeys: Journeys, as_at: dt.date, rule_set: RuleSet | None = None
) -> AimSeries:
    """Per permanence review by `as_at`, in order of its date: the full working days
    between all information being sent to Legal and the review (the rule set's nation's
    bank holidays skipped; negative when sent after the review), with the 8-day line of
    the CELCIS aim. Reviews with no information recorded are left out and counted in
    `missing`. `rule_set` defaults to the shipped celcis-legal-advice set; its first rule
    that counts back is used."""
    rules = rule_set or load_rule_set(CELCIS)
    back = [r for r in rules.rules if r.unit is Unit.FULL_WORKING_DAYS_BEFORE]
    if not back:
        raise AimError(
            f'The rule set "{rules.name}" has no rule counting full working days before an '
            "event, so it has no CELCIS measure."
        )
    return _days_before(journeys, rules, back[0], as_at)


def stored_series(conn: Connection, aim: Aim) -> AimSeries:
    """A csv aim's stored points, as the chart the aim was given."""
    if aim.chart is None:
        raise AimError(f'The aim "{aim.name}" is measured by a timescale rule, not a CSV file.')
    return series_from_points(
        measure_points(conn, aim),
        aim.chart,
        target=aim.target_percent,
        improvement=aim.improvement,
        value_title=aim.value_title or "Value",
    )


def series_from_points(
    points: Sequence[MeasurePoint],
    chart: ChartType,
    *,
    target: float | None = None,
    improvement: Improvement = Improvement.UP,
    value_title: str = "Value",
) -> AimSeries:
    """An analyst's points as a series: the value is the numerator for p and u charts (with
    the denominator as n); a proportion is shown as a percentage."""
    has_n = any(p.denominator is not None for p in points)
    return AimSeries(
        series=Series(
            y=np.array([p.value for p in points], dtype=np.float64),
            n=(
                np.array([np.nan if p.denominator is None else p.denominator for p in points])
                if has_n
                else None
            ),
            labels=tuple(p.label for p in points),
        ),
        dates=tuple(p.date for p in points),
        chart=chart,
        multiply=100.0 if chart in PROPORTIONS else 1.0,
        target=target,
        improvement=improvement,
        value_title=value_title,
        open=(False,) * len(points),
    )


def _days_before(
    journeys: Journeys, rule_set: RuleSet, rule: TimescaleRule, as_at: dt.date
) -> AimSeries:
    """A counting-back rule per event (the clock: from_date in `due_dates`), in order of
    its date: full working days from what fell due (met_date) to the event."""
    due = _fell_due(journeys, rule_set, rule, as_at)
    missing = due.filter(pl.col("met_date").is_null()).height
    points = (
        due.filter(pl.col("met_date").is_not_null())
        .sort("from_date", "met_date", "CHILD", "period")
        .select(
            "from_date",
            value=full_working_days_between(
                pl.col("met_date"), pl.col("from_date"), rule_set.nation
            ).cast(pl.Float64),
        )
    )
    sent, event = _label(rule.from_milestone), _label(rule.to_milestone)
    notes = []
    if missing:
        notes.append(
            f"{_count(missing, event)} had no date recorded for "
            f'"{MILESTONES_BY_NAME[rule.from_milestone].label}": {_they(missing, "it")} '
            f"{_are(missing)} not on the chart."
        )
    after = int((points["value"] < 0).sum())
    if after:
        notes.append(f"{_count(after, 'case')} had {sent} after the {event}: shown below 0.")
    if not points.height:
        notes.append(f"No {event} with {sent} recorded by {as_at:%d/%m/%Y}.")
    return _per_child(
        points["from_date"],
        points["value"],
        # Sent on the due date leaves exactly `within` full working days: on time.
        target=float(rule.within + (0 if rule.end_inclusive else 1)),
        improvement=Improvement.UP,
        # Short enough to be the chart's axis title; the chart's title says what is counted.
        value_title=f"Full working days before {event}",
        notes=notes,
        open=(False,) * points.height,
        missing=missing,
    )


def _per_child(
    dates: pl.Series,
    values: pl.Series,
    *,
    target: float | None,
    improvement: Improvement,
    value_title: str,
    notes: list[str],
    open: tuple[bool, ...],
    missing: int = 0,
) -> AimSeries:
    """One point per child, dated (and labelled) by the day it is ordered by: an I chart."""
    days = tuple(dates.to_list())
    return AimSeries(
        series=Series(y=values.to_numpy().astype(np.float64), labels=_day_labels(days)),
        dates=days,
        chart=ChartType.I,
        multiply=1.0,
        target=target,
        improvement=improvement,
        value_title=value_title,
        notes=tuple(notes),
        open=open,
        missing=missing,
    )


def _fell_due(
    journeys: Journeys, rule_set: RuleSet, rule: TimescaleRule, as_at: dt.date
) -> pl.DataFrame:
    """The rule's rows as at `as_at` that have fallen due (met on time, met late, overdue)."""
    # The rule alone: the other rules' due dates would be worked out and thrown away.
    alone = rule_set.model_copy(update={"rules": (rule,)})
    due = due_dates(
        alone,
        journeys.milestones,
        journeys.periods,
        journeys.children,
        as_at,
        journeys.placements,
    )
    # A milestone met early, before a due date still to come, has not fallen due yet: it
    # is counted once its due date passes, so a month is never judged before it is over.
    return due.filter(pl.col("status").is_in(FELL_DUE), pl.col("due_date") <= as_at)


def _rule(rule_set: RuleSet, name: str) -> TimescaleRule:
    if name not in rule_set.names:
        raise AimError(
            f'The rule set "{rule_set.name}" has no rule called "{name}". Its rules: '
            f"{', '.join(sorted(rule_set.names))}."
        )
    return rule_set.rule(name)


def _timescale_days(rule: TimescaleRule) -> float | None:
    """The rule's timescale in the days the per-child chart counts: the days from the
    clock's start to the due date. None for months, which vary in length."""
    per_unit = {Unit.DAYS: 1, Unit.WORKING_DAYS: 1, Unit.WEEKS: 7}.get(rule.unit)
    if per_unit is None:
        return None
    return float(rule.within * per_unit - (0 if rule.end_inclusive else 1))


def _day_labels(dates: tuple[dt.date, ...]) -> tuple[str, ...]:
    """Per-child points labelled dd/mm/yyyy: as an ISO date, a child's due date on the 1st
    would be read (by `measures.spc.words`) as a whole month, like a monthly point."""
    return tuple(f"{d:%d/%m/%Y}" for d in dates)


def _missing_months(months: tuple[dt.date, ...]) -> list[dt.date]:
    """The months between the first and last of `months` (each the 1st) that are not in it."""
    if not months:
        return []
    present, gaps = set(months), []
    year, month = months[0].year, months[0].month
    while (year, month) < (months[-1].year, months[-1].month):
        if dt.date(year, month, 1) not in present:
            gaps.append(dt.date(year, month, 1))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return gaps


def _label(milestone: str) -> str:
    label = MILESTONES_BY_NAME[milestone].label
    return label[0].lower() + label[1:]  # "Permanence recommendation" -> "permanence ..."


def _count(n: int, noun: str) -> str:
    plural = {"child": "children"}.get(noun, f"{noun}s")
    return f"{n:,} {noun if n == 1 else plural}"


def _are(n: int) -> str:
    return "is" if n == 1 else "are"


def _they(n: int, one: str = "they") -> str:
    return one if n == 1 else "they"
