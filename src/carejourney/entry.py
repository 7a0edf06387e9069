"""The `carejourney` command: the command line, started so that a broken milestones file
(CAREJOURNEY_MILESTONES) gets a message rather than a traceback."""

from __future__ import annotations

import sys

from carejourney.schema.types import MilestonesFileError


def main() -> None:
    try:
        from carejourney.cli import app
    except MilestonesFileError as exc:
        print(f"carejourney cannot start: {exc}", file=sys.stderr)
        sys.exit(2)
    app(prog_name="carejourney")
