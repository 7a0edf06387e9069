"""Write a synthetic local authority's SSDA903 returns: one CSV file per table per year.

The children's whole histories are simulated first (`carejourney.synth.history`) and then
cut into yearly returns the way the DfE collects them: a year's Episodes hold every
episode open at any time in the year, repeated with its original DECOM, and an episode
still open at 31 March has DEC and REC blank.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from functools import cache
from pathlib import Path
from random import Random

from carejourney.schema.ssda903 import TABLES
from carejourney.schema.ssda903_codes import ACTIV, SEX
from carejourney.sources.years import year_end, year_of, year_start
from carejourney.synth.history import simulate
from carejourney.synth.records import YEAR_DAYS, Child, Date, Period, Weights
from carejourney.synth.tracker import write_tracker

FILE_NAMES = {
    "Header": "header",
    "Episodes": "episodes",
    "Reviews": "reviews",
    "UASC": "uasc",
    "OC2": "oc2",
    "OC3": "oc3",
    "AD1": "ad1",
    "PlacedAdoption": "placed_adoption",
    "PrevPerm": "prev_perm",
    "Missing": "missing",
    "SWEpisodes": "sw_episodes",
}
IN_TOUCH = Weights({"YES": 85, "NO": 5, "REFU": 3, "NREQ": 3, "RHOM": 3, "DIED": 0.3})
ACTIVITIES = {"F1": 6, "P1": 1, "F2": 20, "P2": 3, "F3": 15, "P3": 4, "F4": 4, "P4": 1}
ACTIVITIES |= {"F5": 11, "P5": 3, "G4": 8, "G5": 25, "G6": 5}
ACCOMMODATION = Weights(
    {"U": 30, "D": 15, "B": 10, "E": 10, "Z": 10, "K": 5, "T": 5, "C": 4, "X": 3, "Y": 3}
    | {"V": 2, "R": 1, "S": 1, "W": 1}
)
SDQ_REASONS = Weights({"SDQ2": 30, "SDQ3": 10, "SDQ4": 45, "SDQ5": 15})

Row = dict[str, str]


def write_returns(
    outdir: Path, *, children: int, years: int, seed: int, la: str = "999", last_year: int = 2025
) -> list[Path]:
    """Write `years` collection years ending with `last_year` for `children` invented
    children, into `{outdir}/{la}_{year}-{yy}/{table}.csv`, and the LA's tracker of the
    milestones no return holds into `{outdir}/tracker.csv` (see `synth.tracker`). The same
    arguments always give byte-identical files. Returns the paths written."""
    if children < 1 or years < 1:
        raise ValueError("children and years must be at least 1")
    rng = Random(seed)
    first_year = last_year - years + 1
    kids = simulate(rng, children=children, first_year=first_year, last_year=last_year)
    written: list[Path] = []
    leaving = {child.id: child.leaver_birthdays() for child in kids}
    for year in range(first_year, last_year + 1):
        rows = _cut(rng, kids, leaving, year)
        folder = outdir / f"{la}_{year}-{(year + 1) % 100:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for table in TABLES:
            if table.first_year is not None and year < table.first_year:
                continue
            path = folder / f"{FILE_NAMES.get(table.name, table.name.lower())}.csv"
            _write(path, table.column_names, rows[table.name])
            written.append(path)
    # Its own random numbers, so the tracker never changes what the returns hold.
    tracker_rng = Random(f"tracker {seed}")
    written.append(write_tracker(outdir / "tracker.csv", tracker_rng, kids, year_end(last_year)))
    written.append(_write_allocation(outdir / "allocation.csv", kids, year_end(last_year)))
    return written


TEAMS = ("Permanence North", "Permanence South", "Children in Care East", "Children in Care West")


def _write_allocation(path: Path, kids: list[Child], last_day: Date) -> Path:
    """Each child in care on the last day, with their social worker then and the team that
    worker is in (workers are split between four teams by their number)."""
    rows = []
    for child in kids:
        if child.periods[-1].end is not None and child.periods[-1].end <= last_day:
            continue
        current = [
            w for w in child.workers if w[1] <= last_day and (w[2] is None or w[2] >= last_day)
        ]
        worker = current[-1][0] if current else ""
        number = int("".join(c for c in worker if c.isdigit()) or 0)
        rows.append({"CHILD": child.id, "TEAM": TEAMS[number % len(TEAMS)], "WORKER": worker})
    _write(path, ("CHILD", "TEAM", "WORKER"), sorted(rows, key=lambda r: r["CHILD"]))
    return path


def _write(path: Path, columns: tuple[str, ...], rows: Iterable[Row]) -> None:
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows([row.get(c, "") for c in columns] for row in rows)


@cache
def _date(day: Date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year:04d}"


def _d(day: Date | None) -> str:
    return "" if day is None else _date(day)


def _flag(rng: Random, chance: float) -> str:
    return "1" if rng.random() < chance else "0"


def _cut(
    rng: Random, kids: list[Child], leaving_on: dict[str, list[Date]], year: int
) -> dict[str, list[Row]]:
    """Every table's rows for one collection year. `leaving_on`: each child's birthdays
    that fall after leaving care, when OC3 asks after care leavers."""
    start, end = year_start(year), year_end(year)
    male, female = ("M", "F") if "M" in SEX.values(year) else ("1", "2")
    valid = ACTIV.values(year)
    activities = Weights({code: w for code, w in ACTIVITIES.items() if code in valid})
    rows: dict[str, list[Row]] = {t.name: [] for t in TABLES}
    for child in kids:
        periods = [p for p in child.periods if p.start <= end and (p.end is None or p.end >= start)]
        leaving = [b for b in leaving_on[child.id] if start <= b <= end]
        if not periods and not leaving:
            continue
        cid, dob = child.id, _date(child.dob)
        sex = male if child.male else female
        rows["Header"].append(_header(child, sex, end))
        for period in periods:
            rows["Episodes"] += _episodes(cid, period, start, end)
            rows["AD1"] += _adopted(cid, dob, period, end)
            rows["PlacedAdoption"] += _placed(cid, dob, period, year)
        entered = [p for p in periods if p.start >= start]
        if entered:
            perm, la, when = entered[-1].prev_perm
            rows["PrevPerm"].append(
                {"CHILD": cid, "DOB": dob, "PREV_PERM": perm, "LA_PERM": la, "DATE_PERM": when}
            )
        if periods and child.uasc:
            rows["UASC"].append({"CHILD": cid, "SEX": sex, "DOB": dob, "DUC": _date(child.duc)})
        last = periods[-1] if periods else None
        if last and last.start < start and (last.end is None or last.end > end):
            rows["OC2"].append({"CHILD": cid, "DOB": dob} | _outcomes(rng, child.dob, end))
        if leaving:
            rows["OC3"].append({"CHILD": cid, "DOB": dob} | _leaver(rng, activities))
        rows["Reviews"] += [
            {"CHILD": cid, "DOB": dob, "REVIEW": _date(day), "REVIEW_CODE": code}
            for day, code in child.reviews
            if start <= day <= end
        ]
        rows["Missing"] += [
            {"CHILD": cid, "DOB": dob, "MISSING": kind, "MIS_START": _date(went)}
            | {"MIS_END": _d(back) if back is not None and back <= end else ""}
            for kind, went, back in child.missing
            if start <= went <= end
        ]
        rows["SWEpisodes"] += [
            {"CHILD": cid, "DOB": dob, "SW_ID": name, "SW_DECOM": _date(began)}
            | ({"SW_DEC": _date(ended), "SW_REASON": reason} if ended and ended <= end else {})
            for name, began, ended, reason in child.workers
            if began <= end and (ended is None or ended >= start)
        ]
    return rows


def _episodes(cid: str, period: Period, start: Date, end: Date) -> list[Row]:
    rows = []
    for e in period.episodes:
        if e.decom > end or (e.dec is not None and e.dec < start):
            continue
        row = {
            "CHILD": cid,
            "DECOM": _date(e.decom),
            "RNE": e.rne,
            "LS": e.ls,
            "CIN": period.cin,
            "PLACE": e.place,
            "PLACE_PROVIDER": e.provider,
            "HOME_POST": period.home_post,
            "PL_POST": e.carer.post,
            "URN": e.urn,
        }
        if e.dec is not None and e.dec <= end:  # else still open at 31 March: left blank
            row |= {"DEC": _date(e.dec), "REC": e.rec, "REASON_PLACE_CHANGE": e.reason}
        rows.append(row)
    return rows


def _adopted(cid: str, dob: str, period: Period, end: Date) -> list[Row]:
    adoption = period.adoption
    if adoption is None or not period.adopted or period.end is None or period.end > end:
        return []
    number, sexes, status = adoption.adopters
    return [
        {
            "CHILD": cid,
            "DOB": dob,
            "DATE_INT": _date(adoption.decision),
            "DATE_MATCH": _d(adoption.match),
            "FOSTER_CARE": adoption.foster_care,
            "NB_ADOPTR": number,
            "SEX_ADOPTR": sexes,
            "LS_ADOPTR": status,
        }
    ]


def _placed(cid: str, dob: str, period: Period, year: int) -> list[Row]:
    """The decision to place for adoption, in the year it was made and the year it was
    reversed."""
    adoption = period.adoption
    if adoption is None:
        return []
    reversal = adoption.reversal
    if year_of(adoption.decision) != year and (reversal is None or year_of(reversal) != year):
        return []
    row = {"CHILD": cid, "DOB": dob, "DATE_PLACED": _date(adoption.decision)}
    if reversal is not None and reversal <= year_end(year):
        row |= {"DATE_PLACED_CEASED": _date(reversal)}
        row |= {"REASON_PLACED_CEASED": adoption.reversal_reason}
    return [row]


def _header(child: Child, sex: str, end: Date) -> Row:
    mother = mc_dob = ""
    if not child.male and (end - child.dob).days >= 12 * YEAR_DAYS:
        is_mother = child.mother_of is not None and child.mother_of <= end
        mother, mc_dob = ("1", _d(child.mother_of)) if is_mother else ("0", "")
    return {
        "CHILD": child.id,
        "SEX": sex,
        "DOB": _date(child.dob),
        "ETHNIC": child.ethnic,
        "UPN": child.upn,
        "MOTHER": mother,
        "MC_DOB": mc_dob,
    }


def _outcomes(rng: Random, dob: Date, end: Date) -> Row:
    """OC2: health, offending and substance misuse of a child looked after for 12 months."""
    age = (end - dob).days / YEAR_DAYS
    score, reason = "", "SDQ1"  # under 4 or over 16: no questionnaire
    if 4 <= age < 17:
        if rng.random() < 0.8:
            score, reason = str(min(40, max(0, round(rng.gauss(14, 6))))), ""
        else:
            reason = SDQ_REASONS.pick(rng)
    misuse = age >= 11 and rng.random() < 0.04
    received = misuse and rng.random() < 0.6
    offered = received or (misuse and rng.random() < 0.7)
    return {
        "SDQ_SCORE": score,
        "SDQ_REASON": reason,
        "CONVICTED": _flag(rng, 0.03 if age >= 10 else 0),
        "HEALTH_CHECK": _flag(rng, 0.9),
        "IMMUNISATIONS": _flag(rng, 0.85),
        "TEETH_CHECK": _flag(rng, 0.8),
        "HEALTH_ASSESSMENT": _flag(rng, 0.9),
        "SUBSTANCE_MISUSE": "1" if misuse else "0",
        "INTERVENTION_RECEIVED": "1" if received else "0",
        "INTERVENTION_OFFERED": "1" if offered else "0",
    }


def _leaver(rng: Random, activities: Weights) -> Row:
    """OC3: a care leaver's contact, activity and accommodation around a birthday."""
    in_touch = IN_TOUCH.pick(rng)
    if in_touch != "YES":
        return {"IN_TOUCH": in_touch, "ACTIV": "0", "ACCOM": "0"}
    suitable = "1" if rng.random() < 0.88 else "2"
    accom = ACCOMMODATION.pick(rng) + suitable
    return {"IN_TOUCH": in_touch, "ACTIV": activities.pick(rng), "ACCOM": accom}
