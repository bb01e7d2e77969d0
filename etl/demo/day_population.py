"""The demo's day population and visitors: per centre wijk and for the city, every year.

A centre draws shoppers, commuters and pupils: its day population (the average number of people
present between 8 and 20 h) is about 2.4 times its inhabitants, the city's 1.15 times (a
regional centre draws in more than it sends out); the centre wijken count their visitors (visits
a year, from footfall counters), lower in the lockdown year 2020. Seeded noise of a few per cent
makes the figures look measured. Neither is summed over areas: a visitor of the market square
also walks through the station wijk.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from etl.demo.city import CENTRE_WIJKEN, City

#: Day population over inhabitants: a centre wijk, and the whole city.
CENTRE_FACTOR, CITY_FACTOR = 2.4, 1.15
#: Visits a year per inhabitant of a centre wijk (footfall counters).
VISITS_PER_INHABITANT = 140.0
#: Visits in 2020 against an ordinary year (lockdowns).
LOCKDOWN_VISITS = 0.55


def write_day_population(city: City, path: Path, seed: int) -> int:
    """Write the canonical day-population file; return the number of rows."""
    rng = np.random.default_rng(seed + 77)
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["area_code", "year", "day_population", "visitors"])
        for year in city.years:
            people = city.population(year)
            by_wijk: dict[str, int] = {}
            for s in city.sectors:
                by_wijk[s.wijk] = by_wijk.get(s.wijk, 0) + people[s.code][0]
            city_code = city.sectors[0].code[:5]
            total = sum(by_wijk.values())
            out.writerow([city_code, year, round(total * CITY_FACTOR * rng.normal(1, 0.02)), ""])
            rows += 1
            for wijk in sorted(w for w in by_wijk if w in CENTRE_WIJKEN):
                inhabitants = by_wijk[wijk]
                visits = inhabitants * VISITS_PER_INHABITANT * rng.normal(1, 0.04)
                visits *= LOCKDOWN_VISITS if year == 2020 else 1.0
                out.writerow([wijk, year, round(inhabitants * CENTRE_FACTOR
                                                * rng.normal(1, 0.03)), round(visits, -2)])
                rows += 1
    return rows
