"""Audit templates and grading scales are data: the shipped ones load with their sources,
grades and themes are found however they are written, an LA's own template loads by name
or path, and bad files are explained."""

from pathlib import Path

import pytest

from carejourney.config.audits import (
    ENVIRONMENT_VARIABLE,
    AuditTemplateError,
    load_scale,
    load_template,
    parse_template,
    scales,
    spelling,
    templates,
)

SEEDS = Path(__file__).resolve().parents[3] / "shared" / "seeds"

MINE = """
name = "mine"
title = "Our case audit"
source = "QA team, 2024"
scale = "ofsted"
themes = ["drift in care planning", "life story work"]

[[domains]]
key = "planning"
title = "Planning"
questions = ["Is there a contingency plan?"]

[[domains]]
key = "voice"
title = "Voice of the child"
"""

SIX = """
[scale]
name = "three"
label = "Three grades"
grades = [
    { value = "a", label = "Strong", rank = 3, good = true },
    { value = "b", label = "Fair", rank = 2, good = false },
    { value = "c", label = "Weak", rank = 1, good = false },
]
"""


def problems(text: str) -> str:
    with pytest.raises(AuditTemplateError) as caught:
        parse_template(text.encode(), "mine.toml")
    return str(caught.value)


def test_the_shipped_scales_are_ofsteds_and_the_care_inspectorates() -> None:
    found = {s.name: s for s in scales()}
    assert list(found) == ["ofsted", "care-inspectorate"]
    ofsted = [(g.value, g.label, g.rank, g.good) for g in found["ofsted"].grades]
    assert ofsted == [
        ("outstanding", "Outstanding", 4, True),
        ("good", "Good", 3, True),
        ("requires-improvement", "Requires improvement to be good", 2, False),
        ("inadequate", "Inadequate", 1, False),
    ]
    six = [(g.value, g.label, g.good) for g in found["care-inspectorate"].grades]
    assert six == [
        ("6", "Excellent", True),
        ("5", "Very good", True),
        ("4", "Good", True),
        ("3", "Adequate", False),
        ("2", "Weak", False),
        ("1", "Unsatisfactory", False),
    ]
    assert found["care-inspectorate"].good_values == {"4", "5", "6"}
    assert all(s.source for s in found.values())


def test_the_default_template_has_the_usual_domains_and_coventrys_themes() -> None:
    template = load_template()
    assert (template.name, template.scale.name) == ("case-audit", "ofsted")
    assert [(d.key, d.title, d.column) for d in template.domains] == [
        ("voice_of_the_child", "Voice of the child", "VOICE_OF_THE_CHILD"),
        ("timeliness", "Timeliness", "TIMELINESS"),
        ("assessment", "Assessment", "ASSESSMENT"),
        ("planning", "Planning", "PLANNING"),
        ("multi_agency_working", "Multi-agency working", "MULTI_AGENCY_WORKING"),
        ("management_oversight", "Management oversight", "MANAGEMENT_OVERSIGHT"),
        ("recording", "Recording", "RECORDING"),
        ("impact", "Impact", "IMPACT"),
    ]
    assert all(d.questions for d in template.domains)
    # The spec's themes, each from Coventry's findings (4.3 and 8.4 of its briefing).
    for theme in (
        "drift in care planning",
        "no contingency plan",
        "chronology out of date",
        "recording inconsistent",
        "supervision not reflective",
        "child seen and listened to",
        "life story work",
        "placement moves",
        "management oversight",
        "timely assessment",
        "multi-agency working",
    ):
        assert theme in template.themes
    assert "Coventry" in template.source


def test_coventrys_words_are_behind_the_themes() -> None:
    briefing = (SEEDS / "coventry-quality-assurance-briefing.txt").read_text().lower()
    for words in (
        "drift and lack of contingency planning",
        "chronologies not updated",
        "recording is still inconsistent",
        "not always reflective",
        "children are seen, and they are listened to",
        "life story work",
        "too many moves",
        "start again",
    ):
        assert words in briefing


def test_the_scottish_template_grades_on_the_six_point_scale() -> None:
    template = load_template("case-audit-scotland")
    assert template.scale == load_scale("care-inspectorate")
    assert [d.key for d in template.domains] == [d.key for d in load_template().domains]
    assert [t.name for t in templates()] == ["case-audit", "case-audit-scotland"]


@pytest.mark.parametrize(
    ("written", "value"),
    [
        ("good", "good"),
        ("GOOD", "good"),
        (" Good ", "good"),
        ("Requires improvement to be good", "requires-improvement"),
        ("requires improvement", "requires-improvement"),
        ("Requires-Improvement", "requires-improvement"),
        ("RI", "requires-improvement"),
        ("ri", "requires-improvement"),
        ("Outstanding", "outstanding"),
        ("inadequate", "inadequate"),
        ("Great", None),
        ("", None),
        ("4", None),
    ],
)
def test_ofsted_grades_are_found_however_written(written: str, value: str | None) -> None:
    grade = load_template().grade(written)
    assert (grade and grade.value) == value


@pytest.mark.parametrize(
    ("written", "value"),
    [("6", "6"), ("Excellent", "6"), ("6 Excellent", "6"), ("6 - excellent", "6"), ("good", "4")],
)
def test_six_point_grades_by_number_or_word(written: str, value: str) -> None:
    grade = load_template("case-audit-scotland").grade(written)
    assert grade is not None and grade.value == value


def test_good_or_better() -> None:
    scale = load_scale("ofsted")
    assert [scale.is_good(g.value) for g in scale.grades] == [True, True, False, False]
    assert scale.accepted == (
        "Outstanding, Good, Requires improvement to be good (requires-improvement), Inadequate"
    )


def test_domains_and_themes_are_found_however_written() -> None:
    template = load_template()
    assert template.domain("Voice of the child") == template.domains[0]
    assert template.domain("VOICE_OF_THE_CHILD") == template.domains[0]
    assert template.domain("multi-agency working") == template.domains[4]
    assert template.domain("Supervision") is None
    assert template.theme("Drift in Care-Planning") == "drift in care planning"
    assert template.theme("Plans not smart") == "plans not SMART"
    assert template.theme("step-up and step-down") is None
    assert spelling("  No-Contingency   PLAN ") == "no contingency plan"


def test_an_las_own_template_loads_by_path(tmp_path: Path) -> None:
    path = tmp_path / "mine.toml"
    path.write_text(MINE)
    template = load_template(path)
    assert [d.key for d in template.domains] == ["planning", "voice"]
    assert template.domain("Voice of the child") == template.domains[1]
    assert load_template(str(path)) == template


def test_an_las_own_template_with_its_own_scale(tmp_path: Path) -> None:
    template = parse_template((MINE.replace('scale = "ofsted"\n', "") + SIX).encode(), "x")
    assert template.scale.name == "three"
    assert template.scale.good_values == {"a"}
    assert template.grade("fair") is not None


def test_an_las_folder_of_templates_is_found_by_name(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "mine.toml").write_text(MINE)
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path))
    assert load_template("mine").title == "Our case audit"
    assert [t.name for t in templates()] == ["case-audit", "case-audit-scotland", "mine"]
    (tmp_path / "other.toml").write_text(MINE)
    with pytest.raises(AuditTemplateError, match='called "mine" inside but "other"'):
        load_template("other")


def test_a_missing_folder_or_template_is_explained(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with pytest.raises(AuditTemplateError) as caught:
        load_template("ours")
    assert str(caught.value) == (
        'There is no audit template called "ours". Templates: case-audit, '
        "case-audit-scotland. To load your own, give its file path, or put it in the folder "
        "named by CAREJOURNEY_AUDIT_TEMPLATES."
    )
    with pytest.raises(AuditTemplateError, match="Cannot read the audit template"):
        load_template(tmp_path / "none.toml")
    monkeypatch.setenv(ENVIRONMENT_VARIABLE, str(tmp_path / "nowhere"))
    with pytest.raises(AuditTemplateError, match="which is not a folder"):
        load_template("case-audit")
    with pytest.raises(AuditTemplateError, match='no grading scale called "ofstead"'):
        load_scale("ofstead")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            MINE.replace('"ofsted"', '"ofstead"'),
            'field "scale": "ofstead" is not a scale carejourney knows. Scales: ofsted, '
            "care-inspectorate",
        ),
        (
            MINE.replace('key = "voice"', 'key = "Voice"'),
            'domain "Voice" (domain 2 in the file), field "key": expected lower-case letters, '
            "digits and underscores",
        ),
        (
            MINE.replace('key = "voice"', 'key = "overall"'),
            'the domain "Voice of the child" would be the spreadsheet column OVERALL, which '
            "holds something else",
        ),
        (
            MINE.replace('title = "Voice of the child"', 'title = "Findings"'),
            "would be the spreadsheet column FINDINGS",
        ),
        (
            MINE.replace('key = "voice"', 'key = "planning"'),
            "more than one domain has the key planning",
        ),
        (
            MINE.replace('title = "Voice of the child"', 'title = "planning"'),
            'the domains "planning" and "voice" would both be the spreadsheet column PLANNING',
        ),
        (
            MINE.replace('"life story work"', '"life story; work"'),
            'the theme "life story; work" holds ";"',
        ),
        (
            MINE.replace('"life story work"', '"Drift in care-planning"'),
            'the theme "Drift in care-planning" is listed twice',
        ),
        (
            MINE.replace('title = "Planning"\n', ""),
            'domain "planning" (domain 1 in the file), field "title": is missing',
        ),
        (
            MINE.split("[[domains]]")[0] + 'domains = "planning"',
            'field "domains": expected each domain under its own [[domains]] heading',
        ),
        (MINE.replace('source = "QA team, 2024"\n', ""), 'field "source": is missing'),
        (MINE.replace("themes", "tehmes"), 'field "tehmes": is not a setting'),
        (
            MINE.replace('scale = "ofsted"\n', "")
            + SIX.replace("rank = 2, good = false", "rank = 4, good = false"),
            'the [scale] table, field "grades": b is not good but ranks above a good grade',
        ),
        (
            MINE.replace('scale = "ofsted"\n', "") + SIX.replace("good = false", "good = true"),
            "at least one grade must be good (good = true) and at least one not",
        ),
        (
            MINE.replace('scale = "ofsted"\n', "") + SIX.replace('value = "c"', 'value = "b"'),
            "more than one grade has the value b",
        ),
        (
            MINE.replace('scale = "ofsted"\n', "") + SIX.replace('label = "Weak"', 'label = "B"'),
            '"b" would mean both b and c',
        ),
        (
            MINE.replace('scale = "ofsted"\n', "") + SIX.replace('value = "c"', 'value = "C c"'),
            'grade "C c" (grade 3 in the file), field "value": expected lower-case letters',
        ),
        ("name = [", "is not valid TOML"),
    ],
)
def test_bad_templates_are_explained(text: str, message: str) -> None:
    found = problems(text)
    assert found.startswith("The audit template mine.toml has") or "not valid TOML" in found
    assert message in found
