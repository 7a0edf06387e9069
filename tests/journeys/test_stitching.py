"""Stitching several years' Episodes into one history, rule by rule."""

import datetime as dt

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.journeys.stitching import stitch
from carejourney.schema.ssda903 import EPISODES


def episodes(table: str) -> pl.DataFrame:
    """year | CHILD | DECOM | RNE | DEC | REC, other columns blank."""
    rows = []
    for n, line in enumerate(table.strip().splitlines()[1:]):
        year, child, decom, rne, dec, rec = (c.strip() for c in line.split("|"))
        rows.append(
            {
                **dict.fromkeys(EPISODES.column_names),
                "CHILD": child,
                "DECOM": dt.datetime.strptime(decom, "%d/%m/%Y").date(),
                "RNE": rne,
                "DEC": dt.datetime.strptime(dec, "%d/%m/%Y").date() if dec else None,
                "REC": rec or None,
                "year": int(year),
                "source_row": n + 2,
            }
        )
    schema = {c: (pl.Date if c in ("DECOM", "DEC") else pl.String) for c in EPISODES.column_names}
    return pl.DataFrame(rows, schema={**schema, "year": pl.Int64, "source_row": pl.Int64})


def history_of(
    table: str, latest: int
) -> list[tuple[str, str, str | None, str | None, str | None]]:
    history, _ = stitch(episodes(table), latest)
    return [
        (
            r["CHILD"],
            f"{r['DECOM']:%d/%m/%Y}",
            r["DEC"] and f"{r['DEC']:%d/%m/%Y}",
            r["REC"],
            r["stitch_rules"],
        )
        for r in history.iter_rows(named=True)
    ]


def test_an_episode_carried_into_the_next_year_is_kept_once_from_the_later_year() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   |            |
    2023 | A     | 01/05/2022 | S   | 01/06/2023 | E4A
    """
    assert history_of(table, 2023) == [("A", "01/05/2022", "01/06/2023", "E4A", None)]
    _, changes = stitch(episodes(table), 2023)
    assert changes.select("rule", "year").rows() == [("replaced-by-later-year", 2022)]


def test_an_open_episode_followed_by_another_closes_at_the_next_start() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   |            |
    2023 | A     | 01/07/2023 | P   |            |
    """
    assert history_of(table, 2023) == [
        ("A", "01/05/2022", "01/07/2023", "X1", "closed-at-next-decom"),
        ("A", "01/07/2023", None, None, None),
    ]


def test_an_open_episode_with_nothing_after_closes_at_the_end_of_its_year() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   |            |
    2023 | B     | 01/07/2023 | S   |            |
    """
    assert history_of(table, 2023) == [
        ("A", "01/05/2022", "31/03/2023", None, "closed-at-year-end"),
        ("B", "01/07/2023", None, None, None),  # still looked after in the latest year
    ]


def test_an_open_episode_before_a_new_period_of_care_has_no_known_reason() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   |            |
    2023 | A     | 01/07/2023 | S   |            |
    """
    assert history_of(table, 2023)[0] == (
        "A",
        "01/05/2022",
        "01/07/2023",
        None,
        "closed-at-next-decom",
    )


def test_overlapping_episodes_are_truncated_at_the_next_start() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   | 01/09/2022 | X1
    2022 | A     | 01/08/2022 | P   | 01/10/2022 | E4A
    """
    assert history_of(table, 2022) == [
        ("A", "01/05/2022", "01/08/2022", "X1", "truncated-at-next-decom"),
        ("A", "01/08/2022", "01/10/2022", "E4A", None),
    ]


def test_every_change_is_recorded_with_before_and_after() -> None:
    table = """
    year | CHILD | DECOM      | RNE | DEC        | REC
    2022 | A     | 01/05/2022 | S   |            |
    2023 | A     | 01/07/2023 | P   |            |
    """
    _, changes = stitch(episodes(table), 2023)
    assert changes.select("rule", "column", "before", "after").rows() == [
        ("closed-at-next-decom", "DEC", None, "2023-07-01"),
        ("closed-at-next-decom", "REC", None, "X1"),
    ]


@st.composite
def returns_of_one_child(draw: st.DrawFn) -> str:
    lines = ["year | CHILD | DECOM | RNE | DEC | REC"]
    for _ in range(draw(st.integers(1, 8))):
        year = draw(st.integers(2019, 2023))
        start = dt.date(year, 4, 1) + dt.timedelta(days=draw(st.integers(0, 364)))
        length = draw(st.one_of(st.none(), st.integers(0, 400)))
        end = "" if length is None else f"{start + dt.timedelta(days=length):%d/%m/%Y}"
        rne = draw(st.sampled_from(["S", "P", "L"]))
        lines.append(
            f"{year} | {draw(st.sampled_from('AB'))} | {start:%d/%m/%Y} | {rne} | {end} | {'X1' if end else ''}"
        )
    return "\n".join(lines)


@settings(max_examples=150, deadline=None)
@given(returns_of_one_child())
def test_a_stitched_history_never_overlaps_and_has_one_row_per_episode(table: str) -> None:
    raw = episodes(table)
    history, _ = stitch(raw, 2023)
    assert history.height == raw.select("CHILD", "DECOM").n_unique()
    ordered = history.sort("CHILD", "DECOM").with_columns(
        nxt=pl.col("DECOM").shift(-1).over("CHILD")
    )
    # every episode but a child's last is closed, and closed no later than the next starts
    not_last = ordered.filter(pl.col("nxt").is_not_null())
    assert not_last["DEC"].null_count() == 0
    assert (not_last["DEC"] <= not_last["nxt"]).all()
    # only episodes from the latest year may stay open
    assert ordered.filter(pl.col("DEC").is_null() & (pl.col("year") < 2023)).is_empty()
    # stitching a stitched history changes nothing more
    again, changes = stitch(history.drop("stitch_rules"), 2023)
    assert again.drop("stitch_rules").equals(history.drop("stitch_rules"))
    assert changes.is_empty()
