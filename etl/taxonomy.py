"""The canonical taxonomy (``taxonomy.yaml``): incident categories, nuisance types, area levels."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml


@cache
def taxonomy() -> dict[str, Any]:
    """The parsed taxonomy file."""
    text = resources.files("etl").joinpath("taxonomy.yaml").read_text(encoding="utf-8")
    # libyaml's parser when PyYAML has it (ten times faster; the file is ours)
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def canonical_values(kind: str) -> list[str]:
    """Canonical category ids for ``incidents`` or ``nuisance``."""
    return [c["id"] for c in taxonomy()[kind]]


def area_levels() -> list[str]:
    """Known area levels, finest first."""
    return list(taxonomy()["area_levels"])
