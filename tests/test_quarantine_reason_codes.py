"""Quarantine reason codes come from one registry (``core/reasons.py``): the loading SQL writes
only declared codes, ``docs/formats.md`` lists exactly the declared ones, and every declared
code is one a real load can write."""

from __future__ import annotations

import json
import re
from pathlib import Path

import duckdb
import pytest

from core.reasons import REASONS, docs_with_table, label, reason_sql, reason_text
from etl.kinds.fields import FACT_KINDS
from etl.load import load_file
from tests.conftest import square

ROOT = Path(__file__).resolve().parent.parent


def _quarantined(wh, load_id: int) -> dict[int, set[str]]:
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        rows = con.execute("SELECT row_number, reason_codes, reasons FROM quarantine "
                           "WHERE load_id = ? ORDER BY row_number", [load_id]).fetchall()
    finally:
        con.close()
    for _, codes, reasons in rows:
        # the text starts with the first code, and names every one of them
        assert all(f"{c}: " in reasons for c in codes.split(",")), reasons
    return {row: set(codes.split(",")) for row, codes, _ in rows}


def test_docs_formats_md_lists_exactly_the_declared_codes():
    text = (ROOT / "docs" / "formats.md").read_text(encoding="utf-8")
    assert text == docs_with_table(text), "run: python -m core.reasons"
    listed = set(re.findall(r"^\| `([a-z_]+)` \|", text.split("<!-- reasons -->")[1]
                            .split("<!-- /reasons -->")[0], re.M))
    assert listed == set(REASONS)


def test_codes_are_stable_identifiers_with_a_label_in_both_languages():
    for code, r in REASONS.items():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", code)
        assert r.meaning and r.nl and r.en and r.nl != code
        assert label(code, "en") == r.en and label(code, "nl") == r.nl


def test_an_undeclared_code_cannot_be_written():
    with pytest.raises(KeyError, match="not declared"):
        reason_sql("made_up_code", "'x'")
    with pytest.raises(KeyError, match="not declared"):
        reason_text("made_up_code", "x")
    assert reason_sql("no_area") == "'no_area'"


def test_every_row_check_of_every_kind_uses_a_declared_code():
    for spec in FACT_KINDS.values():
        for check in spec.checks:
            assert check.code in REASONS, (spec.kind, check.code)


def test_the_loading_code_writes_no_reason_text_of_its_own():
    """A reason is ``code: ...``: that prefix comes from the registry, never from a literal."""
    prefix = re.compile("[\"']'?(" + "|".join(REASONS) + "): ")
    found = [
        f"{path.relative_to(ROOT)}:{n}"
        for path in sorted((ROOT / "etl").rglob("*.py"))
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if prefix.search(line)
    ]
    assert found == []


def test_row_reasons_seen_in_real_loads_are_declared(toy_city, write):
    """One load per kind with a row for each row-level reason that kind can give."""
    incidents = write("incidents.csv", (
        "source_id,category,occurred_at,reported_at,priority,dispatched_at,arrived_at,"
        "area_code,longitude,latitude\n"
        "I1,residential_burglary,01/03/2024 10:00,01/03/2024 09:00,,,,41002W01,,\n"
        "I2,residential_burglary,01/03/2024 10:00,,9,,,41002W01,,\n"
        "I3,residential_burglary,01/03/2024 10:00,,,,,41002W01,,\n"
        "I3,residential_burglary,01/03/2024 11:00,,,,,41002W01,,\n"
        "I5,residential_burglary,01/03/2024 10:00,,x,,,41002W01,,\n"
        "I6,residential_burglary,01/03/2024 10:00,,,,,,east,north\n"
    ))
    result = load_file(toy_city, "incidents", incidents)
    assert _quarantined(toy_city, result.load_id) == {
        2: {"bad_sequence"}, 3: {"out_of_range"}, 4: {"duplicate_id"}, 5: {"duplicate_id"},
        6: {"invalid_int"}, 7: {"invalid_number"},
    }
    nuisance = write("nuisance.csv", (
        "source_id;type;reported_at;closed_at;gas_fine;area_code\n"
        "N1;noise;01/06/2024 23:10;;misschien;41002W01\n"
    ))
    result = load_file(toy_city, "nuisance", nuisance)
    assert _quarantined(toy_city, result.load_id) == {2: {"invalid_bool"}}
    activities = write("activities.csv", (
        "source_id,partner,activity_type,activity_date,area_code,quantity\n"
        "A1,politiezone,patrol_hours,31/02/2024,41002W01,1\n"
    ))
    result = load_file(toy_city, "activities", activities)
    assert _quarantined(toy_city, result.load_id) == {2: {"invalid_date"}}
    feature = {"type": "Feature", "properties": {"code": "41002W09", "naam": "Wijk 09"},
               "geometry": square(4.2, 50.9)}
    areas = write("areas.geojson", json.dumps({"type": "FeatureCollection",
                                                "features": [feature, 42]}))
    result = load_file(toy_city, "areas", areas)
    assert _quarantined(toy_city, result.load_id) == {2: {"not_a_feature"}}
