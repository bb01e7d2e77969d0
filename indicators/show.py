"""One indicator's values for ``ivm indicators show``: stored results when they are current for
this declaration, otherwise computed on the spot (a new file in a catalogue shows at once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import duckdb

from core.errors import IvmError
from indicators.catalog import Catalog, Indicator
from indicators.compute import compute_values, default_as_of
from indicators.hierarchy import top_level
from indicators.results import STORED, Tables, values


def _stored_is_current(con: duckdb.DuckDBPyConnection, ind: Indicator,
                       as_of: dt.date | None) -> bool:
    row = con.execute(
        "SELECT i.spec, (SELECT as_of FROM refresh_log ORDER BY refresh_id DESC LIMIT 1) "
        "FROM indicator i WHERE i.indicator_id = ?", [ind.id]).fetchall()
    if not row:
        return False
    spec, stored_as_of = row[0]
    same = spec == ind.model_dump_json(by_alias=True, exclude_none=True)
    return same and (as_of is None or as_of == stored_as_of)


def indicator_values(
    con: duckdb.DuckDBPyConnection, catalog: Catalog, ind: Indicator, area: str | None,
    level: str | None, period: str | None, as_of: dt.date | None, recast: bool = False,
) -> list[dict[str, Any]]:
    """Rows (area, period, value, numerator, denominator, n, interval) for people or scripts:
    one area, or every area of ``level`` (default: the top level of the loaded hierarchy);
    with ``recast`` every period counted in today's areas (sector by sector), not in those of
    its own time."""
    level = level or top_level(con)
    if area:
        found = con.execute("SELECT level FROM area WHERE area_id = ?", [area]).fetchall()
        if not found:
            raise IvmError("unknown_area", f"no area '{area}' in the warehouse")
        level = found[0][0]
    if _stored_is_current(con, ind, as_of) and not recast:
        tables = STORED
    else:
        day = as_of or default_as_of(con)
        compute_values(con, catalog, day, only=[ind.id], table="ivm_values",
                       boundaries=dt.date.today() if recast else None)
        tables = Tables("ivm_values", "ivm_population")
    if period:
        periods = [period]
    else:
        periods = [p for (p,) in con.execute(
            f"SELECT DISTINCT period FROM {tables.values} WHERE indicator_id = ? "
            "AND period_type = 'year' AND area_level = ? ORDER BY period",
            [ind.id, level]).fetchall()]
    rows: list[dict[str, Any]] = []
    for p in periods:
        df = values(con, ind, level, p, tables)
        if area:
            df = df[df["area_id"] == area]
        for rec in df.to_dict("records"):
            rows.append({k: (None if isinstance(v, float) and v != v else v)
                         for k, v in rec.items()})
    return rows
