"""The milestones of a journey to permanence, declared once.

Some come from the SSDA903 return (`source` names the table and column); the rest come
from an LA's tracker file or Ofsted Annex A lists, because no national return holds them.
Timescale rules, trackers, journeys and reports all refer to milestones by `name`.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from carejourney.schema.types import MilestonesFileError


class Subject(StrEnum):
    CHILD = "child"
    ADOPTER = "adopter"  # an adoptive family's journey (Annex A list 11)


@dataclass(frozen=True)
class Milestone:
    name: str
    label: str  # as shown to users
    description: str
    source: str  # where the date comes from
    subject: Subject = Subject.CHILD

    @property
    def from_return(self) -> bool:
        return self.source.startswith("SSDA903")


DECLARED: tuple[Milestone, ...] = (
    # From the SSDA903 return.
    Milestone(
        "entered_care",
        "Entered care",
        "The child started to be looked after: the first day of a period of care.",
        "SSDA903 Episodes: DECOM of an episode with RNE S",
    ),
    Milestone(
        "looked_after_review",
        "Looked-after review",
        "A statutory review of the child's care plan.",
        "SSDA903 Reviews: REVIEW",
    ),
    Milestone(
        "adoption_decision",
        "Decision: should be placed for adoption",
        "The agency decision maker's decision that the child should be placed for adoption.",
        "SSDA903 AD1: DATE_INT; PlacedAdoption: DATE_PLACED",
    ),
    Milestone(
        "placement_order",
        "Placement order",
        "The court's authority to place the child for adoption.",
        "SSDA903 Episodes: DECOM of the first episode with LS E1",
    ),
    Milestone(
        "matched",
        "Matched with adopters",
        "The child was matched with prospective adopters.",
        "SSDA903 AD1: DATE_MATCH",
    ),
    Milestone(
        "placed_for_adoption",
        "Placed for adoption",
        "The child moved in with the prospective adopters (or their foster carers' "
        "placement became an adoptive placement).",
        "SSDA903 Episodes: DECOM of the first episode with PLACE A3-A6",
    ),
    Milestone(
        "adoption_order",
        "Adoption order",
        "The child was adopted and left care.",
        "SSDA903 Episodes: DEC of the episode ending with REC E11 or E12",
    ),
    Milestone(
        "special_guardianship_order",
        "Special guardianship order",
        "A special guardianship order was made and the child left care.",
        "SSDA903 Episodes: DEC of the episode ending with REC E43-E48",
    ),
    Milestone(
        "child_arrangements_order",
        "Child arrangements order",
        "A child arrangements (formerly residence) order was made and the child left care.",
        "SSDA903 Episodes: DEC of the episode ending with REC E41",
    ),
    Milestone(
        "returned_home",
        "Returned home",
        "The child returned to live with their parents or relatives and left care.",
        "SSDA903 Episodes: DEC of the episode ending with REC E4A, E4B or E13",
    ),
    Milestone(
        "left_care",
        "Left care",
        "The period of care ended, for any reason.",
        "SSDA903 Episodes: DEC of the last episode of a period of care (REC not X1)",
    ),
    Milestone(
        "adoption_plan_reversed",
        "Adoption plan reversed",
        "The decision that the child should be placed for adoption was reversed (reason RD1-RD4).",
        "SSDA903 PlacedAdoption: DATE_PLACED_CEASED",
    ),
    # From the LA's tracker (or Ofsted Annex A list 10).
    Milestone(
        "permanence_plan_agreed",
        "Permanence plan agreed",
        "The child's plan for permanence was agreed (by the second looked-after review).",
        "tracker",
    ),
    Milestone(
        "legal_advice_requested",
        "Legal advice requested",
        "Social work asked Legal for advice on permanence.",
        "tracker",
    ),
    Milestone(
        "legal_information_sent",
        "All information sent to Legal",
        "Social work sent Legal all the information needed for permanence advice.",
        "tracker",
    ),
    Milestone(
        "permanence_recommendation",
        "Permanence recommendation",
        "The looked-after review that recommended a permanence route.",
        "tracker",
    ),
    Milestone(
        "panel",
        "Panel",
        "The fostering and adoption (or permanence) panel considered the plan.",
        "tracker",
    ),
    Milestone(
        "agency_decision",
        "Agency decision maker's decision",
        "The agency decision maker's decision on the panel's recommendation.",
        "tracker",
    ),
    Milestone(
        "care_proceedings_issued",
        "Care proceedings issued",
        "The LA issued care proceedings.",
        "tracker",
    ),
    Milestone(
        "care_proceedings_concluded",
        "Care proceedings concluded",
        "The court made its final order in the care proceedings.",
        "tracker",
    ),
    Milestone(
        "permanence_order_lodged",
        "Permanence order lodged",
        "The application for a permanence order (Scotland) was lodged with the court.",
        "tracker",
    ),
    Milestone(
        "permanence_order_granted",
        "Permanence order granted",
        "The court granted the permanence order (Scotland).",
        "tracker",
    ),
    # Adopters' journey (Ofsted Annex A list 11).
    Milestone(
        "adopter_enquiry",
        "Adopters' first enquiry",
        "Prospective adopters first contacted the agency.",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_registration",
        "Registration of interest",
        "The agency accepted the prospective adopters' registration of interest (stage 1 starts).",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_stage_one_completed",
        "Stage 1 completed",
        "The stage 1 decision (expected within 2 months of registration).",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_stage_two_started",
        "Stage 2 started",
        "The assessment (stage 2) started (a decision is expected within 4 months).",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_approved",
        "Adopters approved",
        "The agency decision maker approved the adopters.",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_matched",
        "Adopters matched",
        "The adopters were matched with a child.",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
    Milestone(
        "adopter_child_placed",
        "Child placed with adopters",
        "A child moved in with the adopters.",
        "tracker / Annex A list 11",
        Subject.ADOPTER,
    ),
)

ENVIRONMENT_VARIABLE = "CAREJOURNEY_MILESTONES"
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def la_milestones(path: Path) -> tuple[Milestone, ...]:
    """An LA's own milestones, from a TOML file of [[milestones]] tables, each with name,
    label, description and (optionally) subject ("child" or "adopter")."""
    where = f"The milestones file {path}"
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise MilestonesFileError(f"{where} could not be opened ({exc.strerror}).") from None
    except tomllib.TOMLDecodeError as exc:
        raise MilestonesFileError(f"{where} is not valid TOML: {exc}.") from None
    found = []
    known = {m.name for m in DECLARED}
    for n, entry in enumerate(data.get("milestones", []), start=1):
        name = str(entry.get("name", ""))
        missing = [k for k in ("name", "label", "description") if not str(entry.get(k, "")).strip()]
        if missing:
            raise MilestonesFileError(f"{where}: milestone {n} has no {', '.join(missing)}.")
        if not _NAME.match(name):
            raise MilestonesFileError(
                f"{where}: milestone {n}'s name '{name}' must be lower-case letters, digits and "
                "underscores, starting with a letter (e.g. family_group_conference)."
            )
        if name in known:
            raise MilestonesFileError(f"{where}: the milestone '{name}' is already declared.")
        subject = str(entry.get("subject", "child"))
        if subject not in {s.value for s in Subject}:
            raise MilestonesFileError(
                f"{where}: milestone '{name}': subject must be child or adopter."
            )
        known.add(name)
        found.append(
            Milestone(
                name,
                str(entry["label"]),
                str(entry["description"]),
                f"tracker (defined by the LA in {path.name})",
                Subject(subject),
            )
        )
    if not found:
        raise MilestonesFileError(f"{where} has no [[milestones]] tables.")
    return tuple(found)


def _all_milestones() -> tuple[Milestone, ...]:
    """The declared milestones, and the LA's own when CAREJOURNEY_MILESTONES names a file:
    every reader, rule and report then knows them, as if declared here."""
    path = os.environ.get(ENVIRONMENT_VARIABLE)
    return DECLARED + (la_milestones(Path(path)) if path else ())


MILESTONES: tuple[Milestone, ...] = _all_milestones()
MILESTONES_BY_NAME = {m.name: m for m in MILESTONES}
