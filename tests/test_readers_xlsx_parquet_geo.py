"""Readers for XLSX, Parquet, GeoJSON and shapefiles: text columns, row numbers, rejections."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from decimal import Decimal
from pathlib import Path
from typing import Any

import openpyxl
import pyarrow as pa
import pyarrow.parquet as pq
import pyproj
import pytest
import shapefile
import shapely

from core.errors import FileRejected
from core.settings import open_data_dir
from etl.readers.base import ROW, RawTable, ReadOptions, read_table
from etl.readers.sniff import inspect_file

AALST_WIJKEN = open_data_dir() / "be-aalst-areas" / "aalst_wijken.geojson"


def read(path: Path, **options: Any) -> RawTable:
    return read_table(inspect_file(path), ReadOptions(**options))


def rows(table: RawTable) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for batch in table.batches:
        assert batch.schema.names == [*table.columns, ROW]
        assert all(batch.column(i).null_count == 0 for i in range(batch.num_columns))
        assert all(batch.schema.field(c).type == pa.string() for c in table.columns)
        assert batch.schema.field(ROW).type == pa.int64()
        out.extend(batch.to_pylist())
    return out


def rejected(path: Path, **options: Any) -> FileRejected:
    with pytest.raises(FileRejected) as info:
        rows(read(path, **options))
    return info.value


# --- XLSX --------------------------------------------------------------------------------


def save(tmp_path: Path, data: list[list[Any]], name: str = "data.xlsx") -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Feiten"
    for line in data:
        ws.append(line)
    path = tmp_path / name
    wb.save(path)
    return path


def patch_sheet(path: Path, old: str, new: str) -> None:
    """Replace text in the first sheet's XML (to fake what Excel writes)."""
    with zipfile.ZipFile(path) as zin:
        parts = {i.filename: zin.read(i.filename) for i in zin.infolist()}
    xml = parts["xl/worksheets/sheet1.xml"].decode()
    assert old in xml
    parts["xl/worksheets/sheet1.xml"] = xml.replace(old, new).encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for name, data in parts.items():
            zout.writestr(name, data)


def test_xlsx_title_rows_above_header(tmp_path: Path) -> None:
    path = save(
        tmp_path,
        [
            ["Veiligheidsmonitor Aalst 2024"],
            [],
            ["Bron: lokale politie"],
            ["datum", "feit", "aantal"],
            ["2024-01-03", "diefstal", 2],
            [None, None, None],
            ["2024-01-04", "vandalisme", 1],
        ],
    )
    table = read(path)
    assert table.format == "xlsx"
    assert table.columns == ["datum", "feit", "aantal"]
    assert table.details == {"sheet": "Feiten", "header_row": "4"}
    assert table.first_data_row == 5
    assert rows(table) == [
        {"datum": "2024-01-03", "feit": "diefstal", "aantal": "2", ROW: 5},
        {"datum": "2024-01-04", "feit": "vandalisme", "aantal": "1", ROW: 7},
    ]
    assert table.malformed == []


def test_xlsx_header_found_by_expected_columns(tmp_path: Path) -> None:
    data = [["Periode:", "2024"], ["Opgemaakt:", "maart"], ["Datum ", "FEIT"], ["2024-01-03", "x"]]
    path = save(tmp_path, data)
    assert read(path).details["header_row"] == "1"  # first row with two filled cells
    table = read(path, expected_columns=("datum", "feit"))
    assert table.details["header_row"] == "3"
    assert table.columns == ["Datum", "FEIT"]
    assert rows(table) == [{"Datum": "2024-01-03", "FEIT": "x", ROW: 4}]


def test_xlsx_merged_and_blank_header_cells(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "adres", None, "", "gemeente", None])
    ws.merge_cells("B1:C1")
    ws.merge_cells("E1:F1")
    ws.append([1, "Markt", "12", "x", "Aalst", "9300"])
    path = tmp_path / "merged.xlsx"
    wb.save(path)
    table = read(path)
    assert table.columns == ["id", "adres", "column_3", "column_4", "gemeente", "column_6"]
    assert rows(table) == [
        {"id": "1", "adres": "Markt", "column_3": "12", "column_4": "x", "gemeente": "Aalst",
         "column_6": "9300", ROW: 2}
    ]


def test_xlsx_numbers_as_text_and_native(tmp_path: Path) -> None:
    data = [
        ["tekst", "getal"],
        ["12,5", 12.0],
        [" 007 ", 12.5],
        ["1.234,5", 1e-7],
        ["ja", 7],
        ["nee", True],
        ["x", -3.25],
    ]
    path = save(tmp_path, data)
    got = [(r["tekst"], r["getal"]) for r in rows(read(path))]
    assert got == [
        ("12,5", "12"),
        (" 007 ", "12,5"),
        ("1.234,5", "0,0000001"),
        ("ja", "7"),
        ("nee", "true"),
        ("x", "-3,25"),
    ]
    dotted = [r["getal"] for r in rows(read(path, decimal="."))]
    assert dotted == ["12", "12.5", "0.0000001", "7", "true", "-3.25"]


def test_xlsx_dates_and_times(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["wanneer", "uur"])
    ws.append([dt.datetime(2024, 3, 1), dt.time(8, 15)])
    ws.append([dt.datetime(2024, 3, 1, 14, 30, 5), dt.time(23, 59, 59)])
    ws.append([dt.datetime(2024, 3, 2), None])
    ws["A2"].number_format = "dd/mm/yyyy"
    ws["A4"].number_format = "yyyy-mm-dd hh:mm"
    path = tmp_path / "dates.xlsx"
    wb.save(path)
    got = [(r["wanneer"], r["uur"]) for r in rows(read(path))]
    assert got == [
        ("2024-03-01", "08:15:00"),
        ("2024-03-01 14:30:05", "23:59:59"),
        ("2024-03-02 00:00:00", ""),
    ]


def test_xlsx_formula_without_cached_value_is_malformed(tmp_path: Path) -> None:
    path = save(tmp_path, [["a", "b", "som"], [1, 2, "=A2+B2"], [3, 4, 7]])
    table = read(path)
    assert rows(table) == [{"a": "3", "b": "4", "som": "7", ROW: 3}]
    [bad] = table.malformed
    assert (bad.row, bad.code) == (2, "formula_without_value")
    assert "C2" in bad.reason and "=A2+B2" in bad.reason
    assert bad.raw == "1\t2\t=A2+B2"


def test_xlsx_formula_with_cached_value(tmp_path: Path) -> None:
    path = save(tmp_path, [["a", "b", "som"], [1, 2, "=A2+B2"], [3, 9, '=IF(B3>5,"","x")']])
    patch_sheet(path, "<f>A2+B2</f><v />", "<f>A2+B2</f><v>3</v>")
    patch_sheet(path, '<c r="C3"><f>', '<c r="C3" t="str"><f>')
    table = read(path)
    assert rows(table) == [
        {"a": "1", "b": "2", "som": "3", ROW: 2},
        {"a": "3", "b": "9", "som": "", ROW: 3},
    ]
    assert table.malformed == []


def test_xlsx_too_many_fields(tmp_path: Path) -> None:
    data: list[list[Any]] = [["id", "naam"]] + [[i, f"n{i}"] for i in range(1, 41)]
    data[35] = [35, "n35", None, None, "opmerking"]  # sheet row 36, beyond the look-ahead
    table = read(save(tmp_path, data))
    got = rows(table)
    assert len(got) == 39 and table.columns == ["id", "naam"]
    [bad] = table.malformed
    assert (bad.row, bad.code) == (36, "too_many_fields")
    assert "E36" in bad.reason


def test_xlsx_sheet_choice(tmp_path: Path) -> None:
    wb = openpyxl.Workbook()
    wb.active.title = "Info"
    wb.active.append(["over", "dit bestand"])
    wb.active.append(["x", "y"])
    data = wb.create_sheet("Data")
    data.append(["code", "waarde"])
    data.append(["A", 1])
    path = tmp_path / "sheets.xlsx"
    wb.save(path)
    assert read(path).details["sheet"] == "Info"
    table = read(path, sheet="data ")
    assert table.details["sheet"] == "Data"
    assert rows(table) == [{"code": "A", "waarde": "1", ROW: 2}]
    err = rejected(path, sheet="Feiten")
    assert err.code == "unknown_sheet"
    assert "'Info', 'Data'" in err.message


def test_xlsx_header_without_rows(tmp_path: Path) -> None:
    err = rejected(save(tmp_path, [["Titel"], ["a", "b"], [None, None]]))
    assert err.code == "no_rows"
    assert err.message == "the sheet has a header but no data rows"


def test_xlsx_not_a_zip(tmp_path: Path) -> None:
    path = tmp_path / "fake.xlsx"
    path.write_text("datum;feit\n2024-01-01;x\n")
    err = rejected(path)
    assert err.code == "not_xlsx"
    assert "not a zip archive" in err.message
    other = tmp_path / "other.xlsx"
    with zipfile.ZipFile(other, "w") as zf:
        zf.writestr("readme.txt", "hello")
    assert rejected(other).code == "not_xlsx"


def test_xlsx_zip_bomb_total_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IVM_MAX_XLSX_MB", "1")
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (5 << 20))
    err = rejected(path)
    assert err.code == "zip_bomb"
    assert "1 MiB" in err.message


def test_xlsx_zip_bomb_ratio(tmp_path: Path) -> None:
    path = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/workbook.xml", "<workbook/>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            chunk = b"\0" * (1 << 20)
            for _ in range(12):
                part.write(chunk)
    err = rejected(path)
    assert err.code == "zip_bomb"
    assert "sheet1.xml" in err.message


# --- Parquet -----------------------------------------------------------------------------


def test_parquet_mixed_types_and_nulls(tmp_path: Path) -> None:
    table = pa.table(
        {
            "id": pa.array([1, None, 3], pa.int64()),
            "bedrag": pa.array([1.5, 2.0, None], pa.float64()),
            "klein": pa.array([1e-7, 1e20, float("nan")], pa.float64()),
            "naam": pa.array(["a", None, "c"], pa.string()),
            "vlag": pa.array([True, False, None]),
            "tijd": pa.array(
                [dt.datetime(2024, 3, 1, 14, 30), None, dt.datetime(2024, 3, 2)],
                pa.timestamp("ms"),
            ),
            "dag": pa.array([dt.date(2024, 3, 1), None, dt.date(2024, 12, 31)], pa.date32()),
            "prijs": pa.array([Decimal("12.50"), None, Decimal("-3.10")], pa.decimal128(6, 2)),
            "cat": pa.array(["x", "y", None]).dictionary_encode(),
        }
    )
    path = tmp_path / "mixed.parquet"
    pq.write_table(table, path)
    raw = read(path)
    assert raw.format == "parquet"
    assert raw.details == {"rows": "3"}
    assert raw.columns == table.column_names
    assert rows(raw) == [
        {"id": "1", "bedrag": "1,5", "klein": "0,0000001", "naam": "a", "vlag": "true",
         "tijd": "2024-03-01 14:30:00", "dag": "2024-03-01", "prijs": "12,50", "cat": "x",
         ROW: 1},
        {"id": "", "bedrag": "2", "klein": "100000000000000000000", "naam": "", "vlag": "false",
         "tijd": "", "dag": "", "prijs": "", "cat": "y", ROW: 2},
        {"id": "3", "bedrag": "", "klein": "", "naam": "c", "vlag": "",
         "tijd": "2024-03-02 00:00:00", "dag": "2024-12-31", "prijs": "-3,10", "cat": "",
         ROW: 3},
    ]
    assert [r["bedrag"] for r in rows(read(path, decimal="."))] == ["1.5", "2", ""]


def test_parquet_batches_and_row_numbers(tmp_path: Path) -> None:
    path = tmp_path / "big.parquet"
    pq.write_table(pa.table({"n": pa.array(range(120_000), pa.int32())}), path)
    raw = read(path)
    batches = list(raw.batches)
    assert all(b.num_rows <= 65_536 for b in batches) and len(batches) >= 2
    numbers = [n for b in batches for n in b.column(ROW).to_pylist()]
    assert numbers == list(range(1, 120_001))
    assert batches[-1].column("n").to_pylist()[-1] == "119999"


def test_not_parquet(tmp_path: Path) -> None:
    path = tmp_path / "fake.parquet"
    path.write_text("a,b\n1,2\n")
    assert rejected(path).code == "not_parquet"


# --- GeoJSON -----------------------------------------------------------------------------

SQUARE = {"type": "Polygon", "coordinates": [[[4.0, 50.9], [4.1, 50.9], [4.1, 51.0], [4.0, 50.9]]]}


def feature(geometry: Any, **props: Any) -> dict[str, Any]:
    return {"type": "Feature", "properties": props, "geometry": geometry}


def write_geojson(tmp_path: Path, features: list[Any], name: str = "areas.geojson") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    return path


def test_geojson_points_are_wrong_geometry(tmp_path: Path) -> None:
    path = write_geojson(
        tmp_path,
        [
            feature(SQUARE, code="W1", naam="Centrum"),
            feature({"type": "Point", "coordinates": [4.03, 50.93]}, code="P1"),
            feature(None, code="N1", oppervlakte=1.5),
            feature(SQUARE, naam="Zuid", code="W2", oppervlakte=2.25),
        ],
    )
    raw = read(path)
    assert raw.format == "geojson"
    assert raw.columns == ["code", "naam", "oppervlakte", "geometry"]
    got = rows(raw)
    assert [(r["code"], r["naam"], r["oppervlakte"], r[ROW]) for r in got] == [
        ("W1", "Centrum", "", 1),
        ("W2", "Zuid", "2,25", 4),
    ]
    assert json.loads(got[0]["geometry"]) == SQUARE
    assert [(m.row, m.code) for m in raw.malformed] == [
        (2, "wrong_geometry"),
        (3, "wrong_geometry"),
    ]
    assert "Point" in raw.malformed[0].reason
    assert raw.details["repaired"] == "0"


def test_geojson_projected_coordinates_rejected(tmp_path: Path) -> None:
    lambert = {
        "type": "Polygon",
        "coordinates": [[[127000, 180000], [128000, 180000], [128000, 181000], [127000, 180000]]],
    }
    err = rejected(write_geojson(tmp_path, [feature(SQUARE), feature(lambert)]))
    assert err.code == "not_wgs84"
    assert err.where.row == 2
    assert "Lambert 72" in err.message and "WGS84" in err.message


def test_geojson_invalid_polygon_repaired(tmp_path: Path) -> None:
    bowtie = {
        "type": "Polygon",
        "coordinates": [[[4.0, 50.9], [4.1, 51.0], [4.1, 50.9], [4.0, 51.0], [4.0, 50.9]]],
    }
    raw = read(write_geojson(tmp_path, [feature(bowtie, code="B")]))
    [row] = rows(raw)
    assert raw.details["repaired"] == "1"
    geometry = shapely.from_geojson(row["geometry"])
    assert geometry.is_valid and geometry.geom_type == "MultiPolygon"
    assert geometry.area == pytest.approx(0.005)


def test_geojson_invalid_json_and_wrong_kind(tmp_path: Path) -> None:
    bad = tmp_path / "bad.geojson"
    bad.write_text('{"type": "FeatureCollection",\n "features": [,]}')
    err = rejected(bad)
    assert err.code == "invalid_json"
    assert "line 2" in err.message and err.where.row == 2
    single = tmp_path / "single.geojson"
    single.write_text(json.dumps(feature(SQUARE)))
    err = rejected(single)
    assert err.code == "not_feature_collection"
    assert "Feature" in err.message


def test_geojson_real_aalst_wijken() -> None:
    if not AALST_WIJKEN.exists():
        pytest.skip(f"{AALST_WIJKEN} not available")
    raw = read(AALST_WIJKEN)
    assert raw.columns == ["code", "naam", "naam_lang", "gemeente", "geometry"]
    got = rows(raw)
    assert len(got) == 16 and raw.malformed == []
    assert [r[ROW] for r in got] == list(range(1, 17))
    assert all(r["gemeente"] == "41002" and r["code"].startswith("41002W") for r in got)
    polygons = shapely.from_geojson([r["geometry"] for r in got])
    assert all(shapely.is_valid(polygons))
    lon, lat = shapely.union_all(polygons).centroid.coords[0]
    assert 3.9 < lon < 4.2 and 50.85 < lat < 51.0


# --- Shapefile ---------------------------------------------------------------------------


def write_shapefile(
    tmp_path: Path, rings: list[list[list[float]]], crs: int | None, name: str = "wijken"
) -> Path:
    base = tmp_path / name
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON) as w:
        w.field("code", "C", size=10)
        w.field("naam", "C", size=40)
        w.field("opp", "N", size=12, decimal=3)
        for i, ring in enumerate(rings, start=1):
            w.poly([ring])
            w.record(f"W{i}", "Aalst Zuid", 1.5 * i)
    if crs is not None:
        wkt = pyproj.CRS.from_epsg(crs).to_wkt(pyproj.enums.WktVersion.WKT1_ESRI)
        base.with_suffix(".prj").write_text(wkt)
    return base.with_suffix(".shp")


def lambert_square(x: float, y: float, size: float = 1000) -> list[list[float]]:
    return [[x, y], [x, y + size], [x + size, y + size], [x + size, y], [x, y]]


def test_shapefile_lambert72_reprojected(tmp_path: Path) -> None:
    path = write_shapefile(tmp_path, [lambert_square(127000, 180000)], crs=31370)
    raw = read(path)
    assert raw.format == "shapefile"
    assert raw.columns == ["code", "naam", "opp", "geometry"]
    assert raw.details["crs"] == "EPSG:31370 -> EPSG:4326"
    [row] = rows(raw)
    assert (row["code"], row["naam"], row["opp"], row[ROW]) == ("W1", "Aalst Zuid", "1,5", 1)
    polygon = shapely.from_geojson(row["geometry"])
    assert polygon.geom_type == "Polygon" and polygon.is_valid
    lon, lat = polygon.centroid.coords[0]
    assert lon == pytest.approx(4.04, abs=0.02) and lat == pytest.approx(50.94, abs=0.02)
    for x, y in polygon.exterior.coords:
        assert round(x, 6) == x and round(y, 6) == y


def test_shapefile_without_prj_rejected(tmp_path: Path) -> None:
    path = write_shapefile(tmp_path, [lambert_square(127000, 180000)], crs=None)
    err = rejected(path)
    assert err.code == "no_projection"
    assert ".prj missing" in err.message and "EPSG:31370" in err.message


def test_shapefile_wgs84_kept(tmp_path: Path) -> None:
    ring = [[4.0, 50.9], [4.0, 51.0], [4.1, 51.0], [4.1, 50.9], [4.0, 50.9]]
    raw = read(write_shapefile(tmp_path, [ring], crs=4326))
    assert raw.details["crs"] == "EPSG:4326"
    [row] = rows(raw)
    assert shapely.from_geojson(row["geometry"]).equals(shapely.Polygon(ring))


def test_shapefile_wgs84_prj_with_projected_coordinates(tmp_path: Path) -> None:
    path = write_shapefile(tmp_path, [lambert_square(127000, 180000)], crs=4326)
    assert rejected(path).code == "not_wgs84"


def test_shapefile_points_are_wrong_geometry(tmp_path: Path) -> None:
    base = tmp_path / "punten"
    with shapefile.Writer(str(base), shapeType=shapefile.POINT) as w:
        w.field("code", "C", size=10)
        w.point(127500, 180500)
        w.record("P1")
    wkt = pyproj.CRS.from_epsg(31370).to_wkt(pyproj.enums.WktVersion.WKT1_ESRI)
    base.with_suffix(".prj").write_text(wkt)
    raw = read(base.with_suffix(".shp"))
    assert rows(raw) == []
    [bad] = raw.malformed
    assert (bad.row, bad.code, bad.raw) == (1, "wrong_geometry", "P1")


def test_shapefile_null_shape_bowtie_and_cp1252(tmp_path: Path) -> None:
    base = tmp_path / "mixed"
    with shapefile.Writer(str(base), shapeType=shapefile.POLYGON, encoding="cp1252") as w:
        w.field("naam", "C", size=20)
        w.poly([lambert_square(127000, 180000)])
        w.record("Erembodegem é")
        w.null()
        w.record("leeg")
        x, y = 127000, 180000
        w.poly([[[x, y], [x + 1000, y + 1000], [x + 1000, y], [x, y + 1000], [x, y]]])
        w.record("vlinder")
    for cpg in tmp_path.glob("*.cpg"):
        cpg.unlink()
    wkt = pyproj.CRS.from_epsg(31370).to_wkt(pyproj.enums.WktVersion.WKT1_ESRI)
    base.with_suffix(".prj").write_text(wkt)
    raw = read(base.with_suffix(".shp"))
    got = rows(raw)
    assert [(r["naam"], r[ROW]) for r in got] == [("Erembodegem é", 1), ("vlinder", 3)]
    assert [(m.row, m.code) for m in raw.malformed] == [(2, "wrong_geometry")]
    assert raw.details["encoding"] == "cp1252" and raw.details["repaired"] == "1"
    butterfly = shapely.from_geojson(got[1]["geometry"])
    assert butterfly.is_valid and butterfly.geom_type == "MultiPolygon"
    assert all(round(v, 6) == v for v in shapely.get_coordinates(butterfly).ravel())
