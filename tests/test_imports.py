"""Importing returns into the store: all or nothing, idempotent, years replaced whole.

Every test here runs against SQLite and, when a server answers, PostgreSQL."""

from pathlib import Path

from sqlalchemy import Engine, MetaData, select

from carejourney import imports
from carejourney.journeys.stored import load
from carejourney.store import queries
from carejourney.store.tables import RETURN_TABLES, import_problem, tracker_milestone
from tests.returns import EPISODES, HEADER, minimal_return, write_table


def snapshot(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every row of every table, to prove the database is exactly as it was."""
    meta = MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return {
            name: sorted(map(tuple, conn.execute(select(table)).all()), key=repr)
            for name, table in meta.tables.items()
        }


def test_import_stores_every_row_with_provenance(engine: Engine, tmp_path: Path) -> None:
    outcome = imports.import_returns(engine, [minimal_return(tmp_path)], la="931")
    assert outcome.stored and outcome.saved and outcome.saved.batch_id == 1
    with engine.connect() as conn:
        [summary] = queries.summarise(conn)
        [batch] = queries.batches(conn)
    assert (summary.la, summary.years, summary.children) == ("931", [2022], 2)
    assert summary.rows == {"Header": 2, "Episodes": 3}
    assert (batch.rows, batch.current, batch.years) == (5, True, [2022])


def test_importing_the_same_files_twice_changes_nothing(engine: Engine, tmp_path: Path) -> None:
    folder = minimal_return(tmp_path)
    imports.import_returns(engine, [folder], la="931")
    before = snapshot(engine)
    again = imports.import_returns(engine, [folder], la="931")
    assert again.saved is not None and again.saved.batch_id is None
    assert again.saved.unchanged_years == [2022]
    assert snapshot(engine) == before


def test_a_broken_set_leaves_the_database_exactly_as_it_was(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [minimal_return(tmp_path / "good")], la="931")
    before = snapshot(engine)
    broken = minimal_return(
        tmp_path / "broken", episodes=EPISODES.replace("10/10/2022", "10/13/2022")
    )
    outcome = imports.import_returns(engine, [broken], la="931")
    assert not outcome.stored
    assert [(p.row, p.column, p.code) for p in outcome.problems] == [
        (4, "DECOM", "date-not-a-date")
    ]
    assert snapshot(engine) == before


def test_reimporting_a_year_replaces_it_whole(engine: Engine, tmp_path: Path) -> None:
    imports.import_returns(engine, [minimal_return(tmp_path / "first")], la="931")
    one_child = "\n".join(EPISODES.strip().splitlines()[:3])
    second = imports.import_returns(
        engine, [minimal_return(tmp_path / "second", episodes=one_child)], la="931"
    )
    assert second.saved and second.saved.replaced_years == [2022]
    with engine.connect() as conn:
        [summary] = queries.summarise(conn)
        batches = queries.batches(conn)
    assert summary.rows["Episodes"] == 2
    assert [b.current for b in batches] == [False, True]


def test_several_las_share_one_database(engine: Engine, tmp_path: Path) -> None:
    folder = minimal_return(tmp_path)
    imports.import_returns(engine, [folder], la="931")
    imports.import_returns(engine, [folder], la="S12000033")
    with engine.connect() as conn:
        assert [s.la for s in queries.summarise(conn)] == ["931", "S12000033"]
        episodes = RETURN_TABLES["Episodes"]
        assert conn.execute(
            select(episodes.c.la).distinct().order_by(episodes.c.la)
        ).scalars().all() == ["931", "S12000033"]


def test_the_la_must_be_named_when_it_is_not_obvious(engine: Engine, tmp_path: Path) -> None:
    folder = minimal_return(tmp_path / "returns")
    refused = imports.import_returns(engine, [folder])
    assert [p.code for p in refused.problems] == ["la-missing"]
    imports.import_returns(engine, [folder], la="931")
    # With one LA in the database, it is the default.
    assert imports.import_returns(engine, [folder]).la == "931"


def test_warnings_are_stored_with_the_batch(engine: Engine, tmp_path: Path) -> None:
    folder = minimal_return(tmp_path / "returns", header=HEADER.replace("WBRI", "XXXX"))
    imports.import_returns(engine, [folder], la="931")
    with engine.connect() as conn:
        rows = conn.execute(
            select(import_problem.c.code, import_problem.c.row, import_problem.c.severity)
        ).all()
    assert [tuple(r) for r in rows] == [("code-unknown", 2, "warning")]


LATER = """
CHILD | DECOM      | RNE | LS | CIN | PLACE | PLACE_PROVIDER | DEC        | REC | REASON_PLACE_CHANGE | HOME_POST | PL_POST  | URN
1     | 01/09/2022 | L   | C2 | N1  | U6    | PR1            | 01/06/2023 | E4A |                     | ZZ1 1AA   | ZZ9 9ZZ  | SC000001
"""


def test_several_years_are_stitched_into_one_history(engine: Engine, tmp_path: Path) -> None:
    tmp_path = tmp_path / "returns"
    minimal_return(tmp_path / "903_2022-23")
    write_table(tmp_path / "903_2023-24" / "header.csv", HEADER)
    write_table(tmp_path / "903_2023-24" / "episodes.csv", LATER)
    outcome = imports.import_returns(engine, [tmp_path], la="931")
    assert outcome.rebuilt is not None
    assert outcome.rebuilt.episodes == 3
    assert outcome.rebuilt.changes == {"replaced-by-later-year": 1}


def test_adding_a_year_stores_only_that_year(engine: Engine, tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    minimal_return(returns / "903_2022-23")
    imports.import_returns(engine, [returns], la="931")
    write_table(returns / "903_2023-24" / "header.csv", HEADER)
    write_table(returns / "903_2023-24" / "episodes.csv", LATER)
    (returns / "notes.csv").write_text("A,B,C\n1,2,3\n")
    outcome = imports.import_returns(engine, [returns], la="931")
    assert outcome.saved is not None
    assert (outcome.saved.stored_years, outcome.saved.unchanged_years) == ([2023], [2022])
    with engine.connect() as conn:
        stored = conn.execute(select(import_problem.c.batch_id, import_problem.c.code)).all()
    # The note about the unread file is kept with the new batch.
    assert [tuple(r) for r in stored] == [(2, "file-unrecognised")]


TRACKER = """
CHILD | MILESTONE                 | DATE       | NOTE
1     | permanence_recommendation | 01/02/2023 |
2     | panel                     | 01/03/2023 |
"""


def test_a_tracker_is_stored_then_left_alone_then_replaced(engine: Engine, tmp_path: Path) -> None:
    returns = minimal_return(tmp_path / "returns")
    write_table(returns / "tracker.csv", TRACKER)
    first = imports.import_returns(engine, [returns], la="931")
    assert first.saved is not None and first.saved.lists == {"Tracker": "stored"}
    assert first.saved.rows["Tracker"] == 2
    again = imports.import_returns(engine, [returns], la="931")
    assert again.saved is not None and (again.saved.batch_id, again.saved.lists["Tracker"]) == (
        None,
        "unchanged",
    )
    write_table(returns / "tracker.csv", "\n".join(TRACKER.strip().splitlines()[:2]))
    third = imports.import_returns(engine, [returns], la="931")
    assert third.saved is not None and third.saved.lists == {"Tracker": "replaced"}
    assert third.saved.stored_years == []  # the return itself was unchanged
    with engine.connect() as conn:
        rows = conn.execute(select(tracker_milestone.c.child, tracker_milestone.c.milestone)).all()
        [summary] = queries.summarise(conn)
    assert [tuple(r) for r in rows] == [("1", "permanence_recommendation")]
    assert summary.rows["Tracker"] == 1


def test_a_tracker_alone_can_be_imported(engine: Engine, tmp_path: Path) -> None:
    write_table(tmp_path / "returns" / "tracker.csv", TRACKER)
    outcome = imports.import_returns(engine, [tmp_path / "returns"], la="931")
    assert outcome.stored and outcome.saved is not None and outcome.saved.rows == {"Tracker": 2}
    with engine.connect() as conn:
        assert queries.local_authorities(conn) == ["931"]


def test_annex_a_lists_are_imported_beside_the_returns(engine: Engine, tmp_path: Path) -> None:
    returns = minimal_return(tmp_path / "returns")
    list_10 = Path(__file__).parent / "sources" / "annex_a" / "list_10_template.csv"
    (returns / "annex-a-list-10.csv").write_bytes(list_10.read_bytes())
    outcome = imports.import_returns(engine, [returns], la="931")
    assert outcome.stored, outcome.problems
    assert outcome.saved is not None and outcome.saved.lists == {"Annex A list 10": "stored"}
    again = imports.import_returns(engine, [returns], la="931")
    assert again.saved is not None and again.saved.batch_id is None
    with engine.connect() as conn:
        [summary] = queries.summarise(conn)
        journeys = load(conn, "931")
    assert summary.rows["Annex A list 10"] > 0
    annex = journeys.milestones.filter(journeys.milestones["source"] == "Annex A list 10")
    assert set(annex["milestone"]) >= {"adoption_decision", "placement_order", "matched"}


def test_an_allocation_list_gives_each_child_a_team(engine: Engine, tmp_path: Path) -> None:
    returns = minimal_return(tmp_path / "returns")
    write_table(
        returns / "allocations.csv",
        """
        CHILD | TEAM             | WORKER
        1     | Permanence North | SW0001
        2     | Permanence South |
        2     | Permanence North | SW0002
        """,
    )
    outcome = imports.import_returns(engine, [returns], la="931")
    assert outcome.stored
    assert [(p.code, p.row) for p in outcome.problems] == [
        ("allocation-repeated", 3),
        ("allocation-repeated", 4),
    ]
    with engine.connect() as conn:
        journeys = load(conn, "931")
    assert journeys.allocations.select("CHILD", "TEAM").rows() == [
        ("1", "Permanence North"),
        ("2", "Permanence North"),
    ]


def test_an_audit_spreadsheet_among_the_returns_is_passed_over_with_a_pointer(
    engine: Engine, tmp_path: Path
) -> None:
    folder = minimal_return(tmp_path / "returns")
    write_table(
        folder / "audits.csv",
        """
CHILD | AUDIT_DATE | AUDITOR | TEAM  | OVERALL
1     | 03/03/2025 | A Smith | North | Good
""",
    )
    outcome = imports.import_returns(engine, [folder], la="931")
    assert outcome.stored
    [problem] = [p for p in outcome.problems if p.file.endswith("audits.csv")]
    assert problem.code == "file-audits"
    assert "carejourney audits import" in problem.message
