"""PDSA cycles: dated tests of change linked to an aim.

Each cycle is Plan (its title, the change idea and the prediction), Do (the dates it ran),
Study (what happened) and Act (adopt, adapt or abandon), numbered 1, 2, 3... within its
aim. Study and act are usually written later, so a cycle can be edited (`update_cycle`).
`starts_phase` says the chart should start a new phase at the cycle: the change was big
enough that the process before it is not the process after it.

Cycles can be imported from a CSV file (`read_cycles_csv`); every problem in the file is
reported at once, naming its row and column, and nothing is stored unless all is well.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
from collections.abc import Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

from sqlalchemy import Connection, func, insert, select, update
from sqlalchemy.engine import RowMapping

from carejourney.improvement.aims import Aim
from carejourney.sources.problems import Problem, error
from carejourney.sources.values import read_date
from carejourney.store.access import current_user
from carejourney.store.tables import pdsa_cycle


class Act(StrEnum):
    """What was decided after studying a cycle."""

    ADOPT = "adopt"  # keep the change as it is
    ADAPT = "adapt"  # change it and test again
    ABANDON = "abandon"  # stop it


class CycleError(ValueError):
    """Cycles that cannot be stored, with a message saying what to change. From a CSV file,
    `problems` names each row and column."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class CycleInput:
    """A cycle as a person writes it (adding or editing one)."""

    title: str
    change_idea: str
    prediction: str  # plan: what we expect to happen
    do_start: dt.date
    do_end: dt.date | None = None
    study: str | None = None  # what happened
    act: Act | None = None
    author: str | None = None
    starts_phase: bool = False


@dataclass(frozen=True)
class Cycle(CycleInput):
    """A stored cycle: its input, numbered within its aim, with who added and last edited it."""

    id: int = 0
    aim_id: int = 0
    number: int = 0
    created_at: dt.datetime | None = None
    created_by: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None

    def as_input(self) -> CycleInput:
        """The parts a person can edit."""
        return CycleInput(**{f.name: getattr(self, f.name) for f in fields(CycleInput)})


def add_cycle(conn: Connection, aim: Aim, cycle: CycleInput, *, who: str | None = None) -> Cycle:
    """Store `cycle` as the aim's next cycle, inside the caller's transaction."""
    return add_cycles(conn, aim, [cycle], who=who)[0]


def add_cycles(
    conn: Connection, aim: Aim, cycles: Sequence[CycleInput], *, who: str | None = None
) -> list[Cycle]:
    """Store `cycles` as the aim's next cycles, in the order given, inside the caller's
    transaction: if one cannot be stored, the caller's rollback leaves none."""
    for cycle in cycles:
        check_cycle(cycle)
    latest = conn.execute(
        select(func.max(pdsa_cycle.c.number)).where(pdsa_cycle.c.aim_id == _id(aim))
    ).scalar()
    now, user = dt.datetime.now(dt.UTC), who or current_user()
    stored = []
    for number, cycle in enumerate(cycles, start=(latest or 0) + 1):
        values = {
            **_values(cycle, user),
            "aim_id": _id(aim),
            "number": number,
            "created_at": now,
            "created_by": user,
        }
        conn.execute(insert(pdsa_cycle).values(values))
        stored.append(get_cycle(conn, aim, number))
    return stored


def update_cycle(
    conn: Connection, aim: Aim, number: int, cycle: CycleInput, *, who: str | None = None
) -> Cycle:
    """Replace cycle `number` of the aim with `cycle` (typically the stored one with its
    study and act filled in), recording who changed it and when."""
    check_cycle(cycle)
    get_cycle(conn, aim, number)  # it exists
    user = who or current_user()
    values = {**_values(cycle, user), "updated_at": dt.datetime.now(dt.UTC), "updated_by": user}
    conn.execute(
        update(pdsa_cycle)
        .where(pdsa_cycle.c.aim_id == _id(aim), pdsa_cycle.c.number == number)
        .values(values)
    )
    return get_cycle(conn, aim, number)


def get_cycle(conn: Connection, aim: Aim, number: int) -> Cycle:
    """Cycle `number` of the aim."""
    row = (
        conn.execute(
            select(pdsa_cycle).where(pdsa_cycle.c.aim_id == _id(aim), pdsa_cycle.c.number == number)
        )
        .mappings()
        .first()
    )
    if row is None:
        held = [c.number for c in list_cycles(conn, aim)]
        what = ", ".join(map(str, held)) if held else "none yet"
        raise CycleError(
            f'The aim "{aim.name}" has no PDSA cycle {number}. Its cycles: {what} (see them '
            f"with `carejourney pdsa list {aim.name}`)."
        )
    return _cycle(row)


def list_cycles(conn: Connection, aim: Aim) -> list[Cycle]:
    """The aim's cycles, by number."""
    query = select(pdsa_cycle).where(pdsa_cycle.c.aim_id == _id(aim)).order_by(pdsa_cycle.c.number)
    return [_cycle(row) for row in conn.execute(query).mappings()]


def check_cycle(cycle: CycleInput) -> None:
    """Raise a `CycleError` if `cycle` cannot be stored as it is."""
    for name in ("title", "change_idea", "prediction"):
        if not getattr(cycle, name).strip():
            raise CycleError(f"The cycle needs {_WHAT[name]}.")
    if cycle.do_end is not None and cycle.do_end < cycle.do_start:
        raise CycleError(
            f"The cycle ends ({cycle.do_end:%d/%m/%Y}) before it starts "
            f"({cycle.do_start:%d/%m/%Y}): check the dates."
        )


# What each column of a cycles CSV file holds; the first four must be given on every row.
COLUMNS = {
    "title": "a short name for the test of change",
    "change_idea": "the change being tested",
    "prediction": "what you predict will happen (the plan)",
    "do_start": "the date the test started, dd/mm/yyyy",
    "do_end": "the date it ended, dd/mm/yyyy (blank while it runs)",
    "study": "what happened",
    "act": "adopt, adapt or abandon (blank until decided)",
    "author": "who wrote the cycle up",
    "starts_phase": "yes if a new phase of the chart starts at this cycle, else no or blank",
}
REQUIRED = ("title", "change_idea", "prediction", "do_start")
_WHAT = {
    "title": "a title",
    "change_idea": "a change idea: what is being tried",
    "prediction": "a prediction: what you expect to happen",
}
_YES, _NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0", ""}


def read_cycles_csv(path: Path) -> list[CycleInput]:
    """The cycles in a CSV file with a header row naming the columns of `COLUMNS` (in any
    order; title, change_idea, prediction and do_start needed). Dates are dd/mm/yyyy or
    yyyy-mm-dd. Raises a `CycleError` holding every problem (file, row, column, what was
    expected) if any row cannot be used."""
    file = path.name
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise CycleError(f"{file} is not UTF-8 text: save it as CSV UTF-8.") from None
    except OSError as exc:
        raise CycleError(f"Cannot read {path}: {exc.strerror}.") from None
    reader = csv.DictReader(text.splitlines())
    headings = [h.strip().lower() for h in reader.fieldnames or []]
    problems = _heading_problems(file, headings)
    if problems:
        raise CycleError(f"{file} cannot be imported: its column headings are not right.", problems)
    cycles = []
    for row_number, raw in enumerate(reader, start=2):  # the headings are row 1
        row = {k.strip().lower(): (v or "").strip() for k, v in raw.items() if k is not None}
        if not any(row.values()):
            continue  # a blank line between cycles
        found, wrong = _cycle_from_row(file, row_number, row)
        problems += wrong
        if found is not None:
            cycles.append(found)
    if problems:
        noun = "a problem" if len(problems) == 1 else f"{len(problems)} problems"
        raise CycleError(f"{file} has {noun}: nothing was imported.", problems)
    if not cycles:
        raise CycleError(f"{file} holds no cycles: add one row per cycle under the headings.")
    return cycles


def _heading_problems(file: str, headings: list[str]) -> list[Problem]:
    problems = []
    for heading in headings:
        if heading not in COLUMNS:
            close = difflib.get_close_matches(heading, list(COLUMNS), n=1)
            hint = f' Did you mean "{close[0]}"?' if close else ""
            problems.append(
                error(
                    file,
                    "pdsa-unknown-column",
                    f"carejourney does not know this column.{hint} The columns are: "
                    + ", ".join(COLUMNS)
                    + ".",
                    row=1,
                    column=heading or "(blank)",
                )
            )
    for name in REQUIRED:
        if name not in headings:
            problems.append(
                error(
                    file,
                    "pdsa-missing-column",
                    f"The column {name} is missing: add it, holding {COLUMNS[name]}.",
                    row=1,
                    column=name,
                )
            )
    return problems


def _cycle_from_row(
    file: str, row_number: int, row: dict[str, str]
) -> tuple[CycleInput | None, list[Problem]]:
    problems = []

    def wrong(column: str, message: str) -> None:
        problems.append(
            error(
                file,
                f"pdsa-bad-{column.replace('_', '-')}",
                message,
                row=row_number,
                column=column,
                value=row.get(column) or None,
            )
        )

    for name in REQUIRED:
        if not row.get(name):
            wrong(name, f"This cell is blank: it needs {COLUMNS[name]}.")
    start = read_date(row.get("do_start", ""))
    end = read_date(row.get("do_end", ""))
    for name, value in (("do_start", start), ("do_end", end)):
        if row.get(name) and value is None:
            wrong(name, "Expected a date written dd/mm/yyyy (like 18/03/2024) or 2024-03-18.")
    if start is not None and end is not None and end < start:
        wrong("do_end", f"The cycle ends before it starts ({start:%d/%m/%Y}): check the dates.")
    act = row.get("act", "").lower()
    if act and act not in {a.value for a in Act}:
        wrong("act", "Expected adopt, adapt or abandon (or blank until decided).")
    phase = row.get("starts_phase", "").lower()
    if phase not in _YES | _NO:
        wrong("starts_phase", "Expected yes or no (blank means no).")
    if problems or start is None:
        return None, problems
    cycle = CycleInput(
        title=row["title"],
        change_idea=row["change_idea"],
        prediction=row["prediction"],
        do_start=start,
        do_end=end,
        study=row.get("study") or None,
        act=Act(act) if act else None,
        author=row.get("author") or None,
        starts_phase=phase in _YES,
    )
    return cycle, []


def _values(cycle: CycleInput, who: str) -> dict[str, object]:
    return {
        "title": cycle.title.strip(),
        "change_idea": cycle.change_idea.strip(),
        "prediction": cycle.prediction.strip(),
        "do_start": cycle.do_start,
        "do_end": cycle.do_end,
        "study": cycle.study,
        "act": None if cycle.act is None else cycle.act.value,
        # The author defaults to whoever records the cycle.
        "author": cycle.author or who,
        "starts_phase": cycle.starts_phase,
    }


def _id(aim: Aim) -> int:
    if aim.id is None:
        raise CycleError(f'The aim "{aim.name}" is not stored yet: add it before its cycles.')
    return aim.id


def _cycle(row: RowMapping) -> Cycle:
    return Cycle(
        id=row["id"],
        aim_id=row["aim_id"],
        number=row["number"],
        title=row["title"],
        change_idea=row["change_idea"],
        prediction=row["prediction"],
        do_start=row["do_start"],
        do_end=row["do_end"],
        study=row["study"],
        act=None if row["act"] is None else Act(row["act"]),
        author=row["author"],
        starts_phase=bool(row["starts_phase"]),
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
    )
