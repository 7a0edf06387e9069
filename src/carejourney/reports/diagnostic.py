"""The permanence diagnostic report: its sections, put together in order, for one LA.

`build_report` calls each section builder on the same `ReportContext` and collects what
they give into a `Report`, which the writers (`reports.html`, `reports.xlsx`,
`reports.pdf`) turn into files. `SECTIONS` is the diagnostic report's list of builders, in
the order a reader meets them.

`report_salt` gives the installation's salt for pseudonyms (`reports.disclosure`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from pathlib import Path

from carejourney.config.secrets import SecretError, installation_secret
from carejourney.reports.document import Report, ReportContext, Section, SectionBuilder
from carejourney.reports.sections import (
    adopters,
    at_risk,
    audits,
    cost_of_delay,
    demand,
    journeys,
    methods,
    profile,
    resources,
    sgo_vs_adoption,
    stability,
    summary,
    timeliness,
    under_fives,
)
from carejourney.store import database

__all__ = [
    "SALT_ENVIRONMENT_VARIABLE",
    "SALT_FILE",
    "SECTIONS",
    "SaltError",
    "build_report",
    "report_salt",
    "report_title",
]

# The diagnostic report's sections, in the order a reader meets them: (name, builder).
SECTIONS: list[tuple[str, SectionBuilder]] = [
    ("summary", summary.build),
    ("who the children are", profile.build),
    ("timeliness by stage", timeliness.build),
    ("shortest and longest journeys", journeys.build),
    ("under-fives still in care", under_fives.build),
    ("cases at risk", at_risk.build),
    ("demand as families experience it", demand.build),
    ("adopters' journey", adopters.build),
    ("special guardianship and adoption", sgo_vs_adoption.build),
    ("placement stability", stability.build),
    ("quality assurance", audits.build),
    ("resources", resources.build),
    ("cost of delay", cost_of_delay.build),
    ("methods and data quality", methods.build),
]

SALT_FILE = "pseudonym-salt"
SALT_ENVIRONMENT_VARIABLE = "CAREJOURNEY_PSEUDONYM_SALT"


def report_title(la: str) -> str:
    return f"Permanence diagnostic for LA {la}"


def build_report(
    context: ReportContext,
    builders: Sequence[tuple[str, SectionBuilder]],
    *,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """The report for `context.la`: each builder's section, in the order given.

    `progress`, when given, is called with each section's name once it is built (for a
    progress bar). A builder that cannot give its section for want of data returns one
    whose `not_available` says so, and the report shows that; a builder that raises is a
    fault, and the error is raised here (with a note naming the section), never hidden.
    """
    sections: list[Section] = []
    for name, builder in builders:
        try:
            section = builder(context)
        except Exception as exc:
            exc.add_note(f"(while building the report's section '{name}' for LA {context.la})")
            raise
        if not isinstance(section, Section):
            raise TypeError(
                f"The report's section '{name}' gave {type(section).__name__}, not a Section."
            )
        sections.append(section)
        if progress is not None:
            progress(name)
    return Report(
        la=context.la,
        title=report_title(context.la),
        as_at=context.as_at,
        generated_at=dt.datetime.now().astimezone(),
        internal=context.disclosure.internal,
        sections=tuple(sections),
    )


SaltError = SecretError  # the salt cannot be read or made; the message says what to do


def report_salt(folder: Path | None = None) -> bytes:
    """The installation's salt for pseudonyms (32 random bytes), made once and kept.

    Why a stable salt: a child's pseudonym is a keyed hash of their ID with this salt, so
    with the same salt the same child gets the same pseudonym in this month's report, next
    month's and next year's. A manager can then follow a case ("C-4KQ2M7ZD is still
    waiting for a match") from report to report without ever seeing the child's ID. A new
    salt every time would give every child a new pseudonym in every report.

    Where it comes from (`config.secrets.installation_secret`):
    - `$CAREJOURNEY_PSEUDONYM_SALT`, as hex (for a shared server, or to give several
      installations the same pseudonyms), else
    - the file `pseudonym-salt` in `folder` (default: beside the default SQLite database,
      `store.database.default_path().parent`), made on first use from the operating
      system's random generator and readable by its owner only (permissions 0600).

    Anyone holding the salt and a list of IDs can recompute the pseudonyms: keep the file
    as carefully as the database itself, and do not send it with a report.
    """
    where = folder if folder is not None else database.default_path().parent
    return installation_secret(
        file=where / SALT_FILE,
        variable=SALT_ENVIRONMENT_VARIABLE,
        what="the pseudonym salt",
        when_replaced="every child then gets a new pseudonym",
    )
