"""Synthetic case audits: a QA team's monthly audits of invented children, and the
spreadsheet an LA would keep of them.

Each month `per_month` children are drawn at random and audited on a working day of the
month by one of eight invented auditors. Practice starts mostly "not yet good enough" and
improves after a training month (Coventry trained its managers and IROs in auditing for
impact and expected "the number of cases audited as good" to "gradually increase"), so a
p chart of the share good or better shows a signal (with 20 audits a month over 12 months,
for 37 of seeds 1 to 40 on a plain p chart, and all 40 with the months before the training
as its baseline):

- before the training, GOOD_BEFORE of audits are good or better;
- from the training month, the share rises by equal steps to GOOD_AFTER over RISE_MONTHS
  months and stays there.

Domain grades sit near the overall grade: voice of the child a little better (Coventry:
"children are seen, and they are listened to"), planning and recording a little worse.
Themes follow Coventry's findings: drift in care planning, chronologies out of date, no
contingency plan and inconsistent recording are common development areas early and fade
after the training; a few audits name a theme the template does not list (step-up and
step-down), as LAs' own themes appear. About one audit in MODERATED is moderated by another
auditor, who agrees most of the time and otherwise moves the grade one step.

Nothing here is about a real child or person. The same arguments give the same audits.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from random import Random

from carejourney.config.audits import DEFAULT_TEMPLATE, Grade, Template, load_template
from carejourney.quality.audits import AuditInput, DomainGrade, Moderation, Status
from carejourney.schema.audits import THEME_SEPARATOR, audit_table
from carejourney.synth.records import working_day

GOOD_BEFORE = 0.30  # the share of audits good or better before the training
GOOD_AFTER = 0.75  # ... and once the training has taken effect
RISE_MONTHS = 4  # months from the training to the full effect
MODERATED = 0.12  # the share of audits moderated
MODERATOR_AGREES = 0.7
AUDITORS = (
    "Alex Morgan",
    "Bea Okafor",
    "Chris Doyle",
    "Dana Whitfield",
    "Eli Sandhu",
    "Fran Kowalski",
    "Gus Adeyemi",
    "Hana Lindqvist",
)
# Development areas: (chance in an audit before the training, chance once it has taken
# effect), for an audit not yet good enough; a good audit names them half as often.
DEVELOPMENT = {
    "drift in care planning": (0.45, 0.15),
    "chronology out of date": (0.40, 0.15),
    "no contingency plan": (0.30, 0.10),
    "recording inconsistent": (0.30, 0.12),
    "supervision not reflective": (0.25, 0.10),
    "plans not SMART": (0.20, 0.10),
    "assessment not updated": (0.20, 0.10),
    "life story work": (0.15, 0.10),
    "placement moves": (0.15, 0.12),
    "impact on the child unclear": (0.20, 0.08),
    "start again syndrome": (0.10, 0.05),
    "step-up and step-down": (0.04, 0.04),  # not in the template: a new theme
}
# Strengths: (chance before, chance after), for a good audit; one not yet good enough
# names them half as often.
STRENGTHS = {
    "child seen and listened to": (0.60, 0.70),
    "multi-agency working": (0.30, 0.35),
    "engagement with parents": (0.25, 0.30),
    "direct work with the child": (0.20, 0.35),
    "timely assessment": (0.20, 0.30),
    "management oversight": (0.10, 0.30),
}
# How each domain's grade leans from the overall grade: (chance one step better, chance
# one step worse); otherwise it is the overall grade.
LEAN = {
    "voice_of_the_child": (0.30, 0.10),
    "planning": (0.10, 0.35),
    "recording": (0.10, 0.35),
}
LEAN_OTHER = (0.15, 0.20)


def good_share(month: int, training: int) -> float:
    """The chance an audit in month `month` (0 = the first) is good or better, when the
    training was in month `training`."""
    if month < training:
        return GOOD_BEFORE
    done = min(1.0, (month - training + 1) / RISE_MONTHS)
    return GOOD_BEFORE + (GOOD_AFTER - GOOD_BEFORE) * done


def synthetic_audits(
    *,
    seed: int,
    la: str,
    children: Sequence[tuple[str, str | None]],
    first_month: dt.date,
    months: int,
    per_month: int = 20,
    training_month: dt.date | None = None,
    template: str | Template = DEFAULT_TEMPLATE,
) -> list[AuditInput]:
    """Audits of `children` ((child, team) pairs) for `months` months from `first_month`,
    `per_month` a month (or every child, if fewer), by date. The training is in
    `training_month` (default: a third of the way through)."""
    if months < 1 or per_month < 1:
        raise ValueError("months and per_month must be at least 1")
    chosen = template if isinstance(template, Template) else load_template(template)
    rng = Random(f"audits {la} {seed}")
    start = first_month.replace(day=1)
    training = months // 3 if training_month is None else _months_between(start, training_month)
    pool = sorted(dict(children).items())  # each child once, in a fixed order
    out: list[AuditInput] = []
    for index in range(months):
        month = _add_months(start, index)
        for child, team in rng.sample(pool, min(per_month, len(pool))):
            out.append(_audit(rng, chosen, child, team, month, index, training))
    return sorted(out, key=lambda a: (a.audit_date or month, a.child))


def write_audit_sheet(
    path: Path, audits: Sequence[AuditInput], template: str | Template | None = None
) -> Path:
    """Write `audits` as the spreadsheet an LA keeps (CSV, the import format): grades as the
    scale's labels, themes separated by ";", dates dd/mm/yyyy."""
    name = template or (audits[0].template if audits else DEFAULT_TEMPLATE)
    chosen = name if isinstance(name, Template) else load_template(name)
    columns = audit_table(chosen).column_names
    label = {g.value: g.label for g in chosen.scale.grades}
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file, lineterminator="\n")
        writer.writerow(columns)
        for audit in audits:
            moderation = audit.moderation
            row = {
                "CHILD": audit.child,
                "AUDIT_DATE": "" if audit.audit_date is None else f"{audit.audit_date:%d/%m/%Y}",
                "AUDITOR": audit.auditor,
                "TEAM": audit.team or "",
                "TEMPLATE": audit.template,
                "OVERALL": label.get(audit.overall or "", audit.overall or ""),
                "STRENGTHS": f"{THEME_SEPARATOR} ".join(audit.strengths),
                "DEVELOPMENT": f"{THEME_SEPARATOR} ".join(audit.developments),
                "FINDINGS": audit.findings or "",
                "MODERATOR": "" if moderation is None else moderation.moderator,
                "MODERATED_GRADE": "" if moderation is None else label[moderation.grade],
                **{d.domain.upper(): label[d.grade] for d in audit.grades},
            }
            writer.writerow([row.get(c, "") for c in columns])
    return path


def write_for_returns(
    outdir: Path,
    *,
    seed: int,
    la: str,
    last_day: dt.date,
    months: int = 12,
    per_month: int = 20,
) -> Path:
    """Write `{outdir}/audits.csv` beside a synthetic LA's returns: audits of the children
    in its allocation list (`allocation.csv`, CHILD and TEAM) for the `months` months up to
    `last_day`."""
    with (outdir / "allocation.csv").open(encoding="utf-8", newline="") as file:
        children = [(r["CHILD"], r["TEAM"] or None) for r in csv.DictReader(file)]
    first = _add_months(last_day.replace(day=1), 1 - months)
    audits = synthetic_audits(
        seed=seed, la=la, children=children, first_month=first, months=months, per_month=per_month
    )
    return write_audit_sheet(outdir / "audits.csv", audits)


def _audit(
    rng: Random,
    template: Template,
    child: str,
    team: str | None,
    month: dt.date,
    index: int,
    training: int,
) -> AuditInput:
    scale = template.scale
    good = rng.random() < good_share(index, training)
    overall = _grade(rng, [g for g in scale.grades if g.good == good], good)
    grades = tuple(
        DomainGrade(d.key, _lean(rng, scale.grades, overall, LEAN.get(d.key, LEAN_OTHER)).value)
        for d in template.domains
    )
    after = index >= training
    developments = _themes(rng, template, DEVELOPMENT, after, 0.5 if good else 1.0)
    strengths = _themes(rng, template, STRENGTHS, after, 1.0 if good else 0.5)
    day = _working_day_in(rng, month)
    auditor = rng.choice(AUDITORS)
    moderation = None
    if rng.random() < MODERATED:
        moderator = rng.choice([a for a in AUDITORS if a != auditor])
        agreed = rng.random() < MODERATOR_AGREES
        # Moderators are stricter more often than not.
        lean = (0.0, 0.0) if agreed else (0.35, 0.65)
        moderated = _lean(rng, scale.grades, overall, lean, always=not agreed)
        note = (
            "Agreed with the auditor's grade."
            if moderated == overall
            else (
                "Grade changed: the impact on the child is not evidenced."
                if moderated.rank < overall.rank
                else "Grade changed: the record shows more impact than the audit credits."
            )
        )
        moderation = Moderation(moderator, moderated.value, note)
    findings = "; ".join(
        part
        for part in (
            f"Strengths: {', '.join(strengths)}." if strengths else "",
            f"To develop: {', '.join(developments)}." if developments else "",
        )
        if part
    )
    return AuditInput(
        child=child,
        auditor=auditor,
        audit_date=day,
        overall=overall.value,
        template=template.name,
        team=team,
        month=month,
        status=Status.COMPLETED,
        grades=grades,
        strengths=strengths,
        developments=developments,
        findings=findings or None,
        moderation=moderation,
    )


def _grade(rng: Random, grades: list[Grade], good: bool) -> Grade:
    """One of `grades` (best first): among the good, the lowest most often (Good more than
    Outstanding); among the rest, the highest most often (Requires improvement more than
    Inadequate)."""
    weights = [2**n for n in range(len(grades))]
    if not good:
        weights.reverse()
    return rng.choices(grades, weights=weights)[0]


def _lean(
    rng: Random,
    grades: tuple[Grade, ...],
    grade: Grade,
    lean: tuple[float, float],
    always: bool = False,
) -> Grade:
    """`grade`, or one step better or worse with the chances `lean` gives (when `always`,
    a step is always taken, up or down in proportion)."""
    better, worse = lean
    draw = rng.random() * ((better + worse) if always else 1.0)
    step = -1 if draw < better else 1 if draw < better + worse else 0
    position = grades.index(grade) + step  # grades are best first
    return grades[min(max(position, 0), len(grades) - 1)]


def _themes(
    rng: Random,
    template: Template,
    chances: dict[str, tuple[float, float]],
    after: bool,
    factor: float,
) -> tuple[str, ...]:
    """The themes an audit names: each with its chance, in the template's spelling (a theme
    the template does not list is kept: a new theme)."""
    out = []
    for theme, (before, later) in chances.items():
        if rng.random() < (later if after else before) * factor:
            out.append(template.theme(theme) or theme)
    return tuple(out)


def _working_day_in(rng: Random, month: dt.date) -> dt.date:
    """A working day in the month (the last working day on or before a random day, moved
    into the month if that falls before it)."""
    last = _add_months(month, 1) - dt.timedelta(days=1)
    day = working_day(month + dt.timedelta(days=rng.randrange((last - month).days + 1)))
    return day if day >= month else working_day(last)


def _add_months(month: dt.date, n: int) -> dt.date:
    total = month.year * 12 + month.month - 1 + n
    return dt.date(total // 12, total % 12 + 1, 1)


def _months_between(first: dt.date, later: dt.date) -> int:
    return (later.year - first.year) * 12 + later.month - first.month
