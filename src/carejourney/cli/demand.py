"""Commands for demand as families experience it: `carejourney demand ...`.

`summary` and `chart` are for the LA's own analysts at their terminal: counts are exact (no
disclosure control), but never a child's or family's ID. The tables and sentences are the
report section's (`reports.sections.demand`), so the terminal, the web page and the report
say the same.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.cli.improvement import stop
from carejourney.cli.journeys import which_la
from carejourney.cli.options import DbOption, connect, date_option
from carejourney.cli.returns import JsonOption, LaOption, run_import
from carejourney.config.demand import DemandRulesError, load_demand_rules
from carejourney.imports import Only
from carejourney.measures.demand.charts import DemandChart
from carejourney.measures.demand.data import DemandData
from carejourney.measures.demand.stored import load_demand
from carejourney.measures.demand.summary import DemandSummary, summarise
from carejourney.reports.charts import render
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import ReportTable
from carejourney.reports.sections.demand import (
    default_as_at,
    no_demand,
    paragraphs,
    rereferral_chart,
)
from carejourney.reports.sections.demand_tables import tables
from carejourney.schema.demand import DEMAND_BY_KIND
from carejourney.schema.types import Nation
from carejourney.store import access, queries

console = terminal.console

demand_app = typer.Typer(
    help="Demand as families experience it: contacts, value and failure demand, right first "
    "time, end-to-end time.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
)
app.add_typer(demand_app, name="demand")

DEMAND_ONLY = Only(frozenset(DEMAND_BY_KIND), "demand data", "carejourney import")

AsAtOption = Annotated[
    str | None,
    typer.Option(
        "--as-at",
        help="Work the figures out as at this date, dd/mm/yyyy. Default: the latest contact's "
        "date.",
        show_default=False,
    ),
]
MonthsOption = Annotated[
    int,
    typer.Option(
        "--months", min=1, help="How many calendar months up to the as-at date to measure."
    ),
]
DemandRulesOption = Annotated[
    Path | None,
    typer.Option(
        "--rules",
        "--demand-rules",
        help="Your own demand rules file (copy the shipped demand.toml and edit it; see "
        "docs/demand-rules.md). Default: the shipped rules.",
        show_default=False,
    ),
]
RedesignOption = Annotated[
    str | None,
    typer.Option(
        "--redesign",
        help="The date the service was redesigned, dd/mm/yyyy: the charts start a new phase "
        "there, with their own centre and limits, so you can see whether things changed.",
        show_default=False,
    ),
]
NationOption = Annotated[
    Nation,
    typer.Option(help="Whose bank holidays count the working days decisions are timed in."),
]


@demand_app.command("import")
def import_command(
    paths: Annotated[
        list[Path],
        typer.Argument(
            help="Demand files, or folders of them: contacts, assessments, help provided, "
            "CIN census referrals and assessments (CSV or Excel)."
        ),
    ],
    la: LaOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Check demand files and store them, all or nothing.

    Each file is recognised by its column headings. Each kind of file is the LA's whole
    list: importing contacts replaces every contact stored for the LA (several files of a
    kind given together are stored together). Any error stores nothing and leaves the
    database exactly as it was; importing the same files again changes nothing.

    Example: `carejourney demand import contacts.csv assessments.csv help.csv --la 931`
    """
    run_import(paths, la, db, as_json, only=DEMAND_ONLY)


def _no_data(la: str | None) -> typer.Exit:
    terminal.err.print(escape(no_demand(la)), highlight=False, soft_wrap=True)
    return typer.Exit(1)


def _load(db: str | None, la: str | None, action: str) -> DemandData:
    """The LA's demand data; a message and exit 1 when it has no contacts. Working the
    figures out is recorded in the access log (they come from children's records, though
    none is shown)."""
    engine = connect(db)
    try:
        with engine.connect() as conn:
            held = queries.local_authorities(conn)
            if la is None and not held:
                raise _no_data(None)
            code = which_la(held, la)
            data = load_demand(conn, code)
        if not data.has_contacts:
            raise _no_data(code)
        with engine.begin() as conn:
            access.record(conn, action, la=code)
    finally:
        engine.dispose()
    return data


def _summary(
    db: str | None,
    la: str | None,
    action: str,
    *,
    as_at: str | None,
    months: int,
    rules: Path | None,
    redesign: str | None,
    nation: Nation,
) -> tuple[DemandSummary, bool]:
    """The summary, and whether the as-at date was the default (the latest contact's)."""
    chosen = date_option(as_at, "--as-at")
    change = date_option(redesign, "--redesign")
    try:
        demand_rules = load_demand_rules(rules)
    except DemandRulesError as exc:
        raise stop("Cannot use these demand rules", str(exc)) from None
    data = _load(db, la, action)
    when = chosen or default_as_at(data)
    assert when is not None  # the LA has contacts
    found = summarise(
        data, as_at=when, rules=demand_rules, nation=nation, months=months, redesign=change
    )
    return found, chosen is None


@demand_app.command("summary")
def summary_command(
    as_at: AsAtOption = None,
    months: MonthsOption = 12,
    rules: DemandRulesOption = None,
    redesign: RedesignOption = None,
    nation: NationOption = Nation.ENGLAND_AND_WALES,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every figure and table as JSON.")
    ] = False,
) -> None:
    """How much of the demand coming in is failure demand (overall, by kind, month, who made
    contact and team), right first time, the time from first contact to the right help,
    re-referrals, decisions and assessments on time, and what matters to families.

    Counts are exact: this is for the LA's own analysts. No child's ID is shown.

    Example: `carejourney demand summary --redesign 01/10/2025`
    """
    found, default = _summary(
        db,
        la,
        "demand summary (figures only)",
        as_at=as_at,
        months=months,
        rules=rules,
        redesign=redesign,
        nation=nation,
    )
    if as_json:
        print(json.dumps(found.as_dict(), indent=2))
        return
    _print_summary(found, default)


def _print_summary(found: DemandSummary, default: bool) -> None:
    exact = DisclosureRules(internal=True)
    words, shown = paragraphs(found, exact), tables(found, exact)
    console.print(
        f"[bold]Demand for LA {escape(found.la)}, {_day(found.period_start)} to "
        f"{_day(found.as_at)}[/]"
        + (" (the latest contact's date: choose another with --as-at)" if default else ""),
        highlight=False,
        soft_wrap=True,
    )
    redesign = f"; redesign on {_day(found.redesign)}" if found.redesign else ""
    console.print(
        f"Demand rules: {escape(found.rules.name)} ({escape(found.rules.title)}); working days "
        f"of {found.nation}{redesign}.",
        highlight=False,
        soft_wrap=True,
    )
    _heading("Failure demand")
    _paragraph(words["failure"])
    _signals("The failure share by month, as a chart", found.failure_chart)
    for key in ("types", "months", "sources", "teams"):
        _table(shown[key])
    _heading("Right first time")
    _paragraph(words["right_first_time"])
    _table(shown["right_first_time"])
    _heading("End-to-end time: from first contact to the right help")
    _paragraph(words["end_to_end"])
    if found.help_chart.capability:
        _paragraph(found.help_chart.capability)
    _signals("Each case's days, as a chart", found.help_chart)
    _heading("Re-referrals within 12 months")
    _paragraph(words["re_referrals"])
    _table(shown["re_referrals"])
    _heading("Decisions and assessments on time")
    _paragraph(words["timeliness"])
    _table(shown["decisions"])
    _table(shown["assessments"])
    _heading("What matters to families")
    _paragraph(words["what_matters"])
    if found.what_matters.height:
        _table(shown["what_matters"])
    _heading("How the demand rules agree with your teams")
    _paragraph(words["agreement"])
    if found.agreement.height:
        _table(shown["agreement"])
    console.print(
        "\nDraw the charts with `carejourney demand chart failure --svg failure.svg` (also "
        "end-to-end, re-referrals).",
        highlight=False,
    )


def _day(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


def _heading(text: str) -> None:
    console.print(f"\n[bold]{escape(text)}[/]", highlight=False)


def _paragraph(text: str) -> None:
    console.print(escape(text), highlight=False, soft_wrap=True)


def _signals(title: str, chart: DemandChart) -> None:
    lines = [*chart.signals, *chart.notes]
    if lines:
        console.print(f"{escape(title)}:", highlight=False)
        for line in lines:
            console.print(f"• {escape(line)}", highlight=False, soft_wrap=True)


def _table(shown: ReportTable) -> None:
    table = Table(title=escape(shown.title), show_edge=False, title_justify="left")
    first = shown.frame.columns[0]
    for column in shown.frame.columns:
        table.add_column(escape(column), justify="left" if column == first else "right")
    for row in shown.frame.iter_rows():
        table.add_row(*(escape("" if v is None else str(v)) for v in row))
    console.print(table)


class What(StrEnum):
    FAILURE = "failure"
    END_TO_END = "end-to-end"
    RE_REFERRALS = "re-referrals"


class To(StrEnum):
    HELP = "help"
    ASSESSMENT = "assessment"


@demand_app.command("chart")
def chart_command(
    what: Annotated[
        What,
        typer.Argument(
            help="failure (the failure share by month, a p chart), end-to-end (each case's "
            "days from first contact to the right help, an XmR chart) or re-referrals (the "
            "re-referral rate by month, a p chart)."
        ),
    ],
    svg: Annotated[
        Path | None, typer.Option(help="Write the chart to this SVG file.", show_default=False)
    ] = None,
    to: Annotated[
        To,
        typer.Option(help="For end-to-end: to the right help, or to the right assessment."),
    ] = To.HELP,
    redesign: RedesignOption = None,
    as_at: AsAtOption = None,
    months: MonthsOption = 12,
    rules: DemandRulesOption = None,
    nation: NationOption = Nation.ENGLAND_AND_WALES,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the points, limits and signals as JSON.")
    ] = False,
) -> None:
    """Chart a demand measure and say in words what it shows: its signals and, for
    end-to-end time, what the system predictably takes.

    With --redesign, the points from that date on are a new phase with their own centre and
    limits: a signal there says the redesign changed something.

    Example: `carejourney demand chart failure --redesign 01/10/2025 --svg failure.svg`
    """
    found, _ = _summary(
        db,
        la,
        "demand chart (figures only)",
        as_at=as_at,
        months=months,
        rules=rules,
        redesign=redesign,
        nation=nation,
    )
    if what is What.FAILURE:
        chart = found.failure_chart
    elif what is What.RE_REFERRALS:
        chart = rereferral_chart(found)
    else:
        chart = found.help_chart if to is To.HELP else found.assessment_chart
    if as_json:
        print(json.dumps(chart.as_dict(), indent=2))
        if chart.result is None:
            raise typer.Exit(1)
        return
    console.print(
        f"[bold]{escape(chart.title)}[/], {_day(found.period_start)} to {_day(found.as_at)}",
        highlight=False,
    )
    if chart.result is None:
        for note in chart.notes:
            terminal.err.print(escape(note), highlight=False, soft_wrap=True)
        raise typer.Exit(1)
    rendered = render(chart.result, title=chart.title, value_title=chart.value_title)
    if svg is not None:
        try:
            svg.write_text(rendered.svg, encoding="utf-8")
        except OSError as exc:
            raise stop(f"Cannot write {svg}", exc.strerror or str(exc)) from None
    console.print("\n[bold]What the chart shows[/]", highlight=False)
    console.print(escape(rendered.text_alternative), highlight=False, soft_wrap=True)
    console.print("\n[bold]Signals[/]", highlight=False)
    for sentence in chart.signals:
        console.print(f"• {escape(sentence)}", highlight=False, soft_wrap=True)
    if chart.capability:
        console.print("\n[bold]What the system predictably does[/]", highlight=False)
        console.print(escape(chart.capability), highlight=False, soft_wrap=True)
    if chart.notes:
        console.print("\n[bold]Notes[/]", highlight=False)
        for note in chart.notes:
            console.print(f"• {escape(note)}", highlight=False, soft_wrap=True)
    if svg is not None:
        console.print(f"\nWrote the chart to {escape(str(svg))}.", highlight=False)
