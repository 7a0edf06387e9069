"""A synthetic LA's demand: the same for a seed, failure demand made the way families meet
it and in the share asked for, and files that read back exactly and pass every check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal
from typer.testing import CliRunner

from carejourney.cli import app
from carejourney.measures.demand.data import DemandData, conform
from carejourney.schema.demand import DEMAND_BY_KIND, REFERRAL_OUTCOMES, WHAT_MATTERS
from carejourney.sources.returns import read_returns
from carejourney.synth.demand import FILES, synthetic_demand, write_demand

FIRST, LAST = dt.date(2024, 4, 1), dt.date(2026, 3, 31)
LOOKED_AFTER = [str(n) for n in range(100_001, 100_201)]


def demand(seed: int = 1, families: int = 600, share: float = 0.57) -> DemandData:
    return synthetic_demand(
        seed=seed,
        families=families,
        first_day=FIRST,
        last_day=LAST,
        failure_share=share,
        children=LOOKED_AFTER,
    )


@pytest.fixture(scope="module")
def large() -> DemandData:
    """About 60,000 contacts over two years, as a large LA has."""
    return demand(seed=5, families=26_000)


def test_the_same_seed_gives_the_same_demand() -> None:
    first, again, other = demand(1), demand(1), demand(2)
    for kind in FILES:
        assert_frame_equal(getattr(first, kind), getattr(again, kind))
    assert not first.contacts.equals(other.contacts)


def test_the_same_seed_writes_the_same_bytes(tmp_path: Path) -> None:
    arguments = {"seed": 3, "families": 300, "first_day": FIRST, "last_day": LAST}
    one = write_demand(tmp_path / "one", **arguments)  # type: ignore[arg-type]
    two = write_demand(tmp_path / "two", **arguments)  # type: ignore[arg-type]
    assert [p.name for p in one] == list(FILES.values())
    assert [p.read_bytes() for p in one] == [p.read_bytes() for p in two]


def test_failure_demand_is_the_share_asked_for(large: DemandData) -> None:
    assert large.contacts.height > 55_000
    recorded = large.contacts.filter(pl.col("DEMAND").is_not_null())
    # A demand-capture sheet for about 30% of contacts...
    assert recorded.height / large.contacts.height == pytest.approx(0.30, abs=0.01)
    # ...in which failure demand is 57% +/- 3 points.
    share = recorded.filter(pl.col("DEMAND") == "FAILURE").height / recorded.height
    assert share == pytest.approx(0.57, abs=0.03)


@pytest.mark.parametrize("share", [0.0, 0.3, 0.8])
def test_other_shares_are_made_too(share: float) -> None:
    recorded = demand(families=6000, share=share).contacts.filter(pl.col("DEMAND").is_not_null())
    failing = recorded.filter(pl.col("DEMAND") == "FAILURE").height / recorded.height
    assert failing == pytest.approx(share, abs=0.03)


def test_every_kind_of_failure_demand_is_made(large: DemandData) -> None:
    kinds = large.contacts.filter(pl.col("DEMAND") == "FAILURE")["FAILURE_TYPE"].value_counts()
    shares = dict(zip(kinds["FAILURE_TYPE"], kinds["count"] / kinds["count"].sum(), strict=True))
    assert set(shares) == set(
        DEMAND_BY_KIND["Contacts"].table.column("FAILURE_TYPE").codes.values()
    )  # type: ignore[union-attr]
    assert all(0.05 < share < 0.4 for share in shares.values()), shares


def earlier(contacts: pl.DataFrame, kind: str, low: int, high: int, since: str) -> float:
    """The share of recorded `kind` contacts with an earlier contact for the same child and
    need whose `since` date is `low` to `high` days before. Only contacts from the files'
    second year: in the first, the contact one follows may have come before the files
    begin (the service ran before them)."""
    made = (
        contacts.filter(pl.col("FAILURE_TYPE") == kind)
        .filter(pl.col("CONTACT_DATE") >= FIRST + dt.timedelta(days=365))
        .with_row_index("_id")
    )
    pairs = made.join(contacts, on=["CHILD", "NEED"], suffix="_before").filter(
        ((pl.col("CONTACT_DATE") - pl.col(f"{since}_before")).dt.total_days()).is_between(low, high)
    )
    return pairs["_id"].n_unique() / made.height


def test_failure_demand_follows_the_contact_it_comes_from(large: DemandData) -> None:
    contacts = large.contacts
    assert earlier(contacts, "REPEAT", 3, 42, "CONTACT_DATE") == 1.0
    assert earlier(contacts, "CHASING", 1, 200, "CONTACT_DATE") == 1.0
    nfa = contacts.filter(pl.col("OUTCOME").is_null() | (pl.col("OUTCOME") == "NFA"))
    back_after_nfa = contacts.filter(pl.col("FAILURE_TYPE") == "RE_REFERRAL_NFA")
    assert (
        earlier(
            pl.concat([nfa, back_after_nfa]).unique(), "RE_REFERRAL_NFA", 14, 330, "DECISION_DATE"
        )
        == 1.0
    )
    # Work can close more than a year after its contact: a few came before the files.
    assert earlier(contacts, "NOT_RIGHT_FIRST_TIME", 7, 240, "CLOSED_DATE") > 0.9


def test_assessments_are_mostly_on_time_some_late_a_few_open(large: DemandData) -> None:
    assessments = large.assessments
    referrals = large.contacts.filter(pl.col("OUTCOME").is_in(REFERRAL_OUTCOMES))
    assert assessments.height == pytest.approx(referrals.height, rel=0.02)
    working = pl.business_day_count("START", "AUTHORISED")
    days = assessments.select(
        open=pl.col("AUTHORISED").is_null().mean(),
        late=(working > 46).sum() / pl.col("AUTHORISED").is_not_null().sum(),
    )
    # 6% never authorised, and more still open at the end because they started late on.
    assert 0.06 < days["open"].item() < 0.18
    assert 0.10 < days["late"].item() < 0.22


def test_help_follows_early_help_and_plans(large: DemandData) -> None:
    kinds = set(large.help["HELP"].unique())
    assert {"Child in need plan", "Child protection plan", "Parenting programme"} <= kinds
    recorded = large.help["RIGHT_HELP"].drop_nulls()
    assert recorded.len() / large.help.height == pytest.approx(0.35, abs=0.03)
    assert 0.6 < recorded.mean() < 0.9  # type: ignore[operator]


def test_what_matters_uses_cumbrias_tags(large: DemandData) -> None:
    tags = large.contacts["WHAT_MATTERS"].drop_nulls().str.split("; ").explode()
    assert set(tags) == set(WHAT_MATTERS)


def test_some_looked_after_children_are_among_the_families() -> None:
    children = set(demand().contacts["CHILD"])
    assert 0 < len(children & set(LOOKED_AFTER)) <= len(LOOKED_AFTER)


def test_nothing_falls_outside_the_period(large: DemandData) -> None:
    for kind in FILES:
        frame = getattr(large, kind)
        for name, dtype in frame.schema.items():
            if dtype == pl.Date:
                column = frame[name].drop_nulls()
                assert column.min() >= FIRST and column.max() <= LAST, (kind, name)  # type: ignore[operator]


def test_the_files_pass_every_check_and_read_back_exactly(tmp_path: Path) -> None:
    made = demand(seed=4, families=1500)
    write_demand(
        tmp_path, seed=4, families=1500, first_day=FIRST, last_day=LAST, children=LOOKED_AFTER
    )
    read = read_returns([tmp_path])
    assert read.problems == []
    frames = {DEMAND_BY_KIND[m.kind].frame: m.rows for m in read.lists}
    for kind in FILES:
        assert_frame_equal(conform(kind, frames[kind]), getattr(made, kind))


def test_the_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="failure_share"):
        demand(share=1.0)
    with pytest.raises(ValueError, match="families"):
        demand(families=0)


runner = CliRunner()


def test_synth_writes_demand_beside_unchanged_returns(tmp_path: Path) -> None:
    options = ["--children", "120", "--years", "2", "--seed", "9"]
    result = runner.invoke(app, ["synth", str(tmp_path / "with"), *options])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["synth", str(tmp_path / "without"), *options, "--no-demand"])
    assert result.exit_code == 0, result.output
    written = sorted(p.relative_to(tmp_path / "with") for p in (tmp_path / "with").rglob("*.csv"))
    without = sorted(
        p.relative_to(tmp_path / "without") for p in (tmp_path / "without").rglob("*.csv")
    )
    assert [p for p in written if p.parts[0] == "demand"] == sorted(
        Path("demand", name) for name in FILES.values()
    )
    assert [p for p in written if p.parts[0] != "demand"] == without
    for path in without:  # the returns are byte for byte those written without demand
        assert (tmp_path / "with" / path).read_bytes() == (tmp_path / "without" / path).read_bytes()
    contacts = pl.read_csv(tmp_path / "with" / "demand" / "contacts.csv", infer_schema=False)
    dates = contacts["CONTACT_DATE"].str.to_date("%d/%m/%Y")
    assert dt.date(2024, 4, 1) <= dates.min() < dates.max() <= dt.date(2026, 3, 31)  # type: ignore[operator]
    header = pl.read_csv(tmp_path / "with" / "999_2025-26" / "header.csv", infer_schema=False)
    assert set(contacts["CHILD"]) & set(header["CHILD"])


@pytest.mark.parametrize("share", ["1.5", "-0.1", "0.99"])
def test_a_failure_share_out_of_range_is_explained(tmp_path: Path, share: str) -> None:
    result = runner.invoke(app, ["synth", str(tmp_path), "--failure-demand", share])
    assert result.exit_code == 2
    assert "is not a share of contacts" in result.output
    assert not any(tmp_path.iterdir())
