"""Demand as families experience it: the failure share with its chart and signals in words,
failure demand by kind, source and team, right first time, the end-to-end capability chart
and sentence, re-referrals, decisions and assessments on time, and what matters to families
(the figures `carejourney demand summary` prints and the report's demand section publishes:
the same functions, `reports.sections.demand`).

Figures only: no child or family is named. Counts are exact for the roles that may see
every child of the LA (manager, auditor); for everyone else they pass through disclosure
control, as the timeliness page's do: small counts show as [c], and a share worked out from
a hidden count is hidden with it; a chart that would give a small count away is left off,
saying why. An optional redesign date starts a new phase on the charts; an as-at date
works the figures out as they stood then (a GET form: it works without JavaScript).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Request
from sqlalchemy import Connection
from starlette.responses import Response

from carejourney.config.demand import load_demand_rules
from carejourney.config.rules import load_rule_set
from carejourney.measures.demand.charts import DemandChart
from carejourney.measures.demand.stored import load_demand
from carejourney.measures.demand.summary import DemandSummary, summarise
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Figure, ReportChart, ReportTable
from carejourney.reports.sections.demand import (
    default_as_at,
    figures,
    nation_of,
    no_demand,
    paragraphs,
    published_capability_chart,
    published_failure_chart,
    report_chart,
)
from carejourney.reports.sections.demand_tables import disclosure_note, tables
from carejourney.schema.types import Nation
from carejourney.sources.values import read_date
from carejourney.web.data import cached, chosen_la, data_version, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ChildScope, Role
from carejourney.web.templating import render

__all__ = ["DEMAND_ROLES", "Shown", "router", "shown_for"]

router = APIRouter()

DEMAND_ROLES = (Role.MANAGER, Role.TEAM_MANAGER, Role.ANALYST, Role.AUDITOR)


@dataclass(frozen=True)
class Shown:
    """What the page shows, through disclosure control (exact for those who see every
    child): figures, a paragraph and table per topic, and each chart or why it is left off."""

    figures: tuple[Figure, ...]
    words: dict[str, str]
    tables: dict[str, ReportTable]
    failure_chart: ReportChart | None
    failure_why: str | None
    capability_chart: ReportChart | None
    capability_why: str | None
    capability: str | None  # the capability sentence, with the chart it comes from
    note: str | None


def shown_for(summary: DemandSummary, rules: DisclosureRules) -> Shown:
    """The page's content for `summary` through `rules`."""
    failure, failure_why = published_failure_chart(summary, rules)
    capability, capability_why = published_capability_chart(summary, rules)
    return Shown(
        figures=figures(summary, rules),
        words=paragraphs(summary, rules),
        tables=tables(summary, rules),
        failure_chart=_drawn(failure),
        failure_why=failure_why,
        capability_chart=_drawn(capability),
        capability_why=capability_why,
        capability=capability.capability if capability is not None else None,
        note=disclosure_note(rules),
    )


def _drawn(chart: DemandChart | None) -> ReportChart | None:
    if chart is None:
        return None
    drawn = report_chart(chart)
    # The capability sentence has a paragraph of its own on the page; the chart's words
    # are its signals and notes.
    return ReportChart(
        drawn.title,
        drawn.svg,
        drawn.text_alternative,
        tuple(s for s in drawn.signals if s != chart.capability),
    )


def _nation(request: Request) -> Nation:
    names: tuple[str, ...] = tuple(request.app.state.settings.rule_sets)
    return nation_of([load_rule_set(names[0])] if names else [])


def _summary(
    conn: Connection, la: str, as_at: dt.date | None, redesign: dt.date | None, nation: Nation
) -> DemandSummary | None:
    """The LA's demand summary, or None when it has no contacts stored."""
    data = load_demand(conn, la)
    when = as_at or default_as_at(data)
    if when is None:
        return None
    return summarise(data, as_at=when, rules=load_demand_rules(), nation=nation, redesign=redesign)


@router.get("/demand")
def demand_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*DEMAND_ROLES)],
    as_at: str = "",
    redesign: str = "",
) -> Response:
    errors: list[str] = []
    dates: dict[str, dt.date | None] = {}
    for name, text, label in (("as_at", as_at, "As at"), ("redesign", redesign, "Redesign date")):
        dates[name] = read_date(text) if text.strip() else None
        if text.strip() and dates[name] is None:
            errors.append(f"{label}: enter a real date written dd/mm/yyyy, like 31/03/2026.")
    context: dict[str, Any] = {"errors": errors, "form": {"as_at": as_at, "redesign": redesign}}
    summary: DemandSummary | None = None
    nation = _nation(request)
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is not None:
            version = data_version(conn, la)
            key = ("demand", id(engine_of(request)), la, dates["as_at"], dates["redesign"], nation)
            summary = cached(
                key, version, lambda: _summary(conn, la, dates["as_at"], dates["redesign"], nation)
            )
    if la is not None and summary is None:
        context["missing"] = no_demand(la)
    if summary is not None:
        exact = viewer.scope is ChildScope.ALL
        rules = DisclosureRules(internal=exact)
        # Disclosure control and drawing the charts are most of the page's work: once per
        # version of the data and kind of viewer.
        context["shown"] = cached(
            ("demand shown", key, exact), version, lambda: shown_for(summary, rules)
        )
        context["summary"] = summary
    context |= {"las": las, "la": la}
    return render(
        request,
        "demand.html.j2",
        context,
        viewer=viewer,
        title="Demand",
        status_code=400 if errors else 200,
    )
