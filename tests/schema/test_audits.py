"""The audit spreadsheet is declared once: its fixed columns, one grade column per domain
of the template, and one way of comparing headings."""

import pytest

from carejourney.config.audits import load_template
from carejourney.schema.audits import AUDIT_SHEET, KEY, audit_table, heading_key
from carejourney.schema.types import Kind


def test_the_fixed_columns() -> None:
    assert AUDIT_SHEET.column_names == (
        "CHILD",
        "AUDIT_DATE",
        "AUDITOR",
        "TEAM",
        "TEMPLATE",
        "OVERALL",
        "STRENGTHS",
        "DEVELOPMENT",
        "FINDINGS",
        "MODERATOR",
        "MODERATED_GRADE",
    )
    required = [c.name for c in AUDIT_SHEET.columns if c.required]
    assert required == ["CHILD", "AUDIT_DATE", "AUDITOR", "OVERALL"]
    assert [c.name for c in AUDIT_SHEET.columns if c.personal] == ["CHILD"]
    assert AUDIT_SHEET.column("AUDIT_DATE").kind is Kind.DATE
    assert AUDIT_SHEET.key == KEY == ("CHILD", "AUDIT_DATE", "AUDITOR")


def test_the_whole_sheet_has_a_grade_column_per_domain_after_the_template() -> None:
    table = audit_table(load_template())
    assert table.column_names == (
        "CHILD",
        "AUDIT_DATE",
        "AUDITOR",
        "TEAM",
        "TEMPLATE",
        "VOICE_OF_THE_CHILD",
        "TIMELINESS",
        "ASSESSMENT",
        "PLANNING",
        "MULTI_AGENCY_WORKING",
        "MANAGEMENT_OVERSIGHT",
        "RECORDING",
        "IMPACT",
        "OVERALL",
        "STRENGTHS",
        "DEVELOPMENT",
        "FINDINGS",
        "MODERATOR",
        "MODERATED_GRADE",
    )
    assert table.column("PLANNING").description.startswith("The grade for Planning")
    assert "Template: Case audit." in table.description


@pytest.mark.parametrize(
    ("heading", "key"),
    [
        ("Voice of the child", "VOICE_OF_THE_CHILD"),
        ("voice_of_the_child", "VOICE_OF_THE_CHILD"),
        ("  Audit date ", "AUDIT_DATE"),
        ("AUDIT-DATE", "AUDIT_DATE"),
        ("Multi-agency working", "MULTI_AGENCY_WORKING"),
        ("Moderated grade:", "MODERATED_GRADE"),
        ("", ""),
    ],
)
def test_headings_are_compared_in_capitals_with_underscores(heading: str, key: str) -> None:
    assert heading_key(heading) == key
