"""The generated data dictionary: committed, complete and linked."""

from __future__ import annotations

import re
from pathlib import Path

import polars as pl
import pytest

from carejourney.schema import ssda903_codes as codes
from carejourney.schema.dictionary import (
    OUTPUT,
    REGENERATE,
    anchor,
    code_list_heading,
    escape_cell,
    render_markdown,
    repo_root,
)
from carejourney.schema.ssda903 import TABLES
from carejourney.schema.types import Column, Kind, Table
from carejourney.sources.values import normalise, typed

COMMITTED = Path(__file__).resolve().parents[2] / OUTPUT


@pytest.fixture(scope="module")
def markdown() -> str:
    return render_markdown()


def section(markdown: str, heading: str) -> str:
    """The text under a '### heading', up to the next heading of any level."""
    start = markdown.index(f"\n### {heading}\n")
    end = markdown.find("\n#", start + 1)
    return markdown[start : end if end != -1 else None]


def test_repo_root_is_this_repository() -> None:
    assert repo_root() / OUTPUT == COMMITTED


def test_committed_dictionary_is_up_to_date(markdown: str) -> None:
    if not COMMITTED.exists():
        pytest.fail(f"{OUTPUT} is missing. Generate it with: {REGENERATE}")
    committed = COMMITTED.read_text(encoding="utf-8")
    if committed != markdown:
        old, new = committed.splitlines(), markdown.splitlines()
        line = next(
            (i + 1 for i, (a, b) in enumerate(zip(old, new, strict=False)) if a != b),
            min(len(old), len(new)) + 1,
        )
        pytest.fail(
            f"{OUTPUT} is out of date with carejourney.schema (first difference at line "
            f"{line}). Regenerate it with: {REGENERATE}"
        )


@pytest.mark.parametrize("table", TABLES, ids=lambda t: t.name)
def test_every_table_and_column_is_listed(markdown: str, table: Table) -> None:
    text = section(markdown, table.name)
    assert table.description in text
    for column in table.columns:
        assert f"| `{column.name}` |" in text, f"{table.name}.{column.name} not listed"


@pytest.mark.parametrize(
    ("value", "years"),
    [
        ("1", "up to 2023/24"),
        ("2", "up to 2023/24"),
        ("M", "from 2024/25"),
        ("F", "from 2024/25"),
        ("U", "from 2024/25"),
    ],
)
def test_sex_codes_are_listed_with_their_years(markdown: str, value: str, years: str) -> None:
    rows = section(markdown, code_list_heading(codes.SEX)).splitlines()
    row = next(r for r in rows if r.startswith(f"| `{value}` |"))
    assert row.endswith(f"| {years} |")


def test_every_sex_code_is_listed(markdown: str) -> None:
    text = section(markdown, code_list_heading(codes.SEX))
    listed = set(re.findall(r"^\| `([^`]+)` \|", text, flags=re.MULTILINE))
    assert listed == codes.SEX.values()


def test_each_code_list_has_one_section(markdown: str) -> None:
    names = {c.codes.name for t in TABLES for c in t.columns if c.codes is not None}
    for name in names:
        assert markdown.count(f"\n### Code list {name}\n") == 1, name
    assert markdown.count("\n### Code list ") == len(names)


def test_every_link_points_at_a_heading(markdown: str) -> None:
    headings = {anchor(h) for h in re.findall(r"^#+ (.+)$", markdown, flags=re.MULTILINE)}
    targets = set(re.findall(r"\]\(#([^)]+)\)", markdown))
    assert targets, "expected links to code lists"
    assert targets <= headings, f"links to missing headings: {sorted(targets - headings)}"
    assert len(headings) == len(re.findall(r"^#+ ", markdown, flags=re.MULTILINE))


@pytest.mark.parametrize(
    ("heading", "expected"),
    [
        ("Code list SEX", "code-list-sex"),
        ("Code list YES_NO_01", "code-list-yes_no_01"),
        ("How values are read", "how-values-are-read"),
        (
            "Data dictionary: SSDA903 (children looked after return)",
            "data-dictionary-ssda903-children-looked-after-return",
        ),
    ],
)
def test_anchor(heading: str, expected: str) -> None:
    assert anchor(heading) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a | b", "a \\| b"),
        ("two\nlines", "two lines"),
        ("plain", "plain"),
    ],
)
def test_escape_cell(text: str, expected: str) -> None:
    assert escape_cell(text) == expected


# The introduction promises how values are read; check the readers keep that promise.
@pytest.mark.parametrize(
    ("kind", "raw", "expected"),
    [
        (Kind.ID, "1234.0", "1234"),
        (Kind.ID, " 1234 ", "1234"),
        (Kind.CODE, " m ", "M"),
        (Kind.CODE, "1.0", "1"),
        (Kind.DATE, "01/04/2024", "2024-04-01"),
        (Kind.DATE, "2024-04-01", "2024-04-01"),
        (Kind.DATE, "45383", "2024-04-01"),
    ],
)
def test_values_are_read_as_the_dictionary_says(kind: Kind, raw: str, expected: str) -> None:
    column = Column("X", kind, "test column")
    frame = pl.DataFrame({"X": [raw]}).select(typed(column, normalise(column, pl.col("X"))))
    assert str(frame.item()) == expected
