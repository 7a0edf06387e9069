"""Case audits, the quarter at a glance: the grade trend (a p chart of the share good or
better each month, with its signals in words), the share good by domain, the themes found
this quarter and quarter by quarter, how often moderators agree, and how many actions are
overdue and alerts open (`measures.audits.summarise_audits`, as `carejourney audits
summary`).

Figures only: no child is named. Counts are exact for the roles that may see every child
of the LA; for everyone else they pass through disclosure control (`reports.disclosure`),
as the timeliness page's do, and the chart is shown only when none of its months' counts
is hidden. What the page works out is kept (`web.data.cached`) until an audit, action or
alert of the LA changes.

The other audit pages: `audit_list` (the audits, and templates), `audit_form` (one audit),
`audit_import` (the spreadsheet) and `programmes` (programmes and their samples).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Hashable
from typing import Annotated, Any

import polars as pl
from fastapi import APIRouter, Request
from sqlalchemy import Connection, func, select
from starlette.responses import Response

from carejourney.config.audits import (
    DEFAULT_TEMPLATE,
    AuditTemplateError,
    Template,
    load_template,
)
from carejourney.measures.audits import (
    COMPLETED,
    AuditFrames,
    AuditSummary,
    audit_frames,
    summarise_audits,
    theme_counts,
    top_themes,
)
from carejourney.reports.charts import Marker, render
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_counts
from carejourney.sources.values import read_date
from carejourney.store.tables import audit, management_alert, qa_action, qa_action_note
from carejourney.web.data import cached, chosen_la, la_or_404, las_for
from carejourney.web.permissions import Viewer, allow, engine_of
from carejourney.web.roles import ALL_ROLES, ChildScope
from carejourney.web.templating import render as render_page
from carejourney.web.templating import route_roles

__all__ = ["audit_sections", "audits_version", "grade_words", "la_or_404", "router"]

router = APIRouter()

MONTHS = 12  # the summary's window: a year of monthly audits, four quarters
TOP = 5  # themes listed for the quarter
SECTIONS = (
    ("/audits", "The quarter"),
    ("/audits/list", "Audits"),
    ("/audits/programmes", "Programmes"),
    ("/audits/templates", "Templates"),
    ("/audits/import", "Import"),
)
BAD_DATE = "enter a real date written dd/mm/yyyy, like 30/11/2026."


# --- what the audit pages share -----------------------------------------------------------


def audit_sections(request: Request, viewer: Viewer) -> list[tuple[str, str]]:
    """The audit pages' tabs the viewer may open (from the routes' own declarations)."""
    return [
        (path, label)
        for path, label in SECTIONS
        if viewer.role in (route_roles(request.app, path) or ())
    ]


def audits_version(conn: Connection, la: str) -> Hashable:
    """Changes whenever an audit, action or alert of the LA is added or changed."""
    a, q, n, m = audit.c, qa_action.c, qa_action_note.c, management_alert.c
    audits = select(func.count(), func.max(a.id), func.max(a.updated_at), func.max(a.moderated_at))
    actions = select(func.count(), func.max(q.id), func.max(q.closed_at))
    notes = select(func.max(n.id)).join(qa_action, qa_action.c.id == n.action_id)
    alerts = select(func.count(), func.max(m.id), func.max(m.responded_at), func.max(m.resolved_at))
    return (
        tuple(conn.execute(audits.where(a.la == la)).one()),
        tuple(conn.execute(actions.where(q.la == la)).one()),
        conn.execute(notes.where(q.la == la)).scalar(),
        tuple(conn.execute(alerts.where(m.la == la)).one()),
    )


def grade_words(template: Template | None, value: str | None) -> str:
    """A stored grade as its label ("Requires improvement to be good"); blank when none."""
    if value is None:
        return ""
    if template is None:
        return value
    grade = next((g for g in template.scale.grades if g.value == value), None)
    return value if grade is None else grade.label


def link_if_allowed(request: Request, viewer: Viewer, path: str) -> str | None:
    """`path` when the app has that page and the viewer's role may open it, else None (the
    actions and alerts pages are another module's)."""
    page = path.split("?", 1)[0]
    return path if viewer.role in (route_roles(request.app, page) or ()) else None


# --- the quarter at a glance ----------------------------------------------------------------


@router.get("/audits")
def audits_page(
    request: Request,
    viewer: Annotated[Viewer, allow(*ALL_ROLES)],
    as_at: str = "",
    phase_from: str = "",
    template: str = "",
) -> Response:
    errors: list[str] = []
    day = read_date(as_at) if as_at.strip() else dt.date.today()
    if day is None:
        errors.append(f"As at: {BAD_DATE}")
        day = dt.date.today()
    phase = read_date(phase_from) if phase_from.strip() else None
    if phase_from.strip() and phase is None:
        errors.append(f"New phase from: {BAD_DATE}")
    context: dict[str, Any] = {
        "form": {"as_at": as_at, "phase_from": phase_from},
        "errors": errors,
        "sections": audit_sections(request, viewer),
    }
    exact = viewer.scope is ChildScope.ALL
    with engine_of(request).connect() as conn:
        las = las_for(conn, viewer)
        la = chosen_la(request, conn, viewer)
        if la is not None:
            version = audits_version(conn, la)
            frames = cached(
                ("audit frames", id(engine_of(request)), la),
                version,
                lambda: audit_frames(conn, la),
            )
            names, chosen = _templates_used(frames, template)
            key = ("audit glance", id(engine_of(request)), la, chosen, day, phase, exact)
            glance = cached(key, version, lambda: glance_of(frames, chosen, day, phase, exact))
            context |= {"templates": names, "template": chosen, **glance}
    context |= {
        "las": las,
        "la": la,
        "actions_link": link_if_allowed(request, viewer, "/actions?overdue=1"),
        "alerts_link": link_if_allowed(request, viewer, "/alerts"),
    }
    return render_page(
        request,
        "audits.html.j2",
        context,
        viewer=viewer,
        title=("Error: " if errors else "") + "Audits: the quarter at a glance",
        status_code=400 if errors else 200,
    )


def _templates_used(frames: AuditFrames, wanted: str) -> tuple[list[str], str]:
    """The templates the LA's audits use (most used first) and the one to show: `wanted`
    if it is one of them, else the most used (the default template when none)."""
    counts = frames.audits.group_by("template").agg(pl.len()).sort(["len", "template"])
    names = list(reversed(counts["template"].to_list()))
    if wanted in names:
        return names, wanted
    return names, names[0] if names else DEFAULT_TEMPLATE


def glance_of(
    frames: AuditFrames, name: str, as_at: dt.date, phase_from: dt.date | None, exact: bool
) -> dict[str, Any]:
    """Everything the page shows about the template's audits, published for the viewer
    (exact, or through disclosure control)."""
    try:
        template = load_template(name)
    except AuditTemplateError as exc:
        return {"problem": str(exc)}
    rules = DisclosureRules(internal=exact)
    summary = summarise_audits(frames, template, as_at=as_at, months=MONTHS, phase_from=phase_from)
    months = _months_table(summary, rules)
    return {
        "summary": summary,
        "template_title": template.title,
        "figures": _figures(summary, rules),
        "months": months,
        "chart": _chart(summary, template) if not months["hidden"] else None,
        "domains": _domains(summary, rules),
        "quarter_themes": _quarter_themes(frames, template, summary, rules),
        "themes_by_quarter": _themes_by_quarter(frames, template, summary, rules),
        "moderation": _moderation(summary, rules),
        "note": None if exact else hidden_note(rules),
        "quarter_words": quarter_words(summary.quarter, as_at),
    }


def quarter_words(quarter: dt.date, as_at: dt.date | None = None) -> str:
    """A calendar quarter: "October to December 2026" (to `as_at`, when it ends earlier)."""
    end = _add_months(quarter, 2)
    if as_at is not None and as_at < _add_months(quarter, 3) - dt.timedelta(days=1):
        return f"{quarter.day} {quarter:%B} to {as_at.day} {as_at:%B %Y}"  # %-d: not Windows
    return f"{quarter:%B} to {end:%B %Y}"


def months_words(first: dt.date, last: dt.date) -> str:
    """The months from `first`'s to `last`'s: "December 2025", "October to December 2026"."""
    if (first.year, first.month) == (last.year, last.month):
        return f"{first:%B %Y}"
    if first.year == last.year:
        return f"{first:%B} to {last:%B %Y}"
    return f"{first:%B %Y} to {last:%B %Y}"


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def hidden_note(rules: DisclosureRules) -> str:
    return (
        f"Counts below {rules.threshold} are shown as {rules.marker} to protect children's "
        "privacy, and so are the shares worked out from them; where a table has totals, a "
        "further count may be hidden so that none can be worked out from the rest. The chart "
        "is shown only when none of its months' counts is hidden."
    )


def _count(value: int, rules: DisclosureRules) -> str:
    shown = protect_count(value, rules)
    return rules.marker if shown is None else f"{int(shown):,}"


def _percent(part: int, whole: int, rules: DisclosureRules, *shown: str) -> str:
    """A share of counts as published (`shown`), hidden with any of them or the rest."""
    if whole == 0:
        return "–"
    if rules.marker in shown or (not rules.internal and rules.hides(whole - part)):
        return rules.marker
    return f"{100 * part / whole:.0f}%"


def _figures(summary: AuditSummary, rules: DisclosureRules) -> dict[str, Any]:
    """The headline figures as text."""
    months = summary.by_month
    this_q = months.filter(pl.col("month") >= summary.quarter)
    last_q = months.filter(
        pl.col("month").is_between(_add_months(summary.quarter, -3), summary.quarter, "left")
    )

    def share(frame: pl.DataFrame) -> str:
        good, graded = int(frame["good"].sum()), int(frame["on_scale"].sum())
        return _percent(good, graded, rules, _count(good, rules), _count(graded, rules))

    now, before = share(this_q), share(last_q)
    change = summary.change_since_previous_quarter
    both = rules.marker not in (now, before) and change is not None
    return {
        "completed": _count(summary.completed, rules),
        "good_quarter": now,
        "good_previous": before,
        "change": f"{change:+.0f} percentage points" if both and change is not None else None,
        "overdue_actions": f"{summary.overdue_action_count:,}",  # staff's actions: not children
        "open_alerts": _count(summary.open_alert_count, rules),
        "awaiting_response": _count(summary.awaiting_response_count, rules),
        "median_days": (
            f"{summary.median_days_to_respond:.0f}"
            if rules.internal and summary.median_days_to_respond is not None
            else None
        ),
    }


def _months_table(summary: AuditSummary, rules: DisclosureRules) -> dict[str, Any]:
    """Each month of the chart: audits graded, good or better, not yet good enough, %."""
    points = summary.trend.points
    if points.is_empty():
        return {"frame": None, "hidden": False}
    shown = protect_counts(points, ["good", "not_good"], rules, row_total="on_scale")
    rows = [
        {
            "Month": f"{r['month']:%B %Y}",
            "Audits graded": s["on_scale"],
            "Good or better": s["good"],
            "Not yet good enough": s["not_good"],
            "% good or better": _percent(
                r["good"], r["on_scale"], rules, s["good"], s["not_good"], s["on_scale"]
            ),
        }
        for r, s in zip(
            points.iter_rows(named=True), shown.frame.iter_rows(named=True), strict=True
        )
    ]
    return {"frame": pl.DataFrame(rows), "hidden": shown.primary + shown.secondary > 0}


def _chart(summary: AuditSummary, template: Template) -> dict[str, Any] | None:
    """The p chart as SVG, its text alternative and its signals in words."""
    trend = summary.trend
    if trend.result is None:
        return None
    markers = []
    if trend.phase_from is not None:
        months = trend.points["month"].to_list()
        at = months.index(trend.phase_from) + 1
        markers.append(Marker(at, f"New phase from {trend.phase_from:%B %Y}"))
    title = f"{template.title}: % of audits good or better, by month"
    drawn = render(trend.result, title=title, value_title="% good or better", markers=markers)
    return {
        "title": title,
        "svg": drawn.svg,
        "text_alternative": drawn.text_alternative,
        "signals": list(trend.words),
    }


def _domains(summary: AuditSummary, rules: DisclosureRules) -> pl.DataFrame:
    frame = summary.by_domain.with_columns(not_good=pl.col("on_scale") - pl.col("good"))
    if frame.is_empty():
        return pl.DataFrame(schema=list(DOMAIN_HEADINGS))
    shown = protect_counts(frame, ["good", "not_good"], rules, row_total="on_scale").frame
    return pl.DataFrame(
        [
            {
                "Domain": r["title"],
                "Graded": s["on_scale"],
                "Good or better": s["good"],
                "Not yet good enough": s["not_good"],
                "% good or better": _percent(
                    r["good"], r["on_scale"], rules, s["good"], s["not_good"], s["on_scale"]
                ),
            }
            for r, s in zip(frame.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ],
        schema=list(DOMAIN_HEADINGS),
    )


DOMAIN_HEADINGS = (
    "Domain",
    "Graded",
    "Good or better",
    "Not yet good enough",
    "% good or better",
)
KINDS = {"development": "Areas for development", "strength": "Strengths"}


def _completed(
    frames: AuditFrames, template: Template, first: dt.date, last: dt.date
) -> pl.DataFrame:
    """The template's audits completed in the months from `first` to `last`."""
    return frames.audits.filter(
        (pl.col("template") == template.name)
        & (pl.col("status") == COMPLETED)
        & pl.col("month").is_between(first.replace(day=1), last)
    )


def _quarter_themes(
    frames: AuditFrames, template: Template, summary: AuditSummary, rules: DisclosureRules
) -> dict[str, Any]:
    """The themes found in the most audits this quarter, of each kind."""
    done = _completed(frames, template, summary.quarter, summary.as_at)
    out: dict[str, Any] = {"completed": _count(done.height, rules), "kinds": []}
    for kind, heading in KINDS.items():
        top = top_themes(
            frames.themes, done, kind=kind, first=summary.quarter, last=summary.as_at, n=TOP
        )
        shown = protect_counts(top, ["audits"], rules).frame if top.height else top
        rows = [
            {
                "Theme": r["theme"],
                "Audits": s["audits"],
                "% of audits": _percent(
                    r["audits"], done.height, rules, s["audits"], out["completed"]
                ),
            }
            for r, s in zip(top.iter_rows(named=True), shown.iter_rows(named=True), strict=True)
        ]
        out["kinds"].append(
            (heading, pl.DataFrame(rows, schema=["Theme", "Audits", "% of audits"]))
        )
    return out


def _themes_by_quarter(
    frames: AuditFrames, template: Template, summary: AuditSummary, rules: DisclosureRules
) -> list[tuple[str, pl.DataFrame]]:
    """Each kind's themes by quarter of the summary's months (how many audits found each),
    most found overall first."""
    done = _completed(frames, template, summary.first_month, summary.as_at)
    counts = theme_counts(frames.themes, done, by="quarter")
    # Every quarter with completed audits is a column, also one that found no theme.
    quarters = sorted(done["month"].dt.truncate("3mo").unique().to_list())
    # Each quarter's months within the summary's (the first and last may be cut short).
    labels = {
        q: months_words(max(q, summary.first_month), min(_add_months(q, 2), summary.as_at))
        for q in quarters
    }
    columns = list(labels.values())
    out = []
    for kind, heading in KINDS.items():
        mine = counts.filter(pl.col("kind") == kind)
        if mine.is_empty():
            out.append((heading, pl.DataFrame(schema=["Theme", *columns])))
            continue
        wide = mine.with_columns(
            quarter=pl.col("period").replace_strict(labels, return_dtype=pl.String)
        ).pivot(on="quarter", index="theme", values="audits")
        wide = (
            wide.with_columns(
                pl.col(c).fill_null(0) if c in wide.columns else pl.lit(0, pl.Int64).alias(c)
                for c in columns
            )
            .with_columns(_total=pl.sum_horizontal(columns))
            .sort(["_total", "theme"], descending=[True, False])
            .select("theme", *columns)
        )
        shown = protect_counts(wide, columns, rules).frame
        out.append((heading, shown.rename({"theme": "Theme"})))
    return out


def _moderation(summary: AuditSummary, rules: DisclosureRules) -> dict[str, Any] | None:
    """How often moderators agreed with the auditor, in words' parts."""
    m = summary.moderation
    moderated = int(m["moderated"])
    if moderated == 0:
        return None
    same, crossed = int(m["same_grade"]), int(m["crossed_good_line"])
    # Which way grades crossed the line is left out: with the total crossed, a hidden
    # count of one way could be worked out from the other.
    return {
        "moderated": _count(moderated, rules),
        "same": _count(same, rules),
        "same_percent": _percent(same, moderated, rules, _count(same, rules)),
        "crossed": _count(crossed, rules),
    }
