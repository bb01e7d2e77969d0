"""Load areas: polygons (GeoJSON, shapefile) or code hierarchies (CSV/XLSX) into ``area``.

Every row needs a code and a level (a column, the profile's constant level, or the profile's
``level_by_code`` patterns); a name (else the code); geometry when the file has it; parents
(the profile's ``parents`` columns) that exist in the warehouse or in the same file. Areas are
keyed by code: a new code is added, a changed one replaced, an identical one skipped.
"""

from __future__ import annotations

import hashlib
import json
import re

import duckdb
import pyarrow as pa
import shapely

from core.errors import FileRejected, Where
from core.reasons import reason_text
from etl.facts import Counts, read_options
from etl.profile import Profile
from etl.readers import FileFacts, read_table
from etl.stage import find_column, insert_quarantine, malformed_rows
from etl.taxonomy import area_levels


def load_areas(
    con: duckdb.DuckDBPyConnection,
    facts: FileFacts,
    kind: str,
    profile: Profile,
    load_id: int,
    strict: bool,
    overrides: dict[str, str],
) -> Counts:
    """Load an area file (see module doc); returns the row counts."""
    where = Where(str(facts.path))
    kp = profile.kind("areas", where)
    wanted = [kp.columns.get("code", "code"), kp.columns.get("name", "name")]
    names = tuple(n.casefold() for w in wanted for n in ([w] if isinstance(w, str) else w))
    raw = read_table(facts, read_options(profile, names))
    code_col = find_column(raw.columns, kp.columns.get("code", "code"))
    if code_col is None:
        raise FileRejected(
            "missing_column",
            f"missing the area code column ({kp.columns.get('code', 'code')})",
            Where(str(facts.path), row=raw.first_data_row - 1),
            hint="the file has: " + ", ".join(raw.columns[:30]),
        )
    name_col = find_column(raw.columns, kp.columns.get("name", "name"))
    level_col = find_column(raw.columns, kp.columns.get("level", "level"))
    parent_cols = [
        c for c in (find_column(raw.columns, p) for p in (kp.parents or [])) if c and c != code_col
    ]
    geom_col = "geometry" if "geometry" in raw.columns else None
    fixed_level = overrides.get("level") or kp.level
    patterns = [(re.compile(p), lvl) for p, lvl in kp.level_by_code.items()]
    known_levels = set(area_levels())

    rows: list[dict] = []
    for batch in raw.batches:
        rows.extend(batch.to_pylist())
    counts = Counts(read=len(rows) + len(raw.malformed))
    if not rows and not raw.malformed:
        raise FileRejected("no_rows", "the file has no areas", where)

    existing = {
        r[0]: r[1]
        for r in con.execute("SELECT area_id, level FROM area").fetchall()
    }
    good: list[dict] = []
    bad: list[tuple[int, str, list[str]]] = []
    seen: dict[str, int] = {}
    for row in rows:
        code = (row.get(code_col) or "").strip().upper()
        reasons: list[str] = []
        if not code:
            reasons.append(reason_text("missing_value",
                                       f"column '{code_col}' is empty; an area needs a code"))
        level = fixed_level or ((row.get(level_col) or "").strip() if level_col else "")
        if not level:
            level = next((lvl for rx, lvl in patterns if rx.search(code)), "")
        if not level:
            reasons.append(reason_text("unknown_level", f"no level for area code '{code}'"))
        elif level not in known_levels:
            reasons.append(reason_text(
                "unknown_level", f"'{level}' is not one of {', '.join(area_levels())}"))
        if code in seen:
            reasons.append(reason_text(
                "duplicate_id", f"area '{code}' appears again (first on row {seen[code]})"))
        seen.setdefault(code, row["_row"])
        geometry, bbox = None, (None, None, None, None)
        if geom_col and row.get(geom_col):
            try:
                shape = shapely.from_geojson(row[geom_col])
                geometry = row[geom_col]
                bbox = tuple(float(v) for v in shape.bounds)
            except shapely.errors.GEOSException as exc:
                reasons.append(reason_text("wrong_geometry", str(exc)))
        parents = [(row.get(c) or "").strip().upper() for c in parent_cols]
        parents = [p for p in parents if p and p != code]
        name = ((row.get(name_col) or "").strip() if name_col else "") or code
        entry = dict(
            area_id=code, name=name, level=level, parent_id=parents[0] if parents else None,
            parents=parents, geometry=geometry, bbox=bbox, _row=row["_row"],
        )
        if reasons:
            bad.append((row["_row"], json.dumps(_plain(row), ensure_ascii=False), reasons))
        else:
            good.append(entry)
    in_file = {e["area_id"] for e in good}
    still_good = []
    for e in good:
        missing = [p for p in e["parents"] if p not in existing and p not in in_file]
        if missing:
            bad.append(
                (e["_row"], json.dumps({"area_id": e["area_id"], "parents": e["parents"]}),
                 [reason_text("unknown_parent", f"parent area '{missing[0]}' is not loaded; "
                              "load the coarser level first")])
            )
        else:
            still_good.append(e)
    good = still_good
    insert_quarantine(con, [
        [load_id, row_no, raw_json, ",".join(sorted({r.split(":")[0] for r in reasons})),
         "; ".join(reasons)]
        for row_no, raw_json, reasons in bad
    ] + malformed_rows(raw, load_id))
    counts.quarantined = len(bad) + len(raw.malformed)
    if strict and counts.quarantined:
        raise FileRejected(
            "strict", f"{counts.quarantined} area row(s) failed validation", where,
            hint="load without --strict to quarantine them",
        )
    _upsert(con, good, load_id, counts)
    return counts


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("_row", "geometry")}


def _digest(e: dict) -> str:
    text = json.dumps([e["name"], e["level"], e["parent_id"], sorted(e["parents"]), e["geometry"]])
    return hashlib.md5(text.encode()).hexdigest()


def _upsert(con: duckdb.DuckDBPyConnection, good: list[dict], load_id: int, counts: Counts) -> None:
    if not good:
        return
    links: dict[str, list[str]] = {}
    for a, p in con.execute("SELECT area_id, parent_id FROM area_link ORDER BY 1, 2").fetchall():
        links.setdefault(a, []).append(p)
    current = {
        a: _digest(dict(name=n, level=lv, parent_id=pid, parents=links.get(a, []), geometry=g))
        for a, n, lv, pid, g in con.execute(
            "SELECT area_id, name, level, parent_id, geometry FROM area"
        ).fetchall()
    }
    table = pa.table(
        {
            "area_id": [e["area_id"] for e in good],
            "name": [e["name"] for e in good],
            "level": [e["level"] for e in good],
            "parent_id": [e["parent_id"] for e in good],
            "geometry": [e["geometry"] for e in good],
            "min_lon": [e["bbox"][0] for e in good],
            "min_lat": [e["bbox"][1] for e in good],
            "max_lon": [e["bbox"][2] for e in good],
            "max_lat": [e["bbox"][3] for e in good],
        }
    )
    new = [(e["area_id"], _digest(e)) for e in good]
    counts.loaded = sum(1 for a, _ in new if a not in current)
    counts.replaced = sum(1 for a, d in new if a in current and current[a] != d)
    counts.skipped += sum(1 for a, d in new if current.get(a) == d)
    changed = [a for a, d in new if current.get(a) != d]
    if not changed:
        return
    con.execute("DELETE FROM area_link WHERE area_id IN (SELECT unnest(?))", [changed])
    con.register("_areas", table)
    con.execute(
        "INSERT OR REPLACE INTO area SELECT area_id, name, level, parent_id, geometry, min_lon, "
        "min_lat, max_lon, max_lat, ? FROM _areas WHERE area_id IN (SELECT unnest(?))",
        [load_id, changed],
    )
    con.unregister("_areas")
    changed_set = set(changed)
    links = [(e["area_id"], p) for e in good if e["area_id"] in changed_set for p in e["parents"]]
    if links:
        con.register("_links", pa.table({"area_id": [a for a, _ in links],
                                         "parent_id": [p for _, p in links]}))
        con.execute("INSERT INTO area_link SELECT area_id, parent_id, ? FROM _links", [load_id])
        con.unregister("_links")
