"""GeoPackage (``.gpkg``) area layers, read with GDAL through pyogrio, reprojected to WGS84.

A GeoPackage is an SQLite database that may hold several layers: the reader takes the one the
profile names (``layer:``), else the only layer with geometry, else the only polygon layer. The
layer's coordinate system (every GeoPackage layer declares one) is honoured: the polygons are
reprojected to WGS84 longitude/latitude as a shapefile's are, repaired the same way, and come out
as the attribute columns plus ``geometry`` (GeoJSON text). Features are read in batches, so a
large layer is read in bounded memory; ``_row`` is the feature's number in the layer.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pyproj
import shapely

from core.errors import FileRejected, Where
from etl.readers.base import Malformed, RawTable, ReadOptions, header_names
from etl.readers.geo import WGS84, finish_polygons, row_batches
from etl.readers.sniff import FileFacts, open_input
from etl.readers.xlsx import value_text

_SQLITE = b"SQLite format 3\x00"
_BATCH = 10_000


def read_geopackage(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read a GeoPackage polygon layer as a :class:`RawTable` (``_row`` = feature number)."""
    import pyogrio
    from pyogrio.errors import DataLayerError, DataSourceError

    path = facts.path
    where = Where(str(path))
    with open_input(path) as fh:
        head = fh.read(len(_SQLITE))
    if head != _SQLITE:
        raise FileRejected(
            "not_geopackage", "not a GeoPackage (not an SQLite database)", where,
            hint="export the layer from the GIS as GeoPackage, shapefile or GeoJSON",
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layers = [(str(n), g) for n, g in pyogrio.list_layers(path)]
            layer = _layer(layers, options.layer, where)
            info = pyogrio.read_info(path, layer=layer)
    except (DataSourceError, DataLayerError) as exc:
        raise FileRejected(
            "not_geopackage", f"the GeoPackage cannot be read: {_first_line(exc)}", where,
            hint="export the layer from the GIS again",
        ) from None
    if info.get("driver") != "GPKG":
        raise FileRejected("not_geopackage", f"not a GeoPackage but {info.get('driver')} data",
                           where)
    if not info.get("crs"):
        raise FileRejected(
            "no_projection", f"layer '{layer}' declares no coordinate system", where,
            hint="set the layer's coordinate system in the GIS (EPSG:31370 or WGS84)",
        )
    if not info.get("features"):
        raise FileRejected("no_rows", f"layer '{layer}' has no features", where)
    source = pyproj.CRS.from_user_input(info["crs"])
    to_wgs84 = None
    if source.to_epsg() != 4326:
        to_wgs84 = pyproj.Transformer.from_crs(source, WGS84, always_xy=True)
    names = [str(n) for n in info["fields"]]
    columns = header_names([*names, "geometry"], where)
    table = RawTable(
        path=path,
        format="geopackage",
        columns=columns,
        batches=iter(()),
        first_data_row=1,
        details={"layer": layer, "crs": f"{info['crs']} -> {WGS84}" if to_wgs84 else WGS84,
                 "features": str(info["features"]), "repaired": "0"},
    )
    table.batches = _batches(path, layer, names, table, to_wgs84, options.decimal)
    return table


def _layer(layers: list[tuple[str, Any]], wanted: str | None, where: Where) -> str:
    """The layer to read: the one named, else the only one with geometry, else the only
    polygon layer."""
    names = [n for n, _ in layers]
    if wanted is not None:
        if wanted not in names:
            raise FileRejected(
                "unknown_layer", f"the GeoPackage has no layer '{wanted}'", where,
                hint="its layers: " + (", ".join(names) or "(none)"),
            )
        return wanted
    spatial = [n for n, g in layers if g]
    polygons = [n for n, g in layers if g and "POLYGON" in str(g).upper()]
    for candidates in (spatial, polygons):
        if len(candidates) == 1:
            return candidates[0]
    if not spatial:
        raise FileRejected("no_rows", "the GeoPackage holds no layer with geometry", where)
    raise FileRejected(
        "several_layers",
        f"the GeoPackage holds {len(spatial)} layers: {', '.join(spatial)}",
        where, hint="name the one to read with 'layer:' in the profile",
    )


def _batches(
    path: Any, layer: str, names: list[str], table: RawTable,
    to_wgs84: pyproj.Transformer | None, decimal: str,
) -> Iterator[pa.RecordBatch]:
    import pyogrio.raw
    from pyogrio.errors import DataLayerError, DataSourceError, FieldError

    number = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pyogrio.raw.open_arrow(path, layer=layer, batch_size=_BATCH,
                                        use_pyarrow=True) as (meta, reader):
                geometry = meta.get("geometry_name") or "wkb_geometry"
                for batch in reader:
                    pending = []
                    columns = [batch.column(n).to_pylist() for n in names]
                    wkbs = batch.column(geometry).to_pylist()
                    for i, wkb in enumerate(wkbs):
                        number += 1
                        texts = [value_text(c[i], decimal) for c in columns]
                        shape = _polygon(wkb, number, texts, table)
                        if shape is not None:
                            pending.append((number, texts, shape))
                    if pending:
                        yield from row_batches(table.columns,
                                               finish_polygons(pending, to_wgs84, table))
    except (DataSourceError, DataLayerError, FieldError) as exc:
        raise FileRejected(
            "not_geopackage", f"the GeoPackage cannot be read after feature {number}: "
            f"{_first_line(exc)}", Where(str(path), row=number + 1),
        ) from None


def _polygon(wkb: bytes | None, number: int, texts: list[str], table: RawTable) -> Any | None:
    """The feature's polygon, or None and a malformed row."""
    shape = None
    problem = ""
    if wkb is not None:
        try:
            shape = shapely.from_wkb(wkb)
        except shapely.errors.ShapelyError as exc:
            problem = f"feature {number}: the geometry cannot be read ({_first_line(exc)})"
    if shape is not None and shape.geom_type in ("Polygon", "MultiPolygon") \
            and not shape.is_empty:
        return shapely.force_2d(shape)
    if not problem:
        what = "no geometry" if shape is None or shape.is_empty else f"a {shape.geom_type}"
        problem = f"feature {number} has {what}; expected Polygon or MultiPolygon"
    table.malformed.append(Malformed(number, "\t".join(texts)[:2000], "wrong_geometry", problem))
    return None


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0][:300]
