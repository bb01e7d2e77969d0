"""Settings are data: every environment variable ivmonitor reads is declared in
``core/settings.py``, read through it, documented in ``docs/settings.md`` (generated from it)
and listed by ``ivm settings``."""

from __future__ import annotations

import json
import re
from pathlib import Path

from click.testing import CliRunner

from core.settings import SETTINGS, render_docs
from ivm.cli import main

ROOT = Path(__file__).resolve().parent.parent
PRODUCT = ("core", "etl", "indicators", "access", "dashboard", "ivm")
VARIABLE = re.compile(r"\bIVM_[A-Z][A-Z0-9_]*\b")
#: Keys of the Flask app's config (``config["IVM_DATA"]``): not environment variables.
APP_CONFIG = re.compile(r"config(\[|\.get\()\s*\"IVM_[A-Z_]+\"")
#: Reading the environment directly (building a child's environment from it is fine).
DIRECT_READ = re.compile(r"os\.environ\.get\(|os\.getenv\(|os\.environ\[")


def _texts(*folders: str, suffixes: tuple[str, ...] = (".py",)):
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.suffix in suffixes and ".venv" not in path.parts:
                yield path, path.read_text(encoding="utf-8")


def test_docs_settings_md_is_generated_from_the_registry():
    text = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    assert text == render_docs(), "run: python -m core.settings"
    for s in SETTINGS.values():
        assert f"`{s.env}`" in text


def test_every_variable_named_anywhere_is_in_the_registry():
    declared = {s.env for s in SETTINGS.values()}
    named: dict[str, str] = {}
    for path, text in [*_texts(*PRODUCT, "bench", "tests"),
                       *_texts("docs", suffixes=(".md",)),
                       (ROOT / "README.md", (ROOT / "README.md").read_text(encoding="utf-8"))]:
        for var in VARIABLE.findall(APP_CONFIG.sub("", text)):
            named.setdefault(var, str(path.relative_to(ROOT)))
    unknown = {v: where for v, where in named.items() if v not in declared}
    assert not unknown, f"not in core/settings.py: {unknown}"


def test_the_product_reads_the_environment_only_through_the_registry():
    readers = [str(path.relative_to(ROOT)) for path, text in _texts(*PRODUCT)
               if DIRECT_READ.search(text) and path != ROOT / "core" / "settings.py"]
    assert readers == []


def test_ivm_settings_lists_every_setting_and_hides_secrets(monkeypatch):
    monkeypatch.setenv("IVM_SECRET_KEY", "do-not-print-me")
    monkeypatch.setenv("IVM_SESSION_IDLE_MINUTES", "7")
    out = CliRunner().invoke(main, ["settings", "--format", "json"])
    assert out.exit_code == 0, out.output
    rows = {r["variable"]: r for r in json.loads(out.stdout)}
    assert set(rows) == {s.env for s in SETTINGS.values()}
    assert rows["IVM_SESSION_IDLE_MINUTES"]["value"] == "7"
    assert rows["IVM_SECRET_KEY"]["value"] == "(set)"
    assert "do-not-print-me" not in out.stdout
