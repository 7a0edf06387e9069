"""Processes that make the report's PDF in parts (`reports.pdf_parts`), one per core.

They are started before they are needed, when a report with a PDF is asked for, so that
starting them and importing WeasyPrint (about half a second) happen while the report is
being built. Each is
then given a part of each report's PDF; this process passes page counts from part to part
(a part's first page number is the pages before it, plus one) and joins the parts.

Workers are started by "spawn", never "fork", as in `reports.making`. They run at a lower
priority, so that starting them does not slow the building of the report they wait for.
A worker that fails says only what failed and where, never its message (which could
quote the report), and a worker that stops is noticed rather than waited for forever.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import queue
import signal
import traceback
from dataclasses import dataclass, field
from itertools import count
from multiprocessing import get_context
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the workers need no Polars: they are given HTML, not the report
    from carejourney.reports.document import Report
    from carejourney.reports.pdf_parts import PdfPart

__all__ = ["PdfFailed", "PdfJob", "PdfWorkers"]

LOWER_PRIORITY = 10  # added to a worker's niceness
POLL_SECONDS = 0.5  # how often a wait checks that the workers are still there


class PdfFailed(RuntimeError):
    """The PDF could not be made: a fault, with where it happened."""


@dataclass
class PdfJob:
    """A report's PDF being made: its parts, and what has come back of them."""

    number: int
    parts: int
    pages: dict[int, int] = field(default_factory=dict)  # part -> its number of pages
    first_pages: dict[int, int] = field(default_factory=lambda: {0: 1})
    made: dict[int, PdfPart] = field(default_factory=dict)


class PdfWorkers:
    """Worker processes for PDFs, `processes` of them: `submit` a report, then take its
    `result`."""

    def __init__(self, processes: int) -> None:
        context = get_context("spawn")
        self._outbox: Any = context.Queue()
        self._inboxes: list[Any] = [context.Queue() for _ in range(processes)]
        self._processes = [
            context.Process(target=_serve, args=(inbox, self._outbox), daemon=True)
            for inbox in self._inboxes
        ]
        for process in self._processes:
            process.start()
            _lower_priority(process.pid)
        self._can_split: dict[int, bool] = {}
        self._jobs: dict[int, PdfJob] = {}
        self._numbers = count()

    def submit(self, report: Report) -> PdfJob:
        """Start making `report`'s PDF, in as many parts as there are workers (one part
        if WeasyPrint cannot number parts' pages on: `pdf_parts.can_number_parts`)."""
        from carejourney.reports.pdf_parts import html_of_part, section_weights, split

        while len(self._can_split) < len(self._processes):
            self._receive()
        parts = len(self._processes) if all(self._can_split.values()) else 1
        runs = split(section_weights(report), parts)
        job = PdfJob(next(self._numbers), len(runs))
        self._jobs[job.number] = job
        for index, run in enumerate(runs):
            first = 1 if index == 0 else None
            html = html_of_part(report, run)
            self._inboxes[index].put(("part", job.number, index, html, first))
        return job

    def result(self, job: PdfJob) -> bytes:
        """The PDF, once every part is made and joined. Raises `PdfFailed`."""
        from carejourney.reports.pdf_parts import join

        importlib.import_module("pypdf")  # which `join` uses: imported while the parts are made
        while len(job.made) < job.parts:
            self._receive()
        del self._jobs[job.number]
        return join([job.made[index] for index in range(job.parts)])

    def close(self) -> None:
        """Stop the workers. They are stopped, not asked to finish: everything asked of
        them has been waited for (or given up), and a worker taking WeasyPrint down took
        0.75 s of waiting."""
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join()
        self._outbox.close()
        for inbox in self._inboxes:
            # A part a stopped worker never read must not keep this process from ending.
            inbox.cancel_join_thread()
            inbox.close()

    def _receive(self) -> None:
        try:
            message = self._outbox.get(timeout=POLL_SECONDS)
        except queue.Empty:
            if not all(process.is_alive() for process in self._processes):
                raise PdfFailed("A process making the PDF stopped unexpectedly.") from None
            return
        kind, *rest = message
        if kind == "ready":
            worker, can_split = rest
            self._can_split[worker] = can_split
        elif kind == "pages":
            number, index, pages = rest
            job = self._jobs[number]
            job.pages[index] = pages
            self._pass_page_numbers_on(job)
        elif kind == "made":
            number, index, part = rest
            self._jobs[number].made[index] = part
        else:
            raise PdfFailed(f"The PDF could not be made: {rest[0]}")

    def _pass_page_numbers_on(self, job: PdfJob) -> None:
        for index in range(1, job.parts):
            before = index - 1
            if index in job.first_pages or before not in job.pages:
                continue
            if before not in job.first_pages:
                return
            job.first_pages[index] = job.first_pages[before] + job.pages[before]
            self._inboxes[index].put(("first page", job.number, index, job.first_pages[index]))


def _lower_priority(pid: int | None) -> None:
    """Lower a worker's priority from here, as soon as it is started: from inside, it would
    only be lowered after its imports (spawn imports the program's main module first)."""
    setpriority = getattr(os, "setpriority", None)  # not on Windows
    if setpriority is None or pid is None:
        return
    with contextlib.suppress(OSError):  # not allowed here: it runs at the usual priority
        setpriority(os.PRIO_PROCESS, pid, os.getpriority(os.PRIO_PROCESS, pid) + LOWER_PRIORITY)


def _serve(inbox: Any, outbox: Any) -> None:
    """A worker: makes the parts it is given until it is stopped."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    from carejourney.reports.pdf_parts import can_number_parts  # imports WeasyPrint: ~0.5 s

    outbox.put(("ready", os.getpid(), can_number_parts()))
    waiting: list[tuple[Any, ...]] = []  # work that came while a part waited for its number
    while True:
        message = waiting.pop(0) if waiting else inbox.get()
        if message[0] == "part":
            _make_part(message[1:], inbox, outbox, waiting)


def _make_part(work: tuple[Any, ...], inbox: Any, outbox: Any, waiting: list[Any]) -> None:
    from carejourney.reports.pdf_parts import render_part

    number, index, html, first = work

    def first_page(pages: int) -> int:
        outbox.put(("pages", number, index, pages))
        if first is not None:
            return int(first)
        while True:
            message = inbox.get()
            if message[:3] == ("first page", number, index):
                return int(message[3])
            waiting.append(message)

    try:
        part = render_part(html, first_page)
    except Exception as exc:  # a fault: say what and where, not the message
        frames = traceback.extract_tb(exc.__traceback__)[-3:]
        where = "\n".join(f"  {f.filename}, line {f.lineno}, in {f.name}" for f in frames)
        outbox.put(("failed", f"{type(exc).__name__}, at\n{where}"))
    else:
        outbox.put(("made", number, index, part))
