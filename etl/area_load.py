"""Load areas: polygons (GeoJSON, shapefile) or code hierarchies (CSV/XLSX) into ``area``.

Every row needs a code and a level (a column, the profile's constant level, or the profile's
``level_by_code`` patterns); a name (else the code); geometry when the file has it; parents
(the profile's ``parents`` columns) that exist in the warehouse or in the same file. Areas are
keyed by code: a new code is added, a changed one replaced, an identical one skipped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re

import duckdb
import pyarrow as pa
import shapely

from core.errors import FileRejected, Where
from core.reasons import reason_text
from etl.area_versions import apply_links, check_version
from etl.delivery import Delivery
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
    delivery: Delivery,
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
    fixed_level = delivery.overrides.get("level") or kp.level
    patterns = [(re.compile(p), lvl) for p, lvl in kp.level_by_code.items()]
    known_levels = set(area_levels())

    rows: list[dict] = []
    for batch in raw.batches:
        rows.extend(batch.to_pylist())
    counts = Counts(read=len(rows) + len(raw.malformed))
    if not rows and not raw.malformed:
        raise FileRejected("no_rows", "the file has no areas", where)

    stored = _stored(con)
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
        geometry, bbox, problem = _geometry(row.get(geom_col) if geom_col else None)
        if problem:
            reasons.append(problem)
        parents = [(row.get(c) or "").strip().upper() for c in parent_cols]
        parents = list(dict.fromkeys(p for p in parents if p and p != code))
        name = (row.get(name_col) or "").strip() if name_col else ""
        entry = dict(
            area_id=code, name=name, level=level, parent_id=parents[0] if parents else None,
            parents=parents, geometry=geometry, bbox=bbox, _row=row["_row"],
        )
        if reasons:
            bad.append((row["_row"], json.dumps(_plain(row), ensure_ascii=False), reasons))
        else:
            good.append(_completed(entry, stored.get(code), bool(parent_cols)))
    good = _known_parents(good, stored, bad)
    good = _without_cycles(good, stored, bad)
    insert_quarantine(con, [
        [load_id, row_no, raw_json, ",".join(sorted({r.split(":")[0] for r in reasons})),
         "; ".join(reasons)]
        for row_no, raw_json, reasons in bad
    ] + malformed_rows(raw, load_id))
    counts.quarantined = len(bad) + len(raw.malformed)
    if delivery.strict and counts.quarantined:
        raise FileRejected(
            "strict", f"{counts.quarantined} area row(s) failed validation", where,
            hint="load without --strict to quarantine them",
        )
    if delivery.period_start is not None:
        check_version(good, stored, delivery.period_start, str(facts.path))
    _upsert(con, good, stored, load_id, counts, delivery.period_start)
    return counts


#: Widest area (degrees of longitude or latitude) a monitor of a city's safety plan expects:
#: a polygon spanning more (a whole-world rectangle, a swapped or unprojected coordinate) is
#: not an area of the city.
MAX_AREA_DEGREES = 10.0
_NO_BBOX = (None, None, None, None)


def _geometry(text: str | None) -> tuple[str | None, tuple, str | None]:
    """(GeoJSON text, bounding box, reason it is refused) of a geometry cell; all None for
    an empty cell (the area keeps the polygon it has)."""
    if not text or not text.strip():
        return None, _NO_BBOX, None
    try:
        shape = shapely.from_geojson(text)
    except shapely.errors.GEOSException as exc:
        return None, _NO_BBOX, reason_text("wrong_geometry", str(exc))
    if shape.geom_type not in ("Polygon", "MultiPolygon"):
        return None, _NO_BBOX, reason_text(
            "wrong_geometry", f"a {shape.geom_type}, not a Polygon or MultiPolygon"
        )
    if shape.is_empty or shape.area == 0:
        return None, _NO_BBOX, reason_text("wrong_geometry", "the polygon is empty (no area)")
    xmin, ymin, xmax, ymax = (float(v) for v in shape.bounds)
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        return None, _NO_BBOX, reason_text(
            "wrong_geometry",
            f"coordinates up to ({xmax:.6g}, {ymax:.6g}) are not WGS84 longitude/latitude",
        )
    if xmax - xmin > MAX_AREA_DEGREES or ymax - ymin > MAX_AREA_DEGREES:
        return None, _NO_BBOX, reason_text(
            "implausible_geometry",
            f"the polygon spans {xmax - xmin:.4g} x {ymax - ymin:.4g} degrees; an area of a "
            f"city spans less than {MAX_AREA_DEGREES:g}",
        )
    return text, (xmin, ymin, xmax, ymax), None


def _stored(con: duckdb.DuckDBPyConnection) -> dict[str, dict]:
    """Every stored area with its parents (``area_link`` and ``parent_id``)."""
    links: dict[str, list[str]] = {}
    for a, p in con.execute("SELECT area_id, parent_id FROM area_link ORDER BY 1, 2").fetchall():
        links.setdefault(a, []).append(p)
    out = {}
    for a, n, lv, pid, g, x0, y0, x1, y1 in con.execute(
        "SELECT area_id, name, level, parent_id, geometry, min_lon, min_lat, max_lon, max_lat "
        "FROM area"
    ).fetchall():
        out[a] = dict(area_id=a, name=n, level=lv, parent_id=pid, parents=links.get(a, []),
                      geometry=g, bbox=(x0, y0, x1, y1))
    return out


def _completed(entry: dict, stored: dict | None, has_parents: bool) -> dict:
    """An area row completed with what is stored for what the file does not say: a file
    without a geometry (or an empty one) never wipes a polygon, one without names never a
    name, one without parent columns never the parents."""
    if stored is not None:
        if entry["geometry"] is None:
            entry["geometry"], entry["bbox"] = stored["geometry"], stored["bbox"]
        if not entry["name"]:
            entry["name"] = stored["name"]
        if not has_parents:
            entry["parent_id"] = stored["parent_id"]
            entry["parents"] = list(stored["parents"]) or (
                [stored["parent_id"]] if stored["parent_id"] else []
            )
    entry["name"] = entry["name"] or entry["area_id"]
    return entry


def _known_parents(
    good: list[dict], stored: dict[str, dict], bad: list[tuple[int, str, list[str]]]
) -> list[dict]:
    """The rows whose parents are stored or in the file; the others go to ``bad``."""
    in_file = {e["area_id"] for e in good}
    kept = []
    for e in good:
        missing = [p for p in e["parents"] if p not in stored and p not in in_file]
        if missing:
            bad.append(
                (e["_row"], json.dumps({"area_id": e["area_id"], "parents": e["parents"]}),
                 [reason_text("unknown_parent", f"parent area '{missing[0]}' is not loaded; "
                              "load the coarser level first")])
            )
        else:
            kept.append(e)
    return kept


def _without_cycles(
    good: list[dict], stored: dict[str, dict], bad: list[tuple[int, str, list[str]]]
) -> list[dict]:
    """The rows that close no cycle of parents with the stored areas and the other rows (an
    area its own ancestor would count its facts in itself, over and over); the others go to
    ``bad`` with the cycle they close."""
    parents: dict[str, list[str]] = {
        a: list(dict.fromkeys([*s["parents"], *([s["parent_id"]] if s["parent_id"] else [])]))
        for a, s in stored.items()
    }
    parents.update({e["area_id"]: e["parents"] for e in good})
    cyclic = _cyclic(parents)
    if not cyclic:
        return good
    kept = []
    for e in good:
        cycle = cyclic.get(e["area_id"])
        if cycle is None:
            kept.append(e)
            continue
        shown = " -> ".join([*cycle[:6], *(["..."] if len(cycle) > 6 else []), cycle[0]])
        bad.append(
            (e["_row"], json.dumps({"area_id": e["area_id"], "parents": e["parents"]}),
             [reason_text("parent_cycle",
                          f"area '{e['area_id']}' would be its own ancestor ({shown})")])
        )
    return kept


def _cyclic(parents: dict[str, list[str]]) -> dict[str, list[str]]:
    """Every area that lies on a cycle of ``parents`` -> the areas of its cycle (Tarjan's
    strongly connected components, iteratively)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on_stack: set[str] = set()
    stack: list[str] = []
    found: dict[str, list[str]] = {}
    counter = 0
    for root in parents:
        if root in index:
            continue
        work = [(root, iter(parents.get(root, [])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(parents.get(child, []))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    component.reverse()
                    for member in component:
                        found[member] = component
    return found


def _plain(row: dict) -> dict:
    return {k: v for k, v in row.items() if k not in ("_row", "geometry")}


def _digest(e: dict) -> str:
    text = json.dumps([e["name"], e["level"], e["parent_id"], sorted(e["parents"]), e["geometry"]])
    return hashlib.md5(text.encode()).hexdigest()


def _upsert(
    con: duckdb.DuckDBPyConnection, good: list[dict], stored: dict[str, dict], load_id: int,
    counts: Counts, valid_from: dt.date | None,
) -> None:
    if not good:
        return
    current = {a: _digest(s) for a, s in stored.items()}
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
    con.register("_areas", table)
    con.execute(
        "INSERT OR REPLACE INTO area SELECT area_id, name, level, parent_id, geometry, min_lon, "
        "min_lat, max_lon, max_lat, ? FROM _areas WHERE area_id IN (SELECT unnest(?))",
        [load_id, changed],
    )
    con.unregister("_areas")
    changed_set = set(changed)
    wanted = {e["area_id"]: e["parents"] for e in good if e["area_id"] in changed_set}
    moved = apply_links(con, changed, wanted, load_id, valid_from)
    if moved and valid_from is None:
        counts.warnings.append(
            f"{moved} area(s) changed their parents without --period-start: a correction of "
            "the past (figures of every period follow); a new layer version takes "
            "--period-start YYYY-MM and keeps the past as it was")
