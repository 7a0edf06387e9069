"""Value and failure shares by month, source, team and failure type, counted by hand."""

from __future__ import annotations

import datetime as dt

import polars as pl
import pytest

from carejourney.config.demand import DemandRules
from carejourney.measures.demand import shares
from carejourney.measures.demand.classify import classify
from tests.measures.demand.tables import contacts, rounded

# Recorded: A1 value, A2 failure (repeat), B1 failure with no type. Suggested by the rules:
# C1 value (first), C2 chasing (C1 undecided 2 days before), D1 wrong service.
# January: A1, A2. February: B1. March: C1, C2, D1.
CONTACTS = """
CHILD | CONTACT_DATE | DECISION_DATE | SOURCE | TEAM  | DEMAND  | FAILURE_TYPE | DECISION
A     | 10/01/2024   | 10/01/2024    | Police | North | VALUE   |              |
A     | 20/01/2024   | 20/01/2024    | School | North | FAILURE | REPEAT       |
B     | 05/02/2024   | 05/02/2024    | Police | South | FAILURE |              |
C     | 01/03/2024   |               |        | South |         |              |
C     | 03/03/2024   | 03/03/2024    | Police | South |         |              |
D     | 04/03/2024   | 04/03/2024    | School |       |         |              | Signposted
"""


@pytest.fixture
def classified() -> pl.DataFrame:
    return classify(contacts(CONTACTS), DemandRules())


def test_by_month_counts_value_and_failure_recorded_and_suggested(classified: pl.DataFrame) -> None:
    months = [dt.date(2024, m, 1) for m in (1, 2, 3, 4)]
    found = shares.by_month(classified, months)
    assert rounded(found.rows()) == rounded(
        [
            # month, contacts, value, failure, %, recorded, rec. failure, %, suggested, sugg. failure, %
            (months[0], 2, 1, 1, 50.0, 2, 1, 50.0, 0, 0, None),
            (months[1], 1, 0, 1, 100.0, 1, 1, 100.0, 0, 0, None),
            (months[2], 3, 1, 2, 200 / 3, 0, 0, None, 3, 2, 200 / 3),
            (months[3], 0, 0, 0, None, 0, 0, None, 0, 0, None),  # no contacts: no share
        ]
    )


def test_overall(classified: pl.DataFrame) -> None:
    assert rounded(shares.overall(classified).rows()) == rounded(
        [(6, 2, 4, 200 / 3, 3, 2, 200 / 3, 3, 2, 200 / 3)]
    )


def test_by_source_and_team_with_blanks_as_not_recorded(classified: pl.DataFrame) -> None:
    by_source = shares.by_group(classified, "SOURCE")
    assert rounded(
        by_source.select("SOURCE", "contacts", "value", "failure", "failure_pct").rows()
    ) == rounded(
        [
            ("Police", 3, 1, 2, 2 / 3 * 100),  # A1 value, B1 failure, C2 chasing
            ("School", 2, 0, 2, 100.0),  # A2, D1
            ("not recorded", 1, 1, 0, 0.0),  # C1
        ]
    )
    by_team = shares.by_group(classified, "TEAM")
    assert rounded(by_team.select("TEAM", "contacts", "failure").rows()) == rounded(
        [
            ("South", 3, 2),  # B1, C1, C2
            ("North", 2, 1),  # A1, A2
            ("not recorded", 1, 1),  # D1
        ]
    )


def test_failure_by_type_in_rule_order(classified: pl.DataFrame) -> None:
    found = shares.failure_types(classified)
    assert rounded(found.rows()) == rounded(
        [
            # type, in words, contacts, recorded, suggested, % of 4 failures, % of 6 contacts
            ("CHASING", "progress chasing", 1, 0, 1, 25.0, 100 / 6),
            ("RE_REFERRAL_NFA", "back after no further action", 0, 0, 0, 0.0, 0.0),
            ("NOT_RIGHT_FIRST_TIME", "not right first time", 0, 0, 0, 0.0, 0.0),
            ("REPEAT", "repeat contact about the same need", 1, 1, 0, 25.0, 100 / 6),
            ("WRONG_SERVICE", "came to the wrong service", 1, 0, 1, 25.0, 100 / 6),
            ("not recorded", "type not recorded", 1, 1, 0, 25.0, 100 / 6),
        ]
    )


def test_a_failure_type_carejourney_does_not_know_is_still_counted() -> None:
    found = classify(
        contacts(
            """
            CHILD | CONTACT_DATE | DEMAND  | FAILURE_TYPE
            A     | 10/01/2024   | FAILURE | SUSPECT
            """
        ),
        DemandRules(),
    )
    rows = rounded(shares.failure_types(found).rows())
    assert rows[-1] == ("SUSPECT", "SUSPECT", 1, 1, 0, 100.0, 100.0)
    assert len(rows) == 7
