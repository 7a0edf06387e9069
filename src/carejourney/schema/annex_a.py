"""Ofsted Annex A lists 10 and 11 (the adoption lists an LA prepares for an inspection).

List 10 is the child's adoption journey: one row per child with a decision that they should
be placed for adoption. List 11 is the adopters' journey: one row per prospective adopter.
Each dated column is a milestone (`LIST_10_MILESTONES`, `LIST_11_MILESTONES`).

Columns are named by the Annex A headings, as declared in SocialFinanceDigitalLabs/liia-tools:
liiatools/annex_a_pipeline/spec/Annex_A_schema.yml (lists 10 and 11, unchanged from
Annex_A_schema_2020.yml) and liiatools/annex_a_pipeline/spec/pipeline.yml. The headings vary a
little between years and LAs, so each column also accepts the headings in `ALIASES`; a heading
is compared with `heading_key` (case, punctuation and spaces ignored). The name columns are
not in Ofsted's lists: some LAs add them, so they are recognised (and never kept).
"""

from __future__ import annotations

import re

from carejourney.schema.types import Column, Kind, Table

SOURCE = (
    "Ofsted Annex A, as declared in SocialFinanceDigitalLabs/liia-tools "
    "liiatools/annex_a_pipeline/spec/Annex_A_schema.yml and spec/pipeline.yml"
)

CHILD_ID = "Child Unique ID"
ADOPTER_ID = "Individual adopter identifier"
REVERSED = "Date of Decision that Child Should No Longer be Placed for Adoption"
REVERSED_REASON = "Reason Why Child No Longer Placed for Adoption"


def heading_key(text: str) -> str:
    """How headings are compared: lower case, letters and digits only ('Child ID' = 'child id')."""
    return re.sub(r"[^a-z0-9]+", "", text.lower())


def _date(name: str, description: str, required: bool = False) -> Column:
    return Column(name, Kind.DATE, description, required=required)


def _text(name: str, description: str) -> Column:
    return Column(name, Kind.TEXT, description)


def _names() -> tuple[Column, ...]:
    note = " Not in Ofsted's list; recognised so it is never mistaken for data, and not kept."
    return (
        Column("Name", Kind.TEXT, "The person's full name." + note, personal=True),
        Column("Forename", Kind.TEXT, "The person's first name." + note, personal=True),
        Column("Surname", Kind.TEXT, "The person's last name." + note, personal=True),
    )


def _family() -> Column:
    return Column(
        "Family identifier",
        Kind.ID,
        "The LA's identifier for the adoptive family.",
        personal=True,
    )


LIST_10 = Table(
    "Annex A list 10",
    "Children with a decision that they should be placed for adoption: one row per decision, "
    "with the dates of the child's adoption journey.",
    (
        Column(
            CHILD_ID,
            Kind.ID,
            "The LA's identifier for the child, as in the SSDA903 return.",
            required=True,
            personal=True,
        ),
        _family(),
        _text("Gender", "The child's gender, as Annex A codes it ('a) Male')."),
        _text("Ethnicity", "The child's ethnicity, as Annex A codes it ('a) WBRI')."),
        Column("Date of Birth", Kind.DATE, "The child's date of birth.", personal=True),
        Column("Age of Child (Years)", Kind.INTEGER, "The child's age in whole years."),
        _text("Does the Child have a Disability", "Yes, no or unknown."),
        _date("Date the Child Entered Care", "The start of the period of care."),
        _date(
            "Date of Decision that Child Should be Placed for Adoption",
            "The agency decision maker's decision that the child should be placed for adoption.",
            required=True,
        ),
        _date("Date of Placement Order", "The court's authority to place for adoption."),
        _date("Date of Matching Child and Prospective Adopters", "The match."),
        _date("Date Placed for Adoption", "The child moved in with the prospective adopters."),
        _date("Date of Adoption Order", "The adoption order."),
        _date(REVERSED, "The decision that the child should no longer be placed for adoption."),
        _text(REVERSED_REASON, "Why (RD1 to RD4); kept as the note of the reversal."),
        _date(
            "Date the child was placed for fostering in FFA or concurrent planning placement",
            "Fostering for adoption or concurrent planning placement (no milestone of its own).",
        ),
        *_names(),
    ),
    key=(CHILD_ID, "Date of Decision that Child Should be Placed for Adoption"),
    source=SOURCE,
)

LIST_11 = Table(
    "Annex A list 11",
    "Prospective adopters in touch with the LA's adoption agency: one row per adopter, with "
    "the dates of their journey.",
    (
        Column(
            ADOPTER_ID,
            Kind.ID,
            "The LA's identifier for the prospective adopter.",
            required=True,
            personal=True,
        ),
        _family(),
        _text("Gender", "The adopter's gender, as Annex A codes it."),
        _text("Ethnicity", "The adopter's ethnicity, as Annex A codes it."),
        _text("Disability", "Whether the adopter has a disability."),
        _text("Is the (prospective) adopter fostering for adoption?", "Yes or no."),
        _date("Date enquiry received", "The adopters' first enquiry.", required=True),
        _date("Date Stage 1 started", "Registration of interest accepted; stage 1 starts."),
        _date("Date Stage 1 ended", "The stage 1 decision."),
        _date("Date Stage 2 started", "The assessment (stage 2) started."),
        _date("Date Stage 2 ended", "The assessment ended (no milestone of its own)."),
        _date("Date application submitted", "The application (no milestone of its own)."),
        _date("Date application approved", "The agency decision maker approved the adopters."),
        _date("Date adopter matched with child(ren)", "The adopters were matched."),
        _date("Date child/children placed with adopter(s)", "A child moved in."),
        Column("No. of children placed", Kind.INTEGER, "How many children were placed."),
        _date("Date of Adoption Order", "The adoption order (no adopter milestone)."),
        _date("Date of leaving adoption process", "The adopters left (no milestone of its own)."),
        _text("Reason for leaving adoption process", "Withdrew, on hold or refused."),
        *_names(),
    ),
    key=(ADOPTER_ID, "Date enquiry received"),
    source=SOURCE,
)

LISTS = (LIST_10, LIST_11)

# The milestone each dated column records, in journey order.
LIST_10_MILESTONES: dict[str, str] = {
    "Date the Child Entered Care": "entered_care",
    "Date of Decision that Child Should be Placed for Adoption": "adoption_decision",
    "Date of Placement Order": "placement_order",
    "Date of Matching Child and Prospective Adopters": "matched",
    "Date Placed for Adoption": "placed_for_adoption",
    "Date of Adoption Order": "adoption_order",
    REVERSED: "adoption_plan_reversed",
}
LIST_11_MILESTONES: dict[str, str] = {
    "Date enquiry received": "adopter_enquiry",
    "Date Stage 1 started": "adopter_registration",
    "Date Stage 1 ended": "adopter_stage_one_completed",
    "Date Stage 2 started": "adopter_stage_two_started",
    "Date application approved": "adopter_approved",
    "Date adopter matched with child(ren)": "adopter_matched",
    "Date child/children placed with adopter(s)": "adopter_child_placed",
}
MILESTONE_COLUMNS: dict[str, dict[str, str]] = {
    LIST_10.name: LIST_10_MILESTONES,
    LIST_11.name: LIST_11_MILESTONES,
}
# The column whose text becomes a milestone's NOTE.
NOTE_COLUMNS: dict[str, str] = {REVERSED: REVERSED_REASON}

# Other headings accepted for each column (its own name is always accepted). The Ofsted
# template's headings are the column names; the variants here are those LAs' exports use,
# among them the column names of data-to-insight/ssd-data-model's Annex A extract SQL
# (cms_ssd_extract_sql/AnnexA_sqlserver.sql: CHILD_ID, MATCHED_DATE, PLACED_DATE, ...).
ALIASES: dict[str, tuple[str, ...]] = {
    CHILD_ID: ("Child ID", "Child Unique Identifier", "Unique Child ID", "Child Identifier"),
    ADOPTER_ID: ("Adopter identifier", "Individual adopter ID", "Adopter ID"),
    "Family identifier": ("Family ID",),
    "Gender": ("Sex",),
    "Date of Birth": ("DOB", "Birth date"),
    "Age of Child (Years)": ("Age of Child", "Age", "Age (Years)"),
    "Does the Child have a Disability": ("Child has a Disability", "Has Disability", "Disability"),
    "Date the Child Entered Care": ("Date Child Entered Care", "Entered Care Date"),
    "Date of Decision that Child Should be Placed for Adoption": (
        "Date of Decision that the Child Should be Placed for Adoption",
        "Date of decision child should be placed for adoption",
        "ADM decision date",
    ),
    "Date of Placement Order": ("Placement Order Date",),
    "Date of Matching Child and Prospective Adopters": (
        "Date of Matching the Child and Prospective Adopters",
        "Matched for Adoption Date",
        "Date Matched",
    ),
    "Date Placed for Adoption": (
        "Date the Child was Placed for Adoption",
        "Placed for Adoption Date",
    ),
    "Date of Adoption Order": ("Adoption Order Date",),
    REVERSED: (
        "Date of Decision that the Child Should No Longer be Placed for Adoption",
        "Date of decision child should no longer be placed for adoption",
        "Decision Reversed Date",
    ),
    REVERSED_REASON: (
        "Reason Why the Child Should No Longer be Placed for Adoption",
        "Reason Why Child Should No Longer be Placed for Adoption",
        "Decision Reversed Reason",
    ),
    "Date the child was placed for fostering in FFA or concurrent planning placement": (
        "Date the child was placed for fostering in Fostering for Adoption or concurrent "
        "planning placement",
    ),
    "Is the (prospective) adopter fostering for adoption?": ("Adopted by Carer",),
    "Date enquiry received": ("Enquiry date", "Date of enquiry"),
    "Date Stage 1 started": ("Stage 1 start date",),
    "Date Stage 1 ended": ("Stage 1 end date", "Date Stage 1 completed"),
    "Date Stage 2 started": ("Stage 2 start date",),
    "Date Stage 2 ended": ("Stage 2 end date", "Date Stage 2 completed"),
    "Date application submitted": ("Application date",),
    "Date application approved": ("Application approved date", "Date approved"),
    "Date adopter matched with child(ren)": (
        "Date adopter matched with child",
        "Date adopters matched with child(ren)",
        "Matched date",
    ),
    "Date child/children placed with adopter(s)": (
        "Date child placed with adopter",
        "Date children placed with adopters",
        "Placed date",
    ),
    "No. of children placed": ("Number of children placed", "Num siblings placed"),
    "Date of leaving adoption process": ("Date left adoption process", "Adoption leave date"),
    "Reason for leaving adoption process": (
        "Reason left adoption process",
        "Adoption leave reason",
    ),
    "Name": ("Full name", "Child name", "Child's name", "Adopter name"),
    "Forename": ("First name", "Given name", "Forenames"),
    "Surname": ("Last name", "Family name"),
}


def accepted_headings(table: Table) -> dict[str, str]:
    """Every accepted heading of a list, as `heading_key`, mapped to its column's name."""
    return {
        heading_key(heading): column.name
        for column in table.columns
        for heading in (column.name, *ALIASES.get(column.name, ()))
    }
