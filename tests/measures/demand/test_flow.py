"""Right first time, cases and end-to-end time from small tables, worked out by hand."""

from __future__ import annotations

import datetime as dt

from carejourney.measures.demand import flow
from tests.measures.demand.tables import contacts, day, frame, rounded

AS_AT = day("01/07/2024")


def test_right_first_time_needs_12_months_without_the_family_coming_back() -> None:
    given = contacts(
        """
        CHILD | CONTACT_DATE
        A     | 01/03/2023
        A     | 01/03/2024
        B     | 01/03/2023
        B     | 02/03/2024
        C     | 30/06/2023
        D     | 01/07/2023
        E     | 02/07/2023
        E     | 01/08/2024
        F     | 01/06/2024
        F     | 01/06/2024
        """
    )
    found = flow.right_first_time(given, AS_AT)
    assert found.select("CHILD", "NEXT_CONTACT", "RFT_STATUS").rows() == [
        # Back on 1 March 2024: exactly 12 months on, still within them.
        ("A", day("01/03/2024"), "not right first time"),
        ("A", None, "not yet known"),  # 12 months end 1 March 2025, after as_at
        # Back 12 months and a day later: right first time.
        ("B", day("02/03/2024"), "right first time"),
        ("B", None, "not yet known"),
        ("C", None, "right first time"),  # 12 months ended 30 June 2024
        ("D", None, "right first time"),  # they end on as_at itself: known
        # 12 months end 2 July 2024, after as_at; the contact of 1 August 2024 is after
        # as_at, so not known yet either (and left out).
        ("E", None, "not yet known"),
        ("F", day("01/06/2024"), "not right first time"),  # again the same day
        ("F", None, "not yet known"),
    ]
    by_month = flow.right_first_time_by_month(found)
    assert rounded(by_month.rows()) == [
        # month, contacts, right, not right, not yet known, % right of the known
        (dt.date(2023, 3, 1), 2, 1, 1, 0, 50.0),
        (dt.date(2023, 6, 1), 1, 1, 0, 0, 100.0),
        (dt.date(2023, 7, 1), 2, 1, 0, 1, 100.0),
        (dt.date(2024, 3, 1), 2, 0, 0, 2, None),
        (dt.date(2024, 6, 1), 2, 0, 1, 1, 0.0),
    ]
    assert flow.right_first_time_overall(found).rows() == [(9, 3, 2, 4, 60.0)]


def test_right_first_time_by_month_fills_every_month_asked_for() -> None:
    found = flow.right_first_time(contacts("CHILD | CONTACT_DATE\nA | 10/01/2023"), AS_AT)
    months = [dt.date(2023, 1, 1), dt.date(2023, 2, 1)]
    assert flow.right_first_time_by_month(found, months).rows() == [
        (months[0], 1, 1, 0, 0, 100.0),
        (months[1], 0, 0, 0, 0, None),
    ]


CONTACTS = """
CHILD | FAMILY | CONTACT_DATE
K1    | F1     | 01/01/2023
K2    | F1     | 01/06/2023
K1    | F1     | 03/06/2024
G1    |        | 01/02/2024
H     |        | 01/01/2023
H     |        | 01/03/2023
J     |        | 01/01/2022
W     |        | 01/05/2024
"""
ASSESSMENTS = """
CHILD | START
K2    | 15/03/2023
K1    | 10/06/2023
H     | 01/02/2023
H     | 15/02/2023
W     | 02/07/2024
"""
HELP = """
CHILD | HELP             | START      | RIGHT_HELP
K1    | Parenting course | 01/05/2023 | no
K2    | Family support   | 20/06/2023 |
K1    | Counselling      | 01/08/2023 | yes
K1    | Later help       | 10/06/2024 |
G1    | Family support   | 01/02/2024 |
H     | Early advice     | 01/12/2022 |
H     | Advice           | 10/12/2023 | no
H     | Parenting        | 01/01/2024 |
J     | Help             | 01/02/2022 |
W     | Help             | 02/07/2024 | yes
"""


def found_cases() -> list[tuple[object, ...]]:
    return flow.cases(
        contacts(CONTACTS), frame("assessments", ASSESSMENTS), frame("help", HELP), AS_AT
    ).rows()


def test_cases_chain_contacts_within_12_months_and_find_the_right_assessment_and_help() -> None:
    recorded, after = "recorded as the right help", "first help after the last contact"
    assert found_cases() == [
        # F1: K1 and K2 are one family. 1 June 2023 is within 12 months of 1 January 2023;
        # 3 June 2024 is more than 12 months after 1 June 2023: a new case.
        # Right assessment: K1's of 10 June 2023, the first on or after the last contact
        # (160 days after 1 January). Right help: Counselling, recorded as the right help,
        # though Family support started earlier (212 days). Provisional: 1 August 2023 plus
        # 12 months is after as_at.
        (
            "F1",
            1,
            day("01/01/2023"),
            day("01/06/2023"),
            2,
            day("03/06/2024"),
            day("10/06/2023"),
            day("01/08/2023"),
            "Counselling",
            recorded,
            160,
            212,
            "helped",
            None,
            True,
        ),
        # The help of 10 June 2024 started after this case began, so it is this case's.
        (
            "F1",
            2,
            day("03/06/2024"),
            day("03/06/2024"),
            1,
            None,
            None,
            day("10/06/2024"),
            "Later help",
            after,
            None,
            7,
            "helped",
            None,
            True,
        ),
        # Help the same day as the only contact: 0 days.
        (
            "G1",
            1,
            day("01/02/2024"),
            day("01/02/2024"),
            1,
            None,
            None,
            day("01/02/2024"),
            "Family support",
            after,
            None,
            0,
            "helped",
            None,
            True,
        ),
        # No assessment after the last contact: the last one before it (15 February, 45
        # days). Help before the first contact does not count, nor help recorded as not
        # the right help: Parenting, 365 days.
        (
            "H",
            1,
            day("01/01/2023"),
            day("01/03/2023"),
            2,
            None,
            day("15/02/2023"),
            day("01/01/2024"),
            "Parenting",
            after,
            45,
            365,
            "helped",
            None,
            True,
        ),
        # Helped 31 days after, more than 12 months before as_at: not provisional.
        (
            "J",
            1,
            day("01/01/2022"),
            day("01/01/2022"),
            1,
            None,
            None,
            day("01/02/2022"),
            "Help",
            after,
            None,
            31,
            "helped",
            None,
            False,
        ),
        # Help and assessment after as_at are not known yet: waiting 61 days (1 May to
        # 1 July).
        (
            "W",
            1,
            day("01/05/2024"),
            day("01/05/2024"),
            1,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            "waiting",
            61,
            False,
        ),
    ]


def test_end_to_end_figures_for_the_cases_helped_in_a_window() -> None:
    found = flow.cases(
        contacts(CONTACTS), frame("assessments", ASSESSMENTS), frame("help", HELP), AS_AT
    )
    figures = flow.end_to_end(found, day("01/08/2023"), AS_AT)
    # Helped from 1 August 2023: F1 case 1 (212 days), F1 case 2 (7), G1 (0), H (365):
    # median (7 + 212) / 2. Their assessments: F1 case 1 160, H 45: median 102.5.
    assert figures == flow.EndToEnd(
        helped=4,
        median_days_to_help=109.5,
        median_days_to_assessment=102.5,
        provisional=4,
        waiting=1,
        median_days_waiting=61.0,
        longest_wait=61,
    )


def test_a_child_in_a_family_brings_their_assessments_and_help_to_it() -> None:
    found = flow.cases(
        contacts("CHILD | FAMILY | CONTACT_DATE\nF | F | 01/01/2024\nK | F | 05/01/2024"),
        frame("assessments", "CHILD | START\nK | 10/01/2024"),
        frame("help", "CHILD | HELP | START\nK | Support | 20/01/2024"),
        AS_AT,
    )
    assert found.select("FAMILY_KEY", "DAYS_TO_ASSESSMENT", "DAYS_TO_HELP").rows() == [("F", 9, 19)]
