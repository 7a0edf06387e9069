"""The CIN census modules a synthetic LA would return, derived from its contacts: every
contact passed to children's social care is a CINdetails episode (closed when the work
closed), with its assessment in the Assessments module; some police and hospital contacts
closed with no further action are recorded as referrals closed with no further action."""

from __future__ import annotations

import numpy as np
import polars as pl

from carejourney.synth.contacts import EARLY_HELP_KINDS, NFA, REFERRALS, Rng

NFA_REFERRAL_SOURCES = ("6", "3C", "3E")  # police, hospital, A&E
NFA_REFERRED = 0.25  # of those contacts closed with no further action
FACTORS = ("1C", "2B", "3A", "3B", "4A", "4B", "6A", "8B", "18B", "21")


def cin_modules(rng: Rng, contacts: pl.DataFrame) -> dict[str, pl.DataFrame]:
    """CINdetails ("cin_referrals") and Assessments ("cin_assessments") with the DfE item
    names as columns. `contacts` holds CHILD, DECISION_DATE, CLOSED_DATE and what
    `synth.demand` keeps beside them: _outcome, _source_code, _need_code, _assessed,
    _started, _authorised, _helped, _help."""
    decided = pl.col("DECISION_DATE").is_not_null()
    referred = contacts.filter(pl.col("_outcome").is_in(REFERRALS) & decided)
    closed_nfa = contacts.filter(
        (pl.col("_outcome") == NFA) & decided & pl.col("_source_code").is_in(NFA_REFERRAL_SOURCES)
    )
    closed_nfa = closed_nfa.filter(pl.Series(rng.random(closed_nfa.height) < NFA_REFERRED))
    reason = (
        pl.when(pl.col("CLOSED_DATE").is_null())
        .then(None)
        .when(pl.col("_helped") & pl.col("_help").is_in(EARLY_HELP_KINDS))
        .then(pl.lit("RC9"))
        .when(pl.col("_helped"))
        .then(pl.lit("RC7"))
        .otherwise(pl.lit("RC8"))
    )
    episodes = pl.concat(
        [
            referred.select(
                "CHILD",
                "DECISION_DATE",
                "_source_code",
                "_need_code",
                "CLOSED_DATE",
                reason.alias("reason"),
                nfa=pl.lit(False),
                assessed="_assessed",
                started="_started",
                authorised="_authorised",
            ),
            closed_nfa.select(
                "CHILD",
                "DECISION_DATE",
                "_source_code",
                "_need_code",
                CLOSED_DATE="DECISION_DATE",
                reason=pl.lit("RC8"),
                nfa=pl.lit(True),
                assessed=pl.lit(False),
                started=pl.lit(None, pl.Date),
                authorised=pl.lit(None, pl.Date),
            ),
        ]
    ).sort("DECISION_DATE", "CHILD", maintain_order=True)
    # A child has one episode open at a time: one still open (or closing later) when the
    # child is referred again closes that day, as the services it led to ended.
    following = pl.col("DECISION_DATE").shift(-1).over("CHILD", order_by="DECISION_DATE")
    overlaps = following.is_not_null() & (
        pl.col("CLOSED_DATE").is_null() | (pl.col("CLOSED_DATE") > following)
    )
    episodes = episodes.with_columns(
        CLOSED_DATE=pl.when(overlaps).then(following).otherwise("CLOSED_DATE"),
        reason=pl.when(overlaps).then(pl.lit("RC7")).otherwise("reason"),
        CINdetailsID=pl.format("CIN{}", pl.int_range(1, pl.len() + 1).cast(pl.String).str.zfill(6)),
    )
    referrals = episodes.select(
        LAchildID="CHILD",
        CINdetailsID="CINdetailsID",
        CINreferralDate="DECISION_DATE",
        ReferralSource="_source_code",
        PrimaryNeedCode="_need_code",
        CINclosureDate="CLOSED_DATE",
        ReasonForClosure="reason",
        ReferralNFA="nfa",
    )
    assessed = episodes.filter("assessed")
    assessments = assessed.select(
        LAchildID="CHILD",
        CINdetailsID="CINdetailsID",
        CINreferralDate="DECISION_DATE",
        AssessmentActualStartDate="started",
        AssessmentInternalReviewDate=pl.lit(None, pl.Date),
        AssessmentAuthorisationDate="authorised",
        AssessmentFactors=_factors(rng, assessed.height),
    )
    return {"cin_referrals": referrals, "cin_assessments": assessments}


def _factors(rng: Rng, n: int) -> pl.Series:
    """One or two assessment factor codes per assessment, comma-separated as extracts give
    them."""
    codes = np.array(FACTORS, dtype=object)
    first = rng.integers(0, len(codes), n)
    second = (first + rng.integers(1, len(codes), n)) % len(codes)
    both = rng.random(n) < 0.5
    return pl.Series(
        np.where(both, codes[first] + "," + codes[second], codes[first]), dtype=pl.String
    )
