"""Placement stability: the DfE's three measures as at the report's date, with the change
since a year earlier, and the trend of each as a p chart with Anhøj's rules.

The measures are `measures.stability`'s, computed for the year (or two years, or two and a
half) ending on any day, not only 31 March. The trend is each measure at every quarter-end
the data cover: a quarter-end is charted only when the whole window the measure looks back
over lies inside the collection years loaded (a return says nothing about placements that
ended before its year began), so the first point of "3 or more placements in the year" is
the end of the first collection year, of the two-year measure a year later, and of
long-term stability (whose cohort is "looked after for 2.5 years") 30 months after the data
begin.

Why quarter-ends and not month-ends: each point is one call of `measures.stability.stability`
(about 12 ms for a 5,000-child LA, mostly fixed cost), so five years of month-ends took 0.6
to 0.8 seconds on the test machine, too much of the whole report's 5-second budget;
quarter-ends take a third of that. Each point looks back over a year or more, so
neighbouring points share most of their children (month-ends even more than quarter-ends):
the section says that runs signal more easily on such a series than on independent points.

Disclosure: every count goes through `reports.disclosure`; a percentage is published only
when its numerator, denominator and the rest would be (`protect_percent`). A chart plots a
percentage at every point and its limits give away the denominators, so it is drawn only
when every point's percentage may be published (always, in an internal report); with
rounding, the chart is drawn from the rounded counts, as the percentages are.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import polars as pl
from sqlalchemy import Connection, select

from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Improvement, Series, SpcOptions
from carejourney.measures.stability import stability_on
from carejourney.reports.charts import render
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import (
    Figure,
    ReportChart,
    ReportContext,
    ReportTable,
    Section,
)
from carejourney.sources.years import year_start
from carejourney.store.tables import la_year

__all__ = ["MEASURES", "MONTHS_BETWEEN_POINTS", "StabilityMeasure", "build", "chart_dates"]

KEY = "stability"
TITLE = "Placement stability"
MONTHS_BETWEEN_POINTS = 3  # quarter-ends: see the module docstring
MIN_POINTS = 6  # fewer points than this make no chart worth drawing
METHODS = "See docs/methods.md, 'Placement stability'."


@dataclass(frozen=True)
class StabilityMeasure:
    key: str  # a measure of `measures.stability.MEASURES`
    label: str  # the headline figure's label, in plain words
    short: str  # the chart's title and the table's row
    cohort: str  # who the denominator is, for sentences: "children looked after on {date}"
    met: str  # what the numerator did, for sentences
    months: int  # how far back the measure looks: the data must cover it
    improvement: Improvement


MEASURES = (
    StabilityMeasure(
        key="three_or_more_in_year",
        label="Children looked after with 3 or more placements in the year",
        short="3 or more placements in the year",
        cohort="children looked after on {date}",
        met="had 3 or more placements in the year to that date",
        months=12,
        improvement=Improvement.DOWN,
    ),
    StabilityMeasure(
        key="three_or_more_in_2_years",
        label="Children looked after for 2 years with 3 or more placements in those 2 years",
        short="3 or more placements in 2 years",
        cohort="children looked after on {date} who had been looked after for 2 years",
        met="had 3 or more placements in those 2 years",
        months=24,
        improvement=Improvement.DOWN,
    ),
    StabilityMeasure(
        key="long_term_stability",
        label="Long-term stability: under 16s looked after for 2½ years or more, "
        "in the same placement for 2 years or more",
        short="Long-term stability",
        cohort="children under 16 on {date} who had been looked after for 2½ years or more",
        met="had been in the same placement for 2 years or more (or placed for adoption, "
        "counting the placement before)",
        months=30,
        improvement=Improvement.UP,
    ),
)


def build(context: ReportContext) -> Section:
    journeys = context.journeys
    if journeys.periods.is_empty():
        return Section(
            key=KEY,
            title=TITLE,
            not_available="No periods of care: load SSDA903 returns (Header and Episodes) "
            "with `carejourney import` to see this section.",
        )
    rules = context.disclosure
    data_start = _data_start(context)
    as_at, before = context.as_at, context.previous_as_at
    last_day = min(as_at, journeys.data_ends or as_at)
    dates = chart_dates(data_start, last_day, min(m.months for m in MEASURES))
    # Every day the section needs, worked out in one pass.
    measured_on: dict[dt.date, dict[str, tuple[int, int]]] = {}
    for row in stability_on(
        journeys.periods, journeys.placements, journeys.children, [*dates, as_at, before]
    ).iter_rows(named=True):
        pair = (int(row["count"]), int(row["children"]))
        measured_on.setdefault(row["year_end"], {})[row["measure"]] = pair

    def measured(day: dt.date) -> dict[str, tuple[int, int]]:
        """measure -> (numerator, denominator) for the window ending on `day`."""
        return measured_on[day]

    figures: list[Figure] = []
    paragraphs = [
        "Three measures of how settled children looked after are, as the DfE publishes them "
        f"for 31 March, here for the period ending {_day(as_at)}: children with 3 or more "
        "placements in the year, and in two years (lower is better), and long-term "
        "stability (higher is better). Children looked after under an agreed series of "
        f"short breaks are left out, and so are temporary placements such as hospital. "
        f"{METHODS}"
    ]
    summary_rows: list[dict[str, str]] = []
    series_rows: list[dict[str, str]] = []
    charts: list[ReportChart] = []
    chart_paragraphs: list[str] = []
    for measure in MEASURES:
        now = measured(as_at) if _covers(data_start, as_at, measure.months) else None
        then = measured(before) if _covers(data_start, before, measure.months) else None
        now_pair = now[measure.key] if now is not None else None
        then_pair = then[measure.key] if then is not None else None
        figures.append(_figure(measure, now_pair, then_pair, rules, data_start))
        paragraphs.append(_sentence(measure, as_at, now_pair, then_pair, rules, data_start))
        summary_rows.append(_summary_row(measure, now_pair, then_pair, rules))
        points = [d for d in dates if _covers(data_start, d, measure.months)]
        pairs = [measured(d)[measure.key] for d in points]
        for day, (count, children) in zip(points, pairs, strict=True):
            shown = _shares(count, children, rules)
            series_rows.append(
                {
                    "Quarter ending": f"{day:%d/%m/%Y}",
                    "Measure": measure.short,
                    "Children in the measure": shown[0],
                    "Children counted": shown[1],
                    "Percent": shown[2],
                }
            )
        chart, words = _chart(measure, points, pairs, rules)
        if chart is not None:
            charts.append(chart)
        chart_paragraphs.append(words)
    if charts:
        chart_paragraphs.append(
            "How to read the charts: each point is a quarter-end and looks back over a year "
            "or more, so neighbouring points share most of their children. Long runs on one "
            "side of the centre line come more easily on such a series than on independent "
            "points: read a signal as a reason to look closer, not as proof of a change."
        )
    tables = [
        ReportTable(
            key="Stability",
            title=f"Placement stability on {_day(as_at)}, and a year earlier",
            frame=pl.DataFrame(summary_rows),
            note=_note(rules),
        )
    ]
    if series_rows:
        tables.append(
            ReportTable(
                key="Stability by quarter",
                title="Placement stability at each quarter-end (the charts' points)",
                frame=pl.DataFrame(series_rows),
                note=_note(rules),
            )
        )
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=(*paragraphs, *chart_paragraphs),
        figures=tuple(figures),
        tables=tuple(tables),
        charts=tuple(charts),
    )


def chart_dates(data_start: dt.date, last_day: dt.date, months: int) -> list[dt.date]:
    """The quarter-ends (31 March, 30 June, 30 September, 31 December) from the first whose
    `months`-month window lies inside the data (which begin on `data_start`) to `last_day`."""
    out: list[dt.date] = []
    first = _add_months(data_start, months) - dt.timedelta(days=1)
    # The quarter-end on or after `first`.
    month0 = first.year * 12 + first.month - 1
    month0 += (2 - month0 % 3) % 3  # months 2, 5, 8, 11 (0-based) end a quarter
    while True:
        day = _month_end(month0)
        if day > last_day:
            return out
        if day >= first:
            out.append(day)
        month0 += MONTHS_BETWEEN_POINTS


def _data_start(context: ReportContext) -> dt.date:
    """The first day of the first collection year loaded for the LA (from the store, else
    the history's own years, else its first episode's year)."""
    conn: Connection | None = context.conn  # tests of small journeys may give none
    query = select(la_year.c.year).where(la_year.c.la == context.la)
    years = list(conn.execute(query).scalars()) if conn is not None else []
    history = context.journeys.history
    if not years and "year" in history.columns:
        years = [int(y) for y in history.get_column("year").drop_nulls().unique().to_list()]
    if years:
        return year_start(min(years))
    first = context.journeys.periods.get_column("start").min()
    assert isinstance(first, dt.date)  # periods are not empty here
    return year_start(first.year if first.month >= 4 else first.year - 1)


def _covers(data_start: dt.date, day: dt.date, months: int) -> bool:
    """Whether the `months` months ending on `day` lie inside the data."""
    return _add_months(data_start, months) - dt.timedelta(days=1) <= day


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (only used with the 1st of a month)."""
    month0 = day.year * 12 + day.month - 1 + months
    return dt.date(month0 // 12, month0 % 12 + 1, min(day.day, 28))


def _month_end(month0: int) -> dt.date:
    """The last day of the month numbered `month0` (year * 12 + month - 1)."""
    following = month0 + 1
    return dt.date(following // 12, following % 12 + 1, 1) - dt.timedelta(days=1)


def _day(day: dt.date) -> str:
    return f"{day:%d/%m/%Y}"


def _shares(count: int, children: int, rules: DisclosureRules) -> tuple[str, str, str]:
    """(children, counted, percent) as published. The count is hidden whenever the
    percentage is: with the denominator shown, it would give away the rest."""
    percent = protect_percent(count, children, rules) if children else None
    denominator = protect_count(children, rules) or rules.marker
    if children == 0:
        return denominator, denominator, "-"
    numerator = (protect_count(count, rules) if percent is not None else None) or rules.marker
    return denominator, numerator, percent or rules.marker


def _percent_value(pair: tuple[int, int] | None, rules: DisclosureRules) -> str | None:
    if pair is None or pair[1] == 0:
        return None
    return protect_percent(pair[0], pair[1], rules)


def _figure(
    measure: StabilityMeasure,
    now: tuple[int, int] | None,
    then: tuple[int, int] | None,
    rules: DisclosureRules,
    data_start: dt.date,
) -> Figure:
    if now is None:
        return Figure(measure.label, "not available", _too_early(measure, data_start))
    if now[1] == 0:
        return Figure(measure.label, "no children", None)
    percent = _percent_value(now, rules)
    if percent is None:
        return Figure(measure.label, rules.marker, "too few children to publish")
    children = protect_count(now[1], rules) or rules.marker
    value = f"{percent} ({protect_count(now[0], rules) or rules.marker} of {children})"
    return Figure(measure.label, value, _change(percent, then, rules, measure, data_start))


def _change(
    percent: str,
    then: tuple[int, int] | None,
    rules: DisclosureRules,
    measure: StabilityMeasure,
    data_start: dt.date,
) -> str | None:
    """The change in percentage points, from the two published (whole) percentages."""
    if then is None:
        return "no figure a year earlier: " + _too_early(measure, data_start)
    earlier = _percent_value(then, rules)
    if earlier is None:
        return None
    difference = int(percent.rstrip("%")) - int(earlier.rstrip("%"))
    if difference == 0:
        return f"the same as a year earlier ({earlier})"
    direction = "up" if difference > 0 else "down"
    points = "point" if abs(difference) == 1 else "points"
    return f"{direction} {abs(difference)} percentage {points} on a year earlier ({earlier})"


def _too_early(measure: StabilityMeasure, data_start: dt.date) -> str:
    return (
        f"the data begin on {_day(data_start)}, and this measure needs the {measure.months} "
        "months before its date"
    )


def _sentence(
    measure: StabilityMeasure,
    as_at: dt.date,
    now: tuple[int, int] | None,
    then: tuple[int, int] | None,
    rules: DisclosureRules,
    data_start: dt.date,
) -> str:
    cohort = measure.cohort.format(date=_day(as_at))
    if now is None:
        return f"{measure.short}: not available: {_too_early(measure, data_start)}."
    if now[1] == 0:
        return f"{measure.short}: there were no {cohort}."
    children = protect_count(now[1], rules)
    percent = _percent_value(now, rules)
    if children is None:
        return (
            f"{measure.short}: there were fewer than {rules.threshold} {cohort}, too few to "
            "publish the figure."
        )
    if percent is None:
        text = (
            f"{measure.short}: of the {children} {cohort}, the number who {measure.met} is "
            "too small to publish (or too close to all of them)."
        )
    else:
        count = protect_count(now[0], rules) or rules.marker
        text = f"{measure.short}: of the {children} {cohort}, {count} ({percent}) {measure.met}."
    earlier = _percent_value(then, rules)
    if then is not None and earlier is not None:
        text += f" A year earlier it was {earlier}."
    return text


def _summary_row(
    measure: StabilityMeasure,
    now: tuple[int, int] | None,
    then: tuple[int, int] | None,
    rules: DisclosureRules,
) -> dict[str, str]:
    shown = _shares(*now, rules) if now is not None else ("-", "-", "not available")
    earlier = _shares(*then, rules)[2] if then is not None else "not available"
    return {
        "Measure": measure.short,
        "Better when": "lower" if measure.improvement is Improvement.DOWN else "higher",
        "Children in the measure": shown[0],
        "Children counted": shown[1],
        "Percent": shown[2],
        "Percent a year earlier": earlier,
    }


def _chart(
    measure: StabilityMeasure,
    points: list[dt.date],
    pairs: list[tuple[int, int]],
    rules: DisclosureRules,
) -> tuple[ReportChart | None, str]:
    """The measure's p chart, and a paragraph: its signals in words, or why there is none."""
    name = f"{measure.short}, quarter by quarter"
    if len(points) < MIN_POINTS:
        return None, (
            f"{name}: no chart, because the data cover only {len(points)} quarter-end"
            f"{'' if len(points) == 1 else 's'} for this measure; a chart needs at least "
            f"{MIN_POINTS}."
        )
    hidden = [
        d
        for d, (count, children) in zip(points, pairs, strict=True)
        if children and protect_percent(count, children, rules) is None
    ]
    if hidden:
        return None, (
            f"{name}: no chart, because at {len(hidden)} of the {len(points)} quarter-ends "
            f"the numbers are small (below {rules.threshold}) and the chart would give them "
            "away. An internal report (`carejourney report --internal`) shows it."
        )
    # With rounding, the chart is drawn from the published (rounded) counts.
    counts = np.array([rules.shown(c) if n else np.nan for c, n in pairs], dtype=np.float64)
    sizes = np.array([rules.shown(n) if n else np.nan for _, n in pairs], dtype=np.float64)
    result = spc(
        Series(counts, n=sizes, labels=tuple(d.isoformat() for d in points)),
        SpcOptions(chart=ChartType.P, multiply=100, improvement=measure.improvement),
    )
    rendered = render(result, title=measure.short, value_title="Percent of children")
    chart = ReportChart(
        title=measure.short,
        svg=rendered.svg,
        text_alternative=rendered.text_alternative,
        signals=rendered.signals_in_words,
    )
    return chart, f"{name}: " + " ".join(rendered.signals_in_words)


def _note(rules: DisclosureRules) -> str:
    if rules.internal:
        return "Internal report: counts are shown exactly, nothing is hidden."
    text = (
        f"{rules.marker}: not published, a count below {rules.threshold} or a percentage that "
        "would give one away."
    )
    if rules.round_to is not None:
        text += (
            f" Counts are rounded to the nearest {rules.round_to}, and percentages worked out "
            "from the rounded counts."
        )
    return text
