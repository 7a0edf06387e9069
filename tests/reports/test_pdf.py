"""The report's PDF: made offline from the HTML, A4 pages with the footer on each."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest
import weasyprint

from carejourney.reports.html import render_html
from carejourney.reports.pdf import NothingFetched, embedded_only, refuse, write_pdf
from tests.reports.test_diagnostic import sample_report


def texts(box: object) -> list[str]:
    """Every piece of text laid out in a WeasyPrint box, depth first."""
    found = [box.text] if getattr(box, "text", None) else []  # type: ignore[attr-defined]
    for child in getattr(box, "children", None) or []:
        found.extend(texts(child))
    return found


def test_the_pdf_is_a_pdf_of_several_a4_pages(tmp_path: Path) -> None:
    path = write_pdf(sample_report(), tmp_path / "report.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    document = weasyprint.HTML(string=render_html(sample_report()), url_fetcher=refuse).render()
    # A cover, then each of the five sections on a new page; the 120-row table needs more.
    assert len(document.pages) >= 7
    for page in document.pages:
        assert round(page.width * 25.4 / 96) == 210 and round(page.height * 25.4 / 96) == 297
    for number, page in enumerate(document.pages, start=1):
        footer = f"carejourney — LA 999 — as at 31/03/2026 — page {number}"
        assert footer in texts(page._page_box)


def test_nothing_is_fetched() -> None:
    with pytest.raises(NothingFetched):
        refuse("https://example.org/font.woff")
    with pytest.raises(NothingFetched):
        refuse("file:///etc/passwd")


def test_only_what_is_embedded_in_the_page_is_read() -> None:
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" width="2" height="2"/>'
    url = "data:image/svg+xml;base64," + base64.b64encode(svg).decode()
    response = embedded_only(url)
    assert response.read() == svg
    assert response.headers.get_content_type() == "image/svg+xml"
    for elsewhere in ("https://example.org/chart.svg", "file:///etc/passwd", "data:broken"):
        with pytest.raises(NothingFetched):
            embedded_only(elsewhere)


def test_the_pdfs_charts_are_images_of_the_same_svg() -> None:
    report = sample_report()
    charts = [c for s in report.sections for c in s.charts]
    assert charts
    html = render_html(report, charts_as_images=True)
    assert "<svg" not in html and html.count('<img class="chart"') == len(charts)
    assert f'alt="{charts[0].text_alternative}"' in html
    document = weasyprint.HTML(string=html, url_fetcher=embedded_only).render()
    images = [b for p in document.pages for b in boxes(p._page_box) if hasattr(b, "replacement")]
    assert len(images) == len(charts) and all(b.width > 300 for b in images)


def boxes(box: object) -> list[object]:
    found = [box]
    for child in getattr(box, "children", None) or []:
        found.extend(boxes(child))
    return found
