"""The report's HTML: one self-contained, accessible file that prints on A4."""

from __future__ import annotations

import re
from pathlib import Path

import lxml.html
import pytest

from carejourney.reports.html import cell_text, footer_text, render_html, write_html
from tests.reports.test_diagnostic import CHILD_IDS, sample_report

NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


@pytest.fixture(scope="module")
def published() -> str:
    return render_html(sample_report())


@pytest.fixture(scope="module")
def internal() -> str:
    return render_html(sample_report(internal=True))


def test_it_parses_and_is_self_contained(published: str) -> None:
    document = lxml.html.document_fromstring(published)
    assert document.find(".//title") is not None
    assert not document.xpath("//script | //link | //img | //iframe | //object | //embed")
    assert "<script" not in published.lower()
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", published))
    assert urls <= NAMESPACES, urls - NAMESPACES
    assert "@import" not in published and "url(" not in published
    assert not document.xpath("//*[@src]")
    assert all(href.startswith("#") for href in document.xpath("//a/@href"))


def test_every_table_has_a_caption_and_column_headings(published: str) -> None:
    document = lxml.html.document_fromstring(published)
    tables = document.xpath("//table")
    assert len(tables) == 4
    for table in tables:
        assert table.find("caption") is not None and table.find("caption").text_content().strip()
        headings = table.xpath("./thead/tr/th")
        assert headings and all(th.get("scope") == "col" for th in headings)
    by_caption = {t.find("caption").text_content(): t for t in tables}
    stages = by_caption["Days at each stage of adoption"]
    assert [th.text_content() for th in stages.xpath("./thead/tr/th")] == [
        "Stage",
        "Children",
        "Median days",
        "First entry",
    ]
    first_row = [td.text_content() for td in stages.xpath("./tbody/tr[1]/td")]
    assert first_row == ["Entered care to decision", "14", "201.5", "07/04/2021"]
    assert [td.get("class") for td in stages.xpath("./tbody/tr[1]/td")] == [
        None,
        "num",
        "num",
        None,
    ]
    # Counts through disclosure control are text, "[c]" among them, and still right-aligned.
    ages = by_caption["Children by age and plan"]
    cells = [td.text_content() for td in ages.xpath("./tbody/tr/td")]
    assert "[c]" in cells
    assert [th.get("class") for th in ages.xpath("./thead/tr/th")] == [None, "num", "num", "num"]


def test_the_contents_links_to_every_section(published: str) -> None:
    document = lxml.html.document_fromstring(published)
    links = document.xpath("//nav[@class='contents']//a/@href")
    sections = document.xpath("//section/@id")
    assert [link[1:] for link in links] == sections
    assert sections == ["summary", "timeliness", "journeys", "adopters", "trend"]


def test_cover_figures_charts_and_words(published: str) -> None:
    document = lxml.html.document_fromstring(published)
    cover = document.get_element_by_id("cover").text_content()
    assert "999" in cover and "31/03/2026" in cover and "02/04/2026" in cover
    figures = document.xpath("//li[@class='figure']")
    assert [f.xpath("./span[@class='value']")[0].text_content() for f in figures] == ["81", "12"]
    assert "up 6 on a year before" in figures[0].text_content()
    charts = document.xpath("//figure[@class='chart']")
    assert len(charts) == 1
    svg = charts[0].xpath(".//*[local-name()='svg']")
    assert svg and svg[0].get("role") == "img"
    assert "upper limit" in charts[0].text_content()  # the signal, in words
    # Paragraphs are text, never markup.
    assert "<script>alert" not in published and "&lt;script&gt;alert" in published


def test_a_section_that_is_not_available_says_so_in_a_box(published: str) -> None:
    document = lxml.html.document_fromstring(published)
    boxes = document.xpath("//div[@class='not-available']")
    assert len(boxes) == 1
    assert "Annex A list 11" in boxes[0].text_content()
    assert boxes[0].getparent().get("id") == "adopters"
    assert "(not available)" in document.xpath("//nav//li")[3].text_content()


def test_the_internal_banner_shows_only_when_internal(published: str, internal: str) -> None:
    assert "Internal: contains children's IDs" in internal
    assert "Internal: contains children's IDs" not in published
    for child in CHILD_IDS:
        assert child in internal
        assert child not in published
    assert "C-" in published


def test_print_styles_a4_footer_and_page_breaks(published: str) -> None:
    assert "size: A4" in published and "margin: 15mm" in published
    assert "break-before: page" in published and "break-inside: avoid" in published
    assert "display: table-header-group" in published
    footer = footer_text(sample_report())
    assert footer == "carejourney — LA 999 — as at 31/03/2026 — page "
    assert 'content: "carejourney — LA 999 — as at 31/03/2026 — page " counter(page)' in published


def test_the_footer_cannot_break_out_of_the_styles() -> None:
    html = render_html(sample_report(la='9"9</style><script>x</script>'))
    style = lxml.html.document_fromstring(html).xpath("//style")[0].text_content()
    assert "</style" not in style and "<script" not in html.split("</style>")[0]
    assert "\\000022" in style  # the quote, escaped for CSS


def test_write_html(tmp_path: Path) -> None:
    path = write_html(sample_report(), tmp_path / "report.html")
    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (1234, "1,234"),
        (12.0, "12"),
        (3.14159, "3.14"),
        (float("nan"), ""),
        (True, "Yes"),
        ("[c]", "[c]"),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_a_part_has_its_sections_the_first_the_cover_and_the_last_the_closing_note() -> None:
    """The PDF is laid out in parts (`reports.pdf_parts`): each part is the report's own
    HTML with some of its sections, the cover's contents still listing all of them."""
    report = sample_report()
    first, middle, last = (
        lxml.html.document_fromstring(render_html(report, part=part))
        for part in (slice(0, 2), slice(2, 3), slice(3, None))
    )
    assert first.xpath("//section/@id") == ["summary", "timeliness"]
    assert middle.xpath("//section/@id") == ["journeys"]
    assert last.xpath("//section/@id") == ["adopters", "trend"]
    links = first.xpath("//nav[@class='contents']//a/@href")
    assert links == ["#summary", "#timeliness", "#journeys", "#adopters", "#trend"]
    assert [bool(d.xpath("//header[@id='cover']")) for d in (first, middle, last)] == [
        True,
        False,
        False,
    ]
    closing = [bool(d.xpath("//footer[@class='colophon']")) for d in (first, middle, last)]
    assert closing == [False, False, True]
    whole = lxml.html.document_fromstring(render_html(report))
    assert whole.xpath("//section/@id") == [
        "summary",
        "timeliness",
        "journeys",
        "adopters",
        "trend",
    ]
