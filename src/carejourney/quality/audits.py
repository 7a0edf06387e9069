"""Case audits: one child's case graded against an audit template, and moderated.

An audit records who audited which child's case and when, a grade per domain of its template
(voice of the child, planning, ...), an overall grade, the themes found as strengths and as
areas for development, and the findings in words. Grades are checked against the template's
scale and stored as the scale's values; a theme the template does not list is kept as
written and marked as a new theme (`Audit.new_themes`), so that an LA can add its own.

Moderation is a second opinion: another person grades the audit again, with a note. The
audit's grade from then on is the moderated grade (`effective_grade`). Nobody moderates their
own audit.

An audit drawn in a programme's sample starts "assigned" (`quality.programme`) and becomes
"completed" when its grades are recorded (`update_audit`). Each change is written to the
access log inside the caller's transaction, naming the child in its own column.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import Connection, Select, delete, insert, select, update
from sqlalchemy.engine import RowMapping

from carejourney.config.audits import (
    DEFAULT_TEMPLATE,
    THEME_LENGTH,
    AuditTemplateError,
    Template,
    load_template,
    spelling,
)
from carejourney.store import access
from carejourney.store.tables import audit as audit_table
from carejourney.store.tables import audit_grade, audit_theme


class Status(StrEnum):
    """Where an audit is."""

    ASSIGNED = "assigned"  # drawn in a sample and given to an auditor
    IN_PROGRESS = "in progress"
    COMPLETED = "completed"


class Source(StrEnum):
    """Where an audit came from."""

    WEB_APP = "web app"
    IMPORT = "import"  # the LA's audit spreadsheet (`quality.importing`)
    SYNTHETIC = "synthetic"  # invented, for demonstrations and tests


class ThemeKind(StrEnum):
    STRENGTH = "strength"
    DEVELOPMENT = "development"


_T = TypeVar("_T")
# A check that turns a written grade into its stored value, noting any problem.
_Graded = Callable[[str | None, str], str | None]


class AuditError(ValueError):
    """An audit that cannot be stored or found as asked. `problems` lists each thing to
    change, in words (the message joins them)."""

    def __init__(self, problems: Sequence[str] | str) -> None:
        listed = [problems] if isinstance(problems, str) else list(problems)
        super().__init__(" ".join(listed))
        self.problems = tuple(listed)


@dataclass(frozen=True)
class DomainGrade:
    """One domain's grade. Given as the domain's key or title and the grade's value or
    label; stored (and given back) as the key and the value."""

    domain: str
    grade: str
    note: str | None = None


@dataclass(frozen=True)
class Moderation:
    """A second person's grade for the whole audit, and why. `at` is when it was recorded."""

    moderator: str
    grade: str
    note: str | None = None
    at: dt.datetime | None = None


@dataclass(frozen=True)
class AuditInput:
    """An audit as a person writes it (in the web app or a spreadsheet row).

    A completed audit needs its date and overall grade; `month` (the first of the month the
    audit counts in) defaults to the audit date's month."""

    child: str
    auditor: str
    audit_date: dt.date | None = None
    overall: str | None = None
    template: str = DEFAULT_TEMPLATE
    team: str | None = None
    month: dt.date | None = None
    status: Status = Status.COMPLETED
    grades: tuple[DomainGrade, ...] = ()
    strengths: tuple[str, ...] = ()
    developments: tuple[str, ...] = ()
    findings: str | None = None
    moderation: Moderation | None = None
    sample_id: int | None = None


@dataclass(frozen=True)
class Audit(AuditInput):
    """A stored audit, with where it came from and who changed it last. `new_themes` are its
    themes that its template does not list."""

    id: int = 0
    la: str = ""
    source: Source = Source.WEB_APP
    source_file: str | None = None
    source_row: int | None = None
    created_at: dt.datetime | None = None
    created_by: str | None = None
    updated_at: dt.datetime | None = None
    updated_by: str | None = None
    new_themes: tuple[str, ...] = field(default=())

    @property
    def effective_grade(self) -> str | None:
        return effective_grade(self)

    @property
    def moderated(self) -> bool:
        return self.moderation is not None

    def grade_of(self, domain: str) -> str | None:
        """The grade (value) given to the domain with this key, if any."""
        return next((g.grade for g in self.grades if g.domain == domain), None)

    def as_input(self) -> AuditInput:
        """The parts a person can edit."""
        return AuditInput(**{f.name: getattr(self, f.name) for f in fields(AuditInput)})


def effective_grade(audit: AuditInput) -> str | None:
    """The audit's grade: the moderator's if it was moderated, else the auditor's overall
    grade (None until it has one)."""
    return audit.moderation.grade if audit.moderation is not None else audit.overall


def first_of_month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def prepare(audit: AuditInput, template: Template | None = None) -> tuple[AuditInput, list[str]]:
    """The audit as it is stored (grades as the scale's values, domains as keys, themes in
    the template's spelling, blank text as None, its month) and its new themes. Raises an
    `AuditError` listing everything that must change."""
    problems: list[str] = []
    if template is None:
        try:
            template = load_template(audit.template)
        except AuditTemplateError as exc:
            raise AuditError(str(exc)) from None
    child, auditor = audit.child.strip(), audit.auditor.strip()
    if not child:
        problems.append("The audit needs the child's ID.")
    if not auditor:
        problems.append("The audit needs the auditor's name.")
    scale = template.scale

    def graded(text: str | None, what: str) -> str | None:
        if text is None or not text.strip():
            return None
        grade = scale.grade(text)
        if grade is None:
            problems.append(
                f'{what} "{text.strip()}" is not a grade on the template\'s scale. Use one of: '
                f"{scale.accepted}."
            )
            return None
        return grade.value

    overall = graded(audit.overall, "The overall grade")
    if audit.status is Status.COMPLETED:
        if audit.audit_date is None:
            problems.append("A completed audit needs the date it was completed.")
        if audit.overall is None or not audit.overall.strip():
            problems.append("A completed audit needs an overall grade.")
    month = audit.month or audit.audit_date
    if month is None:
        problems.append("Say which month the audit is for, or the date it was completed.")
    grades = _grades(audit.grades, template, problems, graded)
    strengths, new = _themes(audit.strengths, template, problems)
    developments, new_developments = _themes(audit.developments, template, problems)
    moderation = audit.moderation
    if moderation is not None:
        if audit.status is not Status.COMPLETED and not (audit.overall or "").strip():
            problems.append("A moderated audit needs the auditor's overall grade too.")
        moderation = _moderation(moderation, auditor, problems, graded)
    if problems:
        raise AuditError(problems)
    assert month is not None
    ready = AuditInput(
        child=child,
        auditor=auditor,
        audit_date=audit.audit_date,
        overall=overall,
        template=template.name,
        team=_text(audit.team),
        month=first_of_month(month),
        status=audit.status,
        grades=grades,
        strengths=strengths,
        developments=developments,
        findings=_text(audit.findings),
        moderation=moderation,
        sample_id=audit.sample_id,
    )
    return ready, list(dict.fromkeys(new + new_developments))


def record_audit(
    conn: Connection,
    la: str,
    audit: AuditInput,
    *,
    who: str | None = None,
    source: Source = Source.WEB_APP,
) -> Audit:
    """Store a new audit for LA `la`, inside the caller's transaction, and give it back."""
    return get_audit(conn, record_audits(conn, la, [audit], who=who, source=source)[0])


def record_audits(
    conn: Connection,
    la: str,
    audits: Sequence[AuditInput],
    *,
    who: str | None = None,
    source: Source = Source.WEB_APP,
    rows: Sequence[tuple[str, int]] | None = None,
) -> list[int]:
    """Store many new audits at once, inside the caller's transaction (so if one cannot be
    stored, the caller's rollback leaves none); `rows` gives each one's spreadsheet file and
    row. Returns their ids, in the order given."""
    templates: dict[str, Template] = {}
    ready = [prepare(a, _template(a.template, templates))[0] for a in audits]
    if not ready:
        return []
    user, now = who or access.current_user(), dt.datetime.now(dt.UTC)
    values = [
        {
            **_values(a, now),
            "la": la,
            "source": source.value,
            "source_file": None if rows is None else rows[n][0],
            "source_row": None if rows is None else rows[n][1],
            "created_at": now,
            "created_by": user,
        }
        for n, a in enumerate(ready)
    ]
    ids = list(
        conn.execute(
            insert(audit_table).returning(audit_table.c.id, sort_by_parameter_order=True),
            values,
        ).scalars()
    )
    _write_parts(conn, list(zip(ids, ready, strict=True)))
    action = "imported audit" if source is Source.IMPORT else "recorded audit"
    access.record_children(conn, action, [a.child for a in ready], la=la, who=user)
    return ids


def update_audit(
    conn: Connection,
    audit_id: int,
    audit: AuditInput,
    *,
    who: str | None = None,
    source_row: tuple[str, int] | None = None,
) -> Audit:
    """Replace audit `audit_id`'s contents with `audit` (an assigned audit completed, or a
    correction); its grades and themes are replaced whole. `source_row` is the spreadsheet
    file and row it now comes from, if any. A moderation by the same person with the same
    grade keeps when it was recorded, and its note if none is given."""
    stored = get_audit(conn, audit_id)
    ready, _ = prepare(audit)
    user = who or access.current_user()
    now = dt.datetime.now(dt.UTC)
    values = _values(ready, now)
    kept, given = stored.moderation, ready.moderation
    if kept is not None and given is not None and given.at is None and _same(kept, given):
        values["moderated_at"] = kept.at
        values["moderation_note"] = given.note or kept.note
    if source_row is not None:
        values["source_file"], values["source_row"] = source_row
    conn.execute(
        update(audit_table)
        .where(audit_table.c.id == audit_id)
        .values(**values, updated_at=now, updated_by=user)
    )
    for part in (audit_grade, audit_theme):
        conn.execute(delete(part).where(part.c.audit_id == audit_id))
    _write_parts(conn, [(audit_id, ready)])
    action = "changed audit" if source_row is None else "imported audit"
    access.record(conn, action, who=user, la=stored.la, child=ready.child)
    return get_audit(conn, audit_id)


def moderate_audit(
    conn: Connection, audit_id: int, moderation: Moderation, *, who: str | None = None
) -> Audit:
    """Record a second person's grade for audit `audit_id`: from now on it is the audit's
    grade. The auditor cannot moderate their own audit, and only a graded audit can be
    moderated."""
    stored = get_audit(conn, audit_id)
    template = _template(stored.template, {})
    problems: list[str] = []
    if stored.overall is None:
        problems.append("The audit has no overall grade yet: it can be moderated once graded.")

    def graded(text: str | None, what: str) -> str | None:
        grade = None if text is None else template.grade(text)
        if grade is None:
            problems.append(
                f'{what} "{text}" is not a grade on the template\'s scale. Use one of: '
                f"{template.scale.accepted}."
            )
        return None if grade is None else grade.value

    ready = _moderation(moderation, stored.auditor, problems, graded)
    if problems:
        raise AuditError(problems)
    user = who or access.current_user()
    now = dt.datetime.now(dt.UTC)
    conn.execute(
        update(audit_table)
        .where(audit_table.c.id == audit_id)
        .values(
            moderator=ready.moderator,
            moderated_grade=ready.grade,
            moderated_at=ready.at or now,
            moderation_note=ready.note,
            updated_at=now,
            updated_by=user,
        )
    )
    access.record(conn, "moderated audit", who=user, la=stored.la, child=stored.child)
    return get_audit(conn, audit_id)


def get_audit(conn: Connection, audit_id: int, *, la: str | None = None) -> Audit:
    """Audit `audit_id` (of LA `la`, when given)."""
    query = select(audit_table).where(audit_table.c.id == audit_id)
    if la is not None:
        query = query.where(audit_table.c.la == la)
    found = _audits(conn, query)
    if not found:
        raise AuditError(f"There is no audit {audit_id}" + (f" in LA {la}." if la else "."))
    return found[0]


def list_audits(
    conn: Connection,
    la: str,
    *,
    month: dt.date | None = None,
    auditor: str | None = None,
    child: str | None = None,
    status: Status | None = None,
) -> list[Audit]:
    """The LA's audits, by month, then date (those without one last), then id; only those
    for the month (any day of it), auditor, child or status given."""
    query = select(audit_table).where(audit_table.c.la == la)
    if month is not None:
        query = query.where(audit_table.c.month == first_of_month(month))
    if auditor is not None:
        query = query.where(audit_table.c.auditor == auditor)
    if child is not None:
        query = query.where(audit_table.c.child == child)
    if status is not None:
        query = query.where(audit_table.c.status == status.value)
    return _audits(
        conn,
        # Audits not done yet (no date) after those done, in SQLite and PostgreSQL alike.
        query.order_by(
            audit_table.c.month, audit_table.c.audit_date.nulls_last(), audit_table.c.id
        ),
    )


def audits_of_children(
    conn: Connection, la: str, children: Iterable[str]
) -> dict[str, list[Audit]]:
    """The LA's audits of these children, by child, each child's by month then id."""
    out: dict[str, list[Audit]] = {}
    for chunk in _chunks(sorted(set(children))):
        query = (
            select(audit_table)
            .where(audit_table.c.la == la, audit_table.c.child.in_(chunk))
            .order_by(audit_table.c.month, audit_table.c.id)
        )
        for found in _audits(conn, query):
            out.setdefault(found.child, []).append(found)
    return out


def find_audit(
    conn: Connection, la: str, child: str, audit_date: dt.date, auditor: str
) -> Audit | None:
    """The LA's audit of `child` by `auditor` on `audit_date`, if there is one: what a
    spreadsheet row is matched to."""
    query = select(audit_table).where(
        audit_table.c.la == la,
        audit_table.c.child == child,
        audit_table.c.audit_date == audit_date,
        audit_table.c.auditor == auditor,
    )
    found = _audits(conn, query.order_by(audit_table.c.id))
    return found[0] if found else None


def _grades(
    given: Iterable[DomainGrade],
    template: Template,
    problems: list[str],
    graded: _Graded,
) -> tuple[DomainGrade, ...]:
    out: dict[str, DomainGrade] = {}
    for entry in given:
        domain = template.domain(entry.domain)
        if domain is None:
            known = ", ".join(d.title for d in template.domains)
            problems.append(
                f'"{entry.domain}" is not a domain of the template {template.name}. Its '
                f"domains: {known}."
            )
            continue
        if domain.key in out:
            problems.append(f'The domain "{domain.title}" is graded twice: keep one grade.')
            continue
        value = graded(entry.grade, f'The grade for "{domain.title}"')
        if value is not None:
            out[domain.key] = DomainGrade(domain.key, value, _text(entry.note))
    # In the template's order, so that an audit reads as its template does.
    order = {d.key: n for n, d in enumerate(template.domains)}
    return tuple(sorted(out.values(), key=lambda g: order[g.domain]))


def _themes(
    given: Iterable[str], template: Template, problems: list[str]
) -> tuple[tuple[str, ...], list[str]]:
    """The themes in the template's spelling (new ones as written), each once, and the
    new ones."""
    out: dict[str, str] = {}
    new = []
    for text in given:
        written = " ".join(text.split())
        if not written:
            continue
        if len(written) > THEME_LENGTH:
            problems.append(
                f'The theme "{written[:40]}..." is over {THEME_LENGTH} characters: shorten it.'
            )
            continue
        theme = template.theme(written)
        if theme is None:
            theme = written
            new.append(written)
        out.setdefault(spelling(theme), theme)
    return tuple(out.values()), new


def _moderation(
    moderation: Moderation, auditor: str, problems: list[str], graded: _Graded
) -> Moderation:
    moderator = moderation.moderator.strip()
    if not moderator:
        problems.append("A moderation needs the moderator's name.")
    elif spelling(moderator) == spelling(auditor):
        problems.append(
            "Moderation is a second opinion: the auditor cannot moderate their own audit. "
            "Ask someone else to moderate it."
        )
    value = graded(moderation.grade, "The moderated grade")
    return Moderation(moderator, value or "", _text(moderation.note), moderation.at)


def _same(one: Moderation, other: Moderation) -> bool:
    """The same person gave the same grade."""
    return (one.moderator, one.grade) == (other.moderator, other.grade)


def _template(name: str, cache: dict[str, Template]) -> Template:
    if name not in cache:
        try:
            cache[name] = load_template(name)
        except AuditTemplateError as exc:
            raise AuditError(str(exc)) from None
    return cache[name]


def _text(value: str | None) -> str | None:
    return (value or "").strip() or None


def _values(audit: AuditInput, now: dt.datetime) -> dict[str, object]:
    """The audit's own columns (not where it came from or who added it)."""
    moderation = audit.moderation
    return {
        "child": audit.child,
        "team": audit.team,
        "template": audit.template,
        "sample_id": audit.sample_id,
        "month": audit.month,
        "auditor": audit.auditor,
        "status": audit.status.value,
        "audit_date": audit.audit_date,
        "overall": audit.overall,
        "findings": audit.findings,
        "moderator": None if moderation is None else moderation.moderator,
        "moderated_grade": None if moderation is None else moderation.grade,
        "moderated_at": None if moderation is None else (moderation.at or now),
        "moderation_note": None if moderation is None else moderation.note,
    }


def _write_parts(conn: Connection, audits: Sequence[tuple[int, AuditInput]]) -> None:
    """Every audit's domain grades and themes, each table in one statement."""
    grades = [
        {"audit_id": i, "domain": g.domain, "grade": g.grade, "note": g.note}
        for i, a in audits
        for g in a.grades
    ]
    themes = [
        {"audit_id": i, "kind": kind.value, "theme": theme}
        for i, a in audits
        for kind, listed in (
            (ThemeKind.STRENGTH, a.strengths),
            (ThemeKind.DEVELOPMENT, a.developments),
        )
        for theme in listed
    ]
    if grades:
        conn.execute(insert(audit_grade), grades)
    if themes:
        conn.execute(insert(audit_theme), themes)


def _audits(conn: Connection, query: Select[Any]) -> list[Audit]:
    """The audits a query on the audit table finds, with their grades and themes (read in
    one query each) and their new themes."""
    rows = list(conn.execute(query).mappings())
    if not rows:
        return []
    ids = [r["id"] for r in rows]
    grades: dict[int, list[DomainGrade]] = defaultdict(list)
    themes: dict[tuple[int, str], list[str]] = defaultdict(list)
    for chunk in _chunks(ids):
        for g in conn.execute(select(audit_grade).where(audit_grade.c.audit_id.in_(chunk))):
            grades[g.audit_id].append(DomainGrade(g.domain, g.grade, g.note))
        for t in conn.execute(select(audit_theme).where(audit_theme.c.audit_id.in_(chunk))):
            themes[t.audit_id, t.kind].append(t.theme)
    templates: dict[str, Template | None] = {}
    return [_audit(r, grades[r["id"]], themes, templates) for r in rows]


def _chunks(ids: list[_T], size: int = 900) -> Iterable[list[_T]]:
    # SQLite limits how many values one statement may hold.
    for start in range(0, len(ids), size):
        yield ids[start : start + size]


def _audit(
    row: RowMapping,
    grades: list[DomainGrade],
    themes: dict[tuple[int, str], list[str]],
    templates: dict[str, Template | None],
) -> Audit:
    name = row["template"]
    if name not in templates:
        try:
            templates[name] = load_template(name)
        except AuditTemplateError:
            templates[name] = None  # its file is gone: its themes cannot be checked
    template = templates[name]
    strengths = tuple(sorted(themes[row["id"], ThemeKind.STRENGTH.value], key=str.lower))
    developments = tuple(sorted(themes[row["id"], ThemeKind.DEVELOPMENT.value], key=str.lower))
    new: tuple[str, ...] = ()
    if template is not None:
        order = {d.key: n for n, d in enumerate(template.domains)}
        grades = sorted(grades, key=lambda g: (order.get(g.domain, len(order)), g.domain))
        new = tuple(dict.fromkeys(t for t in strengths + developments if template.theme(t) is None))
    moderation = None
    if row["moderated_grade"] is not None:
        moderation = Moderation(
            row["moderator"], row["moderated_grade"], row["moderation_note"], row["moderated_at"]
        )
    return Audit(
        id=row["id"],
        la=row["la"],
        child=row["child"],
        auditor=row["auditor"],
        audit_date=row["audit_date"],
        overall=row["overall"],
        template=name,
        team=row["team"],
        month=row["month"],
        status=Status(row["status"]),
        grades=tuple(grades),
        strengths=strengths,
        developments=developments,
        findings=row["findings"],
        moderation=moderation,
        sample_id=row["sample_id"],
        source=Source(row["source"]),
        source_file=row["source_file"],
        source_row=row["source_row"],
        created_at=row["created_at"],
        created_by=row["created_by"],
        updated_at=row["updated_at"],
        updated_by=row["updated_by"],
        new_themes=new,
    )
