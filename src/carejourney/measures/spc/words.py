"""An SPC result in plain words, for a social-work manager rather than a statistician.

`explain` gives one sentence per signal (what happened, where, and whether it is likely to
be chance), or, for a part without signals, one sentence saying honestly that the variation
is what chance alone would produce, or that there are too few points to judge yet.
`summary` is the chart's text alternative (what a screen reader reads instead of the
picture). `describe_icons` puts Making Data Count's variation and assurance icons in words.

Points are named by their labels: an ISO date on the 1st of a month is a month ("March
2019"), as monthly measures are dated; any other ISO date is a day ("5 March 2019"); any
other label is shown as given; a point without a label is "point 7". Month names are
spelled here rather than taken from the locale so the words are the same on every server.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl

from carejourney.measures.spc.types import (
    AssuranceIcon,
    ChartType,
    Improvement,
    PartSummary,
    Side,
    Signal,
    SignalKind,
    SpcResult,
    VariationIcon,
)

# The runs rules have little power below this many useful points (points not on the
# centre line): Anhøj's critical values start at 10, and IHI's runs table at 10 too.
MIN_USEFUL_POINTS = 10

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)

# An ISO date, optionally with a midnight time (what a datetime column becomes as text).
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[T ]00:00(?::00(?:\.0+)?)?)?$")
_DAY_FIRST = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")

CHART_NAMES: dict[ChartType, str] = {
    ChartType.RUN: "run chart",
    ChartType.I: "control chart of individual values (I chart)",
    ChartType.MR: "moving range chart (MR chart)",
    ChartType.XBAR: "control chart of subgroup averages (X-bar chart)",
    ChartType.S: "control chart of subgroup standard deviations (S chart)",
    ChartType.T: "control chart of the time between rare events (T chart)",
    ChartType.P: "control chart of proportions (P chart)",
    ChartType.P_PRIME: "control chart of proportions with Laney's adjustment (P-prime chart)",
    ChartType.C: "control chart of counts (C chart)",
    ChartType.U: "control chart of rates (U chart)",
    ChartType.U_PRIME: "control chart of rates with Laney's adjustment (U-prime chart)",
    ChartType.G: "control chart of the number of cases between rare events (G chart)",
}

# Runs rules count from the median on run and g charts (types.Limits.centre_for_runs); the
# other charts' centre is a mean, plainly one for these, weighted or transformed for the rest.
_MEDIAN_CHARTS = (ChartType.RUN, ChartType.G)
_MEAN_CHARTS = (ChartType.I, ChartType.MR, ChartType.XBAR, ChartType.C)

# Signals about the runs around the centre line, which need enough points to judge.
_RUNS_KINDS = (
    SignalKind.LONG_RUN,
    SignalKind.FEW_CROSSINGS,
    SignalKind.SHIFT,
    SignalKind.FEW_RUNS,
    SignalKind.MANY_RUNS,
)


def point_name(label: str | None, index: int, *, short: bool = False) -> str:
    """How a point is named in words: "March 2019", "5 March 2019", the label, "point 7".

    `short` abbreviates month names ("Mar 2019") and names an unlabelled point by its number
    alone, for axis labels where space is tight."""
    if label is None or not label.strip():
        return str(index) if short else f"point {index}"
    iso, day_first = _ISO_DATE.match(label.strip()), _DAY_FIRST.match(label.strip())
    if iso is not None:
        year, month, day = (int(part) for part in iso.groups())
    elif day_first is not None:
        day, month, year = (int(part) for part in day_first.groups())
    else:
        return label
    if not 1 <= month <= 12 or not 1 <= day <= 31:
        return label
    name = MONTHS[month - 1][:3] if short else MONTHS[month - 1]
    # An ISO date on the 1st stands for its month (monthly points are dated so); a date
    # written day first is a day, as the points of a per-child chart are.
    return f"{name} {year}" if day == 1 and iso is not None else f"{day} {name} {year}"


def format_number(value: float) -> str:
    """A value as a person would write it: 3 significant figures or so, no exponent,
    no trailing zeros ("12.5", "0.425", "1,234")."""
    if not math.isfinite(value):
        return "not known"
    size = abs(value)
    if size >= 100:
        text = f"{value:,.0f}"
    elif size >= 10:
        text = f"{value:.1f}"
    elif size >= 1:
        text = f"{value:.2f}"
    else:
        text = f"{value:.3f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def centre_name(chart: ChartType) -> str:
    """What the centre line is, in words: "the median", "the mean" or "the centre line"."""
    if chart in _MEDIAN_CHARTS:
        return "the median"
    if chart in _MEAN_CHARTS:
        return "the mean"
    return "the centre line"


def explain(result: SpcResult, limit: int | None = None) -> list[str]:
    """One sentence per signal, part by part, in time order; for a part with no signals, one
    sentence saying so (or that it has too few points for the runs rules to judge yet).

    With `limit`, only the first `limit` sentences are written (a chart of thousands of
    cases can have hundreds of signals, and each sentence takes some work);
    `count_sentences` says how many there are in all."""
    return [sentence() for sentence in _sentences(result)[:limit]]


def count_sentences(result: SpcResult) -> int:
    """How many sentences `explain` gives for `result`, without writing them."""
    return len(_sentences(result))


def _sentences(result: SpcResult) -> list[Callable[[], str]]:
    """`explain`'s sentences, each still to be written."""
    words = _Words(result)
    sentences: list[Callable[[], str]] = []
    shown: set[Signal] = set()
    for part in words.parts:
        own = sorted(
            (s for s in result.signals if s.part == part.part),
            key=lambda s: (s.first, s.last, s.kind),
        )
        sentences.extend(partial(words.signal, s) for s in own)
        shown.update(own)
        if not own:
            sentences.append(partial(words.no_signal, part))
        elif part.n_useful < MIN_USEFUL_POINTS and not any(s.kind in _RUNS_KINDS for s in own):
            sentences.append(partial(words.too_few_for_runs, part))
    # A signal naming a part the result does not list is still reported, never dropped.
    sentences.extend(partial(words.signal, s) for s in result.signals if s not in shown)
    return sentences


def summary(result: SpcResult) -> str:
    """One paragraph describing the chart for someone who cannot see it: its type, points,
    dates, each part's centre and limits, the target, and how many signals there are."""
    return _Words(result).summary()


def describe_icons(result: SpcResult) -> list[str]:
    """Making Data Count's variation and assurance icons in words (empty when not set)."""
    words = _Words(result)
    sentences: list[str] = []
    if result.variation is not None:
        sentences.append(words.variation(result.variation))
    if result.assurance is not None:
        sentences.append(words.assurance(result.assurance))
    return sentences


@dataclass(frozen=True)
class _Point:
    index: int
    label: str | None
    value: float | None
    cl: float | None
    lcl: float | None
    ucl: float | None
    part: int
    excluded: bool


class _Words:
    """The result's points looked up by index, and the sentences built from them."""

    def __init__(self, result: SpcResult) -> None:
        self.result = result
        self.options = result.options
        self.centre = centre_name(self.options.chart)
        self.points = _points(result.points)
        self.parts = result.parts or _parts_from_points(self.points)
        self.several_parts = len(self.parts) > 1

    # Naming points and stretches of points.

    def name(self, index: int) -> str:
        point = self.points.get(index)
        return point_name(point.label if point else None, index)

    def span(self, first: int, last: int) -> str:
        """Where a stretch of points is: from March 2019 to October 2019, or for one point
        in March 2019 (a month), on 5 March 2019 (a day) or at point 7 (anything else)."""
        if first == last:
            name = self.name(first)
            point = self.points.get(first)
            dated = point is not None and point.label and name != point.label
            if not dated:
                return f"at {name}"
            return f"{'on' if name[0].isdigit() else 'in'} {name}"
        return f"from {self.name(first)} to {self.name(last)}"

    def listing(self, indices: Sequence[int]) -> str:
        """Up to four points by name; more as the first and last."""
        names = [self.name(i) for i in indices]
        if len(names) > 4:
            return f"from {names[0]} to {names[-1]}"
        if len(names) == 1:
            return names[0]
        return ", ".join(names[:-1]) + " and " + names[-1]

    def where_part(self, part: PartSummary) -> str:
        """Where a part is (" from March 2019 to May 2020 (part 2)"), when there are several."""
        if not self.several_parts:
            return ""
        return f" {self.span(part.first, part.last)} (part {part.part})"

    def flagged(self, signal: Signal, column: str) -> list[int]:
        """The points from first to last that the signal's rule flags (all of them when the
        points frame has no such column or flags none, so a sentence never names nothing)."""
        span = range(signal.first, signal.last + 1)
        flags = (
            self.result.points.get_column(column) if column in self.result.points.columns else None
        )
        indices = self.result.points.get_column("index")
        marked = set() if flags is None else set(indices.filter(flags.fill_null(False)).to_list())
        flagged = [i for i in span if i in marked]
        return flagged or list(span)

    # Judging whether a change is for the better.

    def judgement(self, side: Side | None) -> str:
        improvement = self.options.improvement
        if side is None or improvement is None:
            return ""
        better = "higher" if improvement is Improvement.UP else "lower"
        good = (side is Side.ABOVE) == (improvement is Improvement.UP)
        return f"; as {better} is better, this is {'an improvement' if good else 'a concern'}"

    def side_of_limits(self, indices: Sequence[int]) -> Side | None:
        """Above or below, when every point is on the same side of its centre line."""
        sides = set()
        for i in indices:
            point = self.points.get(i)
            if point is None or point.value is None or point.cl is None:
                return None
            sides.add(Side.ABOVE if point.value > point.cl else Side.BELOW)
        return sides.pop() if len(sides) == 1 else None

    # Sentences.

    def signal(self, signal: Signal) -> str:
        kind = signal.kind
        count = signal.length if signal.length is not None else signal.last - signal.first + 1
        if kind in (SignalKind.LONG_RUN, SignalKind.SHIFT):
            side = _by_side(signal.side, "above", "below", "on the same side of")
            return (
                f"{_points_text(count)} in a row {side} {self.centre} "
                f"{self.span(signal.first, signal.last)}: a shift — this is unlikely to be "
                f"chance{self.judgement(signal.side)}."
            )
        if kind is SignalKind.TREND:
            way = _by_side(signal.side, "going up", "going down", "going the same way")
            return (
                f"{_points_text(count)} in a row {way} "
                f"{self.span(signal.first, signal.last)}: a trend — this is unlikely to be "
                f"chance{self.judgement(signal.side)}."
            )
        if kind is SignalKind.FEW_CROSSINGS:
            return self.few_crossings(signal)
        if kind in (SignalKind.FEW_RUNS, SignalKind.MANY_RUNS):
            return self.runs(signal)
        if kind is SignalKind.OUTSIDE_LIMITS:
            return self.outside_limits(signal)
        if kind is SignalKind.TWO_OF_THREE:
            return self.two_of_three(signal)
        return self.astronomical(signal)

    def part_of(self, signal: Signal) -> PartSummary | None:
        return next((p for p in self.parts if p.part == signal.part), None)

    def few_crossings(self, signal: Signal) -> str:
        part = self.part_of(signal)
        crossings = signal.length
        if crossings is None and part is not None:
            crossings = part.n_crossings
        expected = signal.expected
        if expected is None and part is not None:
            expected = part.n_crossings_min
        useful = part.n_useful if part else signal.last - signal.first + 1
        if crossings is None:
            how_often = f"crosses {self.centre} too rarely"
        elif crossings == 0:
            how_often = f"never crosses {self.centre}"
        elif crossings == 1:
            how_often = f"crosses {self.centre} only once"
        else:
            how_often = f"crosses {self.centre} only {crossings} times"
        where = self.where_part(part) if part else ""
        chance = f" (at least {expected} would be expected by chance)" if expected else ""
        return (
            f"The line {how_often} in {_points_text(useful)}{where}{chance}: "
            f"the process has probably changed."
        )

    def runs(self, signal: Signal) -> str:
        part = self.part_of(signal)
        many = signal.kind is SignalKind.MANY_RUNS
        runs = signal.length
        if runs is None and part is not None:
            runs = part.n_runs
        limit = signal.expected
        if limit is None and part is not None:
            limit = part.runs_max if many else part.runs_min
        useful = part.n_useful if part else signal.last - signal.first + 1
        where = self.where_part(part) if part else ""
        counted = f"{runs} runs" if runs is not None else "runs"
        if many:
            chance = f" (no more than {limit} would be expected by chance)" if limit else ""
            return (
                f"Too many runs: {counted} of points on one side of {self.centre} in "
                f"{_points_text(useful)}{where}{chance}: the values swap sides more often "
                f"than chance would — check whether the data mix two sources or processes."
            )
        chance = f" (at least {limit} would be expected by chance)" if limit else ""
        return (
            f"Too few runs: only {counted} of points on one side of {self.centre} in "
            f"{_points_text(useful)}{where}{chance}: the process has probably changed."
        )

    def outside_limits(self, signal: Signal) -> str:
        indices = self.flagged(signal, "outside_limits")
        side = signal.side or self.side_of_limits(indices)
        where = _by_side(
            side, "above the upper limit", "below the lower limit", "outside the limits"
        )
        return (
            f"{_points_text(len(indices))} {where} ({self.listing(indices)}): unlikely to be "
            f"chance — look for a special cause{self.judgement(side)}."
        )

    def two_of_three(self, signal: Signal) -> str:
        indices = self.flagged(signal, "two_of_three")
        side = signal.side or self.side_of_limits(indices)
        limit = _by_side(side, "the upper limit", "the lower limit", "a limit")
        return (
            f"2 of 3 points in a row close to {limit} (more than two thirds of the way from "
            f"{self.centre} to it) {self.span(signal.first, signal.last)}: an early warning "
            f"— this is unlikely to be chance{self.judgement(side)}."
        )

    def astronomical(self, signal: Signal) -> str:
        indices = self.flagged(signal, "astronomical_point")
        side = signal.side or self.side_of_limits(indices)
        was = "was" if len(indices) == 1 else "were"
        return _capitalised(
            f"{self.listing(indices)} {was} marked as obviously different from the rest (an "
            f"astronomical point): unlikely to be chance — look for a special "
            f"cause{self.judgement(side)}."
        )

    def no_signal(self, part: PartSummary) -> str:
        if part.n_useful < MIN_USEFUL_POINTS:
            return self.too_few_for_runs(part, no_signal=True)
        where = self.where_part(part)
        return (
            f"No signals{where}: the variation in these {_points_text(part.n_obs)} is what "
            f"chance alone would produce (common cause variation)."
        )

    def too_few_for_runs(self, part: PartSummary, *, no_signal: bool = False) -> str:
        where = self.where_part(part)
        few = f"only {_points_text(part.n_useful)}"
        if part.n_useful != part.n_obs:
            few += f" off {self.centre}"
        need = f"(they need at least {MIN_USEFUL_POINTS})"
        if no_signal and self.has_limits(part):
            return (
                f"No point is outside the limits{where}, but with {few} the runs rules "
                f"cannot judge yet whether anything has changed {need}."
            )
        if no_signal:
            return (
                f"No signals yet{where}: with {few} the runs rules cannot judge whether "
                f"anything has changed {need}."
            )
        return (
            f"With {few}{where}, the runs rules cannot judge yet whether anything else has "
            f"changed {need}."
        )

    def has_limits(self, part: PartSummary) -> bool:
        return any(
            p.ucl is not None or p.lcl is not None
            for p in self.points.values()
            if p.part == part.part
        )

    # The text alternative.

    def summary(self) -> str:
        options = self.options
        points = list(self.points.values())
        sentences = [self.opening(points)]
        sentences.extend(self.part_values(part) for part in self.parts)
        if options.freeze is not None:
            limits = self.any_limits()
            lines = "The centre line and limits" if limits else "The centre line"
            whose = " of the first part" if self.several_parts else ""
            come, are = ("come", "are") if limits else ("comes", "is")
            sentences.append(
                f"{lines}{whose} {come} from the first {options.freeze} points (the "
                f"baseline) and {are} extended over the points after them."
            )
        if options.target is not None:
            sentences.append(f"The target is {format_number(options.target)}.")
        if options.improvement is not None:
            better = "Higher" if options.improvement is Improvement.UP else "Lower"
            sentences.append(f"{better} is better.")
        excluded = sum(p.excluded for p in points)
        if excluded:
            sentences.append(
                f"{_points_text(excluded)} {'is' if excluded == 1 else 'are'} left out of "
                f"the calculations (drawn hollow)."
            )
        sentences.append(self.signal_count())
        return " ".join(sentences)

    def opening(self, points: list[_Point]) -> str:
        chart = CHART_NAMES.get(self.options.chart, f"{self.options.chart.value} chart")
        text = f"A {chart} of {_points_text(len(points))}"
        if points:
            first, last = points[0].index, points[-1].index
            if first != last:
                text += f", from {self.name(first)} to {self.name(last)}"
        return text + "."

    def any_limits(self) -> bool:
        return any(p.ucl is not None or p.lcl is not None for p in self.points.values())

    def part_values(self, part: PartSummary) -> str:
        rows = [p for p in self.points.values() if p.part == part.part]
        head = (
            f"Part {part.part}, {self.span(part.first, part.last)} "
            f"({_points_text(part.last - part.first + 1)}): "
            if self.several_parts
            else ""
        )
        word = self.centre.removeprefix("the ")
        cl = part.cl if math.isfinite(part.cl) else _first([p.cl for p in rows])
        values = [f"{word} {format_number(cl)}" if cl is not None else f"{word} not known"]
        for name, column in (("lower limit", "lcl"), ("upper limit", "ucl")):
            found = [getattr(p, column) for p in rows if getattr(p, column) is not None]
            if not found:
                continue
            low, high = min(found), max(found)
            if format_number(low) == format_number(high):
                values.append(f"{name} {format_number(low)}")
            else:
                values.append(
                    f"{name} between {format_number(low)} and {format_number(high)} "
                    f"(it varies with each point's size)"
                )
        text = ", ".join(values)
        return f"{head}{text}." if head else f"{text[0].upper()}{text[1:]}."

    def signal_count(self) -> str:
        signals = self.result.signals
        if not signals:
            return "There are no signals."
        ordered = sorted(signals, key=lambda s: (s.first, s.last, s.kind))
        # The list stays short enough to be read out: the words below the chart have all.
        described = [f"{self.short_name(s)} {self.span(s.first, s.last)}" for s in ordered[:5]]
        if len(ordered) > 5:
            described.append(f"and {len(ordered) - 5} more")
        count = "1 signal" if len(signals) == 1 else f"{len(signals)} signals"
        return f"{count}: {'; '.join(described)}."

    def short_name(self, signal: Signal) -> str:
        """A signal named in a few words, for the text alternative's list."""
        side = signal.side
        if signal.kind is SignalKind.OUTSIDE_LIMITS:
            count = len(self.flagged(signal, "outside_limits"))
            where = _by_side(side, "above the upper limit", "below the lower limit", "outside")
            return f"{_points_text(count)} {where}" + ("" if side else " the limits")
        if signal.kind in (SignalKind.LONG_RUN, SignalKind.SHIFT):
            return f"a shift {_by_side(side, 'above', 'below', 'away from')} {self.centre}"
        if signal.kind is SignalKind.TREND:
            return f"a trend {_by_side(side, 'going up', 'going down', '')}".strip()
        if signal.kind is SignalKind.TWO_OF_THREE:
            limit = _by_side(side, "the upper limit", "the lower limit", "a limit")
            return f"2 of 3 points close to {limit}"
        return {
            SignalKind.FEW_CROSSINGS: f"too few crossings of {self.centre}",
            SignalKind.FEW_RUNS: "too few runs",
            SignalKind.MANY_RUNS: "too many runs",
            SignalKind.ASTRONOMICAL: "an astronomical point",
        }.get(signal.kind, signal.kind.value)

    # Making Data Count's icons.

    def variation(self, icon: VariationIcon) -> str:
        direction = self.direction()
        return {
            VariationIcon.COMMON: (
                "Common cause variation: the latest point shows no signal; the process is "
                "behaving as it has been."
            ),
            VariationIcon.IMPROVEMENT: (
                f"Special cause variation — improvement: the latest point is part of a "
                f"signal in the better direction{direction}."
            ),
            VariationIcon.CONCERN: (
                f"Special cause variation — concern: the latest point is part of a signal in "
                f"the worse direction{direction}."
            ),
            VariationIcon.HIGHER: (
                "Special cause variation, higher: the latest point is part of a signal of "
                "higher values (no direction of improvement is set, so it is neither good "
                "nor bad)."
            ),
            VariationIcon.LOWER: (
                "Special cause variation, lower: the latest point is part of a signal of "
                "lower values (no direction of improvement is set, so it is neither good "
                "nor bad)."
            ),
        }[icon]

    def direction(self) -> str:
        if self.options.improvement is None:
            return ""
        return f" ({'higher' if self.options.improvement is Improvement.UP else 'lower'} is better)"

    def assurance(self, icon: AssuranceIcon) -> str:
        target = self.options.target
        named = f"the target ({format_number(target)})" if target is not None else "the target"
        return {
            AssuranceIcon.PASS: (
                f"Assurance: {named} lies outside the limits on the good side, so the "
                f"process will consistently meet it unless something changes."
            ),
            AssuranceIcon.FAIL: (
                f"Assurance: {named} lies outside the limits on the wrong side, so the "
                f"process will not meet it without a change to how the work is done."
            ),
            AssuranceIcon.HIT_AND_MISS: (
                f"Assurance: {named} lies between the limits, so the process will meet it "
                f"some of the time and miss it some of the time, at random; meeting it "
                f"reliably needs a change to how the work is done."
            ),
        }[icon]


def _by_side(side: Side | None, above: str, below: str, neither: str) -> str:
    if side is Side.ABOVE:
        return above
    return below if side is Side.BELOW else neither


def _capitalised(text: str) -> str:
    """A sentence starting with a point's name ("point 7 was ...") starts with a capital."""
    return text[:1].upper() + text[1:]


def _points_text(count: int | None) -> str:
    if count is None:
        return "points"
    return "1 point" if count == 1 else f"{count} points"


def _first(values: Sequence[float | None]) -> float | None:
    return next((v for v in values if v is not None), None)


def _number_or_none(value: object) -> float | None:
    if value is None:
        return None
    number = float(value)  # type: ignore[arg-type]  # polars gives float or int here
    return number if math.isfinite(number) else None


def _points(frame: pl.DataFrame) -> dict[int, _Point]:
    """The points frame as plain records keyed by their 1-based index (column by column:
    polars hands over whole columns far faster than it builds row dictionaries)."""
    size = frame.height

    def column(name: str) -> list[Any]:
        return frame.get_column(name).to_list() if name in frame.columns else [None] * size

    points: dict[int, _Point] = {}
    for index, label, value, cl, lcl, ucl, part, excluded in zip(
        column("index"),
        column("label"),
        column("value"),
        column("cl"),
        column("lcl"),
        column("ucl"),
        column("part"),
        column("excluded"),
        strict=True,
    ):
        points[int(index)] = _Point(
            index=int(index),
            label=None if label is None else str(label),
            value=_number_or_none(value),
            cl=_number_or_none(cl),
            lcl=_number_or_none(lcl),
            ucl=_number_or_none(ucl),
            part=int(part) if part is not None else 1,
            excluded=bool(excluded),
        )
    return dict(sorted(points.items()))


def _parts_from_points(points: dict[int, _Point]) -> tuple[PartSummary, ...]:
    """Parts as the points frame gives them, for a result built without part summaries
    (no runs counts: only where each part starts and ends, and how many points it has)."""
    found: dict[int, list[_Point]] = {}
    for point in points.values():
        found.setdefault(point.part, []).append(point)
    parts = []
    for part, rows in sorted(found.items()):
        kept = sum(not p.excluded for p in rows)
        cl = _first([p.cl for p in rows])
        parts.append(
            PartSummary(
                part=part,
                first=rows[0].index,
                last=rows[-1].index,
                cl=cl if cl is not None else float("nan"),
                n_obs=kept,
                n_useful=kept,
                longest_run=0,
                longest_run_max=0,
                n_crossings=0,
                n_crossings_min=0,
                runs_signal=False,
            )
        )
    return tuple(parts)
