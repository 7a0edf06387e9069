"""Case audits measured: the grade trend, grades by domain, team and auditor, moderation,
themes over time, and the quarter's summary for the QA meeting.

Definitions (docs: methods, "Case audits"):

- An audit counts once it is completed (status "completed") with an audit date on or before
  `as_at` (an audit with no date counts by its month). It belongs to its `month` (the first
  of the month the programme drew it for; for an imported audit, the month of its date).
- Its effective grade is the moderator's grade when it was moderated, else the auditor's
  overall grade. "Good" is "good or better" on the template's scale (`config/audits`:
  Outstanding and Good on Ofsted's scale); the rest are "not yet good enough" (Coventry's
  two-level view). A grade not on the scale is left out of the shares and counted.
- The grade trend is the share good of the audits completed each month, as a p chart
  (`measures.spc`, Anhøj's rules by default, higher is better): centre p̄ = Σ good / Σ
  completed, limits p̄ ± 3√(p̄(1 - p̄)/nᵢ) floored at 0 and capped at 100%. A month with no
  completed audits is a gap. An optional date (the month auditors were trained, say)
  starts a new part with its own centre and limits.
- Moderation agreement: of the moderated audits, how many the moderator graded the same as
  the auditor, and how many moved across the line between good and not yet good enough.
- Themes: each completed audit's strengths and development areas, counted by month or
  quarter (calendar quarters: January, April, July, October), spelled as most often spelled
  (themes are compared ignoring case and punctuation).
- Overdue actions (`quality.actions.overdue`): due before `as_at` and still open or in
  progress (due on `as_at` itself is not overdue). Alerts (`quality.alerts.alert_times`):
  open when raised on or before `as_at` and not resolved by it; days to respond are
  calendar days from the UK date an alert was raised to the date it was answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import polars as pl
from sqlalchemy import Connection, Table, select

from carejourney.config.audits import Scale, Template
from carejourney.measures.frames import conform_to
from carejourney.measures.spc.analysis import as_dict as spc_as_dict
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import (
    ChartType,
    Improvement,
    RuleSetName,
    Series,
    SpcOptions,
    SpcResult,
)
from carejourney.measures.spc.words import explain, point_name
from carejourney.quality.actions import overdue
from carejourney.quality.alerts import alert_times
from carejourney.schema.types import Nation
from carejourney.store.tables import audit, audit_grade, audit_theme, management_alert, qa_action

By = Literal["month", "quarter"]
COMPLETED = "completed"
NO_TEAM = "Team not recorded"
TIME = pl.Datetime("us", "UTC")

# The columns of each frame and their types: the store's names (lower case).
COLUMNS: dict[str, dict[str, pl.DataType]] = {
    "audits": {
        "id": pl.Int64(),
        "child": pl.String(),
        "team": pl.String(),
        "template": pl.String(),
        "sample_id": pl.Int64(),
        "month": pl.Date(),
        "auditor": pl.String(),
        "status": pl.String(),
        "audit_date": pl.Date(),
        "overall": pl.String(),
        "moderator": pl.String(),
        "moderated_grade": pl.String(),
        "moderated_at": TIME,
        "source": pl.String(),
    },
    "grades": {"audit_id": pl.Int64(), "domain": pl.String(), "grade": pl.String()},
    "themes": {"audit_id": pl.Int64(), "kind": pl.String(), "theme": pl.String()},
    "actions": {
        "id": pl.Int64(),
        "title": pl.String(),
        "origin": pl.String(),
        "audit_id": pl.Int64(),
        "theme": pl.String(),
        "owner": pl.String(),
        "due": pl.Date(),
        "status": pl.String(),
        "created_at": TIME,
        "closed_at": TIME,
    },
    "alerts": {
        "id": pl.Int64(),
        "child": pl.String(),
        "concern": pl.String(),
        "raised_by": pl.String(),
        "raised_role": pl.String(),
        "raised_at": TIME,
        "manager": pl.String(),
        "responded_at": TIME,
        "resolved_at": TIME,
    },
}


def empty(kind: str) -> pl.DataFrame:
    """A frame of `kind` with every column and no rows."""
    return pl.DataFrame(schema=COLUMNS[kind])


def conform(kind: str, frame: pl.DataFrame) -> pl.DataFrame:
    """`frame` with exactly the columns of `kind`, in order and typed; missing ones blank."""
    return conform_to(COLUMNS[kind], frame)


@dataclass(frozen=True)
class AuditFrames:
    """One LA's audits, domain grades, themes, actions and management alerts."""

    la: str
    audits: pl.DataFrame = field(default_factory=lambda: empty("audits"))
    grades: pl.DataFrame = field(default_factory=lambda: empty("grades"))
    themes: pl.DataFrame = field(default_factory=lambda: empty("themes"))
    actions: pl.DataFrame = field(default_factory=lambda: empty("actions"))
    alerts: pl.DataFrame = field(default_factory=lambda: empty("alerts"))


def audit_frames(conn: Connection, la: str) -> AuditFrames:
    """Everything the audit measures use for `la`, one query per table."""

    def read(table: Table, kind: str, *, via_audit: bool = False) -> pl.DataFrame:
        columns = [table.c[name] for name in COLUMNS[kind]]
        query = select(*columns)
        if via_audit:  # grades and themes belong to the LA through their audit
            query = query.join(audit, audit.c.id == table.c.audit_id).where(audit.c.la == la)
        else:
            query = query.where(table.c.la == la)
        rows = conn.execute(query).all()
        return pl.DataFrame(rows, schema=COLUMNS[kind], orient="row")

    return AuditFrames(
        la=la,
        audits=read(audit, "audits"),
        grades=read(audit_grade, "grades", via_audit=True),
        themes=read(audit_theme, "themes", via_audit=True),
        actions=read(qa_action, "actions"),
        alerts=read(management_alert, "alerts"),
    )


# --- grades -------------------------------------------------------------------------------


def scale_frame(scale: Scale) -> pl.DataFrame:
    """The scale as a frame: grade (stored value), grade_label, rank, good."""
    return pl.DataFrame(
        {
            "grade": [g.value for g in scale.grades],
            "grade_label": [g.label for g in scale.grades],
            "rank": [g.rank for g in scale.grades],
            "good": [g.good for g in scale.grades],
        },
        schema={"grade": pl.String, "grade_label": pl.String, "rank": pl.Int64, "good": pl.Boolean},
    )


def graded(audits: pl.DataFrame, scale: Scale, *, as_at: dt.date) -> pl.DataFrame:
    """The completed audits counted by `as_at`, with `grade` (the effective grade),
    `moderated`, the grade's label, rank and `good` (null when not on the scale), and the
    auditor's own grade's rank and good (`overall_rank`, `overall_good`)."""
    grades = scale_frame(scale)
    counted = (pl.col("audit_date") <= as_at).fill_null(pl.col("month") <= as_at)
    return (
        audits.filter((pl.col("status") == COMPLETED) & counted)
        .with_columns(
            moderated=pl.col("moderated_grade").is_not_null(),
            grade=pl.coalesce("moderated_grade", "overall"),
        )
        .join(grades, on="grade", how="left", maintain_order="left")
        .join(
            grades.select(
                overall=pl.col("grade"), overall_rank=pl.col("rank"), overall_good=pl.col("good")
            ),
            on="overall",
            how="left",
            maintain_order="left",
        )
    )


def _shares(frame: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """completed, on_scale (graded on the scale), good, percent_good per group of `by`."""
    return (
        frame.group_by(by)
        .agg(
            completed=pl.len().cast(pl.Int64),
            on_scale=pl.col("good").is_not_null().sum().cast(pl.Int64),
            good=pl.col("good").fill_null(False).sum().cast(pl.Int64),
        )
        .with_columns(_percent("good", "on_scale").alias("percent_good"))
        .sort(by)
    )


def _percent(numerator: str, denominator: str) -> pl.Expr:
    return pl.when(pl.col(denominator) > 0).then(100.0 * pl.col(numerator) / pl.col(denominator))


def by_month(graded_audits: pl.DataFrame) -> pl.DataFrame:
    """Per month: completed, on_scale, good, not_good, percent_good."""
    return _shares(graded_audits, ["month"]).with_columns(
        not_good=pl.col("on_scale") - pl.col("good")
    )


def grade_counts(graded_audits: pl.DataFrame, scale: Scale) -> pl.DataFrame:
    """Per month and grade of the scale (best first): audits. Every grade of every month is
    listed, with 0 where none."""
    months = graded_audits.select("month").unique()
    grid = months.join(scale_frame(scale), how="cross")
    counts = graded_audits.group_by("month", "grade").agg(audits=pl.len().cast(pl.Int64))
    return (
        grid.join(counts, on=["month", "grade"], how="left")
        .with_columns(pl.col("audits").fill_null(0))
        .sort("month", pl.col("rank"), descending=[False, True])
    )


def by_team(graded_audits: pl.DataFrame) -> pl.DataFrame:
    """Per team (blank: "Team not recorded"): completed, on_scale, good, percent_good."""
    return _shares(graded_audits.with_columns(pl.col("team").fill_null(NO_TEAM)), ["team"])


def by_auditor(graded_audits: pl.DataFrame) -> pl.DataFrame:
    """Per auditor: completed, on_scale, good, percent_good, moderated, and of those the
    moderator agreed with (`agreed`: the same grade)."""
    agreed = pl.col("moderated") & (pl.col("moderated_grade") == pl.col("overall"))
    moderation = graded_audits.group_by("auditor").agg(
        moderated=pl.col("moderated").sum().cast(pl.Int64),
        agreed=agreed.sum().cast(pl.Int64),
    )
    return _shares(graded_audits, ["auditor"]).join(
        moderation, on="auditor", how="left", maintain_order="left"
    )


def by_domain(
    grades: pl.DataFrame,
    graded_audits: pl.DataFrame,
    scale: Scale,
    template: Template | None = None,
) -> pl.DataFrame:
    """Per domain of the counted audits: graded, on_scale, good, percent_good, and its
    title (from the template; the key otherwise), in the template's order."""
    scored = grades.join(graded_audits.select(audit_id="id"), on="audit_id", how="semi").join(
        scale_frame(scale).select("grade", "good"), on="grade", how="left"
    )
    shares = _shares(scored, ["domain"]).rename({"completed": "graded"})
    domains = template.domains if template is not None else ()
    order = pl.DataFrame(
        {
            "domain": [d.key for d in domains],
            "title": [d.title for d in domains],
            "order": list(range(len(domains))),
        },
        schema={"domain": pl.String, "title": pl.String, "order": pl.Int64},
    )
    return (
        shares.join(order, on="domain", how="left")
        .with_columns(pl.col("title").fill_null(pl.col("domain")))
        .sort(pl.col("order"), pl.col("domain"), nulls_last=True)
        .select("domain", "title", "graded", "on_scale", "good", "percent_good")
    )


def moderation(graded_audits: pl.DataFrame) -> dict[str, Any]:
    """How often moderators agree: moderated, same_grade, agreement_percent, moved_up,
    moved_down (the moderator's grade better or worse), crossed_good_line (moved between
    good and not yet good enough), made_good and made_not_good (which way)."""
    moderated = graded_audits.filter(pl.col("moderated"))
    both = pl.col("overall_good").is_not_null() & pl.col("good").is_not_null()
    row = moderated.select(
        moderated=pl.len().cast(pl.Int64),
        same_grade=(pl.col("moderated_grade") == pl.col("overall")).sum().cast(pl.Int64),
        moved_up=(pl.col("rank") > pl.col("overall_rank")).sum().cast(pl.Int64),
        moved_down=(pl.col("rank") < pl.col("overall_rank")).sum().cast(pl.Int64),
        made_good=(both & pl.col("good") & ~pl.col("overall_good")).sum().cast(pl.Int64),
        made_not_good=(both & ~pl.col("good") & pl.col("overall_good")).sum().cast(pl.Int64),
    ).row(0, named=True)
    count = row["moderated"]
    crossed = row["made_good"] + row["made_not_good"]
    return {
        **row,
        "agreement_percent": 100.0 * row["same_grade"] / count if count else None,
        "crossed_good_line": crossed,
        "crossed_percent": 100.0 * crossed / count if count else None,
    }


@dataclass(frozen=True)
class GradeTrend:
    """The share good each month as a p chart. `points`: month, completed, on_scale, good,
    not_good, percent_good (months with no audits included, with 0 completed); `result`
    is None when no audit is graded on the scale; `words` are its signals in sentences."""

    points: pl.DataFrame
    result: SpcResult | None
    words: tuple[str, ...]
    phase_from: dt.date | None = None  # the month a new part starts, when one does
    note: str | None = None  # why a phase date given was not used


def grade_trend(
    audits: pl.DataFrame,
    scale: Scale,
    *,
    as_at: dt.date,
    phase_from: dt.date | None = None,
    since: dt.date | None = None,
    rules: RuleSetName = RuleSetName.ANHOEJ,
) -> GradeTrend:
    """The share of completed audits graded good or better per month, from the first month
    with one (or `since`) to the last, as a p chart under `rules` (higher is better).
    `phase_from` (e.g. the date auditors were trained) starts a new part from its month."""
    scored = graded(audits, scale, as_at=as_at).filter(pl.col("good").is_not_null())
    if since is not None:
        scored = scored.filter(pl.col("month") >= since.replace(day=1))
    monthly = by_month(scored)
    if monthly.is_empty():
        return GradeTrend(monthly, None, ("No completed audits graded on this scale yet.",))
    first, last = monthly["month"].min(), monthly["month"].max()
    assert isinstance(first, dt.date) and isinstance(last, dt.date)  # not empty
    months = pl.date_range(first, last, "1mo", eager=True).alias("month").to_frame()
    points = months.join(monthly, on="month", how="left").with_columns(
        pl.col("completed", "on_scale", "good", "not_good").fill_null(0)
    )
    parts, start, note = _phase(points, phase_from)
    has = points["on_scale"] > 0
    result = spc(
        Series(
            y=np.where(has, points["good"].cast(pl.Float64).to_numpy(), np.nan),
            n=np.where(has, points["on_scale"].cast(pl.Float64).to_numpy(), np.nan),
            labels=tuple(m.isoformat() for m in points["month"].to_list()),
        ),
        SpcOptions(
            chart=ChartType.P, rules=rules, parts=parts, multiply=100, improvement=Improvement.UP
        ),
    )
    return GradeTrend(points, result, tuple(explain(result)), start, note)


def _phase(
    points: pl.DataFrame, phase_from: dt.date | None
) -> tuple[tuple[int, ...], dt.date | None, str | None]:
    """The part break for a new phase from `phase_from`'s month: (parts, month, note)."""
    if phase_from is None:
        return (), None, None
    month = phase_from.replace(day=1)
    before = int((points["month"] < month).sum())
    if 1 <= before < points.height:
        return (before,), month, None
    name = point_name(month.isoformat(), 0)
    note = f"The new phase from {name} is not shown: the chart needs months before and after it."
    return (), None, note


# --- themes ---------------------------------------------------------------------------------


def _period(by: By) -> pl.Expr:
    return pl.col("month").dt.truncate("1mo" if by == "month" else "3mo").alias("period")


def _spelling() -> pl.Expr:
    """`config.audits.spelling` as an expression: lower case, each run of other characters
    one space, trimmed."""
    return pl.col("theme").str.to_lowercase().str.replace_all(r"[^a-z0-9]+", " ").str.strip_chars()


def theme_counts(themes: pl.DataFrame, audits: pl.DataFrame, by: By = "month") -> pl.DataFrame:
    """Strengths and development areas of completed audits per month or quarter: period
    (its first day), kind, theme, audits (with the theme), completed (audits completed in
    the period), percent_of_audits. Most found first within each period and kind."""
    done = audits.filter(pl.col("status") == COMPLETED).select("id", _period(by))
    completed = done.group_by("period").agg(completed=pl.len().cast(pl.Int64))
    tagged = themes.join(done, left_on="audit_id", right_on="id").with_columns(key=_spelling())
    spelt = (  # the most common spelling of each theme, for display
        tagged.group_by("key", "theme")
        .agg(uses=pl.len())
        .sort("uses", "theme", descending=[True, False])
        .unique("key", keep="first")
        .select("key", shown="theme")
    )
    return (
        tagged.group_by("period", "kind", "key")
        .agg(audits=pl.col("audit_id").n_unique().cast(pl.Int64))
        .join(spelt, on="key")
        .join(completed, on="period")
        .select(
            "period",
            "kind",
            theme="shown",
            audits="audits",
            completed="completed",
            percent_of_audits=100.0 * pl.col("audits") / pl.col("completed"),
        )
        .sort(["period", "kind", "audits", "theme"], descending=[False, False, True, False])
    )


def top_themes(
    themes: pl.DataFrame,
    audits: pl.DataFrame,
    *,
    kind: str = "development",
    first: dt.date,
    last: dt.date,
    n: int = 5,
) -> pl.DataFrame:
    """The `n` themes of `kind` found in the most audits completed in the months from
    `first` to `last`: theme, audits, percent_of_audits (ties: alphabetical)."""
    window = audits.filter(pl.col("month").is_between(first.replace(day=1), last))
    counts = theme_counts(themes, window.with_columns(month=pl.lit(first.replace(day=1))))
    return (
        counts.filter(pl.col("kind") == kind).head(n).select("theme", "audits", "percent_of_audits")
    )


# --- the summary ---------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditSummary:
    """What the QA meeting needs, as at `as_at`: headline numbers over the `months` months
    to `as_at` (from `first_month`), the grade trend (every month), and the frames behind
    them (each restricted to those months, except `trend.points` and `themes_by_month`)."""

    la: str
    scale: str
    template: str | None
    as_at: dt.date
    months: int
    first_month: dt.date
    completed: int  # audits completed in the months
    on_scale: int  # of those, graded on the scale
    good: int
    percent_good: float | None
    quarter: dt.date  # the first day of the quarter holding as_at
    percent_good_quarter: float | None  # that quarter, up to as_at
    percent_good_previous_quarter: float | None
    change_since_previous_quarter: float | None  # percentage points
    top_development: tuple[tuple[str, int], ...]  # (theme, audits), most found first
    top_strengths: tuple[tuple[str, int], ...]
    overdue_action_count: int
    open_alert_count: int
    awaiting_response_count: int  # open alerts with no response yet
    median_days_to_respond: float | None  # alerts raised in the months and answered
    moderation: dict[str, Any]
    trend: GradeTrend
    grade_counts: pl.DataFrame
    by_month: pl.DataFrame
    by_domain: pl.DataFrame
    by_team: pl.DataFrame
    by_auditor: pl.DataFrame
    themes_by_month: pl.DataFrame
    overdue_actions: pl.DataFrame
    open_alerts: pl.DataFrame

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO text, NaN as None, frames as lists of records."""
        out: dict[str, Any] = {}
        for name, value in vars(self).items():
            if isinstance(value, pl.DataFrame):
                out[name] = value.to_dicts()
            elif isinstance(value, GradeTrend):
                out[name] = {
                    "points": value.points.to_dicts(),
                    "words": list(value.words),
                    "phase_from": value.phase_from,
                    "note": value.note,
                    "chart": None if value.result is None else spc_as_dict(value.result),
                }
            elif name.startswith("top_"):
                out[name] = [{"theme": t, "audits": n} for t, n in value]
            else:
                out[name] = value
        plain = _plain(out)
        assert isinstance(plain, dict)
        return plain


def summarise_audits(
    frames: AuditFrames,
    template_or_scale: Template | Scale,
    *,
    as_at: dt.date,
    months: int = 12,
    phase_from: dt.date | None = None,
    rules: RuleSetName = RuleSetName.ANHOEJ,
    nation: Nation | str = Nation.ENGLAND_AND_WALES,
) -> AuditSummary:
    """The audits of one template (every audit graded on the scale, when a scale is given)
    summarised as at `as_at` over the `months` months to it (see the module docstring);
    `nation`'s bank holidays count the working days alerts have been open."""
    if isinstance(template_or_scale, Template):
        template: Template | None = template_or_scale
        scale = template_or_scale.scale
        audits = frames.audits.filter(pl.col("template") == template_or_scale.name)
    else:
        template, scale, audits = None, template_or_scale, frames.audits
    first_month = _months_back(as_at.replace(day=1), months - 1)
    every = graded(audits, scale, as_at=as_at)
    period = every.filter(pl.col("month") >= first_month)
    monthly = by_month(period)
    quarter = _months_back(as_at.replace(day=1), (as_at.month - 1) % 3)
    this_q = _share(every.filter(pl.col("month") >= quarter))
    previous = pl.col("month").is_between(_months_back(quarter, 3), quarter, closed="left")
    last_q = _share(every.filter(previous))
    counted = audits.filter(pl.col("id").is_in(period["id"].implode()))
    top = {
        kind: top_themes(frames.themes, counted, kind=kind, first=first_month, last=as_at)
        for kind in ("development", "strength")
    }
    late = overdue(frames.actions, as_at)
    alerts = alert_times(frames.alerts, as_at, nation)
    answered = alerts.filter(
        (pl.col("raised") >= first_month) & pl.col("days_to_response").is_not_null()
    )
    open_alerts = alerts.filter(pl.col("resolved").is_null())
    return AuditSummary(
        la=frames.la,
        scale=scale.name,
        template=template.name if template is not None else None,
        as_at=as_at,
        months=months,
        first_month=first_month,
        completed=period.height,
        on_scale=int(monthly["on_scale"].sum()),
        good=int(monthly["good"].sum()),
        percent_good=_share(period),
        quarter=quarter,
        percent_good_quarter=this_q,
        percent_good_previous_quarter=last_q,
        change_since_previous_quarter=(
            this_q - last_q if this_q is not None and last_q is not None else None
        ),
        top_development=_pairs(top["development"]),
        top_strengths=_pairs(top["strength"]),
        overdue_action_count=late.height,
        open_alert_count=open_alerts.height,
        awaiting_response_count=int(open_alerts["responded"].is_null().sum()),
        median_days_to_respond=_median(answered["days_to_response"]),
        moderation=moderation(period),
        trend=grade_trend(audits, scale, as_at=as_at, phase_from=phase_from, rules=rules),
        grade_counts=grade_counts(period, scale),
        by_month=monthly,
        by_domain=by_domain(frames.grades, period, scale, template),
        by_team=by_team(period),
        by_auditor=by_auditor(period),
        themes_by_month=theme_counts(frames.themes, counted),
        overdue_actions=late.select(
            "id", "title", "owner", "due", "days_overdue", "status", "origin", "theme"
        ),
        open_alerts=open_alerts.select(
            "id",
            "child",
            "concern",
            "raised_role",
            "raised",
            "manager",
            "responded",
            "days_open",
            "working_days_open",
        ),
    )


def _share(frame: pl.DataFrame) -> float | None:
    """The percentage good of the audits graded on the scale, or None when there are none."""
    on_scale = frame.filter(pl.col("good").is_not_null())
    return 100.0 * int(on_scale["good"].sum()) / on_scale.height if on_scale.height else None


def _median(values: pl.Series) -> float | None:
    value = values.drop_nulls().median()
    return float(value) if isinstance(value, int | float) else None


def _pairs(frame: pl.DataFrame) -> tuple[tuple[str, int], ...]:
    return tuple(zip(frame["theme"].to_list(), frame["audits"].to_list(), strict=True))


def _months_back(first: dt.date, months: int) -> dt.date:
    """The first of the month `months` months before `first` (a first of a month)."""
    month0 = first.year * 12 + first.month - 1 - months
    return dt.date(month0 // 12, month0 % 12 + 1, 1)


def _plain(value: Any) -> Any:
    """Dates as ISO text and NaN as None, all the way down (for JSON)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value
