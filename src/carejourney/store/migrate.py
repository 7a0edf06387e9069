"""For developers: write a new migration after changing the tables.

    uv run python -m carejourney.store.migrate "add audit tables"

It compares the declared tables with a database built by the existing migrations and
writes the difference as a new file in store/migrations/versions/. Read it before committing.
"""

from __future__ import annotations

import sys

from alembic import command
from sqlalchemy import create_engine

from carejourney.store.database import alembic_config, upgrade


def main() -> None:
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    engine = create_engine("sqlite://")
    upgrade(engine)
    command.revision(alembic_config(engine), message=sys.argv[1], autogenerate=True)


if __name__ == "__main__":
    main()
