"""A synthetic LA's tracker: the milestones no national return holds, as a PACE group or a
permanence team would keep them, one row per milestone (CHILD, MILESTONE, DATE, NOTE).

Milestones are made for the periods of care already simulated, so they agree with the
returns: care proceedings from the simulated issue date and final hearing; the permanence
plan at (or, for some, after) the second looked-after review; the permanence recommendation
on one of the child's review dates; Legal asked for advice and sent the information some
working days before that review (about half with the 8 full working days CELCIS aimed at);
then the panel and the agency decision maker's decision. For a child with an adoption plan
the agency decision is the SSDA903 decision that the child should be placed for adoption
(AD1 DATE_INT, PlacedAdoption DATE_PLACED), so the two sources agree.

Some journeys are slow (a late recommendation, a panel long after it, a late decision, no
plan recorded), and nothing is dated after the last 31 March: children still in care are
caught part-way, so a drift list as at that date finds children overdue and children near
a reminder point. Notes hold the route, never anything about the child.
"""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from random import Random

from carejourney.schema.milestones import MILESTONES_BY_NAME
from carejourney.synth.records import (
    ONE_DAY,
    Child,
    Date,
    Period,
    working_day,
    working_days_before,
)

COLUMNS = ("CHILD", "MILESTONE", "DATE", "NOTE")
# The order milestones on the same day are written in.
ORDER = {
    name: i
    for i, name in enumerate(
        (
            "care_proceedings_issued",
            "legal_advice_requested",
            "legal_information_sent",
            "permanence_plan_agreed",
            "permanence_recommendation",
            "panel",
            "agency_decision",
            "care_proceedings_concluded",
        )
    )
}
assert set(ORDER) <= set(MILESTONES_BY_NAME)
PLANS = {
    "adopt": "adoption",
    "sgo": "special guardianship",
    "longterm": "long-term fostering",
    "uasc": "long-term fostering",
    "home": "return home",
    "other": "remain looked after",
}
PANELS = {"adopt": "adoption panel", "sgo": "permanence panel"}  # others: fostering panel

# How journeys go (the Moray and CELCIS baselines: most on time, many not).
PLAN_AT_REVIEW = ((0.15, 0), (0.8, 1), (0.92, 2))  # (cumulative chance, review index)
RECOMMENDED_ON_TIME = 0.65  # within 30 weeks of entering care (Moray Aim 2 aimed at 85%)
RECOMMENDED_LATE = (0.7, 1.0)  # (cumulative chance) at the 1st, 2nd review after 30 weeks
# Long-term fostering plans that stall: never recommended, or never taken to panel.
NEVER_RECOMMENDED = 0.05
NEVER_TO_PANEL = 0.12
PANEL_ON_TIME = 0.55  # within 15 weeks of the recommendation (Moray Aim 3 aimed at 60%)
DECISION_ON_TIME = 0.88  # within 14 days of the panel
FULL_WORKING_DAYS = (0, 16)  # information to Legal before the review; 8 or more: about half
SAME_DAY_REQUEST = 0.25  # advice asked for with the information (CELCIS referral form)

Row = tuple[Date, str, str]
DAY_MAX = Date.max


def write_tracker(path: Path, rng: Random, kids: list[Child], horizon: Date) -> Path:
    """Write `path` with every child's tracker milestones up to `horizon`; the same `rng`
    state gives the same bytes."""
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(COLUMNS)
        for child in kids:
            writer.writerows(
                (child.id, name, f"{day.day:02d}/{day.month:02d}/{day.year:04d}", note)
                for day, name, note in milestones(rng, child, horizon)
            )
    return path


def milestones(rng: Random, child: Child, horizon: Date) -> list[Row]:
    """The child's tracker milestones, each inside the period of care it belongs to and
    none after `horizon`; sorted by date."""
    out: list[Row] = []
    for period in child.periods:
        last = horizon if period.end is None else min(period.end, horizon)
        # With the reviews booked after `horizon`: information may already be with Legal.
        reviews = [day for day, _ in child.reviews if period.start <= day < (period.end or DAY_MAX)]
        out += [row for row in _period(rng, period, reviews) if period.start <= row[0] <= last]
    out.sort(key=lambda row: (row[0], ORDER[row[1]]))
    return out


def _period(rng: Random, period: Period, reviews: list[Date]) -> list[Row]:
    rows: list[Row] = []
    if period.proceedings is not None:
        issued, heard = period.proceedings
        rows += [(issued, "care_proceedings_issued", ""), (heard, "care_proceedings_concluded", "")]
    if period.adoption is not None:
        chain = _adoption(rng, period, reviews, period.adoption.decision)
    elif period.route in ("sgo", "longterm", "uasc"):
        chain = _placement(rng, period, reviews)
    elif period.route == "home" and period.proceedings is not None:
        chain = _home(rng, period, reviews, period.proceedings[1])
    else:
        chain = []
    recommended = next((day for day, name, _ in chain if name == "permanence_recommendation"), None)
    plan = _plan(rng, reviews, recommended)
    if plan is not None:
        rows.append((plan, "permanence_plan_agreed", f"plan: {PLANS[period.route]}"))
    return rows + chain


def _plan(rng: Random, reviews: list[Date], recommended: Date | None) -> Date | None:
    """Agreed at the second review mostly, at the first for some, later for a few, and for
    some never recorded; never after the recommendation."""
    chance = rng.random()
    index = next((i for top, i in PLAN_AT_REVIEW if chance < top), None)
    day = reviews[index] if index is not None and index < len(reviews) else None
    if recommended is not None and (day is None or recommended < day):
        return recommended
    return day


def _adoption(rng: Random, period: Period, reviews: list[Date], decision: Date) -> list[Row]:
    """Back from the agency decision (the date in the return): the panel a few days before
    it, the recommendation at the last review before the panel was booked."""
    panel = max(period.start, working_day(decision - dt.timedelta(_decision_days(rng))))
    rows = [(panel, "panel", PANELS["adopt"]), (decision, "agency_decision", "")]
    booked = panel - dt.timedelta(21)
    before = [day for day in reviews if day <= booked] or [day for day in reviews if day < panel]
    if not before:
        return rows
    return _recommended(rng, period, before[-1]) + rows


def _placement(rng: Random, period: Period, reviews: list[Date]) -> list[Row]:
    """Special guardianship and long-term fostering: recommended at a review (the last
    within 30 weeks of entering care, if on time), then panel and decision; a special
    guardianship order comes after both."""
    stalls = period.route != "sgo"
    if stalls and rng.random() < NEVER_RECOMMENDED:
        return []
    in_time = sum(1 for day in reviews if day <= period.start + dt.timedelta(weeks=30))
    index = in_time - 1
    if rng.random() >= RECOMMENDED_ON_TIME or index < 1:
        chance = rng.random()
        index = in_time + next(i for i, top in enumerate(RECOMMENDED_LATE) if chance < top)
    end = period.end if period.route == "sgo" else None
    if end is not None:  # the order was made: the plan went through panel before it
        reviews = [day for day in reviews[: index + 1] if day <= end - dt.timedelta(28)]
        index = len(reviews) - 1
    if not 0 <= index < len(reviews):
        return []  # not reached yet (or left care first)
    recommended = reviews[index]
    if stalls and rng.random() < NEVER_TO_PANEL:
        return _recommended(rng, period, recommended)
    on_time = rng.random() < PANEL_ON_TIME
    panel = recommended + dt.timedelta(rng.randint(28, 105) if on_time else rng.randint(106, 240))
    decision = panel + dt.timedelta(_decision_days(rng))
    if end is not None:
        panel, decision = min(panel, end - dt.timedelta(7)), min(decision, end - ONE_DAY)
    panel = working_day(panel)
    decision = max(panel, working_day(decision))
    name = PANELS.get(period.route, "fostering panel")
    return [
        *_recommended(rng, period, recommended),
        (panel, "panel", name),
        (decision, "agency_decision", ""),
    ]


def _home(rng: Random, period: Period, reviews: list[Date], heard: Date) -> list[Row]:
    """A return home planned in care proceedings: recommended at the last review before
    the final hearing; no panel."""
    before = [day for day in reviews if day <= heard - dt.timedelta(14)]
    return _recommended(rng, period, before[-1]) if before else []


def _recommended(rng: Random, period: Period, review: Date) -> list[Row]:
    """The recommendation at `review`, with Legal asked for advice and sent the
    information some full working days before it."""
    full = rng.randint(*FULL_WORKING_DAYS)
    sent = max(period.start, working_days_before(review, full + 1))
    requested = sent
    if rng.random() >= SAME_DAY_REQUEST:
        requested = max(period.start, working_day(sent - dt.timedelta(rng.randint(1, 35))))
    return [
        (requested, "legal_advice_requested", ""),
        (sent, "legal_information_sent", ""),
        (review, "permanence_recommendation", f"recommended: {PLANS[period.route]}"),
    ]


def _decision_days(rng: Random) -> int:
    """Panel to the agency decision maker's decision."""
    return rng.randint(1, 14) if rng.random() < DECISION_ON_TIME else rng.randint(15, 45)
