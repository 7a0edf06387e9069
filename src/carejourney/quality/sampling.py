"""Drawing a month's sample of children to audit, and sharing it between auditors.

Pure functions over a table of candidates (one row per child, or more: a drift list has a
row per rule and period), used by `quality.programme` to draw a programme's sample. How the
children are chosen (`Method`):

- `random`: a simple random sample, without replacement, of the candidates.
- `stratified`: the same, with each team's share of the sample equal to its share of the
  candidates (proportional allocation, rounded by the largest-remainder method; see
  `shares`), children drawn at random within each team.
- `drift`: every candidate with a drift status (STATUS, e.g. "overdue"), or a random
  `size` of them when there are more.
- `indicator`: every candidate an indicator flags (FLAGGED), or a random `size` of them
  when there are more.

Drift and indicator samples may also be stratified by team when they are capped.

*Reproducible.* A sample is fixed by its candidates and its seed: candidates are sorted by
child ID before anything random happens, and numpy's PCG64 generator, seeded, gives every
candidate its place in a random order. The same children (listed in any order) and the same
seed give the same sample, on any machine.

*Assignment* (`assign`). The sample's children are shuffled (seeded) and dealt to the
auditors given in turn, so each auditor's count differs from another's by at most one.
"""

from __future__ import annotations

from collections.abc import Sequence
from enum import StrEnum

import numpy as np
import polars as pl

CHILD, TEAM, STATUS, FLAGGED = "CHILD", "TEAM", "STATUS", "FLAGGED"
NO_TEAM = "no team recorded"  # how a child the allocation list does not name is counted


class Method(StrEnum):
    """How a programme's children are chosen (see the module docstring)."""

    RANDOM = "random"
    STRATIFIED = "stratified"
    DRIFT = "drift"
    INDICATOR = "indicator"


class ProgrammeError(ValueError):
    """A programme that cannot be set up or found, with a message saying what to do."""


class SampleError(ProgrammeError):
    """A sample that cannot be drawn as asked, with a message saying what to change."""


def draw(
    candidates: pl.DataFrame,
    *,
    size: int,
    method: Method | str,
    seed: int,
    stratify_by: str | None = None,
    status: str = "overdue",
) -> pl.DataFrame:
    """The children drawn from `candidates` (columns CHILD and TEAM; STATUS for `drift`;
    optionally FLAGGED, a boolean, for `indicator`), one row per child, sorted by CHILD.

    `size` is the sample's size, or its cap for `drift` and `indicator` (every eligible
    child when there are no more than `size`). Eligible: every candidate for `random` and
    `stratified`; for `drift` those whose STATUS is `status`; for `indicator` those
    FLAGGED (every candidate when there is no FLAGGED column). A child listed more than
    once (a drift list has a row per rule and period) counts once. `stratify_by` names
    the column whose groups share the sample in proportion ("team" by default for
    `stratified`; a child with no team is a group of its own, `NO_TEAM`).

    Exactly min(size, eligible children) are drawn, no child twice. Reproducible: see the
    module docstring."""
    method = Method(method)
    if size < 0:
        raise SampleError(f"A sample cannot have {size} children: give 0 or more.")
    eligible = eligible_children(candidates, method, status)
    group = _stratum(eligible, method, stratify_by)
    take = min(size, eligible.height)
    rng = np.random.Generator(np.random.PCG64(seed))
    # Each child's place in a random order of the candidates (sorted by CHILD first, so
    # the order the candidates came in makes no difference).
    keyed = eligible.with_columns(
        _place=pl.Series(rng.permutation(eligible.height), dtype=pl.Int64)
    )
    if group is None:
        chosen = keyed.filter(pl.col("_place") < take)
    else:
        keyed = keyed.with_columns(_stratum=pl.col(group).cast(pl.String).fill_null(NO_TEAM))
        counts = keyed.group_by("_stratum").agg(candidates=pl.len())
        quota = shares(counts, take)
        chosen = keyed.join(quota.select("_stratum", "share"), on="_stratum").filter(
            pl.col("_place").rank("ordinal").over("_stratum") <= pl.col("share")
        )
    return chosen.sort(CHILD).drop("_place", "_stratum", "share", strict=False)


def shares(counts: pl.DataFrame, size: int) -> pl.DataFrame:
    """Each stratum's share of a sample of `size`, in proportion to its candidates.

    `counts` has `_stratum` (any label) and `candidates` (how many children it holds).
    Proportional allocation by the largest-remainder (Hamilton) method: each stratum's
    exact share is size x candidates / all candidates; each gets the whole part of its
    exact share, and the places left over go one each to the strata with the largest
    fractional parts (ties: the stratum with more candidates, then by name). So the shares
    add up to `size` exactly, and each is within one of its exact share (the whole part,
    or one more). Worked in whole numbers (size x candidates divided by the total, with
    its remainder), so no rounding of fractions can change a share.

    Teams of 10, 6 and 4 children, a sample of 5: exact shares 2.5, 1.5 and 1; whole
    parts 2, 1, 1 (4 places); the fifth goes to a fraction of .5, tied between the first
    two teams, so to the larger: 3, 1, 1.

    Returns `counts` with `exact` (the exact share) and `share`, in the order of `counts`."""
    total = int(counts["candidates"].sum())
    if size > total:
        raise SampleError(f"A sample of {size} cannot be drawn from {total} children.")
    if total == 0:
        return counts.with_columns(exact=pl.lit(0.0), share=pl.lit(0, pl.Int64))
    product = pl.col("candidates").cast(pl.Int64) * size
    ranked = (
        counts.with_row_index("_row")
        .with_columns(_whole=product // total, _remainder=product % total, exact=product / total)
        .sort(["_remainder", "candidates", "_stratum"], descending=[True, True, False])
        .with_row_index("_turn")
    )
    left = size - int(ranked["_whole"].sum())
    return (
        ranked.with_columns(
            share=pl.col("_whole") + (pl.col("_turn") < left).cast(pl.Int64),
        )
        .sort("_row")
        .drop("_row", "_turn", "_whole", "_remainder")
    )


def assign(sample: pl.DataFrame, auditors: Sequence[str], seed: int) -> pl.DataFrame:
    """`sample` (with CHILD) with an `auditor` column: the children in a random order
    (seeded) dealt to the auditors in turn, the auditors themselves in a random order, so
    counts differ by at most one and no auditor always gets the extra child. The random
    stream is not the draw's (it is seeded with [seed, 1]), so redrawing with more
    auditors does not change which children are drawn. Sorted by CHILD."""
    names = list(dict.fromkeys(a.strip() for a in auditors if a.strip()))
    if not names:
        raise SampleError("Give at least one auditor to share the audits between.")
    rng = np.random.Generator(np.random.PCG64([seed, 1]))
    ordered = sample.sort(CHILD)
    turn = rng.permutation(ordered.height)  # each child's turn in the deal
    dealt = rng.permutation(len(names))  # which auditor is dealt to first, second...
    auditor = np.array(names, dtype=object)[dealt[turn % len(names)]]
    return ordered.with_columns(auditor=pl.Series(auditor.tolist(), dtype=pl.String))


def eligible_children(candidates: pl.DataFrame, method: Method, status: str) -> pl.DataFrame:
    """The candidates `draw` may choose for `method`, one row per child (see `draw`)."""
    missing = [c for c in (CHILD, TEAM) if c not in candidates.columns]
    if method is Method.DRIFT and STATUS not in candidates.columns:
        missing.append(STATUS)
    if missing:
        raise SampleError(f"The candidates need the column(s) {', '.join(missing)}.")
    frame = candidates
    if method is Method.DRIFT:
        frame = frame.filter(pl.col(STATUS) == status)
    elif method is Method.INDICATOR and FLAGGED in frame.columns:
        frame = frame.filter(pl.col(FLAGGED).fill_null(False))
    # One row per child: a child listed twice (two rules, two teams) is one candidate, with
    # the first team in sorted order, so the result never depends on the input's order.
    return (
        frame.filter(pl.col(CHILD).is_not_null())
        .sort(CHILD, TEAM, nulls_last=True)
        .unique(CHILD, keep="first", maintain_order=True)
    )


def _stratum(frame: pl.DataFrame, method: Method, stratify_by: str | None) -> str | None:
    """The column the sample is stratified by, if any."""
    by = stratify_by or ("team" if method is Method.STRATIFIED else None)
    if by is None:
        return None
    column = by.upper()
    if column not in frame.columns:
        raise SampleError(f'Cannot stratify by "{by}": the candidates have no {column} column.')
    return column
