"""Builders of files that attack the loader's bounds: too wide, too deep, too long, too big, not
finite. Same base warehouse as :mod:`.corpus`."""

from __future__ import annotations

import json
from pathlib import Path

from tests.nasty.corpus import _square, _text


def survey_10000_questions(d: Path) -> Path:
    """A 150 KB survey file with 10,000 question columns (once: 20 GB of memory, no end)."""
    questions = [f"q_{i}" for i in range(10_000)]
    header = ",".join(["respondent_id", "wave", "area_code", "weight", *questions])
    rows = [",".join([f"R{r}", "2024", "41002W01", "1.0", *("1" for _ in questions)])
            for r in range(3)]
    return _text(d, "survey_10000_questions.csv", "\n".join([header, *rows]) + "\n")


def survey_995_questions(d: Path) -> Path:
    """A survey as wide as allowed (999 columns with the respondent's own), 500 respondents."""
    questions = [f"q_{i}" for i in range(995)]
    header = ",".join(["respondent_id", "wave", "area_code", "weight", *questions])
    rows = [",".join([f"R{r}", "2024", "41002W01", "1.0", *(str(i % 5) for i in range(995))])
            for r in range(500)]
    return _text(d, "survey_995_questions.csv", "\n".join([header, *rows]) + "\n")


def geojson_nested_200000_deep(d: Path) -> Path:
    """A feature whose property nests 200,000 arrays (the parser would recurse until it
    breaks)."""
    nest = "[" * 200_000 + "]" * 200_000
    feature = ('{"type":"Feature","properties":{"code":"41002W09","nest":' + nest + '},'
               '"geometry":' + json.dumps(_square(4.0, 50.95)) + '}')
    path = d / "wijken_nested.geojson"
    path.write_text('{"type":"FeatureCollection","features":[' + feature + "]}")
    return path


def geojson_wijk(d: Path) -> Path:
    """One good wijk (for the size limit)."""
    doc = {"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"code": "41002W09", "parent_id": "41002A"},
        "geometry": _square(4.0, 50.95)}]}
    path = d / "wijk.geojson"
    path.write_text(json.dumps(doc))
    return path


def unclosed_quote(d: Path) -> Path:
    """A quote that is never closed: the rest of the file (50 KB) is one line."""
    rows = [f"UQ{i},bicycle_theft,03/03/2024 14:30,,,Kerkstraat {i},41002W01" for i in range(1000)]
    rows[1] = 'UQ1,bicycle_theft,03/03/2024 14:30,,,"Kerkstraat 1,41002W01'
    return _text(d, "incidents_unclosed_quote.csv",
                 "source_id,category,occurred_at,longitude,latitude,location,area_code\n"
                 + "\n".join(rows) + "\n")


def plan_with_nan_baseline(d: Path) -> Path:
    """A plan whose baseline value is NaN (once stored, then shown as a status)."""
    return _text(d, "plan_nan.yaml", (
        "spec: 1\n"
        "plan: {version: '2024-nan', title: Plan, approved_on: 2024-01-01}\n"
        "objectives:\n"
        "  - id: PREV-01\n"
        "    title: {nl: Minder inbraken}\n"
        "    plan: LIVP\n"
        "    phase: preventie\n"
        "    indicator: residential_burglary_count\n"
        "    baseline: {period: '2023', value: .nan}\n"
        "    target: {change: -0.1}\n"
        "    deadline: 2027-12-31\n"
    ))
