"""The report's PDF laid out in parts, side by side, and joined into one file.

WeasyPrint lays a document out on one core, page after page: the 5,000-child LA's 35
pages took about 3.5 seconds, more than building the whole report. Split at section
boundaries into parts of about equal work (`split`), each laid out by its own process
(`reports.pdf_workers`), the same pages take about 2.5 seconds on two cores. What one
document gets for free is kept:

- Page numbers run on from part to part. A part is laid out without knowing how many
  pages come before it; only its footers need that, and WeasyPrint makes footers after
  the whole part is laid out, so that is when a part asks for its first page number
  (`render_part`'s `first_page`), by which time the part before has usually been laid out.
- The contents' links to sections laid out in another part still work. WeasyPrint would
  drop a link to an anchor it cannot see; such links are taken out of their part
  (`CrossLink`) and put back, by anchor name, in the joined file (`join`).
- The bookmarks and named destinations of every part (pypdf joins them).

Asking for the first page number is done by wrapping WeasyPrint's own footer maker
(`weasyprint.layout.make_margin_boxes`): WeasyPrint has no public way to number a
document's pages from anything but one. Where a WeasyPrint release has no such function,
`can_number_parts` says so and the PDF is laid out in one part, as before.
"""

from __future__ import annotations

import copy
import importlib
import io
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from carejourney.reports.pdf import embedded_only

if TYPE_CHECKING:  # the workers that lay parts out (`reports.pdf_workers`) need no Polars
    from carejourney.reports.document import Report, Section

__all__ = [
    "CrossLink",
    "PdfPart",
    "can_number_parts",
    "join",
    "render_part",
    "section_weights",
    "split",
]

PX_TO_PT = 0.75  # WeasyPrint lays out in CSS pixels (1/96 in); PDF is in points (1/72 in)


@dataclass(frozen=True)
class CrossLink:
    """A link on `page` (counted from the part's first page, from 0) to an anchor in
    another part, where it is on the page (`rect`: left, top, right, bottom, in CSS pixels
    from the page's top left)."""

    page: int
    anchor: str
    rect: tuple[float, float, float, float]


@dataclass(frozen=True)
class PdfPart:
    """One part of a PDF: the file, its number of pages, and its links to other parts."""

    pdf: bytes
    pages: int
    links: tuple[CrossLink, ...] = ()


def section_weights(report: Report) -> list[float]:
    """About how many milliseconds laying out and drawing each section takes, the cover
    counted with the first. Fitted to each section of the 5,000-child LA's report laid
    out alone: a page of its own about 145 ms, a table cell 1 ms, a table 3.5 ms, a
    figure 12 ms, a chart 22 ms and 2 ms for every thousand characters of its SVG, and
    text 1 ms for every 80 characters (the fit was within 0.03 s for all but one)."""
    weights = [_weight(section) for section in report.sections]
    if weights:
        weights[0] += COVER_MS
    return weights


COVER_MS = 166  # the cover and contents, measured as the sections were


def _weight(section: Section) -> float:
    from carejourney.reports.html import cell_text

    cells = sum(t.frame.width * (t.frame.height + 1) for t in section.tables)
    characters = sum(
        len(cell_text(value))
        for t in section.tables
        for row in t.frame.iter_rows()
        for value in row
    ) + sum(len(p) for p in section.paragraphs)
    charts = sum(22 + len(chart.svg) / 500 for chart in section.charts)
    return (
        145
        + cells
        + 3.5 * len(section.tables)
        + 12 * len(section.figures)
        + charts
        + characters / 80
    )


def split(weights: Sequence[float], parts: int) -> list[slice]:
    """The sections cut into at most `parts` runs, in order, none empty, so that the run
    with the most work has as little as it can (which is when the last part is done)."""
    n = len(weights)
    parts = max(1, min(parts, n))
    if n == 0:
        return [slice(0, 0)]
    before = [0.0]
    for weight in weights:
        before.append(before[-1] + weight)
    # best[k][i]: the least "most work in a run" for the first i sections in k runs.
    best = [[float("inf")] * (n + 1) for _ in range(parts + 1)]
    cut = [[0] * (n + 1) for _ in range(parts + 1)]
    best[0][0] = 0.0
    for k in range(1, parts + 1):
        for i in range(k, n + 1):
            for j in range(k - 1, i):
                worst = max(best[k - 1][j], before[i] - before[j])
                if worst < best[k][i]:
                    best[k][i], cut[k][i] = worst, j
    runs, end = [], n
    for k in range(parts, 0, -1):
        runs.append(slice(cut[k][end], end))
        end = cut[k][end]
    return runs[::-1]


def html_of_part(report: Report, part: slice) -> str:
    """The HTML a part of the PDF is laid out from (charts as images, as `reports.pdf`)."""
    from carejourney.reports.html import render_html

    return render_html(report, charts_as_images=True, part=part)


# The first-page question of the part being laid out in this process (`_numbered`).
_first_page: Callable[[int], int] | None = None


def can_number_parts() -> bool:
    """Whether this WeasyPrint lets a part's pages be numbered on from the parts before
    it (see the module docstring); wraps its footer maker, once, if so."""
    layout = importlib.import_module("weasyprint.layout")
    original = getattr(layout, "make_margin_boxes", None)
    if original is None:
        return False
    if not getattr(original, "_carejourney", False):
        setattr(layout, "make_margin_boxes", _numbered(original))  # noqa: B010
    return True


def _numbered(original: Callable[..., Any]) -> Callable[..., Any]:
    def make_margin_boxes(context: Any, page: Any, state: Any) -> Any:
        if _first_page is not None:
            counters = state[1]
            first = _first_page(counters["pages"][-1])
            if first != 1:
                state = copy.deepcopy(state)
                state[1]["page"][-1] += first - 1
        return original(context, page, state)

    make_margin_boxes._carejourney = True  # type: ignore[attr-defined]
    return make_margin_boxes


@contextmanager
def _numbering(first_page: Callable[[int], int]) -> Iterator[None]:
    global _first_page
    asked: list[int] = []

    def once(pages: int) -> int:  # asked for every page's footer: the answer is the same
        if not asked:
            asked.append(first_page(pages))
        return asked[0]

    _first_page = once
    try:
        yield
    finally:
        _first_page = None


def render_part(html: str, first_page: Callable[[int], int] | None = None) -> PdfPart:
    """Lay out and draw one part. `first_page(pages)` is told the part's number of pages
    once it is laid out and answers the number its first page has (by default 1); it may
    wait for the parts before. Needs `can_number_parts()` to have said yes, unless the
    part is numbered from 1."""
    weasyprint = importlib.import_module("weasyprint")
    document = weasyprint.HTML(string=html, url_fetcher=embedded_only, base_url=None)
    with _numbering(first_page or (lambda pages: 1)):
        rendered = document.render()
    here = {name for page in rendered.pages for name in page.anchors}
    elsewhere = []
    for number, page in enumerate(rendered.pages):
        kept = []
        for link in page.links:
            kind, target, rect, _ = link
            if kind == "internal" and target not in here:
                elsewhere.append(CrossLink(number, target, tuple(rect)))
            else:
                kept.append(link)
        page.links[:] = kept
    pdf = rendered.write_pdf()
    return PdfPart(pdf, len(rendered.pages), tuple(elsewhere))


def join(parts: Sequence[PdfPart]) -> bytes:
    """The parts as one PDF: their pages in order, their bookmarks and named destinations,
    the links between them, and the first part's title and other metadata."""
    from pypdf import PdfReader, PdfWriter  # about 0.3 s to import: only when joining
    from pypdf.generic import (
        ArrayObject,
        DictionaryObject,
        FloatObject,
        NameObject,
        NumberObject,
        TextStringObject,
    )

    writer = PdfWriter()
    metadata = None
    offset = 0
    for part in parts:
        reader = PdfReader(io.BytesIO(part.pdf))
        metadata = metadata if metadata is not None else reader.metadata
        writer.append(reader)
        for link in part.links:
            height = float(writer.pages[offset + link.page].mediabox.height)
            left, top, right, bottom = link.rect
            corners = (left, height / PX_TO_PT - top, right, height / PX_TO_PT - bottom)
            # As WeasyPrint writes its own links: no border, to a named destination.
            annotation = DictionaryObject(
                {
                    NameObject("/Type"): NameObject("/Annot"),
                    NameObject("/Subtype"): NameObject("/Link"),
                    NameObject("/Rect"): ArrayObject(FloatObject(c * PX_TO_PT) for c in corners),
                    NameObject("/BS"): DictionaryObject({NameObject("/W"): NumberObject(0)}),
                    NameObject("/Dest"): TextStringObject(link.anchor),
                }
            )
            writer.add_annotation(offset + link.page, annotation)
        offset += part.pages
    if metadata:
        writer.add_metadata(dict(metadata))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
