"""Synthetic contacts as arrays: who came to the front door, when, why, what followed.

Families come with a need (value demand). Failure demand is made from those contacts by
construction, the way Cumbria's systems review found it:

* REPEAT: a contact about the same need within weeks (another agency, the same worry);
* CHASING: the family (or the referrer) asking what is happening while a decision, an
  assessment or help is awaited;
* RE_REFERRAL_NFA: the family back within months after "no further action";
* NOT_RIGHT_FIRST_TIME: the family back after help or an assessment closed;
* WRONG_SERVICE: a contact for another service, signposted there.

Everything is drawn with numpy over whole arrays: 60,000 contacts take a fraction of a
second. `synth.demand` turns the arrays into an LA's files.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, fields
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from carejourney.schema.demand import FAILURE_TYPES, OUTCOMES, REFERRAL_OUTCOMES

Days = npt.NDArray[np.datetime64]
Ints = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]
Rng = np.random.Generator
NAT = np.datetime64("NaT", "D")

# (who made contact, share, CIN census ReferralSource)
SOURCES = (
    ("Police", 0.26, "6"),
    ("School", 0.18, "2A"),
    ("Health visitor", 0.06, "3A"),
    ("GP", 0.05, "3B"),
    ("Hospital", 0.07, "3C"),
    ("Family member", 0.09, "1B"),
    ("Parent (self)", 0.06, "1A"),
    ("Early years setting", 0.03, "2B"),
    ("Housing", 0.04, "4"),
    ("Other LA service", 0.06, "5B"),
    ("Anonymous", 0.04, "9"),
    ("Other", 0.06, "8"),
)
FAMILY_SOURCES = (5, 6)  # family member, parent: who chases progress
# (presenting need, share, CIN census PrimaryNeedCode)
NEEDS = (
    ("Domestic abuse", 0.22, "N1"),
    ("Neglect", 0.14, "N1"),
    ("Physical abuse concern", 0.06, "N1"),
    ("Sexual abuse concern", 0.03, "N1"),
    ("Parental mental health", 0.10, "N3"),
    ("Parental substance misuse", 0.07, "N3"),
    ("Child's mental health", 0.08, "N2"),
    ("Child's disability", 0.04, "N2"),
    ("Family breakdown", 0.09, "N5"),
    ("Child's behaviour", 0.07, "N6"),
    ("Housing and money worries", 0.06, "N7"),
    ("No parent able to care", 0.02, "N8"),
    ("School attendance", 0.02, "N4"),
)
WRONG_SERVICE_NEEDS = (10, 4)  # housing and money, parental mental health: other services'
OUTCOME_CODES = tuple(c.value for c in OUTCOMES.codes)
NFA, EARLY_HELP, ASSESSMENT, CIN, CP, LOOKED_AFTER = range(len(OUTCOME_CODES))
NO_OUTCOME = -1
REFERRALS = [OUTCOME_CODES.index(code) for code in REFERRAL_OUTCOMES]
FIRST_OUTCOMES = (0.38, 0.27, 0.24, 0.04, 0.06, 0.01)  # a family's first contact for a need
BACK_OUTCOMES = (0.22, 0.30, 0.33, 0.05, 0.08, 0.02)  # back again: more often passed on
FAILURES = tuple(c.value for c in FAILURE_TYPES.codes)
VALUE = -1  # `Contacts.failure` of a value contact
FAILURE_MIX = {  # in the order they are made: REPEAT and WRONG_SERVICE take any shortfall
    "CHASING": 0.25,
    "RE_REFERRAL_NFA": 0.20,
    "NOT_RIGHT_FIRST_TIME": 0.13,
    "REPEAT": 0.30,
    "WRONG_SERVICE": 0.12,
}
assert set(FAILURE_MIX) == set(FAILURES)
BACK = [FAILURES.index("RE_REFERRAL_NFA"), FAILURES.index("NOT_RIGHT_FIRST_TIME")]
EARLY_HELP_KINDS = (
    "Family support worker",
    "Parenting programme",
    "Targeted youth support",
    "Early help family plan",
)
CIN_PLAN, CP_PLAN = "Child in need plan", "Child protection plan"
HELP_KINDS = (*EARLY_HELP_KINDS, CIN_PLAN, CP_PLAN)
ON_TIME, LATE = 0.78, 0.16  # assessments authorised within 45 working days, after; rest open
RIGHT_HELP_RECORDED = 0.35
NO_CONTACT = 0.45  # families with no contact of their own (some come to the wrong service)


@dataclass(frozen=True)
class Contacts:
    """Contacts as arrays: indexes into the tables above (and into the children), days."""

    child: Ints
    day: Days
    source: Ints
    need: Ints
    team: Ints
    failure: Ints  # VALUE, else an index into FAILURES

    def __len__(self) -> int:
        return len(self.child)


@dataclass(frozen=True)
class Followed:
    """What followed each contact: the decision, an assessment, help, when it closed.
    Days not reached by the end of the period are NaT."""

    decided: Days
    outcome: Ints  # NO_OUTCOME when none was recorded (a chase, a repeat) or not yet made
    assessed: Flags
    started: Days
    authorised: Days
    helped: Flags
    help_kind: Ints  # an index into HELP_KINDS
    help_start: Days
    help_end: Days
    closed: Days
    right_help: npt.NDArray[np.float64]  # 1 yes, 0 no, NaN not recorded


@dataclass(frozen=True)
class Period:
    first: np.datetime64
    last: np.datetime64
    holidays: Days  # the bank holidays working days skip

    @property
    def days(self) -> int:
        return int((self.last - self.first).astype(int)) + 1

    def random_days(self, rng: Rng, n: int) -> Days:
        return _plus(self.first, rng.integers(0, self.days, n))


def simulate(
    rng: Rng, family_of: Ints, period: Period, failure_share: float, teams: int
) -> tuple[Contacts, Followed]:
    """Value contacts for the children (`family_of`: each child's family), then the
    failure contacts that make up `failure_share` of all the contacts in the period, and
    what followed each."""
    value = value_contacts(rng, family_of, period, teams)
    value_follow = follow(rng, value.day, FIRST_OUTCOMES, period)
    wanted = round(len(value) * failure_share / (1 - failure_share))
    failures = failure_contacts(rng, value, value_follow, wanted, period, family_of, teams)
    failure_follow = follow_failures(rng, failures, period)
    contacts = concat(value, failures)
    followed = concat(value_follow, failure_follow)
    return contacts, _with_right_help(rng, contacts, followed)


def pick(rng: Rng, table: Sequence[tuple[Any, ...]], n: int) -> Ints:
    """Rows of `table` drawn by their shares (each row's second item)."""
    weights = np.array([row[1] for row in table], dtype=float)
    return rng.choice(len(table), size=n, p=weights / weights.sum())


def pick_team(rng: Rng, teams: int, n: int) -> Ints:
    """The first team (the front door) takes most contacts; the others share the rest."""
    if teams == 1:
        return np.zeros(n, dtype=np.int64)
    shares = np.array([0.7] + [0.3 / (teams - 1)] * (teams - 1))
    return rng.choice(teams, size=n, p=shares)


def value_contacts(rng: Rng, family_of: Ints, period: Period, teams: int) -> Contacts:
    """Families' first contacts about a need, each about one of its children: one for
    about half the families (none for the rest, some of whom come to the wrong service).
    Only one: a family's later contacts, about any of its children, are the failure
    demand made from it, so that the rules in `config/demand.toml` (which look at the
    family) find about the share of failure demand asked for, as a demand-capture sheet
    would."""
    families = int(family_of.max()) + 1 if len(family_of) else 0
    # One child of each family, at random: sort the children by a random key within
    # their family and take the first.
    order = np.lexsort((rng.random(len(family_of)), family_of))
    first = order[np.r_[True, np.diff(family_of[order]) != 0]] if len(order) else order
    child = np.sort(first[rng.random(families) >= NO_CONTACT])
    n = len(child)
    return Contacts(
        child=child,
        day=period.random_days(rng, n),
        source=pick(rng, SOURCES, n),
        need=pick(rng, NEEDS, n),
        team=pick_team(rng, teams, n),
        failure=np.full(n, VALUE),
    )


def _plus(day: Days | np.datetime64, n: Ints | npt.NDArray[np.float64]) -> Days:
    """`n` days (whole days: any fraction is dropped) after each day."""
    days = np.asarray(n).astype(np.int64).astype("timedelta64[D]")
    return np.asarray(day + days, "datetime64[D]")


def follow(rng: Rng, day: Days, weights: Sequence[float], period: Period) -> Followed:
    """The decision on each contact, and the assessment and help that followed."""
    n, last, holidays = len(day), period.last, period.holidays
    delay = rng.choice([0, 1, 2, 3, 5, 8], size=n, p=[0.4, 0.3, 0.12, 0.1, 0.05, 0.03])
    decided = np.busday_offset(day, delay, roll="forward", holidays=holidays)
    outcome = rng.choice(len(weights), size=n, p=np.array(weights) / sum(weights))
    pending = decided > last  # not decided by the end: no outcome yet
    decided = np.where(pending, NAT, decided)
    outcome = np.where(pending, NO_OUTCOME, outcome)
    referred = np.isin(outcome, REFERRALS)
    started = np.busday_offset(
        np.where(referred, decided, day), rng.integers(0, 4, n), roll="forward", holidays=holidays
    )
    timing = rng.random(n)
    working_days = np.where(timing < ON_TIME, rng.integers(8, 46, n), rng.integers(46, 91, n))
    authorised = np.busday_offset(started, working_days, roll="forward", holidays=holidays)
    assessed = referred & (started <= last)
    still_open = (timing >= ON_TIME + LATE) | (authorised > last) | ~assessed
    authorised = np.where(still_open, NAT, authorised)
    started = np.where(assessed, started, NAT)
    # Help: early help straight from the front door; after an assessment, a plan for a child
    # in need or protection, or for some assessed children early help instead.
    early = outcome == EARLY_HELP
    after = assessed & ~still_open & (outcome != LOOKED_AFTER)
    after &= (outcome != ASSESSMENT) | (rng.random(n) < 0.55)
    kind = rng.integers(0, len(EARLY_HELP_KINDS), n)
    kind = np.where(
        (outcome == ASSESSMENT) & (rng.random(n) < 0.5), HELP_KINDS.index(CIN_PLAN), kind
    )
    kind = np.where(outcome == CIN, HELP_KINDS.index(CIN_PLAN), kind)
    kind = np.where(outcome == CP, HELP_KINDS.index(CP_PLAN), kind)
    help_start = np.where(
        early,
        _plus(np.where(early, decided, day), rng.integers(3, 21, n)),
        _plus(np.where(after, authorised, day), rng.integers(0, 11, n)),
    )
    helped = (early | after) & (help_start <= last)
    help_end = _plus(help_start, rng.integers(60, 300, n))
    help_end = np.where(helped & (help_end <= last), help_end, NAT)
    help_start = np.where(helped, help_start, NAT)
    closed = np.where(helped, help_end, np.where(assessed, authorised, NAT))
    closed = np.where(outcome == NFA, decided, closed)
    closed = np.where(outcome == LOOKED_AFTER, NAT, closed)
    unrecorded = np.full(n, np.nan)
    return Followed(
        decided, outcome, assessed, started, authorised, helped, kind, help_start, help_end,
        closed, unrecorded,
    )  # fmt: skip


def failure_contacts(
    rng: Rng,
    value: Contacts,
    followed: Followed,
    wanted: int,
    period: Period,
    family_of: Ints,
    teams: int,
) -> Contacts:
    """`wanted` failure contacts in the period, each made from the value contact it follows
    (the same child and need) in the way its kind of failure demand arises."""
    day, everything = value.day, np.arange(len(value))
    # How long each family waited on the work that followed (what chasing is about): to the
    # end of its assessment, or to the start of its help, or to its decision.
    waited_to = np.where(
        followed.assessed,
        np.where(
            np.isnat(followed.authorised), _plus(day, np.full(len(day), 90)), followed.authorised
        ),
        np.where(followed.helped, followed.help_start, followed.decided),
    )
    waited = (waited_to - day).astype(np.int64)
    Making = tuple[Ints, Callable[[Ints, npt.NDArray[np.float64]], Days]]
    making: dict[str, Making] = {
        "CHASING": (everything[waited >= 3], lambda p, u: _plus(day[p], 1 + u * (waited[p] - 1))),
        "RE_REFERRAL_NFA": (
            everything[(followed.outcome == NFA) & ~np.isnat(followed.decided)],
            lambda p, u: _plus(followed.decided[p], 14 + u * 316),
        ),
        "NOT_RIGHT_FIRST_TIME": (
            everything[~np.isnat(followed.closed) & (followed.outcome != NFA)],
            lambda p, u: _plus(followed.closed[p], 7 + u * 233),
        ),
        "REPEAT": (everything, lambda p, u: _plus(day[p], 3 + u * 39)),
    }
    counts = {kind: round(wanted * share) for kind, share in FAILURE_MIX.items()}
    counts["WRONG_SERVICE"] = wanted - sum(n for k, n in counts.items() if k != "WRONG_SERVICE")
    parts, short = [], 0
    for kind, (parents, when) in making.items():
        due = counts[kind] + short
        made = _made_from(rng, value, parents, when, due, period, FAILURES.index(kind), teams)
        short = due if not len(parents) else 0  # no family this kind could come from
        parts.append(made)
    # Wrong-service contacts follow no earlier contact, and take up any shortfall: they
    # come from families with no other contact (else the rules would see them as a
    # family back again), as far as there are enough of them.
    extra = counts["WRONG_SERVICE"] + short
    others = np.flatnonzero(~np.isin(family_of, family_of[value.child]))
    pool = others if len(others) else np.arange(len(family_of))
    parts.append(
        Contacts(
            child=rng.choice(pool, extra),
            day=period.random_days(rng, extra),
            source=pick(rng, SOURCES, extra),
            need=rng.choice(np.array(WRONG_SERVICE_NEEDS), extra),
            team=pick_team(rng, teams, extra),
            failure=np.full(extra, FAILURES.index("WRONG_SERVICE")),
        )
    )
    return concat(*parts)


def _made_from(
    rng: Rng,
    value: Contacts,
    parents: Ints,
    when: Callable[[Ints, npt.NDArray[np.float64]], Days],
    wanted: int,
    period: Period,
    failure: int,
    teams: int,
) -> Contacts:
    """Up to `wanted` contacts following randomly chosen `parents` on the days `when`
    gives, keeping only those before the period ends."""
    if wanted <= 0 or not len(parents):
        return empty_contacts()
    # One try per failure wanted, and those falling after the period are lost, not drawn
    # again from other parents: a redrawn one would give the families earlier in the
    # period more failure demand than the share asked for (`synth.demand` pads the period
    # by a year at each end, so the files hold the steady middle).
    chosen = rng.choice(parents, wanted)
    day = when(chosen, rng.random(wanted))
    keep = np.flatnonzero(day <= period.last)
    chosen, day = chosen[keep], day[keep]
    source = pick(rng, SOURCES, len(keep))
    if FAILURES[failure] == "CHASING":  # mostly the family, asking what is happening
        family = rng.random(len(keep)) < 0.6
        source = np.where(family, rng.choice(np.array(FAMILY_SOURCES), len(keep)), source)
    return Contacts(
        child=value.child[chosen],
        day=day,
        source=source,
        need=value.need[chosen],
        team=pick_team(rng, teams, len(keep)),
        failure=np.full(len(keep), failure),
    )


def follow_failures(rng: Rng, failures: Contacts, period: Period) -> Followed:
    """A family back after NFA or after help is decided on afresh (and more often passed
    on); a repeat, a chase or a wrong-service contact is dealt with there and then."""
    back = np.isin(failures.failure, BACK)
    again = follow(rng, failures.day, BACK_OUTCOMES, period)
    wrong = failures.failure == FAILURES.index("WRONG_SERVICE")
    decided = np.where(back, again.decided, failures.day)
    outcome = np.where(back, again.outcome, np.where(wrong, NFA, NO_OUTCOME))
    return Followed(
        decided=decided,
        outcome=outcome,
        assessed=back & again.assessed,
        started=np.where(back, again.started, NAT),
        authorised=np.where(back, again.authorised, NAT),
        helped=back & again.helped,
        help_kind=again.help_kind,
        help_start=np.where(back, again.help_start, NAT),
        help_end=np.where(back, again.help_end, NAT),
        closed=np.where(back, again.closed, decided),
        right_help=again.right_help,
    )


def _with_right_help(rng: Rng, contacts: Contacts, followed: Followed) -> Followed:
    """Whether the help after each contact was the right help, recorded for some: mostly
    yes, mostly no for a child who came back after help closed."""
    n = len(contacts)
    came_back = np.isin(
        contacts.child, contacts.child[contacts.failure == FAILURES.index("NOT_RIGHT_FIRST_TIME")]
    )
    right = np.where(
        came_back & (contacts.failure == VALUE), rng.random(n) < 0.3, rng.random(n) < 0.85
    )
    recorded = followed.helped & (rng.random(n) < RIGHT_HELP_RECORDED)
    values = {f.name: getattr(followed, f.name) for f in fields(Followed)}
    values["right_help"] = np.where(recorded, right.astype(float), np.nan)
    return Followed(**values)


def empty_contacts() -> Contacts:
    none = np.zeros(0, dtype=np.int64)
    return Contacts(none, np.zeros(0, "datetime64[D]"), none, none, none, none)


T = TypeVar("T", Contacts, Followed)


def concat(*parts: T) -> T:
    """Arrays of several sets of contacts (or what followed them), one after another."""
    kind = type(parts[0])
    return kind(*(np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(kind)))
