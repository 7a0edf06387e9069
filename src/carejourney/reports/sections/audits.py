"""Quality assurance: the case audits of the 12 months to the report's date, the share graded
good or better with its p chart and signals, the themes the audits found, every overdue
action with its owner, management alerts, and the indicators beside the audits.

The figures are `measures.audits.summarise_audits`' for the template most of the LA's
audits use, and `measures.indicators.indicator_statuses`' against the shipped benchmarks.

Disclosure: audits and alerts are about children, so their counts go through
`reports.disclosure` (a percentage only when its counts may be published; the monthly chart
only when every month's percentage may be, as in "Placement stability"); a median time to
respond is given only when the alerts it comes from may be counted. Actions name staff and
what they are to do, not children: the list of overdue actions by owner is published in full,
as the QA meeting needs it.
"""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Any

import numpy as np
import polars as pl

from carejourney.config.audits import AuditTemplateError, Template, load_template
from carejourney.config.indicators import load_indicators
from carejourney.measures.audits import AuditSummary, audit_frames, summarise_audits
from carejourney.measures.indicators import IndicatorStatus, indicator_statuses
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Improvement, Series, SpcOptions
from carejourney.measures.spc.words import point_name
from carejourney.quality.actions import qa_meeting
from carejourney.quality.alerts import alert_times
from carejourney.reports.charts import render
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import Figure, ReportChart, ReportContext, ReportTable, Section
from carejourney.reports.sections.common import count_text, words_date
from carejourney.schema.types import Nation

__all__ = ["KEY", "MONTHS", "TITLE", "build", "main_template"]

KEY = "quality-assurance"
TITLE = "Quality assurance"
MONTHS = 12  # the figures cover the 12 months to the report's date
METHODS = "See docs/methods.md, 'Case audits' and 'Indicators beside audits'."
COMPLETED = "completed"
COLUMNS = ("Month", "Audits graded", "Good or better", "Share good or better")


def build(context: ReportContext) -> Section:
    conn: Any = context.conn  # tests of small journeys may give none
    if conn is None:
        return _not_available("the report was made without its database.")
    frames = audit_frames(conn, context.la)
    template = main_template(frames.audits)
    if template is None:
        return _not_available(
            "no case audits are stored for this local authority: import the audit "
            "spreadsheet with `carejourney audits import`, or record audits in the web app."
        )
    rules = context.disclosure
    nation = context.rule_sets[0].nation if context.rule_sets else Nation.ENGLAND_AND_WALES
    summary = summarise_audits(frames, template, as_at=context.as_at, months=MONTHS, nation=nation)
    statuses = indicator_statuses(
        context.journeys,
        load_indicators(),
        as_at=context.as_at,
        demand=_demand(conn, context.la),
    )
    chart, chart_words = _chart(summary, rules)
    meeting = qa_meeting(summary.overdue_actions, context.as_at)
    paragraphs = [
        _intro(summary, template, rules),
        chart_words,
        _moderation(summary, rules),
        _actions_sentence(meeting, context.as_at),
        _alerts(summary, answered_alerts(frames.alerts, summary, nation), rules),
        "Indicators beside audits: the trend of an indicator is often the first sign of a "
        "problem in practice, which an audit then tests. Each indicator's latest value is "
        "compared with the benchmarks in the LA's indicators file, and flagged when its "
        f"chart signals at the latest point. {METHODS}",
    ]
    tables = [
        _by_month(summary, rules),
        _themes(summary, rules),
        _overdue(meeting, context.as_at),
        _indicators(statuses, rules),
    ]
    return Section(
        key=KEY,
        title=TITLE,
        paragraphs=tuple(p for p in paragraphs if p),
        figures=_figures(summary, rules),
        tables=tuple(t for t in tables if t is not None),
        charts=(chart,) if chart is not None else (),
    )


def main_template(audits: pl.DataFrame) -> Template | None:
    """The template of most of the completed audits (ties: by name), if it can be loaded."""
    done = audits.filter(pl.col("status") == COMPLETED)
    if done.is_empty():
        return None
    counts = done.group_by("template").len().sort(["len", "template"], descending=[True, False])
    for name in counts["template"].to_list():
        try:
            return load_template(name)
        except AuditTemplateError:
            continue  # its file is gone: try the next
    return None


def _not_available(why: str) -> Section:
    return Section(key=KEY, title=TITLE, not_available=f"Not available: {why}")


def _demand(conn: Any, la: str) -> Any:
    """The LA's demand data for re-referrals, or None when none is loaded (imported here:
    the demand measures are optional)."""
    try:
        stored = importlib.import_module("carejourney.measures.demand.stored")
    except ImportError:
        return None
    demand = stored.load_demand(conn, la)
    frames = [v for v in vars(demand).values() if isinstance(v, pl.DataFrame)]
    return demand if any(f.height for f in frames) else None


def _share(good: int, graded: int, rules: DisclosureRules) -> str:
    if graded == 0:
        return "none graded"
    return protect_percent(good, graded, rules) or rules.marker


def _figures(s: AuditSummary, rules: DisclosureRules) -> tuple[Figure, ...]:
    this_q, last_q = _quarter_counts(s)
    change = None
    if this_q[1] and last_q[1]:
        now, before = _share(*this_q, rules), _share(*last_q, rules)
        if now.endswith("%") and before.endswith("%"):
            points = int(now[:-1]) - int(before[:-1])
            way = "the same as" if points == 0 else ("up" if points > 0 else "down")
            size = "" if points == 0 else f" {abs(points)} percentage points on"
            change = f"{way}{size} the quarter before ({before})"
    return (
        Figure(f"Case audits completed in the {s.months} months", count_text(s.completed, rules)),
        Figure(
            "Graded good or better",
            _share(s.good, s.on_scale, rules),
            f"of {count_text(s.on_scale, rules)} graded",
        ),
        Figure(
            f"Good or better this quarter (from {s.quarter:%d/%m/%Y})",
            _share(*this_q, rules),
            change,
        ),
        Figure("Open management alerts", count_text(s.open_alert_count, rules)),
    )


def _quarter_counts(s: AuditSummary) -> tuple[tuple[int, int], tuple[int, int]]:
    """(good, graded) in the quarter holding the as-at date, and in the quarter before."""
    months = s.trend.points
    if months.is_empty():
        return (0, 0), (0, 0)
    before = _months_back(s.quarter, 3)

    def counts(frame: pl.DataFrame) -> tuple[int, int]:
        return int(frame["good"].sum()), int(frame["on_scale"].sum())

    this = months.filter(pl.col("month") >= s.quarter)
    last = months.filter(pl.col("month").is_between(before, s.quarter, closed="left"))
    return counts(this), counts(last)


def _months_back(first: dt.date, months: int) -> dt.date:
    month0 = first.year * 12 + first.month - 1 - months
    return dt.date(month0 // 12, month0 % 12 + 1, 1)


def _intro(s: AuditSummary, template: Template, rules: DisclosureRules) -> str:
    good = ", ".join(g.label for g in template.scale.grades if g.good)
    text = (
        f"Case audits completed in the {s.months} months from {s.first_month:%B %Y} to "
        f'{words_date(s.as_at)}, graded against the template "{template.title}" on '
        f"{template.scale.label}. Good or better means {good}; an audit's grade is the "
        f"moderator's when it was moderated. {_audits(s.completed, rules).capitalize()} "
        f"{'was' if s.completed == 1 else 'were'} completed"
    )
    share = _share(s.good, s.on_scale, rules)
    if s.on_scale and share != rules.marker:
        text += f", {share} of those graded good or better"
    return text + "."


def _audits(count: int, rules: DisclosureRules) -> str:
    """ "1 audit", "12 audits", "fewer than 5 audits" (as published)."""
    text = count_text(count, rules)
    return f"{text} audit" if text == "1" else f"{text} audits"


def _chart(s: AuditSummary, rules: DisclosureRules) -> tuple[ReportChart | None, str]:
    """The p chart of the share good each month, and its words (or why it is not drawn)."""
    points = s.trend.points
    name = "The share of audits graded good or better each month"
    graded = [(int(g), int(n)) for g, n in points.select("good", "on_scale").rows() if n]
    if len(graded) < 2:
        return None, f"{name}: no chart yet, because fewer than two months have graded audits."
    hidden = [n for good, n in graded if protect_percent(good, n, rules) is None]
    if hidden:
        return None, (
            f"{name}: no chart, because in {len(hidden)} of the {len(graded)} months the "
            f"numbers are small (below {rules.threshold}) and the chart would give them away. "
            "An internal report (`carejourney report --internal`) shows it."
        )
    # Drawn from the published counts (rounded when the rules round), as the table gives them.
    has = points["on_scale"] > 0
    good = np.array([rules.shown(int(v)) for v in points["good"]], dtype=np.float64)
    sizes = np.array([rules.shown(int(v)) for v in points["on_scale"]], dtype=np.float64)
    result = spc(
        Series(
            np.where(has, good, np.nan),
            n=np.where(has, sizes, np.nan),
            labels=tuple(m.isoformat() for m in points["month"].to_list()),
        ),
        SpcOptions(chart=ChartType.P, multiply=100, improvement=Improvement.UP),
    )
    rendered = render(result, title="Audits graded good or better", value_title="Percent good")
    chart = ReportChart(
        title="Audits graded good or better, month by month",
        svg=rendered.svg,
        text_alternative=rendered.text_alternative,
        signals=rendered.signals_in_words,
    )
    return chart, f"{name}: " + " ".join(rendered.signals_in_words)


def _moderation(s: AuditSummary, rules: DisclosureRules) -> str:
    moderated = int(s.moderation.get("moderated") or 0)
    if moderated == 0:
        return "No audit of these months was moderated."
    same = int(s.moderation.get("same_grade") or 0)
    crossed = int(s.moderation.get("crossed_good_line") or 0)
    agreement = protect_percent(same, moderated, rules)
    were = "was" if moderated == 1 else "were"
    text = f"Moderation: {_audits(moderated, rules)} {were} moderated (a second opinion)"
    if agreement is not None:
        text += f"; the moderator gave the auditor's grade in {agreement}"
    moved = count_text(crossed, rules)
    return f"{text}, and {moved} moved across the line between good and not yet good enough."


def _actions_sentence(meeting: pl.DataFrame, as_at: dt.date) -> str:
    if meeting.is_empty():
        return f"No action was overdue on {words_date(as_at)}."
    owners = meeting["owner"].n_unique()
    return (
        f"{meeting.height} action{'' if meeting.height == 1 else 's'} were overdue on "
        f"{words_date(as_at)} (due before that day and still open or in progress), owned by "
        f"{owners} {'person or role' if owners == 1 else 'people or roles'}: the table lists "
        "each with its owner, the owners with the most overdue first."
    )


def _alerts(s: AuditSummary, answered: int, rules: DisclosureRules) -> str:
    text = (
        f"Management alerts raised by IROs and CP chairs: {count_text(s.open_alert_count, rules)} "
        f"open on {words_date(s.as_at)}, {count_text(s.awaiting_response_count, rules)} of them "
        "awaiting a response."
    )
    if s.median_days_to_respond is not None and protect_count(answered, rules) is not None:
        text += (
            f" Of the alerts raised in these months and answered, half were answered within "
            f"{s.median_days_to_respond:g} days (the median)."
        )
    elif answered:
        text += " Too few alerts were answered in these months to publish how fast."
    return text


def answered_alerts(alerts: pl.DataFrame, s: AuditSummary, nation: Nation | str) -> int:
    """How many alerts the summary's median time to respond comes from: raised in its
    months and answered by its date. A median of fewer than the threshold could point at
    one child's alert, so it is published only when this count may be."""
    times = alert_times(alerts, s.as_at, nation)
    return times.filter(
        (pl.col("raised") >= s.first_month) & pl.col("days_to_response").is_not_null()
    ).height


def _by_month(s: AuditSummary, rules: DisclosureRules) -> ReportTable:
    rows = []
    for row in s.trend.points.iter_rows(named=True):
        graded, good = int(row["on_scale"]), int(row["good"])
        if graded == 0:
            shown = ("0", "0", "-")
        else:
            # The count of good audits is hidden whenever the share is: with the number
            # graded shown, it would give the rest away.
            share = protect_percent(good, graded, rules)
            count = protect_count(good, rules) if share is not None else None
            total = protect_count(graded, rules)
            shown = (total or rules.marker, count or rules.marker, share or rules.marker)
        rows.append(
            dict(zip(COLUMNS, (point_name(row["month"].isoformat(), 0), *shown), strict=True))
        )
    return ReportTable(
        key="Audits by month",
        title="Case audits graded each month, and the share good or better",
        frame=pl.DataFrame(rows, schema=dict.fromkeys(COLUMNS, pl.String)),
        note=_note(rules),
    )


def _themes(s: AuditSummary, rules: DisclosureRules) -> ReportTable | None:
    rows = [
        {
            "Found as": kind,
            "Theme": theme,
            "Audits": protect_count(count, rules) or rules.marker,
            "Percent of audits": protect_percent(count, s.completed, rules) or rules.marker,
        }
        for kind, pairs in (
            ("area for development", s.top_development),
            ("strength", s.top_strengths),
        )
        for theme, count in pairs
    ]
    if not rows:
        return None
    return ReportTable(
        key="Audit themes",
        title=f"The themes found in most audits in the {s.months} months",
        frame=pl.DataFrame(rows),
        note=_note(rules),
    )


def _overdue(meeting: pl.DataFrame, as_at: dt.date) -> ReportTable | None:
    if meeting.is_empty():
        return None
    frame = meeting.select(
        pl.col("owner").alias("Owner"),
        pl.format("{}. {}", "id", "title").alias("Action"),
        pl.col("due").dt.strftime("%d/%m/%Y").alias("Due"),
        pl.col("days_overdue").cast(pl.String).alias("Days overdue"),
        pl.col("status").alias("Status"),
    )
    return ReportTable(
        key="Overdue actions",
        title=f"Overdue actions on {as_at:%d/%m/%Y}, by owner",
        frame=frame,
        note="Actions name staff and what they are to do, not children: listed in full.",
    )


def _indicators(statuses: tuple[IndicatorStatus, ...], rules: DisclosureRules) -> ReportTable:
    rows = []
    for status in statuses:
        latest = status.latest
        if latest is None:
            value = f"not available ({status.series.not_available or 'no data'})"
        else:
            shown = protect_percent(
                int(latest["numerator"]), int(latest["denominator"]), rules, decimals=1
            )
            value = f"{shown or rules.marker} on {latest['period_end']:%d/%m/%Y}"
        rows.append(
            {
                "Indicator": status.series.title,
                "Latest": value,
                "Benchmarks": "; ".join(c.words for c in status.comparisons) or "none given",
                "Trend": _trend(status),
                "Consider": status.suggestion or "",
            }
        )
    return ReportTable(
        key="Indicators",
        title="Indicators beside audits, against the LA's benchmarks",
        frame=pl.DataFrame(rows),
        note=_note(rules),
    )


def _trend(status: IndicatorStatus) -> str:
    if status.signal is not None:
        return status.signal
    if status.trend is None:
        return "no chart yet"
    return "no signal at the latest point"


def _note(rules: DisclosureRules) -> str:
    if rules.internal:
        return "Internal report: counts are shown exactly, nothing is hidden."
    return (
        f"{rules.marker}: not published, a count below {rules.threshold} or a percentage that "
        "would give one away."
    )
