"""The reader's plain-row hint (etl.plain): a row it calls plain needs no cleaning, ever.

The check reads a plain row's values as they are instead of cleaning them, so the hint must
never call a row plain whose cleaned text differs from its text; calling a clean row not plain
only costs time.
"""

from __future__ import annotations

import random

import duckdb
import pyarrow as pa

from core.sqltext import cleaned
from etl.plain import plain_rows

NBSP, NNBSP = "\u00a0", "\u202f"


def _flags(*columns: list[str | None]) -> list[bool]:
    return plain_rows([pa.array(c, pa.string()) for c in columns]).to_pylist()


def test_ordinary_values_are_plain_and_empty_ones_too():
    assert _flags(["AA01", "", "x"], ["drugs", "fraud", ""]) == [True, True, True]


def test_a_value_with_something_to_clean_makes_its_row_not_plain():
    values = [" lead", "trail ", "a\tb", f"a{NBSP}b", f"12{NNBSP}345", "\ttab", "ok"]
    assert _flags(values) == [False, False, False, False, False, False, True]


def test_a_value_ending_in_a_non_ascii_character_is_left_to_the_full_cleaning():
    # 'é' could be any character, a Unicode space included: the hint does not decode it
    assert _flags(["Café", "éclair", "Gérard", "voilà"]) == [False, False, True, False]


def test_one_unclean_value_is_enough_whatever_its_column():
    assert _flags(["a", "b", "c"], ["x", "y ", "z"], ["1", "2", "3"]) == [True, False, True]


def test_a_slice_is_judged_on_its_own_values():
    column = pa.array([" x", "a", "b", "c "], pa.string())
    assert plain_rows([column.slice(1, 2)]).to_pylist() == [True, True]
    assert plain_rows([column.slice(2, 2)]).to_pylist() == [True, False]


def test_a_column_that_is_not_text_makes_no_row_plain():
    assert plain_rows([pa.array(["a", "b"], pa.large_string())]).to_pylist() == [False, False]


def test_a_plain_row_reads_the_same_as_its_cleaned_text():
    """Random values of spaces, tabs, no-break spaces, accents and letters: wherever the hint
    says plain, DuckDB's cleaning of every value of the row gives the value itself."""
    rng = random.Random(20261205)
    alphabet = ["a", "Z", "7", " ", "\t", NBSP, NNBSP, "é", "à", "€", "-", ";", "'"]
    columns = [
        ["".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 5))) for _ in range(3000)]
        for _ in range(3)
    ]
    flags = _flags(*columns)
    con = duckdb.connect()
    con.register("t", pa.table({f"c{i}": columns[i] for i in range(3)}))
    same = con.execute(
        "SELECT " + ", ".join(
            f"{cleaned(f'c{i}')} IS NOT DISTINCT FROM NULLIF(c{i}, '')" for i in range(3)
        ) + " FROM t"
    ).fetchall()
    assert sum(flags) > 100  # the test sees plain rows, and rows that are not
    assert not all(flags)
    wrong = [i for i, (flag, row) in enumerate(zip(flags, same, strict=True))
             if flag and not all(row)]
    assert wrong == []
