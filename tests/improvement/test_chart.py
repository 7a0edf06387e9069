"""An aim's chart: cycles placed at points, phases started at them, and cycles that cannot
be placed said so; on SQLite and, when a server answers, PostgreSQL."""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import Engine

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import (
    Aim,
    AimError,
    Measure,
    MeasurePoint,
    add_aim,
    aims_from_rule_set,
)
from carejourney.improvement.chart import View, aim_chart, aim_series, place_cycles
from carejourney.improvement.cycles import Cycle, CycleInput, add_cycle
from carejourney.measures.spc.types import ChartType, Improvement, RuleSetName
from carejourney.reports.charts import Marker
from tests.improvement.test_series import AIM_2, MORAY, MORAY_TRACKER, journeys
from tests.measures.test_routes import day

MONTHS = [dt.date(2024, m, 1) for m in range(1, 13)]


def cycle(number: int, start: str, *, phase: bool = False, title: str = "") -> Cycle:
    return Cycle(
        number=number,
        title=title or f"change {number}",
        change_idea="an idea",
        prediction="it helps",
        do_start=day(start),
        starts_phase=phase,
    )


def test_a_cycle_is_marked_at_the_first_point_on_or_after_its_start() -> None:
    placed = place_cycles(
        MONTHS,
        [
            cycle(1, "01/03/2024"),  # the March point itself
            cycle(2, "15/06/2024", phase=True),  # mid-June: July, the first month after it
            cycle(3, "01/09/2024", phase=True),
        ],
    )
    assert placed.markers == (
        Marker(at=3, label="PDSA 1: change 1"),
        Marker(at=7, label="PDSA 2: change 2"),
        Marker(at=9, label="PDSA 3: change 3"),
    )
    assert placed.parts == (6, 8)  # new parts start at points 7 and 9
    assert placed.notes == ()


def test_cycles_off_the_chart_are_noted_not_dropped() -> None:
    placed = place_cycles(
        MONTHS,
        [
            cycle(1, "15/12/2023", phase=True, title="Checklist"),
            cycle(2, "01/01/2024", phase=True, title="Meeting"),
            cycle(3, "02/12/2024", title="Surgery"),
        ],
    )
    assert placed.markers == (Marker(at=1, label="PDSA 2: Meeting"),)
    assert placed.parts == ()
    assert placed.notes == (
        "PDSA 1 (Checklist, started 15/12/2023) began before the first point on the chart "
        "(01/01/2024): not marked.",
        "PDSA 2 (Meeting, started 01/01/2024) starts a new phase at the first point: the "
        "whole chart is that phase.",
        "PDSA 3 (Surgery, started 02/12/2024) began after the last point on the chart "
        "(01/12/2024): not marked yet.",
    )


def csv_aim(engine: Engine) -> Aim:
    values = [30, 32, 29, 31, 33, 30, 28, 31, 30, 29, 32, 31, 20, 19, 21, 18, 20, 22, 19, 21]
    dates = [dt.date(2023 + m // 12, m % 12 + 1, 1) for m in range(len(values))]
    points = [MeasurePoint(d, d.isoformat(), float(v)) for d, v in zip(dates, values, strict=True)]
    aim = Aim(
        name="shorter-waits",
        statement="Days waiting for a panel date fall below 25",
        measure=Measure.CSV,
        chart=ChartType.I,
        value_title="days waiting",
        target_percent=25,
        improvement=Improvement.DOWN,
    )
    with engine.begin() as conn:
        stored = add_aim(conn, "931", aim, points=points)
        base = CycleInput(
            title="", change_idea="an idea", prediction="it helps", do_start=day("01/01/2023")
        )
        add_cycle(conn, stored, replace(base, title="Book early", do_start=day("15/06/2023")))
        add_cycle(
            conn,
            stored,
            replace(base, title="Panel diary", do_start=day("01/01/2024"), starts_phase=True),
        )
        add_cycle(conn, stored, replace(base, title="Later", do_start=day("01/01/2026")))
    return stored


def test_an_aims_chart_has_its_cycles_marked_and_a_phase_from_one(engine: Engine) -> None:
    aim = csv_aim(engine)
    with engine.connect() as conn:
        drawn = aim_chart(conn, None, aim, rules=RuleSetName.IHI)
    assert drawn.result.options.parts == (12,)  # the diary started in January 2024, point 13
    assert drawn.result.options.chart is ChartType.I
    assert drawn.result.options.target == 25
    assert drawn.result.options.improvement is Improvement.DOWN
    assert [p.part for p in drawn.result.parts] == [1, 2]
    assert drawn.markers == (
        Marker(at=7, label="PDSA 1: Book early"),
        Marker(at=13, label="PDSA 2: Panel diary"),
    )
    assert drawn.notes == (
        "PDSA 3 (Later, started 01/01/2026) began after the last point on the chart "
        "(01/08/2024): not marked yet.",
    )
    assert drawn.rendered.svg.lstrip().startswith("<svg")
    assert "PDSA 2: Panel diary" in drawn.rendered.svg
    assert drawn.rendered.text_alternative
    assert drawn.as_at is None


def test_a_rule_aims_two_views(engine: Engine) -> None:
    (aim_2,) = [a for a in aims_from_rule_set(load_rule_set("pace-moray")) if a.name == AIM_2]
    with engine.begin() as conn:
        stored = add_aim(conn, "931", replace(aim_2, target_percent=90))
    found = journeys(MORAY, MORAY_TRACKER)
    with engine.connect() as conn:
        months, when = aim_series(conn, found, stored, as_at=day("31/12/2023"))
        children, _ = aim_series(conn, found, stored, view=View.CHILDREN, as_at=day("31/12/2023"))
        with pytest.raises(AimError, match="load them first"):
            aim_series(conn, None, stored)
        drawn = aim_chart(conn, found, stored, view=View.CHILDREN, as_at=day("31/12/2023"))
    assert when == day("31/12/2023")
    assert months.target == 90  # the aim's own target, not the rule set's 85
    assert children.target == 210 and children.series.y.tolist() == [150, 210, 230, 274, 204]
    assert drawn.rendered.svg and drawn.notes == children.notes


def test_nothing_to_chart_is_explained(engine: Engine) -> None:
    aim_2 = aims_from_rule_set(load_rule_set("pace-moray"))[0]
    with engine.begin() as conn:
        stored = add_aim(conn, "931", aim_2)
        with pytest.raises(AimError, match=r"has nothing to chart yet. No permanence"):
            aim_chart(conn, journeys(MORAY, MORAY_TRACKER), stored, as_at=day("01/06/2023"))
