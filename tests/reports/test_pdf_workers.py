"""Worker processes that make a report's PDF in parts: the same pages as one process
makes, and faults reported without their messages."""

from __future__ import annotations

import io
import queue
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from carejourney.reports.pdf import render_pdf
from carejourney.reports.pdf_workers import PdfFailed, PdfWorkers, _make_part
from tests.reports.test_diagnostic import sample_report


def page_texts(data: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def test_two_workers_make_the_pages_one_process_makes() -> None:
    report = sample_report()
    workers = PdfWorkers(2)
    try:
        job = workers.submit(report)
        assert job.parts == 2
        data = workers.result(job)
        again = workers.result(workers.submit(report))  # the workers take the next report
    finally:
        workers.close()
    assert data.startswith(b"%PDF-")
    assert page_texts(data) == page_texts(render_pdf(report)) == page_texts(again)
    assert not any(process.is_alive() for process in workers._processes)


def test_a_worker_that_stops_is_noticed() -> None:
    workers = PdfWorkers(1)
    try:
        workers._processes[0].terminate()
        with pytest.raises(PdfFailed, match="stopped unexpectedly"):
            workers.submit(sample_report())
    finally:
        workers.close()


class SecretError(ValueError):
    pass


def test_a_fault_says_what_and_where_but_not_its_message(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(html: str, first_page: Any) -> None:
        raise SecretError("C-0042 born 01/02/2020")  # what a message must never carry

    monkeypatch.setattr("carejourney.reports.pdf_parts.render_part", broken)
    inbox: queue.Queue[Any] = queue.Queue()
    outbox: queue.Queue[Any] = queue.Queue()
    _make_part((7, 0, "<p>a part</p>", 1), inbox, outbox, [])
    kind, said = outbox.get_nowait()
    assert kind == "failed"
    assert said.startswith("SecretError, at") and "broken" in said
    assert "C-0042" not in said and "01/02/2020" not in said


def test_a_part_waits_for_its_first_page_and_keeps_other_work(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def numbered(html: str, first_page: Any) -> int:
        return int(first_page(4))

    monkeypatch.setattr("carejourney.reports.pdf_parts.render_part", numbered)
    inbox: queue.Queue[Any] = queue.Queue()
    outbox: queue.Queue[Any] = queue.Queue()
    later = ("part", 8, 1, "<p>the next report</p>", None)
    for message in (later, ("first page", 7, 0, 99), ("first page", 7, 1, 12)):
        inbox.put(message)
    waiting: list[Any] = []
    _make_part((7, 1, "<p>a part</p>", None), inbox, outbox, waiting)
    assert outbox.get_nowait() == ("pages", 7, 1, 4)
    assert outbox.get_nowait() == ("made", 7, 1, 12)
    assert waiting == [later, ("first page", 7, 0, 99)]


STOPPED_MID_PART = """
from carejourney.reports import pdf_parts
from carejourney.reports.pdf_workers import PdfFailed, PdfWorkers
from tests.reports.test_diagnostic import sample_report

pdf_parts.html_of_part = lambda report, run: "<p>" + "x" * 4_000_000 + "</p>"
workers = PdfWorkers(2)
job = workers.submit(sample_report())
workers._processes[1].kill()
try:
    workers.result(job)
except PdfFailed as exc:
    print("failed:", exc)
workers.close()
"""


def test_a_worker_stopped_mid_part_is_noticed_and_nothing_hangs() -> None:
    """A part bigger than a pipe holds, sent to a worker that is then stopped: the wait
    for it fails, and this process still ends (nothing waits to send the rest)."""
    done = subprocess.run(
        [sys.executable, "-c", STOPPED_MID_PART],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[2],
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "failed: A process making the PDF stopped unexpectedly." in done.stdout
