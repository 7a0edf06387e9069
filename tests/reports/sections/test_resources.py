"""The resources section on hand-built journeys, as at 31/03/2024 (the year: 01/04/2023 to
31/03/2024), with and without the LA's inputs."""

import datetime as dt
from dataclasses import replace

from carejourney.measures.costs import round_money
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ResourceInputs, Section
from carejourney.reports.sections import resources
from tests.reports.sections.context import (
    SyntheticLA,
    all_text,
    context_for,
    small_journeys,
)

AS_AT = dt.date(2024, 3, 31)
HEADING = "CHILD | DECOM | RNE | LS | PLACE | DEC | REC"


def episodes(placed: int) -> str:
    """P1..P`placed`: placed for adoption (A6) on 01/06/2023; P1..P10 adopted (E11) on
    01/02/2024, the rest still looked after. Q: placed on 31/03/2023, the day before the
    year: not counted as placed, still looked after. R: placed (A5) on 01/04/2023, the
    year's first day, adopted (E12) on 01/03/2024. B: short breaks only, not counted."""
    lines = [HEADING]
    for i in range(1, placed + 1):
        lines.append(f"P{i} | 01/01/2023 | S | C2 | U3 | 01/06/2023 | X1")
        end = "01/02/2024 | E11" if i <= 10 else " | "
        lines.append(f"P{i} | 01/06/2023 | P | E1 | A6 | {end}")
    lines += [
        "Q | 01/01/2022 | S | C2 | U3 | 31/03/2023 | X1",
        "Q | 31/03/2023 | P | E1 | A6 |  | ",
        "R | 01/01/2023 | S | C2 | U3 | 01/04/2023 | X1",
        "R | 01/04/2023 | P | E1 | A5 | 01/03/2024 | E12",
        "B | 01/03/2024 | S | V3 | U6 |  | ",
    ]
    return "\n".join(lines)


INPUTS = ResourceInputs(
    adoption_team_cost=600_000, adoption_team_fte=6, social_worker_fte=4, price_year="2023-24"
)


def build(
    placed: int = 29,
    inputs: ResourceInputs | None = None,
    rules: DisclosureRules | None = None,
) -> Section:
    journeys = small_journeys(episodes(placed), data_ends=AS_AT)
    context = context_for(journeys, None, AS_AT, disclosure=rules or DisclosureRules())
    return resources.build(replace(context, inputs=inputs or ResourceInputs()))


def values(section: Section) -> dict[str, str]:
    return dict(section.tables[0].frame.select("Figure", "Value").iter_rows())


def test_the_counts_by_hand() -> None:
    journeys = small_journeys(episodes(29), data_ends=AS_AT)
    context = context_for(journeys, None, AS_AT)
    # Placed in the year: P1-P29 and R (not Q, placed the day before it): 30. Adoption
    # orders: P1-P10 and R: 11. Looked after on 31/03/2024: P11-P29 and Q: 20 (B has
    # short breaks only).
    assert resources.counts(context) == {"placed": 30, "orders": 11, "looked_after": 20}


def test_with_the_inputs_the_unit_cost_and_productivity_by_hand() -> None:
    section = build(inputs=INPUTS, rules=DisclosureRules(internal=True))
    found = values(section)
    assert found["Unit cost of placing a child for adoption"] == "£20,000"  # 600,000 / 30
    assert found["Children placed for adoption per adoption-team FTE"] == "5.0"  # 30 / 6
    assert found["Adoption orders per adoption-team FTE"] == "1.8"  # 11 / 6 = 1.83
    assert found["Children looked after per social worker (FTE)"] == "5.0"  # 20 / 4
    assert found["Adoption team's cost for the year"] == "£600,000"
    figures = {f.label: (f.value, f.change) for f in section.figures}
    assert figures["Unit cost of placing a child for adoption"] == ("£20,000", "2023-24 prices")
    text = all_text(section)
    assert "cost £20,000 per child" in text and "in 2023-24 prices" in text
    assert "Not given" not in text


def test_without_inputs_it_says_which_options_provide_them() -> None:
    section = build()
    found = values(section)
    for label in (
        "Unit cost of placing a child for adoption",
        "Children placed for adoption per adoption-team FTE",
        "Children looked after per social worker (FTE)",
        "Adoption team's cost for the year",
        "Price year of the cost",
    ):
        assert found[label].startswith("not given"), label
    assert "£" not in found["Unit cost of placing a child for adoption"]
    text = "\n".join(section.paragraphs)
    for option in ("--team-cost", "--team-fte", "--worker-fte", "--price-year"):
        assert f"`carejourney report {option}`" in text, option
    # The counts from the LA's own data are still there.
    assert found["Children placed for adoption in the year"] == "30"


def test_only_the_inputs_not_given_are_asked_for() -> None:
    section = build(inputs=ResourceInputs(adoption_team_cost=600_000))
    text = "\n".join(section.paragraphs)
    assert "--team-cost`" not in text
    assert "`carejourney report --team-fte`" in text
    figures = {f.label: (f.value, f.change) for f in section.figures}
    assert figures["Unit cost of placing a child for adoption"] == (
        "£20,000",
        "price year not given (--price-year)",
    )


def test_rounded_counts_give_the_published_rates() -> None:
    section = build(inputs=INPUTS, rules=DisclosureRules(round_to=5))
    found = values(section)
    assert found["Adoption orders in the year"] == "10"  # 11, rounded to the nearest 5
    assert found["Adoption orders per adoption-team FTE"] == "1.7"  # 10 / 6
    assert found["Unit cost of placing a child for adoption"] == "£20,000"


def test_a_small_count_hides_the_unit_cost_that_would_give_it_away() -> None:
    # P1-P3 and R: 4 placed, 4 orders.
    section = build(placed=3, inputs=INPUTS)
    found = values(section)
    assert found["Children placed for adoption in the year"] == "[c]"
    assert found["Unit cost of placing a child for adoption"].startswith("not published")
    assert found["Children placed for adoption per adoption-team FTE"].startswith("not published")
    assert "150,000" not in all_text(section)  # 600,000 / 4
    assert "fewer than 5 children were placed for adoption" in all_text(section)


def test_an_fte_of_zero_is_not_divided_by() -> None:
    section = build(inputs=replace(INPUTS, social_worker_fte=0))
    assert values(section)["Children looked after per social worker (FTE)"].startswith(
        "not worked out"
    )


def test_a_synthetic_la(synthetic_la: SyntheticLA) -> None:
    context = replace(synthetic_la.context(internal=True), inputs=INPUTS)
    counted = resources.counts(context)
    found = values(resources.build(context))
    placed = counted["placed"]
    assert placed > 0
    assert found["Children placed for adoption in the year"] == str(placed)
    assert found["Unit cost of placing a child for adoption"] == (
        f"£{round_money(600_000 / placed):,}"
    )
