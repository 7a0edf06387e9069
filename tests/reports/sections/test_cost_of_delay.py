"""The "What delay costs" section, by hand on small journeys and against the measures (as
`carejourney costs` calls them) on a synthetic LA.

Five children enter care on Mon 06/01/2025; their first review is due 20 working days
later, Mon 03/02/2025, and is held on Thu 13/02/2025: 10 days late each, 50 days in all.
Four are in LA foster care (U6, provider PR1: £646 a week, 2017 prices, in the shipped
unit costs), one in a secure children's home (K1), which has no unit cost. As at
31/03/2025 every day of delay is in the last 12 months. No other rule is late yet.

- cost: 40 days x £646 / 7 = £3,691.43, rounded to the nearest £100: £3,700;
- by half: each delay 5 days shorter, 4 x 5 priced days = £1,845.71: about £1,800;
- 30 fewer days: each delay (10 days) gone entirely: £3,691.43, about £3,700;
- unpriced: 10 days, "no unit cost for placement type K1".
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.config.costs import load_unit_costs
from carejourney.config.rules import load_rule_set
from carejourney.measures.costs import cost_of_delay, cost_summary, round_money, stays
from carejourney.measures.summaries import drift_list
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Section
from carejourney.reports.sections import cost_of_delay as section_module
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2025, 3, 31)
REVIEW_FIRST = load_rule_set("england").rule("review-first").title


def late_reviews(places: str) -> Section:
    """One child per placement type in `places`, each first review 10 days late."""
    children = [f"K{i}" for i in range(1, len(places.split()) + 1)]
    episodes = "CHILD | DECOM | RNE | LS | PLACE | PLACE_PROVIDER | DEC | REC\n" + "\n".join(
        f"{child} | 06/01/2025 | S | C2 | {place} | PR1 | |"
        for child, place in zip(children, places.split(), strict=True)
    )
    tracker = "CHILD | period | milestone | date\n" + "\n".join(
        f"{child} | 1 | looked_after_review | 13/02/2025" for child in children
    )
    journeys = small_journeys(episodes, tracker=tracker, data_ends=AS_AT)
    return section_module.build(context_for(journeys, None, AS_AT))


def rule_row(found: Section, title: str) -> dict[str, str]:
    frame = found.tables[0].frame
    rows: list[dict[str, str]] = frame.filter(pl.col("Timescale") == title).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_each_day_of_delay_is_priced_and_the_what_ifs_said() -> None:
    found = late_reviews("U6 U6 U6 U6 K1")
    assert rule_row(found, REVIEW_FIRST) == {
        "Rule set": load_rule_set("england").title,
        "Timescale": REVIEW_FIRST,
        "Cases": "5",
        "Children": "5",
        "Days of delay": "50",
        "Cost in the last 12 months": "£3,700",
    }
    assert (
        f"If drift under '{REVIEW_FIRST}' fell by half, the LA would avoid about £1,800 a year "
        "(2017 prices)." in found.paragraphs
    )
    assert (
        f"If drift under '{REVIEW_FIRST}' fell by 30 days, the LA would avoid about £3,700 a "
        "year (2017 prices)." in found.paragraphs
    )
    figures = {f.label: f.value for f in found.figures}
    assert figures == {
        f"Cost of delay under '{REVIEW_FIRST}', the last 12 months": "£3,700",
        "Avoided a year if that delay fell by half": "£1,800",
    }


def test_unpriced_days_are_counted_with_the_reason() -> None:
    found = late_reviews("U6 U6 U6 U6 K1")
    unpriced = next(t for t in found.tables if t.key == "Unpriced days")
    assert unpriced.frame.rows() == [("no unit cost for placement type K1", 10)]
    assert (
        "10 days of delay could not be priced and are not in the cost; most of them because "
        "of: no unit cost for placement type K1 (10 days)." in found.paragraphs
    )


def test_the_unit_costs_are_shown_with_price_years_and_sources() -> None:
    found = late_reviews("U6 U6 U6 U6 K1")
    costs = next(t for t in found.tables if t.key == "Unit costs of placements").frame
    foster = costs.filter(pl.col("Providers") == "PR1, PR2, PR3").row(0, named=True)
    assert (foster["Weekly cost"], foster["Price year"]) == ("£646", "2017")
    assert "PSSRU" in foster["Source"]


def test_a_rule_with_fewer_than_5_cases_hides_its_days_and_cost() -> None:
    found = late_reviews("U6 U6 U6")
    row = rule_row(found, REVIEW_FIRST)
    assert (row["Cases"], row["Children"], row["Days of delay"]) == ("[c]", "[c]", "[c]")
    assert row["Cost in the last 12 months"] == "[c]"
    assert "so are the days and cost of a timescale with fewer than 5 cases" in (
        found.tables[0].note or ""
    )
    # No what-if from hidden cases.
    assert not any(p.startswith(("If drift", "The largest cost")) for p in found.paragraphs)
    assert (
        "No delay in the 12 months could be priced and published, so there is no what-if."
        in found.paragraphs
    )
    assert found.figures == ()


def test_an_internal_report_shows_everything() -> None:
    episodes = """
CHILD | DECOM      | RNE | LS | PLACE | PLACE_PROVIDER | DEC | REC
K1    | 06/01/2025 | S   | C2 | U6    | PR1            |     |
"""
    tracker = "CHILD | period | milestone | date\nK1 | 1 | looked_after_review | 13/02/2025"
    journeys = small_journeys(episodes, tracker=tracker, data_ends=AS_AT)
    found = section_module.build(context_for(journeys, None, AS_AT, internal=True))
    row = rule_row(found, REVIEW_FIRST)
    # 10 days x £646 / 7 = £922.86: £900.
    assert (row["Cases"], row["Days of delay"], row["Cost in the last 12 months"]) == (
        "1",
        "10",
        "£900",
    )


def test_no_rule_sets_is_not_available() -> None:
    journeys = small_journeys(
        "CHILD | DECOM | RNE | LS | PLACE | DEC | REC\nK1 | 06/01/2025 | S | C2 | U6 | |"
    )
    context = context_for(journeys, None, AS_AT, rule_sets=())
    assert section_module.build(context).not_available is not None


def test_on_a_synthetic_la_the_figures_are_those_of_the_costs_command(
    synthetic_la: SyntheticLA,
) -> None:
    journeys, as_at = synthetic_la.journeys, synthetic_la.as_at
    england = load_rule_set("england")
    due = drift_list(journeys, [england], as_at)
    summary = cost_summary(cost_of_delay(due, stays(journeys.history), load_unit_costs(), as_at))
    found = section_module.build(synthetic_la.context())
    rules = DisclosureRules()
    for want in summary.iter_rows(named=True):
        got = rule_row(found, want["title"])
        cases = want["cases_last_12_months"]
        if cases >= rules.threshold:
            assert got["Cases"] == str(cases)
            assert got["Days of delay"] == f"{want['days_last_12_months']:,}"
            cost = f"£{round_money(want['cost_last_12_months']):,}"
            assert got["Cost in the last 12 months"] == cost
        elif cases > 0:
            assert got["Cases"] == got["Cost in the last 12 months"] == "[c]"
    text = all_text(found)
    assert not any(child in text for child in journeys.children["CHILD"].to_list())
