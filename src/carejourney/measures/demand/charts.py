"""The demand measures as SPC series: the share of failure demand by month (a p chart) and
the end-to-end days of each case (an XmR chart: the I chart of `measures.spc`), the second
read as the system's capability: "the system predictably takes between A and B days".

Both take an optional redesign date: the points from it on are a new phase with their own
centre and limits, so the chart shows whether the redesigned system behaves differently.
For the monthly chart, the month the redesign date falls in is the first of the new phase;
for the case chart, the cases whose first contact is on or after it are.

The natural process limits of the latest phase give the capability range (the lower limit
floored at 0 days: no case takes less than none). They describe what the system will go on
doing while nothing changes; when the phase shows signals, the system is not stable and the
range is no reliable forecast, which the sentence then says. Rendering is for the outputs
(`reports.charts.render`); here are the series, the analysis and the words.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import polars as pl

from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Improvement, Series, SpcOptions, SpcResult
from carejourney.measures.spc.words import count_sentences, explain, format_number

FAILURE_TITLE = "Failure demand: % of contacts, by month"
# A chart of thousands of cases can have hundreds of signals: the words list the first
# ones and say how many more the chart shows.
MAX_SENTENCES = 10
HELP_TITLE = "Days from first contact to the right help, case by case"
ASSESSMENT_TITLE = "Days from first contact to the right assessment, case by case"


@dataclass(frozen=True)
class DemandChart:
    """A demand measure analysed as a run of points: the SPC result (None when there are
    too few points to chart), the signals in words, the capability sentence and range (case
    charts only) and notes on what was left out or could not be done."""

    title: str
    value_title: str
    result: SpcResult | None
    signals: tuple[str, ...] = ()
    capability: str | None = None
    lower: float | None = None  # natural process limits of the latest phase, lower >= 0
    upper: float | None = None
    notes: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """JSON-ready: the points (label, value, centre, limits, phase, signal), words."""
        points: list[dict[str, object]] = []
        if self.result is not None:
            columns = ["index", "label", "y", "n", "value", "part", "cl", "lcl", "ucl", "signal"]
            frame = self.result.points.select(c for c in columns if c in self.result.points.columns)
            points = [
                {k: _finite(v) for k, v in row.items()} for row in frame.iter_rows(named=True)
            ]
        return {
            "title": self.title,
            "value_title": self.value_title,
            "points": points,
            "signals": list(self.signals),
            "capability": self.capability,
            "lower": self.lower,
            "upper": self.upper,
            "notes": list(self.notes),
        }


def _words(result: SpcResult) -> tuple[str, ...]:
    """The chart's signals in words (`spc.words.explain`), at most MAX_SENTENCES of them."""
    sentences = explain(result, limit=MAX_SENTENCES)
    more = count_sentences(result) - len(sentences)
    if not more:
        return tuple(sentences)
    return (*sentences, f"And {more} more like these, all shown on the chart.")


def _finite(value: object) -> object:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _phases(
    dates: list[dt.date], redesign: dt.date | None, what: str
) -> tuple[tuple[int, ...], tuple[str, ...]]:
    """The parts option for a redesign date, and a note when it cannot start a phase."""
    if redesign is None or not dates:
        return (), ()
    before = sum(d < redesign for d in dates)
    when = f"{redesign.day} {redesign:%B %Y}"
    if before == 0:
        note = f"The redesign date ({when}) is on or before the first {what}: "
        return (), (note + "the whole chart is after it.",)
    if before == len(dates):
        note = f"The redesign date ({when}) is after the last {what}: "
        return (), (note + f"no {what} is after it yet.",)
    return (before,), ()


def failure_chart(by_month: pl.DataFrame, redesign: dt.date | None = None) -> DemandChart:
    """The monthly failure share as a p chart (percent; lower is better), from `shares.
    by_month`; months with no contacts are left out."""
    months = by_month.filter(pl.col("contacts") > 0).sort("month")
    value_title = "% failure demand"
    if months.height < 2:
        note = "There are too few months with contacts to chart yet (at least 2 are needed)."
        return DemandChart(FAILURE_TITLE, value_title, None, notes=(note,))
    dates: list[dt.date] = months["month"].to_list()
    month_starts = [d.replace(day=1) for d in dates]
    parts, notes = _phases(month_starts, redesign.replace(day=1) if redesign else None, "month")
    series = Series(
        y=months["failure"].cast(pl.Float64).to_numpy().astype(np.float64),
        n=months["contacts"].cast(pl.Float64).to_numpy().astype(np.float64),
        labels=tuple(d.isoformat() for d in dates),
    )
    options = SpcOptions(
        chart=ChartType.P, parts=parts, multiply=100.0, improvement=Improvement.DOWN
    )
    result = spc(series, options)
    return DemandChart(FAILURE_TITLE, value_title, result, signals=_words(result), notes=notes)


def capability_chart(
    found_cases: pl.DataFrame,
    first: dt.date,
    last: dt.date,
    *,
    redesign: dt.date | None = None,
    to: str = "help",
) -> DemandChart:
    """The end-to-end days of the cases whose right help (`to="help"`) or right assessment
    (`to="assessment"`) started from `first` to `last`, in order of their first contact, as
    an I chart, with the capability of the latest phase in a sentence. `found_cases` is
    `flow.cases`."""
    if to not in ("help", "assessment"):
        raise ValueError(f'to must be "help" or "assessment", not {to!r}')
    start, days = (
        ("HELP_START", "DAYS_TO_HELP")
        if to == "help"
        else (
            "ASSESSMENT_START",
            "DAYS_TO_ASSESSMENT",
        )
    )
    title = HELP_TITLE if to == "help" else ASSESSMENT_TITLE
    target = "the right help" if to == "help" else "the right assessment"
    points = found_cases.filter(
        pl.col(start).is_between(first, last) & pl.col(days).is_not_null()
    ).sort("FIRST_CONTACT", start, days)
    notes = list(_waiting_note(found_cases, to))
    if points.height < 2:
        notes.insert(
            0, f"Too few cases reached {target} in the period to chart (at least 2 are needed)."
        )
        return DemandChart(title, "Days", None, notes=tuple(notes))
    dates: list[dt.date] = points["FIRST_CONTACT"].to_list()
    parts, phase_notes = _phases(dates, redesign, "case's first contact")
    series = Series(
        y=points[days].cast(pl.Float64).to_numpy().astype(np.float64),
        # Day first, so each point is named as a day (an ISO date on the 1st reads as a month).
        labels=tuple(f"{d:%d/%m/%Y}" for d in dates),
    )
    result = spc(series, SpcOptions(chart=ChartType.I, parts=parts, improvement=Improvement.DOWN))
    lower, upper, sentence = _capability(result, target)
    return DemandChart(
        title,
        "Days",
        result,
        signals=_words(result),
        capability=sentence,
        lower=lower,
        upper=upper,
        notes=tuple(notes) + phase_notes,
    )


def _capability(result: SpcResult, target: str) -> tuple[float | None, float | None, str | None]:
    """The latest phase's natural process limits (lower floored at 0) and the sentence."""
    points = result.points
    latest = points.filter(pl.col("part") == points["part"].max())
    lcl, ucl = latest["lcl"].to_list()[-1], latest["ucl"].to_list()[-1]
    if lcl is None or ucl is None or not (math.isfinite(lcl) and math.isfinite(ucl)):
        return None, None, None
    lower, upper = max(float(lcl), 0.0), float(ucl)
    phase = " since the redesign" if len(result.parts) > 1 else ""
    sentence = (
        f"The system predictably takes between {format_number(lower)} and "
        f"{format_number(upper)} days from first contact to {target}{phase}."
    )
    if any(s.part == latest["part"][0] for s in result.signals):
        sentence += (
            " But the chart shows signals that are unlikely to be chance, so the system is not "
            "stable and this range is no reliable forecast until they are understood."
        )
    return lower, upper, sentence


def _waiting_note(found_cases: pl.DataFrame, to: str) -> tuple[str, ...]:
    """How many cases are still waiting, which the chart cannot show."""
    column = "HELP_START" if to == "help" else "ASSESSMENT_START"
    waiting = found_cases.filter(pl.col(column).is_null())
    if not waiting.height:
        return ()
    what = "the right help" if to == "help" else "an assessment"
    longest = waiting["DAYS_WAITING"].max() if to == "help" else None
    tail = f"; the longest has waited {longest} days so far" if isinstance(longest, int) else ""
    one = waiting.height == 1
    cases = "1 case has" if one else f"{waiting.height} cases have"
    return (f"{cases} not reached {what} yet, so {'is' if one else 'are'} not on the chart{tail}.",)
