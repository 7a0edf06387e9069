"""`carejourney audits summary`: what the quarterly QA meeting needs, in words and tables.

The figures are `measures.audits.summarise_audits`' (audits completed, the share good or
better and its p chart with the signals in words, top themes, moderation, overdue actions,
open alerts and the median time to respond), the QA meeting's list of overdue actions by
owner (`quality.actions.qa_meeting`) and the indicators beside audits
(`measures.indicators.indicator_statuses`). Nothing about a child is printed: the JSON
leaves out the open alerts' child IDs too.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Connection

from carejourney.cli.audits import (
    JsonOption,
    LaOption,
    TemplateOption,
    audits_app,
    console,
    n_of,
    template_named,
    which_la,
)
from carejourney.cli.improvement import stop
from carejourney.cli.options import DbOption, connect, date_option
from carejourney.config.audits import DEFAULT_TEMPLATE
from carejourney.config.indicators import IndicatorsError, IndicatorSettings, load_indicators
from carejourney.journeys.stored import load
from carejourney.measures.audits import AuditSummary, audit_frames, summarise_audits
from carejourney.measures.indicators import IndicatorStatus, indicator_statuses
from carejourney.measures.spc.words import point_name
from carejourney.quality.actions import qa_meeting
from carejourney.schema.types import Nation
from carejourney.store import access, queries

# --- the summary -----------------------------------------------------------------------------


@audits_app.command("summary")
def summary_command(
    la: LaOption = None,
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at", help="As at this day, dd/mm/yyyy. Default: today.", show_default=False
        ),
    ] = None,
    months: Annotated[
        int, typer.Option("--months", min=1, max=120, help="How many months the figures cover.")
    ] = 12,
    phase_from: Annotated[
        str | None,
        typer.Option(
            "--phase-from",
            help="A date (the month auditors were trained, say) from which the grade trend "
            "starts a new part with its own centre and limits, dd/mm/yyyy.",
            show_default=False,
        ),
    ] = None,
    template: TemplateOption = None,
    indicators: Annotated[
        Path | None,
        typer.Option(
            "--indicators",
            help="Your own benchmarks file for the indicators beside audits (copy the shipped "
            "indicators.toml). Default: the shipped national figures.",
            show_default=False,
        ),
    ] = None,
    nation: Annotated[
        Nation,
        typer.Option(help="Whose bank holidays count the working days alerts are open."),
    ] = Nation.ENGLAND_AND_WALES,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """What the quarterly QA meeting needs: audits completed and the share good or better,
    the grade trend with its signals in words, the top themes, every overdue action with its
    owner, open management alerts and how fast they are answered, and the indicators
    (placement stability, re-referrals) beside the audits with their benchmarks.

    Example: `carejourney audits summary --as-at 30/06/2026 --phase-from 01/02/2026`
    """
    day = date_option(as_at, "--as-at") or dt.date.today()
    phase = date_option(phase_from, "--phase-from")
    chosen = template_named(template or DEFAULT_TEMPLATE)
    try:
        settings = load_indicators(indicators)
    except IndicatorsError as exc:
        raise stop("Cannot use these benchmarks", str(exc)) from None
    engine = connect(db)
    try:
        with engine.connect() as conn:
            code = which_la(conn, la)
            summary = summarise_audits(
                audit_frames(conn, code),
                chosen,
                as_at=day,
                months=months,
                phase_from=phase,
                nation=nation,
            )
            statuses = _indicators(conn, code, settings, day)
        with engine.begin() as conn:
            access.record(conn, "audit summary", la=code, detail=f"as at {day.isoformat()}")
    finally:
        engine.dispose()
    # The meeting goes owner by owner: those with the most overdue first.
    meeting = qa_meeting(summary.overdue_actions, day)
    if as_json:
        data = summary.as_dict()
        # A summary for a meeting: no child's ID in it.
        data["open_alerts"] = [
            {k: v for k, v in row.items() if k != "child"} for row in data["open_alerts"]
        ]
        data["qa_meeting"] = _plain_rows(meeting)
        data["indicators"] = [s.as_dict() for s in statuses]
        print(json.dumps(data, indent=2, default=str))
        return
    print_summary(summary, meeting, statuses)


def _indicators(
    conn: Connection, la: str, settings: IndicatorSettings, as_at: dt.date
) -> tuple[IndicatorStatus, ...]:
    """The indicators beside audits: stability from the LA's returns (if loaded), and
    re-referrals from its demand data (if any)."""
    journeys = load(conn, la) if la in queries.local_authorities(conn) else None
    return indicator_statuses(journeys, settings, as_at=as_at, demand=_demand(conn, la))


def _demand(conn: Connection, la: str) -> Any:
    """The LA's demand data, or None when none is loaded (re-referrals are then "not
    available"). Imported here: the demand measures are optional."""
    try:
        from carejourney.measures.demand.stored import load_demand
    except ImportError:
        return None
    demand = load_demand(conn, la)
    frames = [
        getattr(demand, name)
        for name in vars(demand)
        if isinstance(getattr(demand, name), pl.DataFrame)
    ]
    return demand if any(f.height for f in frames) else None


def _plain_rows(frame: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in row.items()}
        for row in frame.to_dicts()
    ]


def print_summary(
    summary: AuditSummary, meeting: pl.DataFrame, statuses: tuple[IndicatorStatus, ...]
) -> None:
    """The summary in words and tables, in the order the meeting takes it."""
    s = summary
    console.print(
        f"[bold]Case audits, LA {escape(s.la)}[/] (template {escape(s.template or s.scale)}), as "
        f"at {s.as_at:%d/%m/%Y}: the {s.months} months from {s.first_month:%B %Y}.",
        highlight=False,
    )
    if s.completed == 0:
        console.print("No audits completed in these months.")
    else:
        console.print(
            f"Audits completed: {s.completed:,}. Good or better: {s.good:,} of the "
            f"{s.on_scale:,} graded ({_percent(s.percent_good)})."
        )
    console.print(escape(_quarter_words(s)), highlight=False)
    console.print()
    _print_trend(s)
    _print_themes(s)
    console.print(escape(_moderation_words(s.moderation)), highlight=False)
    console.print()
    _print_actions(s, meeting)
    console.print(escape(_alert_words(s)), highlight=False)
    console.print()
    console.print("[bold]Indicators beside audits[/]")
    for status in statuses:
        mark = {"concern": "[red]![/] ", "improvement": "[green]+[/] "}.get(
            status.flag.value if status.flag else "", "  "
        )
        console.print(f"{mark}{escape(status.sentence)}", highlight=False)


def _percent(value: float | None) -> str:
    return "none graded" if value is None else f"{value:.0f}%"


def _quarter_words(s: AuditSummary) -> str:
    share = _percent(s.percent_good_quarter)
    this = f"This quarter (from {s.quarter:%d/%m/%Y}): {share} good or better"
    if s.percent_good_previous_quarter is None:
        return this + "; no audits graded in the quarter before."
    text = f"{this}; the quarter before: {_percent(s.percent_good_previous_quarter)}"
    change = s.change_since_previous_quarter
    if change is None:
        return text + "."
    if round(change) == 0:
        return text + " (about the same)."
    way = "up" if change > 0 else "down"
    return text + f" ({way} {abs(change):.0f} percentage points)."


def _print_trend(s: AuditSummary) -> None:
    trend = s.trend
    console.print(
        "[bold]Grade trend[/]: the share good or better each month (a p chart; higher is better)"
    )
    if trend.result is not None:
        points = trend.result.points
        table = Table(show_edge=False)
        for heading in ("Month", "Graded", "Good or better", "Share", "Centre", "Limits", "Signal"):
            table.add_column(heading, justify="left" if heading in ("Month", "Signal") else "right")
        counts = trend.points.select("on_scale", "good").rows()
        for row, (graded, good) in zip(points.iter_rows(named=True), counts, strict=True):
            value = row["value"]
            limits = (
                f"{row['lcl']:.0f}% to {row['ucl']:.0f}%"
                if row["lcl"] is not None and row["ucl"] is not None and graded
                else ""
            )
            table.add_row(
                point_name(row["label"], int(row["index"])),
                str(graded),
                str(good),
                "" if value is None or not graded else f"{value:.0f}%",
                "" if row["cl"] is None else f"{row['cl']:.0f}%",
                limits,
                "yes" if row["signal"] else "",
            )
        console.print(table)
    for line in trend.words:
        console.print(f"  {escape(line)}", highlight=False)
    if trend.note:
        console.print(f"  {escape(trend.note)}", highlight=False)
    console.print()


def _print_themes(s: AuditSummary) -> None:
    for title, pairs in (
        ("Top areas for development", s.top_development),
        ("Top strengths", s.top_strengths),
    ):
        if not pairs:
            console.print(f"[bold]{title}[/]: none recorded.")
            continue
        listed = "; ".join(f"{theme} ({n_of(count, 'audit')})" for theme, count in pairs)
        console.print(f"[bold]{title}[/]: {escape(listed)}.", highlight=False)


def _moderation_words(moderation: dict[str, Any]) -> str:
    count = moderation.get("moderated") or 0
    if not count:
        return "Moderation: no audits moderated in these months."
    agreed = moderation.get("agreement_percent") or 0.0
    crossed = moderation.get("crossed_good_line") or 0
    return (
        f"Moderation: {n_of(count, 'audit')} moderated; the moderator gave the same grade in "
        f"{agreed:.0f}%, and {crossed} moved across the line between good and not yet good enough."
    )


def _print_actions(s: AuditSummary, meeting: pl.DataFrame) -> None:
    if meeting.is_empty():
        console.print(f"[bold]Overdue actions[/]: none on {s.as_at:%d/%m/%Y}.")
        console.print()
        return
    console.print(
        f"[bold]Overdue actions[/]: {meeting.height} on {s.as_at:%d/%m/%Y}, by owner "
        "(due before that day and still open or in progress)."
    )
    table = Table(show_edge=False)
    for heading in ("Owner", "Action", "Due", "Days overdue", "Status"):
        table.add_column(heading, justify="right" if heading == "Days overdue" else "left")
    previous = None
    for row in meeting.iter_rows(named=True):
        owner = row["owner"] if row["owner"] != previous else ""
        previous = row["owner"]
        table.add_row(
            escape(owner),
            escape(f"{row['id']}. {row['title']}"),
            f"{row['due']:%d/%m/%Y}",
            str(row["days_overdue"]),
            row["status"],
        )
    console.print(table)
    console.print()


def _alert_words(s: AuditSummary) -> str:
    if s.open_alert_count == 0:
        text = "Management alerts: none open"
    else:
        text = (
            f"Management alerts: {s.open_alert_count} open, {s.awaiting_response_count} of them "
            "awaiting a response"
        )
    if s.median_days_to_respond is None:
        return text + "; none raised in these months has been answered yet."
    return (
        text + f"; the median time to respond, for alerts raised in these months: "
        f"{s.median_days_to_respond:g} days."
    )
