"""Builders of nasty files that are well-formed but say something impossible or implausible:
numbers that overflow, dates and durations that cannot be, geometry that is no area, a parent
cycle, a hidden sheet, decimal points in a ';' file. Same base warehouse as :mod:`.corpus`
(Aalst 41002, deelgemeenten 41002A/B, wijken 41002W01/W02 with square polygons).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.nasty.corpus import _save, _square, _text

#: "1" followed by 400 zeros: read as a number it overflows to infinity.
HUGE = "1" + "0" * 400


def survey_weight_overflow(d: Path) -> Path:
    """A survey weight of 10^400 (it would pass ``weight > 0`` as infinity)."""
    return _text(
        d,
        "survey_weight_overflow.csv",
        "respondent_id,wave,area_code,weight,q_unsafe\n"
        "R1,2024,41002W01,1.2,1\n"
        f"R2,2024,41002W01,{HUGE},2\n",
    )


def activity_quantity_overflow(d: Path) -> Path:
    """An activity quantity of 10^400."""
    return _text(
        d,
        "activities_quantity_overflow.csv",
        "source_id,partner,activity_type,activity_date,area_code,quantity\n"
        "AC1,politie,patrouille,03/03/2024,41002W01,2\n"
        f"AC2,politie,patrouille,04/03/2024,41002W01,{HUGE}\n",
    )


def priority_20_digits(d: Path) -> Path:
    """A priority of 20 digits (beyond a 64-bit integer)."""
    return _text(
        d,
        "incidents_priority_20_digits.csv",
        "source_id,category,occurred_at,priority,area_code\n"
        "PR1,bicycle_theft,03/03/2024 14:30,2,41002W01\n"
        "PR2,bicycle_theft,03/03/2024 15:30,12345678901234567890,41002W01\n",
    )


def population_10_to_the_20(d: Path) -> Path:
    """A population of 10^20."""
    return _text(
        d,
        "population_10_to_the_20.csv",
        "area_code,year,inhabitants\n"
        "41002W01,2023,1234\n"
        "41002W02,2023,100000000000000000000\n",
    )


def population_negative_households(d: Path) -> Path:
    """Negative households."""
    return _text(
        d,
        "population_negative_households.csv",
        "area_code,year,inhabitants,households\n"
        "41002W01,2023,1234,567\n"
        "41002W02,2023,10250,-4100\n",
    )


def survey_waves_not_years(d: Path) -> Path:
    """Waves named as a season ('2026-voorjaar') and of the year 1000."""
    return _text(
        d,
        "survey_waves_not_years.csv",
        "respondent_id,wave,area_code,weight,q_unsafe\n"
        "R1,2024,41002W01,1.2,1\n"
        "R2,2026-voorjaar,41002W01,0.8,2\n"
        "R3,1000,41002W02,1.0,1\n",
    )


def dispatch_before_incident(d: Path) -> Path:
    """A dispatch a day before the incident (it would count as an arrival within 15 minutes)."""
    return _text(
        d,
        "incidents_dispatch_before.csv",
        "source_id,category,occurred_at,reported_at,priority,dispatched_at,arrived_at,"
        "area_code\n"
        "DB1,violence_public_space,03/03/2024 14:30,03/03/2024 14:32,1,03/03/2024 14:34,"
        "03/03/2024 14:41,41002W01\n"
        "DB2,violence_public_space,03/03/2024 15:30,03/03/2024 15:31,1,02/03/2024 15:33,"
        "03/03/2024 15:40,41002W01\n",
    )


def response_of_a_month(d: Path) -> Path:
    """An arrival a month after the report."""
    return _text(
        d,
        "incidents_response_of_a_month.csv",
        "source_id,category,occurred_at,reported_at,priority,dispatched_at,arrived_at,"
        "area_code\n"
        "RM1,violence_public_space,03/03/2024 14:30,03/03/2024 14:32,1,03/03/2024 14:34,"
        "03/03/2024 14:41,41002W01\n"
        "RM2,violence_public_space,03/03/2024 15:30,03/03/2024 15:31,2,03/03/2024 15:33,"
        "03/04/2024 15:40,41002W01\n",
    )


def incidents_dated_1000_and_1900(d: Path) -> Path:
    """Incidents of the years 1000 and 1900 (four-digit years, but no police data is that old)."""
    return _text(
        d,
        "incidents_dated_1000_and_1900.csv",
        "source_id,category,occurred_at,area_code\n"
        "Y1,bicycle_theft,03/03/2024 14:30,41002W01\n"
        "Y2,bicycle_theft,03/03/1000 14:30,41002W01\n"
        "Y3,bicycle_theft,03/03/1900 14:30,41002W01\n",
    )


def nuisance_closed_in_2099(d: Path) -> Path:
    """A nuisance report closed in 2099."""
    return _text(
        d,
        "nuisance_closed_2099.csv",
        "source_id,type,reported_at,closed_at,area_code\n"
        "N1,noise,03/03/2024 22:30,05/03/2024 10:00,41002W01\n"
        "N2,noise,03/03/2024 23:30,05/03/2099 10:00,41002W01\n",
    )


def semicolon_file_with_decimal_points(d: Path) -> Path:
    """A police.uk-style export saved with ';' but decimal points: 50 rows, the coordinates of
    every fifth one with three decimals (4.012), which alone could be read as thousands."""
    rows = []
    for i in range(50):
        if i % 5 == 0:
            lon, lat = f"{4.01 + (i % 4) * 0.001:.3f}", f"{50.91 + (i % 3) * 0.001:.3f}"
        else:
            lon, lat = f"{4.0123 + i * 0.0011:.4f}", f"{50.9111 + i * 0.0003:.4f}"
        rows.append(f"DP{i};bicycle_theft;2024-03;{lon};{lat};On or near Kerkstraat")
    return _text(
        d,
        "incidents_semicolon_decimal_points.csv",
        "Crime ID;Crime type;Month;Longitude;Latitude;Location\n" + "\n".join(rows) + "\n",
    )


def police_uk_semicolon_profile(d: Path) -> Path:
    """The columns of the police.uk file, canonical categories."""
    return _text(
        d,
        "profile_police_uk_semicolon.yaml",
        "spec: 1\n"
        "name: nasty-police-uk-semicolon\n"
        "date_formats: ['%Y-%m']\n"
        "kinds:\n"
        "  incidents:\n"
        "    source: incidents\n"
        "    columns: {source_id: Crime ID, category: Crime type, occurred_at: Month}\n"
        "    area: {longitude: Longitude, latitude: Latitude}\n",
    )


def hidden_first_sheet(d: Path) -> Path:
    """A workbook whose first sheet is hidden (last year's rows, kept out of sight) and whose
    visible sheet holds the delivery."""
    from openpyxl import Workbook

    wb = Workbook()
    old = wb.active
    old.title = "Oud"
    old.append(["source_id", "category", "occurred_at", "area_code"])
    old.append(["OLD1", "no_such_category", "03/03/2023 14:30", "41002W01"])
    old.sheet_state = "hidden"
    data = wb.create_sheet("Data")
    data.append(["source_id", "category", "occurred_at", "area_code"])
    data.append(["HS1", "bicycle_theft", "03/03/2024 14:30", "41002W01"])
    data.append(["HS2", "drugs", "03/03/2024 16:00", "41002W02"])
    wb.active = 1
    return _save(wb, d / "incidents_hidden_first_sheet.xlsx")


def areas_empty_point_and_world(d: Path) -> Path:
    """Wijken of which one has an empty polygon, one a point, one covers the whole world; the
    fourth is a good wijk."""
    world = {"type": "Polygon", "coordinates": [[[-180, -90], [180, -90], [180, 90], [-180, 90],
                                                 [-180, -90]]]}
    features = [
        ("41002W11", {"type": "Polygon", "coordinates": []}),
        ("41002W12", {"type": "Point", "coordinates": [4.02, 50.92]}),
        ("41002W13", world),
        ("41002W14", _square(4.00, 50.95)),
    ]
    doc = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"code": code, "naam": code, "parent_id": "41002A"},
         "geometry": geometry}
        for code, geometry in features
    ]}
    path = d / "wijken_empty_point_world.geojson"
    path.write_text(json.dumps(doc, indent=1))
    return path


def parent_cycle(d: Path) -> Path:
    """One row makes the gemeente a child of wijk 41002W01 (whose parent is in the gemeente)."""
    return _text(
        d,
        "areas_parent_cycle.csv",
        "code,name,level,parent_id\n"
        "41002,Aalst,gemeente,41002W01\n"
        "41002W03,Nieuwe wijk,wijk,41002A\n",
    )
