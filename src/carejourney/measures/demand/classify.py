"""Value or failure demand for every contact: what the team recorded, else what the rules
in `config/demand.toml` suggest, with the reason in words.

A class the team recorded (DEMAND; or a FAILURE_TYPE alone, which can only mean failure
demand) always wins, its failure type kept ("type not recorded" when blank). Every other
contact gets the first of these rules that matches, each of which can be turned off and
has its window in `DemandRules` ("earlier" is strictly earlier in date and row order, and
"the family" is FAMILY, else CHILD):

a. CHASING: an earlier contact of the family within `chasing_days` before this one was
   still waiting for a decision on this contact's date (no DECISION_DATE, or a later one).
b. RE_REFERRAL_NFA: an earlier contact of the family ended with no further action (OUTCOME
   NFA), decided (DECISION_DATE, else its CONTACT_DATE) within `after_nfa_days` before this
   contact, on or before its date.
c. NOT_RIGHT_FIRST_TIME: the work after an earlier contact of the family closed
   (CLOSED_DATE) within `after_closure_days` before this contact, on or before its date.
d. REPEAT: an earlier contact of the family about the same NEED (spaces at either end and
   capitals ignored) within `repeat_days` before this one.
e. WRONG_SERVICE: DECISION contains one of `wrong_service_words` (capitals ignored).

Otherwise the suggestion is value demand. "Within N days before" is 0 to N days inclusive.
The reasons name the rule, dates and days, never an ID. `agreement` sets the rules'
suggestions beside what teams recorded, so an LA can tune the rules.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.config.demand import DemandRules
from carejourney.measures.demand.common import (
    FAMILY_KEY,
    POS,
    ROW,
    date_words,
    days_before_words,
    in_family_order,
)

VALUE, FAILURE = "VALUE", "FAILURE"
RECORDED, SUGGESTED = "recorded", "suggested"

# The failure types (schema.demand FAILURE_TYPES), in plain words, in the order the rules
# are tried.
FAILURE_WORDS: dict[str, str] = {
    "CHASING": "progress chasing",
    "RE_REFERRAL_NFA": "back after no further action",
    "NOT_RIGHT_FIRST_TIME": "not right first time",
    "REPEAT": "repeat contact about the same need",
    "WRONG_SERVICE": "came to the wrong service",
}

ADDED = {
    "DEMAND_CLASS": pl.String(),  # VALUE or FAILURE
    "FAILURE_KIND": pl.String(),  # a FAILURE_WORDS code, or null
    "CLASS_SOURCE": pl.String(),  # recorded or suggested
    "WHY": pl.String(),
    "SUGGESTED_CLASS": pl.String(),  # what the rules suggest, even where a class was recorded
    "SUGGESTED_KIND": pl.String(),
    "SUGGESTED_WHY": pl.String(),
}

# A far-future date standing for "no decision recorded": still waiting, whenever asked.
_NEVER = dt.date(9999, 12, 31)
# Chasing packs (undecided-until date, contact date) into one integer so that one rolling
# maximum finds both the latest undecided-until date in the window and the contact it
# belongs to. Days since 1970 plus an offset are positive and below 2**22 for any date
# from the year 700 to 9999.
_OFFSET = 1_000_000
_SHIFT = 2**22
_STAMP = 2**23  # above any date so numbered: see `_chasing`
# In the stream of contacts and events (`_latest_before`), a contact sorts before an event
# of the same date and place.
_KIND_CONTACT = pl.lit(0, dtype=pl.Int8).alias("_KIND")
_KIND_EVENT = pl.lit(1, dtype=pl.Int8).alias("_KIND")


def classify(contacts: pl.DataFrame, rules: DemandRules) -> pl.DataFrame:
    """The contacts (a `conform`ed contacts frame), in their order, with the columns of
    `ADDED`: the class, failure type, where the class came from, and why."""
    found = in_family_order(contacts)
    found = found.with_columns(_chasing(rules.chasing_days))
    found = pl.concat(
        [
            found,
            _latest_before(found, "NFA", _nfa_decided(), pl.col("OUTCOME") == "NFA"),
            _latest_before(
                found, "CLOSED", pl.col("CLOSED_DATE"), pl.col("CLOSED_DATE").is_not_null()
            ),
        ],
        how="horizontal",
    )
    found = found.with_columns(
        _earlier_same_need(),
        pl.col("CONTACT_DATE").shift(1).over(FAMILY_KEY).alias("_PREVIOUS"),
    )
    found = found.with_columns(_suggestion(rules)).with_columns(_decided())
    return (
        found.sort(ROW)
        .select(*contacts.columns, *ADDED)
        .with_columns(pl.col(name).cast(dtype) for name, dtype in ADDED.items())
    )


def _days(later: pl.Expr, earlier: pl.Expr) -> pl.Expr:
    return (later - earlier).dt.total_days()


def _within(days: pl.Expr, window: int) -> pl.Expr:
    return days.is_between(0, window).fill_null(False)


def _chasing(window: int) -> list[pl.Expr]:
    """_CHASE_FROM (the earlier contact's date) and _CHASE_UNTIL (its decision date, or
    _NEVER): of the family's earlier contacts within `window` days, the one whose decision
    came latest. Chasing when _CHASE_UNTIL is after this contact's date. The frame must be
    in family order."""
    day = pl.col("CONTACT_DATE").cast(pl.Int64) + _OFFSET
    until = pl.coalesce("DECISION_DATE", pl.lit(_NEVER)).cast(pl.Int64) + _OFFSET
    key = until * _SHIFT + day
    # Earlier days: a rolling maximum over the `window` days before this contact's date,
    # [date - window, date). Numbering the families and spacing them 2**22 days apart puts
    # every family's dates on one number line where no window reaches another family, so
    # one rolling maximum serves all families at once (far faster than one per family).
    family_day = pl.col(FAMILY_KEY).rle_id().cast(pl.Int64) * _SHIFT + day
    earlier_days = key.rolling_max_by(family_day, window_size=f"{window}i", closed="left")
    # The same day's earlier rows: a running maximum that starts again on each family's
    # day. Stamping each (family, day) run's number above the decision date makes every run
    # outrank the ones before it, so one running maximum over the whole frame, shifted by a
    # row, holds the latest decision of this run's earlier rows (or a previous run's value,
    # recognised by its stamp, when this is the run's first row).
    run = family_day.rle_id().cast(pl.Int64)
    prior = (run * _STAMP + until).cum_max().shift(1)
    same_day = pl.when(prior // _STAMP == run).then((prior % _STAMP) * _SHIFT + day)
    best = pl.max_horizontal(earlier_days, same_day)
    return [
        (best % _SHIFT - _OFFSET).cast(pl.Int32).cast(pl.Date).alias("_CHASE_FROM"),
        (best // _SHIFT - _OFFSET).cast(pl.Int32).cast(pl.Date).alias("_CHASE_UNTIL"),
    ]


def _nfa_decided() -> pl.Expr:
    # A decision dated before its contact is a slip in the data: it cannot have been made
    # before anyone asked, so it counts from the contact's date.
    decided = pl.coalesce("DECISION_DATE", "CONTACT_DATE")
    return pl.max_horizontal(decided, "CONTACT_DATE")


def _latest_before(found: pl.DataFrame, name: str, at: pl.Expr, is_event: pl.Expr) -> pl.DataFrame:
    """_{name}_AT and _{name}_FROM, one row per row of `found` (in family order): of the
    events (`at`, where `is_event`) of the family's strictly earlier contacts dated on or
    before this contact's date, the latest one's date and the date of the contact it
    followed.

    The contacts and the events go in one stream per family sorted by (date, place in family
    order, contact before event): an event comes before a contact exactly when it is dated
    before the contact's date, or on it and from an earlier contact (an event is never
    dated before its own contact). The latest event seen so far is then carried forward."""
    at = pl.max_horizontal(at, "CONTACT_DATE")
    contacts = found.select(FAMILY_KEY, pl.col("CONTACT_DATE").alias("_AT"), POS, _KIND_CONTACT)
    events = found.filter(is_event).select(
        FAMILY_KEY,
        at.alias("_AT"),
        POS,
        _KIND_EVENT,
        at.alias(f"_{name}_AT"),
        pl.col("CONTACT_DATE").alias(f"_{name}_FROM"),
    )
    carried = [f"_{name}_AT", f"_{name}_FROM"]
    return (
        pl.concat([contacts, events], how="diagonal")
        .sort(FAMILY_KEY, "_AT", POS, "_KIND")
        .with_columns(pl.col(carried).forward_fill().over(FAMILY_KEY))
        .filter(pl.col("_KIND") == 0)
        .sort(POS)
        .select(carried)
    )


def _earlier_same_need() -> pl.Expr:
    """_SAME_NEED: the date of the family's latest earlier contact about the same need."""
    need = pl.col("NEED").str.strip_chars().str.to_lowercase()
    need = pl.when(need != "").then(need)
    previous = pl.col("CONTACT_DATE").shift(1).over(FAMILY_KEY, need)
    return pl.when(need.is_not_null()).then(previous).alias("_SAME_NEED")


def _suggestion(rules: DemandRules) -> list[pl.Expr]:
    """SUGGESTED_CLASS, SUGGESTED_KIND and SUGGESTED_WHY from the first rule that matches."""
    date = pl.col("CONTACT_DATE")
    chase_days = _days(date, pl.col("_CHASE_FROM"))
    nfa_at, nfa_from = pl.col("_NFA_AT"), pl.col("_NFA_FROM")
    closed_at, closed_from = pl.col("_CLOSED_AT"), pl.col("_CLOSED_FROM")
    nfa_days, closed_days = _days(date, nfa_at), _days(date, closed_at)
    need_days = _days(date, pl.col("_SAME_NEED"))
    words = list(rules.wrong_service_words)
    matched = (
        pl.col("DECISION").str.extract_many(words, ascii_case_insensitive=True).list.first()
        if words
        else pl.lit(None, dtype=pl.String)
    )

    def looks_back(days: int) -> str:
        return f". The rule looks back {days} days."

    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        (
            "CHASING",
            pl.lit(rules.chasing)
            & _within(chase_days, rules.chasing_days)
            & (pl.col("_CHASE_UNTIL") > date).fill_null(False),
            pl.concat_str(
                pl.lit("Progress chasing: the family's contact of "),
                date_words(pl.col("_CHASE_FROM")),
                pl.lit(" ("),
                days_before_words(chase_days),
                pl.lit(") was still waiting for a decision on this contact's date; "),
                pl.when(pl.col("_CHASE_UNTIL") == _NEVER)
                .then(pl.lit("no decision is recorded"))
                .otherwise(pl.lit("it was decided on ") + date_words(pl.col("_CHASE_UNTIL"))),
                pl.lit(looks_back(rules.chasing_days)),
            ),
        ),
        (
            "RE_REFERRAL_NFA",
            pl.lit(rules.re_referral_nfa) & _within(nfa_days, rules.after_nfa_days),
            pl.concat_str(
                pl.lit("Back after no further action: the family's contact of "),
                date_words(nfa_from),
                pl.lit(" ended with no further action on "),
                date_words(nfa_at),
                pl.lit(", "),
                days_before_words(nfa_days),
                pl.lit(" this contact"),
                pl.lit(looks_back(rules.after_nfa_days)),
            ),
        ),
        (
            "NOT_RIGHT_FIRST_TIME",
            pl.lit(rules.not_right_first_time) & _within(closed_days, rules.after_closure_days),
            pl.concat_str(
                pl.lit("Not right first time: the work after the family's contact of "),
                date_words(closed_from),
                pl.lit(" closed on "),
                date_words(closed_at),
                pl.lit(", "),
                days_before_words(closed_days),
                pl.lit(" this contact"),
                pl.lit(looks_back(rules.after_closure_days)),
            ),
        ),
        (
            "REPEAT",
            pl.lit(rules.repeat) & _within(need_days, rules.repeat_days),
            pl.concat_str(
                pl.lit("Repeat contact: the family made contact about the same need on "),
                date_words(pl.col("_SAME_NEED")),
                pl.lit(", "),
                days_before_words(need_days),
                pl.lit(" this contact"),
                pl.lit(looks_back(rules.repeat_days)),
            ),
        ),
        (
            "WRONG_SERVICE",
            pl.lit(rules.wrong_service) & matched.is_not_null(),
            pl.concat_str(
                pl.lit('Wrong service: the decision says "'),
                matched.str.to_lowercase(),
                pl.lit('".'),
            ),
        ),
    ]
    kind: pl.Expr = pl.lit(None, dtype=pl.String)
    why: pl.Expr = _value_why(rules)
    for code, matches, reason in reversed(checks):
        kind = pl.when(matches).then(pl.lit(code)).otherwise(kind)
        why = pl.when(matches).then(reason).otherwise(why)
    return [
        pl.when(kind.is_null())
        .then(pl.lit(VALUE))
        .otherwise(pl.lit(FAILURE))
        .alias("SUGGESTED_CLASS"),
        kind.alias("SUGGESTED_KIND"),
        why.alias("SUGGESTED_WHY"),
    ]


def _value_why(rules: DemandRules) -> pl.Expr:
    """Why a contact no rule matched is value demand: the family had no earlier contact
    within the longest window of the rules that are on, or it did but no rule matched."""
    windows = [
        days
        for on, days in (
            (rules.chasing, rules.chasing_days),
            (rules.re_referral_nfa, rules.after_nfa_days),
            (rules.not_right_first_time, rules.after_closure_days),
            (rules.repeat, rules.repeat_days),
        )
        if on
    ]
    previous_days = _days(pl.col("CONTACT_DATE"), pl.col("_PREVIOUS"))
    return (
        pl.when(_within(previous_days, max(windows, default=0)))
        .then(
            pl.concat_str(
                pl.lit("Value: the family made contact before (last on "),
                date_words(pl.col("_PREVIOUS")),
                pl.lit(", "),
                days_before_words(previous_days),
                pl.lit("), but no failure rule matched."),
            )
        )
        .otherwise(pl.lit("Value: no earlier contact from this family within the rules' windows."))
    )


def _decided() -> list[pl.Expr]:
    """DEMAND_CLASS, FAILURE_KIND, CLASS_SOURCE and WHY: the recorded class where there is
    one, else the suggestion."""
    # A failure type recorded without a class can only mean failure demand.
    recorded = pl.coalesce(
        "DEMAND", pl.when(pl.col("FAILURE_TYPE").is_not_null()).then(pl.lit(FAILURE))
    )
    kind = pl.when(recorded == FAILURE).then(pl.col("FAILURE_TYPE"))
    kind_words = pl.col("FAILURE_TYPE").replace_strict(FAILURE_WORDS, default=None)
    why = (
        pl.when(recorded == VALUE)
        .then(pl.lit("Recorded by the team as value demand."))
        .when(kind.is_null())
        .then(pl.lit("Recorded by the team as failure demand (type not recorded)."))
        .otherwise(
            pl.concat_str(
                pl.lit("Recorded by the team as failure demand: "),
                pl.coalesce(kind_words, pl.col("FAILURE_TYPE")),
                pl.lit("."),
            )
        )
    )
    is_recorded = recorded.is_not_null()
    return [
        pl.when(is_recorded).then(recorded).otherwise("SUGGESTED_CLASS").alias("DEMAND_CLASS"),
        pl.when(is_recorded).then(kind).otherwise("SUGGESTED_KIND").alias("FAILURE_KIND"),
        pl.when(is_recorded)
        .then(pl.lit(RECORDED))
        .otherwise(pl.lit(SUGGESTED))
        .alias("CLASS_SOURCE"),
        pl.when(is_recorded).then(why).otherwise("SUGGESTED_WHY").alias("WHY"),
    ]


def agreement(classified: pl.DataFrame) -> pl.DataFrame:
    """Where the team recorded a class: what they recorded against what the rules would have
    suggested, one row per pair with how many contacts, most common first.

    RECORDED_CLASS | RECORDED_KIND | SUGGESTED_CLASS | SUGGESTED_KIND | contacts |
    same_class (the rules agree on value or failure) | same_kind (and on the failure type,
    where the team recorded one)."""
    recorded = classified.filter(pl.col("CLASS_SOURCE") == RECORDED)
    return (
        recorded.group_by(
            pl.col("DEMAND_CLASS").alias("RECORDED_CLASS"),
            pl.col("FAILURE_KIND").alias("RECORDED_KIND"),
            "SUGGESTED_CLASS",
            "SUGGESTED_KIND",
        )
        .agg(pl.len().cast(pl.Int64).alias("contacts"))
        .with_columns(
            same_class=pl.col("RECORDED_CLASS") == pl.col("SUGGESTED_CLASS"),
            same_kind=(pl.col("RECORDED_CLASS") == pl.col("SUGGESTED_CLASS"))
            & pl.col("RECORDED_KIND").eq_missing(pl.col("SUGGESTED_KIND")),
        )
        .sort(
            "contacts",
            "RECORDED_CLASS",
            "RECORDED_KIND",
            "SUGGESTED_CLASS",
            "SUGGESTED_KIND",
            descending=[True, False, False, False, False],
            nulls_last=True,
        )
    )
