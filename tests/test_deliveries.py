"""Deliveries: what tells one delivery's rows from another's, so nothing is lost or counted
twice, and the period a delivery covers.

- Rows without an id get an id from their content and their delivery (the file's name, or
  ``--delivery``, and the category given): the same row in two files stays two rows, the same
  row in two one-type extracts too, and a corrected file of the same name replaces its
  predecessor.
- The same file loaded again through another profile (or with another ``--category``) replaces
  its earlier load's rows, with a warning, instead of counting them twice.
- ``--reapply`` applies an earlier delivery again (to undo a correction).
- A survey respondent is a wave and an id: a new wave may reuse the ids.
- An area file never wipes what it does not hold: polygons, names, parents.
- The period a delivery covers: declared, or from its first to its last row; dates of month
  precision cover their month.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys

import pytest

from core.errors import FileRejected
from etl.inspect import load_log_rows
from etl.load import load_file
from tests.conftest import count, query, square

NO_IDS = "category,occurred_at,area_code\n"


def _rows(*rows: str) -> str:
    return "".join(r + "\n" for r in rows)


def test_a_corrected_file_without_ids_replaces_its_predecessor_of_the_same_name(toy_city, write):
    first = NO_IDS + _rows("bicycle_theft,2024-01-05,41002W01", "drugs,2024-01-06,41002W02",
                           "vandalism,2024-01-07,41002W03")
    load_file(toy_city, "incidents", write("export.csv", first))
    corrected = NO_IDS + _rows("bicycle_theft,2024-01-05,41002W01", "drugs,2024-01-06,41002W01",
                               "vandalism,2024-01-07,41002W03")

    result = load_file(toy_city, "incidents", write("export.csv", corrected))

    c = result.counts
    assert (c.loaded, c.skipped, c.removed) == (1, 2, 1)
    assert "removed 1" in result.summary()
    assert count(toy_city, "SELECT count(*) FROM incident") == 3
    assert count(toy_city, "SELECT count(*) FROM incident WHERE category = 'drugs' "
                           "AND area_id = '41002W01'") == 1
    assert load_log_rows(toy_city)[-1]["rows_removed"] == 1


def test_a_file_without_ids_that_covers_one_month_leaves_the_other_months_alone(toy_city, write):
    load_file(toy_city, "incidents", write("export.csv", NO_IDS + _rows(
        "bicycle_theft,2024-01-05,41002W01", "drugs,2024-02-06,41002W02")))

    result = load_file(toy_city, "incidents", write("export.csv", NO_IDS + _rows(
        "vandalism,2024-03-07,41002W03")))

    assert (result.counts.loaded, result.counts.removed) == (1, 0)
    assert count(toy_city, "SELECT count(*) FROM incident") == 3


def test_the_same_rows_in_two_files_both_count_and_the_load_says_so(toy_city, write):
    """(A file of the very same bytes under another name is the same file: nothing to add.)"""
    rows = NO_IDS + _rows("bicycle_theft,2024-01-05,41002W01", "bicycle_theft,2024-01-05,41002W01")
    load_file(toy_city, "incidents", write("district_a.csv", rows))

    result = load_file(toy_city, "incidents", write("district_b.csv", rows + _rows(
        "drugs,2024-01-06,41002W02")))

    assert result.counts.loaded == 3
    assert count(toy_city, "SELECT count(*) FROM incident") == 5
    warning = next(n for n in result.notes if n.startswith("warning:"))
    assert "2 row(s) without an id are identical to rows loaded from 'district_a.csv'" in warning
    assert "--delivery 'district_a.csv'" in warning


def test_a_renamed_redelivery_named_as_its_predecessor_replaces_it(toy_city, write):
    load_file(toy_city, "incidents", write("meldingen_2024-01-31.csv", NO_IDS + _rows(
        "bicycle_theft,2024-01-05,41002W01", "drugs,2024-01-06,41002W02")),
        delivery_name="meldingen")

    result = load_file(toy_city, "incidents", write("meldingen_2024-02-29.csv", NO_IDS + _rows(
        "bicycle_theft,2024-01-05,41002W01", "drugs,2024-01-06,41002W02",
        "vandalism,2024-02-07,41002W03")), delivery_name="meldingen")

    assert (result.counts.loaded, result.counts.skipped) == (1, 2)
    assert count(toy_city, "SELECT count(*) FROM incident") == 3


@pytest.mark.parametrize("order", [("residential_burglary", "robbery"),
                                   ("robbery", "residential_burglary")])
def test_two_one_type_extracts_with_the_same_rows_do_not_overwrite_each_other(
    toy_city, write, toy_extract, order
):
    same = _rows("2022-01-01,4.005,50.905,Kerkstraat", "2022-01-01,4.005,50.905,Kerkstraat")
    extracts = {
        "residential_burglary": same + _rows("2022-02-01,4.015,50.905,Markt"),
        "robbery": same + _rows("2022-03-01,4.025,50.905,Station"),
    }
    for category in order:
        extract = "month,longitude,latitude,location\n" + extracts[category]
        result = load_file(toy_city, "incidents", write(f"{category}.csv", extract),
                           profile=toy_extract, overrides={"category": category})
        assert (result.counts.loaded, result.counts.replaced) == (3, 0), result.summary()

    per_category = dict(query(toy_city, "SELECT category, count(*) FROM incident GROUP BY 1"))
    assert per_category == {"residential_burglary": 3, "robbery": 3}


def test_ids_of_one_type_extracts_are_kept_apart_by_the_category_given(toy_city, write):
    numbered = "id,month,longitude,latitude\n" + _rows("1,2022-01-01,4.005,50.905",
                                                      "2,2022-01-01,4.015,50.905")
    other = numbered.replace("4.015", "4.025")
    profile = write("numbered.yaml", (
        "spec: 1\nname: numbered-extract\ndate_formats: ['%Y-%m-%d']\nkinds:\n"
        "  incidents:\n    source: numbered\n    columns: {source_id: id, occurred_at: month}\n"
        "    area: {longitude: longitude, latitude: latitude}\n"))
    for category, text in (("residential_burglary", numbered), ("robbery", other)):
        load_file(toy_city, "incidents", write(f"{category}.csv", text), profile=str(profile),
                  overrides={"category": category})

    assert count(toy_city, "SELECT count(*) FROM incident") == 4


def test_the_same_file_through_another_profile_replaces_its_rows_with_a_warning(
    toy_city, write
):
    police_uk = write("nottingham_burglary.csv", (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context\n"
        "c1,2022-01,Force,Force,4.005,50.905,On or near Kerkstraat,E1,L,Burglary,,\n"
        "c2,2022-01,Force,Force,4.015,50.905,On or near Markt,E1,L,Burglary,,\n"
        "c3,2022-02,Force,Force,4.025,50.905,On or near Markt,E1,L,Burglary,,\n"))
    ward_profile = write("wijken_as_wards.yaml", (
        "spec: 1\nname: toy-police-uk\ndate_formats: ['%Y-%m']\nkinds:\n"
        "  incidents:\n    source: police-uk\n    date_precision: month\n"
        "    columns: {source_id: Crime ID, occurred_at: Month, category: Crime type}\n"
        "    categories: {Burglary: residential_burglary}\n"
        "    area: {longitude: Longitude, latitude: Latitude}\n"))
    extract_profile = write("wijken_extract.yaml", (
        "spec: 1\nname: toy-extract\ndate_formats: ['%Y-%m']\nkinds:\n"
        "  incidents:\n    source: toy-extract\n    date_precision: month\n"
        "    columns: {occurred_at: Month}\n"
        "    area: {longitude: Longitude, latitude: Latitude}\n"))
    load_file(toy_city, "incidents", police_uk, profile=str(extract_profile),
              overrides={"category": "residential_burglary"})

    result = load_file(toy_city, "incidents", police_uk, profile=str(ward_profile))

    assert count(toy_city, "SELECT count(*) FROM incident") == 3, "not 6"
    assert result.counts.removed == 3
    assert any("warning: this file was loaded before as load" in n and "toy-extract" in n
               for n in result.notes)
    assert count(toy_city, "SELECT count(DISTINCT source) FROM incident") == 1


def test_the_same_file_with_another_category_given_replaces_its_rows(
    toy_city, write, toy_extract
):
    extract = write("extract.csv", "month,longitude,latitude\n" + _rows(
        "2022-01-01,4.005,50.905", "2022-01-01,4.015,50.905"))
    load_file(toy_city, "incidents", extract, profile=toy_extract,
              overrides={"category": "robbery"})

    load_file(toy_city, "incidents", extract, profile=toy_extract,
              overrides={"category": "residential_burglary"})

    assert dict(query(toy_city, "SELECT category, count(*) FROM incident GROUP BY 1")) == {
        "residential_burglary": 2}


def test_an_earlier_delivery_can_be_applied_again_to_undo_a_correction(toy_city, write):
    header = "source_id,category,occurred_at,area_code\n"
    v1 = write("v1.csv", header + _rows("A1,residential_burglary,2024-01-05,41002W01"))
    load_file(toy_city, "incidents", v1)
    load_file(toy_city, "incidents", write("v2.csv", header + _rows(
        "A1,theft_from_vehicle,2024-01-05,41002W01")))

    again = load_file(toy_city, "incidents", v1)
    assert again.outcome == "unchanged"
    assert "--reapply" in again.summary()
    assert count(toy_city, "SELECT category FROM incident WHERE source_id = 'A1'") == (
        "theft_from_vehicle")

    undone = load_file(toy_city, "incidents", v1, reapply=True)

    assert (undone.outcome, undone.counts.replaced) == ("loaded", 1)
    assert count(toy_city, "SELECT category FROM incident WHERE source_id = 'A1'") == (
        "residential_burglary")
    assert json.loads(load_log_rows(toy_city)[-1]["options"]) == {"reapply": True}


def test_a_new_survey_wave_may_reuse_the_respondent_ids_of_an_earlier_one(toy_city, write):
    header = "respondent_id,wave,area_code,weight,q_unsafe\n"
    ids = [f"R{i}" for i in range(1, 6)]
    load_file(toy_city, "survey", write("w2017.csv", header + _rows(
        *(f"{r},2017,41002W01,1.0,1" for r in ids))))

    result = load_file(toy_city, "survey", write("w2018.csv", header + _rows(
        *(f"{r},2018,41002W01,1.0,2" for r in ids))))

    assert (result.counts.loaded, result.counts.replaced) == (5, 0)
    assert dict(query(toy_city, "SELECT wave, count(*) FROM survey_response GROUP BY 1")) == {
        "2017": 5, "2018": 5}
    assert count(toy_city, "SELECT count(*) FROM survey_answer") == 10


def test_an_area_file_without_geometry_names_or_parents_keeps_what_is_stored(toy_city, write):
    before = query(toy_city, "SELECT area_id, name, geometry, min_lon FROM area "
                              "WHERE level = 'wijk' ORDER BY 1")
    links = query(toy_city, "SELECT * EXCLUDE (load_id) FROM area_link ORDER BY ALL")

    result = load_file(toy_city, "areas", write("wijk_codes.csv", (
        "code,level\n41002W01,wijk\n41002W02,wijk\n41002W03,wijk\n")))

    assert result.counts.skipped == 3
    assert query(toy_city, "SELECT area_id, name, geometry, min_lon FROM area "
                            "WHERE level = 'wijk' ORDER BY 1") == before
    assert query(toy_city, "SELECT * EXCLUDE (load_id) FROM area_link ORDER BY ALL") == links


def test_an_empty_geometry_cell_keeps_the_stored_polygon_and_a_new_one_replaces_it(
    toy_city, write
):
    moved = json.dumps(square(4.10, 50.90)).replace('"', '""')
    load_file(toy_city, "areas", write("wijken.csv", (
        f'code,level,geometry\n41002W01,wijk,\n41002W02,wijk,"{moved}"\n')))

    assert count(toy_city, "SELECT min_lon FROM area WHERE area_id = '41002W01'") == 4.0
    assert count(toy_city, "SELECT min_lon FROM area WHERE area_id = '41002W02'") == 4.1


def test_a_parent_cycle_is_refused_and_the_hierarchy_stays_as_it_was(toy_city, write):
    before = query(toy_city, "SELECT * FROM area ORDER BY ALL"), query(
        toy_city, "SELECT * FROM area_link ORDER BY ALL")

    result = load_file(toy_city, "areas", write("cycle.csv",
                                                "code,level,parent_id\n41002,gemeente,41002W01\n"))

    assert (result.counts.loaded, result.counts.quarantined) == (0, 1)
    reasons = query(toy_city, "SELECT reasons FROM quarantine WHERE load_id = ?",
                     [result.load_id])[0][0]
    assert reasons.startswith("parent_cycle: area '41002' would be its own ancestor (")
    assert "41002W01" in reasons
    assert (query(toy_city, "SELECT * FROM area ORDER BY ALL"), query(
        toy_city, "SELECT * FROM area_link ORDER BY ALL")) == before


def test_month_precision_dates_cover_their_month(lancashire_wards, tmp_path):
    extract = tmp_path / "asb_extract.tsv"
    extract.write_text("month\tlongitude\tlatitude\tlocation\tlsoa_code\n"
                       "2022-01-01\t-2.4646\t53.7655\tHazelwood Close\tE01012607\n"
                       "2022-12-01\t-2.4747\t53.7702\tPeridot Close\tE01012608\n")

    result = load_file(lancashire_wards, "nuisance", extract, profile="police-uk-extract")

    assert (result.counts.period_start, result.counts.cutoff) == (
        dt.date(2022, 1, 1), dt.date(2022, 12, 31))
    log = load_log_rows(lancashire_wards)[-1]
    assert (log["period_start"], log["cutoff_date"]) == (dt.date(2022, 1, 1),
                                                         dt.date(2022, 12, 31))


def test_a_declared_period_is_the_delivery_s_period(toy_city, write):
    result = load_file(toy_city, "incidents", write("q1.csv", NO_IDS + _rows(
        "bicycle_theft,2024-01-05,41002W01", "drugs,2024-02-06,41002W02")),
        period_start=dt.date(2024, 1, 1), period_end=dt.date(2024, 3, 31))

    assert (result.counts.period_start, result.counts.cutoff) == (dt.date(2024, 1, 1),
                                                                  dt.date(2024, 3, 31))
    assert json.loads(load_log_rows(toy_city)[-1]["options"]) == {
        "period": ["2024-01-01", "2024-03-31"]}


def test_a_period_that_ends_before_it_starts_is_refused(toy_city, write):
    with pytest.raises(Exception, match="the period ends"):
        load_file(toy_city, "incidents", write("q1.csv", NO_IDS + _rows(
            "bicycle_theft,2024-01-05,41002W01")),
            period_start=dt.date(2024, 3, 1), period_end=dt.date(2024, 1, 31))


def test_a_column_s_decimal_convention_comes_from_all_its_values_when_streamed(
    toy_city, write, monkeypatch
):
    """The first rows of a ';' file show only '1.500' (a thousand five hundred in the Belgian
    convention, or one and a half); a later row's '2.25' shows the column uses decimal points.
    The file is read in small blocks, so the later row arrives after the check has begun."""
    monkeypatch.setenv("IVM_MAX_LINE_MB", str(2**14 / 2**20))
    head = [f"AC{i};politie;patrouille;03/03/2024;41002W01;1.500" for i in range(2000)]
    tail = [f"AD{i};politie;patrouille;04/03/2024;41002W01;2.25" for i in range(600)]
    path = write("activities.csv", "source_id;partner;activity_type;activity_date;area_code;"
                 "quantity\n" + _rows(*head, *tail))

    result = load_file(toy_city, "activities", path)

    assert (result.counts.loaded, result.counts.quarantined) == (2600, 0)
    assert dict(query(toy_city, "SELECT left(source_id, 2), sum(quantity) FROM activity "
                                 "GROUP BY 1")) == {"AC": 3000.0, "AD": 1350.0}


def test_a_category_given_that_is_no_category_names_the_valid_ones(toy_city, write):
    with pytest.raises(FileRejected) as caught:
        load_file(toy_city, "incidents", write("e.csv", "month,longitude,latitude\n"
                                                        "2022-01-01,4.005,50.905\n"),
                  profile="police-uk-extract", overrides={"category": "Burglary"})
    assert "did you mean 'residential_burglary'" in caught.value.message
    assert "robbery" in caught.value.hint


def test_the_cli_takes_the_delivery_options(toy_city, write, tmp_path):
    db = tmp_path / "cli.duckdb"
    shutil.copy(toy_city.path, db)
    path = write("export.csv", NO_IDS + _rows("bicycle_theft,2024-01-05,41002W01"))

    done = subprocess.run(
        [sys.executable, "-m", "ivm", "load", "incidents", str(path), "--db", str(db),
         "--period-start", "2024-01", "--period-end", "2024-03", "--delivery", "export"],
        capture_output=True, text=True, timeout=120,
    )

    assert done.returncode == 0, done.stderr
    from core.warehouse import Warehouse

    log = load_log_rows(Warehouse(db))[-1]
    assert (log["period_start"], log["cutoff_date"]) == (dt.date(2024, 1, 1),
                                                         dt.date(2024, 3, 31))
    assert json.loads(log["options"])["delivery"] == "export"

    wrong = subprocess.run(
        [sys.executable, "-m", "ivm", "load", "incidents", str(path), "--db", str(db),
         "--period-end", "2024-13"],
        capture_output=True, text=True, timeout=120,
    )
    assert wrong.returncode == 2 and "'2024-13' is not a date" in wrong.stderr


@pytest.fixture
def toy_extract(write) -> str:
    """The police-uk-extract incidents mapping for the toy city (its wijken, not wards)."""
    return str(write("toy_extract.yaml", (
        "spec: 1\nname: toy-extract\ndate_formats: ['%Y-%m-%d']\nkinds:\n"
        "  incidents:\n    source: toy-extract\n    date_precision: month\n"
        "    columns: {occurred_at: month}\n"
        "    area: {longitude: longitude, latitude: latitude}\n")))


@pytest.fixture
def lancashire_wards(tmp_path):
    """A warehouse with the real Lancashire wards (read in place)."""
    from core.warehouse import Warehouse
    from tests.conftest import open_data

    wards = open_data("uk-police-lancashire", "lancashire_wards_2022.geojson")
    wh = Warehouse(tmp_path / "lancs.duckdb")
    wh.init()
    load_file(wh, "areas", wards, profile="police-uk-extract")
    return wh
