"""Audit measures on small hand-worked tables: effective grades, the grade trend's p chart
(centre and limits worked out by hand below), themes, actions, alerts and the summary."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from itertools import count

import polars as pl
import pytest
from sqlalchemy import Engine, insert

from carejourney.config.audits import load_scale, load_template
from carejourney.measures import audits as m
from carejourney.measures.spc.types import SignalKind
from carejourney.store import tables

OFSTED = load_scale("ofsted")
TEMPLATE = load_template("case-audit")
AS_AT = dt.date(2024, 6, 30)
_ids = count(1)


def month(number: int) -> dt.date:
    """Month 1 is January 2024."""
    return dt.date(2024 + (number - 1) // 12, (number - 1) % 12 + 1, 1)


def audit(
    on: dt.date,
    overall: str | None,
    *,
    status: str = "completed",
    moderated: str | None = None,
    auditor: str = "Auditor A",
    team: str | None = "North",
    template: str = "case-audit",
    audit_date: dt.date | None = None,
) -> dict[str, object]:
    return {
        "id": next(_ids),
        "child": f"C{next(_ids)}",
        "team": team,
        "template": template,
        "month": on,
        "auditor": auditor,
        "status": status,
        "audit_date": audit_date or (on + dt.timedelta(days=14) if status == "completed" else None),
        "overall": overall,
        "moderator": "Moderator M" if moderated else None,
        "moderated_grade": moderated,
        "source": "web app",
    }


def monthly_audits(counts: list[tuple[int, int]], first: int = 1) -> pl.DataFrame:
    """(good, completed) per month from month `first`: good ones graded good or
    outstanding, the rest requires improvement or inadequate."""
    rows = []
    for offset, (good, completed) in enumerate(counts):
        on = month(first + offset)
        rows += [audit(on, ("good", "outstanding")[i % 2]) for i in range(good)]
        rows += [
            audit(on, ("requires-improvement", "inadequate")[i % 2])
            for i in range(completed - good)
        ]
    return m.conform("audits", pl.DataFrame(rows))


# --- effective grades -----------------------------------------------------------------------


def test_the_moderators_grade_wins_and_only_completed_audits_by_as_at_count() -> None:
    audits = m.conform(
        "audits",
        pl.DataFrame(
            [
                audit(month(5), "good", moderated="requires-improvement"),  # not good
                audit(month(5), "requires-improvement", moderated="good"),  # good
                audit(month(5), "inadequate", moderated="inadequate"),  # agreed
                audit(month(5), "outstanding"),
                audit(month(5), None, status="in progress"),  # not counted
                audit(month(6), "good", audit_date=dt.date(2024, 7, 1)),  # after as_at
                audit(month(6), "excellent"),  # not on Ofsted's scale
            ]
        ),
    )
    graded = m.graded(audits, OFSTED, as_at=AS_AT)
    assert graded["grade"].to_list() == [
        "requires-improvement",
        "good",
        "inadequate",
        "outstanding",
        "excellent",
    ]
    assert graded["good"].to_list() == [False, True, False, True, None]
    assert graded["moderated"].to_list() == [True, True, True, False, False]
    shares = m.by_month(graded)
    assert shares.to_dicts() == [
        {
            "month": month(5),
            "completed": 4,
            "on_scale": 4,
            "good": 2,
            "percent_good": 50.0,
            "not_good": 2,
        },
        {
            "month": month(6),
            "completed": 1,
            "on_scale": 0,
            "good": 0,
            "percent_good": None,
            "not_good": 0,
        },
    ]
    # 3 moderated: 1 the same grade; 1 moved up across the line, 1 down across it.
    assert m.moderation(graded) == {
        "moderated": 3,
        "same_grade": 1,
        "moved_up": 1,
        "moved_down": 1,
        "made_good": 1,
        "made_not_good": 1,
        "agreement_percent": pytest.approx(100 / 3),
        "crossed_good_line": 2,
        "crossed_percent": pytest.approx(200 / 3),
    }


def test_grades_by_team_auditor_domain_and_grade() -> None:
    rows = [
        audit(month(1), "good", team="North", auditor="Ann"),
        audit(month(1), "inadequate", team="North", auditor="Ann", moderated="inadequate"),
        audit(month(1), "outstanding", team=None, auditor="Bob", moderated="good"),
    ]
    audits = m.conform("audits", pl.DataFrame(rows))
    graded = m.graded(audits, OFSTED, as_at=AS_AT)
    assert m.by_team(graded).select("team", "completed", "good", "percent_good").rows() == [
        ("North", 2, 1, 50.0),
        ("Team not recorded", 1, 1, 100.0),
    ]
    assert m.by_auditor(graded).select(
        "auditor", "completed", "good", "moderated", "agreed"
    ).rows() == [
        ("Ann", 2, 1, 1, 1),
        ("Bob", 1, 1, 1, 0),
    ]
    ids = [r["id"] for r in rows]
    grades = m.conform(
        "grades",
        pl.DataFrame(
            {
                "audit_id": [ids[0], ids[1], ids[2], ids[0], ids[1]],
                "domain": [
                    "planning",
                    "planning",
                    "planning",
                    "voice_of_the_child",
                    "voice_of_the_child",
                ],
                "grade": ["good", "inadequate", "requires-improvement", "outstanding", "good"],
            }
        ),
    )
    domains = m.by_domain(grades, graded, OFSTED, TEMPLATE)
    # In the template's order: voice of the child comes before planning.
    assert domains.rows() == [
        ("voice_of_the_child", "Voice of the child", 2, 2, 2, 100.0),
        ("planning", "Planning", 3, 3, 1, pytest.approx(100 / 3)),
    ]
    counts = m.grade_counts(graded, OFSTED)
    assert counts.select("grade", "audits").rows() == [
        ("outstanding", 0),
        ("good", 2),  # one moderated down from outstanding
        ("requires-improvement", 0),
        ("inadequate", 1),
    ]


# --- the grade trend ------------------------------------------------------------------------

# Month:      Jan Feb Mar Apr May Jun (2024)
# good:         3   4   2   6   5   8   = 28
# completed:   10  10   5  10  10  10   = 55
COUNTS = [(3, 10), (4, 10), (2, 5), (6, 10), (5, 10), (8, 10)]


def test_the_grade_trend_is_a_p_chart_with_limits_worked_out_by_hand() -> None:
    trend = m.grade_trend(monthly_audits(COUNTS), OFSTED, as_at=AS_AT)
    assert trend.result is not None
    points = trend.result.points
    # p-bar = 28 / 55 = 0.50909; sigma for n = 10: sqrt(0.50909 x 0.49091 / 10) = 0.15809;
    # limits 50.909% ± 3 x 15.809% = 3.48% to 98.34%. For n = 5: sqrt(0.249917 / 5) =
    # 0.22357, 50.909 ± 67.07: below 0 (drawn at 0) and above 100 (drawn at 100).
    p = 28 / 55
    sigma10, sigma5 = math.sqrt(p * (1 - p) / 10), math.sqrt(p * (1 - p) / 5)
    assert p == pytest.approx(0.50909, abs=1e-5) and sigma10 == pytest.approx(0.15809, abs=1e-5)
    assert points["value"].to_list() == pytest.approx([30, 40, 40, 60, 50, 80])
    assert points["cl"].to_list() == pytest.approx([100 * p] * 6)
    assert points["ucl"].to_list() == pytest.approx(
        [100 * (p + 3 * sigma10)] * 2 + [100.0] + [100 * (p + 3 * sigma10)] * 3
    )
    assert points["lcl"].to_list() == pytest.approx(
        [100 * (p - 3 * sigma10)] * 2 + [0.0] + [100 * (p - 3 * sigma10)] * 3
    )
    assert p + 3 * sigma5 > 1 and p - 3 * sigma5 < 0  # so March's limits are 0 and 100%
    assert points["ucl"][0] == pytest.approx(98.336, abs=1e-3)
    assert points["lcl"][0] == pytest.approx(3.482, abs=1e-3)
    assert trend.points.select("month", "good", "on_scale").rows() == [
        (month(i + 1), good, n) for i, (good, n) in enumerate(COUNTS)
    ]
    # Six points: too few for the runs rules, none outside the limits.
    assert trend.result.signals == ()
    assert trend.words == (
        "No point is outside the limits, but with only 6 points the runs rules cannot judge yet"
        " whether anything has changed (they need at least 10).",
    )


def test_a_training_date_starts_a_new_part_with_its_own_centre() -> None:
    trend = m.grade_trend(
        monthly_audits(COUNTS), OFSTED, as_at=AS_AT, phase_from=dt.date(2024, 4, 15)
    )
    assert trend.result is not None and trend.phase_from == month(4)
    # Before April: 9 good of 25 = 36%; from April: 19 of 30 = 63.3%.
    assert trend.result.points["part"].to_list() == [1, 1, 1, 2, 2, 2]
    assert trend.result.points["cl"].to_list() == pytest.approx([36.0] * 3 + [1900 / 30] * 3)
    outside = m.grade_trend(monthly_audits(COUNTS), OFSTED, as_at=AS_AT, phase_from=month(1))
    assert outside.phase_from is None and outside.note is not None
    assert "needs months before and after it" in outside.note


def test_a_lasting_rise_after_training_is_a_signal_in_words() -> None:
    # 8 months at 2 good of 10, then 8 at 8 of 10: p-bar = 80 / 160 = 50%, limits 50 ± 3 x
    # sqrt(0.25 / 10) = 50 ± 47.4, so no point is outside them. Both runs of 8 are longer
    # than Anhøj's limit for 16 points, round(log2 16) + 3 = 7, and the line crosses the
    # centre once where at least qbinom(0.05, 15, 0.5) = 4 crossings are expected.
    audits = monthly_audits([(2, 10)] * 8 + [(8, 10)] * 8)
    trend = m.grade_trend(audits, OFSTED, as_at=dt.date(2025, 4, 30))
    assert trend.result is not None
    assert [(s.kind, s.first, s.last, s.length, s.expected) for s in trend.result.signals] == [
        (SignalKind.LONG_RUN, 1, 8, 8, 7),
        (SignalKind.FEW_CROSSINGS, 1, 16, 1, 4),
        (SignalKind.LONG_RUN, 9, 16, 8, 7),
    ]
    assert trend.words[2] == (
        "8 points in a row above the centre line from September 2024 to April 2025: a shift "
        "— this is unlikely to be chance; as higher is better, this is an improvement."
    )
    # With the training in September 2024 as a new part, each part is steady on its own.
    phased = m.grade_trend(audits, OFSTED, as_at=dt.date(2025, 4, 30), phase_from=month(9))
    assert phased.result is not None and phased.result.signals == ()
    assert [p.cl for p in phased.result.parts] == pytest.approx([20.0, 80.0])


def test_a_month_with_no_audits_is_a_gap_and_nothing_graded_is_said() -> None:
    audits = monthly_audits([(3, 10), (0, 0), (5, 10)])
    trend = m.grade_trend(audits, OFSTED, as_at=AS_AT)
    assert trend.result is not None
    assert trend.points["on_scale"].to_list() == [10, 0, 10]
    assert trend.result.points["value"].to_list() == [30.0, None, 50.0]
    none = m.grade_trend(m.empty("audits"), OFSTED, as_at=AS_AT)
    assert none.result is None and none.words == ("No completed audits graded on this scale yet.",)


# --- themes ---------------------------------------------------------------------------------


def themed() -> tuple[pl.DataFrame, pl.DataFrame]:
    """Four completed audits (Jan, Jan, Feb, Apr 2024) and one in progress, with themes."""
    rows = [
        audit(month(1), "good"),
        audit(month(1), "inadequate"),
        audit(month(2), "requires-improvement"),
        audit(month(4), "good"),
        audit(month(4), None, status="in progress"),
    ]
    a, b, c, d, e = (r["id"] for r in rows)
    themes = pl.DataFrame(
        {
            "audit_id": [a, a, b, b, c, c, d, e],
            "kind": [
                "development",
                "strength",
                "development",
                "development",
                "development",
                "strength",
                "development",
                "development",
            ],
            "theme": [
                "drift in care planning",
                "child seen and listened to",
                "Drift in care planning",  # another spelling: the same theme
                "chronology out of date",
                "drift in care planning",
                "child seen and listened to",
                "no contingency plan",
                "no contingency plan",  # an audit in progress: not counted
            ],
        }
    )
    return m.conform("audits", pl.DataFrame(rows)), m.conform("themes", themes)


def test_themes_are_counted_by_month_and_by_quarter() -> None:
    audits, themes = themed()
    by_month = m.theme_counts(themes, audits, by="month")
    assert by_month.select("period", "kind", "theme", "audits", "completed").rows() == [
        (month(1), "development", "drift in care planning", 2, 2),
        (month(1), "development", "chronology out of date", 1, 2),
        (month(1), "strength", "child seen and listened to", 1, 2),
        (month(2), "development", "drift in care planning", 1, 1),
        (month(2), "strength", "child seen and listened to", 1, 1),
        (month(4), "development", "no contingency plan", 1, 1),
    ]
    assert by_month["percent_of_audits"].to_list() == [100.0, 50.0, 50.0, 100.0, 100.0, 100.0]
    by_quarter = m.theme_counts(themes, audits, by="quarter")
    assert by_quarter.select("period", "kind", "theme", "audits", "completed").rows() == [
        (month(1), "development", "drift in care planning", 3, 3),
        (month(1), "development", "chronology out of date", 1, 3),
        (month(1), "strength", "child seen and listened to", 2, 3),
        (month(4), "development", "no contingency plan", 1, 1),
    ]


def test_top_themes_in_a_period_most_found_first_then_alphabetical() -> None:
    audits, themes = themed()
    top = m.top_themes(themes, audits, first=month(1), last=AS_AT, n=2)
    # drift 3 of 4 audits; then chronology and no contingency plan, 1 each: alphabetical.
    assert top.rows() == [("drift in care planning", 3, 75.0), ("chronology out of date", 1, 25.0)]
    feb_on = m.top_themes(themes, audits, kind="strength", first=month(2), last=AS_AT)
    assert feb_on.rows() == [("child seen and listened to", 1, 50.0)]


# --- the summary ----------------------------------------------------------------------------


def summary_frames() -> m.AuditFrames:
    # January to June 2024 as COUNTS; one moderated down in June (good -> RI), and one
    # audit of another template, not counted.
    audits = monthly_audits(COUNTS)
    june_good = audits.filter((pl.col("month") == month(6)) & (pl.col("overall") == "good"))
    moderated_id = june_good["id"][0]
    audits = audits.with_columns(
        moderated_grade=pl.when(pl.col("id") == moderated_id).then(pl.lit("requires-improvement")),
        moderator=pl.when(pl.col("id") == moderated_id).then(pl.lit("Moderator M")),
    )
    other = m.conform(
        "audits", pl.DataFrame([audit(month(6), "6", template="case-audit-scotland")])
    )
    ids = audits["id"].to_list()
    themes = m.conform(
        "themes",
        pl.DataFrame(
            {
                "audit_id": ids[:6] + ids[:2],
                "kind": ["development"] * 6 + ["strength"] * 2,
                "theme": ["drift in care planning"] * 4
                + ["recording inconsistent"] * 2
                + ["life story work"] * 2,
            }
        ),
    )
    actions = m.conform(
        "actions",
        pl.DataFrame(
            {
                "id": [1, 2],
                "title": ["Refresh chronologies", "Contingency plans"],
                "owner": ["Strategic lead", "Service manager"],
                "due": [dt.date(2024, 6, 1), dt.date(2024, 9, 1)],
                "status": ["open", "open"],
            }
        ),
    )
    utc = dt.UTC
    alerts = m.conform(
        "alerts",
        pl.DataFrame(
            {
                "id": [1, 2, 3],
                "child": ["C1", "C2", "C3"],
                "concern": ["drift", "drift", "no contingency plan"],
                "raised_at": [dt.datetime(2024, d, 3, 9, tzinfo=utc) for d in (2, 4, 6)],
                "responded_at": [
                    dt.datetime(2024, 2, 5, 9, tzinfo=utc),  # 2 days
                    dt.datetime(2024, 4, 9, 9, tzinfo=utc),  # 6 days
                    None,
                ],
                "resolved_at": [dt.datetime(2024, 3, 1, 9, tzinfo=utc), None, None],
            }
        ),
    )
    return m.AuditFrames(
        la="999", audits=pl.concat([audits, other]), themes=themes, actions=actions, alerts=alerts
    )


def test_the_summary_for_the_quarterly_meeting() -> None:
    summary = m.summarise_audits(summary_frames(), TEMPLATE, as_at=AS_AT, months=6)
    assert summary.first_month == month(1) and summary.quarter == month(4)
    # 55 audits of the template; 28 good less the one moderated down = 27.
    assert (summary.completed, summary.on_scale, summary.good) == (55, 55, 27)
    assert summary.percent_good == pytest.approx(100 * 27 / 55)
    # April to June: 6 + 5 + 7 = 18 good of 30 = 60%; January to March: 9 of 25 = 36%.
    assert summary.percent_good_quarter == pytest.approx(60.0)
    assert summary.percent_good_previous_quarter == pytest.approx(36.0)
    assert summary.change_since_previous_quarter == pytest.approx(24.0)
    assert summary.top_development == (("drift in care planning", 4), ("recording inconsistent", 2))
    assert summary.top_strengths == (("life story work", 2),)
    assert summary.overdue_action_count == 1
    assert summary.overdue_actions.select("title", "owner", "days_overdue").rows() == [
        ("Refresh chronologies", "Strategic lead", 29)
    ]
    # Alert 1 was resolved; 2 was answered, not resolved; 3 awaits an answer (27 days on).
    assert (summary.open_alert_count, summary.awaiting_response_count) == (2, 1)
    assert summary.open_alerts.select("id", "responded", "days_open").rows() == [
        (2, dt.date(2024, 4, 9), 88),
        (3, None, 27),
    ]
    assert summary.median_days_to_respond == pytest.approx(4.0)  # of 2 and 6
    assert summary.moderation["moderated"] == 1 and summary.moderation["made_not_good"] == 1
    assert summary.trend.result is not None and summary.trend.points.height == 6
    # The last three months only: a 3-month summary, the previous quarter still compared.
    short = m.summarise_audits(summary_frames(), TEMPLATE, as_at=AS_AT, months=3)
    assert short.completed == 30 and short.percent_good_previous_quarter == pytest.approx(36.0)
    assert short.median_days_to_respond == pytest.approx(6.0)


def test_the_summary_as_json_and_with_a_scale_rather_than_a_template() -> None:
    summary = m.summarise_audits(summary_frames(), OFSTED, as_at=AS_AT, months=6)
    # With a scale, every audit counts; the Scottish audit's grade "6" is not on it.
    assert summary.completed == 56 and summary.on_scale == 55 and summary.template is None
    data = summary.as_dict()
    text = json.dumps(data)  # JSON-ready: no dates, NaN or frames left
    assert '"as_at": "2024-06-30"' in text and "NaN" not in text
    assert data["top_development"][0] == {"theme": "drift in care planning", "audits": 4}
    assert data["trend"]["chart"]["points"][0]["label"] == "2024-01-01"
    assert data["by_month"][0]["month"] == "2024-01-01"


def test_an_empty_la_summarises_without_failing() -> None:
    summary = m.summarise_audits(m.AuditFrames(la="999"), TEMPLATE, as_at=AS_AT)
    assert summary.completed == 0 and summary.percent_good is None
    assert summary.change_since_previous_quarter is None and summary.top_development == ()
    assert summary.median_days_to_respond is None and summary.trend.result is None
    json.dumps(summary.as_dict())


def test_two_thousand_audits_are_summarised_at_once() -> None:
    rows = [
        (8 + i % 5, 20 + i % 3) for i in range(36)
    ]  # 36 months, about 2,000 audits with the themes below
    audits = monthly_audits([(g * 2, n * 3) for g, n in rows])
    assert 2000 <= audits.height <= 2300
    themes = m.conform(
        "themes",
        pl.DataFrame(
            {
                "audit_id": audits["id"].to_list() * 2,
                "kind": ["development"] * audits.height + ["strength"] * audits.height,
                "theme": ["drift in care planning", "chronology out of date"] * audits.height,
            }
        ),
    )
    frames = m.AuditFrames(la="999", audits=audits, themes=themes)
    m.summarise_audits(frames, TEMPLATE, as_at=dt.date(2026, 12, 31))  # warm up
    start = time.perf_counter()
    m.summarise_audits(frames, TEMPLATE, as_at=dt.date(2026, 12, 31))
    assert time.perf_counter() - start < 1.0  # about 0.05 s on the test machine


# --- loading from the store -----------------------------------------------------------------


def test_audit_frames_loads_one_las_audits_grades_themes_actions_and_alerts(engine: Engine) -> None:
    now = dt.datetime(2024, 6, 1, 12, tzinfo=dt.UTC)
    made = {"created_at": now, "created_by": "tester"}
    with engine.begin() as conn:
        for la, child in (("999", "C1"), ("888", "C2")):
            key = conn.execute(
                insert(tables.audit).values(
                    la=la,
                    child=child,
                    template="case-audit",
                    month=month(5),
                    auditor="Ann",
                    status="completed",
                    audit_date=dt.date(2024, 5, 20),
                    overall="good",
                    source="web app",
                    **made,
                )
            ).inserted_primary_key[0]
            conn.execute(
                insert(tables.audit_grade).values(audit_id=key, domain="planning", grade="good")
            )
            conn.execute(
                insert(tables.audit_theme).values(
                    audit_id=key, kind="development", theme="drift in care planning"
                )
            )
            conn.execute(
                insert(tables.qa_action).values(
                    la=la,
                    title="Plans",
                    origin="audit",
                    audit_id=key,
                    owner="Sam",
                    due=dt.date(2024, 6, 1),
                    status="open",
                    **made,
                )
            )
            conn.execute(
                insert(tables.management_alert).values(
                    la=la,
                    child=child,
                    concern="drift",
                    raised_by="Iro",
                    raised_role="IRO",
                    raised_at=now,
                )
            )
    with engine.connect() as conn:
        frames = m.audit_frames(conn, "999")
    assert frames.audits.select("child", "month", "overall").rows() == [("C1", month(5), "good")]
    assert frames.grades.select("domain", "grade").rows() == [("planning", "good")]
    assert frames.themes.select("kind", "theme").rows() == [
        ("development", "drift in care planning")
    ]
    assert frames.actions.select("title", "due").rows() == [("Plans", dt.date(2024, 6, 1))]
    assert frames.alerts.select("concern", "raised_at").rows() == [("drift", now)]
    for kind in m.COLUMNS:
        assert getattr(frames, kind).schema == pl.Schema(m.COLUMNS[kind])


def test_synthetic_audits_recorded_and_summarised_show_the_rise_after_training(
    engine: Engine,
) -> None:
    """End to end: D1's synthetic audits (training a third of the way through, grades
    rising after it), recorded as the web app records them, loaded and summarised."""
    from carejourney.quality.audits import Source, record_audits
    from carejourney.synth.audits import synthetic_audits

    made = synthetic_audits(
        seed=7,
        la="999",
        children=[(f"C{n}", f"Team {n % 3}") for n in range(200)],
        first_month=month(1),
        months=24,
        per_month=20,
    )
    with engine.begin() as conn:
        record_audits(conn, "999", made, who="tester", source=Source.SYNTHETIC)
    with engine.connect() as conn:
        frames = m.audit_frames(conn, "999")
    summary = m.summarise_audits(frames, TEMPLATE, as_at=dt.date(2025, 12, 31))
    assert summary.completed == 12 * 20 and summary.trend.points.height == 24
    assert summary.trend.result is not None
    kinds = {s.kind for s in summary.trend.result.signals}
    assert SignalKind.LONG_RUN in kinds or SignalKind.FEW_CROSSINGS in kinds
    first_year = summary.trend.points.filter(pl.col("month") < month(9))
    assert first_year["good"].sum() / first_year["on_scale"].sum() < summary.percent_good / 100
