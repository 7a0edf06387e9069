"""What matters tags: split, trimmed, counted ignoring capitals, in their usual spelling."""

from __future__ import annotations

import datetime as dt

from carejourney.measures.demand.matters import what_matters, what_matters_by_month
from tests.measures.demand.tables import contacts, rounded

CONTACTS = """
CHILD | CONTACT_DATE | WHAT_MATTERS
A     | 10/01/2024   | Be listened to; Tell my story once
B     | 11/01/2024   | Be listened to;;  be listened to
G     | 12/01/2024   | Be listened to
C     | 05/02/2024   | Tell my story once;be listened to
D     | 06/02/2024   | No paperwork
E     | 07/02/2024   |
F     | 08/02/2024   | ;
"""


def test_tags_are_counted_once_a_contact_in_their_most_common_spelling() -> None:
    # "Be listened to": A, B (twice: once for B), G, C -> 4 contacts; written "Be listened
    # to" 3 times, "be listened to" twice. Tagged contacts: A, B, G, C, D: 5.
    assert rounded(what_matters(contacts(CONTACTS)).rows()) == [
        ("Be listened to", 4, 80.0),
        ("Tell my story once", 2, 40.0),
        ("No paperwork", 1, 20.0),
    ]


def test_tags_by_month() -> None:
    january, february = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    assert what_matters_by_month(contacts(CONTACTS)).rows() == [
        (january, "Be listened to", 3),
        (january, "Tell my story once", 1),
        (february, "Be listened to", 1),
        (february, "No paperwork", 1),
        (february, "Tell my story once", 1),
    ]
    assert what_matters_by_month(contacts(CONTACTS), [february]).rows()[0] == (
        february,
        "Be listened to",  # spelled as over every contact, though February wrote it lower case
        1,
    )


def test_no_tags_give_empty_tables() -> None:
    none = contacts("CHILD | CONTACT_DATE\nA | 10/01/2024")
    assert what_matters(none).height == 0
    assert what_matters_by_month(none).height == 0
