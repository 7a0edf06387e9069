"""How fast drift and timeliness are worked out, for one LA and for a whole nation.

1. One LA: 5,000 children over 10 collection years (synthetic), imported into SQLite.
   Times loading the journeys from the database, then the drift list (England and Moray
   rule sets) and the timeliness figures (scorecard, rule performance, waiting times,
   stability). Goal (issue 3): drift and timeliness under 1 second.
2. A nation: 150 LAs of about 500 children in care each, made by copying one synthetic
   LA's journeys 150 times under different child IDs (the measures are vectorised over
   children, so this is the same work as 150 real LAs). Goal: under 30 seconds and 4 GB.

    uv run python benchmarks/drift_speed.py [--children 5000] [--las 150]
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import polars as pl

from carejourney import imports
from carejourney.config.rules import load_rule_set
from carejourney.journeys.stored import Journeys, load
from carejourney.measures import summaries
from carejourney.measures.scorecard import scorecard
from carejourney.measures.stability import stability
from carejourney.store import database
from carejourney.synth.ssda903 import write_returns


def timed(work: Callable[[], object]) -> tuple[float, object]:
    start = time.perf_counter()
    result = work()
    return time.perf_counter() - start, result


def synthetic_journeys(children: int, years: int, folder: Path) -> Journeys:
    write_returns(folder / "returns", children=children, years=years, seed=1, la="999")
    engine = database.connect(str(folder / "bench.db"))
    assert imports.import_returns(engine, [folder / "returns"], la="999").stored
    with engine.connect() as conn:
        journeys = load(conn, "999")
    engine.dispose()
    return journeys


def measures(journeys: Journeys, as_at: dt.date) -> dict[str, float]:
    rule_sets = [load_rule_set("england"), load_rule_set("pace-moray")]
    year_end = dt.date(2026, 3, 31)
    seconds: dict[str, float] = {}
    seconds["drift list"], due = timed(lambda: summaries.drift_list(journeys, rule_sets, as_at))
    seconds["rule performance"], _ = timed(lambda: summaries.rule_performance(due))  # type: ignore[arg-type]
    seconds["scorecard"], _ = timed(
        lambda: scorecard(journeys.periods, journeys.milestones, journeys.placements, year_end)
    )
    seconds["waiting times"], _ = timed(
        lambda: summaries.waiting_times(journeys, rule_sets[0], as_at)
    )
    seconds["stability"], _ = timed(
        lambda: stability(journeys.periods, journeys.placements, journeys.children, year_end)
    )
    return seconds


def nation(one: Journeys, las: int) -> Journeys:
    """`las` copies of one LA's journeys, each child given its LA's prefix."""

    def copies(frame: pl.DataFrame) -> pl.DataFrame:
        return pl.concat(
            [frame.with_columns(CHILD=pl.lit(f"{n:03d}-") + pl.col("CHILD")) for n in range(las)]
        )

    return Journeys(
        la="all",
        history=copies(one.history),
        periods=copies(one.periods),
        placements=copies(one.placements),
        milestones=copies(one.milestones),
        children=copies(one.children),
        workers=copies(one.workers),
        allocations=copies(one.allocations),
        data_ends=one.data_ends,
    )


def report(title: str, seconds: dict[str, float]) -> None:
    print(title)
    for name, value in seconds.items():
        print(f"  {name:<18} {value:6.2f} s")
    print(f"  {'total':<18} {sum(seconds.values()):6.2f} s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--las", type=int, default=150)
    parser.add_argument(
        "--la-children", type=int, default=2000, help="children per copied LA (~500 in care)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        big = synthetic_journeys(args.children, args.years, Path(tmp) / "big")
        engine = database.connect(str(Path(tmp) / "big" / "bench.db"))
        with engine.connect() as conn:
            load_seconds, _ = timed(lambda: load(conn, "999"))
        as_at = summaries.default_as_at(big)
        in_care = big.periods.filter(pl.col("end").is_null()).height
        print(
            f"One LA: {args.children:,} children over {args.years} years, {in_care:,} in care "
            f"at {as_at:%d/%m/%Y}; loading its journeys from SQLite took {load_seconds:.2f} s"
        )
        measures(big, as_at)  # warm up (rule files, holiday tables)
        report("  drift and timeliness:", measures(big, as_at))

        one = synthetic_journeys(args.la_children, args.years, Path(tmp) / "one")
        whole = nation(one, args.las)
        in_care = whole.periods.filter(pl.col("end").is_null()).height
        print(
            f"\nA nation: {args.las} LAs, {whole.children.height:,} children, {in_care:,} in "
            f"care at {as_at:%d/%m/%Y}"
        )
        report("  drift and timeliness:", measures(whole, as_at))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"\nPeak memory of this process: {peak:.2f} GB")
    print("Goals: one LA under 1 s; a nation under 30 s and 4 GB.")


if __name__ == "__main__":
    main()
