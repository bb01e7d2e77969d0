"""The demo police export (CSV) and nuisance registration (XLSX): deterministic, they load
without a quarantined row through their profiles, and their figures are realistic."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

import numpy as np
import pytest
from openpyxl import load_workbook

from core.warehouse import Warehouse
from etl.demo.city import City, build_city
from etl.demo.incidents import HEADER as INCIDENT_HEADER
from etl.demo.incidents import Calendar, write_incidents
from etl.demo.nuisance import HEADER as NUISANCE_HEADER
from etl.demo.nuisance import month_reports, write_nuisance
from etl.load import LoadResult, load_file

AS_OF = dt.date(2026, 11, 24)
SEED = 7


class Demo:
    """A built demo: the city, both generated files, the warehouse and the load results."""

    def __init__(self, out: Path, synthetic: bool) -> None:
        self.city = build_city(out, seed=SEED, as_of=AS_OF, synthetic=synthetic)
        self.wh = Warehouse(out / "w.duckdb")
        self.wh.init()
        for f in self.city.area_files:
            load_file(self.wh, "areas", f)
        self.incidents = out / "politie_export.csv"
        self.nuisance = out / "meldingen_overlast.xlsx"
        self.rows = {"incidents": write_incidents(self.city, self.incidents, SEED),
                     "nuisance": write_nuisance(self.city, self.nuisance, SEED)}
        self.results: dict[str, LoadResult] = {
            "incidents": load_file(self.wh, "incidents", self.incidents, profile="be-politie"),
            "nuisance": load_file(self.wh, "nuisance", self.nuisance, profile="be-meldingen"),
        }

    def rows_of(self, sql: str, params: list | None = None) -> list[tuple]:
        """The rows a query returns from the published warehouse."""
        con = self.wh.connect_read_only()
        try:
            return con.execute(sql, params or []).fetchall()
        finally:
            con.close()

    def one(self, sql: str, params: list | None = None):
        """The single value a query returns."""
        return self.rows_of(sql, params)[0][0]


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> Demo:
    """The city (real areas when present) with both files generated and loaded."""
    return Demo(tmp_path_factory.mktemp("demo"), synthetic=False)


def _full_years(city: City) -> list[int]:
    return [y for y in city.years
            if dt.date(y, 1, 1) >= city.start and dt.date(y, 12, 31) <= city.end]


def _centre(city: City) -> list[str]:
    return [s.code for s in city.sectors if s.centre]


def _sheet_rows(path: Path, limit: int) -> list[tuple]:
    wb = load_workbook(path, read_only=True)
    try:
        return list(wb.worksheets[0].iter_rows(values_only=True, max_row=limit))
    finally:
        wb.close()


# --- determinism, formats, loading ---------------------------------------------------------

def test_the_same_seed_gives_the_same_bytes(demo, tmp_path):
    city = build_city(tmp_path, seed=SEED, as_of=AS_OF)
    again, other = tmp_path / "again.csv", tmp_path / "other.csv"
    assert write_incidents(city, again, SEED) == demo.rows["incidents"]
    write_incidents(city, other, SEED + 1)
    assert again.read_bytes() == demo.incidents.read_bytes()
    assert other.read_bytes() != demo.incidents.read_bytes()
    again = tmp_path / "again.xlsx"
    write_nuisance(city, again, SEED)
    assert again.read_bytes() == demo.nuisance.read_bytes(), "workbook dates are fixed"
    # another seed: the reports of the first month already differ (writing it all takes 5 s)
    cal = Calendar(city)
    days = next(cal.months())
    first, other = (month_reports(cal, np.random.default_rng([s, 2]), days)
                    for s in (SEED, SEED + 1))
    assert not np.array_equal(first["reported"], other["reported"])


def test_the_police_export_is_a_belgian_windows_1252_csv(demo):
    data = demo.incidents.read_bytes()
    text = data.decode("cp1252")
    lines = text.split("\r\n")
    assert lines[0] == ";".join(INCIDENT_HEADER)
    assert lines[-1] == "" and "\n" not in text.replace("\r\n", "")
    assert len(lines) - 2 == demo.rows["incidents"]
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # street names with accents, in Windows-1252
    stamp = r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}"
    row = re.compile(rf"DE\.43\.L7\.\d{{6}}/\d{{4}};[^;]+;{stamp};{stamp};[1-4];"
                     rf"({stamp})?;({stamp})?;41002[0-9A-Z-]+;[^;]+")
    assert all(row.fullmatch(line) for line in lines[1:2000]), "every field in its format"


def test_the_nuisance_workbook_has_a_title_row_and_datetime_cells(demo):
    title, header, *rows = _sheet_rows(demo.nuisance, 400)
    assert title[0].startswith("Meldingen overlast")
    assert list(header) == NUISANCE_HEADER
    assert all(isinstance(r[2], dt.datetime) for r in rows)
    assert {r[5] for r in rows} <= {"ja", "nee"}
    assert all(r[3] is None or r[3] > r[2] for r in rows)


def test_both_files_load_without_quarantined_rows(demo):
    for kind, result in demo.results.items():
        assert result.outcome == "loaded", result.summary()
        assert result.counts.quarantined == 0, (kind, result.summary())
        assert result.counts.loaded == result.counts.read == demo.rows[kind], result.summary()
    assert demo.one("SELECT count(*) FROM quarantine") == 0


def test_the_synthetic_city_loads_without_quarantined_rows_too(tmp_path):
    synthetic = Demo(tmp_path, synthetic=True)
    assert synthetic.city.source == "synthetic"
    for kind, result in synthetic.results.items():
        assert result.counts.quarantined == 0, (kind, result.summary())
        assert result.counts.loaded == synthetic.rows[kind] > 1000


def test_the_csv_variant_of_the_register_loads_with_the_same_profile(demo, tmp_path):
    wh = Warehouse(tmp_path / "w.duckdb")
    wh.init()
    for f in demo.city.area_files:
        load_file(wh, "areas", f)
    path = tmp_path / "meldingen_overlast.csv"
    assert write_nuisance(demo.city, path, SEED) == demo.rows["nuisance"]
    result = load_file(wh, "nuisance", path, profile="be-meldingen")
    assert result.counts.quarantined == 0 and result.counts.loaded == demo.rows["nuisance"]


def test_every_category_and_type_of_the_profiles_occurs(demo):
    categories = demo.one("SELECT count(DISTINCT category) FROM incident")
    assert categories == 19
    types = {t for t, in demo.rows_of("SELECT DISTINCT type FROM nuisance")}
    assert types == {"noise", "litter_dumping", "graffiti_vandalism", "loitering",
                     "drug_nuisance", "parking_traffic", "animals", "other"}


# --- incident realism ----------------------------------------------------------------------

#: Reasonable yearly rates per 1,000 inhabitants of a Flemish centre city (first full year).
RATES = {
    "residential_burglary": (4.0, 6.5),
    "bicycle_theft": (3.0, 5.5),
    "theft_from_vehicle": (2.0, 4.0),
    "shoplifting": (1.5, 3.5),
    "violence_public_space": (2.5, 4.5),
    "intra_family_violence": (1.5, 3.5),
    "drugs": (1.0, 2.5),
    "vandalism": (3.0, 5.0),
    "pickpocketing": (0.5, 1.5),
    "traffic_accident_injury": (3.0, 5.0),
}


def test_yearly_rates_per_inhabitant_are_those_of_a_belgian_city(demo):
    year = _full_years(demo.city)[0]
    people = sum(n for n, _ in demo.city.population(year).values())
    counts = dict(demo.rows_of("SELECT category, count(*) FROM incident "
                               "WHERE year(occurred_at) = ? GROUP BY 1", [year]))
    for category, (low, high) in RATES.items():
        rate = counts[category] * 1000 / people
        assert low <= rate <= high, (category, rate)
    total = sum(counts.values()) * 1000 / people
    assert 35 <= total <= 70, total


def _by_month(demo: Demo, table: str, field: str, where: str) -> dict[int, int]:
    return dict(demo.rows_of(f"SELECT month({field}), count(*) FROM {table} WHERE {where} "
                             "GROUP BY 1"))


def test_burglary_peaks_in_the_dark_months_and_evenings(demo):
    months = _by_month(demo, "incident", "occurred_at", "category = 'residential_burglary'")
    dark = sum(months[m] for m in (11, 12, 1, 2))
    light = sum(months[m] for m in (5, 6, 7, 8))
    assert dark > 1.4 * light, months
    hours = dict(demo.rows_of("SELECT hour(occurred_at), count(*) FROM incident "
                              "WHERE category = 'residential_burglary' GROUP BY 1"))
    evening = sum(hours[h] for h in range(17, 23)) / 6
    rest = sum(v for h, v in hours.items() if not 17 <= h < 23) / 18
    assert evening > 2 * rest, hours


def test_bicycle_theft_peaks_in_summer(demo):
    months = _by_month(demo, "incident", "occurred_at", "category = 'bicycle_theft'")
    summer = sum(months[m] for m in (6, 7, 8, 9))
    winter = sum(months[m] for m in (12, 1, 2, 3))
    assert summer > 1.5 * winter, months


def test_violence_in_public_space_happens_at_night_and_in_weekends(demo):
    night, weekend = demo.rows_of("""
        SELECT avg((hour(occurred_at) >= 20 OR hour(occurred_at) < 5)::INT),
               avg((dayofweek(occurred_at) IN (0, 6))::INT)
        FROM incident WHERE category = 'violence_public_space'""")[0]
    assert night > 0.5 and weekend > 2 / 7 + 0.03, (night, weekend)


def test_the_centre_has_more_incidents_per_inhabitant(demo):
    city = demo.city
    centre = _centre(city)
    people = city.population(_full_years(city)[0])
    in_centre = sum(people[c][0] for c in centre)
    elsewhere = sum(n for n, _ in people.values()) - in_centre
    n_centre, n_all = demo.rows_of(
        "SELECT count(*) FILTER (WHERE area_id IN (SELECT unnest(?))), count(*) FROM incident",
        [centre])[0]
    rate_centre = n_centre / in_centre
    rate_elsewhere = (n_all - n_centre) / elsewhere
    assert rate_centre > 1.5 * rate_elsewhere, (rate_centre, rate_elsewhere)
    shop = demo.rows_of(
        "SELECT avg((area_id IN (SELECT unnest(?)))::INT) FROM incident "
        "WHERE category IN ('shoplifting', 'pickpocketing')", [centre])[0][0]
    assert shop > 0.5, "shoplifting and pickpocketing mostly in the centre"


def test_burglary_declines_by_more_than_a_quarter(demo):
    years = _full_years(demo.city)
    per_year = dict(demo.rows_of("SELECT year(occurred_at), count(*) FROM incident "
                                 "WHERE category = 'residential_burglary' GROUP BY 1"))
    assert per_year[years[-1]] < 0.75 * per_year[years[0]], per_year


def _before_after(demo: Demo, categories: list[str]) -> dict[bool, tuple[int, int]]:
    city = demo.city
    project = [s.code for s in city.sectors if s.project]
    rows = demo.rows_of("""
        SELECT area_id IN (SELECT unnest(?)), count(*) FILTER (WHERE occurred_at < ?),
               count(*) FILTER (WHERE occurred_at >= ?)
        FROM incident WHERE category IN (SELECT unnest(?)) GROUP BY 1""",
                        [project, city.project_start, city.project_start, categories])
    return {p: (before, after) for p, before, after in rows}


def _ratio_of_ratios(counts: dict[bool, tuple[int, int]]) -> tuple[float, float]:
    """After/before in the project sectors over after/before elsewhere (the years before and
    after cancel out), and the z score of its log (Poisson counts)."""
    (pb, pa), (rb, ra) = counts[True], counts[False]
    ratio = (pa / pb) / (ra / rb)
    return ratio, math.log(ratio) / math.sqrt(1 / pa + 1 / pb + 1 / ra + 1 / rb)


def test_burglary_fell_more_in_the_project_sectors_after_the_project_start(demo):
    burglary = _before_after(demo, ["residential_burglary", "residential_burglary_attempt"])
    ratio, _ = _ratio_of_ratios(burglary)
    assert ratio < 0.85, burglary
    targeted = _before_after(demo, ["residential_burglary", "residential_burglary_attempt",
                                    "vandalism"])
    ratio, z = _ratio_of_ratios(targeted)
    assert ratio < 0.8, targeted
    assert z < -1.645, f"not significant at 5 % (one-sided): z = {z:.2f}, {targeted}"


def test_carnival_days_peak_in_the_centre(demo):
    city = demo.city
    days = [d for y in city.years for d in city.carnival(y) if city.start <= d <= city.end]
    daily = dict(demo.rows_of("""
        SELECT CAST(occurred_at AS DATE), count(*) FROM incident
        WHERE category IN ('violence_public_space', 'vandalism', 'pickpocketing')
          AND area_id IN (SELECT unnest(?)) GROUP BY 1""", [_centre(city)]))
    held = [d for d in days if d.year != 2021]
    carnival = sum(daily.get(d, 0) for d in held) / len(held)
    other = sum(v for d, v in daily.items() if d not in days) / (
        (city.end - city.start).days + 1 - len(days))
    assert carnival > 3 * other, (carnival, other)


def test_priority_one_arrivals_are_mostly_within_15_minutes(demo):
    rows = demo.rows_of("""
        SELECT year(reported_at) AS y, avg((arrived_at <= reported_at + INTERVAL 15 MINUTE)::INT),
               count(*) FROM incident WHERE priority = 1 GROUP BY 1 ORDER BY 1""")
    years = _full_years(demo.city)
    share = {y: s for y, s, _ in rows}
    overall = sum(s * n for _, s, n in rows) / sum(n for *_, n in rows)
    assert 0.7 <= overall <= 0.92, overall
    first, last = sum(share[y] for y in years[:3]) / 3, sum(share[y] for y in years[-3:]) / 3
    assert last > first, "response improves slightly"
    no_patrol = demo.one("SELECT count(*) FROM incident WHERE priority <= 2 AND arrived_at IS NULL")
    assert no_patrol == 0
    admin = demo.one("SELECT count(dispatched_at) + count(arrived_at) FROM incident "
                     "WHERE priority = 4")
    assert admin == 0, "administrative complaints get no patrol"
    late = demo.one("SELECT count(*) FROM incident WHERE reported_at < occurred_at "
                    "OR arrived_at < dispatched_at OR dispatched_at < reported_at")
    assert late == 0


# --- nuisance realism ----------------------------------------------------------------------

def test_nuisance_volume_is_that_of_a_city_of_87000(demo):
    per_year = dict(demo.rows_of("SELECT year(reported_at), count(*) FROM nuisance GROUP BY 1"))
    for year in _full_years(demo.city):
        assert 2000 <= per_year[year] <= 4000, per_year


def test_noise_peaks_in_summer_and_litter_in_spring(demo):
    noise = _by_month(demo, "nuisance", "reported_at", "type = 'noise'")
    assert sum(noise[m] for m in (6, 7, 8)) > 1.4 * sum(noise[m] for m in (12, 1, 2)), noise
    litter = _by_month(demo, "nuisance", "reported_at", "type = 'litter_dumping'")
    assert sum(litter[m] for m in (3, 4, 5)) > 1.2 * sum(litter[m] for m in (9, 10, 11))
    loitering = _by_month(demo, "nuisance", "reported_at", "type = 'loitering'")
    assert sum(loitering[m] for m in (6, 7, 8)) > 1.5 * sum(loitering[m] for m in (12, 1, 2))


def test_nuisance_peaks_at_carnival_in_the_centre(demo):
    city = demo.city
    days = [d for y in city.years if y != 2021 for d in city.carnival(y)
            if city.start <= d <= city.end]
    daily = dict(demo.rows_of("""
        SELECT CAST(reported_at AS DATE), count(*) FROM nuisance
        WHERE area_id IN (SELECT unnest(?)) GROUP BY 1""", [_centre(city)]))
    carnival = sum(daily.get(d, 0) for d in days) / len(days)
    other = sum(daily.values()) / ((city.end - city.start).days + 1)
    assert carnival > 2 * other, (carnival, other)


def test_gas_fines_rise_for_litter_and_follow_closed_reports_only(demo):
    years = _full_years(demo.city)
    share = dict(demo.rows_of("SELECT year(reported_at), avg(gas_fine::INT) FROM nuisance "
                              "WHERE type = 'litter_dumping' GROUP BY 1"))
    assert share[years[-1]] > share[years[0]] + 0.08, share
    assert 0.03 <= share[years[0]] <= 0.15
    assert demo.one("SELECT count(*) FROM nuisance WHERE gas_fine AND closed_at IS NULL") == 0
    assert demo.one("SELECT count(*) FROM nuisance WHERE gas_fine IS NULL") == 0


def test_reports_close_in_days_and_the_app_takes_over(demo):
    median = demo.one("SELECT median(date_diff('hour', reported_at, closed_at)) / 24 "
                      "FROM nuisance")
    assert 1 <= median <= 10, median
    still_open = demo.one("SELECT avg((closed_at IS NULL)::INT) FROM nuisance")
    assert 0.005 <= still_open <= 0.05
    years = _full_years(demo.city)
    channels = dict(demo.rows_of("SELECT channel, count(*) FROM nuisance WHERE "
                                 "year(reported_at) = ? GROUP BY 1", [years[-1]]))
    assert set(channels) == {"telefoon", "e-mail", "app", "loket", "politie"}
    assert max(channels, key=channels.get) == "app"
    first = demo.one("SELECT count(*) FROM nuisance WHERE channel = 'app' "
                     "AND year(reported_at) = ?", [years[0]])
    assert first == 0
