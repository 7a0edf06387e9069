"""A synthetic LA's demand: contacts into the service, the assessments and help that
followed, and the CIN census referrals and assessments derived from them.

About `failure_share` of the contacts in the period are failure demand (Cumbria's systems
review found 57%), made by construction from the value contacts they follow (see
`synth.contacts`). A team records value or failure demand, and what mattered to the family,
on a sample of contacts (a demand-capture sheet), not on all of them.

Everything is drawn from one seeded stream of its own, so the same arguments give the same
data and the same files, byte for byte, and nothing else the synthetic LA holds changes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import polars as pl

from carejourney.measures.calendar import bank_holidays
from carejourney.measures.demand.data import DemandData, conform
from carejourney.schema.demand import DEMAND_BY_KIND, FAILURE_TYPES, OUTCOMES, WHAT_MATTERS
from carejourney.schema.types import Nation
from carejourney.synth.cin import cin_modules
from carejourney.synth.contacts import (
    CP,
    FAILURES,
    HELP_KINDS,
    NEEDS,
    NO_CONTACT,
    NO_OUTCOME,
    OUTCOME_CODES,
    SOURCES,
    VALUE,
    Contacts,
    Followed,
    Ints,
    Period,
    Rng,
    simulate,
)

CONTACT_TEAMS = ("Front door", "Early help North", "Early help South")
ASSESSMENT_TEAMS = ("Assessment team East", "Assessment team West")
RECORDED = 0.30  # contacts with a demand-capture sheet
DECISIONS = (
    "No further action: advice given",
    "Passed to early help",
    "Referred for a social care assessment",
    "Referred: child in need",
    "Strategy discussion: section 47 enquiry",
    "Child became looked after",
)
FAILURE_DECISIONS = {  # what the front door does with a repeat, a chase, a wrong door
    "REPEAT": "Information added to the open case",
    "CHASING": "Progress update given",
    "WRONG_SERVICE": "Signposted to another service",
}
LET_DOWN = (1, 6, 7)  # ownership, tell my story once, be informed: of WHAT_MATTERS
FILES = {
    "contacts": "contacts.csv",
    "assessments": "assessments.csv",
    "help": "help.csv",
    "cin_referrals": "cin_referrals.csv",
    "cin_assessments": "cin_assessments.csv",
}


def synthetic_demand(
    *,
    seed: int,
    families: int,
    first_day: dt.date,
    last_day: dt.date,
    failure_share: float = 0.57,
    teams: tuple[str, ...] = CONTACT_TEAMS,
    children: Sequence[str] = (),
    la: str = "999",
) -> DemandData:
    """An invented LA's demand from `first_day` to `last_day`: about `families` families
    (one to four children each) coming to the front door about a need in that time, and
    the failure demand that follows, `failure_share` of all the contacts (so about
    `families / (1 - failure_share)` contacts in all), with the
    assessments, help and CIN census modules that followed. Some of the LA's looked-after
    `children` are among the families, so demand links to their journeys. The same
    arguments always give the same data."""
    frames = _simulate(seed, families, first_day, last_day, failure_share, teams, children)
    cin = {
        kind: frames[kind].rename(DEMAND_BY_KIND[name].names)
        for kind, name in (
            ("cin_referrals", "CIN referrals"),
            ("cin_assessments", "CIN assessments"),
        )
    }
    return DemandData(
        la=la,
        contacts=conform("contacts", frames["contacts"]),
        assessments=conform("assessments", frames["assessments"]),
        help=conform("help", frames["help"]),
        cin_referrals=conform("cin_referrals", cin["cin_referrals"]),
        cin_assessments=conform("cin_assessments", cin["cin_assessments"]),
    )


def write_demand(
    outdir: Path,
    *,
    seed: int,
    families: int,
    first_day: dt.date,
    last_day: dt.date,
    failure_share: float = 0.57,
    teams: tuple[str, ...] = CONTACT_TEAMS,
    children: Sequence[str] = (),
) -> list[Path]:
    """Write what `synthetic_demand` makes as the files an LA would give: its contacts,
    assessments and help (dd/mm/yyyy dates; outcomes and demand classes in words, as a
    demand log holds them) and the CIN census modules (the DfE item names as headings, ISO
    dates). Returns the paths written."""
    frames = _simulate(seed, families, first_day, last_day, failure_share, teams, children)
    in_words = {
        "OUTCOME": {c.value: c.aliases[0] for c in OUTCOMES.codes},
        "DEMAND": {"VALUE": "Value", "FAILURE": "Failure"},
        "FAILURE_TYPE": {c.value: c.aliases[0] for c in FAILURE_TYPES.codes},
    }
    files = {
        "contacts": frames["contacts"].with_columns(
            pl.col(name).replace_strict(words, default=None) for name, words in in_words.items()
        ),
        "assessments": frames["assessments"],
        "help": frames["help"].with_columns(
            RIGHT_HELP=pl.col("RIGHT_HELP").replace_strict({True: "Yes", False: "No"}, default=None)
        ),
        "cin_referrals": frames["cin_referrals"].with_columns(
            ReferralNFA=pl.col("ReferralNFA").replace_strict({True: "true", False: "false"})
        ),
        "cin_assessments": frames["cin_assessments"],
    }
    outdir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, frame in files.items():
        dates = "%Y-%m-%d" if name.startswith("cin_") else "%d/%m/%Y"
        written.append(outdir / FILES[name])
        frame.write_csv(written[-1], date_format=dates, line_terminator="\n")
    return written


PADDING = dt.timedelta(days=730)


def _simulate(
    seed: int,
    families: int,
    first_day: dt.date,
    last_day: dt.date,
    failure_share: float,
    teams: tuple[str, ...],
    children: Sequence[str],
) -> dict[str, pl.DataFrame]:
    """Every frame, under the names its file uses (the CIN modules' DfE names)."""
    if families < 1 or not teams:
        raise ValueError("families and teams must not be empty")
    if not 0 <= failure_share < 1:
        raise ValueError("failure_share is a share of contacts: at least 0 and less than 1")
    if last_day < first_day:
        raise ValueError("last_day is before first_day")
    rng = np.random.default_rng([seed, 2010])  # its own stream (2010: Cumbria's Check phase)
    # The service runs a year before and after the files: a family's failure demand comes
    # months after its first contact, so a simulation starting cold on `first_day` would
    # have too little failure demand in its first year and too much in its last. The
    # files hold the steady middle.
    start, end = first_day - PADDING, last_day + PADDING
    holidays = bank_holidays(Nation.ENGLAND_AND_WALES, start.year, end.year + 1)
    period = Period(
        np.datetime64(start, "D"),
        np.datetime64(end, "D"),
        np.array(holidays, dtype="datetime64[D]"),
    )
    # `families` come in the files' period; the padded years have their own.
    span = (end - start).days / max((last_day - first_day).days, 1)
    ids, family_of = _children(rng, round(families * span / (1 - NO_CONTACT)), children)
    contacts, followed = simulate(rng, family_of, period, failure_share, len(teams))
    frame = _contact_frame(rng, contacts, followed, ids, family_of, teams)
    # What happened after `last_day` is not known yet on it.
    frame = _as_known_on(
        frame.filter(pl.col("CONTACT_DATE").is_between(first_day, last_day)), last_day
    )
    return {
        "contacts": frame.select(*DEMAND_BY_KIND["Contacts"].table.column_names),
        "assessments": _assessments(frame),
        "help": frame.filter("_helped").select(
            "CHILD",
            HELP="_help",
            START="_help_start",
            END="_help_end",
            RIGHT_HELP=pl.col("_right_help").fill_nan(None).cast(pl.Boolean),
        ),
        **cin_modules(rng, frame),
    }


def _children(rng: Rng, families: int, looked_after: Sequence[str]) -> tuple[list[str], Ints]:
    """Every child's ID, and the family each belongs to. IDs are 7 digits (the synthetic
    returns' are 6), except for some of the LA's looked-after children, placed among the
    families."""
    sizes = rng.choice(np.arange(1, 5), size=families, p=[0.45, 0.33, 0.15, 0.07])
    family_of = np.repeat(np.arange(families), sizes)
    numbers = 2_000_000 + 3 * np.arange(len(family_of)) + rng.integers(0, 3, len(family_of))
    ids = [str(n) for n in numbers.tolist()]
    pool = sorted(set(looked_after))
    if pool:
        n = min(len(pool), max(1, len(ids) // 40))
        slots = rng.choice(len(ids), n, replace=False).tolist()
        chosen = rng.choice(len(pool), n, replace=False).tolist()
        for slot, child in zip(slots, chosen, strict=True):
            ids[slot] = pool[child]
    return ids, family_of


def _words(table: Sequence[object], index: Ints, item: int = 0) -> pl.Series:
    """Each index's entry of `table` (the given item, when the entries are tuples)."""
    names = [row[item] if isinstance(row, tuple) else row for row in table]
    return pl.Series(names, dtype=pl.String).gather(index)


def _contact_frame(
    rng: Rng,
    contacts: Contacts,
    followed: Followed,
    ids: list[str],
    family_of: Ints,
    teams: tuple[str, ...],
) -> pl.DataFrame:
    """The contacts as the LA's file holds them, with what followed each beside them (in
    columns starting "_"), sorted by day."""
    n, failure = len(contacts), contacts.failure
    recorded = rng.random(n) < RECORDED
    has_outcome = followed.outcome != NO_OUTCOME
    decisions = _words(DECISIONS, np.maximum(followed.outcome, 0)).to_numpy().astype(object)
    for kind, words in FAILURE_DECISIONS.items():
        decisions[failure == FAILURES.index(kind)] = words
    decisions[np.isnat(followed.decided)] = None
    families = [f"F{f:06d}" for f in range(1, int(family_of.max()) + 2)]
    frame = pl.DataFrame(
        {
            "CHILD": _words(ids, contacts.child),
            "FAMILY": _words(families, family_of[contacts.child]),
            "CONTACT_DATE": contacts.day,
            "SOURCE": _words(SOURCES, contacts.source),
            "NEED": _words(NEEDS, contacts.need),
            "DECISION": pl.Series(decisions, dtype=pl.String),
            "DECISION_DATE": followed.decided,
            "OUTCOME": _words(OUTCOME_CODES, np.maximum(followed.outcome, 0)),
            "TEAM": _words(teams, contacts.team),
            "DEMAND": np.where(failure == VALUE, "VALUE", "FAILURE"),
            "FAILURE_TYPE": _words(FAILURES, np.maximum(failure, 0)),
            "WHAT_MATTERS": _what_matters(rng, failure),
            "CLOSED_DATE": followed.closed,
            "_failure": failure,
            "_has_outcome": has_outcome,
            "_recorded": recorded,
            "_outcome": followed.outcome,
            "_source_code": _words(SOURCES, contacts.source, 2),
            "_need_code": _words(NEEDS, contacts.need, 2),
            "_assessed": followed.assessed,
            "_started": followed.started,
            "_authorised": followed.authorised,
            "_helped": followed.helped,
            "_help": _words(HELP_KINDS, followed.help_kind),
            "_help_start": followed.help_start,
            "_help_end": followed.help_end,
            "_right_help": followed.right_help,
        }
    ).with_columns(
        OUTCOME=pl.when("_has_outcome").then("OUTCOME"),
        DEMAND=pl.when("_recorded").then("DEMAND"),
        FAILURE_TYPE=pl.when(pl.col("_recorded") & (pl.col("_failure") != VALUE)).then(
            "FAILURE_TYPE"
        ),
        WHAT_MATTERS=pl.when("_recorded").then("WHAT_MATTERS"),
    )
    return frame.sort("CONTACT_DATE", "CHILD", "_failure", maintain_order=True)


def _as_known_on(frame: pl.DataFrame, day: dt.date) -> pl.DataFrame:
    """The contacts as the LA's records stood on `day`: decisions, assessments, help and
    closures after it not yet made (blank), and help not yet started not given."""
    known = pl.lit(day, pl.Date)

    def by_then(column: str) -> pl.Expr:
        return pl.when(pl.col(column) <= known).then(column)

    decided = pl.col("DECISION_DATE") <= known
    return frame.with_columns(
        DECISION=pl.when(decided).then("DECISION"),
        OUTCOME=pl.when(decided).then("OUTCOME"),
        DECISION_DATE=by_then("DECISION_DATE"),
        CLOSED_DATE=by_then("CLOSED_DATE"),
        _has_outcome=pl.col("_has_outcome") & decided,
        _assessed=pl.col("_assessed") & (pl.col("_started") <= known),
        _started=by_then("_started"),
        _authorised=by_then("_authorised"),
        _helped=pl.col("_helped") & (pl.col("_help_start") <= known),
        _help_start=by_then("_help_start"),
        _help_end=by_then("_help_end"),
    )


def _assessments(frame: pl.DataFrame) -> pl.DataFrame:
    """An assessment for each contact passed to children's social care (a section 47
    enquiry for child protection), by one of two teams."""
    team = pl.col("CHILD").str.slice(-1).cast(pl.Int64) % len(ASSESSMENT_TEAMS)
    return frame.filter("_assessed").select(
        "CHILD",
        REFERRAL_DATE="DECISION_DATE",
        START="_started",
        AUTHORISED="_authorised",
        KIND=pl.when(pl.col("_outcome") == CP)
        .then(pl.lit("Section 47 enquiry"))
        .otherwise(pl.lit("Child and family assessment")),
        TEAM=team.replace_strict(dict(enumerate(ASSESSMENT_TEAMS)), return_dtype=pl.String),
    )


def _what_matters(rng: Rng, failure: Ints) -> pl.Series:
    """One or two of Cumbria's "what matters" tags per contact; a family that had to come
    back or chase more often names what it was let down on."""
    n = len(failure)
    tags = np.array(WHAT_MATTERS, dtype=object)
    first = rng.integers(0, len(tags), n)
    let_down = (failure != VALUE) & (rng.random(n) < 0.6)
    first = np.where(let_down, np.array(LET_DOWN)[rng.integers(0, len(LET_DOWN), n)], first)
    second = (first + rng.integers(1, len(tags), n)) % len(tags)
    text = np.where(rng.random(n) < 0.4, tags[first] + "; " + tags[second], tags[first])
    return pl.Series(text, dtype=pl.String)
