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


def test_reloading_a_changed_plan_replaces_changed_objectives(warehouse, write):
    register()
    load_file(warehouse, "plan", write("plan.yaml", PLAN))
    result = load_file(warehouse, "plan", write("plan2.yaml", PLAN.replace("-0.15", "-0.2")))
    assert (result.counts.replaced, result.counts.skipped) == (1, 1)


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
