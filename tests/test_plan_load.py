"""`ivm load plan` validates the plan's structure (every problem at once) and stores it."""

from __future__ import annotations

import pytest

from core.errors import DeclarationError, FileRejected
from etl.load import load_file
from indicators.plan import parse_plan
from indicators.plan_load import register
from tests.conftest import count

PLAN = """
spec: 1
plan: {version: LIVP-2026, title: Veiligheidsplan 2026-2031, approved_on: 2025-12-15}
objectives:
  - id: OD-01
    title: {nl: Minder woninginbraken, en: Fewer residential burglaries}
    plan: both
    phase: preventie
    dimension: criminaliteit
    owner: politiezone
    partners: [preventiedienst]
    indicator: residential_burglary_rate
    area_level: wijk
    baseline: {period: "2024", value: from_data}
    target: {change: -0.15}
    deadline: 2031-12-31
  - id: OD-02
    title: {nl: Sneller ter plaatse}
    plan: ZVP
    phase: reactie
"""


def test_a_valid_plan_is_stored_with_its_version_and_objectives(warehouse, write):
    register()
    result = load_file(warehouse, "plan", write("plan.yaml", PLAN))
    assert (result.counts.read, result.counts.loaded) == (2, 2)
    assert count(warehouse, "SELECT count(*) FROM objective WHERE plan_version = 'LIVP-2026'") == 2
    assert count(warehouse, "SELECT count(*) FROM plan_version") == 1


def test_reloading_the_same_plan_version_unchanged_changes_nothing(warehouse, write):
    register()
    load_file(warehouse, "plan", write("plan.yaml", PLAN))
    result = load_file(warehouse, "plan", write("again.yaml", "# a comment\n" + PLAN))
    assert (result.counts.loaded, result.counts.skipped) == (0, 2)
    assert "identical" in result.counts.message


def test_an_approved_plan_version_never_changes(warehouse, write):
    register()
    load_file(warehouse, "plan", write("plan.yaml", PLAN))
    with pytest.raises(FileRejected, match=r"OD-01 target.change: -0.15 -> -0.2") as err:
        load_file(warehouse, "plan", write("plan2.yaml", PLAN.replace("-0.15", "-0.2")))
    assert err.value.code == "plan_version_exists"
    con = warehouse.connect_read_only()
    spec = con.execute("SELECT spec FROM objective WHERE objective_id = 'OD-01'").fetchall()
    con.close()
    assert '"change": -0.15' in spec[0][0]


def test_a_revision_is_a_new_version_and_both_stay_readable(warehouse, write):
    from indicators import diff_plans, plan_versions, stored_plan

    register()
    load_file(warehouse, "plan", write("plan.yaml", PLAN))
    revised = PLAN.replace("LIVP-2026,", "LIVP-2026-v2,").replace(
        "2025-12-15", "2026-06-22").replace("-0.15", "-0.2").replace(
        "  - id: OD-02", "  - id: OD-03\n    title: {nl: Nieuw}\n    plan: LIVP\n"
        "    phase: nazorg\n  - id: OD-02").replace("deadline: 2031-12-31", "deadline: 2030-12-31")
    load_file(warehouse, "plan", write("plan-v2.yaml", revised))
    con = warehouse.connect_read_only()
    versions = [v["version"] for v in plan_versions(con)]
    old, new = stored_plan(con, "LIVP-2026"), stored_plan(con, "LIVP-2026-v2")
    con.close()
    assert versions == ["LIVP-2026-v2", "LIVP-2026"]
    lines = [c.line() for c in diff_plans(old, new)]
    assert "objective OD-01 target.change: -0.15 -> -0.2" in lines
    assert "objective OD-01 deadline: 2031-12-31 -> 2030-12-31" in lines
    assert "objective OD-03 added" in lines
    assert "plan approved_on: 2025-12-15 -> 2026-06-22" in lines


def test_actions_and_the_reporting_calendar_are_kept_with_the_plan(warehouse, write):
    from indicators import plan_calendar, stored_plan

    register()
    text = PLAN.replace("approved_on: 2025-12-15}", "approved_on: 2025-12-15, reporting: "
                        "{frequency: quarter, start: 2026-01-01, deadline_days: 10, "
                        "council_dates: [2026-05-18, 2026-09-21]}}") + ACTIONS
    load_file(warehouse, "plan", write("plan.yaml", text))
    con = warehouse.connect_read_only()
    plan = stored_plan(con, "LIVP-2026")
    con.close()
    assert [(a.id, a.objective, a.state) for a in plan.actions] == [
        ("A-1", "OD-01", "ongoing"), ("A-2", "OD-01", "planned")]
    q1 = plan_calendar(plan)[0]
    assert (q1.key, str(q1.council), str(q1.due)) == ("2026-Q1", "2026-05-18", "2026-05-08")


ACTIONS = """
actions:
  - id: A-1
    objective: OD-01
    title: {nl: Inbraakpreventiecampagne}
    owner: preventiedienst
    start: 2026-01-01
    due: 2026-12-31
    state: lopend
    outputs: [techno_prevention_visits]
  - id: A-2
    objective: OD-01
    title: {nl: Gerichte patrouilles}
"""


def test_an_action_under_an_unknown_objective_is_refused():
    bad = PLAN + ACTIONS.replace("objective: OD-01\n    title: {nl: Gerichte",
                                 "objective: OD-1\n    title: {nl: Gerichte")
    with pytest.raises(DeclarationError, match=r"action A-2: objective 'OD-1' is not in this "
                                               r"plan \(close: OD-01"):
        parse_plan(bad, "plan.yaml")


def test_an_action_output_must_be_a_catalogue_indicator(warehouse, write):
    register()
    bad = PLAN + ACTIONS.replace("[techno_prevention_visits]", "[techno_prevention_visit]")
    with pytest.raises(FileRejected, match=r"objective OD-01, action A-1: unknown output "
                                           r"indicator 'techno_prevention_visit' \(output\); "
                                           r"close matches: techno_prevention_visits"):
        load_file(warehouse, "plan", write("plan.yaml", bad))
    assert count(warehouse, "SELECT count(*) FROM objective") == 0


def test_an_unknown_partner_is_refused_once_the_register_is_loaded(warehouse, write):
    register(lambda: {"politiezone": ("Politiezone Aalst",),
                      "preventiedienst": ("Preventiedienst",)})
    bad = PLAN.replace("partners: [preventiedienst]", "partners: [preventedienst]")
    with pytest.raises(FileRejected) as err:
        load_file(warehouse, "plan", write("plan.yaml", bad))
    assert err.value.where.file.endswith("plan.yaml")
    assert ("objective OD-01: unknown partner 'preventedienst' (contributing partner); close "
            "matches: preventiedienst") in err.value.message
    assert count(warehouse, "SELECT count(*) FROM objective") == 0


def test_every_structural_problem_is_reported_at_once():
    bad = PLAN.replace("plan: ZVP", "plan: XYZ").replace("phase: reactie", "phase: repressie")
    with pytest.raises(DeclarationError) as err:
        parse_plan(bad, "plan.yaml")
    fields = [p.where.field for p in err.value.problems]
    assert fields == ["objectives[OD-02].plan", "objectives[OD-02].phase"]


def test_duplicate_objective_ids_are_refused():
    dup = PLAN.replace("id: OD-02", "id: OD-01")
    with pytest.raises(DeclarationError, match="appears twice"):
        parse_plan(dup, "plan.yaml")


def test_an_invalid_plan_file_is_rejected_and_changes_nothing(warehouse, write):
    register()
    with pytest.raises(FileRejected, match="phase"):
        load_file(warehouse, "plan", write("plan.yaml", PLAN.replace("preventie", "x")))
    assert count(warehouse, "SELECT count(*) FROM objective") == 0


def test_reloading_an_approved_version_with_other_content_exits_1_and_changes_nothing(
        warehouse, write):
    from click.testing import CliRunner

    from ivm.cli import main

    db = str(warehouse.path)
    runner = CliRunner()
    assert runner.invoke(main, ["load", "plan", str(write("plan.yaml", PLAN)), "--db",
                                db]).exit_code == 0
    con = warehouse.connect_read_only()
    before = con.execute("SELECT * FROM objective ORDER BY objective_id").fetchall()
    plans = con.execute("SELECT plan_version, sha256 FROM plan_version").fetchall()
    con.close()
    changed = write("plan2.yaml", PLAN.replace("-0.15", "-0.25"))
    result = runner.invoke(main, ["load", "plan", str(changed), "--db", db])
    assert result.exit_code == 1
    assert "error [plan_version_exists]" in result.output
    assert "objective OD-01 target.change: -0.15 -> -0.25" in result.output
    con = warehouse.connect_read_only()
    assert con.execute("SELECT * FROM objective ORDER BY objective_id").fetchall() == before
    assert con.execute("SELECT plan_version, sha256 FROM plan_version").fetchall() == plans
    con.close()
