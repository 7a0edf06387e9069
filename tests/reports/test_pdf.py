"""The report's PDF: made offline from the HTML, A4 pages with the footer on each."""

from __future__ import annotations

from pathlib import Path

import pytest
import weasyprint

from carejourney.reports.html import render_html
from carejourney.reports.pdf import NothingFetched, refuse, write_pdf
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
