"""The same report across several LAs, side by side, and against national figures.

`compare` takes each LA's report (already through disclosure control) and makes one more
report whose table puts every headline figure of every section in a row, with a column per
LA and, where there is one, the national figure beside it. Which national figure goes
beside which report figure is written in the national figures file itself (`figures`:
the beginnings of the report figures' labels), so it stays simple, explicit and editable.

National figures are data: `national.toml` ships the ones carejourney knows, each with its
year and source; a user copies it, updates it when DfE publishes, and passes the copy with
`carejourney report --national FILE`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from importlib import resources
from os import PathLike
from typing import Annotated, Any, Literal

import polars as pl
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import ErrorDetails

from carejourney.config.toml_files import parse_model, read_user_file
from carejourney.reports.document import Report, ReportTable, Section

__all__ = [
    "NationalFigure",
    "NationalFigures",
    "NationalFiguresError",
    "compare",
    "load_national",
    "parse_national",
]

SHIPPED = resources.files("carejourney.reports").joinpath("national.toml")
Name = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class NationalFigure(_Model):
    """One national figure, with where it comes from."""

    name: Name = Field(description="Short name: lower-case letters, digits and hyphens.")
    label: Text = Field(description="What the figure is, in plain words.")
    value: float = Field(description="The number.")
    unit: Literal["days", "months", "children", "%"]
    year: Text = Field(description="The year or period it is for.")
    source: Text = Field(description="Where it comes from.")
    verified: bool = True
    note: str | None = None
    figures: tuple[Text, ...] = Field(
        default=(),
        description="The report figures it goes beside: the beginnings of their labels.",
    )

    @model_validator(mode="before")
    @classmethod
    def _year_as_text(cls, data: object) -> object:
        if isinstance(data, dict) and isinstance(data.get("year"), int):
            return {**data, "year": str(data["year"])}
        return data

    @model_validator(mode="after")
    def _noted(self) -> NationalFigure:
        if not self.verified and not self.note:
            raise ValueError("verified = false needs a note saying what is uncertain")
        return self

    def text(self) -> str:
        """The value as published: "426 days", "10%", "81,770"."""
        number = f"{self.value:,.0f}" if self.value.is_integer() else f"{self.value:,g}"
        if self.unit == "%":
            return f"{number}%"
        if self.unit == "children":
            return number
        return f"{number} {self.unit}"

    def matches(self, label: str) -> bool:
        return any(label.casefold().startswith(start.casefold()) for start in self.figures)


class NationalFigures(_Model):
    figures: tuple[NationalFigure, ...]

    @model_validator(mode="after")
    def _unique(self) -> NationalFigures:
        names = [f.name for f in self.figures]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:
            raise ValueError(f"each figure needs its own name: {', '.join(twice)} is used twice")
        return self

    def beside(self, label: str) -> NationalFigure | None:
        """The national figure to show beside the report figure labelled `label`."""
        return next((f for f in self.figures if f.matches(label)), None)


class NationalFiguresError(ValueError):
    """A national figures file that cannot be used; the message says what to change."""


def load_national(path: str | PathLike[str] | None = None) -> NationalFigures:
    """The national figures in the file at `path`, or the shipped ones when None."""
    if path is None:
        return parse_national(SHIPPED.read_bytes(), "shipped national.toml")
    data = read_user_file(path, what="national figures file", error=NationalFiguresError)
    return parse_national(data, str(path))


def parse_national(data: bytes, file: str) -> NationalFigures:
    """Validate the bytes of a national figures file; `file` names it in error messages."""
    return parse_model(
        data,
        file,
        what="national figures file",
        model=NationalFigures,
        error=NationalFiguresError,
        explain=_explain,
    )


def _explain(error: ErrorDetails, raw: dict[str, Any]) -> str:
    """One validation error as: which figure and field, then pydantic's message."""
    where = ".".join(str(p) for p in error["loc"])
    if error["loc"][:1] == ("figures",) and len(error["loc"]) > 1:
        number = error["loc"][1]
        if isinstance(number, int):
            rest = ".".join(str(p) for p in error["loc"][2:])
            where = f"figure {number + 1}" + (f", {rest}" if rest else "")
    return f"{where}: {error['msg']}"


def _headings(reports: Sequence[Report]) -> list[str]:
    same_date = len({r.as_at for r in reports}) == 1
    headings: list[str] = []
    for report in reports:
        heading = f"LA {report.la}"
        if not same_date:
            heading += f" (as at {report.as_at:%d/%m/%Y})"
        base, n = heading, 2
        while heading in headings:
            heading, n = f"{base} ({n})", n + 1
        headings.append(heading)
    return headings


def compare(reports: Sequence[Report], national: NationalFigures | None) -> Report:
    """One report with every headline figure of every LA's report side by side, and the
    national figure beside it where the national figures file names one."""
    if not reports:
        raise ValueError("There is no report to compare: give at least one.")
    headings = _headings(reports)
    rows: dict[tuple[str, str], dict[str, str]] = {}
    for report, heading in zip(reports, headings, strict=True):
        for section in report.sections:
            for figure in section.figures:
                rows.setdefault((section.title, figure.label), {})[heading] = figure.value
    records = []
    for (section_title, label), values in rows.items():
        match = national.beside(label) if national is not None else None
        records.append(
            {
                "Section": section_title,
                "Figure": label,
                **{h: values.get(h, "") for h in headings},
                "National": "" if match is None else match.text(),
                "National figure": "" if match is None else match.label,
                "Year": "" if match is None else match.year,
                "Source": ""
                if match is None
                else match.source + ("" if match.verified else " (not verified)"),
            }
        )
    columns = ["Section", "Figure", *headings, "National", "National figure", "Year", "Source"]
    side_by_side = pl.DataFrame(records, schema=dict.fromkeys(columns, pl.String))
    tables = [
        ReportTable(
            key="Figures side by side",
            title="Every headline figure, LA by LA, with the national figure where there is one",
            frame=side_by_side,
            note="Each LA's figures are as published in its own report, after disclosure "
            "control: [c] marks a number hidden because it is small. Each LA's report says "
            "how its figures changed on a year before.",
        )
    ]
    if national is not None:
        tables.append(
            ReportTable(
                key="National figures",
                title="The national figures used, with their year and source",
                frame=pl.DataFrame(
                    [
                        {
                            "Name": f.name,
                            "Figure": f.label,
                            "Value": f.text(),
                            "Year": f.year,
                            "Source": f.source,
                            "Verified": "Yes" if f.verified else "No",
                            "Note": f.note or "",
                        }
                        for f in national.figures
                    ],
                    schema=dict.fromkeys(
                        ["Name", "Figure", "Value", "Year", "Source", "Verified", "Note"],
                        pl.String,
                    ),
                ),
                note="Update these by copying the national figures file and passing the "
                "copy with --national.",
            )
        )
    names = [r.la for r in reports]
    listed = ", ".join(names[:-1]) + f" and {names[-1]}" if len(names) > 1 else names[0]
    internal = any(r.internal for r in reports)
    paragraphs = [
        f"The headline figures of the reports for LA {listed}, side by side"
        + (
            ", with national figures beside them where they measure the same thing."
            if national
            else "."
        ),
        "A national figure is for all of England (or Scotland) and for the year it names, "
        "which may not be the year of the LA's figures: read it as a benchmark, not as a "
        "like-for-like comparison. Counts of children depend on the LA's size.",
    ]
    if internal:
        paragraphs.append(
            "At least one of the reports is internal, so small numbers are not hidden here."
        )
    section = Section(
        key="comparison",
        title="Comparison",
        paragraphs=tuple(paragraphs),
        tables=tuple(tables),
        not_available=None if rows else "None of the reports has headline figures to compare.",
    )
    return Report(
        la=", ".join(names),
        title=f"Permanence diagnostic: LA {listed} compared",
        as_at=max(r.as_at for r in reports),
        generated_at=dt.datetime.now().astimezone(),
        internal=internal,
        sections=(section,),
    )
