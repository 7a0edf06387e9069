"""`carejourney audits programme add|list|stop` and `carejourney audits draw`: audit
programmes and each month's sample, a thin layer over `quality.programme`.

`draw` lists the children drawn, each with their auditor: the QA lead needs them, and
`draw_sample` writes each to the access log as it assigns their audit.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from carejourney.cli.audits import (
    JsonOption,
    LaOption,
    TemplateOption,
    audits_app,
    console,
    month_option,
    n_of,
    programme_app,
    session,
    which_la,
)
from carejourney.cli.improvement import stop
from carejourney.cli.options import DbOption, date_option
from carejourney.config.audits import DEFAULT_TEMPLATE
from carejourney.quality.programme import (
    Method,
    Programme,
    SampleDrawn,
    add_programme,
    deactivate,
    draw_sample,
    get_programme,
    get_sample,
    list_programmes,
    schedule,
)

# --- programmes ------------------------------------------------------------------------------


@programme_app.command("add")
def programme_add_command(
    name: Annotated[
        str,
        typer.Argument(
            help="A short name: lower-case letters, digits and hyphens (monthly-looked-after).",
            show_default=False,
        ),
    ],
    title: Annotated[
        str, typer.Option(help="What is audited, in a few words.", show_default=False)
    ],
    per_month: Annotated[
        int, typer.Option("--per-month", help="How many cases are audited each month.")
    ],
    starts: Annotated[
        str, typer.Option(help="The first month audited: 2026-11.", show_default=False)
    ],
    method: Annotated[
        Method,
        typer.Option(
            help="How cases are chosen: random, stratified (each team its share), drift "
            "(children with a drift status under a rule) or indicator (children an "
            "indicator flags)."
        ),
    ] = Method.RANDOM,
    trigger: Annotated[
        str | None,
        typer.Option(
            help='For drift: the status and rule, "overdue: england/permanence-plan"; for '
            "indicator: its key, three-or-more-placements.",
            show_default=False,
        ),
    ] = None,
    by_team: Annotated[
        bool,
        typer.Option(
            "--by-team", help="Drift and indicator programmes: share a capped sample by team."
        ),
    ] = False,
    template: TemplateOption = None,
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Set up an audit programme: N cases a month, chosen at random, by team, by drift status
    or by an indicator.

    Examples:

    `carejourney audits programme add monthly-looked-after --title "Monthly audit of
    children looked after" --per-month 12 --method stratified --starts 2026-11`

    `carejourney audits programme add plan-overdue --title "Children overdue for a
    permanence plan" --per-month 6 --method drift --trigger "overdue: england/permanence-plan"
    --starts 2026-11`
    """
    first = month_option(starts, "--starts")
    with session(db) as (_, conn):
        code = which_la(conn, la, adding=True)
        stored = add_programme(
            conn,
            code,
            Programme(
                name=name,
                title=title,
                template=template or DEFAULT_TEMPLATE,
                per_month=per_month,
                method=method,
                starts=first,
                stratify_by="team" if by_team else None,
                trigger=trigger,
            ),
        )
    console.print(
        f"Added the programme {escape(stored.name)} for LA {escape(code)}: "
        f"{escape(programme_words(stored))}",
        highlight=False,
    )


@programme_app.command("list")
def programme_list_command(
    la: LaOption = None, db: DbOption = None, as_json: JsonOption = False
) -> None:
    """List the audit programmes, each with its months: drawn (audits assigned, started,
    completed) and due (not drawn yet).

    Example: `carejourney audits programme list`
    """
    with session(db) as (_, conn):
        code = which_la(conn, la)
        programmes = [(p, schedule(conn, p)) for p in list_programmes(conn, code)]
    if as_json:
        data = [
            {
                "name": p.name,
                "title": p.title,
                "template": p.template,
                "per_month": p.per_month,
                "method": p.method.value,
                "stratify_by": p.stratify_by,
                "trigger": p.trigger,
                "starts": p.starts.isoformat(),
                "active": p.active,
                "months": [
                    {
                        "month": m.month.isoformat(),
                        "drawn": m.sample is not None,
                        "due": m.due,
                        "audits": m.audits,
                        "started": m.started,
                        "completed": m.completed,
                        "seed": m.sample.seed if m.sample else None,
                        "note": m.sample.method_note if m.sample else None,
                    }
                    for m in months
                ],
            }
            for p, months in programmes
        ]
        print(json.dumps(data, indent=2))
        return
    if not programmes:
        console.print(
            f"LA {escape(code)} has no audit programme yet: add one with "
            "`carejourney audits programme add`."
        )
        return
    for programme, months in programmes:
        state = "" if programme.active else " (stopped)"
        console.print(
            f"[bold]{escape(programme.name)}[/]{state}: {escape(programme_words(programme))}",
            highlight=False,
        )
        table = Table(title=f"{programme.title}: month by month", title_justify="left")
        for heading in ("Month", "Sample", "Audits", "Started", "Completed"):
            table.add_column(heading, justify="left" if heading in ("Month", "Sample") else "right")
        for m in months:
            drawn = (
                f"drawn {m.sample.drawn_at:%d/%m/%Y} by {m.sample.drawn_by}, seed {m.sample.seed}"
                if m.sample
                else ("due: not drawn yet" if m.due else "not drawn")
            )
            table.add_row(
                f"{m.month:%B %Y}", escape(drawn), str(m.audits), str(m.started), str(m.completed)
            )
        console.print(table)


@programme_app.command("stop")
def programme_stop_command(
    name: Annotated[str, typer.Argument(help="The programme's name.", show_default=False)],
    la: LaOption = None,
    db: DbOption = None,
) -> None:
    """Stop a programme: no more months fall due. Its samples and audits are kept."""
    with session(db) as (_, conn):
        code = which_la(conn, la)
        deactivate(conn, code, name)
    console.print(f"Stopped {escape(name)}: its samples and audits are kept.", highlight=False)


def programme_words(programme: Programme) -> str:
    """ "12 cases a month from November 2026, stratified by team, template case-audit." """
    how = {
        Method.RANDOM: "chosen at random from the children in care",
        Method.STRATIFIED: "chosen at random, stratified by team",
        Method.DRIFT: f"the children in care {programme.trigger}",
        Method.INDICATOR: f"the children flagged by the indicator {programme.trigger}",
    }[programme.method]
    if programme.method in (Method.DRIFT, Method.INDICATOR) and programme.stratify_by:
        how += ", shared by team when capped"
    cases = n_of(programme.per_month, "case")
    return (
        f"{cases} a month from {programme.starts:%B %Y}, {how}; template "
        f"{Path(programme.template).name}."
    )


# --- drawing a month's sample ----------------------------------------------------------------


@audits_app.command("draw")
def draw_command(
    programme: Annotated[
        str, typer.Argument(help="The programme's name.", show_default=False, metavar="PROGRAMME")
    ],
    month: Annotated[str, typer.Option(help="The month: 2026-11.", show_default=False)],
    auditor: Annotated[
        list[str],
        typer.Option(
            "--auditor",
            help="An auditor to share the audits between; give it once per auditor.",
            show_default=False,
        ),
    ],
    seed: Annotated[
        int | None,
        typer.Option(
            help="The seed: the same children and seed give the same sample. Default: the "
            "month's first day as a number (20261101).",
            show_default=False,
        ),
    ] = None,
    replace: Annotated[
        bool,
        typer.Option(
            "--replace",
            help="Draw a month already drawn again: audits not yet started are removed and "
            "drawn afresh; those started are kept.",
        ),
    ] = False,
    as_at: Annotated[
        str | None,
        typer.Option(
            "--as-at",
            help="Draw from the children in care on this day, dd/mm/yyyy. Default: the "
            "month's first day (or the last day your data covers, if earlier).",
            show_default=False,
        ),
    ] = None,
    la: LaOption = None,
    db: DbOption = None,
    as_json: JsonOption = False,
) -> None:
    """Draw a programme's sample for a month and share it between the auditors.

    Example: `carejourney audits draw monthly-looked-after --month 2026-11 --auditor "Alex
    Morgan" --auditor "Bea Okafor"`
    """
    first = month_option(month)
    day = date_option(as_at, "--as-at")
    with session(db) as (_, conn):
        code = which_la(conn, la)
        found = get_programme(conn, code, programme)
        existing = get_sample(conn, found, first)
        if existing is not None and not replace:
            raise stop(
                "Already drawn",
                f'the {first:%B %Y} sample of "{found.name}" was drawn on '
                f"{existing.drawn_at:%d/%m/%Y} by {existing.drawn_by}. To draw it again, "
                "replacing the audits not yet started, add --replace.",
            )
        drawn = draw_sample(
            conn, found, first, auditors=auditor, seed=seed, replace=replace, as_at=day
        )
    if as_json:
        print(json.dumps(_drawn_dict(found, drawn), indent=2))
        return
    console.print(
        f"[bold]{escape(found.title)}, {first:%B %Y}[/]: {escape(drawn.sample.method_note)}",
        highlight=False,
    )
    if drawn.removed:
        console.print(f"{n_of(drawn.removed, 'audit')} not yet started removed and drawn again.")
    if drawn.children.height:
        table = Table(title="The cases drawn, each assigned to its auditor", title_justify="left")
        for heading in ("Child", "Team", "Auditor"):
            table.add_column(heading)
        for child, team, who in drawn.children.sort("auditor", "CHILD").iter_rows():
            table.add_row(escape(child), escape(team or "no team recorded"), escape(who))
        console.print(table)


def _drawn_dict(programme: Programme, drawn: SampleDrawn) -> dict[str, Any]:
    sample = drawn.sample
    return {
        "programme": programme.name,
        "month": sample.month.isoformat(),
        "seed": sample.seed,
        "size": sample.size,
        "eligible": drawn.eligible,
        "kept": drawn.kept,
        "removed": drawn.removed,
        "note": sample.method_note,
        "children": [
            {"child": child, "team": team, "auditor": who}
            for child, team, who in drawn.children.iter_rows()
        ],
    }
