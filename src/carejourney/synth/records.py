"""The records of an invented child's history: periods of care, episodes, adoption steps.

Simulated by `carejourney.synth.periods` and `carejourney.synth.history`; cut into yearly
returns by `carejourney.synth.ssda903`.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_right
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from itertools import accumulate
from random import Random

from carejourney.measures.calendar import bank_holidays
from carejourney.schema.types import Nation

Date = dt.date
ONE_DAY = dt.timedelta(days=1)
YEAR_DAYS = 365.25
NEEDS_URN = frozenset({"K1", "K2", "K3", "R1", "S1"})  # Ofsted-registered placement types
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"


class Weights:
    """Values with relative weights."""

    __slots__ = ("cumulative", "values")

    def __init__(self, weights: Mapping[str, float]) -> None:
        self.values = tuple(weights)
        self.cumulative = tuple(accumulate(weights.values()))

    def pick(self, rng: Random) -> str:
        # What `Random.choices` does for one value, without its overhead (a hot path).
        found = bisect_right(self.cumulative, rng.random() * self.cumulative[-1])
        return self.values[min(found, len(self.values) - 1)]


def birthday(dob: Date, age: int) -> Date:
    try:
        return dob.replace(year=dob.year + age)
    except ValueError:  # born on 29 February
        return Date(dob.year + age, 3, 1)


def postcode(rng: Random) -> str:
    """Plausible-looking but invented: no real postcode area starts with ZZ."""
    inward = rng.choice(INWARD_LETTERS) + rng.choice(INWARD_LETTERS)
    return f"ZZ{rng.randint(1, 99)} {rng.randint(1, 9)}{inward}"


def after(rng: Random, day: Date, low: int, high: int) -> Date:
    return day + dt.timedelta(days=rng.randint(low, high))


@cache
def _closed() -> frozenset[Date]:
    return frozenset(bank_holidays(Nation.ENGLAND_AND_WALES, 1990, 2060))


@cache
def working_day(day: Date) -> Date:
    """`day`, or the last working day before it (meetings and decisions are not held at
    weekends or on bank holidays)."""
    closed = _closed()
    while day.weekday() >= 5 or day in closed:
        day -= ONE_DAY
    return day


def working_days_before(day: Date, n: int) -> Date:
    """The n-th working day before `day` (not counting `day` itself)."""
    for _ in range(n):
        day = working_day(day - ONE_DAY)
    return day


@dataclass(slots=True)
class Carer:
    post: str
    urn: str
    independent: bool  # an agency or private provider rather than the LA


@dataclass(slots=True)
class Episode:
    decom: Date
    rne: str
    ls: str
    place: str
    carer: Carer
    dec: Date | None = None  # None: still open when the simulation stops
    rec: str = ""
    reason: str = ""  # REASON_PLACE_CHANGE, when the placement changed at the end

    @property
    def provider(self) -> str:
        if self.place == "P1":
            return "PR0"
        if self.place in ("U1", "U2", "U3"):
            return "PR1"
        if self.place.startswith("A"):
            return "PR5" if self.carer.independent else "PR1"
        if self.place == "R2":
            return "PR3"
        return "PR4" if self.carer.independent else "PR1"

    @property
    def urn(self) -> str:
        return self.carer.urn if self.place in NEEDS_URN else "XXXXXXX"


@dataclass(slots=True)
class Adoption:
    decision: Date  # DATE_INT in AD1, DATE_PLACED in PlacedAdoption
    match: Date | None = None
    reversal: Date | None = None
    reversal_reason: str = ""
    foster_care: str = "0"
    adopters: tuple[str, str, str] = ("2", "MF", "L11")  # NB_ADOPTR, SEX_ADOPTR, LS_ADOPTR


@dataclass(slots=True)
class Period:
    start: Date
    end: Date | None  # None: still looked after when the simulation stops
    cin: str
    home_post: str
    episodes: list[Episode]
    adoption: Adoption | None
    prev_perm: tuple[str, str, str] = ("Z1", "", "")  # PREV_PERM, LA_PERM, DATE_PERM
    # How the period was planned to end: "adopt", "sgo", "home", "longterm", "other" or
    # "uasc" (the path of `synth.periods`); an adoption plan may have been reversed since.
    route: str = ""
    proceedings: tuple[Date, Date] | None = None  # care proceedings issued, final hearing

    @property
    def adopted(self) -> bool:
        return self.end is not None and self.episodes[-1].rec in ("E11", "E12")


@dataclass(slots=True)
class Child:
    id: str
    male: bool
    dob: Date
    ethnic: str
    upn: str
    uasc: bool
    periods: list[Period]
    reviews: list[tuple[Date, str]] = field(default_factory=list)
    missing: list[tuple[str, Date, Date | None]] = field(default_factory=list)
    workers: list[tuple[str, Date, Date | None, str]] = field(default_factory=list)
    mother_of: Date | None = None  # date of birth of the child's own first child

    @property
    def duc(self) -> Date:
        return birthday(self.dob, 18)

    def leaver_birthdays(self) -> list[Date]:
        """Birthdays 17 to 21 after leaving care at 16 or older: when OC3 asks after them."""
        end = self.periods[-1].end
        if end is None or end < birthday(self.dob, 16):
            return []
        return [b for b in (birthday(self.dob, age) for age in range(17, 22)) if b > end]
