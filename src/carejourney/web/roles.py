"""Who may do what: the eight roles, and which children each may see.

Every route declares the roles that may use it (`web.permissions.allow`); which children a
person sees follows from their role (`ChildScope`): everyone in the LA, their team's, their
own, or none by name (aggregates and pseudonymised lists only).
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["ALL_ROLES", "ChildScope", "Role", "scope_of"]


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    MANAGER = "manager"
    TEAM_MANAGER = "team manager"
    PRACTITIONER = "practitioner"
    ANALYST = "analyst"
    AUDITOR = "auditor"
    QA_LEAD = "QA lead"
    REVIEWING_OFFICER = "reviewing officer"

    @property
    def description(self) -> str:
        return DESCRIPTIONS[self]


DESCRIPTIONS = {
    Role.ADMINISTRATOR: "Manages accounts, teams, rule sets and imports; sees figures, "
    "not children's records.",
    Role.MANAGER: "Sees every team's children, drift lists and reports.",
    Role.TEAM_MANAGER: "Sees their own team's children.",
    Role.PRACTITIONER: "Sees the children allocated to them, and records their milestones.",
    Role.ANALYST: "Sees figures and pseudonymised lists, never a child's ID or record.",
    Role.AUDITOR: "Sees everything read-only, and who looked at which child.",
    Role.QA_LEAD: "Runs the audit programme, audits, themes and actions; sees every child "
    "read-only.",
    Role.REVIEWING_OFFICER: "IROs and CP chairs: raise management alerts; see every child's "
    "record read-only.",
}

ALL_ROLES = frozenset(Role)


class ChildScope(StrEnum):
    """Which children's records a role shows by ID."""

    ALL = "all"  # every child in the LA
    TEAM = "team"  # the children allocated to the person's team
    OWN = "own"  # the children allocated to the person (their worker name)
    NONE = "none"  # none by ID: figures, and lists by pseudonym


SCOPES = {
    Role.ADMINISTRATOR: ChildScope.NONE,
    Role.MANAGER: ChildScope.ALL,
    Role.TEAM_MANAGER: ChildScope.TEAM,
    Role.PRACTITIONER: ChildScope.OWN,
    Role.ANALYST: ChildScope.NONE,
    Role.AUDITOR: ChildScope.ALL,
    Role.QA_LEAD: ChildScope.ALL,
    Role.REVIEWING_OFFICER: ChildScope.ALL,
}


def scope_of(role: Role) -> ChildScope:
    return SCOPES[role]
