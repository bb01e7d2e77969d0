"""CONTRIBUTING.md's recipe "a new measure kind", walked: one ``@measure`` registration (here, in
this test module) and nothing else makes the kind usable by an indicator, checked by the
catalogue check, listed by ``ivm indicators kinds``, documented in the generated
``docs/indicators.md``, computed, and shown with its value style on every surface."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner

from core.vocabulary import value_text
from indicators import MEASURES, default_folder, measure
from indicators.catalog_doc import measure_kinds
from ivm.cli import main

KIND = "maximum"
INDICATOR = """spec: 1
id: nuisance_close_days_max
title: {nl: Langste doorlooptijd van een overlastmelding, en: Longest time to close a report}
unit: {nl: dagen, en: days}
source: nuisance
measure: maximum
numerator: {nl: dagen van melding tot afsluiting, en: days from report to closure}
duration: {from: reported_at, to: closed_at, unit: days}
direction: lower
period: year
min_n: 20
"""


@pytest.fixture
def maximum_kind():
    """The recipe's one step: register the kind, with its words and its value style."""

    @measure(KIND, value="direct", noise=None, takes=("question", "answered", "duration"),
             survey=None, style="decimal1", label={"nl": "maximum", "en": "maximum"},
             doc_nl="de langste duur of het hoogste antwoord")
    def maximum(ind, rows):
        """The longest duration (or highest numeric answer)."""
        x = rows.answer_number if rows.answer is not None else rows.duration
        return {"x": x, "q": 1.0}

    yield MEASURES[KIND]
    MEASURES.pop(KIND)


def cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_measure_kind_registered_from_a_module_is_usable_everywhere(maximum_kind, demo_copy,
                                                                     tmp_path):
    catalog = tmp_path / "catalog"
    shutil.copytree(default_folder(), catalog)
    (catalog / "nuisance_close_days_max.yaml").write_text(INDICATOR, encoding="utf-8")

    # the catalogue check accepts an indicator of the new kind
    assert "no problems" in cli("indicators", "check", "--catalog", str(catalog))
    # the CLI lists the kind with its words and how its values read
    kinds = {k["kind"]: k for k in json.loads(cli("indicators", "kinds", "--format", "json"))}
    assert kinds[KIND]["label"] == "maximum" and kinds[KIND]["shown_as"] == "1.234,6"
    assert kinds[KIND]["description"] == "de langste duur of het hoogste antwoord"
    # the generated docs document it
    row = next(line for line in measure_kinds() if line.startswith(f"| `{KIND}`"))
    assert "The longest duration" in row and "`1.234,6` / `1,234.6`" in row
    # values are computed, and read with the kind's style
    shown = json.loads(cli("indicators", "show", "nuisance_close_days_max", "--catalog",
                           str(catalog), "--db", str(demo_copy.path), "--format", "json"))
    values = [r["value"] for r in shown if r["value"] is not None]
    assert values and all(v >= 0 for v in values)
    table = cli("indicators", "show", "nuisance_close_days_max", "--catalog", str(catalog),
                "--db", str(demo_copy.path))
    assert value_text(values[-1], "decimal1", "nl") in table


def test_a_kind_with_an_unknown_style_is_refused_at_registration():
    with pytest.raises(ValueError, match="unknown style 'bold'"):
        measure("bold_kind", value="num", noise=None, style="bold",
                label={"nl": "x", "en": "x"}, doc_nl="x")
    assert "bold_kind" not in MEASURES
