"""The route to permanence each period of care follows, as a `LegalRoute`.

Rules of interpretation (documented in the words a team manager would use):

- A period that ended with a permanence exit follows the route of that exit: REC E11/E12
  adoption, E43-E48 special guardianship, E41 child arrangements order, E4A/E4B/E13 return
  home (the codes are `journeys.milestones.EXITS`, declared once).
- Otherwise (still looked after, or left care some other way: aged 18, moved, ...) the
  route is the current plan, read from the period's plan milestones:
  - an adoption plan is *live* when the latest of adoption_decision, placement_order,
    matched and placed_for_adoption is not followed by adoption_plan_reversed;
  - a permanence order lodged or granted makes the route permanence_order, or
    permanence_order_with_authority_to_adopt when an adoption plan is also live (the
    Scottish route to adoption), in whichever order the two were recorded;
  - a live adoption plan with no permanence order: adoption.
- With no plan milestone, and only when a placements frame (`journeys.periods.placements`)
  is given: a period whose latest placement is long-term fostering (PLACE U1 or U4 at its
  last episode) is long_term_fostering.
- Anything else is null: no plan is known yet. Milestones with no period are ignored.

The caller decides what is known: to see routes as at a past date, pass only the
milestones dated by then and the periods as they stood then (`measures.drift` does so).
"""

from __future__ import annotations

import polars as pl

from carejourney.config.rules import LegalRoute
from carejourney.journeys.milestones import EXITS

LONG_TERM_FOSTERING_PLACEMENTS = ("U1", "U4")
EXIT_MILESTONE_ROUTES = {
    "adoption_order": LegalRoute.ADOPTION,
    "special_guardianship_order": LegalRoute.SPECIAL_GUARDIANSHIP,
    "child_arrangements_order": LegalRoute.CHILD_ARRANGEMENTS_ORDER,
    "returned_home": LegalRoute.RETURN_HOME,
}
EXIT_ROUTES = {
    code: EXIT_MILESTONE_ROUTES[milestone].value
    for milestone, codes in EXITS.items()
    for code in codes
}
ADOPTION_PLAN = ("adoption_decision", "placement_order", "matched", "placed_for_adoption")
REVERSED = "adoption_plan_reversed"
PERMANENCE_ORDER = ("permanence_order_lodged", "permanence_order_granted")
SCHEMA = {"CHILD": pl.String, "period": pl.Int64, "route": pl.String}


def legal_routes(
    periods: pl.DataFrame,
    milestones: pl.DataFrame,
    placements: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per period of care: CHILD, period, route (a `LegalRoute` value, or null
    when no plan is known yet). See the module docstring for the rules.

    `periods` needs CHILD, period and exit_reason (as `periods_of_care` gives);
    `milestones` CHILD, period, milestone and date (as `return_milestones` gives);
    `placements`, if given, CHILD, period, start and place_end."""
    keys = ["CHILD", "period"]
    plan = _plan_routes(milestones)
    route = (
        pl.col("exit_reason")
        .cast(pl.String)
        .replace_strict(EXIT_ROUTES, default=None, return_dtype=pl.String)
        .fill_null(pl.col("_plan"))
    )
    table = periods.select([*keys, "exit_reason"]).join(plan, on=keys, how="left")
    if placements is not None:
        route = route.fill_null(pl.col("_fostering"))
        table = table.join(_long_term_fostering(placements), on=keys, how="left")
    else:
        table = table.with_columns(_fostering=pl.lit(None, pl.String))
    return table.select(*keys, route=route).cast(SCHEMA)  # type: ignore[arg-type]


def _plan_routes(milestones: pl.DataFrame) -> pl.DataFrame:
    """CHILD, period, _plan: the route the plan milestones point to, per period."""
    name = pl.col("milestone")
    adoption = name.is_in(ADOPTION_PLAN)
    # The latest adoption-plan step or reversal says whether the plan is live; a step and
    # a reversal on the same day count as reversed (the reversal ends the plan).
    step = pl.when(name == REVERSED).then(2).when(adoption).then(1)
    plan = (
        milestones.filter(pl.col("period").is_not_null())
        .filter(adoption | (name == REVERSED) | name.is_in(PERMANENCE_ORDER))
        .sort("CHILD", "period", "date", step.fill_null(0))
        .group_by("CHILD", "period")
        .agg(
            _live=step.drop_nulls().last() == 1,
            _order=name.is_in(PERMANENCE_ORDER).any(),
        )
    )
    live = pl.col("_live").fill_null(False)
    return plan.select(
        "CHILD",
        "period",
        _plan=pl.when(pl.col("_order") & live)
        .then(pl.lit(LegalRoute.PERMANENCE_ORDER_WITH_AUTHORITY_TO_ADOPT.value))
        .when(pl.col("_order"))
        .then(pl.lit(LegalRoute.PERMANENCE_ORDER.value))
        .when(live)
        .then(pl.lit(LegalRoute.ADOPTION.value)),
    )


def _long_term_fostering(placements: pl.DataFrame) -> pl.DataFrame:
    """CHILD, period, _fostering: long_term_fostering where the latest placement of the
    period is U1 or U4, else null."""
    latest = placements.sort("CHILD", "period", "start").group_by("CHILD", "period").last()
    return latest.select(
        "CHILD",
        "period",
        _fostering=pl.when(pl.col("place_end").is_in(LONG_TERM_FOSTERING_PLACEMENTS)).then(
            pl.lit(LegalRoute.LONG_TERM_FOSTERING.value)
        ),
    )
