"""Simulate one period of care: how it will end, the dated changes on the way (legal
status, carers, placement type), and the episodes those changes make.

Each period follows a path chosen by age at entry (adoption, special guardianship, home,
long-term care to 18, other endings, or an unaccompanied asylum-seeking child's path).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from random import Random

from carejourney.schema.ssda903_codes import PLACE, REC
from carejourney.sources.years import year_of
from carejourney.synth import rates
from carejourney.synth.records import (
    ONE_DAY,
    YEAR_DAYS,
    Adoption,
    Carer,
    Date,
    Episode,
    Period,
    after,
    birthday,
    postcode,
    working_day,
)

BY_YEARS = {
    "~SEMI": (("H5", "P2", "K3"), "K2"),
    "~OTHER": (("Z1", "Z11", "Z12", "Z13", "Z14"), "K2"),
}
LONG_TERM = {"U6": "U4", "U3": "U1"}  # the same carers, now the child's long-term home


def _valid_in_years(code: str, first: int, last: int) -> bool:
    found = PLACE.lookup(code)
    return found is not None and all(found.valid_in(y) for y in range(first, last + 1))


def _rec(options: tuple[str, ...], day: Date) -> str:
    """The first of `options` (in order of preference) valid in the year of `day`."""
    year = year_of(day)
    for code in options:
        found = REC.lookup(code)
        if found is not None and found.valid_in(year):
            return code
    return "E8"


@dataclass(slots=True)
class _Change:
    ls: str | None = None
    place: str | None = None
    carer: Carer | None = None  # the new carer; None keeps the current one
    reason: str = ""


def simulate_period(
    rng: Random, dob: Date, uasc: bool, entry: Date, horizon: Date, path: str | None = None
) -> Period:
    """One period of care starting at `entry`; changes after `horizon` are not simulated.
    `path` forces how it ends ("adopt", "sgo", "home", "longterm", "other", "uasc")."""
    return _Period(rng, dob, uasc, entry, horizon).run(path)


class _Period:
    """Simulates one period of care: plans dated changes, then turns them into episodes."""

    def __init__(self, rng: Random, dob: Date, uasc: bool, entry: Date, horizon: Date) -> None:
        self.rng, self.dob, self.uasc, self.entry, self.horizon = rng, dob, uasc, entry, horizon
        self.b18 = birthday(dob, 18)
        self.home_post = postcode(rng)
        self.changes: dict[Date, _Change] = {}
        self.adoption: Adoption | None = None
        self.proceedings: tuple[Date, Date] | None = None
        self.path = ""
        self.first_place = ""

    def age(self, day: Date) -> float:
        return (day - self.dob).days / YEAR_DAYS

    # -- planning -------------------------------------------------------------------------

    def carer(self, place: str) -> Carer:
        rng = self.rng
        post = self.home_post if place == "P1" else postcode(rng)
        return Carer(post, f"SC{rng.randint(100000, 999999)}", rng.random() < 0.4)

    def placement(self, day: Date, first: bool = False) -> str:
        age = self.age(day)
        if self.uasc:
            table = rates.UASC_YOUNG if age < 16 else rates.OLDER
        elif age < 1 and first:
            table = rates.BABY
        else:
            table = next(t for top, t in rates.PLACEMENTS if age < top)
        return table.pick(self.rng)

    def at(self, day: Date) -> _Change:
        return self.changes.setdefault(day, _Change())

    def legal(self, day: Date, ls: str) -> None:
        self.at(day).ls = ls

    def move(self, day: Date, place: str | None = None, reason: str | None = None) -> None:
        change = self.at(day)
        change.place = place or self.placement(day)
        change.carer = self.carer(change.place)
        change.reason = reason or rates.MOVE_REASONS.pick(self.rng)

    def moves(self, stop: Date, per_year: float | None = None) -> None:
        """Unplanned moves to new carers, at random, until `stop`."""
        if per_year is None:
            age = self.age(self.entry)
            per_year = next(rate for top, rate in rates.MOVES_PER_YEAR if age < top)
        day, stop = self.entry, min(stop, self.horizon)
        while True:
            day += dt.timedelta(days=1 + int(self.rng.expovariate(per_year / 365)))
            if day >= stop:
                return
            self.move(day)

    def court(self, ls: str, wants_order: bool) -> Date | None:
        """Care proceedings: the date of the final hearing, or None when there are none."""
        rng = self.rng
        wants_order = wants_order and self.age(self.entry) < 15.5  # orders end at 18
        if ls in ("L1", "L2"):
            issued = after(rng, self.entry, 1, 8)
            self.legal(issued, "C1" if wants_order else "V2")
            if not wants_order:
                return None
        elif ls == "V2" and wants_order:
            issued = after(rng, self.entry, 20, 150)
            self.legal(issued, "C1")
            if rng.random() < 0.3:
                self.move(issued)
        elif ls == "C1":
            issued = self.entry
        else:
            return None
        days = rates.proceedings_days(rng, adoption=self.path == "adopt")
        heard = working_day(issued + dt.timedelta(days=days))
        self.proceedings = (issued, heard)
        return heard

    def to_adulthood(self) -> tuple[Date, str]:
        rng, b16 = self.rng, birthday(self.dob, 16)
        if not self.uasc and rng.random() < 0.45 and b16 < self.b18:
            self.move(after(rng, max(b16, self.entry), 1, 400), "~SEMI", "CARPL")
        low = max(b16, self.entry + dt.timedelta(days=30))
        if rng.random() < 0.12 and (self.b18 - low).days > 60:
            return after(rng, low, 0, (self.b18 - low).days - 30), rates.EARLY_LEAVING.pick(rng)
        return self.b18, "~18"

    # -- how the period ends --------------------------------------------------------------

    def adopt(self, ls: str, consent: bool) -> tuple[Date, str]:
        rng = self.rng
        fh = self.court(ls, wants_order=not consent)
        if consent:  # relinquished: no proceedings
            decision = after(rng, self.entry, 20, 90)
        elif fh is None:
            decision = after(rng, self.entry, 120, 360)
        elif rng.random() < 0.85:  # decided before the final hearing, which makes both orders
            decision = max(after(rng, self.entry, 60, 90), fh - dt.timedelta(rng.randint(20, 120)))
        else:  # adoption became the plan after the care order
            decision = after(rng, fh, 30, 200)
        adoption = self.adoption = Adoption(working_day(decision))
        decision = adoption.decision
        if fh is not None and rng.random() < 0.12:
            return self.reversed(adoption, fh)
        order = decision
        if fh is not None:
            order = fh if fh >= decision + dt.timedelta(14) else after(rng, decision, 40, 150)
        if fh is not None and fh < order:
            self.legal(fh, "C2")  # a care order first; the placement order comes later
        if fh is not None:
            self.legal(order, "E1")
        adoption.match = order + dt.timedelta(rates.placement_order_to_match(rng))
        placed = adoption.match + dt.timedelta(rates.match_to_placed(rng))
        if self.first_place != "U5":
            self.moves(placed - dt.timedelta(days=7), per_year=0.35)
        change = self.at(placed)
        # "~A": placed for adoption; with the current foster carers when they adopt.
        change.place = "~AS" if self.first_place == "U5" or rng.random() < 0.1 else "~A"
        change.place += "C" if consent else ""
        change.carer = self.carer("A6")
        change.reason = "CARPL"
        for day in [d for d in self.changes if d > placed]:  # the child stays with the adopters
            del self.changes[day]
        rec = "E11" if consent or rng.random() < 0.4 else "E12"
        return placed + dt.timedelta(rates.placed_to_order(rng)), rec

    def reversed(self, adoption: Adoption, fh: Date) -> tuple[Date, str]:
        rng = self.rng
        if fh > adoption.decision and rng.random() < 0.3:
            adoption.reversal, adoption.reversal_reason = fh, "RD2"
        else:
            adoption.reversal = after(rng, adoption.decision, 30, 300)
            adoption.reversal_reason = rng.choice(("RD1", "RD3", "RD4"))
        self.legal(fh, "C2")
        settled = max(fh, adoption.reversal)
        self.moves(settled)
        plan = rng.random()
        if plan < 0.4:
            return after(rng, settled, 60, 500), "~SGO"
        if plan < 0.55:
            return after(rng, settled, 30, 300), "E4A"
        self.at(after(rng, settled, 30, 200)).place = "~LONG"
        return self.to_adulthood()

    def sgo(self, ls: str) -> tuple[Date, str]:
        rng = self.rng
        fh = self.court(ls, wants_order=ls != "V2" or rng.random() < 0.5)
        if fh is None:
            exit_day = after(rng, self.entry, 200, 800)
        elif rng.random() < 0.55:
            exit_day = fh
        else:
            self.legal(fh, "C2")
            exit_day = after(rng, fh, 120, 700)
        if self.first_place not in ("U3", "U1") and rng.random() < 0.5:
            to_kin = after(rng, self.entry, 10, max(10, (exit_day - self.entry).days - 30))
            self.moves(to_kin)
            self.move(to_kin, "U3", "CARPL")
        else:
            self.moves(exit_day)
        return exit_day, "~SGO"

    def home(self, ls: str) -> tuple[Date, str]:
        rng = self.rng
        fh = self.court(ls, wants_order=ls != "V2")
        exit_day = self.entry + dt.timedelta(days=7 + int(rng.expovariate(1 / 200)))
        self.moves(exit_day)
        if fh is not None and exit_day > fh:
            self.legal(fh, "C2")
            if (exit_day - fh).days > 45 and rng.random() < 0.5:
                self.move(after(rng, fh, 1, (exit_day - fh).days - 30), "P1", "CARPL")
        return exit_day, rates.HOME_EXITS.pick(rng)

    def longterm(self, ls: str) -> tuple[Date, str]:
        rng = self.rng
        fh = self.court(ls, wants_order=ls != "V2" or rng.random() < 0.5)
        if fh is not None:
            self.legal(fh, "C2")
        if fh is not None and rng.random() < 0.4:
            self.at(fh).place = "~LONG"  # the final hearing confirms the carers: an U episode
        elif rng.random() < 0.5:
            self.at(after(rng, fh or self.entry, 30, 400)).place = "~LONG"
        exit_day, rec = self.to_adulthood()
        self.moves(exit_day)
        return exit_day, rec

    def other(self, ls: str) -> tuple[Date, str]:
        rng = self.rng
        if ls == "J1":
            exit_day = after(rng, self.entry, 5, 150)
            rec = "E14" if rng.random() < 0.7 else "E9"
        else:
            exit_day = after(rng, self.entry, 20, 700)
            exits = rates.OTHER_EXITS_TEEN if self.age(exit_day) >= 13 else rates.OTHER_EXITS
            rec = exits.pick(rng)
        self.moves(exit_day)
        return exit_day, rec

    def unaccompanied(self) -> tuple[Date, str]:
        rng = self.rng
        chance = rng.random()
        if chance < 0.1:  # an age assessment found the young person to be an adult
            exit_day, rec = after(rng, self.entry, 20, 200), "E15"
        elif chance < 0.15:
            exit_day, rec = after(rng, self.entry, 30, 500), rng.choice(("E16", "E8"))
        else:
            exit_day, rec = self.to_adulthood()
        self.moves(exit_day, per_year=0.6)
        return exit_day, rec

    def run(self, path: str | None) -> Period:
        rng, age = self.rng, self.age(self.entry)
        if path is None:
            path = "uasc" if self.uasc else next(w for top, w in rates.PATHS if age < top).pick(rng)
        self.path = path
        consent = path == "adopt" and rng.random() < 0.15
        if self.uasc or consent or age >= 16:
            ls = "V2"
        elif path == "other" and age >= 12 and rng.random() < 0.35:
            ls = "J1"
        else:
            ls = rates.FIRST_LS.get(path, rates.FIRST_LS["other"]).pick(rng)
        self.first_place = place = self.placement(self.entry, first=True)
        if place == "R3":  # mother and baby units are for assessment: weeks, not years
            self.move(after(rng, self.entry, 30, 180), None, "CARPL")
        ends: dict[str, Callable[[], tuple[Date, str]]] = {
            "adopt": lambda: self.adopt(ls, consent),
            "sgo": lambda: self.sgo(ls),
            "home": lambda: self.home(ls),
            "longterm": lambda: self.longterm(ls),
            "other": lambda: self.other(ls),
            "uasc": self.unaccompanied,
        }
        exit_day, rec = ends[path]()
        if exit_day >= self.b18:
            exit_day, rec = self.b18, "~18"
        end = exit_day if exit_day <= self.horizon else None
        episodes = self.episodes(ls, place, end)
        _settle_places(rng, episodes, self.horizon)
        if end is not None:
            episodes[-1].rec = _settle_rec(rng, rec, episodes[-1].place, end)
        adoption = self.adoption
        if adoption is not None:
            placed = next((e for e in episodes if e.place.startswith("A")), None)
            adoption.foster_care = "1" if placed is not None and placed.rne in "TU" else "0"
        cin = "N8" if self.uasc else rates.CIN.pick(rng)  # N8: absent parenting
        period = Period(self.entry, end, cin, self.home_post, episodes, adoption)
        period.route, period.proceedings = path, self.proceedings
        return period

    # -- from dated changes to episodes -----------------------------------------------------

    def episodes(self, ls: str, place: str, end: Date | None) -> list[Episode]:
        carer = self.carer(place)
        episodes = [Episode(self.entry, "S", ls, place, carer)]
        last = self.horizon if end is None else end - ONE_DAY
        for day in sorted(self.changes):
            if day <= self.entry or day > last:
                continue
            change = self.changes[day]
            new_ls = change.ls if change.ls is not None and change.ls != ls else None
            new_place, new_carer = _resolve(change, place)
            if new_place is None and new_ls is None:
                continue
            if new_place is None:
                rne, reason = "L", ""
            elif new_carer is not None:
                rne, reason = ("P" if new_ls is None else "B"), change.reason
            else:
                rne, reason = ("T" if new_ls is None else "U"), "PLACE"
            ls, place, carer = new_ls or ls, new_place or place, new_carer or carer
            episodes[-1].dec, episodes[-1].rec, episodes[-1].reason = day, "X1", reason
            episodes.append(Episode(day, rne, ls, place, carer))
        episodes[-1].dec = end
        return episodes


def _resolve(change: _Change, place: str) -> tuple[str | None, Carer | None]:
    """The placement a change leads to (None if unchanged) and its new carer (None if the
    same carers)."""
    target = change.place
    if target is None:
        return None, None
    if target == "~LONG":
        long_term = LONG_TERM.get(place)
        return long_term, None
    if target.startswith("~A"):
        consent = target.endswith("C")
        if target.startswith("~AS") and place.startswith("U"):
            return ("A3" if consent else "A5"), None
        return ("A4" if consent else "A6"), change.carer
    return target, change.carer


def _settle_places(rng: Random, episodes: list[Episode], horizon: Date) -> None:
    """Give "~SEMI" and "~OTHER" placements a code valid in every year they are open:
    each episode is repeated in every return of those years."""
    i = 0
    while i < len(episodes):
        j = i
        while j + 1 < len(episodes) and episodes[j + 1].carer is episodes[i].carer:
            j += 1
        choices = BY_YEARS.get(episodes[i].place)
        if choices is not None:
            end = episodes[j].dec or horizon
            first, last = year_of(episodes[i].decom), year_of(min(end, horizon))
            valid = [c for c in choices[0] if _valid_in_years(c, first, last)]
            code = rng.choice(valid) if valid else choices[1]
            for episode in episodes[i : j + 1]:
                episode.place = code
        i = j + 1


def _settle_rec(rng: Random, rec: str, place: str, day: Date) -> str:
    """A reason for leaving care that depends on the last placement and the year."""
    if rec == "~SGO":
        if place in ("U1", "U2", "U3"):
            return _rec(("E45", "E43"), day)
        if place.startswith("U") and rng.random() < 0.3:
            return _rec(("E46", "E43"), day)
        return _rec(("E47", "E44") if rng.random() < 0.8 else ("E48", "E44"), day)
    if rec == "~18":
        if place.startswith("U") and rng.random() < 0.6:
            return "E17"  # staying put with the foster carers
        return rates.ADULT_EXITS.pick(rng)
    return rec
