"""Import the audit spreadsheet an LA already keeps: CSV, or an Excel workbook.

The spreadsheet is declared in `schema.audits`: one row per audit, one grade column per
domain of its template. Every row is checked before anything is stored; an error anywhere
(a missing column, a date that is not a date, a grade not on the template's scale, the
auditor moderating their own audit, the same audit twice) stores nothing, and each problem
names the file, row and column and says what was expected.

An audit in the spreadsheet is the LA's audit of that child on that date by that auditor:
importing the file again, or a later copy of it, updates those audits instead of adding
them twice (an audit the file leaves as it was stays untouched). A row for an audit a
programme assigned (same child and auditor, not yet completed) completes it. Themes the
template does not list are kept, with a warning that they are new.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import polars as pl
from sqlalchemy import Connection

from carejourney.config.audits import (
    THEME_LENGTH,
    AuditTemplateError,
    Template,
    load_template,
    spelling,
)
from carejourney.quality.audits import (
    Audit,
    AuditError,
    AuditInput,
    DomainGrade,
    Moderation,
    Source,
    Status,
    audits_of_children,
    prepare,
    record_audits,
    update_audit,
)
from carejourney.schema.audits import (
    AUDIT_SHEET,
    DEFAULT_TEMPLATE,
    KEY,
    SHEET_COLUMN_NAMES,
    THEME_SEPARATOR,
    heading_key,
)
from carejourney.schema.types import Column, Kind, Table
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import HIDDEN, Problem, Severity, error, from_rows, warning
from carejourney.sources.text import decode
from carejourney.sources.values import blank_to_null, clean_table
from carejourney.sources.workbooks import is_workbook, sheets
from carejourney.store import access

REQUIRED = tuple(c.name for c in AUDIT_SHEET.columns if c.required)
_SPELLING = r"[^a-z0-9]+"  # as config.audits.spelling: case and punctuation never matter


@dataclass(frozen=True)
class SheetRow:
    """One audit read from the spreadsheet, with the row it is on."""

    row: int
    audit: AuditInput


@dataclass
class AuditSheet:
    """What a spreadsheet holds: its audits (only if it has no errors) and every problem."""

    file: str
    audits: list[SheetRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    new_themes: tuple[str, ...] = ()

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


@dataclass
class AuditImport:
    """What an import did: nothing (`stored` False, with the problems saying why), or the
    audits added, updated and found unchanged."""

    sheet: AuditSheet
    stored: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def problems(self) -> list[Problem]:
        return self.sheet.problems

    def as_dict(self) -> dict[str, Any]:
        return {
            "file": self.sheet.file,
            "stored": self.stored,
            "audits": len(self.sheet.audits),
            "added": self.added,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "new_themes": list(self.sheet.new_themes),
            "problems": [p.as_dict() for p in self.problems],
        }


def import_audits(
    conn: Connection,
    la: str,
    source: Path | SourceFile,
    *,
    template: str | None = None,
    who: str | None = None,
) -> AuditImport:
    """Check the spreadsheet and, only if it has no errors, store its audits for LA `la`
    inside the caller's transaction. `template` is used for rows whose TEMPLATE is blank
    (default: case-audit)."""
    sheet = read_audit_sheet(source, template=template)
    outcome = AuditImport(sheet)
    if sheet.has_errors or not sheet.audits:
        return outcome
    user = who or access.current_user()
    existing = audits_of_children(conn, la, [r.audit.child for r in sheet.audits])
    new: list[SheetRow] = []
    claimed: set[int] = set()
    for item in sheet.audits:
        match = _match(existing, item.audit, claimed)
        if match is None:
            new.append(item)
            continue
        claimed.add(match.id)
        if _changed(match, item.audit):
            _update(conn, match, item, sheet.file, user)
            outcome.updated += 1
        else:
            outcome.unchanged += 1
    if new:
        record_audits(
            conn,
            la,
            [r.audit for r in new],
            who=user,
            source=Source.IMPORT,
            rows=[(sheet.file, r.row) for r in new],
        )
    outcome.added = len(new)
    outcome.stored = True
    return outcome


def read_audit_sheet(source: Path | SourceFile, *, template: str | None = None) -> AuditSheet:
    """Every audit in the spreadsheet and every problem with it, storing nothing."""
    if isinstance(source, Path):
        try:
            source = SourceFile(str(source), source.read_bytes(), str(source.parent))
        except OSError as exc:
            return AuditSheet(
                str(source),
                problems=[
                    error(str(source), "file-unreadable", f"Cannot open it: {exc.strerror}.")
                ],
            )
    frame, file, problems, written = _frame(source)
    sheet = AuditSheet(file, problems=problems)
    if frame is None:
        return sheet
    try:
        fallback = load_template(template or DEFAULT_TEMPLATE)
    except AuditTemplateError as exc:
        sheet.problems.append(error(file, "audit-template-unknown", str(exc)))
        return sheet
    _read(frame, file, fallback, sheet)
    # Each problem names the column as the spreadsheet heads it, in the order of the rows.
    sheet.problems = sorted(
        (replace(p, column=written.get(p.column or "", p.column)) for p in sheet.problems),
        key=lambda p: p.row or 0,
    )
    return sheet


def _frame(
    source: SourceFile,
) -> tuple[pl.DataFrame | None, str, list[Problem], dict[str, str]]:
    """The spreadsheet as text columns named by `heading_key`, with `_row`, and each
    column's heading as written; for a workbook, its first sheet with the audit columns."""
    candidates = [source]
    if is_workbook(source):
        candidates, problems = sheets(source)
        if problems:
            return None, source.name, problems, {}
    for candidate in candidates:
        text, _ = decode(candidate.data)
        if not text.strip():
            continue
        try:
            frame = pl.read_csv(
                io.BytesIO(text.encode("utf-8")), infer_schema=False, has_header=True
            )
        except (pl.exceptions.PolarsError, ValueError) as exc:
            reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            return (
                None,
                candidate.name,
                [
                    error(
                        candidate.name,
                        "file-unreadable",
                        f"The file could not be read as CSV ({reason}). Check it opens in "
                        "Excel and save it again as 'CSV (Comma delimited)' or as a workbook.",
                    )
                ],
                {},
            )
        originals = frame.columns
        headings = [heading_key(h.lstrip("\ufeff")) for h in originals]
        if len(candidates) > 1 and not {"CHILD", "AUDITOR"} <= set(headings):
            continue  # another sheet of the workbook: a list of auditors, notes, ...
        frame.columns = [
            f"_{i}" if h in headings[:i] or not h else h for i, h in enumerate(headings)
        ]
        frame = frame.with_row_index("_row", offset=2).with_columns(pl.col("_row").cast(pl.Int64))
        data = [c for c in frame.columns if c != "_row"]
        blank = pl.all_horizontal(blank_to_null(pl.col(c)).is_null() for c in data)
        frame = frame.filter(~blank)
        written = {h: w.lstrip("\ufeff").strip() for h, w in zip(headings, originals, strict=True)}
        return frame, candidate.name, _repeated_headings(candidate.name, headings), written
    what = "sheet of the workbook" if len(candidates) > 1 else "file"
    return (
        None,
        source.name,
        [
            error(
                source.name,
                "audit-sheet-not-found",
                f"No {what} has the audit columns: headings CHILD, AUDIT_DATE, AUDITOR and "
                "OVERALL are needed, then one column per domain of the audit template.",
            )
        ],
        {},
    )


def _repeated_headings(file: str, headings: list[str]) -> list[Problem]:
    seen: set[str] = set()
    problems = []
    for heading in headings:
        if heading and heading in seen:
            problems.append(
                error(
                    file,
                    "column-repeated",
                    f"The column {heading} appears more than once; keep one.",
                    row=1,
                    column=heading,
                )
            )
        seen.add(heading)
    return problems


def _read(frame: pl.DataFrame, file: str, fallback: Template, sheet: AuditSheet) -> None:
    """Check every row of `frame` and, if there is no error, fill `sheet.audits`."""
    problems = sheet.problems
    for name in REQUIRED:
        if name not in frame.columns:
            problems.append(
                error(
                    file,
                    "column-missing",
                    f"There is no {name} column: add it, holding "
                    f"{AUDIT_SHEET.column(name).description[0].lower()}"
                    f"{AUDIT_SHEET.column(name).description[1:]}",
                    row=1,
                    column=name,
                )
            )
    templates, by_row = _templates(frame, file, fallback, problems)
    domains = {h for t in templates.values() for d in t.domains for h in d.headings}
    for heading in frame.columns:
        if heading.startswith("_") or heading in SHEET_COLUMN_NAMES or heading in domains:
            continue
        close = difflib.get_close_matches(heading, sorted(SHEET_COLUMN_NAMES | domains), n=1)
        hint = f" Did you mean {close[0]}?" if close else ""
        problems.append(
            warning(
                file,
                "column-extra",
                "This column is neither an audit column nor a domain of the template, so it "
                f"was ignored.{hint}",
                row=1,
                column=heading,
            )
        )
    grade_columns = sorted(h for h in frame.columns if h in domains)
    problems += _one_column_per_domain(templates, grade_columns, file)
    table = Table(
        AUDIT_SHEET.name,
        AUDIT_SHEET.description,
        AUDIT_SHEET.columns
        + tuple(Column(h, Kind.TEXT, "a domain's grade") for h in grade_columns),
        key=KEY,
    )
    cleaned, found = clean_table(frame, table, file=file)
    problems += found
    cleaned = cleaned.with_columns(_template=by_row)
    problems += _repeated_audits(cleaned, file)
    problems += _moderation_problems(cleaned, file)
    values: dict[str, pl.Series] = {}
    themes: dict[str, pl.Series] = {}
    new: dict[str, None] = {}
    for name, template in templates.items():
        rows = cleaned.filter(pl.col("_template") == name)
        graded = ["OVERALL", "MODERATED_GRADE"] + [
            h for h in grade_columns if template.domain(h) is not None
        ]
        for column in graded:
            value, wrong = _graded(rows, column, template, file)
            values[f"{name}\0{column}"] = value
            problems.extend(wrong)
        for column in ("STRENGTHS", "DEVELOPMENT"):
            listed, wrong, fresh = _themed(rows, column, template, file)
            themes[f"{name}\0{column}"] = listed
            problems.extend(wrong)
            new.update(dict.fromkeys(fresh))
    sheet.new_themes = tuple(new)
    if sheet.has_errors:
        return
    audits = _audits(cleaned, templates, values, themes, grade_columns)
    # The checks the web app makes, as a last guard: the checks above should leave none.
    for item in audits:
        try:
            prepare(item.audit, templates[item.audit.template])
        except AuditError as exc:
            problems.append(error(file, "audit-invalid", str(exc), row=item.row))
    if not sheet.has_errors:
        sheet.audits = audits


def _one_column_per_domain(
    templates: dict[str, Template], grade_columns: list[str], file: str
) -> list[Problem]:
    """A domain headed twice, once by its key and once by its title, has two grades."""
    problems = []
    for template in templates.values():
        for domain in template.domains:
            both = [h for h in grade_columns if h in domain.headings]
            if len(both) > 1:
                problems.append(
                    error(
                        file,
                        "column-repeated",
                        f'The columns {" and ".join(both)} are both the domain "{domain.title}"'
                        ": keep one.",
                        row=1,
                        column=both[-1],
                    )
                )
    return problems


def _templates(
    frame: pl.DataFrame, file: str, fallback: Template, problems: list[Problem]
) -> tuple[dict[str, Template], pl.Series]:
    """Each template the rows name, loaded once, and each row's template name."""
    if "TEMPLATE" not in frame.columns:
        return {fallback.name: fallback}, pl.Series("_template", [fallback.name] * frame.height)
    named = blank_to_null(pl.col("TEMPLATE")).fill_null(pl.lit(fallback.name))
    by_row = frame.select(named.alias("_template")).to_series()
    templates = {fallback.name: fallback}
    for name in by_row.unique(maintain_order=True).to_list():
        if name in templates:
            continue
        try:
            templates[name] = load_template(name)
        except AuditTemplateError as exc:
            rows = frame.filter(by_row == name).with_columns(_value=pl.col("TEMPLATE"))
            problems += from_rows(
                file,
                rows,
                column="TEMPLATE",
                code="audit-template-unknown",
                message=str(exc),
                severity=Severity.ERROR,
            )
    renamed = {t.name: t for t in templates.values()}
    # A template given by its path is known by the name inside it.
    by_row = by_row.replace_strict(
        {k: t.name for k, t in templates.items()}, default=None, return_dtype=pl.String
    )
    return renamed, by_row


def _graded(
    rows: pl.DataFrame, column: str, template: Template, file: str
) -> tuple[pl.Series, list[Problem]]:
    """The column's grades as the scale's values (by `_row`), and a problem for each cell
    that is not a grade on the template's scale."""
    spellings = {
        written: grade.value for grade in template.scale.grades for written in grade.spellings
    }
    text = pl.col(column)
    value = (
        text.str.to_lowercase()
        .str.replace_all(_SPELLING, " ")
        .str.strip_chars()
        .replace_strict(spellings, default=None, return_dtype=pl.String)
    )
    found = rows.select("_row", _value=text, value=value)
    wrong = found.filter(pl.col("_value").is_not_null() & pl.col("value").is_null())
    problems = from_rows(
        file,
        wrong,
        column=column,
        code="audit-grade-unknown",
        message=f"Not a grade on the scale of the template {template.name}. Expected one of: "
        f"{template.scale.accepted} (any case).",
        severity=Severity.ERROR,
    )
    return found.get_column("value").alias(column), problems


def _themed(
    rows: pl.DataFrame, column: str, template: Template, file: str
) -> tuple[pl.Series, list[Problem], list[str]]:
    """Each row's themes in the template's spelling (new ones as written), the problems
    (a theme too long; a warning for each new theme, once per file) and the new themes."""
    known = {spelling(t): t for t in template.themes}
    exploded = (
        rows.select("_row", theme=pl.col(column).str.split(THEME_SEPARATOR))
        .explode("theme")
        .with_columns(pl.col("theme").str.strip_chars().str.replace_all(r"\s+", " "))
        .filter(pl.col("theme").is_not_null() & (pl.col("theme") != ""))
        .with_columns(
            key=pl.col("theme").str.to_lowercase().str.replace_all(_SPELLING, " ").str.strip_chars()
        )
        .with_columns(
            known=pl.col("key").replace_strict(known, default=None, return_dtype=pl.String)
        )
    )
    problems = from_rows(
        file,
        exploded.filter(pl.col("theme").str.len_chars() > THEME_LENGTH).with_columns(
            _value=pl.col("theme").str.slice(0, 40) + "..."
        ),
        column=column,
        code="audit-theme-too-long",
        message=f"A theme is over {THEME_LENGTH} characters: shorten it (themes are short "
        f'tags, separated by "{THEME_SEPARATOR}"; write what was found in FINDINGS).',
        severity=Severity.ERROR,
    )
    fresh = (
        exploded.filter(pl.col("known").is_null())
        .group_by("key", maintain_order=True)
        .agg(pl.col("theme").first(), pl.col("_row").first(), others=pl.len() - 1)
    )
    new = []
    for theme, row, others in fresh.select("theme", "_row", "others").iter_rows():
        also = f" (and on {others} other row{'s' if others > 1 else ''})" if others else ""
        new.append(theme)
        problems.append(
            warning(
                file,
                "audit-theme-new",
                f"A new theme: the template {template.name} does not list it{also}. It is "
                "kept as written; to count it with the template's themes, add it to the "
                "template, or use the template's spelling.",
                row=row,
                column=column,
                value=theme,
            )
        )
    listed = (
        exploded.with_columns(theme=pl.coalesce("known", "theme"))
        .group_by("_row", maintain_order=True)
        .agg(pl.col("theme").unique(maintain_order=True))
    )
    by_row = rows.select("_row").join(listed, on="_row", how="left")
    return by_row.get_column("theme").alias(column), problems, new


def _repeated_audits(cleaned: pl.DataFrame, file: str) -> list[Problem]:
    """The same child, date and auditor on two rows: which one is right is not known."""
    key = pl.struct(
        "CHILD", "AUDIT_DATE", pl.col("AUDITOR").str.to_lowercase().str.replace_all(r"\s+", " ")
    )
    usable = cleaned.filter(pl.all_horizontal(pl.col(c).is_not_null() for c in KEY))
    repeated = usable.with_columns(first=pl.col("_row").first().over(key)).filter(
        pl.col("_row") != pl.col("first")
    )
    return [
        error(
            file,
            "audit-repeated",
            f"This audit (the same child, audit date and auditor) is on row {first} too: keep "
            "one row per audit.",
            row=row,
            column="CHILD",
            value=HIDDEN,
        )
        for row, first in repeated.select("_row", "first").iter_rows()
    ]


def _moderation_problems(cleaned: pl.DataFrame, file: str) -> list[Problem]:
    moderator = pl.col("MODERATOR")
    same = moderator.str.to_lowercase().str.replace_all(_SPELLING, " ").str.strip_chars() == (
        pl.col("AUDITOR").str.to_lowercase().str.replace_all(_SPELLING, " ").str.strip_chars()
    )
    checks = [
        (
            pl.col("MODERATED_GRADE").is_not_null() & moderator.is_null(),
            "MODERATOR",
            "audit-moderator-missing",
            "There is a moderated grade but no moderator: say who moderated the audit.",
            Severity.ERROR,
        ),
        (
            same.fill_null(False),
            "MODERATOR",
            "audit-moderator-is-auditor",
            "The moderator is the auditor: moderation is a second opinion, so someone else "
            "must moderate the audit.",
            Severity.ERROR,
        ),
        (
            moderator.is_not_null() & pl.col("MODERATED_GRADE").is_null(),
            "MODERATED_GRADE",
            "audit-moderated-grade-missing",
            "There is a moderator but no moderated grade, so the audit is stored as not "
            "moderated. If the moderator agreed, give the same grade as OVERALL.",
            Severity.WARNING,
        ),
    ]
    problems = []
    for condition, column, code, message, severity in checks:
        rows = cleaned.filter(condition).with_columns(_value=pl.col(column))
        problems += from_rows(
            file, rows, column=column, code=code, message=message, severity=severity
        )
    return problems


def _audits(
    cleaned: pl.DataFrame,
    templates: dict[str, Template],
    values: dict[str, pl.Series],
    themes: dict[str, pl.Series],
    grade_columns: list[str],
) -> list[SheetRow]:
    out: list[SheetRow] = []
    for name, template in templates.items():
        rows = cleaned.filter(pl.col("_template") == name)
        if rows.is_empty():
            continue
        graded = pl.DataFrame(
            [values[key] for key in values if key.startswith(f"{name}\0")]
            + [themes[f"{name}\0STRENGTHS"], themes[f"{name}\0DEVELOPMENT"]]
        )
        domains = [(h, template.domain(h)) for h in grade_columns]
        about = rows.select(
            "_row", "CHILD", "AUDIT_DATE", "AUDITOR", "TEAM", "FINDINGS", "MODERATOR"
        )
        for fixed, done in zip(
            about.iter_rows(named=True), graded.iter_rows(named=True), strict=True
        ):
            grades = tuple(
                DomainGrade(domain.key, done[h])
                for h, domain in domains
                if domain is not None and done.get(h) is not None
            )
            moderation = None
            if done["MODERATED_GRADE"] is not None:
                moderation = Moderation(fixed["MODERATOR"], done["MODERATED_GRADE"])
            audit = AuditInput(
                child=fixed["CHILD"],
                auditor=fixed["AUDITOR"],
                audit_date=fixed["AUDIT_DATE"],
                overall=done["OVERALL"],
                template=name,
                team=fixed["TEAM"],
                status=Status.COMPLETED,
                grades=grades,
                strengths=tuple(done["STRENGTHS"] or ()),
                developments=tuple(done["DEVELOPMENT"] or ()),
                findings=fixed["FINDINGS"],
                moderation=moderation,
            )
            out.append(SheetRow(fixed["_row"], audit))
    return sorted(out, key=lambda r: r.row)


def _match(existing: dict[str, list[Audit]], audit: AuditInput, claimed: set[int]) -> Audit | None:
    """The stored audit a row is: the same child, date and auditor; else the child's audit
    assigned to that auditor and not yet completed, from the earliest month."""
    mine = [
        a
        for a in existing.get(audit.child, [])
        if spelling(a.auditor) == spelling(audit.auditor) and a.id not in claimed
    ]
    same = next((a for a in mine if a.audit_date == audit.audit_date), None)
    if same is not None:
        return same
    month = audit.audit_date.replace(day=1) if audit.audit_date else dt.date.max
    waiting = [a for a in mine if a.status is not Status.COMPLETED and (a.month or month) <= month]
    return waiting[0] if waiting else None


def _changed(stored: Audit, audit: AuditInput) -> bool:
    """Whether the row says anything about the audit that is not stored already (the
    spreadsheet holds no notes on domains or moderation, so those are not compared)."""

    def moderation(m: Moderation | None) -> tuple[str, str] | None:
        return None if m is None else (m.moderator, m.grade)

    def about(a: AuditInput) -> tuple[object, ...]:
        return (
            a.status,
            a.audit_date,
            a.overall,
            a.template,
            a.findings,
            frozenset((g.domain, g.grade) for g in a.grades),
            frozenset(a.strengths),
            frozenset(a.developments),
            moderation(a.moderation),
        )

    return about(stored) != about(audit) or (audit.team is not None and audit.team != stored.team)


def _update(conn: Connection, stored: Audit, item: SheetRow, file: str, who: str) -> None:
    """Bring a stored audit into line with its row, keeping its auditor's spelling, month,
    sample and team (when the row has none), and the notes on domains whose grade the row
    leaves as it was."""
    notes = {g.domain: g for g in stored.grades}
    grades = tuple(
        replace(g, note=notes[g.domain].note)
        if g.domain in notes and notes[g.domain].grade == g.grade
        else g
        for g in item.audit.grades
    )
    audit = replace(
        item.audit,
        auditor=stored.auditor,  # matched however the row spells it
        month=stored.month,
        sample_id=stored.sample_id,
        team=item.audit.team or stored.team,
        grades=grades,
    )
    update_audit(conn, stored.id, audit, who=who, source_row=(file, item.row))
