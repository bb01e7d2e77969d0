"""Area polygons: GeoJSON FeatureCollections (WGS84) and ESRI shapefiles (reprojected); the
GeoPackage reader (:mod:`etl.readers.geopackage`) shares the reprojection and repair.

Both come out as the attribute columns plus ``geometry``, the polygon as compact GeoJSON text in
WGS84 longitude/latitude. Features that are not polygons are malformed rows; invalid polygons
are repaired (their polygonal part kept) and counted in ``details["repaired"]``.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyproj
import shapefile
import shapely
from shapely.geometry import MultiPolygon, shape

from core.errors import FileRejected, Where
from core.settings import setting
from etl.readers.base import Malformed, RawTable, ReadOptions, header_names, string_batch
from etl.readers.sniff import FileFacts
from etl.readers.xlsx import value_text

_BATCH = 50_000
_POLYGONAL = ("Polygon", "MultiPolygon")
#: The coordinate system areas are stored in (longitude, latitude).
WGS84 = "EPSG:4326"
_PROJECTED = (
    "coordinates look projected (e.g. Belgian Lambert 72); expected WGS84 longitude/latitude"
)


def read_geojson(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read a GeoJSON FeatureCollection of polygons as a :class:`RawTable` (``_row`` = feature
    number)."""
    path = facts.path
    where = Where(str(path))
    limit_mb = float(setting("max_json_mb"))
    if facts.size > limit_mb * 2**20:
        raise FileRejected(
            "too_large",
            f"the GeoJSON file is {facts.size / 2**20:,.0f} MiB; a GeoJSON file is read whole, "
            f"at most {limit_mb:g} MiB",
            where,
            hint="deliver it as a shapefile, or raise IVM_MAX_JSON_MB",
        )
    data = path.read_bytes()
    depth, limit = json_depth(data), int(setting("max_nesting"))
    if depth > limit:
        raise FileRejected(
            "too_deep",
            f"the JSON is nested {depth:,} levels deep; at most {limit} are read (a "
            "MultiPolygon feature needs 8)",
            where,
            hint="this is not GeoJSON as a GIS writes it; or raise IVM_MAX_NESTING",
        )
    encoding = "utf-8-sig" if facts.is_utf8 else facts.encoding
    text = data.decode(encoding, errors="replace")
    del data
    try:
        doc = json.loads(text)
    except RecursionError:
        raise FileRejected("too_deep", "the JSON is nested too deeply to read", where) from None
    except json.JSONDecodeError as exc:
        raise FileRejected(
            "invalid_json",
            f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}",
            Where(str(path), row=exc.lineno),
        ) from None
    features = _features(doc, where)
    names: dict[str, None] = {}
    for feature in features:
        props = feature.get("properties") if isinstance(feature, dict) else None
        if isinstance(props, dict):
            names.update(dict.fromkeys(props))
    columns = header_names([*names, "geometry"], where)
    table = RawTable(
        path=path,
        format="geojson",
        columns=columns,
        batches=iter(()),
        first_data_row=1,
        details={"features": str(len(features)), "repaired": "0"},
    )
    if encoding not in ("utf-8", "utf-8-sig"):
        table.details["encoding"] = encoding
    keys = list(names)
    rows: list[tuple[int, list[str], str]] = []
    repaired = 0
    for number, feature in enumerate(features, start=1):
        found = _feature_polygon(feature, number, table, path)
        if found is None:
            continue
        geometry, text_geometry = found
        if text_geometry is None:
            repaired += 1
            text_geometry = shapely.to_geojson(geometry)
        props = feature.get("properties") or {}
        texts = [value_text(_plain(props.get(k)), options.decimal) for k in keys]
        rows.append((number, texts, text_geometry))
    table.details["repaired"] = str(repaired)
    table.batches = row_batches(columns, rows)
    return table


def json_depth(data: bytes) -> int:
    """The deepest nesting of arrays and objects in JSON text, brackets inside strings not
    counted: one vectorised pass over its bytes, before any parser recurses into it."""
    b = np.frombuffer(data, np.uint8)
    if not len(b):
        return 0
    backslash = b == 0x5C
    quote = b == 0x22
    if backslash.any():
        # a quote preceded by an odd run of backslashes is escaped, not the end of a string
        idx = np.arange(len(b))
        last_other = np.maximum.accumulate(np.where(backslash, -1, idx))
        run = np.zeros(len(b), np.int64)
        run[1:] = idx[:-1] - last_other[:-1]
        quote &= run % 2 == 0
    inside = (np.cumsum(quote) % 2 == 1) & ~quote
    step = (((b == 0x5B) | (b == 0x7B)).astype(np.int8)
            - ((b == 0x5D) | (b == 0x7D)).astype(np.int8))
    step[inside] = 0
    return int(np.cumsum(step, dtype=np.int64).max(initial=0))


def _features(doc: Any, where: Where) -> list[Any]:
    kind = doc.get("type") if isinstance(doc, dict) else type(doc).__name__
    if kind != "FeatureCollection" or not isinstance(doc.get("features"), list):
        raise FileRejected(
            "not_feature_collection",
            f"the JSON is a {kind or 'object without type'}, not a GeoJSON FeatureCollection "
            "with a list of features",
            where,
            hint='expected {"type": "FeatureCollection", "features": [...]}',
        )
    if not doc["features"]:
        raise FileRejected("no_rows", "the FeatureCollection has no features", where)
    return doc["features"]


def _feature_polygon(
    feature: Any, number: int, table: RawTable, path: Path
) -> tuple[Any, str | None] | None:
    """The feature's polygon and its text (``None`` when repaired); ``None`` and a malformed row
    when it has none. Raises ``not_wgs84`` for coordinates outside longitude/latitude."""
    raw = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))[:2000]
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        table.malformed.append(
            Malformed(number, raw, "not_a_feature", f"item {number} is not a GeoJSON Feature")
        )
        return None
    geometry = feature.get("geometry")
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in _POLYGONAL:
        what = f"a {kind} geometry" if kind else "no geometry"
        table.malformed.append(
            Malformed(
                number, raw, "wrong_geometry",
                f"feature {number} has {what}; expected Polygon or MultiPolygon",
            )
        )
        return None
    try:
        polygon = shape(geometry)
    except Exception as exc:  # shapely raises several kinds on bad coordinate arrays
        table.malformed.append(
            Malformed(
                number, raw, "wrong_geometry",
                f"feature {number}: the coordinates do not form a polygon ({exc})",
            )
        )
        return None
    _check_lonlat(polygon, Where(str(path), row=number))
    if polygon.is_valid:
        return polygon, json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
    fixed = polygonal_part(polygon)
    if fixed is None:
        table.malformed.append(
            Malformed(
                number, raw, "wrong_geometry",
                f"feature {number}: the polygon is invalid and has no area once repaired",
            )
        )
        return None
    return fixed, None


def _plain(value: Any) -> Any:
    return json.dumps(value, ensure_ascii=False) if isinstance(value, dict | list) else value


def polygonal_part(geometry: Any) -> Any | None:
    """``shapely.make_valid(geometry)`` reduced to its polygons; ``None`` when none is left."""
    fixed = shapely.make_valid(geometry)
    polygons = [
        p
        for part in shapely.get_parts(fixed)
        for p in shapely.get_parts(part)
        if p.geom_type == "Polygon" and not p.is_empty
    ]
    if not polygons:
        return None
    return polygons[0] if len(polygons) == 1 else MultiPolygon(polygons)


def _check_lonlat(geometry: Any, where: Where, what: str = "") -> None:
    xmin, ymin, xmax, ymax = shapely.bounds(geometry)
    if np.isnan(xmin):
        return
    if xmin < -180 or xmax > 180 or ymin < -90 or ymax > 90:
        raise FileRejected(
            "not_wgs84",
            f"{what}coordinates up to ({xmax:.6g}, {ymax:.6g}) lie outside longitude -180..180 / "
            f"latitude -90..90: {_PROJECTED}",
            where,
            hint="reproject to WGS84 (EPSG:4326), or deliver the shapefile with its .prj",
        )


def row_batches(
    columns: list[str], rows: Iterable[tuple[int, list[str], str]]
) -> Iterator[pa.RecordBatch]:
    """Record batches of ``(row number, attribute texts, geometry text)`` rows."""
    values: list[list[str]] = [[] for _ in columns]
    numbers: list[int] = []
    for number, texts, geometry in rows:
        for column, text in zip(values, [*texts, geometry], strict=True):
            column.append(text)
        numbers.append(number)
        if len(numbers) >= _BATCH:
            yield string_batch(columns, values, numbers)
            values, numbers = [[] for _ in columns], []
    if numbers:
        yield string_batch(columns, values, numbers)


# --- ESRI shapefile ------------------------------------------------------------------------


def read_shapefile(facts: FileFacts, options: ReadOptions) -> RawTable:
    """Read an ESRI shapefile of polygons as a :class:`RawTable` (``_row`` = record number),
    reprojected from its ``.prj`` coordinate system (Belgian Lambert 72 or other) to WGS84."""
    path = facts.path
    where = Where(str(path))
    prj = _sibling(path, ".prj")
    if prj is None:
        raise FileRejected(
            "no_projection",
            f"{path.stem}.prj missing: cannot tell the coordinate system; expected EPSG:31370 "
            "or WGS84",
            where,
            hint="deliver the .prj file that came with the .shp",
        )
    dbf = _sibling(path, ".dbf")
    if dbf is None:
        raise FileRejected(
            "no_attributes",
            f"{path.stem}.dbf missing: the shapefile's attribute table is needed",
            where,
            hint="deliver the .dbf (and .shx) files that came with the .shp",
        )
    source, label = _source_crs(prj, where)
    encoding = _dbf_encoding(path, dbf)
    try:
        reader = shapefile.Reader(
            shp=path, shx=_sibling(path, ".shx"), dbf=dbf, encoding=encoding,
            encodingErrors="replace",
        )
    except Exception as exc:  # pyshp raises its own and struct errors on broken files
        raise FileRejected(
            "unreadable_shapefile", f"the shapefile cannot be read: {exc}", where
        ) from None
    try:
        _check_extent(reader, source, where)
        names = [f.name for f in reader.fields if f.name != "DeletionFlag"]
        columns = header_names([*names, "geometry"], where)
    except BaseException:
        reader.close()
        raise
    table = RawTable(
        path=path,
        format="shapefile",
        columns=columns,
        batches=iter(()),
        first_data_row=1,
        details={"crs": label, "encoding": encoding, "repaired": "0"},
    )
    to_wgs84 = None
    if source is not None:
        to_wgs84 = pyproj.Transformer.from_crs(source, WGS84, always_xy=True)
    table.batches = _shape_batches(reader, table, to_wgs84, options.decimal)
    return table


def _sibling(path: Path, suffix: str) -> Path | None:
    for candidate in (path.with_suffix(suffix), path.with_suffix(suffix.upper())):
        if candidate.is_file():
            return candidate
    return None


def _source_crs(prj: Path, where: Where) -> tuple[pyproj.CRS | None, str]:
    """The CRS to reproject from (``None`` when already WGS84) and its label for details."""
    wkt = prj.read_text(encoding="latin-1").strip()
    if "Belge_1972" in wkt or "Lambert_72" in wkt:
        return pyproj.CRS.from_epsg(31370), "EPSG:31370 -> EPSG:4326"
    try:
        crs = pyproj.CRS.from_wkt(wkt)
    except pyproj.exceptions.CRSError as exc:
        raise FileRejected(
            "unknown_projection",
            f"the .prj cannot be read as a coordinate system ({exc}); expected EPSG:31370 or "
            "WGS84",
            where,
        ) from None
    epsg = crs.to_epsg()
    if epsg == 31370:
        return pyproj.CRS.from_epsg(31370), "EPSG:31370 -> EPSG:4326"
    if epsg == 4326 or (crs.is_geographic and crs.datum and "WGS" in crs.datum.name
                        and "84" in crs.datum.name):
        return None, WGS84
    if epsg is not None:
        return pyproj.CRS.from_epsg(epsg), f"EPSG:{epsg} -> EPSG:4326"
    return crs, f"{crs.name} -> EPSG:4326"


def _dbf_encoding(path: Path, dbf: Path) -> str:
    """The .dbf text encoding: from the .cpg when it names one, else UTF-8 when every text
    decodes, else Windows-1252."""
    cpg = _sibling(path, ".cpg")
    if cpg is not None:
        name = cpg.read_text(encoding="ascii", errors="ignore").strip().lower()
        name = name.removeprefix("ansi ").strip()
        name = f"cp{name}" if name.isdigit() else name
        try:
            return codecs.lookup(name).name
        except LookupError:
            pass
    try:
        with shapefile.Reader(dbf=dbf, encoding="utf-8") as probe:
            for _ in probe.iterRecords():
                pass
        return "utf-8"
    except Exception:  # a text field is not UTF-8 (pyshp wraps the decode error)
        return "cp1252"


def _check_extent(reader: shapefile.Reader, source: pyproj.CRS | None, where: Where) -> None:
    """Compare the shapefile's bounding box with what its .prj claims."""
    if reader.numRecords == 0:
        raise FileRejected("no_rows", "the shapefile has no records", where)
    xmin, ymin, xmax, ymax = reader.bbox
    lonlat = -180 <= xmin <= xmax <= 180 and -90 <= ymin <= ymax <= 90
    if source is None and not lonlat:
        raise FileRejected(
            "not_wgs84",
            f"the .prj says WGS84 but the coordinates reach ({xmax:.6g}, {ymax:.6g}): "
            + _PROJECTED,
            where,
            hint="deliver the .prj that belongs to the data",
        )
    if source is not None and source.is_projected and lonlat and xmax - xmin < 360:
        raise FileRejected(
            "wrong_projection",
            f"the .prj says {source.name} but the coordinates ({xmin:.6g}, {ymin:.6g}) .. "
            f"({xmax:.6g}, {ymax:.6g}) look like longitude/latitude",
            where,
            hint="deliver the .prj that belongs to the data",
        )


def _shape_batches(
    reader: shapefile.Reader,
    table: RawTable,
    to_wgs84: pyproj.Transformer | None,
    decimal: str,
) -> Iterator[pa.RecordBatch]:
    records = zip(reader.iterShapes(), reader.iterRecords(deleted_as_None=True), strict=False)
    pending: list[tuple[int, list[str], Any]] = []
    seen = 0
    try:
        for number, (shp, record) in enumerate(records, start=1):
            if record is None:
                continue  # deleted in the .dbf
            texts = [value_text(v, decimal) for v in record]
            geometry = _shape_geometry(shp, number, texts, table)
            if geometry is None:
                continue
            pending.append((number, texts, geometry))
            if len(pending) >= _BATCH:
                seen += len(pending)
                yield from row_batches(table.columns, finish_polygons(pending, to_wgs84, table))
                pending = []
        if pending:
            seen += len(pending)
            yield from row_batches(table.columns, finish_polygons(pending, to_wgs84, table))
    finally:
        reader.close()
    if seen == 0 and not table.malformed:
        raise FileRejected("no_rows", "the shapefile has no records", Where(str(table.path)))


def _shape_geometry(shp: Any, number: int, texts: list[str], table: RawTable) -> Any | None:
    empty = shp is None or shp.shapeType == shapefile.NULL
    gi = None if empty else shp.__geo_interface__
    kind = gi.get("type") if isinstance(gi, dict) else None
    if kind in _POLYGONAL:
        try:
            return shape(gi)
        except Exception as exc:  # bad rings
            reason = f"record {number}: the coordinates do not form a polygon ({exc})"
    else:
        what = f"a {kind} shape" if kind else "no shape"
        reason = f"record {number} has {what}; expected Polygon or MultiPolygon"
    table.malformed.append(Malformed(number, "\t".join(texts)[:2000], "wrong_geometry", reason))
    return None


def finish_polygons(
    pending: list[tuple[int, list[str], Any]],
    to_wgs84: pyproj.Transformer | None,
    table: RawTable,
) -> Iterator[tuple[int, list[str], str]]:
    """Reproject a chunk of shapes at once, repair invalid ones, yield rows with GeoJSON text."""
    geoms = np.array([g for _, _, g in pending], dtype=object)
    if to_wgs84 is not None:

        def project(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            lon, lat = to_wgs84.transform(x, y)
            return np.round(lon, 6), np.round(lat, 6)

        geoms = shapely.transform(geoms, project, interleaved=False)
    bounds = shapely.bounds(geoms)
    bad = ~np.isfinite(bounds).all(axis=1) & ~shapely.is_empty(geoms)
    bad |= (bounds[:, 0] < -180) | (bounds[:, 2] > 180) | (bounds[:, 1] < -90) | (bounds[:, 3] > 90)
    if bad.any():
        number = pending[int(np.flatnonzero(bad)[0])][0]
        _check_lonlat(geoms[bad][0], Where(str(table.path), row=number), "after reprojection ")
        raise FileRejected(
            "not_wgs84",
            f"record {number} cannot be reprojected to longitude/latitude",
            Where(str(table.path), row=number),
        )
    valid = shapely.is_valid(geoms)
    texts = shapely.to_geojson(geoms)
    repaired = int(table.details.get("repaired", "0"))
    for i, (number, attrs, _) in enumerate(pending):
        text = texts[i]
        if not valid[i]:
            fixed = polygonal_part(geoms[i])
            if fixed is None:
                table.malformed.append(
                    Malformed(
                        number, "\t".join(attrs)[:2000], "wrong_geometry",
                        f"record {number}: the polygon is invalid and has no area once repaired",
                    )
                )
                continue
            if to_wgs84 is not None:  # the repair may add vertices: round them too
                fixed = shapely.transform(fixed, lambda c: np.round(c, 6))
            repaired += 1
            text = shapely.to_geojson(fixed)
        yield number, attrs, text
    table.details["repaired"] = str(repaired)
