"""The app's routes, wherever they are declared."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from fastapi.routing import APIRoute, iter_route_contexts

__all__ = ["api_routes"]


def api_routes(routes: Sequence[Any]) -> Iterator[tuple[str, APIRoute]]:
    """(path, route) for every route with its declarations, also those of included routers
    (FastAPI 0.16x keeps an included router whole instead of copying its routes)."""
    for context in iter_route_contexts(routes):
        route = context.original_route
        if isinstance(route, APIRoute):
            yield str(context.path), route
