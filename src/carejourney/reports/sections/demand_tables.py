"""The demand tables as published: value and failure demand by month, kind, source and
team; right first time; re-referrals; decisions and assessments on time; what matters; and
how the demand rules agree with what teams recorded. Each comes from a `DemandSummary`'s
aggregate tables, with a totals row, every count through `reports.disclosure.protect_counts`
(totals make secondary suppression possible, and the headline figures publish the totals
anyway) and every share through `protect_percent`, hidden with either of its counts.

`reports.sections.demand` (the report), the `/demand` web page and `carejourney demand
summary` all show these tables, so the three never disagree.
"""

from __future__ import annotations

import polars as pl

from carejourney.measures.demand.summary import DemandSummary
from carejourney.reports.disclosure import DisclosureRules, protect_counts, protect_percent
from carejourney.reports.document import ReportTable
from carejourney.reports.sections.common import words_date

__all__ = [
    "NO_VALUE",
    "days_text",
    "disclosure_note",
    "percent_text",
    "tables",
    "tagged",
    "working_days",
]

NO_VALUE = "–"
TOP_TAGS = 10  # "what matters": the most often named


# --- numbers as text -----------------------------------------------------------------------


def percent_text(part: int, whole: int, rules: DisclosureRules, *shown: object) -> str:
    """A share, hidden with either of its counts (`shown`: the counts as published)."""
    if whole == 0:
        return NO_VALUE
    if rules.marker in shown:
        return rules.marker
    return protect_percent(part, whole, rules, decimals=1) or rules.marker


def days_text(value: float | None) -> str:
    if value is None:
        return NO_VALUE
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def disclosure_note(rules: DisclosureRules) -> str | None:
    """The sentence under published figures saying what was hidden; None when exact."""
    if rules.internal:
        return None
    note = (
        f"Counts below {rules.threshold} are shown as {rules.marker} to protect children's "
        "privacy, and so are the shares worked out from them; where a table has totals, a "
        "further count may be hidden so that none can be worked out from the rest."
    )
    if rules.round_to is not None:
        note += f" Counts are rounded to the nearest {rules.round_to}."
    return note


# --- tables --------------------------------------------------------------------------------


def _protected(
    rows: pl.DataFrame,
    counts: list[str],
    total: str,
    rules: DisclosureRules,
    total_label: str,
) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """`rows` (a label column, then counts adding up to the `total` column) with a totals
    row, exact and as published, and the disclosure note."""
    label = rows.columns[0]
    exact = pl.concat(
        [
            rows,
            rows.select(
                pl.lit(total_label).alias(label), *(pl.col(c).sum() for c in rows.columns[1:])
            ),
        ],
        how="vertical_relaxed",
    ).with_columns(pl.col([*counts, total]).cast(pl.Int64))
    shown = protect_counts(exact, counts, rules, row_total=total, column_total_row=True)
    return exact, shown.frame, shown.note


def _shares_table(
    frame: pl.DataFrame, label: str, names: pl.Expr, rules: DisclosureRules, total_label: str
) -> tuple[pl.DataFrame, str]:
    """Contacts, value, failure and % failure by month, source or team, with a total."""
    rows = frame.select(
        names.alias(label),
        pl.col("contacts").alias("Contacts"),
        pl.col("value").alias("Value demand"),
        pl.col("failure").alias("Failure demand"),
    )
    exact, shown, note = _protected(
        rows, ["Value demand", "Failure demand"], "Contacts", rules, total_label
    )
    share = [
        percent_text(r["Failure demand"], r["Contacts"], rules, s["Failure demand"], s["Contacts"])
        for r, s in zip(exact.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
    ]
    return shown.with_columns(pl.Series("% failure demand", share)), note


def tables(summary: DemandSummary, rules: DisclosureRules) -> dict[str, ReportTable]:
    """Every published table, by topic: months, types, sources, teams, right_first_time,
    re_referrals, decisions, assessments, what_matters, agreement."""
    period = f"{words_date(summary.period_start)} to {words_date(summary.as_at)}"
    out: dict[str, ReportTable] = {}

    frame, note = _shares_table(
        summary.shares_by_month, "Month", _month_names("month"), rules, "All months"
    )
    out["months"] = ReportTable(
        "Demand by month", f"Value and failure demand by month, {period}", frame, note
    )

    types = summary.failure_types.filter(
        (pl.col("FAILURE_KIND") != "not recorded") | (pl.col("contacts") > 0)
    )
    kind = pl.col("failure_kind")
    rows = types.select(
        (kind.str.slice(0, 1).str.to_uppercase() + kind.str.slice(1)).alias(
            "Kind of failure demand"
        ),
        pl.col("recorded").alias("Classed by teams"),
        pl.col("suggested").alias("Suggested by the rules"),
        pl.col("contacts").alias("Contacts"),
    )
    exact, shown, note = _protected(
        rows,
        ["Classed by teams", "Suggested by the rules"],
        "Contacts",
        rules,
        "All failure demand",
    )
    failure, contacts = int(exact["Contacts"][-1]), int(summary.shares_by_month["contacts"].sum())
    zipped = list(zip(exact.iter_rows(named=True), shown.iter_rows(named=True), strict=True))
    out["types"] = ReportTable(
        "Failure demand by kind",
        f"Failure demand by kind, {period}",
        shown.with_columns(
            pl.Series(
                "% of failure demand",
                [percent_text(r["Contacts"], failure, rules, s["Contacts"]) for r, s in zipped],
            ),
            pl.Series(
                "% of all contacts",
                [percent_text(r["Contacts"], contacts, rules, s["Contacts"]) for r, s in zipped],
            ),
        ),
        note,
    )

    for key, column, heading, every, title in (
        ("sources", "SOURCE", "Who made contact", "All sources", "Demand by source"),
        ("teams", "TEAM", "Team", "All teams", "Demand by team"),
    ):
        frame, note = _shares_table(
            getattr(summary, f"shares_by_{key[:-1]}"), heading, pl.col(column), rules, every
        )
        out[key] = ReportTable(
            title, f"Value and failure demand by {heading.lower()}, {period}", frame, note
        )

    out["right_first_time"] = _right_first_time(summary, rules)
    out["re_referrals"] = _re_referrals(summary, rules, period)
    out["decisions"], out["assessments"] = _timeliness(summary, rules, period)
    out["what_matters"] = _what_matters(summary, rules, period)
    out["agreement"] = _agreement(summary, rules, period)
    return out


def _month_names(column: str) -> pl.Expr:
    return pl.col(column).dt.strftime("%B %Y")


def _right_first_time(summary: DemandSummary, rules: DisclosureRules) -> ReportTable:
    by_month = summary.right_first_time_by_month
    rows = by_month.select(
        _month_names("month").alias("Month of contact"),
        pl.col("contacts").alias("Contacts"),
        pl.col("right_first_time").alias("Right first time"),
        pl.col("not_right_first_time").alias("Came back"),
        pl.col("not_yet_known").alias("Not known yet"),
    )
    counts = ["Right first time", "Came back", "Not known yet"]
    exact, shown, note = _protected(rows, counts, "Contacts", rules, "All months")
    share = [
        percent_text(
            r["Right first time"],
            r["Right first time"] + r["Came back"],
            rules,
            s["Right first time"],
            s["Came back"],
        )
        for r, s in zip(exact.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
    ]
    back = summary.rules.come_back_months
    first = words_date(by_month["month"][0]) if by_month.height else ""
    return ReportTable(
        "Right first time by month",
        f"Right first time by month of contact, from {first}: the family did not make contact "
        f"again within {back} months",
        shown.with_columns(pl.Series("% right first time", share)),
        note,
    )


def _re_referrals(summary: DemandSummary, rules: DisclosureRules, period: str) -> ReportTable:
    rows = summary.rereferrals_by_month.select(
        _month_names("month").alias("Month of referral"),
        pl.col("referrals").alias("Referrals"),
        pl.col("re_referrals").alias("Re-referrals"),
        (pl.col("referrals") - pl.col("re_referrals")).alias("Other referrals"),
    )
    exact, shown, note = _protected(
        rows, ["Re-referrals", "Other referrals"], "Referrals", rules, "All months"
    )
    share = [
        percent_text(r["Re-referrals"], r["Referrals"], rules, s["Re-referrals"], s["Referrals"])
        for r, s in zip(exact.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
    ]
    return ReportTable(
        "Re-referrals by month",
        f"Re-referrals within 12 months of an earlier referral of the same child, by month, "
        f"{period} (referrals: {summary.referral_source})",
        shown.with_columns(pl.Series("% re-referrals", share)),
        note,
    )


def _timeliness(
    summary: DemandSummary, rules: DisclosureRules, period: str
) -> tuple[ReportTable, ReportTable]:
    tables_: list[ReportTable] = []
    settings = summary.rules
    for frame, label, total, counts, title, words in (
        (
            summary.decisions_by_month,
            "Month of contact",
            "Contacts",
            ["On time", "Late", "Overdue", "Not yet due", "Dates to check"],
            "Decisions on time by month",
            f"Decisions within {working_days(settings.decision_working_days)} of the contact, "
            f"by month of contact, {period}",
        ),
        (
            summary.assessments_by_month,
            "Month authorised",
            "Assessments authorised",
            ["On time", "Late", "Dates to check"],
            "Assessments on time by month",
            f"Assessments authorised within "
            f"{working_days(settings.assessment_working_days)} of the referral, by month "
            f"authorised, {period}",
        ),
    ):
        rows = frame.select(
            _month_names("month").alias(label),
            pl.col("total").alias(total),
            pl.col("on_time").alias("On time"),
            pl.col("late").alias("Late"),
            pl.col("overdue").alias("Overdue"),
            pl.col("not_yet_due").alias("Not yet due"),
            pl.col("dates_to_check").alias("Dates to check"),
        ).select(label, total, *counts)
        exact, shown, note = _protected(rows, counts, total, rules, "All months")
        due = [c for c in ("On time", "Late", "Overdue") if c in counts]
        share = [
            percent_text(r["On time"], sum(r[c] for c in due), rules, *(s[c] for c in due))
            for r, s in zip(exact.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ]
        tables_.append(
            ReportTable(title, words, shown.with_columns(pl.Series("% on time", share)), note)
        )
    return tables_[0], tables_[1]


def working_days(n: int) -> str:
    return f"{n} working day{'' if n == 1 else 's'}"


def tagged(summary: DemandSummary) -> int:
    """How many of the period's contacts gave any "what matters" tag: the denominator of
    `what_matters`' shares, given back by any tag's count and share (exact once rounded:
    the share is count * 100 / tagged)."""
    top = summary.what_matters.filter(pl.col("contacts") > 0).head(1)
    if not top.height:
        return 0
    contacts, pct = top.row(0)[1:]
    return round(float(contacts) * 100 / float(pct))


def _what_matters(summary: DemandSummary, rules: DisclosureRules, period: str) -> ReportTable:
    top = summary.what_matters.head(TOP_TAGS)
    rows = top.select(
        pl.col("tag").alias("What matters to the family"), pl.col("contacts").alias("Contacts")
    )
    # Tags overlap (a contact may give several), so there is no total to protect.
    shown = protect_counts(rows, ["Contacts"], rules) if rows.height else None
    frame = shown.frame if shown is not None else rows.cast({"Contacts": pl.String})
    any_tag = tagged(summary)
    share = [
        percent_text(n, any_tag, rules, s)
        for n, s in zip(rows["Contacts"].to_list(), frame["Contacts"].to_list(), strict=True)
    ]
    return ReportTable(
        "What matters",
        f"What matters to families: the {TOP_TAGS} things most often recorded, {period}",
        frame.with_columns(pl.Series("% of contacts that named any", share, pl.String)),
        shown.note if shown is not None else None,
    )


def _agreement(summary: DemandSummary, rules: DisclosureRules, period: str) -> ReportTable:
    words = {
        "VALUE": "value demand",
        "FAILURE": "failure demand",
        **{
            code: f"failure demand: {w}"
            for code, w in (
                ("CHASING", "progress chasing"),
                ("RE_REFERRAL_NFA", "back after no further action"),
                ("NOT_RIGHT_FIRST_TIME", "not right first time"),
                ("REPEAT", "repeat contact about the same need"),
                ("WRONG_SERVICE", "came to the wrong service"),
            )
        },
    }

    def said(cls: str, kind: str) -> pl.Expr:
        kind_words = pl.col(kind).replace_strict(words, default=pl.col(kind))
        return (
            pl.when(pl.col(kind).is_not_null())
            .then(kind_words)
            .otherwise(pl.col(cls).replace_strict(words, default=pl.col(cls)))
        )

    rows = summary.agreement.select(
        said("RECORDED_CLASS", "RECORDED_KIND").alias("The team recorded"),
        said("SUGGESTED_CLASS", "SUGGESTED_KIND").alias("The rules suggest"),
        pl.when(pl.col("same_kind"))
        .then(pl.lit("yes"))
        .when(pl.col("same_class"))
        .then(pl.lit("on value or failure, not the kind"))
        .otherwise(pl.lit("no"))
        .alias("Agree"),
        pl.col("contacts").alias("Contacts"),
    )
    total = pl.DataFrame(
        {
            "The team recorded": ["All contacts classed by teams"],
            "The rules suggest": [""],
            "Agree": [""],
            "Contacts": [int(rows["Contacts"].sum())],
        },
        schema=rows.schema,
    )
    shown = protect_counts(pl.concat([rows, total]), ["Contacts"], rules, column_total_row=True)
    return ReportTable(
        "Rules and teams agree",
        f"Contacts a team classed, {period}: what the team recorded and what the demand rules "
        f'("{summary.rules.name}") would have suggested',
        shown.frame,
        shown.note,
    )
