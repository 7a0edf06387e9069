"""Aims: set up from rule sets, stored per LA, found again, with clear errors; on SQLite
and, when a server answers, PostgreSQL (the `engine` fixture)."""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import (
    Aim,
    AimError,
    Measure,
    MeasurePoint,
    add_aim,
    aims_from_rule_set,
    get_aim,
    list_aims,
    measure_points,
    rule_of,
)
from carejourney.improvement.series import stored_series
from carejourney.measures.spc.types import ChartType, Improvement
from carejourney.store.tables import aim, aim_measure_point


def test_morays_aims_come_from_its_rule_set() -> None:
    aims = {a.name: a for a in aims_from_rule_set(load_rule_set("pace-moray"))}
    assert list(aims) == ["aim-2-recommendation", "aim-3-panel", "aim-4-order-lodged"]
    two = aims["aim-2-recommendation"]
    assert two.statement == (
        "Aim 2: By 01 Dec 2019, 85% of looked after & accommodated on or after 01 Feb 2019, "
        "will have a recommendation for permanence within 30 weeks."
    )
    assert two.cohort == "children who entered care on or after 01/02/2019"
    assert (two.measure, two.rule_set, two.rule) == (Measure.RULE, "pace-moray", two.name)
    assert (two.target_percent, two.deadline) == (85, dt.date(2019, 12, 1))
    assert two.improvement is Improvement.UP
    assert aims["aim-3-panel"].cohort == (
        "children with a permanence recommendation on or after 01/02/2018"
    )
    assert aims["aim-4-order-lodged"].cohort == (
        "children with an agency decision maker's decision on or after 01/02/2018, whose plan "
        "is permanence order or permanence order with authority to adopt"
    )


def test_the_celcis_aim_is_quoted_from_its_source() -> None:
    (celcis,) = aims_from_rule_set(load_rule_set("celcis-legal-advice"))
    assert celcis.statement.startswith("AIM: By end of August 2018, in 50% of children's cases")
    assert celcis.cohort == "all children the rule applies to"
    assert (celcis.target_percent, celcis.deadline) == (50, dt.date(2018, 8, 31))


def test_a_rule_set_without_targets_sets_no_aims() -> None:
    with pytest.raises(AimError, match='"england" has no rule with a target_percent'):
        aims_from_rule_set(load_rule_set("england"))


def test_aims_are_stored_per_la_and_found_again(engine: Engine) -> None:
    moray = aims_from_rule_set(load_rule_set("pace-moray"))
    with engine.begin() as conn:
        stored = [add_aim(conn, "931", a, who="analyst") for a in moray]
        add_aim(conn, "999", moray[0])  # another LA can use the same name
    assert [a.la for a in stored] == ["931"] * 3 and stored[0].created_by == "analyst"
    with engine.connect() as conn:
        found = get_aim(conn, "931", "aim-2-recommendation")
        assert [a.name for a in list_aims(conn, "931")] == [a.name for a in moray]
        assert [a.name for a in list_aims(conn, "999")] == ["aim-2-recommendation"]
    assert found.id == stored[0].id
    assert replace(found, id=None, la=None, created_at=None, created_by=None) == moray[0]
    assert found.created_at is not None


def test_an_aim_cannot_be_added_twice(engine: Engine) -> None:
    first = aims_from_rule_set(load_rule_set("pace-moray"))[0]
    with engine.begin() as conn:
        add_aim(conn, "931", first)
    with engine.begin() as conn, pytest.raises(AimError, match="already has an aim called"):
        add_aim(conn, "931", first)


def test_unknown_aims_and_rules_are_explained(engine: Engine) -> None:
    moray = aims_from_rule_set(load_rule_set("pace-moray"))
    with engine.begin() as conn:
        add_aim(conn, "931", moray[0])
        with pytest.raises(
            AimError,
            match=r'no aim called "aim-2-recomendation". Did you mean "aim-2-recommendation"',
        ):
            get_aim(conn, "931", "aim-2-recomendation")
        with pytest.raises(AimError, match="none yet"):
            get_aim(conn, "100", "anything")
        wrong = replace(moray[0], name="wrong", rule="aim-3-panl")
        with pytest.raises(
            AimError, match=r'no rule called "aim-3-panl". Did you mean "aim-3-panel"'
        ):
            add_aim(conn, "931", wrong)
        with pytest.raises(AimError, match="no shipped rule set"):
            rule_of(replace(moray[0], rule_set="pace-moray-2"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Aim 2"}, "lower-case letters, digits and hyphens"),
        ({"statement": "  "}, "needs a statement"),
        ({"target_percent": 120.0}, "at most 100"),
        ({"rule": None}, "needs a rule set and a rule"),
    ],
)
def test_an_aim_that_does_not_make_sense_is_refused(
    engine: Engine, change: dict[str, object], message: str
) -> None:
    first = aims_from_rule_set(load_rule_set("pace-moray"))[0]
    with engine.begin() as conn, pytest.raises(AimError, match=message):
        add_aim(conn, "931", replace(first, **change))  # type: ignore[arg-type]


def test_an_analysts_series_is_stored_with_its_aim(engine: Engine) -> None:
    points = [
        MeasurePoint(dt.date(2024, m, 1), f"2024-{m:02}-01", 10.0 + m, 40.0) for m in (1, 2, 3)
    ]
    rereferrals = Aim(
        name="fewer-re-referrals",
        statement="By March 2025, under 15% of referrals are re-referrals",
        measure=Measure.CSV,
        chart=ChartType.P,
        value_title="re-referrals",
        target_percent=15,
        improvement=Improvement.DOWN,
    )
    with engine.begin() as conn:
        stored = add_aim(conn, "931", rereferrals, points=points)
    with engine.connect() as conn:
        assert measure_points(conn, stored) == points
        series = stored_series(conn, get_aim(conn, "931", "fewer-re-referrals"))
    assert series.series.y.tolist() == [11, 12, 13]
    assert series.dates == tuple(p.date for p in points)
    assert (series.chart, series.multiply, series.target) == (ChartType.P, 100, 15)
    assert (series.value_title, series.improvement) == ("re-referrals", Improvement.DOWN)
    with engine.begin() as conn, pytest.raises(AimError, match="at least one"):
        add_aim(conn, "931", replace(rereferrals, name="empty"))
    with engine.begin() as conn, pytest.raises(AimError, match="date order"):
        add_aim(conn, "931", replace(rereferrals, name="backwards"), points=points[::-1])
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(aim)).scalar() == 1
        assert conn.execute(select(func.count()).select_from(aim_measure_point)).scalar() == 3
