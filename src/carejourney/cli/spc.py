"""`carejourney spc`: an analyst's SPC tool on its own, for any CSV or workbook."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from carejourney import terminal
from carejourney.cli.app import app
from carejourney.measures.spc import words
from carejourney.measures.spc.analysis import SpcOptionsError, as_dict, spc
from carejourney.measures.spc.types import (
    ChartType,
    Improvement,
    PartSummary,
    RuleSetName,
    SpcOptions,
    SpcResult,
)
from carejourney.reports.charts import render
from carejourney.sources.measure_csv import MeasureFileError, read_measure, to_series

console = terminal.console
CHART_HELP = (
    "run (median, no limits), i (individuals, XmR), mr (moving ranges), xbar and s "
    "(subgroup means and spreads: one row per observation, grouped by date), t (time between "
    "rare events), p (proportions: needs --n), pp (Laney p′, for large denominators), "
    "c (counts), u (rates: needs --n), up (Laney u′), g (cases between rare events)."
)


@app.command("spc")
def spc_command(
    file: Annotated[Path, typer.Argument(help="A CSV or Excel file: one row per point.")],
    chart: Annotated[ChartType, typer.Option(help=CHART_HELP)] = ChartType.RUN,
    value: Annotated[
        str | None,
        typer.Option(help="The column of values (default: 'value', or the only other column)."),
    ] = None,
    n: Annotated[
        str | None,
        typer.Option("--n", help="The column of denominators, for p, pp, u and up charts."),
    ] = None,
    date: Annotated[
        str | None, typer.Option(help="The column of dates (default: 'date' or 'month').")
    ] = None,
    rules: Annotated[
        RuleSetName,
        typer.Option(
            help="anhoej (longest run and crossings: few false alarms), ihi (shift, trend, "
            "runs) or mdc (NHS Making Data Count)."
        ),
    ] = RuleSetName.ANHOEJ,
    freeze: Annotated[
        int | None,
        typer.Option(help="Take the centre and limits from the first N points (a baseline)."),
    ] = None,
    part: Annotated[
        list[int] | None,
        typer.Option(help="Start a new part (phase) after point N; give it more than once."),
    ] = None,
    exclude: Annotated[
        list[int] | None,
        typer.Option(help="Leave point N out of the centre, limits and runs (still drawn)."),
    ] = None,
    astronomical: Annotated[
        list[int] | None,
        typer.Option(
            help="IHI rules: point N is obviously different from the rest, in your judgement "
            "(a signal); give it more than once for several."
        ),
    ] = None,
    target: Annotated[
        float | None, typer.Option(help="A target line, on the chart's scale.")
    ] = None,
    improvement: Annotated[
        Improvement | None,
        typer.Option(help="Which way is better: up or down (for words and icons)."),
    ] = None,
    multiply: Annotated[
        float, typer.Option(help="Multiply values, e.g. 100 for percentages.")
    ] = 1.0,
    screen: Annotated[
        bool,
        typer.Option(
            help="Leave unusually large moving ranges out of the limits (i, mr, t, pp, up)."
        ),
    ] = True,
    title: Annotated[str | None, typer.Option(help="The chart's title.")] = None,
    svg: Annotated[
        Path | None, typer.Option(help="Write the chart to this SVG file.", show_default=False)
    ] = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print limits, signals and points as JSON.")
    ] = False,
) -> None:
    """Run chart or control chart of any measure, with the signals explained in words.

    Example: `carejourney spc referrals.csv --chart p --n referred --freeze 12`
    """
    options = SpcOptions(
        chart=chart,
        rules=rules,
        freeze=freeze,
        parts=tuple(part or ()),
        exclude=tuple(exclude or ()),
        astronomical=tuple(astronomical or ()),
        screen_moving_ranges=screen,
        multiply=multiply,
        target=target,
        improvement=improvement,
    )
    try:
        rows = read_measure(file, value=value, n=n, date=date)
        series, _labels = to_series(rows, chart)
        result = spc(series, options)
    except (MeasureFileError, SpcOptionsError, ValueError) as exc:
        terminal.err.print(
            f"[bold red]Cannot chart {escape(str(file))}[/]\n{escape(str(exc))}", soft_wrap=True
        )
        raise typer.Exit(2) from None
    if svg is not None:
        rendered = render(result, title=title or file.stem, value_title=rows.value_column)
        svg.write_text(rendered.svg, encoding="utf-8")
    if as_json:
        print(json.dumps(as_dict(result), indent=2, default=str))
        return
    _print(result, title or file.stem)
    if svg is not None:
        console.print(f"Wrote the chart to {escape(str(svg))}.", highlight=False)


def _print(result: SpcResult, title: str) -> None:
    console.print(f"[bold]{escape(title)}[/]: {escape(words.summary(result))}", highlight=False)
    console.print(_parts_table(result.parts, result))
    for sentence in [*words.explain(result), *words.describe_icons(result)]:
        console.print(f"• {escape(sentence)}", highlight=False, soft_wrap=True)


def _parts_table(parts: tuple[PartSummary, ...], result: SpcResult) -> Table:
    table = Table(title=None, show_edge=False)
    for heading in (
        "Part",
        "Points",
        "Centre",
        "Lower limit",
        "Upper limit",
        "Longest run",
        "Crossings",
        "Signal",
    ):
        table.add_column(heading, justify="right" if heading != "Signal" else "left")
    for part in parts:
        rows = result.points.filter(result.points["part"] == part.part)
        lcl, ucl = rows["lcl"], rows["ucl"]
        table.add_row(
            str(part.part),
            f"{part.first}–{part.last}",
            _number(part.cl),
            _range(lcl.min(), lcl.max()),
            _range(ucl.min(), ucl.max()),
            f"{part.longest_run} (over {part.longest_run_max} signals)",
            f"{part.n_crossings} (under {part.n_crossings_min} signals)",
            "yes" if part.runs_signal or part.sigma_signals else "no",
        )
    return table


def _range(low: object, high: object) -> str:
    if not isinstance(low, float) or not isinstance(high, float):
        return "–"
    return _number(low) if low == high else f"{_number(low)} to {_number(high)}"


def _number(value: float) -> str:
    return f"{value:,.4g}" if abs(value) < 1000 else f"{value:,.0f}"
