"""How fast the diagnostic report is made for 150 LAs side by side.

One synthetic LA of 2,500 children over 10 collection years (about 550 in care at each
31 March, 435 to 646: an average English LA) is imported into SQLite as in drift_speed.py,
and its stored rows are then copied, inside the database, to 149 more LA codes (every table
with an `la` column but the access log): 150 LAs of real size, set up in seconds rather
than by importing 150 sets of returns. Then the same function `carejourney report` calls,
`reports.making.make_reports`, makes every LA's HTML and XLSX report and the comparison.
Goal (issue 5): 150 LAs side by side in under 2 minutes.

    uv run python benchmarks/comparison_speed.py [--children 2500] [--las 150] [--workers N]
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import os
import tempfile
import time
from pathlib import Path

import polars as pl
from drift_speed import synthetic_journeys  # beside this script
from sqlalchemy import Engine, insert, literal, select

from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.reports.comparison import load_national
from carejourney.reports.making import Progress, ReportOptions, make_reports
from carejourney.store import database
from carejourney.store.tables import access_log, metadata

SOURCE = "999"  # the code drift_speed.synthetic_journeys imports the LA under


def copy_la(engine: Engine, source: str, codes: list[str]) -> int:
    """Copy every stored row of LA `source` to each of `codes`, in SQL; the rows copied.
    `id` is left out, so each copy gets its own; `batch_id` still names the import."""
    copied = 0
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            if "la" not in table.c or table is access_log:
                continue
            columns = [c for c in table.c if c.name != "id"]
            for code in codes:
                values = [literal(code).label("la") if c.name == "la" else c for c in columns]
                query = select(*values).where(table.c.la == source)
                copied += conn.execute(insert(table).from_select(columns, query)).rowcount
    return copied


def in_care(periods: pl.DataFrame, day: dt.date) -> int:
    on_day = (pl.col("start") <= day) & (pl.col("end").is_null() | (pl.col("end") > day))
    return periods.filter(on_day)["CHILD"].n_unique()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--children", type=int, default=2500)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--las", type=int, default=150)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    args = parser.parse_args()
    codes = [str(850 + n) for n in range(args.las - 1)]
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        one = synthetic_journeys(args.children, args.years, Path(folder))
        synthesised = time.perf_counter()
        engine = database.connect(str(Path(folder) / "bench.db"))
        rows = copy_la(engine, SOURCE, codes)
        copied = time.perf_counter()
        last = one.data_ends or dt.date.today()
        counts = [in_care(one.periods, dt.date(last.year - n, 3, 31)) for n in range(args.years)]
        print(
            f"{args.las} LAs, each of {args.children:,} children over {args.years} years "
            f"({min(counts)} to {max(counts)} in care at 31 March, "
            f"{sum(counts) / len(counts):.0f} on average):"
        )
        print(f"  one LA synthesised and imported  {synthesised - start:6.2f} s")
        print(f"  copied to {args.las - 1} more LAs in SQL    {copied - synthesised:6.2f} s")
        print(f"      ({rows:,} rows)")

        options = ReportOptions(
            rule_sets=(load_rule_set("england"),),
            unit_costs=load_unit_costs(),
            national=load_national(),
            formats=("html", "xlsx"),
        )
        stages: dict[str, float] = {}
        began = time.perf_counter()

        def note(step: Progress) -> None:
            stages.setdefault(step.stage, time.perf_counter())

        out = Path(folder) / "reports"
        os.environ.setdefault("CAREJOURNEY_PSEUDONYM_SALT", "00" * 32)  # no salt file made
        paths = make_reports(engine, None, options, out, progress=note, workers=args.workers)
        finished = time.perf_counter()
        engine.dispose()
    marks = [*stages.items(), ("end", finished)]
    workers = min(args.workers or os.cpu_count() or 1, args.las)
    print(f"  every LA's report and the comparison, {workers} worker processes:")
    labels = {"building": "starting workers, building", "recording": "recording (access log)"}
    for (stage, at), (_, following) in itertools.pairwise(marks):
        print(f"      {labels.get(stage, stage):<30} {following - at:6.2f} s")
    print(
        f"  {len(paths)} files (HTML, XLSX) in all   {finished - began:6.2f} s (goal: under 120 s)"
    )


if __name__ == "__main__":
    main()
