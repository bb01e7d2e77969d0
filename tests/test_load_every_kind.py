"""Every kind loads through its profile: survey answers, partner activities, nuisance with
yes/no and closing times, and the full police.uk street-level CSV."""

from __future__ import annotations

from etl.load import load_file
from tests.conftest import count


def test_survey_stores_respondents_and_their_answers_per_question(toy_city, write):
    body = (
        "respondent_id;wave;area_code;weight;age_group;q_unsafe;q_avoid\n"
        "R1;2024;41002W01;1,25;18-34;3;ja\n"
        "R2;2024;41002W02;0,8;65+;1;nee\n"
        "R3;2024;41002W02;0;65+;1;nee\n"
    )
    result = load_file(toy_city, "survey", write("survey.csv", body))
    assert (result.counts.loaded, result.counts.quarantined) == (2, 1), "weight 0 is refused"
    assert count(toy_city, "SELECT count(*) FROM survey_answer") == 4
    assert count(toy_city, "SELECT round(sum(weight), 6) FROM survey_response") == 2.05
    assert count(toy_city, "SELECT count(*) FROM survey_question") == 2


def test_a_changed_survey_answer_replaces_the_respondent_and_answers(toy_city, write):
    head = "respondent_id;wave;area_code;weight;q_unsafe\n"
    load_file(toy_city, "survey", write("s1.csv", head + "R1;2024;41002W01;1;3\n"))
    result = load_file(toy_city, "survey", write("s2.csv", head + "R1;2024;41002W01;1;4\n"))
    assert result.counts.replaced == 1
    assert count(toy_city, "SELECT answer::INT FROM survey_answer") == 4


def test_activities_load_with_quantity_and_date(toy_city, write):
    body = (
        "source_id,partner,activity_type,activity_date,area_code,quantity,unit\n"
        "P1,preventiedienst,techno_preventive_advice,2024-03-01,41002W01,1,visit\n"
        "P2,politiezone,patrol_hours,2024-03-02,41002,\"12,5\",hours\n"
    )
    result = load_file(toy_city, "activities", write("activities.csv", body))
    assert result.counts.loaded == 2, result.counts
    assert count(toy_city, "SELECT sum(quantity) * 10 FROM activity") == 135


def test_nuisance_reads_yes_no_and_refuses_closing_before_reporting(toy_city, write):
    body = (
        "source_id;type;reported_at;closed_at;channel;gas_fine;area_code\n"
        "N1;noise;01/06/2024 23:10;02/06/2024 09:00;telefoon;ja;41002W01\n"
        "N2;litter_dumping;01/06/2024 10:00;01/05/2024 10:00;app;nee;41002W02\n"
    )
    result = load_file(toy_city, "nuisance", write("nuisance.csv", body))
    assert (result.counts.loaded, result.counts.quarantined) == (1, 1)
    assert count(toy_city, "SELECT count(*) FROM nuisance WHERE gas_fine") == 1


def test_the_police_uk_street_csv_splits_crimes_and_anti_social_behaviour(toy_city, write):
    header = (
        "Crime ID,Month,Reported by,Falls within,Longitude,Latitude,Location,LSOA code,"
        "LSOA name,Crime type,Last outcome category,Context\n"
    )
    rows = (
        "abc1,2024-03,Force,Force,4.005,50.905,On or near X,E1,N1,Burglary,Under investigation,\n"
        ",2024-03,Force,Force,4.015,50.905,On or near Y,E1,N1,Anti-social behaviour,,\n"
        "abc2,2024-03,Force,Force,4.025,50.905,On or near Z,E1,N1,Bicycle theft,,\n"
    )
    path = write("street.csv", header + rows)
    toy = toy_city
    prof = "police-uk"
    # the toy city's polygons are wijken; police-uk assigns wards, so use a profile override
    from etl.profile import load_profile

    p = load_profile(prof)
    for kind in ("incidents", "nuisance"):
        p.kinds[kind].area.levels = ["wijk"]
    try:
        inc = load_file(toy, "incidents", path, profile=prof)
        nui = load_file(toy, "nuisance", path, profile=prof)
    finally:
        for kind in ("incidents", "nuisance"):
            p.kinds[kind].area.levels = ["ward"]
    assert (inc.counts.loaded, inc.counts.skipped) == (2, 1)
    assert (nui.counts.loaded, nui.counts.skipped) == (1, 2)
    assert count(toy, "SELECT count(*) FROM incident WHERE category = 'residential_burglary' "
                      "AND area_id = '41002W01'") == 1
    assert count(toy, "SELECT area_id = '41002W02' FROM nuisance") == 1
