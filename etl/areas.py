"""Point in polygon: assign rows located by coordinates to the finest area that holds them.

Vectorised with shapely's STRtree over chunks of rows; never a Python loop per row.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa
import shapely
from shapely import STRtree

from core.sqltext import lit
from etl.taxonomy import area_levels

_CHUNK = 1_000_000


class AreaIndex:
    """The polygons of some area levels, searchable by point; finer levels win."""

    def __init__(self, ids: list[str], levels: list[str], geojson: list[str], order: list[str]):
        self.ids = np.array(ids, dtype=object)
        rank = {lvl: i for i, lvl in enumerate(order)}
        self.rank = np.array([rank[lvl] for lvl in levels], dtype=np.int64)
        self.tree = STRtree(shapely.from_geojson(geojson)) if geojson else None

    def locate(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The area id holding each point (x=longitude, y=latitude), None outside all."""
        out = np.full(len(x), None, dtype=object)
        if self.tree is None or len(x) == 0:
            return out
        hit_pt, hit_poly = self.tree.query(shapely.points(x, y), predicate="intersects")
        if len(hit_pt) == 0:
            return out
        order = np.lexsort((hit_poly, self.rank[hit_poly], hit_pt))
        hit_pt, hit_poly = hit_pt[order], hit_poly[order]
        _, first = np.unique(hit_pt, return_index=True)
        out[hit_pt[first]] = self.ids[hit_poly[first]]
        return out


def area_index(con: duckdb.DuckDBPyConnection, levels: list[str] | None) -> AreaIndex:
    """An index of the polygons of ``levels`` (default: every level but project areas)."""
    order = list(levels) if levels else [lv for lv in area_levels() if lv != "project"]
    rows = con.execute(
        "SELECT area_id, level, geometry FROM area WHERE geometry IS NOT NULL AND level IN ("
        + ", ".join(map(lit, order))
        + ") ORDER BY area_id"
    ).fetchall()
    return AreaIndex([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows], order)


def assign_by_coordinates(con: duckdb.DuckDBPyConnection, levels: list[str] | None) -> int:
    """Fill temp table ``pip`` (_row, area_id, swapped_area_id) for rows of ``parsed`` that have
    valid coordinates and no area from a code. ``swapped_area_id`` is set when a point lies
    outside every area but would lie inside one with longitude and latitude swapped."""
    con.execute(
        "CREATE OR REPLACE TEMP TABLE pip (_row BIGINT, area_id VARCHAR, swapped_area_id VARCHAR)"
    )
    where = (
        "code_area_id IS NULL AND area_lon BETWEEN -180 AND 180 AND area_lat BETWEEN -90 AND 90"
    )
    lo, hi, n = con.execute(
        f"SELECT min(_row), max(_row), count(*) FROM parsed WHERE {where}"
    ).fetchall()[0]
    if not n:
        return 0
    index = area_index(con, levels)
    for start in range(lo, hi + 1, _CHUNK):
        chunk = con.sql(
            f"SELECT _row, area_lon, area_lat FROM parsed WHERE {where} "
            f"AND _row >= {int(start)} AND _row < {int(start + _CHUNK)}"
        ).to_arrow_table()
        if chunk.num_rows == 0:
            continue
        x = chunk.column("area_lon").to_numpy()
        y = chunk.column("area_lat").to_numpy()
        found = index.locate(x, y)
        swapped = np.full(len(x), None, dtype=object)
        miss = np.flatnonzero(found == None)  # noqa: E711 (element-wise)
        if len(miss):
            swapped[miss] = index.locate(y[miss], x[miss])
        result = pa.table(
            {
                "_row": chunk.column("_row"),
                "area_id": pa.array(found.tolist(), type=pa.string()),
                "swapped_area_id": pa.array(swapped.tolist(), type=pa.string()),
            }
        )
        con.register("_pip", result)
        con.execute("INSERT INTO pip SELECT * FROM _pip")
        con.unregister("_pip")
    return n
