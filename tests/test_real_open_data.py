"""Real open data, read in place from the shared data folder (IVM_OPEN_DATA), never copied:
every row is loaded or quarantined with a reason, and the counts add up to the files."""

from __future__ import annotations

import csv
import json

import pytest

from core.warehouse import Warehouse
from etl.inspect import quarantine_rows
from etl.load import load_file
from tests.conftest import count, open_data


def _rows(path) -> int:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return sum(1 for _ in csv.reader(fh, delimiter="\t" if path.suffix == ".tsv" else ",")) - 1


def _features(path) -> int:
    return len(json.loads(path.read_text(encoding="utf-8"))["features"])


@pytest.fixture(scope="module")
def aalst(tmp_path_factory) -> Warehouse:
    """Aalst: municipality, 9 deelgemeenten, 16 wijken (polygons) and 134 sectors (codes)."""
    wh = Warehouse(tmp_path_factory.mktemp("aalst") / "ivm.duckdb")
    wh.init()
    for name in ["aalst_gemeente.geojson", "aalst_deelgemeenten.geojson",
                 "aalst_wijken.geojson", "aalst_statsec_hierarchie.csv"]:
        result = load_file(wh, "areas", open_data("be-aalst-areas", name))
        assert result.counts.quarantined == 0, name
    return wh


def test_aalst_areas_load_at_every_level(aalst):
    levels = dict(
        aalst.connect_read_only().execute(
            "SELECT level, count(*) FROM area GROUP BY level"
        ).fetchall()
    )
    assert levels == {"gemeente": 1, "deelgemeente": 9, "wijk": 16, "sector": 134}


def test_every_aalst_sector_links_to_its_wijk_and_deelgemeente(aalst):
    hierarchy = open_data("be-aalst-areas", "aalst_statsec_hierarchie.csv")
    with open(hierarchy, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    links = {
        (a, p) for a, p in aalst.connect_read_only().execute(
            "SELECT area_id, parent_id FROM area_link"
        ).fetchall()
    }
    for row in rows:
        assert (row["statsec"], row["wijk"]) in links
        assert (row["statsec"], row["deelgemeente"]) in links


def test_aalst_wijk_polygons_are_stored_as_wgs84_geojson(aalst):
    bounds = aalst.connect_read_only().execute(
        "SELECT min(min_lon), min(min_lat), max(max_lon), max(max_lat) FROM area "
        "WHERE level = 'wijk'"
    ).fetchall()[0]
    assert 3.9 < bounds[0] < bounds[2] < 4.2
    assert 50.8 < bounds[1] < bounds[3] < 51.0


def test_statbel_population_loads_aalst_and_skips_areas_not_in_the_warehouse(aalst):
    path = open_data("be-statbel-bevolking", "bevolking_per_gemeente_2020.csv")
    result = load_file(aalst, "population", path, profile="be-statbel")
    assert result.counts.read == _rows(path) == 638
    assert (result.counts.loaded, result.counts.skipped, result.counts.quarantined) == (1, 637, 0)
    assert count(aalst, "SELECT inhabitants FROM population WHERE area_id = '41002'") == 87332


@pytest.fixture(scope="module")
def lancashire(tmp_path_factory) -> Warehouse:
    """Lancashire wards (2022 boundaries) as areas."""
    wh = Warehouse(tmp_path_factory.mktemp("lancs") / "ivm.duckdb")
    wh.init()
    wards = open_data("uk-police-lancashire", "lancashire_wards_2022.geojson")
    result = load_file(wh, "areas", wards, profile="police-uk-extract")
    assert result.counts.loaded == _features(wards) == 271
    return wh


def test_ward_population_mismatch_2020_vs_2022_is_reported_not_hidden(lancashire):
    path = open_data("uk-police-lancashire", "lancashire_ward_population_mid2020.csv")
    result = load_file(lancashire, "population", path, profile="police-uk-extract")
    c = result.counts
    assert c.read == _rows(path) == 285
    assert (c.loaded, c.quarantined) == (245, 40), "40 population rows have no 2022 ward"
    assert "26 of 271 ward areas have no population for 2020" in c.message
    reasons = {r["reason_codes"] for r in quarantine_rows(lancashire, result.load_id)}
    assert reasons == {"unknown_area"}


def test_anti_social_behaviour_loads_as_nuisance_by_point_in_polygon(lancashire):
    path = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    result = load_file(lancashire, "nuisance", path, profile="police-uk-extract")
    c = result.counts
    assert c.read == _rows(path) == 56434
    assert c.read == c.loaded + c.replaced + c.skipped + c.quarantined
    assert c.quarantined == 0, "SOURCE.md: every incident falls inside one of the 271 wards"
    assert count(lancashire, "SELECT count(DISTINCT area_id) FROM nuisance") == 271
    assert count(lancashire, "SELECT count(*) FROM nuisance WHERE type = 'general'") == 56434
    again = load_file(lancashire, "nuisance", path, profile="police-uk-extract")
    assert again.outcome == "unchanged"


def test_the_extract_loads_as_incidents_with_a_category_from_the_command_line(lancashire):
    path = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    result = load_file(lancashire, "incidents", path, profile="police-uk-extract",
                       overrides={"category": "public_order"})
    assert result.counts.loaded == 56434
    assert count(lancashire, "SELECT count(DISTINCT category) FROM incident") == 1


def _cut_extracts(tmp_path) -> dict[str, object]:
    """Two one-type extracts cut from the real Lancashire file, as police.uk's burglary and
    robbery extracts of one city would come (same columns, no ids): every row whose number is
    not 2 modulo 3 as 'burglary', every row not 0 modulo 3 as 'robbery', so a third of the rows
    are in both, byte for byte. Written to the test's folder, never into the repository."""
    source = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    with open(source, encoding="utf-8", newline="") as fh:
        header, *lines = fh.read().splitlines(keepends=True)
    cuts = {"residential_burglary": 2, "robbery": 0}
    paths = {}
    for category, left_out in cuts.items():
        path = tmp_path / f"lancashire_{category}_2022.tsv"
        path.write_text(header + "".join(r for i, r in enumerate(lines) if i % 3 != left_out),
                        encoding="utf-8")
        paths[category] = path
    return paths


def _ward_counts(path, wards_path) -> dict[str, int]:
    """Rows per ward, counted straight from the files: each point goes to the first ward (by
    code) whose polygon holds it or its boundary."""
    import numpy as np
    import shapely

    with open(path, encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh, delimiter="\t"))
    x = np.array([float(r["longitude"]) for r in rows])
    y = np.array([float(r["latitude"]) for r in rows])
    free = np.ones(len(rows), dtype=bool)
    counts = {}
    features = json.loads(wards_path.read_text(encoding="utf-8"))["features"]
    for feature in sorted(features, key=lambda f: f["properties"]["ward_code"]):
        polygon = shapely.geometry.shape(feature["geometry"])
        shapely.prepare(polygon)
        inside = free & shapely.intersects_xy(polygon, x, y)
        free &= ~inside
        counts[feature["properties"]["ward_code"]] = int(inside.sum())
    assert not free.any(), "SOURCE.md: every point lies in a ward"
    return {w: n for w, n in counts.items() if n}


@pytest.mark.parametrize("order", [("residential_burglary", "robbery"),
                                   ("robbery", "residential_burglary")])
def test_two_one_type_extracts_of_one_city_count_the_same_in_either_order(
    tmp_path, order
):
    extracts = _cut_extracts(tmp_path)
    wards = open_data("uk-police-lancashire", "lancashire_wards_2022.geojson")
    wh = Warehouse(tmp_path / "ivm.duckdb")
    wh.init()
    load_file(wh, "areas", wards, profile="police-uk-extract")

    for category in order:
        result = load_file(wh, "incidents", extracts[category], profile="police-uk-extract",
                           overrides={"category": category})
        c = result.counts
        assert (c.loaded, c.replaced, c.quarantined) == (_rows(extracts[category]), 0, 0), (
            result.summary())

    con = wh.connect_read_only()
    try:
        stored = con.execute(
            "SELECT category, area_id, count(*) FROM incident GROUP BY ALL"
        ).fetchall()
    finally:
        con.close()
    for category, path in extracts.items():
        mine = {a: n for c, a, n in stored if c == category}
        assert mine == _ward_counts(path, wards), category

