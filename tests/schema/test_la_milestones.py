"""An LA's own milestones (CAREJOURNEY_MILESTONES), end to end in a fresh process, since the
milestone list is fixed when carejourney starts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from carejourney.schema.milestones import la_milestones
from carejourney.schema.types import MilestonesFileError
from tests.returns import minimal_return, write_table

MILESTONES = """
[[milestones]]
name = "family_group_conference"
label = "Family group conference"
description = "A family group conference was held to plan with the wider family."
"""

RULES = """
name = "our-rules"
title = "Our own timescales"
nation = "england-and-wales"
source = "LA practice standard (synthetic)"

[[rules]]
name = "fgc-within-20-working-days"
title = "Family group conference within 20 working days of entering care"
from_milestone = "entered_care"
to_milestone = "family_group_conference"
within = 20
unit = "working_days"
source = "LA practice standard (synthetic)"
verified = false
"""


def carejourney(*args: str, milestones: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "CAREJOURNEY_MILESTONES"}
    if milestones is not None:
        env["CAREJOURNEY_MILESTONES"] = str(milestones)
    command = [sys.executable, "-c", "from carejourney.entry import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, env=env, check=False)


def test_an_las_milestone_can_be_tracked_and_timed(tmp_path: Path) -> None:
    (tmp_path / "milestones.toml").write_text(MILESTONES)
    (tmp_path / "rules.toml").write_text(RULES)
    returns = minimal_return(tmp_path / "returns")
    write_table(
        returns / "tracker.csv",
        """
        CHILD | MILESTONE               | DATE       | NOTE
        1     | Family group conference | 20/05/2022 |
        """,
    )
    db = str(tmp_path / "cj.db")
    without = carejourney("import", str(returns), "--la", "931", "--db", db)
    assert without.returncode == 1 and "milestone-unknown" not in without.stdout  # words, not codes
    assert "Not a milestone carejourney knows" in without.stdout
    mine = tmp_path / "milestones.toml"
    stored = carejourney("import", str(returns), "--la", "931", "--db", db, milestones=mine)
    assert stored.returncode == 0, stored.stdout + stored.stderr
    drift = carejourney(
        "drift",
        "--db",
        db,
        "--rules",
        str(tmp_path / "rules.toml"),
        "--json",
        "--status",
        "met on time",
        milestones=mine,
    )
    assert drift.returncode == 0, drift.stderr
    [row] = json.loads(drift.stdout)["rows"]
    # Entered care Sunday 01/05/2022; day 1 is Tuesday 03/05 (Monday 2 May is a bank
    # holiday): 3-6 May (4), 9-13 (9), 16-20 (14), 23-27 (19), Monday 30 May is day 20.
    assert (row["to_milestone"], row["due_date"], row["met_date"]) == (
        "family_group_conference",
        "2022-05-30",
        "2022-05-20",
    )


def test_a_broken_milestones_file_stops_carejourney_with_a_message(tmp_path: Path) -> None:
    (tmp_path / "milestones.toml").write_text("[[milestones]]\nname = 'panel'\nlabel = 'x'\n")
    result = carejourney(
        "status", "--db", str(tmp_path / "cj.db"), milestones=tmp_path / "milestones.toml"
    )
    assert result.returncode == 2
    assert "no description" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (MILESTONES.replace("family_group_conference", "panel"), "already declared"),
        (MILESTONES.replace("family_group_conference", "Family Group"), "lower-case"),
        ("[[milestones]]\nname = 'x'\n", "no label, description"),
        ("", "no [[milestones]]"),
        ("name = [", "not valid TOML"),
    ],
)
def test_milestones_files_are_checked(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "milestones.toml"
    path.write_text(text)
    with pytest.raises(MilestonesFileError, match=message.replace("[", r"\[")):
        la_milestones(path)
