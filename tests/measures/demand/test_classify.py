"""Value and failure demand: each rule and its window's edges worked out by hand, the order
the rules are tried in, recorded classes winning, the agreement table, and a property test
against a plain contact-by-contact reading of the rules."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.config.demand import DemandRules
from carejourney.measures.demand.classify import FAILURE_WORDS, agreement, classify
from carejourney.measures.demand.data import conform
from carejourney.schema.demand import FAILURE_TYPES
from tests.measures.demand.tables import contacts

RULES = DemandRules()


def classes(text: str, rules: DemandRules = RULES) -> list[tuple[str, str | None, str]]:
    """(DEMAND_CLASS, FAILURE_KIND, WHY) of each contact, in the table's order."""
    found = classify(contacts(text), rules)
    return list(found.select("DEMAND_CLASS", "FAILURE_KIND", "WHY").iter_rows())


VALUE_FIRST = (
    "VALUE",
    None,
    "Value: no earlier contact from this family within the rules' windows.",
)


def test_chasing_within_30_days_of_a_contact_still_waiting_for_a_decision() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE
        C1    | 01/03/2024   |
        C1    | 31/03/2024   | 31/03/2024
        C2    | 01/03/2024   | 05/04/2024
        C2    | 01/04/2024   | 01/04/2024
        C5    | 01/03/2024   | 10/03/2024
        C5    | 10/03/2024   | 10/03/2024
        """
    )
    assert found == [
        VALUE_FIRST,
        # 1 March to 31 March: 30 days, the edge of the window, and no decision at all.
        (
            "FAILURE",
            "CHASING",
            "Progress chasing: the family's contact of 1 March 2024 (30 days before) was still "
            "waiting for a decision on this contact's date; no decision is recorded. The rule "
            "looks back 30 days.",
        ),
        VALUE_FIRST,
        # 31 days: outside the window, although that contact was not decided until 5 April.
        (
            "VALUE",
            None,
            "Value: the family made contact before (last on 1 March 2024, 31 days before), but "
            "no failure rule matched.",
        ),
        VALUE_FIRST,
        # Decided on the day of this contact: no longer waiting.
        (
            "VALUE",
            None,
            "Value: the family made contact before (last on 1 March 2024, 9 days before), but "
            "no failure rule matched.",
        ),
    ]


def test_on_the_same_day_the_file_order_says_which_contact_was_earlier() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE
        C4    | 04/03/2024   | 06/03/2024
        C4    | 04/03/2024   | 04/03/2024
        C3    | 04/03/2024   | 04/03/2024
        C3    | 04/03/2024   | 04/03/2024
        """
    )
    assert found[0] == VALUE_FIRST
    assert found[1] == (
        "FAILURE",
        "CHASING",
        "Progress chasing: the family's contact of 4 March 2024 (the same day) was still "
        "waiting for a decision on this contact's date; it was decided on 6 March 2024. The "
        "rule looks back 30 days.",
    )
    assert found[2] == VALUE_FIRST
    # Decided on the day, so the second contact that day is not chasing it.
    assert found[3][:2] == ("VALUE", None) and "the same day" in found[3][2]


def test_the_contact_named_is_the_one_whose_decision_came_latest() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE
        C6    | 01/03/2024   | 20/03/2024
        C6    | 05/03/2024   | 25/03/2024
        C6    | 10/03/2024   | 10/03/2024
        """
    )
    # Both earlier contacts were waiting on 10 March; the 5 March one waited longer.
    assert found[2][2].startswith(
        "Progress chasing: the family's contact of 5 March 2024 (5 days before) was still "
        "waiting for a decision on this contact's date; it was decided on 25 March 2024."
    )


def test_the_family_is_family_if_given_else_child() -> None:
    found = classes(
        """
        CHILD | FAMILY | CONTACT_DATE | DECISION_DATE
        X1    | F1     | 01/01/2024   |
        X2    | F1     | 05/01/2024   | 05/01/2024
        X2    |        | 06/01/2024   | 06/01/2024
        """
    )
    assert found[1][:2] == ("FAILURE", "CHASING")  # the brother's contact for the family
    assert found[2] == VALUE_FIRST  # no FAMILY: the child is a family of their own


def test_back_after_no_further_action_within_365_days_of_the_decision() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME
        N1    | 01/02/2023   | 03/02/2023    | NFA
        N1    | 03/02/2024   | 03/02/2024    |
        N2    | 01/02/2023   | 03/02/2023    | NFA
        N2    | 04/02/2024   | 04/02/2024    |
        N4    | 01/02/2023   |               | NFA
        N4    | 13/03/2023   | 13/03/2023    | ASSESSMENT
        """
    )
    # 3 February 2023 to 3 February 2024 is 365 days: in; to 4 February, 366: out.
    assert found[1] == (
        "FAILURE",
        "RE_REFERRAL_NFA",
        "Back after no further action: the family's contact of 1 February 2023 ended with no "
        "further action on 3 February 2023, 365 days before this contact. The rule looks back "
        "365 days.",
    )
    assert found[3] == (
        "VALUE",
        None,
        "Value: no earlier contact from this family within the rules' windows.",
    )
    # No decision date: the contact's own date is when it was decided, 40 days before (and
    # for progress chasing it is still waiting, but 40 days is beyond chasing's 30).
    assert found[5][:2] == ("FAILURE", "RE_REFERRAL_NFA")
    assert "ended with no further action on 1 February 2023, 40 days before" in found[5][2]


def test_no_further_action_decided_after_this_contact_is_not_yet_no_further_action() -> None:
    rules = DemandRules(chasing=False)
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME
        N3    | 01/03/2024   | 20/03/2024    | NFA
        N3    | 10/03/2024   | 10/03/2024    |
        N3    | 25/03/2024   | 25/03/2024    |
        """,
        rules,
    )
    assert found[1][:2] == ("VALUE", None)
    assert found[2][:2] == ("FAILURE", "RE_REFERRAL_NFA")
    assert "on 20 March 2024, 5 days before this contact" in found[2][2]


def test_not_right_first_time_after_earlier_work_closed() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME    | CLOSED_DATE
        K1    | 01/01/2024   | 01/01/2024    | EARLY_HELP | 30/04/2024
        K1    | 15/05/2024   | 15/05/2024    |            |
        K2    | 01/01/2023   | 01/01/2023    | EARLY_HELP | 30/04/2023
        K2    | 01/05/2024   | 01/05/2024    |            |
        """
    )
    assert found[1] == (
        "FAILURE",
        "NOT_RIGHT_FIRST_TIME",
        "Not right first time: the work after the family's contact of 1 January 2024 closed on "
        "30 April 2024, 15 days before this contact. The rule looks back 365 days.",
    )
    # 30 April 2023 to 1 May 2024: 367 days, outside the window.
    assert found[3][:2] == ("VALUE", None)


def test_repeat_contact_about_the_same_need_within_90_days() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE | NEED
        R1    | 01/01/2024   | 01/01/2024    | Neglect
        R1    | 31/03/2024   | 31/03/2024    |  neglect
        R1    | 01/04/2024   | 01/04/2024    | Domestic abuse
        R2    | 01/01/2024   | 01/01/2024    | Neglect
        R2    | 01/04/2024   | 01/04/2024    | Neglect
        R3    | 01/01/2024   | 01/01/2024    |
        R3    | 02/01/2024   | 02/01/2024    |
        """
    )
    # 1 January to 31 March 2024 (a leap year): 90 days.
    assert found[1] == (
        "FAILURE",
        "REPEAT",
        "Repeat contact: the family made contact about the same need on 1 January 2024, 90 "
        "days before this contact. The rule looks back 90 days.",
    )
    assert found[2][:2] == ("VALUE", None)  # another need
    assert found[4][:2] == ("VALUE", None)  # 91 days
    assert found[6][:2] == ("VALUE", None)  # no need recorded: cannot be the same one


def test_wrong_service_from_the_decision_words() -> None:
    found = classes(
        """
        CHILD | CONTACT_DATE | DECISION_DATE | DECISION
        W1    | 01/01/2024   | 01/01/2024    | Redirected to the housing team
        W2    | 01/01/2024   | 01/01/2024    | NOT FOR THIS SERVICE
        W3    | 01/01/2024   | 01/01/2024    | Assessment
        """
    )
    assert found[0] == (
        "FAILURE",
        "WRONG_SERVICE",
        'Wrong service: the decision says "redirected".',
    )
    assert found[1][:2] == ("FAILURE", "WRONG_SERVICE")
    assert found[1][2] == 'Wrong service: the decision says "not for this service".'
    assert found[2] == VALUE_FIRST


EVERY_RULE = """
CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME | CLOSED_DATE | NEED    | DECISION
A     | 01/03/2024   |               |         |             |         |
A     | 02/03/2024   | 02/03/2024    | NFA     | 02/03/2024  | Neglect |
A     | 10/03/2024   | 10/03/2024    |         |             | neglect | Signposted
"""


@pytest.mark.parametrize(
    ("off", "kind"),
    [
        ((), "CHASING"),
        (("chasing",), "RE_REFERRAL_NFA"),
        (("chasing", "re_referral_nfa"), "NOT_RIGHT_FIRST_TIME"),
        (("chasing", "re_referral_nfa", "not_right_first_time"), "REPEAT"),
        (("chasing", "re_referral_nfa", "not_right_first_time", "repeat"), "WRONG_SERVICE"),
        (
            ("chasing", "re_referral_nfa", "not_right_first_time", "repeat", "wrong_service"),
            None,
        ),
    ],
)
def test_the_first_rule_that_matches_wins_and_each_can_be_turned_off(
    off: tuple[str, ...], kind: str | None
) -> None:
    rules = DemandRules(**dict.fromkeys(off, False))
    assert classes(EVERY_RULE, rules)[2][1] == kind


def test_windows_are_tunable() -> None:
    text = """
    CHILD | CONTACT_DATE | DECISION_DATE | NEED
    R1    | 01/01/2024   | 01/01/2024    | Neglect
    R1    | 01/03/2024   | 01/03/2024    | Neglect
    """
    assert classes(text)[1][1] == "REPEAT"
    short = classes(text, DemandRules(repeat_days=59))  # 60 days apart
    assert short[1][:2] == ("VALUE", None)


def test_a_recorded_class_wins_and_keeps_its_type() -> None:
    found = classify(
        contacts(
            """
            CHILD | CONTACT_DATE | DEMAND  | FAILURE_TYPE
            A     | 01/03/2024   | FAILURE | REPEAT
            A     | 02/03/2024   | VALUE   |
            A     | 03/03/2024   | FAILURE |
            A     | 04/03/2024   |         | CHASING
            A     | 05/03/2024   |         |
            """
        ),
        RULES,
    )
    assert found.select(
        "DEMAND_CLASS", "FAILURE_KIND", "CLASS_SOURCE", "WHY", "SUGGESTED_KIND"
    ).rows() == [
        (
            "FAILURE",
            "REPEAT",
            "recorded",
            "Recorded by the team as failure demand: repeat contact about the same need.",
            None,
        ),
        ("VALUE", None, "recorded", "Recorded by the team as value demand.", "CHASING"),
        (
            "FAILURE",
            None,
            "recorded",
            "Recorded by the team as failure demand (type not recorded).",
            "CHASING",
        ),
        (
            "FAILURE",
            "CHASING",
            "recorded",
            "Recorded by the team as failure demand: progress chasing.",
            "CHASING",
        ),
        ("FAILURE", "CHASING", "suggested", found["SUGGESTED_WHY"][4], "CHASING"),
    ]


def test_the_failure_types_are_the_declared_code_list() -> None:
    assert set(FAILURE_WORDS) == FAILURE_TYPES.values()


def test_rows_keep_their_order_and_columns() -> None:
    given = contacts(
        """
        CHILD | CONTACT_DATE | TEAM
        B     | 05/03/2024   | North
        A     | 01/03/2024   | South
        B     | 01/03/2024   | East
        """
    )
    found = classify(given, RULES)
    assert found.columns[: len(given.columns)] == given.columns
    assert found["TEAM"].to_list() == ["North", "South", "East"]
    assert found["FAILURE_KIND"].to_list() == ["CHASING", None, None]


def test_agreement_sets_what_teams_recorded_beside_the_rules() -> None:
    found = classify(
        contacts(
            """
            CHILD | CONTACT_DATE | DECISION_DATE | DEMAND  | FAILURE_TYPE
            A     | 01/03/2024   |               | VALUE   |
            A     | 02/03/2024   | 02/03/2024    | FAILURE | CHASING
            B     | 01/03/2024   |               | VALUE   |
            B     | 02/03/2024   | 02/03/2024    | VALUE   |
            C     | 01/03/2024   |               | FAILURE | REPEAT
            D     | 01/03/2024   |               |         |
            """
        ),
        RULES,
    )
    # A1, B1: value, rules value. A2: failure chasing, rules chasing. B2: value, rules
    # chasing. C1: failure repeat, rules value. D1: not recorded, left out.
    assert agreement(found).rows() == [
        ("VALUE", None, "VALUE", None, 2, True, True),
        ("FAILURE", "CHASING", "FAILURE", "CHASING", 1, True, True),
        ("FAILURE", "REPEAT", "VALUE", None, 1, False, False),
        ("VALUE", None, "FAILURE", "CHASING", 1, False, False),
    ]


def test_contacts_without_a_date_are_left_out() -> None:
    given = conform(
        "contacts",
        pl.DataFrame({"CHILD": ["A", "A"], "CONTACT_DATE": [dt.date(2024, 3, 1), None]}),
    )
    assert classify(given, RULES).height == 1


# --- the rules read contact by contact, as a person would apply them -------------------


def reference(rows: list[dict[str, object]], rules: DemandRules) -> list[str | None]:
    """The suggested failure type of each contact, worked out by looking at every earlier
    contact of the family in turn."""

    def family(row: dict[str, object]) -> object:
        return row["FAMILY"] or row["CHILD"]

    def need(row: dict[str, object]) -> str | None:
        text = row["NEED"]
        return text.strip().lower() or None if isinstance(text, str) else None

    def days(later: object, earlier: object) -> int:
        assert isinstance(later, dt.date) and isinstance(earlier, dt.date)
        return (later - earlier).days

    kinds: list[str | None] = []
    for i, c in enumerate(rows):
        date = c["CONTACT_DATE"]
        earlier = [
            e
            for j, e in enumerate(rows)
            if family(e) == family(c) and (e["CONTACT_DATE"], j) < (date, i)  # type: ignore[operator]
        ]
        chasing = any(
            0 <= days(date, e["CONTACT_DATE"]) <= rules.chasing_days
            and (e["DECISION_DATE"] is None or days(e["DECISION_DATE"], date) > 0)
            for e in earlier
        )
        nfa = any(
            e["OUTCOME"] == "NFA"
            and 0
            <= days(date, max(e["DECISION_DATE"] or e["CONTACT_DATE"], e["CONTACT_DATE"]))  # type: ignore[type-var]
            <= rules.after_nfa_days
            for e in earlier
        )
        closed = any(
            e["CLOSED_DATE"] is not None
            and 0
            <= days(date, max(e["CLOSED_DATE"], e["CONTACT_DATE"]))  # type: ignore[type-var]
            <= rules.after_closure_days
            for e in earlier
        )
        repeat = need(c) is not None and any(
            need(e) == need(c) and 0 <= days(date, e["CONTACT_DATE"]) <= rules.repeat_days
            for e in earlier
        )
        decision = str(c["DECISION"] or "").lower()
        wrong = any(w.lower() in decision for w in rules.wrong_service_words)
        matched = [
            kind
            for kind, on, hit in (
                ("CHASING", rules.chasing, chasing),
                ("RE_REFERRAL_NFA", rules.re_referral_nfa, nfa),
                ("NOT_RIGHT_FIRST_TIME", rules.not_right_first_time, closed),
                ("REPEAT", rules.repeat, repeat),
                ("WRONG_SERVICE", rules.wrong_service, wrong),
            )
            if on and hit
        ]
        kinds.append(matched[0] if matched else None)
    return kinds


START = dt.date(2024, 1, 1)
offsets = st.integers(min_value=0, max_value=120)


@st.composite
def contact_rows(draw: st.DrawFn) -> list[dict[str, object]]:
    rows = []
    for _ in range(draw(st.integers(min_value=1, max_value=14))):
        date = START + dt.timedelta(days=draw(offsets))
        decided = draw(st.one_of(st.none(), st.integers(min_value=-3, max_value=45)))
        closed = draw(st.one_of(st.none(), st.integers(min_value=-3, max_value=60)))
        rows.append(
            {
                "CHILD": draw(st.sampled_from(["C1", "C2", "C3"])),
                "FAMILY": draw(st.sampled_from([None, "F1"])),
                "CONTACT_DATE": date,
                "DECISION_DATE": None if decided is None else date + dt.timedelta(days=decided),
                "OUTCOME": draw(st.sampled_from([None, "NFA", "ASSESSMENT"])),
                "NEED": draw(st.sampled_from([None, "", "neglect", " Neglect", "abuse"])),
                "DECISION": draw(st.sampled_from([None, "ok", "Signposted on", "REDIRECTED"])),
                "CLOSED_DATE": None if closed is None else date + dt.timedelta(days=closed),
            }
        )
    return rows


@settings(max_examples=150, deadline=None)
@given(
    rows=contact_rows(),
    windows=st.tuples(*(st.integers(min_value=1, max_value=60) for _ in range(4))),
    on=st.tuples(*(st.booleans() for _ in range(5))),
)
def test_the_vectorised_rules_agree_with_reading_contact_by_contact(
    rows: list[dict[str, object]], windows: tuple[int, ...], on: tuple[bool, ...]
) -> None:
    rules = DemandRules(
        chasing_days=windows[0],
        after_nfa_days=windows[1],
        after_closure_days=windows[2],
        repeat_days=windows[3],
        chasing=on[0],
        re_referral_nfa=on[1],
        not_right_first_time=on[2],
        repeat=on[3],
        wrong_service=on[4],
    )
    frame = conform("contacts", pl.DataFrame(rows, schema_overrides={"FAMILY": pl.String}))
    found = classify(frame, rules)
    assert found["SUGGESTED_KIND"].to_list() == reference(rows, rules)
    # Every contact is explained in words, none by an ID.
    assert found["WHY"].null_count() == 0
    assert not any(c in why for why in found["WHY"] for c in ("C1", "C2", "C3", "F1"))
