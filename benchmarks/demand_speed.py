"""How fast the demand measures are worked out for a large LA's front door.

Synthetic demand (`synth.demand.synthetic_demand`, 57% failure demand) for about 60,000
contacts in the year to as_at, plus the year before (which the rules, right first time and
cases look back at). Times `summarise` as a whole -- goal (issue 7): under 2 seconds -- and
each part on its own: classification, shares, right first time, cases, the capability and
failure charts, re-referrals, decision and assessment timeliness, what matters. Each time is
the best of `--repeat` runs (the first run also pays for polars' and the bank holidays'
one-off set-up, so it is shown too).

    uv run python benchmarks/demand_speed.py [--contacts 60000] [--repeat 3] [--seed 1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from collections.abc import Callable

import polars as pl

from carejourney.config.demand import load_demand_rules
from carejourney.measures.demand import flow, matters, referrals, shares, timeliness
from carejourney.measures.demand.charts import capability_chart, failure_chart
from carejourney.measures.demand.classify import agreement, classify
from carejourney.measures.demand.common import months_between, period_start
from carejourney.measures.demand.data import DemandData
from carejourney.measures.demand.summary import summarise
from carejourney.synth.demand import synthetic_demand

AS_AT = dt.date(2025, 3, 31)
FIRST_DAY = dt.date(2023, 4, 1)  # the year to as_at and the year before it
YEAR_START = dt.date(2024, 4, 1)
NATION = "england-and-wales"


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """(first run, best run) in seconds, and the result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = work()
        times.append(time.perf_counter() - start)
    return times[0], min(times), result


def in_year(data: DemandData) -> int:
    return data.contacts.filter(pl.col("CONTACT_DATE").is_between(YEAR_START, AS_AT)).height


def demand(contacts: int, seed: int) -> DemandData:
    """Synthetic demand with about `contacts` contacts in the year to as_at: the number of
    families is scaled from a small pilot."""

    def make(families: int) -> DemandData:
        return synthetic_demand(
            seed=seed, families=families, first_day=FIRST_DAY, last_day=AS_AT, failure_share=0.57
        )

    pilot = 5_000
    per_family = in_year(make(pilot)) / pilot
    return make(round(contacts / per_family))


def parts(data: DemandData, repeat: int) -> dict[str, tuple[float, float]]:
    rules = load_demand_rules()
    start = period_start(AS_AT, 12)
    months = months_between(start, AS_AT)
    known = data.contacts.filter(pl.col("CONTACT_DATE") <= AS_AT)
    seconds: dict[str, tuple[float, float]] = {}

    def run(name: str, work: Callable[[], object]) -> object:
        first, best, result = timed(work, repeat)
        seconds[name] = (first, best)
        return result

    classified = run("classification (all contacts)", lambda: classify(known, rules))
    assert isinstance(classified, pl.DataFrame)
    period = classified.filter(pl.col("CONTACT_DATE") >= start)
    run("agreement", lambda: agreement(period))
    by_month = run(
        "shares (month, source, team, type)",
        lambda: (
            shares.by_month(period, months),
            shares.by_group(period, "SOURCE"),
            shares.by_group(period, "TEAM"),
            shares.failure_types(period),
        )[0],
    )
    run(
        "right first time (+ by month)",
        lambda: flow.right_first_time_by_month(flow.right_first_time(known, AS_AT), months),
    )
    assessed = timeliness.assessments_of(data)
    cases = run("cases and end-to-end", lambda: flow.cases(known, assessed, data.help, AS_AT))
    assert isinstance(cases, pl.DataFrame) and isinstance(by_month, pl.DataFrame)
    run(
        "capability charts (help, assessment)",
        lambda: (
            capability_chart(cases, start, AS_AT),
            capability_chart(cases, start, AS_AT, to="assessment"),
        ),
    )
    run("failure share p chart", lambda: failure_chart(by_month))
    found, _ = referrals.referrals_of(data)
    run("re-referrals", lambda: referrals.by_month(referrals.rereferrals(found), months))
    run(
        "decision timeliness",
        lambda: timeliness.by_month(
            timeliness.decisions(period, AS_AT, NATION), "CONTACT_DATE", "DECISION_STATUS", months
        ),
    )
    run("assessment timeliness", lambda: timeliness.assessments(assessed, found, AS_AT, NATION))
    run(
        "what matters",
        lambda: (matters.what_matters(period), matters.what_matters_by_month(period)),
    )
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=60_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()

    made, _, data = timed(lambda: demand(args.contacts, args.seed), 1)
    assert isinstance(data, DemandData)
    print(
        f"Synthetic demand: {data.contacts.height:,} contacts ({in_year(data):,} in the year to "
        f"{AS_AT:%d/%m/%Y}), {data.assessments.height:,} assessments, {data.help.height:,} "
        f"help, {data.cin_referrals.height:,} CIN census referrals; made in {made:.2f} s"
    )
    rules = load_demand_rules()
    first, best, summary = timed(
        lambda: summarise(data, as_at=AS_AT, rules=rules, nation=NATION), args.repeat
    )
    print(f"\nsummarise: {best:.3f} s (best of {args.repeat}; first run {first:.3f} s) -- goal 2 s")
    print(f"\nEach part (best of {args.repeat}; first run in brackets):")
    for name, (once, fastest) in parts(data, args.repeat).items():
        print(f"  {name:<40} {fastest:7.3f} s  ({once:.3f} s)")
    headline = summary.headline  # type: ignore[attr-defined]
    print(
        f"\nContacts {headline.contacts:,}, failure {headline.failure_pct:.1f}%, "
        f"right first time {headline.right_first_time_pct or 0:.1f}%, "
        f"re-referrals {headline.re_referral_pct or 0:.1f}%"
    )


if __name__ == "__main__":
    main()
