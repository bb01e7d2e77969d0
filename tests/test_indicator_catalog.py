"""The indicator catalogue: one valid YAML file per indicator, every problem reported at once,
and the SQL each declaration compiles to pinned in a reviewable snapshot."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from core.settings import flag
from indicators.catalog import check_catalog, default_folder, indicator_files, load_catalog
from indicators.compile import monthly_select, to_sql
from indicators.measures import MEASURES
from ivm.cli import main

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).parent / "snapshots" / "sql"
AS_OF = dt.date(2026, 10, 31)


def test_every_builtin_indicator_is_valid_and_named_by_its_id():
    found, problems = check_catalog()
    assert problems == []
    files = indicator_files(default_folder())
    assert {p.stem for p in files} == set(found)
    assert len(found) >= 25


def test_every_measure_kind_is_documented():
    methods = (ROOT / "docs" / "methods.md").read_text(encoding="utf-8")
    template = (default_folder() / "_template.yaml").read_text(encoding="utf-8")
    for name, kind in MEASURES.items():
        assert f"`{name}`" in methods, f"measure {name} is not in docs/methods.md"
        assert name in template
        assert kind.doc, f"measure {name} has no docstring"


BAD = """spec: 1
id: not_the_file_name
title: {nl: Fout, en: Wrong}
unit: {nl: feiten, en: offences}
source: incidents
measure: rate
numerator: {nl: feiten, en: offences}
filters:
  colour: [red]
  category: [residential_burglary, burglary_of_the_moon]
direction: lower
"""


def test_a_bad_declaration_gets_every_problem_with_file_and_key(tmp_path):
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    _, problems = check_catalog(tmp_path)
    lines = [p.one_line() for p in problems]
    codes = sorted(p.code for p in problems)
    assert codes == ["bad_measure", "bad_measure", "id_not_file_name", "unknown_column",
                     "unknown_value"]
    assert all("bad.yaml" in line for line in lines)
    fields = {p.where.field for p in problems}
    assert {"filters.colour", "filters.category", "population", "factor", "id"} <= fields


def test_indicators_check_exits_1_and_prints_one_line_per_problem(tmp_path):
    (tmp_path / "bad.yaml").write_text(BAD, encoding="utf-8")
    (tmp_path / "worse.yaml").write_text("spec: 1\nid: worse\nmeasure: [", encoding="utf-8")
    result = CliRunner().invoke(main, ["indicators", "check", "--catalog", str(tmp_path)])
    assert result.exit_code == 1
    assert len(result.stderr.strip().splitlines()) == 6
    assert "Traceback" not in result.output


def test_unknown_source_measure_and_event_are_named(tmp_path):
    text = BAD.replace("id: not_the_file_name", "id: odd").replace(
        "source: incidents", "source: twitter")
    (tmp_path / "odd.yaml").write_text(text, encoding="utf-8")
    (tmp_path / "ev.yaml").write_text(
        "spec: 1\nid: ev\ntitle: {nl: a, en: a}\nunit: {nl: a, en: a}\nsource: incidents\n"
        "measure: median\nnumerator: {nl: a, en: a}\nevent: Moon Landing\n"
        "duration: {from: reported_at, to: closed_at, unit: days}\ndirection: lower\n",
        encoding="utf-8")
    _, problems = check_catalog(tmp_path)
    messages = " | ".join(p.one_line() for p in problems)
    assert "unknown source 'twitter'" in messages
    assert "'Moon Landing' is not an event id" in messages
    assert "no timestamp 'closed_at'" in messages


@pytest.mark.parametrize("indicator_id", sorted(load_catalog().indicators))
def test_the_compiled_sql_matches_its_snapshot(indicator_id):
    """Set IVM_UPDATE_SNAPSHOTS=1 to rewrite the snapshots after a deliberate change."""
    ind = load_catalog()[indicator_id]
    sql = to_sql(monthly_select(ind, AS_OF)).strip() + "\n"
    path = SNAPSHOTS / f"{indicator_id}.sql"
    if flag("update_snapshots") or not path.exists():
        path.write_text(sql, encoding="utf-8")
    assert sql == path.read_text(encoding="utf-8")


def test_user_values_reach_sql_only_as_quoted_literals(tmp_path):
    text = (BAD.replace("id: not_the_file_name", "id: quoted")
            .replace("measure: rate", "measure: count")
            .replace("  colour: [red]\n", "  source: [\"x'); DROP TABLE incident; --\"]\n")
            .replace(", burglary_of_the_moon", ""))
    (tmp_path / "quoted.yaml").write_text(text, encoding="utf-8")
    ind = load_catalog(tmp_path)["quoted"]
    sql = to_sql(monthly_select(ind, AS_OF))
    assert "'x''); DROP TABLE incident; --'" in sql


def test_docs_indicators_md_is_generated_from_the_catalogue():
    from indicators.catalog_doc import render

    text = (ROOT / "docs" / "indicators.md").read_text(encoding="utf-8")
    assert text == render(load_catalog()), "run: python -m indicators.catalog_doc"
