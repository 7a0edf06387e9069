"""The ordering checks on one return, each from a small readable table."""

from pathlib import Path

from carejourney.sources.returns import read_returns
from tests.returns import HEADER, minimal_return, write_table

EPISODES = """
CHILD | DECOM      | RNE | LS | CIN | PLACE | PLACE_PROVIDER | DEC        | REC | REASON_PLACE_CHANGE | HOME_POST | PL_POST | URN
1     | 01/05/2022 | S   | C2 | N1  | U6    | PR1            | 01/10/2022 | X1  | CARPL               |           |         |
1     | 01/10/2022 | P   | E1 | N1  | A6    | PR1            |            |     |                     |           |         |
2     | 10/10/2022 | S   | V2 | N2  | U4    | PR2            | 01/10/2022 | E4A |                     |           |         |
"""


def warnings(folder: Path) -> list[tuple[str, str, int | None, str | None]]:
    return [
        (p.file.split("/")[-1], p.code, p.row, p.column) for p in read_returns([folder]).problems
    ]


def test_episode_ending_before_it_starts(tmp_path: Path) -> None:
    minimal_return(tmp_path, episodes=EPISODES)
    assert warnings(tmp_path) == [("episodes.csv", "order-dec-before-decom", 4, "DEC")]


def test_overlapping_episodes(tmp_path: Path) -> None:
    minimal_return(tmp_path, episodes=EPISODES.replace("01/10/2022 | X1", "01/11/2022 | X1"))
    assert ("episodes.csv", "episodes-overlap", 2, "DEC") in warnings(tmp_path)


def test_adoption_milestones_out_of_order(tmp_path: Path) -> None:
    minimal_return(tmp_path, episodes=EPISODES)
    write_table(
        tmp_path / "ad1.csv",
        # decision before care began, and the match after the child was placed (01/10/2022)
        """
        CHILD | DOB        | DATE_INT   | DATE_MATCH | FOSTER_CARE | NB_ADOPTR | SEX_ADOPTR | LS_ADOPTR
        1     | 01/06/2019 | 01/04/2022 | 01/12/2022 | 0           | 2         | MF         | L11
        """,
    )
    found = [w for w in warnings(tmp_path) if w[0] == "ad1.csv"]
    assert found == [
        ("ad1.csv", "order-decision-before-care", 2, "DATE_INT"),
        ("ad1.csv", "order-placed-before-match", 2, "DATE_MATCH"),
    ]


def test_match_before_decision(tmp_path: Path) -> None:
    minimal_return(tmp_path, episodes=EPISODES)
    write_table(
        tmp_path / "ad1.csv",
        """
        CHILD | DOB        | DATE_INT   | DATE_MATCH | FOSTER_CARE | NB_ADOPTR | SEX_ADOPTR | LS_ADOPTR
        1     | 01/06/2019 | 01/09/2022 | 01/08/2022 | 0           | 2         | MF         | L11
        """,
    )
    assert ("ad1.csv", "order-match-before-decision", 2, "DATE_INT") in warnings(tmp_path)


def test_codes_valid_only_in_other_years(tmp_path: Path) -> None:
    minimal_return(tmp_path, header=HEADER.replace("| 1   |", "| M   |"))
    found = read_returns([tmp_path]).problems
    assert [(p.code, p.value) for p in found] == [("code-not-valid-this-year", "M")]
    assert "from 2024/25" in found[0].message
