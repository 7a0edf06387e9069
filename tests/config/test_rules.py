"""Rule sets are data: the shipped files load, every figure has its source, bad files are explained."""

import os
import re
from pathlib import Path

import pytest
from pydantic import BaseModel, ValidationError

from carejourney.config.rules import (
    Cohort,
    RuleSet,
    RuleSetError,
    TimescaleRule,
    load_rule_set,
    shipped_rule_sets,
)
from carejourney.schema.milestones import MILESTONES, MILESTONES_BY_NAME

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

# Every shipped rule with its figure, checked by hand against DOMAIN-FACTS.md and the seeds.
# verified = no would mark a figure DOMAIN-FACTS calls *unverified*; none of these is.
SHIPPED = """
rule set             rule                              from                       to                          within  unit                      inclusive  target  verified
england              review-first                      entered_care               looked_after_review         20      working_days              yes        -       yes
england              review-second                     looked_after_review        looked_after_review         3       months                    yes        -       yes
england              review-subsequent                 looked_after_review        looked_after_review         6       months                    yes        -       yes
england              permanence-plan                   entered_care               permanence_plan_agreed      4       months                    yes        -       yes
england              care-proceedings                  care_proceedings_issued    care_proceedings_concluded  26      weeks                     no         -       yes
adoption-scorecard   a1-entered-care-to-placed         entered_care               placed_for_adoption         426     days                      yes        -       yes
adoption-scorecard   a2-placement-order-to-matched     placement_order            matched                     121     days                      yes        -       yes
scotland             review-first                      entered_care               looked_after_review         6       weeks                     yes        -       yes
scotland             review-second                     looked_after_review        looked_after_review         3       months                    yes        -       yes
scotland             review-subsequent                 looked_after_review        looked_after_review         6       months                    yes        -       yes
scotland             permanence-recommendation         entered_care               permanence_recommendation   6       months                    yes        -       yes
scotland             agency-decision                   panel                      agency_decision             14      days                      yes        -       yes
pace-moray           aim-2-recommendation              entered_care               permanence_recommendation   30      weeks                     yes        85      yes
pace-moray           aim-3-panel                       permanence_recommendation  panel                       15      weeks                     yes        60      yes
pace-moray           aim-4-order-lodged                agency_decision            permanence_order_lodged     16      weeks                     yes        60      yes
celcis-legal-advice  legal-information-before-review   legal_information_sent     permanence_recommendation   8       full_working_days_before  yes        50      yes
"""


def shipped_table() -> list[dict[str, str]]:
    lines = SHIPPED.strip().splitlines()
    header = re.split(r"\s{2,}", lines[0])
    return [dict(zip(header, line.split(), strict=True)) for line in lines[1:]]


def as_row(set_name: str, rule: TimescaleRule) -> dict[str, str]:
    target = "-" if rule.target_percent is None else f"{rule.target_percent:g}"
    return {
        "rule set": set_name,
        "rule": rule.name,
        "from": rule.from_milestone,
        "to": rule.to_milestone,
        "within": str(rule.within),
        "unit": rule.unit,
        "inclusive": "yes" if rule.end_inclusive else "no",
        "target": target,
        "verified": "yes" if rule.verified else "no",
    }


def every_shipped_rule() -> list[tuple[str, TimescaleRule]]:
    return [(name, rule) for name in shipped_rule_sets() for rule in load_rule_set(name).rules]


# --- the shipped rule sets -------------------------------------------------------------


def test_the_five_rule_sets_are_shipped() -> None:
    assert shipped_rule_sets() == [
        "adoption-scorecard",
        "celcis-legal-advice",
        "england",
        "pace-moray",
        "scotland",
    ]


@pytest.mark.parametrize("name", shipped_rule_sets())
def test_every_shipped_rule_set_loads_and_is_named_as_its_file(name: str) -> None:
    rule_set = load_rule_set(name)
    assert rule_set.name == name
    assert rule_set.rules


def test_every_shipped_figure_is_as_checked_by_hand() -> None:
    assert [as_row(n, r) for n, r in every_shipped_rule()] == sorted(
        shipped_table(), key=lambda row: shipped_rule_sets().index(row["rule set"])
    )


def test_every_rule_refers_only_to_declared_milestones() -> None:
    for _, rule in every_shipped_rule():
        assert rule.from_milestone in MILESTONES_BY_NAME
        assert rule.to_milestone in MILESTONES_BY_NAME


def test_every_rule_and_rule_set_has_a_source() -> None:
    for name in shipped_rule_sets():
        assert len(load_rule_set(name).source) > 20
    for _, rule in every_shipped_rule():
        assert len(rule.source) > 20, rule.name


def test_unverified_figures_are_marked_and_the_mark_is_required(tmp_path: Path) -> None:
    # DOMAIN-FACTS marks none of the shipped figures *unverified* (national PACE Aims 3 and 4
    # are, and are not shipped); a figure that is must say verified = false.
    assert [(n, r.name) for n, r in every_shipped_rule() if not r.verified] == []
    unverified = GOOD.replace("verified = true", "verified = false")
    assert not load_text(tmp_path, unverified).rules[0].verified
    assert problem(tmp_path, GOOD.replace("verified = true\n", "")) == (
        f"The rule set file {tmp_path / 'my-la.toml'} has a problem:\n"
        '  - rule "review-first" (rule 1 in the file), field "verified": is missing: '
        "add it (true when its source confirms the figure; false when it must be checked)."
    )


def test_reviews_are_a_first_a_second_and_a_repeating_rule() -> None:
    for nation in ("england", "scotland"):
        rules = load_rule_set(nation)
        first, second, later = (
            rules.rule(f"review-{n}") for n in ("first", "second", "subsequent")
        )
        assert (first.occurrence, first.repeat) == (1, False)
        assert (second.occurrence, second.repeat) == (2, False)
        assert (later.occurrence, later.repeat) == (3, True)


def test_aims_carry_their_cohort_targets_and_the_moray_reminder() -> None:
    moray = load_rule_set("pace-moray")
    aim2 = moray.rule("aim-2-recommendation")
    assert (aim2.reminder_at, str(aim2.cohort.entered_on_or_after)) == (15, "2019-02-01")
    assert str(aim2.target_date) == "2019-12-01"
    for name in ("aim-3-panel", "aim-4-order-lodged"):
        assert str(moray.rule(name).cohort.from_milestone_on_or_after) == "2018-02-01"
    assert "permanence_order" in moray.rule("aim-4-order-lodged").cohort.legal_routes
    celcis = load_rule_set("celcis-legal-advice").rules[0]
    assert str(celcis.target_date) == "2018-08-31"
    for name in ("a1-entered-care-to-placed", "a2-placement-order-to-matched"):
        assert load_rule_set("adoption-scorecard").rule(name).cohort.legal_routes == ("adoption",)
    assert "A10" in load_rule_set("adoption-scorecard").rule("a1-entered-care-to-placed").source


@pytest.mark.skipif(
    not SEEDS.is_dir() and not os.environ.get("CI"),
    reason="../shared/seeds is not beside the repository",
)
@pytest.mark.parametrize("name", ["pace-moray", "celcis-legal-advice"])
def test_aims_quote_their_seed_document_word_for_word(name: str) -> None:
    seeds = " ".join(p.read_text() for p in SEEDS.glob("*.txt"))
    words = " ".join(seeds.split())
    quotes = [
        q for rule in load_rule_set(name).rules for q in re.findall(r'"([^"]+)"', rule.source)
    ]
    assert len(quotes) >= len(load_rule_set(name).rules)
    for quote in quotes:
        assert " ".join(quote.split()) in words


def test_every_model_field_is_described() -> None:
    models: list[type[BaseModel]] = [RuleSet, TimescaleRule, Cohort]
    for model in models:
        for name, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{name}"


def test_rules_are_frozen() -> None:
    rule = load_rule_set("england").rules[0]
    with pytest.raises(ValidationError):
        rule.within = 10  # type: ignore[misc]


# --- an LA's own copy --------------------------------------------------------------------

GOOD = """\
name = "my-la"
title = "My LA's timescales"
nation = "england-and-wales"
source = "Our practice standards, 2025"

[[rules]]
name = "review-first"
title = "First review within 20 working days"
from_milestone = "entered_care"
to_milestone = "looked_after_review"
occurrence = 1
within = 20
unit = "working_days"
source = "Care Planning, Placement and Case Review (England) Regulations 2010, reg 33"
verified = true
"""


def load_text(tmp_path: Path, text: str) -> RuleSet:
    path = tmp_path / "my-la.toml"
    path.write_text(text)
    return load_rule_set(path)


def problem(tmp_path: Path, text: str) -> str:
    with pytest.raises(RuleSetError) as caught:
        load_text(tmp_path, text)
    return str(caught.value)


def test_an_las_edited_copy_loads_by_path(tmp_path: Path) -> None:
    shipped = load_rule_set("england")
    text = (
        Path(__file__).resolve().parents[2] / "src/carejourney/config/rulesets/england.toml"
    ).read_text()
    edited = text.replace("within = 20", "within = 15").replace(
        'name = "england"', 'name = "my-la"'
    )
    copy = tmp_path / "my-la.toml"
    copy.write_text(edited)
    for path in (copy, str(copy)):
        mine = load_rule_set(path)
        assert (mine.name, mine.rule("review-first").within) == ("my-la", 15)
        assert mine.rules[1:] == shipped.rules[1:]


def test_a_minimal_rule_takes_the_documented_defaults(tmp_path: Path) -> None:
    rule = load_text(tmp_path, GOOD).rules[0]
    assert rule.end_inclusive is True
    assert (rule.repeat, rule.reminder_at, rule.target_percent) == (False, None, None)
    assert rule.cohort == Cohort()


# --- bad files get messages a non-programmer can act on -------------------------------------


def test_unknown_milestone(tmp_path: Path) -> None:
    message = problem(tmp_path, GOOD.replace('"looked_after_review"', '"looked_after_reveiw"'))
    assert message.startswith(f"The rule set file {tmp_path / 'my-la.toml'} has a problem:\n")
    assert (
        '  - rule "review-first" (rule 1 in the file), field "to_milestone": '
        '"looked_after_reveiw" is not a milestone. Did you mean "looked_after_review"? '
        "Valid milestones: entered_care, looked_after_review, adoption_decision, "
    ) in message
    assert all(m.name in message for m in MILESTONES)


def test_negative_within(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD.replace("within = 20", "within = -5")).endswith(
        '  - rule "review-first" (rule 1 in the file), field "within": '
        "expected a number greater than 0, but it is -5."
    )


def test_unknown_unit(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD.replace('"working_days"', '"fortnights"')).endswith(
        'field "unit": expected one of '
        "'days', 'working_days', 'full_working_days_before', 'weeks' or 'months', "
        'but it is "fortnights".'
    )


def test_duplicate_rule_names(tmp_path: Path) -> None:
    twice = GOOD + GOOD[GOOD.index("[[rules]]") :]
    assert problem(tmp_path, twice).endswith(
        '  - field "rules": more than one rule is called "review-first": '
        "give each rule its own name."
    )


def test_toml_syntax_error_names_the_line(tmp_path: Path) -> None:
    broken = GOOD.replace("within = 20", "within 20")
    line = broken.splitlines().index("within 20") + 1
    message = problem(tmp_path, broken)
    assert message.startswith(f"The rule set file {tmp_path / 'my-la.toml'} is not valid TOML: ")
    assert f"(at line {line}, column" in message
    assert message.endswith('Look there for a missing quote, "=" or bracket.')


def test_misspelt_setting(tmp_path: Path) -> None:
    message = problem(tmp_path, GOOD.replace("unit =", "end_inclusiv = false\nunit ="))
    assert 'field "end_inclusiv": is not a setting carejourney knows: check its spelling' in message
    assert "end_inclusive" in message


def test_empty_source(tmp_path: Path) -> None:
    no_source = GOOD.replace(
        '"Care Planning, Placement and Case Review (England) Regulations 2010, reg 33"', '"  "'
    )
    assert problem(tmp_path, no_source).endswith('field "source": must not be empty.')


def test_unknown_legal_route(tmp_path: Path) -> None:
    message = problem(tmp_path, GOOD + 'cohort = { legal_routes = ["adopshun"] }\n')
    assert "field \"cohort.legal_routes\": expected one of 'adoption'" in message
    assert message.endswith('but it is "adopshun".')


def test_reminder_after_the_due_date(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD + "reminder_at = 20\n").endswith(
        "reminder_at (20) must be fewer working_days than within (20), "
        "so that the reminder comes before the due date."
    )


def test_repeat_needs_the_same_milestone(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD + "repeat = true\n").endswith(
        "repeat = true needs from_milestone and to_milestone to be the same."
    )


def test_every_problem_is_listed_at_once(tmp_path: Path) -> None:
    bad = GOOD.replace("within = 20", "within = 0").replace('"working_days"', '"fortnights"')
    message = problem(tmp_path, bad)
    assert "has 2 problems:" in message
    assert 'field "within"' in message and 'field "unit"' in message


def test_wrong_kinds_of_value_are_named_in_plain_words(tmp_path: Path) -> None:
    message = problem(
        tmp_path, GOOD.replace("verified = true", 'verified = "maybe"\ntarget_date = "1 Dec 2019"')
    )
    assert 'field "verified": expected true or false, but it is "maybe".' in message
    assert (
        'field "target_date": expected a date written like 2019-12-01, but it is "1 Dec 2019".'
        in message
    )


def test_rules_written_as_a_single_table(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD.replace("[[rules]]", "[rules]")).endswith(
        'field "rules": expected each rule under its own [[rules]] heading, with two square brackets.'
    )


def test_no_rules(tmp_path: Path) -> None:
    assert problem(tmp_path, GOOD[: GOOD.index("[[rules]]")] + "rules = []\n").endswith(
        '  - field "rules": needs at least one [[rules]] table.'
    )


def test_a_file_saved_with_a_byte_order_mark_loads(tmp_path: Path) -> None:
    path = tmp_path / "excel-notepad.toml"
    path.write_bytes(b"\xef\xbb\xbf" + GOOD.encode())
    assert load_rule_set(path).name == "my-la"


def test_unknown_shipped_name_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        RuleSetError,
        match=re.escape(
            'no shipped rule set called "englnd". Shipped rule sets: adoption-scorecard, '
        ),
    ):
        load_rule_set("englnd")
    with pytest.raises(RuleSetError, match=r"Cannot read the rule set file .*nowhere\.toml"):
        load_rule_set(tmp_path / "nowhere.toml")


def test_a_rule_from_a_milestone_to_itself_says_which_occurrence(tmp_path: Path) -> None:
    second = GOOD.replace('"entered_care"', '"looked_after_review"').replace("occurrence = 1\n", "")
    assert problem(tmp_path, second).endswith(
        "from_milestone and to_milestone are the same, so occurrence must say which one is due "
        "(2 or more: the second is due from the first)."
    )


def test_a_cohort_no_child_can_match(tmp_path: Path) -> None:
    assert problem(
        tmp_path, GOOD + "cohort = { age_at_entry_min = 5, age_at_entry_max = 4 }\n"
    ).endswith(
        'field "cohort": age_at_entry_min (5) is more than age_at_entry_max (4), so no child can match.'
    )
