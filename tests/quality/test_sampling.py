"""Drawing samples: proportional shares checked by hand, reproducible draws, and balanced
assignment to auditors (`quality.sampling`, re-exported by `quality.programme`)."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.quality.sampling import NO_TEAM, SampleError, assign, draw, shares


def children(teams: dict[str | None, int]) -> pl.DataFrame:
    """Candidates: `n` children per team, IDs c001, c002... in team order."""
    rows = [(team, n) for team, n in teams.items() for n in range(n)]
    return pl.DataFrame(
        {"CHILD": [f"c{i + 1:03d}" for i in range(len(rows))], "TEAM": [t for t, _ in rows]},
        schema={"CHILD": pl.String, "TEAM": pl.String},
    )


def team_counts(sample: pl.DataFrame) -> dict[str, int]:
    counted = sample.group_by(pl.col("TEAM").fill_null(NO_TEAM)).agg(pl.len())
    return dict(counted.iter_rows())  # type: ignore[arg-type]


def strata(counts: dict[str, int]) -> pl.DataFrame:
    return pl.DataFrame({"_stratum": list(counts), "candidates": list(counts.values())})


# --- proportional shares, by hand ------------------------------------------------------


def test_shares_10_6_4_of_5_are_3_1_1() -> None:
    # Exact shares: 5 x 10/20 = 2.5, 5 x 6/20 = 1.5, 5 x 4/20 = 1.0. Whole parts 2, 1, 1
    # fill 4 places; the fifth goes to the largest fraction, .5, tied between North and
    # South: the team with more children (North, 10) gets it. 3 + 1 + 1 = 5.
    result = shares(strata({"North": 10, "South": 6, "East": 4}), 5)
    assert result.select("_stratum", "exact", "share").rows() == [
        ("North", 2.5, 3),
        ("South", 1.5, 1),
        ("East", 1.0, 1),
    ]


def test_shares_tied_fractions_and_sizes_go_by_name() -> None:
    # 7, 7, 7 children, 10 places: each exact share 3.33...; whole parts 3, 3, 3 fill 9;
    # the tenth: all fractions and sizes tie, so the first by name (Alpha) gets it.
    result = shares(strata({"Gamma": 7, "Alpha": 7, "Beta": 7}), 10)
    assert dict(result.select("_stratum", "share").iter_rows()) == {
        "Gamma": 3,
        "Alpha": 4,
        "Beta": 3,
    }


def test_shares_largest_fraction_wins_over_larger_team() -> None:
    # 12, 5, 3 children, 6 places: exact 3.6, 1.5, 0.9; whole parts 3, 1, 0 fill 4; the
    # two left go to the largest fractions: .9 (the team of 3) and .6 (the team of 12).
    result = shares(strata({"A": 12, "B": 5, "C": 3}), 6)
    assert result["share"].to_list() == [4, 1, 1]


def test_shares_of_everyone_and_of_no_one() -> None:
    assert shares(strata({"A": 3, "B": 2}), 5)["share"].to_list() == [3, 2]
    assert shares(strata({"A": 3, "B": 2}), 0)["share"].to_list() == [0, 0]
    with pytest.raises(SampleError, match="A sample of 6 cannot be drawn from 5 children"):
        shares(strata({"A": 3, "B": 2}), 6)


# --- drawing ---------------------------------------------------------------------------


def test_a_stratified_sample_takes_each_team_in_proportion() -> None:
    candidates = children({"North": 10, "South": 6, "East": 4})
    sample = draw(candidates, size=5, method="stratified", seed=20261101)
    assert team_counts(sample) == {"North": 3, "South": 1, "East": 1}
    assert sample.columns == ["CHILD", "TEAM"]
    assert sample["CHILD"].to_list() == sorted(sample["CHILD"].to_list())
    assert sample.join(candidates, on=["CHILD", "TEAM"], how="anti").is_empty()


def test_a_draw_is_the_same_whatever_order_the_candidates_come_in() -> None:
    candidates = children({"North": 10, "South": 6, "East": 4, None: 3})
    for method in ("random", "stratified"):
        first = draw(candidates, size=7, method=method, seed=42)
        for shuffle in range(5):
            again = draw(
                candidates.sample(fraction=1, shuffle=True, seed=shuffle),
                size=7,
                method=method,
                seed=42,
            )
            assert again.equals(first)


def test_another_seed_draws_other_children() -> None:
    candidates = children({"North": 30})
    samples = {tuple(draw(candidates, size=5, method="random", seed=s)["CHILD"]) for s in range(10)}
    assert len(samples) == 10  # C(30, 5) = 142,506 samples: ten seeds never all collide


def test_children_with_no_team_are_a_stratum_of_their_own() -> None:
    candidates = children({"North": 6, None: 4})
    sample = draw(candidates, size=5, method="stratified", seed=1)
    # Exact shares 3 and 2.
    assert team_counts(sample) == {"North": 3, NO_TEAM: 2}
    assert sample["TEAM"].null_count() == 2  # the team stays blank in the sample


def test_a_random_sample_larger_than_the_candidates_takes_them_all() -> None:
    candidates = children({"North": 3, "South": 1})
    assert draw(candidates, size=10, method="random", seed=1).equals(candidates)
    assert draw(candidates, size=0, method="random", seed=1).is_empty()
    with pytest.raises(SampleError, match="cannot have -1 children"):
        draw(candidates, size=-1, method="random", seed=1)


def test_a_drift_sample_is_every_child_with_the_status_up_to_its_size() -> None:
    candidates = pl.DataFrame(
        {
            "CHILD": ["a", "b", "b", "c", "d", "e"],
            "TEAM": ["N", "N", "N", "S", "S", None],
            "STATUS": ["overdue", "on track", "overdue", "reminder due", "overdue", None],
        }
    )
    everyone = draw(candidates, size=10, method="drift", seed=7)
    # b has two rows (two rules): one overdue, so b is in, once.
    assert everyone.select("CHILD", "TEAM").rows() == [("a", "N"), ("b", "N"), ("d", "S")]
    capped = draw(candidates, size=2, method="drift", seed=7)
    assert capped.height == 2 and set(capped["CHILD"]) <= {"a", "b", "d"}
    reminders = draw(candidates, size=10, method="drift", seed=7, status="reminder due")
    assert reminders["CHILD"].to_list() == ["c"]
    with pytest.raises(SampleError, match="STATUS"):
        draw(candidates.drop("STATUS"), size=2, method="drift", seed=7)


def test_an_indicator_sample_is_every_flagged_child_up_to_its_size() -> None:
    candidates = children({"North": 4, "South": 4}).with_columns(
        FLAGGED=pl.Series([True, False, True, False, True, True, None, False])
    )
    assert draw(candidates, size=9, method="indicator", seed=3)["CHILD"].to_list() == [
        "c001",
        "c003",
        "c005",
        "c006",
    ]
    # Capped at 2, stratified by team: two flagged in each team, so one each.
    capped = draw(candidates, size=2, method="indicator", seed=3, stratify_by="team")
    assert team_counts(capped) == {"North": 1, "South": 1}


@settings(max_examples=200, deadline=None)
@given(
    teams=st.lists(st.integers(min_value=1, max_value=25), min_size=1, max_size=6),
    fraction=st.floats(min_value=0, max_value=1.2),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_stratified_samples_are_exact_distinct_and_proportional(
    teams: list[int], fraction: float, seed: int
) -> None:
    candidates = children({f"team {n}": size for n, size in enumerate(teams)})
    total = candidates.height
    size = round(fraction * total)
    sample = draw(candidates, size=size, method="stratified", seed=seed)
    assert sample.height == min(size, total)
    assert sample["CHILD"].n_unique() == sample.height
    taken = team_counts(sample)
    for n, held in enumerate(teams):
        exact = min(size, total) * held / total
        got = taken.get(f"team {n}", 0)
        assert abs(got - exact) < 1 and got <= held


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=60),
    size=st.integers(min_value=0, max_value=70),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_random_samples_are_exact_and_distinct(n: int, size: int, seed: int) -> None:
    sample = draw(children({"T": n}), size=size, method="random", seed=seed)
    assert sample.height == min(size, n)
    assert sample["CHILD"].n_unique() == sample.height


# --- assignment ------------------------------------------------------------------------


def test_auditors_share_the_audits_within_one_of_each_other() -> None:
    sample = children({"North": 11})
    assigned = assign(sample, ["Jo", "Sam", "Priya", " Jo "], seed=5)
    counts = sorted(assigned.group_by("auditor").agg(pl.len())["len"].to_list())
    assert counts == [3, 4, 4]  # 11 audits, 3 auditors (Jo named twice counts once)
    assert assigned["CHILD"].to_list() == sample["CHILD"].to_list()
    assert assign(sample.reverse(), ["Jo", "Sam", "Priya"], seed=5).equals(assigned)
    with pytest.raises(SampleError, match="at least one auditor"):
        assign(sample, [" "], seed=5)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(min_value=0, max_value=40),
    auditors=st.integers(min_value=1, max_value=7),
    seed=st.integers(min_value=0, max_value=2**31 - 1),
)
def test_assignment_is_always_balanced(n: int, auditors: int, seed: int) -> None:
    assigned = assign(children({"T": n}), [f"auditor {a}" for a in range(auditors)], seed)
    counts = [assigned.filter(pl.col("auditor") == f"auditor {a}").height for a in range(auditors)]
    assert sum(counts) == n and max(counts) - min(counts) <= 1


def test_the_programme_module_still_gives_the_drawing_functions() -> None:
    from carejourney.quality import programme, sampling

    for name in ("draw", "shares", "assign", "Method", "SampleError", "ProgrammeError", "NO_TEAM"):
        assert getattr(programme, name) is getattr(sampling, name)
    assert issubclass(sampling.SampleError, sampling.ProgrammeError)
