"""Invented care histories: every child's periods of care, reviews, missing episodes and
social workers, simulated over the whole span before any return is cut from them.

Simulating first means the yearly returns of one synthetic LA agree with each other the
way a real LA's do. Rates and durations are calibrated to national figures in
`synth.rates`; reviews keep the statutory timetable.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from carejourney.sources.years import year_end, year_of, year_start
from carejourney.synth.periods import simulate_period
from carejourney.synth.rates import RETURN_CHANCE
from carejourney.synth.records import (
    ONE_DAY,
    YEAR_DAYS,
    Child,
    Date,
    Period,
    Weights,
    after,
    birthday,
    working_day,
)

AGE_BANDS = Weights({"newborn": 10, "infant": 10, "1-4": 14, "5-9": 15, "10-15": 31, "16-17": 22})
BAND_DAYS = {  # age at entry, in days
    "newborn": (0, 30),
    "infant": (31, 364),
    "1-4": (365, 1825),
    "5-9": (1826, 3652),
    "10-15": (3653, 5843),
    "16-17": (5844, 6520),
}
ETHNIC = Weights(
    {"WBRI": 70, "WOTH": 5, "MWBC": 3, "MWBA": 1, "MWAS": 2, "MOTH": 3, "AIND": 1, "APKN": 2}
    | {"ABAN": 1, "AOTH": 2, "BCRB": 1, "BAFR": 3, "BOTH": 1, "CHNE": 0.5, "OOTH": 3}
    | {"WIRI": 0.5, "WIRT": 0.3, "WROM": 0.5, "REFU": 0.2, "NOBT": 1}
)
UASC_ETHNIC = Weights({"BAFR": 35, "AOTH": 25, "OOTH": 25, "WOTH": 10, "BOTH": 5})
REVIEW_CODES = Weights({"PN1": 50, "PN2": 10, "PN3": 3, "PN4": 5, "PN5": 8, "PN6": 14, "PN7": 10})
SW_REASONS = Weights(
    {"LEFTRL": 30, "MANAGE": 20, "TSPROC": 20, "ORGRST": 10, "CHCHAN": 8, "ABSENC": 5}
    | {"FCONTA": 4, "PCCHAN": 2, "OTHERS": 1}
)
PREV_PERM = Weights({"Z1": 80, "P4": 5, "P1": 3, "P2": 6, "P3": 6})
COUPLES = Weights({"MF": 80, "FF": 10, "MM": 10})
RETURNED_HOME = frozenset({"E4A", "E4B", "E13", "E41"})  # those who may come back into care
BOOKED_AHEAD = dt.timedelta(days=42)
BROUGHT_FORWARD = frozenset({"adopt", "sgo", "longterm", "uasc"})
EARLIER = dt.timedelta(days=6 * 365)  # how far before the span children may have entered care


@dataclass(frozen=True)
class _Case:
    """A child invented to order, so that the rarer tables have rows in every year."""

    band: str
    path: str
    uasc: bool
    window: tuple[Date, Date]  # entered care between these dates
    year: int
    wanted: Callable[[Child, int], bool]


def simulate(rng: Random, *, children: int, first_year: int, last_year: int) -> list[Child]:
    """`children` invented children, each in at least one return from `first_year` to
    `last_year`; sorted by CHILD."""
    span = (year_start(first_year), year_end(last_year))
    ids = sorted(rng.sample(range(100_000, 1_000_000), children))
    names = [f"SW{n:04d}" for n in range(1, max(5, children // 12) + 1)]
    cases = _cases(first_year, last_year) if children >= 100 else []
    slots = dict(zip(rng.sample(range(children), min(children, len(cases))), cases, strict=False))
    # Already in care at the start: about 3 years' worth of entrants, as in a steady state.
    before = 3 / (last_year - first_year + 4)
    return [_child(rng, str(c), slots.get(i), span, before, names) for i, c in enumerate(ids)]


def _child(
    rng: Random,
    cid: str,
    case: _Case | None,
    span: tuple[Date, Date],
    before: float,
    names: list[str],
) -> Child:
    horizon = span[1]
    child: Child | None = None
    earlier = rng.random() < before
    for attempt in range(300 if case else 30):
        if case is not None:
            low, high = case.window
        elif earlier and attempt < 29:  # most who entered earlier have left: try again
            low, high = span[0] - EARLIER, span[0] - ONE_DAY
        else:
            low, high = span
        entry = after(rng, low, 0, (high - low).days)
        age_days = rng.randint(*BAND_DAYS[case.band if case else AGE_BANDS.pick(rng)])
        uasc = case.uasc if case else age_days > 14 * YEAR_DAYS and rng.random() < 0.25
        dob = entry - dt.timedelta(days=age_days)
        periods = _periods(rng, dob, uasc, entry, horizon, case.path if case else None)
        child = Child(cid, rng.random() < (0.9 if uasc else 0.55), dob, "", "", uasc, periods)
        runner = uasc if case else rng.random() < 0.25  # goes missing often
        for period in periods:
            child.missing += _missing(rng, dob, period, horizon, runner)
        if case.wanted(child, case.year) if case else _in_span(child, span):
            break
    assert child is not None
    child.ethnic = (UASC_ETHNIC if child.uasc else ETHNIC).pick(rng)
    child.upn = f"A{rng.randint(0, 10**12 - 1):012d}"
    for period in child.periods:
        period.prev_perm = _prev_perm(rng, child.dob, period.start)
        if period.adoption is not None:
            period.adoption.adopters = _adopters(rng)
        child.reviews += _reviews(rng, child.dob, period, horizon)
        child.workers += _workers(rng, names, period, horizon)
    if not child.male and rng.random() < 0.05:
        child.mother_of = _first_child(rng, child, horizon)
    return child


def _periods(
    rng: Random, dob: Date, uasc: bool, entry: Date, horizon: Date, path: str | None
) -> list[Period]:
    """One period of care, and another after some returns home."""
    periods: list[Period] = []
    while True:
        period = simulate_period(rng, dob, uasc, entry, horizon, path)
        periods.append(period)
        if period.end is None or period.adoption is not None or len(periods) == 3:
            return periods
        if period.episodes[-1].rec not in RETURNED_HOME or rng.random() >= RETURN_CHANCE:
            return periods
        entry, path = after(rng, period.end, 60, 900), None
        if entry > horizon or (entry - dob).days >= 17 * YEAR_DAYS:
            return periods


def _in_span(child: Child, span: tuple[Date, Date]) -> bool:
    end = child.periods[-1].end
    return end is None or end >= span[0] or any(b >= span[0] for b in child.leaver_birthdays())


def _adopted(child: Child, year: int) -> bool:
    return any(p.adopted and p.end is not None and year_of(p.end) == year for p in child.periods)


def _decided(child: Child, year: int) -> bool:
    """A decision to place for adoption in `year`, looked after from before the year to
    after it (so in OC2 too)."""
    start, end = year_start(year), year_end(year)
    return any(
        p.adoption is not None
        and year_of(p.adoption.decision) == year
        and p.start < start
        and (p.end is None or p.end > end)
        for p in child.periods
    )


def _leaver(child: Child, year: int) -> bool:
    return any(year_of(b) == year for b in child.leaver_birthdays())


def _unaccompanied(child: Child, year: int) -> bool:
    """Entered care in `year` (so in PrevPerm) and went missing in it."""
    entered = any(year_of(p.start) == year for p in child.periods)
    return entered and any(year_of(went) == year for _, went, _ in child.missing)


def _cases(first_year: int, last_year: int) -> list[_Case]:
    """Per year: a child adopted; a decision to place for adoption; a care leaver with a
    birthday for OC3; an unaccompanied asylum-seeking child who goes missing. With them
    every table has rows in every year."""
    cases = []
    for year in range(first_year, last_year + 1):
        cases += [
            _Case("infant", "adopt", False, _window(year, -900, -250), year, _adopted),
            _Case("newborn", "adopt", False, _window(year, -250, -1), year, _decided),
            _Case("16-17", "longterm", False, _window(year, -1800, -400), year, _leaver),
            _Case("16-17", "uasc", True, _window(year, 0, 200), year, _unaccompanied),
        ]
    return cases


def _window(year: int, low: int, high: int) -> tuple[Date, Date]:
    """Days from the start of `year`."""
    start = year_start(year)
    return start + dt.timedelta(days=low), start + dt.timedelta(days=high)


def _reviews(rng: Random, dob: Date, period: Period, horizon: Date) -> list[tuple[Date, str]]:
    """First review within 20 working days (a few late), the second three months later,
    then every six months; always on a working day. For some children heading for
    permanence away from home a third review is brought forward, to make the permanence
    recommendation within 30 weeks of entering care. Reviews already booked after
    `horizon` are included (the tracker may have prepared for them); no return holds them."""
    last = horizon + BOOKED_AHEAD if period.end is None else period.end - ONE_DAY
    first_gap = (10, 27) if rng.random() < 0.95 else (28, 50)
    gaps = [(80, 92)]
    if period.route in BROUGHT_FORWARD and rng.random() < 0.5:
        gaps.append((50, 95))
    day = after(rng, period.start, *first_gap)
    out = []
    while day <= last:
        young = (day - dob).days < 4 * YEAR_DAYS
        day = working_day(day)  # the next is due from the day this one was held
        out.append((day, "PN0" if young else REVIEW_CODES.pick(rng)))
        day = after(rng, day, *(gaps[len(out) - 1] if len(out) <= len(gaps) else (150, 183)))
    return out


def _missing(
    rng: Random, dob: Date, period: Period, horizon: Date, runner: bool
) -> list[tuple[str, Date, Date | None]]:
    limit = horizon if period.end is None else period.end
    day = max(period.start, birthday(dob, 11))
    per_year = 4.0 if runner else 0.15
    out: list[tuple[str, Date, Date | None]] = []
    while True:
        day += dt.timedelta(days=1 + int(rng.expovariate(per_year / 365)))
        if day >= limit:
            return out
        back = min(limit, day + dt.timedelta(days=int(rng.expovariate(1 / 1.5))))
        out.append(("M" if rng.random() < 0.6 else "A", day, None if back > horizon else back))
        day = back


def _workers(
    rng: Random, names: list[str], period: Period, horizon: Date
) -> list[tuple[str, Date, Date | None, str]]:
    """Allocated social workers, changing every ten months or so."""
    limit = horizon if period.end is None else period.end
    day, name = period.start, rng.choice(names)
    out: list[tuple[str, Date, Date | None, str]] = []
    while True:
        change = day + dt.timedelta(days=30 + int(rng.expovariate(1 / 300)))
        if change >= limit:
            out.append((name, day, period.end, "" if period.end is None else "OTHERS"))
            return out
        out.append((name, day, change, SW_REASONS.pick(rng)))
        day, previous = change, name
        while name == previous:
            name = rng.choice(names)


def _first_child(rng: Random, child: Child, horizon: Date) -> Date | None:
    """A date of birth for a girl's own child, while she was looked after and 14 or older."""
    for period in child.periods:
        low = max(period.start, birthday(child.dob, 14))
        high = min(period.end or horizon, birthday(child.dob, 18) - ONE_DAY)
        if low < high:
            return after(rng, low, 0, (high - low).days)
    return None


def _adopters(rng: Random) -> tuple[str, str, str]:
    """NB_ADOPTR, SEX_ADOPTR and LS_ADOPTR that agree (DfE rules 514, 519, 520, 524)."""
    if rng.random() < 0.15:
        return "1", ("F1" if rng.random() < 0.85 else "M1"), "L0"
    sexes = COUPLES.pick(rng)
    if sexes == "MF":
        return "2", sexes, "L11"
    return "2", sexes, ("L12" if rng.random() < 0.6 else "L2")


def _prev_perm(rng: Random, dob: Date, entry: Date) -> tuple[str, str, str]:
    code = PREV_PERM.pick(rng)
    if code in ("Z1", "P4"):
        return code, "", ""
    if (entry - dob).days < 400:  # too young to have had an earlier order
        return "Z1", "", ""
    order = after(rng, dob, 180, (entry - dob).days - 180)
    la = rng.choice(("999", "999", "201", "316", "873", "926"))
    day = "zz" if rng.random() < 0.2 else f"{order.day:02d}"  # the DfE allows part dates
    return code, la, f"{day}/{order.month:02d}/{order.year}"
