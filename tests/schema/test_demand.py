"""The declared demand files and code lists: spellings in words, and one meaning per name."""

from __future__ import annotations

import re

import polars as pl
import pytest

from carejourney.measures.demand.data import COLUMNS
from carejourney.schema import demand
from carejourney.schema.demand import (
    CLOSURE_REASONS,
    DEMAND_FILES,
    OUTCOMES,
    PRIMARY_NEEDS,
    REFERRAL_SOURCES,
    YES_NO,
)
from carejourney.schema.dictionary import code_list_heading, render_markdown
from carejourney.schema.types import Code, CodeList, Kind, spelling_key


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("No further action", "NO FURTHER ACTION"),
        ("  no-further_action ", "NO FURTHER ACTION"),
        ("Health services: A&E", "HEALTH SERVICES A E"),
        ("EARLY_HELP", "EARLY HELP"),
        ("1", "1"),
    ],
)
def test_spellings_are_compared_in_any_case_and_punctuation(text: str, key: str) -> None:
    assert spelling_key(text) == key


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("NFA", "NFA"),
        ("No further action", "NFA"),
        ("Early help", "EARLY_HELP"),
        ("early_help", "EARLY_HELP"),
        ("Child in need", "CIN"),
        ("CIN", "CIN"),
        ("Section 47", "CP"),
        ("Looked after", "LOOKED_AFTER"),
        ("Referral", "ASSESSMENT"),
    ],
)
def test_outcomes_are_read_from_plain_words(written: str, code: str) -> None:
    assert OUTCOMES.spellings()[spelling_key(written)] == code


def test_yes_no_takes_every_usual_spelling() -> None:
    spellings = YES_NO.spellings()
    yes = ["Y", "yes", "True", "t", "1"]
    no = ["N", "No", "FALSE", "f", "0"]
    assert [spellings[spelling_key(w)] for w in yes] == ["Y"] * 5
    assert [spellings[spelling_key(w)] for w in no] == ["N"] * 5


def test_a_spelling_may_not_mean_two_codes() -> None:
    clash = CodeList(
        "CLASH", "test", (Code("A", "a", aliases=("Same",)), Code("B", "b", aliases=("same",)))
    )
    with pytest.raises(ValueError, match="'same' would mean both A and B"):
        clash.spellings()


def test_every_declared_code_list_has_one_meaning_per_spelling() -> None:
    for code_list in demand.CODE_LISTS:
        assert set(code_list.spellings().values()) == code_list.values()


def test_codes_keep_their_positional_arguments() -> None:
    code = Code("X", "test", 2020, 2024)
    assert (code.first_year, code.last_year, code.aliases) == (2020, 2024, ())
    assert not CodeList("L", "test", (code,)).has_aliases


def test_cin_census_code_sets() -> None:
    assert len(REFERRAL_SOURCES.codes) == 21
    assert REFERRAL_SOURCES.lookup("3E") == Code(
        "3E", "Health services: A&E", aliases=("Health services: A&E",)
    )
    assert PRIMARY_NEEDS.values() == {f"N{n}" for n in range(10)}
    assert PRIMARY_NEEDS.lookup("N4").description == "Family in acute stress"  # type: ignore[union-attr]
    assert CLOSURE_REASONS.values() == {f"RC{n}" for n in range(1, 10)}
    assert CLOSURE_REASONS.lookup("RC8").description == (  # type: ignore[union-attr]
        "Case closed after assessment, no further action"
    )


@pytest.mark.parametrize("file", DEMAND_FILES, ids=lambda f: f.kind)
def test_the_child_is_required_and_personal(file: demand.DemandFile) -> None:
    child = file.table.columns[0]
    assert (file.names[child.name], child.required, child.personal) == ("CHILD", True, True)


@pytest.mark.parametrize("file", DEMAND_FILES, ids=lambda f: f.kind)
def test_the_measures_columns_are_declared_with_matching_types(file: demand.DemandFile) -> None:
    """Every column the measures read (measures.demand.data.COLUMNS) is a declared column,
    under carejourney's name, of the type the measures expect."""
    declared = dict(file.stored_columns)
    expected = {Kind.DATE: pl.Date(), Kind.ID: pl.String(), Kind.TEXT: pl.String()}
    for name, dtype in COLUMNS[file.frame].items():
        column = declared[name]
        if column.codes is YES_NO:
            assert dtype == pl.Boolean(), name
        else:
            assert dtype == expected.get(column.kind, pl.String()), name


def test_cin_census_items_keep_their_dfe_names() -> None:
    referrals = {f.frame: f for f in DEMAND_FILES}["cin_referrals"]
    assert referrals.table.column_names == (
        "LAchildID",
        "CINdetailsID",
        "CINreferralDate",
        "ReferralSource",
        "PrimaryNeedCode",
        "CINclosureDate",
        "ReasonForClosure",
        "ReferralNFA",
    )
    assert referrals.names["CINreferralDate"] == "REFERRAL_DATE"
    assert referrals.names["ReferralNFA"] == "NFA"


def test_the_data_dictionary_lists_every_demand_table_column_and_code() -> None:
    markdown = render_markdown()
    for file in DEMAND_FILES:
        start = markdown.index(f"\n### {file.table.name}\n")
        section = markdown[start : markdown.find("\n### ", start + 1)]
        for column in file.table.columns:
            assert f"| `{column.name}` |" in section, column.name
    for code_list in demand.CODE_LISTS:
        assert markdown.count(f"\n#### {code_list_heading(code_list)}\n") == 1
    row = re.search(r"^\| `NFA` \| .*$", markdown, flags=re.MULTILINE)
    assert row is not None
    assert row.group(0) == "| `NFA` | No further action | No further action, None | all years |"
