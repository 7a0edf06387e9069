"""The methods and data quality section: the data period, the links to the docs, the
disclosure rules in words, and the import's warnings for this LA only."""

import datetime as dt
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from carejourney import imports
from carejourney.journeys.stored import load
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Section
from carejourney.reports.sections import methods
from carejourney.sources.problems import Problem, Severity
from carejourney.store import database
from tests.reports.sections.context import context_for
from tests.returns import HEADER, minimal_return

ROOT = Path(__file__).resolve().parents[3]
AS_AT = dt.date(2023, 3, 31)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A SQLite file: the section only calls `store.queries`, which tests/test_imports.py
    runs on both databases."""
    engine = database.connect(str(tmp_path / "cj.db"))
    yield engine
    engine.dispose()


def section_for(engine: Engine, la: str, **kwargs: object) -> Section:
    with engine.connect() as conn:
        journeys = load(conn, la)
        return methods.build(context_for(journeys, conn, AS_AT, **kwargs))  # type: ignore[arg-type]


def test_an_import_warning_is_listed_by_code(engine: Engine, tmp_path: Path) -> None:
    # An ethnicity code that does not exist: stored as a warning with the batch.
    folder = minimal_return(tmp_path / "returns", header=HEADER.replace("WBRI", "XXXX"))
    assert imports.import_returns(engine, [folder], la="931").stored
    section = section_for(engine, "931")
    [warnings] = [t for t in section.tables if t.key == "Import warnings"]
    [row] = warnings.frame.iter_rows(named=True)
    assert (row["Code"], row["Severity"], row["Rows"]) == ("code-unknown", "warning", 1)
    assert row["What it means"] == "ETHNIC is not a known code. Expected: see the data dictionary."
    assert "XXXX" not in str(warnings.frame.rows())  # no row's values
    assert any("1 warning" in p and "code-unknown" in p for p in section.paragraphs)


def test_another_las_warnings_are_not_listed(engine: Engine, tmp_path: Path) -> None:
    noisy = minimal_return(tmp_path / "noisy", header=HEADER.replace("WBRI", "XXXX"))
    imports.import_returns(engine, [noisy], la="931")
    imports.import_returns(engine, [minimal_return(tmp_path / "clean")], la="932")
    section = section_for(engine, "932")
    assert not [t for t in section.tables if t.key == "Import warnings"]
    assert any("stored no warnings for LA 932" in p for p in section.paragraphs)


def test_the_data_period_and_the_rule_sets(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [minimal_return(tmp_path / "returns")], la="931")
    section = section_for(engine, "931")
    period = section.paragraphs[0]
    assert period.startswith("Data period: SSDA903 returns for 2022/23 (1 collection year)")
    assert "up to 31/03/2023" in period and "as at 31/03/2023" in period
    assert "against 31/03/2022" in period
    [rule_sets] = [t for t in section.tables if t.key == "Rule sets"]
    assert rule_sets.frame.get_column("Rule set").to_list() == ["england"]
    assert rule_sets.frame.get_column("Nation").to_list() == ["England and Wales"]
    text = "\n".join(section.paragraphs)
    assert "Timescale rule sets used: england: England" in text
    assert "Unit costs: " in text and "(england-defaults), in 2017 prices" in text


def test_every_section_links_to_a_heading_that_exists() -> None:
    for method in methods.HOW:
        doc = (ROOT / method.doc).read_text(encoding="utf-8")
        headings = re.findall(r"^#+ (.+)$", doc, flags=re.MULTILINE)
        assert method.heading in headings, (method.section, method.heading)
        assert method.see == f"See {method.doc}, '{method.heading}'."


def test_each_section_has_its_line_in_the_report(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [minimal_return(tmp_path / "returns")], la="931")
    section = section_for(engine, "931")
    for method in methods.HOW:
        assert f"{method.section}: {method.computed_from} {method.see}" in section.paragraphs
    [table] = [t for t in section.tables if t.key == "Methods"]
    assert table.frame.columns == ["Section", "Computed from", "More in"]
    assert table.frame.height == len(methods.HOW)


def test_the_disclosure_rules_in_words() -> None:
    default = methods.disclosure_in_words(DisclosureRules())
    assert "counts from 1 to 4 are hidden and shown as [c]" in default
    assert "Counts are not rounded" in default and "pseudonym" in default
    rounded = methods.disclosure_in_words(DisclosureRules(threshold=10, round_to=5))
    assert "counts from 1 to 9" in rounded and "nearest 5" in rounded
    internal = methods.disclosure_in_words(DisclosureRules(internal=True))
    assert "internal report" in internal and "IDs" in internal and "[c]" not in internal


def test_warnings_are_counted_by_code_most_frequent_first() -> None:
    def problem(code: str, message: str, value: str | None = None) -> Problem:
        return Problem("episodes.csv", 2, "PLACE", value, code, message, Severity.WARNING)

    table = methods.warnings_by_code(
        [
            problem("b-code", "B happened."),
            problem("a-code", "A happened."),
            problem("a-code", "A happened."),
            problem("a-code", "A happened differently."),
            problem("c-code", "PLACE 'Z9' is not a known code.", "Z9"),
        ]
    )
    assert table.rows() == [
        ("a-code", "warning", 3, "A happened. (and 1 other wording)"),
        ("b-code", "warning", 1, "B happened."),
        ("c-code", "warning", 1, "PLACE is not a known code."),  # without the value
    ]
    assert methods.warnings_by_code([]).height == 0
