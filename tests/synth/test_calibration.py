"""A synthetic LA looks like an English one: its figures, worked out simply from the CSV files
it writes, fall near the national ones in /work/shared/DOMAIN-FACTS.md (within generous
bands: one LA of 2,000 children is small, and the bands are not the national figures).

To see the figures: `uv run python -m tests.synth.test_calibration [children years seed]`.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
from pathlib import Path

import polars as pl
import pytest

from carejourney.synth.ssda903 import write_returns
from tests.synth import tables
from tests.synth.conftest import LA_CHILDREN, LA_SEED, LA_YEARS
from tests.synth.tables import to_date

LAST_YEAR = 2025
ADOPTED = ("E11", "E12")
SGO = ("E43", "E44", "E45", "E46", "E47", "E48")
HOME = ("E4A", "E4B", "E13")
AT_18 = ("E5", "E6", "E7", "E17")
NEW_PLACEMENT = ("S", "P", "B")
ORDERED = (  # tracker milestones, in the order they happen
    "care_proceedings_issued",
    "care_proceedings_concluded",
    "permanence_plan_agreed",
    "legal_advice_requested",
    "legal_information_sent",
    "permanence_recommendation",
    "panel",
    "agency_decision",
)

# figure: (low, high). National figures are in the comments: those marked * are from
# DOMAIN-FACTS.md; the rest are rough shares of the DfE's 2023-24 tables, unverified here.
BANDS: dict[str, tuple[float, float]] = {
    "exits adopted %": (5, 14),  # about 10%: 2,980 adopted* of some 31,000 leaving care
    "exits SGO %": (7, 18),  # about 12%
    "exits child arrangements order %": (1, 7),  # about 3%
    "exits home %": (18, 40),  # returned home (E4A, E4B, E13): a quarter to a third
    "exits at 18 %": (18, 40),  # independent living, staying put, adult services
    "exits other %": (3, 20),
    "adopted per 100 looked after": (2.5, 5.5),  # 2,980 / 83,630 at 31 March 2024*: 3.6
    "entrants under 1 %": (12, 26),
    "entrants 1-4 %": (9, 20),
    "entrants 5-9 %": (9, 20),
    "entrants 10-15 %": (25, 42),
    "entrants 16+ %": (12, 28),
    "entrants re-entering %": (5, 25),
    "looked after under 5 %": (10, 25),
    "looked after 16+ %": (18, 35),
    "A1 entry to placed, days": (450, 600),  # 2023-24*: about 1 year 7 months
    "entry to adoption decision, days": (150, 400),
    "entry to placement order, days": (250, 450),
    "A2 placement order to match, days": (120, 250),  # 190 in 2016-17*
    "match to placed, days": (7, 60),
    "placed to adoption order, days": (230, 340),  # 2023-24*: 9-10 months
    "3+ placements in the year %": (6, 15),  # 10% of those looked after at 31 March 2024*
    # The tracker (tracker.csv): timeliness of the milestones no return holds.
    "proceedings within 26 weeks %": (30, 70),  # some over the statutory 26 weeks
    "recommendation within 30 weeks %": (50, 90),  # Moray Aim 2 aimed at 85%*
    "panel within 15 weeks of recommendation %": (40, 80),  # Moray Aim 3 aimed at 60%*
    "decision within 14 days of panel %": (75, 98),
    "Legal given 8 full working days %": (30, 70),  # CELCIS aimed at 50%*
    # Children looked after at the last 31 March, past a timescale or at a reminder point.
    "in care drifting %": (15, 25),
    "in care overdue %": (8, 22),
    "in care at a reminder point %": (1, 10),
}


def _share(frame: pl.DataFrame, condition: pl.Expr) -> float:
    return round(100 * frame.select(condition.mean()).item(), 1)


def figures(outdir: Path, last_year: int = LAST_YEAR) -> dict[str, float]:
    """The figures in BANDS for a synthetic LA's returns in `outdir`. Exits, entrants and
    adoptions are counted over the last three years; placements and ages at 31 March of the
    last year."""
    start3, end = dt.date(last_year - 2, 4, 1), dt.date(last_year + 1, 3, 31)
    episodes = tables.episodes(outdir)
    out: dict[str, float] = {}

    exits = episodes.filter(pl.col("REC").is_not_null() & (pl.col("REC") != "X1"))
    exits = exits.filter(pl.col("dec") >= start3)
    rec = pl.col("REC")
    for name, codes in (
        ("adopted", ADOPTED),
        ("SGO", SGO),
        ("child arrangements order", ("E41",)),
        ("home", HOME),
        ("at 18", AT_18),
    ):
        out[f"exits {name} %"] = _share(exits, rec.is_in(codes))
    known = (*ADOPTED, *SGO, "E41", *HOME, *AT_18)
    out["exits other %"] = _share(exits, ~rec.is_in(known))

    open_at_end = episodes.filter(
        (pl.col("decom") <= end) & (pl.col("dec").is_null() | (pl.col("dec") > end))
    )
    adopted_a_year = exits.filter(rec.is_in(ADOPTED)).height / 3
    out["adopted per 100 looked after"] = round(100 * adopted_a_year / open_at_end.height, 1)

    starts = episodes.filter((pl.col("RNE") == "S") & (pl.col("decom") >= start3))
    age = (pl.col("decom") - pl.col("dob")).dt.total_days() / 365.25
    for name, low, high in (("under 1", 0, 1), ("1-4", 1, 5), ("5-9", 5, 10), ("10-15", 10, 16)):
        out[f"entrants {name} %"] = _share(starts, (age >= low) & (age < high))
    out["entrants 16+ %"] = _share(starts, age >= 16)
    out["entrants re-entering %"] = _share(starts, pl.col("period") > 1)
    age_now = (pl.lit(end) - pl.col("dob")).dt.total_days() / 365.25
    out["looked after under 5 %"] = _share(open_at_end, age_now < 5)
    out["looked after 16+ %"] = _share(open_at_end, age_now >= 16)

    # The adoption journey of children adopted in the last three years.
    adopted = exits.filter(rec.is_in(ADOPTED)).select(
        "CHILD", "period", pl.col("dec").alias("order")
    )
    journey = (
        episodes.join(adopted, on=["CHILD", "period"])
        .group_by("CHILD", "period")
        .agg(
            pl.col("decom").filter(pl.col("RNE") == "S").first().alias("entry"),
            pl.col("decom").filter(pl.col("LS") == "E1").first().alias("placement_order"),
            pl.col("decom").filter(pl.col("PLACE").str.starts_with("A")).first().alias("placed"),
            pl.col("order").first(),
        )
    )
    ad1 = tables.read_table(outdir, "ad1").select(
        "CHILD", decision=to_date("DATE_INT"), match=to_date("DATE_MATCH")
    )
    journey = journey.join(ad1, on="CHILD").filter(pl.col("entry").is_not_null())

    def mean_days(start: str, stop: str, floor: bool = False) -> float:
        days = (pl.col(stop) - pl.col(start)).dt.total_days()
        days = days.clip(lower_bound=0) if floor else days
        return round(journey.select(days.mean()).item(), 0)

    out["A1 entry to placed, days"] = mean_days("entry", "placed")
    out["entry to adoption decision, days"] = mean_days("entry", "decision")
    out["entry to placement order, days"] = mean_days("entry", "placement_order")
    out["A2 placement order to match, days"] = mean_days("placement_order", "match", floor=True)
    out["match to placed, days"] = mean_days("match", "placed")
    out["placed to adoption order, days"] = mean_days("placed", "order")

    # Placements in the last year of children looked after at its end: the one they were in
    # on 1 April and every one started in the year.
    year_start = dt.date(last_year, 4, 1)
    in_year = episodes.filter(
        (pl.col("decom") <= end) & (pl.col("dec").is_null() | (pl.col("dec") >= year_start))
    )
    counts = in_year.group_by("CHILD").agg(
        (
            (pl.col("RNE").is_in(NEW_PLACEMENT) & (pl.col("decom") >= year_start)).sum()
            + (pl.col("decom").min() < year_start).cast(pl.Int64)
        ).alias("placements")
    )
    counts = counts.join(open_at_end.select("CHILD"), on="CHILD")
    out["3+ placements in the year %"] = _share(counts, pl.col("placements") >= 3)
    out |= _tracker_figures(outdir, episodes, open_at_end, end)
    return out


def _tracker_figures(
    outdir: Path, episodes: pl.DataFrame, open_at_end: pl.DataFrame, as_at: dt.date
) -> dict[str, float]:
    starts = tables.period_starts(episodes)
    dated = tables.tracker(outdir, starts).filter(pl.col("period").is_not_null())
    wide = dated.pivot("MILESTONE", index=["CHILD", "period"], values="date")
    wide = wide.with_columns(
        pl.lit(None, pl.Date).alias(name) for name in ORDERED if name not in wide.columns
    ).join(starts, on=["CHILD", "period"])
    col = pl.col

    def within(first: str, second: str, limit: int) -> float:
        done = wide.filter(col(first).is_not_null() & col(second).is_not_null() & col("known"))
        return _share(done, (col(second) - col(first)).dt.total_days() <= limit)

    out = {
        "proceedings within 26 weeks %": within(
            "care_proceedings_issued", "care_proceedings_concluded", 181
        ),
        "recommendation within 30 weeks %": within("start", "permanence_recommendation", 210),
        "panel within 15 weeks of recommendation %": within(
            "permanence_recommendation", "panel", 105
        ),
        "decision within 14 days of panel %": within("panel", "agency_decision", 14),
    }
    sent = wide.filter(col("legal_information_sent").is_not_null())
    full = pl.business_day_count(
        col("legal_information_sent").dt.offset_by("1d"), col("permanence_recommendation")
    )
    out["Legal given 8 full working days %"] = _share(sent, full >= 8)

    # Children in care at `as_at`, in their current period, against the timescale rules:
    # permanence plan within 4 months of entering care, proceedings within 26 weeks,
    # recommendation within 30 weeks (reminder at 15), panel within 15 weeks of it, the
    # decision within 14 days of the panel. Rules from entering care apply only where the
    # returns show when that was (RNE S).
    keys = ["CHILD", "period"]
    current = (
        open_at_end.select(keys)
        .join(starts, on=keys)
        .join(wide.drop("start", "known"), on=keys, how="left")
    )
    on, start = pl.lit(as_at), pl.when(col("known")).then(col("start"))
    no_recommendation = col("permanence_recommendation").is_null()
    overdue = (
        (col("permanence_plan_agreed").is_null() & (on > start.dt.offset_by("4mo")))
        | (
            col("care_proceedings_concluded").is_null()
            & (on >= col("care_proceedings_issued") + pl.duration(weeks=26))
        )
        | (no_recommendation & (on > start + pl.duration(weeks=30)))
        | (col("panel").is_null() & (on > col("permanence_recommendation") + pl.duration(weeks=15)))
        | (col("agency_decision").is_null() & (on > col("panel") + pl.duration(days=14)))
    ).fill_null(False)
    reminder = (no_recommendation & (on >= start + pl.duration(weeks=15))).fill_null(False)
    reminder = reminder & ~overdue
    out["in care drifting %"] = _share(current, overdue | reminder)
    out["in care overdue %"] = _share(current, overdue)
    out["in care at a reminder point %"] = _share(current, reminder)
    return out


@pytest.fixture(scope="module")
def la(la_2000: Path) -> dict[str, float]:
    return figures(la_2000)


@pytest.mark.parametrize("figure", BANDS)
def test_figure_is_near_the_national_one(la: dict[str, float], figure: str) -> None:
    low, high = BANDS[figure]
    assert low <= la[figure] <= high, (figure, la[figure], la)


def main(argv: list[str]) -> None:
    defaults = [str(n) for n in (LA_CHILDREN, LA_YEARS, LA_SEED)]
    children, years, seed = (int(a) for a in argv + defaults[len(argv) :])
    with tempfile.TemporaryDirectory() as tmp:
        write_returns(Path(tmp), children=children, years=years, seed=seed)
        found = figures(Path(tmp))
    for name, value in found.items():
        low, high = BANDS[name]
        flag = "" if low <= value <= high else "   <-- outside"
        print(f"{name:40} {value:8}   ({low:g} to {high:g}){flag}")


if __name__ == "__main__":
    main(sys.argv[1:])
