"""Build small SSDA903 returns from readable text tables, for tests.

write_table(folder / "episodes.csv", '''
    CHILD | DECOM      | RNE | ...
    1     | 01/05/2023 | S   | ...
''')
"""

from __future__ import annotations

import textwrap
from pathlib import Path

HEADER = """
CHILD | SEX | DOB        | ETHNIC | UPN           | MOTHER | MC_DOB
1     | 1   | 01/06/2019 | WBRI   | A123456789012 |        |
2     | 2   | 15/09/2015 | BAFR   | A123456789013 |        |
"""

EPISODES = """
CHILD | DECOM      | RNE | LS | CIN | PLACE | PLACE_PROVIDER | DEC        | REC | REASON_PLACE_CHANGE | HOME_POST | PL_POST  | URN
1     | 01/05/2022 | S   | C1 | N1  | U6    | PR1            | 01/09/2022 | X1  | CARPL               | ZZ1 1AA   | ZZ9 9ZZ  | SC000001
1     | 01/09/2022 | L   | C2 | N1  | U6    | PR1            |            |     |                     | ZZ1 1AA   | ZZ9 9ZZ  | SC000001
2     | 10/10/2022 | S   | V2 | N2  | U4    | PR2            | 20/02/2023 | E4A |                     | ZZ2 2BB   | ZZ8 8YY  | SC000002
"""


def csv_text(table: str) -> str:
    """A pipe-separated text table as CSV text (cells trimmed)."""
    lines = [line for line in textwrap.dedent(table).strip().splitlines() if line.strip()]
    return "".join(",".join(c.strip() for c in line.split("|")) + "\n" for line in lines)


def write_table(path: Path, table: str, encoding: str = "utf-8") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(csv_text(table).encode(encoding))
    return path


def minimal_return(folder: Path, header: str = HEADER, episodes: str = EPISODES) -> Path:
    """A 2022/23 return with a Header and an Episodes table."""
    write_table(folder / "header.csv", header)
    write_table(folder / "episodes.csv", episodes)
    return folder
