"""`carejourney audits`, as a QA lead uses it: import the audit spreadsheet all or nothing,
set up a monthly programme and draw its sample, and at the quarter's end the summary with
the grade trend and its signal, the top themes and every overdue action with its owner,
each figure worked out by hand below."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
import typer
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from carejourney import imports
from carejourney.cli import app
from carejourney.cli.audits import month_option
from carejourney.quality.actions import ActionInput, Origin, Status, add_action, update_action
from carejourney.quality.alerts import raise_alert, resolve, respond
from carejourney.quality.audits import AuditInput, Moderation, record_audits
from carejourney.store import database
from carejourney.store.tables import access_log, audit
from carejourney.synth.ssda903 import write_returns

runner = CliRunner()
LA = "931"
AS_AT = "31/03/2026"
UK = dt.UTC  # January to March: UK time is UTC


def run(*args: str) -> tuple[int, str]:
    """The exit code and what was printed, as one line of words (the terminal wraps)."""
    result = runner.invoke(app, list(args))
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    text = result.output.translate({ord(c): " " for c in "│┃╭╮╰╯─━┏┓┗┛┡┩╇┳┻╋┣┫└┘┌┐┼"})
    return result.exit_code, " ".join(text.split())


def json_of(*args: str) -> tuple[int, Any]:
    result = runner.invoke(app, list(args))
    return result.exit_code, json.loads(result.output)


SHEET = """Child,Audit date,Auditor,Team,Voice of the child,Planning,Overall,Strengths,Development,Findings
A1,03/03/2026,Alex Morgan,Permanence North,Good,Good,Good,Child seen and listened to,,
A2,04/03/2026,Alex Morgan,Permanence South,Good,Inadequate,Requires improvement to be good,,Drift in care planning; No contingency plan,The plan has not moved on.
A3,05/03/2026,Bea Okafor,Permanence North,Outstanding,Good,Outstanding,Life story work,,
"""


def audits_stored(db: str) -> int:
    engine = database.connect(db)
    with engine.connect() as conn:
        count = int(conn.execute(select(func.count()).select_from(audit)).scalar_one())
    engine.dispose()
    return count


# --- import -------------------------------------------------------------------------------


def test_the_spreadsheet_is_imported_then_left_alone(tmp_path: Path) -> None:
    db, sheet = str(tmp_path / "cj.db"), tmp_path / "March audits.csv"
    sheet.write_text(SHEET, encoding="utf-8")
    code, out = run("audits", "import", str(sheet), "--la", LA, "--db", db)
    assert code == 0, out
    assert "March audits.csv: 3 added, 0 updated, 0 unchanged." in out
    assert f"Stored for LA {LA}." in out
    code, data = json_of("audits", "import", str(sheet), "--db", db, "--json")  # the only LA
    assert code == 0
    assert (data["la"], data["stored"]) == (LA, True)
    assert [(f["added"], f["updated"], f["unchanged"]) for f in data["files"]] == [(0, 0, 3)]
    assert audits_stored(db) == 3


def test_an_error_in_any_file_stores_nothing_and_names_the_file_row_and_column(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "cj.db")
    good, bad = tmp_path / "good.csv", tmp_path / "bad.csv"
    good.write_text(SHEET, encoding="utf-8")
    bad.write_text(SHEET.replace("Outstanding,Good,Outstanding", "Outstanding,Good,Great"))
    code, out = run("audits", "import", str(good), str(bad), "--la", LA, "--db", db)
    assert code == 1
    assert "Problems: 1 error, 0 warnings" in out
    assert "bad.csv, column Overall, row 4, value 'Great'" in out
    assert "good.csv: 3 audits checked, not stored (another file has errors)." in out
    assert "bad.csv: not imported (errors above)." in out
    assert "Nothing was stored" in out
    assert audits_stored(db) == 0
    # The child's ID is never in a message: the row finds it.
    assert "A3" not in out


def test_a_folder_of_spreadsheets_and_a_template_that_is_not_there(tmp_path: Path) -> None:
    db, folder = str(tmp_path / "cj.db"), tmp_path / "audits"
    folder.mkdir()
    (folder / "march.csv").write_text(SHEET, encoding="utf-8")
    (folder / "notes.txt").write_text("not a spreadsheet", encoding="utf-8")
    code, out = run("audits", "import", str(folder), "--la", LA, "--db", db)
    assert (code, "march.csv: 3 added" in out) == (0, True)
    code, out = run("audits", "import", str(folder), "--template", "no-such", "--db", db)
    assert code == 2
    assert "Cannot use this template" in out


@pytest.mark.parametrize(
    ("text", "month"),
    [
        ("2026-11", dt.date(2026, 11, 1)),
        ("11/2026", dt.date(2026, 11, 1)),
        ("15/11/2026", dt.date(2026, 11, 1)),
        ("November 2026", dt.date(2026, 11, 1)),
        ("Nov 2026", dt.date(2026, 11, 1)),
    ],
)
def test_a_month_is_read_as_a_person_writes_it(text: str, month: dt.date) -> None:
    assert month_option(text) == month


@pytest.mark.parametrize("text", ["2026-13", "next month", "13/2026"])
def test_a_month_that_is_not_one_is_refused(text: str) -> None:
    with pytest.raises(typer.BadParameter, match="is not a month: write it as 2026-11"):
        month_option(text)


# --- the programme and its sample ----------------------------------------------------------


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "returns"
    write_returns(folder, children=200, years=3, seed=7, la="999")
    return folder


def test_a_qa_lead_sets_up_a_monthly_programme_and_draws_its_sample(
    returns: Path, db_url: str
) -> None:
    db = db_url
    engine = database.connect(db)
    assert imports.import_returns(engine, [returns], la="999").stored
    engine.dispose()
    code, out = run(
        "audits", "programme", "add", "monthly-looked-after", "--title",
        "Monthly audit of children looked after", "--per-month", "7", "--method",
        "stratified", "--starts", "2026-01", "--db", db,
    )  # fmt: skip
    assert code == 0, out
    assert (
        "Added the programme monthly-looked-after for LA 999: 7 cases a month from January "
        "2026, chosen at random, stratified by team; template case-audit." in out
    )
    code, data = json_of("audits", "programme", "list", "--db", db, "--json")
    assert code == 0
    (listed,) = data
    assert (listed["method"], listed["stratify_by"], listed["per_month"]) == (
        "stratified",
        "team",
        7,
    )
    assert listed["months"][0] == {
        "month": "2026-01-01",
        "drawn": False,
        "due": True,
        "audits": 0,
        "started": 0,
        "completed": 0,
        "seed": None,
        "note": None,
    }
    auditors = ["--auditor", "Alex Morgan", "--auditor", "Bea Okafor", "--auditor", "Chris Doyle"]
    code, drawn = json_of(
        "audits", "draw", "monthly-looked-after", "--month", "2026-02", *auditors, "--db", db,
        "--json",
    )  # fmt: skip
    assert code == 0, drawn
    assert (drawn["month"], drawn["seed"], drawn["size"]) == ("2026-02-01", 20260201, 7)
    assert drawn["note"].startswith("7 children drawn at random from the ")
    assert "stratified by team (in proportion to each team's children)" in drawn["note"]
    # Dealt like cards: 7 between 3 auditors is 3, 2 and 2.
    per_auditor = sorted(
        sum(c["auditor"] == who for c in drawn["children"]) for who in auditors[1::2]
    )
    assert per_auditor == [2, 2, 3]
    # The month shows as drawn; drawing it again is refused, and says how to replace it.
    code, out = run("audits", "programme", "list", "--db", db)
    assert "February 2026" in out and "seed 20260201" in out
    code, out = run(
        "audits", "draw", "monthly-looked-after", "--month", "2026-02", *auditors, "--db", db
    )
    assert code == 2
    assert 'Already drawn: the February 2026 sample of "monthly-looked-after" was drawn on' in out
    assert "add --replace." in out
    # Replacing it with the same seed draws the same children (none has been started).
    code, again = json_of(
        "audits", "draw", "monthly-looked-after", "--month", "Feb 2026", *auditors, "--replace",
        "--db", db, "--json",
    )  # fmt: skip
    assert code == 0
    assert sorted(c["child"] for c in again["children"]) == sorted(
        c["child"] for c in drawn["children"]
    )
    assert (again["removed"], again["kept"]) == (7, 0)


def test_a_programme_that_cannot_be_set_up_says_why_and_stores_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    code, out = run(
        "audits", "programme", "add", "Monthly", "--title", "x", "--per-month", "5", "--starts",
        "2026-01", "--la", LA, "--db", db,
    )  # fmt: skip
    assert code == 2
    assert '"Monthly" cannot be a programme\'s name: use lower-case letters' in out
    code, out = run("audits", "programme", "list", "--db", db)
    assert code == 2
    assert "the database holds nothing yet: say which LA with --la CODE" in out


# --- the summary for the quarterly QA meeting ----------------------------------------------

# January to March 2026, the grade each audit counts with (moderated: the moderator's):
#   January:  good, inadequate, outstanding, requires improvement      2 good of 4
#   February: good, good, good, inadequate                             3 good of 4
#   March:    good moderated to requires improvement, good             1 good of 2
# 6 good of 10: 60%. The p chart's centre is 60%; its limits 60 ± 3√(0.6 × 0.4 / n), for
# n = 4 60 ± 73.5 and for n = 2 60 ± 103.9, drawn at 0% and 100%.
GRADES = {
    "J1": ("2026-01-10", "good", None),
    "J2": ("2026-01-11", "inadequate", None),
    "J3": ("2026-01-12", "outstanding", None),
    "J4": ("2026-01-13", "requires improvement", None),
    "F1": ("2026-02-10", "good", None),
    "F2": ("2026-02-11", "good", None),
    "F3": ("2026-02-12", "good", None),
    "F4": ("2026-02-13", "inadequate", None),
    "M1": ("2026-03-10", "good", "requires improvement"),
    "M2": ("2026-03-11", "good", None),
}
DRIFT = {"J2", "J4", "F4", "M1"}  # drift in care planning: 4 audits
CHRONOLOGY = {"J2", "M1"}  # chronology out of date: 2 audits
LISTENED = {"J1", "J3", "F1"}  # child seen and listened to (a strength): 3 audits


def quarter(engine: Engine) -> None:
    """The hand-worked quarter: audits, actions and alerts of LA 931."""
    audits = [
        AuditInput(
            child=child,
            auditor="Alex Morgan",
            audit_date=dt.date.fromisoformat(day),
            overall=overall,
            team="Permanence North",
            developments=tuple(
                theme
                for theme, children in (
                    ("Drift in care planning", DRIFT),
                    ("Chronology out of date", CHRONOLOGY),
                )
                if child in children
            ),
            strengths=("Child seen and listened to",) if child in LISTENED else (),
            moderation=Moderation("Bea Okafor", moderated) if moderated else None,
        )
        for child, (day, overall, moderated) in GRADES.items()
    ]
    with engine.begin() as conn:
        record_audits(conn, LA, audits, who="tester")
        # On 31/03/2026: action 1 is 30 days overdue, 3 is 11, 5 is 16; 2 is due that day
        # (not overdue) and 4 is done.
        for title, owner, due in (
            ("Update every chronology", "Head of Service", "2026-03-01"),
            ("Reflective supervision training", "Principal Social Worker", "2026-03-31"),
            ("Contingency plans in every care plan", "Head of Service", "2026-03-20"),
            ("Audit tool revised", "Team Manager", "2026-01-01"),
            ("Permanence tracker in use", "Principal Social Worker", "2026-03-15"),
        ):
            add_action(
                conn,
                LA,
                ActionInput(
                    title, owner, dt.date.fromisoformat(due), origin=Origin.THEME, theme="x"
                ),
                who="tester",
            )
        update_action(conn, LA, 3, "Started", status=Status.IN_PROGRESS, who="tester")
        update_action(conn, LA, 4, "Done", status=Status.DONE, who="tester")
        # Alerts: responded in 3 days and open; awaiting a response; responded in 1 day and
        # resolved. The median time to respond: 2 days.
        one = raise_alert(
            conn, LA, "J2", "drift", role="IRO", who="iro", at=_at("2026-03-02 10:00")
        )
        respond(conn, LA, one.id, "Review booked", who="mgr", at=_at("2026-03-05 09:00"))
        raise_alert(
            conn, LA, "F4", "no contingency plan", role="IRO", who="iro", at=_at("2026-03-10 10:00")
        )
        three = raise_alert(
            conn,
            LA,
            "M1",
            "other",
            detail="x",
            role="CP chair",
            who="c",
            at=_at("2026-02-02 10:00"),
        )
        respond(conn, LA, three.id, "Seen", who="mgr", at=_at("2026-02-03 10:00"))
        resolve(conn, LA, three.id, "Done", who="c", at=_at("2026-02-10 10:00"))


def _at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UK)


@pytest.fixture
def quarter_db(engine: Engine, db_url: str) -> str:
    quarter(engine)
    return db_url


@pytest.fixture
def wide(monkeypatch: pytest.MonkeyPatch) -> None:
    """A terminal wide enough that no table row wraps. (Setting the console's width would
    outlive the test: putting it back sets the width it had then, fixed for good.)"""
    monkeypatch.setenv("COLUMNS", "200")


@pytest.mark.usefixtures("wide")
def test_the_quarters_summary_for_the_qa_meeting_by_hand(quarter_db: str) -> None:
    code, out = run("audits", "summary", "--as-at", AS_AT, "--months", "3", "--db", quarter_db)
    assert code == 0, out
    assert (
        "Case audits, LA 931 (template case-audit), as at 31/03/2026: the 3 months from January 2026."
        in out
    )
    assert "Audits completed: 10. Good or better: 6 of the 10 graded (60%)." in out
    assert (
        "This quarter (from 01/01/2026): 60% good or better; no audits graded in the quarter "
        "before." in out
    )
    # The trend, month by month: graded, good, share, centre, limits.
    assert "January 2026 4 2 50% 60% 0% to 100%" in out
    assert "February 2026 4 3 75% 60% 0% to 100%" in out
    assert "March 2026 2 1 50% 60% 0% to 100%" in out
    assert (
        "Top areas for development: drift in care planning (4 audits); chronology out of date (2 audits)."
        in out
    )
    assert "Top strengths: child seen and listened to (3 audits)." in out
    assert (
        "Moderation: 1 audit moderated; the moderator gave the same grade in 0%, and 1 moved "
        "across the line between good and not yet good enough." in out
    )
    # Every overdue action with its owner: the owner with most overdue first.
    assert "Overdue actions: 3 on 31/03/2026, by owner" in out
    assert (
        "Head of Service 1. Update every chronology 01/03/2026 30 open "
        "3. Contingency plans in every care plan 20/03/2026 11 in progress "
        "Principal Social Worker 5. Permanence tracker in use 15/03/2026 16 open" in out
    )
    assert "Reflective supervision training" not in out  # due that day: not overdue
    assert (
        "Management alerts: 2 open, 1 of them awaiting a response; the median time to "
        "respond, for alerts raised in these months: 2 days." in out
    )
    assert "Indicators beside audits" in out
    assert "Re-referrals within 12 months: not available" in out
    for child in GRADES:  # no child's ID
        assert f" {child} " not in f" {out} "


def test_the_summary_as_json_names_no_child_and_lists_the_meeting(quarter_db: str) -> None:
    code, data = json_of(
        "audits", "summary", "--as-at", AS_AT, "--months", "3", "--db", quarter_db, "--json"
    )
    assert code == 0
    assert (data["completed"], data["good"], data["percent_good"]) == (10, 6, 60.0)
    assert [p["percent_good"] for p in data["trend"]["points"]] == [50.0, 75.0, 50.0]
    assert [(r["owner"], r["id"], r["days_overdue"]) for r in data["qa_meeting"]] == [
        ("Head of Service", 1, 30),
        ("Head of Service", 3, 11),
        ("Principal Social Worker", 5, 16),
    ]
    assert all("child" not in row for row in data["open_alerts"])
    assert [i["key"] for i in data["indicators"]] == [
        "three-or-more-placements",
        "three-or-more-placements-in-2-years",
        "long-term-stability",
        "re-referrals",
    ]
    assert "J2" not in json.dumps(data)


def test_the_summary_is_in_the_access_log_and_a_phase_date_splits_the_trend(
    quarter_db: str, engine: Engine
) -> None:
    code, data = json_of(
        "audits", "summary", "--as-at", AS_AT, "--months", "3", "--phase-from", "01/02/2026",
        "--db", quarter_db, "--json",
    )  # fmt: skip
    assert code == 0
    # From February: 4 of 6 good, a centre of 66.7%; January alone 50%.
    centres = [round(p["cl"], 1) for p in data["trend"]["chart"]["points"]]
    assert centres == [50.0, 66.7, 66.7]
    with engine.connect() as conn:
        logged = conn.execute(
            select(access_log.c.action, access_log.c.child).where(
                access_log.c.action == "audit summary"
            )
        ).all()
    assert logged == [("audit summary", None)]


def test_a_benchmarks_file_that_cannot_be_used_is_said_plainly(
    quarter_db: str, tmp_path: Path
) -> None:
    wrong = tmp_path / "benchmarks.toml"
    wrong.write_text(
        'name = "ours"\ntitle = "Ours"\n[[indicators]]\nkey = "stability"\nsuggestion = "x"\n'
    )
    code, out = run("audits", "summary", "--indicators", str(wrong), "--db", quarter_db)
    assert code == 2
    assert "Cannot use these benchmarks" in out and 'field "key"' in out


def test_an_la_not_in_the_database_is_refused(quarter_db: str) -> None:
    code, out = run("audits", "summary", "--la", "123", "--db", quarter_db)
    assert code == 2
    assert "the database holds no LA '123'. It holds: 931." in out
