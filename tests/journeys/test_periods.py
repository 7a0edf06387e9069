"""Periods of care, placements and legal statuses from small, hand-worked journeys.

Each journey is a readable table of episodes; the journeys are shared with
test_milestones.py. Dates in expected rows are dd/mm/yyyy, as in the tables.
"""

import datetime as dt
from typing import Any

import polars as pl

from carejourney.journeys.periods import legal_statuses, periods_of_care, placements
from carejourney.journeys.stitching import stitch
from tests.journeys.test_stitching import episodes

CORE = ("year", "CHILD", "DECOM", "RNE", "DEC", "REC")


def history(*tables: str) -> pl.DataFrame:
    """A stitched history from tables with CHILD | DECOM | RNE | DEC | REC and any other
    Episodes columns (LS, PLACE, PLACE_PROVIDER, ...). `year` is optional (2023 if absent);
    the latest year in the tables is taken as the latest stored."""
    records: list[dict[str, str]] = []
    for table in tables:
        lines = [[c.strip() for c in line.split("|")] for line in table.strip().splitlines()]
        records += [dict(zip(lines[0], line, strict=True)) for line in lines[1:]]
    core = [" | ".join(CORE)] + [" | ".join(r.get(c, "2023") for c in CORE) for r in records]
    extra = sorted({c for r in records for c in r} - set(CORE))
    frame = episodes("\n".join(core)).with_columns(
        pl.Series(c, [r.get(c) or None for r in records], dtype=pl.String) for c in extra
    )
    stitched, _ = stitch(frame, frame["year"].max())  # type: ignore[arg-type]
    return stitched


def rows(frame: pl.DataFrame, *columns: str) -> list[tuple[Any, ...]]:
    """The frame's rows as tuples, dates written dd/mm/yyyy."""
    return [
        tuple(f"{v:%d/%m/%Y}" if isinstance(v, dt.date) else v for v in row)
        for row in frame.select(columns or frame.columns).iter_rows()
    ]


SIMPLE_ADOPTION = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
A     | 01/04/2021 | S   | C1 | U3    | 10/09/2021 | X1
A     | 10/09/2021 | L   | E1 | U3    | 01/02/2022 | X1
A     | 01/02/2022 | P   | E1 | A6    | 15/12/2022 | E11
"""

RE_ENTRY_STILL_IN_CARE = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
B     | 01/05/2020 | S   | V2 | U6    | 01/08/2020 | E4A
B     | 01/03/2021 | S   | C1 | U6    | 01/06/2021 | X1
B     | 01/06/2021 | P   | C2 | K2    |            |
"""

FIRST_LOADED_NOT_S = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
C     | 01/04/2022 | P   | E1 | U3    | 01/09/2022 | X1
C     | 01/09/2022 | P   | E1 | A6    | 01/02/2023 | E11
"""

SAME_CARERS_THEN_NEW = """
CHILD | DECOM      | RNE | LS | PLACE | PLACE_PROVIDER | URN     | DEC        | REC
D     | 01/01/2022 | S   | V2 | U6    | PR1            | SC11111 | 01/03/2022 | X1
D     | 01/03/2022 | U   | C1 | U5    | PR1            | SC11111 | 01/06/2022 | X1
D     | 01/06/2022 | T   | C1 | U4    | PR1            | SC11111 | 01/09/2022 | X1
D     | 01/09/2022 | B   | C2 | K2    | PR2            | SC22222 |            |
"""

REVERSED_THEN_SGO = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
E     | 01/06/2020 | S   | C1 | U6    | 01/12/2020 | X1
E     | 01/12/2020 | L   | E1 | U6    | 01/03/2022 | X1
E     | 01/03/2022 | L   | C2 | U6    | 01/10/2022 | E45
"""

MATCHED_BEFORE_ORDER = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
F     | 01/02/2021 | S   | C1 | U3    | 01/08/2021 | X1
F     | 01/08/2021 | L   | E1 | U3    | 01/09/2021 | X1
F     | 01/09/2021 | P   | E1 | A6    | 01/04/2022 | E11
"""

FOSTER_CARER_ADOPTION = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
G     | 01/01/2021 | S   | C1 | U5    | 01/07/2021 | X1
G     | 01/07/2021 | L   | E1 | U5    | 01/09/2021 | X1
G     | 01/09/2021 | T   | E1 | A5    | 01/03/2022 | E11
"""

SHORT_BREAKS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
H     | 06/05/2022 | S   | V3 | U6    | 08/05/2022 | E8
H     | 03/06/2022 | S   | V3 | U6    | 05/06/2022 | E8
H     | 01/09/2022 | S   | V2 | U6    | 01/12/2022 | E4A
"""

BACK_WITHOUT_S = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
J     | 01/01/2022 | S   | V2 | U6    | 01/03/2022 | E4A
J     | 01/05/2022 | P   | V2 | U6    |            |
"""

JOURNEYS = (
    SIMPLE_ADOPTION,
    RE_ENTRY_STILL_IN_CARE,
    FIRST_LOADED_NOT_S,
    SAME_CARERS_THEN_NEW,
    REVERSED_THEN_SGO,
    MATCHED_BEFORE_ORDER,
    FOSTER_CARER_ADOPTION,
    SHORT_BREAKS,
    BACK_WITHOUT_S,
)

PERIOD = ("CHILD", "period", "start", "end", "start_known", "exit_reason", "episodes")
LEGAL = ("ls_start", "ls_end", "short_breaks_only")


def test_a_simple_adoption_is_one_period_two_placements_two_legal_statuses() -> None:
    h = history(SIMPLE_ADOPTION)
    assert rows(periods_of_care(h)) == [
        ("A", 1, "01/04/2021", "15/12/2022", True, "E11", 3, "C1", "E1", False, None)
    ]
    assert rows(placements(h)) == [
        ("A", 1, 1, "01/04/2021", "01/02/2022", "U3", "U3", None, None, 2),
        ("A", 1, 2, "01/02/2022", "15/12/2022", "A6", "A6", None, None, 1),
    ]
    assert rows(legal_statuses(h)) == [
        ("A", 1, "C1", "01/04/2021", "10/09/2021"),
        ("A", 1, "E1", "10/09/2021", "15/12/2022"),
    ]


def test_re_entry_to_care_starts_a_second_period_still_open() -> None:
    h = history(RE_ENTRY_STILL_IN_CARE)
    assert rows(periods_of_care(h), *PERIOD, *LEGAL) == [
        ("B", 1, "01/05/2020", "01/08/2020", True, "E4A", 1, "V2", "V2", False),
        ("B", 2, "01/03/2021", None, True, None, 2, "C1", "C2", False),
    ]
    assert rows(placements(h), "period", "placement", "start", "end") == [
        (1, 1, "01/05/2020", "01/08/2020"),
        (2, 2, "01/03/2021", "01/06/2021"),
        (2, 3, "01/06/2021", None),
    ]
    assert periods_of_care(h)["flag"].null_count() == 2


def test_a_history_beginning_without_s_has_an_unknown_start() -> None:
    [period] = periods_of_care(history(FIRST_LOADED_NOT_S)).to_dicts()
    assert rows(pl.DataFrame([period]), *PERIOD) == [
        ("C", 1, "01/04/2022", "01/02/2023", False, "E11", 2)
    ]
    assert "begins with RNE P, not S" in period["flag"]


def test_t_and_u_keep_the_placement_and_b_starts_a_new_one() -> None:
    h = history(SAME_CARERS_THEN_NEW)
    assert rows(placements(h)) == [
        ("D", 1, 1, "01/01/2022", "01/09/2022", "U6", "U4", "PR1", "SC11111", 3),
        ("D", 1, 2, "01/09/2022", None, "K2", "K2", "PR2", "SC22222", 1),
    ]
    assert rows(legal_statuses(h), "LS", "start", "end") == [
        ("V2", "01/01/2022", "01/03/2022"),
        ("C1", "01/03/2022", "01/09/2022"),
        ("C2", "01/09/2022", None),
    ]


def test_a_foster_carer_adoption_stays_one_placement_from_the_move_in() -> None:
    h = history(FOSTER_CARER_ADOPTION)
    assert rows(placements(h), "placement", "start", "end", "place_start", "place_end") == [
        (1, "01/01/2021", "01/03/2022", "U5", "A5")
    ]


def test_short_break_periods_are_kept_and_marked() -> None:
    h = history(SHORT_BREAKS)
    assert rows(periods_of_care(h), "period", "start", "end", "exit_reason", *LEGAL) == [
        (1, "06/05/2022", "08/05/2022", "E8", "V3", "V3", True),
        (2, "03/06/2022", "05/06/2022", "E8", "V3", "V3", True),
        (3, "01/09/2022", "01/12/2022", "E4A", "V2", "V2", False),
    ]
    assert placements(h).height == 3
    assert legal_statuses(h)["period"].to_list() == [1, 2, 3]  # same LS, new period, new run


def test_an_episode_after_leaving_care_without_s_starts_a_flagged_period() -> None:
    periods = periods_of_care(history(BACK_WITHOUT_S))
    assert rows(periods, *PERIOD) == [
        ("J", 1, "01/01/2022", "01/03/2022", True, "E4A", 1),
        ("J", 2, "01/05/2022", None, False, None, 1),
    ]
    assert periods["flag"].to_list() == [
        None,
        "Starts after the child left care, but with RNE P, not S.",
    ]


def test_uncertain_ends_are_decided_and_flagged() -> None:
    h = history(
        """
        year | CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
        2022 | K     | 01/05/2022 | S   | V2 | U6    | 01/07/2022 | X1
        2022 | K     | 01/09/2022 | S   | V2 | U6    |            |
        2023 | L     | 01/05/2023 | S   | V2 | U6    | 01/07/2023 | X1
        2023 | M     | 01/05/2023 | S   | V2 | U6    | 01/07/2023 |
        2023 | M     | 01/07/2023 | P   | V2 | K2    |            |
        """
    )
    periods = periods_of_care(h)
    # K: X1 then S -> two periods; the second was closed at its year end with no reason.
    # L: X1 with nothing after -> still looked after. M: blank REC, next starts that day.
    assert rows(periods, "CHILD", "period", "end", "exit_reason", "episodes") == [
        ("K", 1, "01/07/2022", None, 1),
        ("K", 2, "31/03/2023", None, 1),
        ("L", 1, None, None, 1),
        ("M", 1, None, None, 2),
    ]
    flags = periods["flag"].to_list()
    assert "says care continues (REC X1)" in flags[0]
    assert flags[1] == "Left care with no reason recorded (REC blank)."
    assert "REC X1 and DEC 01/07/2023" in flags[2]
    assert flags[3] is None
    assert placements(h).filter(pl.col("CHILD") == "M").height == 2


def test_every_journey_together_gives_the_same_rows_as_each_alone() -> None:
    together = history(*JOURNEYS).sample(fraction=1.0, shuffle=True, seed=3)
    for make in (periods_of_care, placements, legal_statuses):
        alone = pl.concat([make(history(j)) for j in JOURNEYS]).sort("CHILD", "start")
        assert make(together).sort("CHILD", "start").equals(alone)


def test_an_empty_history_gives_empty_frames_with_the_columns() -> None:
    empty = history(SIMPLE_ADOPTION).clear()
    assert periods_of_care(empty).columns == [
        *PERIOD[:4],
        "start_known",
        "exit_reason",
        "episodes",
        *LEGAL,
        "flag",
    ]
    assert placements(empty).is_empty()
    assert legal_statuses(empty).columns == ["CHILD", "period", "LS", "start", "end"]
