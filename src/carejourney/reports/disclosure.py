"""Disclosure control: every count carejourney publishes passes through this module.

Children's records are special-category personal data, and in one local authority a table
of, say, adoptions by age and ethnicity can have cells of 1 or 2 that point at a particular
child. Before any figure leaves the service it goes through one of:

- `protect_counts` for a table of counts (rows are categories, columns are counts, with or
  without totals);
- `protect_count` for a single figure in a sentence ("12 children were adopted");
- `protect_percent` for a percentage;
- `pseudonymise` for a table with one row per child.

The conventions are those of UK official statistics:

- **Small counts are hidden.** Counts from 1 to `threshold - 1` (default: below 5) are
  replaced by a marker. A true zero is shown: it says nothing about any one child, and the
  Government Statistical Service asks that 0 is used only for a true zero. DfE's children
  looked after statistics say the same ("where any number is shown as zero, the original
  figure submitted was zero").
- **The marker is "[c]", for confidential.** The Analysis Function (GSS) guidance
  "Using symbols and shorthand in tables" lists c = confidential, written in square
  brackets in tables; DfE's Open Data Standards ("Data symbols") use c for confidential,
  suppressed data, and DfE's children looked after releases use 'c' "to protect
  confidentiality. Secondary suppression may be required".
- **Secondary suppression.** Where a table publishes totals, a lone hidden cell in a row
  or column could be worked out by subtracting the others from the total ("disclosure by
  differencing", ONS statistical disclosure control guidance). So every row and column
  with a total that has exactly one hidden cell (counting the total) gets its smallest
  other non-zero cell hidden too, until no line has exactly one. A final check then looks
  at the table as a whole: a hidden cell can still be pinned down by a chain of totals
  across several rows and columns even when every line has two hidden cells, and where
  one is, a further cell is hidden. The result, with zeros shown (the default): no hidden
  cell can be recovered from the published cells and totals (the tests check it by brute
  force on small tables).
- **Rounding** (optional): published counts rounded to the nearest `round_to` after
  suppression, totals rounded on their own, as ONS's "10-5 rule" for Census 2021 tables
  (suppress below 10, round to 5) and DfE's national figures (nearest 10) do.

Sources:
- Analysis Function (Government Statistical Service), Using symbols and shorthand in
  tables: https://analysisfunction.civilservice.gov.uk/policy-store/symbols-in-tables-definitions-and-help/
- DfE Analysts' Guide, Open Data Standards, "Data symbols":
  https://dfe-analytical-services.github.io/analysts-guide/statistics-production/ud.html
- DfE, Children looked after: a focus on placement location, methodology, "Rounding,
  suppression and grossing":
  https://explore-education-statistics.service.gov.uk/methodology/children-looked-after-a-focus-on-placement-location
- ONS, Statistical disclosure control (why totals call for secondary suppression):
  https://webarchive.nationalarchives.gov.uk/20160106205135/http:/www.ons.gov.uk/ons/guide-method/method-quality/general-methodology/statistical-disclosure-control/index.html
- ONS, Comparison of post-tabular statistical disclosure control methods (the 10-5 rule):
  https://www.ons.gov.uk/peoplepopulationandcommunity/populationandmigration/populationestimates/methodologies/comparisonofposttabularstatisticaldisclosurecontrolmethods
- L. H. Cox, Contingency tables of network type: models, Markov basis and applications,
  Statistica Sinica 17 (2007) 1371-1393 (two-way tables with totals; moves of -1, 0, +1;
  exact bounds on hidden cells for disclosure limitation).

Nothing here logs or prints anything, and no error message ever contains a child's ID.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import polars as pl

__all__ = [
    "DisclosureRules",
    "ProtectedTable",
    "new_salt",
    "protect_count",
    "protect_counts",
    "protect_percent",
    "pseudonym",
    "pseudonymise",
]

Counts = npt.NDArray[np.int64]
Mask = npt.NDArray[np.bool_]
Cell = tuple[int, int]


@dataclass(frozen=True)
class DisclosureRules:
    """How published figures are protected. The defaults follow UK official statistics.

    - `threshold`: counts from 1 to `threshold - 1` are hidden (default 5: counts below 5).
    - `suppress_zeros`: hide zeros too. Off by default because a true zero discloses
      nothing about an individual child, and GSS guidance asks that 0 means a true zero;
      turn it on where even "none" is sensitive. Hidden zeros get the same secondary
      suppression, but a hidden zero can still be inferred where the published figures
      leave no room for anything else (the shown cells already add up to the total), so
      the guarantee that no hidden cell can be worked out holds with zeros shown.
    - `round_to`: round published counts to the nearest multiple (for example 5 or 10),
      after suppression; totals are rounded on their own, so rounded cells may not add up
      to the rounded total. Halves round up.
    - `marker`: what a hidden cell shows. "[c]" is the GSS shorthand for confidential
      (Analysis Function, "Using symbols and shorthand in tables"; DfE Open Data
      Standards use c for confidential, suppressed data).
    - `internal`: an internal report, for people already allowed to see these children's
      records: nothing is hidden or rounded and child IDs are kept. Only a caller that
      asks for it explicitly gets it.
    """

    threshold: int = 5
    suppress_zeros: bool = False
    round_to: int | None = None
    marker: str = "[c]"
    internal: bool = False

    def __post_init__(self) -> None:
        if self.threshold < 1:
            raise ValueError(
                f"The disclosure threshold must be 1 or more (counts below it are hidden), "
                f"not {self.threshold}."
            )
        if not self.marker.strip():
            raise ValueError("The marker for hidden counts must not be blank, such as '[c]'.")
        if self.round_to is not None:
            if self.round_to < 1:
                raise ValueError(f"round_to must be 1 or more, not {self.round_to}.")
            # Rounding must never turn a count that may be published into a number below the
            # threshold (0 would claim a true zero; 1..threshold-1 would look like a small
            # count that slipped through).
            lowest = _round(self.threshold, self.round_to)
            if lowest < self.threshold:
                raise ValueError(
                    f"Rounding to the nearest {self.round_to} would show a count of "
                    f"{self.threshold} as {lowest}, below the threshold of {self.threshold}: "
                    f"use a smaller round_to or a larger threshold."
                )

    def hides(self, value: int) -> bool:
        """Whether a count is hidden on its own (primary suppression)."""
        if self.internal:
            return False
        return (0 < value < self.threshold) or (value == 0 and self.suppress_zeros)

    def shown(self, value: int) -> int:
        """The number published for a count that is not hidden (rounded when asked)."""
        if self.internal or self.round_to is None:
            return value
        return _round(value, self.round_to)


@dataclass(frozen=True, eq=False)
class ProtectedTable:
    """A table of counts after disclosure control.

    - `frame`: the table as published, counts as text ("12", "[c]"), for display and XLSX;
    - `values`: the same with published numbers (rounded when asked) and null where
      hidden, for charts;
    - `suppressed`: the same with True where a count is hidden;
    - `count_columns`: the count columns, the row-total column last when there is one;
    - `primary`: how many counts were hidden because they are small;
    - `secondary`: how many more were hidden so they cannot be worked out from the totals;
    - `note`: one plain sentence (or two) to print under the table.

    Label columns are as given. With totals, the totals row is the last row.
    """

    frame: pl.DataFrame
    values: pl.DataFrame
    suppressed: pl.DataFrame
    count_columns: tuple[str, ...]
    primary: int
    secondary: int
    note: str


def protect_counts(
    table: pl.DataFrame,
    count_columns: Sequence[str],
    rules: DisclosureRules,
    *,
    row_total: str | None = None,
    column_total_row: bool = False,
    add_totals: bool = False,
    total_label: str = "Total",
) -> ProtectedTable:
    """Protect a two-way table of counts: rows are categories, `count_columns` are counts.

    Totals, which are what make secondary suppression necessary, are either in the table
    already (`row_total`: the name of a column holding each row's total; `column_total_row`:
    the last row holds each column's total) or added here (`add_totals=True`: a column and
    a last row called `total_label`; the label goes in the first text column). Totals are
    treated as the sums of their cells, which is also the safe assumption when they are
    not (for example, a count of distinct children).

    1. Primary suppression: every count (totals included) from 1 to threshold - 1, and
       zeros if `rules.suppress_zeros`, is hidden.
    2. Secondary suppression: every row and column that has a total and exactly one hidden
       cell (the total counts as a cell) gets its smallest other non-zero cell hidden as
       well (the first on ties; the total when it is the only one left), repeated until no
       line has exactly one. This is the standard "at least two hidden cells per line" rule.
    3. A final check over the whole table: while a hidden cell can still be worked out by
       combining several rows' and columns' totals, one more cell linking it to the other
       hidden cells is hidden (smallest first). Cells hidden in steps 2 and 3 are counted
       in `secondary`.
    4. Rounding, when asked, of every published count; totals on their own.

    Without any totals only step 1 (and 4) applies: there is nothing to subtract from.
    An internal report (`rules.internal`) hides and rounds nothing.
    """
    columns = list(count_columns)
    _check_table(table, columns, row_total, column_total_row, add_totals, total_label)
    table = table.with_columns(pl.col(columns + ([row_total] if row_total else [])).cast(pl.Int64))
    if add_totals:
        table = _with_totals(table, columns, total_label)
        row_total, column_total_row = total_label, True
    value_columns = columns + ([row_total] if row_total else [])
    matrix: Counts = (
        table.select(value_columns)
        .to_numpy()
        .astype(np.int64)
        .reshape(table.height, len(value_columns))
    )

    if rules.internal:
        hidden: Mask = np.zeros(matrix.shape, dtype=np.bool_)
        primary_count = secondary_count = 0
    else:
        primary = _primary(matrix, rules)
        hidden = _secondary(
            matrix, primary, rows_add_up=row_total is not None, columns_add_up=column_total_row
        )
        primary_count = int(primary.sum())
        secondary_count = int(hidden.sum()) - primary_count

    published = matrix
    if not rules.internal and rules.round_to is not None:
        published = _round_array(matrix, rules.round_to)

    numbers: list[pl.Series] = []
    texts: list[pl.Series] = []
    flags: list[pl.Series] = []
    nulls = pl.repeat(None, table.height, dtype=pl.Int64, eager=True)
    for k, name in enumerate(value_columns):
        flag = pl.Series(name, hidden[:, k], dtype=pl.Boolean)
        number = pl.Series(name, published[:, k], dtype=pl.Int64).zip_with(~flag, nulls)
        numbers.append(number.alias(name))
        texts.append(number.cast(pl.String).fill_null(rules.marker).alias(name))
        flags.append(flag)
    return ProtectedTable(
        frame=table.with_columns(texts),
        values=table.with_columns(numbers),
        suppressed=table.with_columns(flags),
        count_columns=tuple(value_columns),
        primary=primary_count,
        secondary=secondary_count,
        note=_note(rules, secondary_count),
    )


def protect_count(value: int, rules: DisclosureRules) -> str | None:
    """A single published figure ("12 children were adopted") as text, or None when it
    must not be published, so the sentence can be written without it, for example
    `protect_count(n, rules) or f"fewer than {rules.threshold}"`.

    The same rules as a table cell: hidden when small (and zero, if zeros are suppressed),
    otherwise rounded when asked; an internal report shows it exactly.
    """
    _check_count(value, "The count")
    if rules.hides(value):
        return None
    return str(rules.shown(value))


def protect_percent(
    numerator: int, denominator: int, rules: DisclosureRules, *, decimals: int = 0
) -> str | None:
    """A percentage such as "75%", or None when it must not be published.

    A percentage gives away its numerator and denominator, so it is hidden whenever
    either count would be hidden, and also when the rest (denominator - numerator) would
    be: "97% of 100 children had a health check" tells the reader that 3 did not. There
    is no percentage of nothing either: a denominator of 0 gives None.

    With rounding, the percentage is worked out from the rounded counts (as DfE does), so
    that it cannot be used to undo the rounding. Halves round up.
    """
    _check_count(numerator, "The numerator")
    _check_count(denominator, "The denominator")
    if numerator > denominator:
        raise ValueError(
            f"The numerator ({numerator}) is larger than the denominator ({denominator})."
        )
    if decimals < 0:
        raise ValueError(f"decimals must be 0 or more, not {decimals}.")
    if any(rules.hides(n) for n in (numerator, denominator, denominator - numerator)):
        return None
    top, bottom = rules.shown(numerator), rules.shown(denominator)
    if bottom == 0:
        return None
    # Exact decimal arithmetic, halves up: floats would round 0.125 and 0.375 differently.
    scale = 10**decimals
    scaled = (2 * top * 100 * scale + bottom) // (2 * bottom)
    whole, fraction = divmod(scaled, scale)
    return f"{whole}.{fraction:0{decimals}d}%" if decimals else f"{whole}%"


def new_salt() -> bytes:
    """A new random salt for pseudonyms (32 bytes from the operating system's generator).

    Keeping it is the caller's business (it will be stored in the installation's
    database). Without a stable salt every report gives children new pseudonyms; with it,
    a child keeps the same pseudonym from report to report, so a manager can follow a case
    over months without ever seeing its ID. Anyone with the salt and a list of IDs can
    recompute the pseudonyms, so the salt must be kept as carefully as the IDs themselves.
    """
    return secrets.token_bytes(32)


def pseudonym(child_id: str, salt: bytes) -> str:
    """A short, stable code standing for a child: "C-" and 8 base32 characters of the
    HMAC-SHA256 of the ID keyed with the salt.

    A keyed hash (HMAC), not a plain hash, because a child ID is short and guessable: a
    plain hash of every possible ID is easy to compute, while without the salt the codes
    cannot be recomputed. The same ID and salt always give the same code; another salt
    gives unrelated codes. 8 characters carry 40 bits: among a few thousand children a
    collision is about one in a hundred thousand, and `pseudonymise` checks for it.
    """
    if not salt:
        raise ValueError("The salt for pseudonyms is empty: use new_salt() to make one.")
    digest = hmac.new(salt, child_id.encode("utf-8"), hashlib.sha256).digest()
    return "C-" + base64.b32encode(digest).decode("ascii")[:8]


def pseudonymise(
    frame: pl.DataFrame, column: str, salt: bytes, rules: DisclosureRules
) -> pl.DataFrame:
    """The frame with the child IDs in `column` replaced by their pseudonyms.

    An internal report keeps the IDs. Missing IDs stay missing. Each distinct ID is hashed
    once and the codes are mapped onto the column in one vectorised step: HMAC has no
    Polars expression, and hashing per distinct child rather than per row (`map_elements`)
    keeps the Python work to the number of children.
    """
    if column not in frame.columns:
        raise ValueError(f"There is no column {column!r} to pseudonymise.")
    if rules.internal:
        return frame
    ids = frame.get_column(column).cast(pl.String)
    distinct = ids.drop_nulls().unique()
    codes = pl.Series([pseudonym(child_id, salt) for child_id in distinct], dtype=pl.String)
    if codes.n_unique() != len(codes):
        # Never name the IDs here: the message may end up in a log.
        raise ValueError(
            "Two different children were given the same pseudonym (a very rare chance). "
            "Pseudonyms for this report cannot be trusted to tell children apart."
        )
    return frame.with_columns(
        ids.replace_strict(distinct, codes, return_dtype=pl.String).alias(column)
    )


# --- checks ------------------------------------------------------------------------------


def _check_count(value: int, what: str) -> None:
    if value < 0:
        raise ValueError(f"{what} is negative ({value}): a count cannot be.")


def _check_table(
    table: pl.DataFrame,
    columns: list[str],
    row_total: str | None,
    column_total_row: bool,
    add_totals: bool,
    total_label: str,
) -> None:
    if not columns:
        raise ValueError("Name at least one count column to protect.")
    if len(set(columns)) != len(columns):
        raise ValueError("A count column is named twice.")
    if add_totals and (row_total is not None or column_total_row):
        raise ValueError(
            "Either add the totals here (add_totals) or say where they are in the table "
            "(row_total, column_total_row), not both."
        )
    if add_totals and total_label in table.columns:
        raise ValueError(f"The table already has a column called {total_label!r}.")
    if row_total is not None and row_total in columns:
        raise ValueError(f"The row-total column {row_total!r} is also named as a count column.")
    if column_total_row and table.height == 0:
        raise ValueError("The table has no rows, so it has no totals row.")
    for name in columns + ([row_total] if row_total else []):
        if name not in table.columns:
            raise ValueError(f"The table has no column {name!r}.")
        series = table.get_column(name)
        if not series.dtype.is_integer():
            raise ValueError(f"Column {name!r} holds {series.dtype}, not whole-number counts.")
        if series.null_count():
            raise ValueError(f"Column {name!r} has a missing count.")
        if series.len() and (series.min() or 0) < 0:  # type: ignore[operator]
            raise ValueError(f"Column {name!r} has a negative count.")


def _with_totals(table: pl.DataFrame, columns: list[str], label: str) -> pl.DataFrame:
    """The table with a row-total column and a totals row, both called `label`."""
    with_column = table.with_columns(pl.sum_horizontal(columns).cast(pl.Int64).alias(label))
    sums = with_column.select(pl.col([*columns, label]).sum()).row(0, named=True)
    texts = [
        name for name, dtype in table.schema.items() if name not in columns and dtype == pl.String
    ]
    row: dict[str, object] = {name: None for name in with_column.columns}
    row.update(sums)
    if texts:
        row[texts[0]] = label
    totals = pl.DataFrame([row], schema=with_column.schema)
    return pl.concat([with_column, totals])


# --- suppression -------------------------------------------------------------------------
# A table is small (a report's table, not a child-level frame), so the suppression works on
# a numpy matrix of its cells with plain loops over rows and columns.


def _round(value: int, step: int) -> int:
    """Nearest multiple of `step`, halves up (the usual convention for published counts)."""
    return (value + step // 2) // step * step


def _round_array(values: Counts, step: int) -> Counts:
    return (values + step // 2) // step * step


def _primary(matrix: Counts, rules: DisclosureRules) -> Mask:
    small: Mask = (matrix > 0) & (matrix < rules.threshold)
    if rules.suppress_zeros:
        small |= matrix == 0
    return small


def _secondary(matrix: Counts, primary: Mask, *, rows_add_up: bool, columns_add_up: bool) -> Mask:
    """Hide further cells until no hidden cell can be worked out from the totals."""
    hidden = primary.copy()
    if not (rows_add_up or columns_add_up) or not hidden.any():
        return hidden
    n_rows, n_cols = matrix.shape
    lines: list[list[Cell]] = []
    if rows_add_up:
        lines += [[(i, j) for j in range(n_cols)] for i in range(n_rows)]
    if columns_add_up:
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)]
    while True:
        _two_per_line(matrix, hidden, lines)
        # Two hidden cells per line is not always enough: cells can still be pinned down by
        # a chain of totals across rows and columns. See `_pinned`.
        pinned = _pinned(hidden, rows_add_up, columns_add_up)
        if pinned is None:
            return hidden
        extra = _link(matrix, hidden, pinned, rows_add_up, columns_add_up)
        if extra is None:  # nothing left to hide: every cell already is
            return hidden
        hidden[extra] = True


def _smallest(matrix: Counts, hidden: Mask, cells: Sequence[Cell]) -> Cell | None:
    """The shown cell with the smallest non-zero count (the first on ties); a zero only if
    there is nothing else (which needs totals that are not sums of their cells)."""
    shown = [cell for cell in cells if not hidden[cell]]
    nonzero = [cell for cell in shown if matrix[cell] > 0]
    pool = nonzero or shown
    return min(pool, key=lambda cell: int(matrix[cell])) if pool else None


def _two_per_line(matrix: Counts, hidden: Mask, lines: list[list[Cell]]) -> None:
    """Every line (a row or column with a total) with exactly one hidden cell gets another."""
    changed = True
    while changed:
        changed = False
        for line in lines:
            if sum(bool(hidden[cell]) for cell in line) != 1:
                continue
            extra = _smallest(matrix, hidden, line)
            if extra is not None:
                hidden[extra] = True
                changed = True


# The whole-table check. Each row and each column that adds up to a total is a node of a
# graph; a hidden cell is an edge between its row and its column (rows or columns without a
# total all share one unconstrained node). A hidden cell's value is fixed by the published
# figures exactly when its edge is a bridge (no cycle of hidden cells passes through it):
# along a cycle, adding 1 to every other cell and taking 1 from the rest keeps every total,
# and every hidden cell is at least 1 (zeros are shown unless `suppress_zeros`), so another
# filling of the table is just as consistent with what is published. Conversely a bridge's
# value follows from the totals on one side of it. (Two-way tables with totals are "of
# network type": Cox, Statistica Sinica 2007, in the module's sources.)


def _nodes(shape: tuple[int, int], rows_add_up: bool, columns_add_up: bool) -> list[Cell]:
    n_rows, n_cols = shape
    free = n_rows + n_cols
    return [
        (i if rows_add_up else free, n_rows + j if columns_add_up else free)
        for i in range(n_rows)
        for j in range(n_cols)
    ]


def _pinned(hidden: Mask, rows_add_up: bool, columns_add_up: bool) -> Cell | None:
    """The first hidden cell (row by row) whose value the totals pin down, if any."""
    n_rows, n_cols = hidden.shape
    ends = _nodes(hidden.shape, rows_add_up, columns_add_up)
    flat: list[int] = np.flatnonzero(hidden.ravel()).tolist()
    bridges = _bridges(n_rows + n_cols + 1, [ends[k] for k in flat])
    for index, k in enumerate(flat):
        if index in bridges:
            row, column = divmod(k, n_cols)
            return int(row), int(column)
    return None


def _bridges(n_nodes: int, edges: list[Cell]) -> set[int]:
    """Indexes of the bridges of a multigraph (Tarjan's algorithm, iterative)."""
    adjacent: list[list[tuple[int, int]]] = [[] for _ in range(n_nodes)]
    for index, (u, v) in enumerate(edges):
        if u != v:  # a loop on the unconstrained node is never pinned
            adjacent[u].append((v, index))
            adjacent[v].append((u, index))
    order = [-1] * n_nodes
    low = [0] * n_nodes
    counter = 0
    bridges: set[int] = set()
    for root in range(n_nodes):
        if order[root] != -1:
            continue
        order[root] = low[root] = counter
        counter += 1
        stack = [(root, -1, iter(adjacent[root]))]
        while stack:
            node, via, neighbours = stack[-1]
            for nxt, index in neighbours:
                if index == via:
                    continue
                if order[nxt] == -1:
                    order[nxt] = low[nxt] = counter
                    counter += 1
                    stack.append((nxt, index, iter(adjacent[nxt])))
                    break
                low[node] = min(low[node], order[nxt])
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent]:
                        bridges.add(via)
    return bridges


def _link(
    matrix: Counts, hidden: Mask, pinned: Cell, rows_add_up: bool, columns_add_up: bool
) -> Cell | None:
    """A cell to hide so that `pinned` lies on a cycle of hidden cells: the smallest
    non-zero shown cell joining the two sides the pinned cell separates; failing that, the
    smallest in the pinned cell's own row or column, then anywhere (the loop repeats)."""
    n_rows, n_cols = matrix.shape
    ends = _nodes(matrix.shape, rows_add_up, columns_add_up)
    cells = [(i, j) for i in range(n_rows) for j in range(n_cols)]
    adjacent: dict[int, list[int]] = {}
    for cell in cells:
        if hidden[cell] and cell != pinned:
            u, v = ends[cell[0] * n_cols + cell[1]]
            adjacent.setdefault(u, []).append(v)
            adjacent.setdefault(v, []).append(u)
    start, finish = ends[pinned[0] * n_cols + pinned[1]]
    # Without the pinned cell its two ends are in separate parts (that is what pinned means).
    side, other = _reachable(adjacent, start), _reachable(adjacent, finish)

    def joins(cell: Cell) -> bool:
        u, v = ends[cell[0] * n_cols + cell[1]]
        return (u in side and v in other) or (v in side and u in other)

    joining = [cell for cell in cells if joins(cell)]
    lines = [cell for cell in cells if cell[0] == pinned[0] or cell[1] == pinned[1]]
    for pool in (joining, lines):
        extra = _smallest(matrix, hidden, pool)
        if extra is not None and matrix[extra] > 0:
            return extra
    return _smallest(matrix, hidden, cells)


def _reachable(adjacent: dict[int, list[int]], start: int) -> set[int]:
    seen = {start}
    queue = deque([start])
    while queue:
        for nxt in adjacent.get(queue.popleft(), []):
            if nxt not in seen:
                seen.add(nxt)
                queue.append(nxt)
    return seen


# --- words -------------------------------------------------------------------------------


def _note(rules: DisclosureRules, secondary: int) -> str:
    """The sentence printed under a protected table."""
    if rules.internal:
        return (
            "Internal report: counts are exact and nothing is hidden, so it must not be "
            "shared beyond the people allowed to see these children's records."
        )
    if rules.threshold > 1:
        what = f"Counts below {rules.threshold}" + (
            ", including zeros," if rules.suppress_zeros else ""
        )
    elif rules.suppress_zeros:
        what = "Zeros"
    else:
        what = ""
    if what:
        words = f"{what} are shown as {rules.marker} to protect children's privacy"
        if secondary == 1:
            words += "; 1 further cell is hidden so it cannot be worked out from the totals."
        elif secondary:
            words += (
                f"; {secondary} further cells are hidden so they cannot be worked out from "
                f"the totals."
            )
        else:
            words += "."
    else:
        words = "No counts are hidden."
    if rules.round_to is not None and rules.round_to > 1:
        words += (
            f" Counts are rounded to the nearest {rules.round_to} and totals are rounded on "
            f"their own, so they may not add up."
        )
    return words
