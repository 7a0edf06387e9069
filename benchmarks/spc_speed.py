"""How fast SPC is: one long series, and every aim of a nation.

1. One chart of 10,000 points, for each chart type and rule set: the analysis (`spc`)
   and, for the i chart, rendering the SVG. Goal (issue 4): well under a second.
2. Every aim of 150 LAs: 4 aims each (Moray's three PACE aims and the CELCIS aim), each
   charted two ways: % met per month as a p chart (60 months) and days taken per child as
   an i chart (about 150 children per aim). 1,200 analyses. Goal: seconds.

The series are random but shaped like the real ones (binomial monthly counts; skewed
days), so the work is the same as for real aims; building the series from journeys is
timed by benchmarks/drift_speed.py (it is the due-dates calculation).

    uv run python benchmarks/spc_speed.py [--points 10000] [--las 150]
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, RuleSetName, Series, SpcOptions
from carejourney.reports.charts import render


def timed(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


COUNTS = (ChartType.P, ChartType.P_PRIME, ChartType.U, ChartType.U_PRIME, ChartType.C)
WITH_N = (
    ChartType.P,
    ChartType.P_PRIME,
    ChartType.U,
    ChartType.U_PRIME,
    ChartType.XBAR,
    ChartType.S,
)


def best_of_3(series: Series, options: SpcOptions) -> float:
    return min(timed(partial(spc, series, options))[0] for _ in range(3))


def long_series(points: int, rng: np.random.Generator) -> None:
    n = rng.integers(20, 80, points).astype(np.float64)
    counts = rng.binomial(n.astype(np.int64), 0.4).astype(np.float64)
    days = rng.gamma(4.0, 50.0, points)
    spread = rng.uniform(5, 15, points)
    print(f"One series of {points:,} points (seconds, best of 3):")
    for chart in ChartType:
        series = Series(
            y=counts if chart in COUNTS else days,
            n=n if chart in WITH_N else None,
            sd=spread if chart in (ChartType.XBAR, ChartType.S) else None,
        )
        line = [
            f"{rules.value} {best_of_3(series, SpcOptions(chart=chart, rules=rules)):.3f}"
            for rules in RuleSetName
        ]
        print(f"  {chart.value:<5} " + ", ".join(line))
    result = spc(Series(y=days), SpcOptions(chart=ChartType.I))
    render(result, title="warm-up", value_title="Days")  # starts the renderer once
    start = time.perf_counter()
    svg = render(result, title="10,000 points", value_title="Days").svg
    seconds = time.perf_counter() - start
    print(f"  rendering the i chart to SVG: {seconds:.2f} s ({len(svg) / 1e6:.1f} MB)")


def nation(las: int, rng: np.random.Generator) -> None:
    series = []
    for _ in range(las * 4):
        due = rng.integers(3, 12, 60).astype(np.float64)
        met = rng.binomial(due.astype(np.int64), 0.6).astype(np.float64)
        series.append((Series(y=met, n=due), ChartType.P))
        series.append((Series(y=rng.gamma(4.0, 50.0, 150)), ChartType.I))
    seconds, _ = timed(
        lambda: [
            spc(s, SpcOptions(chart=chart, multiply=100 if chart is ChartType.P else 1))
            for s, chart in series
        ]
    )
    print(
        f"Every aim of {las} LAs: {len(series):,} analyses in {seconds:.2f} s "
        f"({1000 * seconds / len(series):.1f} ms each)."
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=10_000)
    parser.add_argument("--las", type=int, default=150)
    args = parser.parse_args()
    rng = np.random.default_rng(20261122)
    long_series(args.points, rng)
    nation(args.las, rng)


if __name__ == "__main__":
    main()
