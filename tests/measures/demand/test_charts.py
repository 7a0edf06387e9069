"""The failure share p chart and the end-to-end capability chart, limits worked out by hand
(I chart: mean ± 3 × mean moving range / 1.128, about 2.66 times it, as qicharts2; p
chart: p̄ ± 3 √(p̄(1 - p̄)/n))."""

from __future__ import annotations

import datetime as dt
import json
import math

import polars as pl
import pytest

from carejourney.measures.demand.charts import capability_chart, failure_chart

FIRST = dt.date(2024, 1, 1)
E2 = 3 / 1.128  # the I chart's multiplier of the mean moving range


def cases(days: list[int], waiting: int = 0) -> pl.DataFrame:
    """Cases first contacted on 1, 2, 3... January 2024, helped `days` later; then
    `waiting` cases with no help, waiting 100 days."""
    first = [FIRST + dt.timedelta(days=i) for i in range(len(days) + waiting)]
    helped = [f + dt.timedelta(days=d) for f, d in zip(first, days, strict=False)]
    return pl.DataFrame(
        {
            "FIRST_CONTACT": first,
            "HELP_START": helped + [None] * waiting,
            "DAYS_TO_HELP": days + [None] * waiting,
            "ASSESSMENT_START": [None] * len(first),
            "DAYS_TO_ASSESSMENT": [None] * len(first),
            "DAYS_WAITING": [None] * len(days) + [100] * waiting,
        },
        schema={
            "FIRST_CONTACT": pl.Date,
            "HELP_START": pl.Date,
            "DAYS_TO_HELP": pl.Int64,
            "ASSESSMENT_START": pl.Date,
            "DAYS_TO_ASSESSMENT": pl.Int64,
            "DAYS_WAITING": pl.Int64,
        },
    )


STEADY = [10, 20, 15, 25, 20, 30, 25, 20, 15, 20]


def test_the_capability_of_a_steady_system_from_its_natural_process_limits() -> None:
    # Mean 20; moving ranges 10, 5, 10, 5, 10, 5, 5, 5, 5: mean 60 / 9 = 6.667 (none above
    # 3.267 times it, so none screened out). Limits 20 ± 6.667 × 3 / 1.128 = 2.27 and 37.73.
    chart = capability_chart(cases(STEADY, waiting=2), FIRST, dt.date(2024, 12, 31))
    assert chart.lower == pytest.approx(20 - E2 * 60 / 9)
    assert chart.upper == pytest.approx(20 + E2 * 60 / 9)
    assert chart.capability == (
        "The system predictably takes between 2.27 and 37.7 days from first contact to the "
        "right help."
    )
    assert chart.result is not None and chart.result.points.height == 10
    assert chart.result.points["label"].to_list()[:2] == ["01/01/2024", "02/01/2024"]
    assert chart.notes == (
        "2 cases have not reached the right help yet, so are not on the chart; the longest "
        "has waited 100 days so far.",
    )
    assert chart.signals  # the words say whether anything is unlikely to be chance


def test_the_lower_limit_is_floored_at_0_days() -> None:
    chart = capability_chart(cases([1, 40, 2, 38, 3, 41, 1, 39]), FIRST, dt.date(2024, 12, 31))
    assert chart.result is not None
    assert float(chart.result.points["lcl"][0]) < 0
    assert chart.lower == 0.0
    assert chart.capability is not None and chart.capability.startswith(
        "The system predictably takes between 0 and "
    )


def test_a_redesign_starts_a_new_phase_whose_limits_give_the_capability() -> None:
    redesign = FIRST + dt.timedelta(days=5)  # cases 6 to 10 first contacted from it
    chart = capability_chart(cases(STEADY), FIRST, dt.date(2024, 12, 31), redesign=redesign)
    assert chart.result is not None and len(chart.result.parts) == 2
    assert chart.result.points["part"].to_list() == [1] * 5 + [2] * 5
    # Phase 2: 30, 25, 20, 15, 20: mean 22, moving ranges all 5: limits 22 ± 13.3.
    assert (chart.lower, chart.upper) == (pytest.approx(22 - E2 * 5), pytest.approx(22 + E2 * 5))
    assert chart.capability == (
        "The system predictably takes between 8.7 and 35.3 days from first contact to the "
        "right help since the redesign."
    )


def test_signals_in_the_latest_phase_are_said_to_make_the_range_unreliable() -> None:
    chart = capability_chart(cases([*STEADY, 200]), FIRST, dt.date(2024, 12, 31))
    assert chart.capability is not None
    assert chart.capability.endswith(
        "But the chart shows signals that are unlikely to be chance, so the system is not "
        "stable and this range is no reliable forecast until they are understood."
    )
    assert any("above the upper limit" in s for s in chart.signals)


def test_many_signals_are_listed_up_to_10_and_counted() -> None:
    # Every 10th case takes far longer than the rest: each is outside the limits on its own.
    days = [10, 12, 11, 10, 11, 12, 10, 11, 12, 200] * 12
    chart = capability_chart(cases(days), FIRST, dt.date(2025, 12, 31))
    assert chart.result is not None and len(chart.result.signals) > 10
    assert len(chart.signals) == 11
    assert chart.signals[-1].startswith("And ") and chart.signals[-1].endswith(
        "more like these, all shown on the chart."
    )


def test_only_cases_helped_in_the_period_are_charted_and_too_few_says_so() -> None:
    chart = capability_chart(cases(STEADY), dt.date(2024, 1, 30), dt.date(2024, 12, 31))
    # Helped from 30 January: the 6th case (6 Jan + 30 days = 5 Feb), the 7th (7 Jan + 25 =
    # 1 Feb) and the 10th (10 Jan + 20 = 30 Jan); the 8th (8 Jan + 20 = 28 Jan) is before.
    assert chart.result is not None
    assert chart.result.points["y"].to_list() == [30.0, 25.0, 20.0]
    few = capability_chart(cases([10]), FIRST, dt.date(2024, 12, 31))
    assert few.result is None and few.capability is None
    assert few.notes == (
        "Too few cases reached the right help in the period to chart (at least 2 are needed).",
    )


def test_the_assessment_chart_uses_days_to_the_right_assessment() -> None:
    found = cases(STEADY).with_columns(
        pl.col("HELP_START").alias("ASSESSMENT_START"),
        (pl.col("DAYS_TO_HELP") // 2).alias("DAYS_TO_ASSESSMENT"),
    )
    chart = capability_chart(found, FIRST, dt.date(2024, 12, 31), to="assessment")
    assert chart.result is not None
    assert chart.result.points["y"].to_list()[:3] == [5.0, 10.0, 7.0]
    assert chart.capability is not None and "to the right assessment" in chart.capability
    with pytest.raises(ValueError, match='to must be "help" or "assessment"'):
        capability_chart(found, FIRST, FIRST, to="decision")


def months(failure: list[int], contacts: list[int]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "month": [dt.date(2024, m, 1) for m in range(1, len(failure) + 1)],
            "failure": failure,
            "contacts": contacts,
        }
    )


def test_the_failure_share_p_chart() -> None:
    # p̄ = 300 / 600 = 50%; each month n = 100: limits 50 ± 3 × √(0.25 / 100) = 50 ± 15%.
    chart = failure_chart(months([50, 45, 55, 50, 60, 40], [100] * 6))
    assert chart.result is not None
    points = chart.result.points
    assert points["cl"].to_list() == pytest.approx([50.0] * 6)
    assert points["ucl"].to_list() == pytest.approx([65.0] * 6)
    assert points["lcl"].to_list() == pytest.approx([35.0] * 6)
    assert points["label"][0] == "2024-01-01"
    assert chart.signals and chart.capability is None


def test_the_failure_chart_leaves_out_months_without_contacts_and_phases_at_a_redesign() -> None:
    chart = failure_chart(
        months([50, 0, 45, 55, 20, 25], [100, 0, 100, 100, 100, 100]),
        redesign=dt.date(2024, 5, 15),  # May is the first month of the new phase
    )
    assert chart.result is not None
    assert chart.result.points["label"].to_list() == [
        "2024-01-01",
        "2024-03-01",
        "2024-04-01",
        "2024-05-01",
        "2024-06-01",
    ]
    assert chart.result.points["part"].to_list() == [1, 1, 1, 2, 2]
    assert chart.result.points["cl"].to_list() == pytest.approx([50.0] * 3 + [22.5] * 2)


def test_a_redesign_outside_the_chart_is_noted() -> None:
    after = failure_chart(months([50, 45], [100, 100]), redesign=dt.date(2025, 1, 1))
    assert after.notes == (
        "The redesign date (1 January 2025) is after the last month: no month is after it yet.",
    )
    before = failure_chart(months([50, 45], [100, 100]), redesign=dt.date(2023, 1, 1))
    assert before.notes[0].startswith("The redesign date (1 January 2023) is on or before")
    one = failure_chart(months([50], [100]))
    assert one.result is None and one.notes


def test_as_dict_is_json_ready() -> None:
    chart = capability_chart(cases(STEADY), FIRST, dt.date(2024, 12, 31))
    found = chart.as_dict()
    text = json.dumps(found)  # no dates, no NaN
    assert "NaN" not in text
    assert found["points"][0]["value"] == 10.0  # type: ignore[index]
    assert math.isclose(found["upper"], 20 + E2 * 60 / 9)  # type: ignore[arg-type]
