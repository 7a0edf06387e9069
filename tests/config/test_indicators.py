"""Benchmarks for indicators are data: the shipped file holds only sourced national figures,
an LA's copy loads by path, and bad files are explained."""

from pathlib import Path

import pytest

from carejourney.config.indicators import (
    BenchmarkKind,
    IndicatorKey,
    IndicatorsError,
    load_indicators,
    parse_indicators,
)

HEAD = """
name = "mine"
title = "Our benchmarks"
"""
INDICATOR = """
[[indicators]]
key = "three-or-more-placements"
suggestion = "an audit of placement stability"

[[indicators.benchmarks]]
kind = "statistical neighbours"
name = "Our statistical neighbours"
value = 11.2
year = 2024
source = "LAIT"
"""


def problems(text: str) -> str:
    with pytest.raises(IndicatorsError) as caught:
        parse_indicators(text.encode(), "mine.toml")
    return str(caught.value)


def test_the_shipped_file_has_the_domain_facts_national_figures_and_nothing_invented() -> None:
    settings = load_indicators()
    figures = {
        i.key: [(b.kind, b.name, b.value, b.year) for b in i.benchmarks]
        for i in settings.indicators
    }
    national = BenchmarkKind.NATIONAL
    # DOMAIN-FACTS, placement stability 2024: 10%, 23% and 68%.
    assert figures == {
        IndicatorKey.THREE_OR_MORE_PLACEMENTS: [(national, "England", 10.0, "2024")],
        IndicatorKey.THREE_OR_MORE_IN_2_YEARS: [(national, "England", 23.0, "2024")],
        IndicatorKey.LONG_TERM_STABILITY: [(national, "England", 68.0, "2024")],
        IndicatorKey.RE_REFERRALS: [],  # no sourced national figure: left for the LA
    }
    assert all(
        b.source.startswith("DfE, Children looked after in England")
        for i in settings.indicators
        for b in i.benchmarks
    )
    assert settings.get("re-referrals").suggestion.startswith("an audit of re-referrals")


def test_a_copy_loads_by_path_and_an_indicator_left_out_has_no_benchmarks(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(HEAD + INDICATOR)
    settings = load_indicators(path)
    (benchmark,) = settings.get(IndicatorKey.THREE_OR_MORE_PLACEMENTS).benchmarks
    assert (benchmark.kind, benchmark.value, benchmark.year) == (
        BenchmarkKind.STATISTICAL_NEIGHBOURS,
        11.2,
        "2024",
    )
    left_out = settings.get(IndicatorKey.LONG_TERM_STABILITY)
    assert left_out.benchmarks == ()
    assert left_out.suggestion == "an audit of long-term placement stability"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEAD + INDICATOR.replace('key = "three-or-more-placements"', 'key = "moves"'),
            'indicator "moves" (indicator 1 in the file), field "key": expected one of '
            "three-or-more-placements, three-or-more-placements-in-2-years, long-term-stability, "
            "re-referrals, but it is 'moves'.",
        ),
        (
            HEAD + INDICATOR.replace("value = 11.2", "value = 112"),
            'indicator "three-or-more-placements" (indicator 1 in the file), benchmark 1, field '
            '"value": expected a percentage between 0 and 100 (10 means 10%), but it is 112.',
        ),
        (
            HEAD + INDICATOR.replace("value = 11.2", 'value = "11%"'),
            'benchmark 1, field "value": expected a number, but it is "11%"',
        ),
        (
            HEAD + INDICATOR.replace('kind = "statistical neighbours"', 'kind = "neighbours"'),
            'benchmark 1, field "kind": expected one of',
        ),
        (
            HEAD + INDICATOR.replace('source = "LAIT"\n', ""),
            'benchmark 1, field "source": is missing',
        ),
        (
            HEAD + INDICATOR.replace("suggestion =", "suggest ="),
            'field "suggest": is not a setting',
        ),
        (
            HEAD + INDICATOR + INDICATOR.split("[[indicators.benchmarks]]")[0],
            "three-or-more-placements is given more than once",
        ),
        (
            HEAD
            + INDICATOR
            + INDICATOR.split("\n[[indicators]]")[1].split(
                'suggestion = "an audit of placement stability"'
            )[1],
            "the statistical neighbours figure for Our statistical neighbours in 2024 is given twice",
        ),
        (
            HEAD + INDICATOR.replace("[[indicators]]", "[indicators]", 1),
            "its own [[indicators]] heading",
        ),
        (
            HEAD.replace('name = "mine"', 'name = "My file"') + INDICATOR,
            'field "name": expected lower-case letters',
        ),
        ("name = [", "is not valid TOML"),
    ],
)
def test_bad_files_are_explained(text: str, message: str) -> None:
    found = problems(text)
    assert found.startswith("The indicators file mine.toml ")
    assert message in found


def test_an_unreadable_file_is_explained(tmp_path: Path) -> None:
    with pytest.raises(IndicatorsError, match="Cannot read the indicators file"):
        load_indicators(tmp_path / "missing.toml")
