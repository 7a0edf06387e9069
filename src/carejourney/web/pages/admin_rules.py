"""Admin: the timescale rule sets, read-only, and which ones this server uses.

Rule sets are files (`carejourney rules` lists the shipped ones); changing one is editing
its copy and restarting the server with `--rules PATH`, so this page only shows them.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from fastapi import APIRouter, Request
from starlette.responses import Response

from carejourney.config.rules import (
    RuleSet,
    RuleSetError,
    TimescaleRule,
    load_rule_set,
    shipped_rule_sets,
)
from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.web.pages.admin import Admin, admin_page

router = APIRouter()


@dataclass(frozen=True)
class ShownRuleSet:
    name: str  # as given to --rules: a shipped name or a file's path
    used: bool
    rule_set: RuleSet | None
    problem: str | None = None


def timescale(rule: TimescaleRule) -> str:
    """ "Placement order within 20 working days of ADM decision", as `carejourney rules`."""
    start = MILESTONES_BY_NAME[rule.from_milestone].label
    end = MILESTONES_BY_NAME[rule.to_milestone].label
    unit = str(rule.unit).replace("_", " ")
    return f"{end} within {rule.within} {unit} of {start[:1].lower()}{start[1:]}"


def reminder(rule: TimescaleRule) -> str:
    if rule.reminder_at is None:
        return "none"
    return f"at {rule.reminder_at} {str(rule.unit).replace('_', ' ')}"


@lru_cache(maxsize=16)
def _shipped(name: str) -> RuleSet:
    return load_rule_set(name)  # shipped files do not change while the server runs


def _load(name: str, used: bool) -> ShownRuleSet:
    try:
        loaded = _shipped(name) if name in shipped_rule_sets() else load_rule_set(name)
    except RuleSetError as exc:
        return ShownRuleSet(name, used, None, str(exc))
    return ShownRuleSet(name, used, loaded)


@router.get("/admin/rules")
def rules_page(request: Request, viewer: Admin) -> Response:
    used: tuple[str, ...] = request.app.state.settings.rule_sets
    shipped = shipped_rule_sets()
    shown = [_load(name, True) for name in used]
    shown += [_load(name, False) for name in shipped if name not in used]
    return admin_page(
        request,
        "admin_rules.html.j2",
        {"rule_sets": shown, "timescale": timescale, "reminder": reminder},
        viewer=viewer,
        title="Admin: rule sets",
    )
