"""The carejourney command line: a thin layer over carejourney's plain functions."""

from __future__ import annotations

from carejourney.cli import aims as _aims  # noqa: F401
from carejourney.cli import audits as _audits  # noqa: F401
from carejourney.cli import costs as _costs  # noqa: F401
from carejourney.cli import demand as _demand  # noqa: F401
from carejourney.cli import journeys as _journeys  # noqa: F401  (registers its commands)
from carejourney.cli import measures as _measures  # noqa: F401
from carejourney.cli import pdsa as _pdsa  # noqa: F401
from carejourney.cli import report as _report  # noqa: F401
from carejourney.cli import returns as _returns  # noqa: F401
from carejourney.cli import serve as _serve  # noqa: F401
from carejourney.cli import spc as _spc  # noqa: F401
from carejourney.cli.app import app

__all__ = ["app", "main"]


def main() -> None:
    app(prog_name="carejourney")
