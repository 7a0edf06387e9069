"""How fast 2,000 case audits are summarised for the QA meeting.

2,000 synthetic audits over 24 months (`carejourney.synth.audits`: 8 domain grades each,
themes, some moderated, grades improving after a training month) are recorded in a SQLite
database as the web app records them (`quality.audits.record_audits`), with 200 actions and
300 management alerts. Then the same calls `carejourney audits summary` makes are timed:
`measures.audits.audit_frames` (the LA's audits, grades, themes, actions and alerts, one
query each) and `summarise_audits` (every measure and the grade trend's p chart). Goal
(issue 8): 2,000 audits summarised "instantly", well under 0.5 seconds.

    uv run python benchmarks/audit_speed.py [--audits 2000] [--months 24]
"""

from __future__ import annotations

import argparse
import datetime as dt
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import Engine, insert

from carejourney.config.audits import load_template
from carejourney.measures.audits import audit_frames, summarise_audits
from carejourney.quality.audits import Source, record_audits
from carejourney.store import database
from carejourney.store.tables import management_alert, qa_action
from carejourney.synth.audits import synthetic_audits

LA = "999"
FIRST = dt.date(2024, 1, 1)
NOW = dt.datetime(2026, 1, 1, 12, tzinfo=dt.UTC)


def best_of(runs: int, work: Callable[[], object]) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return min(times), result


def write(engine: Engine, audits: int, months: int, seed: int) -> dt.date:
    """Synthetic audits, actions and alerts for LA 999; gives the last day they cover."""
    per_month = -(-audits // months)
    children = [(f"C{n:05d}", f"Team {n % 6 + 1}") for n in range(max(600, per_month))]
    made = synthetic_audits(
        seed=seed, la=LA, children=children, first_month=FIRST, months=months, per_month=per_month
    )[:audits]
    rng = np.random.default_rng(seed)
    stamp = {"created_at": NOW, "created_by": "benchmark"}
    actions = [
        {
            "la": LA,
            "title": f"Action {n}",
            "origin": "audit",
            "owner": f"Manager {n % 9}",
            "due": FIRST + dt.timedelta(days=int(rng.integers(0, months * 30))),
            "status": ("open", "in progress", "done", "dropped")[int(rng.integers(0, 4))],
            **stamp,
        }
        for n in range(200)
    ]
    alerts = []
    for n in range(300):
        raised = dt.datetime.combine(FIRST, dt.time(9), dt.UTC) + dt.timedelta(
            days=int(rng.integers(0, months * 30))
        )
        answered = raised + dt.timedelta(days=int(rng.integers(0, 20)))
        alerts.append(
            {
                "la": LA,
                "child": f"C{n:05d}",
                "concern": "drift",
                "raised_by": "IRO",
                "raised_role": "IRO",
                "raised_at": raised,
                "responded_at": answered if rng.random() < 0.8 else None,
                "resolved_at": answered + dt.timedelta(days=30) if rng.random() < 0.5 else None,
            }
        )
    with engine.begin() as conn:
        record_audits(conn, LA, made, who="benchmark", source=Source.SYNTHETIC)
        conn.execute(insert(qa_action), actions)
        conn.execute(insert(management_alert), alerts)
    month0 = FIRST.year * 12 + FIRST.month - 1 + months
    return dt.date(month0 // 12, month0 % 12 + 1, 1) - dt.timedelta(days=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=2000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--seed", type=int, default=20261101)
    args = parser.parse_args()
    template = load_template("case-audit")
    with tempfile.TemporaryDirectory() as folder:
        engine = database.connect(str(Path(folder) / "bench.db"))
        as_at = write(engine, args.audits, args.months, args.seed)
        with engine.connect() as conn:
            loading, loaded = best_of(5, lambda: audit_frames(conn, LA))
        frames: Any = loaded
        summarising, summary = best_of(
            5, lambda: summarise_audits(frames, template, as_at=as_at, months=12)
        )
        engine.dispose()
    print(
        f"{frames.audits.height:,} audits over {args.months} months "
        f"({frames.grades.height:,} domain grades, {frames.themes.height:,} themes, "
        f"{frames.actions.height} actions, {frames.alerts.height} alerts), best of 5:"
    )
    print(f"  loading from SQLite (audit_frames):  {loading:.3f} s")
    print(f"  summarising (summarise_audits):      {summarising:.3f} s")
    print(f"  together:                            {loading + summarising:.3f} s (goal: < 0.5 s)")
    print(f"  (share good over the last 12 months: {getattr(summary, 'percent_good', 0):.0f}%)")


if __name__ == "__main__":
    main()
