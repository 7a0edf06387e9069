"""Timeliness by stage of a journey: how long each step between two milestones takes.

A *route* is the stages a journey passes through, declared once in `ROUTES` (adoption,
special guardianship, child arrangements order, return home, Scotland's permanence order,
and the adopters' journey). `stage_times` gives one row per child, period of care and
stage; `stage_summary` the median and spread per stage; `where_drift_concentrates` names
the stage where the delay is, in one sentence; `shortest_and_longest` ranks finished
journeys. The adopters' journey (Annex A list 11) is timed by `measures.adopters`, on the
same rules and the route `ROUTES["adopters"]`.

Rules (the words a team manager would use):

- Each milestone's date is its *first* date in the period of care on or before `as_at`.
  A child matched twice (the first match fell through) is timed from the first match, so
  the time lost shows in the stage "match to placed", not "placement order to match".
- A stage is *completed* when both its milestones are dated: days = to - from. A `to`
  dated before its `from` counts as 0 days (the scorecard's A2 counts a match before the
  placement order as 0).
- A stage is *skipped* when one of its milestones is missing but the child has gone past
  it (a later milestone of the route is dated): a child placed for adoption with parental
  consent has no placement order, so "decision to placement order" and "placement order to
  match" are skipped - not 0 days - and left out of medians.
- Otherwise, a stage whose `from` is dated and whose `to` is not is *waiting* (still in
  care at `as_at`: days so far = as_at - from, censored) or *left care* (the period ended
  by `as_at`: days = leaving care - from, censored at leaving).
- A period whose route starts at entering care but began before the loaded history
  (no RNE S, so no entered_care date) has status *start not known* for that first stage.
- Which periods count (`COHORTS`): adoption - periods whose legal route
  (`measures.routes.legal_routes`, as known at `as_at`) is adoption; special
  guardianship, child arrangements order and return home - the route of the exit, so only
  children who left care that way count (no plan milestone dates these routes earlier, so
  nobody is "waiting"); Scotland's permanence routes - every period of care, because PACE
  Aim 2 (a permanence recommendation within 6 months) applies to every child accommodated.
  Periods of short breaks only are left out.

Thresholds (`Stage.threshold_days` or `Stage.threshold_months`): A1 426 days and A2 121
days are the 2013-16 scorecard thresholds (`../shared/DOMAIN-FACTS.md`, "Adoption
timeliness (England)", and the shipped rule set `adoption-scorecard`); PACE Aim 2 and
Moray's aims and the ADM's 14 days are from DOMAIN-FACTS "Scotland" and the rule sets
`scotland` and `pace-moray`; the adopters' 2 and 4 months and "about 6 months" are from
DOMAIN-FACTS "Adopters' journey". A stage whose threshold DOMAIN-FACTS does not verify has
`verified` False, and reports must say so. 426 days exactly is within (end inclusive).
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.journeys.stored import Journeys
from carejourney.measures.calendar import add_months
from carejourney.measures.routes import legal_routes
from carejourney.measures.stage_routes import COHORTS, ROUTES, Stage
from carejourney.measures.survival import kaplan_meier, median_time

COMPLETED = "completed"
WAITING = "waiting"
SKIPPED = "skipped"
LEFT_CARE = "left care"
START_NOT_KNOWN = "start not known"
STATUSES = (COMPLETED, WAITING, SKIPPED, LEFT_CARE, START_NOT_KNOWN)


# How a sentence names each milestone: "between {from} and {to}".
PHRASES = {
    "entered_care": "entering care",
    "adoption_decision": "the decision that the child should be placed for adoption",
    "placement_order": "the placement order",
    "matched": "the match",
    "placed_for_adoption": "moving in with the adopters",
    "adoption_order": "the adoption order",
    "special_guardianship_order": "the special guardianship order",
    "child_arrangements_order": "the child arrangements order",
    "returned_home": "returning home",
    "permanence_recommendation": "the permanence recommendation",
    "panel": "the panel",
    "agency_decision": "the agency decision",
    "permanence_order_lodged": "lodging the permanence order",
    "permanence_order_granted": "the permanence order being granted",
    "adopter_enquiry": "the adopters' enquiry",
    "adopter_registration": "their registration of interest",
    "adopter_stage_one_completed": "the stage 1 decision",
    "adopter_stage_two_started": "the start of stage 2",
    "adopter_approved": "approval",
    "adopter_matched": "the match",
    "adopter_child_placed": "a child moving in",
}

TIMES_SCHEMA = {
    "route": pl.String,
    "stage": pl.String,
    "stage_number": pl.Int64,
    "overall": pl.Boolean,
    "period": pl.Int64,
    "from_date": pl.Date,
    "to_date": pl.Date,
    "days": pl.Int64,
    "status": pl.String,
    "threshold_days": pl.Int64,
    "over_threshold": pl.Boolean,
}


def _stages(route: str) -> tuple[Stage, ...]:
    if route not in ROUTES:
        raise ValueError(f"unknown route {route!r}; the routes are {', '.join(ROUTES)}")
    return ROUTES[route]


def _milestone_order(stages: tuple[Stage, ...]) -> list[str]:
    """The route's milestones in journey order, from its (non-overall) steps."""
    order: list[str] = []
    for stage in (s for s in stages if not s.overall):
        order += [m for m in (stage.from_milestone, stage.to_milestone) if m not in order]
    return order


def _stage_rows(wide: pl.DataFrame, keys: list[str], route: str, as_at: dt.date) -> pl.DataFrame:
    """One row per subject and stage from `wide`: keys, one date column per milestone of the
    route (its first date, null if none), `_end` (left care by as_at, else null) and
    `_start_known`. Stages neither reached nor passed have no row."""
    stages = _stages(route)
    order = _milestone_order(stages)
    cut = pl.lit(as_at, pl.Date)
    parts = []
    for number, stage in enumerate(stages, start=1):  # a handful of stages, not children
        start, stop = pl.col(stage.from_milestone), pl.col(stage.to_milestone)
        beyond = order[order.index(stage.to_milestone) + 1 :]
        passed = pl.any_horizontal(pl.lit(False), *[pl.col(m).is_not_null() for m in beyond])
        # Only the route's first milestone (entering care) can be missing because the loaded
        # history begins after it; any other missing milestone was skipped.
        first = stage.from_milestone == order[0]
        unknown_start = ~pl.col("_start_known") if first else pl.lit(False)
        status = (
            pl.when(start.is_null() & unknown_start)
            .then(pl.lit(START_NOT_KNOWN))
            .when(start.is_null() & (stop.is_not_null() | passed))
            .then(pl.lit(SKIPPED))
            .when(start.is_null())
            .then(pl.lit(None, pl.String))  # not reached yet: no row
            .when(stop.is_not_null())
            .then(pl.lit(COMPLETED))
            .when(passed)
            .then(pl.lit(SKIPPED))
            .when(pl.col("_end").is_not_null())
            .then(pl.lit(LEFT_CARE))
            .otherwise(pl.lit(WAITING))
        )
        to_date = pl.when(_is(LEFT_CARE)).then(pl.col("_end")).otherwise(stop)
        end = pl.when(_is(WAITING)).then(cut).otherwise(to_date)
        counted = _is(COMPLETED) | _is(WAITING) | _is(LEFT_CARE)
        # A `to` before its `from` was reached before the stage began: 0 days, as A2 does.
        days = pl.when(counted).then((end - start).dt.total_days().clip(lower_bound=0))
        if stage.threshold_months is not None:
            over = end > add_months(start, stage.threshold_months)
        elif stage.threshold_days is not None:
            over = pl.col("days") > stage.threshold_days
        else:
            over = pl.lit(None, pl.Boolean)
        parts.append(
            wide.with_columns(status=status)
            .filter(pl.col("status").is_not_null())
            .with_columns(days=days)
            .select(
                *keys,
                route=pl.lit(route),
                stage=pl.lit(stage.name),
                stage_number=pl.lit(number, pl.Int64),
                overall=pl.lit(stage.overall),
                from_date=start,
                to_date=to_date,
                days="days",
                status="status",
                threshold_days=pl.lit(stage.threshold_days, pl.Int64),
                # Left care: never known whether it would have been in time.
                over_threshold=pl.when(_is(COMPLETED) | _is(WAITING)).then(over),
            )
        )
    schema = {k: pl.String for k in keys if k != "period"} | TIMES_SCHEMA
    columns = ["route", "stage", "stage_number", "overall", *keys]
    columns += [c for c in TIMES_SCHEMA if c not in columns]
    return (
        pl.concat([pl.DataFrame(schema=schema), *parts], how="diagonal_relaxed")
        .select(columns)
        .sort(*keys, "stage_number")
    )


def _is(status: str) -> pl.Expr:
    return pl.col("status") == status


def _first_dates(milestones: pl.DataFrame, keys: list[str], order: list[str]) -> pl.DataFrame:
    """Keys and one column per milestone in `order`: its first date (null if none)."""
    firsts = (
        milestones.filter(pl.col("milestone").is_in(order))
        .group_by(*keys, "milestone")
        .agg(pl.col("date").min())
    )
    columns = [pl.col("date").filter(pl.col("milestone") == m).first().alias(m) for m in order]
    return firsts.group_by(keys).agg(columns)


def stage_times(
    journeys: Journeys,
    route: str,
    as_at: dt.date,
    *,
    entered_from: dt.date | None = None,
) -> pl.DataFrame:
    """Each stage of `route` (a key of `ROUTES`) per child and period of care, as at a date.

    Only milestones dated on or before `as_at`, and periods started by then, count; a
    period that ended after `as_at` is still in care. `entered_from` keeps only periods
    that started on or after it. Which periods count and what each status means: see the
    module docstring. Columns: route, stage, stage_number, overall, CHILD, period,
    from_date, to_date (the `to` milestone; leaving care for "left care"; null while
    waiting), days (completed: to - from; waiting: as_at - from so far; left care: to
    leaving; null when skipped or start not known), status, threshold_days and
    over_threshold (completed or waiting: past the threshold; null otherwise)."""
    if route not in COHORTS:
        raise ValueError(
            f"stage_times takes a child's route ({', '.join(COHORTS)}); "
            "for adopters use measures.adopters.adopters_journey"
        )
    keys = ["CHILD", "period"]
    cut = pl.lit(as_at, pl.Date)
    periods = journeys.periods.filter((pl.col("start") <= cut) & ~pl.col("short_breaks_only"))
    if entered_from is not None:
        periods = periods.filter(pl.col("start") >= entered_from)
    periods = periods.with_columns(
        end=pl.when(pl.col("end") <= cut).then("end"),
        exit_reason=pl.when(pl.col("end") <= cut).then("exit_reason"),
    )
    milestones = journeys.milestones.filter(
        pl.col("period").is_not_null() & (pl.col("date") <= cut)
    )
    cohort = periods.select(*keys, _end="end", _start_known="start_known")
    if (wanted := COHORTS[route]) is not None:
        routes = legal_routes(
            periods, milestones, journeys.placements.filter(pl.col("start") <= cut)
        )
        chosen = routes.filter(pl.col("route").is_in(wanted))
        cohort = cohort.join(chosen.select(keys), on=keys, how="semi")
    order = _milestone_order(_stages(route))
    wide = cohort.join(_first_dates(milestones, keys, order), on=keys, how="left")
    return _stage_rows(wide, keys, route, as_at)


def _percent(condition: pl.Expr, among: pl.Expr) -> pl.Expr:
    return (100.0 * (condition & among).sum() / among.sum()).round(1)


def stage_summary(times: pl.DataFrame, route: str | None = None) -> pl.DataFrame:
    """Per stage of the route (every stage, in order, even with no child): how many started
    it (any row not skipped), completed, median days of those completed, quartiles and the
    10th and 90th percentiles (linear interpolation, as Excel's PERCENTILE.INC), the % of
    completed over the threshold, how many are still waiting and the median of their wait
    so far, how many left care or skipped it, and `km_median_days`: the Kaplan-Meier median
    counting those waiting or who left care as censored (null until half are estimated to
    have finished). `route` defaults to the one in `times`."""
    if route is None:
        found = times["route"].unique().to_list()
        if len(found) != 1:
            raise ValueError("stage_summary needs one route's times, or the route named")
        route = found[0]
    stages = _stages(route)
    status = pl.col("status")
    done = status == COMPLETED
    waiting = status == WAITING
    days = pl.col("days")
    finished = days.filter(done)
    stats = times.group_by("stage").agg(
        started=(status.is_in([COMPLETED, WAITING, LEFT_CARE])).sum().cast(pl.Int64),
        completed=done.sum().cast(pl.Int64),
        median_days=finished.median(),
        q1_days=finished.quantile(0.25, "linear"),
        q3_days=finished.quantile(0.75, "linear"),
        p10_days=finished.quantile(0.10, "linear"),
        p90_days=finished.quantile(0.90, "linear"),
        percent_over_threshold=pl.when(
            pl.col("over_threshold").filter(done).is_not_null().any()
        ).then(_percent(pl.col("over_threshold").fill_null(False), done)),
        waiting=waiting.sum().cast(pl.Int64),
        waiting_median_days=days.filter(waiting).median(),
        left_care=(status == LEFT_CARE).sum().cast(pl.Int64),
        skipped=(status == SKIPPED).sum().cast(pl.Int64),
    )
    timed = times.filter(days.is_not_null()).select("stage", "days", observed=done)
    km = median_time(kaplan_meier(timed, group="stage")).select("stage", km_median_days="median")
    declared = pl.DataFrame(
        {
            "route": [route] * len(stages),
            "stage": [s.name for s in stages],
            "stage_number": list(range(1, len(stages) + 1)),
            "label": [s.label for s in stages],
            "overall": [s.overall for s in stages],
            "threshold": [s.threshold_words for s in stages],
            "threshold_days": [s.threshold_days for s in stages],
            "threshold_verified": [s.verified if s.has_threshold else None for s in stages],
        },
        schema_overrides={
            "threshold": pl.String,
            "threshold_days": pl.Int64,
            "threshold_verified": pl.Boolean,
        },
    )
    counts = ("started", "completed", "waiting", "left_care", "skipped")
    return (
        declared.join(stats, on="stage", how="left")
        .join(km.cast({"km_median_days": pl.Int64}), on="stage", how="left")
        .with_columns(pl.col(c).fill_null(0) for c in counts)
        .sort("stage_number")
    )


def _between(stage: Stage) -> str:
    return f"between {PHRASES[stage.from_milestone]} and {PHRASES[stage.to_milestone]}"


def _days(value: float) -> str:
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def where_drift_concentrates(summary: pl.DataFrame, route: str) -> str:
    """One sentence naming the stage where the delay is, from `stage_summary` (route's
    steps only; `overall` stages span several steps and are not candidates).

    Defined as: among steps with a threshold whose median (of completed) is over it, the
    one with the largest excess, median - threshold (a months threshold counted at 30.44
    days a month). If that step is not also the longest step (largest median), the
    sentence adds the longest, because steps without a threshold cannot be "over" and may
    still hold most of the time. When no step is over a threshold (or none has one): the
    longest step, with its share of the sum of the steps' medians."""
    stages = {s.name: s for s in _stages(route) if not s.overall}
    rows = summary.filter(
        pl.col("stage").is_in(list(stages)) & pl.col("median_days").is_not_null()
    ).select("stage", "median_days")
    medians: dict[str, float] = dict(zip(rows["stage"], rows["median_days"], strict=True))
    if not medians:
        return (
            "No child has completed a stage of this route yet, so where delay "
            "concentrates cannot be said."
        )
    longest = max(medians, key=lambda s: medians[s])
    excess = {
        name: medians[name] - expected
        for name in medians
        if (expected := stages[name].expected_days) is not None and medians[name] > expected
    }
    if excess:
        worst = stages[max(excess, key=lambda s: excess[s])]
        named = f" ({worst.threshold_name})" if worst.threshold_name else ""
        sentence = (
            f"Most of the delay is {_between(worst)}: a median of "
            f"{_days(medians[worst.name])} days, against {worst.threshold_words} expected{named}"
        )
        if longest != worst.name:
            untimed = "" if stages[longest].has_threshold else ", with no national timescale,"
            sentence += (
                f"; the longest stage{untimed} is {_between(stages[longest])}"
                f" (a median of {_days(medians[longest])} days)"
            )
        return sentence + "."
    share = 100.0 * medians[longest] / sum(medians.values()) if sum(medians.values()) else 0.0
    lead = (
        "No stage's median is over its threshold; the"
        if any(stages[n].has_threshold for n in medians)
        else "The"
    )
    return (
        f"{lead} longest stage is {_between(stages[longest])}: a median of "
        f"{_days(medians[longest])} days, {share:.0f}% of the sum of the stages' medians."
    )


def shortest_and_longest(
    times: pl.DataFrame, route: str, n: int = 10
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """The `n` shortest and `n` longest completed journeys: the route's final milestone
    reached (e.g. the adoption order) and its first known. Total days = final - first,
    straight, so a skipped stage (no placement order) shortens nothing it should not.
    One row per child and period: CHILD, period, total_days, then one column per step of
    the route (its days; null when skipped). Shortest ranked from the shortest, longest
    from the longest; ties by CHILD. The report pseudonymises CHILD."""
    stages = [s for s in _stages(route) if not s.overall]
    keys = [k for k in ("CHILD", "ADOPTER", "period") if k in times.columns]
    steps = times.filter(~pl.col("overall"))
    first = steps.filter(pl.col("stage") == stages[0].name).select(*keys, _first="from_date")
    last = steps.filter(
        (pl.col("stage") == stages[-1].name) & pl.col("to_date").is_not_null()
    ).select(*keys, _last="to_date")
    wide = steps.pivot(on="stage", index=keys, values="days", aggregate_function="first")
    for stage in stages:  # a step no child reached still gets its column
        if stage.name not in wide.columns:
            wide = wide.with_columns(pl.lit(None, pl.Int64).alias(stage.name))
    journeys = (
        first.join(last, on=keys)
        .filter(pl.col("_first").is_not_null())
        .select(*keys, total_days=(pl.col("_last") - pl.col("_first")).dt.total_days())
        .join(wide.select(*keys, *[s.name for s in stages]), on=keys, how="left")
    )
    shortest = journeys.sort("total_days", *keys).head(n)
    longest = journeys.sort("total_days", *keys, descending=[True] + [False] * len(keys)).head(n)
    return shortest, longest
