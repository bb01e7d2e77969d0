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
