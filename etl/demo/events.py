"""The demo's events calendar: the Aalst carnival, one row per edition, the 2021 edition
cancelled (as it was), next year's edition already planned."""

from __future__ import annotations

import csv
from pathlib import Path

from etl.demo.activities import CARNIVAL_CANCELLED
from etl.demo.city import City

#: The carnival's id, as the carnival indicator names it.
CARNIVAL = "aalst_carnival"


def write_events(city: City, path: Path) -> int:
    """Write the calendar in the canonical events format (``;``, Belgian dates); return the
    number of editions."""
    years = [*city.years, city.years[-1] + 1]
    with path.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, delimiter=";", lineterminator="\n")
        out.writerow(["event", "edition", "name_nl", "name_en", "first_day", "last_day",
                      "cancelled", "note"])
        for year in years:
            days = city.carnival(year)
            cancelled = year in CARNIVAL_CANCELLED
            out.writerow([CARNIVAL, year, "Carnaval Aalst", "Aalst carnival",
                          f"{days[0]:%d/%m/%Y}", f"{days[-1]:%d/%m/%Y}",
                          "ja" if cancelled else "nee",
                          "COVID-19" if cancelled else ""])
    return len(years)
