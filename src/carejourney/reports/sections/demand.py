"""Demand as families experience it: how much of the demand coming in is failure demand,
whether families were helped right first time, how long from "I need help" to the right
help, re-referrals, and whether decisions and assessments were on time (the measures of
Cumbria's "Better for Children" systems review and Coventry's re-referral warning).

The figures are `measures.demand.summary.summarise`'s, for the 12 months to the report's
as-at date, with the LA's demand data read from the store (`load_demand`). Everything here
turns a `DemandSummary` into what is published: sentences, tables and charts, every count
through `reports.disclosure` (exact when the rules are internal). The web page (`/demand`)
and `carejourney demand summary` show the same tables and sentences from the same functions
(`paragraphs`, `demand_tables.tables`, `published_failure_chart`,
`published_capability_chart`), so the three never disagree.

A chart is published only when it gives no small count away: the monthly failure share
only when no month's share would be hidden (drawn from the rounded counts when rounding is
asked for), the case-by-case end-to-end chart only when at least `threshold` cases are on
it (as the adoption chart of `timeliness` does). No child's or family's ID is ever shown.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np
import polars as pl

from carejourney.config.demand import DemandRules, load_demand_rules
from carejourney.config.rules import RuleSet
from carejourney.measures.demand.charts import DemandChart, failure_chart
from carejourney.measures.demand.common import months_before
from carejourney.measures.demand.data import DemandData
from carejourney.measures.demand.stored import load_demand
from carejourney.measures.demand.summary import DemandSummary, summarise
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Improvement, Series, SpcOptions
from carejourney.measures.spc.words import explain
from carejourney.reports.charts import render
from carejourney.reports.disclosure import DisclosureRules, protect_percent
from carejourney.reports.document import Figure, ReportChart, ReportContext, Section
from carejourney.reports.sections.common import count_text, words_date
from carejourney.reports.sections.demand_tables import (
    NO_VALUE,
    days_text,
    percent_text,
    tables,
    tagged,
    working_days,
)
from carejourney.reports.sections.summary import change_in_words, days_change_in_words
from carejourney.schema.types import Nation

__all__ = [
    "KEY",
    "TITLE",
    "build",
    "default_as_at",
    "figures",
    "nation_of",
    "no_demand",
    "paragraphs",
    "published_capability_chart",
    "published_failure_chart",
    "report_chart",
    "rereferral_chart",
    "section_for",
]

KEY, TITLE = "demand", "Demand as families experience it"


def no_demand(la: str | None) -> str:
    """What to import, and how, when an LA (None: any LA) has no contacts stored."""
    which = f"for LA {la}" if la is not None else "yet"
    return (
        f"No contacts are stored {which}, so there is no demand to measure. Import the LA's "
        "contacts (a demand log or contacts and referrals extract: one row per contact, with "
        "at least CHILD and CONTACT_DATE) and, if you have them, its assessments, help "
        "provided and CIN census referrals and assessments, for example "
        "`carejourney demand import contacts.csv assessments.csv help.csv "
        f"--la {la or 'CODE'}`. docs/demand.md says what each file holds."
    )


def default_as_at(data: DemandData) -> dt.date | None:
    """The latest contact's date: the last day the demand data covers."""
    latest = data.contacts["CONTACT_DATE"].max()
    return latest if isinstance(latest, dt.date) else None


def nation_of(rule_sets: Sequence[RuleSet]) -> Nation:
    """Whose bank holidays count working days: the first rule set's nation."""
    return Nation(rule_sets[0].nation) if rule_sets else Nation.ENGLAND_AND_WALES


# --- sentences -----------------------------------------------------------------------------


def paragraphs(summary: DemandSummary, rules: DisclosureRules) -> dict[str, str]:
    """A plain-words paragraph per topic: failure, right_first_time, end_to_end,
    re_referrals, timeliness, what_matters, agreement."""
    h = summary.headline
    start, end = words_date(summary.period_start), words_date(summary.as_at)
    out: dict[str, str] = {}
    failure = int(summary.shares_by_month["failure"].sum())
    if h.contacts == 0:
        out["failure"] = f"No contacts were made from {start} to {end}."
    else:
        share = percent_text(failure, h.contacts, rules)
        out["failure"] = (
            f"{_counted(h.contacts, rules, 'contact')} came in from {start} to {end}, and "
            f"{_part(failure, h.contacts, rules)} of them ({share}) were failure demand: "
            "contact caused by not doing something, or not doing it right, for the family "
            "(Cumbria's review found 57%). "
            + (
                f"Teams classed {_part(h.recorded, h.contacts, rules)} of the contacts "
                "themselves; for the rest "
                if h.recorded
                else "No team classed any of them: "
            )
            + f'the demand rules ("{summary.rules.name}") suggested the class.'
        )
        top = summary.failure_types.sort("contacts", descending=True, maintain_order=True)
        if failure and top.height:
            kind, n = top["failure_kind"][0], int(top["contacts"][0])
            out["failure"] += (
                f" The commonest kind of failure demand was {kind} ({_part(n, failure, rules)} "
                f"contacts, {percent_text(n, failure, rules)} of the failure demand)."
            )

    back = summary.rules.come_back_months
    rft = summary.right_first_time_by_month.filter(pl.col("month") >= summary.period_start)
    came_back = int(rft["not_right_first_time"].sum())
    complete = h.right_first_time_contacts
    right = round((h.right_first_time_pct or 0) * complete / 100)
    out["right_first_time"] = (
        f"Of the {count_text(complete, rules)} contacts made from {words_date(h.rft_from)} to "
        f"{words_date(h.rft_to)} (the latest whose outcome is all known, {back} months on), "
        f"{percent_text(right, complete, rules)} were right first time: the family did not "
        f"need to make contact again within {back} months. Of the contacts made from {start} "
        f"to {end}, the family has already come back after "
        f"{_part(came_back, h.contacts, rules)} of them; for "
        f"{_part(h.not_yet_known, h.contacts, rules)} it is too soon to know."
    )

    out["end_to_end"] = _end_to_end_words(summary, rules)

    first = months_before(summary.as_at, 12) + dt.timedelta(days=1)
    out["re_referrals"] = (
        f"Of the {count_text(h.referrals, rules)} referrals from {words_date(first)} to {end} "
        f"({summary.referral_source}), {_part(h.re_referrals, h.referrals, rules)} "
        f"({percent_text(h.re_referrals, h.referrals, rules)}) were re-referrals: the same child "
        "had been referred within the 12 months before (the DfE's measure, published every "
        "year from the children in need census)."
        if h.referrals
        else f"No referral was made from {words_date(first)} to {end} ({summary.referral_source})."
    )

    decided = summary.decisions_by_month
    on_time = int(decided["on_time"].sum())
    due = on_time + int(decided["late"].sum()) + int(decided["overdue"].sum())
    assessed = summary.assessments_by_month
    authorised_on_time = int(assessed["on_time"].sum())
    authorised_due = authorised_on_time + int(assessed["late"].sum())
    settings = summary.rules
    within = f"within {working_days(settings.decision_working_days)}"
    out["timeliness"] = (
        (
            f"Of the {count_text(due, rules)} contacts whose decision was due, "
            f"{percent_text(on_time, due, rules)} were decided {within} (Working Together to "
            f"Safeguard Children 2023); on {end}, "
            f"{_were(h.decisions_overdue, due, rules, 'contact')} still undecided past that. "
            if due
            else f"No contact's decision was due {within} from {start} to {end} yet. "
        )
        + (
            f"Of the {count_text(h.assessments_authorised, rules)} assessments authorised "
            f"from {start} to {end}, {percent_text(authorised_on_time, authorised_due, rules)} "
            f"were authorised within {working_days(settings.assessment_working_days)} of the "
            "referral"
            if h.assessments_authorised
            else f"No assessment was authorised from {start} to {end}"
        )
        + f"; on {end}, {_were(h.assessments_overdue, None, rules, 'open assessment')} past "
        "that."
    )

    named = tagged(summary)
    if named:
        top_tags = [
            tag
            for tag, n in summary.what_matters.select("tag", "contacts").iter_rows()
            if not rules.hides(int(n))
        ][:3]
        out["what_matters"] = (
            "Teams recorded what matters to the family on "
            f"{_part(named, h.contacts, rules)} of the contacts. "
            + (f"The most often named: {'; '.join(top_tags)}." if top_tags else "")
        ).strip()
    else:
        out["what_matters"] = (
            'No contact in the period has "what matters" recorded (the WHAT_MATTERS column of '
            "the contacts file, tags separated by ;)."
        )

    agree = summary.agreement.filter(pl.col("same_class"))["contacts"].sum()
    out["agreement"] = (
        f"Where a team classed a contact, the rules suggest the same (value or failure) for "
        f"{_part(int(agree), h.recorded, rules)} of {count_text(h.recorded, rules)} "
        f"({percent_text(int(agree), h.recorded, rules)}). Where they differ, the reasons show "
        "why, and the rules can be tuned to the service (docs/demand-rules.md)."
        if h.recorded
        else "No team classed any contact in the period, so every class is the rules' "
        "suggestion: ask a team to fill in a demand-capture sheet for a few weeks to check "
        "the rules against (docs/demand-rules.md)."
    )
    return out


def _part(part: int, whole: int | None, rules: DisclosureRules) -> str:
    """A count for a sentence that also gives (or sits beside) its `whole`: hidden when
    small, and also when the rest is (whole - part would give the rest away), as a
    percentage is (`protect_percent`)."""
    if whole is not None and not rules.hides(part) and rules.hides(whole - part):
        return f"all but fewer than {rules.threshold}"
    return count_text(part, rules)


def _counted(n: int, rules: DisclosureRules, what: str) -> str:
    """ "1 contact", "12 contacts", "fewer than 5 contacts"."""
    if n == 1 and not rules.hides(n):
        return f"1 {what}"
    return f"{count_text(n, rules)} {what}s"


def _were(n: int, whole: int | None, rules: DisclosureRules, what: str) -> str:
    """ "1 contact was", "12 contacts were", "fewer than 5 contacts were"."""
    if n == 1 and not rules.hides(n):
        return f"1 {what} was"
    return f"{_part(n, whole, rules)} {what}s were"


def _helped(summary: DemandSummary) -> pl.DataFrame:
    return summary.cases.filter(
        pl.col("HELP_START").is_between(summary.period_start, summary.as_at)
    )


def _end_to_end_words(summary: DemandSummary, rules: DisclosureRules) -> str:
    h = summary.headline
    end = words_date(summary.as_at)
    assessed = int(_helped(summary)["DAYS_TO_ASSESSMENT"].is_not_null().sum())
    sentences = [
        f"{_counted(h.cases_helped, rules, 'case')} (a family's contacts, each within "
        f"{summary.rules.come_back_months} months of the one before) reached the right help "
        f"from {words_date(summary.period_start)} to {end}."
    ]
    if h.cases_helped and not rules.hides(h.cases_helped):
        sentences.append(
            f"Half of them took {days_text(h.median_days_to_help)} days or fewer from the family's "
            "first contact."
        )
        if assessed and not rules.hides(assessed):
            # "Of the 12 that had ...", unless the rest (helped, no assessment) is too few.
            those = (
                "those"
                if rules.hides(h.cases_helped - assessed)
                else f"the {count_text(assessed, rules)}"
            )
            sentences.append(
                f"Of {those} that had an assessment, half reached the right assessment within "
                f"{days_text(h.median_days_to_assessment)} days."
            )
        back = summary.rules.come_back_months
        sentences.append(
            (
                "All of them are"
                if h.provisional == h.cases_helped
                else f"{_part(h.provisional, h.cases_helped, rules)} of them are"
            )
            + f" provisional: the help started less than {back} months ago and the family "
            "may yet come back."
        )
    waiting = f"{count_text(h.cases_waiting, rules)} cases had not reached the right help on {end}"
    if h.longest_wait is not None and not rules.hides(h.cases_waiting):
        waiting += f"; the longest had waited {h.longest_wait:,} days"
    sentences.append(waiting + ".")
    return " ".join(sentences)


# --- charts --------------------------------------------------------------------------------


def published_failure_chart(
    summary: DemandSummary, rules: DisclosureRules
) -> tuple[DemandChart | None, str | None]:
    """The monthly failure share p chart as it may be published, or None and why not."""
    if summary.failure_chart.result is None:
        return None, " ".join(summary.failure_chart.notes) or None
    if rules.internal:
        return summary.failure_chart, None
    months = summary.shares_by_month.filter(pl.col("contacts") > 0)
    hidden = [
        m
        for m, failure, contacts in months.select("month", "failure", "contacts").iter_rows()
        if protect_percent(int(failure), int(contacts), rules) is None
    ]
    if hidden:
        return None, (
            f"No chart of the failure share by month: in {len(hidden)} of the {months.height} "
            f"months the numbers are small (below {rules.threshold}) and the chart would give "
            "them away."
        )
    if rules.round_to is None:
        return summary.failure_chart, None
    # With rounding, the chart is drawn from the published (rounded) counts.
    rounded = summary.shares_by_month.with_columns(
        pl.col("failure", "contacts").map_elements(rules.shown, return_dtype=pl.Int64)
    )
    return failure_chart(rounded, summary.redesign), None


def published_capability_chart(
    summary: DemandSummary, rules: DisclosureRules
) -> tuple[DemandChart | None, str | None]:
    """The case-by-case end-to-end chart (days to the right help) as it may be published:
    only with at least `threshold` cases on it (each point is one family's case)."""
    chart = summary.help_chart
    if chart.result is None:
        return None, " ".join(chart.notes) or None
    least = 2 if rules.internal else max(2, rules.threshold)
    if chart.result.points.height < least:
        return None, (
            f"No chart of end-to-end time: fewer than {rules.threshold} cases reached the "
            "right help in the period, and a chart of so few would point at families."
        )
    return chart, None


REREFERRAL_TITLE = "Re-referrals within 12 months: % of referrals, by month"


def rereferral_chart(summary: DemandSummary) -> DemandChart:
    """The monthly re-referral rate as a p chart (percent; lower is better), months with no
    referral left out; with the summary's redesign date, its month starts a new phase (as
    the failure share's chart does)."""
    months = summary.rereferrals_by_month.filter(pl.col("referrals") > 0).sort("month")
    value_title = "% re-referrals"
    if months.height < 2:
        note = "There are too few months with referrals to chart yet (at least 2 are needed)."
        return DemandChart(REREFERRAL_TITLE, value_title, None, notes=(note,))
    starts: list[dt.date] = months["month"].to_list()
    notes: tuple[str, ...] = ()
    parts: tuple[int, ...] = ()
    if summary.redesign is not None:
        before = sum(m < summary.redesign.replace(day=1) for m in starts)
        when = words_date(summary.redesign)
        if 0 < before < len(starts):
            parts = (before,)
        else:
            where = "the first" if before == 0 else "the last"
            notes = (
                f"The redesign date ({when}) is not within the months charted: it is "
                f"{'on or before' if before == 0 else 'after'} {where} month.",
            )
    series = Series(
        y=months["re_referrals"].cast(pl.Float64).to_numpy().astype(np.float64),
        n=months["referrals"].cast(pl.Float64).to_numpy().astype(np.float64),
        labels=tuple(m.isoformat() for m in starts),
    )
    options = SpcOptions(
        chart=ChartType.P, parts=parts, multiply=100.0, improvement=Improvement.DOWN
    )
    result = spc(series, options)
    return DemandChart(
        REREFERRAL_TITLE, value_title, result, signals=tuple(explain(result)), notes=notes
    )


def report_chart(chart: DemandChart) -> ReportChart:
    """A demand chart drawn (`reports.charts.render`), with its signals in words."""
    assert chart.result is not None
    rendered = render(chart.result, title=chart.title, value_title=chart.value_title)
    words = list(chart.signals)
    if chart.capability:
        words.append(chart.capability)
    words.extend(chart.notes)
    return ReportChart(
        title=chart.title,
        svg=rendered.svg,
        text_alternative=rendered.text_alternative,
        signals=tuple(words),
    )


# --- headline figures ----------------------------------------------------------------------


def _shares(summary: DemandSummary) -> dict[str, tuple[int, int]]:
    """(part, whole) of each headline share."""
    h = summary.headline
    decided, assessed = summary.decisions_by_month, summary.assessments_by_month
    decisions_on_time = int(decided["on_time"].sum())
    assessments_on_time = int(assessed["on_time"].sum())
    complete = h.right_first_time_contacts
    return {
        "failure": (int(summary.shares_by_month["failure"].sum()), h.contacts),
        "right_first_time": (round((h.right_first_time_pct or 0) * complete / 100), complete),
        "re_referrals": (h.re_referrals, h.referrals),
        "decisions": (
            decisions_on_time,
            decisions_on_time + int(decided["late"].sum()) + int(decided["overdue"].sum()),
        ),
        "assessments": (assessments_on_time, assessments_on_time + int(assessed["late"].sum())),
    }


def _median_help(summary: DemandSummary, rules: DisclosureRules) -> float | None:
    h = summary.headline
    return None if rules.hides(h.cases_helped) else h.median_days_to_help


def figures(
    summary: DemandSummary, rules: DisclosureRules, previous: DemandSummary | None = None
) -> tuple[Figure, ...]:
    """The headline figures, with their change on `previous` (a year before) when given."""
    h, settings = summary.headline, summary.rules
    now, before = _shares(summary), _shares(previous) if previous else None

    def share(name: str) -> tuple[str, str | None]:
        value = percent_text(*now[name], rules)
        if before is None or before[name][1] == 0:
            return value, None
        then = percent_text(*before[name], rules)
        return value, None if then in (rules.marker, NO_VALUE) else f"{then} a year before"

    median = _median_help(summary, rules)
    median_before = _median_help(previous, rules) if previous else None
    rows = [
        Figure(
            f"Contacts, {words_date(summary.period_start)} to {words_date(summary.as_at)}",
            count_text(h.contacts, rules),
            change_in_words(h.contacts, previous.headline.contacts, rules) if previous else None,
        ),
        Figure("Failure demand: % of contacts", *share("failure")),
        Figure(
            f"Right first time: % of contacts made {h.rft_from:%d/%m/%Y} to {h.rft_to:%d/%m/%Y}",
            *share("right_first_time"),
        ),
        Figure(
            "Median days from first contact to the right help",
            f"{days_text(median)} days" if median is not None else NO_VALUE,
            days_change_in_words(median, median_before),
        ),
        Figure("Re-referrals within 12 months: % of referrals", *share("re_referrals")),
        Figure(
            f"Decisions within {working_days(settings.decision_working_days)} of the contact",
            *share("decisions"),
        ),
        Figure(
            f"Assessments authorised within {working_days(settings.assessment_working_days)} "
            "of the referral",
            *share("assessments"),
        ),
    ]
    return tuple(rows)


# --- the section ---------------------------------------------------------------------------

ORDER = (
    "months",
    "types",
    "sources",
    "teams",
    "right_first_time",
    "re_referrals",
    "decisions",
    "assessments",
    "what_matters",
    "agreement",
)


def section_for(
    data: DemandData,
    *,
    as_at: dt.date,
    disclosure: DisclosureRules,
    nation: Nation | str,
    demand_rules: DemandRules | None = None,
) -> Section:
    """The section for `data` as at `as_at`: the 12 months to it, with the change on the
    12 months to a year before."""
    if not data.has_contacts:
        return Section(key=KEY, title=TITLE, not_available=no_demand(data.la))
    chosen = demand_rules or load_demand_rules()
    summary = summarise(data, as_at=as_at, rules=chosen, nation=nation)
    # The same figures a year before, when the data reach back that far.
    year_before = months_before(as_at, 12)
    earliest = data.contacts["CONTACT_DATE"].min()
    previous = (
        summarise(data, as_at=year_before, rules=chosen, nation=nation)
        if isinstance(earliest, dt.date) and earliest <= year_before
        else None
    )
    words = paragraphs(summary, disclosure)
    charts: list[ReportChart] = []
    chart_words: list[str] = []
    for found, why in (
        published_failure_chart(summary, disclosure),
        published_capability_chart(summary, disclosure),
    ):
        if found is not None:
            charts.append(report_chart(found))
        elif why:
            chart_words.append(why)
    shown = tables(summary, disclosure)
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=(
            words["failure"],
            words["right_first_time"],
            words["end_to_end"],
            words["re_referrals"],
            words["timeliness"],
            words["what_matters"],
            words["agreement"],
            *chart_words,
        ),
        figures=figures(summary, disclosure, previous),
        tables=tuple(shown[name] for name in ORDER),
        charts=tuple(charts),
    )


def build(context: ReportContext) -> Section:
    """The report's section: the LA's stored demand data as at the report's date."""
    data = load_demand(context.conn, context.la)
    return section_for(
        data,
        as_at=context.as_at,
        disclosure=context.disclosure,
        nation=nation_of(context.rule_sets),
    )
