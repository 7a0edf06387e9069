"""The routes a journey can take to a permanent home, and the stages of each, declared once
(`ROUTES`), with each stage's threshold and its source; and which periods of care each
route's timeliness counts (`COHORTS`). `measures.stages` times them; see its docstring for
the rules, and for where each threshold comes from.
"""

from __future__ import annotations

from dataclasses import dataclass

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
