"""Synthetic audits: reproducible, a working day in each month, better after the training
(so a p chart of the share good or better signals), Coventry's themes early, a few
moderated by someone else; and a spreadsheet that imports cleanly."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from carejourney.config.audits import load_template
from carejourney.measures.spc.analysis import spc
from carejourney.measures.spc.types import ChartType, Series, SpcOptions
from carejourney.quality.audits import AuditInput, effective_grade, prepare
from carejourney.quality.importing import read_audit_sheet
from carejourney.synth.audits import (
    AUDITORS,
    GOOD_AFTER,
    GOOD_BEFORE,
    good_share,
    synthetic_audits,
    write_audit_sheet,
    write_for_returns,
)
from carejourney.synth.records import working_day

TEAMS = ("Permanence North", "Permanence South", "Children in Care East")
CHILDREN = [(f"{100000 + n}", TEAMS[n % 3]) for n in range(300)]
APRIL = dt.date(2024, 4, 1)


def audits(seed: int = 1, **given: object) -> list[AuditInput]:
    options: dict = {"children": CHILDREN, "first_month": APRIL, "months": 12} | given  # type: ignore[type-arg]
    return synthetic_audits(seed=seed, la="999", **options)


def by_month(found: list[AuditInput]) -> dict[dt.date, list[AuditInput]]:
    out: dict[dt.date, list[AuditInput]] = {}
    for audit in found:
        assert audit.month is not None
        out.setdefault(audit.month, []).append(audit)
    return dict(sorted(out.items()))


def test_the_same_arguments_give_the_same_audits() -> None:
    assert audits() == audits()
    assert audits() != audits(seed=2)
    assert audits() != synthetic_audits(
        seed=1, la="998", children=CHILDREN, first_month=APRIL, months=12
    )
    # The children's order does not matter.
    assert audits() == audits(children=list(reversed(CHILDREN)))


def test_per_month_children_audited_on_a_working_day_of_each_month() -> None:
    found = audits(per_month=20)
    months = by_month(found)
    assert list(months) == [dt.date(2024 + (3 + n) // 12, (3 + n) % 12 + 1, 1) for n in range(12)]
    teams = dict(CHILDREN)
    for month, those in months.items():
        assert len(those) == 20
        assert len({a.child for a in those}) == 20  # no child twice in a month
        for audit in those:
            assert audit.audit_date is not None
            assert audit.audit_date.replace(day=1) == month
            assert working_day(audit.audit_date) == audit.audit_date
            assert audit.team == teams[audit.child]
            assert audit.auditor in AUDITORS
            assert audit.template == "case-audit"
    assert [a.audit_date for a in found] == sorted(a.audit_date for a in found)  # type: ignore[type-var]
    # Fewer children than the month asks for: every child, once.
    assert len(audits(children=CHILDREN[:5], per_month=20, months=1)) == 5


def test_the_share_good_rises_after_the_training() -> None:
    # Training in month 4 (a third of 12): 30% before; then 30% + 45% x k/4 in its k-th
    # month (k = 1..4): 41.25%, 52.5%, 63.75%, 75%; then 75%.
    expected = [0.30] * 4 + [0.4125, 0.525, 0.6375, 0.75] + [0.75] * 4
    assert [good_share(m, 4) for m in range(12)] == pytest.approx(expected)
    assert (GOOD_BEFORE, GOOD_AFTER) == (0.30, 0.75)
    # In a large sample the audits follow those chances (each month within 5 points).
    scale = load_template().scale
    many = audits(children=[(f"C{n}", "T") for n in range(2000)], per_month=1000)
    for index, (_month, those) in enumerate(by_month(many).items()):
        share = sum(scale.is_good(a.overall or "") for a in those) / len(those)
        assert share == pytest.approx(expected[index], abs=0.05)


def test_a_training_month_can_be_named() -> None:
    scale = load_template().scale
    found = audits(
        children=[(f"C{n}", "T") for n in range(1500)],
        per_month=1000,
        months=3,
        training_month=dt.date(2024, 5, 15),
    )
    shares = [
        sum(scale.is_good(a.overall or "") for a in those) / len(those)
        for those in by_month(found).values()
    ]
    assert shares == pytest.approx([0.30, 0.4125, 0.525], abs=0.05)


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_a_p_chart_of_the_share_good_signals(seed: int) -> None:
    scale = load_template().scale
    months = by_month(audits(seed))
    good = [
        sum(scale.is_good(effective_grade(a) or "") for a in those) for those in months.values()
    ]
    n = [len(those) for those in months.values()]
    # The four months before the training are the baseline.
    series = Series(y=np.array(good, dtype=float), n=np.array(n, dtype=float))
    result = spc(series, SpcOptions(chart=ChartType.P, freeze=4))
    assert result.signals, f"seed {seed}: good {good} of {n}"
    # Without a baseline, for 37 of seeds 1 to 40: here for the synth command's default, 1.
    if seed == 1:
        assert spc(series, SpcOptions(chart=ChartType.P)).signals


def test_coventrys_themes_are_common_early_and_fade() -> None:
    found = audits(children=[(f"C{n}", "T") for n in range(1000)], per_month=500)
    early = Counter(t for a in found[:2000] for t in a.developments)  # months 1-4
    late = Counter(t for a in found[-2000:] for t in a.developments)  # months 9-12
    top = [theme for theme, _ in early.most_common(2)]
    assert sorted(top) == ["chronology out of date", "drift in care planning"]
    assert late["drift in care planning"] < early["drift in care planning"] / 2
    template = load_template()
    themes = {t for a in found for t in a.strengths + a.developments}
    assert {t for t in themes if template.theme(t) is None} == {"step-up and step-down"}
    assert Counter(t for a in found for t in a.strengths).most_common(1)[0][0] == (
        "child seen and listened to"
    )


def test_a_few_audits_are_moderated_by_someone_else() -> None:
    found = audits(children=[(f"C{n}", "T") for n in range(1000)], per_month=500)
    moderated = [a for a in found if a.moderation is not None]
    assert len(moderated) / len(found) == pytest.approx(0.12, abs=0.02)
    assert all(a.moderation.moderator != a.auditor for a in moderated)  # type: ignore[union-attr]
    agreed = sum(a.moderation.grade == a.overall for a in moderated)  # type: ignore[union-attr]
    assert agreed / len(moderated) > 0.65


def test_every_audit_passes_the_checks_the_web_app_makes() -> None:
    for audit in audits():
        ready, _ = prepare(audit)
        assert ready.overall == audit.overall
        assert len(ready.grades) == 8


def test_the_spreadsheet_imports_cleanly_and_holds_the_audits(tmp_path: Path) -> None:
    found = audits()
    path = write_audit_sheet(tmp_path / "audits.csv", found)
    header = path.read_text(encoding="utf-8").splitlines()[0]
    assert header == (
        "CHILD,AUDIT_DATE,AUDITOR,TEAM,TEMPLATE,VOICE_OF_THE_CHILD,TIMELINESS,ASSESSMENT,"
        "PLANNING,MULTI_AGENCY_WORKING,MANAGEMENT_OVERSIGHT,RECORDING,IMPACT,OVERALL,"
        "STRENGTHS,DEVELOPMENT,FINDINGS,MODERATOR,MODERATED_GRADE"
    )
    sheet = read_audit_sheet(path)
    assert {p.code for p in sheet.problems} == {"audit-theme-new"}
    assert sheet.new_themes == ("step-up and step-down",)
    read = [r.audit for r in sheet.audits]
    assert len(read) == len(found)
    for mine, theirs in zip(found, read, strict=True):
        # The sheet holds no month (the audit date's) and no moderation note.
        expected, _ = prepare(mine)
        moderation = expected.moderation
        if moderation is not None:
            moderation = type(moderation)(moderation.moderator, moderation.grade)
        got, _ = prepare(theirs)
        assert got == type(expected)(**{**expected.__dict__, "moderation": moderation})


def test_audits_beside_a_synthetic_las_returns(tmp_path: Path) -> None:
    (tmp_path / "allocation.csv").write_text(
        "CHILD,TEAM,WORKER\n1,Permanence North,SW1\n2,,SW2\n3,Permanence South,SW3\n"
    )
    path = write_for_returns(tmp_path, seed=4, la="999", last_day=dt.date(2026, 3, 31), per_month=2)
    assert path == tmp_path / "audits.csv"
    sheet = read_audit_sheet(path)
    months = sorted({r.audit.audit_date.replace(day=1) for r in sheet.audits})  # type: ignore[union-attr]
    assert months[0] == dt.date(2025, 4, 1) and months[-1] == dt.date(2026, 3, 1)
    assert len(sheet.audits) == 24
    assert {(r.audit.child, r.audit.team) for r in sheet.audits} <= {
        ("1", "Permanence North"),
        ("2", None),
        ("3", "Permanence South"),
    }
