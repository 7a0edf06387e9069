"""Timeliness: the adoption scorecard, how each rule is met, time to each milestone counting
the children still waiting, placement stability (the figures `carejourney timeliness`
prints) and time to a permanent home for each year's entrants as survival curves.

Figures only: no child is named. Counts are exact for the roles that may see every child
of the LA (manager, auditor); for everyone else they pass through disclosure control
(`reports.disclosure`, as in a published report): small counts show as [c], and a share,
average or median worked out from a hidden count is hidden with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated, Any

import altair as alt
import polars as pl
import vl_convert
from altair.utils.schemapi import debug_mode
from fastapi import APIRouter, Request
from starlette.responses import Response

from carejourney.config.rules import RuleSet, load_rule_set
from carejourney.journeys.stored import Journeys
from carejourney.measures import summaries
from carejourney.measures.routes import EXIT_MILESTONE_ROUTES
from carejourney.measures.scorecard import RULES as SCORECARD_RULES
from carejourney.measures.scorecard import scorecard, thresholds_from_rule_set
from carejourney.measures.stability import stability
from carejourney.measures.survival import (
    MONTHS_6_12_18,
    kaplan_meier,
    median_time,
    reached_by,
    time_to_milestone,
)
from carejourney.reports.charts import accessible, vega_lite_version
from carejourney.reports.disclosure import DisclosureRules, protect_counts, protect_percent
from carejourney.sources.values import read_date
from carejourney.web.data import cached, chosen_la, data_version, journeys_for, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES, ChildScope
from carejourney.web.templating import render

__all__ = ["Figures", "published", "router", "timeliness_figures"]

router = APIRouter()

# A permanent home: the milestones that end a journey in one (DESIGN.md), each the first
# of its period of care.
PERMANENCE = (*EXIT_MILESTONE_ROUTES, "permanence_order_granted")
PERMANENCE_MILESTONE = "permanent_home"
SCORECARD_WORDS = {
    "A1": "Average days from entering care to moving in with the adoptive family",
    "A2": "Average days from the placement order to the match with adopters",
    "A3": "% of A1's children who moved in within 14 months (426 days) of entering care",
    "A10": "As A1, counting to moving in with foster carers who went on to adopt",
}
# Cohorts' lines: colour and dash both differ, so colour is never the only cue.
COLOURS = ("#1d4f91", "#b3261e", "#00703c", "#6a3d9a", "#594d00", "#3b3b3b", "#005a8c")
DASHES = ((1, 0), (6, 3), (2, 2), (8, 3, 2, 3), (4, 4), (1, 3), (10, 2))
DAYS_IN_MONTH = 365.25 / 12


@dataclass(frozen=True)
class Figures:
    """What the page shows, before disclosure control."""

    as_at: dt.date
    year_end: dt.date
    scorecard: pl.DataFrame
    rules: pl.DataFrame
    waiting: pl.DataFrame
    stability: pl.DataFrame
    permanence: pl.DataFrame  # per cohort: children, reached, median, reached by 6/12/18 months
    curves: pl.DataFrame  # cohort, months, percent: the survival curves as % reached


def timeliness_figures(journeys: Journeys, sets: Sequence[RuleSet], as_at: dt.date) -> Figures:
    """The figures `carejourney timeliness` prints (its functions, called the same way), and
    time to a permanent home per year of entering care."""
    year_end = dt.date(as_at.year if as_at.month >= 4 else as_at.year - 1, 3, 31)
    if as_at.month == 3 and as_at.day == 31:
        year_end = as_at
    due = summaries.drift_list(journeys, list(sets), as_at)
    scorecard_rules = [s for s in sets if all(r in s.names for r in SCORECARD_RULES.values())]
    thresholds = thresholds_from_rule_set(scorecard_rules[0]) if scorecard_rules else None
    waiting = [
        summaries.waiting_times(journeys, s, as_at, due.filter(pl.col("rule_set") == s.name))
        for s in sets
    ]
    permanence, curves = permanence_by_cohort(journeys, as_at)
    return Figures(
        as_at=as_at,
        year_end=year_end,
        scorecard=scorecard(
            journeys.periods,
            journeys.milestones,
            journeys.placements,
            year_end,
            thresholds=thresholds,
        ),
        rules=summaries.rule_performance(due),
        waiting=pl.concat([w for w in waiting if w.height], how="diagonal_relaxed")
        if any(w.height for w in waiting)
        else pl.DataFrame(),
        stability=stability(journeys.periods, journeys.placements, journeys.children, year_end),
        permanence=permanence,
        curves=curves,
    )


def cohort_of(start: pl.Expr) -> pl.Expr:
    """The collection year a date falls in, as "2023-24" (1 April to 31 March)."""
    first = pl.when(start.dt.month() >= 4).then(start.dt.year()).otherwise(start.dt.year() - 1)
    return first.cast(pl.String) + "-" + ((first + 1) % 100).cast(pl.String).str.zfill(2)


def permanence_by_cohort(journeys: Journeys, as_at: dt.date) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Days from entering care to a permanent home (adoption, special guardianship, child
    arrangements order, return home, permanence order), per period of care, children
    still in care counted as still waiting (Kaplan-Meier), grouped by the year they
    entered care. Periods whose start is before the loaded history are not counted (no
    entered-care milestone)."""
    milestones = journeys.milestones.with_columns(
        milestone=pl.when(pl.col("milestone").is_in(PERMANENCE))
        .then(pl.lit(PERMANENCE_MILESTONE))
        .otherwise(pl.col("milestone"))
    )
    waits = time_to_milestone(
        journeys.periods,
        milestones,
        "entered_care",
        PERMANENCE_MILESTONE,
        as_at,
        earlier_counts=False,
    ).with_columns(cohort=cohort_of(pl.col("start")))
    if waits.is_empty():
        empty = pl.DataFrame(schema={"cohort": pl.String})
        return empty, pl.DataFrame(
            schema={"cohort": pl.String, "months": pl.Float64, "percent": pl.Float64}
        )
    km = kaplan_meier(waits, group="cohort")
    counts = (
        waits.group_by("cohort")
        .agg(children=pl.len(), reached=pl.col("observed").sum().cast(pl.Int64))
        .with_columns(not_reached=pl.col("children") - pl.col("reached"))
    )
    shares = reached_by(km, MONTHS_6_12_18).pivot(on="time", index="cohort", values="reached")
    shares.columns = ["cohort", *[f"by_{m}_months" for m in (6, 12, 18)]]
    table = (
        counts.join(median_time(km).select("cohort", median_days="median"), on="cohort")
        .join(shares, on="cohort")
        .sort("cohort")
    )
    start = km.select("cohort").unique().with_columns(time=pl.lit(0, km.schema["time"]))
    curves = (
        pl.concat(
            [start.with_columns(survival=pl.lit(1.0)), km.select("cohort", "time", "survival")]
        )
        .sort("cohort", "time")
        .select(
            "cohort",
            months=(pl.col("time") / DAYS_IN_MONTH).round(2),
            percent=((1 - pl.col("survival")) * 100).round(1),
        )
    )
    return table, curves


# --- disclosure control --------------------------------------------------------------------


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}%"


def _days(value: float | None) -> str:
    return "–" if value is None else f"{value:,.0f}"


def _share(value: float | None) -> str:
    return "–" if value is None else f"{100 * value:.0f}%"


def published(figures: Figures, rules: DisclosureRules) -> dict[str, Any]:
    """The page's tables as text, through `rules` (exact when `rules.internal`)."""
    hidden = rules.marker
    out: dict[str, Any] = {}

    card = figures.scorecard
    shown = protect_counts(card, ["children", "excluded"], rules).frame if card.height else card
    out["scorecard"] = pl.DataFrame(
        [
            {
                "Measure": r["measure"],
                "What it measures": SCORECARD_WORDS.get(r["measure"], ""),
                "Children": s["children"],
                "Left out": s["excluded"],
                "Value": hidden
                if s["children"] == hidden or r["value"] is None
                else (_pct(r["value"]) if r["unit"] == "percent" else f"{r['value']:,.0f} days"),
                "Threshold": "" if r["threshold"] is None else f"{r['threshold']:,} days",
            }
            for r, s in zip(card.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ]
    )

    perf = figures.rules
    counts = ["on_time", "late", "overdue"]
    shown = protect_counts(perf, counts, rules, row_total="due").frame if perf.height else perf
    out["rules"] = pl.DataFrame(
        [
            {
                "Rule": r["rule"],
                "What it asks": r["title"],
                "Due": s["due"],
                "On time": s["on_time"],
                "Late": s["late"],
                "Overdue": s["overdue"],
                "% on time": _percent(r["on_time"], r["due"], rules, s["on_time"], s["due"]),
                "Q1 days": _spread(r["quartile_1_days"], r["on_time"] + r["late"], rules),
                "Median days": _spread(r["median_days"], r["on_time"] + r["late"], rules),
                "Q3 days": _spread(r["quartile_3_days"], r["on_time"] + r["late"], rules),
            }
            for r, s in zip(perf.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ],
        schema=list(RULE_HEADINGS),
    )

    wait = figures.waiting
    if wait.height:
        wait = wait.with_columns(not_reached=pl.col("children") - pl.col("reached"))
        shown = protect_counts(wait, ["reached", "not_reached"], rules, row_total="children").frame
    out["waiting"] = pl.DataFrame(
        [
            _waiting_row(r, s, rules, first=("Rule", r["rule"]), title=r["title"])
            for r, s in zip(wait.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ]
        if wait.height
        else [],
        schema=["Rule", "What it asks", *WAITING_HEADINGS],
    )

    stab = figures.stability
    shown = protect_counts(stab, ["children", "count"], rules).frame if stab.height else stab
    out["stability"] = pl.DataFrame(
        [
            {
                "Measure": r["description"],
                "Children": s["children"],
                "How many": s["count"],
                "Percent": _percent(r["count"], r["children"], rules, s["count"], s["children"]),
            }
            for r, s in zip(stab.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ],
        schema=["Measure", "Children", "How many", "Percent"],
    )

    perm = figures.permanence
    if perm.height:
        shown = protect_counts(perm, ["reached", "not_reached"], rules, row_total="children").frame
    out["permanence"] = pl.DataFrame(
        [
            _waiting_row(r, s, rules, first=("Entered care in", r["cohort"]))
            for r, s in zip(perm.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ]
        if perm.height
        else [],
        schema=["Entered care in", *WAITING_HEADINGS],
    )
    # A cohort too small to publish is left off the chart as well as out of the table.
    small = [r["cohort"] for r in perm.iter_rows(named=True) if rules.hides(r["children"])]
    out["curves"] = figures.curves.filter(~pl.col("cohort").is_in(small))
    out["left_off"] = small
    return out


RULE_HEADINGS = (
    "Rule",
    "What it asks",
    "Due",
    "On time",
    "Late",
    "Overdue",
    "% on time",
    "Q1 days",
    "Median days",
    "Q3 days",
)
WAITING_HEADINGS = (
    "Children",
    "Reached",
    "Not yet",
    "Median days",
    "By 6 months",
    "By 12 months",
    "By 18 months",
)


def _percent(part: int, whole: int, rules: DisclosureRules, *shown: object) -> str:
    """A share, hidden with either of its counts (`shown`: the counts as published: one
    hidden only so that no other could be worked out gives the share away just the same)."""
    if whole == 0:
        return "–"
    if rules.marker in shown:
        return rules.marker
    if rules.internal:
        return f"{100 * part / whole:.1f}%"
    return protect_percent(part, whole, rules, decimals=1) or rules.marker


def _spread(days: float | None, over: int, rules: DisclosureRules) -> str:
    """Days from a few children's journeys are hidden with their count."""
    return rules.marker if rules.hides(over) else _days(days)


def _waiting_row(
    r: dict[str, Any],
    s: dict[str, Any],
    rules: DisclosureRules,
    *,
    first: tuple[str, str],
    title: str | None = None,
) -> dict[str, Any]:
    secret = any(s[c] == rules.marker for c in ("children", "reached"))
    row: dict[str, Any] = {first[0]: first[1]}
    if title is not None:
        row["What it asks"] = title
    row |= {
        "Children": str(s["children"]),
        "Reached": str(s["reached"]),
        "Not yet": str(s["not_reached"]),
        "Median days": rules.marker if secret else _days(r.get("median_days")),
    }
    for months, heading in zip((6, 12, 18), WAITING_HEADINGS[-3:], strict=True):
        value = r.get(f"reached_by_{months}_months", r.get(f"by_{months}_months"))
        row[heading] = rules.marker if secret else _share(value)
    return row


def hidden_note(rules: DisclosureRules) -> str:
    return (
        f"Counts below {rules.threshold} are shown as {rules.marker} to protect children's "
        "privacy, and so are the shares and days worked out from them; where a table has "
        "totals, a further count may be hidden so that none can be worked out from the rest."
    )


# --- the survival chart --------------------------------------------------------------------


def survival_chart(curves: pl.DataFrame, as_at: dt.date) -> tuple[str, str] | None:
    """The curves as accessible SVG (one stepped line per cohort, colour and dash), and its
    text alternative; None when there is nothing to draw."""
    if curves.is_empty():
        return None
    cohorts = sorted(curves["cohort"].unique().to_list())
    colours = [COLOURS[i % len(COLOURS)] for i in range(len(cohorts))]
    dashes = [list(DASHES[i % len(DASHES)]) for i in range(len(cohorts))]
    title = "Time to a permanent home, by year of entering care"
    alternative = (
        f"A chart of the share of children who reached a permanent home (adoption, special "
        f"guardianship, a child arrangements order, a return home or a permanence order) by "
        f"months since entering care, as at {as_at:%d/%m/%Y}; one stepped line for each year "
        f"of entering care: {', '.join(cohorts)}. Children still in care count as still "
        "waiting. The table below gives the same figures."
    )
    with debug_mode(False):
        chart = (
            alt.Chart(alt.Data(values=curves.to_dicts()))  # type: ignore[no-untyped-call]
            .mark_line(interpolate="step-after", strokeWidth=2, aria=False)
            .encode(
                x=alt.X("months:Q", title="Months since entering care"),
                y=alt.Y(
                    "percent:Q",
                    title="% reached a permanent home",
                    scale=alt.Scale(domain=[0, 100]),
                ),
                color=alt.Color(
                    "cohort:N",
                    title="Entered care in",
                    scale=alt.Scale(domain=cohorts, range=colours),
                ),
                strokeDash=alt.StrokeDash(
                    "cohort:N",
                    title="Entered care in",
                    scale=alt.Scale(domain=cohorts, range=dashes),
                ),
            )
            .properties(width=640, height=300, title=title, description=alternative)
            .configure(aria=False, background="white")
            .configure_axis(labelColor="#1a1a1a", titleColor="#1a1a1a", aria=False)
            .configure_legend(
                labelColor="#1a1a1a", titleColor="#1a1a1a", symbolStrokeWidth=2, aria=False
            )
            .configure_view(stroke=None)
        )
        spec = chart.to_dict(validate=False)
    # No data fetched from anywhere: the specification holds all of it.
    svg = vl_convert.vegalite_to_svg(spec, vl_version=vega_lite_version(), allowed_base_urls=[])
    return accessible(svg, title, alternative), alternative


# --- the page ------------------------------------------------------------------------------


@router.get("/timeliness")
def timeliness_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    as_at: str = "",
    entered_from: str = "",
    entered_before: str = "",
) -> Response:
    errors: list[str] = []
    dates: dict[str, dt.date | None] = {}
    for name, text, label in (
        ("as_at", as_at, "As at"),
        ("entered_from", entered_from, "Entered care on or after"),
        ("entered_before", entered_before, "Entered care before"),
    ):
        dates[name] = read_date(text) if text.strip() else None
        if text.strip() and dates[name] is None:
            errors.append(f"{label}: enter a real date written dd/mm/yyyy, like 31/03/2025.")
    settings = request.app.state.settings
    names: tuple[str, ...] = tuple(settings.rule_sets)
    context: dict[str, Any] = {
        "errors": errors,
        "form": {"as_at": as_at, "entered_from": entered_from, "entered_before": entered_before},
    }
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is not None:
            version = data_version(conn, la)
            key = (
                "timeliness",
                id(engine_of(request)),
                la,
                names,
                dates["as_at"],
                dates["entered_from"],
                dates["entered_before"],
            )

            def work_out() -> Figures:
                journeys = summaries.cohort(
                    journeys_for(request, conn, la), dates["entered_from"], dates["entered_before"]
                )
                when = dates["as_at"] or summaries.default_as_at(journeys)
                sets = [load_rule_set(name) for name in names]
                return timeliness_figures(journeys, sets, when)

            figures = cached(key, version, work_out)
    if la is not None:
        exact = viewer.scope is ChildScope.ALL
        rules = DisclosureRules(internal=exact)
        # Disclosure control is most of the page's work: once per version and kind of viewer.
        shown = cached(("timeliness shown", key, exact), version, lambda: published(figures, rules))
        chart_key = ("survival chart", id(engine_of(request)), key, exact)
        chart = cached(chart_key, version, lambda: survival_chart(shown["curves"], figures.as_at))
        context |= {
            "figures": figures,
            "shown": shown,
            "chart": chart,
            "note": None if exact else hidden_note(rules),
            "rule_sets": names,
            "threshold": rules.threshold,
        }
    context |= {"las": las, "la": la}
    return render(
        request,
        "timeliness.html.j2",
        context,
        viewer=viewer,
        title="Timeliness",
        status_code=400 if errors else 200,
    )
