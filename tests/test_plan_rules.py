"""Plan rules: a plan load runs the plan check (an error refuses the plan, what is missing and the
warnings are told), references and dates must make sense, and the plan in force is chosen
explicitly: ``ivm plan activate VERSION`` (audited); loading a plan never changes it."""

from __future__ import annotations

import datetime as dt
import json

import duckdb
import pytest
from click.testing import CliRunner

from access.store import AccessStore
from core.warehouse import Warehouse
from etl.inspect import data_checksum, load_log_rows
from ivm.cli import main

PLAN = """spec: 1
plan: {{version: {version}, title: Veiligheidsplan, approved_on: {approved}}}
objectives:
  - id: OD-01
    title: {{nl: Minder fietsdiefstal, en: Less bicycle theft}}
    plan: LIVP
    phase: preventie
    dimension: criminaliteit
    owner: politiezone
    indicator: {indicator}
    areas: [{area}]
    baseline: {{period: "{baseline}"}}
    target: {{change: -0.1}}
    deadline: {deadline}
"""


def plan(write, name: str = "plan.yaml", version: str = "LIVP-2024", approved: str = "2024-01-15",
         indicator: str = "bicycle_theft_count", area: str = "41002W01", baseline: str = "2023",
         deadline: str = "2027-12-31"):
    return write(name, PLAN.format(version=version, approved=approved, indicator=indicator,
                                   area=area, baseline=baseline, deadline=deadline))


def ivm(*args: str):
    return CliRunner().invoke(main, list(args))


def in_force(wh: Warehouse) -> str | None:
    con = duckdb.connect(str(wh.path), read_only=True)
    try:
        row = con.execute("SELECT plan_version FROM plan_activation "
                          "ORDER BY activation_id DESC LIMIT 1").fetchall()
    finally:
        con.close()
    return row[0][0] if row else None


@pytest.mark.parametrize(("change", "says"), [
    ({"indicator": "no_such_indicator"}, "[unknown_indicator] indicator 'no_such_indicator'"),
    ({"area": "41002W99"}, "[unknown_area] area '41002W99' is not loaded"),
    ({"baseline": "2028"}, "[deadline_before_baseline]"),
    ({"approved": "9999-12-31"}, "[approved_in_future]"),
    ({"deadline": "2020-12-31"}, "[deadline_before_approval]"),
    ({"deadline": "9999-12-31"}, "[deadline_too_far]"),
], ids=["unknown_indicator", "unknown_area", "deadline_before_baseline", "approval_9999",
        "deadline_before_approval", "deadline_9999"])
def test_a_plan_whose_references_or_dates_make_no_sense_is_refused(toy_city, write, change, says):
    before = data_checksum(toy_city)
    path = plan(write, **change)

    result = ivm("load", "plan", str(path), "--db", str(toy_city.path))

    assert result.exit_code == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "[invalid_plan]" in lines[0] and says in lines[0], lines
    assert data_checksum(toy_city) == before
    assert load_log_rows(toy_city)[-1]["outcome"] == "rejected"
    check = ivm("plan", "check", str(path), "--db", str(toy_city.path))
    assert check.exit_code == 1 and f"OD-01: error {says}" in check.stdout or (
        f"(plan): error {says}" in check.stdout), check.stdout


def test_the_plan_check_lists_the_references_a_load_refuses(toy_city, write):
    path = write("plan.yaml", plan(write).read_text(encoding="utf-8") + """actions:
  - {id: A-1, objective: OD-01, title: {nl: Patrouilles}, outputs: [patrol_hourz]}
""")

    loaded = ivm("load", "plan", str(path), "--db", str(toy_city.path))
    check = ivm("plan", "check", str(path), "--db", str(toy_city.path))

    assert loaded.exit_code == 1 and "[unknown_reference]" in loaded.stderr
    assert check.exit_code == 1
    assert ("objective OD-01, action A-1: error [unknown_reference] unknown output indicator "
            "'patrol_hourz' (output); close matches: patrol_hours") in check.stdout
    assert "1 error(s)" in check.stdout


def test_what_a_plan_lacks_is_told_but_the_plan_loads(toy_city, write):
    path = write("plan.yaml", PLAN.format(
        version="LIVP-2024", approved="2024-01-15", indicator="bicycle_theft_count",
        area="41002W01", baseline="2023", deadline="2027-12-31").replace(
        "    owner: politiezone\n", ""))

    result = ivm("load", "plan", str(path), "--db", str(toy_city.path))

    assert result.exit_code == 0, result.output
    assert "warning: the plan check finds 1 missing part(s)" in result.stdout
    assert "OD-01 [no_owner]" in result.stdout


def test_loading_a_plan_never_changes_the_plan_in_force(toy_city, write):
    first = ivm("load", "plan", str(plan(write)), "--db", str(toy_city.path))
    assert first.exit_code == 0, first.output
    assert "no plan is in force yet: `ivm plan activate LIVP-2024`" in first.stdout
    assert in_force(toy_city) is None

    activated = ivm("plan", "activate", "LIVP-2024", "--db", str(toy_city.path))
    assert activated.exit_code == 0, activated.output
    assert in_force(toy_city) == "LIVP-2024"

    later = ivm("load", "plan", str(plan(write, "later.yaml", version="LIVP-2025",
                                         approved="2025-06-30")), "--db", str(toy_city.path))

    assert later.exit_code == 0, later.output
    assert "plan LIVP-2024 stays in force" in later.stdout
    assert in_force(toy_city) == "LIVP-2024", "a later approval date does not take over"
    listed = json.loads(ivm("plan", "list", "--db", str(toy_city.path), "--format",
                            "json").stdout)
    assert [(p["version"], p["in_force"]) for p in listed] == [  # newest approval first
        ("LIVP-2025", ""), ("LIVP-2024", "in force")]
    con = duckdb.connect(str(toy_city.path), read_only=True)
    try:
        assessed = con.execute("SELECT DISTINCT plan_version FROM objective_progress").fetchall()
    finally:
        con.close()
    assert assessed == [("LIVP-2024",)]

    ivm("plan", "activate", "LIVP-2025", "--db", str(toy_city.path))

    assert in_force(toy_city) == "LIVP-2025"
    audit = [a for a in AccessStore.of_warehouse(toy_city.path).audit_rows(20)
             if a["event"] == "plan_activated"]
    assert [a["detail"] for a in audit] == ["plan LIVP-2025 in force", "plan LIVP-2024 in force"]


def test_only_a_loaded_plan_can_be_put_in_force(toy_city):
    result = ivm("plan", "activate", "LIVP-1999", "--db", str(toy_city.path))

    assert result.exit_code == 1
    assert "[unknown_plan] no plan version 'LIVP-1999' is loaded" in result.stderr


def test_a_plan_loaded_before_its_areas_is_checked_again_on_activation(warehouse, write):
    loaded = ivm("load", "plan", str(plan(write)), "--db", str(warehouse.path))
    assert loaded.exit_code == 0, loaded.output
    assert "[no_areas_yet]" in loaded.stdout

    result = ivm("plan", "activate", "LIVP-2024", "--db", str(warehouse.path))

    assert result.exit_code == 1
    assert "[invalid_plan] plan LIVP-2024 cannot be put in force" in result.stderr
    assert "[unknown_area] area '41002W01' is not loaded" in result.stderr
    assert in_force(warehouse) is None


def test_load_plan_activate_loads_and_puts_it_in_force_at_once(toy_city, write):
    result = ivm("load", "plan", str(plan(write)), "--db", str(toy_city.path), "--activate")

    assert result.exit_code == 0, result.output
    assert "plan LIVP-2024 in force" in result.stdout
    assert in_force(toy_city) == "LIVP-2024"


def test_a_warehouse_of_version_4_keeps_its_plan_in_force(toy_city, write):
    ivm("load", "plan", str(plan(write)), "--db", str(toy_city.path))
    ivm("load", "plan", str(plan(write, "b.yaml", version="LIVP-2025", approved="2025-06-30")),
        "--db", str(toy_city.path))
    con = duckdb.connect(str(toy_city.path))
    con.execute("DROP TABLE plan_activation")
    con.execute("DROP TABLE catalog_indicator")
    con.execute("DELETE FROM schema_version WHERE version >= 5")
    con.close()

    toy_city.init()

    assert in_force(toy_city) == "LIVP-2025", "the latest approval, as before version 6"
    assert dt.date.today() > dt.date(2025, 6, 30)
