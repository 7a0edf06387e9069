"""An aim's chart: its measure analysed as a run or control chart, with its PDSA cycles
marked where they started and, for cycles that start a phase, a new part of the chart
(its own centre and limits) from there.

A cycle is placed at the first point dated on or after the day it started: for a monthly
measure (points dated the 1st), a cycle started mid-month is placed at the next month, the
first one wholly after the change. A cycle that started before the first point or after
the last cannot be placed; the notes say so rather than drop it silently.
"""

from __future__ import annotations

import bisect
import dataclasses
import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import Connection

from carejourney.config.rules import TimescaleRule, Unit
from carejourney.improvement.aims import Aim, AimError, Measure, rule_of
from carejourney.improvement.cycles import Cycle, list_cycles
from carejourney.improvement.series import AimSeries, rule_by_child, rule_by_month, stored_series
from carejourney.journeys.stored import Journeys
from carejourney.measures.spc.analysis import SpcOptionsError, spc
from carejourney.measures.spc.types import RuleSetName, SpcOptions, SpcResult
from carejourney.measures.summaries import default_as_at
from carejourney.reports.charts import Marker, RenderedChart, render
from carejourney.schema.milestones import MILESTONES_BY_NAME


class View(StrEnum):
    """How a rule aim's measure is charted."""

    MONTHS = "months"  # % on time per month of the due date (p chart)
    CHILDREN = "children"  # days taken, child by child in order of the due date (I chart)


@dataclass(frozen=True)
class Placed:
    """Where an aim's cycles go on its chart: the points markers go at (1-based), the
    parts for `SpcOptions` and a note for each cycle that could not be placed."""

    markers: tuple[Marker, ...]
    parts: tuple[int, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class AimChart:
    """An aim's chart: the series charted, the SPC analysis, the rendered chart (SVG, spec,
    text alternative, signals in words), its cycle markers, and every caveat in words."""

    aim: Aim
    series: AimSeries
    result: SpcResult
    rendered: RenderedChart
    markers: tuple[Marker, ...]
    notes: tuple[str, ...]
    as_at: dt.date | None  # rule aims: the date the measure was worked out as at


def aim_series(
    conn: Connection,
    journeys: Journeys | None,
    aim: Aim,
    *,
    view: View = View.MONTHS,
    as_at: dt.date | None = None,
) -> tuple[AimSeries, dt.date | None]:
    """The aim's measure as a series, and the as-at date it was worked out for (None for
    a csv measure). Rule aims need the LA's `journeys`; `as_at` defaults to the latest day
    the data covers."""
    if aim.measure is Measure.CSV:
        return stored_series(conn, aim), None
    if journeys is None:
        raise AimError(f'The aim "{aim.name}" is measured from the journeys: load them first.')
    when = as_at or default_as_at(journeys)
    rule_set, rule = rule_of(aim)
    if view is View.CHILDREN:
        return rule_by_child(journeys, rule_set, rule.name, when), when
    series = rule_by_month(journeys, rule_set, rule.name, when)
    # The aim's own target, which may differ from the rule set's.
    return dataclasses.replace(series, target=aim.target_percent), when


def place_cycles(dates: Sequence[dt.date], cycles: Sequence[Cycle]) -> Placed:
    """Markers at the first point dated on or after each cycle's start, labelled "PDSA n:
    title"; a new part at each cycle that starts a phase (parts = the point before it)."""
    markers, parts, notes = [], set(), []
    for cycle in cycles:
        name = f"PDSA {cycle.number} ({cycle.title}, started {cycle.do_start:%d/%m/%Y})"
        if not dates or cycle.do_start < dates[0]:
            first = f" ({dates[0]:%d/%m/%Y})" if dates else ""
            notes.append(f"{name} began before the first point on the chart{first}: not marked.")
            continue
        at = bisect.bisect_left(dates, cycle.do_start)
        if at == len(dates):
            notes.append(
                f"{name} began after the last point on the chart ({dates[-1]:%d/%m/%Y}): "
                "not marked yet."
            )
            continue
        markers.append(Marker(at=at + 1, label=f"PDSA {cycle.number}: {cycle.title}"))
        if cycle.starts_phase:
            if at == 0:
                notes.append(
                    f"{name} starts a new phase at the first point: the whole chart is that phase."
                )
            else:
                parts.add(at)  # a new part starts after point `at`, at point at + 1
    return Placed(tuple(markers), tuple(sorted(parts)), tuple(notes))


def aim_chart(
    conn: Connection,
    journeys: Journeys | None,
    aim: Aim,
    *,
    view: View = View.MONTHS,
    rules: RuleSetName = RuleSetName.ANHOEJ,
    as_at: dt.date | None = None,
) -> AimChart:
    """The aim's measure analysed by `spc` (phases starting at the cycles that start one)
    and rendered with its cycles marked."""
    series, when = aim_series(conn, journeys, aim, view=view, as_at=as_at)
    if not len(series):
        raise AimError(f'The aim "{aim.name}" has nothing to chart yet. ' + " ".join(series.notes))
    placed = place_cycles(series.dates, list_cycles(conn, aim))
    options = SpcOptions(
        chart=series.chart,
        rules=rules,
        parts=placed.parts,
        multiply=series.multiply,
        target=series.target,
        improvement=series.improvement,
    )
    try:
        result = spc(series.series, options)
    except SpcOptionsError as exc:
        raise AimError(f'The aim "{aim.name}" cannot be charted: {exc}') from None
    rendered = render(
        result, title=chart_title(aim, view), value_title=series.value_title, markers=placed.markers
    )
    return AimChart(
        aim=aim,
        series=series,
        result=result,
        rendered=rendered,
        markers=placed.markers,
        notes=series.notes + placed.notes,
        as_at=when,
    )


def _sent(rule: TimescaleRule) -> str:
    label = MILESTONES_BY_NAME[rule.from_milestone].label
    return label[0].lower() + label[1:]


def chart_title(aim: Aim, view: View) -> str:
    """The chart's title: the aim's name and what is charted."""
    if aim.measure is Measure.CSV:
        return aim.name
    _, rule = rule_of(aim)
    if view is View.MONTHS:
        return f"{aim.name}: % on time, by month due"
    if rule.unit is Unit.FULL_WORKING_DAYS_BEFORE:
        return f"{aim.name}: full working days between {_sent(rule)} and each review"
    return f"{aim.name}: days taken, child by child"
