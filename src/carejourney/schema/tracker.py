"""The tracker file: the milestones no national return holds, one row per milestone.

An LA keeps it as a spreadsheet (saved as CSV): the child, which milestone, its date and
an optional note. Milestones are named as in `schema/milestones.py`; their labels, in any
case, are accepted too ("Permanence recommendation" or permanence_recommendation).
"""

from __future__ import annotations

import re

from carejourney.schema.milestones import MILESTONES
from carejourney.schema.types import Column, Kind, Table

TRACKER = Table(
    "Tracker",
    "One row per milestone a practitioner or PACE group recorded for a child.",
    (
        Column(
            "CHILD",
            Kind.ID,
            "The LA's identifier for the child, as in the SSDA903 return.",
            required=True,
            personal=True,
        ),
        Column(
            "MILESTONE",
            Kind.TEXT,
            "Which milestone: a name or label from the milestone list in the data dictionary.",
            required=True,
        ),
        Column("DATE", Kind.DATE, "The date the milestone happened.", required=True),
        Column("NOTE", Kind.TEXT, "Anything worth knowing; never put personal details here."),
    ),
    key=("CHILD", "MILESTONE", "DATE"),
    source="carejourney (tracker files kept by LAs and PACE groups)",
)


def milestone_key(text: str) -> str:
    """How a milestone's name or label is compared: lower case, words joined by '_'."""
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


# Every way of writing each milestone that is accepted, mapped to its name.
MILESTONE_SPELLINGS: dict[str, str] = {
    **{milestone_key(m.label): m.name for m in MILESTONES},
    **{m.name: m.name for m in MILESTONES},
}
