"""`ivm profile draft` proposes a profile from a sample file and `ivm profile check` judges one:
a drafted profile for the Lancashire police.uk extract passes the check and loads the extract
exactly as the built-in profile does; category values are listed for mapping with the valid ids
named; date formats and the decimal convention come from the values."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner

from core.warehouse import Warehouse
from etl.load import load_file
from ivm.cli import main
from tests.conftest import open_data, query


def ivm(*args: str):
    return CliRunner().invoke(main, list(args))


@pytest.fixture(scope="module")
def wards(tmp_path_factory) -> Warehouse:
    wh = Warehouse(tmp_path_factory.mktemp("wards") / "ivm.duckdb")
    wh.init()
    load_file(wh, "areas", open_data("uk-police-lancashire", "lancashire_wards_2022.geojson"),
              profile="police-uk-extract", after=False)
    return wh


def test_a_drafted_profile_loads_the_lancashire_extract_as_the_built_in_profile_does(
    wards: Warehouse, tmp_path
) -> None:
    extract = open_data("uk-police-lancashire", "lancashire_asb_2022.tsv")
    profile = tmp_path / "lancashire.yaml"

    drafted = ivm("profile", "draft", str(extract), "--kind", "nuisance", "--category",
                  "general", "--out", str(profile))
    checked = ivm("profile", "check", str(profile), "--sample", str(extract))

    assert drafted.exit_code == 0, drafted.output
    assert checked.exit_code == 0, checked.output
    assert "is fit to load nuisance" in checked.output
    kp = yaml.safe_load(profile.read_text())["kinds"]["nuisance"]
    assert kp["columns"] == {"reported_at": "month", "longitude": "longitude",
                             "latitude": "latitude", "location": "location"}
    assert kp["date_precision"] == "month" and kp["constants"] == {"type": "general"}
    assert "lsoa_code" in profile.read_text()  # named as a column not used
    results = {}
    for name, used in [("built_in", "police-uk-extract"), ("drafted", str(profile))]:
        (tmp_path / name).mkdir()
        wh = Warehouse(tmp_path / name / "ivm.duckdb")
        shutil.copy(wards.path, wh.path)
        result = load_file(wh, "nuisance", extract, profile=used, after=False)
        c = result.counts
        results[name] = ((c.read, c.loaded, c.quarantined, c.period_start, c.cutoff),
                         query(wh, "SELECT area_id, type, count(*) FROM nuisance "
                                   "GROUP BY ALL ORDER BY ALL"))
    assert results["drafted"] == results["built_in"]
    assert results["drafted"][0][:3] == (56434, 56434, 0)


POLICE_UK_HEADER = ("Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,"
                    "LSOA code,LSOA name,Crime type,Last outcome category,Context")


def _street_csv(tmp_path):
    rows = [f"c{i},2023-0{1 + i % 3},Force,Force,-1.15{i % 10},52.95{i % 10},On or near X,"
            f"E01,Nottingham 001A,{t},Under investigation,"
            for i, t in enumerate(["Burglary"] * 5 + ["Robbery"] * 3 + ["Anti-social behaviour"]
                                  * 2 + ["Cycle nicking"])]
    path = tmp_path / "2023-03-nottinghamshire-street.csv"
    path.write_text("\n".join([POLICE_UK_HEADER, *rows]) + "\n")
    return path


def test_every_category_value_is_listed_for_mapping_and_the_check_names_the_valid_ids(tmp_path):
    drafted = ivm("profile", "draft", str(_street_csv(tmp_path)), "--kind", "incidents")
    assert drafted.exit_code == 0, drafted.output
    text = drafted.output
    doc = yaml.safe_load(text)
    kp = doc["kinds"]["incidents"]
    assert kp["columns"]["category"] == "Crime type"
    assert kp["columns"]["source_id"] == "Crime ID"
    assert kp["columns"]["occurred_at"] == "Month"
    assert kp["categories"] == {"Burglary": "residential_burglary", "Robbery": "robbery",
                                "Anti-social behaviour": "_skip", "Cycle nicking": "?"}
    assert '"Burglary": "residential_burglary"  # 5 row(s)' in text
    assert doc["date_formats"] == ["%Y-%m"] and kp["date_precision"] == "month"
    assert kp["area"] == {"longitude": "Longitude", "latitude": "Latitude"}
    assert "bicycle_theft" in text  # the valid ids are named for the value to choose

    profile = tmp_path / "street.yaml"
    profile.write_text(text)
    checked = ivm("profile", "check", str(profile))
    assert checked.exit_code == 1
    lines = checked.output.strip().splitlines()
    assert len(lines) == 1 and "[profile_category]" in lines[0]
    assert "'Cycle nicking' is mapped to '?'" in lines[0] and "bicycle_theft" in lines[0]

    profile.write_text(text.replace('"Cycle nicking": "?"', '"Cycle nicking": "bicycle_theft"'))
    assert ivm("profile", "check", str(profile)).exit_code == 0


def test_date_formats_and_the_decimal_convention_come_from_the_values(tmp_path):
    belgian = tmp_path / "meldingen.csv"
    belgian.write_text("Nummer;Soort;Datum melding;X;Y;Wijk\n"
                       "M1;Geluidsoverlast;13/02/2024 22:15;4,0412;50,9377;41002W01\n"
                       "M2;Vuurwerk;03/03/2024 08:05;4,0398;50,9401;41002W02\n")
    american = tmp_path / "reports.csv"
    american.write_text("id,type,date,lon,lat\n"
                        "1,noise,12/31/2023 23:10,4.0412,50.9377\n"
                        "2,noise,01/02/2024 08:05,4.0398,50.9401\n")

    be = yaml.safe_load(ivm("profile", "draft", str(belgian), "--kind", "nuisance").output)
    us_text = ivm("profile", "draft", str(american), "--kind", "nuisance").output
    us = yaml.safe_load(us_text)

    assert be["decimal"] == "," and be["delimiter"] == ";"
    assert be["date_formats"] == ["%d/%m/%Y %H:%M"]
    assert be["kinds"]["nuisance"]["columns"]["reported_at"] == "Datum melding"
    assert be["kinds"]["nuisance"]["categories"] == {"Geluidsoverlast": "noise",
                                                     "Vuurwerk": "?"}
    assert be["kinds"]["nuisance"]["area"]["code"] == "Wijk"
    assert us["decimal"] == "." and us["date_formats"] == ["%m/%d/%Y %H:%M"]
    assert "writes the month first" in us_text
    assert us["kinds"]["nuisance"]["area"] == {"longitude": "lon", "latitude": "lat"}


def test_the_check_names_each_problem_of_a_profile_in_one_line(tmp_path):
    profile = tmp_path / "bad.yaml"
    profile.write_text(
        "spec: 1\nname: bad\ndate_formats: ['%d/%m']\nkinds:\n"
        "  incidents:\n    source: x\n    columns: {occured_at: Datum}\n"
        "    categories: {Inbraak: burglary}\n    area: {code: wijk, levels: [buurt]}\n"
        "  nuisance:\n    source: x\n"
    )
    done = ivm("profile", "check", str(profile))
    lines = done.output.strip().splitlines()
    assert done.exit_code == 1 and len(lines) == 5, done.output
    text = "\n".join(lines)
    assert "'%d/%m' has no year" in text
    assert "'occured_at' is not a field of incidents (did you mean 'occurred_at'?)" in text
    assert "'Inbraak' is mapped to 'burglary'" in text and "residential_burglary" in text
    assert "'buurt' is not an area level" in text and "ward" in text
    assert "nuisance needs an area rule" in text


def test_drafting_a_missing_or_unreadable_file_or_with_an_unknown_category_fails_in_one_line(
    tmp_path
):
    missing = ivm("profile", "draft", str(tmp_path / "nope.csv"), "--kind", "incidents")
    binary = tmp_path / "blob.csv"
    binary.write_bytes(b"\x00\x01\x02" * 100)
    unreadable = ivm("profile", "draft", str(binary), "--kind", "incidents")
    data = _street_csv(tmp_path)
    burglary = ivm("profile", "draft", str(data), "--kind", "incidents", "--category", "Burglary")
    for done, code in [(missing, "[no_file]"), (unreadable, "[binary_file]"),
                       (burglary, "[unknown_category]")]:
        assert done.exit_code == 1 and code in done.output
        assert len(done.output.strip().splitlines()) == 1
        assert "Traceback" not in done.output
    assert "valid: residential_burglary" in burglary.output


def test_every_built_in_profile_passes_the_check():
    from etl.profile import builtin_profiles
    from etl.profile_check import check_profile

    for name, profile in builtin_profiles().items():
        assert check_profile(profile, name) == [], name
        assert ivm("profile", "check", name).exit_code == 0


def test_a_load_through_a_profile_that_fails_the_check_is_refused_and_stores_nothing(tmp_path):
    from etl.inspect import data_checksum, load_log_rows

    wh = Warehouse(tmp_path / "ivm.duckdb")
    wh.init()
    before = data_checksum(wh)
    profile = tmp_path / "typo.yaml"
    profile.write_text("spec: 1\nname: typo\nkinds:\n  nuisance:\n    source: x\n"
                       "    columns: {reported_at: date, priorty: prio}\n"
                       "    constants: {type: general}\n    area: {code: wijk}\n")
    data = tmp_path / "meldingen.csv"
    data.write_text("date,prio,wijk\n01/02/2024,1,41002W01\n")

    done = ivm("load", "nuisance", str(data), "--profile", str(profile), "--db", str(wh.path))

    assert done.exit_code == 1
    [line] = done.output.strip().splitlines()
    assert line.startswith("error [profile_field] ") and line.endswith(
        "typo.yaml, field 'kinds.nuisance.columns.priorty': 'priorty' is not a field of "
        "nuisance (fields: source_id, type, reported_at, closed_at, channel, gas_fine, "
        "longitude, latitude, location)")
    assert data_checksum(wh) == before
    assert load_log_rows(wh)[-1]["outcome"] == "failed"


def test_an_area_file_draft_takes_the_level_from_the_codes_and_names_those_that_show_none():
    wards = ivm("profile", "draft", str(open_data("uk-police-lancashire",
                                                  "lancashire_wards_2022.geojson")),
                "--kind", "areas")
    sectors = ivm("profile", "draft", str(open_data(
        "be-aalst-areas", "statsec2024_deelgemeente_belgie_cp1252.csv")), "--kind", "areas")

    kp = yaml.safe_load(wards.output)["kinds"]["areas"]
    assert kp["columns"] == {"code": "ward_code", "name": "ward_name"}
    assert kp["level"] == "ward"
    doc = yaml.safe_load(sectors.output)
    assert doc["encoding"] == "cp1252" and doc["delimiter"] == ";"
    assert doc["kinds"]["areas"]["parents"] == ["deelgemeente", "gemeente"]
    assert "sector" in doc["kinds"]["areas"]["level_by_code"].values()
    assert "79 sampled code(s) match no level pattern (e.g. 1100212MQ" in sectors.output


def test_a_police_export_with_dutch_headers_is_matched_by_the_words_of_its_headers(tmp_path):
    export = tmp_path / "politie_export.csv"
    export.write_text(
        "PV-nummer;Feitcategorie;Datum/uur feit;Datum/uur aangifte;Tijdstip dispatch;"
        "Tijdstip ter plaatse;Prioriteit;Straat;Statistische sector\n"
        "AA.1;Woninginbraak;03/01/2024 22:10;04/01/2024 08:00;04/01/2024 08:05;"
        "04/01/2024 08:20;2;Kerkstraat;41002A00-\n", encoding="cp1252")

    kp = yaml.safe_load(ivm("profile", "draft", str(export), "--kind", "incidents").output)[
        "kinds"]["incidents"]

    assert kp["columns"] == {
        "source_id": "PV-nummer", "category": "Feitcategorie", "occurred_at": "Datum/uur feit",
        "reported_at": "Datum/uur aangifte", "priority": "Prioriteit",
        "dispatched_at": "Tijdstip dispatch", "arrived_at": "Tijdstip ter plaatse",
        "location": "Straat"}
    assert kp["area"] == {"code": "Statistische sector"}
    assert kp["categories"] == {"Woninginbraak": "residential_burglary"}
