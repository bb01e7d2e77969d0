"""Stage a source file for a fact kind: raw text -> parsed, checked, area-assigned rows.

All row work is SQL over the whole file in DuckDB (vectorised), plus a vectorised
point-in-polygon pass for rows located by coordinates. Python never loops over rows.
The result is the temp table ``checked``: one row per data row, with the parsed canonical
fields, ``area_id``, ``source_id``, ``skip`` and ``reasons`` (empty when the row is good).
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import pyarrow as pa

from etl.areas import assign_by_coordinates
from etl.errors import FileRejected, Where
from etl.kinds.fields import KindSpec
from etl.profile import KindProfile, Profile
from etl.readers.base import ROW, RawTable
from etl.settings import setting
from etl.sqltext import (
    bool_parser,
    cleaned,
    datetime_parser,
    ident,
    int_parser,
    lit,
    number_parser,
)
from etl.taxonomy import canonical_values

SKIP = "_skip"
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
    def raw(self) -> str:
        """SQL for the cleaned raw text of the field."""
        if self.staged is not None:
            return cleaned(ident(self.staged))
        if self.constant is not None:
            return lit(self.constant)
        return "CAST(NULL AS VARCHAR)"

    @property
    def label(self) -> str:
        """How a person finds the field: its column, or the profile constant."""
        if self.column is not None:
            return f"column '{self.column}'"
        return f"{self.field} (profile constant)"


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
        + f", {ROW} BIGINT)"
    )
    n = 0
    for batch in raw.batches:
        renamed = pa.RecordBatch.from_arrays(batch.columns, names=[*cols, ROW])
        con.register("_batch", renamed)
        con.execute("INSERT INTO stage_raw SELECT * FROM _batch")
        con.unregister("_batch")
        n += renamed.num_rows
    if raw.row_shifts:
        con.execute("CREATE OR REPLACE TEMP TABLE _shift (good BIGINT)")
        con.executemany("INSERT INTO _shift VALUES (?)", [[s] for s in raw.row_shifts])
        con.execute(
            f"UPDATE stage_raw SET {ROW} = {ROW} + (SELECT count(*) FROM _shift "
            f"WHERE good <= stage_raw.{ROW} - {raw.first_data_row})"
        )
    return n


def likely_format(
    con: duckdb.DuckDBPyConnection, raw_sql: str, formats: list[str], sample: int = 500
) -> str | None:
    """The format that parses most of a sample of the column's values (ties: list order)."""
    values = [
        r[0]
        for r in con.execute(
            f"SELECT v FROM (SELECT {raw_sql} AS v FROM stage_raw) WHERE v IS NOT NULL "
            f"LIMIT {int(sample)}"
        ).fetchall()
    ]
    if not values:
        return None
    hits = [
        con.execute(
            f"SELECT count(try_strptime(v, {lit(fmt)})) FROM (SELECT unnest(?) AS v)", [values]
        ).fetchall()[0][0]
        for fmt in formats
    ]
    best = max(range(len(formats)), key=lambda i: (hits[i], -i))
    return formats[best] if hits[best] else None


def _parse_expr(
    ftype: str, raw_sql: str, profile: Profile, formats: list[str], likely: str | None = None
) -> str:
    if ftype in ("text", "category"):
        return raw_sql
    if ftype == "int":
        return int_parser(raw_sql, profile.decimal)
    if ftype == "number":
        return number_parser(raw_sql, profile.decimal)
    if ftype == "datetime":
        return datetime_parser(raw_sql, formats, likely)
    if ftype == "date":
        return f"CAST({datetime_parser(raw_sql, formats, likely)} AS DATE)"
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
        con.executemany("INSERT INTO catmap VALUES (?, ?)", [[k, v] for k, v in pairs.items()])


def parse_rows(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
) -> None:
    """Create temp table ``parsed``: raw text and parsed value of every field, and area by code.

    The cleaned raw text of each field is computed once (inner select), then parsed.
    """
    formats = profile.formats_for(spec.kind)
    raws = [f"s.{ROW}"]
    selects = ["r.*"]
    joins = []
    for f in spec.fields:
        b = bindings[f.name]
        rcol = ident("raw_" + f.name)
        raws.append(f"{b.raw} AS {rcol}")
        if f.type == "category":
            selects.append(f"cm.canonical AS {ident(f.name)}")
            joins.append(f"LEFT JOIN catmap cm ON cm.key = lower(r.{rcol})")
        else:
            likely = (
                likely_format(con, b.raw, formats) if f.type in ("datetime", "date") else None
            )
            parsed = _parse_expr(f.type, "r." + rcol, profile, formats, likely)
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
            selects.append(f"{number_parser('r.' + rcol, profile.decimal)} AS {ident(name)}")
    header = [h.casefold() for h in raw.columns]
    repeated = " AND ".join(
        f"lower(coalesce(s.{ident('c' + str(i))}, '')) = {lit(h)}" for i, h in enumerate(header[:3])
    )
    raws.append(f"({repeated or 'false'}) AS repeated_header")
    # rows located by coordinates are read in chunks for point in polygon: materialise them;
    # otherwise a view, computed once inside the statement that builds ``checked``
    by_coordinates = spec.has_area and bindings["area_lon"].staged is not None
    con.execute(
        f"CREATE OR REPLACE TEMP {'TABLE' if by_coordinates else 'VIEW'} parsed AS SELECT "
        + ", ".join(selects)
        + " FROM (SELECT "
        + ", ".join(raws)
        + " FROM stage_raw s) r "
        + " ".join(joins)
    )


def _field_reasons(spec: KindSpec, bindings: dict[str, Binding], formats: list[str]) -> list[str]:
    max_chars = int(setting("max_field_chars"))
    out = []
    for f in spec.fields:
        b = bindings[f.name]
        raw = ident("raw_" + f.name)
        val = ident(f.name)
        shown = f"left({raw}, 60)"
        label = lit(b.label)
        if f.required:
            out.append(
                f"CASE WHEN {raw} IS NULL THEN 'missing_value: ' || {label} || "
                f"' is empty; {f.name} is required' END"
            )
        out.append(
            f"CASE WHEN length({raw}) > {max_chars} THEN 'field_too_long: ' || {label} || "
            f"' holds ' || length({raw}) || ' characters; at most {max_chars}' END"
        )
        if f.type == "category":
            out.append(
                f"CASE WHEN {raw} IS NOT NULL AND {val} IS NULL THEN 'unknown_category: ' || "
                f"{label} || ': ''' || {shown} || ''' is not in the profile''s category map' END"
            )
        elif f.type in ("text",):
            out.append(
                # every garbled pattern holds a non-ASCII character: test that cheaply first
                f"CASE WHEN strlen({raw}) <> length({raw}) "
                f"AND regexp_matches({raw}, {lit(_GARBLED)}) THEN 'garbled_text: ' || "
                f"{label} || ': ''' || {shown} || ''' looks garbled by a wrong text encoding "
                "(mojibake)' END"
            )
        else:
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
            out.append(
                f"CASE WHEN {raw} IS NOT NULL AND {val} IS NULL THEN 'invalid_{f.type}: ' || "
                f"{label} || ': ''' || {shown} || ''' is not ' || {lit(what)} END"
            )
    return out


#: Raw coordinates as quoted in a reason (never a whole oversized field).
_LON = "left(raw_area_lon, 40)"
_LAT = "left(raw_area_lat, 40)"


def _area_reasons(bindings: dict[str, Binding], unknown_skip: bool) -> list[str]:
    code_label = lit(bindings["area_code"].label)
    reasons = [
        "CASE WHEN area_lon IS NOT NULL AND NOT (area_lon BETWEEN -180 AND 180) "
        "OR area_lat IS NOT NULL AND NOT (area_lat BETWEEN -90 AND 90) "
        f"THEN 'invalid_coordinates: (' || {_LON} || ', ' || {_LAT} || ') is not a "
        "WGS84 longitude, latitude' END",
        "CASE WHEN raw_area_code IS NULL AND (area_lon IS NULL OR area_lat IS NULL) "
        "AND raw_area_lon IS NULL AND raw_area_lat IS NULL "
        "THEN 'no_area: no area code and no coordinates' END",
        "CASE WHEN (raw_area_lon IS NOT NULL OR raw_area_lat IS NOT NULL) "
        "AND (area_lon IS NULL OR area_lat IS NULL) "
        f"THEN 'invalid_number: coordinates ''' || coalesce({_LON}, '') || ''', ''' || "
        f"coalesce({_LAT}, '') || ''' are not numbers' END",
        "CASE WHEN area_id IS NULL AND swapped_area_id IS NOT NULL "
        f"THEN 'coordinates_swapped: (' || {_LON} || ', ' || {_LAT} || ') lies outside "
        "every area, but with longitude and latitude swapped it lies in ' || swapped_area_id "
        "|| '; check the column order' END",
        "CASE WHEN area_id IS NULL AND swapped_area_id IS NULL AND area_lon BETWEEN -180 AND 180 "
        "AND area_lat BETWEEN -90 AND 90 AND code_area_id IS NULL "
        f"THEN 'outside_areas: (' || {_LON} || ', ' || {_LAT} || ') lies outside every "
        "area loaded' END",
    ]
    if not unknown_skip:
        reasons.append(
            f"CASE WHEN raw_area_code IS NOT NULL AND code_area_id IS NULL AND area_lon IS NULL "
            f"THEN 'unknown_area: ' || {code_label} || ': ''' || left(raw_area_code, 40) || "
            f"''' is not a known area code' END"
        )
    return reasons


def check_rows(
    con: duckdb.DuckDBPyConnection,
    raw: RawTable,
    spec: KindSpec,
    kp: KindProfile,
    profile: Profile,
    bindings: dict[str, Binding],
    id_from_content: bool,
    key_sql: str | None = None,
) -> None:
    """Create temp table ``checked`` from ``parsed``: area, source id, skip flag and reasons.

    The source id is ``key_sql`` when given, else the mapped id column, else (files without
    ids) a digest of the raw row plus its occurrence number, stable across re-loads.
    """
    formats = profile.formats_for(spec.kind)
    reasons = _field_reasons(spec, bindings, formats)
    reasons += [
        f"CASE WHEN NOT coalesce(({c.condition}), true) THEN {lit(c.code + ': ' + c.message)} END"
        for c in spec.checks
    ]
    area_sql = "NULL::VARCHAR AS area_id, NULL::VARCHAR AS swapped_area_id"
    skip_parts = []
    cat = next((f.name for f in spec.fields if f.type == "category"), None)
    if cat:
        skip_parts.append(f"coalesce({ident(cat)} = {lit(SKIP)}, false)")
    if spec.has_area:
        unknown_skip = kp.area is not None and kp.area.unknown == "skip"
        reasons += _area_reasons(bindings, unknown_skip)
        area_sql = "coalesce(p.code_area_id, pip.area_id) AS area_id, pip.swapped_area_id"
        if unknown_skip:
            skip_parts.append("(p.raw_area_code IS NOT NULL AND p.code_area_id IS NULL)")
    skip_sql = " OR ".join(skip_parts) if skip_parts else "false"
    joins = "LEFT JOIN pip ON pip._row = p._row" if spec.has_area else ""
    if key_sql:
        id_sql = key_sql
    else:
        # files without ids, and rows with an empty id (police.uk leaves anti-social behaviour
        # without one), get a content id: digest of the raw row + its occurrence number
        cols = [f"s.{ident(f'c{i}')}" for i in range(len(raw.columns))]
        digest = f"md5(concat_ws(chr(31), {', '.join(cols)}))"
        only = "" if id_from_content else "WHERE p.raw_source_id IS NULL"
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE noid AS SELECT s.{ROW}, {digest} || '-' || "
            f"row_number() OVER (PARTITION BY {digest} ORDER BY s.{ROW}) AS content_id "
            f"FROM stage_raw s JOIN parsed p ON p.{ROW} = s.{ROW} {only}"
        )
        joins += " LEFT JOIN noid ON noid._row = p._row"
        id_sql = (
            "noid.content_id" if id_from_content else "coalesce(p.raw_source_id, noid.content_id)"
        )
    has_id = any(f.name == "source_id" for f in spec.fields)
    exclude = "EXCLUDE (source_id, repeated_header)" if has_id else "EXCLUDE (repeated_header)"
    if spec.has_area:
        assign_by_coordinates(con, kp.area.levels if kp.area else None)
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE checked AS
        WITH base AS (
            SELECT p.* {exclude}, {area_sql}, {id_sql} AS source_id,
                   p.repeated_header, ({skip_sql}) AS skip
            FROM parsed p {joins}
        )
        SELECT * EXCLUDE (repeated_header),
            CASE WHEN repeated_header THEN [{lit(REPEATED_HEADER)}]
                 ELSE list_filter([{', '.join(reasons)}], lambda x: x IS NOT NULL)
            END AS reasons
        FROM base
        """
    )
    _flag_duplicate_ids(con)


REPEATED_HEADER = "repeated_header: the header appears again as a data row"


def _flag_duplicate_ids(con: duckdb.DuckDBPyConnection) -> None:
    """Every row whose source id occurs more than once in the file gets ``duplicate_id``."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dup AS SELECT source_id, count(*) AS n FROM checked "
        "WHERE NOT skip AND source_id IS NOT NULL GROUP BY source_id HAVING count(*) > 1"
    )
    if con.execute("SELECT count(*) FROM dup").fetchall()[0][0]:
        message = (
            "'duplicate_id: id ''' || left(dup.source_id, 40) || ''' appears on ' || dup.n || "
            "' rows of this file'"
        )
        con.execute(
            f"UPDATE checked SET reasons = list_append(checked.reasons, {message}) FROM dup "
            "WHERE checked.source_id = dup.source_id AND NOT checked.skip "
            f"AND NOT list_contains(checked.reasons, {lit(REPEATED_HEADER)})"
        )


def quarantine_rows(
    con: duckdb.DuckDBPyConnection, raw: RawTable, load_id: int
) -> int:
    """Copy every row with reasons (and every malformed record) to ``quarantine``."""
    pairs = ", ".join(f"{lit(h)}, s.{ident('c' + str(i))}" for i, h in enumerate(raw.columns))
    con.execute(
        f"""
        INSERT INTO quarantine (load_id, row_number, raw, reason_codes, reasons)
        SELECT ?, c.{ROW}, CAST(json_object({pairs}) AS VARCHAR),
               array_to_string(list_distinct(list_transform(c.reasons,
                   lambda x: split_part(x, ':', 1))), ','),
               array_to_string(c.reasons, '; ')
        FROM checked c JOIN stage_raw s ON s.{ROW} = c.{ROW}
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
         f"{m.code}: {m.reason}"]
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
    "bind_fields",
    "check_rows",
    "find_column",
    "parse_rows",
    "prepare_categories",
    "insert_quarantine",
    "malformed_rows",
    "quarantine_rows",
    "stage_raw",
]
