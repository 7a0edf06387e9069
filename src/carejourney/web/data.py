"""The LA a page is about, and its journeys, loaded once and kept while the data stands.

Loading a large LA's journeys takes about half a second, far too long for every page, so
they are kept in memory keyed by a cheap version of the LA's data (the newest import
batch, recorded milestone and allocation row): an import, a milestone recorded in the
web app or a change of allocation makes the next page load them afresh. Anything derived
from the journeys (a drift list for a date) can be kept the same way with `cached`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import fields, replace
from typing import Any, TypeVar

import polars as pl
from fastapi import Request
from sqlalchemy import Connection, func, select
from starlette.exceptions import HTTPException

from carejourney.journeys.stored import Journeys, load
from carejourney.store import queries
from carejourney.store.tables import allocation, import_batch, recorded_milestone
from carejourney.web.permissions import Viewer, engine_of

__all__ = ["cached", "child_journeys", "chosen_la", "data_version", "journeys_for", "las_for"]

T = TypeVar("T")

# Enough for a few LAs' journeys and the lists derived from them on a regional server.
CACHE_SIZE = 32

_lock = threading.Lock()
_cache: OrderedDict[Hashable, tuple[Hashable, Any]] = OrderedDict()
_computing: dict[Hashable, threading.Lock] = {}


def las_for(conn: Connection, viewer: Viewer) -> list[str]:
    """The LAs in the database the viewer may choose: theirs, or all when they have none."""
    held = queries.local_authorities(conn)
    mine = viewer.account.la
    return [la for la in held if mine is None or la == mine]


def chosen_la(request: Request, conn: Connection, viewer: Viewer) -> str | None:
    """The LA this page is about: `?la=CODE` when the viewer may see it (remembered for
    later pages), else the one chosen before, else the first they may see."""
    las = las_for(conn, viewer)
    for wanted in (request.query_params.get("la"), request.session.get("la")):
        if wanted in las:
            request.session["la"] = wanted
            return wanted
    return las[0] if las else None


def la_or_404(request: Request, conn: Connection, viewer: Viewer) -> str:
    """`chosen_la`, for a page that is about one LA: not found when the viewer may see none."""
    la = chosen_la(request, conn, viewer)
    if la is None:
        raise HTTPException(404)
    return la


def page_la(request: Request, viewer: Viewer) -> str:
    """`la_or_404` on a connection of its own."""
    with engine_of(request).connect() as conn:
        return la_or_404(request, conn, viewer)


def data_version(conn: Connection, la: str) -> Hashable:
    batch = select(func.max(import_batch.c.id)).where(import_batch.c.la == la)
    recorded = select(func.max(recorded_milestone.c.id)).where(recorded_milestone.c.la == la)
    allocated = select(func.max(allocation.c.id), func.count()).where(allocation.c.la == la)
    row = conn.execute(allocated).one()
    return (conn.execute(batch).scalar(), conn.execute(recorded).scalar(), row[0], row[1])


def cached(key: Hashable, version: Hashable, compute: Callable[[], T]) -> T:
    """`compute()`, or what it gave last time for `key` if `version` has not changed.

    One computation per key at a time: twenty people opening the same page just after an
    import wait for one computation rather than each starting their own."""
    with _lock:
        held = _cache.get(key)
        if held is not None and held[0] == version:
            _cache.move_to_end(key)
            return held[1]  # type: ignore[no-any-return]
        key_lock = _computing.setdefault(key, threading.Lock())
    with key_lock:
        with _lock:  # computed meanwhile by whoever held the key's lock
            held = _cache.get(key)
            if held is not None and held[0] == version:
                return held[1]  # type: ignore[no-any-return]
        value = compute()
        with _lock:
            _cache[key] = (version, value)
            _cache.move_to_end(key)
            while len(_cache) > CACHE_SIZE:
                _computing.pop(_cache.popitem(last=False)[0], None)
    return value


def journeys_for(request: Request, conn: Connection, la: str) -> Journeys:
    """The LA's journeys, loaded once per version of its data."""
    version = data_version(conn, la)
    key = ("journeys", id(engine_of(request)), la)
    return cached(key, version, lambda: load(conn, la))


def _by_child(journeys: Journeys) -> dict[str, dict[str, pl.DataFrame]]:
    """Each child-level frame of the journeys split by child: {frame: {child: rows}}."""
    split: dict[str, dict[str, pl.DataFrame]] = {}
    for field in fields(journeys):
        frame = getattr(journeys, field.name)
        if isinstance(frame, pl.DataFrame) and "CHILD" in frame.columns:
            parts = frame.partition_by("CHILD", as_dict=True)
            split[field.name] = {str(key[0]): rows for key, rows in parts.items()}
    return split


def child_journeys(request: Request, conn: Connection, la: str, child: str) -> Journeys:
    """One child's part of the LA's journeys. The LA's frames are split by child once per
    version of its data, so a child's page need not search the whole LA's rows each time."""
    journeys = journeys_for(request, conn, la)
    key = ("journeys by child", id(engine_of(request)), la)
    split = cached(key, data_version(conn, la), lambda: _by_child(journeys))
    mine = {
        name: parts.get(child, getattr(journeys, name).clear()) for name, parts in split.items()
    }
    return replace(journeys, **mine)


def clear() -> None:
    """Forget everything kept (tests start each app afresh)."""
    with _lock:
        _cache.clear()
        _computing.clear()
