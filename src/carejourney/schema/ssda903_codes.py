"""Code lists for the columns of the DfE SSDA903 (children looked after) return.

Each constant is a `CodeList` of the values the DfE allows in one column (or a group of
columns sharing the same codes), with the DfE's wording shortened where it is long.
Collection years are named by the year they start: 2024 is 1 April 2024 to 31 March 2025.
`first_year` and `last_year` on a code are inclusive; None means no limit.

Where a detail could not be checked against a DfE guide, the list's `source` says so.
Sources used:

* DfE, "Children looked after by local authorities in England: guide to the SSDA903
  collection" (yearly guides; the 2024 to 2025 guide and the technical specification
  were not available to check word for word, see each list's source).
* data-to-insight/csc-validator-be-903, lac_validator/rules/lac20YY_YY/rule_*.py (the
  community implementation of the DfE validation rules, one folder per collection year).
* data-to-insight/patch, apps/016_903_drilldown/903_drilldown.py (code descriptions
  transcribed from the DfE guide).
* SocialFinanceDigitalLabs/liia-tools, liiatools/ssda903_pipeline/spec/*.yml and
  liiatools/spec/s903/SSDA903_schema_2024.yml (allowed values per schema year; its file
  years are the year a collection ENDS, e.g. "2024" = 2023/24).
* MastodonC/witan.cic.driver, src/witan/cic/episodes.clj (code descriptions).
"""

from __future__ import annotations

from carejourney.schema.types import Code, CodeList

_VALIDATOR = "data-to-insight/csc-validator-be-903"
_PATCH = "data-to-insight/patch apps/016_903_drilldown/903_drilldown.py"
_LIIA = (
    "SocialFinanceDigitalLabs/liia-tools liiatools/ssda903_pipeline/spec/SSDA903_schema_2017.yml"
)
_LIIA_2024 = "SocialFinanceDigitalLabs/liia-tools liiatools/spec/s903/SSDA903_schema_2024.yml"
_GUIDE = (
    "DfE, Children looked after by local authorities in England: guide to the SSDA903 collection"
)


def _codes(
    *pairs: tuple[str, str],
    first_year: int | None = None,
    last_year: int | None = None,
) -> tuple[Code, ...]:
    """Codes from (value, description) pairs, all sharing the same year limits."""
    return tuple(Code(value, description, first_year, last_year) for value, description in pairs)


# --------------------------------------------------------------------------------------
# Header
# --------------------------------------------------------------------------------------

SEX = CodeList(
    name="SEX",
    description=(
        "Child's sex (Header and UASC SEX). Numeric codes up to 2023/24; letters from 2024/25."
    ),
    codes=_codes(("1", "Male"), ("2", "Female"), last_year=2023)
    + _codes(
        ("M", "Male"),
        ("F", "Female"),
        ("U", "Unknown / indeterminate"),
        first_year=2024,
    ),
    source=(
        f"{_GUIDE}. Values 1/2: {_LIIA}. Values M/F/U from 2024/25: {_VALIDATOR} "
        "lac_validator/rules/lac2024_25/rule_101.py (rule 101 allows only M, F, U). "
        "The DfE wording for U was not verified (unverified: 'Unknown / indeterminate')."
    ),
)

ETHNIC = CodeList(
    name="ETHNIC",
    description="Child's ethnic origin (DfE ethnicity codes).",
    codes=_codes(
        ("WBRI", "White British"),
        ("WIRI", "White Irish"),
        ("WIRT", "Traveller of Irish heritage"),
        ("WOTH", "Any other White background"),
        ("WROM", "Gypsy/Roma"),
        ("MWBC", "White and Black Caribbean"),
        ("MWBA", "White and Black African"),
        ("MWAS", "White and Asian"),
        ("MOTH", "Any other Mixed background"),
        ("AIND", "Indian"),
        ("APKN", "Pakistani"),
        ("ABAN", "Bangladeshi"),
        ("AOTH", "Any other Asian background"),
        ("BCRB", "Caribbean"),
        ("BAFR", "African"),
        ("BOTH", "Any other Black background"),
        ("CHNE", "Chinese"),
        ("OOTH", "Any other ethnic group"),
        ("REFU", "Refused"),
        ("NOBT", "Information not yet obtained"),
    ),
    source=(
        f"{_GUIDE}. Verified against {_LIIA} (ETHNIC names), {_PATCH} (EthnicSubcategories) "
        f"and {_VALIDATOR} lac_validator/rules/lac2024_25/rule_103.py (valid codes)."
    ),
)

MOTHER = CodeList(
    name="MOTHER",
    description="Whether the child is a mother (Header MOTHER; asked of female children).",
    codes=_codes(("0", "Child is not a mother"), ("1", "Child is a mother")),
    source=(
        f"{_GUIDE}. Values 0/1 verified in {_LIIA}; meaning consistent with {_VALIDATOR} "
        "lac_validator/rules/lac2024_25/rule_393.py (MOTHER required for female children). "
        "Exact DfE wording of the two descriptions not verified."
    ),
)

# --------------------------------------------------------------------------------------
# Episodes
# --------------------------------------------------------------------------------------

RNE = CodeList(
    name="RNE",
    description=(
        "Reason for new episode of care. By the DfE wording only S, P and B start with a "
        "change of carer(s); T and U change the placement but keep the same carer(s)."
    ),
    codes=_codes(
        ("S", "Started to be looked after"),
        ("L", "Change of legal status only"),
        ("P", "Change of placement and carer(s) only"),
        ("T", "Change of placement (but same carer(s)) only"),
        ("B", "Change of legal status and placement and carer(s) at the same time"),
        (
            "U",
            "Change of legal status and change of placement (but same carer(s)) at the same time",
        ),
    ),
    source=(
        f"{_GUIDE}. Wording verified in {_PATCH} (RNECodes) and MastodonC/witan.cic.driver "
        f"src/witan/cic/episodes.clj; code list in {_VALIDATOR} "
        "lac_validator/rules/lac2022_23/rule_143.py."
    ),
)

LS = CodeList(
    name="LS",
    description="Legal status of the child during the episode.",
    codes=_codes(
        ("C1", "Interim care order"),
        ("C2", "Full care order"),
        ("D1", "Freeing order granted"),
        ("E1", "Placement order granted"),
        ("V2", "Single period of accommodation under section 20 (Children Act 1989)"),
        (
            "V3",
            "Accommodated under an agreed series of short-term breaks, "
            "when individual episodes of care are recorded",
        ),
        (
            "V4",
            "Accommodated under an agreed series of short-term breaks, "
            "when agreements are recorded (NOT individual episodes of care)",
        ),
        ("J1", "Remanded to local authority accommodation or to youth detention accommodation"),
        (
            "J2",
            "Placed in local authority accommodation under the Police and Criminal Evidence "
            "Act 1984, including secure accommodation",
        ),
        (
            "J3",
            "Sentenced to Youth Rehabilitation Order with residence or intensive fostering "
            "requirement",
        ),
        ("L1", "Under police protection and in local authority accommodation"),
        ("L2", "Emergency protection order (EPO)"),
        ("L3", "Under child assessment order and in local authority accommodation"),
    ),
    source=(
        f"{_GUIDE}. Wording verified in {_PATCH} (LSCodes) and MastodonC/witan.cic.driver "
        f"src/witan/cic/episodes.clj (J2, J3 shortened); values in {_LIIA_2024}."
    ),
)

CIN = CodeList(
    name="CIN",
    description="Category of need: the main reason the child is looked after.",
    codes=_codes(
        ("N1", "Abuse or neglect"),
        ("N2", "Child's disability"),
        ("N3", "Parental illness or disability"),
        ("N4", "Family in acute stress"),
        ("N5", "Family dysfunction"),
        ("N6", "Socially unacceptable behaviour"),
        ("N7", "Low income"),
        ("N8", "Absent parenting"),
    ),
    source=(
        f"{_GUIDE}. Verified in {_PATCH} (CINCodes) and MastodonC/witan.cic.driver "
        "src/witan/cic/episodes.clj."
    ),
)

PLACE = CodeList(
    name="PLACE",
    description=(
        "Placement type. H5 and P2 removed and K3 added from 2024/25; Z1 split into "
        "Z11-Z14 from 2025/26."
    ),
    codes=_codes(
        (
            "A3",
            "Placed for adoption with parental/guardian consent with current foster carer(s) "
            "(s19 Adoption and Children Act 2002) or with a freeing order where consent "
            "has been given (s18(1)(a) Adoption Act 1976)",
        ),
        (
            "A4",
            "Placed for adoption with parental/guardian consent not with current foster "
            "carer(s) (s19 Adoption and Children Act 2002) or with a freeing order where "
            "consent has been given (s18(1)(a) Adoption Act 1976)",
        ),
        (
            "A5",
            "Placed for adoption with placement order with current foster carer(s) "
            "(s21 Adoption and Children Act 2002) or with a freeing order where consent "
            "was dispensed with (s18(1)(b) Adoption Act 1976)",
        ),
        (
            "A6",
            "Placed for adoption with placement order not with current foster carer(s) "
            "(s21 Adoption and Children Act 2002) or with a freeing order where consent "
            "was dispensed with (s18(1)(b) Adoption Act 1976)",
        ),
    )
    + _codes(
        (
            "H5",
            "Semi-independent living accommodation not subject to Children's Homes Regulations",
        ),
        (
            "P2",
            "Independent living, for example in a flat, lodgings, bedsit, bed and breakfast "
            "(B&B) or with friends, with or without formal support",
        ),
        # Removed in 2024/25 when supported accommodation became registered (K3);
        # ../shared/DOMAIN-FACTS.md and the 2024/25 guide's list of changes.
        last_year=2023,
    )
    + _codes(
        ("K1", "Secure children's homes"),
        ("K2", "Children's Homes subject to Children's Homes Regulations"),
    )
    + _codes(("K3", "Registered supported accommodation"), first_year=2024)
    + _codes(
        ("P1", "Placed with own parent(s) or other person(s) with parental responsibility"),
        ("P3", "Residential employment"),
        ("R1", "Residential care home"),
        (
            "R2",
            "National Health Service (NHS)/health trust or other establishment providing "
            "medical or nursing care",
        ),
        ("R3", "Family centre or mother and baby unit"),
        ("R5", "Young offender institution (YOI) or prison"),
        (
            "S1",
            "All residential schools, except where dual-registered as a school and children's home",
        ),
        ("T0", "All types of temporary move"),
        ("T1", "Temporary periods in hospital"),
        ("T2", "Temporary absences of the child on holiday"),
        ("T3", "Temporary accommodation whilst normal foster carer(s) is/are on holiday"),
        (
            "T4",
            "Temporary accommodation of seven days or less, for any reason, "
            "not covered by codes T1 to T3",
        ),
        ("U1", "Foster placement with relative(s) or friend(s) - long term fostering"),
        (
            "U2",
            "Fostering placement with relative(s) or friend(s) who is/are also an approved "
            "adopter(s) - fostering for adoption/concurrent planning",
        ),
        (
            "U3",
            "Fostering placement with relative(s) or friend(s) who is/are not long-term or "
            "fostering for adoption/concurrent planning",
        ),
        ("U4", "Foster placement with other foster carer(s) - long term fostering"),
        (
            "U5",
            "Foster placement with other foster carer(s) who is/are also an approved "
            "adopter(s) - fostering for adoption/concurrent planning",
        ),
        (
            "U6",
            "Foster placement with other foster carer(s) - not long term or fostering for "
            "adoption/concurrent planning",
        ),
    )
    + _codes(
        (
            "Z1",
            "Other placements (must be listed on a schedule sent to DfE with annual submission)",
        ),
        last_year=2024,
    )
    + _codes(
        ("Z11", "Other placement (one of the four categories that replaced Z1 from 2025/26)"),
        ("Z12", "Other placement (one of the four categories that replaced Z1 from 2025/26)"),
        ("Z13", "Other placement (one of the four categories that replaced Z1 from 2025/26)"),
        ("Z14", "Other placement (one of the four categories that replaced Z1 from 2025/26)"),
        first_year=2025,
    ),
    source=(
        f"{_GUIDE}. Descriptions verified in {_PATCH} (PLACECodes, incl. K3 'Registered "
        "supported accommodation') and MastodonC/witan.cic.driver src/witan/cic/episodes.clj "
        "(R5 wording '... or prison' from the latter; the former has 'Young offender "
        "institution (YOI)'). Year validity from the per-year valid-code lists in "
        f"{_VALIDATOR} lac_validator/rules/lac2024_25/rule_146.py (adds K3, still allows H5, "
        "P2, Z1) and lac2025_26/rule_146.py (adds Z11-Z14; drops H5, P2, Z1). H5 and P2 end "
        "in 2023/24 as ../shared/DOMAIN-FACTS.md records (removed in 2024/25); the "
        "validator still accepts them in 2024/25, so an LA's 2024/25 H5/P2 rows get a "
        "warning, not an error. "
        "Z11-Z14 descriptions unverified (neutral wording). No other PLACE changes found."
    ),
)

PLACE_PROVIDER = CodeList(
    name="PLACE_PROVIDER",
    description="Placement provider.",
    codes=_codes(
        ("PR0", "Parent(s) or other person(s) with parental responsibility"),
        (
            "PR1",
            "Own provision (by the local authority) including a regional adoption agency "
            "where the child's responsible local authority is the host authority",
        ),
        (
            "PR2",
            "Other local authority provision, including a regional adoption agency where "
            "another local authority is the host authority",
        ),
        ("PR3", "Other public provision (for example, a primary care trust)"),
        ("PR4", "Private provision"),
        ("PR5", "Voluntary/third sector provision"),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (PLACEPROVIDERCodes); values in {_LIIA_2024}.",
)

REC = CodeList(
    name="REC",
    description=(
        "Reason episode ceased. X1 means the episode ended and a new one began the same day."
    ),
    codes=_codes(
        ("X1", "Episode ceases, and new episode begins on same day, for any reason"),
        ("E11", "Adopted - application for an adoption order unopposed"),
        ("E12", "Adopted - consent dispensed with by the court"),
        ("E2", "Died"),
        ("E3", "Care taken over by another local authority in the UK"),
        (
            "E4A",
            "Returned home to live with parent(s), relative(s), or other person(s) with "
            "parental responsibility as part of the care planning process (not under a "
            "special guardianship order or residence/child arrangements order)",
        ),
        (
            "E4B",
            "Returned home to live with parent(s), relative(s), or other person(s) with "
            "parental responsibility which was not part of the current care planning "
            "process (not under a special guardianship order or residence/child "
            "arrangements order)",
        ),
        (
            "E13",
            "Left care to live with parent(s), relative(s), or other person(s) with no "
            "parental responsibility",
        ),
        (
            "E41",
            "Residence order (or, from 22 April 2014, a child arrangements order which sets "
            "out with whom the child is to live) granted",
        ),
    )
    + _codes(
        ("E43", "Special guardianship made to former foster carers"),
        ("E44", "Special guardianship made to carers other than former foster carers"),
        last_year=2017,
    )
    + _codes(
        (
            "E45",
            "Special guardianship order made to former foster carer(s), who was/are a "
            "relative(s) or friend(s)",
        ),
        (
            "E46",
            "Special guardianship order made to former foster carer(s), other than "
            "relative(s) or friend(s)",
        ),
        (
            "E47",
            "Special guardianship order made to carer(s), other than former foster carer(s), "
            "who was/are a relative(s) or friend(s)",
        ),
        (
            "E48",
            "Special guardianship order made to carer(s), other than former foster carer(s), "
            "other than relative(s) or friend(s)",
        ),
        first_year=2018,
    )
    + _codes(
        (
            "E5",
            "Moved into independent living arrangement and no longer looked after: supportive "
            "accommodation providing formalised advice/support arrangements",
        ),
        (
            "E6",
            "Moved into independent living arrangement and no longer looked after: "
            "accommodation providing no formalised advice/support arrangements",
        ),
        ("E7", "Transferred to residential care funded by adult social care services"),
        ("E9", "Sentenced to custody"),
        ("E14", "Accommodation on remand ended"),
        (
            "E15",
            "Age assessment determined child is aged 18 or over and E5, E6 and E7 do not apply",
        ),
        ("E16", "Child moved abroad"),
        (
            "E17",
            "Aged 18 (or over) and remained with current carers "
            "(inc under staying put arrangements)",
        ),
        (
            "E8",
            "Period of being looked after ceased for any other reason (where none of the "
            "other reasons apply)",
        ),
    ),
    source=(
        f"{_GUIDE}. Descriptions verified in {_PATCH} (RECCodes, incl. historic E43/E44); "
        f"current list verified in {_VALIDATOR} lac_validator/rules/lac2022_23/rule_149.py. "
        "E43/E44 -> E45-E48 change: E43/E44 appear in "
        f"{_LIIA} and are replaced by E45-E48 in SocialFinanceDigitalLabs/liia-tools "
        "liiatools/datasets/s903/spec/SSDA903_schema_2019.diff.yml; reading that file's "
        "year as the collection end year gives 2018/19 as the first year of E45-E48. "
        "That year boundary is inferred, not verified against a DfE guide (unverified)."
    ),
)

REASON_PLACE_CHANGE = CodeList(
    name="REASON_PLACE_CHANGE",
    description="Reason for a change of placement (recorded when the episode ceases).",
    codes=_codes(
        ("CARPL", "Change to/Implementation of Care Plan"),
        ("CLOSE", "Resignation/closure of provision"),
        ("ALLEG", "Allegation (s47)"),
        ("STAND", "Standards of care concern"),
        ("APPRR", "Approval removed"),
        ("CREQB", "Carer(s) requests placement end due to child's behaviour"),
        ("CREQO", "Carer(s) requests placement end other than due to child's behaviour"),
        ("CHILD", "Child requests placement end"),
        ("LAREQ", "Responsible/area authority requests placement end"),
        ("PLACE", "Change in the status of placement only"),
    )
    + _codes(("CUSTOD", "Custody arrangement"), first_year=2018)
    + _codes(("OTHER", "Other")),
    source=(
        f"{_GUIDE}. Descriptions verified in {_PATCH} (REASONPLACECHANGECodes). CUSTOD is "
        f"absent from {_LIIA} and added in SocialFinanceDigitalLabs/liia-tools "
        "liiatools/datasets/s903/spec/SSDA903_schema_2019.diff.yml; first_year=2018 is "
        "inferred from that file name (unverified). Still used in 2025/26: "
        f"{_VALIDATOR} lac_validator/rules/lac2025_26/rule_234.py."
    ),
)

# --------------------------------------------------------------------------------------
# Reviews, OC2, OC3
# --------------------------------------------------------------------------------------

REVIEW_CODE = CodeList(
    name="REVIEW_CODE",
    description="How the child participated in the review.",
    codes=_codes(
        ("PN0", "Child aged under 4 at the time of the review"),
        ("PN1", "Child physically attends and speaks for him or herself (attendance)"),
        (
            "PN2",
            "Child physically attends and an advocate speaks on his or her behalf "
            "(attendance, views represented by advocate or IRO)",
        ),
        (
            "PN3",
            "Child attends and conveys his or her view symbolically (non-verbally) "
            "(attendance, symbols)",
        ),
        (
            "PN4",
            "Child physically attends but does not speak for him or herself, convey views "
            "symbolically or ask an advocate to speak (attendance without contribution)",
        ),
        (
            "PN5",
            "Child does not attend physically but briefs an advocate to speak for him or her "
            "(views represented by advocate or IRO)",
        ),
        (
            "PN6",
            "Child does not attend but conveys his or her feelings to the review by a "
            "facilitative medium (texting the chair, written format, phone, audio/video)",
        ),
        ("PN7", "Child does not attend nor are his or her views conveyed to the review"),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (REVIEWCODECodes); values in {_LIIA_2024}.",
)

SDQ_REASON = CodeList(
    name="SDQ_REASON",
    description="Reason a strengths and difficulties questionnaire (SDQ) score was not received.",
    codes=_codes(
        (
            "SDQ1",
            "No form returned as child was aged under 4 or over 16 at date of latest assessment",
        ),
        ("SDQ2", "Carer(s) refused to complete and return questionnaire"),
        (
            "SDQ3",
            "Not possible to complete the questionnaire due to severity of the child's disability",
        ),
        ("SDQ4", "Other"),
        ("SDQ5", "Child or young person refuses to allow an SDQ to be completed"),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (SDQREASONCodes); values in {_LIIA_2024}.",
)

YES_NO_01 = CodeList(
    name="YES_NO_01",
    description=(
        "0/1 flags in OC2: CONVICTED, HEALTH_CHECK, IMMUNISATIONS, TEETH_CHECK, "
        "HEALTH_ASSESSMENT, SUBSTANCE_MISUSE, INTERVENTION_RECEIVED, INTERVENTION_OFFERED."
    ),
    codes=_codes(("0", "No"), ("1", "Yes")),
    source=(
        f"{_GUIDE}. Values 0/1 for all eight OC2 flags verified in {_LIIA_2024}; per-column "
        f"DfE wording (e.g. '1 = Child's immunisations were up to date') is in {_PATCH}."
    ),
)

IN_TOUCH = CodeList(
    name="IN_TOUCH",
    description="Whether the local authority is in touch with the care leaver (OC3).",
    codes=_codes(
        ("YES", "Yes - in touch"),
        ("NO", "No - not in touch"),
        ("DIED", "Died after leaving care"),
        ("REFU", "Young person refuses contact"),
        ("NREQ", "Young person no longer requires children's social care services"),
        (
            "RHOM",
            "Young person returned to live with parents or someone with parental "
            "responsibility for a continuous period of 6 months or more",
        ),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (INTOUCHCodes); values in {_LIIA_2024}.",
)

ACTIV = CodeList(
    name="ACTIV",
    description=(
        "Care leaver's main activity (OC3). F = full time, P = part time. "
        "F3/P3 were split into apprenticeship (F4/P4) and other training or employment (F5/P5)."
    ),
    codes=_codes(
        ("F1", "Engaged full time in higher education (for example studies beyond A level)"),
        ("P1", "Engaged part time in higher education (for example studies beyond A level)"),
        ("F2", "Engaged full time in education other than higher education"),
        ("P2", "Engaged part time in education other than higher education"),
    )
    + _codes(
        ("F3", "Engaged full time in training or employment"),
        ("P3", "Engaged part time in training or employment"),
        last_year=2020,
    )
    + _codes(
        ("F4", "Engaged full time in an apprenticeship"),
        ("P4", "Engaged part time in an apprenticeship"),
        ("F5", "Engaged full time in training or employment (not apprenticeship)"),
        ("P5", "Engaged part time in training or employment (not apprenticeship)"),
        first_year=2021,
    )
    + _codes(
        ("G4", "Not in education, employment or training because of illness or disability"),
        ("G5", "Not in education, employment or training: other circumstances"),
        ("G6", "Not in education, employment or training due to pregnancy or parenting"),
        (
            "0",
            "Not in touch and activity not known, or young person has died, or returned home "
            "to parents/someone with parental responsibility for 6 months or more",
        ),
    ),
    source=(
        f"{_GUIDE}. Descriptions verified in {_PATCH} (ACTIVCodes). F3/P3 are in {_LIIA}; "
        "they are replaced by F4, P4, F5, P5 in SocialFinanceDigitalLabs/liia-tools "
        "liiatools/ssda903_pipeline/spec/SSDA903_schema_2022.diff.yml; reading that file's "
        "year as the collection end year gives 2021/22 as the first year of F4-P5. That "
        "year boundary is inferred, not verified against a DfE guide (unverified)."
    ),
)

_ACCOM_TYPES: tuple[tuple[str, str], ...] = (
    ("B", "With parent(s) or relative(s)"),
    ("C", "Community home or other form of residential care such as an NHS establishment"),
    (
        "D",
        "Semi-independent, transitional accommodation (from 2023/24 worded as registered "
        "supported accommodation)",
    ),
    ("E", "Supported lodgings (usually in a family home, with formal advice and support)"),
    ("G", "Gone abroad"),
    ("H", "Deported"),
    ("K", "Ordinary lodgings, without formal support"),
    ("R", "Residence not known"),
    ("S", "No fixed abode / homeless"),
    (
        "T",
        "Foyers and similar supported accommodation combining accommodation with "
        "opportunities for education, training or employment",
    ),
    (
        "U",
        "Independent living, for example independent tenancy of flat, house or bedsit, "
        "including accommodation provided by a college or university",
    ),
    ("V", "Emergency accommodation (like a night shelter, direct access or emergency hostel)"),
    ("W", "Bed and breakfast"),
    ("X", "In custody"),
    ("Y", "Other accommodation"),
    ("Z", "With former foster carer(s) (staying put after turning 18)"),
)

ACCOM = CodeList(
    name="ACCOM",
    description=(
        "Care leaver's accommodation (OC3): a letter for the type of accommodation and a "
        "digit for its suitability (1 = considered suitable, 2 = considered unsuitable), "
        "or 0 when not known."
    ),
    codes=tuple(
        Code(f"{letter}{digit}", f"{text} - {'suitable' if digit == '1' else 'unsuitable'}")
        for letter, text in _ACCOM_TYPES
        for digit in ("1", "2")
    )
    + _codes(
        (
            "0",
            "Not in touch and accommodation not known, or young person has died, or returned "
            "home to parents/someone with parental responsibility for 6 months or more",
        ),
    ),
    source=(
        f"{_GUIDE}. Values verified in {_LIIA_2024}; type descriptions in {_PATCH} "
        f"(ACCOMCodes); D as 'registered supported accommodation' from {_VALIDATOR} "
        "lac_validator/rules/lac2023_24/rule_347.py (message text). The 1 = suitable / "
        "2 = unsuitable meaning of the digit is not stated in those files (unverified)."
    ),
)

# --------------------------------------------------------------------------------------
# Adoption (AD1, PlacedAdoption), previous permanence, missing
# --------------------------------------------------------------------------------------

FOSTER_CARE = CodeList(
    name="FOSTER_CARE",
    description="Whether the child was adopted by their foster carer(s) (AD1).",
    codes=_codes(("0", "Not adopted by foster carer(s)"), ("1", "Adopted by foster carer(s)")),
    source=(
        f"{_GUIDE}. Values 0/1 (False/True) verified in {_LIIA_2024}; the exact DfE wording "
        "of the two descriptions was not verified."
    ),
)

NB_ADOPTR = CodeList(
    name="NB_ADOPTR",
    description="Number of adopters (AD1).",
    codes=_codes(("1", "Single adopter"), ("2", "Couple")),
    source=(
        f"{_GUIDE}. liia-tools ({_LIIA_2024}) declares this column only as an integer; "
        "the values 1 and 2 and their wording are not verified."
    ),
)

SEX_ADOPTR = CodeList(
    name="SEX_ADOPTR",
    description="Gender of adopter(s) (AD1).",
    codes=_codes(
        ("M1", "Single male adopter"),
        ("F1", "Single female adopter"),
        ("MM", "Male couple"),
        ("FF", "Female couple"),
        ("MF", "Male and female couple"),
    ),
    source=(
        f"{_GUIDE}. Values verified in {_LIIA_2024}; meanings from rule messages in "
        f"{_VALIDATOR} lac_validator/rules (rule 514: M1/F1 are single adopters; rule 524: "
        "'MM = the adopting couple are both males. FF = ... both females'). Wording paraphrased."
    ),
)

LS_ADOPTR = CodeList(
    name="LS_ADOPTR",
    description="Legal status of adopter(s) (AD1).",
    codes=_codes(
        ("L0", "Single adopter"),
        ("L11", "Married couple of different genders"),
        ("L12", "Married couple of the same gender"),
        ("L2", "Civil partnership couple"),
        ("L3", "Adopter legal status L3 (DfE wording not verified)"),
        ("L4", "Adopter legal status L4 (DfE wording not verified)"),
    ),
    source=(
        f"{_GUIDE}. Values verified in {_LIIA_2024}. Meanings of L0, L11, L12, L2 from "
        f"rule messages in {_VALIDATOR} lac_validator/rules/lac2022_23/rule_514.py "
        "(L0 single), rule_520.py (L11 'different gender married couple'), rule 524 "
        "(L12 needs MM or FF) and rule_519.py (L2 'civil partnership couple'). "
        "L3 and L4 meanings unverified."
    ),
)

REASON_PLACED_CEASED = CodeList(
    name="REASON_PLACED_CEASED",
    description="Reason why the child should no longer be placed for adoption (PlacedAdoption).",
    codes=_codes(
        ("RD1", "The child's needs changed subsequent to the decision"),
        ("RD2", "The Court did not make a placement order"),
        ("RD3", "Prospective adopters could not be found"),
        ("RD4", "Any other reason"),
    ),
    source=(
        f"{_GUIDE}. Wording verified in data-to-insight SSD (standard safeguarding dataset) "
        "extract SQL (CASE on perm_decision_reversed_reason; repository path not recorded); "
        f"values in {_LIIA_2024}."
    ),
)

PREV_PERM = CodeList(
    name="PREV_PERM",
    description="Previous permanence option before the child started to be looked after.",
    codes=_codes(
        ("P1", "Adoption"),
        ("P2", "Special guardianship order (SGO)"),
        (
            "P3",
            "Residence order (RO) or child arrangements order (CAO) which sets out with whom "
            "the child is to live",
        ),
        ("P4", "Unknown"),
        ("Z1", "Child has not previously had a permanence option"),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (PREVPERMCodes); values in {_LIIA_2024}.",
)

MISSING = CodeList(
    name="MISSING",
    description="Type of missing episode.",
    codes=_codes(
        (
            "M",
            "Missing from care: not at their placement or the place they are expected to be "
            "and their whereabouts is not known",
        ),
        (
            "A",
            "Away from placement without authorisation: whereabouts known but not at their "
            "placement or the place they are expected to be",
        ),
    ),
    source=f"{_GUIDE}. Verified in {_PATCH} (MISSINGCodes); values in {_LIIA_2024}.",
)

# --------------------------------------------------------------------------------------
# Social worker episodes (from 2023/24)
# --------------------------------------------------------------------------------------

SW_REASON = CodeList(
    name="SW_REASON",
    description="Reason for a change of social worker (SWEpisodes table, from 2023/24).",
    codes=_codes(
        ("MANAGE", "Management decision (wording unverified)"),
        ("FCONTA", "Fixed-term contract ended (wording unverified)"),
        ("LEFTRL", "Social worker left the role"),
        ("ORGRST", "Organisational restructure"),
        ("TSPROC", "Transition between teams or processes (wording unverified)"),
        ("ABSENC", "Social worker absence"),
        ("CHCHAN", "Change relating to the child (wording unverified)"),
        ("PCCHAN", "Change relating to the parent or carer (wording unverified)"),
        ("SWDIED", "Social worker died"),
        ("OTHERS", "Other"),
        first_year=2023,
    ),
    source=(
        f"{_GUIDE}. Code list verified in {_VALIDATOR} "
        "lac_validator/rules/lac2023_24/rule_SW13STG1.py and in SocialFinanceDigitalLabs/"
        "liia-tools liiatools/ssda903_pipeline/spec/SSDA903_schema_2024.diff.yml. "
        "Descriptions are paraphrased from the code names; DfE wording unverified."
    ),
)
