"""Read a set of files into checked SSDA903 returns, one per collection year."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from carejourney.schema.allocation import ALLOCATION
from carejourney.schema.demand import DEMAND_BY_KIND, DEMAND_TABLES
from carejourney.schema.ssda903 import TABLES, TABLES_BY_NAME
from carejourney.schema.tracker import TRACKER
from carejourney.schema.types import year_label
from carejourney.sources import checks
from carejourney.sources.annex_a import read_annex_a
from carejourney.sources.demand import read_demand
from carejourney.sources.files import SourceFile, gather
from carejourney.sources.problems import Problem, error, has_errors, warning
from carejourney.sources.raw import RawTable, read_csv
from carejourney.sources.tracker import read_allocations, read_trackers
from carejourney.sources.values import clean_table
from carejourney.sources.workbooks import is_workbook, sheets
from carejourney.sources.xml_return import is_xml, read_xml
from carejourney.sources.years import IN_YEAR_DATES, NameHint, data_year, name_hint

Progress = Callable[[str], None]


@dataclass
class Return:
    """One collection year's tables, typed and checked. Each frame keeps `_row`."""

    year: int
    tables: dict[str, pl.DataFrame] = field(default_factory=dict)
    files: dict[str, SourceFile] = field(default_factory=dict)  # table name -> file

    @property
    def label(self) -> str:
        return year_label(self.year)


@dataclass(frozen=True)
class MilestoneList:
    """A list the LA keeps whole: milestones read from trackers or an Annex A list, an
    allocation list, or a kind of demand data (contacts, assessments, ...). Each kind is the
    LA's whole current list, so importing one replaces what is stored of that kind."""

    kind: str  # TRACKER_KIND, ALLOCATION_KIND, a demand kind or "Annex A list 10" / "... 11"
    # Tracker and Annex A: CHILD (or ADOPTER), MILESTONE, DATE, NOTE; allocation: CHILD, TEAM,
    # WORKER; demand: carejourney's names for its columns (schema.demand). With _row, _file.
    rows: pl.DataFrame
    files: list[SourceFile]

    @property
    def noun(self) -> str:
        """What one row is, in the plural: "milestones", "contacts", ..."""
        return LIST_NOUNS.get(self.kind, "milestones")


TRACKER_KIND = "Tracker"
ALLOCATION_KIND = "Allocation"
LIST_NOUNS = {
    ALLOCATION_KIND: "allocated children",
    "Contacts": "contacts",
    "Assessments": "assessments",
    "Help provided": "pieces of help",
    "CIN referrals": "CIN referrals",
    "CIN assessments": "CIN assessments",
}
assert set(LIST_NOUNS) - {ALLOCATION_KIND} == set(DEMAND_BY_KIND)


@dataclass
class ReadResult:
    returns: list[Return]
    files: list[SourceFile]
    problems: list[Problem]
    lists: list[MilestoneList] = field(default_factory=list)

    @property
    def tracker(self) -> pl.DataFrame | None:
        """Tracker milestones (CHILD, MILESTONE, DATE, NOTE, _row, _file), if any."""
        found = [m.rows for m in self.lists if m.kind == TRACKER_KIND]
        return found[0] if found else None

    @property
    def rows(self) -> dict[str, int]:
        counts: dict[str, int] = defaultdict(int)
        for ret in self.returns:
            for name, frame in ret.tables.items():
                counts[name] += frame.height
        for milestones in self.lists:
            counts[milestones.kind] = milestones.rows.height
        return dict(counts)


def read_returns(
    paths: Iterable[Path], year: int | None = None, progress: Progress | None = None
) -> ReadResult:
    files, problems = gather(paths)
    raws: list[RawTable] = []
    annex: dict[str, list[tuple[pl.DataFrame, SourceFile]]] = defaultdict(list)
    for file in files:
        if progress:
            progress(file.name)
        if not is_workbook(file):
            tables, file_problems = _read_one(file, annex)
            raws += tables
            problems += file_problems
            continue
        # A workbook: every sheet is read as if saved as CSV; sheets that hold nothing
        # carejourney reads (a cover, notes) are passed over quietly.
        sheet_files, file_problems = sheets(file)
        read_sheets = 0
        for sheet in sheet_files:
            tables, part_problems = _read_one(sheet, annex)
            recognised = tables or [p.code for p in part_problems] != ["file-unrecognised"]
            if recognised:
                read_sheets += 1
                raws += tables
                problems += part_problems
        problems += file_problems
        if sheet_files and not read_sheets:
            problems.append(
                warning(
                    file.name,
                    "file-spreadsheet",
                    "No sheet of this workbook is an SSDA903 table, a tracker, an allocation "
                    "list, demand data or an Annex A list 10 or 11, so it was not read.",
                )
            )
    if not raws and not problems:
        problems.append(error("(no files)", "no-files", "No files were given."))
    # Trackers belong to no collection year: they are read on their own.
    trackers = [r for r in raws if r.table is TRACKER]
    allocations = [r for r in raws if r.table is ALLOCATION]
    demand = [r for r in raws if r.table in DEMAND_TABLES]
    raws = [r for r in raws if r.table not in (TRACKER, ALLOCATION, *DEMAND_TABLES)]
    tracker, tracker_problems = read_trackers(trackers)
    problems += tracker_problems
    lists = (
        [MilestoneList(TRACKER_KIND, tracker, [r.file for r in trackers])]
        if tracker is not None
        else []
    )
    if allocations:
        allocated, allocation_problems = read_allocations(allocations)
        problems += allocation_problems
        lists.append(MilestoneList(ALLOCATION_KIND, allocated, [r.file for r in allocations]))
    demand_lists, demand_problems = read_demand(demand)
    problems += demand_problems
    lists += [MilestoneList(d.kind, d.rows, d.files) for d in demand_lists]
    lists += [
        MilestoneList(kind, pl.concat([f for f, _ in read], how="vertical"), [s for _, s in read])
        for kind, read in sorted(annex.items())
    ]
    groups, year_problems = _assign_years(raws, year)
    problems += year_problems
    returns = {y: Return(y) for y in sorted(groups)}
    # Each table is cleaned once for all years and files: one pass, however many returns.
    gathered: dict[str, list[pl.DataFrame]] = defaultdict(list)
    for ret_year, members in groups.items():
        ret = returns[ret_year]
        for raw in members:
            if raw.table.name in ret.files:
                problems.append(
                    error(
                        raw.file.name,
                        "table-repeated",
                        f"Two files hold the {raw.table.name} table for {ret.label}: "
                        f"{ret.files[raw.table.name].name} and this one. Keep one of them.",
                    )
                )
                continue
            ret.files[raw.table.name] = raw.file
            declared = [c for c in ("_row", *raw.table.column_names) if c in raw.frame.columns]
            gathered[raw.table.name].append(
                raw.frame.select(declared).with_columns(
                    _file=pl.lit(raw.file.name), _year=pl.lit(ret_year, pl.Int64)
                )
            )
    for name, frames in gathered.items():
        frame, found = clean_table(pl.concat(frames, how="diagonal"), TABLES_BY_NAME[name])
        problems += found
        parts = frame.partition_by("_year", as_dict=True)
        for ret in returns.values():
            if name in ret.files:  # a file with headings but no rows gives an empty table
                part = parts.get((ret.year,), frame.clear())
                ret.tables[name] = part.drop("_file", "_year")
    for ret in returns.values():
        problems += _missing_tables(ret)
        problems += checks.check_return(
            ret.year, ret.tables, {t: f.name for t, f in ret.files.items()}
        )
    if not returns and not lists and not has_errors(problems):
        problems.append(
            error(
                "(all files)",
                "nothing-read",
                "None of the files given holds an SSDA903 table, a tracker, an allocation "
                "list, demand data or an Annex A list 10 or 11, so there is nothing to import.",
            )
        )
    return ReadResult(
        list(returns.values()),
        files,
        sorted(problems, key=_problem_order),
        lists,
    )


def _read_one(
    file: SourceFile, annex: dict[str, list[tuple[pl.DataFrame, SourceFile]]]
) -> tuple[list[RawTable], list[Problem]]:
    """The tables of one CSV or XML file; failing that, its Annex A list (added to `annex`),
    which may sit under title rows that a plain CSV reader cannot take."""
    tables, problems = read_xml(file) if is_xml(file) else read_csv(file)
    unread = [p.code for p in problems] in (["file-unrecognised"], ["file-unreadable"])
    if tables or not unread or is_xml(file):
        return tables, problems
    annex_read = read_annex_a(file)
    lists = (("Annex A list 10", annex_read.children), ("Annex A list 11", annex_read.adopters))
    for kind, frame in lists:
        if frame is not None:
            annex[kind].append((frame, file))
    if annex_read.children is not None or annex_read.adopters is not None:
        return [], annex_read.problems
    return [], problems


def _problem_order(p: Problem) -> tuple[int, str, int, str]:
    return (0 if p.severity == "error" else 1, p.file, p.row or 0, p.column or "")


def _missing_tables(ret: Return) -> list[Problem]:
    problems = []
    for table in TABLES:
        if table.required_in_return and table.name not in ret.tables:
            problems.append(
                error(
                    f"(return for {ret.label})",
                    "table-missing",
                    f"The {ret.label} return has no {table.name} table. Every return needs "
                    f"one, with the columns {', '.join(table.column_names)}.",
                )
            )
    return problems


def _assign_years(
    raws: list[RawTable], stated: int | None
) -> tuple[dict[int, list[RawTable]], list[Problem]]:
    """Group raw tables into collection years.

    Files in one folder (or zip) whose names carry the same year, or no year, form one
    return. Its year is the one the user stated; else a year written like 2019-20 in
    the name; else the year of the latest episode (or review) in its data; else a bare
    year in the name, read the way the other files showed it is meant."""
    if stated is not None:
        return ({stated: raws} if raws else {}), []
    problems: list[Problem] = []
    groups: dict[tuple[str, NameHint | None], list[RawTable]] = defaultdict(list)
    for raw in raws:
        groups[(raw.file.group, _hint(raw.file))].append(raw)
    _merge_unnamed(groups)

    from_data: dict[tuple[str, NameHint | None], int] = {}
    for key, members in groups.items():
        # The most trustworthy table decides: Episodes, then Reviews, Missing, SWEpisodes.
        for table_name in IN_YEAR_DATES:
            years = [
                data_year(r.table.name, r.frame) for r in members if r.table.name == table_name
            ]
            found = [y for y in years if y is not None]
            if found:
                from_data[key] = max(found)
                break
    # How this set's bare years are meant: the year that starts, or the one that ends.
    offsets = {y - k[1].year for k, y in from_data.items() if k[1] and not k[1].explicit}
    offset = offsets.pop() if len(offsets) == 1 else 0

    out: dict[int, list[RawTable]] = defaultdict(list)
    for key, members in groups.items():
        hint = key[1]
        detected = from_data.get(key)
        if hint and hint.explicit:
            chosen = hint.year
            if detected is not None and detected != chosen:
                problems.append(
                    warning(
                        members[0].file.name,
                        "year-disagrees",
                        f"The file name says {year_label(chosen)} but the latest date in the "
                        f"data falls in {year_label(detected)}; {year_label(chosen)} was used. "
                        "Give --year if that is wrong.",
                    )
                )
        elif detected is not None:
            chosen = detected
        elif hint:
            chosen = hint.year + offset
        else:
            for raw in members:
                problems.append(
                    error(
                        raw.file.name,
                        "year-unknown",
                        "Cannot tell which collection year this file belongs to: it has no "
                        "dates that say so and no year in its name. Give --year (e.g. "
                        "--year 2024/25) or import it with the rest of its return.",
                    )
                )
            continue
        out[chosen] += members
    return out, problems


def _hint(file: SourceFile) -> NameHint | None:
    return name_hint(file.stem) or name_hint(Path(file.group.replace("!", "/")).name)


def _merge_unnamed(groups: dict[tuple[str, NameHint | None], list[RawTable]]) -> None:
    """Files without a year in their name join the one named return in their folder."""
    for key in [k for k in groups if k[1] is None]:
        named = [k for k in groups if k[0] == key[0] and k[1] is not None]
        if len(named) == 1:
            groups[named[0]] += groups.pop(key)
