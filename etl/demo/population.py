"""Demo population per sector and year (canonical format), from the city's population rule."""

from __future__ import annotations

import csv
from pathlib import Path

from etl.demo.city import City


def write_population(city: City, path: Path) -> int:
    """Write inhabitants and households per sector on 1 January of every year; return rows."""
    rows = 0
    with open(path, "w", encoding="utf-8", newline="") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["area_code", "year", "inhabitants", "households"])
        for year in city.years:
            for code, (people, households) in sorted(city.population(year).items()):
                out.writerow([code, year, people, households])
                rows += 1
    return rows
