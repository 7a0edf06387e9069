"""Demand rules as data: how a contact nobody classed is suggested as value or failure
demand, and the front door's timescales, validated from TOML.

A demand rules file is TOML: a name, title and source, then for each failure rule whether it
is on and its window in calendar days (`chasing`/`chasing_days`, `re_referral_nfa`/
`after_nfa_days`, `not_right_first_time`/`after_closure_days`, `repeat`/`repeat_days`,
`wrong_service`/`wrong_service_words`), then `come_back_months` (right first time, and the
gap that separates one case from the next) and the Working Together timescales
(`decision_working_days`, `assessment_working_days`). Every setting has a default, so a file
need only give the ones it changes; a setting carejourney does not know is refused, so a
misspelt one is never silently ignored.

The shipped defaults are `demand.toml`; an LA copies it, edits the copy and loads it by its
path. Every problem in a file comes back in one `DemandRulesError` naming the file, the
setting and what was expected.
"""

from __future__ import annotations

from importlib import resources
from os import PathLike
from typing import Any

from pydantic import Field, field_validator
from pydantic_core import ErrorDetails

from carejourney.config.rules import Text, _expected, _Model
from carejourney.config.toml_files import parse_model, read_user_file

# The longest window a rule may look back: 100 years is more than any child's record.
MAX_DAYS = 36_500
WRONG_SERVICE_WORDS = ("signposted", "wrong service", "redirected", "not for this service")


class DemandRules(_Model):
    """The rules that suggest failure demand, each on or off with its window, and the
    timescales decisions and assessments are measured against."""

    name: Text = Field(default="defaults", description="A short name for these rules.")
    title: Text = Field(
        default="carejourney's default demand rules", description="What the rules are."
    )
    source: Text = Field(
        default="carejourney defaults", description="Where the rules and their windows come from."
    )
    chasing: bool = Field(default=True, description="Suggest progress chasing (true or false).")
    chasing_days: int = Field(
        default=30,
        gt=0,
        le=MAX_DAYS,
        description="Days back to look for an earlier contact still waiting for a decision.",
    )
    re_referral_nfa: bool = Field(
        default=True, description="Suggest back after no further action (true or false)."
    )
    after_nfa_days: int = Field(
        default=365,
        gt=0,
        le=MAX_DAYS,
        description="Days back to look for an earlier contact that ended with no further action.",
    )
    not_right_first_time: bool = Field(
        default=True, description="Suggest not right first time (true or false)."
    )
    after_closure_days: int = Field(
        default=365,
        gt=0,
        le=MAX_DAYS,
        description="Days back to look for earlier work that closed.",
    )
    repeat: bool = Field(default=True, description="Suggest repeat contacts (true or false).")
    repeat_days: int = Field(
        default=90,
        gt=0,
        le=MAX_DAYS,
        description="Days back to look for an earlier contact about the same need.",
    )
    wrong_service: bool = Field(
        default=True, description="Suggest wrong service from the decision's words (true or false)."
    )
    wrong_service_words: tuple[Text, ...] = Field(
        default=WRONG_SERVICE_WORDS,
        description="Words or phrases in a decision that mean the family came to the wrong "
        "service.",
    )
    come_back_months: int = Field(
        default=12,
        gt=0,
        description="Months within which a family coming back means it was not right first "
        "time, and contacts this close are one case.",
    )
    decision_working_days: int = Field(
        default=1,
        ge=0,
        description="Working days after a contact within which a decision is on time.",
    )
    assessment_working_days: int = Field(
        default=45,
        gt=0,
        description="Working days after the referral within which an assessment is on time.",
    )

    @field_validator("wrong_service_words")
    @classmethod
    def _words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        # Words are compared ignoring capitals, so two spellings of one word are one word.
        lowered = [w.lower() for w in words]
        twice = sorted({w for w in lowered if lowered.count(w) > 1})
        if twice:
            raise ValueError(f'"{twice[0]}" is given more than once')
        return words

    def window(self, rule: str) -> int:
        """The window in days of a failure rule named by its FAILURE_TYPES code."""
        return {
            "CHASING": self.chasing_days,
            "RE_REFERRAL_NFA": self.after_nfa_days,
            "NOT_RIGHT_FIRST_TIME": self.after_closure_days,
            "REPEAT": self.repeat_days,
        }[rule]


class DemandRulesError(ValueError):
    """A demand rules file that cannot be used, with a message saying what to change."""


SHIPPED = resources.files("carejourney.config").joinpath("demand.toml")


def load_demand_rules(path: str | PathLike[str] | None = None) -> DemandRules:
    """The demand rules in the file at `path`, or the shipped defaults when None."""
    if path is None:
        return parse_demand_rules(SHIPPED.read_bytes(), "shipped demand.toml")
    data = read_user_file(path, what="demand rules file", error=DemandRulesError)
    return parse_demand_rules(data, str(path))


def parse_demand_rules(data: bytes, file: str) -> DemandRules:
    """Validate the bytes of a demand rules file; `file` names it in error messages."""
    return parse_model(
        data,
        file,
        what="demand rules file",
        model=DemandRules,
        error=DemandRulesError,
        explain=_explain,
    )


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: which setting, then what was expected."""
    fields = [p for p in error["loc"] if isinstance(p, str)]
    field = fields[0] if fields else None
    place = f'setting "{field}"' if field else "the file as a whole"
    if field == "wrong_service_words" and error["type"] in ("tuple_type", "string_type"):
        return (
            f'{place}: expected a list of words in square brackets, like ["signposted", '
            f'"redirected"], but it is {error["input"]!r}.'
        )
    return f"{place}: {_expected(error, DemandRules, field)}."
