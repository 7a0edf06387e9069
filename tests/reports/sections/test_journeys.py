"""The ten shortest and ten longest adoption journeys, on the hand-worked journeys of
tests/measures/test_stages.py (as at 31/03/2023) and on a synthetic LA.

Entered care to adoption order: E 335, A 426, C 499, B 638 days; D is not adopted.
Stage by stage (decision, placement order, match, placed, adoption order):
A 91, 62, 61, 30, 182; B 120, 92, 212, 31, 183; C 59, 61, 183, 14, 182;
E 61, -, -, 30, 182 (placed with consent: no placement order).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, create_engine

from carejourney.measures.stages import shortest_and_longest, stage_times
from carejourney.reports.disclosure import pseudonym
from carejourney.reports.document import Section
from carejourney.reports.sections import journeys as section_module
from tests.measures.test_stages import AS_AT
from tests.measures.test_stages import journeys as small_journeys
from tests.reports.sections.context import (
    SALT,
    SyntheticLA,
    all_text,
    context_for,
)


@pytest.fixture(scope="module")
def conn() -> Iterator[Connection]:
    engine = create_engine("sqlite://")
    with engine.connect() as connection:
        yield connection
    engine.dispose()


def build(conn: Connection, *, internal: bool = False, as_at: dt.date = AS_AT) -> Section:
    return section_module.build(context_for(small_journeys(), conn, as_at, internal=internal))


def test_the_tables_are_stage_by_stage_with_pseudonyms(conn: Connection) -> None:
    found = build(conn)
    shortest, longest = (t.frame for t in found.tables)
    assert shortest.columns == [
        "Child",
        "Entered care to adoption order (days)",
        "Entered care to decision: should be placed for adoption (days)",
        "Decision to placement order (days)",
        "Placement order to match (A2) (days)",
        "Match to placed for adoption (days)",
        "Placed for adoption to adoption order (days)",
    ]
    assert shortest.drop("Child").rows() == [
        (335, 61, None, None, 30, 182),
        (426, 91, 62, 61, 30, 182),
        (499, 59, 61, 183, 14, 182),
        (638, 120, 92, 212, 31, 183),
    ]
    assert shortest["Child"].to_list() == [pseudonym(c, SALT) for c in "EACB"]
    assert longest["Child"].to_list() == [pseudonym(c, SALT) for c in "BCAE"]
    assert all(t.note and "pseudonym" in t.note for t in found.tables)
    assert found.tables[0].title == "The four shortest adoption journeys, as at 31/03/2023"


def test_no_child_id_unless_internal(conn: Connection) -> None:
    ids = {"A", "B", "C", "D", "E", "S"}
    published = build(conn)
    for t in published.tables:
        assert not set(t.frame["Child"]) & ids
    internal = build(conn, internal=True)
    assert internal.tables[0].frame["Child"].to_list() == ["E", "A", "C", "B"]
    assert "internal report" in (internal.tables[0].note or "")


def test_few_journeys_are_counted_through_disclosure_and_said_to_overlap(
    conn: Connection,
) -> None:
    first, second = build(conn).paragraphs
    assert first.startswith("Fewer than 5 children's adoption journeys are complete")
    assert "the two lists share some children" in first
    assert "same children" in second
    assert (
        build(conn, internal=True)
        .paragraphs[0]
        .startswith("4 children's adoption journeys are complete")
    )


def test_the_longest_are_compared_with_the_shortest(
    conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(section_module, "HOW_MANY", 2)
    found = build(conn)
    # Longest B 638, C 499: median 568.5; shortest E 335, A 426: median 380.5; 1.49 times.
    # Per stage, longest against shortest medians: decision 89.5 - 76, placement order
    # 76.5 - 62 (E skipped it), match 197.5 - 61 (E skipped it), placed 22.5 - 30,
    # adoption order 182.5 - 182: the match differs most, by 136.5 days.
    assert found.paragraphs[1] == (
        "The two longest journeys took a median of 568.5 days from entering care to the "
        "adoption order, against 380.5 days for the two shortest: 1.5 times as long. The "
        "stage that differs most is between the placement order and the match: a median of "
        "197.5 days in the longest journeys against 61 in the shortest."
    )
    assert [t.frame.height for t in found.tables] == [2, 2]


def test_not_available_before_any_adoption_order(conn: Connection) -> None:
    found = build(conn, as_at=dt.date(2021, 12, 31))  # A's order is dated 01/06/2022
    assert found.tables == ()
    assert found.not_available is not None
    assert "No adoption journey is complete as at 31/12/2021" in found.not_available


def test_on_a_synthetic_la_the_tables_are_the_measure(
    synthetic_la: SyntheticLA,
) -> None:
    journeys, as_at = synthetic_la.journeys, synthetic_la.as_at
    found = section_module.build(synthetic_la.context())
    shortest, longest = shortest_and_longest(stage_times(journeys, "adoption", as_at), "adoption")
    for got, want in zip(found.tables, (shortest, longest), strict=True):
        assert got.frame["Entered care to adoption order (days)"].to_list() == (
            want["total_days"].to_list()
        )
        assert got.frame["Child"].to_list() == [pseudonym(c, SALT) for c in want["CHILD"]]
    text = all_text(found)
    assert not any(child in text for child in journeys.children["CHILD"].to_list())
    internal = all_text(section_module.build(synthetic_la.context(internal=True)))
    assert any(child in internal for child in shortest["CHILD"].to_list())
