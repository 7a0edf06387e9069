"""Making the diagnostic report's files: for one LA, or for several and their comparison.

`make_reports` is what `carejourney report` (and the web app) call: it checks the folder,
finds the LAs, builds each LA's report (`reports.diagnostic`), records it in the access
log, writes its files (HTML, XLSX, PDF) and, for several LAs, the comparison
(`reports.comparison`). It prints nothing: it says how far it has got through `progress`
and why it cannot go on by raising `ReportError`, whose message is in plain words.

One LA is built in this process (starting workers would cost more than they save).
Several are built in parallel, one worker process per core (at most one per LA), each with
its own database connection: an average LA's report is 1.5 to 2 seconds of Python and
Polars work, so 150 LAs one after another took five minutes. Workers are started by
"spawn", never "fork": Polars runs its own threads, and a forked copy of a process with
threads can deadlock.

The access log is written before any file: every LA's report is built first (in the
workers), then every report, and every child an internal report names, is recorded in one
transaction, and only then are the files written (by the workers again). A report half
written may still have been read; and a report that fails to build leaves no entry and no
file.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import signal
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from multiprocessing import get_context
from pathlib import Path
from typing import Literal, TypeVar

import polars as pl
from sqlalchemy import Connection, Engine

from carejourney.config.costs import UnitCosts
from carejourney.config.rules import RuleSet
from carejourney.journeys.stored import Journeys, load
from carejourney.measures import summaries
from carejourney.reports import charts, diagnostic
from carejourney.reports.comparison import NationalFigures, compare
from carejourney.reports.disclosure import DisclosureRules
from carejourney.reports.document import Report, ReportContext, ResourceInputs, SectionBuilder
from carejourney.reports.pdf_workers import PdfWorkers
from carejourney.store import access, database, queries

__all__ = [
    "FORMATS",
    "FolderError",
    "Progress",
    "ReportError",
    "ReportOptions",
    "children_named",
    "comparison_name",
    "make_reports",
    "report_name",
]

FORMATS = ("html", "xlsx", "pdf")
FORMAT_NAMES = {"html": "HTML", "xlsx": "XLSX", "pdf": "PDF"}
POLARS_THREADS = "POLARS_MAX_THREADS"  # see `_one_polars_thread_each`
# At most this many processes lay out one PDF, one per core: each part has about 0.1 s of
# work of its own (styles, fonts) however small it is, so many small parts gain little.
PDF_PARTS = 4

Stage = Literal["building", "recording", "writing", "comparing"]
T = TypeVar("T")


class ReportError(Exception):
    """The reports cannot be made; the message (`headline` + `rest`) says why in plain
    words. When there is a `rest`, `headline` is what could not be done ("Cannot write")
    and `rest` the details, so that a caller may set the headline apart (the CLI prints
    it in bold red); a message in one piece is all `headline`."""

    def __init__(self, headline: str, rest: str = "") -> None:
        super().__init__(headline, rest)  # both, so the error crosses from a worker whole
        self.headline = headline
        self.rest = rest

    def __str__(self) -> str:
        return self.headline + self.rest


class FolderError(ReportError):
    """The folder for the files cannot be written to: choose another."""


@dataclass(frozen=True)
class ReportOptions:
    """What goes into every LA's report, and which files are written."""

    rule_sets: tuple[RuleSet, ...]
    unit_costs: UnitCosts
    national: NationalFigures | None  # for the comparison; None: no national column
    formats: tuple[str, ...] = ("html", "xlsx")
    as_at: dt.date | None = None  # None: the latest day each LA's data speak for
    disclosure: DisclosureRules = field(default_factory=DisclosureRules)
    inputs: ResourceInputs = field(default_factory=ResourceInputs)


@dataclass(frozen=True)
class Progress:
    """How far `make_reports` has got: `done` of `total` steps of a stage (sections of one
    LA's report, or LAs), and what is being done now, in words ("LA 931: cost of delay")."""

    stage: Stage
    done: int
    total: int
    what: str


ProgressCallback = Callable[[Progress], None]


def report_name(la: str, as_at: dt.date, extension: str) -> str:
    return f"carejourney-report-LA{_safe(la)}-{as_at:%Y-%m-%d}.{extension}"


def comparison_name(las: Sequence[str], as_at: dt.date, extension: str) -> str:
    which = "-".join(f"LA{_safe(la)}" for la in las) if len(las) <= 6 else f"{len(las)}-LAs"
    return f"carejourney-comparison-{which}-{as_at:%Y-%m-%d}.{extension}"


def _safe(text: str) -> str:
    """Text fit for a file name."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "LA"


def children_named(report: Report, journeys: Journeys) -> list[str]:
    """The children whose IDs a report's tables show: every text column all of whose
    values are the LA's child IDs (a published report, pseudonymised, shows none)."""
    known = pl.concat(
        [journeys.children["CHILD"], journeys.periods["CHILD"], journeys.milestones["CHILD"]]
    ).unique()
    named: dict[str, None] = {}
    for table in report.tables():
        for column in table.frame.iter_columns():
            if column.dtype != pl.String:
                continue
            values = column.drop_nulls().unique()
            if values.len() and values.is_in(known.implode()).all():
                named.update(dict.fromkeys(values.sort().to_list()))
    return list(named)


@dataclass(frozen=True)
class _Built:
    """One LA's report, and the children it names (for the access log; none when
    published). What a worker sends back: the journeys themselves stay in the worker."""

    report: Report
    named: tuple[str, ...]


@dataclass(frozen=True)
class _Job:
    """What building one LA's report needs, besides the database (picklable, for workers)."""

    options: ReportOptions
    salt: bytes
    sections: tuple[tuple[str, SectionBuilder], ...]


def make_reports(
    engine: Engine,
    codes: Sequence[str] | None,
    options: ReportOptions,
    out: Path,
    *,
    sections: Sequence[tuple[str, SectionBuilder]] | None = None,
    progress: ProgressCallback | None = None,
    who: str | None = None,
    workers: int | None = None,
) -> list[Path]:
    """Write the report of each LA in `codes` (None: every LA the database holds) to the
    folder `out`, in each of `options.formats`, and the comparison when there are several;
    return the files written, in order.

    `sections` defaults to `diagnostic.SECTIONS`; several LAs' builders must be plain
    module-level functions (they are sent to the workers by name). `who` is the person
    named in the access log (default: the signed-in user). `workers` caps the worker
    processes (default: one per core); 1 builds every LA in this process.

    Raises `FolderError` when `out` cannot be written to, `ReportError` when there is no
    salt for pseudonyms, no such LA, or a file cannot be written. A section builder that
    fails is a fault: its error is raised as it is.
    """
    unknown_formats = [f for f in options.formats if f not in FORMATS]
    if unknown_formats or not options.formats:
        raise ValueError(f"Formats must be some of {', '.join(FORMATS)}: {options.formats}.")
    _check_folder(out)
    try:
        salt = diagnostic.report_salt()
    except diagnostic.SaltError as exc:
        raise ReportError("Cannot make pseudonyms", f": {exc}") from None
    tell = progress or _quiet
    with engine.connect() as conn:
        chosen = _chosen(conn, codes)
    job = _Job(options, salt, tuple(sections if sections is not None else diagnostic.SECTIONS))
    count = min(workers or os.cpu_count() or 1, len(chosen))
    if count > 1 and _shareable(engine):
        return _in_workers(engine, chosen, job, out, count, tell, who)
    with _pdf_workers(options.formats) as pdf_maker:
        with engine.connect() as conn:
            built = [_build(conn, code, job, tell) for code in chosen]
        _record(engine, built, who, tell)
        paths: list[Path] = []
        for b in built:
            paths += _write_one(b.report, out, options.formats, tell, pdf_maker)
    return paths + _comparison(built, options, out, tell)


def _quiet(_: Progress) -> None:
    pass


def _check_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
        probe = out / ".carejourney-write-test"
        probe.write_bytes(b"")
        probe.unlink()
    except OSError as exc:
        raise FolderError("Cannot write to the folder", f" {out}: {exc.strerror or exc}.") from None


def _chosen(conn: Connection, codes: Sequence[str] | None) -> list[str]:
    held = queries.local_authorities(conn)
    if not held:
        raise ReportError(
            "The database holds no LA yet. Load returns with `carejourney import PATH --la CODE`."
        )
    chosen = list(dict.fromkeys(codes)) if codes else held
    unknown = [c for c in chosen if c not in held]
    if unknown:
        raise ReportError(
            f"The database holds no LA {', '.join(unknown)}. It holds: {', '.join(held)}."
        )
    return chosen


def _shareable(engine: Engine) -> bool:
    """Whether other processes can open the same database (not an in-memory SQLite)."""
    return engine.dialect.name != "sqlite" or engine.url.database not in (None, "", ":memory:")


def _build(conn: Connection, code: str, job: _Job, progress: ProgressCallback) -> _Built:
    """One LA's report, saying which section is being built as it goes."""
    names = [name for name, _ in job.sections]
    total = len(names)
    progress(Progress("building", 0, total, f"LA {code}: loading"))
    journeys = load(conn, code)
    options = job.options
    context = ReportContext(
        la=code,
        journeys=journeys,
        conn=conn,
        as_at=options.as_at or summaries.default_as_at(journeys),
        rule_sets=options.rule_sets,
        unit_costs=options.unit_costs,
        disclosure=options.disclosure,
        salt=job.salt,
        inputs=options.inputs,
    )
    if names:
        progress(Progress("building", 0, total, f"LA {code}: {names[0]}"))
    done = iter(range(1, total + 1))

    def advance(name: str) -> None:
        step = next(done)
        what = names[step] if step < total else "built"
        progress(Progress("building", step, total, f"LA {code}: {what}"))

    report = diagnostic.build_report(context, job.sections, progress=advance)
    named = children_named(report, journeys) if report.internal else []
    return _Built(report, tuple(named))


def _record(
    engine: Engine, built: Sequence[_Built], who: str | None, progress: ProgressCallback
) -> None:
    progress(Progress("recording", 0, 1, "recording the reports in the access log"))
    with engine.begin() as conn:
        for b in built:
            detail = "internal" if b.report.internal else "published"
            access.record(conn, "report", who=who, la=b.report.la, detail=detail)
            if b.report.internal:
                access.record_children(
                    conn, "report", b.named, la=b.report.la, who=who, detail=detail
                )


def _write(report: Report, names: Callable[[str], str], out: Path, extension: str) -> Path:
    from carejourney.reports.html import write_html
    from carejourney.reports.pdf import write_pdf  # imports WeasyPrint: only when needed
    from carejourney.reports.xlsx import write_xlsx

    writers = {"html": write_html, "xlsx": write_xlsx, "pdf": write_pdf}
    path = out / names(extension)
    try:
        return writers[extension](report, path)
    except OSError as exc:
        raise ReportError("Cannot write", f" {path}: {exc.strerror or exc}.") from None


def _write_one(
    report: Report,
    out: Path,
    formats: Sequence[str],
    progress: ProgressCallback,
    pdf_maker: PdfWorkers | None = None,
) -> list[Path]:
    """One LA's files, saying which is being written as it goes. With a `pdf_maker`
    (`_pdf_workers`), the PDF is made there while the other files are written here, and
    announced last, when it is waited for."""
    names = partial(report_name, report.la, report.as_at)
    pdf = None
    if pdf_maker is not None and "pdf" in formats:
        pdf = pdf_maker.submit(report)
    here = [extension for extension in formats if pdf is None or extension != "pdf"]
    written: dict[str, Path] = {}
    for step, extension in enumerate([*here, *(["pdf"] if pdf else [])]):
        what = f"LA {report.la}: {FORMAT_NAMES[extension]}"
        progress(Progress("writing", step, len(formats), what))
        if extension == "pdf" and pdf is not None and pdf_maker is not None:
            written[extension] = _write_bytes(out / names("pdf"), pdf_maker.result(pdf))
        else:
            written[extension] = _write(report, names, out, extension)
    progress(Progress("writing", len(formats), len(formats), f"LA {report.la}: written"))
    return [written[extension] for extension in formats]


def _write_bytes(path: Path, data: bytes) -> Path:
    try:
        path.write_bytes(data)
    except OSError as exc:
        raise ReportError("Cannot write", f" {path}: {exc.strerror or exc}.") from None
    return path


@contextmanager
def _pdf_workers(formats: Sequence[str]) -> Iterator[PdfWorkers | None]:
    """Processes that make the PDFs in parts, side by side, while this one builds the
    reports and writes the other files, when a PDF is asked for and there are cores to
    run them on (`reports.pdf_workers`).

    A PDF is about three and a half seconds of WeasyPrint laying out and drawing the 35
    pages of the 5,000-child LA's report, on top of the 2 seconds the report takes to
    build. The workers are started (and import WeasyPrint) straight away, while the
    report is still being built, and each lays out its part of each report once it has
    been recorded."""
    cores = os.cpu_count() or 1
    if "pdf" not in formats or cores < 2:
        yield None
        return
    workers = PdfWorkers(min(cores, PDF_PARTS))
    try:
        yield workers
    finally:
        workers.close()


def _comparison(
    built: Sequence[_Built], options: ReportOptions, out: Path, progress: ProgressCallback
) -> list[Path]:
    if len(built) < 2:
        return []
    progress(Progress("comparing", 0, 1, f"comparing {len(built)} LAs"))
    comparison = compare([b.report for b in built], options.national)
    names = partial(comparison_name, [b.report.la for b in built], comparison.as_at)
    paths = [_write(comparison, names, out, extension) for extension in options.formats]
    progress(Progress("comparing", 1, 1, "comparison written"))
    return paths


def _in_workers(
    engine: Engine,
    codes: Sequence[str],
    job: _Job,
    out: Path,
    count: int,
    progress: ProgressCallback,
    who: str | None,
) -> list[Path]:
    """Build every LA's report in `count` worker processes; record them all; have the
    workers write the files; write the comparison here."""
    url = engine.url.render_as_string(hide_password=False)
    total = len(codes)
    progress(Progress("building", 0, total, f"{total} LAs in {count} processes: starting"))
    with ProcessPoolExecutor(
        max_workers=count,
        mp_context=get_context("spawn"),
        initializer=_start_worker,
        initargs=(url, charts.VALIDATE),
    ) as pool:
        with _one_polars_thread_each():  # the workers start as the first jobs are given
            building = {pool.submit(_build_in_worker, code, job): code for code in codes}
        built_by_code = {
            code: built for code, built in _as_done(building, "building", total, progress, "built")
        }
        built = [built_by_code[code] for code in codes]
        _record(engine, built, who, progress)
        writing = {
            pool.submit(_write_in_worker, b.report, out, job.options.formats): b.report.la
            for b in built
        }
        progress(Progress("writing", 0, total, "writing the files"))
        paths_by_code = dict(_as_done(writing, "writing", total, progress, "written"))
    paths = [path for code in codes for path in paths_by_code[code]]
    return paths + _comparison(built, job.options, out, progress)


def _as_done(
    futures: dict[Future[T], str], stage: Stage, total: int, progress: ProgressCallback, word: str
) -> list[tuple[str, T]]:
    """Each future's LA and result, as they finish; on the first failure, the rest are
    cancelled and its error is raised."""
    results: list[tuple[str, T]] = []
    try:
        for step, future in enumerate(as_completed(futures), start=1):
            code = futures[future]
            result = future.result()
            results.append((code, result))
            progress(Progress(stage, step, total, f"LA {code}: {word}"))
    except BaseException:
        for future in futures:
            future.cancel()
        raise
    return results


@contextmanager
def _one_polars_thread_each() -> Iterator[None]:
    """Worker processes started meanwhile run Polars on one thread each (unless the user
    has set POLARS_MAX_THREADS). The workers already keep every core busy, and a report's
    frames are small: with Polars' own threads as well, an LA with about 550 children in
    care took 1.73 s of processor time, against 1.38 s on one thread. Polars reads the
    variable as it is imported, before any initializer could set it, so it is set here,
    while the workers are started (they copy this process's environment)."""
    if POLARS_THREADS in os.environ:
        yield
        return
    os.environ[POLARS_THREADS] = "1"
    try:
        yield
    finally:
        os.environ.pop(POLARS_THREADS, None)


# A worker's own connection to the database, made once by `_start_worker`.
_worker_engine: Engine | None = None


def _start_worker(url: str, validate_charts: bool) -> None:
    global _worker_engine
    # Ctrl-C is the parent's to handle (it stops the work and says so once); a worker
    # stopped by it too would only add a traceback of its own.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # The parent has brought the tables up to date; a worker only reads (and must not
    # race the others to migrate).
    _worker_engine = database.connect(url, migrate=False)
    charts.VALIDATE = validate_charts  # as in the parent: tests check every chart


def _build_in_worker(code: str, job: _Job) -> _Built:
    assert _worker_engine is not None, "the worker was not started by _start_worker"
    with _worker_engine.connect() as conn:
        return _build(conn, code, job, _quiet)


def _write_in_worker(report: Report, out: Path, formats: Sequence[str]) -> list[Path]:
    return _write_one(report, out, formats, _quiet)
