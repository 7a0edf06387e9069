"""How fast a large LA's returns are checked and imported.

Synthesises 5,000 children over 10 collection years, then times:
  - Polars alone reading every CSV file (the floor: no checks, no database);
  - `check` (read + every check, nothing stored);
  - `import` into a new SQLite file (read + checks + store + stitching).
Goal (issue 2): import under 10 s on a 2-core machine, and within 3x of Polars alone.

    uv run python benchmarks/import_speed.py [--children 5000] [--years 10]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import polars as pl

from carejourney import imports
from carejourney.store import database
from carejourney.synth.ssda903 import write_returns


def best_of(runs: int, work: object) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        work()  # type: ignore[operator]
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--children", type=int, default=5000)
    parser.add_argument("--years", type=int, default=10)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "returns"
        start = time.perf_counter()
        files = write_returns(folder, children=args.children, years=args.years, seed=1, la="999")
        synth_seconds = time.perf_counter() - start
        csvs = sorted(p for p in files if p.suffix == ".csv")
        rows = sum(pl.read_csv(p, infer_schema=False).height for p in csvs)
        megabytes = sum(p.stat().st_size for p in csvs) / 1e6

        polars_seconds = best_of(
            args.runs, lambda: [pl.read_csv(p, infer_schema=False) for p in csvs]
        )
        check_seconds = best_of(args.runs, lambda: imports.check([folder]))

        def import_once() -> None:
            db = Path(tmp) / f"bench-{time.perf_counter_ns()}.db"
            engine = database.connect(str(db))
            outcome = imports.import_returns(engine, [folder], la="999")
            assert outcome.stored, outcome.problems[:3]
            engine.dispose()

        import_seconds = best_of(args.runs, import_once)

    print(
        f"synthetic LA: {args.children:,} children, {args.years} years, {len(csvs)} CSV files, "
        f"{rows:,} rows, {megabytes:.1f} MB (written in {synth_seconds:.2f} s)"
    )
    print(f"polars read_csv alone : {polars_seconds:6.2f} s")
    check_ratio = check_seconds / polars_seconds
    import_ratio = import_seconds / polars_seconds
    print(f"carejourney check     : {check_seconds:6.2f} s  ({check_ratio:.1f}x polars)")
    print(f"carejourney import    : {import_seconds:6.2f} s  ({import_ratio:.1f}x polars)")
    print("goal: import < 10 s and < 3x polars")
    print(f"(best of {args.runs} runs each; import includes creating the database tables)")


if __name__ == "__main__":
    main()
