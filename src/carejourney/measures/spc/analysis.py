"""`spc`: one series analysed as a run or control chart, part by part.

Each part (phase) gets its own centre and limits, taken from its baseline: its points that
are not excluded and, in the first part, not after a frozen baseline. The runs analysis of
a part counts every point of it that is not excluded (qicharts2's convention: a frozen
baseline's centre is extended over the later points, which are then judged against it).
"""

from __future__ import annotations

from dataclasses import replace
from enum import StrEnum

import numpy as np
import polars as pl

from carejourney.measures.spc import mdc
from carejourney.measures.spc.limits import check, limits
from carejourney.measures.spc.rules import RuleOutcome, apply_rules
from carejourney.measures.spc.types import (
    AssuranceIcon,
    ChartType,
    Flags,
    Floats,
    Limits,
    PartSummary,
    RuleSetName,
    Series,
    Signal,
    SignalKind,
    SpcOptions,
    SpcResult,
    VariationIcon,
)

FLAG_COLUMNS = tuple(kind.value.replace(" ", "_") for kind in SignalKind)
# Crossings and the number of runs judge a whole part, not any one point: they flag every
# useful point of it, so counting them in `signal` would mark a whole part as signalling.
PART_WIDE = (SignalKind.FEW_CROSSINGS, SignalKind.FEW_RUNS, SignalKind.MANY_RUNS)
POINT_COLUMNS = tuple(
    column for kind, column in zip(SignalKind, FLAG_COLUMNS, strict=True) if kind not in PART_WIDE
)


class SpcOptionsError(ValueError):
    """Options that do not fit the series, in words the user can act on."""


def spc(series: Series, options: SpcOptions | None = None) -> SpcResult:
    """Analyse `series` as `options` say (default: a run chart with Anhøj's rules)."""
    options = options or SpcOptions()
    check(options.chart, series)  # before splitting, so a bad point is named by its number
    size = len(series)
    bounds = _part_bounds(size, options)
    excluded = _mask(size, options.exclude, "exclude")
    astronomical = _mask(size, options.astronomical, "astronomical")
    pieces: list[tuple[int, int, Limits, Flags, RuleOutcome]] = []
    for part, (start, end) in enumerate(bounds, start=1):
        include = ~excluded[start:end]
        baseline = include.copy()
        if part == 1 and options.freeze is not None:
            baseline[options.freeze :] = False
        part_limits = limits(
            options.chart,
            _slice(series, start, end),
            baseline,
            screen=options.screen_moving_ranges,
            multiply=options.multiply,
        )
        outcome = apply_rules(
            options.rules,
            part_limits,
            include,
            part=part,
            offset=start,
            astronomical=astronomical[start:end],
            improvement=options.improvement,
        )
        if options.chart is ChartType.MR:
            outcome = _limits_only(outcome)
        pieces.append((start, end, part_limits, baseline, outcome))
    points = _points(series, excluded, pieces)
    variation, assurance = _icons(pieces, options)
    return SpcResult(
        options=options,
        points=points,
        parts=tuple(_summary(part, s, e, lim, o) for part, (s, e, lim, _, o) in _numbered(pieces)),
        signals=tuple(sorted(_signals(pieces), key=lambda s: (s.first, s.last, s.kind))),
        variation=variation,
        assurance=assurance,
    )


def _limits_only(outcome: RuleOutcome) -> RuleOutcome:
    """Moving ranges overlap (each point shares a value with the next), so runs of them
    are not independent: as qicharts2, an mr chart is judged by its limits alone."""
    kind = SignalKind.OUTSIDE_LIMITS
    return replace(
        outcome,
        flags={k: f for k, f in outcome.flags.items() if k is kind},
        signals=tuple(s for s in outcome.signals if s.kind is kind),
        runs_signal=False,
    )


def _part_bounds(size: int, options: SpcOptions) -> list[tuple[int, int]]:
    if size == 0:
        raise SpcOptionsError("There are no points to chart.")
    breaks = list(options.parts)
    if breaks != sorted(set(breaks)) or any(not 1 <= b < size for b in breaks):
        raise SpcOptionsError(
            f"Parts must be given as point numbers in increasing order between 1 and "
            f"{size - 1} (a new part starts after each), not {', '.join(map(str, breaks))}."
        )
    starts, ends = [0, *breaks], [*breaks, size]
    if options.freeze is not None and not 2 <= options.freeze <= ends[0]:
        raise SpcOptionsError(
            f"The frozen baseline must be between 2 and {ends[0]} points "
            f"(the points of the first part), not {options.freeze}."
        )
    return list(zip(starts, ends, strict=True))


def _mask(size: int, indices: tuple[int, ...], option: str) -> Flags:
    wrong = [i for i in indices if not 1 <= i <= size]
    if wrong:
        raise SpcOptionsError(
            f"{option}: there is no point {wrong[0]}; the points are numbered 1 to {size}."
        )
    mask = np.zeros(size, dtype=np.bool_)
    mask[[i - 1 for i in indices]] = True
    return mask


def _slice(series: Series, start: int, end: int) -> Series:
    return Series(
        y=series.y[start:end],
        n=None if series.n is None else series.n[start:end],
        sd=None if series.sd is None else series.sd[start:end],
        labels=None if series.labels is None else series.labels[start:end],
    )


def _numbered(
    pieces: list[tuple[int, int, Limits, Flags, RuleOutcome]],
) -> list[tuple[int, tuple[int, int, Limits, Flags, RuleOutcome]]]:
    return list(enumerate(pieces, start=1))


def _summary(part: int, start: int, end: int, lim: Limits, o: RuleOutcome) -> PartSummary:
    return PartSummary(
        part=part,
        first=start + 1,
        last=end,
        cl=_centre(lim),
        n_obs=o.n_obs,
        n_useful=o.n_useful,
        longest_run=o.longest_run,
        longest_run_max=o.longest_run_max,
        n_crossings=o.n_crossings,
        n_crossings_min=o.n_crossings_min,
        runs_signal=o.runs_signal,
        n_runs=o.n_runs,
        runs_min=o.runs_min,
        runs_max=o.runs_max,
        sigma_signals=o.sigma_signals,
    )


def _centre(lim: Limits) -> float:
    """The part's centre line: constant for every chart (weighted where limits vary)."""
    finite = lim.cl[np.isfinite(lim.cl)]
    return float(finite[0]) if finite.size else float("nan")


def _signals(pieces: list[tuple[int, int, Limits, Flags, RuleOutcome]]) -> list[Signal]:
    return [signal for *_, outcome in pieces for signal in outcome.signals]


def _points(
    series: Series, excluded: Flags, pieces: list[tuple[int, int, Limits, Flags, RuleOutcome]]
) -> pl.DataFrame:
    size = len(series)

    def joined(field: str) -> Floats:
        return np.concatenate([getattr(lim, field) for _, _, lim, _, _ in pieces])

    flags = {
        column: np.concatenate(
            [o.flags.get(kind, np.zeros(e - s, np.bool_)) for s, e, _, _, o in pieces]
        )
        for kind, column in zip(SignalKind, FLAG_COLUMNS, strict=True)
    }
    frame = pl.DataFrame(
        {
            "index": np.arange(1, size + 1, dtype=np.int64),
            "label": list(series.labels) if series.labels is not None else [None] * size,
            "y": series.y.astype(np.float64),
            "n": series.n.astype(np.float64) if series.n is not None else [None] * size,
            "value": joined("value"),
            "part": np.concatenate(
                [np.full(e - s, p, np.int64) for p, (s, e, *_) in enumerate(pieces, start=1)]
            ),
            "baseline": np.concatenate([b for _, _, _, b, _ in pieces]),
            "excluded": excluded,
            **{f: joined(f) for f in ("cl", "lcl", "ucl", "lcl_2sigma", "ucl_2sigma")},
            **flags,
        },
        schema_overrides={"label": pl.String, "n": pl.Float64},
    )
    frame = frame.with_columns(pl.col(pl.Float64).fill_nan(None))
    return frame.with_columns(signal=pl.any_horizontal(POINT_COLUMNS))


def _icons(
    pieces: list[tuple[int, int, Limits, Flags, RuleOutcome]],
    options: SpcOptions,
) -> tuple[VariationIcon | None, AssuranceIcon | None]:
    """Making Data Count's icons, from the latest point and the latest part's limits. Only
    under its rules: the icons summarise its tests, not Anhøj's or IHI's."""
    if options.rules is not RuleSetName.MDC or options.chart is ChartType.RUN:
        return None, None
    *_, (_, _, lim, _, outcome) = pieces
    variation = mdc.point_type_icon(outcome.point_types[-1]) if outcome.point_types else None
    assurance = mdc.assurance_icon(lim, options.target, options.improvement)
    return variation, assurance


def as_dict(result: SpcResult) -> dict[str, object]:
    """The analysis as plain data (for --json and web pages): options, parts, signals,
    icons and one record per point; missing limits are None."""
    return {
        "options": {k: _plain(v) for k, v in vars(result.options).items()},
        "parts": [vars(part) for part in result.parts],
        "signals": [{k: _plain(v) for k, v in vars(s).items()} for s in result.signals],
        "variation": _plain(result.variation),
        "assurance": _plain(result.assurance),
        "points": result.points.to_dicts(),
    }


def _plain(value: object) -> object:
    if isinstance(value, StrEnum):
        return value.value
    if isinstance(value, tuple):
        return list(value)
    return value
