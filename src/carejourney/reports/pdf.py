"""The report as a PDF, made by WeasyPrint from the same HTML (`reports.html`), offline.

The HTML is self-contained, so nothing needs fetching; to make sure nothing ever is (a
server must not call out, DESIGN.md), WeasyPrint is given a URL fetcher that refuses every
URL. A4 pages, page breaks and the footer come from the HTML's print styles.
"""

from __future__ import annotations

from pathlib import Path
from typing import NoReturn

from carejourney.reports.document import Report
from carejourney.reports.html import render_html

__all__ = ["render_pdf", "write_pdf"]


class NothingFetched(ValueError):
    """Raised for every URL the PDF would fetch: the report must need none."""


def refuse(url: str, *args: object, **kwargs: object) -> NoReturn:
    """A WeasyPrint URL fetcher that fetches nothing (offline by design)."""
    raise NothingFetched("carejourney makes PDFs offline and fetches no URL")


def render_pdf(report: Report) -> bytes:
    """The report's PDF, as bytes."""
    import weasyprint  # type: ignore[import-untyped]  # slow to import (fonts, Pango): only when a PDF is asked for

    document = weasyprint.HTML(string=render_html(report), url_fetcher=refuse, base_url=None)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def write_pdf(report: Report, path: Path) -> Path:
    """Write the report's PDF to `path` and return the path."""
    path.write_bytes(render_pdf(report))
    return path
