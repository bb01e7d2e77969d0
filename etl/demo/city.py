"""The demo city: its areas, population and calendar, shared by every demo source generator.

The real Aalst layers are used when the open data is present (read in place); otherwise a
synthetic city with the same structure (1 municipality, 9 deelgemeenten, 16 wijken, 134
sectors) is built, with square wijk polygons, so the demo runs on any machine.

Population rule (documented in docs/demo.md): Aalst's real total on 1 January 2020 (87,332,
Statbel) is spread over the sectors in proportion to a seeded log-normal weight, doubled in the
centre wijken; each later or earlier year grows by 0.6 % a year; households are inhabitants
divided by 2.3 (1.9 in the centre, where more people live alone).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from dateutil.easter import easter

from core.settings import open_data_dir

#: Flanders and Brussels on 1 January 2020 (Statbel): the national-scale demo's population.
FLANDERS_BRUSSELS_2020 = 6_629_143 + 1_218_255

AALST_2020 = 87_332
GROWTH = 0.006
#: Wijken around the market square and the station: the centre (denser, more incidents).
CENTRE_WIJKEN = ("41002W01", "41002W02", "41002W03", "41002W06")
#: The community-oriented project area: the real sectors Ten Rozen and Rozendreef.
PROJECT_CODE = "41002P01"
PROJECT_NAME = "Ten Rozen (wijkproject)"
PROJECT_SECTORS = ("41002A2PA", "41002A212")
#: The seed's other projects, as project areas of two real sectors each (where the demo puts
#: them: an illustration, not the projects' real boundaries); no objective of the demo plan.
OTHER_PROJECTS = {
    "41002P02": ("Sint-Joris (project)", ("41002A64-", "41002A71-")),
    "41002P03": ("Parktuin Schelfhout (project)", ("41002A089", "41002A072")),
}
#: The city redrew one wijk boundary: from this month the sector moves to the other wijk (a
#: layer version loaded with --period-start; figures before it keep the old wijk).
REDRAWN_SECTOR, REDRAWN_TO, REDRAWN_FROM = "41002A23-", "41002W05", dt.date(2024, 1, 1)


@dataclass(frozen=True)
class Sector:
    """A statistical sector with what the generators need to know about it."""

    code: str
    name: str
    wijk: str
    deelgemeente: str
    centre: bool
    weight: float
    risk: float
    project: bool


@dataclass
class City:
    """Areas, population and calendar of the demo."""

    source: str  # "real" (Aalst open data) or "synthetic"
    sectors: list[Sector]
    wijken: dict[str, str]
    deelgemeenten: dict[str, str]
    area_files: list[Path]
    start: dt.date
    end: dt.date  # last day of the last complete month
    project_start: dt.date
    seed: int
    total_2020: int = AALST_2020
    extra: dict[str, object] = field(default_factory=dict)
    code: str = "41002"  # the municipality's NIS code
    name: str = "Aalst"
    project_code: str = PROJECT_CODE
    #: The plan's places: the centre wijk, the project's wijk, the wijk with the fewest
    #: inhabitants (its survey sample is small)
    centre_wijk: str = "41002W01"
    project_wijk: str = "41002W07"
    small_wijk: str = "41002W04"

    @property
    def years(self) -> list[int]:
        """Every calendar year the data touches."""
        return list(range(self.start.year, self.end.year + 1))

    def population(self, year: int) -> dict[str, tuple[int, int]]:
        """Inhabitants and households per sector on 1 January of ``year``."""
        total = self.total_2020 * (1 + GROWTH) ** (year - 2020)
        weights = np.array([s.weight for s in self.sectors])
        shares = weights / weights.sum()
        people = np.floor(shares * total).astype(int)
        people[np.argsort(-shares)[: int(round(total)) - people.sum()]] += 1
        out = {}
        for s, n in zip(self.sectors, people, strict=True):
            size = 1.9 if s.centre else 2.3
            out[s.code] = (int(n), int(round(n / size)))
        return out

    def carnival(self, year: int) -> list[dt.date]:
        """Aalst carnival: the Sunday, Monday and Tuesday before Ash Wednesday."""
        ash_wednesday = easter(year) - dt.timedelta(days=46)
        return [ash_wednesday - dt.timedelta(days=d) for d in (3, 2, 1)]


def period(as_of: dt.date, years: int = 10) -> tuple[dt.date, dt.date]:
    """Ten complete years up to the last complete month before ``as_of``."""
    end = as_of.replace(day=1) - dt.timedelta(days=1)
    start = (dt.date(end.year - years, end.month, 28) + dt.timedelta(days=4)).replace(day=1)
    return start, end


def build_city(out: Path, seed: int, as_of: dt.date, synthetic: bool = False) -> City:
    """The demo city: real Aalst areas when present (and not ``synthetic``), else synthetic."""
    rng = np.random.default_rng(seed)
    real_dir = open_data_dir() / "be-aalst-areas"
    hierarchy = real_dir / "aalst_statsec_hierarchie.csv"
    start, end = period(as_of)
    project_start = dt.date(start.year + 5, 1, 1)
    if not synthetic and hierarchy.exists():
        with open(hierarchy, encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh))
        wijken = {r["wijk"]: r["wijk_naam"] for r in rows}
        deel = {r["deelgemeente"]: r["deelgemeente_naam"] for r in rows}
        raw = [(r["statsec"], r["statsec_naam"], r["wijk"], r["deelgemeente"]) for r in rows]
        files = [real_dir / "aalst_gemeente.geojson", real_dir / "aalst_deelgemeenten.geojson",
                 real_dir / "aalst_wijken.geojson"]
        source = "real"
    else:
        raw, wijken, deel, files = _synthetic_areas(out)
        source = "synthetic"
    project = set(PROJECT_SECTORS) if source == "real" else {
        code for code, _, wijk, _ in raw if wijk == "41002W07"
    }
    if source != "real":
        project = set(sorted(project)[:2])
    sectors = []
    for code, name, wijk, dg in raw:
        centre = wijk in CENTRE_WIJKEN
        weight = float(rng.lognormal(0.0, 0.5)) * (2.0 if centre else 1.0)
        risk = float(rng.lognormal(0.0, 0.35)) * (2.2 if centre else 1.0)
        sectors.append(Sector(code, name, wijk, dg, centre, weight, risk, code in project))
    city = City(source, sectors, wijken, deel, files, start, end, project_start, seed)
    city.area_files = [*files, _write_sector_file(out, city)]
    return city


def _write_sector_file(out: Path, city: City) -> Path:
    """The sector list (codes under their wijk and deelgemeente) plus the project area."""
    path = out / "areas_sectors.csv"
    out.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "wijk", "deelgemeente", "gemeente", "project"])
        w.writerow([city.project_code, PROJECT_NAME if city.code == "41002" else
                    f"Wijkproject {city.wijken.get(city.project_wijk, city.project_wijk)}",
                    "project", "", "", city.code, ""])
        others = _other_projects(city)
        for code, (name, _) in others.items():
            w.writerow([code, name, "project", "", "", city.code, ""])
        in_other = {sector: code for code, (_, sectors) in others.items() for sector in sectors}
        for s in city.sectors:
            w.writerow([s.code, s.name, "sector", s.wijk, s.deelgemeente, city.code,
                        city.project_code if s.project else in_other.get(s.code, "")])
    return path


def _other_projects(city: City) -> dict[str, tuple[str, tuple[str, ...]]]:
    """The seed's other projects, in the real Aalst only (their sectors must exist)."""
    codes = {s.code for s in city.sectors}
    if city.code != "41002" or city.source != "real":
        return {}
    return {k: v for k, v in OTHER_PROJECTS.items() if set(v[1]) <= codes}


def write_redrawn_sectors(city: City, out: Path) -> Path | None:
    """The layer version of the redrawn wijk boundary (the real Aalst only): the moved sector
    under its new wijk, to be loaded with ``--period-start`` :data:`REDRAWN_FROM`."""
    moved = next((s for s in city.sectors if s.code == REDRAWN_SECTOR), None)
    if moved is None or city.source != "real" or REDRAWN_TO not in city.wijken:
        return None
    path = out / f"areas_sectors_{REDRAWN_FROM:%Y-%m}.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "wijk", "deelgemeente", "gemeente"])
        w.writerow([moved.code, moved.name, "sector", REDRAWN_TO, moved.deelgemeente,
                    city.code])
    return path


def build_municipality(out: Path, seed: int, as_of: dt.date, query: str) -> City:
    """Any municipality of Flanders or Brussels (a name or NIS code), cut from the
    Flanders-wide layers (:mod:`etl.municipality`): its real areas and 2020 population; the
    centre is the wijk with the most sectors, the project the two first sectors of the next
    one."""
    from etl.municipality import cut_municipality

    layers = cut_municipality(query, out)
    m = layers.municipality
    rng = np.random.default_rng(seed)
    per_wijk: dict[str, int] = {}
    for r in layers.sectors:
        per_wijk[r["wijk"]] = per_wijk.get(r["wijk"], 0) + 1
    ranked = sorted(per_wijk, key=lambda w: (-per_wijk[w], w))
    centre = ranked[0]
    project_wijk = ranked[1] if len(ranked) > 1 else centre
    project = {r["statsec"] for r in layers.sectors if r["wijk"] == project_wijk}
    project = set(sorted(project)[:2])
    start, end = period(as_of)
    sectors = []
    for r in layers.sectors:
        is_centre = r["wijk"] == centre
        weight = float(rng.lognormal(0.0, 0.5)) * (2.0 if is_centre else 1.0)
        risk = float(rng.lognormal(0.0, 0.35)) * (2.2 if is_centre else 1.0)
        sectors.append(Sector(r["statsec"], r["statsec_naam"], r["wijk"], r["deelgemeente"],
                              is_centre, weight, risk, r["statsec"] in project))
    weights: dict[str, float] = {}
    for s in sectors:
        weights[s.wijk] = weights.get(s.wijk, 0.0) + s.weight
    city = City("real", sectors, dict(layers.wijken), dict(layers.deelgemeenten), [], start,
                end, dt.date(start.year + 5, 1, 1), seed,
                total_2020=layers.inhabitants or 10_000, code=m.nis, name=m.name,
                project_code=f"{m.nis}-PROJECT", centre_wijk=centre, project_wijk=project_wijk,
                small_wijk=min(weights, key=lambda w: (weights[w], w)))
    areas = [c for c in layers.files if c.kind == "areas" and c.level != "sector"]
    city.area_files = [c.path for c in areas] + [_write_sector_file(out, city)]
    city.extra["levels"] = {str(c.path): c.level for c in areas}
    return city


def _synthetic_areas(out: Path):
    """A city shaped like Aalst: 9 deelgemeenten, 16 wijken (squares), 134 sectors."""
    out.mkdir(parents=True, exist_ok=True)
    letters = "ABCDEFGHJ"
    deel = {f"41002{ch}": f"Deelgemeente {ch}" for ch in letters}
    wijk_dg = {f"41002W{i:02d}": f"41002{letters[0 if i <= 8 else i - 8]}" for i in range(1, 17)}
    wijken = {w: f"Wijk {w[-2:]}" for w in wijk_dg}
    sizes = [5, 5, 3, 2, 11, 5, 10, 9, 6, 16, 8, 7, 13, 10, 12, 12]
    raw = []
    for (w, dg), n in zip(wijk_dg.items(), sizes, strict=True):
        for k in range(n):
            code = f"{dg}{int(w[-2:]):02d}{'0123456789ABCDEFGHJK'[k]}"
            raw.append((code, f"Sector {w[-2:]}-{k + 1}", w, dg))

    def square(i: int) -> dict:
        lon, lat = 4.0 + (i % 4) * 0.02, 50.9 + (i // 4) * 0.015
        ring = [[lon, lat], [lon + 0.02, lat], [lon + 0.02, lat + 0.015], [lon, lat + 0.015],
                [lon, lat]]
        return {"type": "Polygon", "coordinates": [ring]}
    features = [{"type": "Feature", "properties": {"code": w, "naam": name, "gemeente": "41002"},
                 "geometry": square(i)} for i, (w, name) in enumerate(wijken.items())]
    wijk_file = out / "synthetic_wijken.geojson"
    wijk_file.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    top = out / "synthetic_levels.csv"
    lines = ["code,name,level,gemeente", "41002,Aalst (synthetisch),gemeente,"]
    lines += [f"{c},{n},deelgemeente,41002" for c, n in deel.items()]
    top.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return raw, wijken, deel, [top, wijk_file]


def build_national(out: Path, seed: int, as_of: dt.date) -> City:
    """Flanders and Brussels: 304 municipalities, their deelgemeenten and wijken (polygons) and
    every statistical sector whose wijk and deelgemeente are mapped (the publisher's "unknown
    sector" codes are left out). Needs the be-aalst-areas open data (no synthetic variant)."""
    from core.errors import IvmError

    rng = np.random.default_rng([seed, 99])
    real = open_data_dir() / "be-aalst-areas"
    hierarchy = real / "statsec_hierarchie_vlaanderen_brussel.csv"
    if not hierarchy.exists():
        raise IvmError("no_open_data", f"the national demo needs {hierarchy}",
                       hint="set IVM_OPEN_DATA to the folder holding be-aalst-areas")
    wijk_file = real / "vlaanderen_brussel_wijken.geojson"
    dg_file = real / "vlaanderen_brussel_deelgemeenten.geojson"
    wijken = {f["properties"]["code"]: f["properties"]["naam"]
              for f in json.loads(wijk_file.read_text(encoding="utf-8"))["features"]}
    deel = {f["properties"]["geoitem"]: f["properties"]["naam"]
            for f in json.loads(dg_file.read_text(encoding="utf-8"))["features"]}
    with open(hierarchy, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["wijk"] in wijken and r["deelgemeente"] in deel
                and not r["statsec"].endswith("ZZZZ")]
    # centres: the first wijk (W01) of each municipality is its centre
    sectors = []
    for r in rows:
        centre = r["wijk"].endswith("W01")
        weight = float(rng.lognormal(0.0, 0.5)) * (2.0 if centre else 1.0)
        risk = float(rng.lognormal(0.0, 0.35)) * (2.2 if centre else 1.0)
        sectors.append(Sector(r["statsec"], r["statsec_naam"], r["wijk"], r["deelgemeente"],
                              centre, weight, risk, False))
    start, end = period(as_of)
    city = City("real", sectors, wijken, deel, [], start, end, dt.date(start.year + 5, 1, 1),
                seed, total_2020=FLANDERS_BRUSSELS_2020)
    out.mkdir(parents=True, exist_ok=True)
    path = out / "areas_sectors.csv"
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["code", "name", "level", "wijk", "deelgemeente", "gemeente"])
        for r in rows:
            w.writerow([r["statsec"], r["statsec_naam"], "sector", r["wijk"], r["deelgemeente"],
                        r["gemeente"]])
    city.area_files = [real / "vlaanderen_brussel_gemeenten.geojson", dg_file,
                       _wijken_of_2025(out, wijk_file, rows), path]
    return city


def _wijken_of_2025(out: Path, wijk_file: Path, rows: list[dict]) -> Path:
    """The wijken with the municipality they belong to since the 2025 mergers (the source file
    still names the old municipality of 93 wijken), as a GeoJSON file in ``out``."""
    municipality = {r["wijk"]: r["gemeente"] for r in rows}
    doc = json.loads(wijk_file.read_text(encoding="utf-8"))
    for feature in doc["features"]:
        props = feature["properties"]
        props["gemeente"] = municipality.get(props["code"], props["code"][:5])
        props["level"] = "wijk"  # codes are city-made, NIS7-based or province-made
    path = out / "wijken_2025.geojson"
    path.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return path
