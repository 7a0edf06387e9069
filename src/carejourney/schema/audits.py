"""The audit spreadsheet LAs already keep: one row per case audit.

The fixed columns say whose case was audited, when, by whom, its overall grade, the themes
found and any moderation. Then there is one column per domain of the audit template, holding
that domain's grade: the column is named by the domain's key in capitals
(VOICE_OF_THE_CHILD) or by its title ("Voice of the child"). Headings are compared the way
`heading_key` writes them, so "Audit date", "audit_date" and "AUDIT DATE" are one column.

Grades are written as the scale's value or its label, in any case ("good", "Good",
"Requires improvement to be good", "RI"). STRENGTHS and DEVELOPMENT hold themes separated
by ";".
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from carejourney.schema.types import Column, Kind, Table

if TYPE_CHECKING:
    from carejourney.config.audits import Template

DEFAULT_TEMPLATE = "case-audit"
THEME_SEPARATOR = ";"

# The columns before the domain grades...
_ABOUT: tuple[Column, ...] = (
    Column(
        "CHILD",
        Kind.ID,
        "The LA's identifier for the child whose case was audited, as in the SSDA903 return.",
        required=True,
        personal=True,
    ),
    Column("AUDIT_DATE", Kind.DATE, "The date the audit was completed.", required=True),
    Column("AUDITOR", Kind.TEXT, "Who audited the case.", required=True),
    Column("TEAM", Kind.TEXT, "The team holding the case, as the allocation list names it."),
    Column(
        "TEMPLATE",
        Kind.TEXT,
        f"The audit template's name; blank means {DEFAULT_TEMPLATE} (or the template chosen "
        "for the import).",
    ),
)
# ... and after them.
_RESULT: tuple[Column, ...] = (
    Column(
        "OVERALL",
        Kind.TEXT,
        "The audit's overall grade, on the template's scale (its value or label).",
        required=True,
    ),
    Column(
        "STRENGTHS",
        Kind.TEXT,
        f'Themes found as strengths, separated by "{THEME_SEPARATOR}".',
    ),
    Column(
        "DEVELOPMENT",
        Kind.TEXT,
        f'Themes found as areas for development, separated by "{THEME_SEPARATOR}".',
    ),
    Column(
        "FINDINGS",
        Kind.TEXT,
        "What the auditor found, in words; never names or other personal details.",
    ),
    Column(
        "MODERATOR",
        Kind.TEXT,
        "Who moderated the audit (a second opinion; never the auditor), if anyone.",
    ),
    Column(
        "MODERATED_GRADE",
        Kind.TEXT,
        "The moderator's overall grade; when given, it is the audit's grade.",
    ),
)

SHEET_COLUMNS = _ABOUT + _RESULT
SHEET_COLUMN_NAMES = frozenset(c.name for c in SHEET_COLUMNS)
KEY = ("CHILD", "AUDIT_DATE", "AUDITOR")

# The spreadsheet without its domain columns: what every audit spreadsheet has.
AUDIT_SHEET = Table(
    "Audits",
    "One row per case audit: the child, date, auditor, grades, themes and moderation.",
    SHEET_COLUMNS,
    key=KEY,
    source="carejourney (the case-audit spreadsheets LAs keep)",
)


def heading_key(text: str) -> str:
    """How a column heading is compared: capitals, each run of other characters one '_'
    ("Voice of the child" and "voice-of-the-child" are VOICE_OF_THE_CHILD)."""
    return re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")


def audit_table(template: Template) -> Table:
    """The whole spreadsheet for `template`, in the order it is written: the child, date,
    auditor, team and template; one grade column per domain, named by its key in capitals;
    then the overall grade, themes, findings and moderation."""
    grades = tuple(
        Column(
            domain.column,
            Kind.TEXT,
            f"The grade for {domain.title}, on the template's scale (its value or label); "
            "blank if not graded.",
        )
        for domain in template.domains
    )
    return Table(
        AUDIT_SHEET.name,
        f"{AUDIT_SHEET.description} Template: {template.title}.",
        _ABOUT + grades + _RESULT,
        key=KEY,
        source=AUDIT_SHEET.source,
    )
