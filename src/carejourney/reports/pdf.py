"""The report as a PDF, made by WeasyPrint from the same HTML (`reports.html`), offline.

The HTML is self-contained, so nothing needs fetching; to make sure nothing ever is (a
server must not call out, DESIGN.md), WeasyPrint is given a URL fetcher that refuses every
URL but the data: URLs the charts are embedded as (`render_html(charts_as_images=True)`),
which it decodes itself. A4 pages, page breaks and the footer come from the HTML's print
styles.
"""

from __future__ import annotations

import base64
import binascii
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import unquote_to_bytes

if TYPE_CHECKING:  # the PDF workers (`reports.pdf_workers`) need not import Polars
    from carejourney.reports.document import Report

__all__ = ["embedded_only", "render_pdf", "write_pdf"]


class NothingFetched(ValueError):
    """Raised for every URL the PDF would fetch: the report must need none."""


def refuse(url: str, *args: object, **kwargs: object) -> NoReturn:
    """A WeasyPrint URL fetcher that fetches nothing (offline by design)."""
    raise NothingFetched("carejourney makes PDFs offline and fetches no URL")


def embedded_only(url: str, *args: object, **kwargs: object) -> Any:
    """A WeasyPrint URL fetcher for data: URLs only: what they hold is in the URL itself,
    decoded here (no network, no file); every other URL is refused, as by `refuse`."""
    urls = importlib.import_module("weasyprint.urls")  # imported only when a PDF is made

    if not url.startswith("data:") or "," not in url:
        refuse(url)
    header, _, payload = url[len("data:") :].partition(",")
    kind, *parameters = header.split(";")
    try:
        body = base64.b64decode(payload, validate=True) if "base64" in parameters else None
    except binascii.Error:
        refuse(url)
    if body is None:
        body = unquote_to_bytes(payload)
    kind = kind or "text/plain"
    if not hasattr(urls, "URLFetcherResponse"):  # WeasyPrint before 68 asks for a dict
        return {"string": body, "mime_type": kind, "redirected_url": url}
    return urls.URLFetcherResponse(url, body, {"Content-Type": kind})


def render_pdf(report: Report) -> bytes:
    """The report's PDF, as bytes."""
    import weasyprint  # type: ignore[import-untyped]  # slow to import (fonts, Pango): only when a PDF is asked for

    from carejourney.reports.html import render_html

    html = render_html(report, charts_as_images=True)
    document = weasyprint.HTML(string=html, url_fetcher=embedded_only, base_url=None)
    pdf = document.write_pdf()
    assert isinstance(pdf, bytes)
    return pdf


def write_pdf(report: Report, path: Path) -> Path:
    """Write the report's PDF to `path` and return the path."""
    path.write_bytes(render_pdf(report))
    return path
