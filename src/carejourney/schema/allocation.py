"""The allocation file: which team (and worker) each child belongs to.

An LA exports it from its case-management system as CSV with the columns CHILD, TEAM and
WORKER (WORKER may be blank). It is the LA's whole current list: importing one replaces
the allocations stored for that LA. Drift lists and caseloads filter by it.
"""

from __future__ import annotations

from carejourney.schema.types import Column, Kind, Table

ALLOCATION = Table(
    "Allocation",
    "One row per child: the team (and worker) the child is allocated to now.",
    (
        Column(
            "CHILD",
            Kind.ID,
            "The LA's identifier for the child, as in the SSDA903 return.",
            required=True,
            personal=True,
        ),
        Column("TEAM", Kind.TEXT, "The team the child is allocated to.", required=True),
        Column("WORKER", Kind.TEXT, "The allocated worker (name or ID), if known."),
    ),
    source="carejourney (allocation lists exported from LAs' case-management systems)",
)
