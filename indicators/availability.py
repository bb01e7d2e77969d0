"""Which indicators the warehouse can compute at all: a rate needs its denominator (inhabitants,
households, the day population or visitors) loaded for some area. An indicator that cannot be
computed is unavailable with a reason; the surfaces say so instead of showing zeros or empty
maps, and the plan check refuses an objective on it.
"""

from __future__ import annotations

import duckdb

from indicators.catalog import Catalog, Indicator, Text

#: The denominators a rate may have, in words.
_DENOMINATORS = {
    "inhabitants": Text(nl="inwoners", en="inhabitants"),
    "households": Text(nl="huishoudens", en="households"),
    "day_population": Text(nl="dagbevolking", en="day population"),
    "visitors": Text(nl="bezoekers", en="visitors"),
}
#: The load that brings each denominator.
_LOADED_BY = {"inhabitants": "population", "households": "population",
              "day_population": "day_population", "visitors": "day_population"}


def loaded_denominators(con: duckdb.DuckDBPyConnection) -> set[str]:
    """The denominators loaded for at least one area (``inhabitants``, ``households``,
    ``day_population``, ``visitors``)."""
    counts = con.execute(
        "SELECT (SELECT count(*) FILTER (WHERE inhabitants > 0) FROM population), "
        "(SELECT count(*) FILTER (WHERE households > 0) FROM population), "
        "(SELECT count(*) FILTER (WHERE day_population > 0) FROM day_population), "
        "(SELECT count(*) FILTER (WHERE visitors > 0) FROM day_population)").fetchall()[0]
    return {name for name, n in zip(_DENOMINATORS, counts, strict=True) if n}


def unavailable_reason(ind: Indicator, denominators: set[str]) -> Text | None:
    """Why ``ind`` cannot be computed with the ``denominators`` loaded (None: it can)."""
    if ind.kind.value_rule != "rate" or not ind.population:
        return None
    if ind.population in denominators:
        return None
    words, load = _DENOMINATORS[ind.population], _LOADED_BY[ind.population]
    return Text(nl=f"niet beschikbaar: geen {words.nl} geladen (de noemer van dit cijfer); "
                   f"laad ze met `ivm load {load}`",
                en=f"unavailable: no {words.en} loaded (this figure's denominator); load "
                   f"them with `ivm load {load}`")


def unavailable_indicators(con: duckdb.DuckDBPyConnection, catalog: Catalog | dict
                           ) -> dict[str, Text]:
    """Every indicator of ``catalog`` that cannot be computed, with the reason."""
    denominators = loaded_denominators(con)
    items = catalog.values() if isinstance(catalog, dict) else catalog
    return {ind.id: reason for ind in items
            if (reason := unavailable_reason(ind, denominators)) is not None}


__all__ = ["loaded_denominators", "unavailable_indicators", "unavailable_reason"]
