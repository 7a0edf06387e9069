"""The web app: server-rendered pages over the same functions as the CLI (DESIGN.md)."""
