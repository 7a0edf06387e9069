"""An LA's demand data as the measures see it: one frame per kind, with carejourney's column
names (the CIN census modules' own names, LAchildID and so on, are renamed when read).

Every frame always has every column listed in `COLUMNS`, with these types, even when the LA
has given no file of that kind (the frame is then empty): a measure never has to ask whether
a column exists, only whether it holds anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from carejourney.measures.frames import conform_to

# The columns of each frame and their types. Names are the declared columns of
# `schema/demand.py` (contacts, assessments, help) or carejourney's names for the CIN census
# items (cin_referrals, cin_assessments).
COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "contacts": {
        "CHILD": pl.String(),  # the child's ID, or the family's when the contact is about a family
        "FAMILY": pl.String(),  # the family's ID, when the LA records one
        "CONTACT_DATE": pl.Date(),
        "SOURCE": pl.String(),  # who made contact (police, school, family, ...)
        "NEED": pl.String(),  # the presenting need, in the LA's words or a CIN need code
        "DECISION": pl.String(),  # what the front door decided, in words
        "DECISION_DATE": pl.Date(),
        "OUTCOME": pl.String(),  # a code of schema.demand.OUTCOMES: NFA, EARLY_HELP, ...
        "TEAM": pl.String(),
        "DEMAND": pl.String(),  # VALUE or FAILURE, when the team recorded it
        "FAILURE_TYPE": pl.String(),  # a code of schema.demand.FAILURE_TYPES, when recorded
        "WHAT_MATTERS": pl.String(),  # "what matters" tags, separated by ";"
        "CLOSED_DATE": pl.Date(),  # when the work that followed the contact closed
    },
    "assessments": {
        "CHILD": pl.String(),
        "REFERRAL_DATE": pl.Date(),  # the referral the assessment follows, when recorded
        "START": pl.Date(),
        "AUTHORISED": pl.Date(),  # blank while the assessment is open
        "KIND": pl.String(),  # e.g. child and family assessment
        "TEAM": pl.String(),
    },
    "help": {
        "CHILD": pl.String(),
        "HELP": pl.String(),  # what help, in words
        "START": pl.Date(),
        "END": pl.Date(),
        "RIGHT_HELP": pl.Boolean(),  # the family's or worker's view, when recorded
    },
    "cin_referrals": {
        "CHILD": pl.String(),
        "REFERRAL_DATE": pl.Date(),  # CINreferralDate
        "SOURCE": pl.String(),  # ReferralSource code
        "NEED": pl.String(),  # PrimaryNeedCode
        "CLOSED_DATE": pl.Date(),  # CINclosureDate
        "CLOSURE_REASON": pl.String(),  # ReasonForClosure
        "NFA": pl.Boolean(),  # ReferralNFA
    },
    "cin_assessments": {
        "CHILD": pl.String(),
        "REFERRAL_DATE": pl.Date(),  # of the CIN episode the assessment belongs to, if known
        "START": pl.Date(),  # AssessmentActualStartDate
        "AUTHORISED": pl.Date(),  # AssessmentAuthorisationDate
    },
}


def empty(kind: str) -> pl.DataFrame:
    """A frame of `kind` with every column and no rows."""
    return pl.DataFrame(schema=COLUMNS[kind])


def conform(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with exactly the columns of `kind`, in order and typed; missing ones blank."""
    return conform_to(COLUMNS[kind], frame)


@dataclass(frozen=True)
class DemandData:
    """One LA's demand data. Build it with `conform` so every frame has its columns."""

    la: str
    contacts: pl.DataFrame = field(default_factory=lambda: empty("contacts"))
    assessments: pl.DataFrame = field(default_factory=lambda: empty("assessments"))
    help: pl.DataFrame = field(default_factory=lambda: empty("help"))
    cin_referrals: pl.DataFrame = field(default_factory=lambda: empty("cin_referrals"))
    cin_assessments: pl.DataFrame = field(default_factory=lambda: empty("cin_assessments"))

    @property
    def has_contacts(self) -> bool:
        return self.contacts.height > 0
