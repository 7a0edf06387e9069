"""Re-referrals within 12 months (the CIN census definition), worked out by hand."""

from __future__ import annotations

import datetime as dt

from carejourney.measures.demand import referrals
from carejourney.measures.demand.data import DemandData
from tests.measures.demand.tables import contacts, day, frame

CIN = """
CHILD | REFERRAL_DATE | NFA
A     | 15/03/2023    | yes
A     | 15/03/2024    |
A     | 15/03/2024    |
B     | 28/02/2023    |
B     | 29/02/2024    |
C     | 27/02/2023    |
C     | 29/02/2024    |
D     | 01/04/2023    |
D     | 10/05/2023    |
D     | 01/06/2024    |
"""


def test_cin_census_referrals_are_the_referrals_when_loaded() -> None:
    data = DemandData(
        "999",
        contacts=contacts("CHILD | CONTACT_DATE | OUTCOME\nZ | 01/01/2024 | CIN"),
        cin_referrals=frame("cin_referrals", CIN),
    )
    found, source = referrals.referrals_of(data)
    assert source == referrals.FROM_CIN_CENSUS
    assert "Z" not in found["CHILD"].to_list()
    assert found.height == 9  # A's two referrals on 15 March 2024 count once


def test_else_contacts_passed_to_childrens_social_care() -> None:
    data = DemandData(
        "999",
        contacts=contacts(
            """
            CHILD | CONTACT_DATE | OUTCOME
            A     | 01/01/2024   | NFA
            A     | 02/01/2024   | ASSESSMENT
            A     | 02/01/2024   | CIN
            B     | 03/01/2024   | CP
            C     | 04/01/2024   | LOOKED_AFTER
            D     | 05/01/2024   | EARLY_HELP
            E     | 06/01/2024   |
            """
        ),
    )
    found, source = referrals.referrals_of(data)
    assert source == referrals.FROM_CONTACTS
    assert found.rows() == [
        ("A", day("02/01/2024")),
        ("B", day("03/01/2024")),
        ("C", day("04/01/2024")),
    ]


def test_a_re_referral_is_within_12_calendar_months_of_the_one_before() -> None:
    found, _ = referrals.referrals_of(DemandData("999", cin_referrals=frame("cin_referrals", CIN)))
    again = referrals.rereferrals(found)
    assert again.select("CHILD", "REFERRAL_DATE", "RE_REFERRAL").rows() == [
        ("A", day("15/03/2023"), False),
        ("A", day("15/03/2024"), True),  # 15 March 2023 is exactly 12 months before
        ("B", day("28/02/2023"), False),
        ("B", day("29/02/2024"), True),  # 29 February looks back to 28 February
        ("C", day("27/02/2023"), False),
        ("C", day("29/02/2024"), False),  # a day too early
        ("D", day("01/04/2023"), False),
        ("D", day("10/05/2023"), True),
        ("D", day("01/06/2024"), False),  # 10 May 2023 is more than 12 months before
    ]
    by_month = referrals.by_month(again, [dt.date(2024, 2, 1), dt.date(2024, 3, 1)])
    assert by_month.rows() == [
        (dt.date(2024, 2, 1), 2, 1, 50.0),
        (dt.date(2024, 3, 1), 1, 1, 100.0),
    ]
    # The 12 months to 1 June 2024: 2 June 2023 to 1 June 2024 -- A, B, C in 2024 and D's
    # of 1 June 2024: 4 referrals, 2 re-referrals.
    year = referrals.rate_to(again, day("01/06/2024"))
    assert year == referrals.YearRate(day("02/06/2023"), day("01/06/2024"), 4, 2, 50.0)
