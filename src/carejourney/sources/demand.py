"""Read and check demand files: contacts, assessments, help provided and the CIN census
modules, each kind an LA list (every file of a kind given in one import is read together).

Each file is checked against its declaration (`schema.demand`) like any other table, then
against the checks below, whose messages name the file's own columns. Dates out of order
(a decision before the contact it decides, an assessment authorised before it started) are
errors: the figures worked out from them would be wrong, so nothing is stored until they
are put right. The rows come out under carejourney's column names (`DemandFile.names`): the
CIN census's LAchildID is CHILD, and so on.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import polars as pl

from carejourney.schema.demand import DEMAND_FILES, YES_NO, DemandFile
from carejourney.sources.files import SourceFile
from carejourney.sources.problems import Problem, Severity, from_rows
from carejourney.sources.raw import RawTable
from carejourney.sources.tracker import combine

# Why a cell was dropped when its code is not one carejourney knows: the measures read
# only known codes, so an unknown one is left blank rather than counted as something else.
_UNKNOWN_CODE = " It was left blank."
CIN_RULES = "DfE CIN census validation rule"


@dataclass(frozen=True)
class DemandCheck:
    """Rows of one kind of file that break a rule: the column to point at, and why."""

    kind: str
    breaks: pl.Expr  # true for the rows that break the rule (nulls never do)
    column: str
    code: str
    message: str
    severity: Severity
    blank: bool = False  # the offending value is left blank, and the row kept


def _before(earlier: str, later: str) -> pl.Expr:
    """`later` is a day before `earlier`, both given."""
    return pl.col(later) < pl.col(earlier)


def _open_episodes() -> pl.Expr:
    """More than one open CIN episode for the child that is not a referral closed with no
    further action."""
    open_ = pl.col("CINclosureDate").is_null() & (pl.col("ReferralNFA") != "Y").fill_null(True)
    return open_ & (open_.sum().over("LAchildID") > 1)


CHECKS: tuple[DemandCheck, ...] = (
    DemandCheck(
        "Contacts",
        _before("CONTACT_DATE", "DECISION_DATE"),
        "DECISION_DATE",
        "decision-before-contact",
        "The decision (DECISION_DATE) is before the contact came in (CONTACT_DATE).",
        Severity.ERROR,
    ),
    DemandCheck(
        "Contacts",
        _before("CONTACT_DATE", "CLOSED_DATE"),
        "CLOSED_DATE",
        "closed-before-contact",
        "The work is closed (CLOSED_DATE) before the contact came in (CONTACT_DATE).",
        Severity.ERROR,
    ),
    DemandCheck(
        "Contacts",
        (pl.col("DEMAND") == "VALUE") & pl.col("FAILURE_TYPE").is_not_null(),
        "FAILURE_TYPE",
        "failure-type-on-value-demand",
        "DEMAND says this contact was value demand, so its FAILURE_TYPE was left blank. If it "
        "was failure demand, write FAILURE in DEMAND.",
        Severity.WARNING,
        blank=True,
    ),
    DemandCheck(
        "Assessments",
        _before("START", "AUTHORISED"),
        "AUTHORISED",
        "authorised-before-start",
        "The assessment is authorised (AUTHORISED) before it started (START).",
        Severity.ERROR,
    ),
    DemandCheck(
        "Assessments",
        _before("REFERRAL_DATE", "START"),
        "START",
        "assessment-before-referral",
        "The assessment started (START) before the referral it follows (REFERRAL_DATE).",
        Severity.WARNING,
    ),
    DemandCheck(
        "Help provided",
        _before("START", "END"),
        "END",
        "help-end-before-start",
        "The help ends (END) before it started (START).",
        Severity.ERROR,
    ),
    DemandCheck(
        "CIN referrals",
        _before("CINreferralDate", "CINclosureDate"),
        "CINclosureDate",
        "cin-closed-before-referral",
        "The episode closes (CINclosureDate) before the referral that started it "
        f"(CINreferralDate) ({CIN_RULES} 8630).",
        Severity.ERROR,
    ),
    DemandCheck(
        "CIN referrals",
        _open_episodes(),
        "CINclosureDate",
        "cin-open-episodes",
        "The child has more than one open episode (no CINclosureDate) that is not a referral "
        f"closed with no further action (ReferralNFA) ({CIN_RULES} 8815).",
        Severity.WARNING,
    ),
    DemandCheck(
        "CIN assessments",
        _before("AssessmentActualStartDate", "AssessmentAuthorisationDate"),
        "AssessmentAuthorisationDate",
        "authorised-before-start",
        "The assessment is authorised (AssessmentAuthorisationDate) before it started "
        "(AssessmentActualStartDate).",
        Severity.ERROR,
    ),
    DemandCheck(
        "CIN assessments",
        _before("CINreferralDate", "AssessmentActualStartDate"),
        "AssessmentActualStartDate",
        "assessment-before-referral",
        "The assessment started (AssessmentActualStartDate) before the referral of its "
        "episode (CINreferralDate).",
        Severity.WARNING,
    ),
)


@dataclass(frozen=True)
class DemandList:
    """Every file of one kind, read and checked: rows under carejourney's column names,
    with `_file` and `_row`."""

    kind: str
    rows: pl.DataFrame
    files: list[SourceFile]


def read_demand(raws: list[RawTable]) -> tuple[list[DemandList], list[Problem]]:
    """Each kind of demand file among `raws`, read and checked."""
    lists: list[DemandList] = []
    problems: list[Problem] = []
    for demand in DEMAND_FILES:
        given = [r for r in raws if r.table is demand.table]
        if not given:
            continue
        rows, found = _read_kind(demand, given)
        lists.append(DemandList(demand.kind, rows, [r.file for r in given]))
        problems += found
    return lists, problems


def _read_kind(demand: DemandFile, raws: list[RawTable]) -> tuple[pl.DataFrame, list[Problem]]:
    frame, problems = combine(raws, demand.table)
    problems = [_explained(p) for p in problems]
    frame = _known_codes_only(frame, demand)
    for check in (c for c in CHECKS if c.kind == demand.kind):
        broken = frame.filter(check.breaks.fill_null(False))
        problems += _problems(check, broken, demand)
        if check.blank and broken.height:
            blanked = pl.when(check.breaks.fill_null(False)).then(None)
            frame = frame.with_columns(blanked.otherwise(pl.col(check.column)).alias(check.column))
    if "FAMILY" in frame.columns:
        # A contact with no family ID is its child's own: the family is the child.
        frame = frame.with_columns(FAMILY=pl.coalesce("FAMILY", "CHILD"))
    frame = frame.with_columns(
        (pl.col(c.name) == "Y").alias(c.name) for c in demand.table.columns if c.codes is YES_NO
    )
    return frame.drop("_year").rename(demand.names), problems


def _known_codes_only(frame: pl.DataFrame, demand: DemandFile) -> pl.DataFrame:
    """Code columns keep only the codes of their list: the measures never meet another."""
    coded = [c for c in demand.table.columns if c.codes is not None]
    return frame.with_columns(
        pl.when(pl.col(c.name).is_in(list(c.codes.values())))  # type: ignore[union-attr]
        .then(pl.col(c.name))
        .alias(c.name)
        for c in coded
    )


def _explained(problem: Problem) -> Problem:
    if problem.code != "code-unknown":
        return problem
    return replace(problem, message=problem.message + _UNKNOWN_CODE)


def _problems(check: DemandCheck, broken: pl.DataFrame, demand: DemandFile) -> list[Problem]:
    if broken.is_empty():
        return []
    value = pl.col(check.column)
    shown = value.dt.strftime("%d/%m/%Y") if broken.schema[check.column] == pl.Date else value
    personal = demand.table.column(check.column).personal
    problems: list[Problem] = []
    for (file,), rows in broken.with_columns(_value=shown.cast(pl.String)).group_by(
        "_file", maintain_order=True
    ):
        problems += from_rows(
            str(file),
            rows,
            column=check.column,
            code=check.code,
            message=check.message,
            severity=check.severity,
            personal=personal,
        )
    return problems
