"""The audit programme: the method note, months and seeds, programmes checked, and
programmes, schedules and samples stored (SQLite, and PostgreSQL when a server answers).
The drawing itself is tested in test_sampling.py."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import Engine, insert, select, update

from carejourney import imports
from carejourney.journeys.stored import Journeys, load
from carejourney.quality.programme import (
    DriftTrigger,
    Method,
    Programme,
    ProgrammeError,
    SampleError,
    add_programme,
    candidates_for,
    check_programme,
    deactivate,
    default_seed,
    draw,
    draw_sample,
    drift_trigger,
    due_samples,
    get_programme,
    get_sample,
    in_care,
    list_programmes,
    method_note,
    months_between,
    schedule,
)
from carejourney.store.tables import access_log, audit, qa_action
from tests.quality.test_sampling import children
from tests.returns import minimal_return

LA = "931"


# --- the words and the calendar --------------------------------------------------------


def programme(**changes: object) -> Programme:
    base = Programme(
        name="monthly-looked-after",
        title="Monthly audit of children looked after",
        template="case-audit",
        per_month=5,
        method=Method.STRATIFIED,
        starts=dt.date(2026, 9, 14),
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_the_method_note_says_how_the_sample_was_drawn() -> None:
    candidates = children({"Permanence North": 10, "Permanence South": 6, "Leaving Care": 4})
    sample = draw(candidates, size=5, method="stratified", seed=20261101)
    note = method_note(
        check_programme(programme()),
        sample,
        eligible=20,
        as_at=dt.date(2026, 11, 1),
        seed=20261101,
    )
    assert note == (
        "5 children drawn at random from the 20 in care on 01/11/2026, stratified by team "
        "(in proportion to each team's children): Leaving Care 1, Permanence North 3, "
        "Permanence South 1; seed 20261101."
    )
    few = method_note(
        check_programme(programme(method=Method.RANDOM)),
        sample.head(3),
        eligible=3,
        as_at=dt.date(2026, 11, 1),
        seed=1,
        kept=1,
    )
    assert few == (
        "1 audit already started was kept; 3 children drawn: every child in care on "
        "01/11/2026 (fewer than the 5 a month the programme asks for); seed 1."
    )
    drift = check_programme(
        programme(method=Method.DRIFT, trigger="overdue england/review-first", per_month=10)
    )
    assert method_note(drift, sample.head(0), eligible=0, as_at=dt.date(2026, 11, 1), seed=1) == (
        'No children in care on 01/11/2026 overdue under the rule "First looked-after review '
        'within 20 working days of entering care" (england/review-first): nothing to audit; '
        "seed 1."
    )


def test_months_and_seeds() -> None:
    assert months_between(dt.date(2026, 11, 20), dt.date(2027, 2, 1)) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
        dt.date(2027, 2, 1),
    ]
    assert months_between(dt.date(2027, 2, 1), dt.date(2026, 11, 1)) == []
    assert default_seed(dt.date(2026, 11, 17)) == 20261101


# --- programmes as set up --------------------------------------------------------------


def test_a_programme_is_checked_and_tidied() -> None:
    checked = check_programme(programme(title="  Monthly audit  "))
    assert (checked.title, checked.stratify_by, checked.starts) == (
        "Monthly audit",
        "team",
        dt.date(2026, 9, 1),
    )
    drift = check_programme(
        programme(method=Method.DRIFT, trigger="overdue england/permanence-plan")
    )
    assert drift.trigger == "overdue: england/permanence-plan"
    assert drift.stratify_by is None
    indicator = check_programme(
        programme(method=Method.INDICATOR, trigger=" three-or-more-placements ")
    )
    assert indicator.trigger == "three-or-more-placements"


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "Monthly audit"}, "cannot be a programme's name"),
        ({"title": " "}, "needs a title"),
        ({"template": "case-audits"}, 'no audit template called "case-audits"'),
        ({"method": "moves"}, '"moves" is not a way of choosing cases: use random, '),
        ({"per_month": 0}, "at least 1 case a month, not 0"),
        ({"method": Method.RANDOM, "stratify_by": "team"}, 'use the method "stratified"'),
        ({"stratify_by": "worker"}, 'stratified by team, not by "worker"'),
        ({"trigger": "overdue: england/permanence-plan"}, "Only drift and indicator"),
        ({"method": Method.DRIFT, "trigger": None}, "starts with a drift status"),
        ({"method": Method.DRIFT, "trigger": "overdue permanence-plan"}, "Name the rule set"),
        (
            {"method": Method.DRIFT, "trigger": "overdue: england/permanance-plan"},
            'no rule called "permanance-plan". Did you mean "permanence-plan"?',
        ),
        ({"method": Method.DRIFT, "trigger": "overdue: wales/review-first"}, "wales"),
        ({"method": Method.INDICATOR, "trigger": "moves"}, "three-or-more-placements, "),
    ],
)
def test_a_programme_that_cannot_be_set_up_says_why(
    changes: dict[str, object], message: str
) -> None:
    with pytest.raises(ProgrammeError, match=message.replace("(", r"\(").replace(".", r"\.")):
        check_programme(programme(**changes))


def test_a_drift_trigger_reads_with_or_without_its_colon() -> None:
    expected = DriftTrigger("reminder due", "scotland", "permanence-recommendation")
    assert drift_trigger("reminder due: scotland/permanence-recommendation") == expected
    assert drift_trigger("reminder due scotland/permanence-recommendation") == expected
    assert str(expected) == "reminder due: scotland/permanence-recommendation"


# --- stored: programmes, samples and the schedule --------------------------------------


def stored(engine: Engine, **changes: object) -> Programme:
    with engine.begin() as conn:
        return add_programme(conn, LA, programme(**changes), who="qa.lead")


def test_programmes_are_stored_listed_and_stopped(engine: Engine) -> None:
    first = stored(engine)
    second = stored(
        engine, name="drift-reviews", method=Method.DRIFT, trigger="overdue england/review-first"
    )
    with engine.begin() as conn:
        assert [p.name for p in list_programmes(conn, LA)] == [first.name, second.name]
        assert get_programme(conn, LA, "drift-reviews").trigger == "overdue: england/review-first"
        assert (first.la, first.created_by, first.starts) == (LA, "qa.lead", dt.date(2026, 9, 1))
        with pytest.raises(ProgrammeError, match="already has an audit programme called"):
            add_programme(conn, LA, programme())
        with pytest.raises(ProgrammeError, match='Did you mean "drift-reviews"'):
            get_programme(conn, LA, "drift-review")
        stopped = deactivate(conn, LA, "drift-reviews")
        assert not stopped.active
        assert [p.name for p in list_programmes(conn, LA, active_only=True)] == [first.name]
        assert list_programmes(conn, "other") == []


def test_a_sample_is_stored_with_its_audits_shared_between_auditors(engine: Engine) -> None:
    monthly = stored(engine)
    candidates = children({"Permanence North": 10, "Permanence South": 6, "Leaving Care": 4})
    with engine.begin() as conn:
        drawn = draw_sample(
            conn,
            monthly,
            dt.date(2026, 11, 17),
            auditors=["Jo", "Sam"],
            who="qa.lead",
            candidates=candidates,
            as_at=dt.date(2026, 11, 1),
        )
    expected = draw(candidates, size=5, method="stratified", seed=20261101)
    assert drawn.children.select("CHILD", "TEAM").equals(expected)
    assert (drawn.sample.month, drawn.sample.seed, drawn.sample.size) == (
        dt.date(2026, 11, 1),
        20261101,
        5,
    )
    assert drawn.sample.method_note.startswith(
        "5 children drawn at random from the 20 in care on 01/11/2026, stratified by team"
    )
    with engine.connect() as conn:
        audits = conn.execute(
            select(audit.c.child, audit.c.team, audit.c.auditor, audit.c.status, audit.c.month)
            .where(audit.c.sample_id == drawn.sample.id)
            .order_by(audit.c.child)
        ).all()
        logged = conn.execute(select(access_log.c.child).where(access_log.c.la == LA)).scalars()
        assert sorted(logged) == expected["CHILD"].to_list()
    assert [(a.child, a.team) for a in audits] == expected.rows()
    assert {a.status for a in audits} == {"assigned"}
    assert {a.month for a in audits} == {dt.date(2026, 11, 1)}
    per_auditor = sorted([a.auditor for a in audits].count(name) for name in ("Jo", "Sam"))
    assert per_auditor == [2, 3]


def test_drawing_a_month_again_is_refused_unless_replacing(engine: Engine) -> None:
    monthly = stored(engine, method=Method.RANDOM, stratify_by=None)
    candidates = children({"North": 30})
    month = dt.date(2026, 11, 1)
    with engine.begin() as conn:
        first = draw_sample(conn, monthly, month, auditors=["Jo"], candidates=candidates)
    with engine.begin() as conn, pytest.raises(SampleError, match="November 2026 sample"):
        draw_sample(conn, monthly, month, auditors=["Jo"], candidates=candidates)
    # Two audits started: they are kept; the other three are drawn again with a new seed.
    started = first.children["CHILD"].to_list()[:2]
    with engine.begin() as conn:
        conn.execute(update(audit).where(audit.c.child.in_(started)).values(status="in progress"))
        again = draw_sample(
            conn, monthly, month, auditors=["Sam"], candidates=candidates, seed=7, replace=True
        )
    assert (again.kept, again.removed, again.sample.size, again.sample.seed) == (2, 3, 5, 7)
    assert again.sample.id == first.sample.id
    assert again.sample.method_note.startswith(
        "2 audits already started were kept; 3 children drawn at random from the 28 in care"
    )
    expected = draw(
        candidates.filter(~pl.col("CHILD").is_in(started)), size=3, method="random", seed=7
    )
    assert again.children["CHILD"].to_list() == expected["CHILD"].to_list()
    with engine.connect() as conn:
        held = conn.execute(
            select(audit.c.child, audit.c.auditor).where(audit.c.sample_id == first.sample.id)
        ).all()
    assert sorted(held) == sorted(
        [(c, "Jo") for c in started] + [(c, "Sam") for c in expected["CHILD"]]
    )


def test_an_audit_with_an_action_is_kept_when_a_sample_is_drawn_again(engine: Engine) -> None:
    monthly = stored(engine, method=Method.RANDOM, stratify_by=None, per_month=2)
    candidates = children({"North": 10})
    month = dt.date(2026, 11, 1)
    with engine.begin() as conn:
        first = draw_sample(conn, monthly, month, auditors=["Jo"], candidates=candidates)
        audit_id = (
            conn.execute(
                select(audit.c.id).where(audit.c.sample_id == first.sample.id).order_by(audit.c.id)
            )
            .scalars()
            .first()
        )
        conn.execute(
            insert(qa_action).values(
                la=LA,
                title="Chase the plan",
                origin="audit",
                audit_id=audit_id,
                owner="Jo",
                due=dt.date(2026, 12, 1),
                status="open",
                created_at=dt.datetime.now(dt.UTC),
                created_by="qa.lead",
            )
        )
        again = draw_sample(
            conn, monthly, month, auditors=["Jo"], candidates=candidates, seed=3, replace=True
        )
    assert (again.kept, again.removed, again.sample.size) == (1, 1, 2)


def test_a_sample_cannot_be_drawn_for_a_stopped_programme_or_before_it_starts(
    engine: Engine,
) -> None:
    monthly = stored(engine)
    candidates = children({"North": 3})
    with engine.begin() as conn:
        with pytest.raises(SampleError, match="starts in September 2026"):
            draw_sample(conn, monthly, dt.date(2026, 8, 1), auditors=["Jo"], candidates=candidates)
        with pytest.raises(SampleError, match="at least one auditor"):
            draw_sample(conn, monthly, dt.date(2026, 9, 1), auditors=[], candidates=candidates)
        with pytest.raises(SampleError, match="A seed is a whole number"):
            draw_sample(
                conn,
                monthly,
                dt.date(2026, 9, 1),
                auditors=["Jo"],
                candidates=candidates,
                seed=-1,
            )
        stopped = deactivate(conn, LA, monthly.name)
        with pytest.raises(SampleError, match="has stopped"):
            draw_sample(conn, stopped, dt.date(2026, 9, 1), auditors=["Jo"], candidates=candidates)


def test_the_schedule_shows_each_month_drawn_or_due(engine: Engine) -> None:
    monthly = stored(engine)  # starts September 2026
    candidates = children({"North": 12})
    with engine.begin() as conn:
        october = draw_sample(
            conn, monthly, dt.date(2026, 10, 1), auditors=["Jo"], candidates=candidates
        )
        conn.execute(
            update(audit)
            .where(
                audit.c.sample_id == october.sample.id,
                audit.c.child == october.children["CHILD"][0],
            )
            .values(status="completed")
        )
        conn.execute(
            update(audit)
            .where(
                audit.c.sample_id == october.sample.id,
                audit.c.child == october.children["CHILD"][1],
            )
            .values(status="in progress")
        )
        months = schedule(conn, monthly, today=dt.date(2026, 11, 15), ahead=1)
        assert [
            (m.month, m.sample is not None, m.audits, m.started, m.completed, m.due) for m in months
        ] == [
            (dt.date(2026, 9, 1), False, 0, 0, 0, True),
            (dt.date(2026, 10, 1), True, 5, 2, 1, False),
            (dt.date(2026, 11, 1), False, 0, 0, 0, True),
            (dt.date(2026, 12, 1), False, 0, 0, 0, False),  # not come yet
        ]
        assert [(p.name, m) for p, m in due_samples(conn, LA, today=dt.date(2026, 11, 15))] == [
            (monthly.name, dt.date(2026, 9, 1)),
            (monthly.name, dt.date(2026, 11, 1)),
        ]
        assert get_sample(conn, monthly, dt.date(2026, 10, 20)) == october.sample
        stopped = deactivate(conn, LA, monthly.name)
        assert due_samples(conn, LA, today=dt.date(2026, 11, 15)) == []
        assert [m.month for m in schedule(conn, stopped, today=dt.date(2026, 11, 15))] == [
            dt.date(2026, 9, 1),
            dt.date(2026, 10, 1),
        ]


# --- candidates from the stored journeys -----------------------------------------------


def stored_journeys(engine: Engine, tmp_path: Path) -> Journeys:
    """Child 1 in care from 01/05/2022 (no review recorded); child 2 left on 20/02/2023;
    the 2022/23 return, so the data speak for days up to 31/03/2023."""
    imports.import_returns(engine, [minimal_return(tmp_path / "returns")], la=LA)
    with engine.connect() as conn:
        journeys = load(conn, LA)
    allocations = pl.DataFrame(
        {
            "CHILD": ["1", "2"],
            "TEAM": ["Permanence North", "Permanence South"],
            "WORKER": [None, None],
        },
        schema={"CHILD": pl.String, "TEAM": pl.String, "WORKER": pl.String},
    )
    return dataclasses.replace(journeys, allocations=allocations)


def test_candidates_are_the_children_in_care_with_their_team(
    engine: Engine, tmp_path: Path
) -> None:
    journeys = stored_journeys(engine, tmp_path)
    assert in_care(journeys, dt.date(2023, 2, 19)).rows() == [
        ("1", "Permanence North"),
        ("2", "Permanence South"),
    ]
    # Child 2 left on 20/02/2023: not in care that day.
    assert in_care(journeys, dt.date(2023, 2, 20)).rows() == [("1", "Permanence North")]
    assert in_care(journeys, dt.date(2022, 4, 30)).is_empty()


def test_a_drift_sample_is_drawn_from_the_stored_journeys(engine: Engine, tmp_path: Path) -> None:
    journeys = stored_journeys(engine, tmp_path)
    reviews = stored(
        engine,
        name="first-reviews",
        method=Method.DRIFT,
        trigger="overdue: england/review-first",
        starts=dt.date(2023, 1, 1),
    )
    # Child 1 entered care on 01/05/2022 and no review is recorded: overdue by 31/03/2023.
    assert candidates_for(journeys, reviews, dt.date(2023, 3, 31)).rows() == [
        ("1", "Permanence North", "overdue")
    ]
    with engine.begin() as conn:
        drawn = draw_sample(conn, reviews, dt.date(2023, 11, 1), auditors=["Jo"], journeys=journeys)
    # November 2023 is after the data end: the sample is drawn as at 31/03/2023.
    assert drawn.children.rows() == [("1", "Permanence North", "Jo")]
    assert drawn.sample.method_note == (
        '1 child drawn: every child in care on 31/03/2023 overdue under the rule "First '
        'looked-after review within 20 working days of entering care" (england/review-first) '
        "(fewer than the 5 a month the programme asks for); seed 20231101."
    )


def test_an_indicator_programme_flags_children_from_the_journeys(
    engine: Engine, tmp_path: Path
) -> None:
    journeys = stored_journeys(engine, tmp_path)
    moves = stored(
        engine, name="moves", method=Method.INDICATOR, trigger="three-or-more-placements"
    )
    # Child 1 has had one placement (RNE S, then L: the same carer): not flagged.
    assert candidates_for(journeys, moves, dt.date(2023, 3, 31)).rows() == [
        ("1", "Permanence North", False)
    ]
    with engine.begin() as conn:
        drawn = draw_sample(conn, moves, dt.date(2026, 9, 1), auditors=["Jo"], journeys=journeys)
    assert drawn.children.is_empty() and drawn.sample.size == 0
    assert drawn.sample.method_note == (
        'No children in care on 31/03/2023 flagged by the indicator "Children with 3 or more '
        'placements in the year": nothing to audit; seed 20260901.'
    )
    referrals = stored(engine, name="referrals", method=Method.INDICATOR, trigger="re-referrals")
    with pytest.raises(SampleError, match="Re-referrals come from the front door"):
        candidates_for(journeys, referrals, dt.date(2023, 3, 31))
