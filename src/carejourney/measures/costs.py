"""What delay costs: the days beyond each timescale, priced at the placement held meanwhile.

`cost_of_delay` takes the rows of `measures.drift.due_dates` that are met late or overdue.
A row's *delay* is the days after its due date up to and including the day the milestone
was met (met late) or the as-at date (overdue): `days_late` days, as the drift list counts
them. Each day of delay is priced at the daily cost (weekly / 7, `config.costs`) of the
placement the child was in that day, in that period of care: a placement covers the days
from its start up to the day before its end (on the day of a move the child sleeps in the
new placement; on the day care ends, in none). A delay spanning a move is priced per day of
each placement. Days in a placement type (and provider) with no unit cost, in a placement
with no type recorded, or in no placement on record, are *unpriced*: counted, with the
reason, and never priced at £0.

The result has one row per (delayed milestone, piece of its delay): the pieces of one
delayed milestone (`case`) divide its delay exactly, so a child's day is counted once per
rule. The same day can be delay under two rules (a review overdue while the permanence plan
is overdue too): each rule's cost is reported on its own, and a total over rules counts
such days twice, so it is labelled "sum over rules".

`cost_summary` reports per rule, and `what_if` what would be avoided if each delay under a
rule were shorter. Both count the *last 12 months*: only days of delay in the 365 days up to
and including the as-at date, so "a year" means the year to the as-at date, at the unit
costs' prices (not adjusted for inflation).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import polars as pl

from carejourney.config.costs import UnitCosts
from carejourney.journeys.periods import label_episodes

MET_LATE, OVERDUE = "met late", "overdue"
WINDOW_DAYS = 365
NOT_PLACED = "not in a placement on record on these days"
NO_TYPE = "placement type not recorded"
ROWS_SCHEMA = {
    "case": pl.Int64,  # one delayed milestone: a row of `due`
    "CHILD": pl.String,
    "period": pl.Int64,
    "rule_set": pl.String,
    "rule": pl.String,
    "title": pl.String,
    "status": pl.String,
    "due_date": pl.Date,
    "delay_to": pl.Date,  # the last day of delay: met date, or as-at while overdue
    "days_late": pl.Int64,  # of the whole case
    "piece_from": pl.Date,
    "piece_to": pl.Date,  # inclusive
    "PLACE": pl.String,
    "PLACE_PROVIDER": pl.String,
    "daily_cost": pl.Float64,  # null: unpriced
    "price_year": pl.String,
    "days": pl.Int64,  # days of this piece
    "days_priced": pl.Int64,
    "days_unpriced": pl.Int64,
    "cost": pl.Float64,  # null when unpriced
    "why_unpriced": pl.String,
    "as_at": pl.Date,
}
_KEYS = ["CHILD", "period"]
_DAY = pl.duration(days=1)


def cost_of_delay(
    due: pl.DataFrame, placements: pl.DataFrame, costs: UnitCosts, as_at: dt.date
) -> pl.DataFrame:
    """One row per piece of each delayed milestone's delay, priced (see the module
    docstring), with the columns of `ROWS_SCHEMA`.

    `due` as `measures.drift.due_dates` (or `measures.summaries.drift_list`: its rule_set
    column is kept). `placements`: CHILD, period, start, end (null while open), PLACE,
    PLACE_PROVIDER, one row per stay of one type (`stays` gives them from the episodes);
    `journeys.periods.placements` also works, each placement priced at its latest type
    (place_end)."""
    today = pl.lit(as_at, pl.Date)
    rule_set = pl.col("rule_set") if "rule_set" in due.columns else pl.lit(None, pl.String)
    delayed = (
        due.filter(pl.col("status").is_in([MET_LATE, OVERDUE]))
        .with_columns(
            rule_set=rule_set,
            delay_to=pl.when(pl.col("status") == MET_LATE)
            .then(pl.col("met_date"))
            .otherwise(today),
        )
        .with_columns(delay_from=pl.col("due_date") + _DAY)
        .with_row_index("case")
        .with_columns(pl.col("case").cast(pl.Int64))
    )
    case_columns = [
        "case",
        *_KEYS,
        "rule_set",
        "rule",
        "title",
        "status",
        "due_date",
        "delay_from",
        "delay_to",
        "days_late",
    ]
    delayed = delayed.select(case_columns)
    place = pl.col("PLACE") if "PLACE" in placements.columns else pl.col("place_end")
    held = (
        placements.select(*_KEYS, "start", "end", PLACE=place, PLACE_PROVIDER="PLACE_PROVIDER")
        .filter(pl.col("start") <= as_at)
        .with_columns(last_day=pl.coalesce(pl.col("end") - _DAY, today))
        .filter(pl.col("last_day") >= pl.col("start"))
    )
    pieces = (
        delayed.join(held, on=_KEYS, how="inner")
        .with_columns(
            piece_from=pl.max_horizontal("delay_from", "start"),
            piece_to=pl.min_horizontal("delay_to", "last_day"),
        )
        .filter(pl.col("piece_to") >= pl.col("piece_from"))
        .sort("case", "piece_from", "piece_to")
        # Overlapping placements (a data error) must not count a day twice.
        .with_columns(_before=pl.col("piece_to").cum_max().shift(1).over("case"))
        .with_columns(
            piece_from=pl.max_horizontal("piece_from", pl.col("_before") + _DAY),
            _placed=pl.lit(True),
        )
        .filter(pl.col("piece_to") >= pl.col("piece_from"))
        .drop("_before", "start", "end", "last_day")
    )
    gaps = _gaps(delayed, pieces)
    rows = pl.concat([pieces, gaps], how="diagonal_relaxed")
    return (
        _price(rows, costs)
        .with_columns(as_at=today)
        .select(list(ROWS_SCHEMA))
        .cast(
            ROWS_SCHEMA  # type: ignore[arg-type]
        )
        .sort("case", "piece_from")
    )


def stays(history: pl.DataFrame) -> pl.DataFrame:
    """The episodes as stays of one placement type: CHILD, period, start (DECOM), end
    (DEC), PLACE, PLACE_PROVIDER; a placement whose type changed (RNE T or U) is two stays."""
    return label_episodes(history).select(
        *_KEYS, "PLACE", "PLACE_PROVIDER", start="DECOM", end="DEC"
    )


def _gaps(delayed: pl.DataFrame, pieces: pl.DataFrame) -> pl.DataFrame:
    """The days of each delay in no placement: before, between and after its pieces."""
    ends = ["case", "piece_from", "piece_to"]
    before = pieces.with_columns(_prev=pl.col("piece_to").shift(1).over("case")).select(
        "case",
        piece_from=pl.coalesce(pl.col("_prev") + _DAY, pl.col("delay_from")),
        piece_to=pl.col("piece_from") - _DAY,
    )
    last = pieces.group_by("case").agg(_last=pl.col("piece_to").max())
    after = delayed.join(last, on="case", how="left").select(
        "case",
        piece_from=pl.coalesce(pl.col("_last") + _DAY, pl.col("delay_from")),
        piece_to=pl.col("delay_to"),
    )
    found = pl.concat([before.select(ends), after.select(ends)], how="vertical").filter(
        pl.col("piece_to") >= pl.col("piece_from")
    )
    return found.join(delayed, on="case").with_columns(_placed=pl.lit(False))


def _price(rows: pl.DataFrame, costs: UnitCosts) -> pl.DataFrame:
    table = costs.table()
    priced = ["daily_cost", "price_year"]
    specific = table.filter(pl.col("PLACE_PROVIDER").is_not_null()).select(
        "PLACE", "PLACE_PROVIDER", *priced
    )
    generic = table.filter(pl.col("PLACE_PROVIDER").is_null()).select(
        "PLACE", *[pl.col(c).alias(f"_any_{c}") for c in priced]
    )
    known = table["PLACE"].unique().to_list()
    days = (pl.col("piece_to") - pl.col("piece_from")).dt.total_days() + 1
    cost_known = pl.col("daily_cost").is_not_null()
    provider = pl.coalesce("PLACE_PROVIDER", pl.lit("not recorded"))
    why = (
        pl.when(~pl.col("_placed"))
        .then(pl.lit(NOT_PLACED))
        .when(pl.col("PLACE").is_null())
        .then(pl.lit(NO_TYPE))
        .when(pl.col("PLACE").is_in(known))
        .then(pl.format("no unit cost for placement type {} with provider {}", "PLACE", provider))
        .otherwise(pl.format("no unit cost for placement type {}", "PLACE"))
    )
    return (
        rows.join(specific, on=["PLACE", "PLACE_PROVIDER"], how="left")
        .join(generic, on="PLACE", how="left")
        .with_columns(pl.coalesce(c, f"_any_{c}").alias(c) for c in priced)
        .with_columns(days=days)
        .with_columns(
            days_priced=pl.when(cost_known).then("days").otherwise(0),
            days_unpriced=pl.when(cost_known).then(0).otherwise("days"),
            cost=pl.col("days") * pl.col("daily_cost"),
            why_unpriced=pl.when(cost_known).then(None).otherwise(why),
        )
    )


def _window_days(last: pl.Expr, window_days: int) -> pl.Expr:
    """Days of each piece, up to `last`, in the `window_days` days to the as-at date."""
    first = pl.col("as_at") - pl.duration(days=window_days - 1)
    start = pl.max_horizontal("piece_from", first)
    end = pl.min_horizontal("piece_to", last, "as_at")
    return ((end - start).dt.total_days() + 1).clip(lower_bound=0)


def cost_summary(cost_rows: pl.DataFrame, *, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """Per rule (rule_set, rule, title): delayed milestones (`cases`), children, days of
    delay, median days late, cost and unpriced days, all as at the as-at date; and the same
    counting only days of delay in the last `window_days` days to it (`..._last_12_months`:
    the cost a year). A case counts in the last 12 months if any of its delay falls there;
    its median days late there is of the whole delay of those cases."""
    window = _window_days(pl.col("piece_to"), window_days)
    per_case = (
        cost_rows.with_columns(
            _window=window,
            _window_unpriced=pl.when(pl.col("daily_cost").is_null()).then(window).otherwise(0),
        )
        .group_by("case", maintain_order=True)
        .agg(
            pl.col("rule_set", "rule", "title", "CHILD", "days_late").first(),
            days_unpriced=pl.col("days_unpriced").sum(),
            cost=pl.col("cost").sum(),
            days_window=pl.col("_window").sum(),
            unpriced_window=pl.col("_window_unpriced").sum(),
            cost_window=(pl.col("_window") * pl.col("daily_cost")).sum(),
        )
    )
    in_window = pl.col("days_window") > 0
    return (
        per_case.group_by("rule_set", "rule", "title", maintain_order=True)
        .agg(
            cases=pl.len().cast(pl.Int64),
            children=pl.col("CHILD").n_unique().cast(pl.Int64),
            days_late=pl.col("days_late").sum(),
            median_days_late=pl.col("days_late").median(),
            cost=pl.col("cost").sum(),
            days_unpriced=pl.col("days_unpriced").sum(),
            cases_last_12_months=in_window.sum().cast(pl.Int64),
            children_last_12_months=pl.col("CHILD").filter(in_window).n_unique().cast(pl.Int64),
            median_days_late_last_12_months=pl.col("days_late").filter(in_window).median(),
            days_last_12_months=pl.col("days_window").sum(),
            cost_last_12_months=pl.col("cost_window").sum(),
            days_unpriced_last_12_months=pl.col("unpriced_window").sum(),
        )
        .sort("rule_set", "rule", maintain_order=True)
    )


def unpriced_days(cost_rows: pl.DataFrame, *, window_days: int = WINDOW_DAYS) -> pl.DataFrame:
    """Why days could not be priced: why_unpriced, days (all), days in the last 12 months;
    most days in the last 12 months first."""
    return (
        cost_rows.filter(pl.col("why_unpriced").is_not_null())
        .group_by("why_unpriced")
        .agg(
            days=pl.col("days").sum(),
            days_last_12_months=_window_days(pl.col("piece_to"), window_days).sum(),
        )
        .sort("days_last_12_months", "days", "why_unpriced", descending=[True, True, False])
    )


def price_years(cost_rows: pl.DataFrame, *, window_days: int = WINDOW_DAYS) -> list[str]:
    """The price years of the unit costs that priced days in the last 12 months."""
    used = cost_rows.filter(
        pl.col("daily_cost").is_not_null() & (_window_days(pl.col("piece_to"), window_days) > 0)
    )
    return sorted(used["price_year"].unique().to_list())


@dataclass(frozen=True)
class WhatIf:
    """What the last 12 months' delay under one rule would have cost if each delay had
    been shorter; money at the unit costs' prices."""

    rule: str
    description: str  # "If drift under 'permanence-plan' fell by half"
    cases: int  # delayed milestones with delay in the last 12 months
    days_now: int  # days of delay in the last 12 months (priced or not)
    days_then: int
    cost_now: float  # priced days only
    cost_then: float
    avoided_per_year: float  # cost_now - cost_then


def what_if(
    cost_rows: pl.DataFrame,
    rule: str,
    *,
    fewer_days: int | None = None,
    fraction: float | None = None,
    window_days: int = WINDOW_DAYS,
) -> WhatIf:
    """If drift under `rule` fell by `fewer_days` days (every delayed milestone met that
    many days sooner, no sooner than its due date) or by `fraction` (0.5: each delay cut by
    half, whole days: floor(days_late x fraction) days fewer), what would the last 12
    months' delay have cost? The shortened delays are cut from their end and priced with
    the same placements."""
    if (fewer_days is None) == (fraction is None):
        raise ValueError("give exactly one of fewer_days and fraction")
    if fewer_days is not None:
        if fewer_days < 1:
            raise ValueError(f"fewer_days must be 1 or more, not {fewer_days}")
        cut = pl.min_horizontal(pl.col("days_late"), pl.lit(fewer_days, pl.Int64))
        unit = "day" if fewer_days == 1 else "days"
        words = f"fell by {fewer_days:,} {unit}"
    else:
        assert fraction is not None
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be more than 0 and at most 1, not {fraction}")
        cut = (pl.col("days_late") * fraction).floor().cast(pl.Int64)
        words = "fell by half" if fraction == 0.5 else f"fell by {_percent(fraction)}"
    rows = cost_rows.filter(pl.col("rule") == rule).with_columns(
        _now=_window_days(pl.col("piece_to"), window_days),
        _then=_window_days(pl.col("delay_to") - pl.duration(days=cut), window_days),
    )
    totals = rows.select(
        cases=pl.col("case").filter(pl.col("_now") > 0).n_unique(),
        days_now=pl.col("_now").sum(),
        days_then=pl.col("_then").sum(),
        cost_now=(pl.col("_now") * pl.col("daily_cost")).sum(),
        cost_then=(pl.col("_then") * pl.col("daily_cost")).sum(),
    ).row(0, named=True)
    return WhatIf(
        rule=rule,
        description=f"If drift under '{rule}' {words}",
        cases=int(totals["cases"]),
        days_now=int(totals["days_now"]),
        days_then=int(totals["days_then"]),
        cost_now=float(totals["cost_now"]),
        cost_then=float(totals["cost_then"]),
        avoided_per_year=float(totals["cost_now"] - totals["cost_then"]),
    )


def _percent(fraction: float) -> str:
    value = fraction * 100
    return f"{value:.0f}%" if math.isclose(value, round(value)) else f"{value:.1f}%"


def money(amount: float) -> str:
    """An amount as published: rounded (`round_money`), with £ and thousands separators."""
    return f"£{round_money(amount):,}"


def prices(years: list[str]) -> str:
    """'2017 prices', or several years named and said to be unadjusted."""
    if not years:
        return "no days priced"
    if len(years) == 1:
        return f"{years[0]} prices"
    return f"prices of {', '.join(years[:-1])} and {years[-1]}, not adjusted for inflation"


def round_money(amount: float) -> int:
    """To the nearest £1,000, or the nearest £100 under £10,000 (halves away from zero)."""
    step = 100 if abs(amount) < 10_000 else 1_000
    return int(math.copysign(math.floor(abs(amount) / step + 0.5) * step, amount))
