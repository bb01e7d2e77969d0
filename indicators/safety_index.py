"""The per-wijk safety index: crime, nuisance and feeling unsafe on one scale, city = 100.

After Amsterdam's Veiligheidsindex and Rotterdam's Wijkprofiel, each part is a wijk's value
against its city's in the same year (x 100: 130 means 30 % more than the city as a whole), and
the index is the weighted mean of the parts (``indicators/safety_index.yaml``: which indicators,
which weights; equal by default). Above 100 a wijk has more crime, nuisance or unsafe feeling
than its city on average; below, less.

- A count (or a rate of facts) is taken per inhabitant: ``(O_w / n_w) / (O_c / n_c) x 100``,
  with the exact Poisson interval of the wijk's count (the city's own uncertainty is small
  beside it and left out).
- A survey share is the wijk's share over the city's (x 100), with the share's stored 95 %
  interval (effective n of the weighted sample); the latest wave up to the year is used.
- The index's interval combines the parts' standard errors as if independent:
  ``se = sqrt(sum w_i^2 se_i^2) / sum w_i``, with ``se_i`` a quarter of the width of each 95 %
  interval (/ 3.92).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from importlib import resources

import duckdb
import yaml

from indicators.catalog import Indicator
from indicators.compare import municipalities
from indicators.readers import complete_years
from indicators.results import STORED, Tables, values
from indicators.stats import poisson_ci


@dataclass(frozen=True)
class Part:
    """One part of the index: an indicator, its weight and its name."""

    key: str
    indicator: str
    weight: float
    title: dict[str, str]


@dataclass
class WijkIndex:
    """One wijk's index and parts (each: value, low, high; None where it has none)."""

    area_id: str
    name: str
    parts: dict[str, tuple[float, float, float] | None] = field(default_factory=dict)
    index: float | None = None
    low: float | None = None
    high: float | None = None
    smallest_count: float | None = None
    smallest_n_eff: float | None = None

    def too_small(self, min_count: float, min_neff: float) -> bool:
        """Whether the public may not see this wijk's index: its smallest count is below
        ``min_count`` or its survey's effective n below ``min_neff``."""
        return ((self.smallest_count is not None and self.smallest_count < min_count)
                or (self.smallest_n_eff is not None and self.smallest_n_eff < min_neff))


def parts() -> list[Part]:
    """The declared parts (``safety_index.yaml``)."""
    text = resources.files("indicators").joinpath("safety_index.yaml").read_text("utf-8")
    return [Part(p["key"], p["indicator"], float(p.get("weight", 1)), dict(p["title"]))
            for p in yaml.safe_load(text)["parts"]]


def _period(con: duckdb.DuckDBPyConnection, ind: Indicator, year: int,
            tables: Tables) -> str | None:
    """The indicator's calendar year, or for a survey its latest wave up to ``year``."""
    years = complete_years(con, [ind.id], tables).get(ind.id, [])
    if ind.source == "survey":
        before = [y for y in years if y <= year]
        return str(max(before)) if before else None
    return str(year) if year in years else None


def _ratio(row, city, ind: Indicator) -> tuple[float, float, float] | None:
    """The wijk's value over the city's, x 100, with its interval."""
    if ind.kind.noise == "poisson":
        inh, c_inh = row["inhabitants"], city["inhabitants"]
        if not inh or not c_inh or not city["numerator"]:
            return None
        c_rate = city["numerator"] / c_inh
        lo, hi = poisson_ci(float(row["numerator"] or 0.0), float(inh))
        return (100 * (row["numerator"] or 0.0) / inh / c_rate, 100 * float(lo) / c_rate,
                100 * float(hi) / c_rate)
    if row["value"] is None or not city["value"] or math.isnan(row["value"]):
        return None
    lo = row["ci_low"] if row["ci_low"] is not None else row["value"]
    hi = row["ci_high"] if row["ci_high"] is not None else row["value"]
    return (100 * row["value"] / city["value"], 100 * lo / city["value"],
            100 * hi / city["value"])


def safety_index(con: duckdb.DuckDBPyConnection, catalog: dict[str, Indicator], year: int,
                 city: str, level: str = "wijk", tables: Tables = STORED
                 ) -> tuple[list[WijkIndex], dict[str, str]]:
    """Every area of ``level`` in ``city``: its parts and index in ``year``; and the period
    each part was read for (a survey's wave)."""
    wijken: dict[str, WijkIndex] = {}
    used: dict[str, str] = {}
    homes = municipalities(con.execute(
        "SELECT area_id, parent_id, level FROM area WHERE level IN (?, 'gemeente')",
        [level]).df())
    under = {a for a, m in homes.items() if m == city}
    for part in parts():
        ind = catalog.get(part.indicator)
        if ind is None:
            continue
        period = _period(con, ind, year, tables)
        if period is None:
            continue
        used[part.key] = period
        city_rows = values(con, ind, "gemeente", period, tables)
        city_rows = city_rows[city_rows["area_id"] == city]
        if city_rows.empty:
            continue
        c = city_rows.iloc[0]
        for _, row in values(con, ind, level, period, tables).iterrows():
            if row["area_id"] not in under:
                continue
            w = wijken.setdefault(row["area_id"], WijkIndex(row["area_id"], row["name"]))
            w.parts[part.key] = _ratio(row, c, ind)
            if ind.kind.noise == "poisson":
                n = float(row["numerator"] or 0.0)
                w.smallest_count = n if w.smallest_count is None else min(w.smallest_count, n)
            elif row["n_eff"] is not None:
                ne = float(row["n_eff"])
                w.smallest_n_eff = ne if w.smallest_n_eff is None else min(w.smallest_n_eff, ne)
    weights = {p.key: p.weight for p in parts()}
    for w in wijken.values():
        have = [(weights[k], v) for k, v in w.parts.items() if v is not None]
        if len(have) < len(used) or not have:
            continue  # a wijk without every part has no index
        total = sum(wt for wt, _ in have)
        w.index = sum(wt * v[0] for wt, v in have) / total
        se = math.sqrt(sum((wt * (v[2] - v[1]) / 3.92) ** 2 for wt, v in have)) / total
        w.low, w.high = max(0.0, w.index - 1.96 * se), w.index + 1.96 * se
    return sorted(wijken.values(), key=lambda w: w.area_id), used
