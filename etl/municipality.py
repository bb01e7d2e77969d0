"""One Flemish (or Brussels) municipality cut out of the Flanders-wide open layers, read in place
from the open data folder (``IVM_OPEN_DATA``, see ``be-aalst-areas/SOURCE.md`` and
``be-statbel-bevolking/SOURCE.md``): what ``ivm setup --municipality`` loads and what ``ivm demo
--municipality`` generates facts for.

The cut writes one small file per level into a folder of the user's (never into the
repository) and names the level of each file explicitly: the real wijk codes follow no single
pattern (``41002W01``, ``11002P01``, ``11016A0W``), so no code pattern decides a level here.

- **gemeente**: the boundary (``vlaanderen_brussel_gemeenten.geojson``, after the 2025 mergers);
- **deelgemeente** and **wijk**: their polygons, under the gemeente;
- **sector**: the statistical sectors (codes and names, version 2025; no polygons are
  published with this data) under their wijk, deelgemeente and gemeente. The publisher's
  "unknown sector" codes (``NNNNNZZZZ``) hold no one and are left out; a sector whose wijk or
  deelgemeente has no polygon is left out too, and counted;
- **population**: Statbel's inhabitants on 1 January 2020, per municipality. A municipality
  merged in 2025 has no row of its own: its population is the sum of its former
  municipalities' rows (the mergers joined whole municipalities), written to a small file that
  says so.
"""

from __future__ import annotations

import csv
import difflib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from core.errors import IvmError
from core.settings import open_data_dir

AREAS = "be-aalst-areas"
POPULATION = "be-statbel-bevolking"
MUNICIPALITIES = "vlaanderen_brussel_gemeenten.geojson"
DEELGEMEENTEN = "vlaanderen_brussel_deelgemeenten.geojson"
WIJKEN = "vlaanderen_brussel_wijken.geojson"
SECTORS = "statsec_hierarchie_vlaanderen_brussel.csv"
STATBEL = "bevolking_per_gemeente_2020.csv"
#: The year of the Statbel population file.
POPULATION_YEAR = 2020


@dataclass(frozen=True)
class Municipality:
    """A municipality of the Flanders-wide layers (after the 2025 mergers)."""

    nis: str
    name: str


@dataclass(frozen=True)
class Cut:
    """One file to load: its kind, path, profile and the level of every row (areas)."""

    kind: str
    path: Path
    profile: str = "canonical"
    level: str | None = None
    rows: int = 0


@dataclass
class Layers:
    """The municipality's files, in the order they must load, and what was left out."""

    municipality: Municipality
    files: list[Cut] = field(default_factory=list)
    sectors: list[dict[str, str]] = field(default_factory=list)  # the sectors kept
    wijken: dict[str, str] = field(default_factory=dict)  # code -> name
    deelgemeenten: dict[str, str] = field(default_factory=dict)
    unknown_sectors: int = 0
    sectors_without_polygon: int = 0
    inhabitants: int | None = None
    former: list[str] = field(default_factory=list)  # merged in 2025 from these codes

    def summary(self) -> str:
        """What was cut, in one line."""
        m = self.municipality
        left = [f"{self.unknown_sectors} 'unknown sector' codes"] if self.unknown_sectors else []
        if self.sectors_without_polygon:
            left.append(f"{self.sectors_without_polygon} sectors of a wijk or deelgemeente "
                        "without a polygon")
        pop = (f"{self.inhabitants:,} inhabitants on 1 January {POPULATION_YEAR}"
               if self.inhabitants is not None else "no population")
        if self.former:
            pop += f" (sum of {', '.join(self.former)}, merged in 2025)"
        return (f"{m.name} ({m.nis}): {len(self.deelgemeenten)} deelgemeenten, "
                f"{len(self.wijken)} wijken, {len(self.sectors)} sectors, {pop}"
                + (f"; left out: {', '.join(left)}" if left else ""))


def _plain(text: str) -> str:
    """A name without accents, case or an arrondissement in brackets, for matching."""
    text = text.split(" (")[0]
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().strip()


def _source(folder: str, name: str) -> Path:
    path = open_data_dir() / folder / name
    if not path.exists():
        raise IvmError("no_open_data", f"the Flanders-wide layers are not found: {path}",
                       hint="set IVM_OPEN_DATA to the folder holding be-aalst-areas and "
                            "be-statbel-bevolking")
    return path


def _features(path: Path) -> list[dict]:
    return json.loads(path.read_text(encoding="utf-8"))["features"]


def municipalities() -> list[Municipality]:
    """Every municipality of the Flanders-wide layers, by NIS code."""
    return sorted((Municipality(str(f["properties"]["geoitem"]), f["properties"]["naam"])
                   for f in _features(_source(AREAS, MUNICIPALITIES))), key=lambda m: m.nis)


def find_municipality(query: str) -> Municipality:
    """The municipality a NIS code or a name (any case, with or without accents) names."""
    known = municipalities()
    wanted = query.strip()
    for m in known:
        if wanted == m.nis or _plain(wanted) == _plain(m.name):
            return m
    close = difflib.get_close_matches(_plain(wanted), [_plain(m.name) for m in known], n=3)
    names = [m for c in close for m in known if _plain(m.name) == c]
    raise IvmError(
        "unknown_municipality",
        f"no municipality '{query}' in {MUNICIPALITIES} (304 municipalities of Flanders and "
        "Brussels, after the 2025 mergers)",
        hint=("did you mean " + ", ".join(f"{m.name} ({m.nis})" for m in names)) if names
        else "give a NIS code (5 digits, e.g. 44021) or a name (e.g. Gent)")


def cut_municipality(query: str, out: Path) -> Layers:
    """Write the municipality's area and population files into ``out``; return them."""
    m = find_municipality(query)
    out.mkdir(parents=True, exist_ok=True)
    layers = Layers(m)
    with open(_source(AREAS, SECTORS), encoding="utf-8", newline="") as fh:
        rows = [r for r in csv.DictReader(fh) if r["gemeente"] == m.nis]
    wijk_polygons = {f["properties"]["code"]: f for f in _features(_source(AREAS, WIJKEN))}
    deel_polygons = {f["properties"]["geoitem"]: f
                     for f in _features(_source(AREAS, DEELGEMEENTEN))}
    boundary = [f for f in _features(_source(AREAS, MUNICIPALITIES))
                if str(f["properties"]["geoitem"]) == m.nis]
    for r in rows:
        if r["statsec"].endswith("ZZZZ"):
            layers.unknown_sectors += 1
        elif r["wijk"] in wijk_polygons and r["deelgemeente"] in deel_polygons:
            layers.sectors.append(r)
        else:
            layers.sectors_without_polygon += 1
    for r in layers.sectors:
        layers.wijken[r["wijk"]] = wijk_polygons[r["wijk"]]["properties"]["naam"]
        layers.deelgemeenten[r["deelgemeente"]] = deel_polygons[r["deelgemeente"]][
            "properties"]["naam"]

    def geojson(name: str, features: list[dict], level: str) -> None:
        path = out / name
        path.write_text(json.dumps({"type": "FeatureCollection", "features": features},
                                   ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
        layers.files.append(Cut("areas", path, level=level, rows=len(features)))

    slug = m.nis
    geojson(f"{slug}_gemeente.geojson", [
        {"type": "Feature", "geometry": f["geometry"],
         "properties": {"code": m.nis, "naam": m.name}} for f in boundary], "gemeente")
    geojson(f"{slug}_deelgemeenten.geojson", [
        {"type": "Feature", "geometry": deel_polygons[c]["geometry"],
         "properties": {"code": c, "naam": name, "gemeente": m.nis}}
        for c, name in sorted(layers.deelgemeenten.items())], "deelgemeente")
    # the wijk file still names the municipality before the 2025 mergers: the sector table's
    # municipality is the one in force
    geojson(f"{slug}_wijken.geojson", [
        {"type": "Feature", "geometry": wijk_polygons[c]["geometry"],
         "properties": {"code": c, "naam": name, "gemeente": m.nis}}
        for c, name in sorted(layers.wijken.items())], "wijk")
    sectors = out / f"{slug}_sectoren.csv"
    with open(sectors, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "wijk", "deelgemeente", "gemeente"])
        for r in layers.sectors:
            w.writerow([r["statsec"], r["statsec_naam"], r["wijk"], r["deelgemeente"], m.nis])
    layers.files.append(Cut("areas", sectors, level="sector", rows=len(layers.sectors)))
    _population(layers, rows, out)
    return layers


def _population(layers: Layers, rows: list[dict[str, str]], out: Path) -> None:
    """The Statbel file itself when it has the municipality; else the sum of its former
    municipalities (the first five characters of its sectors' codes) in a file of its own."""
    m = layers.municipality
    statbel = _source(POPULATION, STATBEL)
    with open(statbel, encoding="utf-8-sig", newline="") as fh:
        totals = {r["NIS code"]: int(r["Totaal"]) for r in csv.DictReader(fh)}
    if m.nis in totals:
        layers.inhabitants = totals[m.nis]
        layers.files.append(Cut("population", statbel, "be-statbel", rows=1))
        return
    former = sorted({r["statsec"][:5] for r in rows} & set(totals))
    if not former:
        return
    layers.former = former
    layers.inhabitants = sum(totals[c] for c in former)
    path = out / f"{m.nis}_bevolking_{POPULATION_YEAR}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["NIS code", "Woonplaats", "Totaal", "bron"])
        w.writerow([m.nis, m.name, layers.inhabitants,
                    f"Statbel {POPULATION_YEAR}: som van {' + '.join(former)} "
                    "(samengevoegd op 1 januari 2025)"])
    layers.files.append(Cut("population", path, "be-statbel", rows=1))


__all__ = ["Cut", "Layers", "Municipality", "cut_municipality", "find_municipality",
           "municipalities"]
