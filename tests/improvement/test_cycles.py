"""PDSA cycles: numbered per aim, edited, imported from CSV all or nothing; on SQLite and,
when a server answers, PostgreSQL."""

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Connection, Engine

from carejourney.config.rules import load_rule_set
from carejourney.improvement.aims import Aim, add_aim, aims_from_rule_set
from carejourney.improvement.cycles import (
    Act,
    CycleError,
    CycleInput,
    add_cycle,
    add_cycles,
    get_cycle,
    list_cycles,
    read_cycles_csv,
    update_cycle,
)

REMINDER = CycleInput(
    title="15-week reminder",
    change_idea="The tracker reminds the worker when a case reaches 15 weeks",
    prediction="More recommendations within 30 weeks",
    do_start=dt.date(2019, 4, 1),
)


def stored_aims(conn: Connection) -> list[Aim]:
    return [add_aim(conn, "931", a) for a in aims_from_rule_set(load_rule_set("pace-moray"))]


def test_cycles_are_numbered_per_aim_and_listed_in_order(engine: Engine) -> None:
    with engine.begin() as conn:
        two, three, _ = stored_aims(conn)
        first = add_cycle(conn, two, REMINDER, who="jo")
        add_cycle(conn, two, replace(REMINDER, title="Planning meeting", starts_phase=True))
        add_cycle(conn, three, replace(REMINDER, title="Panel dates"))
        add_cycle(conn, two, replace(REMINDER, title="Legal surgery", author="Sam"))
    with engine.connect() as conn:
        cycles = list_cycles(conn, two)
        others = list_cycles(conn, three)
    assert [(c.number, c.title) for c in cycles] == [
        (1, "15-week reminder"),
        (2, "Planning meeting"),
        (3, "Legal surgery"),
    ]
    assert [(c.number, c.title) for c in others] == [(1, "Panel dates")]
    assert (first.number, first.created_by, first.author) == (1, "jo", "jo")  # author: who added it
    assert cycles[2].author == "Sam"
    assert [c.starts_phase for c in cycles] == [False, True, False]
    assert cycles[0].as_input() == replace(REMINDER, author="jo")


def test_a_cycle_is_edited_with_what_happened(engine: Engine) -> None:
    with engine.begin() as conn:
        two = stored_aims(conn)[0]
        add_cycle(conn, two, REMINDER)
    with engine.begin() as conn:
        cycle = get_cycle(conn, two, 1)
        edited = replace(
            cycle.as_input(),
            study="9 of 12 on time, up from 6",
            act=Act.ADOPT,
            do_end=dt.date(2019, 6, 30),
        )
        update_cycle(conn, two, 1, edited, who="sam")
    with engine.connect() as conn:
        after = get_cycle(conn, two, 1)
    assert (after.study, after.act, after.do_end) == (
        "9 of 12 on time, up from 6",
        Act.ADOPT,
        dt.date(2019, 6, 30),
    )
    assert after.updated_by == "sam" and after.updated_at is not None
    assert after.created_at == cycle.created_at and after.title == cycle.title


def test_cycles_that_make_no_sense_are_refused(engine: Engine) -> None:
    with engine.begin() as conn:
        two = stored_aims(conn)[0]
        with pytest.raises(CycleError, match=r"ends \(31/03/2019\) before it starts"):
            add_cycle(conn, two, replace(REMINDER, do_end=dt.date(2019, 3, 31)))
        with pytest.raises(CycleError, match="needs a prediction"):
            add_cycle(conn, two, replace(REMINDER, prediction=" "))
        with pytest.raises(CycleError, match=r"has no PDSA cycle 4. Its cycles: none yet"):
            get_cycle(conn, two, 4)
        with pytest.raises(CycleError, match="has no PDSA cycle 4"):
            update_cycle(conn, two, 4, REMINDER)


def test_adding_several_cycles_is_all_or_nothing(engine: Engine) -> None:
    with engine.begin() as conn:
        two = stored_aims(conn)[0]
    bad = replace(REMINDER, title="Backwards", do_end=dt.date(2019, 1, 1))
    with pytest.raises(CycleError), engine.begin() as conn:
        add_cycles(conn, two, [REMINDER, bad])
    with engine.connect() as conn:
        assert list_cycles(conn, two) == []


GOOD = """title,change_idea,prediction,do_start,do_end,study,act,author,starts_phase
15-week reminder,Remind at 15 weeks,More on time,01/04/2019,30/06/2019,9 of 12 on time,adopt,Jo,no
Planning meeting,"A meeting at 12 weeks, with Legal",Reports ready,2019-07-01,,,,,yes

Legal surgery,Weekly surgery,Fewer delays,01/09/2019,,,ADAPT,,
"""


def test_cycles_are_read_from_a_csv_file(tmp_path: Path) -> None:
    path = tmp_path / "cycles.csv"
    path.write_text(GOOD, encoding="utf-8-sig")  # as Excel saves "CSV UTF-8"
    cycles = read_cycles_csv(path)
    assert cycles == [
        CycleInput(
            title="15-week reminder",
            change_idea="Remind at 15 weeks",
            prediction="More on time",
            do_start=dt.date(2019, 4, 1),
            do_end=dt.date(2019, 6, 30),
            study="9 of 12 on time",
            act=Act.ADOPT,
            author="Jo",
        ),
        CycleInput(
            title="Planning meeting",
            change_idea="A meeting at 12 weeks, with Legal",
            prediction="Reports ready",
            do_start=dt.date(2019, 7, 1),
            starts_phase=True,
        ),
        CycleInput(
            title="Legal surgery",
            change_idea="Weekly surgery",
            prediction="Fewer delays",
            do_start=dt.date(2019, 9, 1),
            act=Act.ADAPT,
        ),
    ]


def test_every_problem_in_a_csv_file_names_its_row_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cycles.csv"
    path.write_text(
        "title,change_idea,prediction,do_start,do_end,act,starts_phase\n"
        "Reminder,Remind at 15 weeks,More on time,01/04/2019,,,\n"
        "Meeting,,Reports ready,31/02/2019,01/01/2019,maybe,perhaps\n"
    )
    with pytest.raises(CycleError, match=r"cycles.csv has 4 problems: nothing was imported") as e:
        read_cycles_csv(path)
    # Row 3 (the headings are row 1). Its end date is not checked against a start date
    # that is not a date.
    assert [(p.row, p.column, p.value, p.message) for p in e.value.problems] == [
        (3, "change_idea", None, "This cell is blank: it needs the change being tested."),
        (
            3,
            "do_start",
            "31/02/2019",
            "Expected a date written dd/mm/yyyy (like 18/03/2024) or 2024-03-18.",
        ),
        (3, "act", "maybe", "Expected adopt, adapt or abandon (or blank until decided)."),
        (3, "starts_phase", "perhaps", "Expected yes or no (blank means no)."),
    ]
    assert {p.file for p in e.value.problems} == {"cycles.csv"}


def test_wrong_headings_are_explained(tmp_path: Path) -> None:
    path = tmp_path / "cycles.csv"
    path.write_text("title,chnage_idea,prediction\nA,B,C\n")
    with pytest.raises(CycleError, match="column headings are not right") as e:
        read_cycles_csv(path)
    messages = {(p.column, p.message) for p in e.value.problems}
    assert (
        "chnage_idea",
        'carejourney does not know this column. Did you mean "change_idea"? The columns are: '
        "title, change_idea, prediction, do_start, do_end, study, act, author, starts_phase.",
    ) in messages
    assert (
        "do_start",
        "The column do_start is missing: add it, holding the date the test started, dd/mm/yyyy.",
    ) in messages


def test_files_that_cannot_be_read_are_explained(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(CycleError, match="not UTF-8 text"):
        read_cycles_csv(latin)
    with pytest.raises(CycleError, match="Cannot read"):
        read_cycles_csv(tmp_path / "missing.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("title,change_idea,prediction,do_start\n")
    with pytest.raises(CycleError, match="holds no cycles"):
        read_cycles_csv(empty)
