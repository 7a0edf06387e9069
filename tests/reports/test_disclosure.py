"""Disclosure control: small counts hidden, nothing hidden can be worked out from the totals,
rounding, zeros, internal reports, single figures, percentages and pseudonyms.

The tables are small and checked by hand; the properties are checked by Hypothesis, the
strongest by brute force: for every hidden cell of a small table there is another filling of
the table, just as consistent with everything published, in which that cell differs."""

from __future__ import annotations

import itertools
import logging
import re

import numpy as np
import numpy.typing as npt
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from carejourney.reports import disclosure
from carejourney.reports.disclosure import (
    DisclosureRules,
    ProtectedTable,
    new_salt,
    protect_count,
    protect_counts,
    protect_percent,
    pseudonym,
    pseudonymise,
)

RULES = DisclosureRules()
Matrix = npt.NDArray[np.int64]
Flags = npt.NDArray[np.bool_]


def table(text: str) -> pl.DataFrame:
    """A table written as text: a header, then one row per line; the first column is the
    label, the rest are counts."""
    lines = [line.split() for line in text.strip().splitlines()]
    header, rows = lines[0], lines[1:]
    return pl.DataFrame(
        {name: [row[k] if k == 0 else int(row[k]) for row in rows] for k, name in enumerate(header)}
    )


def shown(result: ProtectedTable) -> list[list[str]]:
    """The published table as rows of text, labels included."""
    return [list(map(str, row)) for row in result.frame.rows()]


def hidden_cells(result: ProtectedTable) -> Flags:
    return result.suppressed.select(result.count_columns).to_numpy().astype(bool)


# The 3×3 table from the issue: one small cell, hidden with one more in its row, one more in
# its column, and the fourth corner of the rectangle they make.
ADOPTIONS = table(
    """
    age     white  mixed  other
    under1  2      10     20
    1to4    8      12     30
    5plus   15     25     40
    """
)


def test_one_small_cell_hides_a_rectangle_of_four() -> None:
    result = protect_counts(ADOPTIONS, ["white", "mixed", "other"], RULES, add_totals=True)
    assert shown(result) == [
        ["under1", "[c]", "[c]", "20", "32"],
        ["1to4", "[c]", "[c]", "30", "50"],
        ["5plus", "15", "25", "40", "80"],
        ["Total", "25", "47", "90", "162"],
    ]
    assert (result.primary, result.secondary) == (1, 3)
    assert result.note == (
        "Counts below 5 are shown as [c] to protect children's privacy; 3 further cells are "
        "hidden so they cannot be worked out from the totals."
    )
    assert result.count_columns == ("white", "mixed", "other", "Total")
    assert result.values.row(0) == ("under1", None, None, 20, 32)
    assert result.suppressed.row(1) == ("1to4", True, True, False, False)
    assert result.frame.schema["white"] == pl.String
    assert result.values.schema["white"] == pl.Int64


def test_totals_already_in_the_table_are_protected_the_same_way() -> None:
    given_totals = table(
        """
        age     white  mixed  other  all
        under1  2      10     20     32
        1to4    8      12     30     50
        5plus   15     25     40     80
        Total   25     47     90     162
        """
    )
    result = protect_counts(
        given_totals, ["white", "mixed", "other"], RULES, row_total="all", column_total_row=True
    )
    added = protect_counts(ADOPTIONS, ["white", "mixed", "other"], RULES, add_totals=True)
    assert shown(result) == shown(added)
    assert (result.primary, result.secondary) == (1, 3)


def test_a_small_total_is_hidden_too() -> None:
    counts = table(
        """
        team  sgo  adoption
        east  0    3
        west  9    12
        """
    )
    result = protect_counts(counts, ["sgo", "adoption"], RULES, add_totals=True)
    # East's total is 3 as well: both are hidden. Each has a column of its own to protect
    # too, so west's 12 and west's total (21) are hidden with them.
    assert shown(result) == [
        ["east", "0", "[c]", "[c]"],
        ["west", "9", "[c]", "[c]"],
        ["Total", "9", "15", "24"],
    ]
    assert (result.primary, result.secondary) == (2, 2)
    assert_no_line_with_one_hidden(hidden_cells(result))
    assert pinned_cells(counts_matrix(counts, ["sgo", "adoption"]), hidden_cells(result)) == []


def test_the_total_is_hidden_when_it_is_the_only_other_cell_in_its_line() -> None:
    counts = table(
        """
        need     a   b  c
        abuse    2   7  0
        neglect  6   0  0
        other    10  9  8
        """
    )
    result = protect_counts(counts, ["a", "b", "c"], RULES, add_totals=True)
    # 2 is hidden; 6 goes with it in column a. Neglect's row is then 6 and zeros: only its
    # total (6) can keep 6 from being worked out, so the total is hidden.
    assert shown(result)[1] == ["neglect", "[c]", "0", "0", "[c]"]
    assert_no_line_with_one_hidden(hidden_cells(result))
    assert pinned_cells(counts_matrix(counts, ["a", "b", "c"]), hidden_cells(result)) == []


# Two hidden cells in every row and column is not always enough. Here the small cells make
# two rectangles joined by one more small cell (row r1, column c3): every line has at least
# two hidden cells, yet r1's total, minus the two rectangles' totals, gives that cell away.
TWO_RECTANGLES = table(
    """
    row  c1  c2  c3  c4
    r1   1   1   1   20
    r2   1   1   20  20
    r3   20  20  1   1
    r4   20  20  1   1
    """
)


def test_a_cell_pinned_by_a_chain_of_totals_gets_another_cell_hidden() -> None:
    columns = ["c1", "c2", "c3", "c4"]
    matrix = counts_matrix(TWO_RECTANGLES, columns)
    small = np.zeros((5, 5), dtype=bool)
    small[:4, :4] = (matrix > 0) & (matrix < 5)
    assert_no_line_with_one_hidden(small)
    assert pinned_cells(matrix, small) == [(0, 2)]  # the line rule alone would give it away

    result = protect_counts(TWO_RECTANGLES, columns, RULES, add_totals=True)
    assert (result.primary, result.secondary) == (9, 1)
    # The smallest cell joining the two rectangles (the first of the 20s) is hidden.
    assert shown(result)[0] == ["r1", "[c]", "[c]", "[c]", "[c]", "23"]
    assert pinned_cells(matrix, hidden_cells(result)) == []


def test_without_totals_only_small_counts_are_hidden() -> None:
    result = protect_counts(ADOPTIONS, ["white", "mixed", "other"], RULES)
    assert shown(result)[0] == ["under1", "[c]", "10", "20"]
    assert (result.primary, result.secondary) == (1, 0)
    assert result.note == "Counts below 5 are shown as [c] to protect children's privacy."


def test_with_row_totals_only_rows_need_two_hidden_cells() -> None:
    with_totals = ADOPTIONS.with_columns(all=pl.sum_horizontal("white", "mixed", "other"))
    result = protect_counts(with_totals, ["white", "mixed", "other"], RULES, row_total="all")
    assert shown(result) == [
        ["under1", "[c]", "[c]", "20", "32"],
        ["1to4", "8", "12", "30", "50"],
        ["5plus", "15", "25", "40", "80"],
    ]
    assert result.note.endswith(
        "; 1 further cell is hidden so it cannot be worked out from the totals."
    )


def test_with_a_totals_row_only_columns_need_two_hidden_cells() -> None:
    with_row = pl.concat(
        [ADOPTIONS, pl.DataFrame({"age": ["Total"], "white": [25], "mixed": [47], "other": [90]})]
    )
    result = protect_counts(with_row, ["white", "mixed", "other"], RULES, column_total_row=True)
    assert [row[1] for row in shown(result)] == ["[c]", "[c]", "15", "25"]
    assert [row[2] for row in shown(result)] == ["10", "12", "25", "47"]


# --- zeros, thresholds, rounding, internal reports ----------------------------------------


def test_zeros_are_shown_unless_asked() -> None:
    counts = table(
        """
        route     boys  girls
        adoption  0     12
        sgo       9     7
        """
    )
    assert shown(protect_counts(counts, ["boys", "girls"], RULES))[0] == ["adoption", "0", "12"]
    strict = protect_counts(counts, ["boys", "girls"], DisclosureRules(suppress_zeros=True))
    assert shown(strict)[0] == ["adoption", "[c]", "12"]
    assert strict.note.startswith("Counts below 5, including zeros, are shown as [c]")


def test_the_threshold_and_marker_are_configurable() -> None:
    rules = DisclosureRules(threshold=10, marker="c")
    result = protect_counts(ADOPTIONS, ["white", "mixed", "other"], rules)
    assert shown(result)[0] == ["under1", "c", "10", "20"]
    assert shown(result)[1] == ["1to4", "c", "12", "30"]
    assert result.note == "Counts below 10 are shown as c to protect children's privacy."
    assert protect_counts(ADOPTIONS, ["white"], DisclosureRules(threshold=1)).note == (
        "No counts are hidden."
    )


def test_rounding_comes_after_suppression_and_totals_are_rounded_on_their_own() -> None:
    rules = DisclosureRules(round_to=5)
    result = protect_counts(ADOPTIONS, ["white", "mixed", "other"], rules, add_totals=True)
    assert shown(result) == [
        ["under1", "[c]", "[c]", "20", "30"],
        ["1to4", "[c]", "[c]", "30", "50"],
        ["5plus", "15", "25", "40", "80"],
        ["Total", "25", "45", "90", "160"],
    ]
    assert result.values.row(3) == ("Total", 25, 45, 90, 160)
    assert result.note.endswith(
        " Counts are rounded to the nearest 5 and totals are rounded on their own, so they may "
        "not add up."
    )


def test_halves_round_up() -> None:
    rules = DisclosureRules(round_to=10)
    assert [protect_count(n, rules) for n in (5, 14, 15, 25, 104, 105)] == [
        "10",
        "10",
        "20",
        "30",
        "100",
        "110",
    ]


def test_an_internal_report_shows_everything_exactly() -> None:
    rules = DisclosureRules(internal=True, round_to=5)
    result = protect_counts(ADOPTIONS, ["white", "mixed", "other"], rules, add_totals=True)
    assert shown(result)[0] == ["under1", "2", "10", "20", "32"]
    assert (result.primary, result.secondary) == (0, 0)
    assert not hidden_cells(result).any()
    assert result.note.startswith("Internal report: counts are exact and nothing is hidden")
    assert protect_count(3, rules) == "3"
    assert protect_percent(1, 3, rules) == "33%"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"threshold": 0}, "threshold must be 1 or more"),
        ({"marker": "  "}, "must not be blank"),
        ({"round_to": 0}, "round_to must be 1 or more"),
        ({"round_to": 4}, "would show a count of 5 as 4"),
        ({"round_to": 11}, "would show a count of 5 as 0"),
    ],
)
def test_rules_that_would_leak_or_make_no_sense_are_refused(
    arguments: dict[str, int | str], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        DisclosureRules(**arguments)  # type: ignore[arg-type]


def test_tables_that_are_not_counts_are_refused() -> None:
    with pytest.raises(ValueError, match="no column 'black'"):
        protect_counts(ADOPTIONS, ["black"], RULES)
    with pytest.raises(ValueError, match="not whole-number counts"):
        protect_counts(ADOPTIONS.with_columns(pl.col("white") / 2), ["white"], RULES)
    with pytest.raises(ValueError, match="missing count"):
        protect_counts(pl.DataFrame({"n": [1, None]}), ["n"], RULES)
    with pytest.raises(ValueError, match="negative count"):
        protect_counts(pl.DataFrame({"n": [1, -1]}), ["n"], RULES)
    with pytest.raises(ValueError, match="not both"):
        protect_counts(ADOPTIONS, ["white"], RULES, add_totals=True, column_total_row=True)
    with pytest.raises(ValueError, match="at least one count column"):
        protect_counts(ADOPTIONS, [], RULES)


def test_a_table_with_no_rows_and_labels_that_are_not_text() -> None:
    empty = protect_counts(pl.DataFrame({"n": []}, schema={"n": pl.Int64}), ["n"], RULES)
    assert empty.frame.height == 0 and empty.primary == 0
    by_year = pl.DataFrame({"year": [2022, 2023], "n": [3, 9]})
    result = protect_counts(by_year, ["n"], RULES, add_totals=True)
    assert result.frame.rows() == [(2022, "[c]", "[c]"), (2023, "[c]", "[c]"), (None, "12", "12")]


# --- single figures and percentages --------------------------------------------------------


def test_a_single_count() -> None:
    assert protect_count(12, RULES) == "12"
    assert protect_count(5, RULES) == "5"
    assert protect_count(4, RULES) is None
    assert protect_count(1, RULES) is None
    assert protect_count(0, RULES) == "0"
    assert protect_count(0, DisclosureRules(suppress_zeros=True)) is None
    assert protect_count(13, DisclosureRules(round_to=5)) == "15"
    assert (protect_count(3, RULES) or f"fewer than {RULES.threshold}") == "fewer than 5"
    with pytest.raises(ValueError, match="negative"):
        protect_count(-1, RULES)


def test_a_percentage_is_hidden_when_its_numerator_denominator_or_the_rest_would_be() -> None:
    assert protect_percent(15, 20, RULES) == "75%"
    assert protect_percent(3, 12, RULES) is None  # 3 children
    assert protect_percent(2, 4, RULES) is None  # out of 4
    assert protect_percent(10, 12, RULES) is None  # tells that 2 did not
    assert protect_percent(12, 12, RULES) == "100%"
    assert protect_percent(0, 12, RULES) == "0%"
    assert protect_percent(0, 0, RULES) is None  # no percentage of nothing
    with pytest.raises(ValueError, match="larger than the denominator"):
        protect_percent(13, 12, RULES)


def test_percentages_round_halves_up_and_use_rounded_counts() -> None:
    anything = DisclosureRules(threshold=1)
    assert protect_percent(1, 3, anything, decimals=1) == "33.3%"
    assert protect_percent(1, 16, anything, decimals=1) == "6.3%"  # 6.25
    assert protect_percent(1, 8, anything) == "13%"  # 12.5
    assert protect_percent(2, 3, anything, decimals=2) == "66.67%"
    assert protect_percent(12, 23, DisclosureRules(round_to=5)) == "40%"  # 10 of 25


# --- pseudonyms ----------------------------------------------------------------------------

SALT = b"a salt kept by the installation, 32 bytes long......"


def test_pseudonyms_are_short_stable_and_depend_on_the_salt() -> None:
    code = pseudonym("CHILD-0042", SALT)
    assert re.fullmatch(r"C-[A-Z2-7]{8}", code)
    assert pseudonym("CHILD-0042", SALT) == code
    assert pseudonym("CHILD-0043", SALT) != code
    assert pseudonym("CHILD-0042", b"another installation's salt") != code
    assert "0042" not in code and "CHILD" not in code
    with pytest.raises(ValueError, match="salt for pseudonyms is empty"):
        pseudonym("CHILD-0042", b"")


def test_new_salts_are_long_and_different() -> None:
    first, second = new_salt(), new_salt()
    assert len(first) == 32 and first != second


CHILDREN = pl.DataFrame(
    {
        "CHILD": ["A100", "B200", None, "A100", "C300"],
        "days": [10, 20, 30, 40, 50],
    }
)


def test_pseudonymise_replaces_every_id_the_same_way() -> None:
    out = pseudonymise(CHILDREN, "CHILD", SALT, RULES)
    codes = out.get_column("CHILD").to_list()
    assert codes == [pseudonym("A100", SALT), pseudonym("B200", SALT), None, codes[0], codes[4]]
    assert len({codes[0], codes[1], codes[4]}) == 3
    assert out.get_column("days").to_list() == [10, 20, 30, 40, 50]
    assert not any(child in str(out) for child in ("A100", "B200", "C300"))


def test_pseudonymise_takes_whole_number_ids_and_keeps_ids_for_an_internal_report() -> None:
    numbered = pl.DataFrame({"CHILD": [7001, 7002]})
    assert pseudonymise(numbered, "CHILD", SALT, RULES).get_column("CHILD").to_list() == [
        pseudonym("7001", SALT),
        pseudonym("7002", SALT),
    ]
    internal = DisclosureRules(internal=True)
    assert pseudonymise(CHILDREN, "CHILD", SALT, internal).equals(CHILDREN)
    with pytest.raises(ValueError, match="no column 'ID'"):
        pseudonymise(CHILDREN, "ID", SALT, RULES)


def test_ids_are_never_logged_printed_or_put_in_an_error(
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    caplog.set_level(logging.DEBUG)
    pseudonymise(CHILDREN, "CHILD", SALT, RULES)
    protect_counts(ADOPTIONS, ["white", "mixed", "other"], RULES, add_totals=True)
    # A collision (forced here) is reported without naming the children.
    monkeypatch.setattr(disclosure, "pseudonym", lambda child_id, salt: "C-AAAAAAAA")
    with pytest.raises(ValueError, match="same pseudonym") as error:
        pseudonymise(CHILDREN, "CHILD", SALT, RULES)
    captured = capsys.readouterr()
    said = captured.out + captured.err + caplog.text + str(error.value)
    assert not any(child in said for child in ("A100", "B200", "C300"))
    assert caplog.records == []


# --- properties ----------------------------------------------------------------------------


def counts_matrix(frame: pl.DataFrame, columns: list[str]) -> Matrix:
    return frame.select(columns).to_numpy().astype(np.int64)


def as_frame(matrix: Matrix) -> tuple[pl.DataFrame, list[str]]:
    columns = [f"c{j}" for j in range(matrix.shape[1])]
    frame = pl.DataFrame({name: matrix[:, j] for j, name in enumerate(columns)})
    return frame.insert_column(0, pl.Series("group", [f"r{i}" for i in range(len(matrix))])), (
        columns
    )


def extended(matrix: Matrix) -> Matrix:
    """The table with its row totals, then the totals row."""
    with_totals = np.column_stack([matrix, matrix.sum(axis=1)])
    return np.vstack([with_totals, with_totals.sum(axis=0)])


def assert_no_line_with_one_hidden(hidden: Flags) -> None:
    for line in [*hidden, *hidden.T]:
        assert line.sum() != 1, hidden


def pinned_cells(matrix: Matrix, hidden: Flags) -> list[tuple[int, int]]:
    """The hidden cells (of the table with totals) whose value everything published pins
    down, by brute force.

    A filling of the table is consistent with what is published when every shown cell and
    every shown total keeps its value and no cell is negative. Any two consistent fillings
    differ by a sum of moves that add or take 1 from hidden cells, each move consistent on
    its own (two-way tables with totals are "of network type": Cox, Statistica Sinica 2007),
    so it is enough to try every change of -1, 0 or +1 to the hidden cells."""
    n_rows, n_cols = matrix.shape
    unknown = [(i, j) for i in range(n_rows) for j in range(n_cols) if hidden[i, j]]
    if not unknown:
        return []
    moves = np.array(list(itertools.product((-1, 0, 1), repeat=len(unknown))), dtype=np.int64)
    change = np.zeros((len(moves), n_rows + 1, n_cols + 1), dtype=np.int64)
    for k, (i, j) in enumerate(unknown):
        change[:, i, j] = moves[:, k]
    change[:, :n_rows, n_cols] = change[:, :n_rows, :n_cols].sum(axis=2)
    change[:, n_rows, :] = change[:, :n_rows, :].sum(axis=1)
    truth = extended(matrix)
    consistent = ((truth + change) >= 0).all(axis=(1, 2)) & (change[:, ~hidden] == 0).all(axis=1)
    feasible = change[consistent]
    return [
        (int(i), int(j))
        for i, j in zip(*np.nonzero(hidden), strict=True)
        if not feasible[:, i, j].any()
    ]


@st.composite
def count_tables(draw: st.DrawFn, max_side: int, max_count: int) -> Matrix:
    n_rows = draw(st.integers(2, max_side))
    n_cols = draw(st.integers(2, max_side))
    # Half the draws small, so that most tables have something to hide.
    count = st.one_of(st.integers(0, 6), st.integers(0, max_count))
    rows = draw(
        st.lists(
            st.lists(count, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows
        )
    )
    return np.array(rows, dtype=np.int64)


ALL_RULES = st.sampled_from(
    [
        DisclosureRules(),
        DisclosureRules(threshold=3),
        DisclosureRules(threshold=10),
        DisclosureRules(suppress_zeros=True),
        DisclosureRules(round_to=5),
        DisclosureRules(threshold=10, round_to=5),
        DisclosureRules(round_to=10),
    ]
)


@settings(max_examples=150, deadline=None)
@given(matrix=count_tables(max_side=6, max_count=50), rules=ALL_RULES)
def test_no_published_count_is_small_and_no_line_has_one_hidden_cell(
    matrix: Matrix, rules: DisclosureRules
) -> None:
    frame, columns = as_frame(matrix)
    result = protect_counts(frame, columns, rules, add_totals=True)
    hidden = hidden_cells(result)
    truth = extended(matrix)
    published = result.values.select(result.count_columns).to_numpy()

    # (1) nothing published is in 1..threshold-1 (nor 0, if zeros are hidden), every small
    # count is hidden, and what is shown is the true count (rounded when asked).
    small = (truth > 0) & (truth < rules.threshold) | ((truth == 0) & rules.suppress_zeros)
    assert (hidden | ~small).all()
    for value in published[~hidden]:
        assert not 0 < value < rules.threshold
        assert not (rules.suppress_zeros and value == 0)
    expected = (
        truth
        if rules.round_to is None
        else (truth + rules.round_to // 2) // rules.round_to * rules.round_to
    )
    assert (published[~hidden] == expected[~hidden]).all()
    assert (result.primary, result.secondary) == (int(small.sum()), int(hidden.sum() - small.sum()))
    assert (result.frame.select(result.count_columns).to_numpy()[hidden] == rules.marker).all()

    # (2) every row and column, totals included, has no hidden cell or at least two.
    assert_no_line_with_one_hidden(hidden)


@settings(max_examples=200, deadline=None)
@given(
    matrix=count_tables(max_side=3, max_count=12),
    rules=st.sampled_from(
        [
            DisclosureRules(),
            DisclosureRules(threshold=3),
            DisclosureRules(threshold=8),
        ]
    ),
)
def test_no_hidden_cell_can_be_worked_out_from_what_is_published(
    matrix: Matrix, rules: DisclosureRules
) -> None:
    # With zeros shown (the default). A hidden zero (`suppress_zeros`) can still be inferred
    # when the shown cells already add up to the total, as the rules' docstring says.
    frame, columns = as_frame(matrix)
    result = protect_counts(frame, columns, rules, add_totals=True)
    assert pinned_cells(matrix, hidden_cells(result)) == []


def test_the_brute_force_finds_a_cell_given_away_by_its_totals() -> None:
    # A check of the check: one hidden cell in a row with a total is found.
    matrix = np.array([[2, 10], [8, 12]], dtype=np.int64)
    hidden = np.zeros((3, 3), dtype=bool)
    hidden[0, 0] = True
    assert pinned_cells(matrix, hidden) == [(0, 0)]
    hidden[0, 1] = hidden[1, 0] = hidden[1, 1] = True
    assert pinned_cells(matrix, hidden) == []
