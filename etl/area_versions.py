"""A new version of an area layer: the links it changes are ended, not overwritten.

An areas file loaded with ``--period-start D`` is a layer version valid from ``D`` (the first day
of a month, so that no month straddles two versions). For every area whose parents change, the
links it loses move to ``area_link_history`` with ``D - 1`` as their last day, the links it gains
start on ``D``, and the links it keeps stay as they are: figures of a month before ``D`` still
count in the old areas (:mod:`indicators.boundaries`). Without a version date the file corrects
the stored links (the past changes with it), and the loader says so.

A version is checked before anything is stored: an area may not lose its only parent of a level
(a gap: a sector that belongs to no wijk from ``D``), nor gain two of one level (an overlap); of
the polygons of one level in the file, none may overlap another by more than
:data:`OVERLAP_SHARE` of the smaller, and where the file holds every child of a parent that has
a polygon, together they must cover it up to :data:`GAP_SHARE`.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pyarrow as pa
import shapely
from shapely.strtree import STRtree

from core.errors import FileRejected, Where

#: Share of the smaller polygon two areas of one level may share (digitising slivers).
OVERLAP_SHARE = 0.01
#: Share of a parent's polygon its children may leave uncovered (slivers along the border).
GAP_SHARE = 0.01


def check_version(good: list[dict], stored: dict[str, dict], valid_from: dt.date,
                  file: str) -> None:
    """Refuse a layer version with a gap or an overlap (see module doc)."""
    if valid_from.day != 1:
        raise FileRejected("bad_period", f"a layer version starts on the first day of a month, "
                           f"not {valid_from.isoformat()}", Where(file),
                           hint="--period-start YYYY-MM")
    levels = {a: s["level"] for a, s in stored.items()}
    levels.update({e["area_id"]: e["level"] for e in good})
    for e in good:
        old = stored.get(e["area_id"])
        before = {levels.get(p) for p in (old["parents"] if old else [])}
        now: dict[str, str] = {}
        for p in e["parents"]:
            level = levels.get(p)
            if level in now:
                raise FileRejected(
                    "boundary_overlap", f"area '{e['area_id']}' would lie in two areas of level "
                    f"{level} ('{now[level]}' and '{p}') from {valid_from.isoformat()}",
                    Where(file, row=e["_row"]))
            now[str(level)] = p
        lost = sorted(lv for lv in before - set(now) if lv)
        if lost:
            raise FileRejected(
                "boundary_gap", f"area '{e['area_id']}' would lie in no {lost[0]} from "
                f"{valid_from.isoformat()}", Where(file, row=e["_row"]),
                hint="every area keeps a parent of each level it had; give it its new one")
    _check_polygons(good, stored, file)


def _check_polygons(good: list[dict], stored: dict[str, dict], file: str) -> None:
    by_level: dict[str, list[dict]] = {}
    for e in good:
        if e["geometry"]:
            by_level.setdefault(e["level"], []).append(e)
    for level, areas in by_level.items():
        shapes = [shapely.make_valid(shapely.from_geojson(e["geometry"])) for e in areas]
        tree = STRtree(shapes)
        for i, j in zip(*tree.query(shapes, predicate="intersects"), strict=True):
            if i >= j:
                continue
            shared = shapes[i].intersection(shapes[j]).area
            smaller = min(shapes[i].area, shapes[j].area)
            if smaller > 0 and shared / smaller > OVERLAP_SHARE:
                raise FileRejected(
                    "boundary_overlap",
                    f"{level} '{areas[i]['area_id']}' and '{areas[j]['area_id']}' overlap "
                    f"({shared / smaller:.0%} of the smaller)",
                    Where(file, row=areas[j]["_row"]))
        _check_cover(level, areas, shapes, stored, file)


def _check_cover(level: str, areas: list[dict], shapes: list, stored: dict[str, dict],
                 file: str) -> None:
    """Where the file holds every child of ``level`` of a parent with a polygon, together
    they cover it."""
    children: dict[str, list[int]] = {}
    for k, e in enumerate(areas):
        if e["parent_id"]:
            children.setdefault(e["parent_id"], []).append(k)
    in_file = {e["area_id"] for e in areas}
    for parent, ks in children.items():
        outline = (stored.get(parent) or {}).get("geometry")
        others = [a for a, s in stored.items() if s["level"] == level
                  and s["parent_id"] == parent and a not in in_file]
        if not outline or others:
            continue
        whole = shapely.make_valid(shapely.from_geojson(outline))
        covered = shapely.union_all([shapes[k] for k in ks]).intersection(whole).area
        if whole.area > 0 and 1 - covered / whole.area > GAP_SHARE:
            raise FileRejected(
                "boundary_gap", f"the {level} areas of '{parent}' leave "
                f"{1 - covered / whole.area:.0%} of it uncovered", Where(file),
                hint="a layer version covers its parent whole")


def apply_links(con: duckdb.DuckDBPyConnection, changed: list[str], wanted: dict[str, list[str]],
                load_id: int, valid_from: dt.date | None) -> int:
    """Make the links of the ``changed`` areas those ``wanted``; with a version date, end the
    lost ones in ``area_link_history`` instead of deleting them. The number of areas that had
    links and whose parents changed."""
    old: dict[tuple[str, str], tuple[dt.date | None, int]] = {
        (a, p): (vf, lid) for a, p, vf, lid in con.execute(
            "SELECT area_id, parent_id, valid_from, load_id FROM area_link "
            "WHERE area_id IN (SELECT unnest(?))", [changed]).fetchall()}
    new = {(a, p) for a in changed for p in wanted.get(a, [])}
    moved = len({a for a, _ in set(old) ^ new} & {a for a, _ in old})
    if valid_from is not None:
        later = [(a, p) for (a, p), (vf, _) in old.items() if vf is not None and vf >= valid_from]
        if later and set(old) != new:
            a, p = later[0]
            raise FileRejected(
                "bad_period", f"the link of '{a}' to '{p}' holds from {old[(a, p)][0]}, not "
                f"before {valid_from.isoformat()}: a layer version cannot start before the "
                "last one", Where(None))
        ended = sorted(set(old) - new)
        if ended:
            _insert(con, "area_link_history", ended, [
                (old[k][0], valid_from - dt.timedelta(days=1), old[k][1], load_id)
                for k in ended])
    con.execute("DELETE FROM area_link WHERE area_id IN (SELECT unnest(?))", [changed])
    links = sorted(new)  # a kept link keeps its first day, a new one starts with the version
    _insert(con, "area_link", links,
            [(load_id, old[k][0] if k in old else valid_from) for k in links])
    return moved


def _insert(con: duckdb.DuckDBPyConnection, table: str, keys: list[tuple[str, str]],
            rest: list[tuple]) -> None:
    if not keys:
        return
    columns = {"area_link": ["load_id", "valid_from"],
               "area_link_history": ["valid_from", "valid_to", "load_id", "closed_by"]}[table]
    data = {"area_id": [a for a, _ in keys], "parent_id": [p for _, p in keys]}
    for k, name in enumerate(columns):
        data[name] = [r[k] for r in rest]
    con.register("_links", pa.table(data))
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _links")
    finally:
        con.unregister("_links")
