"""The demo survey (Veiligheidsmonitor CSV) and partner activities (XLSX): deterministic, they
load without a quarantined row through their profiles, and their figures are realistic."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest
from openpyxl import load_workbook

from core.warehouse import Warehouse
from etl.demo.activities import registrations, write_activities
from etl.demo.city import CENTRE_WIJKEN, PROJECT_CODE, City, build_city
from etl.demo.survey import MAX_WIJK, MIN_WIJK, write_survey
from etl.load import LoadResult, load_file

AS_OF = dt.date(2026, 11, 24)
SEED = 7


def _rows(wh: Warehouse, sql: str, params: list | None = None) -> list[tuple]:
    con = wh.connect_read_only()
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def _sheet_values(path: Path) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True))
    finally:
        wb.close()


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


class Demo:
    """A built demo: the city, its two generated files, the warehouse and the load results."""

    def __init__(self, out: Path, synthetic: bool) -> None:
        self.city = build_city(out, seed=SEED, as_of=AS_OF, synthetic=synthetic)
        self.survey = out / "veiligheidsmonitor.csv"
        self.activities = out / "partneractiviteiten.xlsx"
        rows = {"survey": write_survey(self.city, self.survey, SEED),
                "activities": write_activities(self.city, self.activities, SEED)}
        self.wh = Warehouse(out / "w.duckdb")
        self.wh.init()
        for f in self.city.area_files:
            load_file(self.wh, "areas", f)
        self.results: dict[str, LoadResult] = {
            "survey": load_file(self.wh, "survey", self.survey, profile="be-veiligheidsmonitor"),
            "activities": load_file(self.wh, "activities", self.activities,
                                    profile="be-partners"),
        }
        for kind, result in self.results.items():
            assert result.counts.read == rows[kind], result.summary()


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    """The city (real areas when present) with both files generated and loaded."""
    return Demo(tmp_path_factory.mktemp("demo"), synthetic=False)


def _full_years(city: City) -> list[int]:
    return [y for y in city.years
            if dt.date(y, 1, 1) >= city.start and dt.date(y, 12, 31) <= city.end]


# --- determinism ---------------------------------------------------------------------------

def test_the_same_seed_gives_the_same_bytes(demo, tmp_path):
    city = build_city(tmp_path, seed=SEED, as_of=AS_OF)
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    write_survey(city, again, SEED)
    write_survey(city, other, SEED + 1)
    assert again.read_bytes() == demo.survey.read_bytes()
    assert other.read_bytes() != demo.survey.read_bytes()
    again = tmp_path / "again.xlsx"
    write_activities(city, again, SEED)
    assert _sheet_values(again) == _sheet_values(demo.activities)
    assert _sha(again) == _sha(demo.activities), "workbook properties and zip dates are fixed"
    assert not registrations(city, SEED).equals(registrations(city, SEED + 1))


def test_the_files_have_the_documented_headers(demo):
    head = demo.survey.read_text(encoding="utf-8").splitlines()[:2]
    assert head[0].startswith("respondent;meting;wijkcode;gewicht;leeftijdsgroep;q_onveilig_buurt")
    assert "," in head[1].split(";")[3], "decimal comma weights"
    title, header, first = _sheet_values(demo.activities)[:3]
    assert title[0].startswith("Partneractiviteiten")
    assert list(header) == ["Registratienummer", "Partner", "Activiteit", "Datum", "Gebied",
                            "Aantal", "Eenheid"]
    assert isinstance(first[3], dt.datetime)


# --- loading -------------------------------------------------------------------------------

def test_both_files_load_without_quarantined_rows(demo):
    wh = demo.wh
    for kind, result in demo.results.items():
        assert result.outcome == "loaded", result.summary()
        assert result.counts.quarantined == 0, (kind, result.summary())
        assert result.counts.loaded == result.counts.read, result.summary()
    assert _rows(wh, "SELECT count(*) FROM quarantine")[0][0] == 0
    questions = _rows(wh, "SELECT count(*) FROM survey_question")[0][0]
    assert questions == 10


def test_the_synthetic_city_loads_without_quarantined_rows_too(tmp_path):
    synthetic = Demo(tmp_path, synthetic=True)
    assert synthetic.city.source == "synthetic"
    results = synthetic.results.values()
    assert all(r.counts.quarantined == 0 and r.counts.loaded > 0 for r in results)


# --- survey realism ------------------------------------------------------------------------

_UNSAFE = """
    SELECT {group} AS g, sum(r.weight * (a.answer::INT >= 4)::INT) / sum(r.weight) AS share
    FROM survey_response r JOIN survey_answer a USING (source, source_id)
    WHERE a.question_id = 'q_onveilig_buurt' AND a.answer IS NOT NULL
    GROUP BY ALL ORDER BY g
"""


def test_the_weighted_share_feeling_unsafe_is_realistic_and_higher_in_the_centre(demo):
    wh = demo.wh
    (_, city_share), = _rows(wh, _UNSAFE.format(group="'city'"))
    assert 0.05 <= city_share <= 0.20
    centre = "r.area_id IN (" + ", ".join(f"'{w}'" for w in CENTRE_WIJKEN) + ")"
    shares = dict(_rows(wh, _UNSAFE.format(group=centre)))
    assert shares[True] > 1.5 * shares[False], shares
    for wave, share in _rows(wh, _UNSAFE.format(group="r.wave")):
        assert 0.05 <= share <= 0.20, (wave, share)


def test_sample_sizes_and_weights_per_wijk_and_wave(demo):
    city, wh = demo.city, demo.wh
    per_wijk = _rows(wh, "SELECT wave, area_id, count(*) FROM survey_response GROUP BY ALL")
    assert {a for _, a, _ in per_wijk} == set(city.wijken)
    assert all(MIN_WIJK <= n <= MAX_WIJK for _, _, n in per_wijk), per_wijk
    waves = _rows(wh, "SELECT wave, count(*), avg(weight), min(weight) FROM survey_response "
                      "GROUP BY wave ORDER BY wave")
    assert [w for w, *_ in waves] == [str(city.start.year + k) for k in (1, 4, 7)] + [
        str(city.end.year)]
    for wave, n, mean, low in waves:
        assert 900 <= n <= 1200, (wave, n)
        assert abs(mean - 1) < 0.001 and low > 0, (wave, mean)
    groups = _rows(wh, "SELECT DISTINCT age_group FROM survey_response ORDER BY 1")
    assert [g for g, in groups] == ["18-34", "35-49", "50-64", "65+"]


def test_satisfaction_is_answered_exactly_by_those_with_police_contact(demo):
    wh = demo.wh
    rows = _rows(wh, """
        SELECT c.answer, count(*) FILTER (WHERE s.answer IS NULL), count(s.answer),
               avg(s.answer::INT)
        FROM survey_answer c JOIN survey_answer s USING (source, source_id)
        WHERE c.question_id = 'q_contact_politie' AND s.question_id = 'q_tevreden_politie'
        GROUP BY 1 ORDER BY 1""")
    (ja, ja_empty, ja_answered, mean), (nee, _, nee_answered, _) = rows
    assert (ja, nee) == ("ja", "nee")
    assert ja_empty == 0 and nee_answered == 0 and ja_answered > 0
    assert 3.5 <= mean <= 4.5


def test_insecurity_eases_in_ten_rozens_wijk_after_the_project_start(demo):
    city, wh = demo.city, demo.wh
    wijk = next(s.wijk for s in city.sectors if s.project)
    sql = """
        SELECT r.wave, sum(r.weight * a.answer::INT) / sum(r.weight)
        FROM survey_response r JOIN survey_answer a USING (source, source_id)
        WHERE a.question_id = 'q_onveilig_buurt' AND {where} GROUP BY 1 ORDER BY 1"""
    project = _rows(wh, sql.format(where="r.area_id = ?"), [wijk])
    rest = _rows(wh, sql.format(where="r.area_id <> ?"), [wijk])
    start = city.project_start.year
    before = [m for w, m in project if int(w) < start]
    assert project[-1][1] < min(before) - 0.15, project
    # elsewhere the last wave is within noise of the waves before the project
    rest_before = [m for w, m in rest if int(w) < start]
    assert abs(rest[-1][1] - sum(rest_before) / len(rest_before)) < 0.2, rest


# --- activities realism --------------------------------------------------------------------

def _per_year(wh: Warehouse, activity: str, area: str | None = None) -> dict[int, float]:
    where = "activity_type = ?" + (" AND area_id = ?" if area else "")
    params = [activity] + ([area] if area else [])
    return dict(_rows(wh, f"SELECT year(activity_date), sum(quantity) FROM activity "
                          f"WHERE {where} GROUP BY 1", params))


def test_techno_preventive_advice_rises(demo):
    city, wh = demo.city, demo.wh
    years = _full_years(city)
    visits = _per_year(wh, "technopreventief advies")
    first, last = visits[years[0]], visits[years[-1]]
    assert last > 1.5 * first, visits
    early = sum(visits[y] for y in years[:3])
    late = sum(visits[y] for y in years[-3:])
    assert late > 1.4 * early


def test_two_to_four_emergency_plan_exercises_a_year(demo):
    city, wh = demo.city, demo.wh
    exercises = _per_year(wh, "oefening noodplan")
    for year in _full_years(city):
        assert 2 <= exercises.get(year, 0) <= 4, (year, exercises)


def test_youth_work_in_ten_rozen_rises_after_the_project_start(demo):
    city, wh = demo.city, demo.wh
    contacts = _per_year(wh, "contact jeugdwerk", PROJECT_CODE)
    assert min(contacts) == city.project_start.year
    years = [y for y in _full_years(city) if y >= city.project_start.year]
    assert contacts[years[-1]] > 2 * contacts[years[0]], contacts
    before = dict(_rows(wh, """
        SELECT year(a.activity_date), sum(a.quantity) FROM activity a
        JOIN area s ON s.area_id = a.area_id
        WHERE a.activity_type = 'contact jeugdwerk' AND s.parent_id = ? GROUP BY 1""",
                        [next(s.wijk for s in city.sectors if s.project)]))
    assert before and max(before) < city.project_start.year


def test_patrol_hours_peak_at_carnival_in_the_centre(demo):
    city, wh = demo.city, demo.wh
    centre = ", ".join(f"'{w}'" for w in CENTRE_WIJKEN)
    daily = dict(_rows(wh, f"""
        SELECT activity_date, sum(quantity) FROM activity
        WHERE activity_type = 'patrouille-uren' AND area_id IN ({centre}) GROUP BY 1"""))
    carnival = [d for y in city.years for d in city.carnival(y) if city.start <= d <= city.end]
    held = [d for d in carnival if d in daily]
    assert len(held) >= len(carnival) - 3, "one cancelled carnival at most"
    month_ends = [v for d, v in daily.items() if d not in carnival]
    # three carnival days together take more hours than a whole month of centre patrols
    assert sum(daily[d] for d in held[:3]) > max(month_ends)


def test_activities_use_every_area_level(demo):
    wh = demo.wh
    levels = {lvl for lvl, in _rows(wh, "SELECT DISTINCT a.level FROM activity x "
                                        "JOIN area a USING (area_id)")}
    assert {"sector", "wijk", "gemeente", "project"} <= levels
    partners = {p for p, in _rows(wh, "SELECT DISTINCT partner FROM activity")}
    assert len(partners) == 7
