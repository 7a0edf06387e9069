"""Time to a milestone, counting the children still waiting: Kaplan-Meier survival curves.

An average of finished journeys leaves out every child still waiting, and those are the
longest waits. Survival methods keep them: a child still waiting at the date of the data
is *censored* (we know the wait is at least that long), not dropped.

- `time_to_milestone` gives one row per child and period: days from one milestone to
  another, or to the censoring date for a child who has not reached it.
- `kaplan_meier` is the product-limit estimate S(t), the share not yet reached by day t,
  with a 95% confidence interval (Greenwood's variance, log(-log) transform).
- `reached_by` reads 1 - S(t) (the share reached) at given days; `median_time` the median.

How the estimate is made, for each group, at each distinct time t (events before
censorings when they tie, so a child censored at t is still at risk at t):

    at_risk n(t) = children whose time is t or later;  events d(t) = reached on day t
    S(t) = product over event times u <= t of (1 - d(u) / n(u))
    Greenwood:  V(t) = sum over u <= t of d(u) / (n(u) * (n(u) - d(u)))   (var of log S)
    log(-log) interval (Kalbfleisch & Prentice; R survival's conf.type = "log-log"):
        se = sqrt(V(t)) / |log S(t)|
        lower = S(t) ** exp(+z * se),  upper = S(t) ** exp(-z * se),  z = 1.96 for 95%
    While S(t) = 1 (no event yet) the interval is 1 to 1; where S(t) = 0 it is null
    (undefined), as in R's survival package.

Caveat, written here so reports can repeat it: a child who leaves care without reaching the
milestone (returns home, say) is censored at leaving care, as if they might still reach it.
1 - S(t) then answers "what share would have reached it by day t, had they stayed in care";
it overstates the share of all children who actually did. The share who actually did needs
a competing-risks (cumulative incidence) estimate, which this module does not make.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from statistics import NormalDist

import polars as pl

MONTHS_6_12_18 = (182, 365, 547)  # days: 6, 12 and 18 months
RESULT_COLUMNS = ("time", "at_risk", "events", "censored", "survival", "lower", "upper")
TIME_TO_MILESTONE_SCHEMA = {
    "CHILD": pl.String,
    "period": pl.Int64,
    "start": pl.Date,
    "end_or_censor": pl.Date,
    "days": pl.Int64,
    "observed": pl.Boolean,
    "censored_by": pl.String,
}


def _over(expr: pl.Expr, keys: list[str]) -> pl.Expr:
    return expr.over(keys) if keys else expr


def kaplan_meier(
    data: pl.DataFrame | pl.Series,
    observed: str | pl.Series = "observed",
    group: str | pl.Series | None = None,
    *,
    duration: str = "days",
    confidence: float = 0.95,
) -> pl.DataFrame:
    """The Kaplan-Meier estimate, one row per group and distinct time (see module docstring).

    Give either a frame with the columns named by `duration`, `observed` (True: the
    milestone was reached at that time; False: censored) and optionally `group`, or three
    Series (durations, observed, group). Columns: (group,) time, at_risk, events, censored,
    survival, lower, upper. Durations must be non-negative and not null."""
    if isinstance(data, pl.Series):
        if not isinstance(observed, pl.Series) or isinstance(group, str):
            raise TypeError("with a Series of durations, give observed (and group) as Series")
        columns = [data.alias("time"), observed.alias("observed")]
        if group is not None:
            columns.append(group)
        frame = pl.DataFrame(columns)
        keys = [] if group is None else [group.name]
    else:
        if isinstance(observed, pl.Series) or isinstance(group, pl.Series):
            raise TypeError("with a frame, give observed (and group) as column names")
        keys = [] if group is None else [group]
        frame = data.select(*keys, time=pl.col(duration), observed=pl.col(observed))
    if frame.select(pl.col("time", "observed").has_nulls().any()).to_series().any():
        raise ValueError("durations and observed must not be null: drop or resolve those rows")
    if frame.height and frame.select((pl.col("time") < 0).any()).item():
        raise ValueError("durations must not be negative (an end before its start?)")

    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    n, d = pl.col("at_risk"), pl.col("events")
    s, v = pl.col("survival"), pl.col("_greenwood")
    se = v.sqrt() / s.log().abs()
    return (
        frame.group_by(*keys, "time")
        .agg(
            events=pl.col("observed").sum().cast(pl.Int64),
            censored=(~pl.col("observed")).sum().cast(pl.Int64),
        )
        .sort(*keys, "time")
        .with_columns(
            at_risk=_over((d + pl.col("censored")).cum_sum(reverse=True), keys).cast(pl.Int64)
        )
        .with_columns(
            survival=_over((1.0 - d / n).cum_prod(), keys),
            # d = n (everyone left reached it) makes the term infinite; S is then 0 and the
            # interval null, so the value does not matter.
            _greenwood=_over(
                pl.when(d == 0).then(0.0).otherwise(d / (n * (n - d))).cum_sum(), keys
            ),
        )
        .with_columns(
            lower=pl.when(s == 1.0).then(1.0).when(s > 0.0).then(s.pow((z * se).exp())),
            upper=pl.when(s == 1.0).then(1.0).when(s > 0.0).then(s.pow((-z * se).exp())),
        )
        .select(*keys, *RESULT_COLUMNS)
    )


def _groups(km: pl.DataFrame) -> list[str]:
    return [c for c in km.columns if c not in RESULT_COLUMNS]


def reached_by(km: pl.DataFrame, times: Sequence[int] = MONTHS_6_12_18) -> pl.DataFrame:
    """The share who reached the milestone by each of `times` (days): 1 - S(t), with its
    interval (1 - upper, 1 - lower). Columns: (group,) time, reached, lower, upper.

    S is a step function: S(t) is its value at the last time on or before t, and 1 before
    the first. Beyond a group's longest follow-up S(t) is unknown unless it has reached 0,
    so the share is null there: nobody was watched that long."""
    keys = _groups(km)
    wanted = pl.DataFrame({"time": list(times)}, schema={"time": km.schema["time"]})
    if keys:
        wanted = km.select(keys).unique(maintain_order=True).join(wanted, how="cross")
    steps = km.sort(*keys, "time").select(
        *keys,
        "time",
        _s="survival",
        _l="lower",
        _u="upper",
        _longest=_over(pl.col("time").max(), keys),
        _floor=_over(pl.col("survival").min(), keys),
    )
    found = wanted.sort("time").join_asof(
        steps.sort("time"),
        on="time",
        by=keys or None,
        strategy="backward",
        check_sortedness=False,  # both sorted by time just above
    )
    before_first = pl.col("_s").is_null() & pl.lit(km.height > 0)
    # Found by the as-of join: the step on or before t, so t >= that group's first time.
    known = (pl.col("time") <= pl.col("_longest")) | (pl.col("_floor") == 0.0)
    share = [
        pl.when(before_first).then(0.0).when(known).then(1.0 - pl.col(c)).alias(name)
        for c, name in (("_s", "reached"), ("_u", "lower"), ("_l", "upper"))
    ]
    return found.select(*keys, "time", *share).sort(*keys, "time")


def median_time(km: pl.DataFrame) -> pl.DataFrame:
    """The median time to the milestone: the smallest t with S(t) <= 0.5; null when the
    curve never gets that low. Its interval (Brookmeyer-Crowley, as R's survival package
    reads it off the curve's bounds): `lower` is the smallest t where the lower bound of
    S(t) is <= 0.5, `upper` the smallest t where its upper bound is; null when never.
    Columns: (group,) median, lower, upper."""
    keys = _groups(km)

    def first_time(column: str) -> pl.Expr:
        return pl.col("time").filter(pl.col(column) <= 0.5).min()

    agg = {
        "median": first_time("survival"),
        "lower": first_time("lower"),
        "upper": first_time("upper"),
    }
    if keys:
        return km.group_by(keys, maintain_order=True).agg(**agg)
    return km.select(**agg)


def time_to_milestone(
    periods: pl.DataFrame,
    milestones: pl.DataFrame,
    from_milestone: str,
    to_milestone: str,
    as_at: dt.date,
    *,
    earlier_counts: bool = True,
    exclude_short_breaks: bool = True,
) -> pl.DataFrame:
    """Days from `from_milestone` to `to_milestone`, per child and period of care, as at a date.

    `periods` is `journeys.periods.periods_of_care`; `milestones` is `return_milestones` (or
    any frame with CHILD, period, milestone, date). Only dates on or before `as_at` count,
    so a past date gives the picture as it was then.

    - The clock starts at the first `from_milestone` of the period (on or before `as_at`).
    - It stops at the first `to_milestone` of the same period on or after the start and on
      or before the censoring date (`observed` = True). With `earlier_counts`, one dated
      before the start (in the same period) counts as reached on day 0, as the scorecard
      counts a match before the placement order; set it False for repeating milestones
      (looked_after_review), where only a later one counts.
    - Otherwise the child is censored (`observed` = False) at leaving care, if the period
      ended by `as_at` (`censored_by` "left care"), or at `as_at` ("still waiting").

    Periods of short breaks only (LS V3/V4) are left out unless `exclude_short_breaks` is
    False. Columns: CHILD, period, start, end_or_censor, days, observed, censored_by."""
    cut = pl.lit(as_at, pl.Date)
    wanted = pl.col("period").is_not_null() & (pl.col("date") <= cut)
    starts = (
        milestones.filter(wanted & (pl.col("milestone") == from_milestone))
        .group_by("CHILD", "period")
        .agg(start=pl.col("date").min())
    )
    spans = periods.filter(~pl.col("short_breaks_only")) if exclude_short_breaks else periods
    left = pl.col("end").is_not_null() & (pl.col("end") <= cut)
    clocks = starts.join(spans.select("CHILD", "period", "end"), on=["CHILD", "period"]).select(
        "CHILD",
        "period",
        "start",
        censor=pl.when(left).then(pl.col("end")).otherwise(cut),
        censored_by=pl.when(left).then(pl.lit("left care")).otherwise(pl.lit("still waiting")),
    )
    targets = milestones.filter(wanted & (pl.col("milestone") == to_milestone)).select(
        "CHILD", "period", "date"
    )
    date = pl.col("date")
    in_time = (date >= pl.col("start")) & (date <= pl.col("censor"))
    stops = (
        clocks.join(targets, on=["CHILD", "period"])
        .group_by("CHILD", "period")
        .agg(_after=date.filter(in_time).min(), _before=(date < pl.col("start")).any())
    )
    reached_before = pl.col("_before").fill_null(False) & pl.lit(earlier_counts)
    stop = pl.when(pl.col("_after").is_not_null()).then("_after").when(reached_before).then("start")
    return (
        clocks.join(stops, on=["CHILD", "period"], how="left")
        .with_columns(_stop=stop)
        .select(
            "CHILD",
            "period",
            "start",
            end_or_censor=pl.coalesce("_stop", "censor"),
            days=(pl.coalesce("_stop", "censor") - pl.col("start")).dt.total_days(),
            observed=pl.col("_stop").is_not_null(),
            censored_by=pl.when(pl.col("_stop").is_null()).then("censored_by"),
        )
        .sort("CHILD", "period")
        .cast(TIME_TO_MILESTONE_SCHEMA)  # type: ignore[arg-type]
    )
