"""CONTRIBUTING.md describes the tree as it is: every file and folder it names exists, and
every module its recipes call is importable."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GUIDE = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")


def test_every_path_the_guide_names_exists():
    paths = set(re.findall(r"`((?:core|etl|indicators|access|dashboard|ivm|docs|tests|data)"
                           r"/[\w./<>*-]*)`", GUIDE))
    assert len(paths) > 20
    missing = [p for p in sorted(paths)
               if "<" not in p and "*" not in p and "NNNN" not in p
               and not (ROOT / p.split(" ")[0]).exists()]
    assert missing == []


def test_every_command_the_guide_runs_exists():
    for module in set(re.findall(r"python -m ([\w.]+)", GUIDE)) - {"pytest"}:
        assert hasattr(importlib.import_module(module), "main"), module
