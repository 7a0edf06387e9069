"""The Typer application every command is registered on."""

from __future__ import annotations

import typer

app = typer.Typer(
    help="carejourney: load an LA's SSDA903 returns and follow every child's journey.",
    no_args_is_help=True,
    rich_markup_mode="markdown",
    add_completion=False,
)
