"""Special guardianship against adoption: who left care each way, how fast, and how settled
their time in care was before the order.

- *Who*: periods of care that ended in the 3 years to the as-at date (after the day three
  years before, up to and including the as-at date) with a special guardianship order (REC
  E43-E48) or an adoption order (REC E11/E12); the order's date is the day care ended.
- *Age at leaving*: whole years on the order's date (children with no date of birth are
  left out of this figure only).
- *Days from entering care to the order*: from the start of that period of care. A period
  whose start is not known (the loaded history begins part way through it) is left out of
  this figure, since the real wait is longer: how many are left out is said in the table.
- *Placements before the order*: placements (a new carer) begun in that period before the
  order; moves are placements less one. "3 or more placements" is the DfE stability
  measure's threshold.

Medians and quartiles are linear interpolation (as Excel's PERCENTILE.INC) and are shown
only when the number of children behind them may be published.
"""

from __future__ import annotations

import datetime as dt

import polars as pl

from carejourney.measures.calendar import age_on
from carejourney.reports.disclosure import DisclosureRules, protect_count, protect_percent
from carejourney.reports.document import ReportContext, ReportTable, Section
from carejourney.reports.sections.common import KEYS, count_text, words_date, years_before

ROUTES = {"special_guardianship_order": "Special guardianship", "adoption_order": "Adoption"}


def leavers(context: ReportContext) -> pl.DataFrame:
    """One row per period of care ended by an SGO or adoption order in the 3 years to the
    as-at date: CHILD, period, route (column heading), order date, start_known, age,
    days (entering care to order), placements (before the order)."""
    journeys, day = context.journeys, context.as_at
    since = years_before(day, 3)
    orders = (
        journeys.milestones.filter(
            pl.col("milestone").is_in(list(ROUTES))
            & (pl.col("date") > since)
            & (pl.col("date") <= day)
            & pl.col("period").is_not_null()
        )
        .group_by(KEYS)
        .agg(milestone=pl.col("milestone").first(), order=pl.col("date").min())
    )
    placed = (
        journeys.placements.join(orders.select(*KEYS, "order"), on=KEYS, how="inner")
        .filter(pl.col("start") < pl.col("order"))
        .group_by(KEYS)
        .agg(placements=pl.len().cast(pl.Int64))
    )
    children = journeys.children.unique("CHILD", keep="last").select("CHILD", "DOB")
    return (
        orders.join(journeys.periods.select(*KEYS, "start", "start_known"), on=KEYS, how="left")
        .join(children, on="CHILD", how="left")
        .join(placed, on=KEYS, how="left")
        .select(
            *KEYS,
            route=pl.col("milestone").replace_strict(ROUTES, return_dtype=pl.String),
            order="order",
            start_known=pl.col("start_known").fill_null(False),
            age=age_on(pl.col("DOB"), pl.col("order")),
            days=(pl.col("order") - pl.col("start")).dt.total_days(),
            placements=pl.col("placements").fill_null(1),
        )
    )


def _number(value: float | None) -> str:
    if value is None:
        return "not available"
    return f"{value:,.0f}" if value == round(value) else f"{value:,.1f}"


def _times(value: float) -> str:
    return f"{_number(value)} {'time' if value == 1 else 'times'}"


def _column(group: pl.DataFrame, rules: DisclosureRules) -> tuple[list[str], dict[str, float]]:
    """The published texts of one route's column, and the raw figures for the paragraph."""
    n = group.height
    shown = protect_count(n, rules)
    timed = group.filter(pl.col("start_known"))
    aged = group.filter(pl.col("age").is_not_null())
    publish = shown is not None and n > 0

    def stat(frame: pl.DataFrame, column: str, q: float) -> float | None:
        if not publish or frame.is_empty() or rules.hides(frame.height):
            return None
        value = frame[column].cast(pl.Float64).quantile(q, "linear")
        return float(value) if value is not None else None

    three_plus = int((group["placements"] >= 3).sum())
    figures = {
        "children": float(n),
        "age": stat(aged, "age", 0.5),
        "median": stat(timed, "days", 0.5),
        "q1": stat(timed, "days", 0.25),
        "q3": stat(timed, "days", 0.75),
        "moves": stat(group.with_columns(moves=pl.col("placements") - 1), "moves", 0.5),
    }
    left_out = n - timed.height
    texts = [
        shown or rules.marker,
        _number(figures["age"]),
        _number(figures["median"]),
        _number(figures["q1"]),
        _number(figures["q3"]),
        (protect_count(left_out, rules) or rules.marker) if publish else rules.marker,
        _number(figures["moves"]),
        (protect_percent(three_plus, n, rules) or rules.marker) if publish else rules.marker,
    ]
    return texts, {k: v for k, v in figures.items() if v is not None}


MEASURES = (
    "Children",
    "Median age on leaving care (years)",
    "Median days from entering care to the order",
    "Days: lower quartile (a quarter took less)",
    "Days: upper quartile (a quarter took more)",
    "Children left out of the days (care began before the loaded history)",
    "Median placement moves before the order",
    "Children with 3 or more placements before the order",
)


def build(context: ReportContext) -> Section:
    key, title = "sgo-vs-adoption", "Special guardianship against adoption"
    rules = context.disclosure
    if context.journeys.periods.is_empty():
        return Section(
            key=key,
            title=title,
            not_available=(
                "No episodes of care are stored for this local authority: load its SSDA903 "
                "returns with `carejourney import` to see this section."
            ),
        )
    frame = leavers(context)
    columns: dict[str, list[str]] = {"Measure": list(MEASURES)}
    raw: dict[str, dict[str, float]] = {}
    for route in ROUTES.values():
        texts, figures = _column(frame.filter(pl.col("route") == route), rules)
        columns[route] = texts
        raw[route] = figures
    since = years_before(context.as_at, 3)
    table = ReportTable(
        key="SGO against adoption",
        title=(
            f"Children who left care on a special guardianship order or were adopted, "
            f"{since + dt.timedelta(days=1):%d/%m/%Y} to {context.as_at:%d/%m/%Y}"
        ),
        frame=pl.DataFrame(columns),
        note=(
            f"Counts below {rules.threshold} are shown as {rules.marker}; medians, quartiles "
            "and percentages are shown only when the number of children behind them may be. "
            "Days are counted from the start of the period of care that ended with the order."
        ),
    )
    return Section(
        key=key, title=title, paragraphs=(_paragraph(context, frame, raw),), tables=(table,)
    )


def _paragraph(
    context: ReportContext, frame: pl.DataFrame, raw: dict[str, dict[str, float]]
) -> str:
    rules = context.disclosure
    sgo, adopted = raw["Special guardianship"], raw["Adoption"]
    n_sgo = frame.filter(pl.col("route") == "Special guardianship").height
    n_adopted = frame.height - n_sgo
    sentences = [
        f"In the three years to {words_date(context.as_at)}, {count_text(n_sgo, rules)} "
        f"children left care on a special guardianship order and "
        f"{count_text(n_adopted, rules)} were adopted."
    ]
    if "median" in sgo and "median" in adopted:
        faster = "special guardianship" if sgo["median"] < adopted["median"] else "adoption"
        sentences.append(
            f"Half the children who left on a special guardianship order did so within "
            f"{_number(sgo['median'])} days of entering care, against {_number(adopted['median'])} "
            f"days for adoption: {faster} was the quicker route."
        )
    if "age" in sgo and "age" in adopted:
        sentences.append(
            f"The median age on leaving was {_number(sgo['age'])} for special guardianship "
            f"and {_number(adopted['age'])} for adoption."
        )
    if "moves" in sgo and "moves" in adopted:
        sentences.append(
            f"Before the order the typical child had moved placement {_times(sgo['moves'])} "
            f"(special guardianship) and {_times(adopted['moves'])} (adoption)."
        )
    return " ".join(sentences)
