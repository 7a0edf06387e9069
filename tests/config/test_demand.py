"""Demand rules are data: the shipped file gives the documented defaults, an LA's copy may
change any of them, and a bad file is explained by setting."""

from pathlib import Path

import pytest

from carejourney.config.demand import (
    DemandRules,
    DemandRulesError,
    load_demand_rules,
    parse_demand_rules,
)


def problems(text: str) -> str:
    with pytest.raises(DemandRulesError) as caught:
        parse_demand_rules(text.encode(), "my-rules.toml")
    return str(caught.value)


def test_the_shipped_rules_are_the_documented_defaults() -> None:
    rules = load_demand_rules()
    assert (rules.chasing, rules.chasing_days) == (True, 30)
    assert (rules.re_referral_nfa, rules.after_nfa_days) == (True, 365)
    assert (rules.not_right_first_time, rules.after_closure_days) == (True, 365)
    assert (rules.repeat, rules.repeat_days) == (True, 90)
    assert rules.wrong_service
    assert rules.wrong_service_words == (
        "signposted",
        "wrong service",
        "redirected",
        "not for this service",
    )
    assert rules.come_back_months == 12
    assert (rules.decision_working_days, rules.assessment_working_days) == (1, 45)
    assert "Working Together" in rules.source and "Cumbria" in rules.source
    # The model's own defaults are the same as the shipped file's.
    assert DemandRules().model_dump(exclude={"name", "title", "source"}) == rules.model_dump(
        exclude={"name", "title", "source"}
    )
    assert rules.window("CHASING") == 30 and rules.window("REPEAT") == 90


def test_a_copy_loads_by_path_and_needs_only_what_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "ours.toml"
    path.write_text('chasing = false\nrepeat_days = 60\nwrong_service_words = ["Signposted"]\n')
    rules = load_demand_rules(path)
    assert not rules.chasing and rules.repeat_days == 60
    assert rules.wrong_service_words == ("Signposted",)
    assert rules.chasing_days == 30 and rules.after_nfa_days == 365  # the rest as shipped


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "chasing_days = 0",
            'setting "chasing_days": expected a number greater than 0, but it is 0',
        ),
        (
            'repeat_days = "ninety"',
            'setting "repeat_days": expected a whole number, but it is "ninety"',
        ),
        ("after_nfa_days = 36.5", 'setting "after_nfa_days": expected a whole number'),
        (
            'chasing = "sometimes"',
            'setting "chasing": expected true or false, but it is "sometimes"',
        ),
        ("chasing_day = 30", 'setting "chasing_day": is not a setting carejourney knows'),
        (
            'wrong_service_words = "signposted"',
            'setting "wrong_service_words": expected a list of words in square brackets',
        ),
        (
            'wrong_service_words = ["signposted", "Signposted"]',
            '"signposted" is given more than once',
        ),
        ('wrong_service_words = ["  "]', 'setting "wrong_service_words": must not be empty'),
        ("repeat_days = 36501", 'setting "repeat_days": expected a number at most 36500'),
        ("come_back_months = -1", 'setting "come_back_months": expected a number greater than 0'),
        (
            "decision_working_days = -1",
            'setting "decision_working_days": expected a number at least 0',
        ),
    ],
)
def test_a_bad_setting_is_explained_naming_the_file_and_setting(text: str, message: str) -> None:
    found = problems(text)
    assert found.startswith("The demand rules file my-rules.toml has a problem:")
    assert message in found


def test_a_file_that_is_not_toml_is_explained() -> None:
    assert problems("chasing_days = ").startswith(
        "The demand rules file my-rules.toml is not valid TOML"
    )


def test_every_problem_is_listed_at_once() -> None:
    found = problems("chasing_days = 0\nrepeat_days = 0")
    assert found.startswith("The demand rules file my-rules.toml has 2 problems:")
    assert 'setting "chasing_days"' in found and 'setting "repeat_days"' in found


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(DemandRulesError, match="Cannot read the demand rules file"):
        load_demand_rules(tmp_path / "none.toml")
