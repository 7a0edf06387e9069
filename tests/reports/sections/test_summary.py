"""The summary's figures on hand-worked journeys, as at 31/03/2023 (a year before:
31/03/2022), and on a synthetic LA against the measures computed directly."""

import datetime as dt

import polars as pl

from carejourney.config.rules import load_rule_set
from carejourney.measures.summaries import drift_list
from carejourney.reports.sections import summary
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2023, 3, 31)

# A: adopted 01/06/2022 (entered 01/04/2021, placed 01/12/2021: 244 days, A10).
# B: entered 01/06/2022, still looked after. C: entered 01/01/2022, SGO 01/07/2022.
# D: entered 01/03/2021, decision 01/06/2021, placement order, not placed: waiting.
EPISODES = """
CHILD | DECOM      | RNE | LS | PLACE | DEC        | REC
A     | 01/04/2021 | S   | C1 | U3    | 01/09/2021 | X1
A     | 01/09/2021 | L   | E1 | U3    | 01/12/2021 | X1
A     | 01/12/2021 | P   | E1 | A6    | 01/06/2022 | E11
B     | 01/06/2022 | S   | C2 | U6    |            |
C     | 01/01/2022 | S   | C2 | U6    | 01/07/2022 | E45
D     | 01/03/2021 | S   | C1 | U3    | 01/09/2021 | X1
D     | 01/09/2021 | L   | E1 | U3    |            |
"""
AD1 = """
CHILD | DATE_INT   | DATE_MATCH | FOSTER_CARE
A     | 01/07/2021 | 01/11/2021 | 0
D     | 01/06/2021 |            | 0
"""


def figures(internal: bool) -> dict[str, tuple[str, str | None]]:
    journeys = small_journeys(EPISODES, ad1=AD1, data_ends=AS_AT)
    section = summary.build(context_for(journeys, None, AS_AT, internal=internal))
    return {f.label.split(" (")[0]: (f.value, f.change) for f in section.figures}


def test_the_counts_and_their_change_on_a_year_before_by_hand() -> None:
    found = figures(internal=True)
    # Looked after on 31/03/2023: B, D; on 31/03/2022: A, C, D.
    assert found["Children looked after on 31/03/2023"] == ("2", "down 1 on a year before")
    # Entered in the year: B; the year before: A (01/04/2021) and C (D on 01/03/2021 is
    # earlier still).
    assert found["Children who entered care in the year to 31/03/2023"] == (
        "1",
        "down 1 on a year before",
    )
    assert found["Children who left care in the year to 31/03/2023"] == (
        "2",  # A and C
        "up 2 on a year before",
    )
    assert found["Children adopted in the year to 31/03/2023"] == ("1", "up 1 on a year before")
    key = "Children who left care on a special guardianship order in the year"
    assert found[key] == ("1", "up 1 on a year before")
    # D both years (A was already placed on 31/03/2022).
    waiting = "Children with a decision for adoption, waiting to be placed"
    assert found[waiting] == ("1", "the same as a year before")
    # A10: A alone, 01/04/2021 -> 01/12/2021 = 244 days; nobody adopted a year before.
    a10 = "Average days from entering care to moving in with the adoptive family"
    assert found[a10] == ("244 days", None)


def test_overdue_and_on_time_come_from_the_drift_list() -> None:
    journeys = small_journeys(EPISODES, ad1=AD1, data_ends=AS_AT)
    section = summary.build(context_for(journeys, None, AS_AT, internal=True))
    due = drift_list(journeys, [load_rule_set("england")], AS_AT)
    overdue = due.filter(pl.col("status") == "overdue").height
    assert overdue > 0
    values = {f.label.split(" (")[0]: f.value for f in section.figures}
    assert values["Milestones overdue on 31/03/2023"] == str(overdue)
    paragraph = section.paragraphs[0]
    assert f"{overdue} milestones are overdue now" in paragraph
    assert "244 days from entering care" in paragraph and "within the 426-day" in paragraph


def test_small_counts_are_hidden_and_no_change_gives_them_away() -> None:
    found = figures(internal=False)
    assert found["Children looked after on 31/03/2023"] == ("[c]", None)
    # An average of fewer than 5 children is not published either.
    a10 = "Average days from entering care to moving in with the adoptive family"
    assert found[a10] == ("not available", None)
    journeys = small_journeys(EPISODES, ad1=AD1, data_ends=AS_AT)
    text = all_text(summary.build(context_for(journeys, None, AS_AT)))
    assert "fewer than 5" in text and "244" not in text


def test_on_a_synthetic_la_the_figures_match_the_measures(synthetic_la: SyntheticLA) -> None:
    journeys, as_at = synthetic_la.journeys, synthetic_la.as_at
    section = summary.build(synthetic_la.context())
    periods = journeys.periods.filter(~pl.col("short_breaks_only"))
    looked_after = periods.filter(
        (pl.col("start") <= as_at) & (pl.col("end").is_null() | (pl.col("end") > as_at))
    )["CHILD"].n_unique()
    assert section.figures[0].value == str(looked_after)
    assert len(section.figures) == 9 and len(section.paragraphs) == 1
    text = all_text(section)
    assert not any(child in text for child in journeys.children["CHILD"].to_list())
