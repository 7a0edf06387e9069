"""An aim's measure as a series, from small journeys worked out by hand.

Journeys are episode tables as in tests/journeys; milestones no return holds are a tracker
table (CHILD | period | milestone | date). Days are counted by hand beside the rows.
"""

import datetime as dt

import numpy as np
import polars as pl
import pytest

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import AimError, MeasurePoint
from carejourney.improvement.series import (
    celcis_legal_days,
    rule_by_child,
    rule_by_month,
    series_from_points,
)
from carejourney.journeys.milestones import return_milestones
from carejourney.journeys.periods import periods_of_care, placements
from carejourney.journeys.stored import Journeys
from carejourney.measures.spc.types import ChartType, Improvement
from tests.journeys.test_periods import history
from tests.measures.test_drift import children
from tests.measures.test_routes import day, tracked


def journeys(episodes: str, tracker: str = "") -> Journeys:
    """The journeys of an episode table and a tracker, as `journeys.stored.load` gives them."""
    h = history(episodes)
    milestones = pl.concat([return_milestones(h), tracked(tracker)])
    return Journeys(
        la="test",
        history=h,
        periods=periods_of_care(h),
        placements=placements(h),
        milestones=milestones,
        children=children(),
        workers=pl.DataFrame(),
        allocations=pl.DataFrame(),
        data_ends=None,
    )


# Moray Aim 2: permanence recommendation within 30 weeks (210 days) of being accommodated,
# for children accommodated on or after 01/02/2019. As at 31/12/2023:
#   A entered 15/01/2023, due 13/08/2023 (16+28+31+30+31+30+31 = 197 to 31/07, +13 = 210);
#     recommended 14/06/2023: 16+28+31+30+31 = 136 to 31/05, +14 = 150 days, on time.
#   B entered 01/02/2023, due 30/08/2023 (27+31+30+31+30+31 = 180 to 31/07, +30 = 210);
#     recommended on the due date: 210 days, on time.
#   C entered 01/03/2023, due 27/09/2023 (30+30+31+30+31+31 = 183 to 31/08, +27 = 210);
#     recommended 17/10/2023: 183 + 30 (September) + 17 = 230 days, late.
#   D entered 01/04/2023, due 28/10/2023 (29+31+30+31+31+30 = 182 to 30/09, +28 = 210);
#     no recommendation by 31/12/2023: 182 + 31 + 30 + 31 = 274 days so far, overdue.
#   E entered 20/05/2023, due 16/12/2023 (11+30+31+31+30+31+30 = 194 to 30/11, +16 = 210);
#     recommended 10/12/2023: 204 days, on time.
#   F entered 01/10/2023, recommended early on 01/12/2023, but due 28/04/2024, after the
#     as-at date: not yet fallen due, so on neither chart.
#   G entered 01/09/2023, nothing yet, due 29/03/2024: on track, not on either chart.
#   H entered 15/01/2019, before the cohort starts: not on either chart.
MORAY = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
A     | 15/01/2023 | S   | C2 | U3    |     |
B     | 01/02/2023 | S   | C2 | U3    |     |
C     | 01/03/2023 | S   | C2 | U3    |     |
D     | 01/04/2023 | S   | C2 | U3    |     |
E     | 20/05/2023 | S   | C2 | U3    |     |
F     | 01/10/2023 | S   | C2 | U3    |     |
G     | 01/09/2023 | S   | C2 | U3    |     |
H     | 15/01/2019 | S   | C2 | U3    |     |
"""
MORAY_TRACKER = """
CHILD | period | milestone                 | date
A     | 1      | permanence_recommendation | 14/06/2023
B     | 1      | permanence_recommendation | 30/08/2023
C     | 1      | permanence_recommendation | 17/10/2023
E     | 1      | permanence_recommendation | 10/12/2023
F     | 1      | permanence_recommendation | 01/12/2023
H     | 1      | permanence_recommendation | 01/12/2019
"""
AIM_2 = "aim-2-recommendation"


def test_days_taken_child_by_child_in_order_of_the_due_date() -> None:
    found = rule_by_child(
        journeys(MORAY, MORAY_TRACKER), load_rule_set("pace-moray"), AIM_2, day("31/12/2023")
    )
    assert found.series.y.tolist() == [150, 210, 230, 274, 204]
    assert found.dates == tuple(
        day(d) for d in ("13/08/2023", "30/08/2023", "27/09/2023", "28/10/2023", "16/12/2023")
    )
    # Labelled dd/mm/yyyy: an ISO date on the 1st would be read as a whole month.
    assert found.series.labels == (
        "13/08/2023",
        "30/08/2023",
        "27/09/2023",
        "28/10/2023",
        "16/12/2023",
    )
    assert found.open == (False, False, False, True, False)  # D is still waiting
    assert (found.chart, found.target, found.improvement) == (ChartType.I, 210, Improvement.DOWN)
    assert found.multiply == 1 and found.series.n is None
    assert found.value_title == "Days from entered care to permanence recommendation"
    assert found.notes == (
        "1 child still waiting (overdue) is shown with the days so far, to 31/12/2023: they "
        "will take longer.",
    )


def test_no_child_id_is_in_the_series() -> None:
    found = rule_by_child(
        journeys(MORAY, MORAY_TRACKER), load_rule_set("pace-moray"), AIM_2, day("31/12/2023")
    )
    text = repr(found)
    assert not any(f"'{child}'" in text for child in "ABCDEFGH")


def test_percent_on_time_by_month_of_the_due_date() -> None:
    found = rule_by_month(
        journeys(MORAY, MORAY_TRACKER), load_rule_set("pace-moray"), AIM_2, day("31/12/2023")
    )
    # August: A and B on time (2 of 2); September: C late (0 of 1); October: D overdue
    # (0 of 1); November: nothing due, left out; December: E on time (1 of 1).
    assert found.series.y.tolist() == [2, 0, 0, 1]
    assert found.series.n is not None and found.series.n.tolist() == [2, 1, 1, 1]
    assert found.dates == tuple(day(f"01/{m}/2023") for m in ("08", "09", "10", "12"))
    assert found.series.labels == ("2023-08-01", "2023-09-01", "2023-10-01", "2023-12-01")
    assert (found.chart, found.multiply, found.target) == (ChartType.P, 100, 85)
    assert found.improvement is Improvement.UP
    assert found.notes == (
        "1 child still overdue is counted as not on time.",
        "Nothing fell due in 1 month (November 2023): it is left out, so neighbouring points "
        "can be more than a month apart.",
    )


def test_the_latest_month_is_said_to_be_part_counted() -> None:
    found = rule_by_month(
        journeys(MORAY, MORAY_TRACKER), load_rule_set("pace-moray"), AIM_2, day("20/12/2023")
    )
    assert found.series.y.tolist() == [2, 0, 0, 1]  # E's due date, 16/12, is before it
    assert found.notes[-1] == "December 2023 counts only what fell due by 20/12/2023."


def test_working_day_rules_count_working_days() -> None:
    # England's first review within 20 working days of entering care. Entered Friday
    # 15/12/2023: 18-22 Dec (1-5), 25 and 26 Dec bank holidays, 27-29 Dec (6-8), 1 Jan bank
    # holiday, 2-5 Jan (9-12), 8-12 Jan (13-17), 15-17 Jan (18-20): due 17/01/2024.
    # X1's review on Friday 05/01/2024 is working day 12; X2 has none by 31/01/2024: 18
    # Jan is 21, 19 Jan 22, 22-26 Jan 23-27, 29-31 Jan 28-30.
    episodes = """
    CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
    X1    | 15/12/2023 | S   | C1 | U3    |     |
    X2    | 15/12/2023 | S   | C1 | U3    |     |
    """
    reviews = """
    CHILD | period | milestone           | date
    X1    | 1      | looked_after_review | 05/01/2024
    """
    found = rule_by_child(
        journeys(episodes, reviews), load_rule_set("england"), "review-first", day("31/01/2024")
    )
    assert found.series.y.tolist() == [12, 30]
    assert found.target == 20 and found.value_title.startswith("Working days from")


# CELCIS: information to Legal 8 full working days before the review recommending
# permanence (Scotland's bank holidays). As at 31/12/2023:
#   L1: sent Monday 13/11/2023, review Friday 24/11/2023. Between them, neither counted:
#       14, 15, 16, 17, 20, 21, 22, 23 November = 8 full working days.
#   L2: sent Monday 27/11/2023, review Thursday of the next week, 07/12/2023. Between
#       them: 28, 29 November, (30 November, St Andrew's Day, a Scottish bank holiday),
#       1, 4, 5, 6 December = 6 full working days (7 in England).
#   L3: review 07/12/2023 too, information sent after it on Monday 11/12/2023: the one
#       day between them, Friday 8 December, counts against: -1.
#   L4: review 01/12/2023 and no information recorded: not on the chart, 1 missing.
#   L5: information sent, review not yet held: nothing due.
CELCIS = """
CHILD | DECOM      | RNE | LS | PLACE | DEC | REC
L1    | 01/06/2023 | S   | C2 | U3    |     |
L2    | 01/06/2023 | S   | C2 | U3    |     |
L3    | 01/06/2023 | S   | C2 | U3    |     |
L4    | 01/06/2023 | S   | C2 | U3    |     |
L5    | 01/06/2023 | S   | C2 | U3    |     |
"""
CELCIS_TRACKER = """
CHILD | period | milestone                 | date
L1    | 1      | legal_information_sent    | 13/11/2023
L1    | 1      | permanence_recommendation | 24/11/2023
L2    | 1      | legal_information_sent    | 27/11/2023
L2    | 1      | permanence_recommendation | 07/12/2023
L3    | 1      | permanence_recommendation | 07/12/2023
L3    | 1      | legal_information_sent    | 11/12/2023
L4    | 1      | permanence_recommendation | 01/12/2023
L5    | 1      | legal_information_sent    | 11/12/2023
"""


def test_celcis_full_working_days_before_each_review_with_a_scottish_bank_holiday() -> None:
    found = celcis_legal_days(journeys(CELCIS, CELCIS_TRACKER), day("31/12/2023"))
    assert found.series.y.tolist() == [8, 6, -1]
    assert found.dates == (day("24/11/2023"), day("07/12/2023"), day("07/12/2023"))
    assert found.missing == 1
    assert (found.chart, found.target, found.improvement) == (ChartType.I, 8, Improvement.UP)
    assert found.value_title == "Full working days before permanence recommendation"
    assert found.notes == (
        '1 permanence recommendation had no date recorded for "All information sent to '
        'Legal": it is not on the chart.',
        "1 case had all information sent to Legal after the permanence recommendation: shown "
        "below 0.",
    )


def test_a_counting_back_rule_by_child_is_the_celcis_measure() -> None:
    found = rule_by_child(
        journeys(CELCIS, CELCIS_TRACKER),
        load_rule_set("celcis-legal-advice"),
        "legal-information-before-review",
        day("31/12/2023"),
    )
    assert found.series.y.tolist() == [8, 6, -1]


def test_the_celcis_measure_by_month_is_the_share_in_time() -> None:
    found = rule_by_month(
        journeys(CELCIS, CELCIS_TRACKER),
        load_rule_set("celcis-legal-advice"),
        "legal-information-before-review",
        day("31/12/2023"),
    )
    # Due dates fall before the reviews: L1's (review 24/11) is in November, on time; L2,
    # L3 and L4's reviews (1 and 7 December) make theirs due in November too: L2 sent 6
    # days before (late), L3 after (late), L4 never (overdue). 1 of 4.
    assert found.series.y.tolist() == [1]
    assert found.series.n is not None and found.series.n.tolist() == [4]
    assert found.target == 50


def test_an_unknown_rule_is_explained() -> None:
    with pytest.raises(AimError, match=r'no rule called "aim-9".*aim-2-recommendation'):
        rule_by_child(journeys(MORAY), load_rule_set("pace-moray"), "aim-9", day("31/12/2023"))


def test_nothing_due_gives_an_empty_series_with_a_note() -> None:
    found = rule_by_month(
        journeys(MORAY, MORAY_TRACKER), load_rule_set("pace-moray"), AIM_2, day("01/06/2023")
    )
    assert len(found) == 0
    assert found.notes == ("No permanence recommendation fell due under this rule by 01/06/2023.",)


def test_an_analysts_points_as_a_series() -> None:
    points = [
        MeasurePoint(dt.date(2024, 1, 1), "2024-01-01", 12, 40),
        MeasurePoint(dt.date(2024, 2, 1), "2024-02-01", 10, 38),
    ]
    found = series_from_points(points, ChartType.P, target=15, improvement=Improvement.DOWN)
    assert found.series.y.tolist() == [12, 10]
    assert found.series.n is not None and np.array_equal(found.series.n, [40, 38])
    assert (found.multiply, found.target, found.improvement) == (100, 15, Improvement.DOWN)
    plain = series_from_points([MeasurePoint(dt.date(2024, 1, 1), "Jan", 3)], ChartType.I)
    assert plain.series.n is None and plain.multiply == 1
