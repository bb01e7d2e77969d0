"""Small helpers to write SQL text safely: quoted identifiers and literals, parsers by type.

Identifiers and literals that come from files or profiles always pass through :func:`ident` or
:func:`lit`; everything else in the generated SQL is fixed text of this package.
"""

from __future__ import annotations


def ident(name: str) -> str:
    """A double-quoted SQL identifier."""
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    """A single-quoted SQL string literal."""
    return "'" + value.replace("'", "''") + "'"


def lit_list(values: list[str]) -> str:
    """A SQL list literal of strings."""
    return "[" + ", ".join(lit(v) for v in values) + "]"


#: Whitespace a cell may carry around a value, including no-break spaces from spreadsheets.
_SPACES = ("chr(160)", "chr(8239)", "chr(9)")


def cleaned(expr: str) -> str:
    """The trimmed text of ``expr`` (no-break spaces and tabs read as spaces), NULL when empty.

    The replacements only run on values that hold such a character (a cheap ``contains``),
    which keeps the common case fast. So does ``trim`` (it decodes every character of every
    value): a value is its own trimmed text when it holds none of those characters and neither
    starts nor ends with a space. ``trim`` removes the Unicode space separators, of which ASCII
    has only the space: an ASCII value (byte length = character length) without a tab and a
    space at either end, or any value that starts and ends with a printable ASCII character
    and holds none of the three, takes the short path; every other value the full one.
    """
    replaced = expr
    for space in _SPACES:
        replaced = f"replace({replaced}, {space}, ' ')"
    has_space = " OR ".join(f"contains({expr}, {space})" for space in _SPACES)
    full = f"NULLIF(trim(CASE WHEN {has_space} THEN {replaced} ELSE {expr} END), '')"
    plain = (
        f"strlen({expr}) = length({expr}) AND NOT contains({expr}, chr(9)) "
        f"AND NOT prefix({expr}, ' ') AND NOT suffix({expr}, ' ')"
    )
    printable_ends = (
        f"ascii({expr}) BETWEEN 33 AND 126 AND ascii(right({expr}, 1)) BETWEEN 33 AND 126 "
        f"AND NOT ({has_space})"
    )
    return (
        f"CASE WHEN {plain} THEN NULLIF({expr}, '') WHEN {printable_ends} THEN {expr} "
        f"ELSE {full} END"
    )


def number_parser(expr: str, decimal: str) -> str:
    """SQL that parses a cleaned number in Belgian or English notation, NULL when invalid.

    With ``decimal=','``: ``1.234,5`` and ``1234,5`` and ``12,5``; a dot followed by other than
    three digits is read as a decimal point too (``4.0383``). With ``decimal='.'`` the roles swap.
    Groups of three digits separated by spaces (``1 234``, French-Belgian notation; no-break
    spaces are spaces by then, see :func:`cleaned`) are thousands in either notation.
    """
    thousands = "." if decimal == "," else ","
    t, d = ("\\.", ",") if decimal == "," else (",", "\\.")
    grouped = f"^-?[0-9]{{1,3}}({t}[0-9]{{3}})+({d}[0-9]+)?$"
    plain = f"^-?[0-9]+({d}[0-9]+)?$"
    other_decimal = f"^-?[0-9]+{t}([0-9]{{1,2}}|[0-9]{{4,}})$"
    spaced = f"^-?[0-9]{{1,3}}( [0-9]{{3}})+({d}[0-9]+)?$"
    v = expr
    return (
        f"CASE WHEN regexp_full_match({v}, {lit(plain)}) "
        f"THEN TRY_CAST(replace({v}, {lit(decimal)}, '.') AS DOUBLE) "
        f"WHEN regexp_full_match({v}, {lit(grouped)}) "
        f"THEN TRY_CAST(replace(replace({v}, {lit(thousands)}, ''), {lit(decimal)}, '.') "
        "AS DOUBLE) "
        f"WHEN regexp_full_match({v}, {lit(spaced)}) "
        f"THEN TRY_CAST(replace(replace({v}, ' ', ''), {lit(decimal)}, '.') AS DOUBLE) "
        f"WHEN regexp_full_match({v}, {lit(other_decimal)}) "
        f"THEN TRY_CAST(replace({v}, {lit(thousands)}, '.') AS DOUBLE) END"
    )


#: Largest magnitude of a whole number read from a file: every integer up to it is exact in a
#: DOUBLE (2^53). Beyond it a value is an overflow, never a silently rounded count.
MAX_EXACT_INT = 2**53


def int_parser(expr: str, decimal: str) -> str:
    """SQL that parses a cleaned whole number (thousands separators allowed), NULL otherwise.

    Plain digits (at most 15, which a DOUBLE holds exactly) are cast directly: the same number
    the general path makes, without its pattern matching. A whole number of
    :data:`MAX_EXACT_INT` or more is NULL too (:func:`int_overflow` tells it apart).
    """
    num = number_parser(expr, decimal)
    digits = f"strlen({expr}) BETWEEN 1 AND 15 AND NOT ({expr} GLOB '*[!0-9]*')"
    return (
        f"CASE WHEN {digits} THEN CAST({expr} AS BIGINT) "
        f"WHEN abs({num}) < {MAX_EXACT_INT} AND ({num}) = floor({num}) "
        f"THEN CAST({num} AS BIGINT) END"
    )


def int_overflow(expr: str, decimal: str) -> str:
    """SQL: whether a cleaned text is a number too large for :func:`int_parser`."""
    return f"coalesce(abs({number_parser(expr, decimal)}) >= {MAX_EXACT_INT}, false)"


#: Earliest year a parsed date may have: DuckDB's ``%Y`` also takes one to three digits, so
#: '03/03/24' would otherwise be read as the year 24.
MIN_YEAR = 1000


def datetime_parser(expr: str, formats: list[str], likely: str | None = None) -> str:
    """SQL that parses a cleaned date-time with the first of ``formats`` that fits; NULL when
    none fits or the year has fewer than four digits.

    ``likely`` (the format most of the column's values have) is tried first: trying a list of
    formats costs ten times one format, and the list is only needed for the odd value.
    """
    return four_digit_year(datetime_fit(expr, formats, likely))


def datetime_fit(expr: str, formats: list[str], likely: str | None = None) -> str:
    """The first part of :func:`datetime_parser`: the date-time of the first format that fits
    (``likely`` first), whatever its year."""
    parsed = f"try_strptime({expr}, {lit_list(formats)})"
    if likely:
        parsed = f"coalesce(try_strptime({expr}, {lit(likely)}), {parsed})"
    return parsed


def four_digit_year(parsed: str) -> str:
    """The second part of :func:`datetime_parser`: ``parsed`` when its year has four digits."""
    return f"CASE WHEN year({parsed}) >= {MIN_YEAR} THEN {parsed} END"


_TRUE = ["1", "true", "waar", "ja", "j", "yes", "y", "x", "oui", "vrai"]
_FALSE = ["0", "false", "onwaar", "nee", "n", "no", "non", "faux"]


def bool_parser(expr: str) -> str:
    """SQL that reads yes/no in Dutch, English or French, NULL otherwise."""
    return (
        f"CASE WHEN lower({expr}) IN ({', '.join(map(lit, _TRUE))}) THEN true "
        f"WHEN lower({expr}) IN ({', '.join(map(lit, _FALSE))}) THEN false END"
    )
