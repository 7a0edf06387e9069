"""What every page gets from the app: error pages in words, a size limit, the cache."""

from __future__ import annotations

import threading
import time

import pytest
from starlette.requests import Request

from carejourney.web import data
from carejourney.web.roles import Role
from carejourney.web.security import MAX_BODY_BYTES, RequestTooLarge, check_csrf
from tests.web.conftest import Web


def test_a_form_too_large_is_refused_before_it_is_read() -> None:
    # Built by hand: an HTTP client would send the body's own length, not the one claimed.
    scope = {
        "type": "http",
        "method": "POST",
        "path": "/data/upload",
        "headers": [
            (b"content-type", b"multipart/form-data; boundary=x"),
            (b"content-length", str(MAX_BODY_BYTES + 1).encode()),
        ],
        "session": {},
    }

    async def never() -> dict[str, object]:
        raise AssertionError("the body was read")

    # Refused before its first await, so no event loop is needed to see it.
    with pytest.raises(RequestTooLarge):
        check_csrf(Request(scope, never)).send(None)


def test_the_page_for_a_request_too_large_says_what_to_do(web: Web) -> None:
    reply = web.client_as(Role.MANAGER).get("/")
    assert reply.status_code == 200
    handler = web.app.exception_handlers[RequestTooLarge]
    page = handler(Request({"type": "http", "app": web.app, "headers": [], "session": {}}), None)
    assert page.status_code == 413 and b"The files are too large" in page.body


def test_an_unknown_page_says_so_in_words(web: Web) -> None:
    reply = web.client_as(Role.ANALYST).get("/no-such-page")
    assert reply.status_code == 404 and "Page not found" in reply.text


def test_one_computation_per_key_however_many_ask_at_once() -> None:
    data.clear()
    calls: list[int] = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.05)
        return 42

    got: list[int] = []
    threads = [
        threading.Thread(target=lambda: got.append(data.cached("k", 1, slow))) for _ in range(8)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert got == [42] * 8 and len(calls) == 1
    assert data.cached("k", 2, lambda: 7) == 7  # a new version is worked out afresh
    data.clear()
