"""Demand files stored as LA lists: all or nothing, replaced whole, loaded for the measures.

Every test here runs against SQLite and, when a server answers, PostgreSQL."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl
from polars.testing import assert_frame_equal
from sqlalchemy import Engine, select

from carejourney import imports
from carejourney.measures.demand.data import COLUMNS, DemandData
from carejourney.measures.demand.stored import load_demand
from carejourney.store import queries
from carejourney.store.tables import DEMAND_TABLES, import_file, la_demand
from tests.returns import write_table
from tests.test_imports import snapshot

D = dt.date
CONTACTS = """
CHILD | FAMILY | CONTACT_DATE | SOURCE | NEED    | DECISION | DECISION_DATE | OUTCOME     | TEAM       | DEMAND  | FAILURE_TYPE | WHAT_MATTERS                 | CLOSED_DATE
11    | F1     | 01/04/2024   | Police | Neglect | Assess   | 02/04/2024    | Assessment  | Front door | Value   |              | Tell my story only once      |
11    |        | 15/04/2024   | Mother | Neglect | Update   | 15/04/2024    |             | Front door | Failure | Chasing      | Tell my story only once; No paperwork | 15/04/2024
"""
ASSESSMENTS = """
CHILD | REFERRAL_DATE | START      | AUTHORISED | KIND                        | TEAM
11    | 02/04/2024    | 03/04/2024 | 30/05/2024 | Child and family assessment | East
"""
HELP = """
CHILD | HELP               | START      | END | RIGHT_HELP
11    | Child in need plan | 01/06/2024 |     | yes
"""
CIN_REFERRALS = """
LAchildID | CINdetailsID | CINreferralDate | ReferralSource | PrimaryNeedCode | CINclosureDate | ReasonForClosure | ReferralNFA
11        | C1           | 2024-04-02      | 6              | N1              |                |                  | false
"""
CIN_ASSESSMENTS = """
LAchildID | CINdetailsID | CINreferralDate | AssessmentActualStartDate | AssessmentAuthorisationDate
11        | C1           | 2024-04-02      | 2024-04-03                | 2024-05-30
"""


def demand_files(folder: Path, contacts: str = CONTACTS) -> Path:
    write_table(folder / "contacts.csv", contacts)
    write_table(folder / "assessments.csv", ASSESSMENTS)
    write_table(folder / "help.csv", HELP)
    write_table(folder / "cin_referrals.csv", CIN_REFERRALS)
    write_table(folder / "cin_assessments.csv", CIN_ASSESSMENTS)
    return folder


def loaded(engine: Engine, la: str = "931") -> DemandData:
    with engine.connect() as conn:
        return load_demand(conn, la)


def frame(kind: str, rows: list[tuple[object, ...]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=COLUMNS[kind], orient="row")


def test_demand_files_are_stored_and_loaded_for_the_measures(
    engine: Engine, tmp_path: Path
) -> None:
    outcome = imports.import_returns(engine, [demand_files(tmp_path)], la="931")
    assert outcome.saved is not None and outcome.saved.batch_id == 1
    assert outcome.saved.lists == dict.fromkeys(
        ["Contacts", "Assessments", "Help provided", "CIN referrals", "CIN assessments"], "stored"
    )
    data = loaded(engine)
    assert data.la == "931" and data.has_contacts
    assert_frame_equal(
        data.contacts,
        frame(
            "contacts",
            [
                ("11", "F1", D(2024, 4, 1), "Police", "Neglect", "Assess", D(2024, 4, 2),
                 "ASSESSMENT", "Front door", "VALUE", None, "Tell my story only once", None),
                ("11", "11", D(2024, 4, 15), "Mother", "Neglect", "Update", D(2024, 4, 15),
                 None, "Front door", "FAILURE", "CHASING",
                 "Tell my story only once; No paperwork", D(2024, 4, 15)),
            ],
        ),
    )  # fmt: skip
    assert_frame_equal(
        data.assessments,
        frame(
            "assessments",
            [
                (
                    "11",
                    D(2024, 4, 2),
                    D(2024, 4, 3),
                    D(2024, 5, 30),
                    "Child and family assessment",
                    "East",
                )
            ],
        ),
    )
    assert_frame_equal(
        data.help, frame("help", [("11", "Child in need plan", D(2024, 6, 1), None, True)])
    )
    assert_frame_equal(
        data.cin_referrals,
        frame("cin_referrals", [("11", D(2024, 4, 2), "6", "N1", None, None, False)]),
    )
    assert_frame_equal(
        data.cin_assessments,
        frame("cin_assessments", [("11", D(2024, 4, 2), D(2024, 4, 3), D(2024, 5, 30))]),
    )
    with engine.connect() as conn:
        files = conn.execute(
            select(import_file.c.table_name, import_file.c.rows, import_file.c.year).order_by(
                import_file.c.table_name
            )
        ).all()
    assert [tuple(f) for f in files] == [
        ("Assessments", 1, None),
        ("CIN assessments", 1, None),
        ("CIN referrals", 1, None),
        ("Contacts", 2, None),
        ("Help provided", 1, None),
    ]


def test_an_la_with_no_demand_has_empty_frames_with_every_column(engine: Engine) -> None:
    data = loaded(engine, "999")
    assert not data.has_contacts
    for kind, columns in COLUMNS.items():
        assert getattr(data, kind).schema == pl.Schema(columns)
        assert getattr(data, kind).height == 0


def test_importing_the_same_files_again_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = demand_files(tmp_path)
    imports.import_returns(engine, [folder], la="931")
    before = snapshot(engine)
    again = imports.import_returns(engine, [folder], la="931")
    assert again.saved is not None and again.saved.batch_id is None
    assert set(again.saved.lists.values()) == {"unchanged"}
    assert snapshot(engine) == before


def test_a_new_contacts_file_replaces_the_contacts_and_nothing_else(
    engine: Engine, tmp_path: Path
) -> None:
    imports.import_returns(engine, [demand_files(tmp_path / "first")], la="931")
    write_table(
        tmp_path / "second" / "contacts.csv",
        "CHILD | CONTACT_DATE | OUTCOME\n12 | 01/05/2024 | No further action",
    )
    outcome = imports.import_returns(engine, [tmp_path / "second"], la="931")
    assert outcome.saved is not None and outcome.saved.lists == {"Contacts": "replaced"}
    data = loaded(engine)
    assert data.contacts.select("CHILD", "FAMILY", "OUTCOME").rows() == [("12", "12", "NFA")]
    assert data.assessments.height == data.help.height == data.cin_referrals.height == 1
    with engine.connect() as conn:
        holders = conn.execute(select(la_demand.c.kind, la_demand.c.batch_id)).all()
    assert dict(holders) == {
        "Contacts": 2,
        "Assessments": 1,
        "Help provided": 1,
        "CIN referrals": 1,
        "CIN assessments": 1,
    }


def test_a_bad_file_among_good_ones_stores_nothing(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [demand_files(tmp_path / "first")], la="931")
    before = snapshot(engine)
    folder = demand_files(tmp_path / "second", CONTACTS.replace("Police", "School"))
    write_table(
        folder / "help.csv",
        """
        CHILD | HELP      | START      | END
        11    | Parenting | 02/04/2024 | 01/04/2024
        """,
    )
    outcome = imports.import_returns(engine, [folder], la="931")
    assert not outcome.stored
    assert [(Path(p.file).name, p.row, p.column, p.code) for p in outcome.problems] == [
        ("help.csv", 2, "END", "help-end-before-start")
    ]
    assert snapshot(engine) == before


def test_each_la_has_its_own_demand(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [demand_files(tmp_path)], la="931")
    assert loaded(engine, "S12000033").contacts.height == 0
    with engine.connect() as conn:
        counts = {
            kind: len(conn.execute(select(table.c.id).where(table.c.la == "931")).all())
            for kind, table in DEMAND_TABLES.items()
        }
    assert counts == {
        "Contacts": 2,
        "Assessments": 1,
        "Help provided": 1,
        "CIN referrals": 1,
        "CIN assessments": 1,
    }


def test_an_la_with_only_demand_is_known_and_its_batch_is_current(
    engine: Engine, tmp_path: Path
) -> None:
    outcome = imports.import_returns(engine, [demand_files(tmp_path)], la="931")
    assert outcome.saved is not None
    with engine.connect() as conn:
        assert queries.local_authorities(conn) == ["931"]
        [summary] = queries.summarise(conn)
        assert summary.rows == {
            "Contacts": 2,
            "Assessments": 1,
            "Help provided": 1,
            "CIN referrals": 1,
            "CIN assessments": 1,
        }
        [batch] = queries.batches(conn)
        assert batch.current
        assert imports.what_was_stored(outcome.saved) == (
            "Contacts (stored) Assessments (stored) Help provided (stored) "
            "CIN referrals (stored) CIN assessments (stored)"
        )
