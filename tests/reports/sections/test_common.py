"""What several sections share: the drift list worked out once per report, and the due
dates taken from it, the same as `all_due_dates` works them out."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import polars as pl
import pytest

from carejourney.config.rules import load_rule_set
from carejourney.measures.summaries import all_due_dates
from carejourney.reports.sections.common import drift_list_on, due_dates_on
from tests.reports.sections.context import SyntheticLA, context_for


@pytest.mark.parametrize(
    "names", [["england"], ["england", "pace-moray"], ["adoption-scorecard", "england"]]
)
def test_due_dates_from_the_drift_list_are_all_due_dates(
    synthetic_la: SyntheticLA, names: list[str]
) -> None:
    sets = tuple(load_rule_set(name) for name in names)
    context = context_for(synthetic_la.journeys, synthetic_la.conn, synthetic_la.as_at)
    for day in (synthetic_la.as_at, dt.date(2024, 9, 30)):
        expected = all_due_dates(synthetic_la.journeys, list(sets), day)
        assert expected.height > 100
        assert due_dates_on(context, sets, day).equals(expected)


def test_a_child_twice_in_the_allocation_list_is_due_once(synthetic_la: SyntheticLA) -> None:
    journeys = synthetic_la.journeys
    allocated = journeys.allocations.head(5)
    assert allocated.height == 5
    twice = replace(journeys, allocations=pl.concat([journeys.allocations, allocated]))
    context = context_for(twice, synthetic_la.conn, synthetic_la.as_at)
    sets = context.rule_sets
    expected = all_due_dates(journeys, list(sets), synthetic_la.as_at)
    assert drift_list_on(context, sets, synthetic_la.as_at).height == expected.height
    assert due_dates_on(context, sets, synthetic_la.as_at).equals(expected)


def test_the_drift_list_is_worked_out_once_per_report(synthetic_la: SyntheticLA) -> None:
    context = context_for(synthetic_la.journeys, synthetic_la.conn, synthetic_la.as_at)
    first = drift_list_on(context, context.rule_sets, context.as_at)
    assert drift_list_on(context, list(context.rule_sets), context.as_at) is first
    assert drift_list_on(context, context.rule_sets, context.previous_as_at) is not first
    # Another context (another date, LA or journeys) starts afresh.
    other = replace(context, as_at=context.previous_as_at)
    assert not other.shared
    assert drift_list_on(other, other.rule_sets, context.as_at) is not first
