"""Decisions within 1 working day and assessments within 45, counted by hand on a calendar
with the 2024 bank holidays (England and Wales: Good Friday 29 March, Easter Monday 1 April,
early May 6 May; Scotland has no Easter Monday holiday)."""

from __future__ import annotations

import datetime as dt

from carejourney.measures.demand import timeliness
from carejourney.measures.demand.data import DemandData
from tests.measures.demand.tables import contacts, day, frame

DECISIONS = """
CHILD | CONTACT_DATE | DECISION_DATE
A     | 04/03/2024   | 04/03/2024
B     | 08/03/2024   | 11/03/2024
C     | 08/03/2024   | 12/03/2024
D     | 28/03/2024   | 02/04/2024
E     | 02/04/2024   |
F     | 28/03/2024   |
G     | 02/04/2024   | 05/04/2024
H     | 05/03/2024   | 04/03/2024
I     | 10/04/2024   |
"""
AS_AT = day("03/04/2024")  # a Wednesday


def test_decisions_within_one_working_day() -> None:
    found = timeliness.decisions(contacts(DECISIONS), AS_AT, "england-and-wales")
    assert found.select("CHILD", "WORKING_DAYS", "DECISION_STATUS").rows() == [
        ("A", 0, "on time"),  # the same day
        ("B", 1, "on time"),  # Friday to Monday
        ("C", 2, "late"),  # Friday to Tuesday
        ("D", 1, "on time"),  # Thursday to Tuesday over Easter: only Tuesday counts
        ("E", 1, "not yet due"),  # undecided; 1 working day (Wednesday) by as_at
        ("F", 2, "overdue"),  # undecided; Tuesday and Wednesday by as_at
        ("G", 1, "not yet due"),  # decided after as_at: not known to be decided then
        ("H", -1, "dates to check"),  # decided the day before the contact
    ]  # I: contacted after as_at, left out
    overall = timeliness.overall(found, "DECISION_STATUS")
    # total, on time, late, overdue, not yet due, dates to check, on time of those due
    assert overall.rows() == [(8, 3, 1, 1, 2, 1, 60.0)]


def test_working_days_follow_the_nations_bank_holidays() -> None:
    found = timeliness.decisions(contacts(DECISIONS), AS_AT, "scotland")
    statuses = dict(found.select("CHILD", "DECISION_STATUS").iter_rows())
    days = dict(found.select("CHILD", "WORKING_DAYS").iter_rows())
    # Easter Monday is a working day in Scotland: Thursday to Tuesday is 2 working days.
    assert (days["D"], statuses["D"]) == (2, "late")
    assert (days["F"], statuses["F"]) == (3, "overdue")


def test_decisions_by_month() -> None:
    found = timeliness.decisions(contacts(DECISIONS), AS_AT, "england-and-wales")
    months = [dt.date(2024, 3, 1), dt.date(2024, 4, 1)]
    assert timeliness.by_month(found, "CONTACT_DATE", "DECISION_STATUS", months).rows() == [
        # March: A, B, D on time; C late; F overdue; H dates to check.
        (months[0], 6, 3, 1, 1, 0, 1, 60.0),
        # April: E and G not yet due: none due, no share.
        (months[1], 2, 0, 0, 0, 2, 0, None),
    ]


ASSESSMENTS = """
CHILD | REFERRAL_DATE | START      | AUTHORISED
A     | 01/03/2024    | 05/03/2024 | 08/05/2024
B     |               | 25/03/2024 |
C     |               | 20/06/2024 |
D     | 01/03/2024    | 02/03/2024 | 09/05/2024
E     |               | 02/07/2024 |
F     | 10/03/2024    | 11/03/2024 | 01/03/2024
"""
REFERRALS = """
CHILD | REFERRAL_DATE
B     | 01/02/2024
B     | 20/03/2024
B     | 01/05/2024
"""


def test_assessments_within_45_working_days_of_the_referral() -> None:
    # From Friday 1 March 2024, working day 45 is Wednesday 8 May: 19 working days in
    # March after the 1st (Good Friday off), 21 in April (Easter Monday off), then 1, 2, 3
    # and 7, 8 May (6 May off).
    found = timeliness.assessments(
        frame("assessments", ASSESSMENTS),
        frame("cin_referrals", REFERRALS).select("CHILD", "REFERRAL_DATE"),
        day("01/07/2024"),
        "england-and-wales",
    )
    latest, start = timeliness.FROM_REFERRAL, timeliness.FROM_START
    recorded = timeliness.FROM_RECORDED
    assert found.select(
        "CHILD", "REFERRAL_USED", "REFERRAL_FROM", "WORKING_DAYS", "ASSESSMENT_STATUS"
    ).rows() == [
        ("A", day("01/03/2024"), recorded, 45, "on time"),
        # The latest referral on or before the start, 20 March; still open at 1 July: 6
        # working days in March after the 20th, 21 in April, 21 in May (6 and 27 May off),
        # 20 in June and 1 July.
        ("B", day("20/03/2024"), latest, 69, "overdue"),
        # No referral: from its start, Thursday 20 June; 7 working days to 1 July.
        ("C", day("20/06/2024"), start, 7, "open, not yet due"),
        ("D", day("01/03/2024"), recorded, 46, "late"),
        # Authorised before the referral: minus the 5 working days 4 to 8 March.
        ("F", day("10/03/2024"), recorded, -5, "dates to check"),
    ]  # E started after as_at: left out


def test_the_las_assessments_are_used_when_loaded_else_the_cin_census_ones() -> None:
    own = frame("assessments", "CHILD | START\nA | 01/03/2024")
    cin = frame("cin_assessments", "CHILD | START\nB | 01/03/2024")
    both = DemandData("999", assessments=own, cin_assessments=cin)
    assert timeliness.assessments_of(both)["CHILD"].to_list() == ["A"]
    assert timeliness.assessments_of(DemandData("999", cin_assessments=cin))["CHILD"].to_list() == [
        "B"
    ]
