"""A gzip-compressed file loads exactly as the file itself, and a GeoPackage layer loads to the
same areas and polygons as the GeoJSON it was made from, in the coordinate system it declares.
(Bad ones, a gzip bomb and damaged files among them, are in tests/test_nasty_robustness.py.)"""

from __future__ import annotations

import os
import shutil
import tempfile
import time

import pytest
import shapely

from core.errors import FileRejected
from core.warehouse import Warehouse
from etl.load import load_file
from tests.conftest import open_data, query
from tests.nasty import packed


@pytest.fixture(scope="module")
def aalst_top(tmp_path_factory) -> Warehouse:
    """Aalst's gemeente and deelgemeenten: the parents the wijken name."""
    wh = Warehouse(tmp_path_factory.mktemp("aalst_top") / "ivm.duckdb")
    wh.init()
    for name in ["aalst_gemeente.geojson", "aalst_deelgemeenten.geojson"]:
        load_file(wh, "areas", open_data("be-aalst-areas", name), after=False)
    return wh


def _copy(wh: Warehouse, folder) -> Warehouse:
    target = folder / "copy.duckdb"
    shutil.copy(wh.path, target)
    return Warehouse(target)


def _areas(wh: Warehouse) -> dict[str, tuple]:
    rows = query(wh, "SELECT area_id, name, level, geometry FROM area WHERE level = 'wijk'")
    links = query(wh, "SELECT area_id, parent_id FROM area_link ORDER BY ALL")
    return {a: (n, lvl, shapely.from_geojson(g), sorted(p for c, p in links if c == a))
            for a, n, lvl, g in rows}


@pytest.mark.parametrize("epsg", [31370, 4326])
def test_a_geopackage_layer_loads_to_the_same_areas_and_polygons_as_its_geojson(
    aalst_top: Warehouse, tmp_path, epsg: int
) -> None:
    source = open_data("be-aalst-areas", "aalst_wijken.geojson")
    gpkg = packed.geopackage_from_geojson(source, tmp_path / f"wijken_{epsg}.gpkg", epsg)
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    by_json, by_gpkg = _copy(aalst_top, tmp_path / "a"), _copy(aalst_top, tmp_path / "b")

    load_file(by_json, "areas", source, after=False)
    result = load_file(by_gpkg, "areas", gpkg, after=False)

    assert (result.counts.read, result.counts.loaded, result.counts.quarantined) == (16, 16, 0)
    expected, found = _areas(by_json), _areas(by_gpkg)
    assert sorted(found) == sorted(expected) and len(found) == 16
    for code, (name, level, polygon, parents) in expected.items():
        assert found[code][0:2] == (name, level)
        assert found[code][3] == parents
        # to Lambert 72 and back, rounded to 1e-6 degree (about 10 cm): the same polygon
        assert shapely.hausdorff_distance(found[code][2], polygon) < 2e-6, code
        assert abs(found[code][2].area - polygon.area) < 1e-6 * polygon.area


def test_a_geopackage_of_several_polygon_layers_is_read_by_the_layer_the_profile_names(
    aalst_top: Warehouse, tmp_path
) -> None:
    source = open_data("be-aalst-areas", "aalst_wijken.geojson")
    gpkg = packed.geopackage_from_geojson(source, tmp_path / "lagen.gpkg", 31370, layer="wijken")
    packed.geopackage_from_geojson(open_data("be-aalst-areas", "aalst_deelgemeenten.geojson"),
                                   tmp_path / "dg.gpkg", 31370)
    import pyogrio.raw

    meta, _, geometry, fields = pyogrio.raw.read(tmp_path / "dg.gpkg")
    pyogrio.raw.write(gpkg, geometry=geometry, field_data=fields, fields=meta["fields"],
                      crs=meta["crs"], driver="GPKG", layer="deelgemeenten",
                      geometry_type="MultiPolygon", append=False)
    wh = _copy(aalst_top, tmp_path)

    with pytest.raises(FileRejected) as refused:
        load_file(wh, "areas", gpkg, after=False)
    assert refused.value.code == "several_layers"
    assert "deelgemeenten" in refused.value.one_line() and "wijken" in refused.value.one_line()

    profile = tmp_path / "lagen.yaml"
    profile.write_text(
        "spec: 1\nname: lagen\nlayer: wijken\nkinds:\n  areas:\n    source: areas\n"
        "    columns: {code: code, name: naam}\n    parents: [gemeente]\n"
        "    level_by_code: {'^\\d{5}W': wijk}\n"
    )
    result = load_file(wh, "areas", gpkg, profile=str(profile), after=False)
    assert (result.counts.loaded, result.counts.quarantined) == (16, 0)


def test_a_gzipped_police_extract_loads_exactly_as_the_extract_itself(
    tmp_path, monkeypatch
) -> None:
    unpacked = tmp_path / "tmp"
    unpacked.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(unpacked))
    tsv = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    wards = open_data("uk-police-lancashire", "lancashire_wards_2022.geojson")
    base = Warehouse(tmp_path / "base.duckdb")
    base.init()
    load_file(base, "areas", wards, profile="police-uk-extract", after=False)
    (tmp_path / "p").mkdir()
    (tmp_path / "g").mkdir()
    plain, gz = _copy(base, tmp_path / "p"), _copy(base, tmp_path / "g")

    a = load_file(plain, "nuisance", tsv, profile="police-uk-extract", after=False)
    b = load_file(gz, "nuisance", packed.gzipped(tsv, tmp_path), profile="police-uk-extract",
                  after=False)

    assert (b.counts.read, b.counts.loaded, b.counts.quarantined) == (56434, 56434, 0)
    assert (b.counts.period_start, b.counts.cutoff) == (a.counts.period_start, a.counts.cutoff)
    per_ward = ("SELECT area_id, type, count(*), min(reported_at), max(reported_at) "
                "FROM nuisance GROUP BY ALL ORDER BY ALL")
    assert query(gz, per_ward) == query(plain, per_ward)
    assert list(unpacked.iterdir()) == [], "the unpacked copy is removed once read"
    # a copy a killed load left behind a day ago goes with the next load; a recent one stays
    stale, recent = unpacked / "ivm-gunzip-killed", unpacked / "ivm-gunzip-running"
    for folder, age in [(stale, 25 * 3600), (recent, 3600)]:
        folder.mkdir()
        (folder / "lancashire_asb_2022.tsv").write_text("month\n")
        os.utime(folder, (time.time() - age, time.time() - age))
    # the compressed file is the same delivery as the file itself: its rows are not counted twice
    again = load_file(plain, "nuisance", packed.gzipped(tsv, tmp_path / "p"),
                      profile="police-uk-extract", after=False)
    assert (again.counts.loaded, again.counts.skipped) == (0, 56434)
    assert list(unpacked.iterdir()) == [recent]
    assert query(plain, per_ward) == query(gz, per_ward)


def test_features_of_a_geopackage_that_are_no_polygons_are_quarantined_with_their_reason(
    aalst_top: Warehouse, tmp_path
) -> None:
    import numpy as np
    import pyogrio.raw

    from etl.inspect import quarantine_rows

    gpkg = tmp_path / "punten.gpkg"
    points = shapely.to_wkb(np.array([shapely.Point(4.03, 50.93), shapely.Point(4.05, 50.94)]))
    pyogrio.raw.write(gpkg, geometry=points, field_data=[np.array(["41002W91", "41002W92"],
                                                                   dtype=object)],
                      fields=["code"], crs="EPSG:4326", driver="GPKG", layer="punten",
                      geometry_type="Point")
    wh = _copy(aalst_top, tmp_path)

    result = load_file(wh, "areas", gpkg, after=False)

    assert (result.counts.read, result.counts.loaded, result.counts.quarantined) == (2, 0, 2)
    rows = quarantine_rows(wh, result.load_id)
    assert [r["reason_codes"] for r in rows] == ["wrong_geometry", "wrong_geometry"]
    assert "feature 1 has a Point; expected Polygon or MultiPolygon" in rows[0]["reasons"]
