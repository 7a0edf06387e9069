"""The audit spreadsheet: imported from CSV or Excel all or nothing, every problem named by
file, row and column, and importing it again changes nothing; on SQLite and, when a server
answers, PostgreSQL."""

import datetime as dt
from pathlib import Path

import xlsxwriter
from sqlalchemy import Engine, func, select

from carejourney.quality.audits import (
    AuditInput,
    DomainGrade,
    Moderation,
    Source,
    Status,
    list_audits,
    record_audit,
)
from carejourney.quality.importing import import_audits, read_audit_sheet
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import HIDDEN, Problem, Severity
from carejourney.store.tables import audit, audit_grade, audit_theme

# Headings as an LA writes them: titles, any case; a column carejourney does not know.
SHEET = """\
Child,Audit date,Auditor,Team,Voice of the child,PLANNING,Overall,Strengths,Development,Findings,Moderator,Moderated grade,Colour
C1,03/05/2024,Sam Patel,North,Good,ri,Requires improvement,Child seen and listened to,drift in care planning; No contingency plan;neglect,Plan drifting,Kim Lee,good,blue
C2,2024-05-10,Sam Patel,North,outstanding,good,Good,,,,,,
C3,10/05/2024,Jo Bloggs,South,good,,good,,Neglect,,,,
"""


def write(tmp_path: Path, text: str, name: str = "audits.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def codes(problems: list[Problem]) -> list[tuple[int | None, str | None, str, str]]:
    return [(p.row, p.column, p.code, str(p.severity)) for p in problems]


def test_a_spreadsheet_is_imported(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, SHEET)
    with engine.begin() as conn:
        outcome = import_audits(conn, "931", path, who="qa")
    assert (outcome.stored, outcome.added, outcome.updated, outcome.unchanged) == (True, 3, 0, 0)
    assert codes(outcome.problems) == [
        (1, "Colour", "column-extra", "warning"),
        (2, "Development", "audit-theme-new", "warning"),
    ]
    new = outcome.problems[1]
    assert new.value == "neglect"
    assert "(and on 1 other row)" in new.message
    assert outcome.sheet.new_themes == ("neglect",)
    with engine.connect() as conn:
        c1, c2, c3 = list_audits(conn, "931")
    assert (c1.child, c1.audit_date, c1.month, c1.auditor, c1.team) == (
        "C1",
        dt.date(2024, 5, 3),
        dt.date(2024, 5, 1),
        "Sam Patel",
        "North",
    )
    assert (c1.overall, c1.effective_grade) == ("requires-improvement", "good")
    assert c1.moderation == Moderation("Kim Lee", "good", None, c1.moderation.at)  # type: ignore[union-attr]
    assert c1.grades == (
        DomainGrade("voice_of_the_child", "good"),
        DomainGrade("planning", "requires-improvement"),
    )
    assert c1.strengths == ("child seen and listened to",)
    assert c1.developments == ("drift in care planning", "neglect", "no contingency plan")
    assert c1.new_themes == ("neglect",)
    assert (c1.findings, c1.status, c1.template) == (
        "Plan drifting",
        Status.COMPLETED,
        "case-audit",
    )
    assert (c1.source, c1.source_file, c1.source_row, c1.created_by) == (
        Source.IMPORT,
        str(path),
        2,
        "qa",
    )
    assert (c2.overall, c2.moderation, c2.strengths) == ("good", None, ())
    assert c3.grades == (DomainGrade("voice_of_the_child", "good"),)  # a blank grade: not graded
    assert c3.developments == ("Neglect",)  # kept as first written


def test_importing_the_same_file_again_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    path = write(tmp_path, SHEET)
    with engine.begin() as conn:
        import_audits(conn, "931", path)
    with engine.begin() as conn:
        again = import_audits(conn, "931", path)
    assert (again.stored, again.added, again.updated, again.unchanged) == (True, 0, 0, 3)
    # A later copy of the sheet: C2's grade corrected, a new audit added.
    later = SHEET.replace(
        "C2,2024-05-10,Sam Patel,North,outstanding,good,Good",
        "C2,2024-05-10,SAM PATEL,,outstanding,good,Outstanding",
    )
    later += "C4,20/05/2024,Jo Bloggs,South,,,Inadequate,,,,,,\n"
    with engine.begin() as conn:
        third = import_audits(conn, "931", write(tmp_path, later, "audits May.csv"), who="jo")
    assert (third.added, third.updated, third.unchanged) == (1, 1, 2)
    with engine.connect() as conn:
        stored = {a.child: a for a in list_audits(conn, "931")}
        assert conn.execute(select(func.count()).select_from(audit)).scalar() == 4
    c2 = stored["C2"]
    assert (c2.overall, c2.auditor, c2.team, c2.updated_by) == (
        "outstanding",
        "Sam Patel",
        "North",
        "jo",
    )
    assert (c2.source_file, c2.source_row) == (str(tmp_path / "audits May.csv"), 3)
    assert stored["C1"].updated_by is None  # unchanged: untouched


def test_a_row_completes_the_audit_a_programme_assigned(engine: Engine, tmp_path: Path) -> None:
    assigned = AuditInput(
        child="C3",
        auditor="jo bloggs",
        month=dt.date(2024, 4, 1),
        status=Status.ASSIGNED,
        team="South",
    )
    with engine.begin() as conn:
        waiting = record_audit(conn, "931", assigned, source=Source.WEB_APP)
        outcome = import_audits(conn, "931", write(tmp_path, SHEET))
    assert (outcome.added, outcome.updated) == (2, 1)
    with engine.connect() as conn:
        done = {a.child: a for a in list_audits(conn, "931")}["C3"]
    assert done.id == waiting.id
    assert (done.status, done.month, done.audit_date, done.overall) == (
        Status.COMPLETED,
        dt.date(2024, 4, 1),  # it stays the month it was drawn for
        dt.date(2024, 5, 10),
        "good",
    )


def test_one_bad_row_imports_nothing_and_every_problem_is_named(
    engine: Engine, tmp_path: Path
) -> None:
    bad = SHEET + (
        "C5,10/05/2024,Jo Bloggs,South,great,good,Meh,,,,Jo Bloggs,good,\n"
        "C2,10/05/2024,sam patel,North,good,good,Good,,,,,,\n"
        "C2,10/05/2024,Sam Patel,North,good,good,Good,,,,,,\n"
        ",31/02/2024,,South,good,good,,,,,,,\n"
        "C6,11/05/2024,Ann,South,,,Good,,,,,Good,\n"
        "C7,11/05/2024,Ann,South,,,Good,,,,Bob,,\n"
    )
    path = write(tmp_path, bad)
    with engine.begin() as conn:
        outcome = import_audits(conn, "931", path)
    assert not outcome.stored
    assert codes(outcome.problems) == [
        (1, "Colour", "column-extra", "warning"),
        (2, "Development", "audit-theme-new", "warning"),
        (5, "Moderator", "audit-moderator-is-auditor", "error"),
        (5, "Overall", "audit-grade-unknown", "error"),
        (5, "Voice of the child", "audit-grade-unknown", "error"),
        (6, "Child", "audit-repeated", "error"),
        (7, "Child", "audit-repeated", "error"),
        (8, "Child", "value-required", "error"),
        (8, "Audit date", "date-not-a-date", "error"),
        (8, "Auditor", "value-required", "error"),
        (8, "Overall", "value-required", "error"),
        (9, "Moderator", "audit-moderator-missing", "error"),
        (10, "Moderated grade", "audit-moderated-grade-missing", "warning"),
    ]
    by_code = {p.code: p for p in outcome.problems}
    assert by_code["audit-grade-unknown"].message == (
        "Not a grade on the scale of the template case-audit. Expected one of: Outstanding, "
        "Good, Requires improvement to be good (requires-improvement), Inadequate (any case)."
    )
    assert by_code["audit-repeated"].message == (
        "This audit (the same child, audit date and auditor) is on row 3 too: keep one row per "
        "audit."
    )
    assert all(p.file == str(path) for p in outcome.problems)
    # The child's ID is never repeated in a problem.
    assert by_code["audit-repeated"].value == HIDDEN
    assert not any(p.value in {"C2", "C5"} for p in outcome.problems)
    with engine.connect() as conn:
        for table in (audit, audit_grade, audit_theme):
            assert conn.execute(select(func.count()).select_from(table)).scalar() == 0


def test_missing_columns_are_named(tmp_path: Path) -> None:
    sheet = read_audit_sheet(write(tmp_path, "Child,Auditor,Team\nC1,Sam,North\n"))
    assert codes(sheet.problems) == [
        (1, "AUDIT_DATE", "column-missing", "error"),
        (1, "OVERALL", "column-missing", "error"),
    ]
    assert sheet.problems[0].message == (
        "There is no AUDIT_DATE column: add it, holding the date the audit was completed."
    )
    assert sheet.audits == []


def test_an_excel_workbook_is_read_from_its_audit_sheet(engine: Engine, tmp_path: Path) -> None:
    path = tmp_path / "Audits 2024.xlsx"
    book = xlsxwriter.Workbook(path)
    book.add_worksheet("Guidance").write_row(0, 0, ["How to fill this in"])
    sheet = book.add_worksheet("May")
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    sheet.write_row(0, 0, ["CHILD", "AUDIT_DATE", "AUDITOR", "OVERALL", "IMPACT", "DEVELOPMENT"])
    sheet.write_number(1, 0, 1001)  # Excel keeps the ID as a number
    sheet.write_datetime(1, 1, dt.datetime(2024, 5, 3), day)
    sheet.write_row(1, 2, ["Sam", "Inadequate", "RI", "chronology out of date"])
    book.close()
    with engine.begin() as conn:
        outcome = import_audits(conn, "931", path)
    assert (outcome.stored, outcome.added, codes(outcome.problems)) == (True, 1, [])
    assert outcome.sheet.file == f"{path}!May"
    with engine.connect() as conn:
        (stored,) = list_audits(conn, "931")
    assert (stored.child, stored.audit_date, stored.overall) == (
        "1001",
        dt.date(2024, 5, 3),
        "inadequate",
    )
    assert stored.grades == (DomainGrade("impact", "requires-improvement"),)
    assert stored.developments == ("chronology out of date",)


def test_each_row_may_name_its_template(engine: Engine, tmp_path: Path) -> None:
    text = (
        "CHILD,AUDIT_DATE,AUDITOR,TEMPLATE,PLANNING,OVERALL\n"
        "C1,03/05/2024,Sam,case-audit-scotland,5,4 Good\n"
        "C2,03/05/2024,Sam,,Good,Good\n"
        "C3,03/05/2024,Sam,case-audit-scotland,Good,Outstanding\n"
        "C4,03/05/2024,Sam,ours,Good,Good\n"
    )
    sheet = read_audit_sheet(write(tmp_path, text))
    assert codes(sheet.problems) == [
        (4, "OVERALL", "audit-grade-unknown", "error"),  # Outstanding: not a six-point grade
        (5, "TEMPLATE", "audit-template-unknown", "error"),
    ]
    assert sheet.problems[1].message.startswith('There is no audit template called "ours".')
    good = text.replace("Good,Outstanding", "Good,Excellent").replace(
        "C4,03/05/2024,Sam,ours,Good,Good\n", ""
    )
    with engine.begin() as conn:
        outcome = import_audits(conn, "931", write(tmp_path, good))
    assert outcome.stored
    with engine.connect() as conn:
        stored = {a.child: a for a in list_audits(conn, "931")}
    assert (stored["C1"].template, stored["C1"].overall, stored["C1"].grades) == (
        "case-audit-scotland",
        "4",
        (DomainGrade("planning", "5"),),
    )
    assert (stored["C2"].template, stored["C2"].overall) == ("case-audit", "good")
    assert (stored["C3"].overall, stored["C3"].grades) == ("6", (DomainGrade("planning", "4"),))


def test_the_template_for_blank_rows_can_be_chosen(tmp_path: Path) -> None:
    text = "CHILD,AUDIT_DATE,AUDITOR,OVERALL\nC1,03/05/2024,Sam,Weak\n"
    sheet = read_audit_sheet(write(tmp_path, text), template="case-audit-scotland")
    assert [(r.row, r.audit.template, r.audit.overall) for r in sheet.audits] == [
        (2, "case-audit-scotland", "2")
    ]
    wrong = read_audit_sheet(write(tmp_path, text), template="ours")
    assert codes(wrong.problems) == [(None, None, "audit-template-unknown", "error")]


def test_an_uploaded_file_is_read_from_its_bytes() -> None:
    upload = SourceFile("May audits.csv", SHEET.encode("cp1252"), "upload")
    sheet = read_audit_sheet(upload)
    assert sheet.file == "May audits.csv"
    assert [r.audit.child for r in sheet.audits] == ["C1", "C2", "C3"]


def test_unreadable_and_empty_files_are_explained(tmp_path: Path) -> None:
    missing = read_audit_sheet(tmp_path / "none.csv")
    assert codes(missing.problems) == [(None, None, "file-unreadable", "error")]
    empty = read_audit_sheet(write(tmp_path, ""))
    assert codes(empty.problems) == [(None, None, "audit-sheet-not-found", "error")]
    assert empty.has_errors and all(p.severity is Severity.ERROR for p in empty.problems)


def test_the_outcome_as_json(engine: Engine, tmp_path: Path) -> None:
    with engine.begin() as conn:
        outcome = import_audits(conn, "931", write(tmp_path, SHEET))
    summary = outcome.as_dict()
    assert {k: summary[k] for k in ("stored", "audits", "added", "updated", "unchanged")} == {
        "stored": True,
        "audits": 3,
        "added": 3,
        "updated": 0,
        "unchanged": 0,
    }
    assert summary["new_themes"] == ["neglect"]
    assert [p["code"] for p in summary["problems"]] == ["column-extra", "audit-theme-new"]


def test_a_domain_headed_by_its_key_and_its_title_is_refused(tmp_path: Path) -> None:
    (tmp_path / "mine.toml").write_text(
        'name = "mine"\ntitle = "Ours"\nsource = "QA team"\nscale = "ofsted"\nthemes = []\n'
        '[[domains]]\nkey = "voice"\ntitle = "Voice of the child"\n'
    )
    text = "CHILD,AUDIT_DATE,AUDITOR,VOICE,Voice of the child,OVERALL\nC1,03/05/2024,Sam,good,good,good\n"
    sheet = read_audit_sheet(write(tmp_path, text), template=str(tmp_path / "mine.toml"))
    assert codes(sheet.problems) == [(1, "Voice of the child", "column-repeated", "error")]
    assert sheet.problems[0].message == (
        'The columns VOICE and VOICE_OF_THE_CHILD are both the domain "Voice of the child": keep one.'
    )
    assert sheet.audits == []
    # Headed once, by its key, the LA's own domain is read.
    one = read_audit_sheet(
        write(
            tmp_path, text.replace(",Voice of the child", "").replace("good,good,good", "good,good")
        ),
        template=str(tmp_path / "mine.toml"),
    )
    assert [(r.audit.template, r.audit.grades) for r in one.audits] == [
        ("mine", (DomainGrade("voice", "good"),))
    ]
