"""An analyst adds an indicator with one YAML file, no code: it is listed, checked, computed,
and an objective of the plan can use it."""

from __future__ import annotations

import json
import shutil

from click.testing import CliRunner

from indicators.catalog import default_folder, load_catalog
from ivm.cli import main

NEW = """spec: 1
id: night_violence_count
title: {nl: Nachtelijk geweld in het centrum, en: Night-time violence in the centre}
unit: {nl: feiten, en: offences}
source: incidents
measure: count
numerator: {nl: geweld en diefstal met geweld, en: violence and robbery}
filters:
  category: [violence_public_space, robbery]
  priority: [1, 2]
direction: lower
period: year
"""

PLAN = """spec: 1
plan: {version: analyst-v1, title: Analist, approved_on: 2026-11-01}
objectives:
  - id: NEW-01
    title: {nl: Minder nachtelijk geweld, en: Less night-time violence}
    plan: LIVP
    phase: reactie
    dimension: criminaliteit
    owner: politiezone
    indicator: night_violence_count
    areas: [41002W01]
    baseline: {period: 2017-2019}
    target: {change: -0.2}
    deadline: 2027-12-31
"""


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_new_yaml_file_is_an_indicator_an_objective_can_use(demo_copy, tmp_path, monkeypatch):
    catalog = tmp_path / "catalog"
    shutil.copytree(default_folder(), catalog)
    (catalog / "night_violence_count.yaml").write_text(NEW, encoding="utf-8")
    db = str(demo_copy.path)

    assert "night_violence_count" in cli("indicators", "list", "--catalog", str(catalog))
    built_in = len(load_catalog())
    assert f"{built_in + 1} indicators, no problems" in cli("indicators", "check", "--catalog",
                                                           str(catalog))

    shown = json.loads(cli("indicators", "show", "night_violence_count", "--catalog",
                           str(catalog), "--db", db, "--area", "41002W01", "--format", "json"))
    years = {r["period"]: r["value"] for r in shown}
    con = demo_copy.connect_read_only()
    expected = con.execute("""
        SELECT count(*) FROM incident WHERE category IN ('violence_public_space', 'robbery')
          AND priority IN (1, 2) AND year(occurred_at) = 2023 AND area_id IN
          (SELECT area_id FROM area_link WHERE parent_id = '41002W01')""").fetchall()[0][0]
    con.close()
    assert years["2023"] == expected > 0

    plan = tmp_path / "plan.yaml"
    plan.write_text(PLAN, encoding="utf-8")
    monkeypatch.setenv("IVM_CATALOG", str(catalog))
    cli("load", "plan", str(plan), "--db", db, "--activate")
    records = json.loads(cli("status", "--db", db, "--format", "json"))
    assert [r["id"] for r in records] == ["NEW-01"]
    assert records[0]["indicator"] == "night_violence_count"
    assert records[0]["status"] != "insufficient_data"
    assert records[0]["current"]["value"] is not None
