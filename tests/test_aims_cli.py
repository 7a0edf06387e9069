"""Aims and PDSA cycles from the command line, as an improvement lead new to carejourney
would use them: on a synthetic LA, on SQLite and, when a server answers, PostgreSQL."""

import json
from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from carejourney import imports
from carejourney.cli import app
from carejourney.store import database
from carejourney.store.tables import access_log
from carejourney.synth.ssda903 import write_returns

runner = CliRunner()
AIM_2 = "aim-2-recommendation"


@pytest.fixture(scope="module")
def returns(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "returns"
    write_returns(folder, children=300, years=4, seed=5, la="999")
    return folder


def run(*args: str) -> tuple[int, str]:
    """The exit code and what was printed, as one line of words (the terminal wraps)."""
    result = runner.invoke(app, list(args))
    # Bad input ends with a message and exit code 2, never a traceback.
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    # Typer boxes its own messages (a missing option, a bad date): the box is not words.
    text = result.output.translate({ord(c): " " for c in "│╭╮╰╯─"})
    return result.exit_code, " ".join(text.split())


def test_an_improvement_lead_adds_aims_and_three_cycles_and_sees_the_chart(
    returns: Path, db_url: str, tmp_path: Path
) -> None:
    db = db_url
    # Imported as `carejourney import` does, with the engine closed after (a server counts
    # open connections).
    engine = database.connect(db)
    assert imports.import_returns(engine, [returns], la="999").stored
    engine.dispose()
    code, out = run("aims", "add", "--from-rules", "pace-moray", "--owner", "Jo Bloggs", "--db", db)
    assert code == 0, out
    assert "Added aim-2-recommendation (85% by 01/12/2019): Aim 2: By 01 Dec 2019, 85%" in out
    assert "Added aim-4-order-lodged (60% by 01/12/2019)" in out
    code, out = run("aims", "list", "--db", db, "--json")
    aims = json.loads(out)
    assert [a["name"] for a in aims] == [AIM_2, "aim-3-panel", "aim-4-order-lodged"]
    assert {a["owner"] for a in aims} == {"Jo Bloggs"} and {a["cycles"] for a in aims} == {0}

    cycles = [
        ("15-week reminder", "Remind the worker at 15 weeks", "01/04/2023", []),
        ("Planning meeting", "A permanence planning meeting at 12 weeks", "01/01/2024", []),
        ("Legal surgery", "A weekly surgery with Legal", "01/09/2024", ["--new-phase"]),
    ]
    for title, change, start, extra in cycles:
        code, out = run(
            "pdsa", "add", AIM_2, "--title", title, "--change", change, "--prediction",
            "More recommendations within 30 weeks", "--start", start, "--db", db, *extra,
        )  # fmt: skip
        assert code == 0, out
    assert "Added PDSA 3 (Legal surgery) to aim-2-recommendation" in out
    code, out = run(
        "pdsa", "edit", AIM_2, "1", "--study", "9 of 12 on time, up from 6", "--act", "adopt",
        "--end", "30/06/2023", "--db", db,
    )  # fmt: skip
    assert code == 0 and "Updated PDSA 1 (15-week reminder)" in out, out
    listed = json.loads(run("pdsa", "list", AIM_2, "--db", db, "--json")[1])
    assert [(c["number"], c["act"], c["starts_phase"]) for c in listed] == [
        (1, "adopt", False),
        (2, None, False),
        (3, None, True),
    ]
    assert listed[0]["study"] == "9 of 12 on time, up from 6" and listed[0]["author"]

    svg = tmp_path / "aim2.svg"
    code, out = run("aims", "chart", AIM_2, "--svg", str(svg), "--db", db)
    assert code == 0, out
    assert svg.read_text().lstrip().startswith("<svg")
    assert "PDSA 1: 15-week reminder" in svg.read_text()
    assert "What the chart shows as at 31/03/2026" in out
    assert "control chart of proportions (P chart)" in out
    assert "Signals •" in out and "The target is 85" in out
    assert "PDSA cycles on the chart • PDSA 1: 15-week reminder: marked at April 2023" in out
    assert f"Wrote the chart to {svg}" in out

    code, out = run("aims", "chart", AIM_2, "--view", "children", "--json", "--db", db)
    assert code == 0, out
    chart = json.loads(out)
    assert [m["label"] for m in chart["markers"]] == [
        "PDSA 1: 15-week reminder",
        "PDSA 2: Planning meeting",
        "PDSA 3: Legal surgery",
    ]
    third = chart["markers"][2]["at"]
    assert chart["analysis"]["options"]["parts"] == [third - 1]  # a new phase from PDSA 3
    assert chart["series"]["chart"] == "i" and chart["series"]["target"] == 210
    assert chart["series"]["improvement"] == "down"
    points = chart["series"]["points"]
    assert points and all(set(p) == {"date", "label", "y", "n", "open"} for p in points)
    assert chart["signals"] and chart["text_alternative"]

    code, out = run("aims", "show", AIM_2, "--db", db)
    assert code == 0, out
    for words in (
        "aim-2-recommendation: Aim 2: By 01 Dec 2019",
        "Cohort: children who entered care on or after 01/02/2019",
        "Measure: rule aim-2-recommendation of pace-moray",
        "Target: 85% Deadline: 01/12/2019 Owner: Jo Bloggs",
        "1. 15-week reminder: 01/04/2023 to 30/06/2023; act: adopt",
        "3. Legal surgery: 01/09/2024 (running); act: not decided; starts a new phase",
        "Signals •",
    ):
        assert words in out
    code, out = run("aims", "list", "--db", db)
    assert (
        code == 0 and "aim-2-recommendation 85% 01/12/2019 Jo Bloggs 3 rule set pace-moray" in out
    )

    # Charts are worked out from children's records: each look is in the access log, but
    # names no child.
    engine = database.connect(db)
    with engine.connect() as conn:
        logged = conn.execute(
            select(access_log.c.child, access_log.c.detail).where(
                access_log.c.action == "aim chart (figures only)"
            )
        ).all()
    engine.dispose()
    assert len(logged) == 3 and {row.child for row in logged} == {None}


def test_bad_input_gets_a_message_and_exit_code_2(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    code, out = run("aims", "list", "--db", db)
    assert code == 2 and "the database holds no LA yet: say which with --la CODE" in out
    assert run("aims", "add", "--from-rules", "pace-moray", "--la", "931", "--db", db)[0] == 0
    cases = [
        (["aims", "add", "--from-rules", "pace-moray"], "LA 931 already has every aim"),
        (["aims", "add", "--from-rules", "england"], '"england" has no rule with a target_percent'),
        (["aims", "add", "quick"], "give the aim a NAME and its --statement"),
        (["aims", "add", "quick", "--statement", "s"], "How is the aim measured?"),
        (
            ["aims", "add", "quick", "--statement", "s", "--rule-set", "pace-moray"],
            "Which rule?: give --rule: which rule of pace-moray measures the aim? Its rules: "
            "aim-2-recommendation, aim-3-panel, aim-4-order-lodged.",
        ),
        (
            [
                "aims",
                "add",
                "quick",
                "--statement",
                "s",
                "--rule-set",
                "pace-moray",
                "--rule",
                "aim-3-panl",
            ],
            'Did you mean "aim-3-panel"?',
        ),
        (
            ["aims", "add", "quick", "--statement", "s", "--rule-set", "pace-morey", "--rule", "x"],
            'There is no shipped rule set called "pace-morey"',
        ),
        (
            [
                "aims",
                "add",
                "Quick Panels",
                "--statement",
                "s",
                "--rule-set",
                "pace-moray",
                "--rule",
                "aim-3-panel",
            ],
            "use lower-case letters, digits and hyphens",
        ),
        (
            [
                "aims",
                "add",
                "quick",
                "--statement",
                "s",
                "--rule-set",
                "pace-moray",
                "--rule",
                "aim-3-panel",
                "--deadline",
                "1 Dec",
            ],
            "'1 Dec' is not a date: write it as dd/mm/yyyy",
        ),
        (
            ["aims", "show", "aim-2-recomendation"],
            'LA 931 has no aim called "aim-2-recomendation". Did you mean "aim-2-recommendation"?',
        ),
        (["aims", "list", "--la", "100"], "the database holds no LA '100'. It holds: 931."),
        (
            [
                "pdsa",
                "add",
                AIM_2,
                "--title",
                "t",
                "--change",
                "c",
                "--prediction",
                "p",
                "--start",
                "31/02/2025",
            ],
            "'31/02/2025' is not a date: write it as dd/mm/yyyy",
        ),
        (
            [
                "pdsa",
                "add",
                AIM_2,
                "--title",
                "t",
                "--change",
                "c",
                "--prediction",
                "p",
                "--start",
                "01/03/2025",
                "--end",
                "01/02/2025",
            ],
            "The cycle ends (01/02/2025) before it starts (01/03/2025): check the dates. Nothing was changed.",
        ),
        (["pdsa", "add", AIM_2, "--title", "t"], "Missing option"),
        (["pdsa", "edit", AIM_2, "9", "--study", "s"], "has no PDSA cycle 9. Its cycles: none yet"),
        (["pdsa", "edit", AIM_2, "1"], "Nothing to change"),
        (["pdsa", "import", AIM_2, str(tmp_path / "missing.csv")], "Cannot read"),
    ]
    for args, message in cases:
        code, out = run(*args, "--db", db)
        assert (code, message in out) == (2, True), (args, out)
    # The aim an LA can also be added for an LA with nothing loaded yet.
    assert json.loads(run("aims", "list", "--db", db, "--json")[1])[0]["la"] == "931"
    assert run("pdsa", "list", AIM_2, "--db", db, "--json")[1] == "[]"


def test_a_pdsa_file_with_a_bad_row_stores_nothing(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    run("aims", "add", "--from-rules", "pace-moray", "--la", "931", "--db", db)
    cycles = tmp_path / "cycles.csv"
    cycles.write_text(
        "title,change_idea,prediction,do_start,do_end,study,act,author,starts_phase\n"
        "Reminder,Remind at 15 weeks,More on time,01/04/2019,30/06/2019,9 of 12,adopt,Jo,no\n"
        "Meeting,A meeting at 12 weeks,Reports ready,2019-31-07,,,maybe,,\n"
    )
    code, out = run("pdsa", "import", AIM_2, str(cycles), "--db", db)
    assert code == 2
    assert "cycles.csv, column do_start, row 3, value '2019-31-07'" in out
    assert "cycles.csv, column act, row 3, value 'maybe'" in out
    assert "cycles.csv has 2 problems: nothing was imported. Nothing was changed." in out
    assert run("pdsa", "list", AIM_2, "--db", db, "--json")[1] == "[]"
    cycles.write_text(cycles.read_text().replace("2019-31-07", "2019-07-31").replace("maybe", ""))
    code, out = run("pdsa", "import", AIM_2, str(cycles), "--db", db)
    assert (code, out) == (0, "Imported 2 PDSA cycles into aim-2-recommendation (numbered 1 to 2).")
    listed = json.loads(run("pdsa", "list", AIM_2, "--db", db, "--json")[1])
    assert [(c["number"], c["title"], c["do_start"]) for c in listed] == [
        (1, "Reminder", "2019-04-01"),
        (2, "Meeting", "2019-07-31"),
    ]


def test_an_aim_measured_by_an_analysts_csv(tmp_path: Path) -> None:
    db = str(tmp_path / "cj.db")
    rows = [(f"2024-{m:02}-01", 40 + m % 3, 12 - m // 2) for m in range(1, 13)]
    series = tmp_path / "rereferrals.csv"
    series.write_text("month,referrals,repeat\n" + "".join(f"{d},{n},{v}\n" for d, n, v in rows))
    add = [
        "aims",
        "add",
        "fewer-re-referrals",
        "--statement",
        "By March 2025, under 15% are re-referrals",
    ]
    code, out = run(
        *add, "--csv", str(series), "--value", "repeat", "--n", "referrals", "--target", "15",
        "--improvement", "down", "--la", "931", "--db", db,
    )  # fmt: skip
    assert code == 0 and "with 12 points from rereferrals.csv" in out, out
    code, out = run(
        "pdsa", "add", "fewer-re-referrals", "--title", "Step-down calls", "--change",
        "Call families 4 weeks after closing", "--prediction", "Fewer come back", "--start",
        "15/06/2024", "--new-phase", "--author", "Sam", "--db", db,
    )  # fmt: skip
    assert code == 0, out
    code, out = run("aims", "chart", "fewer-re-referrals", "--json", "--db", db)
    chart = json.loads(out)
    assert chart["as_at"] is None and chart["view"] is None
    assert chart["series"]["chart"] == "p" and chart["series"]["target"] == 15
    assert [p["y"] for p in chart["series"]["points"]] == [v for _, _, v in rows]
    assert [p["n"] for p in chart["series"]["points"]] == [n for _, n, _ in rows]
    assert chart["markers"] == [{"at": 7, "label": "PDSA 1: Step-down calls"}]  # July
    assert chart["analysis"]["options"]["parts"] == [6]
    code, out = run("aims", "show", "fewer-re-referrals", "--db", db)
    assert "Measure: CSV series (repeat, p chart)" in out and "Target: 15%" in out

    undated = tmp_path / "undated.csv"
    undated.write_text("value\n3\n4\n")
    code, out = run("aims", "add", "undated", "--statement", "s", "--csv", str(undated), "--db", db)
    assert code == 2 and "undated.csv has no column of dates" in out
    code, out = run(
        *add[:2],
        "other",
        *add[3:],
        "--csv",
        str(series),
        "--value",
        "repeat",
        "--chart",
        "u",
        "--db",
        db,
    )
    assert code == 2 and "a u chart needs a denominator: name its column in" in out
    code, out = run(
        *add[:2], "other", *add[3:], "--csv", str(series), "--chart", "xbar", "--db", db
    )
    assert code == 2 and "'xbar' is not a chart an aim can use" in out
