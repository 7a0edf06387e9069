"""The SSDA903 return (DfE, children looked after in England), declared once.

Tables and columns follow the DfE "Children looked after return" guides; a table is
recognised in a CSV by its set of column names, never by the file's name.
"""

from __future__ import annotations

from carejourney.schema import ssda903_codes as codes
from carejourney.schema.types import Column, Kind, Table

GUIDE = "DfE, Children looked after return: guide (SSDA903), 2017/18 to 2025/26"


def child() -> Column:
    return Column(
        "CHILD",
        Kind.ID,
        "The local authority's identifier for the child; the same in every year's return.",
        required=True,
        personal=True,
        xml_tag="CHILDID",
    )


def dob() -> Column:
    return Column("DOB", Kind.DATE, "Child's date of birth.", personal=True)


def flag(name: str, description: str) -> Column:
    return Column(name, Kind.CODE, description, codes=codes.YES_NO_01)


HEADER = Table(
    "Header",
    "One row per child in the return (looked after at any time in the year, or a care "
    "leaver reported in OC3): who the child is.",
    (
        child(),
        Column("SEX", Kind.CODE, "Child's sex.", codes=codes.SEX),
        dob(),
        Column("ETHNIC", Kind.CODE, "Child's ethnic origin.", codes=codes.ETHNIC),
        Column(
            "UPN",
            Kind.TEXT,
            "Unique pupil number (or UN1-UN5 when there is none).",
            personal=True,
        ),
        Column(
            "MOTHER",
            Kind.CODE,
            "Whether the child is a mother (girls aged 12+).",
            codes=codes.MOTHER,
        ),
        Column("MC_DOB", Kind.DATE, "Date of birth of the child's first child.", personal=True),
    ),
    required_in_return=True,
    source=GUIDE,
)

EPISODES = Table(
    "Episodes",
    "One row per episode of care: a period with one legal status and one placement.",
    (
        child(),
        Column("DECOM", Kind.DATE, "Date the episode started.", required=True),
        Column("RNE", Kind.CODE, "Reason for the new episode.", codes=codes.RNE),
        Column("LS", Kind.CODE, "Legal status.", codes=codes.LS),
        Column("CIN", Kind.CODE, "Category of need.", codes=codes.CIN),
        Column("PLACE", Kind.CODE, "Placement type.", codes=codes.PLACE, xml_tag="PL"),
        Column(
            "PLACE_PROVIDER", Kind.CODE, "Who provides the placement.", codes=codes.PLACE_PROVIDER
        ),
        Column("DEC", Kind.DATE, "Date the episode ceased; blank while it is open."),
        Column(
            "REC", Kind.CODE, "Reason the episode ceased (X1: care continues).", codes=codes.REC
        ),
        Column(
            "REASON_PLACE_CHANGE",
            Kind.CODE,
            "Reason for a change of placement.",
            codes=codes.REASON_PLACE_CHANGE,
        ),
        Column("HOME_POST", Kind.POSTCODE, "Postcode of the child's home.", personal=True),
        Column("PL_POST", Kind.POSTCODE, "Postcode of the placement.", personal=True),
        Column("URN", Kind.TEXT, "Ofsted unique reference number of the placement (or XXXXXXX)."),
    ),
    key=("CHILD", "DECOM"),
    required_in_return=True,
    source=GUIDE,
)

REVIEWS = Table(
    "Reviews",
    "One row per looked-after review held in the year.",
    (
        child(),
        dob(),
        Column("REVIEW", Kind.DATE, "Date of the review.", required=True),
        Column(
            "REVIEW_CODE",
            Kind.CODE,
            "How the child participated in the review.",
            codes=codes.REVIEW_CODE,
        ),
    ),
    key=("CHILD", "REVIEW"),
    source=GUIDE,
)

UASC = Table(
    "UASC",
    "Unaccompanied asylum-seeking children: date the child turns 18 as recorded.",
    (
        child(),
        Column("SEX", Kind.CODE, "Child's sex.", codes=codes.SEX),
        dob(),
        Column("DUC", Kind.DATE, "Date the child was (or will be) 18, as assessed."),
    ),
    source=GUIDE,
)

OC2 = Table(
    "OC2",
    "Outcomes for children looked after continuously for 12 months at 31 March.",
    (
        child(),
        dob(),
        Column(
            "SDQ_SCORE",
            Kind.INTEGER,
            "Strengths and difficulties questionnaire total score.",
            minimum=0,
            maximum=40,
        ),
        Column("SDQ_REASON", Kind.CODE, "Why there is no SDQ score.", codes=codes.SDQ_REASON),
        flag("CONVICTED", "Convicted or subject to a youth caution in the year."),
        flag("HEALTH_CHECK", "Health check up to date."),
        flag("IMMUNISATIONS", "Immunisations up to date."),
        flag("TEETH_CHECK", "Teeth checked by a dentist in the year."),
        flag("HEALTH_ASSESSMENT", "Annual health assessment up to date."),
        flag("SUBSTANCE_MISUSE", "Identified as having a substance misuse problem."),
        flag("INTERVENTION_RECEIVED", "Received an intervention for substance misuse."),
        flag("INTERVENTION_OFFERED", "Offered an intervention for substance misuse."),
    ),
    source=GUIDE,
)

OC3 = Table(
    "OC3",
    "Care leavers: whether the LA is in touch, their activity and accommodation.",
    (
        child(),
        dob(),
        Column("IN_TOUCH", Kind.CODE, "Whether the LA is in touch.", codes=codes.IN_TOUCH),
        Column("ACTIV", Kind.CODE, "Main activity.", codes=codes.ACTIV),
        Column("ACCOM", Kind.CODE, "Type and suitability of accommodation.", codes=codes.ACCOM),
    ),
    source=GUIDE,
)

AD1 = Table(
    "AD1",
    "Children adopted in the year: the adoption decision, the match and the adopters.",
    (
        child(),
        dob(),
        Column(
            "DATE_INT",
            Kind.DATE,
            "Date of the decision that the child should be placed for adoption (ADM).",
        ),
        Column("DATE_MATCH", Kind.DATE, "Date the child was matched with the adopters."),
        Column(
            "FOSTER_CARE",
            Kind.CODE,
            "Whether the child was adopted by their foster carer(s).",
            codes=codes.FOSTER_CARE,
        ),
        Column("NB_ADOPTR", Kind.CODE, "Number of adopters.", codes=codes.NB_ADOPTR),
        Column("SEX_ADOPTR", Kind.CODE, "Sex of the adopter(s).", codes=codes.SEX_ADOPTR),
        Column("LS_ADOPTR", Kind.CODE, "Legal status of the adopter(s).", codes=codes.LS_ADOPTR),
    ),
    source=GUIDE,
)

PLACED_ADOPTION = Table(
    "PlacedAdoption",
    "Children with a decision that they should be placed for adoption, and plans that changed.",
    (
        child(),
        dob(),
        Column(
            "DATE_PLACED",
            Kind.DATE,
            "Date of the decision that the child should be placed for adoption.",
        ),
        Column(
            "DATE_PLACED_CEASED",
            Kind.DATE,
            "Date the decision was reversed (the child should no longer be placed for adoption).",
        ),
        Column(
            "REASON_PLACED_CEASED",
            Kind.CODE,
            "Why the child should no longer be placed for adoption.",
            codes=codes.REASON_PLACED_CEASED,
        ),
    ),
    key=("CHILD", "DATE_PLACED"),
    source=GUIDE,
)

PREV_PERM = Table(
    "PrevPerm",
    "Children who started to be looked after: any previous permanence arrangement.",
    (
        child(),
        dob(),
        Column("PREV_PERM", Kind.CODE, "Previous permanence arrangement.", codes=codes.PREV_PERM),
        Column("LA_PERM", Kind.TEXT, "Code of the LA that made the previous permanence order."),
        Column(
            "DATE_PERM",
            Kind.TEXT,
            "Date of the previous permanence order (the DfE allows part dates such as zz/mm/yyyy).",
        ),
    ),
    source=GUIDE,
)

MISSING = Table(
    "Missing",
    "Each time a child went missing or was away from placement without authorisation.",
    (
        child(),
        dob(),
        Column("MISSING", Kind.CODE, "Missing or away without authorisation.", codes=codes.MISSING),
        Column("MIS_START", Kind.DATE, "Date the child went missing or away.", required=True),
        Column("MIS_END", Kind.DATE, "Date the child returned; blank if not yet returned."),
    ),
    key=("CHILD", "MIS_START"),
    source=GUIDE,
)

SW_EPISODES = Table(
    "SWEpisodes",
    "The child's social workers: one row per period with one allocated social worker.",
    (
        child(),
        dob(),
        Column("SW_ID", Kind.ID, "The social worker's identifier."),
        Column("SW_DECOM", Kind.DATE, "Date this social worker's episode started.", required=True),
        Column("SW_DEC", Kind.DATE, "Date it ended; blank while it continues."),
        Column("SW_REASON", Kind.CODE, "Why it ended.", codes=codes.SW_REASON),
    ),
    key=("CHILD", "SW_DECOM"),
    first_year=2023,
    source=GUIDE,
)

TABLES: tuple[Table, ...] = (
    HEADER,
    EPISODES,
    REVIEWS,
    UASC,
    OC2,
    OC3,
    AD1,
    PLACED_ADOPTION,
    PREV_PERM,
    MISSING,
    SW_EPISODES,
)

TABLES_BY_NAME = {t.name: t for t in TABLES}
