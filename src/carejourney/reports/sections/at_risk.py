"""Cases at risk of missing deadlines, by team: the drift view as at the as-at date.

From `measures.summaries.drift_list` under every rule set the report was given: a milestone
is *overdue* when its due date has passed without it, and *reminder due* when the rule's
reminder point has passed but the due date has not. The team is the LA's allocation list's;
a child not on it (or no list loaded) is counted under "Not allocated". The list of overdue
cases names children by pseudonym unless the report is internal.
"""

from __future__ import annotations

import polars as pl

from carejourney.reports.disclosure import protect_counts, pseudonymise
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.reports.sections.common import count_text, drift_list_on, words_date

NOT_ALLOCATED = "Not allocated"
OVERDUE, REMINDER = "Overdue", "Reminder due"


def at_risk(context: ReportContext) -> pl.DataFrame:
    """The drift list's overdue and reminder-due rows, team filled in."""
    due = drift_list_on(context, context.rule_sets, context.as_at)
    return due.filter(pl.col("status").is_in(["overdue", "reminder due"])).with_columns(
        team=pl.col("team").fill_null(NOT_ALLOCATED)
    )


def build(context: ReportContext) -> Section:
    key, title = "at-risk", "Cases at risk of missing deadlines, by team"
    rules = context.disclosure
    if not context.rule_sets:
        return Section(
            key=key,
            title=title,
            not_available="No timescale rules were given: name a rule set (such as england).",
        )
    if context.journeys.periods.is_empty():
        return Section(
            key=key,
            title=title,
            not_available=(
                "No episodes of care are stored for this local authority: load its SSDA903 "
                "returns with `carejourney import` to see this section."
            ),
        )
    frame = at_risk(context)
    day = f"{context.as_at:%d/%m/%Y}"
    counts = (
        frame.group_by("team", "title")
        .agg(
            pl.col("status").eq("overdue").sum().cast(pl.Int64).alias(OVERDUE),
            pl.col("status").eq("reminder due").sum().cast(pl.Int64).alias(REMINDER),
        )
        .sort("team", "title")
        .rename({"team": "Team", "title": "Rule"})
    )
    tables = []
    if counts.height:
        protected = protect_counts(counts, [OVERDUE, REMINDER], rules, add_totals=True)
        tables.append(
            ReportTable(
                key="At risk by team",
                title=f"Milestones overdue or with a reminder due on {day}, by team and rule",
                frame=protected.frame.with_columns(pl.col("Rule").fill_null("All rules")),
                note=protected.note,
            )
        )
    overdue = frame.filter(pl.col("status") == "overdue").sort(
        "team", "days_late", "CHILD", descending=[False, True, False]
    )
    listed = pseudonymise(overdue, "CHILD", context.salt, rules).select(
        pl.col("CHILD").alias("Child"),
        pl.col("team").alias("Team"),
        pl.col("title").alias("Rule"),
        pl.col("due_date").dt.strftime("%d/%m/%Y").alias("Due date"),
        pl.col("days_late").alias("Days late"),
    )
    tables.append(
        ReportTable(
            key="Overdue cases",
            title=f"Overdue milestones on {day}, child by child",
            frame=listed,
            note=(
                "Children are shown by pseudonym, not ID, unless this is an internal report: "
                "the team can look the pseudonym up in carejourney."
                if not rules.internal
                else "Internal report: children are shown by their IDs."
            ),
        )
    )
    return Section(
        key=key, title=title, paragraphs=(_paragraph(context, frame),), tables=tuple(tables)
    )


def _paragraph(context: ReportContext, frame: pl.DataFrame) -> str:
    rules = context.disclosure
    overdue = frame.filter(pl.col("status") == "overdue")
    reminders = frame.height - overdue.height
    when = words_date(context.as_at)
    if overdue.is_empty():
        return (
            f"On {when} no milestone was overdue; {count_text(reminders, rules)} had passed "
            "their reminder point and fall due soon."
        )
    sentences = [
        f"On {when}, {count_text(overdue.height, rules)} milestones were overdue, for "
        f"{count_text(overdue['CHILD'].n_unique(), rules)} children, and "
        f"{count_text(reminders, rules)} more had passed their reminder point."
    ]
    by_team = overdue.group_by("team").len().sort(["len", "team"], descending=[True, False])
    team, n = by_team.row(0)
    tied = by_team.filter(pl.col("len") == n).height > 1
    sentences.append(
        f"{'One of the teams' if tied else 'The team'} with the most overdue is {team} "
        f"({count_text(n, rules)})."
    )
    by_rule = overdue.group_by("title").len().sort(["len", "title"], descending=[True, False])
    rule, m = by_rule.row(0)
    sentences.append(f"The deadline most often missed is: {rule} ({count_text(m, rules)} overdue).")
    return " ".join(sentences)
