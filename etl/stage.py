"""Stage a source file for a fact kind: raw text -> parsed, checked, area-assigned rows.

All row work is SQL over the whole file in DuckDB (vectorised), plus a vectorised
point-in-polygon pass for rows located by coordinates. Python never loops over rows.
The result is the temp table ``checked``: one row per data row, with the parsed canonical
fields, ``area_id``, ``source_id``, ``skip``, ``reasons`` (empty when the row is good) and,
for the rows that fail, the raw row as quarantined.

A CSV file whose rows find their area by code is checked straight from the reader's stream
(:func:`check_streamed`, one statement, the file's text never stored); other files are first
copied to the temp table ``stage_raw`` (:func:`stage_raw`), then parsed and checked from it.

Over 500 lines, and one cohesive job: the SQL that turns one file's text into checked rows
(binding, parsing, field and row checks, area assignment, quarantine); its parts share the
temp tables and the binding of every field, and are only ever used together.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from core.errors import FileRejected, Where
from core.reasons import reason_sql, reason_text
from core.settings import setting
from core.sqltext import (
    bool_parser,
    cleaned,
    datetime_fit,
    four_digit_year,
    ident,
    int_overflow,
    int_parser,
    lit,
    number_parser,
)
from etl.areas import assign_by_coordinates
from etl.decimals import DecimalEvidence
from etl.direct import DirectWrite
from etl.kinds.fields import KindSpec, check_sql
from etl.plain import PLAIN, plain_rows
from etl.profile import KindProfile, Profile
from etl.readers.base import ROW, RawTable
from etl.taxonomy import canonical_values

SKIP = "_skip"
#: Between a delivery's tag and the digest in a content id (``<tag>#<digest>-<n>``).
CONTENT_ID = "#"
#: Characters that bytes 0x80-0xBF become when UTF-8 is misread as Windows-1252.
_CONTINUATION = bytes(range(0x80, 0xC0)).decode("cp1252", errors="ignore")
#: Text that is UTF-8 misread as Windows-1252 or Latin-1 ('CafÃ©', 'Ã‰cole', 'â€™'), the
#: DOS code page mojibake of Belgian statistics exports ('Witterz+®e' for 'Witterzée'), or
#: C1 control characters (Windows-1252 text misread as Latin-1).
_GARBLED = (
    f"([ÃÂ][\u0080-\u009f{_CONTINUATION}]|â€|Å[“’¡¸½¾]|\\+[\u00a1-\u00ff]|[\u0080-\u009f])"
)


@dataclass
class Binding:
    """Where a canonical field's value comes from: a staged column or a constant."""

    field: str
    column: str | None = None  # header name in the file
    staged: str | None = None  # column name in stage_raw
    constant: str | None = None

    @property
    def unbound(self) -> bool:
        """Whether the field has neither a column nor a constant (its value is always NULL)."""
        return self.staged is None and self.constant is None

    @property
    def raw(self) -> str:
        """SQL for the cleaned raw text of the field (a row the reader found plain needs no
        cleaning: see :mod:`etl.plain`)."""
        if self.staged is not None:
            column = ident(self.staged)
            return f"CASE WHEN {PLAIN} THEN NULLIF({column}, '') ELSE {cleaned(column)} END"
        if self.constant is not None:
            return lit(self.constant)
        return "CAST(NULL AS VARCHAR)"

    @property
    def label(self) -> str:
        """How a person finds the field: its column, or the profile constant."""
        if self.column is not None:
            return f"column '{self.column}'"
        return f"{self.field} (profile constant)"


@dataclass(frozen=True)
class Identity:
    """How the rows of one delivery get their source ids.

    ``key_sql``: SQL over ``parsed`` giving a kind's natural key (population: area and year;
    survey: wave and respondent), used instead of an id column. ``prefix``: put before every id
    from the file (the category given on the command line: two one-type extracts that number
    their rows alike stay apart). ``delivery``: the tag of this delivery's content ids (rows
    without an id), see :func:`etl.facts.delivery_tag`.
    """

    key_sql: str | None = None
    prefix: str = ""
    delivery: str = ""


def find_column(header: list[str], wanted: str | list[str] | None) -> str | None:
    """The header name matching ``wanted`` (one name or alternatives), case-insensitively."""
    if wanted is None:
        return None
    names = [wanted] if isinstance(wanted, str) else wanted
    by_key = {h.casefold(): h for h in header}
    for name in names:
        hit = by_key.get(name.strip().casefold())
        if hit is not None:
            return hit
    return None


def bind_fields(
    raw: RawTable, spec: KindSpec, kp: KindProfile, overrides: dict[str, str]
) -> dict[str, Binding]:
    """Bind every canonical field (and the area columns) to a file column or a constant.

    Raises FileRejected naming every required column that is missing.
    """
    staged_name = {h: f"c{i}" for i, h in enumerate(raw.columns)}
    bindings: dict[str, Binding] = {}
    missing: list[str] = []
    for f in spec.fields:
        if f.name in overrides:
            bindings[f.name] = Binding(f.name, constant=str(overrides[f.name]))
            continue
        wanted = kp.columns.get(f.name, f.name)
        col = find_column(raw.columns, wanted)
        if col is not None:
            bindings[f.name] = Binding(f.name, column=col, staged=staged_name[col])
        elif f.name in kp.constants:
            bindings[f.name] = Binding(f.name, constant=str(kp.constants[f.name]))
        else:
            bindings[f.name] = Binding(f.name)
            if f.required:
                names = wanted if isinstance(wanted, str) else " or ".join(wanted)
                missing.append(f"'{names}' (for {f.name})")
    if spec.has_area:
        rule = kp.area
        if rule is None:
            raise FileRejected("profile_area", f"the profile has no area rule for {spec.kind}")
        code = find_column(raw.columns, rule.code)
        lon = find_column(raw.columns, rule.longitude)
        lat = find_column(raw.columns, rule.latitude)
        for name, col in (("area_code", code), ("area_lon", lon), ("area_lat", lat)):
            bindings[name] = Binding(name, column=col, staged=staged_name.get(col or ""))
        if code is None and (lon is None or lat is None):
            wanted = [w for w in (rule.code, rule.longitude, rule.latitude) if w]
            missing.append(
                "an area column: " + " or ".join(map(str, wanted)) + " (for the area of each row)"
            )
    if missing:
        raise FileRejected(
            "missing_column",
            "missing required column " + ", ".join(missing),
            Where(str(raw.path), row=raw.first_data_row - 1),
            hint="the file has: " + ", ".join(raw.columns[:30]),
        )
    return bindings


def stage_raw(con: duckdb.DuckDBPyConnection, raw: RawTable) -> int:
    """Copy the reader's batches into temp table ``stage_raw``; return the data rows read."""
    cols = [f"c{i}" for i in range(len(raw.columns))]
    con.execute(
        "CREATE OR REPLACE TEMP TABLE stage_raw ("
        + ", ".join(f"{c} VARCHAR" for c in cols)
        + f", {ROW} BIGINT, {PLAIN} BOOLEAN)"
    )
    if raw.format == "csv":
        n = _stage_stream(con, raw)
    else:
        n = 0
        schema = _staged_schema(raw)
        for batch in raw.batches:
            renamed = _staged(batch, schema)
            con.register("_batch", renamed)
            con.execute("INSERT INTO stage_raw SELECT * FROM _batch")
            con.unregister("_batch")
            n += renamed.num_rows
    _shift_rows(con, raw, "stage_raw")
    return n


def _stage_stream(con: duckdb.DuckDBPyConnection, raw: RawTable) -> int:
    """Insert the CSV reader's batches (text columns and ``_row``; the plain-row hint added) in
    one statement: DuckDB pulls them from a stream, so it stores one batch while the reader
    parses the next."""
    schema = _staged_schema(raw)
    batches = (_staged(b, schema) for b in raw.batches)
    with _reader_stream(con, "_batches", schema, batches):
        return con.execute("INSERT INTO stage_raw SELECT * FROM _batches").fetchall()[0][0]


def _staged_schema(raw: RawTable) -> pa.Schema:
    """The columns a file is staged and streamed with: ``c0``, ``c1``, ... as text, ``_row``
    and ``_plain`` (see :mod:`etl.plain`)."""
    return pa.schema([(f"c{i}", pa.string()) for i in range(len(raw.columns))]
                     + [(ROW, pa.int64()), (PLAIN, pa.bool_())])


def _staged(batch: pa.RecordBatch, schema: pa.Schema) -> pa.RecordBatch:
    """A reader's batch (text columns, then ``_row``) with the staged names and the plain
    rows marked."""
    columns = batch.columns
    return pa.RecordBatch.from_arrays([*columns, plain_rows(columns[:-1])], names=schema.names)


@contextlib.contextmanager
def _reader_stream(
    con: duckdb.DuckDBPyConnection, name: str, schema: pa.Schema,
    batches: Iterator[pa.RecordBatch],
) -> Iterator[None]:
    """``batches`` registered as ``name`` for DuckDB to pull from while the block runs. An
    error of the reader (FileRejected) comes out as itself, not as DuckDB's wrapping of it."""
    failed: list[Exception] = []

    def guarded() -> Iterator[pa.RecordBatch]:
        try:
            yield from batches
        except Exception as exc:
            failed.append(exc)
            raise

    con.register(name, pa.RecordBatchReader.from_batches(schema, guarded()))
    try:
        yield
    except duckdb.Error:
        if failed:
            raise failed[0] from None
        raise
    finally:
        con.unregister(name)


def _raw_json(raw: RawTable, columns: list[str]) -> str:
    """SQL of the raw row as quarantined: a JSON object of the file's header names and the
    row's texts in ``columns`` (SQL, one per header name)."""
    pairs = ", ".join(f"{lit(h)}, {c}" for h, c in zip(raw.columns, columns, strict=True))
    return f"CAST(json_object({pairs}) AS VARCHAR)"


#: How many of a column's first values the date formats are judged on.
_SAMPLE = 500


def likely_formats(
    con: duckdb.DuckDBPyConnection,
    raw_sqls: list[str],
    formats: list[str],
    sample: int = _SAMPLE,
    source: str = "stage_raw",
) -> list[str | None]:
    """Per column (SQL of its cleaned text): the format that parses most of a sample of its
    values (ties: list order), None when no value fits any.

    The sample is the column's first ``sample`` values in ``source`` that are not empty (in
    ``stage_raw`` the scan order is the file's; any other source is ordered by row number);
    one query counts the hits of every format on every column's sample.
    """
    if not formats or not raw_sqls:
        return [None] * len(raw_sqls)
    counts = ", ".join(f"count(try_strptime(v, {lit(fmt)}))" for fmt in formats)
    order = "" if source == "stage_raw" else f" ORDER BY {ROW}"
    per_column = [
        f"(SELECT [{counts}] FROM (SELECT v FROM (SELECT {raw_sql} AS v, {ROW} FROM {source}) "
        f"WHERE v IS NOT NULL{order} LIMIT {int(sample)}))"
        for raw_sql in raw_sqls
    ]
    found = con.execute(f"SELECT {', '.join(per_column)}").fetchall()[0]
    out: list[str | None] = []
    for hits in found:
        best = max(range(len(formats)), key=lambda i: (hits[i], -i))
        out.append(formats[best] if hits[best] else None)
    return out


def _parsed_is_table(spec: KindSpec, bindings: dict[str, Binding]) -> bool:
    """Whether ``parsed`` is a table (rows located by coordinates), else a view."""
    return spec.has_area and bindings["area_lon"].staged is not None


#: The value of a field without column or constant, of the type its parser gives (a short
#: plan; dates are left to their parser, whose type depends on the formats).
_NULL_OF = {
    "number": "CAST(NULL AS DOUBLE)",
    "int": "CAST(NULL AS BIGINT)",
    "bool": "CAST(NULL AS BOOLEAN)",
}


def _parse_expr(ftype: str, raw_sql: str, decimal: str) -> str:
    """The parsed value of a field of type ``ftype`` (not a date: see parse_rows), numbers
    with ``decimal`` as their decimal separator."""
    if ftype in ("text", "category"):
        return raw_sql
    if ftype == "int":
        return int_parser(raw_sql, decimal)
    if ftype == "number":
        return number_parser(raw_sql, decimal)
    if ftype == "bool":
        return bool_parser(raw_sql)
    raise ValueError(ftype)


def _category_table(
    con: duckdb.DuckDBPyConnection, kind: str, kp: KindProfile, where: Where
) -> None:
    """Temp table ``catmap``: every accepted spelling (casefolded) -> canonical id or _skip."""
    canon = canonical_values(kind) if kind in ("incidents", "nuisance") else []
    pairs = {c.casefold(): c for c in canon}
    for source_value, target in kp.categories.items():
        if target != SKIP and canon and target not in canon:
            raise FileRejected(
                "profile_category",
                f"the profile maps '{source_value}' to '{target}', not a canonical {kind} "
                "category",
                where,
                hint="canonical: " + ", ".join(canon),
            )
        pairs[str(source_value).strip().casefold()] = target
    con.execute("CREATE OR REPLACE TEMP TABLE catmap (key VARCHAR, canonical VARCHAR)")
    if pairs:
        # one statement (executemany runs one per pair)
        con.execute(
            "INSERT INTO catmap SELECT unnest(?::VARCHAR[]), unnest(?::VARCHAR[])",
            [list(pairs), list(pairs.values())],
        )


def parse_rows(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    decimals: dict[str, str],
    content_ids: str | None = None,
    source: str = "stage_raw",
    sample: str = "stage_raw",
) -> str:
    """The rows of ``source`` parsed: raw text and parsed value of every field, and area by
    code; returned as SQL for check_rows to read (``parsed``, a temp table, for rows located
    by coordinates; else a subquery it reads within its statement). The date formats are judged
    on the first values of ``sample``; ``decimals`` gives the decimal separator of each number
    field (and of ``area_lon``, ``area_lat``), see :mod:`etl.decimals`.

    The cleaned raw text of each field is computed once (inner select), then parsed.
    ``content_ids``: which rows get ``_digest``, the digest of their raw row a content id is
    made of (see check_rows): ``all`` (a file without ids), ``missing`` (rows without an id) or
    None (the kind keys its rows otherwise).
    """
    formats = profile.formats_for(spec.kind)
    raws = [f"s.{ROW}"]
    selects = ["r.*"]
    joins = []
    years = []  # date-times checked for a four-digit year a level up (a shorter plan)
    dated = [
        f.name for f in spec.fields
        if f.type in ("datetime", "date") and not bindings[f.name].unbound
    ]
    likely = dict(zip(
        dated,
        likely_formats(con, [bindings[d].raw for d in dated], formats, source=sample),
        strict=True,
    ))
    for f in spec.fields:
        b = bindings[f.name]
        rcol = ident("raw_" + f.name)
        raws.append(f"{b.raw} AS {rcol}")
        if f.type == "category":
            selects.append(f"cm.canonical AS {ident(f.name)}")
            joins.append(f"LEFT JOIN catmap cm ON cm.key = lower(r.{rcol})")
        elif b.unbound and f.type in _NULL_OF:
            selects.append(f"{_NULL_OF[f.type]} AS {ident(f.name)}")
        elif f.type in ("datetime", "date"):
            fit = datetime_fit("r." + rcol, formats, likely.get(f.name))
            selects.append(f"{fit} AS {ident(f.name)}")
            checked = four_digit_year(ident(f.name))
            if f.type == "date":
                checked = f"CAST({checked} AS DATE)"
            years.append(f"{checked} AS {ident(f.name)}")
        else:
            parsed = _parse_expr(f.type, "r." + rcol, decimals.get(f.name, "."))
            selects.append(f"{parsed} AS {ident(f.name)}")
    if spec.has_area:
        levels = kp.area.levels if kp.area and kp.area.levels else None
        level_filter = f" AND a.level IN ({', '.join(map(lit, levels))})" if levels else ""
        raws.append(f"{bindings['area_code'].raw} AS raw_area_code")
        selects.append("a.area_id AS code_area_id")
        joins.append(f"LEFT JOIN area a ON a.area_id = upper(r.raw_area_code){level_filter}")
        for name in ("area_lon", "area_lat"):
            rcol = ident("raw_" + name)
            raws.append(f"{bindings[name].raw} AS {rcol}")
            number = (
                _NULL_OF["number"] if bindings[name].unbound
                else number_parser("r." + rcol, decimals.get(name, "."))
            )
            selects.append(f"{number} AS {ident(name)}")
    header = [h.casefold() for h in raw.columns]
    # ``lower`` maps character to character, so a value of another length cannot match: test
    # that first (a CASE condition stops at the first test that fails, a plain AND does not)
    repeated = " AND ".join(
        f"length(coalesce(s.{ident('c' + str(i))}, '')) = {len(h)} "
        f"AND lower(coalesce(s.{ident('c' + str(i))}, '')) = {lit(h)}"
        for i, h in enumerate(header[:3])
    )
    raws.append(f"CASE WHEN {repeated or 'false'} THEN true ELSE false END AS repeated_header")
    if content_ids is not None:
        cols = [f"s.{ident(f'c{i}')}" for i in range(len(raw.columns))]
        digest = f"md5(concat_ws(chr(31), {', '.join(cols)}))"
        if content_ids == "missing":
            digest = f"CASE WHEN {bindings['source_id'].raw} IS NULL THEN {digest} END"
        raws.append(f"{digest} AS _digest")
    # rows located by coordinates are read in chunks for point in polygon: materialise them;
    # otherwise a view, computed once inside the statement that builds ``checked``
    by_coordinates = _parsed_is_table(spec, bindings)
    if not by_coordinates:
        # the raw row, for the quarantine of the rows that fail (see check_rows)
        raws += [f"s.{ident(f'c{i}')} AS {ident(f'_s{i}')}" for i in range(len(raw.columns))]
    sql = (
        f"SELECT {', '.join(selects)} FROM (SELECT {', '.join(raws)} FROM {source} s) r "
        + " ".join(joins)
    )
    if years:
        sql = f"SELECT * REPLACE ({', '.join(years)}) FROM ({sql})"
    if not by_coordinates:
        return f"({sql})"
    con.execute(f"CREATE OR REPLACE TEMP TABLE parsed AS {sql}")
    return "parsed"


#: A reason: (SQL condition, SQL text of the reason when the condition holds).
Reason = tuple[str, str]


def _field_reasons(
    spec: KindSpec, bindings: dict[str, Binding], formats: list[str], decimals: dict[str, str]
) -> list[Reason]:
    max_chars = int(setting("max_field_chars"))
    out: list[Reason] = []
    for f in spec.fields:
        b = bindings[f.name]
        if b.unbound and not f.required:
            continue  # always NULL: none of its reasons can hold
        raw = ident("raw_" + f.name)
        val = ident(f.name)
        shown = f"left({raw}, 60)"
        label = lit(b.label)
        if f.required:
            out.append((
                f"{raw} IS NULL",
                reason_sql("missing_value", f"{label} || ' is empty; {f.name} is required'"),
            ))
        out.append((
            # the byte length bounds the character length and costs nothing: test it first
            f"strlen({raw}) > {max_chars} AND length({raw}) > {max_chars}",
            reason_sql("field_too_long", f"{label} || ' holds ' || length({raw}) || "
                       f"' characters; at most {max_chars}'"),
        ))
        if f.type == "category":
            out.append((
                f"{raw} IS NOT NULL AND {val} IS NULL",
                reason_sql("unknown_category", f"{label} || ': ''' || {shown} || "
                           "''' is not in the profile''s category map'"),
            ))
            continue
        if f.type == "text":
            out.append((
                # every garbled pattern holds a non-ASCII character: test that cheaply first
                f"strlen({raw}) <> length({raw}) AND regexp_matches({raw}, {lit(_GARBLED)})",
                reason_sql("garbled_text", f"{label} || ': ''' || {shown} || "
                           "''' looks garbled by a wrong text encoding (mojibake)'"),
            ))
            continue
        invalid = f"{raw} IS NOT NULL AND {val} IS NULL"
        overflow = _overflow(f.type, raw, val, decimals.get(f.name, "."))
        if overflow is not None:
            whole = "whole " if f.type == "int" else ""
            out.append((
                overflow,
                reason_sql("number_overflow", f"{label} || ': ''' || {shown} || "
                           f"''' is too large for a {whole}number'"),
            ))
            if f.type == "int":
                invalid += f" AND NOT ({overflow})"
        shown_formats = ", ".join(formats[:4]) + (
            f" (or {len(formats) - 4} more)" if len(formats) > 4 else ""
        )
        what = {
            "int": "a whole number",
            "number": "a number",
            "datetime": "a valid date/time with a four-digit year, in the formats "
            + shown_formats,
            "date": "a valid date with a four-digit year, in the formats " + shown_formats,
            "bool": "yes/no (ja/nee, 1/0, true/false)",
        }[f.type]
        out.append((
            invalid,
            reason_sql(f"invalid_{f.type}",
                       f"{label} || ': ''' || {shown} || ''' is not ' || {lit(what)}"),
        ))
    return out


def _period_reasons(
    spec: KindSpec, period: tuple[dt.date | None, dt.date | None]
) -> list[Reason]:
    """A row dated outside the period its delivery declares (a row of April in a delivery of
    the first quarter would lie after the cut-off the delivery states)."""
    start, end = period
    if spec.date_field is None or (start is None and end is None):
        return []
    date = f"CAST({ident(spec.date_field)} AS DATE)"
    outside = " OR ".join(
        [*([f"{date} < DATE '{start.isoformat()}'"] if start else []),
         *([f"{date} > DATE '{end.isoformat()}'"] if end else [])])
    declared = f"{start or '...'} to {end or '...'}"
    return [(
        outside,
        reason_sql("outside_period", f"{lit(spec.date_field + ' ')} || CAST({date} AS VARCHAR) "
                   f"|| {lit(' lies outside the period the delivery declares, ' + declared)}"),
    )]


def _overflow(ftype: str, raw: str, val: str, decimal: str) -> str | None:
    """SQL: the field's text is a number too large to hold (None for other types). A number
    overflows to infinity (which would pass every range check); a whole number of 2^53 or more
    would be rounded, so it is refused too."""
    if ftype == "number":
        return f"NOT isfinite({val})"
    if ftype == "int":
        return f"{raw} IS NOT NULL AND {val} IS NULL AND {int_overflow(raw, decimal)}"
    return None


#: Raw coordinates as quoted in a reason (never a whole oversized field).
_LON = "left(raw_area_lon, 40)"
_LAT = "left(raw_area_lat, 40)"


def _area_reasons(bindings: dict[str, Binding], unknown_skip: bool) -> list[Reason]:
    code_label = lit(bindings["area_code"].label)
    no_area = (
        "raw_area_code IS NULL AND (area_lon IS NULL OR area_lat IS NULL) "
        "AND raw_area_lon IS NULL AND raw_area_lat IS NULL",
        reason_sql("no_area", lit("no area code and no coordinates")),
    )
    unknown_area = (
        "raw_area_code IS NOT NULL AND code_area_id IS NULL AND area_lon IS NULL",
        reason_sql("unknown_area", f"{code_label} || ': ''' || left(raw_area_code, 40) || "
                   "''' is not a known area code'"),
    )
    if bindings["area_lon"].unbound and bindings["area_lat"].unbound:
        # no coordinate columns: only the reasons about the code can hold
        return [no_area] if unknown_skip else [no_area, unknown_area]
    reasons = [
        (
            "area_lon IS NOT NULL AND NOT (area_lon BETWEEN -180 AND 180) "
            "OR area_lat IS NOT NULL AND NOT (area_lat BETWEEN -90 AND 90)",
            reason_sql("invalid_coordinates", f"'(' || {_LON} || ', ' || {_LAT} || ') is not "
                       "a WGS84 longitude, latitude'"),
        ),
        no_area,
        (
            "(raw_area_lon IS NOT NULL OR raw_area_lat IS NOT NULL) "
            "AND (area_lon IS NULL OR area_lat IS NULL)",
            reason_sql("invalid_number", f"'coordinates ''' || coalesce({_LON}, '') || "
                       f"''', ''' || coalesce({_LAT}, '') || ''' are not numbers'"),
        ),
        (
            "area_id IS NULL AND swapped_area_id IS NOT NULL",
            reason_sql("coordinates_swapped", f"'(' || {_LON} || ', ' || {_LAT} || ') lies "
                       "outside every area, but with longitude and latitude swapped it lies "
                       "in ' || swapped_area_id || '; check the column order'"),
        ),
        (
            "area_id IS NULL AND swapped_area_id IS NULL AND area_lon BETWEEN -180 AND 180 "
            "AND area_lat BETWEEN -90 AND 90 AND code_area_id IS NULL",
            reason_sql("outside_areas", f"'(' || {_LON} || ', ' || {_LAT} || ') lies outside "
                       "every area loaded'"),
        ),
    ]
    return reasons if unknown_skip else [*reasons, unknown_area]


def _reasons_sql(reasons: list[Reason]) -> str:
    """SQL for the list of reasons of a row, in the order given (empty when none holds).

    The list is only built for rows where some condition holds: most rows are good, and
    building and filtering a list per row costs more than testing the conditions.
    """
    if not reasons:
        return "[]::VARCHAR[]"
    cases = ", ".join(f"CASE WHEN {cond} THEN {text} END" for cond, text in reasons)
    any_holds = " OR ".join(f"({cond})" for cond, _ in reasons)
    return (
        f"CASE WHEN {any_holds} THEN list_filter([{cases}], lambda x: x IS NOT NULL) "
        "ELSE []::VARCHAR[] END"
    )


def check_rows(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    decimals: dict[str, str],
    identity: Identity = Identity(),
    streamed: bool = False,
    parsed: str = "parsed",
    period: tuple[dt.date | None, dt.date | None] = (None, None),
) -> None:
    """Create temp table ``checked`` from ``parsed`` (SQL from parse_rows): area, source id,
    skip flag and reasons (see :func:`checked_select`); rows with a duplicate id get
    ``duplicate_id``. ``streamed``: ``parsed`` reads the reader's stream (see
    check_streamed), not ``stage_raw``."""
    select = checked_select(con, raw, spec, kp, profile, bindings, decimals, identity, parsed,
                            period)
    with _stream_probes(con, streamed):
        con.execute(f"CREATE OR REPLACE TEMP TABLE checked AS {select}")
    if streamed:
        _shift_rows(con, raw, "checked")
    if identity.key_sql is None:
        _content_ids(con, identity.delivery)
    _flag_duplicate_ids(con)


def checked_select(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    decimals: dict[str, str],
    identity: Identity,
    parsed: str,
    period: tuple[dt.date | None, dt.date | None],
) -> str:
    """SQL of the rows of ``parsed`` (SQL from parse_rows) checked: area, source id, skip flag
    and reasons.

    The source id is ``identity.key_sql`` when given, else the mapped id column (after
    ``identity.prefix``), else (files without ids, rows without one) the delivery's tag, a
    digest of the raw row and its occurrence number, stable across re-loads. ``checked`` keeps
    ``_row``, the parsed fields, ``area_id``, ``source_id``, ``skip``, ``reasons`` and, for the
    rows that fail, the raw row as quarantined; the raw texts are only needed for the reasons,
    made in the same statement. ``period``: the period the delivery declares it covers; a row
    dated outside it is kept back (``outside_period``). Without ``identity.key_sql`` the
    select has ``_digest``, the digest of the rows that are to get a content id (see
    :func:`_content_ids`); it may be NULL throughout.
    """
    formats = profile.formats_for(spec.kind)
    reasons = _field_reasons(spec, bindings, formats, decimals)
    # a check whose condition is NULL (a value missing) passes: NOT NULL is NULL, which no
    # CASE takes for true (a coalesce to true would say the same, at a cost per row)
    reasons += [
        (f"NOT ({check_sql(c.condition)})", reason_sql(c.code, lit(c.message)))
        for c in spec.checks
    ]
    reasons += _period_reasons(spec, period)
    area_sql = "NULL::VARCHAR AS area_id, NULL::VARCHAR AS swapped_area_id"
    joins = ""
    skip_parts = []
    cat = next((f.name for f in spec.fields if f.type == "category"), None)
    if cat:
        skip_parts.append(f"coalesce({ident(cat)} = {lit(SKIP)}, false)")
    if spec.has_area:
        unknown_skip = kp.area is not None and kp.area.unknown == "skip"
        reasons += _area_reasons(bindings, unknown_skip)
        if bindings["area_lon"].staged is not None:
            # rows with coordinates and no area from a code: point in polygon
            assign_by_coordinates(con, kp.area.levels if kp.area else None)
            area_sql = "coalesce(p.code_area_id, pip.area_id) AS area_id, pip.swapped_area_id"
            joins = "LEFT JOIN pip ON pip._row = p._row"
        else:
            area_sql = "p.code_area_id AS area_id, NULL::VARCHAR AS swapped_area_id"
        if unknown_skip:
            skip_parts.append("(p.raw_area_code IS NOT NULL AND p.code_area_id IS NULL)")
    skip_sql = " OR ".join(skip_parts) if skip_parts else "false"
    has_id = any(f.name == "source_id" for f in spec.fields)
    # a content id replaces the id of the rows with a digest once their order is final
    key_sql = identity.key_sql
    from_file = f"{lit(identity.prefix)} || p.raw_source_id" if identity.prefix else (
        "p.raw_source_id")
    id_sql = key_sql or (from_file if has_id else "NULL::VARCHAR")
    digest = [] if key_sql else ["_digest"]
    exclude = "EXCLUDE (source_id, repeated_header)" if has_id else "EXCLUDE (repeated_header)"
    kept = [ROW, *(f.name for f in spec.fields if f.name != "source_id"), "area_id"]
    staged = [ident(f"_s{i}") for i in range(len(raw.columns))]
    if not _parsed_is_table(spec, bindings):
        # the raw row as quarantined, made here for the rows that fail (few) so the quarantine
        # need not look them up in stage_raw
        raw_json = f"CASE WHEN len(reasons) > 0 AND NOT skip THEN {_raw_json(raw, staged)} END"
    else:
        staged, raw_json = [], "NULL::VARCHAR"
    return f"""
        WITH base AS (
            SELECT p.* {exclude}, {area_sql}, {id_sql} AS source_id,
                   p.repeated_header, ({skip_sql}) AS skip
            FROM {parsed} p {joins}
        ), judged AS (
            SELECT {', '.join([*map(ident, kept), 'source_id', 'skip', *digest, *staged])},
                CASE WHEN repeated_header THEN [{lit(REPEATED_HEADER)}]
                     ELSE {_reasons_sql(reasons)}
                END AS reasons
            FROM base
        )
        SELECT {', '.join([*map(ident, kept), 'source_id', 'skip', 'reasons', *digest])},
            {raw_json} AS {RAW_JSON}
        FROM judged
        """


@contextlib.contextmanager
def _stream_probes(con: duckdb.DuckDBPyConnection, streamed: bool) -> Iterator[None]:
    """While ``parsed`` reads a stream: keep the stream on the probe side of its joins.

    DuckDB knows no row count for a stream, so its optimizer would build the hash table of a
    join (catmap, area) on the stream, i.e. hold the whole file in memory. The setting is
    global to the database, which only the load's connection uses; it is restored after.
    """
    if not streamed:
        yield
        return
    saved = con.execute("SELECT current_setting('disabled_optimizers')").fetchall()[0][0]
    disabled = ",".join(filter(None, [saved, "build_side_probe_side"]))
    con.execute(f"SET disabled_optimizers = {lit(disabled)}")
    try:
        yield
    finally:
        con.execute(f"SET disabled_optimizers = {lit(saved)}")


def _shift_rows(con: duckdb.DuckDBPyConnection, raw: RawTable, table: str) -> None:
    """Correct the provisional row numbers in ``table`` for the malformed records before them
    (the reader numbers the records it could split; see RawTable.row_shifts)."""
    if not raw.row_shifts:
        return
    con.execute("CREATE OR REPLACE TEMP TABLE _shift (good BIGINT)")
    con.executemany("INSERT INTO _shift VALUES (?)", [[s] for s in raw.row_shifts])
    con.execute(
        f"UPDATE {table} SET {ROW} = {ROW} + (SELECT count(*) FROM _shift "
        f"WHERE good <= {table}.{ROW} - {raw.first_data_row})"
    )


def _content_ids(con: duckdb.DuckDBPyConnection, delivery: str) -> None:
    """Give the rows of ``checked`` with a ``_digest`` (every row of a file without ids, else
    the rows whose id is empty) their content id: the ``delivery`` tag, the digest of the raw
    row and its occurrence number among the rows with the same digest, stable across re-loads
    of the delivery (police.uk leaves anti-social behaviour without an id; the tag keeps the
    same row of two one-type extracts apart)."""
    if not con.execute("SELECT count(*) FROM checked WHERE _digest IS NOT NULL").fetchall()[0][0]:
        return
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE noid AS SELECT {ROW}, {lit(delivery + CONTENT_ID)} || "
        "_digest || '-' || "
        f"row_number() OVER (PARTITION BY _digest ORDER BY {ROW}) AS content_id "
        "FROM checked WHERE _digest IS NOT NULL"
    )
    con.execute(
        f"UPDATE checked SET source_id = noid.content_id FROM noid WHERE checked.{ROW} = noid.{ROW}"
    )


def _date_sample(
    con: duckdb.DuckDBPyConnection, head: pa.Table, dates: list[str]
) -> pa.Table | None:
    """The shortest start of ``head`` (the first rows read) that holds the sample the date
    formats are judged on: ``_SAMPLE`` values for each of the ``dates`` columns (their SQL).
    None when ``head`` does not hold it yet."""
    if not dates:
        return head.slice(0, 0)
    size = 1024
    while True:
        part = head.slice(0, size)
        con.register("_part", part)
        counts = con.execute(
            f"SELECT {', '.join(f'count({d})' for d in dates)} FROM _part"
        ).fetchall()[0]
        con.unregister("_part")
        if min(counts) >= _SAMPLE:
            return part
        if size >= head.num_rows:
            return None
        size *= 8


#: Rows per batch handed to DuckDB from a stream. Its threads take a stream's batches one at a
#: time, each a whole batch: slices of the reader's blocks (without copying) keep both busy.
_SLICE = 32_768


def _slices(batch: pa.RecordBatch) -> Iterator[pa.RecordBatch]:
    """``batch`` in zero-copy slices of at most ``_SLICE`` rows."""
    for start in range(0, batch.num_rows, _SLICE):
        yield batch.slice(start, _SLICE)


def can_stream(raw: RawTable, spec: KindSpec, bindings: dict[str, Binding]) -> bool:
    """Whether check_streamed can check the file: a CSV file whose rows find their area by
    code (rows located by coordinates are read in chunks from a table)."""
    return raw.format == "csv" and not _parsed_is_table(spec, bindings)


def check_streamed(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    content_ids: str | None,
    identity: Identity,
    evidence: DecimalEvidence,
    period: tuple[dt.date | None, dt.date | None] = (None, None),
    direct: DirectWrite | None = None,
) -> int | None:
    """parse_rows and check_rows straight from the reader's batches, never staging the file:
    DuckDB pulls the batches through one statement that writes ``checked``, so the file's text
    is never stored (nor its memory held) and the reader parses while DuckDB checks. With
    ``direct``, that statement is its write of the checked rows instead (it sees every batch),
    and returns the number of rows, or None (see :class:`etl.direct.DirectWrite`).

    The first batches are held back until they hold the sample the date formats are judged on;
    the decimal convention of each number column is taken from them and checked against all
    values once they have passed (``evidence`` counts them; ``raw.batches`` must pass through
    its ``watch``). Returns the number of data rows, or None when a failing row's raw row must
    be looked up in the staged file (a duplicate id) or the whole column shows another decimal
    convention than its first rows: the caller then stages the file (nothing is kept; with
    ``direct``, the caller rolls back what it wrote and checks the file the usual way).
    """
    schema = _staged_schema(raw)
    batches = iter(raw.batches)
    dates = [
        bindings[f.name].raw for f in spec.fields
        if f.type in ("datetime", "date") and bindings[f.name].staged is not None
    ]
    head: list[pa.RecordBatch] = []
    sample = None
    for batch in batches:
        head.append(_staged(batch, schema))
        sample = _date_sample(con, pa.Table.from_batches(head, schema), dates)
        if sample is not None:
            break
    con.register("_head", pa.Table.from_batches(head, schema) if sample is None else sample)

    def stream() -> Iterator[pa.RecordBatch]:
        for batch in head:
            if direct is not None:
                direct.see(batch)
            yield from _slices(batch)
        for batch in batches:
            staged = _staged(batch, schema)
            if direct is not None:
                direct.see(staged)
            yield from _slices(staged)

    assumed = evidence.decide()
    try:
        with _reader_stream(con, "_batches", schema, stream()):
            parsed = parse_rows(
                con, raw, spec, kp, profile, bindings, assumed, content_ids, "_batches", "_head"
            )
            if direct is None:
                check_rows(con, raw, spec, kp, profile, bindings, assumed, identity,
                           streamed=True, parsed=parsed, period=period)
            else:
                select = checked_select(con, raw, spec, kp, profile, bindings, assumed,
                                        identity, parsed, period)
                with _stream_probes(con, True):
                    written = direct.write(con, select)
    finally:
        con.unregister("_head")
    restage = evidence.matters(evidence.decide(), assumed)
    if direct is not None:
        if written is None or restage:
            return None
        _shift_rows(con, raw, "checked")
        return written
    if restage or con.execute(
        f"SELECT count(*) FROM checked WHERE {_NO_RAW_JSON}"
    ).fetchall()[0][0]:
        con.execute("DROP TABLE checked")
        return None
    return con.execute("SELECT count(*) FROM checked").fetchall()[0][0]


REPEATED_HEADER = reason_text("repeated_header", "the header appears again as a data row")
#: Column of ``checked``: the raw row as quarantined (JSON), made for the rows that fail.
RAW_JSON = "_raw_json"
#: The rows of ``checked`` that fail and have no raw row yet.
_NO_RAW_JSON = f"len(reasons) > 0 AND NOT skip AND {RAW_JSON} IS NULL"


def _flag_duplicate_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Every row whose source id occurs more than once in the file gets ``duplicate_id``."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dup AS SELECT source_id, count(*) AS n FROM checked "
        "WHERE NOT skip AND source_id IS NOT NULL GROUP BY source_id HAVING count(*) > 1"
    )
    if con.execute("SELECT count(*) FROM dup").fetchall()[0][0]:
        message = reason_sql(
            "duplicate_id",
            "'id ''' || left(dup.source_id, 40) || ''' appears on ' || dup.n || "
            "' rows of this file'",
        )
        con.execute(
            f"UPDATE checked SET reasons = list_append(checked.reasons, {message}) FROM dup "
            "WHERE checked.source_id = dup.source_id AND NOT checked.skip "
            f"AND NOT list_contains(checked.reasons, {lit(REPEATED_HEADER)})"
        )


def drop_staging(con: duckdb.DuckDBPyConnection, raw: RawTable, keep_raw: bool) -> None:
    """After check_rows: give the failing rows whose raw row check_rows did not make (rows
    flagged afterwards, as duplicate ids, or all when ``parsed`` is a table) that raw row from
    ``stage_raw``, then drop every temp table but ``checked`` (and ``stage_raw`` when
    ``keep_raw``). Outside a transaction this frees their memory at once."""
    if con.execute(f"SELECT count(*) FROM checked WHERE {_NO_RAW_JSON}").fetchall()[0][0]:
        staged = [f"s.{ident(f'c{i}')}" for i in range(len(raw.columns))]
        con.execute(
            f"UPDATE checked SET {RAW_JSON} = {_raw_json(raw, staged)} "
            f"FROM stage_raw s WHERE s.{ROW} = checked.{ROW} AND {_NO_RAW_JSON}"
        )
    kinds = dict(
        con.execute(
            "SELECT table_name, table_type FROM information_schema.tables "
            "WHERE table_catalog = 'temp' AND table_name IN "
            "('parsed', 'pip', 'noid', 'dup', 'stage_raw')"
        ).fetchall()
    )
    for name in ("parsed", "pip", "noid", "dup", *([] if keep_raw else ["stage_raw"])):
        if name in kinds:
            what = "VIEW" if kinds[name] == "VIEW" else "TABLE"
            con.execute(f"DROP {what} {name}")


def quarantine_rows(
    con: duckdb.DuckDBPyConnection, raw: RawTable, load_id: int
) -> int:
    """Copy every row with reasons (and every malformed record) to ``quarantine``."""
    con.execute(
        f"""
        INSERT INTO quarantine (load_id, row_number, raw, reason_codes, reasons)
        SELECT ?, c.{ROW}, c.{RAW_JSON},
               array_to_string(list_distinct(list_transform(c.reasons,
                   lambda x: split_part(x, ':', 1))), ','),
               array_to_string(c.reasons, '; ')
        FROM checked c
        WHERE len(c.reasons) > 0 AND NOT c.skip
        """,
        [load_id],
    )
    insert_quarantine(con, malformed_rows(raw, load_id))
    return con.execute(
        "SELECT count(*) FROM quarantine WHERE load_id = ?", [load_id]
    ).fetchall()[0][0]


def malformed_rows(raw: RawTable, load_id: int) -> list[list]:
    """Quarantine rows for the records the reader could not split into columns."""
    return [
        [load_id, m.row, json.dumps({"_line": m.raw}, ensure_ascii=False), m.code,
         reason_text(m.code, m.reason)]
        for m in raw.malformed
    ]


def insert_quarantine(con: duckdb.DuckDBPyConnection, rows: list[list]) -> None:
    """Add quarantine rows (load_id, row_number, raw, reason_codes, reasons) in one insert."""
    if not rows:
        return
    names = ["load_id", "row_number", "raw", "reason_codes", "reasons"]
    con.register("_kept", pa.table({n: [r[i] for r in rows] for i, n in enumerate(names)}))
    con.execute("INSERT INTO quarantine SELECT * FROM _kept")
    con.unregister("_kept")


def prepare_categories(con: duckdb.DuckDBPyConnection, spec: KindSpec, kp: KindProfile) -> None:
    """Build the ``catmap`` temp table for the kind's category field, if it has one."""
    if any(f.type == "category" for f in spec.fields):
        _category_table(con, spec.kind, kp, Where())


__all__ = [
    "SKIP",
    "Binding",
    "Identity",
    "bind_fields",
    "can_stream",
    "check_rows",
    "check_streamed",
    "checked_select",
    "drop_staging",
    "find_column",
    "parse_rows",
    "prepare_categories",
    "insert_quarantine",
    "malformed_rows",
    "quarantine_rows",
    "stage_raw",
]
