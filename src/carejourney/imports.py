"""Check and import SSDA903 returns: the one function the CLI and the web app call."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from carejourney import __version__
from carejourney.journeys.history import Rebuilt, rebuild
from carejourney.schema.types import year_label
from carejourney.sources.problems import Problem, error, has_errors
from carejourney.sources.returns import LIST_NOUNS, Progress, ReadResult, read_returns
from carejourney.store.batches import Saved, save
from carejourney.store.queries import local_authorities

IMPORT_STAGES = 2


@dataclass(frozen=True)
class Only:
    """The kinds of LA list an import may hold, what they are called together, and the
    command that imports anything else."""

    kinds: frozenset[str]
    what: str  # "demand data"
    elsewhere: str  # "carejourney import"


_LA_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")


@dataclass
class ImportOutcome:
    read: ReadResult
    la: str | None
    saved: Saved | None = None
    rebuilt: Rebuilt | None = None

    @property
    def stored(self) -> bool:
        return self.saved is not None

    @property
    def problems(self) -> list[Problem]:
        return self.read.problems


def check(
    paths: Iterable[Path], year: int | None = None, progress: Progress | None = None
) -> ReadResult:
    """Read and check files, storing nothing."""
    return read_returns(paths, year, progress)


def import_returns(
    engine: Engine,
    paths: Iterable[Path],
    la: str | None = None,
    year: int | None = None,
    progress: Progress | None = None,
    only: Only | None = None,
) -> ImportOutcome:
    """Check the files, and store them as one batch only if no check found an error.

    `progress` is told each file's name as it is read, then each stage of storing
    (IMPORT_STAGES calls after the files). `only`, when given, names the kinds of LA list
    these files may hold (e.g. the demand kinds, for `carejourney demand import`): a file
    holding anything else is an error.

    Everything happens in one transaction: the database ends up either with the whole
    batch or exactly as it was."""
    read = read_returns(paths, year, progress)
    if only is not None:
        read.problems[:0] = _outside(read, only)
    with engine.connect() as conn:
        known = local_authorities(conn)
    la, la_problem = _which_la(la, known)
    if la_problem:
        read.problems.insert(0, la_problem)
    outcome = ImportOutcome(read, la)
    if has_errors(read.problems) or la is None:
        return outcome
    with engine.begin() as conn:
        if progress:
            progress(f"storing {sum(read.rows.values()):,} rows")
        outcome.saved = save(conn, la, read, __version__)
        if progress:
            progress("stitching years into one history per child")
        if outcome.saved.stored_years:
            stored = {
                r.year: r.tables["Episodes"]
                for r in read.returns
                if r.year in outcome.saved.stored_years and "Episodes" in r.tables
            }
            outcome.rebuilt = rebuild(conn, la, stored)
    return outcome


def _outside(read: ReadResult, only: Only) -> list[Problem]:
    """An error for each file holding something other than the kinds `only` allows."""
    held: dict[str, list[str]] = {}
    for ret in read.returns:
        for table, file in ret.files.items():
            held.setdefault(file.name, []).append(table)
    for listed in read.lists:
        if listed.kind not in only.kinds:
            for file in listed.files:
                held.setdefault(file.name, []).append(listed.kind)
    return [
        error(
            name,
            "not-allowed-here",
            f"This file holds the {' and '.join(tables)} "
            + ("table, which is" if len(tables) == 1 else "tables, which are")
            + f" not {only.what}: import it with `{only.elsewhere}`.",
        )
        for name, tables in held.items()
    ]


def _which_la(la: str | None, known: list[str]) -> tuple[str | None, Problem | None]:
    if la is None:
        if len(known) == 1:
            return known[0], None
        listed = f" (this database holds {', '.join(known)})" if known else ""
        return None, error(
            "(command line)",
            "la-missing",
            "Say which local authority these returns belong to, with --la and its code, "
            f"e.g. --la 931{listed}.",
        )
    if not _LA_CODE.match(la):
        return None, error(
            "(command line)",
            "la-invalid",
            f"'{la}' is not a usable LA code: use up to 20 letters, digits, - or _.",
        )
    return la, None


def what_was_stored(saved: Saved) -> str:
    """What a stored batch changed, in words, for the CLI and the web app alike:
    "years 2023/24, 2024/25 Tracker milestones (stored) Contacts (replaced)"."""
    parts: list[str] = []
    if saved.stored_years:
        parts.append("years " + ", ".join(year_label(y) for y in saved.stored_years))
    for kind, what in saved.lists.items():
        if what != "unchanged":
            named = f"{kind} milestones" if LIST_NOUNS.get(kind) is None else kind
            parts.append(f"{named} ({what})")
    if saved.replaced_years:
        parts.append("(replacing " + ", ".join(year_label(y) for y in saved.replaced_years) + ")")
    if saved.unchanged_years:
        parts.append("; unchanged " + ", ".join(year_label(y) for y in saved.unchanged_years))
    return " ".join(parts)
