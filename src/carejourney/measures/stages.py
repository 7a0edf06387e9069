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
from dataclasses import dataclass

import polars as pl

from carejourney.journeys.stored import Journeys
from carejourney.measures.calendar import add_months
from carejourney.measures.routes import legal_routes
from carejourney.measures.survival import kaplan_meier, median_time

COMPLETED = "completed"
WAITING = "waiting"
SKIPPED = "skipped"
LEFT_CARE = "left care"
START_NOT_KNOWN = "start not known"
STATUSES = (COMPLETED, WAITING, SKIPPED, LEFT_CARE, START_NOT_KNOWN)
DAYS_PER_MONTH = 365.25 / 12  # only to rank a months threshold against days ones


@dataclass(frozen=True)
class Stage:
    """One step of a route: from one milestone to the next (or, when `overall`, across
    several steps, such as A1's entering care to placed for adoption)."""

    name: str
    label: str  # in plain words, as a report heading
    from_milestone: str
    to_milestone: str
    threshold_days: int | None = None  # within this many days (end inclusive)
    threshold_source: str = "no national timescale"
    threshold_name: str = ""  # short name for sentences: "A2", "PACE Aim 2"
    threshold_months: int | None = None  # calendar months instead of days (clamped)
    verified: bool = True  # the threshold is verified in DOMAIN-FACTS
    overall: bool = False  # spans several stages: not one of the route's steps

    @property
    def has_threshold(self) -> bool:
        return self.threshold_days is not None or self.threshold_months is not None

    @property
    def expected_days(self) -> float | None:
        """The threshold in days; a months threshold at 30.44 days a month (for ranking)."""
        if self.threshold_months is not None:
            return self.threshold_months * DAYS_PER_MONTH
        return None if self.threshold_days is None else float(self.threshold_days)

    @property
    def threshold_words(self) -> str | None:
        """The threshold as a sentence says it: "121 days", "6 months"."""
        if self.threshold_months is not None:
            return f"{self.threshold_months} months"
        return None if self.threshold_days is None else f"{self.threshold_days} days"


_A1 = (
    "DfE adoption scorecard A1 (A10 from 2021/22): entering care to moving in with the "
    "adoptive family, threshold 426 days (14 months) for 2013-16 (DOMAIN-FACTS; rule set "
    "adoption-scorecard). The scorecard compares the LA's 3-year average; here each child."
)
_A2 = (
    "DfE adoption scorecard A2: placement order (the court's authority to place) to the "
    "match, threshold 121 days (4 months) for 2013-16 (DOMAIN-FACTS; rule set "
    "adoption-scorecard)."
)
_NATIONAL_ENTRY_TO_ORDER = (
    "no threshold; for context, England's average was about 743 days, 3 years to Q3 "
    "2016-17 (DOMAIN-FACTS)"
)
_PACE_AIM_2 = (
    "PACE national Aim 2: a permanence recommendation within 6 months of being "
    "accommodated (DOMAIN-FACTS; rule set scotland)."
)
_REG_13 = (
    "Adoption Agencies (Scotland) Regulations 2009 reg 13: the agency decision within 14 "
    "days of the panel's recommendation (DOMAIN-FACTS; rule set scotland)."
)
_UNVERIFIED_NATIONALLY = (
    "PACE national Aims 3 and 4 are unverified nationally (DOMAIN-FACTS): no national "
    "threshold; see the route permanence_order_moray for Moray's."
)
_MORAY = "Moray PACE Improvement Project (DOMAIN-FACTS; rule set pace-moray): "

_ADOPTION = (
    Stage("entry_to_decision", "Entered care to decision: should be placed for adoption",
          "entered_care", "adoption_decision"),
    Stage("decision_to_placement_order", "Decision to placement order",
          "adoption_decision", "placement_order"),
    Stage("placement_order_to_match", "Placement order to match (A2)",
          "placement_order", "matched", 121, _A2, "A2"),
    Stage("match_to_placed", "Match to placed for adoption",
          "matched", "placed_for_adoption"),
    Stage("placed_to_adoption_order", "Placed for adoption to adoption order",
          "placed_for_adoption", "adoption_order"),
    Stage("entry_to_placed", "Entered care to placed for adoption (A1/A10)",
          "entered_care", "placed_for_adoption", 426, _A1, "A1", overall=True),
    Stage("entry_to_adoption_order", "Entered care to adoption order",
          "entered_care", "adoption_order", None, _NATIONAL_ENTRY_TO_ORDER, overall=True),
)  # fmt: skip


def _scottish(aim_2: Stage, panel: Stage, lodged: Stage) -> tuple[Stage, ...]:
    """Scotland's permanence order route, with the given thresholds for Aims 2 to 4."""
    return (
        aim_2,
        panel,
        Stage("panel_to_agency_decision", "Panel to agency decision",
              "panel", "agency_decision", 14, _REG_13, "reg 13"),
        lodged,
        Stage("lodged_to_granted", "Permanence order lodged to granted",
              "permanence_order_lodged", "permanence_order_granted"),
        Stage("entry_to_granted", "Entered care to permanence order granted",
              "entered_care", "permanence_order_granted", overall=True),
    )  # fmt: skip


ROUTES: dict[str, tuple[Stage, ...]] = {
    "adoption": _ADOPTION,
    "special_guardianship": (
        Stage("entry_to_sgo", "Entered care to special guardianship order",
              "entered_care", "special_guardianship_order"),
    ),
    "child_arrangements_order": (
        Stage("entry_to_cao", "Entered care to child arrangements order",
              "entered_care", "child_arrangements_order"),
    ),
    "return_home": (
        Stage("entry_to_home", "Entered care to returned home", "entered_care", "returned_home"),
    ),
    "permanence_order": _scottish(
        Stage("entry_to_recommendation", "Accommodated to permanence recommendation",
              "entered_care", "permanence_recommendation", None, _PACE_AIM_2, "PACE Aim 2",
              threshold_months=6),
        Stage("recommendation_to_panel", "Permanence recommendation to panel",
              "permanence_recommendation", "panel", None, _UNVERIFIED_NATIONALLY,
              verified=False),
        Stage("agency_decision_to_lodged", "Agency decision to permanence order lodged",
              "agency_decision", "permanence_order_lodged", None, _UNVERIFIED_NATIONALLY,
              verified=False),
    ),
    "permanence_order_moray": _scottish(
        Stage("entry_to_recommendation", "Accommodated to permanence recommendation",
              "entered_care", "permanence_recommendation", 210,
              _MORAY + "Aim 2, recommendation within 30 weeks (210 days).", "Moray Aim 2"),
        Stage("recommendation_to_panel", "Permanence recommendation to panel",
              "permanence_recommendation", "panel", 105,
              _MORAY + "Aim 3, panel within 15 weeks (105 days).", "Moray Aim 3"),
        Stage("agency_decision_to_lodged", "Agency decision to permanence order lodged",
              "agency_decision", "permanence_order_lodged", 112,
              _MORAY + "Aim 4, order lodged within 16 weeks (112 days).", "Moray Aim 4"),
    ),
    # Adopters (Annex A list 11): use `measures.adopters.adopters_journey`, not `stage_times`.
    "adopters": (
        Stage("enquiry_to_registration", "Enquiry to registration of interest",
              "adopter_enquiry", "adopter_registration"),
        Stage("stage_one", "Stage 1: registration to stage 1 decision",
              "adopter_registration", "adopter_stage_one_completed", None,
              "Stage 1 decision within 2 months of registration (DOMAIN-FACTS, adopters' "
              "journey; Annex A list 11).", "stage 1", threshold_months=2),
        Stage("stage_one_to_two", "Stage 1 decision to stage 2 start",
              "adopter_stage_one_completed", "adopter_stage_two_started"),
        Stage("stage_two", "Stage 2: start to approval",
              "adopter_stage_two_started", "adopter_approved", None,
              "Stage 2 decision within 4 months of its start (DOMAIN-FACTS, adopters' "
              "journey; Annex A list 11).", "stage 2", threshold_months=4),
        Stage("approval_to_match", "Approval to match", "adopter_approved", "adopter_matched"),
        Stage("match_to_placement", "Match to child placed",
              "adopter_matched", "adopter_child_placed"),
        Stage("enquiry_to_approval", "Enquiry to approval",
              "adopter_enquiry", "adopter_approved", None,
              "About 6 months from enquiry to approval expected (DOMAIN-FACTS, adopters' "
              "journey): a guide, not a statutory timescale.", "about 6 months",
              threshold_months=6, overall=True),
    ),
}  # fmt: skip
"""Every route's stages, in journey order; `overall` stages last."""

COHORTS: dict[str, tuple[str, ...] | None] = {
    "adoption": ("adoption",),
    "special_guardianship": ("special_guardianship",),
    "child_arrangements_order": ("child_arrangements_order",),
    "return_home": ("return_home",),
    "permanence_order": None,  # every period of care (PACE Aim 2)
    "permanence_order_moray": None,
}
"""Which legal routes (`measures.routes.legal_routes`) a route's periods follow; None: all."""

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
