"""`carejourney aims`: quality-improvement aims and their charts, with the PDSA cycles
tried to reach them marked. A thin layer over `carejourney.improvement`."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table
from sqlalchemy import Connection

from carejourney.cli.improvement import (
    AIM_CHARTS,
    AimArgument,
    AsAtOption,
    JsonOption,
    SpcRulesOption,
    ViewOption,
    aim_dict,
    aim_la,
    aims_app,
    console,
    measure_words,
    print_cycles,
    session,
    show_date,
    stop,
    target_words,
)
from carejourney.cli.journeys import LaOption, rule_set
from carejourney.cli.options import DbOption, date_option
from carejourney.improvement.aims import (
    Aim,
    AimError,
    Measure,
    MeasurePoint,
    add_aim,
    aims_from_rule_set,
    cohort_in_words,
    get_aim,
    list_aims,
    rule_of,
    rule_set_reference,
)
from carejourney.improvement.chart import AimChart, View, aim_chart
from carejourney.improvement.cycles import list_cycles
from carejourney.journeys.stored import Journeys, load
from carejourney.measures.spc import words
from carejourney.measures.spc.analysis import as_dict
from carejourney.measures.spc.types import ChartType, Improvement, RuleSetName
from carejourney.sources.measure_csv import MeasureFileError, read_measure, to_series
from carejourney.store import access

# ----- aims -------------------------------------------------------------------------------


@aims_app.command("add")
def add_command(
    name: Annotated[
        str | None,
        typer.Argument(
            help="A short name for the aim: lower-case letters, digits and hyphens.",
            show_default=False,
        ),
    ] = None,
    statement: Annotated[
        str | None,
        typer.Option(
            help="The aim in words: what will improve, by how much, by when.", show_default=False
        ),
    ] = None,
    cohort: Annotated[
        str | None,
        typer.Option(
            help="Who the aim is for, in words (default for a rule: the rule's cohort).",
            show_default=False,
        ),
    ] = None,
    rule_set_name: Annotated[
        str | None,
        typer.Option(
            "--rule-set",
            help="Measure it by a timescale rule from this rule set (see `carejourney rules`).",
            show_default=False,
        ),
    ] = None,
    rule: Annotated[
        str | None, typer.Option(help="The rule, with --rule-set.", show_default=False)
    ] = None,
    csv_file: Annotated[
        Path | None,
        typer.Option(
            "--csv",
            help="Measure it by your own series: a CSV or Excel file with one row per point "
            "(date, value and, for proportions, a denominator).",
            show_default=False,
        ),
    ] = None,
    value: Annotated[
        str | None, typer.Option(help="With --csv: the column of values.", show_default=False)
    ] = None,
    n: Annotated[
        str | None,
        typer.Option("--n", help="With --csv: the column of denominators.", show_default=False),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="With --csv: the column of dates.", show_default=False)
    ] = None,
    chart: Annotated[
        str | None,
        typer.Option(
            help="With --csv: the chart, one of " + ", ".join(AIM_CHARTS) + " (see `carejourney "
            "spc --help`). Default: p with a denominator, else run.",
            show_default=False,
        ),
    ] = None,
    target: Annotated[
        float | None,
        typer.Option(
            help="The target: the % on time for a rule (default: the rule's); on the chart's "
            "scale for a CSV series.",
            show_default=False,
        ),
    ] = None,
    deadline: Annotated[
        str | None,
        typer.Option(help="When the target is to be met by, dd/mm/yyyy.", show_default=False),
    ] = None,
    owner: Annotated[
        str | None, typer.Option(help="Who leads the aim.", show_default=False)
    ] = None,
    improvement: Annotated[
        Improvement | None,
        typer.Option(
            help="With --csv: which way is better, up or down. Default: up.", show_default=False
        ),
    ] = None,
    from_rules: Annotated[
        str | None,
        typer.Option(
            "--from-rules",
            help="Add one aim for each rule with a target in this rule set (pace-moray sets up "
            "Moray's Aims 2 to 4).",
            show_default=False,
        ),
    ] = None,
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Add an aim, measured by a timescale rule or by your own CSV series.

    Examples:

    `carejourney aims add --from-rules pace-moray`

    `carejourney aims add quicker-panels --statement "By 31/03/2026, 80% of children go to
    panel within 15 weeks" --rule-set pace-moray --rule aim-3-panel --target 80`

    `carejourney aims add fewer-moves --statement "..." --csv moves.csv --chart i
    --improvement down`
    """
    if from_rules is not None:
        if any(x is not None for x in (name, statement, rule_set_name, rule, csv_file)):
            raise stop(
                "Give one or the other",
                "--from-rules adds every aim of a rule set; a NAME with --statement adds one. "
                "Give either, not both.",
            )
        _add_from_rules(from_rules, owner, la, db)
        return
    if name is None or statement is None:
        raise stop(
            "Not enough to add an aim",
            "give the aim a NAME and its --statement (or use --from-rules RULE_SET), e.g. "
            'carejourney aims add quicker-panels --statement "By 31/03/2026, 80% ..." '
            "--rule-set pace-moray --rule aim-3-panel",
        )
    if (rule_set_name is None) == (csv_file is None):
        raise stop(
            "How is the aim measured?",
            "give either --rule-set with --rule (a timescale rule) or --csv FILE (your own "
            "series).",
        )
    when = date_option(deadline, "--deadline")
    points: list[MeasurePoint] = []
    if rule_set_name is not None:
        aim = _rule_aim(name, statement, cohort, rule_set_name, rule, target, when, owner)
    else:
        assert csv_file is not None
        aim, points = _csv_aim(
            name,
            statement,
            cohort,
            csv_file,
            value,
            n,
            date,
            chart,
            target,
            when,
            owner,
            improvement,
        )
    with session(db, writes=True) as (_, conn):
        stored = add_aim(conn, aim_la(conn, la, adding=True), aim, points=points)
    console.print(
        f"[green]Added the aim {escape(stored.name)}[/] for LA {escape(stored.la or '')}"
        + (f", with {len(points)} points from {escape(csv_file.name)}" if csv_file else "")
        + f". See it with `carejourney aims show {escape(stored.name)}`; add a PDSA cycle with "
        f"`carejourney pdsa add {escape(stored.name)} --title ...`.",
        highlight=False,
    )


def _add_from_rules(reference: str, owner: str | None, la: str | None, db: str | None) -> None:
    chosen = rule_set(reference)
    try:
        aims = aims_from_rule_set(chosen, rule_set_reference(reference))
    except AimError as exc:
        raise stop("No aims added", str(exc)) from None
    with session(db, writes=True) as (_, conn):
        code = aim_la(conn, la, adding=True)
        existing = {a.name for a in list_aims(conn, code)}
        new = [replace(a, owner=owner) for a in aims if a.name not in existing]
        if not new:
            raise stop(
                "Nothing to add",
                f"LA {code} already has every aim of {reference}: "
                + ", ".join(a.name for a in aims)
                + ". See them with `carejourney aims list`.",
            )
        for aim in new:
            add_aim(conn, code, aim)
    for aim in new:
        target = f"{aim.target_percent:g}%" if aim.target_percent is not None else "no target"
        deadline = f" by {aim.deadline:%d/%m/%Y}" if aim.deadline else ""
        console.print(
            f"[green]Added[/] {escape(aim.name)} ({target}{deadline}): {escape(aim.statement)}",
            highlight=False,
            soft_wrap=True,
        )
    kept = [a.name for a in aims if a.name in existing]
    if kept:
        console.print(f"Already there, left as they were: {', '.join(kept)}.", highlight=False)


def _rule_aim(
    name: str,
    statement: str,
    cohort: str | None,
    reference: str,
    rule: str | None,
    target: float | None,
    deadline: dt.date | None,
    owner: str | None,
) -> Aim:
    chosen = rule_set(reference)
    if rule is None:
        raise stop(
            "Which rule?",
            f"give --rule: which rule of {chosen.name} measures the aim? Its rules: "
            + ", ".join(r.name for r in chosen.rules)
            + ".",
        )
    aim = Aim(
        name=name,
        statement=statement,
        measure=Measure.RULE,
        rule_set=rule_set_reference(reference),
        rule=rule,
        target_percent=target,
        deadline=deadline,
        owner=owner,
        improvement=Improvement.UP,
    )
    try:
        _, found = rule_of(aim)
    except AimError as exc:
        raise stop("Cannot add the aim", str(exc)) from None
    # Unless told otherwise, the aim takes the rule's cohort, target and deadline.
    return replace(
        aim,
        cohort=cohort or cohort_in_words(found),
        target_percent=target if target is not None else found.target_percent,
        deadline=deadline or found.target_date,
    )


def _csv_aim(
    name: str,
    statement: str,
    cohort: str | None,
    file: Path,
    value: str | None,
    n: str | None,
    date: str | None,
    chart: str | None,
    target: float | None,
    deadline: dt.date | None,
    owner: str | None,
    improvement: Improvement | None,
) -> tuple[Aim, list[MeasurePoint]]:
    if chart is not None and chart.lower() not in AIM_CHARTS:
        raise typer.BadParameter(
            f"'{chart}' is not a chart an aim can use: choose one of {', '.join(AIM_CHARTS)}.",
            param_hint="--chart",
        )
    try:
        rows = read_measure(file, value=value, n=n, date=date)
    except MeasureFileError as exc:
        raise stop("Cannot use the file", str(exc)) from None
    if rows.date_column is None:
        raise stop(
            "Cannot use the file",
            f"{file} has no column of dates (date, month or week; or name it with --date): an "
            "aim's points need dates so its PDSA cycles can be placed on the chart.",
        )
    kind = ChartType(chart.lower()) if chart else ChartType.P if rows.n_column else ChartType.RUN
    if (
        kind in (ChartType.P, ChartType.P_PRIME, ChartType.U, ChartType.U_PRIME)
        and not rows.n_column
    ):
        raise stop(
            "Cannot use the file",
            f"a {kind.value} chart needs a denominator: name its column in {file} with --n.",
        )
    try:
        series, labels = to_series(rows, kind)
    except MeasureFileError as exc:
        raise stop("Cannot use the file", str(exc)) from None
    dates = [dt.date.fromisoformat(label) for label in labels]
    denominators = series.n
    points = [
        MeasurePoint(
            date=day,
            label=label,
            value=float(series.y[i]),
            denominator=None if denominators is None else float(denominators[i]),
        )
        for i, (day, label) in enumerate(zip(dates, labels, strict=True))
    ]
    aim = Aim(
        name=name,
        statement=statement,
        measure=Measure.CSV,
        cohort=cohort,
        chart=kind,
        value_title=rows.value_column,
        target_percent=target,
        deadline=deadline,
        owner=owner,
        improvement=improvement or Improvement.UP,
    )
    return aim, points


@aims_app.command("list")
def list_command(la: LaOption = None, db: DbOption = None, as_json: JsonOption = False) -> None:
    """List the LA's aims, with their targets, deadlines and how many PDSA cycles each has.

    Example: `carejourney aims list`
    """
    with session(db) as (_, conn):
        code = aim_la(conn, la)
        aims = [(a, len(list_cycles(conn, a))) for a in list_aims(conn, code)]
    if as_json:
        print(json.dumps([{**aim_dict(a), "cycles": n} for a, n in aims], indent=2, default=str))
        return
    if not aims:
        console.print(
            f"LA {escape(code)} has no aims yet. Add one with `carejourney aims add` (for "
            "Moray's: `carejourney aims add --from-rules pace-moray`).",
            highlight=False,
        )
        return
    table = Table(title=f"Aims of LA {escape(code)}", show_edge=False)
    # The name is what every other command needs typed: never cut short.
    table.add_column("name", no_wrap=True)
    for heading in ("target", "deadline", "owner", "cycles", "measured by"):
        table.add_column(heading, justify="right" if heading == "cycles" else "left")
    for aim, cycles in aims:
        short = f"rule set {aim.rule_set}" if aim.measure is Measure.RULE else "CSV series"
        table.add_row(
            aim.name,
            target_words(aim),
            show_date(aim.deadline),
            aim.owner or "",
            str(cycles),
            short,
        )
    console.print(table)


@aims_app.command("show")
def show_command(
    name: AimArgument,
    view: ViewOption = View.MONTHS,
    rules: SpcRulesOption = RuleSetName.ANHOEJ,
    as_at: AsAtOption = None,
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Show an aim: its statement, cohort, measure, target, deadline, owner, PDSA cycles, and
    what its chart says now.

    Example: `carejourney aims show aim-2-recommendation`
    """
    when = date_option(as_at, "--as-at")
    with session(db) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), name)
        cycles = list_cycles(conn, aim)
        journeys = _journeys(conn, aim)
        try:
            drawn: AimChart | str = aim_chart(
                conn, journeys, aim, view=view, rules=rules, as_at=when
            )
        except AimError as exc:
            drawn = str(exc)  # the aim is still worth showing without its chart
    console.print(f"[bold]{escape(aim.name)}[/]: {escape(aim.statement)}", highlight=False)
    for label, text in (
        ("Cohort", aim.cohort or "not given"),
        ("Measure", measure_words(aim)),
        ("Target", target_words(aim)),
        ("Deadline", show_date(aim.deadline) or "not given"),
        ("Owner", aim.owner or "not given"),
        ("Added", f"{aim.created_at:%d/%m/%Y} by {aim.created_by}" if aim.created_at else ""),
    ):
        console.print(f"  {label}: {escape(text)}", highlight=False, soft_wrap=True)
    print_cycles(cycles, aim)
    if isinstance(drawn, str):
        console.print(f"\n[bold]Chart[/]: {escape(drawn)}", highlight=False, soft_wrap=True)
        return
    _print_signals(drawn)
    console.print(
        f"\nDraw the chart with `carejourney aims chart {escape(aim.name)} --svg "
        f"{escape(aim.name)}.svg`.",
        highlight=False,
    )


@aims_app.command("chart")
def chart_command(
    name: AimArgument,
    view: ViewOption = View.MONTHS,
    rules: SpcRulesOption = RuleSetName.ANHOEJ,
    as_at: AsAtOption = None,
    svg: Annotated[
        Path | None, typer.Option(help="Write the chart to this SVG file.", show_default=False)
    ] = None,
    la: LaOption = None,
    db: DbOption = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the series, limits and signals as JSON.")
    ] = False,
) -> None:
    """Chart an aim's measure with its PDSA cycles marked, and say in words what it shows.

    Cycles marked "new phase" start a new part of the chart, with its own centre and limits.

    Example: `carejourney aims chart aim-2-recommendation --view children --svg aim2.svg`
    """
    when = date_option(as_at, "--as-at")
    with session(db) as (_, conn):
        aim = get_aim(conn, aim_la(conn, la), name)
        drawn = aim_chart(conn, _journeys(conn, aim), aim, view=view, rules=rules, as_at=when)
    if svg is not None:
        try:
            svg.write_text(drawn.rendered.svg, encoding="utf-8")
        except OSError as exc:
            raise stop(f"Cannot write {svg}", exc.strerror or str(exc)) from None
    if as_json:
        print(json.dumps(_chart_dict(drawn, view), indent=2, default=str))
        return
    console.print(f"[bold]{escape(aim.name)}[/]: {escape(aim.statement)}", highlight=False)
    _print_signals(drawn)
    if svg is not None:
        console.print(f"\nWrote the chart to {escape(str(svg))}.", highlight=False)


def _journeys(conn: Connection, aim: Aim) -> Journeys | None:
    """The LA's journeys, for an aim measured by a rule: viewing its figures is recorded
    in the access log (they are worked out from children's records, though none is shown)."""
    if aim.measure is not Measure.RULE or aim.la is None:
        return None
    access.record(conn, "aim chart (figures only)", la=aim.la, detail=aim.name)
    return load(conn, aim.la)


def _print_signals(drawn: AimChart) -> None:
    when = f" as at {drawn.as_at:%d/%m/%Y}" if drawn.as_at else ""
    console.print(f"\n[bold]What the chart shows{when}[/]", highlight=False)
    console.print(escape(drawn.rendered.text_alternative), highlight=False, soft_wrap=True)
    console.print("\n[bold]Signals[/]", highlight=False)
    for sentence in [*drawn.rendered.signals_in_words, *words.describe_icons(drawn.result)]:
        console.print(f"• {escape(sentence)}", highlight=False, soft_wrap=True)
    if drawn.markers:
        console.print("\n[bold]PDSA cycles on the chart[/]", highlight=False)
        labels = drawn.series.series.labels or ()
        for marker in drawn.markers:
            point = words.point_name(labels[marker.at - 1] if labels else None, marker.at)
            console.print(f"• {escape(marker.label)}: marked at {escape(point)}", highlight=False)
    if drawn.notes:
        console.print("\n[bold]Notes[/]", highlight=False)
        for note in drawn.notes:
            console.print(f"• {escape(note)}", highlight=False, soft_wrap=True)


def _chart_dict(drawn: AimChart, view: View) -> dict[str, object]:
    series = drawn.series
    return {
        "aim": aim_dict(drawn.aim),
        "view": view.value if drawn.aim.measure is Measure.RULE else None,
        "as_at": drawn.as_at,
        "series": {
            "chart": series.chart.value,
            "value_title": series.value_title,
            "target": series.target,
            "improvement": series.improvement.value,
            "missing": series.missing,
            "points": [
                {
                    "date": day,
                    "label": (series.series.labels or ())[i] if series.series.labels else None,
                    "y": float(series.series.y[i]),
                    "n": None if series.series.n is None else float(series.series.n[i]),
                    "open": series.open[i] if series.open else False,
                }
                for i, day in enumerate(series.dates)
            ],
        },
        "markers": [{"at": m.at, "label": m.label} for m in drawn.markers],
        "analysis": as_dict(drawn.result),
        "signals": list(drawn.rendered.signals_in_words),
        "text_alternative": drawn.rendered.text_alternative,
        "notes": list(drawn.notes),
    }


# ----- PDSA cycles ------------------------------------------------------------------------
