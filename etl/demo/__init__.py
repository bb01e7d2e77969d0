"""The demo data set: the source files a city would receive, generated from a fixed seed.

:func:`generate` writes them (deterministically: the same seed and as-of month give
byte-identical files) and returns the list of loads to run, in order; ``ivm demo`` runs them
through the same ``ivm load`` path as real data.
"""

from __future__ import annotations

import datetime as dt
import importlib
import json
from dataclasses import dataclass
from pathlib import Path

from etl.demo.city import City, build_city
from etl.demo.population import write_population


@dataclass(frozen=True)
class DemoLoad:
    """One file of the demo and how to load it."""

    kind: str
    path: Path
    profile: str
    rows: int | None = None


def _optional(module: str, func: str):
    """A generator that may not exist yet in this version (None when absent)."""
    try:
        return getattr(importlib.import_module(f"etl.demo.{module}"), func)
    except (ImportError, AttributeError):
        return None


def generate(out: Path, seed: int = 2011, as_of: dt.date | None = None,
             synthetic: bool = False) -> tuple[City, list[DemoLoad]]:
    """Write the demo city's source files into ``out``; return the city and the loads, in
    the order they must run (areas coarse to fine, population, facts, plan)."""
    as_of = as_of or dt.date.today()
    out.mkdir(parents=True, exist_ok=True)
    city = build_city(out, seed, as_of, synthetic=synthetic)
    loads = [DemoLoad("areas", f, "canonical") for f in city.area_files]
    pop = out / "bevolking_sectoren.csv"
    loads.append(DemoLoad("population", pop, "canonical", write_population(city, pop)))
    sources = [
        ("incidents", "incidents", "write_incidents", "politie_export.csv", "be-politie"),
        ("nuisance", "nuisance", "write_nuisance", "meldingen_overlast.xlsx", "be-meldingen"),
        ("survey", "survey", "write_survey", "veiligheidsmonitor.csv", "be-veiligheidsmonitor"),
        ("activities", "activities", "write_activities", "partneractiviteiten.xlsx",
         "be-partners"),
    ]
    for kind, module, func, name, profile in sources:
        writer = _optional(module, func)
        if writer is not None:
            path = out / name
            loads.append(DemoLoad(kind, path, profile, writer(city, path, seed)))
    plan_writer = _optional("plan", "write_plan")
    if plan_writer is not None:
        path = out / "veiligheidsplan.yaml"
        loads.append(DemoLoad("plan", path, "canonical", plan_writer(city, path)))
    manifest = {
        "seed": seed,
        "as_of": as_of.isoformat(),
        "areas": city.source,
        "period": [city.start.isoformat(), city.end.isoformat()],
        "files": [{"kind": d.kind, "file": str(d.path), "profile": d.profile, "rows": d.rows}
                  for d in loads],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return city, loads
