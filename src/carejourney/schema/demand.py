"""Demand: the contacts that come into children's services, and what became of them.

Five kinds of file, each an LA list (importing one replaces what is stored of its kind):

* Contacts: the LA's demand log or contacts-and-referrals extract, one row per contact,
  with the decision, the outcome and, where a team keeps a demand-capture sheet, whether the
  contact was value or failure demand and what mattered to the family.
* Assessments and Help provided: what followed, from the case-management system.
* CIN referrals and CIN assessments: the DfE child in need census modules ("CINdetails" and
  "Assessments") saved as CSV, with the DfE item names as headings. When they are loaded,
  they are the referrals the national measures count.

The CIN modules keep the DfE's item names as columns (so the LA's own extract is read as it
is); `DemandFile.names` says what carejourney calls each of them (LAchildID is CHILD, and so
on), the names the stored rows and the measures use.

Code lists have `aliases`: plain-words spellings accepted in files ("No further action" is
read as NFA), in any case and with any punctuation between the words.
"""

from __future__ import annotations

from dataclasses import dataclass

from carejourney.schema.types import Code, CodeList, Column, Kind, Table

_CIN_GUIDE = "DfE, Children in need census: guide (the code set tables)"
_CIN_VALIDATOR = "data-to-insight/csc-validator-be-cin, cin_validator/rules"
_CUMBRIA = "Cumbria County Council, Better for Children: systems review (2010)"

OUTCOMES = CodeList(
    name="OUTCOME",
    description="What the front door decided should happen after a contact. A contact whose "
    "outcome is ASSESSMENT, CIN, CP or LOOKED_AFTER was passed to children's social care: "
    "it is a referral (unless CIN census referrals are loaded, which are then the referrals).",
    codes=(
        Code("NFA", "No further action", aliases=("No further action", "None")),
        Code(
            "EARLY_HELP",
            "Early help",
            aliases=("Early help", "Early help assessment", "EHA", "Targeted early help"),
        ),
        Code(
            "ASSESSMENT",
            "Assessment by children's social care",
            aliases=(
                "Assessment",
                "Social care assessment",
                "Single assessment",
                "Child and family assessment",
                "Referral",
                "Referral to social care",
            ),
        ),
        Code("CIN", "Child in need", aliases=("Child in need", "CIN plan", "Section 17")),
        Code(
            "CP",
            "Child protection",
            aliases=("Child protection", "Section 47", "S47", "Strategy discussion"),
        ),
        Code(
            "LOOKED_AFTER",
            "Looked after",
            aliases=("Looked after", "Accommodated", "Became looked after", "LAC"),
        ),
    ),
    source="carejourney",
)

DEMAND = CodeList(
    name="DEMAND",
    description="Value demand is what the service is there to meet; failure demand is demand "
    "caused by a failure to do something, or to do it right, for the family (a repeat or "
    "preventable contact).",
    codes=(
        Code("VALUE", "Value demand", aliases=("Value", "Value demand", "V")),
        Code("FAILURE", "Failure demand", aliases=("Failure", "Failure demand", "F")),
    ),
    source=f"{_CUMBRIA}: 800 demands classed as value or failure demand",
)

FAILURE_TYPES = CodeList(
    name="FAILURE_TYPE",
    description="Why a contact was failure demand.",
    codes=(
        Code(
            "REPEAT",
            "Repeat contact about the same need",
            aliases=("Repeat", "Repeat contact", "Repeat demand", "Duplicate"),
        ),
        Code(
            "CHASING",
            "Progress chasing: asking what is happening",
            aliases=("Chasing", "Progress chasing", "Chaser", "Chasing progress"),
        ),
        Code(
            "NOT_RIGHT_FIRST_TIME",
            "Not done right first time: back after help or an assessment closed",
            aliases=("Not right first time", "Not done right first time", "NRFT"),
        ),
        Code(
            "RE_REFERRAL_NFA",
            "Back after no further action",
            aliases=("Re-referral after NFA", "Back after NFA", "Re-referral", "Rereferral"),
        ),
        Code(
            "WRONG_SERVICE",
            "Came to the wrong service",
            aliases=("Wrong service", "Wrong door", "Signposted"),
        ),
    ),
    source=f"carejourney, from the kinds of failure demand in {_CUMBRIA}",
)

YES_NO = CodeList(
    name="YES_NO",
    description="Yes or no, however a system writes it.",
    codes=(
        Code("Y", "Yes", aliases=("Yes", "True", "T", "1")),
        Code("N", "No", aliases=("No", "False", "F", "0")),
    ),
    source="carejourney; the CIN census writes ReferralNFA as true/false or 1/0",
)

REFERRAL_SOURCES = CodeList(
    name="REFERRAL_SOURCE",
    description="Who made the referral (the CIN census ReferralSource).",
    codes=tuple(
        Code(value, words, aliases=(words,))
        for value, words in (
            ("1A", "Individual"),
            ("1B", "Family member/relative/carer"),
            ("1C", "Acquaintance"),
            ("2A", "Schools"),
            ("2B", "Education services"),
            ("3A", "Health visitor"),
            ("3B", "GP"),
            ("3C", "Health services: hospital"),
            ("3D", "Health services: other primary health"),
            ("3E", "Health services: A&E"),
            ("3F", "Health services: other"),
            ("4", "Housing"),
            ("5A", "LA services: social care"),
            ("5B", "LA services: other internal"),
            ("5C", "LA services: external"),
            ("5D", "Early help"),
            ("6", "Police"),
            ("7", "Other legal agency"),
            ("8", "Other"),
            ("9", "Anonymous"),
            ("10", "Unknown"),
        )
    ),
    source=f"{_CIN_GUIDE}: referral source",
)

PRIMARY_NEEDS = CodeList(
    name="PRIMARY_NEED",
    description="The child's primary need at assessment (the CIN census PrimaryNeedCode).",
    codes=tuple(
        Code(value, words, aliases=(words,))
        for value, words in (
            ("N1", "Abuse or neglect"),
            ("N2", "Child's disability or illness"),
            ("N3", "Parental disability or illness"),
            ("N4", "Family in acute stress"),
            ("N5", "Family dysfunction"),
            ("N6", "Socially unacceptable behaviour"),
            ("N7", "Low income"),
            ("N8", "Absent parenting"),
            ("N9", "Cases other than children in need"),
            ("N0", "Not stated"),
        )
    ),
    source=f"{_CIN_GUIDE}: primary need; {_CIN_VALIDATOR}/cin2022_23/rule_8650.py",
)

CLOSURE_REASONS = CodeList(
    name="REASON_FOR_CLOSURE",
    description="Why a child in need episode closed (the CIN census ReasonForClosure).",
    codes=(
        Code("RC1", "Adopted"),
        Code("RC2", "Died"),
        Code("RC3", "Child arrangements order"),
        Code("RC4", "Special guardianship order"),
        Code("RC5", "Transferred to services of another local authority"),
        Code("RC6", "Transferred to adult social care services"),
        Code("RC7", "Services ceased for any other reason, including child no longer in need"),
        Code("RC8", "Case closed after assessment, no further action"),
        Code("RC9", "Case closed after assessment, referred to early help"),
    ),
    source=(
        f"{_CIN_GUIDE}: reason for closure; the valid codes RC1 to RC9 as checked in "
        f"{_CIN_VALIDATOR}/cin2022_23/rule_8640.py, and RC8's wording in rule_2990.py"
    ),
)

_CHILD = "The child's ID, as in the LA's case-management system and its SSDA903 return."
_CIN_CHILD = "The child's ID (LAchildID), as in the LA's SSDA903 return."


def _child(description: str, name: str = "CHILD") -> Column:
    return Column(name, Kind.ID, description, required=True, personal=True)


CONTACTS = Table(
    "Contacts",
    "One row per contact into the service (a demand log, or a contacts and referrals "
    "extract), with what was decided and what followed.",
    (
        _child(
            _CHILD + " When a contact is about a whole family, the family's ID may be given "
            "instead."
        ),
        Column(
            "FAMILY",
            Kind.ID,
            "The family's ID, when the LA records one; blank means the contact's CHILD is used "
            "as the family.",
            personal=True,
        ),
        Column("CONTACT_DATE", Kind.DATE, "The day the contact came in.", required=True),
        Column("SOURCE", Kind.TEXT, "Who made contact, in the LA's words (police, school, ...)."),
        Column("NEED", Kind.TEXT, "The presenting need, in the LA's words or a CIN need code."),
        Column("DECISION", Kind.TEXT, "What the front door decided, in words."),
        Column("DECISION_DATE", Kind.DATE, "The day the decision was made."),
        Column("OUTCOME", Kind.CODE, "Where the contact went next.", codes=OUTCOMES),
        Column("TEAM", Kind.TEXT, "The team that took the contact."),
        Column(
            "DEMAND",
            Kind.CODE,
            "Value or failure demand, when the team recorded it on a demand-capture sheet; "
            "blank when not recorded (carejourney then suggests a class).",
            codes=DEMAND,
        ),
        Column(
            "FAILURE_TYPE",
            Kind.CODE,
            "What kind of failure demand it was, when recorded.",
            codes=FAILURE_TYPES,
        ),
        Column(
            "WHAT_MATTERS",
            Kind.TEXT,
            "What mattered to the family, as tags separated by ';' (e.g. 'Tell my story only "
            "once; Ownership from beginning to end'); never put personal details here.",
        ),
        Column("CLOSED_DATE", Kind.DATE, "The day the work that followed the contact closed."),
    ),
    key=("CHILD", "CONTACT_DATE"),
    source="carejourney (LAs' demand logs and contacts-and-referrals extracts)",
)

ASSESSMENTS = Table(
    "Assessments",
    "One row per assessment by children's social care.",
    (
        _child(_CHILD),
        Column("REFERRAL_DATE", Kind.DATE, "The day of the referral the assessment follows."),
        Column("START", Kind.DATE, "The day the assessment started.", required=True),
        Column("AUTHORISED", Kind.DATE, "The day it was authorised; blank while it is open."),
        Column("KIND", Kind.TEXT, "What kind of assessment (e.g. child and family assessment)."),
        Column("TEAM", Kind.TEXT, "The team that did it."),
    ),
    key=("CHILD", "START"),
    source="carejourney (assessment lists from LAs' case-management systems)",
)

HELP = Table(
    "Help provided",
    "One row per piece of help a child or family was given (early help, a child in need "
    "plan, a parenting programme, ...).",
    (
        _child(_CHILD),
        Column("HELP", Kind.TEXT, "What help, in the LA's words.", required=True),
        Column("START", Kind.DATE, "The day the help started.", required=True),
        Column("END", Kind.DATE, "The day it ended; blank while it goes on."),
        Column(
            "RIGHT_HELP",
            Kind.CODE,
            "Whether it was the right help, in the family's or worker's view, when recorded: "
            "yes or no.",
            codes=YES_NO,
        ),
    ),
    key=("CHILD", "HELP", "START"),
    source="carejourney (help and service lists from LAs' case-management systems)",
)

_DETAILS_ID = Column(
    "CINdetailsID", Kind.ID, "The LA's ID for the child in need episode (CINdetailsID)."
)

CIN_REFERRALS = Table(
    "CIN referrals",
    "The CIN census CINdetails module: one row per child in need episode, starting with a "
    "referral to children's social care.",
    (
        _child(_CIN_CHILD, "LAchildID"),
        _DETAILS_ID,
        Column(
            "CINreferralDate",
            Kind.DATE,
            "The day the referral was received (the start of the episode).",
            required=True,
        ),
        Column("ReferralSource", Kind.CODE, "Who made the referral.", codes=REFERRAL_SOURCES),
        Column("PrimaryNeedCode", Kind.CODE, "The child's primary need.", codes=PRIMARY_NEEDS),
        Column("CINclosureDate", Kind.DATE, "The day the episode closed; blank while open."),
        Column("ReasonForClosure", Kind.CODE, "Why the episode closed.", codes=CLOSURE_REASONS),
        Column(
            "ReferralNFA",
            Kind.CODE,
            "Whether the referral was closed with no further action (true/false or 1/0).",
            codes=YES_NO,
        ),
    ),
    key=("LAchildID", "CINreferralDate"),
    source=f"{_CIN_GUIDE}: the CINdetails module",
)

CIN_ASSESSMENTS = Table(
    "CIN assessments",
    "The CIN census Assessments module: one row per assessment.",
    (
        _child(_CIN_CHILD, "LAchildID"),
        _DETAILS_ID,
        Column(
            "CINreferralDate",
            Kind.DATE,
            "The referral date of the episode the assessment belongs to, when the extract "
            "gives it.",
        ),
        Column(
            "AssessmentActualStartDate",
            Kind.DATE,
            "The day the assessment started.",
            required=True,
        ),
        Column(
            "AssessmentInternalReviewDate",
            Kind.DATE,
            "The day of the assessment's internal review, if any (not used by the measures).",
        ),
        Column(
            "AssessmentAuthorisationDate",
            Kind.DATE,
            "The day the assessment was authorised; blank while open.",
        ),
        Column(
            "AssessmentFactors",
            Kind.TEXT,
            "The factors identified at the end of assessment, as census codes (not used by "
            "the measures).",
        ),
    ),
    key=("LAchildID", "AssessmentActualStartDate"),
    source=f"{_CIN_GUIDE}: the Assessments module",
)


@dataclass(frozen=True)
class DemandFile:
    """One kind of demand file: its declared table, the `DemandData` frame it fills, and
    carejourney's name for each declared column whose name differs (the CIN census items)."""

    table: Table
    frame: str  # "contacts", "assessments", "help", "cin_referrals" or "cin_assessments"
    renamed: tuple[tuple[str, str], ...] = ()

    @property
    def kind(self) -> str:
        """The kind of LA list, as import batches and messages name it."""
        return self.table.name

    @property
    def names(self) -> dict[str, str]:
        """Each declared column -> carejourney's name for it."""
        renamed = dict(self.renamed)
        return {c: renamed.get(c, c) for c in self.table.column_names}

    @property
    def stored_columns(self) -> tuple[tuple[str, Column], ...]:
        """(carejourney's name, declared column) for every column, in declared order."""
        return tuple((self.names[c.name], c) for c in self.table.columns)


_CIN_COMMON = (("LAchildID", "CHILD"), ("CINdetailsID", "CIN_DETAILS_ID"))

DEMAND_FILES: tuple[DemandFile, ...] = (
    DemandFile(CONTACTS, "contacts"),
    DemandFile(ASSESSMENTS, "assessments"),
    DemandFile(HELP, "help"),
    DemandFile(
        CIN_REFERRALS,
        "cin_referrals",
        (
            *_CIN_COMMON,
            ("CINreferralDate", "REFERRAL_DATE"),
            ("ReferralSource", "SOURCE"),
            ("PrimaryNeedCode", "NEED"),
            ("CINclosureDate", "CLOSED_DATE"),
            ("ReasonForClosure", "CLOSURE_REASON"),
            ("ReferralNFA", "NFA"),
        ),
    ),
    DemandFile(
        CIN_ASSESSMENTS,
        "cin_assessments",
        (
            *_CIN_COMMON,
            ("CINreferralDate", "REFERRAL_DATE"),
            ("AssessmentActualStartDate", "START"),
            ("AssessmentInternalReviewDate", "INTERNAL_REVIEW_DATE"),
            ("AssessmentAuthorisationDate", "AUTHORISED"),
            ("AssessmentFactors", "FACTORS"),
        ),
    ),
)
DEMAND_TABLES: tuple[Table, ...] = tuple(f.table for f in DEMAND_FILES)
DEMAND_BY_KIND: dict[str, DemandFile] = {f.kind: f for f in DEMAND_FILES}
CODE_LISTS: tuple[CodeList, ...] = (
    OUTCOMES,
    DEMAND,
    FAILURE_TYPES,
    YES_NO,
    REFERRAL_SOURCES,
    PRIMARY_NEEDS,
    CLOSURE_REASONS,
)

# The outcomes that pass a contact to children's social care: a referral.
REFERRAL_OUTCOMES = ("ASSESSMENT", "CIN", "CP", "LOOKED_AFTER")

# What mattered to families in Cumbria's systems review: tags a demand-capture sheet may use.
WHAT_MATTERS = (
    "Shared understanding of need",
    "Ownership from beginning to end",
    "Continuity: speak to one person who will understand my need",
    "Meet my need in the shortest possible time and right first time",
    "No judgement or stigma",
    "To be listened to and shown empathy",
    "Tell my story only once",
    "To be informed and have support and advice",
    "No paperwork",
)
