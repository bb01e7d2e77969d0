"""The demo data set: the source files a city would receive, generated from a fixed seed.

:func:`generate` writes them (deterministically: the same seed and as-of month give
byte-identical files) and returns the list of loads to run, in order; ``ivm demo`` runs them
through the same ``ivm load`` path as real data.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from pathlib import Path

from etl.demo.activities import write_activities
from etl.demo.city import (
    REDRAWN_FROM,
    City,
    build_city,
    build_municipality,
    build_national,
    write_redrawn_sectors,
)
from etl.demo.day_population import write_day_population
from etl.demo.events import write_events
from etl.demo.incidents import write_incidents
from etl.demo.nuisance import write_nuisance
from etl.demo.partners import write_partners
from etl.demo.plan import write_plan, write_revised_plan
from etl.demo.population import write_population
from etl.demo.survey import write_survey

#: Rows multiplier at national scale: Flanders and Brussels' 7.8 million inhabitants at the
#: city's rates give about 3.8 million incidents in ten years; the benchmarks want ten million.
NATIONAL_SCALE = 3.0


@dataclass(frozen=True)
class DemoLoad:
    """One file of the demo and how to load it."""

    kind: str
    path: Path
    profile: str
    rows: int | None = None
    level: str | None = None  # the level of every row of an area file, when named
    #: Loaded later in the demo's history (the revised plan, at its approval).
    revision: bool = False
    #: The first day an area file holds from (a new layer version), when it is one.
    period_start: dt.date | None = None


def generate(out: Path, seed: int = 2011, as_of: dt.date | None = None,
             synthetic: bool = False, scale: str = "city",
             municipality: str | None = None) -> tuple[City, list[DemoLoad]]:
    """Write the demo's source files into ``out``; return the city and the loads, in the order
    they must run (partner register, areas coarse to fine, population, facts, plan; the
    revised plan is loaded at its approval, in the demo's history).

    ``scale="national"``: Flanders and Brussels (needs the open data), at least ten million
    incidents with matching nuisance reports and survey rows, for the benchmarks; no plan.
    """
    as_of = as_of or dt.date.today()
    out.mkdir(parents=True, exist_ok=True)
    national = scale == "national"
    if national:
        city = build_national(out, seed, as_of)
    elif municipality:
        city = build_municipality(out, seed, as_of, municipality)
    else:
        city = build_city(out, seed, as_of, synthetic=synthetic)
    levels: dict = city.extra.get("levels", {})  # type: ignore[assignment]
    loads = []
    if not national:
        partner_file = out / "partnerregister.csv"
        loads.append(DemoLoad("partners", partner_file, "canonical", write_partners(partner_file)))
    loads += [DemoLoad("areas", f, "canonical", level=levels.get(str(f)))
              for f in city.area_files]
    redrawn = write_redrawn_sectors(city, out) if not national else None
    if redrawn is not None:
        loads.append(DemoLoad("areas", redrawn, "canonical", 1, period_start=REDRAWN_FROM))
    if not national:
        events = out / "evenementen.csv"
        loads.append(DemoLoad("events", events, "canonical", write_events(city, events)))
    pop = out / "bevolking_sectoren.csv"
    loads.append(DemoLoad("population", pop, "canonical", write_population(city, pop)))
    if not national:
        day = out / "dagbevolking.csv"
        loads.append(DemoLoad("day_population", day, "canonical",
                              write_day_population(city, day, seed)))
    police = out / "politie_export.csv"
    loads.append(DemoLoad("incidents", police, "be-politie",
                          write_incidents(city, police, seed, NATIONAL_SCALE if national
                                          else 1.0)))
    register = out / ("meldingen_overlast.csv" if national else "meldingen_overlast.xlsx")
    loads.append(DemoLoad("nuisance", register, "be-meldingen",
                          write_nuisance(city, register, seed)))
    survey = out / "veiligheidsmonitor.csv"
    loads.append(DemoLoad("survey", survey, "be-veiligheidsmonitor",
                          write_survey(city, survey, seed)))
    if not national:
        activities = out / "partneractiviteiten.xlsx"
        loads.append(DemoLoad("activities", activities, "be-partners",
                              write_activities(city, activities, seed)))
        plan = out / "veiligheidsplan.yaml"
        loads.append(DemoLoad("plan", plan, "canonical", write_plan(city, plan)))
        revised = out / "veiligheidsplan-v2.yaml"
        loads.append(DemoLoad("plan", revised, "canonical", write_revised_plan(city, revised),
                              revision=True))
    manifest = {
        "seed": seed,
        "scale": scale,
        "as_of": as_of.isoformat(),
        "areas": city.source,
        "municipality": f"{city.name} ({city.code})",
        "period": [city.start.isoformat(), city.end.isoformat()],
        "files": [{"kind": d.kind, "file": str(d.path), "profile": d.profile, "rows": d.rows,
                   "revision": d.revision} for d in loads],
    }
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    return city, loads
