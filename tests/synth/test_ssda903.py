"""A synthetic LA's SSDA903 returns: clean for every check, the same for the same seed, and
cut into years the way the DfE cuts them (four years ending 2025/26 cross the 2024/25 and
2025/26 code changes)."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from carejourney.schema.ssda903 import TABLES
from carejourney.sources.returns import read_returns
from carejourney.synth.ssda903 import FILE_NAMES, write_returns

YEARS = [2022, 2023, 2024, 2025]


def folder(out: Path, year: int) -> Path:
    return out / f"999_{year}-{(year + 1) % 100:02d}"


def rows(out: Path, year: int, table: str) -> list[dict[str, str]]:
    with (folder(out, year) / f"{FILE_NAMES[table]}.csv").open(encoding="utf-8") as file:
        return list(csv.DictReader(file))


def column(out: Path, year: int, table: str, name: str) -> set[str]:
    return {row[name] for row in rows(out, year, table)}


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("synth")
    write_returns(path, children=150, years=4, seed=1)
    return path


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_every_check_passes(tmp_path: Path, seed: int) -> None:
    write_returns(tmp_path, children=150, years=4, seed=seed)

    # The year folders only: tracker.csv beside them is checked in test_tracker.py.
    result = read_returns(sorted(tmp_path.glob("999_*")))

    assert [p.message for p in result.problems] == []
    assert [r.year for r in result.returns] == YEARS


def test_same_seed_gives_the_same_bytes(tmp_path: Path) -> None:
    first = write_returns(tmp_path / "a", children=150, years=4, seed=7)
    again = write_returns(tmp_path / "b", children=150, years=4, seed=7)
    other = write_returns(tmp_path / "c", children=150, years=4, seed=8)

    assert [p.relative_to(tmp_path / "a") for p in first] == [
        p.relative_to(tmp_path / "b") for p in again
    ]
    assert all(a.read_bytes() == b.read_bytes() for a, b in zip(first, again, strict=True))
    assert any(a.read_bytes() != c.read_bytes() for a, c in zip(first, other, strict=True))


def test_every_table_has_rows_in_every_year_it_is_collected(out: Path) -> None:
    for year in YEARS:
        for table in TABLES:
            path = folder(out, year) / f"{FILE_NAMES[table.name]}.csv"
            if table.first_year is not None and year < table.first_year:
                assert not path.exists()  # SWEpisodes only from 2023/24
                continue
            lines = path.read_bytes().decode("utf-8").split("\n")
            assert lines[0] == ",".join(table.column_names)
            assert len(rows(out, year, table.name)) >= 1, (year, table.name)


def test_files_are_plain_utf8_csv_with_uk_dates(out: Path) -> None:
    data = (folder(out, 2024) / "episodes.csv").read_bytes()

    assert b"\r" not in data
    assert data.endswith(b"\n")
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", d) for d in column(out, 2024, "Episodes", "DECOM"))


def test_code_changes_are_respected(out: Path) -> None:
    for year in YEARS:
        sexes = column(out, year, "Header", "SEX") | column(out, year, "UASC", "SEX")
        places = column(out, year, "Episodes", "PLACE")
        if year < 2024:
            assert sexes == {"1", "2"}
            assert "K3" not in places
        else:
            assert sexes == {"M", "F"}
            assert not places & {"H5", "P2"}
        if year == 2025:
            assert "Z1" not in places
    later = column(out, 2024, "Episodes", "PLACE") | column(out, 2025, "Episodes", "PLACE")
    assert "K3" in later


def test_the_same_child_is_recoded_not_reinvented(out: Path) -> None:
    before = {r["CHILD"]: (r["SEX"], r["DOB"]) for r in rows(out, 2023, "Header")}
    after = {r["CHILD"]: (r["SEX"], r["DOB"]) for r in rows(out, 2024, "Header")}
    both = before.keys() & after.keys()

    assert both
    assert all({"1": "M", "2": "F"}[before[c][0]] == after[c][0] for c in both)
    assert all(before[c][1] == after[c][1] for c in both)


def test_open_episodes_are_repeated_next_year_with_the_same_decom(out: Path) -> None:
    for year in YEARS[:-1]:
        still_open = {(r["CHILD"], r["DECOM"]) for r in rows(out, year, "Episodes") if not r["DEC"]}
        next_year = {(r["CHILD"], r["DECOM"]) for r in rows(out, year + 1, "Episodes")}
        assert still_open
        assert still_open <= next_year
    final = rows(out, 2025, "Episodes")
    assert any(not r["DEC"] and not r["REC"] for r in final)  # still in care at the end


def test_dated_rows_fall_in_their_year(out: Path) -> None:
    def year_of(text: str) -> int:
        _, month, year = (int(part) for part in text.split("/"))
        return year if month >= 4 else year - 1

    for year in YEARS:
        assert {year_of(d) for d in column(out, year, "Reviews", "REVIEW")} == {year}
        assert {year_of(d) for d in column(out, year, "Missing", "MIS_START")} == {year}
        episodes = rows(out, year, "Episodes")
        assert all(year_of(r["DECOM"]) <= year for r in episodes)
        assert all(year_of(r["DEC"]) == year for r in episodes if r["DEC"])
