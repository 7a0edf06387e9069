"""The PDF laid out in parts and joined: pages numbered straight through, links across
parts kept, bookmarks and title as one PDF's."""

from __future__ import annotations

import io
import itertools

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from carejourney.reports.html import render_html
from carejourney.reports.pdf_parts import (
    can_number_parts,
    html_of_part,
    join,
    render_part,
    section_weights,
    split,
)
from tests.reports.test_diagnostic import sample_report

FOOTER = "carejourney — LA 999 — as at 31/03/2026 — page "


@pytest.mark.parametrize(
    ("weights", "parts", "runs"),
    [
        ([1, 1, 1, 1], 2, [(0, 2), (2, 4)]),
        ([5, 1, 1, 1, 1, 1], 2, [(0, 1), (1, 6)]),
        ([1, 1, 1, 1, 1, 5], 2, [(0, 5), (5, 6)]),
        ([3, 3, 3], 3, [(0, 1), (1, 2), (2, 3)]),
        ([3, 3], 4, [(0, 1), (1, 2)]),  # never more parts than sections
        ([2, 7, 1], 1, [(0, 3)]),
        ([], 2, [(0, 0)]),
    ],
)
def test_split_into_runs_with_the_least_most_work(
    weights: list[float], parts: int, runs: list[tuple[int, int]]
) -> None:
    assert [(run.start, run.stop) for run in split(weights, parts)] == runs


@given(st.lists(st.integers(1, 50), min_size=1, max_size=8), st.integers(1, 4))
def test_split_is_the_best_of_every_way_to_cut(weights: list[int], parts: int) -> None:
    runs = split(weights, parts)
    assert runs[0].start == 0 and runs[-1].stop == len(weights)
    assert all(a.stop == b.start for a, b in itertools.pairwise(runs))
    assert all(run.stop > run.start for run in runs)
    assert len(runs) == min(parts, len(weights))
    most = max(sum(weights[run]) for run in runs)
    for cuts in itertools.combinations(range(1, len(weights)), len(runs) - 1):
        edges = [0, *cuts, len(weights)]
        assert most <= max(sum(weights[a:b]) for a, b in itertools.pairwise(edges))


def test_section_weights_count_cells_charts_and_the_cover() -> None:
    report = sample_report()
    weights = section_weights(report)
    assert len(weights) == len(report.sections)
    keys = [section.key for section in report.sections]
    # The 120-month table outweighs a short section; the cover is counted with the first.
    assert weights[keys.index("trend")] > 2 * weights[keys.index("adopters")]
    assert weights[0] > 166


@pytest.fixture(scope="module")
def joined() -> tuple[bytes, int]:
    """The sample report laid out in two parts, the second numbered on from the first."""
    assert can_number_parts()
    report = sample_report()
    runs = [slice(0, 2), slice(2, None)]
    first = render_part(html_of_part(report, runs[0]))
    told: list[int] = []

    def first_page(pages: int) -> int:
        told.append(pages)
        return first.pages + 1

    second = render_part(html_of_part(report, runs[1]), first_page)
    assert told == [second.pages]  # asked once, however many pages have footers
    return join([first, second]), first.pages


def test_pages_are_numbered_straight_through(joined: tuple[bytes, int]) -> None:
    data, first_part = joined
    reader = PdfReader(io.BytesIO(data))
    assert first_part >= 2 and len(reader.pages) > first_part
    for number, page in enumerate(reader.pages, start=1):
        assert f"{FOOTER}{number}" in page.extract_text()


def test_the_contents_link_to_sections_in_either_part(joined: tuple[bytes, int]) -> None:
    data, _ = joined
    reader = PdfReader(io.BytesIO(data))
    destinations = {
        name: reader.get_destination_page_number(d) for name, d in reader.named_destinations.items()
    }
    links = [a.get_object() for a in reader.pages[0]["/Annots"]]
    targets = [str(link["/Dest"]) for link in links]
    assert targets == ["summary", "timeliness", "journeys", "adopters", "trend"]
    for target in targets:
        page = reader.pages[destinations[target]].extract_text()
        title = next(s.title for s in sample_report().sections if s.key == target)
        assert title in page
    # Where the link is on the page: on the contents' line, inside the page.
    for link in links:
        left, bottom, right, top = (float(c) for c in link["/Rect"])
        assert 0 < left < right < 595 and 0 < top < bottom < 842


def test_bookmarks_and_title_are_one_pdfs(joined: tuple[bytes, int]) -> None:
    data, _ = joined
    reader = PdfReader(io.BytesIO(data))
    titles = [item.title for item in reader.outline if not isinstance(item, list)]
    assert titles == ["Contents", *(s.title for s in sample_report().sections)]
    assert reader.metadata is not None
    assert reader.metadata.title == "Permanence diagnostic for LA 999, as at 31/03/2026"


def test_a_part_numbered_from_one_is_the_whole_report_when_it_is_all_of_it() -> None:
    report = sample_report()
    whole = render_part(html_of_part(report, slice(None)))
    assert whole.links == ()
    reader = PdfReader(io.BytesIO(join([whole])))
    assert len(reader.pages) == whole.pages
    assert html_of_part(report, slice(None)) == render_html(report, charts_as_images=True)


def test_numbering_is_set_up_once() -> None:
    import weasyprint.layout

    assert can_number_parts()
    wrapped = weasyprint.layout.make_margin_boxes
    assert getattr(wrapped, "_carejourney", False)
    assert can_number_parts()
    assert weasyprint.layout.make_margin_boxes is wrapped  # not wrapped twice
