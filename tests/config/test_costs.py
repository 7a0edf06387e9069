"""Unit costs are data: the shipped file loads with its sources, bad files are explained."""

from pathlib import Path

import pytest

from carejourney.config.costs import UnitCostsError, load_unit_costs, parse_unit_costs

HEAD = """
name = "mine"
title = "My LA's costs"
price_year = 2024
source = "finance team"
currency = "GBP"
"""
COST = """
[[costs]]
label = "Foster care"
places = ["U4", "U6"]
weekly = 700
source = "finance team"
verified = true
"""


def problems(text: str) -> str:
    with pytest.raises(UnitCostsError) as caught:
        parse_unit_costs(text.encode(), "my-costs.toml")
    return str(caught.value)


def test_the_shipped_costs_have_domain_facts_figures_and_mark_assumptions() -> None:
    costs = load_unit_costs()
    table = costs.table()
    weekly = {
        (r["PLACE"], r["PLACE_PROVIDER"]): (r["weekly_cost"], r["price_year"], r["cost_verified"])
        for r in table.iter_rows(named=True)
    }
    assert weekly["U6", "PR1"] == (646, "2017", True)  # PSSRU 2017
    assert weekly["U6", "PR4"] == (820, "2021", True)  # CMA 2021, independent fostering
    assert weekly["K2", "PR1"] == (3000, "2016/17", True)  # DfE ~2016/17
    assert weekly["K2", "PR4"] == (3830, "2021", True)  # CMA 2021
    # Assumptions are marked and explained.
    assert weekly["A5", None] == (646, "2017", False)
    assert all(c.note for c in costs.costs if not c.verified)
    assert costs.currency == "GBP" and costs.source
    assert ("K1", None) not in weekly  # no figure: "cost not known", not £0
    assert table["daily_cost"].to_list()[0] == pytest.approx(646 / 7)


def test_a_copy_loads_by_path_and_a_whole_year_is_read_as_text(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(HEAD + COST)
    costs = load_unit_costs(path)
    assert costs.price_year == "2024" and costs.table()["price_year"].to_list() == ["2024"] * 2


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (HEAD + COST.replace('"U6"', '"U7"'), "'U7' is not a placement type (PLACE) code"),
        (
            HEAD + COST.replace("weekly = 700", 'weekly = 700\nproviders = ["PR9"]'),
            "'PR9' is not a placement provider (PLACE_PROVIDER) code",
        ),
        (HEAD + COST.replace("weekly = 700", "weekly = 0"), "expected a number greater than 0"),
        (
            HEAD + COST.replace("weekly = 700", 'weekly = "lots"'),
            'cost "Foster care" (cost 1 in the file), field "weekly": expected a number',
        ),
        (HEAD + COST.replace("verified = true", ""), 'field "verified": is missing'),
        (
            HEAD + COST.replace("verified = true", "verified = false"),
            "verified = false needs a note",
        ),
        (HEAD + COST + COST.replace('"U4", ', ""), "U6 has a cost in cost 1 and again in cost 2"),
        (HEAD.replace('"GBP"', '"EUR"') + COST, 'field "currency": expected "GBP"'),
        (HEAD + COST.replace("[[costs]]", "[costs]"), "its own [[costs]] heading"),
        (HEAD + COST.replace("weekly", "weekley"), 'field "weekley": is not a setting'),
        (HEAD.replace('source = "finance team"\n', "") + COST, 'field "source": is missing'),
        (HEAD + COST.replace("= 700", "700"), "is not valid TOML"),
    ],
)
def test_a_bad_file_is_explained(text: str, message: str) -> None:
    found = problems(text)
    assert found.startswith("The unit-costs file my-costs.toml")
    assert message in found


def test_a_missing_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(UnitCostsError, match="Cannot read the unit-costs file"):
        load_unit_costs(tmp_path / "none.toml")
