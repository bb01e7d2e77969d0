"""The docs describe the code as it is: every CLI command and status key is in docs/cli.md."""

from __future__ import annotations

import json
import re
from pathlib import Path

import click

from ivm.cli import main

DOCS = Path(__file__).resolve().parent.parent / "docs"


def _commands(group: click.Group, prefix: str = "ivm") -> list[str]:
    out = []
    for name, cmd in group.commands.items():
        if isinstance(cmd, click.Group):
            out += _commands(cmd, f"{prefix} {name}")
        else:
            out.append(f"{prefix} {name}")
    return out


def test_every_command_is_in_docs_cli_md():
    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    for command in _commands(main):
        assert f"`{command}" in text, f"{command} is not documented in docs/cli.md"


def test_the_status_example_in_docs_has_every_key_the_code_writes(demo_city):
    from click.testing import CliRunner

    text = (DOCS / "cli.md").read_text(encoding="utf-8")
    example = json.loads(re.search(r"```json\n(.*?)```", text, re.S).group(1).replace(
        '"..."', '"x"'))
    out = CliRunner().invoke(main, ["status", "--db", str(demo_city[0].path), "--format",
                                    "json", "--objective", "PREV-01"])
    record = json.loads(out.stdout)[0]

    def keys(d: dict, prefix: str = "") -> set[str]:
        found = set()
        for k, v in d.items():
            found.add(prefix + k)
            if isinstance(v, dict):
                found |= keys(v, prefix + k + ".")
        return found

    assert keys(record) == keys(example)


def test_docs_formats_md_lists_every_profile_key_and_plan_field_as_the_models_declare():
    from etl.profile import AreaRule, KindProfile, Profile
    from indicators import PlanFile
    from ivm.formats_doc import docs_with_parts, model_rows

    text = (DOCS / "formats.md").read_text(encoding="utf-8")
    assert text == docs_with_parts(text), "run: python -m ivm.formats_doc"
    profile_part = text.split("<!-- profile -->")[1].split("<!-- /profile -->")[0]
    for model in (Profile, KindProfile, AreaRule):
        for name in model.model_fields:
            assert re.search(rf"^\| `([a-z_.A-Z]+\.)?{name}` \|", profile_part, re.M), name
    rows = model_rows(PlanFile)
    plan_part = text.split("<!-- plan -->")[1].split("<!-- /plan -->")[0]
    assert {"objectives[].target.change", "plan.reporting.council_dates",
            "actions[].outputs", "objectives[].milestones[].year"} <= {r[0] for r in rows}
    for key, _, _, what in [*rows, *model_rows(Profile)]:
        assert what, f"{key} has no description in its model"
    for key, *_ in rows:
        assert f"| `{key}` |" in plan_part
