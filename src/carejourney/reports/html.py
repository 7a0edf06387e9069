"""The report as one self-contained HTML file: styles inline, charts as inline SVG, no
scripts, fonts, images or anything else fetched from anywhere, so it can be emailed, kept
on a shared drive and opened years later offline. It prints on A4 (and `reports.pdf`
makes the PDF from it): each section on a new page, table rows never split, table
headings repeated on each page, and a footer naming the LA, the date and the page.

The template (`templates/report.html.j2`) is autoescaped; the only markup passed through
as it is is the SVG of the charts, which carejourney's own renderer (`reports.charts`)
made, and the CSS footer text, escaped here for CSS.

For the PDF, `render_html(..., charts_as_images=True)` puts each chart in as an image
(`<img>` with the SVG as a data: URL, its text alternative as `alt`) rather than inline:
WeasyPrint then styles and lays out the page without the SVG's thousand-odd elements in
it, which made the 5,000-child LA's PDF about 7% less work; the picture is the same.
"""

from __future__ import annotations

import base64
import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

import jinja2
import polars as pl
from markupsafe import Markup

from carejourney.reports.document import Report, ReportTable

__all__ = ["cell_text", "render_html", "write_html"]

# A published number: "12", "1,234", "-3", "4.5", "45%", "£1,000", with or without "~".
NUMBER = re.compile(r"^[~≈]?-?£?-?\d[\d,]*(\.\d+)?%?$")

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("carejourney.reports", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


@dataclass(frozen=True)
class _Table:
    anchor: str
    title: str
    note: str | None
    headings: list[str]
    numeric: list[bool]  # per column: right-aligned
    rows: list[list[str]]


def cell_text(value: object) -> str:
    """A table cell as shown: dates as dd/mm/yyyy, whole numbers with thousands commas,
    other numbers to at most 2 decimals, nothing for a missing value."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dt.datetime):
        return f"{value:%d/%m/%Y %H:%M}"
    if isinstance(value, dt.date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value != value:  # NaN
            return ""
        if value.is_integer():
            return f"{value:,.0f}"
        return f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, list | tuple):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def _is_numeric(column: pl.Series, texts: list[str], marker_like: set[str]) -> bool:
    if column.dtype.is_numeric():
        return True
    shown = [t for t in texts if t and t not in marker_like]
    return bool(shown) and all(NUMBER.match(t) for t in shown)


def _table(table: ReportTable, anchor: str) -> _Table:
    frame = table.frame
    rows = [[cell_text(v) for v in row] for row in frame.iter_rows()]
    markers = {"[c]", "[x]", "[z]", "[low]", "-", "–", "c", "x", "z"}
    numeric = [
        _is_numeric(frame.get_column(name), [r[k] for r in rows], markers)
        for k, name in enumerate(frame.columns)
    ]
    return _Table(anchor, table.title, table.note, list(frame.columns), numeric, rows)


def _anchor(key: str, used: set[str]) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", key.lower()).strip("-") or "section"
    anchor, n = base, 2
    while anchor in used:
        anchor, n = f"{base}-{n}", n + 1
    used.add(anchor)
    return anchor


def _css_string(text: str) -> Markup:
    """`text` as a CSS string literal (quotes included), safe inside <style>: anything but
    plain letters, digits and a few punctuation marks is written as a CSS escape."""
    out = []
    for char in text:
        if char.isalnum() or char in " .,:;/()-—_'+&":
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return Markup('"' + "".join(out) + '"')


def _image(svg: str, text_alternative: str) -> Markup:
    """An SVG as an `<img>` with a data: URL, named by its text alternative as the inline
    SVG is (`reports.charts`)."""
    data = base64.b64encode(svg.encode("utf-8")).decode("ascii")
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(
        text_alternative, data
    )


def footer_text(report: Report) -> str:
    """What every printed page ends with, before its page number."""
    return f"carejourney — LA {report.la} — as at {report.as_at:%d/%m/%Y} — page "


def render_html(
    report: Report, *, charts_as_images: bool = False, part: slice | None = None
) -> str:
    """The report as one self-contained HTML document; with `charts_as_images`, each chart
    an `<img>` of its SVG as a data: URL (for the PDF: see the module docstring).

    With `part` (a slice of the report's sections), only those sections, for a PDF made in
    parts (`reports.pdf_parts`): the cover, with the contents of the whole report, comes
    with the part that starts at the first section, and the closing note with the last."""
    used: set[str] = {"contents", "cover"}
    start, stop, _ = (part or slice(None)).indices(len(report.sections))
    contents, sections = [], []
    for number, section in enumerate(report.sections):
        # Every section's anchors, in order, so each part names them as the whole report
        # does; the tables and charts only of the sections this part holds.
        anchor = _anchor(section.key, used)
        table_anchors = [_anchor(f"{anchor}-{t.key}", used) for t in section.tables]
        contents.append({"anchor": anchor, "section": section})
        if not start <= number < stop:
            continue
        tables = [_table(t, a) for t, a in zip(section.tables, table_anchors, strict=True)]
        charts = [
            (
                chart,
                _image(chart.svg, chart.text_alternative)
                if charts_as_images
                else Markup(chart.svg),
            )
            for chart in section.charts
        ]
        sections.append({"anchor": anchor, "section": section, "tables": tables, "charts": charts})
    template = _ENVIRONMENT.get_template("report.html.j2")
    return template.render(
        report=report,
        contents=contents,
        sections=sections,
        cover=start == 0,
        colophon=stop == len(contents),
        as_at=f"{report.as_at:%d/%m/%Y}",
        generated=f"{report.generated_at:%d/%m/%Y at %H:%M}",
        footer=_css_string(footer_text(report)),
    )


def write_html(report: Report, path: Path) -> Path:
    """Write the report's HTML to `path` (UTF-8) and return the path."""
    path.write_text(render_html(report), encoding="utf-8")
    return path
