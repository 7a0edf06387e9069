"""Every demand measure together, as at a date: `summarise(data, as_at=..., rules=...,
nation=...)` gives a `DemandSummary` of tables, charts and headline numbers, and
`DemandSummary.as_dict()` the JSON-ready version (aggregates only: no child's or family's
ID). No disclosure control is applied here: the outputs apply it to what they publish.

The period is the `months` calendar months up to `as_at` (from the 1st of the month
`months - 1` months before as_at's month, to as_at itself). Everything dated after as_at is
not yet known and left out; contacts before the period still count as the earlier contacts
the rules, right first time and cases look back at.

- Classification, shares, agreement, decisions and what matters: the contacts of the period.
- Right first time: known only `come_back_months` after a contact, so the monthly table
  runs from that many months before the period starts, and the headline share is for the
  contacts made in the `months` months up to `come_back_months` before as_at, the latest
  whose outcome is all known. The period's own share, of those known so far, is beside it.
- End-to-end time: the cases whose right help (or assessment) started in the period; the
  cases still waiting as at as_at.
- Re-referrals: by month of referral in the period, and the rate for the 12 months to as_at.
- Assessments: those authorised in the period, by month authorised, and those open at
  as_at (overdue or not yet due).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import asdict, dataclass
from functools import cached_property
from typing import Any

import polars as pl

from carejourney.config.demand import DemandRules
from carejourney.measures.demand import flow, matters, referrals, shares, timeliness
from carejourney.measures.demand.charts import DemandChart, capability_chart, failure_chart
from carejourney.measures.demand.classify import agreement, classify
from carejourney.measures.demand.common import months_before, months_between, period_start
from carejourney.measures.demand.data import DemandData
from carejourney.schema.types import Nation


@dataclass(frozen=True)
class Headline:
    """The headline numbers. Percentages are 0 to 100, None where there is nothing to
    divide by; days are calendar days, working days say so."""

    contacts: int  # made in the period
    failure_pct: float | None
    recorded: int  # of the contacts, those a team classed (the rest the rules suggested)
    right_first_time_pct: float | None  # contacts made rft_from..rft_to, all outcomes known
    right_first_time_contacts: int
    rft_from: dt.date
    rft_to: dt.date
    right_first_time_pct_so_far: float | None  # the period's contacts whose outcome is known
    not_yet_known: int  # the period's contacts whose outcome is not known yet
    cases_helped: int  # right help started in the period
    provisional: int  # of them, helped less than come_back_months before as_at
    median_days_to_help: float | None
    median_days_to_assessment: float | None
    capability_lower: float | None  # natural process limits, latest phase (lower >= 0)
    capability_upper: float | None
    capability: str | None  # the capability sentence
    cases_waiting: int  # no right help yet, at as_at
    longest_wait: int | None  # days since first contact, of the cases waiting
    referrals: int  # in the 12 months to as_at
    re_referrals: int
    re_referral_pct: float | None
    decisions_on_time_pct: float | None  # of the period's contacts whose decision was due
    decisions_overdue: int  # undecided and past the timescale at as_at
    assessments_on_time_pct: float | None  # of the assessments authorised in the period
    assessments_authorised: int
    assessments_overdue: int  # open past the timescale at as_at


@dataclass(frozen=True)
class DemandSummary:
    """The demand measures of one LA as at a date. The per-contact, per-case, per-referral
    and per-assessment frames carry IDs: for drilling down, never for publishing."""

    la: str
    as_at: dt.date
    period_start: dt.date
    months: int
    nation: str
    redesign: dt.date | None
    rules: DemandRules
    referral_source: str  # referrals.FROM_CIN_CENSUS or FROM_CONTACTS
    headline: Headline
    # Per row (personal):
    classified: pl.DataFrame  # the period's contacts, classified
    right_first_time: pl.DataFrame  # contacts from the start of the rft table, with status
    cases: pl.DataFrame  # every case up to as_at
    rereferrals: pl.DataFrame  # every referral up to as_at
    decisions: pl.DataFrame  # the period's contacts, with decision timeliness
    assessments: pl.DataFrame  # every assessment started by as_at, with timeliness
    # Aggregates:
    shares_by_month: pl.DataFrame
    shares_by_source: pl.DataFrame
    shares_by_team: pl.DataFrame
    failure_types: pl.DataFrame
    agreement: pl.DataFrame
    right_first_time_by_month: pl.DataFrame
    rereferrals_by_month: pl.DataFrame
    decisions_by_month: pl.DataFrame
    assessments_by_month: pl.DataFrame
    what_matters: pl.DataFrame
    what_matters_by_month: pl.DataFrame
    failure_chart: DemandChart
    help_chart: DemandChart

    AGGREGATES = (
        "shares_by_month",
        "shares_by_source",
        "shares_by_team",
        "failure_types",
        "agreement",
        "right_first_time_by_month",
        "rereferrals_by_month",
        "decisions_by_month",
        "assessments_by_month",
        "what_matters",
        "what_matters_by_month",
    )

    @cached_property
    def assessment_chart(self) -> DemandChart:
        """The end-to-end days to the right assessment, drawn only when asked for: the
        report and the page show the days to the right help, and a large LA's cases make
        each chart a few tenths of a second."""
        return capability_chart(
            self.cases, self.period_start, self.as_at, redesign=self.redesign, to="assessment"
        )

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready (dates as ISO text, no NaN): the period, rules, headline, aggregate
        tables (as lists of rows) and charts. The per-row frames are left out."""
        return {
            "la": self.la,
            "as_at": self.as_at.isoformat(),
            "period": {"from": self.period_start.isoformat(), "to": self.as_at.isoformat()},
            "months": self.months,
            "nation": self.nation,
            "redesign": self.redesign.isoformat() if self.redesign else None,
            "referral_source": self.referral_source,
            "rules": self.rules.model_dump(mode="json"),
            "headline": {k: _plain(v) for k, v in asdict(self.headline).items()},
            "tables": {name: records(getattr(self, name)) for name in self.AGGREGATES},
            "charts": {
                "failure": self.failure_chart.as_dict(),
                "help": self.help_chart.as_dict(),
                "assessment": self.assessment_chart.as_dict(),
            },
        }


def _plain(value: object) -> object:
    """A value as JSON holds it: dates as ISO text, NaN as None."""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pl.DataFrame) -> list[dict[str, object]]:
    """A frame's rows as JSON-ready dictionaries."""
    return [{k: _plain(v) for k, v in row.items()} for row in frame.iter_rows(named=True)]


def summarise(
    data: DemandData,
    *,
    as_at: dt.date,
    rules: DemandRules,
    nation: Nation | str,
    months: int = 12,
    redesign: dt.date | None = None,
) -> DemandSummary:
    """Every demand measure of `data` as at `as_at`, for the `months` months up to it."""
    if months < 1:
        raise ValueError(f"months must be at least 1, not {months}")
    start = period_start(as_at, months)
    period = pl.col("CONTACT_DATE").is_between(start, as_at)
    month_list = months_between(start, as_at)
    known = data.contacts.filter(pl.col("CONTACT_DATE") <= as_at)

    classified = classify(known, rules).filter(period)
    by_month = shares.by_month(classified, month_list)
    share = shares.overall(classified).row(0, named=True)

    back = rules.come_back_months
    rft_start = period_start(as_at, months + back)  # `back` months before the period
    every_rft = flow.right_first_time(known, as_at, back)
    rft = every_rft.filter(pl.col("CONTACT_DATE").is_between(rft_start, as_at))
    rft_to = months_before(as_at, back)
    rft_from = months_before(rft_to, months) + dt.timedelta(days=1)
    complete = flow.right_first_time_overall(
        every_rft.filter(pl.col("CONTACT_DATE").is_between(rft_from, rft_to))
    ).row(0, named=True)
    so_far = flow.right_first_time_overall(rft.filter(period)).row(0, named=True)

    found_cases = flow.cases(known, timeliness.assessments_of(data), data.help, as_at, back)
    help_chart = capability_chart(found_cases, start, as_at, redesign=redesign)
    ends = flow.end_to_end(found_cases, start, as_at)

    referral_list, referral_source = referrals_of_known(data, as_at)
    again = referrals.rereferrals(referral_list)
    year = referrals.rate_to(again, as_at)

    decided = timeliness.decisions(classified, as_at, nation, rules.decision_working_days)
    decisions_share = timeliness.overall(decided, "DECISION_STATUS").row(0, named=True)
    assessed = timeliness.assessments(
        timeliness.assessments_of(data),
        referral_list,
        as_at,
        nation,
        rules.assessment_working_days,
    )
    authorised = assessed.filter(pl.col("AUTHORISED").is_between(start, as_at))
    assessments_share = timeliness.overall(authorised, "ASSESSMENT_STATUS").row(0, named=True)

    headline = Headline(
        contacts=int(share["contacts"]),
        failure_pct=share["failure_pct"],
        recorded=int(share["recorded"]),
        right_first_time_pct=complete["right_first_time_pct"],
        right_first_time_contacts=int(complete["contacts"]),
        rft_from=rft_from,
        rft_to=rft_to,
        right_first_time_pct_so_far=so_far["right_first_time_pct"],
        not_yet_known=int(so_far["not_yet_known"]),
        cases_helped=ends.helped,
        provisional=ends.provisional,
        median_days_to_help=ends.median_days_to_help,
        median_days_to_assessment=ends.median_days_to_assessment,
        capability_lower=help_chart.lower,
        capability_upper=help_chart.upper,
        capability=help_chart.capability,
        cases_waiting=ends.waiting,
        longest_wait=ends.longest_wait,
        referrals=year.referrals,
        re_referrals=year.re_referrals,
        re_referral_pct=year.re_referral_pct,
        decisions_on_time_pct=decisions_share["on_time_pct"],
        decisions_overdue=int(decisions_share["overdue"]),
        assessments_on_time_pct=assessments_share["on_time_pct"],
        assessments_authorised=int(assessments_share["total"]),
        assessments_overdue=int(
            assessed.filter(pl.col("ASSESSMENT_STATUS") == timeliness.OVERDUE).height
        ),
    )
    return DemandSummary(
        la=data.la,
        as_at=as_at,
        period_start=start,
        months=months,
        nation=str(Nation(nation)),
        redesign=redesign,
        rules=rules,
        referral_source=referral_source,
        headline=headline,
        classified=classified,
        right_first_time=rft,
        cases=found_cases,
        rereferrals=again,
        decisions=decided,
        assessments=assessed,
        shares_by_month=by_month,
        shares_by_source=shares.by_group(classified, "SOURCE"),
        shares_by_team=shares.by_group(classified, "TEAM"),
        failure_types=shares.failure_types(classified),
        agreement=agreement(classified),
        right_first_time_by_month=flow.right_first_time_by_month(
            rft, months_between(rft_start, as_at)
        ),
        rereferrals_by_month=referrals.by_month(
            again.filter(pl.col("REFERRAL_DATE").is_between(start, as_at)), month_list
        ),
        decisions_by_month=timeliness.by_month(
            decided, "CONTACT_DATE", "DECISION_STATUS", month_list
        ),
        assessments_by_month=timeliness.by_month(
            authorised, "AUTHORISED", "ASSESSMENT_STATUS", month_list
        ),
        what_matters=matters.what_matters(classified),
        what_matters_by_month=matters.what_matters_by_month(classified, month_list),
        failure_chart=failure_chart(by_month, redesign),
        help_chart=help_chart,
    )


def referrals_of_known(data: DemandData, as_at: dt.date) -> tuple[pl.DataFrame, str]:
    """The referrals (`referrals.referrals_of`) dated on or before as_at, and their source."""
    found, source = referrals.referrals_of(data)
    return found.filter(pl.col("REFERRAL_DATE") <= as_at), source
