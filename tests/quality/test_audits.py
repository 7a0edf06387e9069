"""Case audits: recorded with grades checked against the template's scale, new themes kept
and flagged, moderated by someone else, listed and completed; on SQLite and, when a server
answers, PostgreSQL."""

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import Connection, Engine, select

from carejourney.quality.audits import (
    AuditError,
    AuditInput,
    DomainGrade,
    Moderation,
    Source,
    Status,
    effective_grade,
    find_audit,
    get_audit,
    list_audits,
    moderate_audit,
    prepare,
    record_audit,
    record_audits,
    update_audit,
)
from carejourney.store.tables import access_log

MAY = dt.date(2024, 5, 1)
AUDIT = AuditInput(
    child="C1",
    auditor="Sam Patel",
    audit_date=dt.date(2024, 5, 14),
    overall="Requires improvement to be good",
    team=" Permanence North ",
    grades=(
        DomainGrade("PLANNING", "inadequate", " no contingency plan "),
        DomainGrade("Voice of the child", "Good"),
    ),
    strengths=("Child seen and listened to",),
    developments=("Drift in care planning", "no contingency plan", " ", "Step-up and step-down"),
    findings="  Plan has drifted since the second review.  ",
)


def test_an_audit_is_stored_as_the_templates_values(engine: Engine) -> None:
    with engine.begin() as conn:
        stored = record_audit(conn, "931", AUDIT, who="jo")
    with engine.connect() as conn:
        again = get_audit(conn, stored.id)
    assert again == stored
    assert (stored.la, stored.child, stored.auditor, stored.template) == (
        "931",
        "C1",
        "Sam Patel",
        "case-audit",
    )
    assert (stored.month, stored.audit_date, stored.status) == (
        MAY,
        AUDIT.audit_date,
        Status.COMPLETED,
    )
    assert stored.overall == "requires-improvement"
    assert stored.team == "Permanence North"
    # Domains by key in the template's order (voice of the child first); notes trimmed.
    assert stored.grades == (
        DomainGrade("voice_of_the_child", "good"),
        DomainGrade("planning", "inadequate", "no contingency plan"),
    )
    assert stored.grade_of("planning") == "inadequate" and stored.grade_of("impact") is None
    # Themes in the template's spelling; a theme it does not list is kept and flagged.
    assert stored.strengths == ("child seen and listened to",)
    assert stored.developments == (
        "drift in care planning",
        "no contingency plan",
        "Step-up and step-down",
    )
    assert stored.new_themes == ("Step-up and step-down",)
    assert stored.findings == "Plan has drifted since the second review."
    assert (stored.source, stored.created_by, stored.updated_by) == (Source.WEB_APP, "jo", None)
    assert stored.moderation is None and stored.effective_grade == "requires-improvement"


def test_every_problem_is_named_at_once(engine: Engine) -> None:
    bad = AuditInput(
        child=" ",
        auditor="Sam",
        overall="Great",
        grades=(
            DomainGrade("Supervision", "good"),
            DomainGrade("planning", "poor"),
            DomainGrade("Planning", "good"),
        ),
        developments=("x" * 201,),
    )
    with pytest.raises(AuditError) as caught, engine.begin() as conn:
        record_audit(conn, "931", bad)
    assert caught.value.problems == (
        "The audit needs the child's ID.",
        'The overall grade "Great" is not a grade on the template\'s scale. Use one of: '
        "Outstanding, Good, Requires improvement to be good (requires-improvement), Inadequate.",
        "A completed audit needs the date it was completed.",
        "Say which month the audit is for, or the date it was completed.",
        '"Supervision" is not a domain of the template case-audit. Its domains: Voice of the '
        "child, Timeliness, Assessment, Planning, Multi-agency working, Management oversight, "
        "Recording, Impact.",
        'The grade for "Planning" "poor" is not a grade on the template\'s scale. Use one of: '
        "Outstanding, Good, Requires improvement to be good (requires-improvement), Inadequate.",
        'The theme "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx..." is over 200 characters: '
        "shorten it.",
    )
    with engine.connect() as conn:
        assert list_audits(conn, "931") == []


def test_a_second_grade_for_the_same_domain_is_refused() -> None:
    twice = replace(
        AUDIT, grades=(DomainGrade("planning", "good"), DomainGrade("Planning", "good"))
    )
    with pytest.raises(AuditError, match='The domain "Planning" is graded twice'):
        prepare(twice)


def test_an_unknown_template_is_explained() -> None:
    with pytest.raises(AuditError, match='There is no audit template called "ours"'):
        prepare(replace(AUDIT, template="ours"))


def test_moderation_is_a_second_persons_grade(engine: Engine) -> None:
    with engine.begin() as conn:
        stored = record_audit(conn, "931", AUDIT)
        moderated = moderate_audit(
            conn, stored.id, Moderation("Kim Lee", "Good", " Impact is evidenced "), who="kim"
        )
    assert moderated.overall == "requires-improvement"
    assert moderated.effective_grade == "good"
    assert moderated.moderation is not None
    assert (moderated.moderation.moderator, moderated.moderation.note) == (
        "Kim Lee",
        "Impact is evidenced",
    )
    assert moderated.moderation.at is not None and moderated.updated_by == "kim"


@pytest.mark.parametrize("moderator", ["Sam Patel", " sam  patel ", "SAM-PATEL"])
def test_nobody_moderates_their_own_audit(engine: Engine, moderator: str) -> None:
    with engine.begin() as conn:
        stored = record_audit(conn, "931", AUDIT)
    own = "the auditor cannot moderate their own audit"
    with pytest.raises(AuditError, match=own), engine.begin() as conn:
        moderate_audit(conn, stored.id, Moderation(moderator, "good"))
    with pytest.raises(AuditError, match=own):
        prepare(replace(AUDIT, moderation=Moderation(moderator, "good")))


def test_only_a_graded_audit_is_moderated(engine: Engine) -> None:
    assigned = AuditInput(child="C2", auditor="Sam", month=MAY, status=Status.ASSIGNED)
    with engine.begin() as conn:
        stored = record_audit(conn, "931", assigned)
    with pytest.raises(AuditError) as caught, engine.begin() as conn:
        moderate_audit(conn, stored.id, Moderation("Kim", "Great"))
    assert caught.value.problems == (
        "The audit has no overall grade yet: it can be moderated once graded.",
        'The moderated grade "Great" is not a grade on the template\'s scale. Use one of: '
        "Outstanding, Good, Requires improvement to be good (requires-improvement), Inadequate.",
    )


def test_the_effective_grade_is_the_moderators_when_moderated() -> None:
    assert effective_grade(AUDIT) == AUDIT.overall
    assert effective_grade(replace(AUDIT, moderation=Moderation("Kim", "good"))) == "good"
    assert effective_grade(AuditInput(child="C", auditor="A", status=Status.ASSIGNED)) is None


def test_audits_are_listed_by_la_month_auditor_child_and_status(engine: Engine) -> None:
    june = replace(AUDIT, audit_date=dt.date(2024, 6, 3), child="C2", auditor="Kim Lee")
    with engine.begin() as conn:
        first = record_audit(conn, "931", AUDIT)
        second = record_audit(conn, "931", june)
        third = record_audit(
            conn,
            "931",
            AuditInput("C1", "Kim Lee", month=dt.date(2024, 6, 20), status=Status.ASSIGNED),
        )
        record_audit(conn, "932", AUDIT)
    with engine.connect() as conn:

        def ids(**given: object) -> list[int]:
            return [a.id for a in list_audits(conn, "931", **given)]  # type: ignore[arg-type]

        assert ids() == [first.id, second.id, third.id]  # by month, then date (blank last)
        assert ids(month=dt.date(2024, 6, 30)) == [second.id, third.id]
        assert ids(auditor="Kim Lee") == [second.id, third.id]
        assert ids(child="C1") == [first.id, third.id]
        assert ids(status=Status.ASSIGNED) == [third.id]
        assert find_audit(conn, "931", "C2", dt.date(2024, 6, 3), "Kim Lee") == second
        assert find_audit(conn, "931", "C2", dt.date(2024, 6, 4), "Kim Lee") is None
        with pytest.raises(AuditError, match=r"There is no audit 999 in LA 931\."):
            get_audit(conn, 999, la="931")
        with pytest.raises(AuditError, match=rf"There is no audit {first.id} in LA 932\."):
            get_audit(conn, first.id, la="932")
    assert third.month == dt.date(2024, 6, 1)  # the first of the month


def test_an_assigned_audit_is_completed_and_its_parts_replaced(engine: Engine) -> None:
    assigned = AuditInput(
        child="C1", auditor="Sam Patel", month=MAY, status=Status.ASSIGNED, team="North"
    )
    with engine.begin() as conn:
        stored = record_audit(conn, "931", assigned, who="qa")
        done = update_audit(conn, stored.id, replace(AUDIT, month=MAY, team="North"), who="sam")
        redone = update_audit(
            conn, stored.id, replace(done.as_input(), grades=(), developments=()), who="sam"
        )
    assert done.status is Status.COMPLETED and done.overall == "requires-improvement"
    assert len(done.grades) == 2 and len(done.developments) == 3
    assert (done.created_by, done.updated_by, done.source) == ("qa", "sam", Source.WEB_APP)
    assert redone.grades == () and redone.developments == ()
    assert redone.strengths == ("child seen and listened to",)


def test_a_moderation_kept_on_an_edit_keeps_when_it_was_made(engine: Engine) -> None:
    with engine.begin() as conn:
        stored = record_audit(conn, "931", AUDIT)
        moderated = moderate_audit(
            conn, stored.id, Moderation("Kim", "good", "agreed after discussion")
        )
        edited = update_audit(
            conn,
            stored.id,
            replace(moderated.as_input(), findings="More", moderation=Moderation("Kim", "good")),
        )
    assert edited.moderation == moderated.moderation
    assert edited.findings == "More"


def test_many_audits_are_stored_at_once_with_their_rows(engine: Engine) -> None:
    many = [replace(AUDIT, child=f"C{n}") for n in range(5)]
    with engine.begin() as conn:
        ids = record_audits(
            conn,
            "931",
            many,
            source=Source.IMPORT,
            rows=[("audits.csv", n + 2) for n in range(5)],
        )
    with engine.connect() as conn:
        stored = list_audits(conn, "931")
    assert [a.id for a in stored] == ids
    assert [(a.child, a.source_file, a.source_row) for a in stored] == [
        (f"C{n}", "audits.csv", n + 2) for n in range(5)
    ]
    assert {a.source for a in stored} == {Source.IMPORT}


def test_one_bad_audit_stores_none(engine: Engine) -> None:
    many = [AUDIT, replace(AUDIT, child="C2", overall="meh")]
    with pytest.raises(AuditError), engine.begin() as conn:
        record_audits(conn, "931", many)
    with engine.connect() as conn:
        assert list_audits(conn, "931") == []


def logged(conn: Connection) -> list[tuple[str, str | None, str | None, str | None]]:
    rows = conn.execute(
        select(access_log.c.action, access_log.c.la, access_log.c.child, access_log.c.detail)
    )
    return [tuple(r) for r in rows]


def test_every_change_is_in_the_access_log(engine: Engine) -> None:
    with engine.begin() as conn:
        stored = record_audit(conn, "931", AUDIT, who="sam")
        moderate_audit(conn, stored.id, Moderation("Kim", "good"), who="kim")
        update_audit(conn, stored.id, replace(AUDIT, findings="x"), who="sam")
    with engine.connect() as conn:
        assert logged(conn) == [
            ("recorded audit", "931", "C1", None),
            ("moderated audit", "931", "C1", None),
            ("changed audit", "931", "C1", None),
        ]
