"""Timescale rules as data: TOML rule sets validated into typed models, each with its source.

A rule reads "`to_milestone` within `within` `unit` of `from_milestone`" for a cohort. Day 0
is the from-milestone's date; the due date is `within` units later; `end_inclusive` says
whether the due date itself is still on time. Repeating rules (reviews) are one rule per
step with an `occurrence`: the first from entering care, the second from the first, then one
with `repeat = true` for the third and every later one, each from the one before. Reminders
are `reminder_at`, a whole number in the rule's own unit (Moray: within 30, reminder at 15
weeks). Shipped rule sets live in `rulesets/`; an LA loads its own edited copy by path. Every
problem in a file comes back in one `RuleSetError` naming the file, rule, field and what was
expected, in words a non-programmer can act on.
"""

from __future__ import annotations

import difflib
from datetime import date
from enum import StrEnum
from importlib import resources
from os import PathLike
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails

from carejourney.config.toml_files import parse_model, read_user_file
from carejourney.schema.milestones import MILESTONES, MILESTONES_BY_NAME
from carejourney.schema.types import Nation

SLUG = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
Slug = Annotated[str, StringConstraints(pattern=SLUG)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class Unit(StrEnum):
    """What `within` counts. Day 0 is the from-milestone's date; counting starts the day after."""

    DAYS = "days"  # calendar days
    WORKING_DAYS = "working_days"  # Mon-Fri, not a bank holiday of the LA's nation
    # Counted BACK from the to-milestone: the from-milestone is due on the latest date that
    # leaves N whole working days between it and the to-milestone, neither day counted
    # (CELCIS: information to Legal 8 full working days before the review).
    FULL_WORKING_DAYS_BEFORE = "full_working_days_before"
    WEEKS = "weeks"  # 7 calendar days each
    # Calendar months: the same day of the month, or that month's last day if it is shorter
    # (31 January + 1 month = 28 or 29 February).
    MONTHS = "months"


class LegalRoute(StrEnum):
    """The route to permanence a child's plan follows."""

    ADOPTION = "adoption"  # an adoption order (England: usually after a placement order)
    # Scotland: a permanence order with authority to adopt (Adoption and Children (Scotland)
    # Act 2007 s.80 and s.83), the usual Scottish route to adoption.
    PERMANENCE_ORDER_WITH_AUTHORITY_TO_ADOPT = "permanence_order_with_authority_to_adopt"
    PERMANENCE_ORDER = "permanence_order"  # Scotland: permanence order, no authority to adopt
    SPECIAL_GUARDIANSHIP = "special_guardianship"  # England: Children Act 1989 s.14A
    # England: child arrangements order saying who the child lives with (was residence order).
    CHILD_ARRANGEMENTS_ORDER = "child_arrangements_order"
    KINSHIP_CARE_ORDER = "kinship_care_order"  # Scotland: CYP (Scotland) Act 2014 s.72
    RETURN_HOME = "return_home"  # living with parents again, leaving care
    LONG_TERM_FOSTERING = "long_term_fostering"  # permanence in a long-term foster placement


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cohort(_Model):
    """Which children a rule applies to. Every condition given must hold; none means all."""

    entered_on_or_after: date | None = Field(
        default=None, description="Only children who entered care on or after this date."
    )
    entered_before: date | None = Field(
        default=None, description="Only children who entered care before this date."
    )
    from_milestone_on_or_after: date | None = Field(
        default=None,
        description="Only clocks that started (the rule's from_milestone) on or after this date.",
    )
    age_at_entry_min: int | None = Field(
        default=None, ge=0, description="Youngest age on entering care, in whole years (inclusive)."
    )
    age_at_entry_max: int | None = Field(
        default=None,
        ge=0,
        description="Oldest age on entering care, in whole years (inclusive): 4 = under 5.",
    )
    legal_routes: tuple[LegalRoute, ...] = Field(
        default=(),
        description="Only children whose plan follows one of these routes; empty means any.",
    )

    @model_validator(mode="after")
    def _ranges(self) -> Cohort:
        pairs = [
            ("entered_on_or_after", "entered_before"),
            ("age_at_entry_min", "age_at_entry_max"),
        ]
        for low, high in pairs:
            a, b = getattr(self, low), getattr(self, high)
            age = low.startswith("age")
            if a is not None and b is not None and (a > b if age else a >= b):
                words = "is more than" if age else "is not before"
                raise ValueError(f"{low} ({a}) {words} {high} ({b}), so no child can match")
        return self


class TimescaleRule(_Model):
    """One timescale: `to_milestone` within `within` `unit` of `from_milestone`."""

    name: Slug = Field(description="Short unique name: lower-case letters, digits and hyphens.")
    title: Text = Field(description="What the rule says, in plain words, as shown to users.")
    from_milestone: str = Field(description="The milestone that starts the clock.")
    to_milestone: str = Field(description="The milestone that falls due.")
    occurrence: int | None = Field(
        default=None,
        ge=1,
        description="Which occurrence of to_milestone this rule is for (1 = the first). When "
        "from_milestone is the same milestone, the clock starts at the occurrence before.",
    )
    repeat: bool = Field(
        default=False,
        description="True: the rule also applies to every later occurrence, each due from the "
        "one before (reviews every 6 months).",
    )
    within: int = Field(gt=0, description="How many units the to_milestone is due within.")
    unit: Unit = Field(description="What within counts.")
    end_inclusive: bool = Field(
        default=True,
        description="True: the due date itself is still on time (the 20th working day); "
        "false: only the days before it are.",
    )
    earlier_counts: bool = Field(
        default=False,
        description="True: a to_milestone already reached before the from_milestone, in the "
        "same period of care, counts as met on time (scorecard A2: matched before the "
        "placement order counts as 0 days).",
    )
    reminder_at: int | None = Field(
        default=None,
        gt=0,
        description="When to remind, in the rule's unit, counted like within: before the due "
        "date, so smaller than within (larger for full_working_days_before).",
    )
    cohort: Cohort = Field(default=Cohort(), description="The children the rule is for.")
    target_percent: float | None = Field(
        default=None, gt=0, le=100, description="For an aim: the share of the cohort to be on time."
    )
    target_date: date | None = Field(
        default=None, description="For an aim: the date it is to be met by."
    )
    source: Text = Field(description="The statute, regulation, guidance or document it is from.")
    verified: bool = Field(
        description="true when its source confirms the figure; false when it must be checked."
    )

    @field_validator("from_milestone", "to_milestone")
    @classmethod
    def _declared(cls, value: str) -> str:
        if value in MILESTONES_BY_NAME:
            return value
        names = [m.name for m in MILESTONES]
        close = difflib.get_close_matches(value, names, n=1)
        hint = f' Did you mean "{close[0]}"?' if close else ""
        raise ValueError(
            f'"{value}" is not a milestone.{hint} Valid milestones: {", ".join(names)}'
        )

    @model_validator(mode="after")
    def _consistent(self) -> TimescaleRule:
        same = self.from_milestone == self.to_milestone
        if same and (self.occurrence is None or self.occurrence < 2):
            raise ValueError(
                "from_milestone and to_milestone are the same, so occurrence must say which "
                "one is due (2 or more: the second is due from the first)"
            )
        if self.repeat and not same:
            raise ValueError("repeat = true needs from_milestone and to_milestone to be the same")
        subjects = {MILESTONES_BY_NAME[m].subject for m in (self.from_milestone, self.to_milestone)}
        if len(subjects) > 1:
            raise ValueError("from_milestone and to_milestone must be on the same journey")
        backwards = self.unit is Unit.FULL_WORKING_DAYS_BEFORE
        r = self.reminder_at
        if r is not None and (r <= self.within if backwards else r >= self.within):
            side = "more" if backwards else "fewer"
            raise ValueError(
                f"reminder_at ({r}) must be {side} {self.unit} than within ({self.within}), "
                "so that the reminder comes before the due date"
            )
        if self.target_date is not None and self.target_percent is None:
            raise ValueError("target_date is given, so target_percent is needed too")
        return self


class RuleSet(_Model):
    """A named collection of timescale rules for one nation, with its source."""

    name: Slug = Field(description="Short name, as in the file name (england, pace-moray).")
    title: Text = Field(description="What the rule set is, in plain words.")
    nation: Nation = Field(description="Whose bank holidays working days skip.")
    source: Text = Field(description="Where the rule set as a whole comes from.")
    rules: tuple[TimescaleRule, ...] = Field(description="The rules, each a [[rules]] table.")

    @field_validator("rules")
    @classmethod
    def _unique(cls, rules: tuple[TimescaleRule, ...]) -> tuple[TimescaleRule, ...]:
        if not rules:
            raise ValueError("needs at least one [[rules]] table")
        names = [r.name for r in rules]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(
                "more than one rule is called "
                + ", ".join(f'"{n}"' for n in twice)
                + ": give each rule its own name"
            )
        return rules

    @property
    def names(self) -> frozenset[str]:
        """The names of the rules in this set."""
        return frozenset(r.name for r in self.rules)

    def rule(self, name: str) -> TimescaleRule:
        """The rule called `name`."""
        for r in self.rules:
            if r.name == name:
                return r
        raise KeyError(f'rule set "{self.name}" has no rule called "{name}"')


class RuleSetError(ValueError):
    """A rule set file that cannot be used, with a message saying what to change."""


_SHIPPED = resources.files("carejourney.config").joinpath("rulesets")


def shipped_rule_sets() -> list[str]:
    """The names of the rule sets that come with carejourney."""
    return sorted(
        f.name.removesuffix(".toml") for f in _SHIPPED.iterdir() if f.name.endswith(".toml")
    )


def load_rule_set(path_or_name: str | PathLike[str]) -> RuleSet:
    """Load a shipped rule set by its bare name ("england"), or any rule set file by its path."""
    if isinstance(path_or_name, str) and "." not in path_or_name and "/" not in path_or_name:
        shipped = _SHIPPED.joinpath(f"{path_or_name}.toml")
        if not shipped.is_file():
            raise RuleSetError(
                f'There is no shipped rule set called "{path_or_name}". Shipped rule sets: '
                f"{', '.join(shipped_rule_sets())}. To load your own copy, give its file path."
            )
        return parse_rule_set(shipped.read_bytes(), f"shipped rule set {path_or_name}.toml")
    data = read_user_file(path_or_name, what="rule set file", error=RuleSetError)
    return parse_rule_set(data, str(path_or_name))


def parse_rule_set(data: bytes, file: str) -> RuleSet:
    """Validate the bytes of a rule set file; `file` names it in error messages."""
    return parse_model(
        data, file, what="rule set file", model=RuleSet, error=RuleSetError, explain=_explain
    )


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: where it is (rule, field), then what was expected."""
    loc = list(error["loc"])
    where = []
    model: type[BaseModel] = RuleSet
    if len(loc) >= 2 and loc[0] == "rules" and isinstance(loc[1], int):
        entry = raw["rules"][loc[1]] if isinstance(raw.get("rules"), list) else None
        name = entry.get("name") if isinstance(entry, dict) else None
        label = f'rule "{name}"' if isinstance(name, str) else "rule"
        where.append(f"{label} (rule {loc[1] + 1} in the file)")
        model, loc = TimescaleRule, loc[2:]
    fields = [p for p in loc if isinstance(p, str)]
    if len(fields) > 1 and fields[0] == "cohort":
        model = Cohort
    if fields:
        where.append(f'field "{".".join(fields)}"')
    place = ", ".join(where) or "the file as a whole"
    return f"{place}: {_expected(error, model, fields[-1] if fields else None)}."


def _expected(error: ErrorDetails, model: type[BaseModel], field: str | None) -> str:
    kind, ctx, given = error["type"], error.get("ctx", {}), _show(error["input"])
    if kind == "missing":
        info = model.model_fields.get(field or "")
        meaning = f" ({info.description.rstrip('.')})" if info and info.description else ""
        return f"is missing: add it{meaning}"
    if kind == "extra_forbidden":
        known = ", ".join(model.model_fields)
        return f"is not a setting carejourney knows: check its spelling (settings here: {known})"
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "enum":
        return f"expected one of {ctx['expected']}, but it is {given}"
    if kind == "string_pattern_mismatch":
        return f"expected lower-case letters, digits and hyphens, like review-first, not {given}"
    if kind == "tuple_type" and field == "rules":
        return "expected each rule under its own [[rules]] heading, with two square brackets"
    if kind == "string_too_short":
        return "must not be empty"
    plain = _PLAIN.get(kind.split("_")[0])
    if plain is not None:
        return f"expected {plain}, but it is {given}"
    for bound, words in (("gt", "greater than"), ("ge", "at least"), ("le", "at most")):
        if bound in ctx:
            return f"expected a number {words} {ctx[bound]}, but it is {given}"
    return f"{error['msg'].replace('Input should be', 'expected')}, but it is {given}"


# The first word of pydantic's error type, and what such a value should look like.
_PLAIN = {
    "bool": "true or false",
    "int": "a whole number",
    "float": "a number",
    "date": "a date written like 2019-12-01",
    "string": "text in double quotes",
    "tuple": "a list in square brackets",
    "model": "a table",
}


def _show(value: object) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    return str(value)
