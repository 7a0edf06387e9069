"""Who the children are: children looked after on the as-at date with an adoption plan, and
those with another permanence plan, by age, sex, ethnicity, legal status and placement.

- *Adoption plan*: the period of care's route as known on the as-at date
  (`measures.routes.legal_routes`) is adoption, or (Scotland) a permanence order with
  authority to adopt.
- *Other permanence plan*: the route is special guardianship, return home, long-term
  fostering, a child arrangements order, a permanence order or a kinship care order. While
  a child is looked after the return shows only adoption plans and long-term fostering
  placements, so when no route is known the latest permanence plan recorded by the tracker
  (`permanence_plan_agreed` by the as-at date) is read for its words ("special
  guardianship", "return home", "long-term fostering", "child arrangements").
- Age in whole years on the as-at date; legal status and placement are those of the latest
  episode starting by the as-at date; ethnicity is grouped by the first letter of the DfE
  code (W White, M Mixed, A Asian, B Black; CHNE and OOTH Other; REFU, NOBT or blank Not
  known).
- Sibling groups: SSDA903 has no link between siblings, so they are not shown.
"""

from __future__ import annotations

import polars as pl

from carejourney.measures.calendar import age_on
from carejourney.reports.disclosure import protect_counts
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.reports.sections.common import (
    ADOPTION_ROUTES,
    KEYS,
    count_text,
    latest_episodes,
    looked_after_on,
    routes_as_at,
    words_date,
)
from carejourney.schema.ssda903_codes import LS, PLACE

ADOPTION, OTHER = "Adoption plan", "Other permanence plan"
OTHER_ROUTES = {
    "special_guardianship": "special guardianship",
    "return_home": "return home",
    "long_term_fostering": "long-term fostering",
    "child_arrangements_order": "child arrangements order",
    "permanence_order": "permanence order",
    "kinship_care_order": "kinship care order",
}
# Words in a tracker's permanence plan note, and the route they name.
PLAN_WORDS = {
    "special guardianship": "special_guardianship",
    "return home": "return_home",
    "long-term fostering": "long_term_fostering",
    "long term fostering": "long_term_fostering",
    "child arrangements": "child_arrangements_order",
}
AGE_BANDS = ("Under 1", "1 to 4", "5 to 9", "10 to 15", "16 and over", "Not known")
SEXES = {"1": "Male", "M": "Male", "2": "Female", "F": "Female"}
ETHNIC_GROUPS = ("White", "Mixed", "Asian", "Black", "Other", "Not known")
SIBLINGS_NOTE = (
    "Sibling groups are not recorded in SSDA903 (it has no link between brothers and "
    "sisters), so they cannot be shown here."
)


def plans(context: ReportContext) -> pl.DataFrame:
    """CHILD, period, plan (ADOPTION or OTHER), route of each child looked after on the
    as-at date with a permanence plan."""
    journeys, day = context.journeys, context.as_at
    open_now = looked_after_on(journeys.periods, day).select(KEYS)
    notes = (
        journeys.milestones.filter(
            (pl.col("milestone") == "permanence_plan_agreed") & (pl.col("date") <= day)
        )
        .sort("date")
        .group_by(KEYS)
        .agg(_note=pl.col("detail").last().str.to_lowercase())
    )
    from_note: pl.Expr = pl.lit(None, pl.String)
    for words, route in reversed(PLAN_WORDS.items()):
        from_note = (
            pl.when(pl.col("_note").str.contains(words, literal=True))
            .then(pl.lit(route))
            .otherwise(from_note)
        )
    found = (
        open_now.join(routes_as_at(journeys, day), on=KEYS, how="left")
        .join(notes, on=KEYS, how="left")
        .with_columns(route=pl.coalesce("route", from_note))
    )
    return found.filter(pl.col("route").is_in([*ADOPTION_ROUTES, *OTHER_ROUTES])).select(
        *KEYS,
        "route",
        plan=pl.when(pl.col("route").is_in(ADOPTION_ROUTES))
        .then(pl.lit(ADOPTION))
        .otherwise(pl.lit(OTHER)),
    )


def described(context: ReportContext) -> pl.DataFrame:
    """`plans` with the categories each breakdown counts by."""
    journeys, day = context.journeys, context.as_at
    age = age_on(pl.col("DOB"), pl.lit(day, pl.Date))
    band = (
        pl.when(age.is_null())
        .then(pl.lit("Not known"))
        .when(age < 1)
        .then(pl.lit("Under 1"))
        .when(age < 5)
        .then(pl.lit("1 to 4"))
        .when(age < 10)
        .then(pl.lit("5 to 9"))
        .when(age < 16)
        .then(pl.lit("10 to 15"))
        .otherwise(pl.lit("16 and over"))
    )
    ethnic = pl.col("ETHNIC").fill_null("")
    group = (
        pl.when(ethnic.is_in(["CHNE", "OOTH"]))
        .then(pl.lit("Other"))
        .when(ethnic.is_in(["REFU", "NOBT", ""]))
        .then(pl.lit("Not known"))
        .otherwise(
            ethnic.str.slice(0, 1).replace_strict(
                {"W": "White", "M": "Mixed", "A": "Asian", "B": "Black"},
                default="Not known",
                return_dtype=pl.String,
            )
        )
    )
    ls_words = {c.value: f"{c.value} {c.description}" for c in LS.codes}
    place_words = {c.value: f"{c.value} {c.description}" for c in PLACE.codes}
    children = journeys.children.unique("CHILD", keep="last")
    return (
        plans(context)
        .join(children, on="CHILD", how="left")
        .join(latest_episodes(journeys, day), on=KEYS, how="left")
        .select(
            "CHILD",
            "plan",
            age_band=band,
            sex=pl.col("SEX").replace_strict(SEXES, default="Not known", return_dtype=pl.String),
            ethnicity=group,
            legal_status=pl.col("LS").replace_strict(
                ls_words, default=pl.col("LS"), return_dtype=pl.String
            ),
            placement=pl.col("PLACE").replace_strict(
                place_words, default=pl.col("PLACE"), return_dtype=pl.String
            ),
        )
        .with_columns(pl.col("legal_status", "placement").fill_null("Not known"))
    )


BREAKDOWNS = (
    ("age_band", "Age", "Age on the as-at date", AGE_BANDS),
    ("sex", "Sex", "Sex", ("Male", "Female", "Not known")),
    ("ethnicity", "Ethnicity", "Ethnic group", ETHNIC_GROUPS),
    ("legal_status", "Legal status", "Legal status (latest episode)", None),
    ("placement", "Placement", "Placement type (latest episode)", None),
)


def build(context: ReportContext) -> Section:
    rules = context.disclosure
    if context.journeys.periods.is_empty():
        return Section(
            key="profile",
            title="Who the children are",
            not_available=(
                "No episodes of care are stored for this local authority: load its SSDA903 "
                "returns with `carejourney import` to see this section."
            ),
        )
    frame = described(context)
    day = f"{context.as_at:%d/%m/%Y}"
    tables = []
    for column, key, heading, order in BREAKDOWNS:
        counts = (
            frame.group_by(column)
            .agg(
                pl.col("plan").eq(ADOPTION).sum().cast(pl.Int64).alias(ADOPTION),
                pl.col("plan").eq(OTHER).sum().cast(pl.Int64).alias(OTHER),
            )
            .rename({column: heading})
        )
        categories = list(order) if order else sorted(counts[heading].to_list())
        table = (
            pl.DataFrame({heading: categories}, schema={heading: pl.String})
            .join(counts, on=heading, how="left")
            .with_columns(pl.col(ADOPTION, OTHER).fill_null(0))
        )
        if order:  # keep the listed categories with children, and "Not known" only if any
            table = table.filter(
                (pl.col(heading) != "Not known") | (pl.col(ADOPTION) + pl.col(OTHER) > 0)
            )
        protected = protect_counts(table, [ADOPTION, OTHER], rules, add_totals=True)
        tables.append(
            ReportTable(
                key=f"Profile by {key.lower()}",
                title=f"Children with permanence plans on {day}, by {key.lower()}",
                frame=protected.frame,
                note=protected.note,
            )
        )
    adoption = int(frame["plan"].eq(ADOPTION).sum())
    other = int(frame["plan"].eq(OTHER).sum())
    paragraph = (
        f"On {words_date(context.as_at)}, {count_text(adoption, rules)} children looked after "
        f"had an adoption plan and {count_text(other, rules)} had another plan for permanence "
        "(special guardianship, return home, long-term fostering or a child arrangements "
        "order). A plan is the route the child's journey follows as known on that day: an "
        "adoption decision not reversed, a long-term foster placement, or the plan the "
        "tracker records. " + SIBLINGS_NOTE
    )
    return Section(
        key="profile",
        title="Who the children are",
        paragraphs=(paragraph,),
        tables=tuple(tables),
    )
