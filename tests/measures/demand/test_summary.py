"""Every demand measure together on one small LA, each headline number worked out by hand,
and the JSON-ready version carrying no child's or family's ID."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from carejourney.config.demand import DemandRules
from carejourney.measures.demand.data import DemandData
from carejourney.measures.demand.summary import Headline, summarise
from tests.measures.demand.tables import contacts, day, frame

# Period: the 3 months to 15 June 2024, from 1 April 2024. Contacts before it feed the
# rules' windows, right first time and cases; T1's is after as_at and left out.
CONTACTS = """
CHILD | CONTACT_DATE | DECISION_DATE | OUTCOME    | NEED    | SOURCE | TEAM  | DEMAND  | WHAT_MATTERS
U2    | 20/03/2023   | 20/03/2023    | EARLY_HELP |         | School | North |         |
U1    | 01/05/2023   | 01/05/2023    | EARLY_HELP |         | School | North |         |
V1    | 01/06/2023   | 01/06/2023    | EARLY_HELP |         | School | North |         |
R1    | 01/08/2023   | 01/08/2023    | CIN        |         | Police | South |         |
V1    | 01/09/2023   | 01/09/2023    | EARLY_HELP |         | School | North |         |
P1    | 10/03/2024   | 10/03/2024    | NFA        | Neglect | Police | North |         |
P1    | 02/04/2024   | 02/04/2024    | ASSESSMENT | Neglect | Police | North |         | Be heard
Q1    | 05/04/2024   | 08/04/2024    | EARLY_HELP | Abuse   | School | South | VALUE   | Be heard; No paperwork
R1    | 01/05/2024   |               |            |         | Family | South |         |
R1    | 03/05/2024   | 03/05/2024    | CIN        |         | Family | South |         |
S1    | 10/06/2024   | 10/06/2024    | NFA        |         | Police | North | FAILURE |
T1    | 20/06/2024   | 20/06/2024    | CIN        |         | Police | North |         |
"""
ASSESSMENTS = """
CHILD | START      | AUTHORISED
P1    | 05/04/2024 | 20/05/2024
R1    | 06/05/2024 |
V1    | 01/07/2023 |
"""
HELP = """
CHILD | HELP      | START
P1    | Parenting | 20/04/2024
R1    | Support   | 10/05/2024
V1    | Help      | 01/10/2023
"""
AS_AT = day("15/06/2024")
E2 = 3 / 1.128  # the I chart's multiplier of the mean moving range


@pytest.fixture(scope="module")
def data() -> DemandData:
    return DemandData(
        "999",
        contacts=contacts(CONTACTS),
        assessments=frame("assessments", ASSESSMENTS),
        help=frame("help", HELP),
    )


def test_the_headline_numbers(data: DemandData) -> None:
    found = summarise(data, as_at=AS_AT, rules=DemandRules(), nation="england-and-wales", months=3)
    assert found.period_start == day("01/04/2024")
    assert found.headline == Headline(
        # P1 2 Apr (back 23 days after no further action), Q1 (recorded value), R1 1 May
        # (value), R1 3 May (chasing the 1 May contact, undecided), S1 (recorded failure).
        contacts=5,
        failure_pct=60.0,
        recorded=2,
        # Complete: contacts from 16 March 2023 to 15 June 2023: U2 and U1 right first
        # time, V1's of 1 June not (back on 1 September).
        right_first_time_pct=pytest.approx(200 / 3),
        right_first_time_contacts=3,
        rft_from=day("16/03/2023"),
        rft_to=day("15/06/2023"),
        # The period: only R1's of 1 May is known (not right first time, back 2 days later).
        right_first_time_pct_so_far=0.0,
        not_yet_known=4,
        # Helped in the period: P1 (10 March to 20 April, 41 days) and R1 (1 August 2023 to
        # 10 May 2024, 283 days); median 162. Assessments: P1 5 April (26 days), R1 6 May
        # (279 days): median 152.5.
        cases_helped=2,
        provisional=2,
        median_days_to_help=162.0,
        median_days_to_assessment=152.5,
        # Points in order of first contact: 283 (R1), 41 (P1); mean 162, moving range 242.
        capability_lower=0.0,
        capability_upper=pytest.approx(162 + E2 * 242),
        capability=found.headline.capability,
        # Waiting: Q1 (71 days), S1 (5), U1 (411, since 1 May 2023), U2 (453, since
        # 20 March 2023).
        cases_waiting=4,
        longest_wait=453,
        # Referrals in the 12 months to 15 June 2024: R1 1 August 2023, P1 2 April, R1 3 May
        # (a re-referral: 1 August 2023 is within 12 months).
        referrals=3,
        re_referrals=1,
        re_referral_pct=pytest.approx(100 / 3),
        # P1, Q1 (Friday to Monday), R1 3 May, S1 on time; R1 1 May undecided: overdue.
        decisions_on_time_pct=80.0,
        decisions_overdue=1,
        # P1's, authorised in the period, 33 working days after the 2 April referral. V1's
        # has been open since July 2023: overdue. R1's, 28 working days: not yet due.
        assessments_on_time_pct=100.0,
        assessments_authorised=1,
        assessments_overdue=1,
    )
    assert found.headline.capability is not None
    assert found.headline.capability.startswith(
        "The system predictably takes between 0 and 806 days"
    )
    kinds = dict(found.classified.select("CONTACT_DATE", "FAILURE_KIND").iter_rows())
    assert kinds[day("02/04/2024")] == "RE_REFERRAL_NFA"
    assert kinds[day("03/05/2024")] == "CHASING"


def test_the_tables_cover_the_period(data: DemandData) -> None:
    found = summarise(data, as_at=AS_AT, rules=DemandRules(), nation="england-and-wales", months=3)
    assert found.shares_by_month.select("month", "contacts", "failure").rows() == [
        (day("01/04/2024"), 2, 1),
        (day("01/05/2024"), 2, 1),
        (day("01/06/2024"), 1, 1),
    ]
    # Right first time by month from 12 months before the period: 15 months.
    assert found.right_first_time_by_month.height == 15
    assert found.right_first_time_by_month["month"][0] == day("01/04/2023")
    assert found.what_matters.rows() == [("Be heard", 2, 100.0), ("No paperwork", 1, 50.0)]
    assert found.rereferrals_by_month.select("month", "referrals", "re_referrals").rows() == [
        (day("01/04/2024"), 1, 0),
        (day("01/05/2024"), 1, 1),
        (day("01/06/2024"), 0, 0),
    ]
    assert found.agreement.rows() == [
        ("FAILURE", None, "VALUE", None, 1, False, False),
        ("VALUE", None, "VALUE", None, 1, True, True),
    ]
    assert found.failure_chart.result is not None
    assert found.failure_chart.result.points.height == 3


def test_as_dict_is_json_with_no_ids(data: DemandData) -> None:
    found = summarise(
        data,
        as_at=AS_AT,
        rules=DemandRules(),
        nation="england-and-wales",
        months=3,
        redesign=day("01/05/2024"),
    )
    plain = found.as_dict()
    text = json.dumps(plain)
    for child in ("U1", "U2", "V1", "R1", "P1", "Q1", "S1", "T1"):
        assert child not in text
    assert plain["period"] == {"from": "2024-04-01", "to": "2024-06-15"}
    assert plain["redesign"] == "2024-05-01"
    assert plain["headline"]["rft_from"] == "2023-03-16"
    assert plain["tables"]["shares_by_month"][0]["month"] == "2024-04-01"
    assert plain["charts"]["failure"]["points"][2]["part"] == 2  # June, after the redesign
    assert plain["rules"]["chasing_days"] == 30


def test_nothing_loaded_gives_empty_figures() -> None:
    found = summarise(
        DemandData("999"), as_at=AS_AT, rules=DemandRules(), nation="scotland", months=12
    )
    assert found.headline.contacts == 0 and found.headline.failure_pct is None
    assert found.headline.capability is None and found.failure_chart.result is None
    assert found.shares_by_month.height == 12
    json.dumps(found.as_dict())
    with pytest.raises(ValueError, match="months must be at least 1"):
        summarise(DemandData("999"), as_at=AS_AT, rules=DemandRules(), nation="scotland", months=0)


def test_cin_census_referrals_are_used_when_loaded(data: DemandData) -> None:
    cin = frame("cin_referrals", "CHILD | REFERRAL_DATE\nP1 | 01/01/2024\nP1 | 01/02/2024")
    with_cin = DemandData(data.la, contacts=data.contacts, cin_referrals=cin)
    found = summarise(with_cin, as_at=AS_AT, rules=DemandRules(), nation="england-and-wales")
    assert found.referral_source == "CIN census referrals"
    assert (found.headline.referrals, found.headline.re_referrals) == (2, 1)
    assert found.as_at == AS_AT and isinstance(found.period_start, dt.date)
