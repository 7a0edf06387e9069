"""A synthetic LA's tracker.csv: the milestones no return holds, for children whose plan
is permanence, agreeing with the returns, in order, and caught part-way for children still
in care at the last 31 March."""

from __future__ import annotations

import csv
import datetime as dt
import re
from pathlib import Path

import polars as pl

from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.synth.ssda903 import write_returns
from tests.synth import tables
from tests.synth.tables import to_date

LAST_DAY = dt.date(2026, 3, 31)
IN_ORDER = (  # each pair: the first never after the second, in one period of care
    ("care_proceedings_issued", "care_proceedings_concluded"),
    ("legal_advice_requested", "legal_information_sent"),
    ("legal_information_sent", "permanence_recommendation"),
    ("permanence_recommendation", "panel"),
    ("panel", "agency_decision"),
    ("permanence_plan_agreed", "permanence_recommendation"),
)


def read(outdir: Path) -> list[dict[str, str]]:
    with (outdir / "tracker.csv").open(encoding="utf-8", newline="") as file:
        return list(csv.DictReader(file))


def dated(outdir: Path) -> pl.DataFrame:
    """The tracker with each milestone's period of care (by its start)."""
    return tables.tracker(outdir, tables.period_starts(tables.episodes(outdir)))


def test_columns_names_and_dates(la_2000: Path) -> None:
    data = (la_2000 / "tracker.csv").read_bytes()
    rows = read(la_2000)

    assert data.split(b"\n")[0] == b"CHILD,MILESTONE,DATE,NOTE"
    assert b"\r" not in data and data.endswith(b"\n")
    assert len(rows) > 2000
    assert {r["MILESTONE"] for r in rows} <= set(MILESTONES_BY_NAME)
    assert {r["MILESTONE"] for r in rows} == {
        "care_proceedings_issued",
        "care_proceedings_concluded",
        "permanence_plan_agreed",
        "legal_advice_requested",
        "legal_information_sent",
        "permanence_recommendation",
        "panel",
        "agency_decision",
    }
    assert all(re.fullmatch(r"\d\d/\d\d/\d{4}", r["DATE"]) for r in rows)
    days = [dt.datetime.strptime(r["DATE"], "%d/%m/%Y").date() for r in rows]
    assert max(days) <= LAST_DAY
    assert len({(r["CHILD"], r["MILESTONE"], r["DATE"]) for r in rows}) == len(rows)


def test_children_are_the_returns_children_and_notes_hold_no_personal_data(
    la_2000: Path,
) -> None:
    rows = read(la_2000)
    children = set(tables.read_table(la_2000, "header")["CHILD"])

    assert {r["CHILD"] for r in rows} <= children
    notes = {r["NOTE"] for r in rows}
    assert all(not re.search(r"\d", note) for note in notes)  # no IDs, dates or postcodes
    assert "plan: adoption" in notes and "recommended: long-term fostering" in notes


def test_milestones_fall_in_a_period_of_care_in_order(la_2000: Path) -> None:
    frame = dated(la_2000).filter(pl.col("period").is_not_null())
    history = tables.episodes(la_2000)
    ends = history.group_by("CHILD", "period").agg(
        end=pl.when(pl.col("dec").is_null().any()).then(None).otherwise(pl.col("dec").max())
    )
    frame = frame.join(ends, on=["CHILD", "period"])

    assert frame.filter(pl.col("end").is_not_null() & (pl.col("date") > pl.col("end"))).is_empty()
    assert frame.group_by("CHILD", "period", "MILESTONE").len()["len"].max() == 1
    wide = frame.pivot("MILESTONE", index=["CHILD", "period"], values="date")
    for first, second in IN_ORDER:
        wrong = wide.filter(pl.col(first) > pl.col(second))
        assert wrong.is_empty(), (first, second, wrong.head())
        assert wide.filter(pl.col(first).is_not_null() & pl.col(second).is_not_null()).height


def test_recommendations_are_made_at_looked_after_reviews(la_2000: Path) -> None:
    reviews = tables.read_table(la_2000, "reviews").select("CHILD", date=to_date("REVIEW"))
    first = reviews["date"].min()
    recommended = dated(la_2000).filter(
        (pl.col("MILESTONE") == "permanence_recommendation") & (pl.col("date") >= first)
    )

    assert recommended.height > 100
    assert recommended.join(reviews, on=["CHILD", "date"], how="anti").is_empty()


def test_agency_decision_is_the_returns_adoption_decision(la_2000: Path) -> None:
    decisions = dated(la_2000).filter(pl.col("MILESTONE") == "agency_decision")
    ad1 = tables.read_table(la_2000, "ad1").select("CHILD", date=to_date("DATE_INT"))
    placed = tables.read_table(la_2000, "placed_adoption").select(
        "CHILD", date=to_date("DATE_PLACED")
    )

    assert ad1.height > 50
    assert ad1.join(decisions, on=["CHILD", "date"], how="anti").is_empty()
    assert placed.join(decisions, on=["CHILD", "date"], how="anti").is_empty()


def test_some_children_in_care_are_drifting(la_2000: Path) -> None:
    # Figures against each timescale are in test_calibration; here, that there are some.
    frame = dated(la_2000).filter(pl.col("period").is_not_null())
    latest = frame.group_by("CHILD", "period").agg(pl.col("MILESTONE").sort_by("date").last())
    in_care = tables.episodes(la_2000).filter(pl.col("dec").is_null()).select("CHILD", "period")
    waiting = in_care.join(latest, on=["CHILD", "period"]).group_by("MILESTONE").len()
    counts = dict(waiting.iter_rows())

    assert counts.get("permanence_recommendation", 0) > 5  # waiting for panel
    assert counts.get("care_proceedings_issued", 0) > 5  # waiting for the final hearing
    assert counts.get("legal_information_sent", 0) > 0  # a recommendation review is booked


def test_the_same_seed_gives_the_same_tracker(tmp_path: Path) -> None:
    for name, seed in (("a", 5), ("b", 5), ("c", 6)):
        write_returns(tmp_path / name, children=150, years=4, seed=seed)

    same = (tmp_path / "a" / "tracker.csv").read_bytes()
    assert same == (tmp_path / "b" / "tracker.csv").read_bytes()
    assert same != (tmp_path / "c" / "tracker.csv").read_bytes()
