"""What the drift and timeliness views show, from one LA's journeys: plain functions the
command line and the web app both call."""

from __future__ import annotations

import dataclasses
import datetime as dt

import polars as pl

from carejourney.config.rules import RuleSet, Unit
from carejourney.journeys.stored import Journeys
from carejourney.measures.calendar import age_on
from carejourney.measures.drift import caseload, due_dates
from carejourney.measures.routes import legal_routes
from carejourney.measures.survival import kaplan_meier, median_time, reached_by, time_to_milestone

OPEN = ("overdue", "reminder due", "on track")


def default_as_at(journeys: Journeys, today: dt.date | None = None) -> dt.date:
    """The latest day the data speaks for, and never after today: returns describe their
    collection year only, so 'as at today' would call everything since then overdue."""
    today = today or dt.date.today()
    return min(journeys.data_ends or today, today)


def all_due_dates(journeys: Journeys, rule_sets: list[RuleSet], as_at: dt.date) -> pl.DataFrame:
    """`due_dates` of every rule set, stacked, with the rule set's name in `rule_set`."""
    return pl.concat(
        [
            due_dates(
                rule_set,
                journeys.milestones,
                journeys.periods,
                journeys.children,
                as_at,
                journeys.placements,
            ).with_columns(rule_set=pl.lit(rule_set.name))
            for rule_set in rule_sets
        ],
        how="vertical",
    )


def drift_list(journeys: Journeys, rule_sets: list[RuleSet], as_at: dt.date) -> pl.DataFrame:
    """Every due milestone under every rule set, with the child's worker (SW_ID as at
    `as_at`, else the allocation list's), team (allocation list), route (of the period of
    care) and age as at `as_at`; open rows first, most urgent first
    (see `measures.drift.caseload`)."""
    due = all_due_dates(journeys, rule_sets, as_at)
    workers = (
        journeys.workers.filter(
            (pl.col("SW_DECOM") <= as_at)
            & (pl.col("SW_DEC").is_null() | (pl.col("SW_DEC") >= as_at))
        )
        .sort("SW_DECOM")
        .group_by("CHILD")
        .agg(worker=pl.col("SW_ID").last())
    )
    ages = journeys.children.select(
        "CHILD",
        age=age_on(pl.col("DOB"), pl.lit(as_at, pl.Date)),
    )
    # The route as known at `as_at`: only milestones and placements by then count.
    routes = legal_routes(
        journeys.periods.filter(pl.col("start") <= as_at).with_columns(
            exit_reason=pl.when(pl.col("end") <= as_at).then(pl.col("exit_reason"))
        ),
        journeys.milestones.filter(pl.col("date") <= as_at),
        journeys.placements.filter(pl.col("start") <= as_at),
    )
    urgent = caseload(due, as_at)
    rest = due.filter(~pl.col("status").is_in(OPEN)).sort("CHILD", "period", "due_date")
    return (
        pl.concat([urgent, rest], how="vertical")
        .join(workers, on="CHILD", how="left", maintain_order="left")
        .join(ages, on="CHILD", how="left", maintain_order="left")
        .join(routes, on=["CHILD", "period"], how="left", maintain_order="left")
        .join(
            # One row per child, whatever the list holds: a child listed twice (the web
            # app's admin can allocate as well as the import) would repeat every deadline.
            journeys.allocations.unique("CHILD", keep="last", maintain_order=True).select(
                "CHILD", team="TEAM", _allocated="WORKER"
            ),
            on="CHILD",
            how="left",
            maintain_order="left",
        )
        # The allocation list is today's; the return's social worker is as at `as_at`.
        .with_columns(worker=pl.coalesce("worker", "_allocated"))
        .drop("_allocated")
    )


def rule_performance(due: pl.DataFrame) -> pl.DataFrame:
    """Per rule: how many fell due by the as-at date, how many were met on time, met late
    or are overdue, the % on time, and the spread of days taken by those met (quartiles
    and median, from the milestone that started the clock)."""
    counted = due.filter(pl.col("status").is_in(["met on time", "met late", "overdue"]))
    taken = (pl.col("met_date") - pl.col("from_date")).dt.total_days()
    return (
        counted.group_by("rule_set", "rule", "title", maintain_order=True)
        .agg(
            due=pl.len(),
            on_time=(pl.col("status") == "met on time").sum(),
            late=(pl.col("status") == "met late").sum(),
            overdue=(pl.col("status") == "overdue").sum(),
            quartile_1_days=taken.filter(pl.col("met_date").is_not_null()).quantile(0.25),
            median_days=taken.filter(pl.col("met_date").is_not_null()).median(),
            quartile_3_days=taken.filter(pl.col("met_date").is_not_null()).quantile(0.75),
        )
        .with_columns(percent_on_time=(100 * pl.col("on_time") / pl.col("due")).round(1))
    )


def waiting_times(
    journeys: Journeys, rule_set: RuleSet, as_at: dt.date, due: pl.DataFrame | None = None
) -> pl.DataFrame:
    """Time-to-milestone for each forward, non-repeating rule (Kaplan-Meier: children
    still waiting count as censored): median days and the share reached by 6, 12, 18
    months. Review cycles and counting-back rules have no single clock, so are left out.

    Only periods of care in the rule's cohort count: those with a row for the rule in `due`
    (the rule set's `due_dates` as at `as_at`, worked out here when not given)."""
    if due is None:
        due = due_dates(
            rule_set,
            journeys.milestones,
            journeys.periods,
            journeys.children,
            as_at,
            journeys.placements,
        )
    rows = []
    for rule in rule_set.rules:
        if rule.occurrence is not None or rule.unit is Unit.FULL_WORKING_DAYS_BEFORE:
            continue
        cohort = due.filter(pl.col("rule") == rule.name).select("CHILD", "period").unique()
        waits = time_to_milestone(
            journeys.periods, journeys.milestones, rule.from_milestone, rule.to_milestone, as_at
        ).join(cohort, on=["CHILD", "period"], how="semi")
        if waits.is_empty():
            rows.append({"rule": rule.name, "title": rule.title, "children": 0, "reached": 0})
            continue
        km = kaplan_meier(waits, observed="observed", duration="days")
        median = median_time(km).row(0, named=True)
        reached = reached_by(km)["reached"].to_list()
        rows.append(
            {
                "rule": rule.name,
                "title": rule.title,
                "children": waits.height,
                "reached": int(waits["observed"].sum()),
                "median_days": median["median"],
                "reached_by_6_months": reached[0],
                "reached_by_12_months": reached[1],
                "reached_by_18_months": reached[2],
            }
        )
    return pl.DataFrame(rows)


def cohort(
    journeys: Journeys, entered_from: dt.date | None, entered_before: dt.date | None
) -> Journeys:
    """The journeys of the periods of care that began in [entered_from, entered_before):
    their periods, placements and milestones only (None: no limit)."""
    if entered_from is None and entered_before is None:
        return journeys
    start = pl.col("start")
    keep = journeys.periods.filter(
        (start >= entered_from if entered_from else pl.lit(True))
        & (start < entered_before if entered_before else pl.lit(True))
    )
    keys = keep.select("CHILD", "period")
    return dataclasses.replace(
        journeys,
        periods=keep,
        placements=journeys.placements.join(keys, on=["CHILD", "period"], how="semi"),
        milestones=journeys.milestones.join(keys, on=["CHILD", "period"], how="semi"),
    )
