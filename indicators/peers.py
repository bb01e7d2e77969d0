"""The stored yearly values of municipalities as a peer group: the funnel plot's data
(:mod:`indicators.funnel`) for one indicator and year, read from the results.

The peer group is the ``peer_group`` setting: the 13 centrumsteden when at least three are
loaded (else every loaded municipality), ``all``, or a list of NIS codes. Only counts and
rates with Poisson noise have a funnel (a share or a median has another).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from core.settings import setting
from indicators.catalog import Indicator
from indicators.funnel import CENTRUMSTEDEN, Funnel, Unit, funnel
from indicators.results import STORED, Tables


@dataclass(frozen=True)
class PeerFunnel:
    """A funnel of municipalities, with their names and the group it was drawn for."""

    indicator: Indicator
    year: str
    group: str
    names: dict[str, str]
    funnel: Funnel
    factor: float

    def rows(self) -> list[dict]:
        """Each municipality: rate per 1,000 inhabitants (or households, as the indicator
        counts them), the population, z, band."""
        f = self.funnel
        return [{"area_id": u.area_id, "name": self.names.get(u.area_id, u.area_id),
                 "observed": u.observed, "population": u.exposure,
                 "rate": u.rate * self.factor, "z": z, "band": band}
                for u, z, band in zip(f.units, f.z, f.bands, strict=True)]


def peer_ids(con: duckdb.DuckDBPyConnection, choice: str | None = None) -> tuple[str, list[str]]:
    """The peer group's name and the municipalities of it that are loaded."""
    loaded = [a for (a,) in con.execute(
        "SELECT area_id FROM area WHERE level = 'gemeente' ORDER BY area_id").fetchall()]
    choice = (choice or setting("peer_group")).strip()
    if choice == "centrumsteden":
        found = [a for a in loaded if a in CENTRUMSTEDEN]
        return ("centrumsteden", found) if len(found) >= 3 else ("all", loaded)
    if choice == "all":
        return "all", loaded
    wanted = {c.strip() for c in choice.split(",") if c.strip()}
    return "list", [a for a in loaded if a in wanted]


def supports(ind: Indicator) -> bool:
    """Whether the indicator has a funnel: a count or a rate of facts (Poisson noise)."""
    return ind.kind.noise == "poisson" and ind.kind.value_rule in ("num", "rate")


def peer_funnel(con: duckdb.DuckDBPyConnection, ind: Indicator, year: str,
                choice: str | None = None, tables: Tables = STORED) -> PeerFunnel | None:
    """The funnel of the peer group for ``ind`` in calendar ``year`` (None when the indicator
    has none, or fewer than three peers have a complete year and inhabitants)."""
    if not supports(ind):
        return None
    group, ids = peer_ids(con, choice)
    if len(ids) < 3:
        return None
    rows = con.execute(
        f"""
        SELECT a.area_id, a.name, coalesce(v.numerator, 0.0),
               pop.{ind.population_column}
        FROM area a
        JOIN (SELECT DISTINCT period, period_end, complete FROM {tables.values}
              WHERE indicator_id = ? AND period_type = 'year' AND period = ?
                AND area_level = 'gemeente') p ON p.complete
        LEFT JOIN {tables.values} v ON v.indicator_id = ? AND v.area_id = a.area_id
             AND v.period = p.period AND v.period_type = 'year'
        ASOF LEFT JOIN {tables.population} pop
             ON pop.area_id = a.area_id AND year(p.period_end) >= pop.year
        WHERE a.area_id IN (SELECT unnest(?))
        ORDER BY a.area_id
        """, [ind.id, year, ind.id, ids]).fetchall()
    units = [Unit(a, float(o), float(n)) for a, _, o, n in rows if n]
    if len(units) < 3:
        return None
    names = {a: name for a, name, _, _ in rows}
    return PeerFunnel(ind, year, group, names, funnel(units), float(ind.factor or 1000.0))
